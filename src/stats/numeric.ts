/**
 * Small numerical helpers the statistical models share: the normal quantile (Wichura's AS 241,
 * as in R's qnorm), least-squares lines and regressions, a stability test for polynomials
 * (all roots outside or inside the unit circle) and input checks with clear messages.
 */

/** The standard normal quantile Φ⁻¹(p) (Wichura 1988, AS 241 PPND16: about 16 digits). */
export function qnorm(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
      45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r + 133.14166789178437745) * r +
      3.387132872796366608)) /
      (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r +
        5394.1960214247511077) * r + 687.1870074920579083) * r + 42.313330701600911252) * r + 1);
  }
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  let val: number;
  if (r <= 5) {
    r -= 1.6;
    val = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
      1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r + 4.6303378461565452959) * r +
      1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
        0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r + 2.05319162663775882187) * r + 1);
  } else {
    r -= 5;
    val = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
      0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r + 5.4637849111641143699) * r +
      6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
        7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r + 0.59983220655588793769) * r + 1);
  }
  return q < 0 ? -val : val;
}

/** Least-squares line through (t_i, y_i): { intercept, slope } (R's lsfit with one regressor). */
export function lineFit(t: ArrayLike<number>, y: ArrayLike<number>): { intercept: number; slope: number } {
  const n = y.length;
  let tm = 0, ym = 0;
  for (let i = 0; i < n; i++) { tm += t[i]!; ym += y[i]!; }
  tm /= n;
  ym /= n;
  let stt = 0, sty = 0;
  for (let i = 0; i < n; i++) {
    const dt = t[i]! - tm;
    stt += dt * dt;
    sty += dt * (y[i]! - ym);
  }
  const slope = stt === 0 ? 0 : sty / stt;
  return { intercept: ym - slope * tm, slope };
}

/**
 * Least squares β minimising ‖y − Xβ‖² by Householder QR. `X` is (n, k) row-major. Returns the
 * coefficients, the residuals and the unscaled covariance diagonal diag((XᵀX)⁻¹) (for t values);
 * columns that are linearly dependent on earlier ones (|R_jj| ≤ 1e-7·max|R_ii|, R's lm tolerance)
 * get coefficient NaN and are left out, as lm reports NA.
 */
