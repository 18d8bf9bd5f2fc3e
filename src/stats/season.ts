/**
 * Season detection: which calendar season (a week of days, a year of months, a day of hours,
 * …) a series follows, or none. Forecasters need the season length m before anything else;
 * R leaves it to the user (frequency(y)), here it is judged from the data.
 *
 * Only calendar periods are candidates: 4 (quarters), 7 (days of a week), 12 (months),
 * 24 (hours), 52 (weeks), 168 (hours of a week) and 365 (days of a year; 365.25 rounded), or
 * the subset that fits a known sampling interval. An autocorrelation peak at another lag (the
 * ~11-year sunspot cycle, 350 days in a noisy temperature series) is not a season.
 *
 * For a candidate m the series is detrended by a centred moving average over m points (which
 * cancels any period-m pattern, so what is left is the season plus noise: the same first step
 * as a classical decomposition). The candidate is accepted when both
 *   - the detrended values grouped by position in the season differ more than noise would
 *     (one-way ANOVA, F test at p < 1e-4 with the numerator's degrees of freedom corrected for
 *     autocorrelated noise, and still at p < 0.01 after AR(1) prewhitening: both guard against
 *     the slow wandering of random walks, which otherwise looks seasonal over a few cycles), and
 *   - consecutive seasons look alike: the detrended series' autocorrelation at lag m is at
 *     least 0.1 (this rejects harmonics, e.g. m = 12 in hourly data, where lag 12 is half a day
 *     and the autocorrelation is negative, and rejects the slow wandering of random walks that
 *     can inflate the F statistic),
 * with at least three full seasons of data. Of the accepted candidates the one with
 * the highest lag-m autocorrelation wins, except that a divisor that explains nearly as much
 * (strength within 0.05, autocorrelation within 0.1) is preferred: 12 over 24 for monthly
 * data, where 24 only repeats the same pattern.
 */
import { centredMovingAverage } from './decompose.js';
import { fDistributionUpper } from './numeric.js';

/** Sample autocorrelation r_k of `x` for k = 0..maxLag (r_0 = 1; all 0 for a constant series), as R's acf. */
export function autocorrelation(x: ArrayLike<number>, maxLag: number): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]! / n;
  let var0 = 0;
  for (let i = 0; i < n; i++) var0 += (x[i]! - mean) ** 2;
  const r = new Float64Array(Math.max(0, Math.min(maxLag, n - 1) + 1));
  if (var0 === 0) return r;
  for (let k = 0; k < r.length; k++) {
    let s = 0;
    for (let i = k; i < n; i++) s += (x[i]! - mean) * (x[i - k]! - mean);
    r[k] = s / var0;
  }
  return r;
}

/** Sampling intervals whose calendar seasons are known. */
export type SamplingInterval = 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';

/** Candidate seasons per sampling interval (a year of hours, 8766, is left out: too long to test cheaply and rarely useful). */
export const CALENDAR_SEASONS: Readonly<Record<SamplingInterval, readonly number[]>> = {
  hour: [24, 168],
  day: [7, 365],
  week: [52],
  month: [12],
  quarter: [4],
  year: [],
};

/** Candidates when the sampling interval is unknown. */
export const DEFAULT_SEASON_CANDIDATES: readonly number[] = [4, 7, 12, 24, 52, 168, 365];

export interface SeasonOptions {
  /** The series' sampling interval, if known: only its calendar seasons are tried. */
  interval?: SamplingInterval;
  /** Explicit candidate periods (overrides `interval`). */
  candidates?: readonly number[];
  /** Significance level of the ANOVA F test; default 1e-4. */
  pValue?: number;
  /** Minimum lag-m autocorrelation of the detrended series; default 0.1. */
  minAutocorrelation?: number;
}

/** The evidence for one candidate season. */
export interface SeasonScore {
  period: number;
  /** Autocorrelation at lag m of the series minus its m-point moving average. */
  autocorrelation: number;
  /** Share of the detrended variance explained by the position in the season, adjusted for its m − 1 degrees of freedom (≤ 1). */
  strength: number;
  /** ANOVA F statistic and its p-value (numerator degrees of freedom corrected for autocorrelated noise). */
  f: number;
  pValue: number;
  /** p-value of the same F test after AR(1) prewhitening. */
  pPrewhitened: number;
  accepted: boolean;
}

