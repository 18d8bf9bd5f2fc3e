/**
 * The guided lesson in a real browser (Debian's chromium, playwright-core), walked from step 1
 * to step 7 in English and in Traditional Chinese with the Next button and the → key, then
 * back. At every step:
 *   - the title, the step links and the Back / Next labels (上一步 / 下一步) are the lesson's;
 *   - the highlighted equation shows numbers equal to the traced values: this test traces the
 *     same model on the same sequence itself, computes each gate's terms (x·W, h·W, b) by hand
 *     from the weights, and compares every tagged number on the page (to its 2 decimals);
 *   - the diagram emphasises the step's part and fades the others;
 *   - at 1280 and 390 px wide nothing sticks out sideways and no two texts overlap
 *     (screenshots of each go to out/web/lesson/).
 * Step 7 trains in the worker and shows the loss on a log scale and the marker unit. Deep
 * links open any step with its time step and unit; the language can come from the URL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { trace, type DirectionTrace, type Module, type Tensor } from '../../src/index.js';
import { LESSON_INPUT, lessonModel, vanishing } from '../../web/src/lesson-setup.js';
import { LESSON_STEPS } from '../../web/src/lesson-text.js';
import { parseProbe } from '../../web/src/tasks.js';
import { layoutProblems } from './layout.js';
import { openPage, openSite, resize, type Site } from './browser.js';

const shots = join('out', 'web', 'lesson');
let site: Site;

before(async () => {
  site = await openSite();
  mkdirSync(shots, { recursive: true });
});
after(async () => site?.close());

// ------------------------------------------------------------------ the values the page must show, computed here

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** The traced value at (t, u) of a (T,1,W) tensor. */
const at = (x: Tensor, t: number, u: number): number => x.data[t * x.shape[2]! + u]!;

/** Gate k's terms for unit u at step t, by hand from the layer's weights (PyTorch layout, row k·H + u). */
function handTerms(layer: Module, d: DirectionTrace, xt: number[], t: number, u: number, k: number, fn: (v: number) => number): Record<string, number> {
  const sd = layer.stateDict();
  const wIh = sd.weight_ih_l0!, wHh = sd.weight_hh_l0!, H = d.units, I = wIh.shape[1]!, row = k * H + u;
  let xW = 0, hW = 0;
  for (let j = 0; j < I; j++) xW += wIh.data[row * I + j]! * xt[j]!;
  for (let j = 0; j < H; j++) hW += wHh.data[row * H + j]! * at(d.hiddenPrev, t, j);
  const b = sd.bias_ih_l0!.data[row]! + sd.bias_hh_l0!.data[row]!;
  return { xW, hW, b, pre: xW + hW + b, value: fn(xW + hW + b) };
}

/** Every number steps 2–6 may show, by its data-q name, at step t and unit u. */
function cellExpected(t: number, u: number): Record<string, number> {
  const model = lessonModel(), probe = parseProbe(LESSON_INPUT, 2);
  const tr = trace(model, probe.x);
  const d = tr.directions[0]!, layer = model.layer('lstm');
  const xt = [probe.x.data[t * 2]!, probe.x.data[t * 2 + 1]!];
  const f = at(d.gates.forget!, t, u), i = at(d.gates.input!, t, u), g = at(d.gates.candidate!, t, u);
  const c0 = at(d.cellPrev!, t, u), c = at(d.cell!, t, u);
  const out: Record<string, number> = {
    f, i, g, o: at(d.gates.output!, t, u), cPrev: c0, c, h: at(d.hidden, t, u), fc: f * c0, ig: i * g, tanhC: Math.tanh(c), pred: tr.output.data[0]!,
    x: xt[0]!, hPrev: at(d.hiddenPrev, t, u),
  };
  // PyTorch's gate order: i, f, g, o.
  for (const [q, k, fn] of [['i', 0, sigmoid], ['f', 1, sigmoid], ['g', 2, Math.tanh], ['o', 3, sigmoid]] as const) {
    const terms = handTerms(layer, d, xt, t, u, k, fn);
    for (const [name, v] of Object.entries(terms)) if (name !== 'value') out[`${q}.${name}`] = v;
    assert.ok(Math.abs(terms.value! - out[q]!) < 1e-5, `hand-computed ${q} = traced ${q}`);
  }
  return out;
}

