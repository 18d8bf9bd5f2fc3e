/**
 * Minimisers for the statistical models' likelihoods, written after the ones R's optim() uses
 * so that the same model on the same data ends at the same optimum.
 *
 * `nelderMead` is the Nelder–Mead simplex search in the variant of J. C. Nash, "Compact
 * Numerical Methods for Computers" (2nd ed., 1990), Algorithm 19: the one R's optim(method =
 * "Nelder-Mead") and forecast's ets() use, with the same initial simplex (one step of 10 % of the
 * largest |x_i| along each axis), the same reflection / extension / contraction / shrink rules and
 * the same stopping test (spread of the function values below reltol·(|f0| + reltol)). Using
 * the same search as R matters: ETS likelihoods have many shallow local optima and a different
 * search lands on different ones. `bfgs` is the variable-metric method of Nash's Algorithm 21
 * as in optim(method = "BFGS") (vmmin): central-difference gradients with steps `ndeps` on
 * parameters divided by `parscale`, an Armijo backtracking line search (step × 0.2), BFGS
 * updates of the inverse Hessian, restarts when the update is not positive. `numericHessian` is
 * optimHess(): central differences of those gradients, symmetrised. ARIMA uses both.
 */

/** Function values that are not finite count as this (as in R's optim). */
const BIG = 1.0e35;

export interface MinimizeResult {
  /** The best point found. */
  x: Float64Array;
  /** The function value there. */
  value: number;
  /** Function evaluations used. */
  evaluations: number;
  /** True when the evaluation budget ran out before the convergence test passed. */
  exhausted: boolean;
}

export interface NelderMeadOptions {
  /** Relative tolerance on the spread of function values (R: reltol = √ε). */
  reltol?: number;
  /** Stop when the best value is at most this (R: abstol = −∞). */
  abstol?: number;
  /** Evaluation budget (R: maxit; 500 in optim, 2000 in ets). */
  maxEvaluations?: number;
}

/**
 * Minimise `f` from `x0` by Nelder–Mead (Nash's variant: reflection 1, contraction 0.5, extension 2).
 * `f` may return Infinity or NaN for points outside the feasible region; they count as 1e35.
 * Throws if `f(x0)` is not finite (the search has nowhere to start).
 */
export function nelderMead(f: (x: Float64Array) => number, x0: ArrayLike<number>, opts: NelderMeadOptions = {}): MinimizeResult {
  const n = x0.length;
  const reltol = opts.reltol ?? Math.sqrt(2.220446049250313e-16);
  const abstol = opts.abstol ?? -Infinity;
  const maxit = opts.maxEvaluations ?? 500;
  const alpha = 1, beta = 0.5, gamma = 2;
  const b = Float64Array.from(x0);
  let fx = f(b);
  if (!Number.isFinite(fx)) throw new RangeError('nelderMead: the function is not finite at the initial point');
  if (maxit <= 0) return { x: b, value: fx, evaluations: 0, exhausted: false };
  // Simplex: n + 1 vertices (columns 0..n) plus a centroid slot (column n + 1); vals[j] is f at vertex j.
  const P: Float64Array[] = Array.from({ length: n + 2 }, () => new Float64Array(n));
  const vals = new Float64Array(n + 2);
  let evals = 1;
  const convtol = reltol * (Math.abs(fx) + reltol);
  P[0]!.set(b);
  vals[0] = fx;
  let step = 0;
  for (let i = 0; i < n; i++) step = Math.max(step, 0.1 * Math.abs(b[i]!));
  if (step === 0) step = 0.1;
  let size = 0;
  for (let j = 1; j <= n; j++) {
    const v = P[j]!;
    v.set(b);
    let trystep = step;
    while (v[j - 1] === b[j - 1]) {
      v[j - 1] = b[j - 1]! + trystep;
      trystep *= 10;
    }
    size += trystep;
  }
  let oldsize = size;
  let L = 0; // index of the best vertex
  let calcvert = true;
  const eval1 = (x: Float64Array): number => {
    const v = f(x);
    evals++;
    return Number.isFinite(v) ? v : BIG;
  };
  const C = n + 1;
  for (;;) {
    if (calcvert) {
      for (let j = 0; j <= n; j++) if (j !== L) vals[j] = eval1(P[j]!);
      calcvert = false;
    }
    let VL = vals[L]!, VH = VL, H = L;
    for (let j = 0; j <= n; j++) {
      if (j === L) continue;
      const v = vals[j]!;
      if (v < VL) { L = j; VL = v; }
      if (v > VH) { H = j; VH = v; }
    }
    if (VH <= VL + convtol || VL <= abstol) break;
    // Centroid of all vertices but the worst.
    const cen = P[C]!;
    for (let i = 0; i < n; i++) {
      let t = -P[H]![i]!;
      for (let j = 0; j <= n; j++) t += P[j]![i]!;
      cen[i] = t / n;
    }
    for (let i = 0; i < n; i++) b[i] = (1 + alpha) * cen[i]! - alpha * P[H]![i]!;
    const VR = eval1(b);
    if (VR < VL) {
      // Reflection beat the best: try extending further; keep the reflected point in the centroid slot.
      vals[C] = VR;
      for (let i = 0; i < n; i++) {
        const e = gamma * b[i]! + (1 - gamma) * cen[i]!;
        cen[i] = b[i]!;
        b[i] = e;
      }
      const fe = eval1(b);
      if (fe < VR) { P[H]!.set(b); vals[H] = fe; } else { P[H]!.set(cen); vals[H] = VR; }
    } else {
      if (VR < VH) { P[H]!.set(b); vals[H] = VR; }
      for (let i = 0; i < n; i++) b[i] = (1 - beta) * P[H]![i]! + beta * cen[i]!;
      const fc = eval1(b);
      if (fc < vals[H]!) {
        P[H]!.set(b);
        vals[H] = fc;
      } else if (VR >= VH) {
        // Contraction failed too: shrink every vertex towards the best.
        calcvert = true;
        size = 0;
        const best = P[L]!;
        for (let j = 0; j <= n; j++) {
          if (j === L) continue;
          const v = P[j]!;
          for (let i = 0; i < n; i++) {
            v[i] = beta * (v[i]! - best[i]!) + best[i]!;
            size += Math.abs(v[i]! - best[i]!);
          }
        }
        if (size < oldsize) oldsize = size;
        else break; // the simplex no longer shrinks
      }
    }
    if (evals > maxit) break;
  }
  return { x: Float64Array.from(P[L]!), value: vals[L]!, evaluations: evals, exhausted: evals > maxit };
}

