/**
 * Finite-difference gradient checking in float64 for the recurrent layers.
 * Loss L = Σ output⊙R + Σ h_n⊙Rh (+ Σ c_n⊙Rc) with fixed random R; its gradient w.r.t. every
 * input, initial state and parameter is compared with central differences.
 */
import { Rng, Tensor, type RecurrentBase, type ForwardOptions } from '../../src/index.js';

export function randomTensor(shape: number[], rng: Rng, scale = 1): Tensor {
  const t = Tensor.zeros(shape, 'float64');
  for (let i = 0; i < t.size; i++) t.data[i] = rng.uniform(-scale, scale);
  return t;
}

/** Central difference (L(v+ε) − L(v−ε)) / 2ε of `loss` in data[i] = v; data[i] is restored. */
export function centralDiff(loss: () => number, data: Float32Array | Float64Array, i: number, eps: number): number {
  const old = data[i]!;
  data[i] = old + eps;
  const lp = loss();
  data[i] = old - eps;
  const lm = loss();
  data[i] = old;
  return (lp - lm) / (2 * eps);
}

export interface GradCheckResult {
  /** max over entries of |a−n| / max(1e-6, |a|+|n|). */
  maxRelErr: number;
  worst: string;
  /** max over entries of |a−n|. */
  maxAbsErr: number;
  /** max over entries of |a−n| / (atol + rtol·|n|): the check passes iff this is ≤ 1. */
  worstMixed: number;
  worstMixedAt: string;
  /** Number of entries compared. */
  count: number;
}

/** Mixed criterion used by `worstMixed`: |analytic − numeric| ≤ atol + rtol·|numeric|. */
export const GRADCHECK_TOL = { atol: 1e-7, rtol: 1e-6 };

/** Relative error |a−n| / max(1e-6, |a|+|n|) maximised over all checked entries. */
export function gradCheck(layer: RecurrentBase, x: Tensor, opts: ForwardOptions, seed = 1, eps = 1e-6, tol = GRADCHECK_TOL): GradCheckResult {
  if (layer.dtype !== 'float64' || !(layer.flat instanceof Float64Array)) {
    throw new Error(`gradCheck: needs a float64 layer (dtype ${layer.dtype}, parameters in ${layer.flat.constructor.name} on backend ${layer.backend.name})`);
  }
  const rng = new Rng(seed);
  const out0 = layer.forward(x, opts);
  const R = randomTensor(out0.output.shape, rng);
  const Rh = randomTensor(out0.h.shape, rng);
  const Rc = out0.c ? randomTensor(out0.c.shape, rng) : undefined;
  const loss = (): number => {
    const o = layer.forward(x, opts);
    let s = 0;
    for (let i = 0; i < o.output.size; i++) s += o.output.data[i]! * R.data[i]!;
    for (let i = 0; i < o.h.size; i++) s += o.h.data[i]! * Rh.data[i]!;
    if (o.c && Rc) for (let i = 0; i < o.c.size; i++) s += o.c.data[i]! * Rc.data[i]!;
    return s;
  };
  layer.zeroGrad();
  layer.forward(x, opts);
  const g = layer.backward({ dOutput: R, dh: Rh, ...(Rc ? { dc: Rc } : {}) });
  let maxRelErr = 0, worst = '', maxAbsErr = 0, worstMixed = 0, worstMixedAt = '', count = 0;
  const check = (name: string, data: Float32Array | Float64Array, analytic: ArrayLike<number>): void => {
    for (let i = 0; i < data.length; i++) {
      const num = centralDiff(loss, data, i, eps);
      const a = analytic[i]!;
      const err = Math.abs(a - num);
      const rel = err / Math.max(1e-6, Math.abs(a) + Math.abs(num));
      const mixed = Number.isNaN(err) ? Infinity : err / (tol.atol + tol.rtol * Math.abs(num));
      count++;
      if (rel > maxRelErr) {
        maxRelErr = rel;
        worst = `${name}[${i}]: analytic ${a}, numeric ${num}`;
      }
      if (err > maxAbsErr) maxAbsErr = err;
      if (mixed > worstMixed) {
        worstMixed = mixed;
        worstMixedAt = `${name}[${i}]: analytic ${a}, numeric ${num}`;
      }
    }
  };
  const grads = { ...layer.grads };
  const snapshot = (t: Tensor): Float64Array => Float64Array.from(t.data);
  check('input', x.data, snapshot(g.dInput));
  if (opts.h0) check('h0', opts.h0.data, snapshot(g.dh0));
  if (opts.c0 && g.dc0) check('c0', opts.c0.data, snapshot(g.dc0));
  const params = layer.stateDict();
  for (const name of Object.keys(params)) check(name, params[name]!.data, snapshot(grads[name]!));
  return { maxRelErr, worst, maxAbsErr, worstMixed, worstMixedAt, count };
}