/** Step 1's numbers: the RNN's equation at (t, u) and how much of the loss reaches step 1. */
function vanishingExpected(T: number, t: number, u: number): Record<string, number> {
  const v = vanishing(T);
  const rnn = handTerms(v.rnn.model, v.rnn.dir, [v.x.data[t]!], t, u, 0, Math.tanh);
  const reach = (d: DirectionTrace): number => d.gradNorm![0]! / d.gradNorm![T - 1]!;
  return {
    'rnn.xW': rnn.xW!, 'rnn.hW': rnn.hW!, 'rnn.b': rnn.b!, 'rnn.pre': rnn.pre!, 'rnn.h': at(v.rnn.dir.hidden, t, u), 'reach.rnn': reach(v.rnn.dir), 'reach.lstm': reach(v.lstm.dir),
    // The values table (the RNN's): x_t, h_{t−1}, h_t.
    x: v.x.data[t]!, hPrev: at(v.rnn.dir.hiddenPrev, t, u), h: at(v.rnn.dir.hidden, t, u),
  };
}

/** Every tagged number in the step's equations and readouts: [data-q, shown value]. */
async function shownNumbers(page: Page, scope: string): Promise<Array<[string, number]>> {
  const raw = await page.$$eval(`${scope} [data-q]`, (els) => els.map((e) => [(e as HTMLElement).dataset.q!, e.textContent!] as [string, string]));
  return raw.map(([q, s]) => [q, Number(s.replace('−', '-'))]);
}

/** Compare the page's numbers with ours: 2-decimal numbers within rounding, the reach figures (2 significant digits) within 6 %. */
function compare(shown: Array<[string, number]>, want: Record<string, number>, where: string): void {
  assert.ok(shown.length > 0, `${where}: no numbers shown`);
  for (const [q, v] of shown) {
    assert.ok(q in want, `${where}: unexpected number ${q}`);
    const w = want[q]!;
    const ok = q.startsWith('reach.') ? Math.abs(v - w) <= 0.06 * Math.abs(w) : Math.abs(v - w) <= 0.0051;
    assert.ok(ok, `${where}: ${q} shows ${v}, traced ${w}`);
  }
}

/** The data-q names each step's highlighted equations must include, and which equations are highlighted. */
const STEP_EQUATIONS: Record<number, { eqs: string[]; qs: string[] }> = {
  1: { eqs: ['rnn'], qs: ['rnn.xW', 'rnn.hW', 'rnn.b', 'rnn.pre', 'rnn.h'] },
  2: { eqs: ['cell'], qs: ['cPrev', 'c'] },
  3: { eqs: ['forget'], qs: ['f.xW', 'f.hW', 'f.b', 'f.pre', 'f', 'cPrev', 'fc'] },
  4: { eqs: ['input', 'candidate'], qs: ['i.xW', 'i.hW', 'i.b', 'i.pre', 'i', 'g.xW', 'g.hW', 'g.b', 'g.pre', 'g'] },
  5: { eqs: ['cell'], qs: ['f', 'cPrev', 'i', 'g', 'fc', 'ig', 'c'] },
  6: { eqs: ['output', 'hidden'], qs: ['o.xW', 'o.hW', 'o.b', 'o.pre', 'o', 'c', 'tanhC', 'h'] },
};
/** The layer box each step emphasises (all other boxes faded). */
const STEP_LAYERS: Record<number, string[]> = { 3: ['f'], 4: ['i', 'g'], 6: ['o'] };

async function checkNumbers(page: Page, n: number, where: string): Promise<void> {
  const spec = STEP_EQUATIONS[n]!;
  const current = await page.$$eval('#lesson-eq .eq.current', (els) => els.map((e) => (e as HTMLElement).dataset.eq!));
  assert.deepEqual(current, spec.eqs, `${where}: highlighted equations`);
  const holder = await page.$eval('#lesson-eq [data-t]', (e) => ({ t: Number((e as HTMLElement).dataset.t), u: Number((e as HTMLElement).dataset.u) }));
  const t = holder.t - 1, u = holder.u;
  const inEq = await shownNumbers(page, '#lesson-eq .eq.current');
  for (const q of spec.qs) assert.ok(inEq.some(([s]) => s === q), `${where}: the equation shows ${q}`);
  const want = n === 1 ? vanishingExpected(Number(await page.inputValue('#lesson-distance')), t, u) : cellExpected(t, u);
  compare(await shownNumbers(page, '#lesson-view .lesson-text'), want, `${where} (t=${t + 1}, unit ${u})`);
  if (STEP_LAYERS[n]) {
    const faded = await page.$$eval('#lesson-figure g.layer', (els) => els.map((e) => `${(e as SVGElement).dataset.k}:${e.hasAttribute('opacity') ? 'faded' : 'on'}`));
    assert.deepEqual(faded, ['f', 'i', 'g', 'o'].map((k) => `${k}:${STEP_LAYERS[n]!.includes(k) ? 'on' : 'faded'}`), `${where}: diagram highlight`);
  }
}

async function checkLayout(page: Page, name: string): Promise<void> {
  for (const width of [1280, 390]) {
    await resize(page, width);
    assert.deepEqual(await layoutProblems(page), [], `${name} at ${width} px`);
    await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: true });
  }
  await resize(page, 1280);
}

