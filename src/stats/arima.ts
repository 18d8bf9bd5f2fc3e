/**
 * Seasonal ARIMA(p,d,q)(P,D,Q)[m] models fitted as R's stats::arima() (R 4.2) does it, with an
 * optional intercept (d + D = 0) or drift (d + D = 1) regressor as forecast::Arima() adds it.
 *
 * Model: φ(B)Φ(B^m)(1 − B)^d(1 − B^m)^D (y_t − c − δt) = θ(B)Θ(B^m)ε_t, ε_t ~ N(0, σ²).
 * The seasonal and non-seasonal polynomials are multiplied out (transPars) and the model is put
 * in state-space form: an ARMA block in Harvey's form (state r = max(p, q + 1), transition with
 * φ in the first column and ones on the superdiagonal, disturbance (1, θ_1, …, θ_{r−1})) plus
 * d + mD states that undo the differencing. The exact Gaussian likelihood comes from a Kalman
 * filter started at the stationary covariance of the ARMA block (the solution of the Lyapunov
 * equation Q0 = T Q0 Tᵀ + RRᵀ) and a diffuse prior (variance κ = 1e6) on the differencing
 * states; observations whose prediction variance exceeds 1e4 are left out of the likelihood.
 *
 * Fitting ("CSS-ML", the default): conditional-sum-of-squares estimates first (BFGS), then
 * maximum likelihood by BFGS on the AR parameters mapped to partial autocorrelations through
 * tanh (so every step is stationary) and the MA parameters inverted into the invertible region,
 * the regressor coefficient scaled by 10 × its least-squares standard error; the covariance of
 * the estimates from a numerical Hessian. These are the steps, tolerances and numerical
 * derivatives of optim(method = "BFGS"), so the same model lands on the same optimum.
 *
 * One difference from R: Q0 is computed from the ARMA autocovariances in O(r²) (see
 * stationaryCovariance) rather than by Gardner et al.'s (1980) AS 154 (R's default SSinit);
 * both solve the same equation and agree to rounding except for AR parts within about 1e-8 of
 * a unit root.
 */
import { bfgs, numericHessian, type BfgsResult } from './optimize.js';
import { polynomialRoots, rootsWithin } from './numeric.js';

/** Orders of a seasonal ARIMA model. */
export interface ArimaOrder {
  p: number;
  d: number;
  q: number;
  P: number;
  D: number;
  Q: number;
  /** Season length m (1: no seasonal part). */
  period: number;
}

/** The regressor a model carries: none, a constant mean (d + D = 0) or a linear drift (d + D = 1). */
export type ArimaRegressor = 'none' | 'intercept' | 'drift';

/** How stats::arima estimates: CSS then ML (default), ML only, or CSS only. */
export type ArimaMethod = 'CSS-ML' | 'ML' | 'CSS';

/** State-space form of the (expanded) ARMA model with differencing, and its Kalman filter state. */
export interface ArimaStateSpace {
  phi: Float64Array;
  theta: Float64Array;
  /** Differencing polynomial coefficients: y_t − Σ Δ_i y_{t−i} is stationary. */
  delta: Float64Array;
  /** State mean and covariance after the last observation (forecasts start here). */
  a: Float64Array;
  P: Float64Array;
  /** Prediction covariance used for the first observation (stationary block + κ·I). */
  Pn: Float64Array;
}

/** A fitted ARIMA model (R's "Arima" object, as myarima() leaves it). */
export interface ArimaModel {
  order: ArimaOrder;
  /** "ARIMA(0,1,1)(0,1,1)[12] with drift" (forecast's arima.string). */
  method: string;
  regressor: ArimaRegressor;
  /** Coefficients in R's order: ar1..p, ma1..q, sar1..P, sma1..Q, then the intercept or drift. */
  coef: Float64Array;
  /** Coefficient names in the same order. */
  coefNames: string[];
  /** Covariance of the estimated coefficients (k, k) row-major, k = number estimated; empty when none. */
  varCoef: Float64Array;
  /** Innovation variance: Σ residual² / (n − d − mD − k), as forecast's myarima(); the intervals use it. */
  sigma2: number;
  /** stats::arima()'s own σ²: Σ standardised error² / n_used (ML) or the CSS mean square. */
  arimaSigma2: number;
  loglik: number;
  aic: number;
  aicc: number;
  bic: number;
  /** Standardised one-step prediction errors, (n). */
  residuals: Float64Array;
  /** y − residuals (forecast's fitted.Arima), (n). */
  fitted: Float64Array;
  /** Observations the likelihood used (n − d − mD). */
  nobs: number;
  /** Number of estimated parameters plus one (for σ²). */
  npar: number;
  model: ArimaStateSpace;
  /** Length of the series the model was fitted to (drift continues from here). */
  n: number;
  /** How it was estimated. */
  fitMethod: ArimaMethod;
}

export interface ArimaFitOptions {
  regressor?: ArimaRegressor;
  method?: ArimaMethod;
  /** Fix the regressor's coefficient instead of estimating it (R: fixed = c(...)), only with no ARMA terms. */
  fixedRegressor?: number;
  /** For method "CSS": the AIC is offset + n·log σ²_CSS + 2k, as auto.arima's approximation computes it (default 0). */
  cssOffset?: number;
}

const KAPPA = 1e6;

