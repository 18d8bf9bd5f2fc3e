/**
 * The exact recurrent loop, for the cases the core layers cannot express, shared by the TF.js
 * loader and the ONNX interpreter. With f the gate activation, g the candidate activation and
 * h the cell-output activation (Keras: g = h = `activation`, f = `recurrent_activation`):
 *   LSTM (Keras order i, f, c, o):  i = f(x·K_i + h·U_i + b_i + p_i⊙c),  f_t = f(… + p_f⊙c)
 *     (or 1 − i with input_forget),  c' = f_t⊙c + i⊙g(x·K_c + h·U_c + b_c),
 *     o = f(x·K_o + h·U_o + b_o + p_o⊙c'),  h' = o⊙h(c')        (peepholes p: ONNX's P, default 0)
 *   GRU (Keras order z, r, h):  z = f(x·K_z + b_z + h·U_z),  r = f(x·K_r + b_r + h·U_r),
 *     h̃ = g(x·K_h + b_h + (r⊙h)·U_h)   (reset_after = false, ONNX linear_before_reset = 0), or
 *     h̃ = g(x·K_h + b_h + r⊙(h·U_h + b_rh))   (reset_after = true, linear_before_reset = 1),
 *     h' = z⊙h + (1−z)⊙h̃
 *   SimpleRNN / ONNX RNN:  h' = g(x·K + h·U + b).
 * ONNX's clip bounds every activation's input to [−clip, clip] (as onnxruntime does: the gate
 * and candidate pre-activations, not the cell state). Masking follows TF.js (tfjs-layers
 * recurrent.ts `rnn`): at a masked step the state is kept and the output repeats the previous
 * h. go_backwards reverses x and the mask first; outputs stay in processing order. Inference
 * only, plain loops in float64; the state is rounded to float32 after each step, as TF.js and
 * onnxruntime keep it, unless the cell asks for float64.
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
  kernel: Float32Array | Float64Array; // (I, G·U)
  recurrent: Float32Array | Float64Array; // (U, G·U)
  /** (G·U), or (2, G·U) for a GRU with reset_after (input bias, recurrent bias); null without bias. */
  bias: Float32Array | Float64Array | null;
}

/** A Keras recurrent layer's options, activations by their Keras names. */
export interface KerasRecurrentSpec {
  kind: KerasRecurrentKind;
  units: number;
  activation: string;
  recurrentActivation: string;
  resetAfter: boolean;
  goBackwards: boolean;
}

/** An activation function as the loop applies it. */
export type Activation = (x: number) => number;

/** What one direction of the exact loop computes (the equations are in the file header). */
export interface ExactCell {
  kind: KerasRecurrentKind;
  units: number;
  /** f: the gates (LSTM i, f, o; GRU z, r). */
  gate: Activation;
  /** g: the candidate (LSTM c̃, GRU h̃), or the RNN's activation. */
  candidate: Activation;
  /** h: LSTM's activation of the new cell state. */
  cellOutput: Activation;
  /** GRU: the reset gate multiplies h·U_h + b_rh (Keras reset_after, ONNX linear_before_reset = 1). */
  resetAfter: boolean;
  goBackwards: boolean;
  /** LSTM peepholes (3U): p_i, p_f, p_o, or null. */
  peephole?: ArrayLike<number> | null;
  /** Bound every activation's input to [−clip, clip] (ONNX clip), or null. */
  clip?: number | null;
  /** LSTM: f = 1 − i (ONNX input_forget = 1). */
  inputForget?: boolean;
  /** Keep the state in float64 (ONNX double models) instead of rounding it to float32 each step. */
  float64?: boolean;
}

/** The exact cell of a Keras layer. */
export function kerasCell(spec: KerasRecurrentSpec): ExactCell {
  const act = KERAS_ACTIVATIONS[spec.activation]!;
  return { kind: spec.kind, units: spec.units, gate: KERAS_ACTIVATIONS[spec.recurrentActivation]!, candidate: act, cellOutput: act, resetAfter: spec.resetAfter, goBackwards: spec.goBackwards };
}