export function leastSquares(X: Float64Array, n: number, k: number, y: ArrayLike<number>): { coef: Float64Array; residuals: Float64Array; covDiag: Float64Array; rank: number } {
  const A = Float64Array.from(X);
  const b = Float64Array.from(y as ArrayLike<number>);
  const used: number[] = [];
  const rdiag = new Float64Array(k);
  let maxDiag = 0;
  // Column norms first, so the tolerance is relative to the data's scale.
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += A[i * k + j]! ** 2;
    maxDiag = Math.max(maxDiag, Math.sqrt(s));
  }
  let r = 0; // next row of R to fill
  for (let j = 0; j < k && r < n; j++) {
    let norm = 0;
    for (let i = r; i < n; i++) norm += A[i * k + j]! ** 2;
    norm = Math.sqrt(norm);
    if (norm <= 1e-7 * maxDiag) continue;
    const a0 = A[r * k + j]!;
    const alpha = a0 > 0 ? -norm : norm;
    const v = new Float64Array(n - r);
    v[0] = a0 - alpha;
    for (let i = r + 1; i < n; i++) v[i - r] = A[i * k + j]!;
    let vv = 0;
    for (let i = 0; i < v.length; i++) vv += v[i]! * v[i]!;
    const beta = vv === 0 ? 0 : 2 / vv;
    for (let c = j; c < k; c++) {
      let s = 0;
      for (let i = r; i < n; i++) s += v[i - r]! * A[i * k + c]!;
      s *= beta;
      for (let i = r; i < n; i++) A[i * k + c] = A[i * k + c]! - s * v[i - r]!;
    }
    let s = 0;
    for (let i = r; i < n; i++) s += v[i - r]! * b[i]!;
    s *= beta;
    for (let i = r; i < n; i++) b[i] = b[i]! - s * v[i - r]!;
    rdiag[j] = A[r * k + j]!;
    used.push(j);
    r++;
  }
  const rank = used.length;
  // Back substitution on the rank × rank upper triangle formed by the used columns.
  const coef = new Float64Array(k).fill(NaN);
  const sol = new Float64Array(rank);
  for (let a = rank - 1; a >= 0; a--) {
    let s = b[a]!;
    for (let c = a + 1; c < rank; c++) s -= A[a * k + used[c]!]! * sol[c]!;
    sol[a] = s / A[a * k + used[a]!]!;
  }
  for (let a = 0; a < rank; a++) coef[used[a]!] = sol[a]!;
  // diag((RᵀR)⁻¹) = row sums of squares of R⁻¹.
  const Rinv = new Float64Array(rank * rank);
  for (let c = 0; c < rank; c++) {
    Rinv[c * rank + c] = 1 / A[c * k + used[c]!]!;
    for (let a = c - 1; a >= 0; a--) {
      let s = 0;
      for (let t = a + 1; t <= c; t++) s += A[a * k + used[t]!]! * Rinv[t * rank + c]!;
      Rinv[a * rank + c] = -s / A[a * k + used[a]!]!;
    }
  }
  const covDiag = new Float64Array(k).fill(NaN);
  for (let a = 0; a < rank; a++) {
    let s = 0;
    for (let c = a; c < rank; c++) s += Rinv[a * rank + c]! ** 2;
    covDiag[used[a]!] = s;
  }
  const residuals = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let fit = 0;
    for (let a = 0; a < rank; a++) fit += X[i * k + used[a]!]! * sol[a]!;
    residuals[i] = (y[i] as number) - fit;
  }
  return { coef, residuals, covDiag, rank };
}

/** Scratch for rootsWithin (called once per likelihood evaluation in ETS: no allocation). */
let schurA = new Float64Array(32), schurB = new Float64Array(32);

/**
 * True if every root of c_0 + c_1 z + … + c_d z^d (d = length − 1, the first `length`
 * coefficients of c) has modulus less than `radius` (Schur–Cohn / Jury test on the polynomial
 * scaled to the unit circle; no root finding). Leading zero coefficients are dropped first.
 */
export function rootsWithin(c: ArrayLike<number>, radius: number, length = c.length): boolean {
  let d = length - 1;
  while (d > 0 && c[d] === 0) d--;
  if (d <= 0) return true;
  if (schurA.length <= d) {
    schurA = new Float64Array(2 * d + 2);
    schurB = new Float64Array(2 * d + 2);
  }
  // Roots of p(z) within radius r  ⇔  roots of q(w) = p(r w) within the unit circle. Write q,
  // made monic, as w^d + a_1 w^(d−1) + … + a_d: a_k = c_{d−k} r^{−k} / c_d.
  let a = schurA, b = schurB;
  const inv = 1 / radius;
  let rk = 1;
  for (let k = 0; k <= d; k++) {
    a[k] = (c[d - k]! / c[d]!) * rk;
    rk *= inv;
  }
  // All roots inside the unit circle ⇔ the Schur–Cohn (Levinson step-down) recursion gives
  // |k_j| < 1 at every degree.
  for (let m = d; m >= 1; m--) {
    const k = a[m]!;
    if (!(Math.abs(k) < 1)) return false;
    const den = 1 - k * k;
    b[0] = 1;
    for (let i = 1; i < m; i++) b[i] = (a[i]! - k * a[m - i]!) / den;
    const t = a;
    a = b;
    b = t;
  }
  return true;
}

