/**
 * Layout checks for the browser tests, run inside the page: nothing visible may stick out of
 * the viewport horizontally (nor make the page scroll sideways), and no two pieces of text may
 * overlap. Text boxes are measured as the browser laid them out: each line of HTML text (a
 * Range over its text node), and each SVG <text> element. Faded diagram parts count too.
 * Returns one line per problem, naming the elements (empty when the layout is clean).
 */
import type { Page } from 'playwright-core';

export async function layoutProblems(page: Page): Promise<string[]> {
  // tsx compiles named helpers with esbuild's keepNames, which calls __name(): give the page one.
  await page.evaluate('globalThis.__name ??= (f) => f');
  return page.evaluate(() => {
    const problems: string[] = [];
    const W = document.documentElement.clientWidth;
    const name = (el: Element): string => {
      const id = el.id ? `#${el.id}` : '';
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.split(' ')[0]}` : '';
      const text = (el.textContent ?? '').trim().slice(0, 30);
      return `${el.tagName.toLowerCase()}${id}${cls}${text ? ` "${text}"` : ''}`;
    };
    const visible = (el: Element): boolean => {
      for (let e: Element | null = el; e; e = e.parentElement) {
        const s = getComputedStyle(e);
        if (s.display === 'none' || s.visibility === 'hidden') return false;
      }
      return true;
    };
    const hiddenForScreen = (el: Element): boolean => !!el.closest('.visually-hidden, details:not([open]) > :not(summary)');
    if (document.documentElement.scrollWidth > W + 1) problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px in ${W}`);

    // Nothing outside the viewport horizontally.
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue; // an SVG's inside is checked with its text
      if (hiddenForScreen(el) || !visible(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (r.left < -1 || r.right > W + 1) problems.push(`outside the viewport (${Math.round(r.left)}..${Math.round(r.right)} of ${W}): ${name(el)}`);
    }

    // Text boxes: HTML lines and SVG texts.
    const boxes: Array<{ r: DOMRect; el: Element; what: string }> = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement!;
      if (!n.textContent?.trim() || el.closest('svg, script, style, option, select') || hiddenForScreen(el) || !visible(el)) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const r of Array.from(range.getClientRects())) if (r.width > 0.5 && r.height > 0.5) boxes.push({ r, el, what: n.textContent.trim().slice(0, 30) });
    }
    for (const t of Array.from(document.querySelectorAll('svg text'))) {
      if (hiddenForScreen(t) || !visible(t) || !t.textContent?.trim()) continue;
      const r = t.getBoundingClientRect();
      if (r.width > 0.5 && r.height > 0.5) {
        boxes.push({ r, el: t, what: t.textContent.trim().slice(0, 30) });
        // An SVG text must stay inside its own picture (a label clipped at the edge is lost).
        const s = t.closest('svg')!.getBoundingClientRect();
        if (r.left < s.left - 1 || r.right > s.right + 1) problems.push(`text outside its SVG: "${t.textContent.trim().slice(0, 30)}"`);
      }
    }
    // Text boxes shrink to their ink roughly: allow 2 px of touching (line boxes include leading).
    const overlap = (a: DOMRect, b: DOMRect): number => Math.min(Math.min(a.right, b.right) - Math.max(a.left, b.left), Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!, b = boxes[j]!;
        if (a.el === b.el || a.el.contains(b.el) || b.el.contains(a.el)) continue;
        if (overlap(a.r, b.r) > 2) problems.push(`text overlaps: "${a.what}" and "${b.what}"`);
      }
    }
    return problems;
  });
}