/** Score one candidate season m (needs n ≥ 3m; returns null otherwise or for a constant series). */
export function scoreSeason(x: ArrayLike<number>, m: number, opts: SeasonOptions = {}): SeasonScore | null {
  const n = x.length;
  if (!Number.isInteger(m) || m < 2 || n < 3 * m) return null;
  const ma = centredMovingAverage(x, m);
  const half = Math.floor(m / 2);
  const N = n - 2 * half;
  const d = new Float64Array(N); // d[i] is x[i + half] minus its moving average
  for (let i = 0; i < N; i++) d[i] = x[i + half]! - ma[i + half]!;
  const a = positionAnova(d, half, m);
  if (!(a.sst > 0) || !Number.isFinite(a.sst)) return null;
  let lagged = 0;
  for (let i = m; i < N; i++) lagged += (d[i]! - a.mean) * (d[i - m]! - a.mean);
  const r = lagged / a.sst;
  const e = new Float64Array(N); // the remainder: d minus its position means
  for (let i = 0; i < N; i++) e[i] = d[i]! - a.means[(i + half) % m]!;
  const ssw = Math.max(a.sst - a.ssb, 0);
  const f = ssw === 0 ? Infinity : a.ssb / (m - 1) / (ssw / (N - m));
  const pValue = f === Infinity ? 0 : fDistributionUpper(f, effectiveDf(e, m), N - m);
  const pPrewhitened = prewhitenedPValue(d, e, half, m);
  const accepted = pValue < (opts.pValue ?? 1e-4) && pPrewhitened < 0.01 && r >= (opts.minAutocorrelation ?? 0.1);
  return { period: m, autocorrelation: r, strength: 1 - (ssw / (N - m)) / (a.sst / (N - 1)), f, pValue, pPrewhitened, accepted };
}

/** One-way ANOVA of v by position in the season; v[i] sits at position (i + first) mod m. */
function positionAnova(v: Float64Array, first: number, m: number): { mean: number; means: Float64Array; sst: number; ssb: number } {
  const N = v.length;
  const means = new Float64Array(m), count = new Float64Array(m);
  let mean = 0;
  for (let i = 0; i < N; i++) {
    const p = (i + first) % m;
    means[p] += v[i]!;
    count[p]++;
    mean += v[i]! / N;
  }
  let sst = 0, ssb = 0;
  for (let i = 0; i < N; i++) sst += (v[i]! - mean) ** 2;
  for (let p = 0; p < m; p++) {
    means[p] = means[p]! / count[p]!;
    ssb += count[p]! * (means[p]! - mean) ** 2;
  }
  return { mean, means, sst, ssb };
}

/**
 * Degrees of freedom of the ANOVA numerator when the noise is autocorrelated (Satterthwaite).
 * Under no season the m position means have covariance ∝ C, C_pq = ρ(|p − q|) + ρ(m − |p − q|)
 * with ρ the autocorrelation of the remainder e = d − (position mean); the between-position sum
 * of squares is then ∝ Σλ_i χ²₁ over C's eigenvalues, ≈ χ²(ν)/ν·(m − 1) with
 * ν = (Σλ)²/Σλ² = m / Σ_h C_0h². For white noise ν = m − 1 (capped there); for a slowly wandering
 * remainder (a detrended random walk) adjacent positions move together and ν is much smaller,
 * which is what keeps random walks from passing as seasonal.
 */
function effectiveDf(e: Float64Array, m: number): number {
  const N = e.length;
  let var0 = 0;
  for (let i = 0; i < N; i++) var0 += e[i]! * e[i]!;
  if (!(var0 > 0)) return m - 1;
  const rho = new Float64Array(m);
  for (let h = 1; h < m; h++) {
    let s = 0;
    for (let i = h; i < N; i++) s += e[i]! * e[i - h]!;
    rho[h] = s / var0;
  }
  let sumSq = 1;
  for (let h = 1; h < m; h++) sumSq += (rho[h]! + rho[m - h]!) ** 2;
  return Math.min(m - 1, m / sumSq);
}

