/**
 * ETS against R's forecast 8.20 (fixtures from scripts/gen_stats_fixtures.R): the model ets()
 * chooses, its parameters, AICc, forecasts and intervals on 25 series (bundled data, M3 series,
 * synthetic ones), every model of the default set on two series, the initial states; the
 * additive-seasonal variance checked against the textbook formula; simulated intervals against
 * analytic ones; bad input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ets, fitEts, forecastEts, etsInitialState } from '../../src/index.js';
import { assertClose, fixture } from './helpers.js';

interface RFit {
  method: string; alpha: number; beta: number | null; gamma: number | null; phi: number | null;
  aicc: number; loglik: number; sigma2: number; initstate: number[];
  mean: number[]; lower80: number[]; upper80: number[]; lower95: number[]; upper95: number[];
}
interface Case { name: string; y: number[]; period: number; h: number; r: RFit }
const fx = fixture<{ tiny: { y: number[]; method: string; mean: number[]; upper95: number[] }[]; cases: Case[]; everyModel: { name: string; y: number[]; period: number; h: number; fits: (RFit & { model: string; damped: boolean })[] }[]; initialStates: { name: string; y: number[]; period: number; MAM: number[]; AAA: number[]; ANN: number | number[] }[] }>('ets.json');

/** R's class1() puts γ on the second seasonal state when there is no trend (see src/stats/ets.ts): its variances agree with ours only up to h = m − 1. */
const intervalSteps = (method: string, period: number, h: number): number => (/^ETS\(.,N,A\)$/.test(method) ? Math.min(h, period - 1) : h);

function compare(f: ReturnType<typeof forecastEts>, r: RFit, period: number, what: string): void {
  assert.equal(f.method, r.method, `${what}: model`);
  assertClose([f.model.aicc], [r.aicc], 1e-7, `${what} AICc`);
  assertClose([f.model.loglik], [r.loglik], 1e-7, `${what} loglik`);
  assertClose([f.model.alpha, f.model.beta ?? 0, f.model.gamma ?? 0, f.model.phi ?? 0], [r.alpha, r.beta ?? 0, r.gamma ?? 0, r.phi ?? 0], 1e-4, `${what} parameters`);
  assertClose(f.mean, r.mean, 1e-7, `${what} mean`);
  const k = intervalSteps(r.method, period, r.mean.length);
  assertClose(f.lower[0]!, r.lower80, 1e-7, `${what} lower 80`, k);
  assertClose(f.upper[1]!, r.upper95, 1e-7, `${what} upper 95`, k);
}

test('ets() chooses the same model as R and matches its AICc, parameters, forecasts and intervals', () => {
  assert.ok(fx.cases.length >= 20);
  for (const c of fx.cases) {
    const f = ets(c.y, { period: c.period, horizon: c.h, levels: [80, 95] });
    compare(f, c.r, c.period, c.name);
    assertClose([f.sigma2], [c.r.sigma2], 1e-6, `${c.name} sigma2`);
  }
});

test('every model of the default set matches R on airline passengers and an M3 series', () => {
  for (const s of fx.everyModel) {
    assert.equal(s.fits.length, 15);
    for (const r of s.fits) {
      const model = fitEts(s.y, { period: s.period, model: r.model, damped: r.damped });
      compare(forecastEts(model, s.h, [80, 95]), r, s.period, `${s.name} ${r.method}`);
    }
  }
});

test('initial states match R initstate() (decomposition and, under three seasons, Fourier regression)', () => {
  assert.ok(fx.initialStates.some((c) => c.y.length < 3 * c.period), 'a case for the Fourier path');
  for (const c of fx.initialStates) {
    const y = Float64Array.from(c.y);
    assertClose(etsInitialState(y, 'A', 'M', c.period), c.MAM, 1e-9, `${c.name} MAM`);
    assertClose(etsInitialState(y, 'A', 'A', c.period), c.AAA, 1e-9, `${c.name} AAA`);
    assertClose(etsInitialState(y, 'N', 'N', c.period), [c.ANN].flat(), 1e-9, `${c.name} ANN`); // a 1-vector arrives unboxed
  }
});