/** The arma vector of stats::arima: p, q, P, Q, m, d, D. */
interface Arma { p: number; q: number; P: number; Q: number; m: number; d: number; D: number }
const toArma = (o: ArimaOrder): Arma => ({ p: o.p, q: o.q, P: o.P, Q: o.Q, m: o.period, d: o.d, D: o.D });

/** Map unconstrained values to the AR coefficients of a stationary AR(p): tanh to PACF, then Durbin–Levinson. */
function partrans(p: number, raw: ArrayLike<number>, ro: number, out: Float64Array, oo: number): void {
  const work = new Float64Array(p);
  for (let j = 0; j < p; j++) out[oo + j] = work[j] = Math.tanh(raw[ro + j]!);
  for (let j = 1; j < p; j++) {
    const a = out[oo + j]!;
    for (let k = 0; k < j; k++) work[k] = work[k]! - a * out[oo + j - k - 1]!;
    for (let k = 0; k < j; k++) out[oo + k] = work[k]!;
  }
}

/** Inverse of partrans: AR coefficients to atanh of the PACF. */
function invpartrans(p: number, phi: ArrayLike<number>, po: number, out: Float64Array, oo: number): void {
  const work = new Float64Array(p);
  for (let j = 0; j < p; j++) out[oo + j] = work[j] = phi[po + j]!;
  for (let j = p - 1; j > 0; j--) {
    const a = out[oo + j]!;
    for (let k = 0; k < j; k++) work[k] = (out[oo + k]! + a * out[oo + j - k - 1]!) / (1 - a * a);
    for (let k = 0; k < j; k++) out[oo + k] = work[k]!;
  }
  for (let j = 0; j < p; j++) out[oo + j] = Math.atanh(out[oo + j]!);
}

/** ARIMA_undoPars: apply partrans to the AR and seasonal AR blocks. */
function undoPars(par: ArrayLike<number>, arma: Arma): Float64Array {
  const out = Float64Array.from(par);
  if (arma.p > 0) partrans(arma.p, par, 0, out, 0);
  if (arma.P > 0) partrans(arma.P, par, arma.p + arma.q, out, arma.p + arma.q);
  return out;
}

/** ARIMA_Invtrans. */
function invTrans(par: ArrayLike<number>, arma: Arma): Float64Array {
  const out = Float64Array.from(par);
  if (arma.p > 0) invpartrans(arma.p, par, 0, out, 0);
  if (arma.P > 0) invpartrans(arma.P, par, arma.p + arma.q, out, arma.p + arma.q);
  return out;
}

/** ARIMA_Gradtrans: Jacobian of undoPars by forward differences (step 1e-3), (n, n) with A[i][j] = ∂out_j/∂in_i. */
function gradTrans(par: ArrayLike<number>, arma: Arma): Float64Array {
  const n = par.length, eps = 1e-3;
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) A[i * n + i] = 1;
  const block = (len: number, off: number): void => {
    const w1 = Float64Array.from({ length: len }, (_, i) => par[off + i]!);
    const w2 = new Float64Array(len), w3 = new Float64Array(len);
    partrans(len, w1, 0, w2, 0);
    for (let i = 0; i < len; i++) {
      w1[i] = w1[i]! + eps;
      partrans(len, w1, 0, w3, 0);
      for (let j = 0; j < len; j++) A[(off + i) * n + off + j] = (w3[j]! - w2[j]!) / eps;
      w1[i] = w1[i]! - eps;
    }
  };
  if (arma.p > 0) block(arma.p, 0);
  if (arma.P > 0) block(arma.P, arma.p + arma.q);
  return A;
}

/** ARIMA_transPars: expand the seasonal ARMA into φ (length p + mP) and θ (q + mQ). */
function transPars(par: ArrayLike<number>, arma: Arma, trans: boolean): { phi: Float64Array; theta: Float64Array } {
  const { p: mp, q: mq, P: msp, Q: msq, m: ns } = arma;
  const params = trans ? undoPars(par, arma) : par;
  const p = mp + ns * msp, q = mq + ns * msq;
  const phi = new Float64Array(p), theta = new Float64Array(q);
  for (let i = 0; i < mp; i++) phi[i] = params[i]!;
  for (let i = 0; i < mq; i++) theta[i] = params[i + mp]!;
  for (let j = 0; j < msp; j++) {
    phi[(j + 1) * ns - 1] += params[j + mp + mq]!;
    for (let i = 0; i < mp; i++) phi[(j + 1) * ns + i] -= params[i]! * params[j + mp + mq]!;
  }
  for (let j = 0; j < msq; j++) {
    theta[(j + 1) * ns - 1] += params[j + mp + mq + msp]!;
    for (let i = 0; i < mq; i++) theta[(j + 1) * ns + i] += params[i + mp]! * params[j + mp + mq + msp]!;
  }
  return { phi, theta };
}

/** Are all roots of 1 − φ_1 z − … − φ_p z^p outside the unit circle? (arCheck) */
function arCheck(ar: ArrayLike<number>): boolean {
  let p = ar.length;
  while (p > 0 && ar[p - 1] === 0) p--;
  if (p === 0) return true;
  // Roots of the reversed polynomial z^p − φ_1 z^{p−1} − … − φ_p are the reciprocals.
  const rev = new Float64Array(p + 1);
  rev[p] = 1;
  for (let k = 1; k <= p; k++) rev[p - k] = -ar[k - 1]!;
  return rootsWithin(rev, 1);
}