/** Run one Keras recurrent layer in the exact loop (see exactRecurrentForward). */
export function kerasRecurrentForward(spec: KerasRecurrentSpec, w: KerasRecurrentWeights, x: ArrayLike<number>, B: number, T: number, I: number,
  mask: Uint8Array | null, init: { h0?: ArrayLike<number>; c0?: ArrayLike<number> } = {}): { seq: Float32Array; last: Float32Array; lastC: Float32Array } {
  return exactRecurrentForward(kerasCell(spec), w, x, B, T, I, mask, init) as { seq: Float32Array; last: Float32Array; lastC: Float32Array };
}

/**
 * Run one direction. x (B,T,I) batch-first; mask (B,T) 1 = keep, or null; optional initial
 * states h0, c0 (B,U) (default zeros). Returns seq (B,T,U) outputs in processing order, last
 * (B,U), the final output, and the final cell state lastC (B,U) (LSTM): Float32Arrays, or
 * Float64Arrays for a float64 cell.
 */
export function exactRecurrentForward(cell: ExactCell, w: KerasRecurrentWeights, x: ArrayLike<number>, B: number, T: number, I: number,
  mask: Uint8Array | null, init: { h0?: ArrayLike<number>; c0?: ArrayLike<number> } = {}): { seq: Float32Array | Float64Array; last: Float32Array | Float64Array; lastC: Float32Array | Float64Array } {
  const U = cell.units, G = GATE_COUNT[cell.kind], GU = G * U;
  const { gate, candidate, cellOutput } = cell;
  const P = cell.peephole ?? null, inputForget = cell.inputForget === true;
  const clip = cell.clip ?? Infinity;
  const bound = (v: number): number => (v > clip ? clip : v < -clip ? -clip : v);
  const round = cell.float64 ? (v: number): number => v : Math.fround;
  const Out = cell.float64 ? Float64Array : Float32Array;
  const seq = new Out(B * T * U), last = new Out(B * U), lastC = new Out(B * U);
  const h = new Float64Array(U), c = new Float64Array(U), xz = new Float64Array(GU), hz = new Float64Array(GU), hNew = new Float64Array(U), cNew = new Float64Array(U), r = new Float64Array(U);
  const ib = w.bias ? 0 : -1, rb = cell.kind === 'gru' && cell.resetAfter && w.bias ? GU : -1;
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < U; j++) {
      h[j] = init.h0 ? init.h0[b * U + j]! : 0;
      c[j] = init.c0 ? init.c0[b * U + j]! : 0;
    }
    for (let s = 0; s < T; s++) {
      const t = cell.goBackwards ? T - 1 - s : s;
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
        if (!(cell.kind === 'gru' && !cell.resetAfter && g >= 2 * U)) for (let k = 0; k < U; k++) sh += h[k]! * w.recurrent[k * GU + g]!;
        hz[g] = sh;
      }
      if (cell.kind === 'lstm') {
        for (let j = 0; j < U; j++) {
          const cp = c[j]!;
          const i = gate(bound(xz[j]! + hz[j]! + (P ? P[j]! * cp : 0)));
          const f = inputForget ? 1 - i : gate(bound(xz[U + j]! + hz[U + j]! + (P ? P[U + j]! * cp : 0)));
          const g = candidate(bound(xz[2 * U + j]! + hz[2 * U + j]!));
          const cn = f * cp + i * g;
          // The output gate's peephole looks at the new cell state.
          const o = gate(bound(xz[3 * U + j]! + hz[3 * U + j]! + (P ? P[2 * U + j]! * cn : 0)));
          cNew[j] = cn;
          hNew[j] = o * cellOutput(cn);
        }
        for (let j = 0; j < U; j++) c[j] = round(cNew[j]!);
      } else if (cell.kind === 'gru') {
        for (let j = 0; j < U; j++) r[j] = gate(bound(xz[U + j]! + hz[U + j]!));
        for (let j = 0; j < U; j++) {
          const z = gate(bound(xz[j]! + hz[j]!));
          let rec: number;
          if (cell.resetAfter) rec = r[j]! * hz[2 * U + j]!;
          else {
            rec = 0;
            for (let k = 0; k < U; k++) rec += r[k]! * h[k]! * w.recurrent[k * GU + 2 * U + j]!;
          }
          const hh = candidate(bound(xz[2 * U + j]! + rec));
          hNew[j] = z * h[j]! + (1 - z) * hh;
        }
      } else {
        for (let j = 0; j < U; j++) hNew[j] = candidate(bound(xz[j]! + hz[j]!));
      }
      for (let j = 0; j < U; j++) {
        h[j] = round(hNew[j]!);
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
