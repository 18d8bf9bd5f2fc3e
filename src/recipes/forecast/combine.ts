/**
 * The validated combination of the global LSTM with the statistical standard (issue 15, item 6):
 * what `lstm forecast --id` and forecastPanel return by default. The M3/M4 lesson is that a
 * combination of methods beats each of them, and that the weights must be chosen out of sample.
 *
 * Members: the global LSTM's median and a pool of classical forecasts fitted per series (our own
 * src/stats: Theta, ETS by AICc, optionally auto-ARIMA). On a validation window (each series'
 * last H values, held out: the forecast recipe's hold-out) the weights w (one per member,
 * w ≥ 0, Σw = 1, on a simplex grid of step 1/10) are chosen to minimise
 *
 *   score(w) = mean_i sMAPE_i(w) / mean_i sMAPE_i(ref) + mean_i MASE_i(w) / mean_i MASE_i(ref)
 *
 * (M4's OWA form; ref = the members' equal-weight average, so ref scores 2), with
 * ŷ_i(w) = Σ_k w_k ŷ_{k,i}, pooled over every series (one global set of weights: per-series
 * weights over one window overfit). Intervals: the LSTM's quantiles are moved to the combined
 * point (movePoint) and spread by one factor per level calibrated on the same window
 * (calibratedFactors: calibrateSpread shrunk towards 1 when the window holds few values), so that
 * the share of actual values under each quantile matches its level.
 * The chosen weights and factors are then applied, unchanged, to the forecasts of models refitted
 * on the full series.
 */
import { ets, etsForm, type EtsComponents } from '../../stats/ets.js';
import { theta } from '../../stats/theta.js';
import { autoArima } from '../../stats/auto-arima.js';
import { mase, smape } from '../../stats/metrics.js';
import { calibratedFactors, movePoint, shrinkage, spreadQuantiles, SPREAD_PRIOR, windowEvidence, type QuantileForecast } from './quantiles.js';

/** Name of the combined forecaster in score tables and files. */
export const COMBINED_METHOD = 'combined';

/** Classical methods the combination can pool with the LSTM. */
export const POOL_METHODS = ['theta', 'ets', 'arima'] as const;
export type PoolMethod = (typeof POOL_METHODS)[number];

/** What a forecaster returns: the LSTM alone, or its validated combination with the pool (default). */
export type ForecastMethod = 'combined' | 'lstm';
export const FORECAST_METHODS: readonly ForecastMethod[] = ['combined', 'lstm'];

/** Default grid step of the weights (tenths). */
export const WEIGHT_STEP = 0.1;

/**
 * Prior weight, in independent validation values, of "equal weights are right" when the chosen
 * weights are shrunk ({@link shrinkWeights}). Set a priori, not tuned on any test part: the same
 * scale as the intervals' spread (SPREAD_PRIOR, quantiles.ts), i.e. about ten independent values
 * before the data outweigh the prior. The literature's finding (Smith & Wallis 2009; Claeskens
 * et al. 2016) is that weights estimated on few values lose to equal weights because their
 * estimation error outweighs the gain; the prior says how few is few. One series' 2 windows of 12
 * (n ≈ 6.9) keep 41 % of the chosen weights' departure from equal; an M3 monthly panel's 1,428
 * windows of 18 (n ≈ 6,058) keep 99.8 %, so no weight moves by more than 0.0012 (≤ 0.75 · 10/6,068).
 */
export const WEIGHT_PRIOR = SPREAD_PRIOR;

function checkPoolMethod(method: string): void {
  if (!(POOL_METHODS as readonly string[]).includes(method)) throw new RangeError(`combination: unknown pool method "${method}" (known: ${POOL_METHODS.join(', ')})`);
}

/**
 * One classical method fitted to `y` with R's defaults: season `period` when the series is longer
 * than one season, else none; interval `levels` in percent. Throws when the model cannot be
 * fitted. The backtest's baselines and the combination's pool both fit through here.
 * `form` (ETS only): fit that form (chosen earlier, e.g. on the hold-out; see etsForm) instead of
 * searching every form, falling back to the search where that form cannot be fitted to `y`.
 */
export function classicalForecast(method: PoolMethod, y: ArrayLike<number>, horizon: number, period: number, levels: readonly number[] = [], form: EtsComponents | null = null): ReturnType<typeof ets> | ReturnType<typeof theta> | ReturnType<typeof autoArima> {
  checkPoolMethod(method);
  const spec = { horizon, period: y.length > period ? period : 1, levels: [...levels] };
  if (method === 'ets' && form) {
    try {
      return ets(y, { ...spec, ...etsForm(form) });
    } catch {
      // That form does not fit these values (too few for its season, not positive for M): search.
    }
  }
  return method === 'ets' ? ets(y, spec) : method === 'theta' ? theta(y, spec) : autoArima(y, spec);
}

/**
 * One classical method's point forecast of `y` ({@link classicalForecast}). A fit that throws or
 * gives a non-finite value falls back to the last value (`fellBack` says so), as the backtest's
 * baselines do.
 */
