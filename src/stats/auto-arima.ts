/**
 * Automatic ARIMA modelling as forecast::auto.arima() (8.20) does it by default (Hyndman &
 * Khandakar 2008): the number of seasonal differences D from the STL seasonal-strength
 * heuristic, then d from repeated KPSS tests, then a stepwise search over (p, q, P, Q) and the
 * constant, starting from ARIMA(2,d,2)(1,D,1) and the three simple models, moving one order at
 * a time to the neighbour with the lowest AICc (at most 94 models; p, q ≤ 5, P, Q ≤ 2; a model
 * is rejected when a root lies within 1.01 of the unit circle or its coefficient covariance has
 * a negative variance). Long series (n > 150) and long seasons (m > 12) are searched with CSS
 * likelihood approximations and the best models refitted exactly, as R does.
 *
 * What differs from R: only the stepwise search (R's stepwise = FALSE exhaustive search is not
 * here), no Box–Cox transform, no external regressors or missing values, only the default tests
 * (KPSS for d, the seasonal-strength heuristic for D), and the initial state covariance of each
 * model solved by doubling instead of Gardner et al.'s algorithm (see arima.ts).
 */
import {
  ArimaFitError, fitArima, nearUnitRoot, predictArima, differenceSeries,
  type ArimaModel, type ArimaOrder, type ArimaRegressor,
} from './arima.js';
import { ndiffs, nsdiffs, isConstant } from './unit-root.js';
import { assertFiniteSeries, qnorm } from './numeric.js';
import { checkPeriod, checkSpec, normalizeLevels, type Forecast, type ForecastSpec } from './result.js';

export interface AutoArimaOptions {
  /** Season length m (frequency(y)); default 1. */
  period?: number;
  /** Fix the number of differences instead of testing for it. */
  d?: number;
  D?: number;
  /** Information criterion; default "aicc" (R: "aic" for series of 3 or fewer values). */
  ic?: 'aicc' | 'aic' | 'bic';
  /** Use CSS approximations during the search; default n > 150 or m > 12. */
  approximation?: boolean;
  /** Consider a drift (d + D = 1) or a mean (d + D = 0); default true. */
  allowDrift?: boolean;
  allowMean?: boolean;
}

/** A forecast from an ARIMA model. */
export interface ArimaForecast extends Forecast {
  model: ArimaModel;
}

interface Candidate { model: ArimaModel | null; ic: number }

/** forecast's myarima(): fit one model; ic = ∞ when it fails or is rejected. */
function tryModel(x: Float64Array, order: ArimaOrder, constant: boolean, ic: 'aicc' | 'aic' | 'bic', approximation: boolean, offset: number): Candidate {
  const diffs = order.d + order.D;
  const regressor: ArimaRegressor = constant ? (diffs === 1 ? 'drift' : diffs === 0 ? 'intercept' : 'none') : 'none';
  let model: ArimaModel;
  try {
    model = fitArima(x, order, { regressor, method: approximation ? 'CSS' : 'CSS-ML', cssOffset: offset });
  } catch (e) {
    if (e instanceof ArimaFitError) return { model: null, ic: Infinity };
    throw e;
  }
  let value = Number.isNaN(model.aic) ? Infinity : model[ic];
  if (Number.isNaN(value)) value = Infinity;
  if (value < Infinity && nearUnitRoot(model)) value = Infinity;
  // checkarima(): a variance that is negative (or NaN) on the diagonal rejects the model.
  const k = model.npar - 1;
  for (let i = 0; i < k && model.varCoef.length > 0; i++) if (!(model.varCoef[i * k + i]! >= 0)) value = Infinity;
  return { model, ic: value };
}