/** maInvert: reflect the roots of 1 + θ_1 z + … inside the unit circle to make the MA part invertible. */
function maInvert(ma: ArrayLike<number>): Float64Array {
  const q = ma.length;
  let q0 = q;
  while (q0 > 0 && ma[q0 - 1] === 0) q0--;
  if (q0 === 0) return Float64Array.from(ma);
  const coef = [1, ...Array.from({ length: q0 }, (_, i) => ma[i]!)];
  const { re, im } = polynomialRoots(coef);
  let any = false;
  for (let k = 0; k < q0; k++) if (Math.hypot(re[k]!, im[k]!) < 1) any = true;
  if (!any) return Float64Array.from(ma);
  if (q0 === 1) {
    const out = new Float64Array(q);
    out[0] = 1 / ma[0]!;
    return out;
  }
  for (let k = 0; k < q0; k++) {
    const m2 = re[k]! * re[k]! + im[k]! * im[k]!;
    if (m2 < 1) { re[k] = re[k]! / m2; im[k] = -im[k]! / m2; }
  }
  // x(z) = Π (1 − z/root): x ← c(x, 0) − c(0, x)/root, in complex arithmetic.
  let xr = [1], xi = [0];
  for (let k = 0; k < q0; k++) {
    const m2 = re[k]! * re[k]! + im[k]! * im[k]!;
    const ir = re[k]! / m2, ii = -im[k]! / m2; // 1/root
    const nr = new Array<number>(xr.length + 1).fill(0), ni = new Array<number>(xr.length + 1).fill(0);
    for (let j = 0; j < xr.length; j++) { nr[j] += xr[j]!; ni[j] += xi[j]!; }
    for (let j = 0; j < xr.length; j++) {
      nr[j + 1] -= xr[j]! * ir - xi[j]! * ii;
      ni[j + 1] -= xr[j]! * ii + xi[j]! * ir;
    }
    xr = nr;
    xi = ni;
  }
  const out = new Float64Array(q);
  for (let j = 0; j < q0; j++) out[j] = xr[j + 1]!;
  return out;
}

/** Conditional sum of squares (ARIMA_CSS): differences y, runs the ARMA recursion from ncond on; returns ssq/nu and the residuals. */
function css(y: ArrayLike<number>, arma: Arma, phi: Float64Array, theta: Float64Array, ncond: number, resid: Float64Array): number {
  const n = y.length, p = phi.length, q = theta.length;
  const w = Float64Array.from(y);
  for (let i = 0; i < arma.d; i++) for (let l = n - 1; l > 0; l--) w[l] = w[l]! - w[l - 1]!;
  const ns = arma.m;
  for (let i = 0; i < arma.D; i++) for (let l = n - 1; l >= ns; l--) w[l] = w[l]! - w[l - ns]!;
  for (let l = 0; l < ncond; l++) resid[l] = 0;
  let ssq = 0, nu = 0;
  for (let l = ncond; l < n; l++) {
    let tmp = w[l]!;
    for (let j = 0; j < p; j++) tmp -= phi[j]! * w[l - j - 1]!;
    const lim = Math.min(l - ncond, q);
    for (let j = 0; j < lim; j++) tmp -= theta[j]! * resid[l - j - 1]!;
    resid[l] = tmp;
    if (!Number.isNaN(tmp)) { nu++; ssq += tmp * tmp; }
  }
  return ssq / nu;
}

/**
 * Stationary covariance of the ARMA block, Q0 = T Q0 Tᵀ + RRᵀ (σ² = 1), with T holding φ in the
 * first column and ones on the superdiagonal and R = (1, θ_1, …, θ_{r−1}); (r, r) row-major.
 *
 * Written elementwise the equation reads Q_ik = R_iR_k + φ_iφ_k c_1 + φ_i c_{k+1} + φ_k c_{i+1}
 * + Q_{i+1,k+1} with c_k = Q_1k = Cov(y_t, α_kt), so Q follows backwards from its first row in
 * O(r²). The first row comes from the ARMA autocovariances γ and ψ-weights:
 * α_kt = Σ_{j≥0} (φ_{k+j} y_{t−1−j} + θ_{k−1+j} ε_{t−j}) gives c_k = Σ_j (φ_{k+j} γ(j+1) + θ_{k−1+j} ψ_j),
 * and γ(0..p) solve γ(h) − Σ φ_j γ(|h − j|) = Σ_{j≥h} θ_j ψ_{j−h} (Brockwell & Davis §3.3).
 */
