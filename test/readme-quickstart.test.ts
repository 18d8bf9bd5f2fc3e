/**
 * The README's library quickstart and its "what the commands do, from the library" examples,
 * run as written (with small data and few epochs), so the README stays true.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LSTM, Tensor, Sequential, LastStep, Dense, fit, fileCheckpoint, saveModel, loadModel,
  readCsv, numericColumn, runForecast, saveForecast, readTextHead, trainLanguageModel, saveLanguageModel, generateText,
  readLabelledTexts, trainClassifier, saveClassifier, openModel, compile,
} from '../src/index.js';

test('README quickstart: bidirectional 2-layer LSTM forward/backward shapes', () => {
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 8, numLayers: 2, bidirectional: true, seed: 0 });
  const x = Tensor.from(new Float32Array(5 * 2 * 3).map((_, i) => Math.sin(i)), [5, 2, 3]);
  const { output, h, c } = lstm.forward(x, { lengths: [5, 3] });
  assert.deepEqual(output.shape, [5, 2, 16]);
  assert.deepEqual(h.shape, [4, 2, 8]);
  assert.deepEqual(c!.shape, [4, 2, 8]);
  // Past the second sequence's length (3) its outputs are zero.
  for (let t = 3; t < 5; t++) for (let j = 0; j < 16; j++) assert.equal(output.data[(t * 2 + 1) * 16 + j], 0);
  lstm.zeroGrad();
  const { dInput, dh0, dc0 } = lstm.backward({ dOutput: output });
  assert.deepEqual(dInput.shape, [5, 2, 3]);
  assert.deepEqual(dh0.shape, [4, 2, 8]);
  assert.deepEqual(dc0!.shape, [4, 2, 8]);
  assert.ok(lstm.grads['weight_ih_l0']!.data.some((v) => v !== 0));
});

test('README quickstart: Sequential fit, save, load gives identical predictions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lstm-ts-readme-'));
  try {
    const N = 64, T = 12;
    const xs = new Float32Array(N * T), ys = new Float32Array(N);
    for (let n = 0; n < N; n++) {
      for (let t = 0; t < T; t++) xs[n * T + t] = Math.sin((n + t) / 3);
      ys[n] = Math.sin((n + T) / 3);
    }
    const x = Tensor.from(xs, [N, T, 1]), y = Tensor.from(ys, [N, 1]);
    const model = new Sequential([
      ['lstm', new LSTM({ inputSize: 1, hiddenSize: 16, batchFirst: true, seed: 1 })],
      ['last', new LastStep()],
      ['fc', new Dense({ inputSize: 16, outputSize: 1 })],
    ]);
    const history = await fit(model, {
      x, y, epochs: 40, batchSize: 16, seed: 0, loss: 'mse', optimizer: { name: 'adam', lr: 0.01 },
      validation: { split: 0.2 }, earlyStopping: { patience: 10 }, progress: false,
      ...fileCheckpoint(model, join(dir, 'run.ckpt.safetensors'), { every: 5 }),
    });
    assert.ok(history.loss.at(-1)! < history.loss[0]! / 20, `loss ${history.loss[0]} → ${history.loss.at(-1)}`);
    saveModel(model, join(dir, 'model.safetensors'), { history });
    const { model: again } = loadModel(join(dir, 'model.safetensors'));
    assert.deepEqual(Array.from(again.predict(x).data), Array.from(model.predict(x).data));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Run `body` with a fresh temporary directory. */
