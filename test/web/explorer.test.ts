/**
 * The free-exploration page and the inspect report in a real browser (Debian's chromium
 * driven by playwright-core; the page is built with esbuild and served on 127.0.0.1). The
 * page must load without console errors, lower the loss when it trains for a few seconds and
 * plot it on a log scale, change the values drawn on the gates when the slider moves, switch
 * its labels (and its file button) to the deck's Traditional Chinese, keep "What the gates do"
 * next to the diagram, say what it does with a unit that does not exist and with an input too
 * long to trace, draw GRU and RNN cells, load model files saved by the CLI and probe each with
 * an input of its own kind, and lay out from 360 px to wide without anything sticking out or
 * overlapping. During Play, h_t is drawn and settled for at least half of each step. Tab reaches
 * every visible control of the explorer and the lesson, each with a visible focus ring. A report
 * written by `lstm inspect` opens with every plot, every label inside its picture, and no
 * request leaving the file system. Screenshots go to out/web/ (not committed).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import type { Page } from 'playwright-core';
import { SeriesForecaster, ModeForecaster, buildForecastModel, fitScaler, planForecast, saveModel } from '../../src/index.js';
import { register } from '../../src/cli/commands/inspect.js';
import { buildTask } from '../../web/src/tasks.js';
import { makeTrainedModel } from '../trace/fixtures.js';
import { layoutProblems } from './layout.js';
import { animationsFinished, openPage, openSite, resize, type Site } from './browser.js';

const shots = join('out', 'web');
let site: Site;

before(async () => {
  site = await openSite();
  mkdirSync(shots, { recursive: true });
});
after(async () => site?.close());

const gateValues = (page: Page): Promise<string[]> => page.$$eval('#cell [data-v]', (els) => els.map((e) => `${(e as HTMLElement).dataset.v}=${e.textContent}`));

/** A forecasting model of a column named "Passengers" (untrained is enough) and its CSV. */
function forecastModel(dir: string): { path: string; csv: string; lookback: number } {
  const values = Array.from({ length: 60 }, (_, t) => 100 + 20 * Math.sin(t / 2));
  const plan = { ...planForecast(values), lookback: 12, horizon: 2, mode: 'level' as const, transform: 'none' as const };
  const f = new SeriesForecaster(plan, [new ModeForecaster(plan, 'level', [buildForecastModel(plan, 1)], fitScaler(plan, 'level', values))]);
  const path = join(dir, 'forecast.safetensors'), csv = join(dir, 'passengers.csv');
  saveModel(f.models[0]!, path, { forecast: { ...f.toJSON(), column: 'Passengers' } });
  writeFileSync(csv, 'Passengers\n' + values.join('\n') + '\n');
  return { path, csv, lookback: plan.lookback };
}

/** Drop a file on the page's drop zone. */
async function dropFile(page: Page, path: string, name: string): Promise<void> {
  const dataTransfer = await page.evaluateHandle(({ b, n }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(b)], n));
    return dt;
  }, { b: [...readFileSync(path)], n: name });
  await page.dispatchEvent('#drop', 'drop', { dataTransfer });
  await page.waitForFunction((n) => document.getElementById('file-status')!.textContent!.includes(n), name);
}

