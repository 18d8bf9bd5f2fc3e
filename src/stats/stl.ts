/**
 * STL, seasonal-trend decomposition by loess (Cleveland, Cleveland, McRae & Terpenning 1990),
 * as R's stats::stl() with its defaults (non-robust: two inner passes, no outer robustness
 * passes), and the seasonal strength forecast's auto.arima uses to decide on seasonal
 * differencing (seas.heuristic: max(0, min(1, 1 − Var(R)/Var(S + R))) of mstl's one-season STL
 * with s.window = 11).
 *
 * Inner pass: detrend; smooth each cycle-subseries (all Januaries, …) by loess of span s.window,
 * extended one period at both ends; low-pass filter that (moving averages of m, m and 3, then a
 * loess of span l.window) and subtract it, giving the season; deseasonalise; smooth by loess of
 * span t.window for the trend. Loess here is the local linear (or constant) fit with tricube
 * weights of the original Fortran, evaluated every `jump` points and linearly interpolated.
 */

interface LoessWork {
  /** Scratch of length ≥ n for the neighbourhood weights. */
  w: Float64Array;
}

/**
 * Loess estimate at abscissa xs (1-based positions) from y[nleft..nright] (1-based, inclusive),
 * as stlest. Returns NaN where all weights vanish (the caller falls back).
 */
function loessAt(y: Float64Array, n: number, len: number, deg: number, xs: number, nleft: number, nright: number, work: LoessWork, rw: Float64Array | null): number {
  const w = work.w;
  const range = n - 1;
  let h = Math.max(xs - nleft, nright - xs);
  if (len > n) h += Math.trunc((len - n) / 2);
  const h9 = 0.999 * h, h1 = 0.001 * h;
  let a = 0;
  for (let j = nleft; j <= nright; j++) {
    const r = Math.abs(j - xs);
    if (r <= h9) {
      let wj = r <= h1 ? 1 : (1 - (r / h) ** 3) ** 3;
      if (rw) wj *= rw[j - 1]!;
      w[j - 1] = wj;
      a += wj;
    } else {
      w[j - 1] = 0;
    }
  }
  if (a <= 0) return NaN;
  for (let j = nleft; j <= nright; j++) w[j - 1] = w[j - 1]! / a;
  if (h > 0 && deg > 0) {
    let mean = 0;
    for (let j = nleft; j <= nright; j++) mean += w[j - 1]! * j;
    let b = xs - mean;
    let c = 0;
    for (let j = nleft; j <= nright; j++) c += w[j - 1]! * (j - mean) ** 2;
    if (Math.sqrt(c) > 0.001 * range) {
      b /= c;
      for (let j = nleft; j <= nright; j++) w[j - 1] = w[j - 1]! * (b * (j - mean) + 1);
    }
  }
  let ys = 0;
  for (let j = nleft; j <= nright; j++) ys += w[j - 1]! * y[j - 1]!;
  return ys;
}

/** Loess smooth of y (length n) into ys[off .. off + n), evaluated every `jump` points (stless). */
function loessSmooth(y: Float64Array, n: number, len: number, deg: number, jump: number, rw: Float64Array | null, ys: Float64Array, off: number, work: LoessWork): void {
  if (n < 2) {
    ys[off] = y[0]!;
    return;
  }
  const newnj = Math.min(jump, n - 1);
  let nleft = 1, nright = n;
  const est = (i: number): void => {
    const v = loessAt(y, n, len, deg, i, nleft, nright, work, rw);
    ys[off + i - 1] = Number.isNaN(v) ? y[i - 1]! : v;
  };
  if (len >= n) {
    nleft = 1;
    nright = n;
    for (let i = 1; i <= n; i += newnj) est(i);
  } else if (newnj === 1) {
    const nsh = Math.trunc((len + 1) / 2);
    nleft = 1;
    nright = len;
    for (let i = 1; i <= n; i++) {
      if (i > nsh && nright !== n) { nleft++; nright++; }
      est(i);
    }
  } else {
    const nsh = Math.trunc((len + 1) / 2);
    for (let i = 1; i <= n; i += newnj) {
      if (i < nsh) { nleft = 1; nright = len; } else if (i >= n - nsh + 1) { nleft = n - len + 1; nright = n; } else { nleft = i - nsh + 1; nright = len + i - nsh; }
      est(i);
    }
  }
  if (newnj !== 1) {
    for (let i = 1; i <= n - newnj; i += newnj) {
      const delta = (ys[off + i + newnj - 1]! - ys[off + i - 1]!) / newnj;
      for (let j = i + 1; j <= i + newnj - 1; j++) ys[off + j - 1] = ys[off + i - 1]! + delta * (j - i);
    }
    const k = Math.trunc((n - 1) / newnj) * newnj + 1;
    if (k !== n) {
      est(n);
      if (k !== n - 1) {
        const delta = (ys[off + n - 1]! - ys[off + k - 1]!) / (n - k);
        for (let j = k + 1; j <= n - 1; j++) ys[off + j - 1] = ys[off + k - 1]! + delta * (j - k);
      }
    }
  }
}

