// Calibrated intervals and the cheaper panel path: fitCalibrated widens quantiles that are too
// narrow by construction (noise that grows near the end of every series, which windows from the
// whole series under-represent) and coverage on values no model saw rises; fine-tuning copies
// the members and is deterministic; forecastPanel gives the same forecasts for the same seed;
// spread factors survive a save and load; the panel's season is voted on by many series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Rng, backtestPanel, cutSeries, detectPanelSeason, fineTuneGlobalForecaster, fitCalibrated, fitGlobalForecaster, forecastPanel, intervalCoverage,
  loadGlobalForecaster, saveGlobalForecaster, validateOn,
} from '../../src/index.js';

const TINY = { epochs: 20, ensemble: 1, hidden: 8, windowsPerSeries: 16 } as const;

/** 24 series of 100 values: level + noise whose standard deviation triples for the last 40 values. */
function growingNoise(seed: number): { id: string; values: Float64Array }[] {
  const rng = new Rng(seed);
  return Array.from({ length: 24 }, (_, i) => {
    const level = 10 + i;
    return { id: `s${i}`, values: Float64Array.from({ length: 100 }, (_, t) => level + (t < 60 ? 0.3 : 0.9) * rng.normal()) };
  });
}

test('fitCalibrated: quantiles too narrow for the recent noise are widened, and coverage on unseen values rises', async () => {
  const H = 4;
  const panel = growingNoise(1);
  const train = panel.map((s) => cutSeries(s, 96, H));
  const actual = panel.map((s) => s.values.slice(96, 100));
  const fitted = await fitCalibrated(train, { horizon: H, quantiles: [0.1, 0.5, 0.9], transform: 'none', seed: 3, ...TINY });
  const spread = fitted.forecaster.spread!;
  assert.ok(spread[0]! > 1.2 && spread[2]! > 1.2 && spread[1] === 1, `spread factors ${spread.join(', ')}`);
  // The validation pool: 24 series × r = ⌈240 / (24·4)⌉ = 3 origins each.
  assert.equal(fitted.pool.forecasts.length, 24 * 3);
  const raw = intervalCoverage(fitted.forecaster.withSpread(null).forecast(train), actual, 0.8);
  const calibrated = intervalCoverage(fitted.forecaster.forecast(train), actual, 0.8);
  assert.ok(calibrated > raw + 0.1, `80 % coverage raw ${raw}, calibrated ${calibrated}`);
  assert.ok(Math.abs(calibrated - 0.8) < Math.abs(raw - 0.8), `calibrated ${calibrated} should be nearer 0.8 than raw ${raw}`);
});

test('backtestPanel: calibrated coverage is nearer nominal than with calibrate: false on the same data', async () => {
  const panel = growingNoise(2);
  const opts = { horizon: 4, origins: 2, quantiles: [0.1, 0.5, 0.9], transform: 'none', baselines: ['naive'], seed: 5, ...TINY } as const;
  const on = await backtestPanel(panel, opts);
  const off = await backtestPanel(panel, { ...opts, calibrate: false });
  const cov = (r: typeof on): number => r.overall['lstm-ts']!.coverage[0]!;
  assert.ok(cov(on) > cov(off), `80 % coverage calibrated ${cov(on)}, raw ${cov(off)}`);
  assert.equal(on.spread.length, 2);
  assert.ok(on.spread.every((k) => k[0]! > 1 && k[1] === 1 && k[2]! > 1), JSON.stringify(on.spread));
  assert.deepEqual(off.spread, [[1, 1, 1], [1, 1, 1]]);
});

test('fineTuneGlobalForecaster: copies the members (base unchanged), same seed, same weights', async () => {
  const panel = growingNoise(3);
  const short = panel.map((s) => s.values.slice(0, 80));
  const base = await fitGlobalForecaster(short, { horizon: 4, quantiles: [0.1, 0.5, 0.9], transform: 'none', seed: 1, ...TINY });
  const before = Float32Array.from(base.models[0]!.stateDict()['fc.weight']!.data);
  const full = panel.map((s) => s.values);
  const a = await fineTuneGlobalForecaster(base, full, { epochs: 2 });
  const b = await fineTuneGlobalForecaster(base, full, { epochs: 2 });
  assert.deepEqual(Float32Array.from(base.models[0]!.stateDict()['fc.weight']!.data), before);
  assert.notDeepEqual(Float32Array.from(a.models[0]!.stateDict()['fc.weight']!.data), before);
  const fa = a.forecast(full), fb = b.forecast(full);
  fa.forEach((f, i) => assert.deepEqual(f.quantiles, fb[i]!.quantiles));
  assert.equal(a.plan, base.plan);
});

