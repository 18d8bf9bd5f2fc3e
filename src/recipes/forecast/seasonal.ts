/**
 * Seasonal adjustment for the global forecaster's per-series preprocessing: the seasonality
 * test the Theta method uses in R's forecast package (thetaf), and the seasonal figure of a
 * classical decomposition (R's decompose()). The global model then learns on the seasonally
 * adjusted series, so one network serves series whose seasons differ in shape and size, as the
 * M4 winner (Smyl's ES-RNN) and the M3 Theta method both do.
 */
import { autocorrelation } from '../../stats/season.js';

/** z such that P(N(0,1) > z) = 0.05: the test is two-sided at 90 %, as in R's thetaf. */
const Z95 = 1.6448536269514722;

/**
 * Whether `x` has a season of `period` steps: |r_m| > 1.645·√((1 + 2·Σ_{k<m} r_k²)/n), with r_k
 * the sample autocorrelation (R's thetaf test). False for period < 2, for series of at most
 * 2·period points (too short to tell) and for constant series.
 *
 * On a trending series every r_k is near 1 and the test rarely fires; `detrend: true` tests
 * x_t − trend_t instead (the centred moving average of {@link seasonalFigure}, where it exists).
 */
export function seasonalityTest(x: ArrayLike<number>, period: number, opts: { detrend?: boolean } = {}): boolean {
  if (opts.detrend && period >= 2 && x.length >= 2 * period) x = detrended(x, period);
  const n = x.length;
  if (!(period >= 2) || n <= 2 * period) return false;
  const r = autocorrelation(x, period);
  if (r[0] === 0) return false; // constant
  let s = 0;
  for (let k = 1; k < period; k++) s += r[k]! * r[k]!;
  return Math.abs(r[period]!) > Z95 * Math.sqrt((1 + 2 * s) / n);
}

/**
 * The seasonal figure of an additive classical decomposition (R's decompose(type = 'additive')):
 * the trend is the centred moving average of `period` points (a 2×m average for even m), the
 * figure entry j is the mean of x_t − trend_t over the t ≡ j (mod period) where the trend exists,
 * and the figure is shifted to sum to zero. Entry j applies to every index t with t mod period = j.
 * Applied to log values this is the multiplicative decomposition's figure in log units.
 * Needs at least 2·period points.
 */
export function seasonalFigure(x: ArrayLike<number>, period: number): Float64Array {
  const n = x.length;
  if (!Number.isInteger(period) || period < 2) throw new RangeError(`seasonalFigure: period must be an integer ≥ 2, got ${period}`);
  if (n < 2 * period) throw new RangeError(`seasonalFigure: needs at least ${2 * period} points (two periods), got ${n}`);
  const half = Math.floor(period / 2);
  const sum = new Float64Array(period), count = new Float64Array(period);
  for (let t = half; t < n - half; t++) {
    sum[t % period]! += x[t]! - centredAverage(x, t, period);
    count[t % period]!++;
  }
  const figure = new Float64Array(period);
  let total = 0;
  for (let j = 0; j < period; j++) total += (figure[j] = sum[j]! / count[j]!);
  for (let j = 0; j < period; j++) figure[j]! -= total / period;
  return figure;
}

/** The centred moving average of `period` points around t (a 2×m average for even m: the two end points weigh 1/2). */
function centredAverage(x: ArrayLike<number>, t: number, period: number): number {
  const half = Math.floor(period / 2), even = period % 2 === 0;
  let s = 0;
  for (let k = -half; k <= half; k++) s += even && Math.abs(k) === half ? 0.5 * x[t + k]! : x[t + k]!;
  return s / period;
}

/** x_t − centred average, for the t where the average exists (n − 2·⌊m/2⌋ values). */
function detrended(x: ArrayLike<number>, period: number): Float64Array {
  const half = Math.floor(period / 2);
  return Float64Array.from({ length: x.length - 2 * half }, (_, i) => x[i + half]! - centredAverage(x, i + half, period));
}
