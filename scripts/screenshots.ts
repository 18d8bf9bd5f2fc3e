#!/usr/bin/env node
// `npm run screenshots`: pictures of every step of the explorer's lesson, in English and
// 繁體中文, on a wide screen (1280 px) and a phone (390 px), into docs/lesson/ (linked from the
// README), plus the free-exploration page. Builds the page, serves it on 127.0.0.1 and drives
// Debian's chromium (playwright-core), as the browser tests do. Step 7 is shot after the demo
// has trained for up to 60 s (until 800 batches), so its gates show what they learned.
// Usage: node --import tsx scripts/screenshots.ts [outdir]   (default docs/lesson)
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { buildWeb } from './build-web.mjs';
import { startServer } from './serve-web.mjs';

const out = resolve(process.argv[2] ?? join('docs', 'lesson'));
mkdirSync(out, { recursive: true });
const { outdir } = await buildWeb(join(mkdtempSync(join(tmpdir(), 'lstm-shots-')), 'site'));
const { server, url } = await startServer(outdir, 0);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });

/** Wait until the diagram's flow animation has finished. */
const settle = (page: Page): Promise<unknown> =>
  page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));

const shots: string[] = [];
for (const lang of ['en', 'zh-TW'] as const) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  for (let n = 1; n <= 7; n++) {
    await page.goto(`${url}${lang === 'zh-TW' ? '?lang=zh-TW' : ''}#lesson/${n}`);
    await page.waitForSelector('#lesson-title');
    if (n === 7) {
      await page.click('#lesson-train');
      await page.waitForFunction(() => Number(document.getElementById('lesson-batches')?.textContent) >= 800, null, { timeout: 60000 }).catch(() => undefined);
      await page.click('#lesson-train');
    }
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForFunction((w) => window.innerWidth === w, width);
      await settle(page);
      const file = join(out, `${lang}-${n}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      shots.push(file);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }
  await page.goto(`${url}${lang === 'zh-TW' ? '?lang=zh-TW' : ''}#explore`);
  await page.waitForSelector('#cell [data-v="h"]');
  await settle(page);
  const file = join(out, `${lang}-explore-1280.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
  await page.close();
}
await browser.close();
server.close();
console.log(`wrote ${shots.length} screenshots to ${out}`);
