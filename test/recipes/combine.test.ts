/**
 * The validated combination (src/recipes/forecast/combine.ts): the weight grid counted by hand,
 * weights recovered where the right answer is known by construction, interval calibration that
 * reaches nominal coverage on fresh synthetic data, the pool's fall-back, forecastPanel's default
 * method, and bad input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Rng, simplexGrid, weightedPoint, shrinkWeights, chooseWeights, fitCombination, applyCombination, baselinePoint, intervalCoverage, forecastPanel, theta, ets, etsForm,
  type QuantileForecast,
} from '../../src/index.js';

test('simplexGrid: C(n + K − 1, K − 1) non-negative tenths summing to 1', () => {
  const g3 = simplexGrid(3);
  assert.equal(g3.length, 66); // C(12, 2)
  assert.equal(simplexGrid(2).length, 11);
  assert.equal(simplexGrid(4).length, 286); // C(13, 3)
  for (const w of g3) {
    assert.ok(w.every((v) => v >= 0));
    assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-12, w.join('/'));
  }
  assert.deepEqual(simplexGrid(1), [[1]]);
  assert.deepEqual(simplexGrid(2, 0.5), [[1, 0], [0.5, 0.5], [0, 1]]);
});

/** N random-walk series of n + H values (positive), split into the part before the window and the window. */
function walks(N: number, n: number, H: number, seed: number): { train: Float64Array[]; actual: Float64Array[] } {
  const rng = new Rng(seed), train: Float64Array[] = [], actual: Float64Array[] = [];
  for (let i = 0; i < N; i++) {
    const y = new Float64Array(n + H);
    y[0] = 100 + 10 * i;
    for (let t = 1; t < y.length; t++) y[t] = y[t - 1]! + rng.normal();
    train.push(y.slice(0, n));
    actual.push(y.slice(n));
  }
  return { train, actual };
}

test('chooseWeights: recovers 0.3/0.7/0 when 0.3·A + 0.7·B is exactly the actual path and C is noise', () => {
  const H = 6, { train, actual } = walks(30, 40, H, 1);
  const rng = new Rng(2);
  // A = y + e, B = y − (3/7)·e: 0.3·A + 0.7·B = y; each alone is off by e or 3e/7.
  const A: Float64Array[] = [], B: Float64Array[] = [], C: Float64Array[] = [];
  for (const y of actual) {
    const e = Float64Array.from({ length: H }, () => 3 * rng.normal());
    A.push(y.map((v, h) => v + e[h]!));
    B.push(y.map((v, h) => v - (3 / 7) * e[h]!));
    C.push(y.map((v) => v + 5 * rng.normal()));
  }
  const w = chooseWeights({ methods: ['a', 'b', 'c'], forecasts: [A, B, C], actual, train, period: 1 }, undefined, 0); // prior 0: the grid point itself
  assert.deepEqual(w.weights.map((v) => Math.round(10 * v) / 10), [0.3, 0.7, 0]);
  assert.deepEqual(w.weights, w.grid);
  assert.ok(w.smape < 1e-9 && w.mase < 1e-9, `the exact combination scores 0, got ${w.smape}, ${w.mase}`);
  assert.ok(w.members.a!.smape > 0 && w.members.b!.smape > 0 && w.members.c!.smape > w.members.b!.smape);
  assert.equal(w.series, 30);
  // weightedPoint is the combination the weights describe.
  assert.deepEqual(Array.from(weightedPoint([[1, 2], [3, 4]], [0.25, 0.75])), [2.5, 3.5]);
});

test('chooseWeights: a member that is the truth takes all the weight; series with a constant training part are left out', () => {
  const H = 4, { train, actual } = walks(10, 20, H, 5);
  const naive = train.map((y) => new Float64Array(H).fill(y[y.length - 1]!));
  const flatTrain = [...train, new Float64Array(20).fill(3)], flatActual = [...actual, new Float64Array(H).fill(3)];
  const w = chooseWeights({ methods: ['naive', 'oracle'], forecasts: [[...naive, new Float64Array(H).fill(3)], [...actual, new Float64Array(H).fill(3)]], actual: flatActual, train: flatTrain, period: 1 });
  assert.deepEqual(w.grid, [0, 1]);
  assert.equal(w.series, 10);
});