describe('explorer page', () => {
  test('loads cleanly, steps, switches language, trains (log-scale loss), loads a model file', async () => {
    const { page, errors, requests } = await openPage(site.browser);
    await page.goto(`${site.url}?backend=reference`); // the TypeScript kernels: the path that must always work
    await page.waitForSelector('#cell [data-v="f"]');
    assert.equal(await page.textContent('#title'), 'LSTM explorer');
    assert.equal(await page.textContent('#cell [data-label="forget"]'), 'forget gate');
    assert.equal(await page.textContent('#nav-lesson'), 'Lesson');

    // The diagram explains itself: a tooltip on each part, a colour key, the values as a table.
    assert.match((await page.textContent('#cell g.layer[data-k="f"] > title'))!, /^forget gate: The forget gate reads/);
    assert.ok(await page.$('#cell .key'), 'colour key');
    assert.equal(await page.textContent('#values [data-q="f"]'), await page.textContent('#cell [data-v="f"]'));
    // "What the gates do" sits right under the diagram, not pages below it.
    const gap = await page.evaluate(() => document.getElementById('deck')!.getBoundingClientRect().top - document.getElementById('cell')!.getBoundingClientRect().bottom);
    assert.ok(gap < 250, `"What the gates do" is ${gap} px below the diagram`);
    // The forget-gate chart plots f_t itself (0..1) above the memory it scales.
    assert.match((await page.textContent('#forget-bars svg'))!, /fₜ \(1 keep, 0 drop\)/);
    // The sine model predicts the next value, shown beside the true continuation.
    assert.match((await page.textContent('#prediction'))!, /next value: −?\d\.\d\d \(the sine continues with −0\.17\)/);

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
    await page.waitForFunction(() => Number(document.getElementById('loss-steps')!.textContent) >= 40);
    const t0 = Date.now();
    await page.evaluate(() => 1); // the main thread answers while training runs
    assert.ok(Date.now() - t0 < 3000, 'page responsive during training'); // blocked, it would not answer until training stopped
    // The loss halves and the heatmaps are redrawn with the new weights (both within the page's time limit).
    await page.waitForFunction(() => {
      const { initial, current } = document.getElementById('loss-value')!.dataset;
      return Number(current) < 0.5 * Number(initial);
    });
    await page.waitForFunction((b) => document.getElementById('heatmaps')!.innerHTML !== b, before);
    // The loss is plotted on a log scale: every y tick is a power of ten.
    const ticks = await page.$$eval('#loss-chart text[dominant-baseline="middle"]', (els) => els.map((e) => e.textContent!));
    assert.ok(ticks.length >= 2 && ticks.every((s) => /^(10[⁻⁰-⁹]+|0\.0*1|1|10+)$/.test(s)), `log ticks: ${ticks.join(' ')}`);
    assert.equal(await page.textContent('#backend'), 'reference');

    // The language toggle switches every label to the deck's wording, the file button too.
    await page.click('#lang');
    assert.equal(await page.textContent('#title'), 'LSTM 探索器');
    assert.equal(await page.textContent('#cell [data-label="forget"]'), '遺忘門');
    const labels = await page.$$eval('#cell .label', (els) => els.map((e) => e.textContent));
    for (const term of ['輸入門', '遺忘門', '輸出門', '候選記憶細胞', '記憶細胞', '隱藏狀態']) assert.ok(labels.some((l) => l?.includes(term)), term);
    assert.equal(await page.textContent('#train'), '停止');
    assert.equal(await page.textContent('#file-button'), '選擇模型檔案…');
    assert.equal(await page.textContent('#file-name'), '尚未選擇檔案');
    assert.equal(await page.textContent('#nav-lesson'), '課程');
    await page.click('#train'); // stop
    await animationsFinished(page); // the flow through the cell drawn before the screenshot
    await page.screenshot({ path: join(shots, 'explorer-zh-TW.png'), fullPage: true });

    // A model file saved by the CLI loads from bytes in the browser: dropped, or chosen.
    const { path } = await makeTrainedModel(site.work);
    await dropFile(page, path, 'dropped.safetensors');
    assert.match((await page.textContent('#file-status'))!, /已載入: dropped\.safetensors/);
    // The task menu names the loaded model instead of staying on the previous task.
    assert.equal(await page.inputValue('#task'), 'file');
    assert.match((await page.textContent('#task option[value="file"]'))!, /你的模型: dropped\.safetensors/);
    await page.setInputFiles('#file', path);
    await page.waitForFunction(() => document.getElementById('file-status')!.textContent!.includes('model.safetensors'));
    assert.equal(await page.textContent('#probe-error'), '');
    assert.equal(await page.textContent('#cell [data-label="forget"]'), '遺忘門'); // its LSTM is drawn

    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((r) => !r.startsWith(site.url) && !r.startsWith('data:')), [], 'no request leaves the local server');
    await page.close();
  });

  test('Play: h_t is drawn and settled for at least half of each step', async (t) => {
    const { page, errors } = await openPage(site.browser);
    await page.goto(site.url);
    await page.waitForSelector('#cell [data-v="h"]');
    await page.click('#play');
    // Sample every frame until Play has moved five times (at most 90 s): the step shown, and
    // whether everything that draws h_t (its pill and its arrows) is fully visible with no
    // animation still running.
    await page.evaluate('globalThis.__name ??= (f) => f');
    const samples = await page.evaluate(async (ms) => {
      const out: Array<[number, string, boolean]> = [];
      const start = performance.now();
      let changes = 0;
      await new Promise<void>((done) => {
        const tick = (): void => {
          const els = Array.from(document.querySelectorAll('#cell .value[data-k="h"], #cell .flow[data-k="h"]'));
          const settled = els.length > 0 && els.every((el) => el.getAnimations().every((a) => a.playState === 'finished') && getComputedStyle(el).opacity === '1');
          const label = document.getElementById('step-label')!.textContent!;
          if (out.length > 0 && out[out.length - 1]![1] !== label) changes++;
          out.push([performance.now(), label, settled]);
          if (changes < 5 && performance.now() - start < ms) requestAnimationFrame(tick);
          else done();
        };
        requestAnimationFrame(tick);
      });
      return out;
    }, 90000);
    await page.click('#play');
    assert.equal(await page.textContent('#play'), 'Play');
    // Per step (the first and last, cut by the sampling window, left out): settled time / step time.
    const steps: Array<{ label: string; total: number; settled: number }> = [];
    for (let k = 1; k < samples.length; k++) {
      const [t, label, settled] = samples[k - 1]!, dt = samples[k]![0] - t;
      if (steps.length === 0 || steps[steps.length - 1]!.label !== label) steps.push({ label, total: 0, settled: 0 });
      const s = steps[steps.length - 1]!;
      s.total += dt;
      if (settled) s.settled += dt;
    }
    const whole = steps.slice(1, -1);
    t.diagnostic(whole.map((s) => `step ${s.label}: h_t settled ${s.settled.toFixed(0)} of ${s.total.toFixed(0)} ms`).join('; '));
    assert.ok(whole.length >= 3, `Play advanced through ${steps.length} steps in 90 s`);
    for (const s of whole) assert.ok(s.settled >= 0.5 * s.total, `step ${s.label}: h_t settled ${s.settled.toFixed(0)} of ${s.total.toFixed(0)} ms`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('unit and input limits are said, GRU and RNN cells are drawn, layout holds from 360 px in both languages', async () => {
    const { page, errors } = await openPage(site.browser, 1280, 900);
    await page.goto(site.url);
    await page.waitForSelector('#cell [data-v="h"]');
    // A unit that does not exist: the page says which it shows instead (the layer has 12).
    await page.locator('#unit').fill('99');
    assert.match((await page.textContent('#unit-note'))!, /Unit 99 does not exist: this layer has units 0 to 11; showing unit 11/);
    assert.match((await page.textContent('#values caption'))!, /unit 11$/);
    await page.locator('#unit').fill('-3');
    assert.match((await page.textContent('#unit-note'))!, /showing unit 0/);
    // An input longer than the page traces: it says how much it shows.
    await page.fill('#probe', Array.from({ length: 2000 }, (_, t) => Math.sin(t / 5).toFixed(2)).join(' '));
    await page.click('#apply');
    assert.match((await page.textContent('#probe-note'))!, /Showing the first 200 of 2000 steps/);
    assert.equal(await page.textContent('#step-label'), '5 / 200');
    // GRU and plain RNN: their own diagrams, values and headings.
    await page.selectOption('#cell-type', 'gru');
    await page.waitForSelector('#cell [data-label="reset"]');
    assert.equal(await page.textContent('#cell-heading'), 'The GRU cell');
    assert.equal(await page.textContent('#values [data-q="z"]'), await page.textContent('#cell [data-v="z"]'));
    await page.selectOption('#cell-type', 'rnn');
    await page.waitForSelector('#cell [data-label="tanhLayer"]');
    assert.equal(await page.textContent('#cell-heading'), 'The plain RNN cell');
    assert.equal(await page.textContent('#values [data-q="h"]'), await page.textContent('#cell [data-v="h"]'));
    await page.selectOption('#cell-type', 'lstm');
    // Layout from a 360 px phone to a wide screen, in both languages.
    const views: Array<[string, number]> = [['en', 420], ['en', 360], ['en', 1280], ['zh-TW', 1280], ['zh-TW', 360]];
    for (const [lang, width] of views) {
      if (lang === 'zh-TW' && (await page.getAttribute('html', 'lang')) !== 'zh-TW') await page.click('#lang');
      await resize(page, width);
      assert.deepEqual(await layoutProblems(page), [], `${lang} at ${width} px`);
      // The language button stays on one line (it wrapped one character per line at 420 px).
      const lines = await page.$eval('#lang', (b) => { const r = document.createRange(); r.selectNodeContents(b); return r.getClientRects().length; });
      assert.equal(lines, 1, `${lang} at ${width} px: language button on one line`);
      if (width < 1280) await page.screenshot({ path: join(shots, `explorer-${lang}-${width}.png`), fullPage: true });
    }
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a dropped model is probed with input of its own kind: a language model with its own text, a forecaster with a window of its lookback', async () => {
    const { page, errors } = await openPage(site.browser);
    await page.goto(site.url);
    await page.waitForSelector('#cell [data-v="h"]');
    const dir = mkdtempSync(join(site.work, 'models-'));
    const names = buildTask('names', 1);
    const lmPath = join(dir, 'names-lm.safetensors');
    saveModel(names.model, lmPath, { vocab: names.vocab!.toJSON(), languageModel: { level: 'char' } });
    await dropFile(page, lmPath, 'names-lm.safetensors');
    const text = await page.inputValue('#probe');
    assert.ok(text.length >= 20 && text !== 'hello world', `probe text "${text}"`);
    assert.ok(Array.from(text.toLowerCase()).every((ch) => names.vocab!.tokens.includes(ch)), `only characters the model knows: "${text}"`);
    assert.match((await page.textContent('#file-status'))!, /a language model: probed with text it wrote itself/);
    assert.match((await page.textContent('#prediction'))!, /next letter after “.”: “.+” \d+ %/);
    const { path, lookback } = forecastModel(dir);
    await dropFile(page, path, 'forecast.safetensors');
    assert.equal((await page.inputValue('#probe')).split(' ').length, lookback);
    assert.match((await page.textContent('#file-status'))!, /a forecasting model of “Passengers”, lookback 12/);
    assert.match((await page.textContent('#prediction'))!, /next 2 value\(s\)/);
    assert.equal(await page.inputValue('#task'), 'file');
    assert.deepEqual(errors, []);
    await page.close();
  });
});

/**
 * Tab through the page from the top: which visible controls take the focus, and whether each
 * shows the focus ring (an outline at least 2 px wide) while it has it.
 */
async function tabThrough(page: Page): Promise<{ controls: string[]; reached: string[]; noRing: string[] }> {
  await page.evaluate('globalThis.__name ??= (f) => f');
  const controls = await page.evaluate(() => {
    const shown = (el: Element): boolean => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden' && !el.closest('.visually-hidden, [hidden]');
    const els = Array.from(document.querySelectorAll('a[href], button, input, select, textarea, summary'))
      .filter((el) => shown(el) && !(el as HTMLButtonElement).disabled);
    return els.map((el, k) => {
      (el as HTMLElement).dataset.kb = String(k);
      return el.id || `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 20)}"`;
    });
  });
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const reached = new Set<string>(), noRing = new Set<string>();
  for (let k = 0; k < controls.length + 3; k++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el?.dataset.kb) return null;
      const s = getComputedStyle(el);
      return { k: Number(el.dataset.kb), ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 };
    });
    if (!at) continue;
    reached.add(controls[at.k]!);
    if (!at.ring) noRing.add(controls[at.k]!);
  }
  return { controls, reached: [...reached], noRing: [...noRing] };
}

