/**
 * Dense, Embedding, Dropout and LastStep on every backend: a case worked by hand, and
 * finite-difference gradient checks in float64 for every input and parameter.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Dense, Dropout, Embedding, LastStep, Rng, Tensor, type Module } from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { centralDiff, randomTensor } from '../helpers/gradcheck.js';

/**
 * Max relative error between the analytic gradient and central differences of
 * L = Σ forward()⊙R over every entry of `data`.
 */
function fdCheck(loss: () => number, data: Float64Array | Float32Array, analytic: ArrayLike<number>, eps = 1e-6): number {
  let worst = 0;
  for (let i = 0; i < data.length; i++) {
    const num = centralDiff(loss, data, i, eps);
    const rel = Math.abs(analytic[i]! - num) / Math.max(1e-6, Math.abs(analytic[i]!) + Math.abs(num));
    worst = Math.max(worst, rel);
  }
  return worst;
}

const dot = (a: Tensor, b: Tensor): number => {
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i]! * b.data[i]!;
  return s;
};

function paramGrads(m: Module): Array<[string, Float64Array, Float64Array]> {
  return m.parameters().map((p) => [p.name, p.value.data as Float64Array, Float64Array.from(p.grad.data)]);
}

for (const backend of BACKENDS) {
  describe(`layers on ${backend}`, () => {
    test('Dense by hand: y = relu(x·Wᵀ + b)', () => {
      const d = new Dense({ inputSize: 2, outputSize: 2, activation: 'relu', backend });
      d.loadStateDict({ weight: Tensor.from([[1, 2], [-3, 0.5]]), bias: Tensor.from([0.5, -1]) });
      // x = [1, 1]: z = [1+2+0.5, −3+0.5−1] = [3.5, −3.5]; relu → [3.5, 0].
      const y = d.forward(Tensor.from([[1, 1]]));
      assert.deepEqual(Array.from(y.data), [3.5, 0]);
      // dy = [1, 1]: dz = [1, 0] (relu off for unit 2); dx = dz·W = [1, 2]; dW = dzᵀx = [[1,1],[0,0]]; db = [1, 0].
      const dx = d.backward(Tensor.from([[1, 1]]));
      assert.deepEqual(Array.from(dx.data), [1, 2]);
      assert.deepEqual(Array.from(d.grads.weight!.data), [1, 1, 0, 0]);
      assert.deepEqual(Array.from(d.grads.bias!.data), [1, 0]);
    });

    for (const activation of ['linear', 'relu', 'tanh', 'sigmoid'] as const) {
      test(`Dense gradient check (${activation}, (B,T,I) input)`, () => {
        const rng = new Rng(3);
        const d = new Dense({ inputSize: 3, outputSize: 4, activation, dtype: 'float64', backend, seed: 5 });
        const x = randomTensor([2, 3, 3], rng);
        const y0 = d.forward(x);
        assert.deepEqual(y0.shape, [2, 3, 4]);
        const R = randomTensor(y0.shape, rng);
        const loss = (): number => dot(d.forward(x), R);
        d.zeroGrad();
        d.forward(x);
        const dx = Float64Array.from(d.backward(R).data);
        const grads = paramGrads(d);
        assert.ok(fdCheck(loss, x.data, dx) < 1e-6, 'dx');
        for (const [name, value, g] of grads) assert.ok(fdCheck(loss, value, g) < 1e-6, name);
      });
    }

    test('Embedding: lookup, gradient scatter, paddingIdx row stays zero and gets no gradient', () => {
      const rng = new Rng(4);
      const e = new Embedding({ numEmbeddings: 5, embeddingDim: 3, paddingIdx: 0, dtype: 'float64', backend, seed: 2 });
      const w = e.stateDict().weight!;
      assert.deepEqual(Array.from(w.data.subarray(0, 3)), [0, 0, 0]);
      const ids = Tensor.from([[1, 3, 0], [3, 4, 2]], undefined, 'float64');
      const y = e.forward(ids);
      assert.deepEqual(y.shape, [2, 3, 3]);
      assert.deepEqual(Array.from(y.data.subarray(3, 6)), Array.from(w.data.subarray(9, 12))); // id 3
      const R = randomTensor(y.shape, rng);
      e.zeroGrad();
      e.forward(ids);
      e.backward(R);
      const g = Float64Array.from(e.grads.weight!.data);
      assert.deepEqual(Array.from(g.subarray(0, 3)), [0, 0, 0]);
      // Row 3 is used twice: its gradient is the sum of both positions' dy.
      for (let j = 0; j < 3; j++) assert.equal(g[9 + j], R.data[3 + j]! + R.data[9 + j]!);
      const loss = (): number => dot(e.forward(ids), R);
      // The padding row is excluded from the check (its output is fixed by definition, not by the weights).
      const rows = e.stateDict().weight!.data as Float64Array;
      assert.ok(fdCheck(loss, rows.subarray(3), g.subarray(3)) < 1e-6);
      assert.throws(() => e.forward(Tensor.from([[7]])), /token id 7 at position 0 is out of range 0\.\.4/);
    });

    test('LastStep picks each row\'s own last step; gradient check with lengths', () => {
      const rng = new Rng(5);
      const ls = new LastStep({ dtype: 'float64', backend });
      const x = randomTensor([3, 4, 2], rng);
      const lengths = [4, 1, 3];
      const y = ls.forward(x, { lengths });
      assert.deepEqual(y.shape, [3, 2]);
      for (let b = 0; b < 3; b++) {
        const t = lengths[b]! - 1;
        assert.deepEqual(Array.from(y.data.subarray(b * 2, b * 2 + 2)), Array.from(x.data.subarray((b * 4 + t) * 2, (b * 4 + t) * 2 + 2)));
      }
      const R = randomTensor([3, 2], rng);
      const dx = Float64Array.from(ls.backward(R).data);
      const loss = (): number => dot(ls.forward(x, { lengths }), R);
      assert.ok(fdCheck(loss, x.data, dx) < 1e-6);
      assert.throws(() => ls.forward(x, { lengths: [4, 0, 3] }), /lengths\[1\] = 0 is out of range/);
    });

    test('Dropout: scaled mask in training, identity in eval, same seed same mask, gradient = mask', () => {
      const x = Tensor.from(Array.from({ length: 1000 }, () => 1), [1000], 'float64');
      const a = new Dropout({ p: 0.3, seed: 9, dtype: 'float64', backend });
      const b = new Dropout({ p: 0.3, seed: 9, dtype: 'float64', backend });
      const ya = a.forward(x), yb = b.forward(x);
      assert.deepEqual(Array.from(ya.data), Array.from(yb.data));
      const kept = ya.data.filter((v) => v !== 0);
      for (const v of kept) assert.equal(v, 1 / 0.7);
      assert.ok(kept.length > 620 && kept.length < 780, `kept ${kept.length} of 1000`);
      const dx = a.backward(x);
      assert.deepEqual(Array.from(dx.data), Array.from(ya.data)); // dy = 1 → dx = mask
      assert.throws(() => a.backward(Tensor.zeros([999], 'float64')), /Dropout\.backward: dOut must be \[1000\], got \[999\]/);
      a.eval();
      assert.deepEqual(Array.from(a.forward(x).data), Array.from(x.data));
    });
  });
}
