import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MinMaxScaler, StandardScaler, scalerFromJSON, slidingWindows, windowCount } from '../../src/data/index.js';
import { Tensor } from '../../src/tensor/tensor.js';

test('MinMaxScaler: exact values per feature, inverse, JSON round trip', () => {
  // Two features: column 0 in [0, 4], column 1 in [10, 30].
  const rows = [0, 10, 2, 20, 4, 30];
  const s = new MinMaxScaler().fit(rows, 2);
  assert.deepEqual(s.min, [0, 10]);
  assert.deepEqual(s.max, [4, 30]);
  assert.deepEqual([...s.transform(rows)], [0, 0, 0.5, 0.5, 1, 1]);
  assert.deepEqual([...s.transform([8, 40])], [2, 1.5]); // unseen values extrapolate
  assert.deepEqual([...s.inverse([0.25, 0.75])], [1, 25]);
  assert.deepEqual([...s.inverse([0.5, 1], 1)], [20, 30]); // one feature's values only
  const r = new MinMaxScaler({ range: [-1, 1] }).fit([2, 6]);
  assert.deepEqual([...r.transform([2, 4, 6])], [-1, 0, 1]);
  const back = scalerFromJSON(JSON.parse(JSON.stringify(r)));
  assert.deepEqual([...back.transform([4])], [0]);
  assert.ok(MinMaxScaler.fromJSON(r.toJSON()) instanceof MinMaxScaler);
});

test('StandardScaler: population mean/std, inverse, constant feature', () => {
  const s = new StandardScaler().fit([1, 5, 3, 5, 5, 5], 2);
  assert.deepEqual(s.mean, [3, 5]);
  // std of [1,3,5] = sqrt(8/3); column 1 is constant → std 1.
  assert.equal(s.std[0], Math.sqrt(8 / 3));
  assert.equal(s.std[1], 1);
  const t = s.transform([1, 5, 5, 6]);
  assert.ok(Math.abs(t[0]! + Math.sqrt(1.5)) < 1e-15);
  assert.deepEqual([t[1], t[3]], [0, 1]);
  const inv = s.inverse(t);
  [1, 5, 5, 6].forEach((v, i) => assert.ok(Math.abs(inv[i]! - v) < 1e-12));
  const j = StandardScaler.fromJSON(s.toJSON());
  assert.deepEqual(j.toJSON(), s.toJSON());
  assert.throws(() => scalerFromJSON({ type: 'standard', mean: [0], std: [0] }), /invalid scaler JSON/);
  assert.throws(() => s.fit([1, 2, 3], 2), /not a whole number of rows/);
});

test('slidingWindows: exact windows, stride, multi-step and multivariate targets', () => {
  // Series of 7 rows with 2 features: (t, 10t).
  const rows = Array.from({ length: 7 }, (_, t) => [t, 10 * t]);
  const w = slidingWindows(rows, { lookback: 3, horizon: 2, stride: 2, targetColumns: [1, 0] });
  // M = floor((7 − 5)/2) + 1 = 2 windows starting at 0 and 2.
  assert.deepEqual(w.x.shape, [2, 3, 2]);
  assert.deepEqual(w.y.shape, [2, 4]);
  assert.deepEqual([...w.x.data], [0, 0, 1, 10, 2, 20, 2, 20, 3, 30, 4, 40]);
  assert.deepEqual([...w.y.data], [30, 3, 40, 4, 50, 5, 60, 6]);
  assert.deepEqual([...w.targetStart], [3, 5]);
  const one = slidingWindows(Tensor.from([1, 2, 3, 4]), { lookback: 2, dtype: 'float64' });
  assert.deepEqual([...one.x.data], [1, 2, 2, 3]);
  assert.deepEqual([...one.y.data], [3, 4]);
  assert.equal(windowCount(4, 2, 3), 0);
  assert.throws(() => slidingWindows([1, 2, 3], { lookback: 2, horizon: 2 }), /3 rows are too few for lookback 2 \+ horizon 2/);
  assert.throws(() => slidingWindows(rows, { lookback: 2, targetColumns: [2] }), /target column 2 out of range/);
  // numFeatures is for flat arrays: a flat length that is not whole rows, or a count that contradicts the rows, is an error.
  assert.throws(() => slidingWindows([1, 2, 3, 4, 5], { lookback: 1, numFeatures: 2 }), /5 values are not rows of 2 features/);
  assert.throws(() => slidingWindows(rows, { lookback: 2, numFeatures: 3 }), /numFeatures 3 does not match the series' 2 features per row/);
  assert.equal(slidingWindows([1, 2, 3, 4, 5, 6], { lookback: 1, numFeatures: 2 }).x.shape[2], 2);
});
