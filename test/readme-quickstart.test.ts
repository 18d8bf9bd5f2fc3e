/**
 * The README's library quickstart, run as written (with small data), so the README stays true.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LSTM, Tensor, Sequential, LastStep, Dense, fit, fileCheckpoint, saveModel, loadModel } from '../src/index.js';

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