export function stationaryCovariance(phi: ArrayLike<number>, theta: ArrayLike<number>): Float64Array {
  const p = phi.length, q = theta.length, r = Math.max(p, q + 1);
  const Q = new Float64Array(r * r);
  if (r === 1) {
    Q[0] = p > 0 ? 1 / (1 - phi[0]! * phi[0]!) : 1;
    return Q;
  }
  const ph = (k: number): number => (k >= 1 && k <= p ? phi[k - 1]! : 0); // φ_k, 1-based
  const th = (k: number): number => (k === 0 ? 1 : k >= 1 && k <= q ? theta[k - 1]! : 0); // θ_k, θ_0 = 1
  // ψ-weights ψ_0..ψ_r.
  const psi = new Float64Array(r + 1);
  for (let j = 0; j <= r; j++) {
    let v = th(j);
    for (let i = 1; i <= Math.min(j, p); i++) v += ph(i) * psi[j - i]!;
    psi[j] = v;
  }
  // γ(0..p) from the (p + 1)-equation system, then γ(h) for h up to r by the recursion.
  const gamma = new Float64Array(r + 1);
  const rhs = (h: number): number => {
    let v = 0;
    for (let j = h; j <= q; j++) v += th(j) * psi[j - h]!;
    return v;
  };
  if (p > 0) {
    const A = new Float64Array((p + 1) * (p + 1));
    const b = new Float64Array(p + 1);
    for (let h = 0; h <= p; h++) {
      A[h * (p + 1) + h] += 1;
      for (let j = 1; j <= p; j++) A[h * (p + 1) + Math.abs(h - j)] -= ph(j);
      b[h] = rhs(h);
    }
    const g = solve(A, p + 1, b, 1);
    if (!g) return new Float64Array(r * r).fill(NaN);
    for (let h = 0; h <= p; h++) gamma[h] = g[h]!;
  }
  for (let h = p > 0 ? p + 1 : 0; h <= r; h++) {
    let v = rhs(h);
    for (let j = 1; j <= p; j++) v += ph(j) * gamma[h - j]!;
    gamma[h] = v;
  }
  // First row c_k = Cov(y_t, α_kt), k = 1..r (c_{r+1} = 0).
  const c = new Float64Array(r + 2);
  c[1] = gamma[0]!;
  for (let k = 2; k <= r; k++) {
    let v = 0;
    for (let j = 0; j <= r - k; j++) v += ph(k + j) * gamma[j + 1]! + th(k - 1 + j) * psi[j]!;
    c[k] = v;
  }
  // Backwards from the last row and column (Q_{r+1,·} = 0); R_i = θ_{i−1}.
  for (let i = r; i >= 1; i--) {
    for (let k = r; k >= i; k--) {
      let v = th(i - 1) * th(k - 1) + ph(i) * ph(k) * c[1]! + ph(i) * c[k + 1]! + ph(k) * c[i + 1]!;
      if (i < r && k < r) v += Q[i * r + k]!; // Q_{i+1,k+1} in 0-based storage
      Q[(i - 1) * r + (k - 1)] = v;
      Q[(k - 1) * r + (i - 1)] = v;
    }
  }
  return Q;
}

/** makeARIMA: the state-space model with a = 0 and Pn = [[Q0, 0], [0, κI]]. */
function makeStateSpace(phi: Float64Array, theta: Float64Array, delta: Float64Array): ArimaStateSpace {
  const p = phi.length, q = theta.length, r = Math.max(p, q + 1), d = delta.length, rd = r + d;
  const Pn = new Float64Array(rd * rd);
  const Q0 = stationaryCovariance(phi, theta);
  for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) Pn[i + rd * j] = Q0[i * r + j]!;
  for (let i = r; i < rd; i++) Pn[i + rd * i] = KAPPA;
  return { phi, theta, delta, a: new Float64Array(rd), P: new Float64Array(rd * rd), Pn };
}

/**
 * The Kalman filter of ARIMA_Like on y. Updates mod.a, mod.P and mod.Pn in place as R does (so
 * the model can forecast from its end) and returns the sum of squared standardised errors, the
 * sum of log prediction variances and how many observations counted (prediction variance below
 * 1e4); fills `resid` with the standardised errors when given.
 *
 * The transition T is applied through its structure, never as a matrix: for the ARMA rows
 * (Tx)_i = φ_i x_0 + x_{i+1}; the first differencing row is x_0 + Σ Δ_k x_{r+k}; the others shift
 * (x_{r+i−1}). P, Pn are symmetric, stored row-major.
 */