/**
 * p-value of the ANOVA F test on d after AR(1) prewhitening, w_t = d_t − φ d_{t−1}, φ the
 * lag-1 autocorrelation of the remainder e. A second guard against slowly wandering noise: a
 * random walk's remainder is nearly integrated, so w is close to white noise and shows no
 * season, while a season survives the filter (scaled by |1 − φe^{−iω}| at its frequencies,
 * like the noise).
 */
function prewhitenedPValue(d: Float64Array, e: Float64Array, half: number, m: number): number {
  const N = d.length;
  let num = 0, den = 0;
  for (let i = 0; i < N; i++) den += e[i]! * e[i]!;
  for (let i = 1; i < N; i++) num += e[i]! * e[i - 1]!;
  const phi = den > 0 ? num / den : 0;
  const w = new Float64Array(N - 1);
  for (let t = 1; t < N; t++) w[t - 1] = d[t]! - phi * d[t - 1]!;
  const a = positionAnova(w, half + 1, m);
  const ssw = Math.max(a.sst - a.ssb, 0);
  const df2 = N - 1 - m - 1; // one more for φ
  return ssw === 0 ? 0 : fDistributionUpper(a.ssb / (m - 1) / (ssw / df2), m - 1, df2);
}

/** Every candidate's score (those the series is long enough for), in candidate order. */
export function seasonScores(x: ArrayLike<number>, opts: SeasonOptions = {}): SeasonScore[] {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) throw new RangeError(`detectSeason: x[${i}] is ${String(x[i])}; expected a finite number`);
  }
  const candidates = opts.candidates ?? (opts.interval ? CALENDAR_SEASONS[opts.interval] : DEFAULT_SEASON_CANDIDATES);
  const out: SeasonScore[] = [];
  for (const m of candidates) {
    const s = scoreSeason(x, m, opts);
    if (s) out.push(s);
  }
  return out;
}

/**
 * The season length of `x` (see the file header), or null when no candidate season is
 * supported by the data. `opts.interval` ('day', 'month', …) narrows the candidates to that
 * interval's calendar seasons.
 */
export function detectSeason(x: ArrayLike<number>, opts: SeasonOptions = {}): number | null {
  const accepted = seasonScores(x, opts).filter((s) => s.accepted);
  if (accepted.length === 0) return null;
  let best = accepted[0]!;
  for (const s of accepted) if (s.autocorrelation > best.autocorrelation) best = s;
  // A divisor that explains nearly as much repeats the same pattern more often: prefer it.
  let choice = best;
  for (const s of accepted) {
    if (best.period % s.period === 0 && s.period < choice.period && s.strength >= best.strength - 0.05 && s.autocorrelation >= best.autocorrelation - 0.1) choice = s;
  }
  return choice.period;
}

/**
 * The sampling interval of evenly spaced ISO dates (`YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`
 * or `…THH:MM…`), judged from the median gap; null when the dates do not parse or the gap is not a
 * calendar interval.
 */
export function samplingInterval(dates: readonly string[]): SamplingInterval | null {
  const times: number[] = [];
  for (const d of dates.slice(0, 1000)) {
    const s = /^\d{4}-\d{2}$/.test(d) ? `${d}-01T00:00:00Z` : /^\d{4}-\d{2}-\d{2}$/.test(d) ? `${d}T00:00:00Z` : d.replace(' ', 'T');
    const t = Date.parse(s.endsWith('Z') || /[+-]\d{2}:\d{2}$/.test(s) ? s : `${s}Z`);
    if (!Number.isFinite(t)) return null;
    times.push(t);
  }
  if (times.length < 2) return null;
  const gaps = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b);
  const gap = gaps[Math.floor(gaps.length / 2)]! / 3600000; // hours
  if (gap === 1) return 'hour';
  if (gap === 24) return 'day';
  if (gap === 168) return 'week';
  if (gap >= 28 * 24 && gap <= 31 * 24) return 'month';
  if (gap >= 89 * 24 && gap <= 92 * 24) return 'quarter';
  if (gap >= 365 * 24 && gap <= 366 * 24) return 'year';
  return null;
}
