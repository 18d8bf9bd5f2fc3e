/**
 * The Theta method of Assimakopoulos & Nikolopoulos (2000), winner of the M3 competition, in
 * the form of Hyndman & Billah (2003) and R's forecast::thetaf() (8.20): simple exponential
 * smoothing plus half the slope of a least-squares line as drift.
 *
 * Steps (n values, season m):
 *  1. Seasonality test: with r_k the autocorrelations, the series is seasonal when
 *     |r_m| / √((1 + 2Σ_{k<m} r_k²)/n) > Φ⁻¹(0.95) (a 90 % two-sided test), m > 1 and n > 2m.
 *     A seasonal series is divided by its classical multiplicative seasonal indices.
 *  2. SES (ETS(A,N,N) with the level and α chosen by one-step MSE) on the adjusted series.
 *  3. Forecast ŷ_{n+h} = ℓ_n + b(h − 1 + (1 − (1 − α)^n)/α), b half the slope of the line
 *     through the adjusted series; then reseasonalised.
 *  4. Intervals ŷ ± z·σ√(1 + (h − 1)α²), σ² the SES innovation variance (not reseasonalised,
 *     as in R).
 */
import { autocorrelation } from './season.js';
import { decompose } from './decompose.js';
import { fitEts, forecastEts } from './ets.js';
import { assertFiniteSeries, lineFit, qnorm } from './numeric.js';
import { checkSpec, normalizeLevels, type Forecast, type ForecastSpec } from './result.js';

/** The fitted Theta model. */
export interface ThetaModel {
  /** SES smoothing parameter (at least 1e-10). */
  alpha: number;
  /** Drift per step: half the slope of the least-squares line through the (adjusted) series. */
  drift: number;
  /** SES innovation variance on the adjusted series. */
  sigma2: number;
  /** Whether the seasonality test decided to seasonally adjust. */
  seasonal: boolean;
  /** The m multiplicative seasonal indices for the steps after the series' end (first = step 1), or null. */
  seasonalIndices: Float64Array | null;
}

/** A Theta forecast. */
export interface ThetaForecast extends Forecast {
  model: ThetaModel;
}

/** The 90 % seasonality test thetaf() uses: is lag m's autocorrelation significant? */
export function thetaSeasonalityTest(y: ArrayLike<number>, m: number): boolean {
  const n = y.length;
  if (m <= 1 || n <= 2 * m) return false;
  let constant = true;
  for (let i = 1; i < n; i++) if (y[i] !== y[0]) constant = false;
  if (constant) return false;
  const r = autocorrelation(y, m);
  let s = 0;
  for (let k = 1; k < m; k++) s += r[k]! * r[k]!;
  const stat = Math.sqrt((1 + 2 * s) / n);
  return Math.abs(r[m]!) / stat > qnorm(0.95);
}

/** R's forecast(thetaf(y, h = horizon, level = levels)) with frequency(y) = period. */
export function theta(y: ArrayLike<number>, spec: ForecastSpec): ThetaForecast {
  assertFiniteSeries(y, 'theta', 1);
  const { horizon: h, period: m } = checkSpec(spec, 'theta');
  const levels = normalizeLevels(spec.levels, 'theta');
  const n = y.length;
  const orig = Float64Array.from(y);
  let x = orig;
  let seasonalIn: Float64Array | null = null;
  let seasonalOut: Float64Array | null = null;
  if (thetaSeasonalityTest(orig, m)) {
    const d = decompose(orig, m, 'multiplicative');
    // R warns and stays non-seasonal when an index is near zero.
    if (!d.figure.some((v) => Math.abs(v) < 1e-4)) {
      seasonalIn = d.seasonal;
      x = Float64Array.from(orig, (v, t) => v / d.seasonal[t]!);
      // The figure continued past the end: step k has index (n − 1 + k) mod m.
      seasonalOut = Float64Array.from({ length: m }, (_, k) => d.figure[(n + k) % m]!);
    }
  }
  const ses = fitEts(x, { model: 'ANN', criterion: 'mse' });
  const sesF = forecastEts(ses, h, levels);
  const slope = lineFit(Float64Array.from({ length: n }, (_, i) => i), x).slope;
  const drift = slope / 2;
  const alpha = Math.max(1e-10, ses.alpha);
  const mean = new Float64Array(h);
  const carry = (1 - (1 - alpha) ** n) / alpha;
  for (let k = 0; k < h; k++) {
    mean[k] = sesF.mean[k]! + drift * (k + carry);
    if (seasonalOut) mean[k] = mean[k]! * seasonalOut[k % m]!;
  }
  const fitted = Float64Array.from(ses.fitted, (v, t) => (seasonalIn ? v * seasonalIn[t]! : v));
  const residuals = Float64Array.from(orig, (v, t) => v - fitted[t]!);
  const sigma2 = ses.sigma2;
  const lower: Float64Array[] = [], upper: Float64Array[] = [];
  for (const level of levels) {
    const z = qnorm(0.5 + level / 200);
    const lo = new Float64Array(h), hi = new Float64Array(h);
    for (let k = 0; k < h; k++) {
      const se = Math.sqrt(sigma2) * Math.sqrt(k * alpha * alpha + 1);
      lo[k] = mean[k]! - z * se;
      hi[k] = mean[k]! + z * se;
    }
    lower.push(lo);
    upper.push(hi);
  }
  return {
    method: 'Theta', mean, levels, lower, upper, fitted, residuals, sigma2, aicc: null,
    model: { alpha, drift, sigma2, seasonal: seasonalOut !== null, seasonalIndices: seasonalOut },
  };
}
