/**
 * Issue 13, "failures that look like successes": one test per item 7, 8, 10, 11, 12, each
 * written against what the code before the fix did (every one failed on it):
 *   7  a run that diverges (lr 1e6) exits 0 with Infinity metrics and forecasts;
 *   8  one huge value (2e154) makes the scaler's std Infinity and the saved model unreadable;
 *  10  an ensemble is one file per member, so members of different runs mix silently;
 *  11  `lstm eval` on the training file scores mostly training data, without saying so;
 *  12  `lstm convert` drops the scaler, transform, vocabulary and ensemble; converted back,
 *      `lstm predict` cannot use the model.
 * The library is used as a namespace (`lib.x`) so that a function the old code lacked fails
 * its own test only.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lib from '../../src/index.js';
import { json, lstm } from '../cli/helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const AIRLINE = join(ROOT, 'data/airline-passengers.csv');
const TEXT = join(ROOT, 'data/republic_clean.txt');
const dir = mkdtempSync(join(tmpdir(), 'failures-'));
const be = { backend: 'reference' };

/** A CLI failure: exit 1 and one line on stderr (progress lines before it are fine) matching `re`. */
function failsWith(r: { code: number | null; stderr: string }, re: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  const last = r.stderr.trimEnd().split('\n').at(-1)!;
  assert.match(last, re);
  assert.ok(!/\n\s+at /.test(r.stderr), 'stack trace');
}

/** A series of `n` values with a season of 12 and a trend (positive). */
const seasonal = (n: number): number[] => Array.from({ length: n }, (_, i) => 100 + 10 * Math.sin((2 * Math.PI * i) / 12) + i);

describe('7. a diverged run exits non-zero, with nothing that claims a result', () => {
  test('lstm forecast --lr 1e6: one line "training diverged", no forecast.csv or plot', () => {
    const out = join(dir, 'diverged-forecast');
    const r = lstm(['forecast', AIRLINE, '--column', 'Passengers', '--lr', '1e6', '--out', out]);
    failsWith(r, /^lstm: error: training diverged: .* Try a lower learning rate \(now 1000000\).*Saved the best weights so far to .*model\.safetensors\.$/);
    assert.equal(r.stdout, ''); // old: exit 0, "RMSE Infinity" and an Infinity forecast on stdout
    assert.ok(!existsSync(join(out, 'forecast.csv')) && !existsSync(join(out, 'forecast.svg')));
  });

  test('lstm train-text --lr 1e6: one line "training diverged" instead of 18,560,000 bits/char and exit 0', () => {
    const r = lstm(['train-text', TEXT, '--lr', '1e6', '--epochs', '1', '--max-bytes', '20000', '--hidden', '16', '--out', join(dir, 'diverged-text')]);
    failsWith(r, /^lstm: error: training diverged: the validation loss [\d.e+]+ nats a token is over 10× that of a uniform guess/);
    assert.equal(r.stdout, '');
  });

  test('fit: a weight that overflows to Infinity in the last step is a TrainingError, not a returned model', async () => {
    const m = new lib.Sequential([['fc', new lib.Dense({ inputSize: 1, outputSize: 1, seed: 0, ...be })]]);
    const x = lib.Tensor.from([[1], [2]]), y = lib.Tensor.from([[10], [-10]]);
    await assert.rejects(lib.fit(m, { x, y, epochs: 1, batchSize: 2, optimizer: { name: 'sgd', lr: 1e38 }, clipNorm: null, progress: false }),
      (e: Error) => e.name === 'TrainingError' && /weight \d of the flat buffer is -?Infinity/.test(e.message));
  });

  test('a forecaster whose outputs overflow refuses to forecast (predict and eval) instead of returning Infinity', async () => {
    const series = seasonal(96);
    const r = await lib.runForecast(series, { season: 12, epochs: 2, ensemble: 1, mode: 'level', transform: 'log' });
    r.forecaster.models[0]!.flat.fill(1e30); // a diverged model: its log-scale output overflows exp()
    assert.throws(() => r.forecaster.forecast(series), /forecast from origin 96 is (-)?Infinity .* the model diverged/);
    assert.throws(() => r.forecaster.evaluate(series), /the model diverged/);
  });
});

