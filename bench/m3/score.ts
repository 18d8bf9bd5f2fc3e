/**
 * The M3 scores as the data's README defines them (sMAPE in percent; MASE scaled by the
 * in-sample MAE of the seasonal naive forecast, lag = the period, 1 for yearly and other), then
 * the plain mean over series: src/stats's measures (checked there against R), with the argument
 * order this benchmark uses, and interval coverage as counts, for pooling over series and steps.
 */
import { mase as statsMase } from '../../src/index.js';

export { smape } from '../../src/index.js';

/** MASE of one series' forecast: training part first. */
export function mase(train: ArrayLike<number>, actual: ArrayLike<number>, forecast: ArrayLike<number>, period: number): number {
  return statsMase(actual, forecast, train, period);
}

/** Points inside [lo, hi] (ends included) and points counted, for pooling over series. */
export function covered(actual: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>): { inside: number; count: number } {
  let inside = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i]! >= lo[i]! && actual[i]! <= hi[i]!) inside++;
  return { inside, count: actual.length };
}

/** Plain mean of a list. */
export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}
