/**
 * Quantile forecasts: the shape the global forecaster returns (a point forecast plus Q quantile
 * levels per step), and what is done with them: fixing crossing quantiles, averaging ensemble
 * members quantile by quantile, reading an interval of a given coverage, and measuring how
 * often the actual values fall inside (coverage) on a hold-out.
 *
 * Layout: for H steps and Q levels τ_0 < … < τ_{Q−1}, `values[h·Q + q]` is the τ_q quantile of
 * step h (quantile fastest, the pinball loss's layout).
 */

/** Default levels: the 80 % and 95 % central intervals, the median, and 0.1/0.9. */
export const DEFAULT_QUANTILES: readonly number[] = [0.025, 0.1, 0.5, 0.9, 0.975];

/** One series' probabilistic forecast. */
export interface QuantileForecast {
  /** Quantile levels τ, increasing, including 0.5. */
  levels: readonly number[];
  /**
   * True when the quantiles were made in log units (a positive series): spreading and shifting
   * them is then done by ratios (q·c, m·(q/m)^k), else by differences.
   */
  log: boolean;
  /** Point forecast per step (H): the median. */
  point: Float64Array;
  /** Quantiles (H·Q, quantile fastest), non-decreasing along τ at every step. */
  quantiles: Float64Array;
}

/** Check quantile levels: increasing, each in (0, 1), 0.5 among them. Returns them as an array. */
export function checkLevels(levels: readonly number[], where: string): number[] {
  if (!Array.isArray(levels) || levels.length === 0) throw new RangeError(`${where}: quantiles must be a non-empty list of levels in (0, 1)`);
  levels.forEach((q, i) => {
    if (!(q > 0 && q < 1)) throw new RangeError(`${where}: quantile level ${i} must be in (0, 1), got ${q}`);
    if (i > 0 && !(q > levels[i - 1]!)) throw new RangeError(`${where}: quantile levels must increase, got ${levels[i - 1]} then ${q}`);
  });
  if (!levels.includes(0.5)) throw new RangeError(`${where}: quantile levels must include 0.5 (the point forecast), got [${levels.join(', ')}]`);
  return [...levels];
}

/**
 * Sort each step's Q values in place, so quantiles never cross (the sorted vector is the
 * closest non-crossing one in every Lp norm; sorting never makes the pinball loss worse).
 */
export function sortQuantiles(values: Float64Array | Float32Array, Q: number): void {
  for (let s = 0; s + Q <= values.length; s += Q) {
    // Insertion sort: Q is small and the values are nearly sorted.
    for (let i = s + 1; i < s + Q; i++) {
      const v = values[i]!;
      let j = i - 1;
      while (j >= s && values[j]! > v) {
        values[j + 1] = values[j]!;
        j--;
      }
      values[j + 1] = v;
    }
  }
}

/**
 * The τ quantile of step h, linearly interpolated between the nearest levels when τ is not one
 * of them (clamped to the outermost levels beyond them).
 */
export function quantileAt(f: QuantileForecast, h: number, tau: number): number {
  const L = f.levels, Q = L.length, v = f.quantiles;
  if (tau <= L[0]!) return v[h * Q]!;
  if (tau >= L[Q - 1]!) return v[h * Q + Q - 1]!;
  let q = 1;
  while (L[q]! < tau) q++;
  const w = (tau - L[q - 1]!) / (L[q]! - L[q - 1]!);
  return v[h * Q + q - 1]! * (1 - w) + v[h * Q + q]! * w;
}

/** The central interval of coverage `level` (e.g. 0.8): quantiles (1 − level)/2 and (1 + level)/2 per step. */
export function centralInterval(f: QuantileForecast, level: number): { lo: Float64Array; hi: Float64Array } {
  if (!(level > 0 && level < 1)) throw new RangeError(`centralInterval: level must be in (0, 1), got ${level}`);
  const H = f.point.length;
  const lo = new Float64Array(H), hi = new Float64Array(H);
  for (let h = 0; h < H; h++) {
    lo[h] = quantileAt(f, h, (1 - level) / 2);
    hi[h] = quantileAt(f, h, (1 + level) / 2);
  }
  return { lo, hi };
}

