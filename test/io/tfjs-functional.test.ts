/**
 * Keras Functional models (TF.js Layers `class_name: "Model"`, Keras' "Functional") against
 * @tensorflow/tfjs itself: each model is built with tf.model in the test, its weights drawn from
 * our seeded Rng, saved the way `model.save('file://...')` writes it, loaded with
 * loadTfjsModel and compared with TF.js' predict on the same inputs, on every backend. Cases:
 * two LSTM branches on two inputs merged by Concatenate (one branch on the core kernels, one in
 * the Keras-exact loop), Add / Multiply / Average merges, TimeDistributed(Dense), an encoder →
 * RepeatVector → decoder, Flatten and Reshape, return_state feeding a decoder's initial state
 * with several outputs, Bidirectional return_state, a layer shared by two inputs, masks through
 * a graph, Concatenate along time, and stateful layers carried between predict calls. Then the
 * refusals (Lambda, nested models,
 * Keras 3 call format, dangling references), each naming the layer.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { FormatError, Tensor, loadTfjsModel } from '../../src/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { BACKENDS } from '../helpers/backends.js';
import { maxDiff } from './onnx-util.js';
import { saveTfjs } from './tfjs-util.js';

const TOL = 1e-5;
const L = tf.layers;
type Sym = tf.SymbolicTensor;
const input = (shape: Array<number | null>, name: string): Sym => tf.input({ shape, name });
const call = (layer: tf.layers.Layer, x: Sym | Sym[], kwargs?: Record<string, unknown>): Sym => layer.apply(x, kwargs) as Sym;
const calls = (layer: tf.layers.Layer, x: Sym | Sym[], kwargs?: Record<string, unknown>): Sym[] => layer.apply(x, kwargs) as Sym[];

/** A TF.js Functional model whose weights come from our seeded Rng (TF.js' initialisers are unseeded). */
function model(inputs: Sym[], outputs: Sym[], seed = 3): tf.LayersModel {
  const m = tf.model({ inputs, outputs });
  const rng = new Rng(seed);
  m.setWeights(m.getWeights().map((w) => tf.tensor(Array.from({ length: w.size }, () => 0.6 * rng.normal()), w.shape)));
  return m;
}

interface Case {
  name: string;
  build: () => tf.LayersModel;
  /** Input shapes, one per model input; ids: token ids (a mask from 0s) instead of normal values. */
  inputs: Array<{ shape: number[]; ids?: number }>;
}