function kalmanLikelihood(y: ArrayLike<number>, mod: ArimaStateSpace, resid: Float64Array | null): { ssq: number; sumlog: number; nu: number } {
  const { phi, theta, delta, a, P } = mod;
  const Pnew = mod.Pn;
  const n = y.length, p = phi.length, q = theta.length, d = delta.length;
  const rd = a.length, r = rd - d;
  const anew = new Float64Array(rd), M = new Float64Array(rd);
  const mm = new Float64Array(rd * rd);
  const phiR = new Float64Array(r); // φ padded to r
  for (let i = 0; i < p; i++) phiR[i] = phi[i]!;
  const v = new Float64Array(q + 1); // (1, θ)
  v[0] = 1;
  for (let i = 0; i < q; i++) v[i + 1] = theta[i]!;
  let ssq = 0, sumlog = 0, nu = 0;
  for (let l = 0; l < n; l++) {
    // anew = T a
    const a0 = a[0]!;
    for (let i = 0; i < r - 1; i++) anew[i] = phiR[i]! * a0 + a[i + 1]!;
    anew[r - 1] = phiR[r - 1]! * a0;
    if (d > 0) {
      let tmp = a0;
      for (let k = 0; k < d; k++) tmp += delta[k]! * a[r + k]!;
      for (let i = rd - 1; i > r; i--) anew[i] = a[i - 1]!;
      anew[r] = tmp;
    }
    if (l > 0) {
      // mm = T P (rows transformed), then Pnew = mm Tᵀ (columns transformed), + v vᵀ.
      for (let i = 0; i < r; i++) {
        const f = phiR[i]!, row = i * rd;
        if (i < r - 1) {
          const next = (i + 1) * rd;
          for (let j = 0; j < rd; j++) mm[row + j] = f * P[j]! + P[next + j]!;
        } else {
          for (let j = 0; j < rd; j++) mm[row + j] = f * P[j]!;
        }
      }
      if (d > 0) {
        const row = r * rd;
        for (let j = 0; j < rd; j++) mm[row + j] = P[j]!;
        for (let k = 0; k < d; k++) {
          const dk = delta[k]!, src = (r + k) * rd;
          for (let j = 0; j < rd; j++) mm[row + j] += dk * P[src + j]!;
        }
        for (let i = r + 1; i < rd; i++) {
          const row = i * rd, src = (i - 1) * rd;
          for (let j = 0; j < rd; j++) mm[row + j] = P[src + j]!;
        }
      }
      for (let i = 0; i < rd; i++) {
        const row = i * rd, m0 = mm[row]!;
        for (let j = 0; j < r - 1; j++) Pnew[row + j] = phiR[j]! * m0 + mm[row + j + 1]!;
        Pnew[row + r - 1] = phiR[r - 1]! * m0;
        if (d > 0) {
          let tmp = m0;
          for (let k = 0; k < d; k++) tmp += delta[k]! * mm[row + r + k]!;
          for (let j = rd - 1; j > r; j--) Pnew[row + j] = mm[row + j - 1]!;
          Pnew[row + r] = tmp;
        }
      }
      for (let i = 0; i <= q; i++) {
        const vi = v[i]!, row = i * rd;
        for (let j = 0; j <= q; j++) Pnew[row + j] += vi * v[j]!;
      }
    }
    const yl = y[l]!;
    if (!Number.isNaN(yl)) {
      let res = yl - anew[0]!;
      for (let k = 0; k < d; k++) res -= delta[k]! * anew[r + k]!;
      for (let i = 0; i < rd; i++) {
        const row = i * rd;
        let tmp = Pnew[row]!;
        for (let k = 0; k < d; k++) tmp += Pnew[row + r + k]! * delta[k]!;
        M[i] = tmp;
      }
      let gain = M[0]!;
      for (let k = 0; k < d; k++) gain += delta[k]! * M[r + k]!;
      if (gain < 1e4) {
        nu++;
        ssq += (res * res) / gain;
        sumlog += Math.log(gain);
      }
      if (resid) resid[l] = res / Math.sqrt(gain);
      const scale = res / gain, inv = 1 / gain;
      for (let i = 0; i < rd; i++) a[i] = anew[i]! + M[i]! * scale;
      for (let i = 0; i < rd; i++) {
        const mi = M[i]! * inv, row = i * rd;
        for (let j = 0; j < rd; j++) P[row + j] = Pnew[row + j]! - mi * M[j]!;
      }
    } else {
      a.set(anew);
      P.set(Pnew);
      if (resid) resid[l] = NaN;
    }
  }
  return { ssq, sumlog, nu };
}

/** Forecast means and variances (in units of σ²) `h` steps past the end of the filtered model (KalmanForecast). */
export function kalmanForecast(h: number, mod: ArimaStateSpace): { mean: Float64Array; variance: Float64Array } {
  const { phi, theta, delta } = mod;
  const p = phi.length, q = theta.length, d = delta.length, rd = mod.a.length, r = rd - d;
  const T = new Float64Array(rd * rd); // row-major
  for (let i = 0; i < p; i++) T[i * rd] = phi[i]!;
  for (let i = 1; i < r; i++) T[(i - 1) * rd + i] = 1;
  if (d > 0) {
    T[r * rd] = 1;
    for (let k = 0; k < d; k++) T[r * rd + r + k] = delta[k]!;
    for (let k = 1; k < d; k++) T[(r + k) * rd + r + k - 1] = 1;
  }
  const Z = new Float64Array(rd);
  Z[0] = 1;
  for (let k = 0; k < d; k++) Z[r + k] = delta[k]!;
  const Rv = new Float64Array(rd);
  Rv[0] = 1;
  for (let i = 1; i < r; i++) Rv[i] = i - 1 < q ? theta[i - 1]! : 0;
  let a = Float64Array.from(mod.a);
  let P = new Float64Array(rd * rd);
  for (let i = 0; i < rd; i++) for (let j = 0; j < rd; j++) P[i * rd + j] = mod.P[i + rd * j]!;
  const mean = new Float64Array(h), variance = new Float64Array(h);
  const tmp = new Float64Array(rd * rd);
  for (let l = 0; l < h; l++) {
    const anew = new Float64Array(rd);
    let fc = 0;
    for (let i = 0; i < rd; i++) {
      let s = 0;
      for (let k = 0; k < rd; k++) s += T[i * rd + k]! * a[k]!;
      anew[i] = s;
      fc += s * Z[i]!;
    }
    a = anew;
    mean[l] = fc;
    for (let i = 0; i < rd; i++) for (let j = 0; j < rd; j++) {
      let s = 0;
      for (let k = 0; k < rd; k++) s += T[i * rd + k]! * P[k * rd + j]!;
      tmp[i * rd + j] = s;
    }
    const Pn = new Float64Array(rd * rd);
    let v = 0;
    for (let i = 0; i < rd; i++) for (let j = 0; j < rd; j++) {
      let s = Rv[i]! * Rv[j]!;
      for (let k = 0; k < rd; k++) s += tmp[i * rd + k]! * T[j * rd + k]!;
      Pn[i * rd + j] = s;
      v += Z[i]! * Z[j]! * s;
    }
    P = Pn;
    variance[l] = v;
  }
  return { mean, variance };
}

