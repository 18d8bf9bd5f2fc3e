/**
 * The inspect report: `lstm inspect` on a small trained model writes report.html and one SVG
 * per plot; each SVG is well-formed enough to stand alone, the HTML inlines all of them, and
 * nothing in it points at the network. The browser test (test/web) opens such a report too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { GRU, LSTM, Tensor } from '../../src/index.js';
import { inspectInput, inspectReport } from '../../src/report/index.js';
import { loadModel } from '../../src/io/model-file.js';
import { buildForecastModel, fitScaler, ModeForecaster, planForecast, SeriesForecaster } from '../../src/recipes/index.js';
import { register } from '../../src/cli/commands/inspect.js';
import { makeTrainedModel } from './fixtures.js';

test('lstm inspect writes a self-contained report with every plot', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lstm-inspect-'));
  const { path, inputPath } = await makeTrainedModel(dir);
  const program = new Command('lstm').exitOverride();
  register(program);
  const out = join(dir, 'report');
  await program.parseAsync(['inspect', path, inputPath, '--out', out, '--lang', 'zh-TW', '--step', '5'], { from: 'user' });
  const files = readdirSync(out).sort();
  const want = ['cell-diagram.svg', 'cell-state.svg', 'cell-trajectories.svg', 'forget-kept.svg', 'gate-candidate.svg', 'gate-forget.svg',
    'gate-input.svg', 'gate-output.svg', 'gradient-norm.svg', 'hidden-state.svg', 'loss.svg', 'report.html'];
  assert.deepEqual(files, want);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  for (const f of want.filter((n) => n.endsWith('.svg'))) {
    const s = readFileSync(join(out, f), 'utf8');
    assert.match(s, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>/);
    assert.ok(s.trimEnd().endsWith('</svg>'), f);
    assert.ok(html.includes(s), `report.html inlines ${f}`);
  }
  // The deck's wording, and no network references (only the SVG namespace URI).
  for (const term of ['輸入門', '遺忘門', '輸出門', '候選記憶細胞', '記憶細胞', '隱藏狀態']) assert.ok(html.includes(term), term);
  assert.equal(html.replace(/xmlns="http:\/\/www.w3.org\/2000\/svg"/g, '').match(/https?:|<script|<link|@import|url\((?!#)/g), null);
  assert.match(html, /時間步 5/); // --step 5 is drawn in the cell diagram
});

test('inspectReport on a bare GRU: gate heatmaps r, z, n and the GRU cell diagram (no forget-gate chart)', () => {
  const gru = new GRU({ inputSize: 2, hiddenSize: 3, seed: 1 });
  const x = Tensor.zeros([6, 1, 2]).clone();
  x.data.forEach((_, i) => (x.data[i] = Math.sin(i)));
  const r = inspectReport(gru, x);
  assert.deepEqual(r.svgs.map((s) => s.name), ['gate-reset.svg', 'gate-update.svg', 'gate-new.svg', 'hidden-state.svg', 'cell-trajectories.svg', 'cell-diagram.svg', 'gradient-norm.svg']);
  assert.match(r.svgs.find((s) => s.name === 'cell-diagram.svg')!.svg, /data-label="reset"/);
  const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, seed: 1 });
  assert.ok(inspectReport(lstm, x).svgs.some((s) => s.name === 'l1-gate-forget.svg'));
});


test('inspectInput: --last cuts a .json sequence; a forecast model reads only its column, one window of its lookback', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lstm-input-'));
  const { path, inputPath } = await makeTrainedModel(dir);
  const { model, metadata } = loadModel(path);
  const all = JSON.parse(readFileSync(inputPath, 'utf8')) as number[][];
  const cut = await inspectInput(inputPath, model, metadata, { last: 5 });
  assert.deepEqual(cut.x.shape, [1, 5, 1]);
  assert.deepEqual(Array.from(cut.x.data), all.slice(-5).map((r) => Math.fround(r[0]!)));
  // A forecast model (untrained is enough): another column's missing cell does not matter.
  const values = Array.from({ length: 60 }, (_, t) => 10 + Math.sin(t / 3));
  const plan = { ...planForecast(values), lookback: 8, horizon: 2, mode: 'level' as const, transform: 'none' as const };
  const f = new SeriesForecaster(plan, [new ModeForecaster(plan, 'level', [buildForecastModel(plan, 1)], fitScaler(plan, 'level', values))]);
  const csv = join(dir, 'series.csv');
  writeFileSync(csv, 'v,w\n' + values.map((v, t) => `${v},${t === 3 ? 'NA' : t}`).join('\n') + '\n');
  const meta = { forecast: { ...f.toJSON(), column: 'v' } };
  const w = await inspectInput(csv, f.models[0]!, meta);
  assert.deepEqual(w.x.shape, [1, 8, 1]);
  assert.deepEqual(Array.from(w.x.data), Array.from(f.windows(values).x.data.slice(-8)));
  await assert.rejects(inspectInput(csv, f.models[0]!, meta, { last: 3 }), /series\.csv: a forecast model reads one window of its lookback, 8 steps; last = 3 does not apply/);
  await assert.rejects(inspectInput(csv, f.models[0]!, meta, { columns: ['v', 'w'] }), /series\.csv: a forecast model reads one column, 2 were given \(v, w\)/);
});
