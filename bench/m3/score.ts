/**
 * The M3 scores as the data's README defines them: per series, sMAPE = mean over the horizon of
 * 200·|y − ŷ| / (|y| + |ŷ|), and MASE = mean |y − ŷ| divided by the in-sample mean absolute
 * error of the seasonal naive forecast (lag = the period; 1 for yearly and other); then the
 * plain mean over series. Coverage of an interval [lo, hi] is the share of hold-out points
 * inside it (ends included), pooled over series and steps.
 */

/** sMAPE of one series' forecast, in percent. */
export function smape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, f = forecast[i]!;
    const d = Math.abs(a) + Math.abs(f);
    s += d === 0 ? 0 : (200 * Math.abs(a - f)) / d;
  }
  return s / actual.length;
}

/** In-sample MAE of the seasonal naive forecast with lag `period` (the MASE scale). */
export function naiveScale(train: ArrayLike<number>, period: number): number {
  let s = 0;
  for (let i = period; i < train.length; i++) s += Math.abs(train[i]! - train[i - period]!);
  return s / (train.length - period);
}

/** MASE of one series' forecast. */
export function mase(train: ArrayLike<number>, actual: ArrayLike<number>, forecast: ArrayLike<number>, period: number): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(actual[i]! - forecast[i]!);
  return s / actual.length / naiveScale(train, period);
}

/** Points inside [lo, hi] and points counted, for pooling over series. */
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
