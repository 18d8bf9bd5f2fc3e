/**
 * The one result type every classical forecaster here returns (ETS, Theta, ARIMA), the options
 * they share, and the helpers that turn a forecast mean and variance (or simulated sample
 * paths) into prediction intervals. A `Forecast` is what a backtest or an ensemble consumes:
 * point forecasts, intervals at the requested levels, in-sample fit, and the information
 * criterion the model was chosen by.
 */
import { qnorm } from './numeric.js';

/** Options every forecaster takes. */
export interface ForecastSpec {
  /** Steps to forecast past the end of the series (≥ 1). */
  horizon: number;
  /** Season length m: 12 for monthly data with a yearly season, 7 for daily data with a weekly one, 1 (default) for none. */
  period?: number;
  /** Prediction-interval levels in percent, each in (0, 100); default [80, 95]. Fractions in (0, 1) are read as percents. */
  levels?: readonly number[];
}

/** A point forecast with prediction intervals, as R's forecast objects: every array has `horizon` values. */
export interface Forecast {
  /** The model in R's notation: "ETS(M,Ad,M)", "Theta", "ARIMA(0,1,1)(0,1,1)[12]". */
  method: string;
  /** Point forecasts (the forecast mean), (horizon). */
  mean: Float64Array;
  /** Interval levels in percent, ascending. */
  levels: number[];
  /** lower[i] and upper[i] bound the central levels[i] % prediction interval, each (horizon). */
  lower: Float64Array[];
  upper: Float64Array[];
  /** One-step in-sample fitted values, (n). */
  fitted: Float64Array;
  /** y − fitted, (n) (NaN where the model has no fitted value). */
  residuals: Float64Array;
  /** Innovation variance the intervals use. */
  sigma2: number;
  /** Corrected Akaike information criterion of the fitted model; null where the method has no likelihood (Theta). */
  aicc: number | null;
}

/** Levels sorted ascending and in percent; throws on a level outside (0, 100). */
export function normalizeLevels(levels: readonly number[] | undefined, where: string): number[] {
  const ls = [...(levels ?? [80, 95])];
  const fractions = ls.length > 0 && ls.every((l) => l > 0 && l < 1);
  const out = ls.map((l) => (fractions ? 100 * l : l));
  for (const l of out) {
    if (!(l > 0 && l < 100)) throw new RangeError(`${where}: interval level ${l} is outside (0, 100)`);
  }
  return out.sort((a, b) => a - b);
}

/** The season length, 1 when absent; throws unless a positive integer. */
export function checkPeriod(period: number | undefined, where: string): number {
  const m = period ?? 1;
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`${where}: period must be a positive integer, got ${String(m)}`);
  return m;
}

/** Check horizon and period; returns them as integers. */
export function checkSpec(spec: ForecastSpec, where: string): { horizon: number; period: number } {
  const horizon = spec.horizon;
  if (!Number.isInteger(horizon) || horizon < 1) throw new RangeError(`${where}: horizon must be a positive integer, got ${String(horizon)}`);
  return { horizon, period: checkPeriod(spec.period, where) };
}

/** Normal intervals mean ± z·√var for each level. */
export function normalIntervals(mean: Float64Array, variance: ArrayLike<number>, levels: readonly number[]): { lower: Float64Array[]; upper: Float64Array[] } {
  const lower: Float64Array[] = [], upper: Float64Array[] = [];
  for (const level of levels) {
    const z = qnorm(0.5 + level / 200);
    const lo = new Float64Array(mean.length), hi = new Float64Array(mean.length);
    for (let h = 0; h < mean.length; h++) {
      const half = z * Math.sqrt(variance[h]!);
      lo[h] = mean[h]! - half;
      hi[h] = mean[h]! + half;
    }
    lower.push(lo);
    upper.push(hi);
  }
  return { lower, upper };
}

/**
 * The p-quantile of sorted values by R's quantile(type = 8) (median-unbiased, Hyndman & Fan 1996),
 * which forecast uses for simulated intervals.
 */
export function quantileType8(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  const m = (p + 1) / 3;
  const np = n * p + m;
  const fuzz = 4 * 2.220446049250313e-16;
  const j = Math.floor(np + fuzz);
  const g = Math.abs(np - j) < fuzz ? 0 : np - j;
  const lo = sorted[Math.min(Math.max(j, 1), n) - 1]!;
  const hi = sorted[Math.min(Math.max(j + 1, 1), n) - 1]!;
  return g === 0 ? lo : (1 - g) * lo + g * hi;
}

/** Intervals from simulated sample paths: paths is (npaths, horizon) row-major. */
export function simulatedIntervals(paths: Float64Array, npaths: number, horizon: number, levels: readonly number[]): { lower: Float64Array[]; upper: Float64Array[] } {
  const lower = levels.map(() => new Float64Array(horizon));
  const upper = levels.map(() => new Float64Array(horizon));
  const col = new Float64Array(npaths);
  for (let h = 0; h < horizon; h++) {
    let k = 0;
    for (let i = 0; i < npaths; i++) {
      const v = paths[i * horizon + h]!;
      if (!Number.isNaN(v)) col[k++] = v;
    }
    const sorted = col.subarray(0, k).sort();
    levels.forEach((level, li) => {
      lower[li]![h] = quantileType8(sorted, 0.5 - level / 200);
      upper[li]![h] = quantileType8(sorted, 0.5 + level / 200);
    });
  }
  return { lower, upper };
}
