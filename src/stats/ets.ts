/**
 * Exponential smoothing state-space models (ETS) as in Hyndman, Koehler, Ord & Snyder,
 * "Forecasting with Exponential Smoothing" (2008), fitted and chosen the way R's
 * forecast::ets() does it (package version 8.20), so that the same series gives the same model.
 *
 * A model ETS(E,T,S) has error E ∈ {A, M}, trend T ∈ {N, A, Ad, M, Md} and season S ∈ {N, A, M}.
 * The state is x_t = (l_t, b_t, s_t, s_{t−1}, …, s_{t−m+1}); with the one-step forecast
 * μ_t = (l_{t−1} ⊕ φb_{t−1}) ⊙ s_{t−m}  (⊕ is + or ×, ⊙ is + or × for A or M components) and
 * the innovation ε_t = y_t − μ_t (additive error) or (y_t − μ_t)/μ_t (multiplicative):
 *
 *   l_t = q + α(p − q),      q = l_{t−1} + φb_{t−1}  (or l_{t−1}·b_{t−1}^φ),  p = y_t − s_{t−m} (or y_t / s_{t−m})
 *   b_t = φb_{t−1} + (β/α)(r − φb_{t−1}),  r = l_t − l_{t−1}  (or l_t / l_{t−1})
 *   s_t = s_{t−m} + γ(y_t − q − s_{t−m})   (or + γ(y_t/q − s_{t−m}))
 *
 * Fitting, as ets(): initial states from a classical decomposition and a line through the first
 * seasons (initstate), smoothing parameters started at R's values (initparam), then α, β, γ, φ
 * and the initial states all estimated together by Nelder–Mead on
 *   −2 log L + const = n·log Σε_t² + 2·Σ log|μ_t|   (the last sum only for multiplicative error),
 * inside the "both" bounds (0.0001 ≤ β ≤ α ≤ 0.9999, γ ≤ 1 − α, 0.8 ≤ φ ≤ 0.98, and the
 * admissible region of the characteristic polynomial). With model "ZZZ" every combination in
 * R's default set is fitted (no multiplicative trend; additive error never with a
 * multiplicative component; multiplicative error only for positive data; no season when m = 1
 * or m > 24) and the lowest AICc wins.
 *
 * Forecasts and intervals as forecast.ets(): analytic means and variances for the three model
 * classes of Hyndman et al. (2008, ch. 6: linear, multiplicative error on a linear model,
 * multiplicative error and season), simulated sample paths (seeded) for the others.
 * One deliberate difference from R: for additive seasonal models without trend (ANA, MNA),
 * R's class1() puts γ on the second seasonal state, so its variances carry the seasonal term
 * one step early; here γ goes on the newest seasonal state, which gives the textbook formula
 * v_h = σ²[1 + α²(h−1) + γk(2α + γ)], k = ⌊(h−1)/m⌋ (Hyndman et al. 2008, Table 6.1).
 */
import { Rng } from '../tensor/rng.js';
import { nelderMead } from './optimize.js';
import { decompose } from './decompose.js';
import { assertFiniteSeries, leastSquares, lineFit, rootsWithin } from './numeric.js';
import { checkPeriod, checkSpec, normalIntervals, normalizeLevels, simulatedIntervals, type Forecast, type ForecastSpec } from './result.js';

export type EtsError = 'A' | 'M';
export type EtsTrend = 'N' | 'A' | 'M';
export type EtsSeason = 'N' | 'A' | 'M';

/** The three components of an ETS model plus damping of the trend. */
export interface EtsComponents {
  error: EtsError;
  trend: EtsTrend;
  damped: boolean;
  season: EtsSeason;
}

/** How ets() searches and fits (R's argument names in brackets). */
export interface EtsOptions {
  /** Season length m (frequency(y)); default 1. Seasons longer than 24 are ignored, as in R. */
  period?: number;
  /** Three letters error/trend/season, each a component or Z (choose): "ZZZ" (default), "MAM", "AAN", "ZZN", … [model] */
  model?: string;
  /** Damped trend: true or false to force, undefined to try both. [damped] */
  damped?: boolean;
  /** Information criterion that picks the model; default "aicc". [ic] */
  ic?: 'aicc' | 'aic' | 'bic';
  /** Also consider multiplicative trends; default false. [allow.multiplicative.trend] */
  allowMultiplicativeTrend?: boolean;
  /** Leave out the numerically unstable combinations (A error with an M component, M error with M trend and A season); default true. [restrict] */
  restrict?: boolean;
  /** Only additive components; default false. [additive.only] */
  additiveOnly?: boolean;
  /** What Nelder–Mead minimises: the likelihood (default) or the one-step MSE (as ses() uses). [opt.crit] */
  criterion?: 'lik' | 'mse';
  /** Parameter region: the usual bounds, the admissible region, or both (default). [bounds] */
  bounds?: 'both' | 'usual' | 'admissible';
  /** Nelder–Mead evaluation budget per model; default 2000. [maxit] */
  maxEvaluations?: number;
}

/** A fitted ETS model (R's "ets" object). */
export interface EtsModel {
  components: EtsComponents;
  /** "ETS(M,Ad,M)". */
  method: string;
  /** Season length the model uses (1 when it has no season). */
  period: number;
  alpha: number;
  beta: number | null;
  gamma: number | null;
  phi: number | null;
  /** (l_0, b_0, s_0, s_{−1}, …, s_{−m+1}): the estimated initial state (newest seasonal state first). */
  initialState: Float64Array;
  /** The state after the last observation, in the same layout; forecasts start from it. */
  finalState: Float64Array;
  /** Log-likelihood up to a constant (R's loglik = −0.5·lik). */
  loglik: number;
  aic: number;
  aicc: number;
  bic: number;
  /** Σε²/(n − k): the innovation variance the intervals use (relative errors for M error). */
  sigma2: number;
  /** Mean squared one-step error y_t − μ_t. */
  mse: number;
  /** One-step fitted values μ_t, (n). */
  fitted: Float64Array;
  /** Innovations ε_t, (n): y − μ for additive error, (y − μ)/μ for multiplicative. */
  residuals: Float64Array;
  /** Number of estimated smoothing parameters and initial states (k above). */
  nParams: number;
}