/** (1 − B)^d (1 − B^m)^D as the Δ of makeARIMA: coefficients of the lagged values, Δ_1..Δ_{d+mD}. */
function differencingPolynomial(d: number, D: number, m: number): Float64Array {
  let poly = [1];
  const mul = (b: number[]): void => {
    const out = new Array<number>(poly.length + b.length - 1).fill(0);
    for (let i = 0; i < poly.length; i++) for (let j = 0; j < b.length; j++) out[i + j] += poly[i]! * b[j]!;
    poly = out;
  };
  for (let i = 0; i < d; i++) mul([1, -1]);
  for (let i = 0; i < D; i++) mul([1, ...new Array<number>(m - 1).fill(0), -1]);
  return Float64Array.from(poly.slice(1), (v) => -v);
}

/** x differenced d times at lag 1 then D times at lag m. */
export function differenceSeries(x: ArrayLike<number>, d: number, D: number, m: number): Float64Array {
  let out = Float64Array.from(x);
  for (let i = 0; i < d; i++) out = out.subarray(1).map((v, t) => v - out[t]!);
  for (let i = 0; i < D; i++) out = out.subarray(m).map((v, t) => v - out[t]!);
  return out;
}

/** Solve A X = B for symmetric-or-not A (n, n) by Gaussian elimination with partial pivoting; null if singular. */
function solve(A: Float64Array, n: number, B: Float64Array, k: number): Float64Array | null {
  const M = Float64Array.from(A), X = Float64Array.from(B);
  let scale = 0;
  for (const v of M) scale = Math.max(scale, Math.abs(v));
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r * n + c]!) > Math.abs(M[piv * n + c]!)) piv = r;
    if (!(Math.abs(M[piv * n + c]!) > 1e-14 * scale)) return null; // R's solve() stops: "system is computationally singular"
    if (piv !== c) {
      for (let j = 0; j < n; j++) { const t = M[c * n + j]!; M[c * n + j] = M[piv * n + j]!; M[piv * n + j] = t; }
      for (let j = 0; j < k; j++) { const t = X[c * k + j]!; X[c * k + j] = X[piv * k + j]!; X[piv * k + j] = t; }
    }
    for (let r = c + 1; r < n; r++) {
      const f = M[r * n + c]! / M[c * n + c]!;
      if (f === 0) continue;
      for (let j = c; j < n; j++) M[r * n + j] = M[r * n + j]! - f * M[c * n + j]!;
      for (let j = 0; j < k; j++) X[r * k + j] = X[r * k + j]! - f * X[c * k + j]!;
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    for (let j = 0; j < k; j++) {
      let s = X[c * k + j]!;
      for (let r = c + 1; r < n; r++) s -= M[c * n + r]! * X[r * k + j]!;
      X[c * k + j] = s / M[c * n + c]!;
    }
  }
  return X;
}

/** Raised when stats::arima would stop with an error (R's try() in auto.arima then skips the model). */
export class ArimaFitError extends Error {}

/** forecast's arima.string. */
export function arimaName(order: ArimaOrder, regressor: ArimaRegressor): string {
  let s = `ARIMA(${order.p},${order.d},${order.q})`;
  if (order.period > 1 && order.P + order.D + order.Q > 0) s += `(${order.P},${order.D},${order.Q})[${order.period}]`;
  if (regressor === 'drift') s += ' with drift';
  else if (regressor === 'intercept') s += ' with non-zero mean';
  else if (order.d === 0 && order.D === 0) s += ' with zero mean';
  return s;
}

/**
 * stats::arima(x, order, seasonal, include.mean / xreg = drift, method) followed by forecast's
 * myarima() bookkeeping (σ², AICc, BIC). Throws ArimaFitError where R's arima() stops.
 */
