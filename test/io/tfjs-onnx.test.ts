/**
 * TF.js models with no native equivalent go straight to ONNX (encodeTfjsAsOnnx, used by
 * `lstm convert model.json out.onnx`): TF.js' default hard_sigmoid LSTM, TF.js' GRU
 * (reset_after = false), go_backwards, Bidirectional with sum/mul/ave, without
 * return_sequences, softmax heads. onnxruntime-node and our loadOnnx must both reproduce
 * @tensorflow/tfjs' predictions.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Tensor, convertModel, encodeTfjsAsOnnx, loadOnnx, loadTfjsModel } from '../../src/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { maxDiff, randn, runOrt } from './onnx-util.js';
import { saveTfjs } from './tfjs-util.js';

const L = tf.layers;
const rnn = (l: unknown) => l as tf.layers.RNN;

const CASES: Array<{ name: string; layers: () => tf.layers.Layer[]; ids?: number }> = [
  { name: 'LSTM with TF.js defaults (hard_sigmoid), return_sequences → Dense softmax', layers: () => [L.lstm({ units: 4, returnSequences: true, inputShape: [null, 3] }), L.dense({ units: 3, activation: 'softmax' })] },
  { name: 'GRU (reset_after = false), go_backwards, return_sequences', layers: () => [L.gru({ units: 3, goBackwards: true, returnSequences: true, inputShape: [null, 2] })] },
  { name: 'GRU go_backwards, last output → Dense relu', layers: () => [L.gru({ units: 3, goBackwards: true, inputShape: [null, 2] }), L.dense({ units: 2, activation: 'relu' })] },
  {
    name: 'Bidirectional LSTM sum → Bidirectional GRU ave (last) → Dense',
    layers: () => [
      L.bidirectional({ layer: rnn(L.lstm({ units: 3, returnSequences: true })), mergeMode: 'sum', inputShape: [null, 2] } as tf.layers.BidirectionalLayerArgs),
      L.bidirectional({ layer: rnn(L.gru({ units: 2 })), mergeMode: 'ave' }),
      L.dense({ units: 1 }),
    ],
  },
  {
    name: 'Embedding → Bidirectional SimpleRNN mul → LSTM concat (last)',
    ids: 7,
    layers: () => [
      L.embedding({ inputDim: 7, outputDim: 3, inputLength: 5 }),
      L.bidirectional({ layer: rnn(L.simpleRNN({ units: 3, returnSequences: true })), mergeMode: 'mul' }),
      L.bidirectional({ layer: rnn(L.lstm({ units: 2, recurrentActivation: 'sigmoid' })), mergeMode: 'concat' }),
    ],
  },
];

describe('TF.js → ONNX without a native model in between', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lstm-tfjs-onnx-'));
  test('setup', async () => {
    await tf.setBackend('cpu');
  });
  CASES.forEach((c, k) => {
    test(c.name, async (t) => {
      const m = tf.sequential();
      for (const l of c.layers()) m.add(l);
      const rng = new Rng(50 + k);
      m.setWeights(m.getWeights().map((w) => tf.tensor(Array.from({ length: w.size }, () => 0.6 * rng.normal()), w.shape)));
      const sub = join(dir, String(k));
      mkdirSync(sub);
      const json = await saveTfjs(m, sub);
      const x = c.ids ? new Tensor(Float32Array.from({ length: 3 * 5 }, () => Math.floor(rng.random() * c.ids!)), [3, 5]) : randn(rng, [3, 5, m.inputs[0]!.shape[2] as number]);
      const want = (m.predict(tf.tensor(Array.from(x.data), x.shape)) as tf.Tensor).dataSync();
      const bytes = encodeTfjsAsOnnx(loadTfjsModel(json));
      const ort = await runOrt(bytes, { x: { tensor: x, ...(c.ids ? { type: 'int64' as const } : {}) } });
      const ours = loadOnnx(bytes).run({ x }).y!;
      const dOrt = maxDiff(ort.y!.data, want), dOurs = maxDiff(ours.data, want);
      t.diagnostic(`max |onnxruntime − tfjs| = ${dOrt.toExponential(2)}, max |loadOnnx − tfjs| = ${dOurs.toExponential(2)}`);
      assert.ok(dOrt < 2e-5, `onnxruntime vs tfjs ${dOrt}`);
      assert.ok(dOurs < 2e-5, `loadOnnx vs tfjs ${dOurs}`);
      if (k === 0) {
        // lstm convert takes this route when there is no native equivalent.
        const out = join(dir, 'cli.onnx');
        assert.equal(convertModel(json, out).to, 'onnx');
        assert.ok(maxDiff(loadOnnx(out).run({ x }).y!.data, want) < 2e-5);
      }
      m.dispose();
    });
  });
  test('masks are refused with the reason', async () => {
    const m = tf.sequential();
    m.add(L.masking({ inputShape: [null, 2] }));
    m.add(L.lstm({ units: 2 }));
    const sub = join(dir, 'mask');
    mkdirSync(sub);
    const json = await saveTfjs(m, sub);
    assert.throws(() => encodeTfjsAsOnnx(loadTfjsModel(json)), /Masking cannot be exported/);
  });
  test('cleanup', () => rmSync(dir, { recursive: true, force: true }));
});
