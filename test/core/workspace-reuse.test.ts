/**
 * Workspace reuse on every backend: a layer that has run a larger batch/sequence (buffers kept
 * and reused) computes exactly what a fresh layer computes on a smaller one, forward and
 * backward, with and without lengths.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GRU, LSTM, RNN, Rng, Tensor, type RecurrentBase } from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';

function rand(shape: number[], seed: number): Tensor {
  const r = new Rng(seed), t = Tensor.zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = r.uniform(-1, 1);
  return t;
}

function run(l: RecurrentBase, T: number, B: number, lengths?: number[]) {
  const x = rand([T, B, 3], T * 100 + B);
  const LD = l.numLayers * l.numDirections;
  const out = l.forward(x, { h0: rand([LD, B, l.hOut], 5), ...(l.mode === 'lstm' ? { c0: rand([LD, B, l.hiddenSize], 6) } : {}), ...(lengths ? { lengths } : {}) });
  l.zeroGrad();
  const g = l.backward({ dOutput: rand(out.output.shape, 7), dh: rand(out.h.shape, 8), ...(out.c ? { dc: rand(out.c.shape, 9) } : {}) });
  return [out.output, out.h, out.c, g.dInput, g.dh0, g.dc0, ...Object.values(l.grads)].filter(Boolean).map((t) => Array.from(t!.data));
}

for (const backend of BACKENDS) {
  describe(`workspace reuse on ${backend}`, () => {
    const makers: Array<[string, () => RecurrentBase]> = [
      ['LSTM', () => new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 2, numLayers: 2, bidirectional: true, seed: 1, backend })],
      ['GRU', () => new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 2, backend })],
      ['RNN', () => new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 3, backend })],
    ];
    for (const [name, make] of makers) {
      test(`${name}: large then small batches equal fresh runs`, () => {
        const used = make();
        run(used, 9, 5, [9, 2, 5, 1, 7]);
        assert.deepEqual(run(used, 4, 2), run(make(), 4, 2));
        assert.deepEqual(run(used, 3, 3, [1, 3, 2]), run(make(), 3, 3, [1, 3, 2]));
        assert.deepEqual(run(used, 6, 1), run(make(), 6, 1));
      });
    }
  });
}

for (const backend of BACKENDS) {
  test(`parameter gradients accumulate across backward calls until zeroGrad (${backend})`, () => {
    const l = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 4, backend });
    const x = rand([5, 2, 3], 1);
    const out = l.forward(x);
    const dOutput = rand(out.output.shape, 2);
    l.zeroGrad();
    l.backward({ dOutput });
    const once = Object.values(l.grads).map((t) => Array.from(t.data));
    l.backward({ dOutput });
    const twice = Object.values(l.grads).map((t) => Array.from(t.data));
    twice.forEach((g, i) => g.forEach((v, j) => assert.ok(Math.abs(v - 2 * once[i]![j]!) <= 1e-6 * (1 + Math.abs(v)))));
    l.zeroGrad();
    assert.ok(Object.values(l.grads).every((t) => t.data.every((v) => v === 0)));
  });
}
