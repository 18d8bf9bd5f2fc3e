/**
 * model.json files in the layout the TF.js converter writes for Keras 2 models (modelTopology
 * with model_config, InputLayer, weight names like `gru/gru_cell/kernel`), including what TF.js
 * itself cannot load: a GRU with reset_after = true (Keras 2's default, bias (2, 3·units)).
 * These run on the core layers; the reference is the Keras-exact loop (keras-rnn.ts), a
 * separate implementation of Keras' equations, so the weight mapping (kernel transposes, gate
 * order z,r,h → r,z,n, the split GRU bias, the single LSTM bias) is checked independently.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, loadTfjsModel } from '../../src/index.js';
import { kerasRecurrentForward, type KerasRecurrentSpec } from '../../src/io/tfjs/keras-rnn.js';
import { Rng } from '../../src/tensor/rng.js';
import { BACKENDS } from '../helpers/backends.js';
import { maxDiff, randn } from './onnx-util.js';

const rand = (rng: Rng, n: number): Float32Array => Float32Array.from({ length: n }, () => 0.5 * rng.normal());

function kerasFile(kind: 'GRU' | 'LSTM', I: number, U: number, O: number, rng: Rng, extra: Record<string, unknown> = {}) {
  const G = kind === 'GRU' ? 3 : 4;
  const cell = kind === 'GRU' ? 'gru/gru_cell' : 'lstm/lstm_cell';
  const biasShape = kind === 'GRU' ? [2, G * U] : [G * U];
  const w = {
    kernel: rand(rng, I * G * U), recurrent: rand(rng, U * G * U), bias: rand(rng, biasShape.reduce((p, d) => p * d, 1)),
    dense: rand(rng, U * O), denseBias: rand(rng, O),
  };
  const artifacts = {
    modelTopology: {
      keras_version: '2.13.1', backend: 'tensorflow',
      model_config: {
        class_name: 'Sequential',
        config: {
          name: 'sequential',
          layers: [
            { class_name: 'InputLayer', config: { batch_input_shape: [null, null, I], dtype: 'float32', sparse: false, ragged: false, name: 'input_1' } },
            {
              class_name: kind,
              config: { name: kind.toLowerCase(), trainable: true, dtype: 'float32', return_sequences: false, return_state: false, go_backwards: false, stateful: false, unroll: false, time_major: false, units: U, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, dropout: 0, recurrent_dropout: 0, ...extra },
            },
            { class_name: 'Dense', config: { name: 'dense', trainable: true, dtype: 'float32', units: O, activation: 'linear', use_bias: true } },
          ],
        },
      },
    },
    weightSpecs: [
      { name: `${cell}/kernel`, shape: [I, G * U], dtype: 'float32' },
      { name: `${cell}/recurrent_kernel`, shape: [U, G * U], dtype: 'float32' },
      { name: `${cell}/bias`, shape: biasShape, dtype: 'float32' },
      { name: 'dense/kernel', shape: [U, O], dtype: 'float32' },
      { name: 'dense/bias', shape: [O], dtype: 'float32' },
    ],
    weightData: new Uint8Array(Float32Array.from([...w.kernel, ...w.recurrent, ...w.bias, ...w.dense, ...w.denseBias]).buffer),
  };
  return { artifacts, w };
}

for (const backend of BACKENDS) {
  describe(`Keras 2 converter files (${backend})`, () => {
    for (const kind of ['GRU', 'LSTM'] as const) {
      test(`${kind} (Keras 2 defaults${kind === 'GRU' ? ', reset_after = true' : ''}) on the core == Keras-exact loop`, (t) => {
        const rng = new Rng(kind === 'GRU' ? 1 : 2);
        const [I, U, O, B, T] = [3, 4, 2, 3, 6];
        const { artifacts, w } = kerasFile(kind, I, U, O, rng, kind === 'GRU' ? { reset_after: true } : { unit_forget_bias: true });
        const model = loadTfjsModel(artifacts, { backend });
        assert.match(model.summary(), /\[core kernels\]/);
        const x = randn(rng, [B, T, I]);
        const got = model.predict(x);
        const spec: KerasRecurrentSpec = { kind: kind === 'GRU' ? 'gru' : 'lstm', units: U, activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: kind === 'GRU', goBackwards: false };
        const h = kerasRecurrentForward(spec, { kernel: w.kernel, recurrent: w.recurrent, bias: w.bias }, x.data as Float32Array, B, T, I, null).last;
        const want = new Float64Array(B * O);
        for (let b = 0; b < B; b++) for (let o = 0; o < O; o++) {
          let s = w.denseBias[o]!;
          for (let j = 0; j < U; j++) s += h[b * U + j]! * w.dense[j * O + o]!;
          want[b * O + o] = s;
        }
        assert.deepEqual(got.shape, [B, O]);
        const d = maxDiff(got.data, want);
        assert.ok(d < 1e-5, `core vs Keras loop: ${d}`);
        t.diagnostic(`max |core − Keras loop| = ${d.toExponential(2)}`);
        // And the native model it converts to computes the same.
        assert.ok(maxDiff(model.toSequential().predict(new Tensor(x.data, x.shape)).data, want) < 1e-5);
      });
    }
  });
}