/** auto.arima(y) with frequency `period`: the chosen model (throws when no model can be fitted). */
export function fitAutoArima(y: ArrayLike<number>, opts: AutoArimaOptions = {}): ArimaModel {
  assertFiniteSeries(y, 'autoArima', 1);
  const x = Float64Array.from(y);
  const n = x.length;
  const m = checkPeriod(opts.period, 'autoArima');
  const allowMean = opts.allowMean ?? true;
  const allowDriftOpt = opts.allowDrift ?? true;
  const order = (p: number, d: number, q: number, P: number, D: number, Q: number): ArimaOrder => ({ p, d, q, P, D, Q, period: m });
  if (isConstant(x)) {
    const zero = { p: 0, d: 0, q: 0, P: 0, D: 0, Q: 0, period: m };
    return allowMean ? fitArima(x, zero, { regressor: 'intercept', fixedRegressor: x.reduce((a, b) => a + b, 0) / n }) : fitArima(x, zero);
  }
  let ic = opts.ic ?? 'aicc';
  let maxp = Math.min(5, Math.floor(n / 3)), maxq = Math.min(5, Math.floor(n / 3));
  let maxP = Math.min(2, Math.floor(n / 3 / m)), maxQ = Math.min(2, Math.floor(n / 3 / m));
  if (n <= 3) ic = 'aic';
  let D: number;
  if (m === 1) {
    D = 0;
    maxP = maxQ = 0;
  } else if (opts.D !== undefined) D = opts.D;
  else if (n <= 2 * m) D = 0;
  else {
    D = nsdiffs(x, m);
    if (D > 0 && n <= m) D = 0;
  }
  let dx = D > 0 ? differenceSeries(x, 0, D, m) : x;
  let d: number;
  if (opts.d !== undefined) d = opts.d;
  else {
    d = ndiffs(dx, 2);
    if (d > 0 && dx.length <= d) d = d - 1;
  }
  if (d > 0) dx = differenceSeries(dx, d, 0, m);
  if (dx.length === 0) throw new RangeError('autoArima: not enough data to proceed');
  if (isConstant(dx)) {
    const mean = dx.reduce((a, b) => a + b, 0) / dx.length;
    if (D > 0 && d === 0) return fitArima(x, order(0, 0, 0, 0, D, 0), { regressor: 'drift', fixedRegressor: mean / m });
    if (D > 0 && d > 0) return fitArima(x, order(0, d, 0, 0, D, 0));
    if (d === 2) return fitArima(x, order(0, 2, 0, 0, 0, 0));
    if (d < 2) return fitArima(x, order(0, d, 0, 0, 0, 0), { regressor: d === 0 ? 'intercept' : 'drift', fixedRegressor: mean });
    throw new RangeError('autoArima: the data follow a simple polynomial and are not suitable for ARIMA modelling');
  }
  if (m > 1) {
    if (maxP > 0) maxp = Math.min(maxp, m - 1);
    if (maxQ > 0) maxq = Math.min(maxq, m - 1);
  }
  const approximation = opts.approximation ?? (n > 150 || m > 12);
  let offset = 0;
  if (approximation) {
    try {
      const base = fitArima(x, order(0, d, 0, 0, D, 0), { regressor: 'intercept' });
      offset = -2 * base.loglik - n * Math.log(base.arimaSigma2);
    } catch (e) {
      if (!(e instanceof ArimaFitError)) throw e;
    }
  }
  const allowDrift = allowDriftOpt && d + D === 1;
  let constant = allowDrift || (allowMean && d + D === 0);

  // Stepwise search (auto.arima's stepwise = TRUE branch).
  const nmodels = 94;
  let startP = 2, startQ = 2, startSP = 1, startSQ = 1;
  if (n < 10) { startP = Math.min(startP, 1); startQ = Math.min(startQ, 1); startSP = 0; startSQ = 0; }
  let p = Math.min(startP, maxp), q = Math.min(startQ, maxq), P = Math.min(startSP, maxP), Q = Math.min(startSQ, maxQ);
  const results: number[][] = [];
  const fit = (pp: number, qq: number, PP: number, QQ: number, c: boolean): Candidate => {
    const cand = tryModel(x, order(pp, d, qq, PP, D, QQ), c, ic, approximation, offset);
    results.push([pp, d, qq, PP, D, QQ, c ? 1 : 0, cand.ic]);
    return cand;
  };
  const isNew = (pp: number, qq: number, PP: number, QQ: number, c: boolean): boolean =>
    !results.some((r) => r[0] === pp && r[2] === qq && r[3] === PP && r[5] === QQ && r[6] === (c ? 1 : 0));
  let best = fit(p, q, P, Q, constant);
  let cand = fit(0, 0, 0, 0, constant);
  if (cand.ic < best.ic) { best = cand; p = q = P = Q = 0; }
  if (maxp > 0 || maxP > 0) {
    const pp = maxp > 0 ? 1 : 0, PP = m > 1 && maxP > 0 ? 1 : 0;
    cand = fit(pp, 0, PP, 0, constant);
    if (cand.ic < best.ic) { best = cand; p = pp; P = PP; q = Q = 0; }
  }
  if (maxq > 0 || maxQ > 0) {
    const qq = maxq > 0 ? 1 : 0, QQ = m > 1 && maxQ > 0 ? 1 : 0;
    cand = fit(0, qq, 0, QQ, constant);
    if (cand.ic < best.ic) { best = cand; p = P = 0; q = qq; Q = QQ; }
  }
  if (constant) {
    cand = fit(0, 0, 0, 0, false);
    if (cand.ic < best.ic) { best = cand; p = q = P = Q = 0; }
  }
  // Neighbours in R's order: seasonal moves, then non-seasonal, then the constant. Each returns
  // true when it improved (R's `next`: restart the scan from the top).
  type Move = [cond: () => boolean, np: () => number, nq: () => number, nP: () => number, nQ: () => number];
  const moves: Move[] = [
    [() => P > 0, () => p, () => q, () => P - 1, () => Q],
    [() => Q > 0, () => p, () => q, () => P, () => Q - 1],
    [() => P < maxP, () => p, () => q, () => P + 1, () => Q],
    [() => Q < maxQ, () => p, () => q, () => P, () => Q + 1],
    [() => Q > 0 && P > 0, () => p, () => q, () => P - 1, () => Q - 1],
    [() => Q < maxQ && P > 0, () => p, () => q, () => P - 1, () => Q + 1],
    [() => Q > 0 && P < maxP, () => p, () => q, () => P + 1, () => Q - 1],
    [() => Q < maxQ && P < maxP, () => p, () => q, () => P + 1, () => Q + 1],
    [() => p > 0, () => p - 1, () => q, () => P, () => Q],
    [() => q > 0, () => p, () => q - 1, () => P, () => Q],
    [() => p < maxp, () => p + 1, () => q, () => P, () => Q],
    [() => q < maxq, () => p, () => q + 1, () => P, () => Q],
    [() => q > 0 && p > 0, () => p - 1, () => q - 1, () => P, () => Q],
    [() => q < maxq && p > 0, () => p - 1, () => q + 1, () => P, () => Q],
    [() => q > 0 && p < maxp, () => p + 1, () => q - 1, () => P, () => Q],
    [() => q < maxq && p < maxp, () => p + 1, () => q + 1, () => P, () => Q],
  ];
  let k = results.length;
  let startk = 0;
  scan: while (startk < k && k < nmodels) {
    startk = k;
    for (const [cond, np, nq, nP, nQ] of moves) {
      if (!cond()) continue;
      const pp = np(), qq = nq(), PP = nP(), QQ = nQ();
      if (!isNew(pp, qq, PP, QQ, constant)) continue;
      k++;
      if (k > nmodels) continue scan;
      cand = fit(pp, qq, PP, QQ, constant);
      if (cand.ic < best.ic) {
        best = cand;
        p = pp; q = qq; P = PP; Q = QQ;
        continue scan;
      }
    }
    if (allowDrift || (allowMean && d + D === 0)) {
      if (isNew(p, q, P, Q, !constant)) {
        k++;
        if (k > nmodels) continue scan;
        cand = fit(p, q, P, Q, !constant);
        if (cand.ic < best.ic) {
          best = cand;
          constant = !constant;
        }
      }
    }
  }
  if (approximation && best.model) {
    // Refit the candidates exactly, best approximate AICc first, until one is acceptable.
    const ordered = results.map((r, i) => ({ r, i })).sort((a, b) => a.r[7]! - b.r[7]! || a.i - b.i);
    for (const { r } of ordered) {
      const exact = tryModel(x, order(r[0]!, d, r[2]!, r[3]!, D, r[5]!), r[6] === 1, ic, false, 0);
      if (exact.ic < Infinity) { best = exact; break; }
    }
  }
  if (!best.model || best.ic === Infinity) throw new RangeError('autoArima: no suitable ARIMA model found');
  return best.model;
}

/** Forecast `horizon` steps from a fitted ARIMA model with normal intervals (forecast.Arima). */
export function forecastArima(model: ArimaModel, horizon: number, levels?: readonly number[]): ArimaForecast {
  checkSpec({ horizon }, 'forecastArima');
  const lv = normalizeLevels(levels, 'forecastArima');
  const { mean, se } = predictArima(model, horizon);
  const lower = lv.map((l) => Float64Array.from(mean, (v, h) => v - qnorm(0.5 * (1 + l / 100)) * se[h]!));
  const upper = lv.map((l) => Float64Array.from(mean, (v, h) => v + qnorm(0.5 * (1 + l / 100)) * se[h]!));
  return { method: model.method, mean, levels: lv, lower, upper, fitted: model.fitted, residuals: model.residuals, sigma2: model.sigma2, aicc: Number.isFinite(model.aicc) ? model.aicc : null, model };
}

/** R's forecast(auto.arima(y), h = horizon, level = levels) with frequency(y) = period. */
export function autoArima(y: ArrayLike<number>, spec: ForecastSpec & AutoArimaOptions): ArimaForecast {
  const { horizon } = checkSpec(spec, 'autoArima');
  return forecastArima(fitAutoArima(y, spec), horizon, spec.levels);
}