/**
 * Share of `actual` values inside the central `level` intervals of their forecasts, pooled over
 * series and steps (ends included): near `level` for calibrated intervals.
 */
export function intervalCoverage(forecasts: readonly QuantileForecast[], actual: readonly ArrayLike<number>[], level: number): number {
  if (forecasts.length !== actual.length) throw new RangeError(`intervalCoverage: ${forecasts.length} forecasts but ${actual.length} actual series`);
  let inside = 0, count = 0;
  forecasts.forEach((f, i) => {
    const a = actual[i]!;
    if (a.length !== f.point.length) throw new RangeError(`intervalCoverage: series ${i} has ${a.length} actual values for a ${f.point.length}-step forecast`);
    const { lo, hi } = centralInterval(f, level);
    for (let h = 0; h < a.length; h++) {
      count++;
      if (a[h]! >= lo[h]! && a[h]! <= hi[h]!) inside++;
    }
  });
  return count ? inside / count : NaN;
}

/**
 * The forecast moved to another point forecast (e.g. a combination with ETS/Theta), keeping its
 * spread: every quantile is scaled by point′/median (log forecasts) or shifted by point′ − median.
 */
export function movePoint(f: QuantileForecast, point: ArrayLike<number>): QuantileForecast {
  const Q = f.levels.length, H = f.point.length;
  if (point.length !== H) throw new RangeError(`movePoint: ${point.length} values for a ${H}-step forecast`);
  const quantiles = new Float64Array(H * Q), mid = f.levels.indexOf(0.5);
  for (let h = 0; h < H; h++) {
    const m = f.point[h]!, p = point[h]!;
    const ratio = f.log && m > 0 && p > 0;
    for (let q = 0; q < Q; q++) quantiles[h * Q + q] = ratio ? f.quantiles[h * Q + q]! * (p / m) : f.quantiles[h * Q + q]! + (p - m);
    if (mid >= 0) quantiles[h * Q + mid] = p; // exactly the new point (m·(p/m) may be off by a rounding)
  }
  return { levels: f.levels, log: f.log, point: Float64Array.from(point), quantiles };
}

/**
 * Quantiles moved away from (k > 1) or towards (k < 1) the median, one factor per level:
 * q′ = m·(q/m)^k for log forecasts, m + k·(q − m) otherwise (the median stays). Factors that
 * would make quantiles cross are sorted out afterwards.
 */
export function spreadQuantiles(f: QuantileForecast, k: ArrayLike<number>): QuantileForecast {
  const Q = f.levels.length, H = f.point.length;
  if (k.length !== Q) throw new RangeError(`spreadQuantiles: ${k.length} factors for ${Q} levels`);
  const quantiles = new Float64Array(H * Q);
  for (let h = 0; h < H; h++) {
    const m = f.point[h]!;
    for (let q = 0; q < Q; q++) {
      const v = f.quantiles[h * Q + q]!;
      quantiles[h * Q + q] = f.log && m > 0 && v > 0 ? m * Math.pow(v / m, k[q]!) : m + k[q]! * (v - m);
    }
  }
  sortQuantiles(quantiles, Q);
  return { levels: f.levels, log: f.log, point: f.point, quantiles };
}

/**
 * Spread factors, one per level, that calibrate the quantiles on a hold-out: k_q is chosen (by
 * bisection over [1/8, 8]) so that the share of actual values at or below the spread τ_q
 * quantile is τ_q, pooled over series and steps. 1 for the median. Apply with {@link spreadQuantiles}.
 */
