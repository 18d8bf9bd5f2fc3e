/**
 * ARIMA against R (fixtures from scripts/gen_stats_fixtures.R): fixed-order fits of
 * stats::arima / forecast::Arima (CSS-ML, ML, CSS; seasonal, drift, mean) to 1e-5 in
 * coefficients, log-likelihood, AICc, forecasts and intervals; auto.arima()'s chosen model, AICc
 * and forecasts; the KPSS statistic, ndiffs, nsdiffs, the STL seasonal strength and STL itself;
 * the stationary covariance checked against its defining equation. auto.arima on the long
 * seasonal series takes tens of seconds on a loaded 2-core machine, so CI runs a subset; set
 * STATS_FULL=1 for all of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoArima, fitArima, forecastArima, kpssStatistic, ndiffs, nsdiffs, seasonalStrength, stl, stationaryCovariance, type ArimaOrder, type ArimaRegressor, type ArimaMethod } from '../../src/index.js';
import { assertClose, fixture } from './helpers.js';

interface RArima { method: string; coef: number[] | number; aicc: number; loglik: number; sigma2: number; mean: number[]; lower80: number[]; upper95: number[] }
const fx = fixture<{
  cases: { name: string; y: number[]; period: number; h: number; r: RArima }[];
  fixed: { name: string; y: number[]; order: number[]; regressor: ArimaRegressor; method: ArimaMethod; r: RArima }[];
  tests: { name: string; y: number[]; period: number; kpss: number; ndiffs: number; nsdiffs: number; strength: number | null }[];
  stl: { name: string; y: number[]; period: number; seasonal: number[]; trend: number[] }[];
}>('arima.json');

const coefOf = (r: RArima): number[] => [r.coef].flat(); // a 1-vector arrives unboxed

test('fixed-order fits match stats::arima / Arima: coefficients, log-likelihood, AICc, forecasts, intervals', () => {
  for (const c of fx.fixed) {
    const [p, d, q, P, D, Q, period] = c.order as [number, number, number, number, number, number, number];
    const order: ArimaOrder = { p, d, q, P, D, Q, period };
    const model = fitArima(c.y, order, { regressor: c.regressor, method: c.method });
    const f = forecastArima(model, c.r.mean.length, [80, 95]);
    assert.equal(f.method, c.r.method, c.name);
    assertClose(model.coef, coefOf(c.r), 1e-4, `${c.name} coef`);
    if (c.method !== 'CSS') {
      assertClose([model.loglik], [c.r.loglik], 1e-7, `${c.name} loglik`);
      assertClose([model.aicc], [c.r.aicc], 1e-7, `${c.name} AICc`);
    }
    assertClose([model.sigma2], [c.r.sigma2], 1e-4, `${c.name} sigma2`);
    assertClose(f.mean, c.r.mean, 1e-5, `${c.name} mean`);
    assertClose(f.lower[0]!, c.r.lower80, 1e-5, `${c.name} lower 80`);
    assertClose(f.upper[1]!, c.r.upper95, 1e-5, `${c.name} upper 95`);
  }
});

/** The cases CI runs: every quarterly, yearly and non-seasonal one, and monthly/daily ones that cover the approximation path (n > 150), seasonal differencing and drift. */
const QUICK = new Set(['sunspots-last-240', 'min-temperature-last-365', 'shampoo', 'M3-N1530', 'M3-N1324', 'M3-N1671', 'M3-N1700']);
const quick = (c: { name: string; period: number }): boolean => process.env.STATS_FULL === '1' || c.period <= 4 || QUICK.has(c.name);

test('auto.arima chooses R\'s model with R\'s AICc and forecasts', () => {
  const cases = fx.cases.filter(quick);
  assert.ok(cases.length >= 14, `${cases.length} cases`);
  for (const c of cases) {
    const f = autoArima(c.y, { period: c.period, horizon: c.h });
    assert.equal(f.method, c.r.method, c.name);
    assertClose([f.aicc!], [c.r.aicc], 1e-6, `${c.name} AICc`);
    assertClose(f.mean, c.r.mean, 1e-4, `${c.name} mean`);
    assertClose(f.upper[1]!, c.r.upper95, 1e-4, `${c.name} upper 95`);
  }
});

test('KPSS statistic, ndiffs, nsdiffs and the seasonal strength match R', () => {
  for (const c of fx.tests) {
    assertClose([kpssStatistic(c.y, Math.trunc((3 * Math.sqrt(c.y.length)) / 13))], [c.kpss], 1e-10, `${c.name} KPSS`);
    assert.equal(ndiffs(c.y), c.ndiffs, `${c.name} ndiffs`);
    if (c.period > 1 && c.y.length > 2 * c.period) {
      assert.equal(nsdiffs(c.y, c.period), c.nsdiffs, `${c.name} nsdiffs`);
      assertClose([seasonalStrength(c.y, c.period)], [c.strength!], 1e-9, `${c.name} strength`);
    }
  }
});

test('stl matches stats::stl(s.window = 11)', () => {
  for (const c of fx.stl) {
    const s = stl(c.y, c.period, { sWindow: 11 });
    assertClose(s.seasonal, c.seasonal, 1e-10, `${c.name} seasonal`);
    assertClose(s.trend, c.trend, 1e-10, `${c.name} trend`);
  }
});

test('the stationary covariance solves Q = T Q Tᵀ + RRᵀ (seasonal ARMA, expanded to r = 26)', () => {
  // φ(B) = (1 − 0.5B)(1 − 0.7B^12), θ(B) = (1 + 0.3B)(1 − 0.4B^12 + 0.2B^24).
  const phi = new Array(13).fill(0), theta = new Array(25).fill(0);
  phi[0] = 0.5; phi[11] = 0.7; phi[12] = -0.35;
  theta[0] = 0.3; theta[11] = -0.4; theta[12] = -0.12; theta[23] = 0.2; theta[24] = 0.06;
  const r = 26;
  const Q = stationaryCovariance(phi, theta);
  const T = new Float64Array(r * r);
  for (let i = 0; i < phi.length; i++) T[i * r] = phi[i];
  for (let i = 0; i + 1 < r; i++) T[i * r + i + 1] = 1;
  const R = [1, ...theta];
  let worst = 0, scale = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < r; j++) {
      let tqt = 0;
      for (let k = 0; k < r; k++) for (let l = 0; l < r; l++) tqt += T[i * r + k]! * Q[k * r + l]! * T[j * r + l]!;
      worst = Math.max(worst, Math.abs(Q[i * r + j]! - tqt - R[i]! * R[j]!));
      scale = Math.max(scale, Math.abs(Q[i * r + j]!));
    }
  }
  assert.ok(worst <= 1e-12 * scale, `residual ${worst} (scale ${scale})`);
  // AR(1): Var = 1/(1 − φ²), worked by hand.
  assert.ok(Math.abs(stationaryCovariance([0.6], [])[0]! - 1 / 0.64) < 1e-15);
});

test('bad input is named', () => {
  assert.throws(() => autoArima([1, 2, Infinity, 4], { horizon: 2 }), /autoArima: y\[2\] is Infinity/);
  assert.throws(() => autoArima([1, 2, 3, 4], { horizon: 2, period: 0 }), /period must be a positive integer/);
  assert.throws(() => autoArima([1, 2, 3, 4], { horizon: -1 }), /horizon must be a positive integer/);
});
