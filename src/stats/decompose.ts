/**
 * Classical seasonal decomposition by moving averages, as R's stats::decompose: the trend is a
 * centred moving average over one season (a 2×m average when m is even), the seasonal figure is
 * the mean of the detrended values at each position in the season, normalised to sum 0
 * (additive) or to average 1 (multiplicative). ETS uses it for initial seasonal states, Theta
 * to seasonally adjust, and season detection to judge a candidate season.
 */

export interface Decomposition {
  /** Centred moving average, NaN in the first and last ⌊m/2⌋ positions. */
  trend: Float64Array;
  /** The seasonal figure repeated over the series (position i has figure[i mod m]). */
  seasonal: Float64Array;
  /** The m seasonal indices, figure[0] for the series' first position. */
  figure: Float64Array;
}

/** Centred moving average over `m` points (2×m with half weights at the ends when m is even); NaN where it does not fit. */
export function centredMovingAverage(x: ArrayLike<number>, m: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(n).fill(NaN);
  const half = Math.floor(m / 2);
  const even = m % 2 === 0;
  if (n <= 2 * half) return out;
  // Running sum of the m − 1 (even) or m (odd) full-weight points.
  let s = 0;
  const lo0 = even ? 1 : 0, hi0 = even ? m - 1 : m - 1; // window offsets relative to t − half
  for (let k = lo0; k <= hi0; k++) s += x[k]!;
  for (let t = half; t < n - half; t++) {
    if (t > half) {
      s += x[t - half + hi0]! - x[t - half - 1 + lo0]!;
    }
    out[t] = even ? (s + 0.5 * (x[t - half]! + x[t + half]!)) / m : s / m;
  }
  return out;
}

/** stats::decompose(ts(x, frequency = m), type). Needs m ≥ 2 and at least two full seasons. */
export function decompose(x: ArrayLike<number>, m: number, type: 'additive' | 'multiplicative'): Decomposition {
  const n = x.length;
  if (!(m >= 2) || n < 2 * m) throw new RangeError(`decompose: need a season m ≥ 2 and at least 2m values, got m = ${m}, n = ${n}`);
  const trend = centredMovingAverage(x, m);
  const sum = new Float64Array(m), count = new Float64Array(m);
  for (let t = 0; t < n; t++) {
    const tr = trend[t]!;
    if (Number.isNaN(tr)) continue;
    const v = type === 'additive' ? x[t]! - tr : x[t]! / tr;
    sum[t % m] += v;
    count[t % m]++;
  }
  const figure = new Float64Array(m);
  let mean = 0;
  for (let i = 0; i < m; i++) {
    figure[i] = sum[i]! / count[i]!;
    mean += figure[i]! / m;
  }
  for (let i = 0; i < m; i++) figure[i] = type === 'additive' ? figure[i]! - mean : figure[i]! / mean;
  const seasonal = new Float64Array(n);
  for (let t = 0; t < n; t++) seasonal[t] = figure[t % m]!;
  return { trend, seasonal, figure };
}
