/**
 * The explorer page and the inspect report in a real browser (Debian's chromium driven by
 * playwright-core): the page is built with esbuild and served on 127.0.0.1 (a random free
 * port); it must load without console errors, lower the loss when it trains for a few
 * seconds, change the values drawn on the gates when the slider moves, switch its labels to
 * the deck's Traditional Chinese, and load a model file saved by the CLI. A report written by
 * `lstm inspect` must open with every plot present and no request leaving the file system.
 * Screenshots go to out/web/ (not committed).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { Command } from 'commander';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.mjs';
import { startServer } from '../../scripts/serve-web.mjs';
import { register } from '../../src/cli/commands/inspect.js';
import { makeTrainedModel } from '../trace/fixtures.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const shots = join('out', 'web');

let browser: Browser;
let server: Server;
let url: string;
let work: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'lstm-web-'));
  const { outdir } = await buildWeb(join(work, 'site'), { minify: false });
  ({ server, url } = await startServer(outdir, 0));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** A page that records console errors, uncaught exceptions and every requested URL. */
async function openPage(): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const errors: string[] = [], requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  return { page, errors, requests };
}

const gateValues = (page: Page): Promise<string[]> => page.$$eval('#cell [data-v]', (els) => els.map((e) => `${(e as HTMLElement).dataset.v}=${e.textContent}`));

describe('explorer page', () => {
  test('loads cleanly, steps, switches language, trains, loads a model file', async () => {
    const { page, errors, requests } = await openPage();
    await page.goto(`${url}?backend=reference`); // the TypeScript kernels: the path that must always work
    await page.waitForSelector('#cell [data-v="f"]');
    assert.equal(await page.textContent('#title'), 'LSTM explorer');
    assert.equal(await page.textContent('#cell [data-label="forget"]'), 'forget gate');

    // Moving the slider (and the arrow keys) changes the values drawn on the gates.
    assert.ok(await page.$('#forget-bars svg [data-unit="11"]'), 'what the forget gate keeps, per unit');
    const atStart = await gateValues(page);
    assert.ok(atStart.some((v) => v.startsWith('f=')) && atStart.length >= 9, atStart.join(' '));
    await page.locator('#step').fill('12');
    assert.equal(await page.textContent('#step-label'), '12 / 24');
    const atTwelve = await gateValues(page);
    assert.notDeepEqual(atTwelve, atStart);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.textContent('#step-label'), '13 / 24');
    assert.notDeepEqual(await gateValues(page), atTwelve);

    // Training in the worker lowers the loss and changes the gates, without blocking the page.
    const before = await page.innerHTML('#heatmaps');
    await page.click('#train');
    await page.waitForFunction(() => Number(document.getElementById('loss-steps')!.textContent) >= 40, null, { timeout: 20000 });
    await page.waitForTimeout(1500);
    const t0 = Date.now();
    await page.evaluate(() => 1); // the main thread answers while training runs
    assert.ok(Date.now() - t0 < 1000, 'page responsive during training');
    const { initial, current } = await page.$eval('#loss-value', (e) => (e as HTMLElement).dataset);
    assert.ok(Number(current) < 0.5 * Number(initial), `loss ${initial} → ${current}`);
    assert.notEqual(await page.innerHTML('#heatmaps'), before, 'the heatmaps follow the training');
    assert.ok(await page.$('#loss-chart svg'));
    assert.equal(await page.textContent('#backend'), 'reference');

    // The language toggle switches every label to the deck's wording.
    await page.click('#lang');
    assert.equal(await page.textContent('#title'), 'LSTM 探索器');
    assert.equal(await page.textContent('#cell [data-label="forget"]'), '遺忘門');
    const labels = await page.$$eval('#cell .label', (els) => els.map((e) => e.textContent));
    for (const term of ['輸入門', '遺忘門', '輸出門', '候選記憶細胞', '記憶細胞', '隱藏狀態']) assert.ok(labels.some((l) => l?.includes(term)), term);
    assert.equal(await page.textContent('#train'), '停止');
    await page.click('#train'); // stop
    await page.waitForTimeout(900); // let the flow animation finish before the screenshot
    await page.screenshot({ path: join(shots, 'explorer-zh-TW.png'), fullPage: true });

    // A model file saved by the CLI loads from bytes in the browser: dropped, or chosen.
    const { path } = await makeTrainedModel(work);
    const bytes = [...readFileSync(path)];
    const dataTransfer = await page.evaluateHandle((b) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(b)], 'dropped.safetensors'));
      return dt;
    }, bytes);
    await page.dispatchEvent('#drop', 'drop', { dataTransfer });
    await page.waitForFunction(() => document.getElementById('file-status')!.textContent!.includes('dropped.safetensors'));
    assert.match((await page.textContent('#file-status'))!, /已載入: dropped\.safetensors/);
    await page.setInputFiles('#file', path);
    await page.waitForFunction(() => document.getElementById('file-status')!.textContent!.includes('model.safetensors'));
    assert.equal(await page.textContent('#probe-error'), '');
    assert.equal(await page.textContent('#cell [data-label="forget"]'), '遺忘門'); // its LSTM is drawn

    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((r) => !r.startsWith(url) && !r.startsWith('data:')), [], 'no request leaves the local server');
    await page.close();
  });
});