describe('keyboard', () => {
  test('every visible control of the explorer and of a lesson step is reached with Tab and shows a focus ring', async () => {
    const { page, errors } = await openPage(site.browser, 1280, 900);
    for (const [where, url, ready] of [['explorer', `${site.url}#explore`, '#cell [data-v="h"]'], ['lesson step 1', `${site.url}#lesson/1`, '#lesson-eq .eq.current'], ['lesson step 7', `${site.url}#lesson/7`, '#lesson-train']] as const) {
      await page.goto(url);
      await page.waitForSelector(ready);
      const { controls, reached, noRing } = await tabThrough(page);
      assert.ok(controls.length >= 5, `${where}: ${controls.join(', ')}`);
      assert.deepEqual(controls.filter((c) => !reached.includes(c)), [], `${where}: controls Tab never reaches`);
      assert.deepEqual(noRing, [], `${where}: controls focused without a visible ring`);
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('explorer page, default kernels', () => {
  test('trains with the WebAssembly kernels when they load (else the reference ones)', async (t) => {
    const { page, errors } = await openPage(site.browser);
    await page.goto(site.url);
    await page.selectOption('#task', 'names');
    await page.click('#train');
    await page.waitForFunction(() => Number(document.getElementById('loss-steps')!.textContent) >= 10);
    const [n0, t0] = [Number(await page.textContent('#loss-steps')), Date.now()];
    await page.waitForFunction(() => Number(document.getElementById('loss-steps')!.textContent) >= 60);
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
  test('opens with every plot present and every label inside its picture', async () => {
    const { path, inputPath } = await makeTrainedModel(mkdtempSync(join(site.work, 'model-')));
    const fc = forecastModel(mkdtempSync(join(site.work, 'forecast-')));
    for (const [model, input, name] of [[path, inputPath, 'report'], [fc.path, fc.csv, 'report-forecast']] as const) {
      const out = join(site.work, name);
      const program = new Command('lstm').exitOverride();
      register(program);
      await program.parseAsync(['inspect', model, input, '--out', out], { from: 'user' });
      const svgFiles = readdirSync(out).filter((f) => f.endsWith('.svg'));
      const { page, errors, requests } = await openPage(site.browser);
      await page.goto(`file://${join(out, 'report.html')}`);
      const sections = await page.$$eval('section', (els) => els.map((s) => {
        const svg = s.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return { id: s.id, w: box?.width ?? 0, h: box?.height ?? 0, shapes: svg?.querySelectorAll('rect, path, polyline, line').length ?? 0 };
      }));
      assert.deepEqual(sections.map((s) => `${s.id}.svg`).sort(), svgFiles.sort());
      for (const s of sections) assert.ok(s.w > 200 && s.h > 100 && s.shapes > 10, JSON.stringify(s));
      // The forecast model's input label is "Passengers (scaled)": it must not be cut at the picture's edge.
      if (name === 'report-forecast') assert.ok((await page.content()).includes('Passengers (scaled)'));
      assert.deepEqual((await layoutProblems(page)).filter((p) => p.startsWith('text outside its SVG')), [], name);
      assert.deepEqual(errors, []);
      assert.deepEqual(requests.filter((r) => !r.startsWith('file://')), []);
      await page.screenshot({ path: join(shots, `inspect-${name}.png`), fullPage: true });
      await page.close();
    }
  });
});