describe('8. one huge value', () => {
  test('StandardScaler: one value of 2e154 gives a finite std (it overflowed to Infinity)', () => {
    const s = new lib.StandardScaler().fit([1, 2, 3, 2e154]);
    assert.ok(Number.isFinite(s.std[0]!) && Math.abs(s.std[0]! / (Math.sqrt(3) / 4 * 2e154) - 1) < 1e-12, String(s.std[0]));
    assert.throws(() => new lib.StandardScaler().fit([1, Number.NaN]), /row 1, feature 0 is NaN/);
  });

  test('a model file cannot be written with NaN or Infinity in its metadata (JSON would store null and the file not reopen)', () => {
    const m = new lib.Sequential([['fc', new lib.Dense({ inputSize: 1, outputSize: 1, ...be })]]);
    assert.throws(() => lib.encodeModel(m, { forecast: { parts: [{ scaler: { type: 'standard', mean: [0], std: [Infinity] } }] } }),
      /saveModel: metadata "forecast" holds Infinity at "0"/);
  });

  test('lstm forecast on 120 rows with one cell of 2e154: one line naming the value, nothing written', () => {
    const p = join(dir, 'huge.csv');
    const v = seasonal(120);
    v[60] = 2e154;
    writeFileSync(p, 'x\n' + v.join('\n') + '\n');
    const out = join(dir, 'huge-out');
    const r = lstm(['forecast', p, '--column', 'x', '--epochs', '3', '--out', out]);
    failsWith(r, /huge\.csv: column "x": value 61 of the series is 2e\+154, [\d.e+]+ times the median absolute deviation/);
    assert.ok(!existsSync(out)); // old: exit 0, ±Infinity forecasts and a model whose scaler reads back as null
  });
});