describe('explorer page, default kernels', () => {
  test('trains with the WebAssembly kernels when they load (else the reference ones)', async (t) => {
    const { page, errors } = await openPage();
    await page.goto(url);
    await page.selectOption('#task', 'names');
    await page.click('#train');
    await page.waitForFunction(() => Number(document.getElementById('loss-steps')!.textContent) >= 10, null, { timeout: 20000 });
    const [n0, t0] = [Number(await page.textContent('#loss-steps')), Date.now()];
    await page.waitForFunction(() => Number(document.getElementById('loss-steps')!.textContent) >= 60, null, { timeout: 20000 });
    const rate = (Number(await page.textContent('#loss-steps')) - n0) / ((Date.now() - t0) / 1000);
    const { initial, current } = await page.$eval('#loss-value', (e) => (e as HTMLElement).dataset);
    assert.ok(Number(current) < Number(initial) - 0.3, `names loss ${initial} → ${current}`);
    const kernels = await page.textContent('#backend');
    assert.match(kernels!, /^(wasm-1t|reference)/);
    t.diagnostic(`kernels: ${kernels}, ${rate.toFixed(0)} batches/s (names, B=16, T=16, H=24), loss ${Number(initial).toFixed(2)} → ${Number(current).toFixed(2)}`);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('inspect report in the browser', () => {
  test('opens with every plot present', async () => {
    const { path, inputPath } = await makeTrainedModel(mkdtempSync(join(work, 'model-')));
    const out = join(work, 'report');
    const program = new Command('lstm').exitOverride();
    register(program);
    await program.parseAsync(['inspect', path, inputPath, '--out', out], { from: 'user' });
    const svgFiles = readdirSync(out).filter((f) => f.endsWith('.svg'));
    const { page, errors, requests } = await openPage();
    await page.goto(`file://${join(out, 'report.html')}`);
    const sections = await page.$$eval('section', (els) => els.map((s) => {
      const svg = s.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      return { id: s.id, w: box?.width ?? 0, h: box?.height ?? 0, shapes: svg?.querySelectorAll('rect, path, polyline, line').length ?? 0 };
    }));
    assert.deepEqual(sections.map((s) => `${s.id}.svg`).sort(), svgFiles.sort());
    for (const s of sections) assert.ok(s.w > 200 && s.h > 100 && s.shapes > 10, JSON.stringify(s));
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((r) => !r.startsWith('file://')), []);
    await page.screenshot({ path: join(shots, 'inspect-report.png'), fullPage: true });
    await page.close();
  });
});
