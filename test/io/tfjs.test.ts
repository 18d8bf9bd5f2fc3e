/**
 * loadTfjsModel against @tensorflow/tfjs itself: models are built and saved by TF.js in the test
 * (model.json + one weight shard in a temp folder, the layout `model.save('file://...')`
 * writes), loaded here, and predictions compared with TF.js' model.predict on the same input.
 * Options covered: LSTM/GRU/SimpleRNN, hard_sigmoid (TF.js' default) and sigmoid recurrent
 * activations, GRU reset_after = false (TF.js' only GRU), return_sequences, go_backwards,
 * Bidirectional with every merge mode, Embedding(mask_zero) and Masking with trailing padding
 * (core path) and with gaps (Keras-exact path), Dropout, Dense activations incl. softmax.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { FormatError, Tensor, loadTfjsModel } from '../../src/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { BACKENDS } from '../helpers/backends.js';
import { maxDiff } from './onnx-util.js';
import { saveTfjs } from './tfjs-util.js';

const TOL = 2e-5;
const L = tf.layers;
type Input = { data: number[]; shape: number[] };

function randomInput(rng: Rng, shape: number[]): Input {
  const n = shape.reduce((p, d) => p * d, 1);
  return { data: Array.from({ length: n }, () => rng.normal()), shape };
}

/** Zero the feature vectors of steps t ≥ len (trailing padding), or of listed (b, t) steps. */
function pad(x: Input, lens: number[], gaps: Array<[number, number]> = []): Input {
  const [, T, F] = x.shape as [number, number, number];
  const d = [...x.data];
  lens.forEach((len, b) => { for (let t = len; t < T; t++) d.fill(0, (b * T + t) * F, (b * T + t + 1) * F); });
  for (const [b, t] of gaps) d.fill(0, (b * T + t) * F, (b * T + t + 1) * F);
  return { data: d, shape: x.shape };
}

/** A TF.js Sequential model whose weights are drawn from our seeded Rng (TF.js' own initialisers are unseeded). */
const seqModel = (layers: tf.layers.Layer[], seed = 1): tf.Sequential => {
  const m = tf.sequential();
  for (const l of layers) m.add(l);
  const rng = new Rng(seed);
  m.setWeights(m.getWeights().map((w) => tf.tensor(Array.from({ length: w.size }, () => 0.6 * rng.normal()), w.shape)));
  return m;
};

interface Case {
  name: string;
  build: () => tf.Sequential;
  inputs: (rng: Rng) => Input[];
  /** Expected `[core kernels]` / `[Keras-exact loop]` marker in the summary, if the case is about the path. */
  path?: 'core kernels' | 'Keras-exact loop';
  native?: boolean;
}