/** Forecasts claiming N(point, (s·σ)²) quantiles when the truth is N(point, σ²). */
function gaussianCase(N: number, H: number, s: number, seed: number): { lstm: QuantileForecast[]; actual: Float64Array[]; train: Float64Array[]; pool: Float64Array[] } {
  const levels = [0.025, 0.1, 0.5, 0.9, 0.975], z = [-1.959964, -1.281552, 0, 1.281552, 1.959964];
  const rng = new Rng(seed), lstm: QuantileForecast[] = [], actual: Float64Array[] = [], train: Float64Array[] = [], pool: Float64Array[] = [];
  for (let i = 0; i < N; i++) {
    const mu = 50 + i, sigma = 2;
    const point = new Float64Array(H).fill(mu);
    const quantiles = new Float64Array(H * 5);
    for (let h = 0; h < H; h++) for (let q = 0; q < 5; q++) quantiles[h * 5 + q] = mu + s * sigma * z[q]!;
    lstm.push({ levels, log: false, point, quantiles });
    actual.push(Float64Array.from({ length: H }, () => mu + sigma * rng.normal()));
    train.push(Float64Array.from({ length: 24 }, (_, t) => mu + Math.sin(t)));
    pool.push(new Float64Array(H).fill(mu + 3)); // a biased member: gets no weight
  }
  return { lstm, actual, train, pool };
}

test('fitCombination: intervals half as wide as the truth are spread to nominal coverage on fresh data', () => {
  const val = gaussianCase(400, 6, 0.5, 11);
  const c = fitCombination(val.lstm, { theta: val.pool }, val.actual, val.train, 1);
  assert.deepEqual(c.methods, ['lstm-ts', 'theta']);
  assert.deepEqual(c.grid, [1, 0]);
  assert.ok(c.weights[0]! > 0.99, `400 windows keep the grid's weights within 0.01, got ${c.weights.join('/')}`);
  assert.equal(c.spread[2], 1);
  for (const k of [c.spread[0]!, c.spread[1]!, c.spread[3]!, c.spread[4]!]) assert.ok(Math.abs(k - 2) < 0.25, `spread ${c.spread.join(', ')}`);
  // Before: 80 % intervals cover about 47 % (±0.64σ); after, on data the calibration never saw: nominal ± 3 points.
  const test = gaussianCase(400, 6, 0.5, 12);
  assert.ok(intervalCoverage(test.lstm, test.actual, 0.8) < 0.6);
  const out = applyCombination(c, test.lstm, { theta: test.pool });
  for (const level of [0.8, 0.95]) {
    const cov = intervalCoverage(out, test.actual, level);
    assert.ok(Math.abs(cov - level) < 0.03, `coverage ${cov} at ${level}`);
  }
});

/** Two unbiased members with independent errors of sd sA and sB on N windows of H values. */
function twinMembers(N: number, H: number, rng: Rng, sA = 3, sB = 3): { train: Float64Array[]; actual: Float64Array[]; A: Float64Array[]; B: Float64Array[] } {
  const train: Float64Array[] = [], actual: Float64Array[] = [], A: Float64Array[] = [], B: Float64Array[] = [];
  for (let i = 0; i < N; i++) {
    const y = Float64Array.from({ length: H }, () => 100 + rng.normal());
    train.push(Float64Array.from({ length: 24 }, (_, t) => 100 + Math.sin(t)));
    actual.push(y);
    A.push(y.map((v) => v + sA * rng.normal()));
    B.push(y.map((v) => v + sB * rng.normal()));
  }
  return { train, actual, A, B };
}

test('chooseWeights: thin validation shrinks the grid\'s choice toward equal weights; ample validation keeps it (within 0.01)', () => {
  const rng = new Rng(21);
  // Thin: one series, one window of 12 (n = √12 ≈ 3.46 values): w = (n·grid + 10·½)/(n + 10), by hand.
  const thin = twinMembers(1, 12, rng);
  const v = { methods: ['a', 'b'], forecasts: [thin.A, thin.B], actual: thin.actual, train: thin.train, period: 1 };
  const t = chooseWeights(v);
  assert.ok(Math.abs(t.points - Math.sqrt(12)) < 1e-12);
  const a = Math.sqrt(12) / (Math.sqrt(12) + 10);
  t.weights.forEach((w, k) => assert.ok(Math.abs(w - (a * t.grid[k]! + (1 - a) / 2)) < 1e-12, `weight ${k}: ${w}`));
  assert.notDeepEqual(t.weights, t.grid);
  assert.deepEqual(chooseWeights(v, undefined, 0).weights, t.grid);
  // The scores reported are those of the weights used.
  const used = chooseWeights({ ...v, methods: ['c'], forecasts: [thin.A.map((x, i) => weightedPoint([x, thin.B[i]!], t.weights))] });
  assert.ok(Math.abs(t.smape - used.smape) < 1e-12 && Math.abs(t.mase - used.mase) < 1e-12);
  // Ample: 1,428 windows of 18 (an M3 monthly panel's hold-out): n ≈ 6,058, every weight within 0.01 of the grid's.
  const big = twinMembers(1428, 18, rng, 3, 2);
  const b = chooseWeights({ methods: ['a', 'b'], forecasts: [big.A, big.B], actual: big.actual, train: big.train, period: 1 });
  assert.ok(Math.abs(b.points - 1428 * Math.sqrt(18)) < 1e-6);
  assert.ok(b.grid[0]! <= 0.4, `B is the better member: ${b.grid.join('/')}`);
  b.weights.forEach((w, k) => assert.ok(Math.abs(w - b.grid[k]!) < 0.01, `ample: ${b.grid.join('/')} → ${b.weights.join('/')}`));
  assert.deepEqual(shrinkWeights([1, 0, 0], 0, 10), [1 / 3, 1 / 3, 1 / 3]);
  assert.deepEqual(shrinkWeights([0.6, 0.4], 5, 0), [0.6, 0.4]);
  assert.throws(() => shrinkWeights([1], -1), /points and prior must be ≥ 0/);
});

