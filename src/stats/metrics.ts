/**
 * Forecast accuracy measures as the M3/M4 competitions and R's forecast::accuracy() define
 * them, for scoring a method on a hold-out and ranking it against others:
 *   sMAPE = mean_h 200·|y_h − ŷ_h| / (|y_h| + |ŷ_h|)                   (percent, 0..200)
 *   MASE  = mean_h |y_h − ŷ_h| / mean_{t>m} |x_t − x_{t−m}|              (x the training part)
 *   RMSE, MAE; interval coverage (share of y_h inside [lower, upper]);
 *   pinball loss of a quantile forecast q_τ: mean_h max(τ(y − q), (τ − 1)(y − q)).
 * Across series the competitions take the plain mean of the per-series values.
 */
import type { Forecast } from './result.js';

function checkPair(actual: ArrayLike<number>, forecast: ArrayLike<number>, where: string): number {
  const n = actual.length;
  if (n === 0 || forecast.length !== n) throw new RangeError(`${where}: need equal, non-zero lengths, got ${n} actual and ${forecast.length} forecast values`);
  return n;
}

/** Symmetric MAPE in percent (a step where both values are 0 counts as 0). */
export function smape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  const n = checkPair(actual, forecast, 'smape');
  let s = 0;
  for (let i = 0; i < n; i++) {
    const den = Math.abs(actual[i]!) + Math.abs(forecast[i]!);
    if (den > 0) s += (200 * Math.abs(actual[i]! - forecast[i]!)) / den;
  }
  return s / n;
}

/** Mean absolute error. */
export function meanAbsoluteError(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  const n = checkPair(actual, forecast, 'meanAbsoluteError');
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(actual[i]! - forecast[i]!);
  return s / n;
}

/** Root mean squared error. */
export function rmse(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  const n = checkPair(actual, forecast, 'rmse');
  let s = 0;
  for (let i = 0; i < n; i++) s += (actual[i]! - forecast[i]!) ** 2;
  return Math.sqrt(s / n);
}

/** In-sample MAE of the seasonal naive forecast x_t = x_{t−m} (m = 1: the naive forecast): MASE's denominator. */
export function naiveScale(insample: ArrayLike<number>, period = 1): number {
  const n = insample.length;
  if (!Number.isInteger(period) || period < 1) throw new RangeError(`mase: period must be a positive integer, got ${String(period)}`);
  if (n <= period) throw new RangeError(`mase: the training part needs more than period = ${period} values, got ${n}`);
  let s = 0;
  for (let t = period; t < n; t++) s += Math.abs(insample[t]! - insample[t - period]!);
  return s / (n - period);
}

/**
 * Mean absolute scaled error (Hyndman & Koehler 2006) with the seasonal-naive in-sample scale.
 * Infinity when the training part is constant at lag m and the forecast has any error (NaN if none).
 */
export function mase(actual: ArrayLike<number>, forecast: ArrayLike<number>, insample: ArrayLike<number>, period = 1): number {
  const mae = meanAbsoluteError(actual, forecast);
  const scale = naiveScale(insample, period);
  if (scale === 0) return mae === 0 ? NaN : Infinity;
  return mae / scale;
}

/** Share of `actual` values inside [lower, upper] (0..1). */
export function coverage(actual: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>): number {
  const n = checkPair(actual, lower, 'coverage');
  checkPair(actual, upper, 'coverage');
  let inside = 0;
  for (let i = 0; i < n; i++) if (actual[i]! >= lower[i]! && actual[i]! <= upper[i]!) inside++;
  return inside / n;
}

/** Mean pinball (quantile) loss of the τ-quantile forecast `q`, τ in (0, 1). */
export function pinballLoss(actual: ArrayLike<number>, q: ArrayLike<number>, tau: number): number {
  if (!(tau > 0 && tau < 1)) throw new RangeError(`pinballLoss: quantile level must be in (0, 1), got ${tau}`);
  const n = checkPair(actual, q, 'pinballLoss');
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = actual[i]! - q[i]!;
    s += d >= 0 ? tau * d : (tau - 1) * d;
  }
  return s / n;
}

/**
 * Ranks of `scores` (1 = lowest = best), ties sharing their average rank, as the M competitions
 * rank methods. Non-finite scores rank after every finite one.
 */
export function ranks(scores: readonly number[]): number[] {
  const key = (v: number): number => (Number.isFinite(v) ? v : Infinity);
  const order = scores.map((_, i) => i).sort((a, b) => key(scores[a]!) - key(scores[b]!));
  const out = new Array<number>(scores.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && key(scores[order[j + 1]!]!) === key(scores[order[i]!]!)) j++;
    for (let k = i; k <= j; k++) out[order[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

/** Each method's rank among all of them by score (lower is better): { lstm: 12.1, ets: 13.0 } → { lstm: 1, ets: 2 }. */
export function rankMethods(scores: Readonly<Record<string, number>>): Record<string, number> {
  const names = Object.keys(scores);
  const r = ranks(names.map((k) => scores[k]!));
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  names.forEach((k, i) => (out[k] = r[i]!));
  return out;
}

/** Every measure for one forecast against the hold-out `actual` (same length as forecast.mean). */
export interface ForecastAccuracy {
  smape: number;
  mase: number;
  rmse: number;
  mae: number;
  /** coverage[i] for the interval at forecast.levels[i] (0..1). */
  coverage: number[];
  /** pinball[i]: mean of the pinball losses of the interval's two bounds, read as the (1 ∓ level)/2 quantiles. */
  pinball: number[];
}

/** Every accuracy measure of `forecast` on `actual` (as R's accuracy()), MASE scaled by the training part `insample` at lag `period`. */
export function forecastAccuracy(actual: ArrayLike<number>, forecast: Forecast, insample: ArrayLike<number>, period = 1): ForecastAccuracy {
  const mean = forecast.mean;
  return {
    smape: smape(actual, mean),
    mase: mase(actual, mean, insample, period),
    rmse: rmse(actual, mean),
    mae: meanAbsoluteError(actual, mean),
    coverage: forecast.levels.map((_, i) => coverage(actual, forecast.lower[i]!, forecast.upper[i]!)),
    pinball: forecast.levels.map((level, i) => {
      const tau = (1 - level / 100) / 2;
      return (pinballLoss(actual, forecast.lower[i]!, tau) + pinballLoss(actual, forecast.upper[i]!, 1 - tau)) / 2;
    }),
  };
}