describe('lesson', () => {
  for (const lang of ['en', 'zh-TW'] as const) {
    test(`walks all seven steps in ${lang}: titles, numbers equal to the trace, highlight, layout at 1280 and 390 px`, async () => {
      const { page, errors, requests } = await openPage(site.browser, 1280, 900);
      await page.goto(`${site.url}${lang === 'zh-TW' ? '?lang=zh-TW' : ''}#lesson/1`);
      await page.waitForSelector('#lesson-eq .eq.current');
      const words = lang === 'zh-TW' ? { back: '← 上一步', next: '下一步 →', lesson: '課程' } : { back: '← Back', next: 'Next →', lesson: 'Lesson' };
      assert.equal(await page.textContent('#nav-lesson'), words.lesson);
      for (let n = 1; n <= 7; n++) {
        const where = `${lang} step ${n}`;
        assert.equal(await page.textContent('#lesson-title'), `${n}. ${LESSON_STEPS[lang][n - 1]!.title}`, where);
        assert.equal(await page.textContent('#lesson-steps [aria-current="step"] .n'), String(n), where);
        assert.equal(await page.textContent('#lesson-back'), words.back);
        assert.equal(await page.textContent('#lesson-next'), words.next);
        if (n < 7) await checkNumbers(page, n, where);
        else {
          // The demo: train from random weights; the loss falls on a log-scale chart, the marker unit is named.
          await page.click('#lesson-train');
          await page.waitForFunction(() => Number(document.getElementById('lesson-batches')?.textContent) >= 150);
          const { initial, current } = await page.$eval('#lesson-loss', (e) => (e as HTMLElement).dataset);
          assert.ok(Number(current) < Number(initial), `${where}: loss ${initial} → ${current}`);
          assert.ok(await page.$('#lesson-figure svg [data-part], #lesson-figure .demo-grid svg'), `${where}: charts drawn`);
          assert.match((await page.textContent('#lesson-extra .readout'))!, lang === 'zh-TW' ? /^單元 \d+：輸入門/ : /^Unit \d+: input gate/);
          await page.click('#lesson-train'); // stop
        }
        await checkLayout(page, `${lang}-${n}`);
        if (n < 7) {
          // Alternate the Next button and the → key; the address bar follows.
          if (n % 2) await page.click('#lesson-next');
          else {
            await page.locator('body').click({ position: { x: 2, y: 2 } });
            await page.keyboard.press('ArrowRight');
          }
          await page.waitForFunction((k) => document.getElementById('lesson-title')!.textContent!.startsWith(`${k}.`), n + 1);
          assert.match(page.url(), new RegExp(`#lesson/${n + 1}(\\?|$)`));
        }
      }
      await page.click('#lesson-back');
      await page.waitForFunction(() => document.getElementById('lesson-title')!.textContent!.startsWith('6.'));
      await page.keyboard.press('ArrowLeft');
      await page.waitForFunction(() => document.getElementById('lesson-title')!.textContent!.startsWith('5.'));
      assert.deepEqual(errors, []);
      assert.deepEqual(requests.filter((r) => !r.startsWith(site.url) && !r.startsWith('data:')), [], 'no request leaves the local server');
      await page.close();
    });
  }

  test('deep links open a step with its time step, unit and distance; the explorer is one link away', async () => {
    const { page, errors } = await openPage(site.browser, 1280, 900);
    await page.goto(`${site.url}#lesson/5?t=7&u=3`);
    await page.waitForSelector('#lesson-eq .eq.current');
    assert.equal(await page.textContent('#lesson-step-value'), '7 / 30');
    assert.equal(await page.inputValue('#lesson-unit'), '3');
    await checkNumbers(page, 5, 'deep link 5, t=7, unit 3');
    // Moving the time step keeps the link in the address bar.
    await page.locator('#lesson-step').fill('9');
    assert.match(page.url(), /#lesson\/5\?t=9&u=3$/);
    await checkNumbers(page, 5, 'step 5 after the slider');
    await page.goto(`${site.url}?lang=zh-TW#lesson/1?T=20&t=12&u=2`);
    await page.waitForSelector('#lesson-eq .eq.current');
    assert.equal(await page.inputValue('#lesson-distance'), '20');
    assert.equal(await page.textContent('#lesson-next'), '下一步 →');
    await checkNumbers(page, 1, 'deep link 1, T=20');
    // Step 1's slider changes the distance and both gradient curves.
    const before = await page.innerHTML('#lesson-figure');
    await page.locator('#lesson-distance').fill('80');
    assert.notEqual(await page.innerHTML('#lesson-figure'), before);
    await checkNumbers(page, 1, 'step 1 at T=80');
    await page.click('#nav-explore');
    await page.waitForSelector('#explore-view:not([hidden]) #cell svg');
    assert.equal(await page.isHidden('#lesson-view'), true);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