const CASES: Case[] = [
  {
    name: 'two inputs, two LSTM branches merged by Concatenate → Dense',
    build: () => {
      const a = input([null, 3], 'a'), b = input([null, 2], 'b');
      const la = call(L.lstm({ units: 4, recurrentActivation: 'sigmoid', name: 'lstm_a' }), a); // core kernels
      const lb = call(L.lstm({ units: 3, name: 'lstm_b' }), b); // hard_sigmoid: Keras-exact loop
      return model([a, b], [call(L.dense({ units: 2, name: 'head' }), call(L.concatenate({ name: 'cat' }), [la, lb]))]);
    },
    inputs: [{ shape: [3, 5, 3] }, { shape: [3, 4, 2] }],
  },
  {
    name: 'Add, Multiply and Average of LSTM, GRU and SimpleRNN branches',
    build: () => {
      const x = input([null, 3], 'x');
      const l = call(L.lstm({ units: 4, recurrentActivation: 'sigmoid' }), x);
      const g = call(L.gru({ units: 4 }), x);
      const r = call(L.simpleRNN({ units: 4 }), x);
      const add = call(L.add(), [l, g]), mul = call(L.multiply(), [g, r]), avg = call(L.average(), [l, g, r]);
      return model([x], [call(L.concatenate(), [add, mul, avg])]);
    },
    inputs: [{ shape: [2, 6, 3] }],
  },
  {
    name: 'LSTM return_sequences → TimeDistributed(Dense softmax)',
    build: () => {
      const x = input([null, 2], 'x');
      const s = call(L.lstm({ units: 5, returnSequences: true }), x);
      return model([x], [call(L.timeDistributed({ layer: L.dense({ units: 3, activation: 'softmax' }) }), s)]);
    },
    inputs: [{ shape: [2, 4, 2] }],
  },
  {
    name: 'encoder LSTM → RepeatVector → decoder GRU → TimeDistributed(Dense)',
    build: () => {
      const x = input([6, 2], 'x');
      const code = call(L.lstm({ units: 4, recurrentActivation: 'sigmoid' }), x);
      const dec = call(L.gru({ units: 3, returnSequences: true }), call(L.repeatVector({ n: 6 }), code));
      return model([x], [call(L.timeDistributed({ layer: L.dense({ units: 2 }) }), dec)]);
    },
    inputs: [{ shape: [3, 6, 2] }],
  },
  {
    name: 'Flatten of a sequence → Dense; Dense → Reshape → LSTM',
    build: () => {
      const x = input([4, 3], 'x');
      const flat = call(L.dense({ units: 2, activation: 'tanh' }), call(L.flatten(), call(L.lstm({ units: 3, returnSequences: true }), x)));
      const v = input([6], 'v');
      const seq = call(L.lstm({ units: 2 }), call(L.reshape({ targetShape: [3, 4] }), call(L.dense({ units: 12 }), v)));
      return model([x, v], [flat, seq]);
    },
    inputs: [{ shape: [2, 4, 3] }, { shape: [2, 6] }],
  },
  {
    name: 'encoder return_state → decoder initial_state, three outputs',
    build: () => {
      const src = input([null, 3], 'src'), tgt = input([null, 2], 'tgt');
      const [, h, c] = calls(L.lstm({ units: 4, returnState: true, name: 'encoder' }), src);
      const dec = call(L.lstm({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid', name: 'decoder' }), [tgt, h!, c!]);
      return model([src, tgt], [call(L.dense({ units: 2 }), dec), h!, c!]);
    },
    inputs: [{ shape: [2, 5, 3] }, { shape: [2, 3, 2] }],
  },
  {
    name: 'Bidirectional GRU return_state and return_sequences',
    build: () => {
      const x = input([null, 3], 'x');
      const [seq, hf, hb] = calls(L.bidirectional({ layer: L.gru({ units: 3, returnSequences: true, returnState: true }) as tf.layers.RNN, mergeMode: 'concat' }), x);
      return model([x], [seq!, call(L.add(), [hf!, hb!])]);
    },
    inputs: [{ shape: [2, 4, 3] }],
  },
  {
    name: 'one LSTM shared by two inputs (two calls of one layer), then Average',
    build: () => {
      const a = input([null, 2], 'a'), b = input([null, 2], 'b');
      const shared = L.lstm({ units: 3, name: 'shared' });
      return model([a, b], [call(L.average(), [call(shared, a), call(shared, b)])]);
    },
    inputs: [{ shape: [2, 5, 2] }, { shape: [2, 3, 2] }],
  },
  {
    name: 'Embedding(mask_zero) → LSTM return_sequences, Concatenate with a second branch → LSTM (masks through the graph)',
    build: () => {
      const ids = input([6], 'ids');
      const e = call(L.embedding({ inputDim: 7, outputDim: 3, maskZero: true }), ids);
      const s1 = call(L.lstm({ units: 2, returnSequences: true, recurrentActivation: 'sigmoid' }), e);
      const s2 = call(L.timeDistributed({ layer: L.dense({ units: 2 }) }), e);
      return model([ids], [call(L.lstm({ units: 3 }), call(L.concatenate(), [s1, s2]))]);
    },
    inputs: [{ shape: [3, 6], ids: 7 }],
  },
  {
    name: 'Concatenate along time (axis 1) → SimpleRNN',
    build: () => {
      const a = input([3, 2], 'a'), b = input([2, 2], 'b');
      return model([a, b], [call(L.simpleRNN({ units: 3, returnSequences: true }), call(L.concatenate({ axis: 1 }), [a, b]))]);
    },
    inputs: [{ shape: [2, 3, 2] }, { shape: [2, 2, 2] }],
  },
];

/** Inputs for a case: normal values, or token ids with trailing zeros (padding) and one gap. */
function makeInputs(c: Case, rng: Rng): Tensor[] {
  return c.inputs.map(({ shape, ids }) => {
    const n = shape.reduce((p, d) => p * d, 1);
    if (!ids) return new Tensor(Float32Array.from({ length: n }, () => rng.normal()), shape);
    const [B, T] = shape as [number, number];
    const d = new Float32Array(n);
    for (let b = 0; b < B; b++) for (let t = 0; t < T - b; t++) d[b * T + t] = 1 + Math.floor(rng.uniform() * (ids - 1));
    d[1] = 0; // a gap in the first row
    return new Tensor(d, shape);
  });
}

let dir = '';
describe('loadTfjsModel on Functional models vs @tensorflow/tfjs', () => {
  test('setup', async () => {
    await tf.setBackend('cpu');
    dir = mkdtempSync(join(tmpdir(), 'lstm-tfjs-fn-'));
  });
  CASES.forEach((c, k) => {
    test(c.name, async (t) => {
      const tfModel = c.build();
      const sub = join(dir, String(k));
      mkdirSync(sub);
      const path = await saveTfjs(tfModel, sub);
      const xs = makeInputs(c, new Rng(40 + k));
      const want = [tfModel.predict(xs.map((x) => tf.tensor(Array.from(x.data), x.shape)))].flat() as tf.Tensor[];
      for (const backend of BACKENDS) {
        const ours = loadTfjsModel(path, { backend });
        assert.equal(ours.graph.sequential, false);
        assert.deepEqual(ours.inputNames.length, c.inputs.length);
        // Inputs by position and by name give the same outputs.
        const got = ours.predictAll(xs);
        const byName = ours.predictAll(Object.fromEntries(ours.inputNames.map((n, i) => [n, xs[i]!])));
        assert.equal(got.length, want.length, 'number of outputs');
        got.forEach((g, i) => {
          assert.deepEqual(g.shape, want[i]!.shape, `output ${i} shape`);
          const d = maxDiff(g.data, want[i]!.dataSync());
          t.diagnostic(`${backend} output ${i} ${JSON.stringify(g.shape)}: max |ours − tfjs| = ${d.toExponential(2)}`);
          assert.ok(d < TOL, `${backend} output ${i}: max |diff| ${d}\n${ours.summary()}`);
          assert.deepEqual(Array.from(byName[i]!.data), Array.from(g.data));
        });
        if (want.length === 1) assert.deepEqual(Array.from(ours.predict(xs).data), Array.from(got[0]!.data));
        else assert.throws(() => ours.predict(xs), /has \d outputs .*use predictAll/);
      }
      tfModel.dispose();
    });
  });
  test('a Functional chain converts to a native Sequential; a graph says why it does not', async () => {
    const x = input([null, 2], 'x');
    const chain = model([x], [call(L.dense({ units: 2 }), call(L.lstm({ units: 3, recurrentActivation: 'sigmoid' }), x))]);
    const sub = join(dir, 'chain');
    mkdirSync(sub);
    const ours = loadTfjsModel(await saveTfjs(chain, sub));
    assert.deepEqual([ours.inputNames, ours.outputNames], [['x'], [chain.outputNames[0]!.split('/')[0]!]]);
    const xs = makeInputs({ name: '', build: () => chain, inputs: [{ shape: [2, 4, 2] }] }, new Rng(9))[0]!;
    assert.ok(maxDiff(ours.toSequential().predict(xs).data, (chain.predict(tf.tensor(Array.from(xs.data), xs.shape)) as tf.Tensor).dataSync()) < TOL);
    const sub2 = join(dir, 'graph');
    mkdirSync(sub2);
    const graph = loadTfjsModel(await saveTfjs(CASES[0]!.build(), sub2));
    assert.throws(() => graph.toSequential(), /not a chain of layers/);
  });
  test('stateful layers carry their states between predict calls as TF.js does, until resetStates()', async (t) => {
    const x = tf.input({ batchShape: [2, 3, 2], name: 'x' });
    const l = call(L.lstm({ units: 3, stateful: true, returnSequences: true, name: 'carry_lstm' }), x); // hard_sigmoid: exact loop
    const r = call(L.simpleRNN({ units: 2, stateful: true, name: 'carry_rnn' }), l); // core kernels
    const g = call(L.gru({ units: 2, name: 'fresh_gru' }), x); // not stateful
    const tfModel = model([x], [call(L.concatenate(), [r, g])]);
    const sub = join(dir, 'stateful');
    mkdirSync(sub);
    const path = await saveTfjs(tfModel, sub);
    const rng = new Rng(77);
    const xs = [0, 1, 2].map(() => new Tensor(Float32Array.from({ length: 12 }, () => rng.normal()), [2, 3, 2]));
    const run = (k: number) => (tfModel.predict(tf.tensor(Array.from(xs[k]!.data), [2, 3, 2])) as tf.Tensor).dataSync();
    const want = [run(0), run(1), run(2)];
    tfModel.resetStates();
    const afterReset = run(1);
    for (const backend of BACKENDS) {
      const ours = loadTfjsModel(path, { backend });
      assert.match(ours.summary(), /carry_lstm: LSTM .* stateful/);
      const got = [0, 1, 2].map((k) => ours.predict(xs[k]!).data);
      got.forEach((g, k) => {
        const d = maxDiff(g, want[k]!);
        t.diagnostic(`${backend} call ${k}: max |ours − tfjs| = ${d.toExponential(2)}`);
        assert.ok(d < TOL, `call ${k}: ${d}`);
      });
      assert.ok(maxDiff(got[1]!, afterReset) > 1e-3, 'the carried state changes the second call');
      ours.resetStates();
      assert.ok(maxDiff(ours.predict(xs[1]!).data, afterReset) < TOL, 'after resetStates');
      assert.throws(() => ours.predict(Tensor.zeros([3, 3, 2])), /carry_lstm": a stateful layer keeps its batch size: it carries states for 2 rows, got 3/);
    }
  });
  test('cleanup', () => rmSync(dir, { recursive: true, force: true }));
});

describe('Functional models that are refused, by name', () => {
  const write = (topology: unknown, weights: Array<{ name: string; shape: number[] }> = []): string => {
    const d = mkdtempSync(join(tmpdir(), 'lstm-tfjs-fn-bad-'));
    const n = weights.reduce((s, w) => s + w.shape.reduce((p, k) => p * k, 1), 0);
    writeFileSync(join(d, 'w.bin'), new Uint8Array(4 * n));
    writeFileSync(join(d, 'model.json'), JSON.stringify({ modelTopology: topology, format: 'layers-model', weightsManifest: [{ paths: ['w.bin'], weights: weights.map((w) => ({ ...w, dtype: 'float32' })) }] }));
    return join(d, 'model.json');
  };
  const inputLayer = { name: 'x', class_name: 'InputLayer', config: { name: 'x', batch_input_shape: [null, 3, 2] }, inbound_nodes: [] };
  const graph = (layers: unknown[], out = 'y') => ({ class_name: 'Functional', config: { name: 'm', layers: [inputLayer, ...layers], input_layers: [['x', 0, 0]], output_layers: [[out, 0, 0]] } });
  const lstm = (extra: Record<string, unknown>) => ({ name: 'y', class_name: 'LSTM', config: { name: 'y', units: 2, ...extra }, inbound_nodes: [[['x', 0, 0, {}]]] });
  const lstmWeights = [{ name: 'y/kernel', shape: [2, 8] }, { name: 'y/recurrent_kernel', shape: [2, 8] }, { name: 'y/bias', shape: [8] }];
  const cases: Array<[string, string, RegExp]> = [
    ['a Lambda layer', write(graph([{ name: 'y', class_name: 'Lambda', config: { name: 'y', function: 'x => x' }, inbound_nodes: [[['x', 0, 0, {}]]] }])), /layer "y" is a Lambda layer: its function is code that model\.json does not hold/],
    ['a nested model', write(graph([{ name: 'y', class_name: 'Sequential', config: { name: 'y', layers: [] }, inbound_nodes: [[['x', 0, 0, {}]]] }])), /layer "y" is a nested Sequential model/],
    ['Keras 3 call format', write(graph([{ ...lstm({}), inbound_nodes: [{ args: [], kwargs: {} }] }]), lstmWeights), /Keras 3 format/],
    ['a reference to a missing layer', write(graph([{ ...lstm({}), inbound_nodes: [[['ghost', 0, 0, {}]]] }]), lstmWeights), /layer "y" reads ghost, which no layer call produces/],
    ['an output nobody produces', write(graph([lstm({})], 'nope'), lstmWeights), /output_layers names nope/],
    ['call keyword arguments', write(graph([{ ...lstm({}), inbound_nodes: [[['x', 0, 0, { training: true }]]] }]), lstmWeights), /call arguments \{"training":true\} are not supported/],
    ['a merge layer in a Sequential model', write({ class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Add', config: { name: 'add' } }] } }), /layer "add": a Add layer needs several inputs/],
    ['TimeDistributed(LSTM)', write(graph([{ name: 'y', class_name: 'TimeDistributed', config: { name: 'y', layer: { class_name: 'LSTM', config: { units: 2 } } }, inbound_nodes: [[['x', 0, 0, {}]]] }])), /TimeDistributed\(LSTM\) is not supported/],
  ];
  for (const [what, path, re] of cases) {
    test(what, () => {
      assert.throws(() => loadTfjsModel(path), (e: unknown) => e instanceof FormatError && re.test(e.message) && /model\.json/.test(e.message), String(re));
    });
  }
  test('predict names missing and mis-shaped inputs', () => {
    const m = loadTfjsModel(write(graph([lstm({ recurrent_activation: 'sigmoid' })]), lstmWeights));
    assert.throws(() => m.predict({}), /missing input "x"/);
    assert.throws(() => m.predict(new Tensor(new Float32Array(8), [2, 2, 2])), /input "x" must be \[\?, 3, 2\], got \[2, 2, 2\]/);
    assert.deepEqual(m.predict(Tensor.zeros([2, 3, 2])).shape, [2, 2]);
  });
});
