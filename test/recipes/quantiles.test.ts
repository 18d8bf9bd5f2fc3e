/**
 * The quantile-forecast helpers the combined forecaster uses (src/recipes/forecast/combine.ts): moving a forecast
 * to another point forecast, spreading its quantiles, and calibrating the spread on a hold-out.
 * Expected values are worked by hand; the calibration is checked against a Gaussian whose true
 * spread is known.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, calibrateSpread, calibratedFactors, movePoint, shrinkSpread, spreadQuantiles, type QuantileForecast } from '../../src/index.js';

const levels = [0.25, 0.5, 0.75];
const one = (quantiles: number[], log: boolean): QuantileForecast => ({ levels, log, point: Float64Array.of(quantiles[1]!), quantiles: Float64Array.from(quantiles) });

test('movePoint: log forecasts scale by point/median, others shift by point − median', () => {
  assert.deepEqual(Array.from(movePoint(one([5, 10, 20], true), [20]).quantiles), [10, 20, 40]);
  assert.deepEqual(Array.from(movePoint(one([5, 10, 20], false), [20]).quantiles), [15, 20, 30]);
  assert.throws(() => movePoint(one([5, 10, 20], false), [1, 2]), /2 values for a 1-step forecast/);
  // The median is exactly the new point (0.3·(7/0.3) is 7.000000000000001 in floating point).
  const moved = movePoint(one([0.2, 0.3, 0.5], true), [7]);
  assert.equal(moved.quantiles[1], 7);
  assert.equal(moved.quantiles[1], moved.point[0]);
});

test('spreadQuantiles: m + k·(q − m), or m·(q/m)^k in log units; the median stays; crossing ones are sorted', () => {
  assert.deepEqual(Array.from(spreadQuantiles(one([8, 10, 13], false), [2, 1, 0.5]).quantiles), [6, 10, 11.5]);
  assert.deepEqual(Array.from(spreadQuantiles(one([5, 10, 20], true), [2, 1, 2]).quantiles), [2.5, 10, 40]);
  // A negative factor would put the upper quantile below the median: sorted back into order.
  assert.deepEqual(Array.from(spreadQuantiles(one([8, 10, 13], false), [1, 1, -1]).quantiles), [7, 8, 10]);
});

test('calibrateSpread: quantiles half as wide as the truth get factors near 2, right ones near 1', () => {
  // Actual values ~ N(0, 1); the forecasts claim N(0, 0.5²): their quartiles ±0.5·0.6745.
  const rng = new Rng(3);
  const z = 0.6744897501960817;
  const actual = Array.from({ length: 4000 }, () => [rng.normal(), rng.normal()]);
  const narrow = actual.map(() => ({ levels, log: false, point: Float64Array.of(0, 0), quantiles: Float64Array.of(-0.5 * z, 0, 0.5 * z, -0.5 * z, 0, 0.5 * z) }));
  const k = calibrateSpread(narrow, actual);
  assert.equal(k[1], 1);
  assert.ok(Math.abs(k[0]! - 2) < 0.1 && Math.abs(k[2]! - 2) < 0.1, `factors ${Array.from(k).join(', ')}`);
  const right = narrow.map((f) => ({ ...f, quantiles: f.quantiles.map((v) => 2 * v) }));
  const k1 = calibrateSpread(right, actual);
  assert.ok(Math.abs(k1[0]! - 1) < 0.05 && Math.abs(k1[2]! - 1) < 0.05, `factors ${Array.from(k1).join(', ')}`);
});

test('shrinkSpread: log k scaled by n/(n + prior), worked by hand; calibratedFactors counts a window of H as √H values', () => {
  // n = 10, prior 10: half of each log: 4 → 2, 0.25 → 0.5, 1 stays.
  assert.deepEqual(Array.from(shrinkSpread([4, 1, 0.25], 10, 10)), [2, 1, 0.5]);
  assert.deepEqual(Array.from(shrinkSpread([4, 1, 0.25], 0, 10)), [1, 1, 1]);
  // One window of 4 values (n = √4 = 2, prior 2: w = ½) whose values all fall on the 0.9 quantile's side.
  const f: QuantileForecast = { levels: [0.1, 0.5, 0.9], log: false, point: Float64Array.of(0, 0, 0, 0), quantiles: Float64Array.of(-1, 0, 1, -1, 0, 1, -1, 0, 1, -1, 0, 1) };
  const actual = [Float64Array.of(0.5, 0.6, 0.7, 0.8)];
  const raw = calibrateSpread([f], actual), shrunk = calibratedFactors([f], actual, 2);
  raw.forEach((k, q) => assert.ok(Math.abs(shrunk[q]! - Math.sqrt(k)) < 1e-12, `level ${q}: ${shrunk[q]} vs √${k}`));
});