const CASES: Case[] = [
  {
    name: 'LSTM with TF.js defaults (hard_sigmoid) → Dense',
    build: () => seqModel([L.lstm({ units: 4, inputShape: [null, 3] }), L.dense({ units: 2 })]),
    inputs: (rng) => [randomInput(rng, [3, 5, 3])],
    path: 'Keras-exact loop',
  },
  {
    name: 'LSTM sigmoid, return_sequences → Dense softmax per step',
    build: () => seqModel([L.lstm({ units: 5, recurrentActivation: 'sigmoid', returnSequences: true, inputShape: [null, 2] }), L.dense({ units: 3, activation: 'softmax' })]),
    inputs: (rng) => [randomInput(rng, [2, 6, 2])],
    path: 'core kernels',
  },
  {
    name: 'GRU (reset_after = false), go_backwards → Dense',
    build: () => seqModel([L.gru({ units: 4, recurrentActivation: 'sigmoid', goBackwards: true, inputShape: [null, 3] }), L.dense({ units: 1 })]),
    inputs: (rng) => [randomInput(rng, [3, 4, 3])],
    path: 'Keras-exact loop',
  },
  {
    name: 'SimpleRNN relu → Dropout → Dense tanh (native Sequential equivalent)',
    build: () => seqModel([L.simpleRNN({ units: 6, activation: 'relu', inputShape: [null, 2] }), L.dropout({ rate: 0.4 }), L.dense({ units: 3, activation: 'tanh' })]),
    inputs: (rng) => [randomInput(rng, [4, 5, 2])],
    path: 'core kernels',
    native: true,
  },
  {
    name: 'Embedding(mask_zero) → Bidirectional LSTM concat → LSTM, trailing padding and gaps',
    build: () => seqModel([
      L.embedding({ inputDim: 8, outputDim: 3, maskZero: true, inputLength: 6 }),
      L.bidirectional({ layer: L.lstm({ units: 3, recurrentActivation: 'sigmoid', returnSequences: true }) as tf.layers.RNN, mergeMode: 'concat' }),
      L.lstm({ units: 2, recurrentActivation: 'sigmoid' }),
      L.dense({ units: 2, activation: 'sigmoid' }),
    ]),
    inputs: () => [
      { data: [1, 2, 3, 4, 5, 6, 7, 1, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0], shape: [3, 6] }, // trailing padding: core + lengths
      { data: [1, 0, 3, 4, 0, 6, 7, 1, 2, 0, 0, 0, 0, 0, 5, 5, 0, 0], shape: [3, 6] }, // gaps: Keras-exact loop
    ],
  },
  {
    name: 'Masking → Bidirectional GRU (ave) → Dense, padded',
    build: () => seqModel([L.masking({ maskValue: 0, inputShape: [null, 2] }), L.bidirectional({ layer: L.gru({ units: 3 }) as tf.layers.RNN, mergeMode: 'ave' }), L.dense({ units: 2 })]),
    inputs: (rng) => [pad(randomInput(rng, [3, 5, 2]), [5, 2, 4])],
  },
  {
    name: 'Bidirectional SimpleRNN (mul) and LSTM (sum), return_sequences',
    build: () => seqModel([
      L.bidirectional({ layer: L.simpleRNN({ units: 3, returnSequences: true }) as tf.layers.RNN, mergeMode: 'mul', inputShape: [null, 2] } as tf.layers.BidirectionalLayerArgs),
      L.bidirectional({ layer: L.lstm({ units: 2, returnSequences: true }) as tf.layers.RNN, mergeMode: 'sum' }),
    ]),
    inputs: (rng) => [randomInput(rng, [2, 4, 2])],
  },
  {
    name: 'Masking → LSTM sigmoid without bias, go_backwards, return_sequences (core path with lengths)',
    build: () => seqModel([L.masking({ maskValue: 0, inputShape: [null, 3] }), L.lstm({ units: 3, recurrentActivation: 'sigmoid', useBias: false, goBackwards: true, returnSequences: true })]),
    inputs: (rng) => [pad(randomInput(rng, [3, 5, 3]), [5, 3, 1]), pad(randomInput(rng, [2, 4, 3]), [4, 4], [[0, 1]])],
  },
];

let dir = '';
describe('loadTfjsModel vs @tensorflow/tfjs', () => {
  test('setup', async () => {
    await tf.setBackend('cpu');
    dir = mkdtempSync(join(tmpdir(), 'lstm-tfjs-'));
  });
  for (const backend of BACKENDS) {
    CASES.forEach((c, k) => {
      test(`${c.name} (${backend})`, async (t) => {
        const rng = new Rng(100 + k);
        const tfModel = c.build();
        const sub = join(dir, `${backend}-${k}`);
        (await import('node:fs')).mkdirSync(sub, { recursive: true });
        const path = await saveTfjs(tfModel, sub);
        const ours = loadTfjsModel(path, { backend });
        if (c.path) assert.ok(ours.summary().includes(`[${c.path}]`), ours.summary());
        for (const inp of c.inputs(rng)) {
          const want = tfModel.predict(tf.tensor(inp.data, inp.shape)) as tf.Tensor;
          const got = ours.predict(new Tensor(Float32Array.from(inp.data), inp.shape));
          assert.deepEqual(got.shape, want.shape);
          const d = maxDiff(got.data, want.dataSync());
          t.diagnostic(`input ${JSON.stringify(inp.shape)}: max |ours − tfjs| = ${d.toExponential(2)}`);
          assert.ok(d < TOL, `max |diff| ${d}\n${ours.summary()}`);
          if (c.native) {
            const native = ours.toSequential().predict(new Tensor(Float32Array.from(inp.data), inp.shape));
            assert.ok(maxDiff(native.data, want.dataSync()) < TOL, 'toSequential() predicts the same');
          }
        }
        tfModel.dispose();
      });
    });
  }
  test('toSequential explains what has no native equivalent', async () => {
    const m = seqModel([L.lstm({ units: 2, inputShape: [null, 1] }), L.dense({ units: 2, activation: 'softmax' })]);
    const sub = join(dir, 'why');
    (await import('node:fs')).mkdirSync(sub, { recursive: true });
    const ours = loadTfjsModel(await saveTfjs(m, sub));
    assert.throws(() => ours.toSequential(), /recurrent_activation hard_sigmoid[\s\S]*Dense activation softmax/);
  });
  test('cleanup', () => rmSync(dir, { recursive: true, force: true }));
});