/** Raised when a finite-difference gradient is not finite (R: "non-finite finite-difference value"). */
export class NonFiniteGradientError extends RangeError {}

export interface BfgsOptions {
  /** Parameter scales: the search works on x / parscale (default all 1). */
  parscale?: ArrayLike<number>;
  /** Finite-difference step on the scaled parameters (default 1e-3). */
  ndeps?: number;
  /** Iteration limit (default 100). */
  maxit?: number;
  /** Relative tolerance on the function value (default √ε). */
  reltol?: number;
  /** Stop when the value is at most this (default −∞). */
  abstol?: number;
}

export interface BfgsResult {
  x: Float64Array;
  value: number;
  /** 0 when converged, 1 when maxit was reached (optim's convergence code). */
  fail: number;
  evaluations: number;
  gradients: number;
}

/** Central-difference gradient of f at x·parscale with respect to the scaled x (optim's fmingr). */
function scaledGradient(f: (x: Float64Array) => number, x: Float64Array, ps: ArrayLike<number>, ndeps: number, out: Float64Array, work: Float64Array): void {
  const n = x.length;
  for (let i = 0; i < n; i++) work[i] = x[i]! * ps[i]!;
  for (let i = 0; i < n; i++) {
    work[i] = (x[i]! + ndeps) * ps[i]!;
    const v1 = f(work);
    work[i] = (x[i]! - ndeps) * ps[i]!;
    const v2 = f(work);
    out[i] = (v1 - v2) / (2 * ndeps);
    if (!Number.isFinite(out[i]!)) throw new NonFiniteGradientError(`bfgs: non-finite finite-difference value [${i + 1}]`);
    work[i] = x[i]! * ps[i]!;
  }
}

/**
 * Minimise f from x0 by BFGS with numerical gradients (R's optim(method = "BFGS")). Throws when
 * f(x0) is not finite or a finite-difference gradient is not.
 */
