/**
 * 繁體中文 is drawn with real glyphs, not missing-glyph boxes, in the explorer (switched to
 * Traditional Chinese) and in the inspect report (lang zh-TW), in Debian's chromium with the
 * fonts `.ci/run` installs (fonts-noto-cjk). Two independent checks on every element whose text
 * has Han characters (up to 12 per page):
 *   1. Chromium's own record of the fonts it drew the text with (DevTools
 *      CSS.getPlatformFontsForNode) gives every Han character to a font with Chinese glyphs;
 *   2. on a canvas, in the element's computed font, every Han character leaves ink, different
 *      characters differ, and none looks like a code point no font has (the missing-glyph box).
 * With no CJK font installed both fail (checked by hiding fonts-noto-cjk from fontconfig).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.mjs';
import { startServer } from '../../scripts/serve-web.mjs';
import { FONT_STACK, inspectReport, LSTM, Tensor } from '../../src/index.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const skip = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM} (apt install chromium): font test not run`;
/** Families that carry Traditional Chinese glyphs on common systems (all named in FONT_STACK, or system fallbacks). */
const CJK_FAMILY = /CJK|\bTC\b|JhengHei|PingFang|Heiti|Source Han|WenQuanYi|Droid Sans Fallback|AR PL/i;

let browser: Browser;
let server: Server;
let url: string;
let work: string;

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'lstm-fonts-'));
  const { outdir } = await buildWeb(join(work, 'site'));
  ({ server, url } = await startServer(outdir, 0, { isolate: false }));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Probe { text: string; font: string; platformFonts: Array<{ familyName: string; glyphCount: number }> }

/** Mark up to 12 elements whose own text has Han characters; return their text, computed font and platform fonts. */
async function probeHan(page: Page): Promise<Probe[]> {
  // Page-side code as strings: tsx would otherwise wrap its inner functions in a helper the page lacks.
  const found = (await page.evaluate(`(() => {
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? '').join('');
      // SVG <title> elements are tooltips, never drawn: no font to check.
      if (!/\\p{Script=Han}/u.test(own) || out.length >= 12 || el.closest('script, style, title')) continue;
      const cs = getComputedStyle(el);
      el.setAttribute('data-font-probe', String(out.length));
      out.push({ text: own.trim(), font: cs.fontWeight + ' 40px ' + cs.fontFamily });
    }
    return out;
  })()`)) as Array<{ text: string; font: string }>;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
  const probes: Probe[] = [];
  for (const [i, f] of found.entries()) {
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: `[data-font-probe="${i}"]` });
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    probes.push({ ...f, platformFonts: fonts.map((x) => ({ familyName: x.familyName, glyphCount: x.glyphCount })) });
  }
  await cdp.detach();
  return probes;
}

/** For each probe, canvas fingerprints of its Han characters and of two code points no font has. */
function inkCheck(page: Page, probes: Probe[]): Promise<Array<{ text: string; blank: string[]; boxLike: string[]; sameAsOther: string[] }>> {
  const list = JSON.stringify(probes.map(({ text, font }) => ({ text, font })));
  return page.evaluate(`((list) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 56;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    const draw = (ch, font) => {
      ctx.clearRect(0, 0, 56, 56);
      ctx.font = font;
      ctx.fillStyle = '#000';
      ctx.fillText(ch, 4, 44);
      const a = ctx.getImageData(0, 0, 56, 56).data;
      let s = '';
      for (let i = 3; i < a.length; i += 4) s += a[i] > 127 ? '1' : '0';
      return s;
    };
    return list.map(({ text, font }) => {
      // U+0378 and U+0379 are unassigned: whatever is drawn for them is the missing-glyph box.
      const boxes = new Set(['\\u0378', '\\u0379'].map((c) => draw(c, font)));
      const seen = new Map();
      const blank = [], boxLike = [], sameAsOther = [];
      for (const ch of new Set(text.match(/\\p{Script=Han}/gu) ?? [])) {
        const img = draw(ch, font);
        if (!img.includes('1')) blank.push(ch);
        else if (boxes.has(img)) boxLike.push(ch);
        else if (seen.has(img)) sameAsOther.push(ch + '=' + seen.get(img));
        seen.set(img, ch);
      }
      return { text, blank, boxLike, sameAsOther };
    });
  })(${list})`);
}

async function checkPage(page: Page, where: string): Promise<string> {
  const probes = await probeHan(page);
  assert.ok(probes.length >= 3, `${where}: elements with Chinese text found: ${probes.length}`);
  for (const p of probes) {
    const han = (p.text.match(/\p{Script=Han}/gu) ?? []).length;
    const cjk = p.platformFonts.filter((f) => CJK_FAMILY.test(f.familyName)).reduce((s, f) => s + f.glyphCount, 0);
    assert.ok(cjk >= han, `${where}: "${p.text}" drawn with ${JSON.stringify(p.platformFonts)}: ${cjk} glyphs from a CJK font for ${han} Han characters`);
  }
  for (const r of await inkCheck(page, probes)) {
    assert.deepEqual({ blank: r.blank, boxLike: r.boxLike, sameAsOther: r.sameAsOther }, { blank: [], boxLike: [], sameAsOther: [] }, `${where}: "${r.text}"`);
  }
  return [...new Set(probes.flatMap((p) => p.platformFonts.map((f) => f.familyName)))].join(', ');
}

describe('繁體中文 glyphs in chromium', { skip }, () => {
  test('the explorer in Traditional Chinese', async (t) => {
    const page = await browser.newPage();
    try {
      await page.goto(`${url}?backend=reference`);
      await page.waitForSelector('#lang');
      await page.click('#lang');
      await page.waitForFunction(() => document.documentElement.lang === 'zh-TW');
      await page.evaluate(() => document.fonts.ready);
      t.diagnostic(`fonts used: ${await checkPage(page, 'explorer')}`);
    } finally {
      await page.close();
    }
  });

  test('the inspect report in Traditional Chinese', async (t) => {
    const lstm = new LSTM({ inputSize: 1, hiddenSize: 4, seed: 0 });
    const x = Tensor.from(Float32Array.from({ length: 8 }, (_, i) => Math.sin(i)), [8, 1, 1]);
    const { html } = inspectReport(lstm, x, { lang: 'zh-TW' });
    assert.ok(html.includes(FONT_STACK), 'the report names the shared font stack');
    const page = await browser.newPage();
    try {
      await page.setContent(html);
      await page.evaluate(() => document.fonts.ready);
      t.diagnostic(`fonts used: ${await checkPage(page, 'report')}`);
    } finally {
      await page.close();
    }
  });
});