describe('10. an ensemble is one file', () => {
  let result: lib.ForecastResult;
  const series = seasonal(96);
  before(async () => {
    result = await lib.runForecast(series, { season: 12, epochs: 2, ensemble: 3, mode: 'delta' });
  });

  test('saveForecast writes every member into one file, and it reads back to the same forecasts', () => {
    const d = mkdtempSync(join(dir, 'ens-'));
    const path = join(d, 'model.safetensors');
    lib.saveForecast(path, result, { column: 'x' });
    assert.deepEqual(readdirSync(d), ['model.safetensors']); // old: model.2.safetensors and model.3.safetensors beside it
    const opened = lib.openModel(path);
    assert.ok(opened.kind === 'forecast');
    assert.deepEqual(Array.from(opened.forecaster.forecast(series)), Array.from(result.forecast));
  });

  test('member files of another run beside a model file are never mixed in', async () => {
    const other = await lib.runForecast(series.map((v) => v * 3), { season: 12, epochs: 2, ensemble: 3, mode: 'delta', seed: 9 });
    const d = mkdtempSync(join(dir, 'mixed-'));
    const path = join(d, 'model.safetensors');
    // The layout the old code wrote, with members 2 and 3 from another run (an interrupted save, or two runs in one --out).
    const meta = { forecast: lib.forecastMetadata(result.forecaster.toJSON(), { column: 'x' }, 3) };
    lib.saveModel(result.forecaster.models[0]!, path, { ...meta, member: 0 });
    lib.saveModel(other.forecaster.models[1]!, join(d, 'model.2.safetensors'), { ...meta, member: 1 });
    lib.saveModel(other.forecaster.models[2]!, join(d, 'model.3.safetensors'), { ...meta, member: 2 });
    assert.throws(() => lib.openModel(path), /declares an ensemble of 3 models stored as separate files/);
  });

  test('a member missing from the file, or of the wrong size, is a FormatError', () => {
    const d = mkdtempSync(join(dir, 'cut-'));
    const path = join(d, 'model.safetensors');
    lib.saveForecast(path, result, { column: 'x' });
    const { tensors, metadata } = lib.readSafetensors(path);
    const without3 = Object.fromEntries(Object.entries(tensors).filter(([k]) => !k.startsWith('__member3__')));
    lib.writeSafetensors(path, without3, metadata);
    assert.throws(() => lib.openModel(path), /ensemble member 3 of 3 is missing/);
    const bad = { ...without3, '__member3__.fc.bias': lib.Tensor.from([1]) };
    lib.writeSafetensors(path, bad, metadata);
    assert.throws(() => lib.openModel(path), /ensemble member 3 holds 1 weights, member 1's architecture needs \d+/);
  });
});

describe('11. eval says what it scored, and on the training data scores the hold-out', () => {
  const out = join(dir, 'air');
  let trained: { metrics: { rmse: number } };
  before(() => {
    const r = lstm(['forecast', AIRLINE, '--column', 'Passengers', '--date', 'Month', '--season', '12', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    trained = json(r);
  });

  test('forecast: on its training CSV, eval scores the 24-point hold-out (the RMSE the forecast reported), and --all says it includes training rows', () => {
    const ev = json(lstm(['eval', join(out, 'model.safetensors'), AIRLINE, '--json']));
    assert.equal(ev.scored.part, 'unseen'); // old: no "scored"; 132 points, RMSE 17.8 over mostly training rows
    assert.equal(ev.points, 24);
    assert.equal(ev.metrics.rmse, trained.metrics.rmse);
    const all = json(lstm(['eval', join(out, 'model.safetensors'), AIRLINE, '--json', '--all']));
    assert.equal(all.scored.part, 'all');
    assert.match(all.scored.note, /rows 1\.\.120 of this series trained the model/);
    assert.equal(all.points, 132);
  });

  test('classifier and language model: on their training data only the held-out part is scored, and it matches training', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({ text: `w${i % 11} w${(i * 7) % 13} ${i % 2 ? 'good' : 'bad'}`, label: i % 2 ? 'pos' : 'neg' }));
    const jsonl = join(dir, 'texts.jsonl');
    writeFileSync(jsonl, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const c = json(lstm(['classify', jsonl, '--text', 'text', '--label', 'label', '--epochs', '2', '--out', join(dir, 'clf'), '--json']));
    const ce = json(lstm(['eval', c.model, jsonl, '--json']));
    assert.equal(ce.scored.part, 'unseen');
    assert.equal(ce.rows, c.testSize); // old: all 300 rows
    assert.equal(ce.accuracy, c.accuracy);

    const t = json(lstm(['train-text', TEXT, '--max-bytes', '20000', '--epochs', '1', '--hidden', '16', '--out', join(dir, 'lm'), '--json']));
    const te = json(lstm(['eval', t.model, TEXT, '--max-bytes', '30000', '--json']));
    assert.equal(te.scored.part, 'unseen');
    assert.match(te.scored.note, /characters 1\.\.18000 trained it/);
    const other = join(dir, 'other.txt');
    writeFileSync(other, readFileSync(TEXT, 'utf8').slice(50_000, 60_000));
    assert.equal(json(lstm(['eval', t.model, other, '--json'])).scored.part, 'all');
  });
});

describe('12. convert carries what the format can, and warns about the rest', () => {
  test('a forecast model through ONNX, TF.js and a PyTorch state_dict and back is usable by predict', () => {
    const series = join(dir, 'series.csv');
    writeFileSync(series, 'x\n' + seasonal(96).join('\n') + '\n');
    const out = join(dir, 'one');
    const r = lstm(['forecast', series, '--column', 'x', '--season', '12', '--epochs', '3', '--ensemble', '1', '--mode', 'delta', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const model = join(out, 'model.safetensors');
    const want = json(lstm(['predict', model, series, '--json'])).forecast;
    for (const [name, middle] of [['onnx', join(dir, 'x.onnx')], ['tfjs', join(dir, 'tfjs', 'model.json')], ['torch', join(dir, 'x-sd.safetensors')]] as const) {
      const there = lstm(['convert', model, middle, ...(name === 'torch' ? ['--to', 'torch'] : [])]);
      assert.equal(there.code, 0, there.stderr);
      assert.match(there.stderr, /warning: the network works in model units: the scaling, log transform and window-relative inputs .* travel in/);
      const back = join(dir, `back-${name}.safetensors`);
      assert.equal(lstm(['convert', middle, back]).code, 0);
      const p = lstm(['predict', back, series, '--json']);
      assert.equal(p.code, 0, `${name}: ${p.stderr}`); // old: "the model has no task metadata"
      assert.deepEqual(json(p).forecast, want, name);
    }
  });

  test('an ensemble converted to ONNX keeps member 1 and says so; model to model keeps every member', () => {
    const out = join(dir, 'ens-convert');
    const series = join(dir, 'series.csv');
    assert.equal(lstm(['forecast', series, '--column', 'x', '--season', '12', '--epochs', '2', '--ensemble', '2', '--mode', 'delta', '--out', out]).code, 0);
    const model = join(out, 'model.safetensors');
    const r = lstm(['convert', model, join(dir, 'ens.onnx')]);
    assert.match(r.stderr, /warning: onnx holds one network: wrote ensemble member 1 of 2 \(its delta model\)/);
    const copy = join(dir, 'ens-copy.safetensors');
    assert.equal(lstm(['convert', model, copy]).code, 0);
    assert.deepEqual(json(lstm(['predict', copy, series, '--json'])).forecast, json(lstm(['predict', model, series, '--json'])).forecast);
  });

  test('a language model through TF.js and back still generates (its vocabulary travels in userDefinedMetadata)', () => {
    const t = json(lstm(['train-text', TEXT, '--max-bytes', '8000', '--epochs', '1', '--hidden', '8', '--out', join(dir, 'lm12'), '--json']));
    const mid = join(dir, 'lm-tfjs', 'model.json');
    const there = lstm(['convert', t.model, mid]);
    assert.match(there.stderr, /warning: the network takes token ids and returns logits: the vocabulary travel/);
    const back = join(dir, 'lm-back.safetensors');
    assert.equal(lstm(['convert', mid, back]).code, 0);
    const g = lstm(['generate', back, '-n', '20', '--seed', '1']);
    assert.equal(g.code, 0, g.stderr);
    assert.equal(g.stdout, lstm(['generate', t.model, '-n', '20', '--seed', '1']).stdout);
  });
});
