/**
 * One layer protocol: LSTM/GRU/RNN implement ModelLayer themselves (no adapter inside
 * Sequential), so every layer's config() names its type as Sequential saves it, and a model
 * built from the layers' own configs is the model that was saved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dense, Dropout, GRU, LSTM, LastStep, RNN, Sequential, Tensor } from '../../src/index.js';

test('every layer config() names its type; Sequential.config() is the layers\' configs', () => {
  const layers = [
    new LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: true }), new GRU({ inputSize: 3, hiddenSize: 3, batchFirst: true }),
    new RNN({ inputSize: 3, hiddenSize: 2, batchFirst: true, nonlinearity: 'relu' }), new Dropout({ p: 0.1 }), new LastStep(), new Dense({ inputSize: 2, outputSize: 1 }),
  ];
  assert.deepEqual(layers.map((l) => l.config().type), ['LSTM', 'GRU', 'RNN', 'Dropout', 'LastStep', 'Dense']);
  const model = new Sequential(layers.map((l, i) => [`l${i}`, l] as [string, typeof l]));
  const saved = model.config();
  saved.layers.forEach((entry, i) => {
    const { type, ...options } = layers[i]!.config();
    assert.equal(entry.type, type);
    for (const k of Object.keys(options)) if (options[k] === undefined) delete options[k];
    assert.deepEqual(entry.options, options);
  });
  assert.deepEqual(Sequential.fromConfig(JSON.parse(JSON.stringify(saved))).config(), saved);
});

test('a recurrent layer inside a model computes what it computes alone', () => {
  const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: true, seed: 4 });
  const model = new Sequential([['lstm', lstm]]);
  const x = new Tensor(Float32Array.from({ length: 2 * 5 * 2 }, (_, i) => Math.sin(i)), [2, 5, 2]);
  assert.deepEqual([...model.forward(x).data], [...lstm.forward(x).output.data]);
  assert.throws(() => new Sequential([['a', new Dense({ inputSize: 2, outputSize: 4 })], ['b', new GRU({ inputSize: 3, hiddenSize: 2 })]]),
    /Sequential layer "b": GRU expects 3 input features, the previous layer gives 4/);
});