export function fitArima(x: ArrayLike<number>, order: ArimaOrder, opts: ArimaFitOptions = {}): ArimaModel {
  const arma = toArma(order);
  if (arma.m <= 1) { arma.m = 1; arma.P = arma.D = arma.Q = 0; }
  const n = x.length;
  const method = opts.method ?? 'CSS-ML';
  const narma = arma.p + arma.q + arma.P + arma.Q;
  const delta = differencingPolynomial(arma.d, arma.D, arma.m);
  const nd = arma.d + arma.D;
  const nUsed = n - delta.length;
  if (nUsed <= 0) throw new ArimaFitError('arima: too few non-missing observations');
  let regressor = opts.regressor ?? 'none';
  if (regressor === 'intercept' && nd > 0) regressor = 'none'; // include.mean is ignored once differenced
  const xreg: Float64Array | null = regressor === 'none' ? null : Float64Array.from({ length: n }, (_, t) => (regressor === 'drift' ? t + 1 : 1));
  const ncxreg = xreg ? 1 : 0;
  const fixedReg = opts.fixedRegressor;
  if (fixedReg !== undefined && (narma > 0 || !xreg)) throw new RangeError('arima: fixedRegressor needs a regressor and no ARMA terms');
  let ncond = method === 'ML' ? 0 : arma.d + arma.D * arma.m + arma.p + arma.m * arma.P;

  const init0 = new Float64Array(narma + ncxreg);
  const parscale = new Float64Array(narma + ncxreg).fill(1);
  if (xreg) {
    // Least-squares start for the regressor on the differenced data (lm(dx ~ dxreg − 1)).
    let dx = differenceSeries(x, arma.d, arma.D, arma.m), dr = differenceSeries(xreg, arma.d, arma.D, arma.m);
    let sxy = 0, sxx = 0;
    for (let i = 0; i < dx.length; i++) { sxy += dx[i]! * dr[i]!; sxx += dr[i]! * dr[i]!; }
    if (!(dx.length > 1 && sxx > 0)) {
      dx = Float64Array.from(x); dr = xreg;
      sxy = 0; sxx = 0;
      for (let i = 0; i < n; i++) { sxy += dx[i]! * dr[i]!; sxx += dr[i]! * dr[i]!; }
    }
    const beta = sxy / sxx;
    let rss = 0;
    for (let i = 0; i < dx.length; i++) rss += (dx[i]! - beta * dr[i]!) ** 2;
    const se = Math.sqrt(rss / (dx.length - 1) / sxx);
    init0[narma] = beta;
    parscale[narma] = 10 * se;
  }
  const noOptim = fixedReg !== undefined || narma + ncxreg === 0;
  const coefFixed = fixedReg !== undefined ? Float64Array.of(fixedReg) : null;
  const xAdj = new Float64Array(n);
  const adjust = (par: ArrayLike<number>): Float64Array => {
    const b = xreg ? par[narma]! : 0;
    for (let t = 0; t < n; t++) xAdj[t] = x[t]! - (xreg ? b * xreg[t]! : 0);
    return xAdj;
  };
  const residCss = new Float64Array(n);
  const armaCSS = (par: Float64Array): number => {
    const { phi, theta } = transPars(par, arma, false);
    return 0.5 * Math.log(css(adjust(par), arma, phi, theta, ncond, residCss));
  };
  const armafn = (trans: boolean) => (par: Float64Array): number => {
    const { phi, theta } = transPars(par, arma, trans);
    const mod = makeStateSpace(phi, theta, delta);
    const res = kalmanLikelihood(adjust(par), mod, null);
    const s2 = res.ssq / res.nu;
    return 0.5 * (Math.log(s2) + res.sumlog / res.nu);
  };
  const nonStationary = (par: ArrayLike<number>): string | null => {
    if (arma.p > 0 && !arCheck(Array.from({ length: arma.p }, (_, i) => par[i]!))) return 'non-stationary AR part from CSS';
    if (arma.P > 0 && !arCheck(Array.from({ length: arma.P }, (_, i) => par[arma.p + arma.q + i]!))) return 'non-stationary seasonal AR part from CSS';
    return null;
  };
  const guarded = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new ArimaFitError(`arima: ${(e as Error).message}`);
    }
  };

  let coef: Float64Array;
  let value: number;
  let varCoef: Float64Array;
  let sigma2: number;
  let residuals: Float64Array;
  let mod: ArimaStateSpace;
  const k = narma + ncxreg;
  if (method === 'CSS') {
    let res: BfgsResult;
    if (noOptim) {
      coef = coefFixed ?? new Float64Array(0);
      res = { x: coef, value: armaCSS(coef), fail: 0, evaluations: 0, gradients: 0 };
      varCoef = new Float64Array(0);
    } else {
      res = guarded(() => bfgs(armaCSS, init0, { parscale }));
      coef = res.x;
      const H = guarded(() => numericHessian(armaCSS, coef, { parscale }));
      const Hn = H.map((v) => v * nUsed);
      const eye = new Float64Array(k * k);
      for (let i = 0; i < k; i++) eye[i * k + i] = 1;
      const inv = solve(Hn, k, eye, k);
      if (!inv) throw new ArimaFitError('arima: the Hessian is singular');
      varCoef = inv;
    }
    const { phi, theta } = transPars(coef, arma, false);
    mod = makeStateSpace(phi, theta, delta);
    kalmanLikelihood(adjust(coef), mod, null);
    residuals = new Float64Array(n);
    sigma2 = css(adjust(coef), arma, phi, theta, ncond, residuals);
    value = 2 * nUsed * res.value + nUsed + nUsed * Math.log(2 * Math.PI);
  } else {
    let init: Float64Array = Float64Array.from(init0);
    if (method === 'CSS-ML' && !noOptim) {
      const res = guarded(() => bfgs(armaCSS, init, { parscale }));
      if (res.fail === 0) init = Float64Array.from(res.x);
      const bad = nonStationary(init);
      if (bad) throw new ArimaFitError(`arima: ${bad}`);
    }
    ncond = 0;
    const transform = !noOptim;
    let res: BfgsResult;
    if (noOptim) {
      coef = coefFixed ?? new Float64Array(0);
      res = { x: coef, value: armafn(false)(coef), fail: 0, evaluations: 0, gradients: 0 };
      varCoef = new Float64Array(0);
    } else {
      init = invTrans(init, arma);
      if (arma.q > 0) init.set(maInvert(init.subarray(arma.p, arma.p + arma.q)), arma.p);
      if (arma.Q > 0) init.set(maInvert(init.subarray(arma.p + arma.q + arma.P, narma)), arma.p + arma.q + arma.P);
      const fn = armafn(transform);
      res = guarded(() => bfgs(fn, init, { parscale }));
      coef = Float64Array.from(res.x);
      if (arma.q > 0) coef.set(maInvert(coef.subarray(arma.p, arma.p + arma.q)), arma.p);
      if (arma.Q > 0) coef.set(maInvert(coef.subarray(arma.p + arma.q + arma.P, narma)), arma.p + arma.q + arma.P);
      if (coef.some((v, i) => v !== res.x[i])) {
        // The MA part was inverted: R re-evaluates (maxit = 0) there, value included.
        const v = fn(coef);
        res = { ...res, x: coef, value: v };
      }
      const H = guarded(() => numericHessian(fn, coef, { parscale }));
      const A = gradTrans(coef, arma);
      // var = Aᵀ (H·n)⁻¹ A
      const Hn = H.map((v) => v * nUsed);
      const HinvA = solve(Hn, k, A, k);
      if (!HinvA) throw new ArimaFitError('arima: the Hessian is singular');
      varCoef = new Float64Array(k * k);
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += A[t * k + i]! * HinvA[t * k + j]!;
        varCoef[i * k + j] = s;
      }
      coef = undoPars(coef, arma);
    }
    const { phi, theta } = transPars(coef, arma, false);
    mod = makeStateSpace(phi, theta, delta);
    residuals = new Float64Array(n);
    const val = kalmanLikelihood(adjust(coef), mod, residuals);
    sigma2 = val.ssq / nUsed;
    value = 2 * nUsed * res.value + nUsed + nUsed * Math.log(2 * Math.PI);
  }
  const nstar = n - arma.d - arma.D * arma.m;
  const npar = (noOptim ? 0 : k) + 1;
  // R's arima() has no AIC for CSS; myarima() then uses offset + n*·log σ²_CSS + 2k.
  const aic = method === 'CSS' ? (opts.cssOffset ?? 0) + nstar * Math.log(sigma2) + 2 * npar : value + 2 * (noOptim ? 0 : k) + 2;
  const names: string[] = [];
  for (let i = 1; i <= arma.p; i++) names.push(`ar${i}`);
  for (let i = 1; i <= arma.q; i++) names.push(`ma${i}`);
  for (let i = 1; i <= arma.P; i++) names.push(`sar${i}`);
  for (let i = 1; i <= arma.Q; i++) names.push(`sma${i}`);
  if (xreg) names.push(regressor);
  // myarima's bookkeeping.
  let ssr = 0;
  for (const v of residuals) if (!Number.isNaN(v)) ssr += v * v;
  const fullOrder: ArimaOrder = { p: arma.p, d: arma.d, q: arma.q, P: arma.P, D: arma.D, Q: arma.Q, period: order.period };
  return {
    order: fullOrder,
    method: arimaName(fullOrder, regressor),
    regressor,
    coef,
    coefNames: names,
    varCoef,
    sigma2: ssr / (nstar - npar + 1),
    arimaSigma2: sigma2,
    loglik: -0.5 * value,
    aic,
    aicc: aic + (2 * npar * (npar + 1)) / (nstar - npar - 1),
    bic: aic + npar * (Math.log(nstar) - 2),
    residuals,
    fitted: Float64Array.from(residuals, (e, t) => x[t]! - e),
    nobs: nUsed,
    npar,
    model: mod,
    n,
    fitMethod: method,
  };
}