test('ETS(A,N,A) variance is the textbook σ²[1 + α²(h−1) + γk(2α+γ)], k = ⌊(h−1)/m⌋ (Hyndman et al. 2008, Table 6.1)', () => {
  const c = fx.cases.find((x) => x.r.method === 'ETS(A,N,A)')!;
  const f = ets(c.y, { period: c.period, horizon: 3 * c.period, levels: [95] });
  const { alpha, sigma2 } = f.model;
  const gamma = f.model.gamma!;
  const z = 1.959963984540054;
  for (let h = 1; h <= 3 * c.period; h++) {
    const k = Math.floor((h - 1) / c.period);
    const v = sigma2 * (1 + alpha * alpha * (h - 1) + gamma * k * (2 * alpha + gamma));
    assertClose([f.upper[0]![h - 1]! - f.mean[h - 1]!], [z * Math.sqrt(v)], 1e-9, `h = ${h}`);
  }
});

test('simulated intervals (seeded) agree with the analytic ones; same seed, same paths', () => {
  const c = fx.cases.find((x) => x.name === 'airline')!;
  const model = fitEts(c.y, { period: 12 });
  const analytic = forecastEts(model, 12, [80, 95]);
  const sim = forecastEts(model, 12, [80, 95], { simulate: true, seed: 3, npaths: 20000 });
  assertClose(sim.mean, analytic.mean, 0.01, 'point forecast vs mean'); // class 3's mean carries a small σ² correction
  assertClose(sim.lower[1]!, analytic.lower[1]!, 0.02, 'lower 95');
  assertClose(sim.upper[1]!, analytic.upper[1]!, 0.02, 'upper 95');
  const again = forecastEts(model, 12, [80, 95], { simulate: true, seed: 3, npaths: 20000 });
  assert.deepEqual(again.upper[0], sim.upper[0]);
});

test('a multiplicative trend (allowed on request) forecasts with simulated intervals', () => {
  const c = fx.cases.find((x) => x.name === 'airline')!;
  const f = ets(c.y, { period: 12, horizon: 6, model: 'MMM', damped: false, seed: 1 });
  assert.equal(f.method, 'ETS(M,M,M)');
  for (let h = 0; h < 6; h++) assert.ok(f.lower[1]![h]! < f.mean[h]! && f.mean[h]! < f.upper[1]![h]!);
});

test('series too short to estimate fall back to Holt / SES by least squares, as R does', () => {
  assert.equal(fx.tiny.length, 3);
  for (const c of fx.tiny) {
    const f = ets(c.y, { horizon: 2 });
    // R minimises the sum of squares by L-BFGS-B, here by Nelder–Mead in the box: optima agree to ~1e-4.
    assertClose(f.mean, c.mean, 1e-3, `${c.y} mean`);
    assertClose(f.upper[1]!, c.upper95, 1e-3, `${c.y} upper 95`);
  }
});

test('a constant series gives a flat forecast with zero-width intervals', () => {
  const f = ets(new Array(30).fill(4.5), { horizon: 3 });
  assert.deepEqual([...f.mean], [4.5, 4.5, 4.5]);
  assert.deepEqual([...f.upper[1]!], [4.5, 4.5, 4.5]);
});

test('bad input is named', () => {
  assert.throws(() => ets([1, 2, NaN, 4, 5, 6, 7, 8], { horizon: 2 }), /ets: y\[2\] is NaN/);
  assert.throws(() => ets([1, 2, 3], { horizon: 0 }), /horizon must be a positive integer/);
  assert.throws(() => ets([1, 2, 3, 4, 5, 6, 7, 8, 9], { horizon: 2, period: 1.5 }), /period must be a positive integer/);
  assert.throws(() => ets([-1, 2, 3, 4, 5, 6, 7, 8, 9], { horizon: 2, model: 'MNN' }), /multiplicative error needs positive data/);
  assert.throws(() => ets([1, 2, 3, 4, 5, 6, 7, 8, 9], { horizon: 2, model: 'XYZ' }), /three letters/);
  assert.throws(() => ets([1, 2, 3, 4, 5, 6, 7, 8, 9], { horizon: 2, levels: [80, 120] }), /level 120 is outside/);
  assert.throws(() => fitEts([], {}), /at least 1 values/);
});
