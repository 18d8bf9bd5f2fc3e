/**
 * How many differences a series needs, as forecast's ndiffs() and nsdiffs() decide it for
 * auto.arima(): the KPSS test (Kwiatkowski, Phillips, Schmidt & Shin 1992; urca's ur.kpss with
 * a level-stationary null and trunc(3√n/13) Bartlett lags) repeated on the differenced series
 * while it rejects at 5 %, and the STL seasonal-strength heuristic (> 0.64) for one seasonal
 * difference.
 */
import { seasonalStrength } from './stl.js';

/** forecast's is.constant(): all values equal up to all.equal()'s relative tolerance 1.5e-8. */
export function isConstant(x: ArrayLike<number>): boolean {
  const n = x.length;
  if (n === 0) return true;
  let diff = 0, scale = 0;
  for (let i = 0; i < n; i++) {
    diff += Math.abs(x[i]! - x[0]!);
    scale += Math.abs(x[i]!);
  }
  diff /= n;
  scale /= n;
  return (Number.isFinite(scale) && scale > 1.5e-8 ? diff / scale : diff) <= 1.5e-8;
}

/** KPSS level-stationarity statistic with `lags` Bartlett-weighted autocovariances (ur.kpss(type = "mu", use.lag)). */
export function kpssStatistic(x: ArrayLike<number>, lags: number): number {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]! / n;
  const e = Float64Array.from(x, (v) => v - mean);
  let s = 0, num = 0, s2 = 0;
  for (let i = 0; i < n; i++) {
    s += e[i]!;
    num += s * s;
    s2 += e[i]! * e[i]!;
  }
  num /= n * n;
  s2 /= n;
  let den = s2;
  for (let k = 1; k <= lags; k++) {
    let c = 0;
    for (let t = k; t < n; t++) c += e[t]! * e[t - k]!;
    den += (2 / n) * (1 - k / (lags + 1)) * c;
  }
  return num / den;
}

/** p-value of a KPSS level statistic by linear interpolation in urca's table (10 %, 5 %, 2.5 %, 1 % at 0.347, 0.463, 0.574, 0.739), clamped. */
export function kpssPValue(stat: number): number {
  const cv = [0.347, 0.463, 0.574, 0.739], pv = [0.1, 0.05, 0.025, 0.01];
  if (stat <= cv[0]!) return pv[0]!;
  if (stat >= cv[3]!) return pv[3]!;
  let i = 0;
  while (stat > cv[i + 1]!) i++;
  return pv[i]! + ((stat - cv[i]!) * (pv[i + 1]! - pv[i]!)) / (cv[i + 1]! - cv[i]!);
}

const diff1 = (x: Float64Array): Float64Array => Float64Array.from({ length: x.length - 1 }, (_, t) => x[t + 1]! - x[t]!);

/** forecast's ndiffs(x, test = "kpss", alpha = 0.05, max.d): first differences until KPSS stops rejecting. */
export function ndiffs(x: ArrayLike<number>, maxD = 2, alpha = 0.05): number {
  let y: Float64Array = Float64Array.from(x);
  if (isConstant(y)) return 0;
  const rejects = (v: Float64Array): boolean => kpssPValue(kpssStatistic(v, Math.trunc((3 * Math.sqrt(v.length)) / 13))) < alpha;
  let d = 0;
  let dodiff = rejects(y);
  while (dodiff && d < maxD) {
    d++;
    y = diff1(y);
    if (isConstant(y)) return d;
    dodiff = rejects(y);
  }
  return d;
}

/**
 * forecast's nsdiffs(x, test = "seas", max.D = 1) for frequency m: 1 when the STL seasonal
 * strength exceeds 0.64, else 0 (also 0 when STL cannot run: n ≤ 2m, as R's warning path).
 */
export function nsdiffs(x: ArrayLike<number>, m: number): number {
  if (isConstant(x) || m >= x.length || x.length <= 2 * m) return 0;
  return seasonalStrength(x, m) > 0.64 ? 1 : 0;
}