/** Forecast means and standard errors h steps ahead (predict.Arima), the regressor continued. */
export function predictArima(model: ArimaModel, h: number): { mean: Float64Array; se: Float64Array } {
  const { mean, variance } = kalmanForecast(h, model.model);
  const out = new Float64Array(h), se = new Float64Array(h);
  const k = model.coef.length;
  const b = model.regressor === 'none' ? 0 : model.coef[k - 1]!;
  for (let i = 0; i < h; i++) {
    out[i] = mean[i]! + (model.regressor === 'drift' ? b * (model.n + i + 1) : model.regressor === 'intercept' ? b : 0);
    se[i] = Math.sqrt(variance[i]! * model.sigma2);
  }
  return { mean: out, se };
}

/** Do the (expanded) AR or MA polynomials have a root within 1.01 of the unit circle? (myarima's minroot test) */
export function nearUnitRoot(model: ArimaModel): boolean {
  const check = (v: Float64Array, sign: number): boolean => {
    let last = v.length;
    while (last > 0 && !(Math.abs(v[last - 1]!) > 1e-8)) last--;
    if (last === 0) return false;
    // min |root| of 1 + sign·Σ v_i z^i ≥ 1.01 ⇔ roots of the reversed polynomial within 1/1.01.
    const rev = new Float64Array(last + 1);
    rev[last] = 1;
    for (let i = 1; i <= last; i++) rev[last - i] = sign * v[i - 1]!;
    return !rootsWithin(rev, 1 / 1.01);
  };
  const o = model.order;
  if (o.p + o.P > 0 && check(model.model.phi, -1)) return true;
  if (o.q + o.Q > 0 && check(model.model.theta, 1)) return true;
  return false;
}
