/**
 * Accuracy measures: cases worked by hand, and, when ../shared/data/m3 is present, the sMAPE
 * and MASE of R's seasonal-naive forecasts (forecasts-monthly.csv) recomputed here equal the
 * values in baselines-monthly.csv (the M3 README's definitions).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { loadM3, M3_DIR } from './helpers.js';
import { coverage, mase, meanAbsoluteError, naiveScale, pinballLoss, rankMethods, ranks, rmse, forecastAccuracy, smape, type Forecast } from '../../src/index.js';

test('sMAPE, MAE, RMSE, MASE worked by hand', () => {
  // |2−3|·200/5 = 40, |4−1|·200/5 = 120 → 80.
  assert.equal(smape([2, 4], [3, 1]), 80);
  assert.equal(smape([0, 1], [0, 1]), 0);
  assert.equal(meanAbsoluteError([2, 4], [3, 1]), 2);
  assert.equal(rmse([2, 4], [3, 1]), Math.sqrt(5));
  // Training part 1, 3, 2, 6 at lag 2: |2−1| + |6−3| = 4 over 2 → scale 2; MAE 2 → MASE 1.
  assert.equal(naiveScale([1, 3, 2, 6], 2), 2);
  assert.equal(mase([2, 4], [3, 1], [1, 3, 2, 6], 2), 1);
  assert.equal(mase([1], [2], [5, 5, 5], 1), Infinity);
  assert.throws(() => mase([1], [1], [1, 2], 2), /more than period = 2 values/);
  assert.throws(() => smape([1, 2], [1]), /equal, non-zero lengths/);
});

test('coverage, pinball loss and ranks worked by hand', () => {
  assert.equal(coverage([1, 5, 10], [0, 6, 9], [2, 7, 10]), 2 / 3);
  // τ = 0.9: y − q = 2 → 1.8; y − q = −1 → 0.1; mean 0.95.
  assert.ok(Math.abs(pinballLoss([3, 1], [1, 2], 0.9) - 0.95) < 1e-15);
  assert.deepEqual(ranks([3, 1, 3, NaN, 2]), [3.5, 1, 3.5, 5, 2]);
  assert.deepEqual({ ...rankMethods({ lstm: 12.1, ets: 13.0, theta: 12.1 }) }, { lstm: 1.5, ets: 3, theta: 1.5 });
  const f: Forecast = { method: 'x', mean: Float64Array.of(2, 2), levels: [80], lower: [Float64Array.of(1, 1)], upper: [Float64Array.of(3, 3)], fitted: new Float64Array(0), residuals: new Float64Array(0), sigma2: 1, aicc: null };
  const s = forecastAccuracy([2, 4], f, [1, 2, 3], 1);
  assert.equal(s.coverage[0], 0.5);
  // τ = 0.1 for the lower bound: (0.1·1 + 0.1·3)/2 = 0.2; τ = 0.9 upper: (0.1·1 + 0.9·1)/2 = 0.5 → 0.35.
  assert.ok(Math.abs(s.pinball[0]! - 0.35) < 1e-15);
});

const m3 = M3_DIR;
test('R seasonal-naive scores on M3 monthly are reproduced (skipped without ../shared/data/m3)', { skip: !existsSync(new URL('baselines-monthly.csv', m3)) }, () => {
  const { train, test: test_ } = loadM3('monthly');
  const forecasts = new Map<string, number[]>();
  for (const line of readFileSync(new URL('forecasts-monthly.csv', m3), 'utf8').trim().split('\n').slice(1)) {
    const [id, method, , v] = line.split(',');
    if (method !== 'snaive') continue;
    if (!forecasts.has(id!)) forecasts.set(id!, []);
    forecasts.get(id!)!.push(Number(v));
  }
  let checked = 0;
  for (const line of readFileSync(new URL('baselines-monthly.csv', m3), 'utf8').trim().split('\n').slice(1)) {
    const [id, method, s, m] = line.split(',');
    if (method !== 'snaive' || checked >= 100) continue;
    assert.ok(Math.abs(smape(test_.get(id!)!, forecasts.get(id!)!) - Number(s)) < 1e-9, `${id} sMAPE`);
    assert.ok(Math.abs(mase(test_.get(id!)!, forecasts.get(id!)!, train.get(id!)!, 12) - Number(m)) < 1e-9, `${id} MASE`);
    checked++;
  }
  assert.equal(checked, 100);
});