export function baselinePoint(method: PoolMethod, y: ArrayLike<number>, horizon: number, period: number): { mean: Float64Array; fellBack: boolean } {
  checkPoolMethod(method);
  try {
    const f = classicalForecast(method, y, horizon, period);
    if (f.mean.every(Number.isFinite)) return { mean: f.mean, fellBack: false };
  } catch {
    // Not fittable (too short, constant, no admissible model): the last value below.
  }
  return { mean: new Float64Array(horizon).fill(y[y.length - 1]!), fellBack: true };
}

/** The weight vectors of the simplex grid: K non-negative multiples of `step` summing to 1. */
export function simplexGrid(K: number, step = WEIGHT_STEP): number[][] {
  const n = Math.round(1 / step);
  if (!Number.isInteger(K) || K < 1 || K > 8) throw new RangeError(`combination: 1..8 members, got ${K}`);
  if (!(n >= 1 && n <= 100 && Math.abs(n * step - 1) < 1e-9)) throw new RangeError(`combination: weight step must be 1/n for an integer n in 1..100, got ${step}`);
  const out: number[][] = [];
  const rec = (prefix: number[], left: number): void => {
    if (prefix.length === K - 1) return void out.push([...prefix, left].map((u) => u / n));
    for (let u = left; u >= 0; u--) rec([...prefix, u], left - u);
  };
  rec([], n);
  return out;
}

/** Σ_k w_k · members[k] at every step. */
export function weightedPoint(members: readonly ArrayLike<number>[], weights: readonly number[]): Float64Array {
  const H = members[0]!.length, out = new Float64Array(H);
  members.forEach((m, k) => {
    if (weights[k] === 0) return;
    for (let h = 0; h < H; h++) out[h]! += weights[k]! * m[h]!;
  });
  return out;
}

/**
 * Weights shrunk toward equal weights by the evidence that chose them:
 * w = (n · w_chosen + prior · 1/K) / (n + prior), n the number of independent validation values
 * (a window of H steps counts √H, as in calibratedFactors). Still ≥ 0 and summing to 1.
 */
export function shrinkWeights(weights: readonly number[], points: number, prior = WEIGHT_PRIOR): number[] {
  const a = shrinkage('shrinkWeights', points, prior), K = weights.length;
  return weights.map((w) => a * w + (1 - a) / K);
}

/** The validation data the weights are chosen on: per member k and series i a point forecast of the window. */
export interface ValidationSet {
  /** Member names, e.g. ['lstm-ts', 'theta', 'ets']. */
  methods: readonly string[];
  /** forecasts[k][i]: member k's forecast of series i's window (H values). */
  forecasts: readonly (readonly ArrayLike<number>[])[];
  /** The window's actual values per series (H). */
  actual: readonly ArrayLike<number>[];
  /** Each series' values before the window (MASE's scale). */
  train: readonly ArrayLike<number>[];
  /** MASE's seasonal lag. */
  period: number;
}

/** The weights chosen, and how every candidate scored. */
export interface ChosenWeights {
  methods: string[];
  /** The weights used: the grid's choice shrunk toward equal weights ({@link shrinkWeights}). */
  weights: number[];
  /** The grid point of least score, before shrinking. */
  grid: number[];
  /** Independent validation values the choice rests on (Σ √H over the windows scored). */
  points: number;
  /** score(w) of the weights used (the equal-weight average scores 2). */
  score: number;
  /** Mean sMAPE and MASE over the validation series: the chosen weights', then each member's alone. */
  smape: number;
  mase: number;
  members: Record<string, { smape: number; mase: number }>;
  /** Series the choice was made on (those with a finite MASE scale). */
  series: number;
}

/** Check a validation set's shapes and values; returns the number of series. */
function checkValidation(v: ValidationSet): number {
  const K = v.methods.length, N = v.actual.length;
  if (K === 0 || v.forecasts.length !== K) throw new RangeError(`combination: ${v.forecasts.length} forecast lists for ${K} members`);
  if (N === 0) throw new RangeError('combination: no validation series to choose the weights on');
  if (v.train.length !== N) throw new RangeError(`combination: ${v.train.length} training parts for ${N} validation windows`);
  const H = v.actual[0]!.length;
  v.forecasts.forEach((list, k) => {
    if (list.length !== N) throw new RangeError(`combination: member "${v.methods[k]}" has ${list.length} forecasts for ${N} series`);
    list.forEach((f, i) => {
      if (f.length !== H || v.actual[i]!.length !== H) throw new RangeError(`combination: series ${i}: member "${v.methods[k]}" gives ${f.length} steps, the window has ${v.actual[i]!.length}, expected ${H}`);
      for (let h = 0; h < H; h++) if (!Number.isFinite(f[h]!)) throw new RangeError(`combination: series ${i}: member "${v.methods[k]}" step ${h + 1} is ${f[h]}; forecasts must be finite`);
    });
  });
  return N;
}

/**
 * Choose the combination weights on a validation set (see the file header): the grid point of
 * least score(w) (ties go to the first in grid order: most weight on the first member), shrunk
 * toward equal weights with `prior` ({@link WEIGHT_PRIOR}; 0 keeps the grid point).
 */