/** Options for turning a fitted model into a forecast. */
export interface EtsForecastOptions {
  /** Intervals from simulated sample paths even where analytic ones exist; default false. [simulate] */
  simulate?: boolean;
  /** Sample paths when simulating; default 5000. [npaths] */
  npaths?: number;
  /** Seed of the simulation; default 0. Same seed, same intervals. */
  seed?: number;
}

/** A forecast from an ETS model. */
export interface EtsForecast extends Forecast {
  model: EtsModel;
}

// Component codes as in forecast's C code.
const NONE = 0, ADD = 1, MULT = 2;
const TOL = 1e-10;
const HUGEN = 1e10;
const code = (c: 'N' | 'A' | 'M'): number => (c === 'N' ? NONE : c === 'A' ? ADD : MULT);

/** Parameter bounds [alpha, beta, gamma, phi] (R's defaults). */
const LOWER = [1e-4, 1e-4, 1e-4, 0.8] as const;
const UPPER = [0.9999, 0.9999, 0.9999, 0.98] as const;

/** Smoothing parameters of one evaluation. */
interface Smoothing {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

/** Where etsFilter writes per-step results (each optional; the optimiser passes none). */
interface FilterOutputs {
  e?: Float64Array;
  fitted?: Float64Array;
  /** (n + 1, p) row-major states. */
  states?: Float64Array;
  /** Simulate instead of filter: y_t = μ_t + ε_t (or μ_t(1 + ε_t)) is generated from these innovations and written into y. */
  innovations?: Float64Array;
}

/**
 * Run the model through y from initial state x0 (layout l, b?, s_0..s_{m−1}, newest season
 * first). Returns −2 log L up to a constant (NaN where a multiplicative trend turns negative)
 * and writes the mean squared one-step error into mse[0]. `buf` (m) is scratch for the
 * seasonal states, kept as a ring so a step costs O(1), not O(m).
 */
function etsFilter(
  y: Float64Array, m: number, err: number, trend: number, season: number, par: Smoothing,
  x0: ArrayLike<number>, buf: Float64Array, mse: Float64Array, out: FilterOutputs | null,
): number {
  const n = y.length;
  const { alpha, beta, gamma, phi } = par;
  let l = x0[0]!;
  let b = trend > NONE ? x0[1]! : 0;
  const s0 = trend > NONE ? 2 : 1;
  const p = s0 + (season > NONE ? m : 0);
  // Ring: the newest seasonal state at index q, the oldest (s_{t−m}, used next) at o = q + 1.
  let q = 0, o = 0;
  if (season > NONE) {
    for (let j = 0; j < m; j++) buf[(m - j) % m] = x0[s0 + j]!;
    o = 1 % m;
  }
  const states = out?.states;
  const sim = out?.innovations;
  if (states) for (let k = 0; k < p; k++) states[k] = x0[k]!;
  const betaOverAlpha = beta / alpha;
  const phiIsOne = Math.abs(phi - 1) < TOL;
  let sse = 0, sumLogF = 0, sqe = 0;
  for (let t = 0; t < n; t++) {
    const sOld = season > NONE ? buf[o]! : 0;
    let qv: number, phib = 0;
    if (trend === NONE) qv = l;
    else if (trend === ADD) { phib = phi * b; qv = l + phib; }
    else {
      if (b < 0) return NaN; // l·b^φ is undefined: R returns NA
      phib = phiIsOne ? b : Math.pow(b, phi);
      qv = l * phib;
    }
    const f = season === NONE ? qv : season === ADD ? qv + sOld : qv * sOld;
    let yt: number;
    if (sim) y[t] = yt = err === ADD ? f + sim[t]! : f * (1 + sim[t]!);
    else yt = y[t]!;
    const et = err === ADD ? yt - f : (yt - f) / f;
    sse += et * et;
    sqe += (yt - f) * (yt - f);
    if (err === MULT) sumLogF += Math.log(Math.abs(f));
    if (out) {
      if (out.e) out.e[t] = et;
      if (out.fitted) out.fitted[t] = f;
    }
    // Update the state.
    const pv = season === NONE ? yt : season === ADD ? yt - sOld : Math.abs(sOld) < TOL ? HUGEN : yt / sOld;
    const lNew = qv + alpha * (pv - qv);
    if (trend > NONE) {
      const r = trend === ADD ? lNew - l : Math.abs(l) < TOL ? HUGEN : lNew / l;
      b = phib + betaOverAlpha * (r - phib);
    }
    if (season > NONE) {
      const tv = season === ADD ? yt - qv : Math.abs(qv) < TOL ? HUGEN : yt / qv;
      q = o;
      buf[q] = sOld + gamma * (tv - sOld);
      o = o + 1 === m ? 0 : o + 1;
    }
    l = lNew;
    if (states) {
      const row = (t + 1) * p;
      states[row] = l;
      if (trend > NONE) states[row + 1] = b;
      if (season > NONE) for (let j = 0; j < m; j++) states[row + s0 + j] = buf[(q - j + m) % m]!;
    }
  }
  mse[0] = sqe / n;
  return n * Math.log(sse) + (err === MULT ? 2 * sumLogF : 0);
}

let charPoly = new Float64Array(26);

/** Is (α, β, γ, φ) in the admissible (forecastable) region? (forecast's admissible(), C++ version.) */
function admissible(par: Smoothing, hasTrend: boolean, hasSeason: boolean, m: number): boolean {
  const { alpha, gamma, phi } = par;
  if (phi < 0 || phi > 1 + 1e-8) return false;
  if (!hasSeason) {
    if (alpha < 1 - 1 / phi || alpha > 1 + 1 / phi) return false;
    if (hasTrend && (par.beta < alpha * (phi - 1) || par.beta > (1 + phi) * (2 - alpha))) return false;
    return true;
  }
  if (m <= 1) return true;
  const beta = hasTrend ? par.beta : 0;
  if (gamma < Math.max(1 - 1 / phi - alpha, 0) || gamma > 1 + 1 / phi - alpha) return false;
  if (alpha < 1 - 1 / phi - (gamma * (1 - m + phi + phi * m)) / (2 * phi * m)) return false;
  if (beta < -(1 - phi) * (gamma / m + alpha)) return false;
  // Characteristic polynomial, lowest power first; all its roots within 1 + 1e-10.
  if (charPoly.length < m + 2) charPoly = new Float64Array(m + 2);
  const P = charPoly;
  P[0] = phi * (1 - alpha - gamma);
  P[1] = alpha + beta - alpha * phi + gamma - 1;
  for (let i = 2; i < m; i++) P[i] = alpha + beta - alpha * phi;
  P[m] = alpha + beta - phi;
  P[m + 1] = 1;
  return rootsWithin(P, 1 + 1e-10, m + 2);
}

type Bounds = NonNullable<EtsOptions['bounds']>;

/** check.param(): inside the usual bounds and/or the admissible region. */
function checkParams(par: Smoothing, hasTrend: boolean, hasSeason: boolean, damped: boolean, m: number, lower: readonly number[], upper: readonly number[], bounds: Bounds): boolean {
  if (bounds !== 'admissible') {
    if (par.alpha < lower[0]! || par.alpha > upper[0]!) return false;
    if (hasTrend && (par.beta < lower[1]! || par.beta > par.alpha || par.beta > upper[1]!)) return false;
    if (damped && (par.phi < lower[3]! || par.phi > upper[3]!)) return false;
    if (hasSeason && (par.gamma < lower[2]! || par.gamma > 1 - par.alpha || par.gamma > upper[2]!)) return false;
  }
  if (bounds !== 'usual' && !admissible(par, hasTrend, hasSeason, m)) return false;
  return true;
}

/** R's initparam(): starting values of the smoothing parameters. */
function initialSmoothing(trend: EtsTrend, season: EtsSeason, damped: boolean, m: number, bounds: Bounds): Smoothing {
  const lower: number[] = [...LOWER], upper: number[] = [...UPPER];
  if (bounds === 'admissible') {
    for (let i = 0; i < 3; i++) { lower[i] = 0; upper[i] = 0.001; }
  }
  let alpha = lower[0]! + (0.2 * (upper[0]! - lower[0]!)) / m;
  if (alpha > 1 || alpha < 0) alpha = lower[0]! + 0.002;
  let beta = 0, gamma = 0, phi = 1;
  if (trend !== 'N') {
    upper[1] = Math.min(upper[1]!, alpha);
    beta = lower[1]! + 0.1 * (upper[1]! - lower[1]!);
    if (beta < 0 || beta > alpha) beta = alpha - 0.001;
  }
  if (season !== 'N') {
    upper[2] = Math.min(upper[2]!, 1 - alpha);
    gamma = lower[2]! + 0.05 * (upper[2]! - lower[2]!);
    if (gamma < 0 || gamma > 1 - alpha) gamma = 1 - alpha - 0.001;
  }
  if (damped) {
    phi = lower[3]! + 0.99 * (upper[3]! - lower[3]!);
    if (phi < 0 || phi > 1) phi = upper[3]! - 0.001;
  }
  return { alpha, beta, gamma, phi };
}

/**
 * R's initstate(): initial level, trend and m − 1 seasonal states (the m-th follows from the
 * seasonal states summing to 0 or m). Seasonal states from a classical decomposition (or, with
 * fewer than three seasons, from a regression on a trend and one Fourier pair); level and trend
 * from a line through the first max(10, 2m) seasonally adjusted values.
 */
export function etsInitialState(y: Float64Array, trend: EtsTrend, season: EtsSeason, m: number): Float64Array {
  const n = y.length;
  let ySa: Float64Array = y;
  let initSeas: Float64Array | null = null;
  let mm = 1;
  if (season !== 'N') {
    mm = m;
    if (n < 4) throw new RangeError('ets: not enough data for a seasonal model (fewer than 4 values)');
    let seasonal: Float64Array;
    if (n < 3 * m) {
      // y ~ 1 + t + sin(2πt/m) + cos(2πt/m), t = 1..n (forecast's fourier(y, 1); no sine when m = 2).
      const cols = m === 2 ? 3 : 4;
      const X = new Float64Array(n * cols);
      for (let t = 0; t < n; t++) {
        const tt = t + 1;
        X[t * cols] = 1;
        X[t * cols + 1] = tt;
        if (m === 2) X[t * cols + 2] = Math.cos(Math.PI * tt);
        else {
          X[t * cols + 2] = Math.sin((2 * Math.PI * tt) / m);
          X[t * cols + 3] = Math.cos((2 * Math.PI * tt) / m);
        }
      }
      const { coef } = leastSquares(X, n, cols, y);
      const a = coef[0]!, b = coef[1]!;
      seasonal = new Float64Array(n);
      for (let t = 0; t < n; t++) seasonal[t] = season === 'A' ? y[t]! - a - b * (t + 1) : y[t]! / (a + b * (t + 1));
    } else {
      seasonal = decompose(y, m, season === 'A' ? 'additive' : 'multiplicative').seasonal;
    }
    initSeas = new Float64Array(m - 1);
    for (let j = 0; j < m - 1; j++) initSeas[j] = seasonal[m - 1 - j]!; // rev(seasonal[2:m])
    ySa = new Float64Array(n);
    if (season === 'A') {
      for (let t = 0; t < n; t++) ySa[t] = y[t]! - seasonal[t]!;
    } else {
      let sum = 0;
      for (let j = 0; j < m - 1; j++) {
        initSeas[j] = Math.max(initSeas[j]!, 0.01);
        sum += initSeas[j]!;
      }
      if (sum > m) for (let j = 0; j < m - 1; j++) initSeas[j] = initSeas[j]! / (sum + 0.01 * (m - 1));
      for (let t = 0; t < n; t++) ySa[t] = y[t]! / Math.max(seasonal[t]!, 0.01);
    }
  }
  const maxn = Math.min(Math.max(10, 2 * mm), n);
  let l0: number, b0: number | null = null;
  if (trend === 'N') {
    let s = 0;
    for (let t = 0; t < maxn; t++) s += ySa[t]!;
    l0 = s / maxn;
  } else {
    const t1 = Float64Array.from({ length: maxn }, (_, i) => i + 1);
    const fit = lineFit(t1, ySa.subarray(0, maxn));
    if (trend === 'A') {
      l0 = fit.intercept;
      b0 = fit.slope;
      if (Math.abs(l0 + b0) < 1e-8) {
        l0 *= 1 + 0.001;
        b0 *= 1 - 0.001;
      }
    } else {
      l0 = fit.intercept + fit.slope;
      if (Math.abs(l0) < 1e-8) l0 = 1e-7;
      b0 = (fit.intercept + 2 * fit.slope) / l0;
      l0 = l0 / b0;
      if (Math.abs(b0) > 1e10) b0 = Math.sign(b0) * 1e10;
      if (l0 < 1e-8 || b0 < 1e-8) {
        l0 = Math.max(ySa[0]!, 1e-3);
        b0 = Math.max(ySa[1]! / ySa[0]!, 1e-3);
      }
    }
  }
  const out: number[] = [l0];
  if (b0 !== null) out.push(b0);
  if (initSeas) out.push(...initSeas);
  return Float64Array.from(out);
}

/** The full initial state: the free states plus the last seasonal state implied by the normalisation. */
function completeState(free: ArrayLike<number>, offset: number, nstate: number, trend: number, season: number, m: number, into: Float64Array): void {
  for (let k = 0; k < nstate; k++) into[k] = free[offset + k]!;
  if (season > NONE) {
    let sum = 0;
    for (let k = trend > NONE ? 2 : 1; k < nstate; k++) sum += into[k]!;
    into[nstate] = (season === MULT ? m : 0) - sum;
  }
}

const methodName = (c: EtsComponents): string => `ETS(${c.error},${c.trend}${c.damped ? 'd' : ''},${c.season})`;

/** Fit one model (R's etsmodel()); null where R's fit fails or is not identifiable (AIC = ∞). */
function fitOne(y: Float64Array, comps: EtsComponents, mFull: number, opts: Required<Pick<EtsOptions, 'criterion' | 'bounds' | 'maxEvaluations'>>): EtsModel | null {
  const n = y.length;
  const { trend: T, season: S, damped, error: E } = comps;
  const m = S !== 'N' ? mFull : 1;
  const err = code(E), trend = code(T), season = code(S);
  const hasTrend = T !== 'N', hasSeason = S !== 'N';
  const start = initialSmoothing(T, S, damped, m, opts.bounds);
  if (!checkParams(start, hasTrend, hasSeason, damped, m, LOWER, UPPER, opts.bounds)) return null;
  let init: Float64Array;
  try {
    init = etsInitialState(y, T, S, mFull);
  } catch {
    return null;
  }
  const nstate = init.length;
  const nsmooth = 1 + (hasTrend ? 1 : 0) + (hasSeason ? 1 : 0) + (damped ? 1 : 0);
  const np = nsmooth + nstate;
  if (np >= n - 1) return null;
  const x0 = new Float64Array(np);
  let k = 0;
  x0[k++] = start.alpha;
  if (hasTrend) x0[k++] = start.beta;
  if (hasSeason) x0[k++] = start.gamma;
  if (damped) x0[k++] = start.phi;
  x0.set(init, k);

  const full = new Float64Array(nstate + (hasSeason ? 1 : 0));
  const buf = new Float64Array(Math.max(m, 1));
  const mseOut = new Float64Array(1);
  const par: Smoothing = { alpha: 0, beta: 0, gamma: 0, phi: 1 };
  const unpack = (v: Float64Array): void => {
    let i = 0;
    par.alpha = v[i++]!;
    par.beta = hasTrend ? v[i++]! : 0;
    par.gamma = hasSeason ? v[i++]! : 0;
    par.phi = damped ? v[i++]! : 1;
  };
  const objective = (v: Float64Array): number => {
    unpack(v);
    if (!checkParams(par, hasTrend, hasSeason, damped, m, LOWER, UPPER, opts.bounds)) return Infinity;
    completeState(v, nsmooth, nstate, trend, season, m, full);
    if (season === MULT) {
      for (let i = hasTrend ? 2 : 1; i < full.length; i++) if (full[i]! < 0) return Infinity;
    }
    let lik = etsFilter(y, m, err, trend, season, par, full, buf, mseOut, null);
    if (lik < -1e10) lik = -1e10; // avoid perfect fits
    if (Number.isNaN(lik)) return Infinity;
    return opts.criterion === 'mse' ? mseOut[0]! : lik;
  };
  let best: Float64Array;
  try {
    best = nelderMead(objective, x0, { maxEvaluations: opts.maxEvaluations }).x;
  } catch {
    return null; // not finite at the starting values
  }
  unpack(best);
  const state0 = new Float64Array(full.length);
  completeState(best, nsmooth, nstate, trend, season, m, state0);
  const p = state0.length;
  const e = new Float64Array(n), fitted = new Float64Array(n), states = new Float64Array((n + 1) * p);
  const lik = etsFilter(y, m, err, trend, season, par, state0, buf, mseOut, { e, fitted, states });
  if (Number.isNaN(lik)) return null;
  const npar = np + 1; // + σ²
  const aic = lik + 2 * npar;
  let sse = 0;
  for (let t = 0; t < n; t++) sse += e[t]! * e[t]!;
  return {
    components: { ...comps },
    method: methodName(comps),
    period: m,
    alpha: par.alpha,
    beta: hasTrend ? par.beta : null,
    gamma: hasSeason ? par.gamma : null,
    phi: damped ? par.phi : null,
    initialState: state0,
    finalState: states.slice(n * p, (n + 1) * p),
    loglik: -0.5 * lik,
    aic,
    bic: lik + Math.log(n) * npar,
    aicc: aic + (2 * npar * (npar + 1)) / (n - npar - 1),
    sigma2: sse / (n - np),
    mse: mseOut[0]!,
    fitted,
    residuals: e,
    nParams: np,
  };
}

/**
 * Holt's linear method or simple exponential smoothing with states started at the first
 * values and parameters by least squares (R's HoltWintersZZ fallback for series too short to
 * estimate an ETS model: n ≤ number of parameters + 4). R optimises with L-BFGS-B; here
 * Nelder–Mead inside [0, 1].
 */
function shortSeriesModel(y: Float64Array, withTrend: boolean): EtsModel | null {
  const n = y.length;
  if (withTrend && n < 2) return null;
  const l0 = y[0]!, b0 = withTrend ? y[1]! - y[0]! : 0;
  const run = (alpha: number, beta: number, fitted: Float64Array | null): { sse: number; l: number; b: number } => {
    let l = l0, b = b0, sse = 0;
    for (let t = 0; t < n; t++) {
      const f = l + b;
      if (fitted) fitted[t] = f;
      sse += (y[t]! - f) ** 2;
      const lNew = alpha * y[t]! + (1 - alpha) * (l + b);
      if (withTrend) b = beta * (lNew - l) + (1 - beta) * b;
      l = lNew;
    }
    return { sse, l, b };
  };
  const inBox = (v: number): boolean => v >= 0 && v <= 1;
  const objective = (v: Float64Array): number => (inBox(v[0]!) && (!withTrend || inBox(v[1]!)) ? run(v[0]!, withTrend ? v[1]! : 0, null).sse : Infinity);
  const start = withTrend ? [0.2, 0.02] : [0.2]; // R's initparam() on the [0, 1] box
  const best = nelderMead(objective, start, { maxEvaluations: 2000 }).x;
  const alpha = best[0]!, beta = withTrend ? best[1]! : 0;
  const fitted = new Float64Array(n);
  const { sse, l, b } = run(alpha, beta, fitted);
  const residuals = Float64Array.from(y, (v, t) => v - fitted[t]!);
  const comps: EtsComponents = { error: 'A', trend: withTrend ? 'A' : 'N', damped: false, season: 'N' };
  return {
    components: comps, method: methodName(comps), period: 1, alpha, beta: withTrend ? beta : null, gamma: null, phi: null,
    initialState: Float64Array.from(withTrend ? [l0, b0] : [l0]), finalState: Float64Array.from(withTrend ? [l, b] : [l]),
    loglik: NaN, aic: NaN, aicc: NaN, bic: NaN, sigma2: sse / n, mse: sse / n, fitted, residuals, nParams: withTrend ? 4 : 2,
  };
}

/** Parse a model string like "ZZZ", "MAM", "AAdN" is not accepted (use damped), "ANN". */
function parseModel(model: string): { error: string; trend: string; season: string } {
  if (!/^[AMZ][NAMZ][NAMZ]$/.test(model)) throw new RangeError(`ets: model "${model}" must be three letters: error A/M/Z, trend N/A/M/Z, season N/A/M/Z (e.g. "ZZZ", "MAM")`);
  return { error: model[0]!, trend: model[1]!, season: model[2]! };
}

const isConstant = (y: ArrayLike<number>): boolean => {
  for (let i = 1; i < y.length; i++) if (y[i] !== y[0]) return false;
  return true;
};

/**
 * Fit an ETS model to `y` as R's ets(y, model, damped, ...) with frequency `period`: every
 * candidate model is estimated by maximum likelihood and the one with the lowest AICc (or
 * opts.ic) is returned. Throws a RangeError on bad input or when no model can be fitted.
 */
export function fitEts(y: ArrayLike<number>, opts: EtsOptions = {}): EtsModel {
  assertFiniteSeries(y, 'ets', 1);
  const yy = Float64Array.from(y);
  const n = yy.length;
  const m = checkPeriod(opts.period, 'ets');
  const restrict = opts.restrict ?? true;
  const additiveOnly = opts.additiveOnly ?? false;
  const fitOpts = { criterion: opts.criterion ?? 'lik', bounds: opts.bounds ?? 'both', maxEvaluations: opts.maxEvaluations ?? 2000 } as const;
  if (opts.model === undefined && isConstant(yy)) {
    // R: ses(y, alpha = 0.99999, initial = "simple"); the level is the value and σ² is 0.
    const comps: EtsComponents = { error: 'A', trend: 'N', damped: false, season: 'N' };
    return {
      components: comps, method: methodName(comps), period: 1, alpha: 0.99999, beta: null, gamma: null, phi: null,
      initialState: Float64Array.of(yy[0]!), finalState: Float64Array.of(yy[0]!), loglik: NaN, aic: NaN, aicc: NaN, bic: NaN,
      sigma2: 0, mse: 0, fitted: yy.slice(), residuals: new Float64Array(n), nParams: 1,
    };
  }
  const spec = parseModel(opts.model ?? 'ZZZ');
  let seasonSpec = spec.season;
  if (n <= m) seasonSpec = 'N';
  if (m === 1) {
    if (seasonSpec === 'A' || seasonSpec === 'M') throw new RangeError('ets: a seasonal model needs period > 1');
    seasonSpec = 'N';
  }
  if (m > 24) {
    if (seasonSpec === 'A' || seasonSpec === 'M') throw new RangeError(`ets: period ${m} is too long for a seasonal ETS model (at most 24)`);
    seasonSpec = 'N';
  }
  const positive = yy.every((v) => v > 0);
  if (spec.error === 'M' && !positive) throw new RangeError('ets: multiplicative error needs positive data');
  if (restrict) {
    if ((spec.error === 'A' && (spec.trend === 'M' || seasonSpec === 'M')) || (spec.error === 'M' && spec.trend === 'M' && seasonSpec === 'A') ||
      (additiveOnly && (spec.error === 'M' || spec.trend === 'M' || seasonSpec === 'M'))) {
      throw new RangeError(`ets: model ${spec.error}${spec.trend}${seasonSpec} is a forbidden combination (restrict)`);
    }
  }
  if (opts.damped === true && spec.trend === 'N') throw new RangeError('ets: a damped model needs a trend');

  // Too short to estimate: R falls back to Holt / SES by least squares.
  let npars = 2;
  if (spec.trend === 'A' || spec.trend === 'M') npars += 2;
  if (seasonSpec === 'A' || seasonSpec === 'M') npars += m;
  if (opts.damped !== undefined) npars += opts.damped ? 1 : 0;
  if (n <= npars + 4) {
    if (seasonSpec === 'A' || seasonSpec === 'M') throw new RangeError(`ets: ${n} values are too few for a seasonal model with period ${m}`);
    const holt = spec.trend !== 'N' ? shortSeriesModel(yy, true) : null;
    const ses = spec.trend === 'A' || spec.trend === 'M' ? null : shortSeriesModel(yy, false);
    const fit = holt && ses ? (holt.sigma2 < ses.sigma2 ? holt : ses) : holt ?? ses;
    if (!fit) throw new RangeError('ets: unable to estimate a model');
    return fit;
  }

  const errors: EtsError[] = spec.error === 'Z' ? ['A', 'M'] : [spec.error as EtsError];
  const trends: EtsTrend[] = spec.trend === 'Z' ? (opts.allowMultiplicativeTrend ? ['N', 'A', 'M'] : ['N', 'A']) : [spec.trend as EtsTrend];
  const seasons: EtsSeason[] = seasonSpec === 'Z' ? ['N', 'A', 'M'] : [seasonSpec as EtsSeason];
  const dampings = opts.damped === undefined ? [true, false] : [opts.damped];
  const ic = opts.ic ?? 'aicc';
  let best: EtsModel | null = null;
  let bestIc = Infinity;
  for (const error of errors) {
    for (const trend of trends) {
      for (const season of seasons) {
        for (const damped of dampings) {
          if (trend === 'N' && damped) continue;
          if (restrict) {
            if (error === 'A' && (trend === 'M' || season === 'M')) continue;
            if (error === 'M' && trend === 'M' && season === 'A') continue;
            if (additiveOnly && (error === 'M' || trend === 'M' || season === 'M')) continue;
          }
          if (!positive && error === 'M') continue;
          const fit = fitOne(yy, { error, trend, damped, season }, m, fitOpts);
          if (!fit) continue;
          const value = fit[ic];
          if (value < bestIc) {
            best = fit;
            bestIc = value;
          }
        }
      }
    }
  }
  if (!best) throw new RangeError('ets: no model could be fitted');
  return best;
}

/**
 * The options that make fitEts fit only the form (error, trend, damping, season) of `c`, every
 * parameter re-estimated: `fitEts(y, { period, ...etsForm(fit.components) })` refits a model
 * chosen on an earlier part of a series to the whole of it at the cost of one fit instead of
 * the search over every form. This is R's `ets(y, model = "MAM", damped = FALSE)` (the form's
 * letters), not `ets(y, model = fit)`: R's refit with a fitted model also keeps α, β, γ and φ
 * and re-estimates only the initial states (or nothing, with use.initial.values = TRUE).
 */
export function etsForm(c: EtsComponents): { model: string; damped: boolean } {
  return { model: `${c.error}${c.trend}${c.season}`, damped: c.damped };
}

/** Point forecasts of a model from its final state (forecast's C etsforecast()). */
function pointForecasts(model: EtsModel, h: number): Float64Array {
  const { trend, season } = model.components;
  const x = model.finalState;
  const m = model.period;
  const l = x[0]!, b = trend !== 'N' ? x[1]! : 0;
  const s0 = trend !== 'N' ? 2 : 1;
  const phi = model.phi ?? 1;
  const f = new Float64Array(h);
  let phistar = phi;
  for (let i = 0; i < h; i++) {
    let v = trend === 'N' ? l : trend === 'A' ? l + phistar * b : b < 0 ? NaN : l * Math.pow(b, phistar);
    let j = m - 1 - i;
    while (j < 0) j += m;
    if (season === 'A') v += x[s0 + j]!;
    else if (season === 'M') v *= x[s0 + j]!;
    f[i] = v;
    phistar += Math.abs(phi - 1) < TOL ? 1 : Math.pow(phi, i + 1);
  }
  return f;
}

/**
 * Class 1 (linear homoscedastic models: ANN, AAN, AAdN, ANA, AAA, AAdA): μ_h = H F^{h−1} x_n,
 * c_j = H F^{j−1} G, v_h = σ²(1 + Σ_{j<h} c_j²). Returns means, variances and the c_j.
 */
function class1(model: EtsModel, h: number, sigma2: number): { mu: Float64Array; variance: Float64Array; c: Float64Array } {
  const x = model.finalState;
  const p = x.length;
  const { trend, season } = model.components;
  const m = model.period;
  const phi = model.phi ?? 1;
  const hasTrend = trend !== 'N';
  // Row vector r = H F^{i}, kept and advanced one step at a time.
  let r = new Float64Array(p);
  r[0] = 1;
  if (hasTrend) r[1] = phi;
  if (season === 'A') r[p - 1] = 1;
  const G = new Float64Array(p);
  G[0] = model.alpha;
  if (hasTrend) G[1] = model.beta!;
  if (season === 'A') G[hasTrend ? 2 : 1] = model.gamma!; // the newest seasonal state (see the file header)
  const mu = new Float64Array(h), c = new Float64Array(h), variance = new Float64Array(h);
  let cum = 0;
  for (let i = 0; i < h; i++) {
    let a = 0, g = 0;
    for (let k = 0; k < p; k++) {
      a += r[k]! * x[k]!;
      g += r[k]! * G[k]!;
    }
    mu[i] = a;
    c[i] = g;
    variance[i] = sigma2 * (1 + cum);
    cum += g * g;
    // r ← r F: level carries over, trend adds φ·(level + trend) terms, seasons shift by one.
    const next = new Float64Array(p);
    next[0] = r[0]!;
    if (hasTrend) next[1] = phi * (r[0]! + r[1]!);
    if (season === 'A') {
      // (rF)_j = Σ_i r_i F_ij with F moving s_k to s_{k+1} and the oldest s_m to the newest s_1.
      const base = p - m;
      for (let j = 0; j < m - 1; j++) next[base + j] = r[base + j + 1]!;
      next[p - 1] = r[base]!;
    }
    r = next;
  }
  return { mu, variance, c };
}

/** Class 2 (multiplicative error on a linear model: MNN, MAN, MAdN, MNA, MAA, MAdA). */
function class2(model: EtsModel, h: number, sigma2: number): { mu: Float64Array; variance: Float64Array } {
  const { mu, c } = class1(model, h, sigma2);
  const theta = new Float64Array(h);
  const variance = new Float64Array(h);
  for (let j = 0; j < h; j++) {
    let s = 0;
    for (let i = 0; i < j; i++) s += c[i]! * c[i]! * theta[j - 1 - i]!;
    theta[j] = mu[j]! * mu[j]! + sigma2 * s;
    variance[j] = (1 + sigma2) * theta[j]! - mu[j]! * mu[j]!;
  }
  return { mu, variance };
}

/** Dense row-major matrix helpers for class 3 (sizes at most 2m × 2m = 48 × 48). */
interface Mat { r: number; c: number; d: Float64Array }
const mat = (r: number, c: number): Mat => ({ r, c, d: new Float64Array(r * c) });
function mul(a: Mat, b: Mat): Mat {
  const o = mat(a.r, b.c);
  for (let i = 0; i < a.r; i++) {
    for (let k = 0; k < a.c; k++) {
      const v = a.d[i * a.c + k]!;
      if (v === 0) continue;
      for (let j = 0; j < b.c; j++) o.d[i * b.c + j] += v * b.d[k * b.c + j]!;
    }
  }
  return o;
}
function tr(a: Mat): Mat {
  const o = mat(a.c, a.r);
  for (let i = 0; i < a.r; i++) for (let j = 0; j < a.c; j++) o.d[j * a.r + i] = a.d[i * a.c + j]!;
  return o;
}
function kron(a: Mat, b: Mat): Mat {
  const o = mat(a.r * b.r, a.c * b.c);
  for (let i = 0; i < a.r; i++) for (let j = 0; j < a.c; j++) {
    const v = a.d[i * a.c + j]!;
    if (v === 0) continue;
    for (let k = 0; k < b.r; k++) for (let l = 0; l < b.c; l++) o.d[(i * b.r + k) * o.c + j * b.c + l] = v * b.d[k * b.c + l]!;
  }
  return o;
}
function axpy(alpha: number, a: Mat, b: Mat): Mat {
  const o = mat(a.r, a.c);
  for (let i = 0; i < o.d.length; i++) o.d[i] = alpha * a.d[i]! + b.d[i]!;
  return o;
}
const scale = (alpha: number, a: Mat): Mat => ({ r: a.r, c: a.c, d: a.d.map((v) => alpha * v) });
const sandwich = (A: Mat, V: Mat, B: Mat): Mat => mul(mul(A, V), tr(B)); // A V Bᵀ

/**
 * Class 3 (multiplicative error and season, trend N/A/Ad: MNM, MAM, MAdM), Hyndman et al.
 * (2008) §6.5, as forecast's class3(): the mean carries a σ² correction, so it differs a
 * little from the point forecast.
 */
function class3(model: EtsModel, h: number, sigma2: number): { mu: Float64Array; variance: Float64Array } {
  const x = model.finalState;
  const p = x.length;
  const m = model.period;
  const hasTrend = model.components.trend !== 'N';
  const q = hasTrend ? 2 : 1;
  const H1 = mat(1, q); H1.d.fill(1);
  const H2 = mat(1, m); H2.d[m - 1] = 1;
  const F1 = mat(q, q), G1 = mat(q, q);
  if (!hasTrend) { F1.d[0] = 1; G1.d[0] = model.alpha; } else {
    F1.d.set([1, 1, 0, model.phi ?? 1]);
    G1.d.set([model.alpha, model.alpha, model.beta!, model.beta!]);
  }
  const F2 = mat(m, m);
  F2.d[m - 1] = 1;
  for (let i = 1; i < m; i++) F2.d[i * m + (i - 1)] = 1;
  const G2 = mat(m, m);
  G2.d[m - 1] = model.gamma!;
  // Mh = (l, b)ᵀ (s_1 … s_m): q × m.
  let Mh = mat(q, m);
  for (let i = 0; i < q; i++) for (let j = 0; j < m; j++) Mh.d[i * m + j] = x[i]! * x[p - m + j]!;
  const qm = q * m;
  let Vh = mat(qm, qm);
  const H21 = kron(H2, H1), F21 = kron(F2, F1), G21 = kron(G2, G1);
  const K = axpy(1, kron(G2, F1), kron(F2, G1));
  const mu = new Float64Array(h), variance = new Float64Array(h);
  for (let i = 0; i < h; i++) {
    mu[i] = mul(mul(H1, Mh), tr(H2)).d[0]!;
    variance[i] = (1 + sigma2) * sandwich(H21, Vh, H21).d[0]! + sigma2 * mu[i]! * mu[i]!;
    // vec(Mh), column-major, as R's c(Mh).
    const vec = mat(qm, 1);
    for (let j = 0; j < m; j++) for (let r = 0; r < q; r++) vec.d[j * q + r] = Mh.d[r * m + j]!;
    const vv = mul(vec, tr(vec));
    const inner = axpy(1, sandwich(F21, Vh, G21), sandwich(G21, Vh, F21));
    const kTerm = sandwich(K, axpy(1, Vh, vv), K);
    const gTerm = scale(sigma2, sandwich(G21, axpy(3, Vh, scale(2, vv)), G21));
    Vh = axpy(1, sandwich(F21, Vh, F21), scale(sigma2, axpy(1, axpy(1, inner, kTerm), gTerm)));
    Mh = axpy(sigma2, mul(mul(G1, Mh), tr(G2)), mul(mul(F1, Mh), tr(F2)));
  }
  return { mu, variance };
}

/** Simulate one future path of the model into out[offset..offset + h) with innovations from `rng` (forecast's etssimulate()). */
function simulatePath(model: EtsModel, h: number, rng: Rng, out: Float64Array, offset: number, scratch: { e: Float64Array; buf: Float64Array; mse: Float64Array }): void {
  const { error, trend, season } = model.components;
  const sd = Math.sqrt(model.sigma2);
  const e = scratch.e;
  for (let i = 0; i < h; i++) {
    e[i] = sd * rng.normal();
    if (error === 'M') e[i] = Math.max(-1, e[i]!); // R: pmax(-1, e)
  }
  const par: Smoothing = { alpha: model.alpha, beta: model.beta ?? 0, gamma: model.gamma ?? 0, phi: model.phi ?? 1 };
  const path = out.subarray(offset, offset + h);
  const lik = etsFilter(path, model.period, code(error), code(trend), code(season), par, model.finalState, scratch.buf, scratch.mse, { innovations: e });
  if (Number.isNaN(lik) && trend === 'M') path.fill(NaN); // a negative multiplicative trend: R's NA path
}

/** Forecast `horizon` steps from a fitted model, with intervals at `levels` (R's forecast.ets). */
export function forecastEts(model: EtsModel, horizon: number, levels?: readonly number[], opts: EtsForecastOptions = {}): EtsForecast {
  checkSpec({ horizon }, 'forecastEts');
  const lv = normalizeLevels(levels, 'forecastEts');
  const { error, trend, season } = model.components;
  const sigma2 = model.sigma2;
  let mean: Float64Array, lower: Float64Array[], upper: Float64Array[];
  // Analytic for classes 1–3 (every model of R's default set); simulated for multiplicative trends and A error with M season.
  const analytic = !opts.simulate && trend !== 'M' && !(error === 'A' && season === 'M');
  if (analytic) {
    const f = error === 'A' ? class1(model, horizon, sigma2) : season === 'M' ? class3(model, horizon, sigma2) : class2(model, horizon, sigma2);
    mean = f.mu;
    ({ lower, upper } = normalIntervals(mean, f.variance, lv));
  } else {
    const npaths = opts.npaths ?? 5000;
    const rng = new Rng(opts.seed ?? 0);
    const paths = new Float64Array(npaths * horizon);
    const scratch = { e: new Float64Array(horizon), buf: new Float64Array(Math.max(model.period, 1)), mse: new Float64Array(1) };
    for (let i = 0; i < npaths; i++) simulatePath(model, horizon, rng, paths, i * horizon, scratch);
    mean = pointForecasts(model, horizon);
    if (Number.isNaN(mean[0]!)) throw new RangeError(`forecastEts: ${model.method} has a negative multiplicative trend; no forecast`);
    ({ lower, upper } = simulatedIntervals(paths, npaths, horizon, lv));
  }
  const n = model.fitted.length;
  const residuals = new Float64Array(n);
  for (let t = 0; t < n; t++) residuals[t] = error === 'A' ? model.residuals[t]! : model.residuals[t]! * model.fitted[t]!;
  return { method: model.method, mean, levels: lv, lower, upper, fitted: model.fitted, residuals, sigma2, aicc: Number.isNaN(model.aicc) ? null : model.aicc, model };
}

/**
 * Fit ETS to `y` and forecast: R's forecast(ets(y), h = horizon, level = levels) with
 * frequency(y) = period. Options of fitEts and forecastEts can be given together.
 */
export function ets(y: ArrayLike<number>, spec: ForecastSpec & EtsOptions & EtsForecastOptions): EtsForecast {
  const { horizon } = checkSpec(spec, 'ets');
  const model = fitEts(y, spec);
  return forecastEts(model, horizon, spec.levels, spec);
}
