/**
 * Seasonal adjustment for the global forecaster's per-series preprocessing: the seasonality
 * test the Theta method uses in R's forecast package (thetaf), and the seasonal figure of a
 * classical decomposition (R's decompose()). The global model then learns on the seasonally
 * adjusted series, so one network serves series whose seasons differ in shape and size, as the
 * M4 winner (Smyl's ES-RNN) and the M3 Theta method both do.
 */
import { centredMovingAverage, decompose, thetaSeasonalityTest } from '../../stats/index.js';

/**
 * Whether `x` has a season of `period` steps by R's thetaf test (src/stats:
 * |r_m| > 1.645·√((1 + 2·Σ_{k<m} r_k²)/n), r_k the sample autocorrelation). False for period < 2,
 * for series of at most 2·period points (too short to tell) and for constant series.
 *
 * On a trending series every r_k is near 1 and the test rarely fires; `detrend: true` tests
 * x_t − trend_t instead (trend: the centred moving average of a classical decomposition, where it exists).
 */
export function seasonalityTest(x: ArrayLike<number>, period: number, opts: { detrend?: boolean } = {}): boolean {
  if (opts.detrend && period >= 2 && x.length >= 2 * period) {
    const trend = centredMovingAverage(x, period);
    x = Float64Array.from(x, (v, t) => v - trend[t]!).filter((_, t) => !Number.isNaN(trend[t]!));
  }
  return thetaSeasonalityTest(x, period);
}

/**
 * The seasonal figure of an additive classical decomposition (R's decompose(type = 'additive'),
 * src/stats): entry j applies to every index t with t mod period = j, and the figure sums to
 * zero. Applied to log values this is the multiplicative decomposition's figure in log units.
 * Needs at least 2·period points.
 */
export function seasonalFigure(x: ArrayLike<number>, period: number): Float64Array {
  if (!Number.isInteger(period) || period < 2) throw new RangeError(`seasonalFigure: period must be an integer ≥ 2, got ${period}`);
  if (x.length < 2 * period) throw new RangeError(`seasonalFigure: needs at least ${2 * period} points (two periods), got ${x.length}`);
  return decompose(x, period, 'additive').figure;
}