export function chooseWeights(v: ValidationSet, step = WEIGHT_STEP, prior = WEIGHT_PRIOR): ChosenWeights {
  const N = checkValidation(v), K = v.methods.length;
  // Series whose MASE is defined (the training part is not constant at the seasonal lag).
  const idx: number[] = [];
  for (let i = 0; i < N; i++) if (Number.isFinite(mase(v.actual[i]!, v.actual[i]!, v.train[i]!, v.period))) idx.push(i);
  if (idx.length === 0) throw new RangeError('combination: every validation series has a constant training part (MASE undefined); nothing to choose the weights on');
  const scoreOf = (w: readonly number[]): { smape: number; mase: number } => {
    let s = 0, m = 0;
    for (const i of idx) {
      const f = weightedPoint(v.forecasts.map((list) => list[i]!), w);
      s += smape(v.actual[i]!, f);
      m += mase(v.actual[i]!, f, v.train[i]!, v.period);
    }
    return { smape: s / idx.length, mase: m / idx.length };
  };
  const ref = scoreOf(new Array<number>(K).fill(1 / K));
  const rel = (x: { smape: number; mase: number }): number => x.smape / Math.max(ref.smape, 1e-12) + x.mase / Math.max(ref.mase, 1e-12);
  let grid: number[] = [], bestScore = Infinity;
  for (const w of simplexGrid(K, step)) {
    const r = rel(scoreOf(w));
    if (r < bestScore - 1e-12) [grid, bestScore] = [w, r];
  }
  const points = windowEvidence(idx.map((i) => v.actual[i]!));
  const weights = shrinkWeights(grid, points, prior), used = scoreOf(weights);
  const members: Record<string, { smape: number; mase: number }> = Object.create(null);
  v.methods.forEach((name, k) => (members[name] = scoreOf(v.methods.map((_, j) => (j === k ? 1 : 0)))));
  return { methods: [...v.methods], weights, grid, points, score: rel(used), smape: used.smape, mase: used.mase, members, series: idx.length };
}

/** A combination chosen on validation: the weights (LSTM first) and the intervals' spread factors. */
export interface Combination extends ChosenWeights {
  /** One factor per quantile level of the LSTM's forecasts (1 at the median), for spreadQuantiles. */
  spread: number[];
}

/**
 * Choose the weights and calibrate the intervals on a validation window: `lstm` are the LSTM's
 * quantile forecasts of the windows (member 0, its median), `pool[k]` the pool's point forecasts;
 * `prior` shrinks the weights toward equal ({@link WEIGHT_PRIOR} by default, 0 for none).
 */
export function fitCombination(lstm: readonly QuantileForecast[], pool: Readonly<Record<string, readonly ArrayLike<number>[]>>, actual: readonly ArrayLike<number>[], train: readonly ArrayLike<number>[], period: number, opts: { lstmName?: string; step?: number; prior?: number } = {}): Combination {
  const names = Object.keys(pool);
  const chosen = chooseWeights({
    methods: [opts.lstmName ?? 'lstm-ts', ...names],
    forecasts: [lstm.map((f) => f.point), ...names.map((n) => pool[n]!)],
    actual, train, period,
  }, opts.step, opts.prior);
  const moved = lstm.map((f, i) => movePoint(f, weightedPoint([f.point, ...names.map((n) => pool[n]![i]!)], chosen.weights)));
  return { ...chosen, spread: Array.from(calibratedFactors(moved, actual)) };
}

/**
 * Apply a combination to new forecasts: the combined point Σ w·forecast, with the LSTM's
 * quantiles moved to it and spread by the calibrated factors. `pool` must hold the same methods
 * as the combination (in any order).
 */
export function applyCombination(c: Combination, lstm: readonly QuantileForecast[], pool: Readonly<Record<string, readonly ArrayLike<number>[]>>): QuantileForecast[] {
  const names = c.methods.slice(1);
  for (const n of names) if (!pool[n] || pool[n]!.length !== lstm.length) throw new RangeError(`combination: need ${lstm.length} "${n}" forecasts, got ${pool[n]?.length ?? 'none'}`);
  return lstm.map((f, i) => {
    if (c.spread.length !== f.levels.length) throw new RangeError(`combination: ${c.spread.length} spread factors for ${f.levels.length} quantile levels`);
    const point = weightedPoint([f.point, ...names.map((n) => pool[n]![i]!)], c.weights);
    return spreadQuantiles(movePoint(f, point), c.spread);
  });
}

/** Each pool method's point forecasts of every series (`fellBack`: how many fits fell back to the last value). */
export function poolForecasts(methods: readonly PoolMethod[], series: readonly ArrayLike<number>[], horizon: number, period: number): { forecasts: Record<string, Float64Array[]>; fellBack: Record<string, number> } {
  const forecasts: Record<string, Float64Array[]> = Object.create(null), fellBack: Record<string, number> = Object.create(null);
  for (const m of methods) {
    fellBack[m] = 0;
    forecasts[m] = series.map((y) => {
      const r = baselinePoint(m, y, horizon, period);
      if (r.fellBack) fellBack[m]!++;
      return r.mean;
    });
  }
  return { forecasts, fellBack };
}
