/**
 * Element-wise activations of the non-recurrent layers, in place on backend buffers: Dense's
 * four (forward and the backward written with the activated output), and a row-wise softmax
 * for the places that turn scores into probabilities (the classifier recipe, TF.js/Keras
 * softmax layers). One copy of each, so that a Dense layer, a loaded Keras Dense and the
 * classifier compute the same numbers.
 *
 * The recurrent cells' σ and tanh live in the kernels (kernels/), not here; the Keras-only
 * activations (hard_sigmoid, selu, ...) with Keras' own formulas live in io/tfjs/keras-rnn.ts.
 */
import type { FloatArray } from '../kernels/backend.js';

/** Dense activation functions. */
export type Activation = 'linear' | 'relu' | 'tanh' | 'sigmoid';

/** Every Dense activation. */
export const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'tanh', 'sigmoid'];

/** True when `name` is a Dense activation. */
export function isActivation(name: unknown): name is Activation {
  return (ACTIVATIONS as readonly unknown[]).includes(name);
}

/** In place: v[i] = act(v[i]) for i < n. */
export function applyActivation(act: Activation, v: FloatArray, n: number): void {
  switch (act) {
    case 'linear': return;
    case 'relu': for (let i = 0; i < n; i++) if (v[i]! < 0) v[i] = 0; return;
    case 'tanh': for (let i = 0; i < n; i++) v[i] = Math.tanh(v[i]!); return;
    case 'sigmoid': for (let i = 0; i < n; i++) v[i] = 1 / (1 + Math.exp(-v[i]!)); return;
  }
}

/** dz = dy ⊙ act'(z), written with the activated y: relu' = [y>0], tanh' = 1−y², σ' = y(1−y). */
export function activationBackward(act: Activation, y: FloatArray, dy: FloatArray, dz: FloatArray, n: number): void {
  switch (act) {
    case 'linear': for (let i = 0; i < n; i++) dz[i] = dy[i]!; return;
    case 'relu': for (let i = 0; i < n; i++) dz[i] = y[i]! > 0 ? dy[i]! : 0; return;
    case 'tanh': for (let i = 0; i < n; i++) dz[i] = dy[i]! * (1 - y[i]! * y[i]!); return;
    case 'sigmoid': for (let i = 0; i < n; i++) dz[i] = dy[i]! * y[i]! * (1 - y[i]!); return;
  }
}

/**
 * In place, each row of F values (v.length / F rows): v = exp(v − max) / Σ exp(v − max), the
 * row max subtracted so that large scores do not overflow. Each value is divided in float64
 * and rounded once, so a Float32Array row holds the float64 result rounded.
 */
export function softmaxRows(v: FloatArray, F: number): void {
  for (let o = 0; o < v.length; o += F) {
    let mx = -Infinity, s = 0;
    for (let j = 0; j < F; j++) mx = Math.max(mx, v[o + j]!);
    for (let j = 0; j < F; j++) s += Math.exp(v[o + j]! - mx);
    for (let j = 0; j < F; j++) v[o + j] = Math.exp(v[o + j]! - mx) / s;
  }
}