describe('loadTfjsModel rejects malformed files with FormatError', () => {
  const write = (json: unknown, shard?: Uint8Array): string => {
    const d = mkdtempSync(join(tmpdir(), 'lstm-tfjs-bad-'));
    writeFileSync(join(d, 'model.json'), typeof json === 'string' ? json : JSON.stringify(json));
    if (shard) writeFileSync(join(d, 'w.bin'), shard);
    return join(d, 'model.json');
  };
  const topo = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 2, use_bias: false, batch_input_shape: [null, 3] } }] } };
  const good = { modelTopology: topo, format: 'layers-model', weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'd/kernel', shape: [3, 2], dtype: 'float32' }] }] };
  test('a valid hand-written file loads (control)', () => {
    const m = loadTfjsModel(write(good, new Uint8Array(24)));
    assert.deepEqual(m.predict(Tensor.zeros([1, 3])).shape, [1, 2]);
    assert.deepEqual([m.inputNames, m.outputNames], [['input'], ['d']]);
  });
  const bad: Array<[string, unknown, Uint8Array | undefined, RegExp]> = [
    ['not JSON', '{oops', undefined, /not valid JSON/],
    ['JSON that is not an object', '[1,2]', undefined, /must hold a JSON object/],
    ['a graph model', { ...good, format: 'graph-model' }, new Uint8Array(24), /only TF\.js Layers models/],
    ['a shard shorter than declared', good, new Uint8Array(20), /hold 20 bytes but the manifest declares 24/],
    ['a shard path leaving the folder', { ...good, weightsManifest: [{ paths: ['../../etc/passwd'], weights: [] }] }, undefined, /leaves the model's folder/],
    ['an absurd shape', { ...good, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'd/kernel', shape: [1e9, 1e9, 1e9], dtype: 'float32' }] }] }, new Uint8Array(24), /absurd size/],
    ['a float16 weight', { ...good, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'd/kernel', shape: [3, 2], dtype: 'float16' }] }] }, new Uint8Array(24), /only float32/],
    ['a weight of the wrong shape', { ...good, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'd/kernel', shape: [2, 3], dtype: 'float32' }] }] }, new Uint8Array(24), /expected \[\?, 2\]/],
    ['an unsupported layer', { ...good, modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'Conv1D', config: { name: 'c' } }] } } }, new Uint8Array(24), /Conv1D is not supported/],
    ['a functional model without layers', { ...good, modelTopology: { class_name: 'Functional', config: {} } }, new Uint8Array(24), /the Functional model has no layers/],
    ['a graph model class', { ...good, modelTopology: { class_name: 'Graph', config: {} } }, new Uint8Array(24), /model class "Graph" is not supported \(Sequential, Functional, Model\)/],
    ['__proto__ keys', JSON.parse(`{"modelTopology": {"__proto__": {"class_name": "Sequential"}}, "weightsManifest": []}`), undefined, /no class_name/],
  ];
  for (const [what, json, shard, re] of bad) {
    test(what, () => {
      assert.throws(() => loadTfjsModel(write(json, shard)), (e: unknown) => e instanceof FormatError && re.test(e.message) && /model\.json/.test(e.message));
      assert.equal(({} as Record<string, unknown>).class_name, undefined);
    });
  }
});