test('chooseWeights: on one window of 12, the shrunk weights have less expected error than the grid\'s choice (300 draws)', () => {
  // The combination puzzle: member B is a little better (error sd 2.5 against 3, best weight on A
  // 6.25/15.25 = 0.41), but one window picks mostly noise. A combination w·A + (1 − w)·B of
  // independent unbiased errors has expected squared error 9·w² + 6.25·(1 − w)² (by hand).
  const rng = new Rng(22), risk = (w: number): number => 9 * w * w + 6.25 * (1 - w) ** 2;
  let shrunk = 0, raw = 0;
  for (let r = 0; r < 300; r++) {
    const val = twinMembers(1, 12, rng, 3, 2.5);
    const c = chooseWeights({ methods: ['a', 'b'], forecasts: [val.A, val.B], actual: val.actual, train: val.train, period: 1 });
    shrunk += risk(c.weights[0]!) / 300;
    raw += risk(c.grid[0]!) / 300;
  }
  assert.ok(shrunk < 0.97 * raw, `expected squared error: shrunk ${shrunk}, grid ${raw} (best ${risk(6.25 / 15.25)})`);
});

test('applyCombination: point Σ w·forecast, the LSTM\'s quantiles moved to it (median = point), sorted', () => {
  const lstm: QuantileForecast = { levels: [0.1, 0.5, 0.9], log: true, point: Float64Array.of(10, 20), quantiles: Float64Array.of(8, 10, 12.5, 15, 20, 25) };
  const c = { methods: ['lstm-ts', 'theta', 'ets'], weights: [0.5, 0.3, 0.2], grid: [0.5, 0.3, 0.2], points: 1, spread: [1, 1, 1], score: 0, smape: 0, mase: 0, members: {}, series: 1 };
  const [f] = applyCombination(c, [lstm], { ets: [Float64Array.of(30, 30)], theta: [Float64Array.of(20, 40)] });
  // Step 1: 0.5·10 + 0.3·20 + 0.2·30 = 17; step 2: 0.5·20 + 0.3·40 + 0.2·30 = 28 (by hand).
  assert.deepEqual(Array.from(f!.point, (v) => +v.toFixed(12)), [17, 28]);
  assert.equal(f!.quantiles[1], f!.point[0]);
  assert.equal(f!.quantiles[4], f!.point[1]);
  // Log forecasts move by ratio: 8·17/10, 12.5·17/10.
  assert.ok(Math.abs(f!.quantiles[0]! - 13.6) < 1e-9 && Math.abs(f!.quantiles[2]! - 21.25) < 1e-9);
  assert.throws(() => applyCombination(c, [lstm], { theta: [Float64Array.of(20, 40)] }), /need 1 "ets" forecasts, got none/);
});

test('baselinePoint: our theta and ets as the backtest fits them; a fit that cannot be made falls back to the last value', () => {
  const y = Float64Array.from({ length: 48 }, (_, t) => 100 + t + 10 * Math.sin((2 * Math.PI * t) / 12));
  assert.deepEqual(Array.from(baselinePoint('theta', y, 6, 12).mean), Array.from(theta(y, { horizon: 6, period: 12 }).mean));
  assert.deepEqual(Array.from(baselinePoint('ets', y, 6, 12).mean), Array.from(ets(y, { horizon: 6, period: 12 }).mean));
  assert.equal(baselinePoint('arima', y, 6, 12).fellBack, false);
  const bad = baselinePoint('ets', [5, Infinity, 7], 3, 12); // ets refuses a non-finite value
  assert.equal(bad.fellBack, true);
  assert.deepEqual(Array.from(bad.mean), [7, 7, 7]);
  assert.throws(() => baselinePoint('prophet' as 'ets', y, 3, 12), /unknown pool method "prophet"/);
});

