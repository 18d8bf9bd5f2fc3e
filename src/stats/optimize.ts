/**
 * Minimisers for the statistical models' likelihoods.
 *
 * `nelderMead` is the Nelder–Mead simplex search in the variant of J. C. Nash, "Compact
 * Numerical Methods for Computers" (2nd ed., 1990), Algorithm 19: the one R's optim(method =
 * "Nelder-Mead") and forecast's ets() use, with the same initial simplex (one step of 10 % of the
 * largest |x_i| along each axis), the same reflection / extension / contraction / shrink rules and
 * the same stopping test (spread of the function values below reltol·(|f0| + reltol)). Using
 * the same search as R matters: ETS likelihoods have many shallow local optima and a different
 * search lands on different ones.
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