/** Throw a RangeError naming `where` unless every value of `y` is a finite number. */
export function assertFiniteSeries(y: ArrayLike<number>, where: string, minLength = 1): void {
  if (y.length < minLength) throw new RangeError(`${where}: need at least ${minLength} values, got ${y.length}`);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${where}: y[${i}] is ${String(v)}; expected a finite number`);
  }
}

/** log Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 digits). */
export function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised incomplete beta I_x(a, b) by Lentz's continued fraction (Numerical Recipes §6.4). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  // The fraction converges fast for x < (a + 1)/(a + b + 2); use the symmetry otherwise.
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  let f = 1, c = 1, d = 0;
  for (let i = 0; i <= 400; i++) {
    const m = i >> 1;
    let num: number;
    if (i === 0) num = 1;
    else if (i % 2 === 0) num = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    else num = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    d = 1 / d;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    const cd = c * d;
    f *= cd;
    if (Math.abs(1 - cd) < 1e-15) break;
  }
  return Math.exp(lnFront) * (f - 1) / a;
}

/** Upper tail P(F > f) of the F distribution with (d1, d2) degrees of freedom. */
export function fDistributionUpper(f: number, d1: number, d2: number): number {
  if (!(f > 0)) return 1;
  return incompleteBeta(d2 / (d2 + d1 * f), d2 / 2, d1 / 2);
}

/**
 * Complex roots of c_0 + c_1 z + … + c_d z^d (trailing zero coefficients dropped), by the
 * Aberth–Ehrlich iteration; for the small degrees of ARMA polynomials (R uses polyroot()).
 */
export function polynomialRoots(c: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
  let d = c.length - 1;
  while (d > 0 && c[d] === 0) d--;
  const re = new Float64Array(d), im = new Float64Array(d);
  if (d === 0) return { re, im };
  const a = Float64Array.from({ length: d + 1 }, (_, k) => c[k]! / c[d]!); // monic
  // Start on a circle of the Cauchy bound's radius, at angles that avoid symmetry.
  let bound = 0;
  for (let k = 0; k < d; k++) bound = Math.max(bound, Math.abs(a[k]!));
  const radius = Math.min(1 + bound, 2 * Math.pow(Math.abs(a[0]!) || 1, 1 / d) + 0.5);
  for (let k = 0; k < d; k++) {
    const ang = (2 * Math.PI * k) / d + 0.4;
    re[k] = radius * Math.cos(ang);
    im[k] = radius * Math.sin(ang);
  }
  for (let iter = 0; iter < 500; iter++) {
    let moved = 0;
    for (let k = 0; k < d; k++) {
      // p(z) and p'(z) by Horner.
      let pr = 1, pi = 0, dr = 0, di = 0;
      const zr = re[k]!, zi = im[k]!;
      for (let j = d - 1; j >= 0; j--) {
        const ndr = dr * zr - di * zi + pr, ndi = dr * zi + di * zr + pi;
        dr = ndr; di = ndi;
        const npr = pr * zr - pi * zi + a[j]!, npi = pr * zi + pi * zr;
        pr = npr; pi = npi;
      }
      // ratio = p/p'
      const den = dr * dr + di * di;
      if (den === 0) continue;
      const rr = (pr * dr + pi * di) / den, ri = (pi * dr - pr * di) / den;
      // sum over other roots of 1/(z_k − z_j)
      let sr = 0, si = 0;
      for (let j = 0; j < d; j++) {
        if (j === k) continue;
        const xr = zr - re[j]!, xi = zi - im[j]!;
        const m = xr * xr + xi * xi;
        if (m === 0) continue;
        sr += xr / m;
        si += -xi / m;
      }
      // w = ratio / (1 − ratio·sum)
      const br = 1 - (rr * sr - ri * si), bi = -(rr * si + ri * sr);
      const bm = br * br + bi * bi;
      const wr = (rr * br + ri * bi) / bm, wi = (ri * br - rr * bi) / bm;
      re[k] = zr - wr;
      im[k] = zi - wi;
      moved = Math.max(moved, Math.hypot(wr, wi) / Math.max(1, Math.hypot(zr, zi)));
    }
    if (moved < 1e-15) break;
  }
  return { re, im };
}