export function bfgs(f: (x: Float64Array) => number, x0: ArrayLike<number>, opts: BfgsOptions = {}): BfgsResult {
  const n = x0.length;
  const ps = opts.parscale ?? new Float64Array(n).fill(1);
  const ndeps = opts.ndeps ?? 1e-3;
  const maxit = opts.maxit ?? 100;
  const reltol = opts.reltol ?? Math.sqrt(2.220446049250313e-16);
  const abstol = opts.abstol ?? -Infinity;
  const work = new Float64Array(n);
  const fs = (b: Float64Array): number => {
    for (let i = 0; i < n; i++) work[i] = b[i]! * ps[i]!;
    return f(work);
  };
  const gradWork = new Float64Array(n);
  const grad = (b: Float64Array, g: Float64Array): void => scaledGradient(f, b, ps, ndeps, g, gradWork);
  const b = Float64Array.from(x0, (v, i) => v / ps[i]!);
  const unscale = (): Float64Array => Float64Array.from(b, (v, i) => v * ps[i]!);
  if (maxit <= 0) return { x: unscale(), value: fs(b), fail: 0, evaluations: 0, gradients: 0 };
  const g = new Float64Array(n), t = new Float64Array(n), X = new Float64Array(n), c = new Float64Array(n);
  const B = new Float64Array(n * n); // lower triangle used, B[i * n + j] for j ≤ i
  let f0 = fs(b);
  if (!Number.isFinite(f0)) throw new RangeError('bfgs: initial value is not finite');
  let fmin = f0;
  let funcount = 1, gradcount = 1;
  grad(b, g);
  let iter = 1;
  let ilast = gradcount;
  const stepredn = 0.2, acctol = 0.0001, reltest = 10.0;
  let count = 0;
  do {
    if (ilast === gradcount) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < i; j++) B[i * n + j] = 0;
        B[i * n + i] = 1;
      }
    }
    for (let i = 0; i < n; i++) { X[i] = b[i]!; c[i] = g[i]!; }
    let gradproj = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j <= i; j++) s -= B[i * n + j]! * g[j]!;
      for (let j = i + 1; j < n; j++) s -= B[j * n + i]! * g[j]!;
      t[i] = s;
      gradproj += s * g[i]!;
    }
    if (gradproj < 0) {
      // Downhill: backtrack from a unit step until the Armijo condition holds or the point stops moving.
      let steplength = 1.0;
      let accpoint = false;
      do {
        count = 0;
        for (let i = 0; i < n; i++) {
          b[i] = X[i]! + steplength * t[i]!;
          if (reltest + X[i]! === reltest + b[i]!) count++;
        }
        if (count < n) {
          f0 = fs(b);
          funcount++;
          accpoint = Number.isFinite(f0) && f0 <= fmin + gradproj * steplength * acctol;
          if (!accpoint) steplength *= stepredn;
        }
      } while (!(count === n || accpoint));
      const enough = f0 > abstol && Math.abs(f0 - fmin) > reltol * (Math.abs(fmin) + reltol);
      if (!enough) {
        count = n;
        fmin = f0;
      }
      if (count < n) {
        fmin = f0;
        grad(b, g);
        gradcount++;
        iter++;
        let D1 = 0;
        for (let i = 0; i < n; i++) {
          t[i] = steplength * t[i]!;
          c[i] = g[i]! - c[i]!;
          D1 += t[i]! * c[i]!;
        }
        if (D1 > 0) {
          let D2 = 0;
          for (let i = 0; i < n; i++) {
            let s = 0;
            for (let j = 0; j <= i; j++) s += B[i * n + j]! * c[j]!;
            for (let j = i + 1; j < n; j++) s += B[j * n + i]! * c[j]!;
            X[i] = s;
            D2 += s * c[i]!;
          }
          D2 = 1 + D2 / D1;
          for (let i = 0; i < n; i++) {
            for (let j = 0; j <= i; j++) B[i * n + j] = B[i * n + j]! + (D2 * t[i]! * t[j]! - X[i]! * t[j]! - t[i]! * X[j]!) / D1;
          }
        } else {
          ilast = gradcount; // not positive definite: restart from steepest descent
        }
      } else if (ilast < gradcount) {
        count = 0;
        ilast = gradcount;
      }
    } else {
      // Uphill: reset unless just reset.
      count = 0;
      if (ilast === gradcount) count = n;
      else ilast = gradcount;
    }
    if (iter >= maxit) break;
    if (gradcount - ilast > 2 * n) ilast = gradcount; // periodic restart
  } while (count !== n || ilast !== gradcount);
  return { x: unscale(), value: fmin, fail: iter < maxit ? 0 : 1, evaluations: funcount, gradients: gradcount };
}

/** Hessian of f at x by central differences of the numerical gradient (R's optimHess), (n, n) row-major. */
export function numericHessian(f: (x: Float64Array) => number, x: ArrayLike<number>, opts: Pick<BfgsOptions, 'parscale' | 'ndeps'> = {}): Float64Array {
  const n = x.length;
  const ps = opts.parscale ?? new Float64Array(n).fill(1);
  const ndeps = opts.ndeps ?? 1e-3;
  const dpar = Float64Array.from(x, (v, i) => v / ps[i]!);
  const df1 = new Float64Array(n), df2 = new Float64Array(n), work = new Float64Array(n);
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const eps = ndeps / ps[i]!;
    dpar[i] = dpar[i]! + eps;
    scaledGradient(f, dpar, ps, ndeps, df1, work);
    dpar[i] = dpar[i]! - 2 * eps;
    scaledGradient(f, dpar, ps, ndeps, df2, work);
    for (let j = 0; j < n; j++) H[i * n + j] = (df1[j]! - df2[j]!) / (2 * eps * ps[i]! * ps[j]!);
    dpar[i] = dpar[i]! + eps;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (H[i * n + j]! + H[j * n + i]!);
      H[i * n + j] = v;
      H[j * n + i] = v;
    }
  }
  return H;
}