async function inTemp(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lstm-ts-readme-'));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('README recipes: lstm forecast from the library (runForecast, saveForecast, openModel)', () => inTemp(async (dir) => {
  const csv = join(dir, 'series.csv');
  writeFileSync(csv, 'Month,Passengers\n' + Array.from({ length: 96 }, (_, t) => `m${t},${100 + t + 20 * Math.sin((2 * Math.PI * t) / 12)}`).join('\n') + '\n');
  const table = await readCsv(csv, { dateColumn: 'Month' });
  const values = numericColumn(table, 'Passengers');
  const result = await runForecast(values, { season: 12, epochs: 2, ensemble: 2 });
  assert.ok(Number.isFinite(result.metrics.rmse) && Number.isFinite(result.baselines.last.rmse));
  assert.equal(result.forecast.length, result.plan.horizon);
  const path = join(dir, 'out', 'model.safetensors');
  saveForecast(path, result, { column: 'Passengers', dateColumn: 'Month' });
  assert.ok(!existsSync(join(dir, 'out', 'model.2.safetensors')), 'the second ensemble member is inside the one file');
  const opened = openModel(path);
  assert.equal(opened.kind, 'forecast');
  if (opened.kind === 'forecast') {
    assert.equal(opened.column, 'Passengers');
    assert.deepEqual(opened.forecaster.forecast(values), result.forecast);
  }
}));

test('README recipes: lstm train-text from the library (trainLanguageModel, saveLanguageModel, generateText)', () => inTemp(async (dir) => {
  const file = join(dir, 'text.txt');
  writeFileSync(file, 'Socrates said that the just man is happy. '.repeat(60));
  const text = await readTextHead(file, 300_000);
  const lm = await trainLanguageModel(text, { epochs: 1, hidden: 8, seqLen: 16, progress: false });
  assert.ok(lm.bitsPerChar > 0 && lm.unigramBitsPerChar > 0);
  saveLanguageModel(join(dir, 'out', 'model.safetensors'), lm, { file });
  assert.equal(openModel(join(dir, 'out', 'model.safetensors')).kind, 'language-model');
  const out = generateText(lm.model, lm.vocab, { prompt: 'Socrates said that', length: 20, temperature: 0.6 });
  assert.ok(out.startsWith('Socrates said that') && out.length === 'Socrates said that'.length + 20);
}));

test('README recipes: lstm classify from the library (trainClassifier, saveClassifier, openModel)', () => inTemp(async (dir) => {
  const file = join(dir, 'emails.jsonl');
  const rows = Array.from({ length: 40 }, (_, i) => (i % 2 ? { text: `win a free prize now ${i}`, label: 'spam' } : { text: `meeting notes for monday ${i}`, label: 'ham' }));
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const data = await readLabelledTexts(file, 'text', 'label');
  const clf = await trainClassifier(data, { epochs: 1, hidden: 8, progress: false });
  assert.ok(clf.metrics.accuracy >= 0 && clf.metrics.accuracy <= 1);
  saveClassifier(join(dir, 'out', 'model.safetensors'), clf, { textColumn: 'text', labelColumn: 'label' });
  const opened = openModel(join(dir, 'out', 'model.safetensors'));
  assert.equal(opened.kind, 'classifier');
  if (opened.kind === 'classifier') assert.deepEqual(opened.classifier.predict(['win a free prize now']), clf.classifier.predict(['win a free prize now']));
}));

test('README "Inference on onnxruntime": load, compile, predict', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lstm-ts-readme-'));
  try {
    const path = join(dir, 'model.safetensors');
    saveModel(new Sequential([['lstm', new LSTM({ inputSize: 2, hiddenSize: 8, batchFirst: true, seed: 1 })], ['last', new LastStep()], ['fc', new Dense({ inputSize: 8, outputSize: 1, seed: 2 })]]), path);
    const x = Tensor.from(new Float32Array(3 * 5 * 2).map((_, i) => Math.cos(i)), [3, 5, 2]);
    const { model } = loadModel(path);
    const kernels = model.predict(x);
    const choice = await compile(model, { engine: 'onnxruntime' });   // or 'auto', or 'wasm'
    assert.equal(choice.engine, 'onnxruntime');
    assert.match(choice.reason, /onnxruntime-node session/);
    const y = model.predict(x);
    assert.deepEqual(y.shape, [3, 1]);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(y.data[i]! - kernels.data[i]!) < 1e-6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