export function calibrateSpread(forecasts: readonly QuantileForecast[], actual: readonly ArrayLike<number>[]): Float64Array {
  if (forecasts.length === 0 || forecasts.length !== actual.length) throw new RangeError(`calibrateSpread: need as many actual series as forecasts (≥ 1), got ${actual.length} and ${forecasts.length}`);
  const levels = forecasts[0]!.levels, Q = levels.length;
  const k = new Float64Array(Q).fill(1);
  for (let q = 0; q < Q; q++) {
    const tau = levels[q]!;
    if (tau === 0.5) continue;
    // Share below the quantile spread by factor c: falls with c below the median, rises above it.
    const below = (c: number): number => {
      let n = 0, count = 0;
      forecasts.forEach((f, i) => {
        const a = actual[i]!;
        for (let h = 0; h < f.point.length; h++) {
          const m = f.point[h]!, v = f.quantiles[h * Q + q]!;
          const spread = f.log && m > 0 && v > 0 ? m * Math.pow(v / m, c) : m + c * (v - m);
          count++;
          if (a[h]! <= spread) n++;
        }
      });
      return n / count;
    };
    let lo = Math.log(1 / 8), hi = Math.log(8);
    for (let it = 0; it < 30; it++) {
      const mid = (lo + hi) / 2;
      const wider = tau < 0.5 ? below(Math.exp(mid)) > tau : below(Math.exp(mid)) < tau;
      if (wider) lo = mid;
      else hi = mid;
    }
    k[q] = Math.exp((lo + hi) / 2);
  }
  return k;
}

/**
 * Prior weight, in independent validation values, of "the raw quantiles are right" when spread
 * factors are shrunk ({@link shrinkSpread}). The estimate of log k from n values has a variance
 * of about 1.8/n at the 0.1 and the 0.025 level alike (binomial share, Gaussian errors); a prior
 * log k ~ N(0, s²) with s = 0.42 (raw quantiles typically within 0.66..1.5 of the right
 * width) gives the posterior mean log k · n/(n + 1.8/s²), 1.8/s² = 10.
 */
export const SPREAD_PRIOR = 10;

/**
 * Spread factors shrunk towards 1 by how much evidence set them (normal-normal shrinkage of
 * log k, see {@link SPREAD_PRIOR}): log k′ = log k · n / (n + prior), n the number of independent
 * validation values. Count a window of H steps as √H values ({@link calibratedFactors}): its
 * errors share one origin (a random walk's are nearly one value, white noise's H).
 */
export function shrinkSpread(k: ArrayLike<number>, points: number, prior = SPREAD_PRIOR): Float64Array {
  const w = shrinkage('shrinkSpread', points, prior);
  return Float64Array.from(k, (v) => Math.exp(Math.log(v) * w));
}

/**
 * The share n/(n + prior) of an estimate kept when it is shrunk toward its prior value
 * (shrinkSpread here, combine.ts's shrinkWeights): 1 when both are 0. `who` names the caller in
 * the error for a negative or NaN count.
 */
export function shrinkage(who: string, points: number, prior: number): number {
  if (!(points >= 0) || !(prior >= 0)) throw new RangeError(`${who}: points and prior must be ≥ 0, got ${points} and ${prior}`);
  return points + prior > 0 ? points / (points + prior) : 1;
}

/** Independent values in validation windows: a window of H steps counts √H (see {@link shrinkSpread}). */
export function windowEvidence(windows: readonly ArrayLike<number>[]): number {
  return windows.reduce((a, v) => a + Math.sqrt(v.length), 0);
}

/**
 * {@link calibrateSpread} on validation windows (forecasts and their actual values; windows that
 * do not overlap), shrunk by {@link shrinkSpread} with n = Σ √H over the windows: the factors
 * every calibration in the forecasting recipes uses. One series' 2 windows of 12 give n ≈ 7 (the
 * factors keep 41 % of their log), 20 windows n ≈ 69 (87 %), 400 windows of 6 n ≈ 980 (99 %).
 * On one random walk whose raw quantiles are right, 2 windows' factors were 0.64 from 1 in
 * |log k| on average with the old 12 overlapping windows unshrunk, 0.28 now (80 % coverage
 * 0.195 → 0.107 from nominal on average; test/recipes/calibration.test.ts).
 */
export function calibratedFactors(forecasts: readonly QuantileForecast[], actual: readonly ArrayLike<number>[], prior = SPREAD_PRIOR): Float64Array {
  return shrinkSpread(calibrateSpread(forecasts, actual), windowEvidence(actual), prior);
}