/** Moving average of length len over x[0..n) into ave[0..n − len] (stlma). */
function movingAverage(x: Float64Array, n: number, len: number, ave: Float64Array): void {
  const newn = n - len + 1;
  let v = 0;
  for (let i = 0; i < len; i++) v += x[i]!;
  ave[0] = v / len;
  for (let j = 1, k = len, m = 0; j < newn; j++, k++, m++) {
    v = v - x[m]! + x[k]!;
    ave[j] = v / len;
  }
}

export interface StlOptions {
  /** Seasonal smoothing span (odd, ≥ 3); required by R (s.window). */
  sWindow: number;
  sDegree?: number;
  /** Trend span; default nextodd(ceiling(1.5m / (1 − 1.5/s.window))). */
  tWindow?: number;
  tDegree?: number;
  /** Low-pass span; default nextodd(m). */
  lWindow?: number;
  lDegree?: number;
  /** Inner passes (default 2). */
  inner?: number;
}

export interface StlResult {
  seasonal: Float64Array;
  trend: Float64Array;
  remainder: Float64Array;
}

const nextOdd = (x: number): number => {
  const r = Math.round(x);
  return r % 2 === 0 ? r + 1 : r;
};

/** stats::stl(ts(x, frequency = period), s.window, …) without robustness passes. Needs n > 2·period. */
export function stl(x: ArrayLike<number>, period: number, opts: StlOptions): StlResult {
  const n = x.length;
  if (!(period >= 2) || n <= 2 * period) throw new RangeError(`stl: the series is not periodic or has less than two periods (n = ${n}, period = ${period})`);
  const y = Float64Array.from(x);
  const sDeg = opts.sDegree ?? 0, tDeg = opts.tDegree ?? 1;
  const lDeg = opts.lDegree ?? tDeg;
  const sWin = opts.sWindow;
  const tWin = opts.tWindow ?? nextOdd(Math.ceil((1.5 * period) / (1 - 1.5 / sWin)));
  const lWin = opts.lWindow ?? nextOdd(period);
  const sJump = Math.ceil(sWin / 10), tJump = Math.ceil(tWin / 10), lJump = Math.ceil(lWin / 10);
  const inner = opts.inner ?? 2;
  // The Fortran's span adjustments: at least 3 and odd; period at least 2.
  const odd3 = (v: number): number => { const w = Math.max(3, v); return w % 2 === 0 ? w + 1 : w; };
  const ns = odd3(sWin), nt = odd3(tWin), nl = odd3(lWin), np = Math.max(2, period);
  const N2 = n + 2 * np;
  const w1 = new Float64Array(N2), w2 = new Float64Array(N2), w3 = new Float64Array(N2), w4 = new Float64Array(N2);
  const season = new Float64Array(n), trend = new Float64Array(n);
  const work: LoessWork = { w: new Float64Array(N2) };
  for (let pass = 0; pass < inner; pass++) {
    for (let i = 0; i < n; i++) w1[i] = y[i]! - trend[i]!;
    // Cycle-subseries smoothing (stlss): w2 gets the smoothed subseries, extended by a period at each end.
    for (let j = 1; j <= np; j++) {
      const k = Math.trunc((n - j) / np) + 1;
      for (let i = 1; i <= k; i++) w3[i - 1] = w1[(i - 1) * np + j - 1]!;
      loessSmooth(w3, k, ns, sDeg, sJump, null, w4, 1, work);
      const first = loessAt(w3, k, ns, sDeg, 0, 1, Math.min(ns, k), work, null);
      w4[0] = Number.isNaN(first) ? w4[1]! : first;
      const last = loessAt(w3, k, ns, sDeg, k + 1, Math.max(1, k - ns + 1), k, work, null);
      w4[k + 1] = Number.isNaN(last) ? w4[k]! : last;
      for (let m = 1; m <= k + 2; m++) w2[(m - 1) * np + j - 1] = w4[m - 1]!;
    }
    // Low-pass filter of the subseries (stlfts) then loess: w1 = L.
    movingAverage(w2, N2, np, w3);
    movingAverage(w3, N2 - np + 1, np, w1);
    movingAverage(w1, N2 - 2 * np + 2, 3, w3);
    loessSmooth(w3, n, nl, lDeg, lJump, null, w1, 0, work);
    for (let i = 0; i < n; i++) season[i] = w2[np + i]! - w1[i]!;
    for (let i = 0; i < n; i++) w1[i] = y[i]! - season[i]!;
    loessSmooth(w1, n, nt, tDeg, tJump, null, trend, 0, work);
  }
  const remainder = Float64Array.from(y, (v, i) => v - season[i]! - trend[i]!);
  return { seasonal: season, trend, remainder };
}

/**
 * forecast's seas.heuristic(): the seasonal strength max(0, min(1, 1 − Var(R)/Var(S + R))) from
 * mstl's STL with s.window = 11. auto.arima differences seasonally when it exceeds 0.64.
 */
export function seasonalStrength(x: ArrayLike<number>, period: number): number {
  const { seasonal, remainder } = stl(x, period, { sWindow: 11 });
  const variance = (v: ArrayLike<number>): number => {
    let m = 0;
    for (let i = 0; i < v.length; i++) m += v[i]! / v.length;
    let s = 0;
    for (let i = 0; i < v.length; i++) s += (v[i]! - m) ** 2;
    return s / (v.length - 1);
  };
  const sr = Float64Array.from(remainder, (v, i) => v + seasonal[i]!);
  return Math.max(0, Math.min(1, 1 - variance(remainder) / variance(sr)));
}
