/**
 * The explorer page's entry: two views, the free-exploration page (explorer.ts) and the
 * guided lesson (lesson.ts), switched by the URL's hash (#explore, or #lesson/N with
 * ?t=..&u=..&T=..: every lesson step has its own link), and the language button that
 * switches every label between English and 繁體中文 (?lang=zh-TW opens the page in Chinese).
 */
import type { Lang } from '../../src/index.js';
import { applyLang } from './i18n.js';
import { initExplorer, pauseExplorer, setExplorerLang } from './explorer.js';
import { initLesson, pauseLesson, setLessonLang, showLesson, type LessonParams } from './lesson.js';

const $ = (id: string): HTMLElement => document.getElementById(id)!;
let lang: Lang = new URLSearchParams(location.search).get('lang') === 'zh-TW' ? 'zh-TW' : 'en';

/** #lesson/N?t=..&u=..&T=.. → { n, params }, or null for the explorer. */
function parseHash(hash: string): { n: number; params: LessonParams } | null {
  const m = hash.match(/^#lesson(?:\/(\d+))?(?:\?(.*))?$/);
  if (!m) return null;
  const q = new URLSearchParams(m[2] ?? '');
  const int = (k: string): number | undefined => (q.has(k) && Number.isFinite(Number(q.get(k))) ? Number(q.get(k)) : undefined);
  const params: LessonParams = {};
  for (const k of ['t', 'u', 'T'] as const) {
    const v = int(k);
    if (v !== undefined) params[k] = v;
  }
  return { n: Number(m[1] ?? 1), params };
}

function route(): void {
  const lesson = parseHash(location.hash);
  $('lesson-view').hidden = !lesson;
  $('explore-view').hidden = !!lesson;
  $('nav-lesson').toggleAttribute('aria-current', !!lesson);
  $('nav-explore').toggleAttribute('aria-current', !lesson);
  if (lesson) {
    pauseExplorer();
    showLesson(lesson.n, lesson.params);
  } else {
    pauseLesson();
  }
}

function setLang(next: Lang): void {
  lang = next;
  applyLang(document, lang);
  $('lang').setAttribute('lang', lang === 'en' ? 'zh-TW' : 'en');
  const url = new URL(location.href);
  if (lang === 'zh-TW') url.searchParams.set('lang', 'zh-TW');
  else url.searchParams.delete('lang');
  history.replaceState(null, '', url);
  setExplorerLang(lang);
  setLessonLang(lang);
}

/** Keep the address bar on what the lesson shows (without adding history entries). */
function lessonUrl(n: number, p: LessonParams): void {
  const q = Object.entries(p).map(([k, v]) => `${k}=${v}`).join('&');
  const hash = `#lesson/${n}${q ? `?${q}` : ''}`;
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

applyLang(document, lang);
initExplorer(lang, () => !$('explore-view').hidden);
initLesson(lang, () => !$('lesson-view').hidden, lessonUrl);
$('lang').addEventListener('click', () => setLang(lang === 'en' ? 'zh-TW' : 'en'));
window.addEventListener('hashchange', route);
setLang(lang);
route();
