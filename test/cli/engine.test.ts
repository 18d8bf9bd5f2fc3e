/**
 * `--engine wasm|onnxruntime|auto` on `lstm forecast`, `predict` and `eval`: the same numbers
 * (within float32 rounding) whichever engine runs the inference, a line on stderr saying which
 * engine ran and why, and one-line errors where an engine cannot do the job.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, saveClassifier, saveLanguageModel, trainClassifier, trainLanguageModel } from '../../src/index.js';
import { json, lstm } from './helpers.js';

const airline = new URL('../../data/airline-passengers.csv', import.meta.url).pathname;
let dir = '';

/** Largest |a − b| / max(1, |b|) over two equally long lists. */
function worst(a: number[], b: number[]): number {
  assert.equal(a.length, b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!) / Math.max(1, Math.abs(b[i]!))));
}

describe('lstm --engine', () => {
  before(() => (dir = mkdtempSync(join(tmpdir(), 'lstm-engine-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('forecast, predict and eval of a forecaster: onnxruntime and auto give the kernels\' numbers and say which engine ran', () => {
    const args = (out: string, engine: string) => ['forecast', airline, '--column', 'Passengers', '--date', 'Month', '--season', '12', '--epochs', '3', '--hidden', '8', '--ensemble', '2', '--out', join(dir, out), '--json', '--engine', engine];
    const w = lstm(args('w', 'wasm'));
    assert.equal(w.code, 0, w.stderr);
    assert.doesNotMatch(w.stderr, /engine:/);
    const o = lstm(args('o', 'onnxruntime'));
    assert.equal(o.code, 0, o.stderr);
    assert.match(o.stderr, /^engine: onnxruntime \(onnxruntime-node session on the model's ONNX export\)$/m);
    const jw = json(w), jo = json(o);
    // Training ran on the kernels both times (same seed: same weights); only the scoring and the forecast moved.
    assert.ok(worst(jo.forecast, jw.forecast) < 1e-5, `${jo.forecast} vs ${jw.forecast}`);
    assert.ok(Math.abs(jo.metrics.rmse - jw.metrics.rmse) <= 1e-4 * jw.metrics.rmse);

    const model = jw.model as string;
    const pw = json(lstm(['predict', model, airline, '--json']));
    for (const engine of ['onnxruntime', 'auto']) {
      const r = lstm(['predict', model, airline, '--json', '--engine', engine]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(worst(json(r).forecast, pw.forecast) < 1e-5);
      assert.match(r.stderr, new RegExp(`^engine: ${engine} `, 'm'));
      // One window of 12 steps through hidden 8 is far below AUTO_RULE: auto keeps it on the kernels and says so.
      if (engine === 'auto') assert.match(r.stderr, /^engine auto: 2 calls on wasm \(batch 1 × 12 steps, [\d.]+ kFLOP: below the [\d.]+ [kM]FLOP per call under which the WebAssembly kernels were measured faster for LSTM\)$/m);
    }
    const ew = json(lstm(['eval', model, airline, '--json']));
    const eo = json(lstm(['eval', model, airline, '--json', '--engine', 'onnxruntime']));
    assert.equal(eo.points, ew.points);
    assert.ok(Math.abs(eo.metrics.rmse - ew.metrics.rmse) <= 1e-4 * ew.metrics.rmse);
  });

  test('a classifier: predict on onnxruntime gives the same labels and probabilities', async () => {
    const rng = new Rng(2);
    const texts: string[] = [], labels: string[] = [];
    for (let i = 0; i < 60; i++) {
      const pos = i % 2 === 1;
      texts.push(Array.from({ length: 2 + rng.int(8) }, () => (pos ? ['good', 'fine', 'day'] : ['bad', 'poor', 'day'])[rng.int(3)]).join(' '));
      labels.push(pos ? 'pos' : 'neg');
    }
    const clf = await trainClassifier({ texts, labels }, { epochs: 2, hidden: 8, embedding: 4, progress: false });
    const model = join(dir, 'clf.safetensors');
    saveClassifier(model, clf, { textColumn: 'text', labelColumn: 'label' });
    const csv = join(dir, 'texts.csv');
    writeFileSync(csv, ['text,label', ...texts.map((t, i) => `${t},${labels[i]}`)].join('\n') + '\n');
    const w = json(lstm(['predict', model, csv, '--json']));
    const r = lstm(['predict', model, csv, '--json', '--engine', 'onnxruntime']);
    assert.equal(r.code, 0, r.stderr);
    const o = json(r);
    assert.deepEqual(o.predictions.map((p: { label: string }) => p.label), w.predictions.map((p: { label: string }) => p.label));
    assert.ok(worst(o.predictions.map((p: { probability: number }) => p.probability), w.predictions.map((p: { probability: number }) => p.probability)) <= 1e-4);
    const ev = json(lstm(['eval', model, csv, '--json', '--engine', 'onnxruntime']));
    assert.equal(ev.accuracy, json(lstm(['eval', model, csv, '--json'])).accuracy);
  });

  test('a language model: eval runs on onnxruntime; predict (generation) refuses it and auto says why it keeps the kernels', async () => {
    const text = 'the cat sat on the mat. the dog sat on the log. '.repeat(40);
    const lm = await trainLanguageModel(text, { epochs: 1, hidden: 16, embedding: 8, seqLen: 16, progress: false });
    const model = join(dir, 'lm.safetensors');
    saveLanguageModel(model, lm);
    const file = join(dir, 'text.txt');
    writeFileSync(file, text);
    const ew = json(lstm(['eval', model, file, '--json']));
    const eo = lstm(['eval', model, file, '--json', '--engine', 'onnxruntime']);
    assert.equal(eo.code, 0, eo.stderr);
    assert.ok(Math.abs(json(eo).bitsPerChar - ew.bitsPerChar) <= 1e-5 * ew.bitsPerChar);
    const po = lstm(['predict', model, file, '--engine', 'onnxruntime']);
    assert.equal(po.code, 1);
    assert.match(po.stderr, /^lstm: error: --engine onnxruntime: a language model generates one token per call, carrying its state between calls, .* use --engine wasm or auto\n$/);
    const pa = lstm(['predict', model, file, '--length', '5', '--engine', 'auto']);
    assert.equal(pa.code, 0, pa.stderr);
    assert.match(pa.stderr, /^engine: wasm \(generation runs one token per call with carried state, on the kernels\)$/m);
    assert.equal(pa.stdout, lstm(['predict', model, file, '--length', '5']).stdout);
  });

  test('an unknown engine is a one-line usage error', () => {
    const r = lstm(['predict', 'x.safetensors', airline, '--engine', 'gpu']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--engine <name>' argument 'gpu' is invalid\. expected one of wasm, onnxruntime, auto, got "gpu"/);
  });
});