test('forecastPanel (hold-out, calibration, fine-tuning): same seed, same forecasts and spread; the spread is saved with the model', async () => {
  const panel = growingNoise(4).slice(0, 8);
  const opts = { horizon: 4, quantiles: [0.1, 0.5, 0.9], baselines: ['naive'], seed: 7, ...TINY } as const;
  const r1 = await forecastPanel(panel, opts);
  const r2 = await forecastPanel(panel, opts);
  r1.forecasts.forEach((f, i) => assert.deepEqual(f.quantiles, r2.forecasts[i]!.quantiles));
  assert.deepEqual(r1.forecaster.spread, r2.forecaster.spread);
  assert.ok(r1.forecaster.spread!.some((k) => k !== 1));
  const dir = mkdtempSync(join(tmpdir(), 'lstm-calibration-'));
  try {
    const path = join(dir, 'm.safetensors');
    saveGlobalForecaster(r1.forecaster, path);
    const back = loadGlobalForecaster(path);
    assert.deepEqual(back.spread, r1.forecaster.spread);
    const input = panel.map((s) => s.values);
    back.forecast(input).forEach((f, i) => assert.deepEqual(f.quantiles, r1.lstm[i]!.quantiles)); // the LSTM's own (forecasts: its combination)
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Without the hold-out: one validation model, fine-tuned; deterministic too.
  const n1 = await forecastPanel(panel, { ...opts, holdout: false });
  const n2 = await forecastPanel(panel, { ...opts, holdout: false });
  assert.equal(n1.holdout, null);
  n1.forecasts.forEach((f, i) => assert.deepEqual(f.quantiles, n2.forecasts[i]!.quantiles));
});

test('detectPanelSeason: the season most series show wins over the longest series alone', () => {
  const rng = new Rng(9);
  const seasonal = (n: number): Float64Array => Float64Array.from({ length: n }, (_, t) => 50 + 10 * Math.sin((2 * Math.PI * t) / 12) + rng.normal());
  const flat = Float64Array.from({ length: 150 }, () => 50 + rng.normal());
  const series = [{ id: 'flat', values: flat }, ...Array.from({ length: 9 }, (_, i) => ({ id: `m${i}`, values: seasonal(96) }))];
  assert.equal(detectPanelSeason(series), 12);
  assert.equal(detectPanelSeason([{ id: 'flat', values: flat }]), 1);
  // A season only one series in ten shows is not the panel's.
  assert.equal(detectPanelSeason([...Array.from({ length: 9 }, (_, i) => ({ id: `f${i}`, values: Float64Array.from({ length: 96 }, () => 50 + rng.normal()) })), { id: 'm', values: seasonal(96) }]), 1);
});

test('trainMembers: members trained in worker threads equal those trained on this thread, bit for bit', async () => {
  const panel = growingNoise(5).map((s) => s.values);
  const opts = { horizon: 4, quantiles: [0.1, 0.5, 0.9], seed: 2, ...TINY, epochs: 3, ensemble: 2 } as const;
  const here = await fitGlobalForecaster(panel, { ...opts, workers: 1 });
  const threads = await fitGlobalForecaster(panel, { ...opts, workers: 2 });
  here.forecast(panel).forEach((f, i) => assert.deepEqual(f.quantiles, threads.forecast(panel)[i]!.quantiles));
  const tunedHere = await fineTuneGlobalForecaster(here, panel, { epochs: 2, workers: 1 });
  const tunedThreads = await fineTuneGlobalForecaster(here, panel, { epochs: 2, workers: 2 });
  tunedHere.forecast(panel).forEach((f, i) => assert.deepEqual(f.quantiles, tunedThreads.forecast(panel)[i]!.quantiles));
});

test('validateOn: one series\' spread factors stay near 1 when its quantiles are right, and coverage stays near nominal (overlapping windows swung them)', async () => {
  // 200 random walks (σ = 1) of 150 values, each calibrated alone, as `lstm backtest` on one series
  // does. The forecaster is the oracle: last value ± z_τ·√h, exactly calibrated, so the right
  // factors are 1 and any departure is noise from too few independent validation values.
  const H = 12, levels = [0.1, 0.5, 0.9], z = 1.2815515655446004;
  const oracle = (inputs: { values: ArrayLike<number> }[]) => inputs.map((s) => {
    const last = s.values[s.values.length - 1]!;
    const point = new Float64Array(H).fill(last), quantiles = new Float64Array(H * 3);
    for (let h = 0; h < H; h++) [-z, 0, z].forEach((q, j) => (quantiles[h * 3 + j] = last + q * Math.sqrt(h + 1)));
    return { levels, log: false, point, quantiles };
  });
  // Coverage of the 80 % interval with factors k (lower, upper) when the truth is the oracle's: Φ(k_hi·z) − Φ(−k_lo·z).
  const phi = (x: number): number => 0.5 * (1 + erf(x / Math.SQRT2));
  const rng = new Rng(11);
  let logK = 0, covErr = 0;
  const runs = 200;
  for (let i = 0; i < runs; i++) {
    let y = 100;
    const values = Float64Array.from({ length: 150 }, () => (y += rng.normal()));
    const v = await validateOn([{ values }], { horizon: H }, async (_cuts, inputs) => oracle(inputs));
    assert.ok(v, 'a 150-value series has validation windows');
    // The windows lie side by side: their origins H apart, none overlapping.
    const origins = v.pool.train.map((t) => t.length);
    origins.forEach((o, j) => j > 0 && assert.equal(o - origins[j - 1]!, H));
    const [lo, , hi] = v.factors;
    logK += (Math.abs(Math.log(lo!)) + Math.abs(Math.log(hi!))) / 2 / runs;
    covErr += Math.abs(phi(hi! * z) - phi(-lo! * z) - 0.8) / runs;
  }
  assert.ok(logK < 0.4, `mean |log k| ${logK.toFixed(3)}: the factors of right quantiles should stay near 1`);
  assert.ok(covErr < 0.15, `mean |coverage − 0.8| ${covErr.toFixed(3)} with right quantiles`);
});

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7). */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
