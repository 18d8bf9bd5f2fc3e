/**
 * The shared Forecast API: the README example as written (airline passengers, last 18 months
 * held out), and the contract every method keeps: `horizon` values per array, levels sorted,
 * lower < mean < upper, wider intervals at higher levels, in-sample fitted and residuals of n
 * values with y = fitted + residuals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ets, theta, autoArima, detectSeason, forecastAccuracy, type Forecast } from '../../src/index.js';

const y = readFileSync(new URL('../../data/airline-passengers.csv', import.meta.url), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
const train = y.slice(0, 126), test_ = y.slice(126);

test('README example: season, ETS forecast, scores', () => {
  const period = detectSeason(train, { interval: 'month' }) ?? 1;
  assert.equal(period, 12);
  const f = ets(train, { period, horizon: 18, levels: [80, 95] });
  assert.match(f.method, /^ETS\(M,A/);
  assert.equal(f.mean.length, 18);
  assert.ok(f.aicc !== null && Number.isFinite(f.aicc));
  const s = forecastAccuracy(test_, f, train, period);
  assert.ok(s.smape > 0 && s.smape < 10, `sMAPE ${s.smape}`);
  assert.ok(s.mase > 0 && s.mase < 1.5, `MASE ${s.mase}`);
  assert.equal(s.coverage.length, 2);
  assert.ok(s.coverage[1]! >= s.coverage[0]!);
});

test('every method returns the same Forecast shape', () => {
  const fs: Forecast[] = [
    ets(train, { period: 12, horizon: 5, levels: [95, 50] }),
    theta(train, { period: 12, horizon: 5, levels: [95, 50] }),
    autoArima(train, { horizon: 5, levels: [95, 50] }), // non-seasonal: the seasonal search takes seconds
  ];
  for (const f of fs) {
    assert.deepEqual(f.levels, [50, 95], f.method);
    assert.equal(f.lower.length, 2);
    for (let h = 0; h < 5; h++) {
      assert.ok(f.lower[1]![h]! < f.lower[0]![h]! && f.lower[0]![h]! < f.mean[h]! && f.mean[h]! < f.upper[0]![h]! && f.upper[0]![h]! < f.upper[1]![h]!, `${f.method} step ${h}`);
    }
    assert.equal(f.fitted.length, train.length);
    assert.equal(f.residuals.length, train.length);
    for (let t = 0; t < train.length; t++) assert.ok(Math.abs(f.fitted[t]! + f.residuals[t]! - train[t]!) < 1e-6, `${f.method} t = ${t}`);
  }
  assert.equal(fs[1]!.aicc, null);
});
