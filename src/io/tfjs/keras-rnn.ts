/**
 * Keras activations and a Keras-exact recurrent forward for the cases the core layers cannot
 * express: a recurrent activation other than σ (TF.js' default is hard_sigmoid), an activation
 * other than tanh, and TF.js' GRU, which always uses reset_after = false:
 *   z = ra(x·K_z + b_z + h·U_z),  r = ra(x·K_r + b_r + h·U_r),
 *   h̃ = a(x·K_h + b_h + (r⊙h)·U_h),  h' = z⊙h + (1−z)⊙h̃      (Keras gate order z, r, h)
 * LSTM (Keras order i, f, c, o): i, f, o = ra(·), c' = f⊙c + i⊙a(x·K_c + h·U_c + b_c), h' = o⊙a(c').
 * SimpleRNN: h' = a(x·K + h·U + b).
 * Masking follows TF.js (tfjs-layers recurrent.ts `rnn`): at a masked step the state is kept
 * and the output repeats the previous h. go_backwards reverses x and the mask first; outputs
 * stay in processing order. Inference only, plain loops in float64 rounded to float32 per step.
 * The ONNX interpreter uses the same loop for LSTM/GRU/RNN nodes with such activations.
 */
import { GATE_COUNT } from '../../nn/recurrent.js';

/** Keras activation functions by their serialized names. */
export const KERAS_ACTIVATIONS: Record<string, (x: number) => number> = Object.assign(Object.create(null) as Record<string, (x: number) => number>, {
  linear: (x: number) => x,
  relu: (x: number) => (x > 0 ? x : 0),
  relu6: (x: number) => Math.min(Math.max(x, 0), 6),
  tanh: Math.tanh,
  sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
  // Keras 2 / TF.js: clip(0.2·x + 0.5, 0, 1).
  hard_sigmoid: (x: number) => Math.min(Math.max(0.2 * x + 0.5, 0), 1),
  softplus: (x: number) => Math.log(1 + Math.exp(x)),
  softsign: (x: number) => x / (1 + Math.abs(x)),
  elu: (x: number) => (x > 0 ? x : Math.exp(x) - 1),
  selu: (x: number) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (Math.exp(x) - 1)),
});

/** Normalise an activation name as TF.js or Keras writes it ('hardSigmoid' → 'hard_sigmoid'). */
export function activationName(v: unknown): string {
  if (v === null || v === undefined) return 'linear';
  const s = typeof v === 'string' ? v : typeof v === 'object' && v && 'class_name' in v ? String((v as { class_name: unknown }).class_name) : String(v);
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export type KerasRecurrentKind = 'lstm' | 'gru' | 'rnn';

export interface KerasRecurrentWeights {
  kernel: Float32Array; // (I, G·U)
  recurrent: Float32Array; // (U, G·U)
  /** (G·U), or (2, G·U) for a GRU with reset_after (input bias, recurrent bias); null without bias. */
  bias: Float32Array | null;
}

export interface KerasRecurrentSpec {
  kind: KerasRecurrentKind;
  units: number;
  activation: string;
  recurrentActivation: string;
  resetAfter: boolean;
  goBackwards: boolean;
}

/**
 * Run one Keras recurrent layer. x (B,T,I) batch-first; mask (B,T) 1 = keep, or null;
 * optional initial states h0, c0 (B,U) (default zeros). Returns seq (B,T,U) outputs in
 * processing order, last (B,U), the final output, and the final cell state lastC (B,U) (LSTM).
 */
export function kerasRecurrentForward(spec: KerasRecurrentSpec, w: KerasRecurrentWeights, x: ArrayLike<number>, B: number, T: number, I: number,
  mask: Uint8Array | null, init: { h0?: ArrayLike<number>; c0?: ArrayLike<number> } = {}): { seq: Float32Array; last: Float32Array; lastC: Float32Array } {
  const U = spec.units, G = GATE_COUNT[spec.kind], GU = G * U;
  const act = KERAS_ACTIVATIONS[spec.activation]!, ract = KERAS_ACTIVATIONS[spec.recurrentActivation]!;
  const seq = new Float32Array(B * T * U), last = new Float32Array(B * U), lastC = new Float32Array(B * U);
  const h = new Float64Array(U), c = new Float64Array(U), xz = new Float64Array(GU), hz = new Float64Array(GU), hNew = new Float64Array(U), cNew = new Float64Array(U), r = new Float64Array(U);
  const ib = w.bias ? 0 : -1, rb = spec.kind === 'gru' && spec.resetAfter && w.bias ? GU : -1;
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < U; j++) {
      h[j] = init.h0 ? init.h0[b * U + j]! : 0;
      c[j] = init.c0 ? init.c0[b * U + j]! : 0;
    }
    for (let s = 0; s < T; s++) {
      const t = spec.goBackwards ? T - 1 - s : s;
      const out = (b * T + s) * U;
      if (mask && !mask[b * T + t]) {
        for (let j = 0; j < U; j++) seq[out + j] = h[j]!; // masked: keep the state, repeat h
        continue;
      }
      // xz = x_t·K + b_in;  hz = h·U (+ b_rec for reset_after)
      const xo = (b * T + t) * I;
      for (let g = 0; g < GU; g++) {
        let sx = ib >= 0 ? w.bias![ib + g]! : 0;
        for (let i = 0; i < I; i++) sx += x[xo + i]! * w.kernel[i * GU + g]!;
        xz[g] = sx;
        let sh = rb >= 0 ? w.bias![rb + g]! : 0;
        // reset_after = false computes the candidate's recurrent term after the reset gate (below).
        if (!(spec.kind === 'gru' && !spec.resetAfter && g >= 2 * U)) for (let k = 0; k < U; k++) sh += h[k]! * w.recurrent[k * GU + g]!;
        hz[g] = sh;
      }
      if (spec.kind === 'lstm') {
        for (let j = 0; j < U; j++) {
          const i = ract(xz[j]! + hz[j]!), f = ract(xz[U + j]! + hz[U + j]!);
          const g = act(xz[2 * U + j]! + hz[2 * U + j]!), o = ract(xz[3 * U + j]! + hz[3 * U + j]!);
          cNew[j] = f * c[j]! + i * g;
          hNew[j] = o * act(cNew[j]!);
        }
        c.set(cNew);
      } else if (spec.kind === 'gru') {
        for (let j = 0; j < U; j++) r[j] = ract(xz[U + j]! + hz[U + j]!);
        for (let j = 0; j < U; j++) {
          const z = ract(xz[j]! + hz[j]!);
          let rec: number;
          if (spec.resetAfter) rec = r[j]! * hz[2 * U + j]!;
          else {
            rec = 0;
            for (let k = 0; k < U; k++) rec += r[k]! * h[k]! * w.recurrent[k * GU + 2 * U + j]!;
          }
          const hh = act(xz[2 * U + j]! + rec);
          hNew[j] = z * h[j]! + (1 - z) * hh;
        }
      } else {
        for (let j = 0; j < U; j++) hNew[j] = act(xz[j]! + hz[j]!);
      }
      // Round the state to float32 each step, as TF.js keeps it.
      for (let j = 0; j < U; j++) {
        h[j] = Math.fround(hNew[j]!);
        if (spec.kind === 'lstm') c[j] = Math.fround(c[j]!);
        seq[out + j] = h[j]!;
      }
    }
    for (let j = 0; j < U; j++) {
      last[b * U + j] = h[j]!;
      lastC[b * U + j] = c[j]!;
    }
  }
  return { seq, last, lastC };
}
