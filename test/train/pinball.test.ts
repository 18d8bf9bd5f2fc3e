/**
 * The pinball (quantile) loss: a case worked by hand, float64 central differences of its
 * gradient with respect to the prediction, the property that makes it a quantile loss (its
 * minimiser over a constant is the sample quantile), the mask, and its errors. The gradient
 * check through a whole LSTM model is in test/nn/sequential.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, Tensor, makeLoss, pinball } from '../../src/index.js';
import { centralDiff } from '../helpers/gradcheck.js';

test('pinball: a case worked by hand', () => {
  // Levels 0.1 and 0.9, one target t = 2, predictions 1 and 3.
  //   τ = 0.1: u = t − p = 1 > 0  → ρ = 0.1·1 = 0.1,          ∂ρ/∂p = −0.1
  //   τ = 0.9: u = 2 − 3 = −1 < 0 → ρ = (0.9 − 1)·(−1) = 0.1, ∂ρ/∂p = 1 − 0.9 = 0.1
  // Mean over the 2 predictions: 0.1; gradient divided by 2: [−0.05, 0.05].
  const loss = pinball({ quantiles: [0.1, 0.9] });
  const v = loss.forward(Tensor.from([[1, 3]], undefined, 'float64'), Tensor.from([[2]], undefined, 'float64'));
  assert.ok(Math.abs(v - 0.1) < 1e-15, `loss ${v}`);
  const g = loss.backward();
  assert.deepEqual(g.shape, [1, 2]);
  assert.ok(Math.abs(g.data[0]! + 0.05) < 1e-15 && Math.abs(g.data[1]! - 0.05) < 1e-15, `gradient ${Array.from(g.data)}`);
  assert.equal(loss.lastCount(), 2);
});

test('pinball: float64 gradient against central differences (layout: quantile fastest, rows masked)', () => {
  const rng = new Rng(3);
  const R = 5, H = 4, taus = [0.025, 0.1, 0.5, 0.9, 0.975], Q = taus.length;
  const pred = Tensor.zeros([R, H * Q], 'float64');
  const target = Tensor.zeros([R, H], 'float64');
  // Targets and predictions drawn apart, so no prediction sits within ε of its kink.
  for (let i = 0; i < target.size; i++) target.data[i] = rng.uniform(-2, 2);
  for (let i = 0; i < pred.size; i++) pred.data[i] = target.data[Math.floor(i / Q)]! + (rng.random() < 0.5 ? -1 : 1) * rng.uniform(0.01, 1);
  const mask = [1, 0, 1, 1, 0];
  const loss = pinball({ quantiles: taus });
  loss.forward(pred, target, mask);
  const g = Float64Array.from(loss.backward().data);
  const probe = pinball({ quantiles: taus });
  let worst = 0;
  for (let i = 0; i < pred.size; i++) {
    const num = centralDiff(() => probe.forward(pred, target, mask), pred.data, i, 1e-6);
    worst = Math.max(worst, Math.abs(num - g[i]!));
    if (!mask[Math.floor(i / (H * Q))]) assert.equal(g[i], 0, `masked row has gradient at ${i}`);
  }
  assert.ok(worst < 1e-9, `largest |analytic − numeric| ${worst}`);
});

test('pinball: the constant that minimises it is the sample quantile', () => {
  // 101 values 0..100 (shuffled): the τ-quantile minimiser of Σρ_τ(t − p) is the value of rank ⌈101τ⌉.
  const rng = new Rng(5);
  const values = Array.from({ length: 101 }, (_, i) => i);
  rng.shuffle(values);
  const target = Tensor.from(values, [101, 1], 'float64');
  for (const tau of [0.1, 0.5, 0.9]) {
    const loss = pinball({ quantiles: [tau] });
    let best = NaN, bestLoss = Infinity;
    for (let p = -10; p <= 110; p += 0.5) {
      const v = loss.forward(Tensor.from(new Array(101).fill(p), [101, 1], 'float64'), target);
      if (v < bestLoss - 1e-12) [best, bestLoss] = [p, v];
    }
    assert.equal(best, Math.ceil(101 * tau) - 1, `τ = ${tau}`);
  }
});

test('pinball: by name, and clear errors', () => {
  assert.equal(makeLoss('pinball').name, 'pinball');
  assert.throws(() => pinball({ quantiles: [0.5, 1] }), /every quantile level must be in \(0, 1\), got 1/);
  assert.throws(() => pinball({ quantiles: [] }), /non-empty/);
  const loss = pinball({ quantiles: [0.1, 0.9] });
  assert.throws(() => loss.forward(Tensor.zeros([2, 3]), Tensor.zeros([2, 2])), /must hold 2 quantiles per target value/);
});