test('bad input: clear errors naming what is wrong', () => {
  const { train, actual } = walks(3, 10, 2, 9);
  const f = actual.map((a) => Float64Array.from(a));
  const v = { methods: ['a', 'b'], forecasts: [f, f], actual, train, period: 1 };
  assert.throws(() => chooseWeights({ ...v, forecasts: [f] }), /1 forecast lists for 2 members/);
  assert.throws(() => chooseWeights({ ...v, forecasts: [f, f.slice(1)] }), /member "b" has 2 forecasts for 3 series/);
  assert.throws(() => chooseWeights({ ...v, forecasts: [f, [f[0]!, Float64Array.of(1, NaN), f[2]!]] }), /series 1: member "b" step 2 is NaN; forecasts must be finite/);
  assert.throws(() => chooseWeights({ ...v, forecasts: [f, [f[0]!, Float64Array.of(1), f[2]!]] }), /series 1: member "b" gives 1 steps, the window has 2/);
  assert.throws(() => chooseWeights({ ...v, actual: [], train: [], forecasts: [[], []] }), /no validation series/);
  assert.throws(() => chooseWeights({ ...v, train: train.map((t) => new Float64Array(t.length).fill(1)) }), /constant training part/);
  assert.throws(() => simplexGrid(3, 0.3), /weight step must be 1\/n/);
  assert.throws(() => simplexGrid(0), /1\.\.8 members/);
});

test('forecastPanel: combined by default (LSTM and pool weights summing to 1, applied to the full-series fits); method lstm gives the LSTM alone', async () => {
  const series = Array.from({ length: 3 }, (_, k) => ({ id: `s${k}`, values: Float64Array.from({ length: 40 }, (_, t) => 20 + 5 * k + 0.3 * t + 4 * Math.sin((2 * Math.PI * t) / 12) + Math.sin(5.1 * t + k)) }));
  // A series that turns upward in its last 4 values: ETS(M,N,M) on the hold-out's 36, ETS(A,Ad,N) when searched on all 40.
  series.push({ id: 'turn', values: Float64Array.from({ length: 40 }, (_, t) => 30 + 4 * Math.sin((2 * Math.PI * t) / 12) + Math.sin(5.1 * t + 3) + (t >= 36 ? 4 * (t - 35) : 0)) });
  assert.notEqual(ets(series[3]!.values, { horizon: 4, period: 12 }).method, ets(series[3]!.values.subarray(0, 36), { horizon: 4, period: 12 }).method);
  const tiny = { horizon: 4, period: 12, epochs: 2, ensemble: 1, hidden: 8, windowsPerSeries: 16, baselines: ['naive' as const, 'theta' as const, 'ets' as const] };
  const c = await forecastPanel(series, tiny);
  assert.deepEqual(c.combination!.methods, ['lstm-ts', 'theta', 'ets']);
  assert.ok(Math.abs(c.combination!.weights.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.deepEqual(Object.keys(c.pool), ['theta', 'ets']);
  series.forEach((s, i) => {
    // ETS refitted on the full series in the form it chose on the hold-out (etsForm), its parameters re-estimated.
    const form = c.holdout!.final!.etsForms[c.holdout!.final!.index.indexOf(i)]!;
    assert.deepEqual(form, ets(s.values.subarray(0, 36), { horizon: 4, period: 12 }).model.components);
    const want = weightedPoint([c.lstm[i]!.point, theta(s.values, { horizon: 4, period: 12 }).mean, ets(s.values, { horizon: 4, period: 12, ...etsForm(form) }).mean], c.combination!.weights);
    c.forecasts[i]!.point.forEach((v, h) => assert.ok(Math.abs(v - want[h]!) < 1e-9 * Math.abs(want[h]!), `series ${i} step ${h}: ${v} vs ${want[h]}`));
  });
  const l = await forecastPanel(series, { ...tiny, method: 'lstm' });
  assert.equal(l.combination, null);
  assert.deepEqual(l.forecasts.map((f) => Array.from(f.point)), c.lstm.map((f) => Array.from(f.point))); // same seed, same LSTM
  const none = await forecastPanel(series, { ...tiny, holdout: false });
  assert.equal(none.combination, null);
  await assert.rejects(forecastPanel(series, { ...tiny, holdout: false, method: 'combined' }), /weights are chosen on the hold-out/);
  await assert.rejects(forecastPanel(series, { ...tiny, pool: ['prophet' as 'ets'] }), /unknown pool method "prophet"/);
});
