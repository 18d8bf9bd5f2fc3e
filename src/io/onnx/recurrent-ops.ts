/**
 * The ONNX LSTM, GRU and RNN operators, run on this project's own layers (src/nn/recurrent.ts)
 * so that an imported model computes with the same kernels as a native one.
 *
 * ONNX vs PyTorch conventions (onnx/docs/Operators.md, torch/onnx/symbolic_opset9.py):
 *   W (D, G·H, I), R (D, G·H, H), B (D, 2·G·H) = [Wb; Rb]    ↔  weight_ih, weight_hh, bias_ih, bias_hh
 *   gate blocks: LSTM i,o,f,c ↔ PyTorch i,f,g,o;   GRU z,r,h ↔ PyTorch r,z,n
 *   GRU linear_before_reset = 1 is PyTorch's formula n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)).
 *   layout 0: X (T,B,I), Y (T,D,B,H), Y_h (D,B,H);  layout 1: X (B,T,I), Y (B,T,D,H), Y_h (B,D,H).
 *   direction "reverse" alone runs each sequence from its own last step (sequence_lens) to 0.
 * Nodes with other activations (HardSigmoid, Softsign, ... as Keras/TF exports have) or GRU
 * linear_before_reset = 0 run in the Keras-exact loop of io/tfjs/keras-rnn.ts instead; clip,
 * input_forget, peepholes and activations without a Keras equivalent are refused by name.
 */
import { GATE_COUNT, makeRecurrent, type RecurrentBase, type RecurrentMode } from '../../nn/recurrent.js';
import { Tensor, allocArray } from '../../tensor/tensor.js';
import { DataType } from './schema.js';
import { kerasRecurrentForward } from '../tfjs/keras-rnn.js';
import { Attrs, OpError, transpose, type OpFn } from './ops.js';
import { chargeRecurrent } from './budget.js';
import type { Value } from './tensor-proto.js';

/** PyTorch gate block k is ONNX gate block ONNX_OF_TORCH[mode][k]. */
export const ONNX_OF_TORCH: Record<RecurrentMode, number[]> = { lstm: [0, 2, 3, 1], gru: [1, 0, 2], rnn: [0] };
/** ONNX gate block j is PyTorch gate block TORCH_OF_ONNX[mode][j]. */
export const TORCH_OF_ONNX: Record<RecurrentMode, number[]> = { lstm: [0, 3, 1, 2], gru: [1, 0, 2], rnn: [0] };

/**
 * dst block k ← src block perm[k], for a (G·H, cols) matrix (or a (G·H) vector with cols = 1)
 * starting at src[sOff]. dst is fresh, (G·H·cols).
 */
export function reorderGates(src: ArrayLike<number>, sOff: number, G: number, H: number, cols: number, perm: number[]): Float64Array {
  const block = H * cols;
  const dst = new Float64Array(G * block);
  for (let k = 0; k < G; k++) for (let i = 0; i < block; i++) dst[k * block + i] = src[sOff + perm[k]! * block + i]!;
  return dst;
}

const DEFAULT_ACTS: Record<RecurrentMode, string[]> = { lstm: ['Sigmoid', 'Tanh', 'Tanh'], gru: ['Sigmoid', 'Tanh'], rnn: ['Tanh'] };
/** Parameters an ONNX activation consumes from activation_alpha / activation_beta, with defaults. */
const ACT_PARAMS: Record<string, { alpha?: number; beta?: number }> = {
  sigmoid: {}, tanh: {}, relu: {}, softsign: {}, softplus: {}, hardsigmoid: { alpha: 0.2, beta: 0.5 }, elu: { alpha: 1 },
  leakyrelu: { alpha: 0.01 }, thresholdedrelu: { alpha: 1 }, affine: { alpha: 1, beta: 0 }, scaledtanh: { alpha: 1, beta: 1 },
};
/** ONNX activation (with its parameters) → Keras activation name, where Keras has the same function. */
function kerasActivation(name: string, alpha: number | undefined, beta: number | undefined): string | null {
  switch (name) {
    case 'sigmoid': case 'tanh': case 'relu': case 'softsign': case 'softplus': return name;
    case 'hardsigmoid': return Math.abs(alpha! - 0.2) < 1e-7 && Math.abs(beta! - 0.5) < 1e-7 ? 'hard_sigmoid' : null;
    case 'elu': return alpha === 1 ? 'elu' : null;
    case 'affine': return alpha === 1 && beta === 0 ? 'linear' : null;
    default: return null;
  }
}

/**
 * The activations of each direction as Keras names [gate activation, activation]: ONNX
 * lists f, g (, h) per direction; LSTM needs g = h. Throws naming what is not supported.
 */
function directionActivations(mode: RecurrentMode, D: number, a: Attrs): Array<[string, string]> {
  const per = DEFAULT_ACTS[mode].length;
  const given = a.strings('activations');
  const names = given && given.length > 0 ? given : Array.from({ length: D }, () => DEFAULT_ACTS[mode]).flat();
  if (names.length !== per * D) throw new OpError(`activations must list ${per * D} functions (${per} per direction), got ${names.length}`);
  const alphas = a.floats('activation_alpha') ?? [], betas = a.floats('activation_beta') ?? [];
  let ia = 0, ib = 0;
  const keras = names.map((raw) => {
    const n = raw.toLowerCase();
    const p = ACT_PARAMS[n];
    if (!p) throw new OpError(`activation ${raw} is not an ONNX RNN activation`);
    const alpha = p.alpha === undefined ? undefined : alphas[ia++] ?? p.alpha;
    const beta = p.beta === undefined ? undefined : betas[ib++] ?? p.beta;
    const k = kerasActivation(n, alpha, beta);
    if (!k) throw new OpError(`activation ${raw}${alpha !== undefined ? `(alpha=${alpha}${beta !== undefined ? `, beta=${beta}` : ''})` : ''} is not supported (supported: Sigmoid, Tanh, Relu, Softsign, Softplus, HardSigmoid(0.2, 0.5), Elu(1), Affine(1, 0))`);
    return k;
  });
  return Array.from({ length: D }, (_, d) => {
    const m = keras.slice(d * per, (d + 1) * per);
    if (mode === 'lstm' && m[1] !== m[2]) throw new OpError(`LSTM activations g = ${names[d * per + 1]} and h = ${names[d * per + 2]} differ, which is not supported`);
    return mode === 'rnn' ? ['sigmoid', m[0]!] : [m[0]!, m[1]!];
  });
}

/**
 * The Keras-exact loop (io/tfjs/keras-rnn.ts) for ONNX nodes the core layers cannot run:
 * weights to Keras layout (kernel (I,G·H), gates i,f,c,o / z,r,h, one bias Wb + Rb, or [Wb; Rb]
 * for linear_before_reset = 1), sequence_lens as a mask, each direction on its own.
 */
function kerasLoop(mode: RecurrentMode, v: { X: Value; W: Value; R: Value; Bv: Value | undefined; h0In: Value | undefined; c0In: Value | undefined },
  o: { T: number; B: number; I: number; H: number; D: number; layout: number; lengths: number[] | undefined; reverseOnly: boolean; lbr: boolean; dirActs: Array<[string, string]> }): Value[] {
  const { T, B, I, H, D, layout, lengths } = o;
  const G = GATE_COUNT[mode], GH = G * H;
  const perm = mode === 'gru' ? [0, 1, 2] : ONNX_OF_TORCH[mode]; // Keras block k ← ONNX block perm[k]
  const x = layout === 0 ? transpose(v.X, [1, 0, 2]).data : v.X.data; // (B,T,I)
  const state = (s: Value | undefined): ArrayLike<number> | undefined => (s ? (layout === 0 ? s : transpose(s, [1, 0, 2])).data : undefined); // (D,B,H)
  const h0 = state(v.h0In), c0 = state(v.c0In);
  let mask: Uint8Array | null = null;
  if (lengths) {
    mask = new Uint8Array(B * T);
    for (let b = 0; b < B; b++) mask.fill(1, b * T, b * T + lengths[b]!);
  }
  const Y = new Float32Array(T * D * B * H), Yh = new Float32Array(D * B * H), Yc = new Float32Array(D * B * H);
  for (let d = 0; d < D; d++) {
    const kernel = new Float32Array(I * GH), recurrent = new Float32Array(H * GH);
    const w = v.W.data, r = v.R.data, bias = v.Bv?.data;
    for (let k = 0; k < G; k++) for (let j = 0; j < H; j++) {
      const row = d * GH + perm[k]! * H + j, col = k * H + j;
      for (let i = 0; i < I; i++) kernel[i * GH + col] = w[row * I + i]!;
      for (let i = 0; i < H; i++) recurrent[i * GH + col] = r[row * H + i]!;
    }
    let b: Float32Array | null = null;
    if (bias) {
      const split = mode === 'gru' && o.lbr;
      b = new Float32Array(split ? 2 * GH : GH);
      for (let k = 0; k < G; k++) for (let j = 0; j < H; j++) {
        const wb = bias[d * 2 * GH + perm[k]! * H + j]!, rb = bias[d * 2 * GH + GH + perm[k]! * H + j]!;
        if (split) {
          b[k * H + j] = wb;
          b[GH + k * H + j] = rb;
        } else b[k * H + j] = wb + rb;
      }
    }
    const back = o.reverseOnly || d === 1;
    const spec = { kind: mode, units: H, recurrentActivation: o.dirActs[d]![0], activation: o.dirActs[d]![1], resetAfter: o.lbr, goBackwards: back };
    const res = kerasRecurrentForward(spec, { kernel, recurrent, bias: b }, x, B, T, I, mask, {
      ...(h0 ? { h0: Array.from({ length: B * H }, (_, i) => h0[d * B * H + i]!) } : {}),
      ...(c0 ? { c0: Array.from({ length: B * H }, (_, i) => c0[d * B * H + i]!) } : {}),
    });
    // Outputs in ONNX's time order; zero past each sequence's length.
    for (let bb = 0; bb < B; bb++) {
      const L = lengths ? lengths[bb]! : T;
      for (let t = 0; t < L; t++) {
        const s = back ? T - 1 - t : t;
        Y.set(res.seq.subarray((bb * T + s) * H, (bb * T + s + 1) * H), ((t * D + d) * B + bb) * H);
      }
    }
    Yh.set(res.last, d * B * H);
    Yc.set(res.lastC, d * B * H);
  }
  const fin = (data: Float32Array): Value => {
    const val: Value = { dtype: DataType.FLOAT, shape: [D, B, H], data };
    return layout === 0 ? val : transpose(val, [1, 0, 2]);
  };
  const y: Value = { dtype: DataType.FLOAT, shape: [T, D, B, H], data: Y };
  const outs = [layout === 0 ? y : transpose(y, [2, 0, 1, 3]), fin(Yh)];
  if (mode === 'lstm') outs.push(fin(Yc));
  return outs;
}

function make(mode: RecurrentMode, I: number, H: number, D: number, act: 'tanh' | 'relu', dtype: 'float32' | 'float64', backend?: string): RecurrentBase {
  const opts = { inputSize: I, hiddenSize: H, bidirectional: D === 2, dtype, ...(backend ? { backend } : {}) };
  return makeRecurrent(mode, { ...opts, nonlinearity: act }).eval();
}

/** The ONNX operator for `mode`, computing on `backend` (default: the current backend). */
export function recurrentOp(mode: RecurrentMode, backend?: string): OpFn {
  const G = GATE_COUNT[mode];
  // Layers built from constant weights are kept for the next run.
  const cache = new WeakMap<Value, { R: Value; B: Value | undefined; key: string; layer: RecurrentBase }>();
  return (ins, a) => {
    const [X, W, R, Bv, seqLens, h0In] = ins;
    const c0In = mode === 'lstm' ? ins[6] : undefined;
    const P = mode === 'lstm' ? ins[7] : undefined;
    if (!X || !W || !R) throw new OpError('inputs X, W and R are required');
    const direction = a.string('direction') ?? 'forward';
    if (!['forward', 'reverse', 'bidirectional'].includes(direction)) throw new OpError(`unknown direction "${direction}"`);
    const D = direction === 'bidirectional' ? 2 : 1;
    const layout = a.int('layout', 0);
    if (layout !== 0 && layout !== 1) throw new OpError(`layout must be 0 or 1, got ${layout}`);
    if (X.shape.length !== 3) throw new OpError(`X must be 3-D, got [${X.shape.join(', ')}]`);
    const [T, B, I] = layout === 0 ? X.shape as [number, number, number] : [X.shape[1]!, X.shape[0]!, X.shape[2]!];
    if (W.shape.length !== 3 || W.shape[0] !== D || W.shape[1]! % G !== 0 || W.shape[2] !== I) {
      throw new OpError(`W must be [${D}, ${G}·hidden_size, ${I}], got [${W.shape.join(', ')}]`);
    }
    const H = W.shape[1]! / G;
    if (a.has('hidden_size') && a.int('hidden_size', 0) !== H) throw new OpError(`hidden_size ${a.int('hidden_size', 0)} does not match W (${H})`);
    const expect = (v: Value | undefined, shape: number[], what: string): void => {
      if (v && (v.shape.length !== shape.length || v.shape.some((d, i) => d !== shape[i]))) {
        throw new OpError(`${what} must be [${shape.join(', ')}], got [${v.shape.join(', ')}]`);
      }
    };
    expect(R, [D, G * H, H], 'R');
    expect(Bv, [D, 2 * G * H], 'B');
    const stateShape = layout === 0 ? [D, B, H] : [B, D, H];
    expect(h0In, stateShape, 'initial_h');
    expect(c0In, stateShape, 'initial_c');
    expect(seqLens, [B], 'sequence_lens');
    if (T < 1 || B < 1) throw new OpError('X must have at least one time step and one batch item');

    if (a.has('clip')) throw new OpError('the clip attribute (cell clipping) is not supported');
    if (mode === 'lstm' && a.int('input_forget', 0) !== 0) throw new OpError('input_forget = 1 (coupled input-forget gate) is not supported');
    if (P && P.data.some((v) => v !== 0)) throw new OpError('peephole weights P are not supported');
    const lbr = a.int('linear_before_reset', 0) === 1;

    // Activations per direction, as Keras names: [recurrent (gate) activation, activation].
    const dirActs = directionActivations(mode, D, a);
    let lengths: number[] | undefined;
    if (seqLens) {
      lengths = Array.from(seqLens.data);
      lengths.forEach((L, b) => {
        if (!Number.isInteger(L) || L < 1 || L > T) throw new OpError(`sequence_lens[${b}] = ${L} must be in 1..${T}`);
      });
    }
    // The core layers compute σ/tanh (RNN: tanh or relu) and PyTorch's GRU (linear_before_reset = 1);
    // anything else runs in the Keras-exact loop, which has the other activations and GRU formula.
    const coreAct = dirActs[0]![1] as 'tanh' | 'relu';
    const onCore = (mode !== 'gru' || lbr) && dirActs.every(([ra, ac]) => (mode === 'rnn' ? ac === coreAct && (ac === 'tanh' || ac === 'relu') : ra === 'sigmoid' && ac === 'tanh'));
    // The run's work and memory budget, before anything is computed (budget.ts).
    chargeRecurrent(mode.toUpperCase(), { T, B, I, H, D, G, bytesPerValue: X.dtype === DataType.DOUBLE ? 8 : 4 }, onCore);
    if (!onCore) return kerasLoop(mode, { X, W, R, Bv, h0In, c0In }, { T, B, I, H, D, layout, lengths, reverseOnly: direction === 'reverse', lbr, dirActs });
    const act = coreAct;

    // Build (or reuse) a layer holding the weights in PyTorch order.
    const dtype = X.dtype === DataType.DOUBLE ? 'float64' : 'float32';
    const key = `${dtype}|${act}`;
    let hit = cache.get(W);
    if (!hit || hit.R !== R || hit.B !== Bv || hit.key !== key) {
      const layer = make(mode, I, H, D, act, dtype, backend);
      const sd = layer.stateDict();
      const perm = ONNX_OF_TORCH[mode];
      for (let d = 0; d < D; d++) {
        const sfx = `_l0${d === 1 ? '_reverse' : ''}`;
        sd[`weight_ih${sfx}`]!.data.set(reorderGates(W.data, d * G * H * I, G, H, I, perm));
        sd[`weight_hh${sfx}`]!.data.set(reorderGates(R.data, d * G * H * H, G, H, H, perm));
        if (Bv) {
          sd[`bias_ih${sfx}`]!.data.set(reorderGates(Bv.data, d * 2 * G * H, G, H, 1, perm));
          sd[`bias_hh${sfx}`]!.data.set(reorderGates(Bv.data, d * 2 * G * H + G * H, G, H, 1, perm));
        } else {
          sd[`bias_ih${sfx}`]!.data.fill(0);
          sd[`bias_hh${sfx}`]!.data.fill(0);
        }
      }
      hit = { R, B: Bv, key, layer };
      cache.set(W, hit);
    }
    const layer = hit.layer;

    // Inputs, time-major. "reverse" alone: flip each sequence within its own length.
    const lenOf = (b: number): number => lengths?.[b] ?? T;
    const rev = direction === 'reverse';
    const xt = Tensor.zeros([T, B, I], dtype);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
      const L = lenOf(b);
      const ts = rev && t < L ? L - 1 - t : t;
      const src = layout === 0 ? (ts * B + b) * I : (b * T + ts) * I;
      xt.data.set(X.data.subarray(src, src + I), (t * B + b) * I);
    }
    const state = (v: Value | undefined): Tensor | undefined => {
      if (!v) return undefined;
      const dbh = layout === 0 ? v : transpose(v, [1, 0, 2]);
      return new Tensor(dtype === 'float64' ? Float64Array.from(dbh.data) : Float32Array.from(dbh.data), [D, B, H]);
    };
    const res = layer.forward(xt, {
      ...(h0In ? { h0: state(h0In)! } : {}),
      ...(c0In ? { c0: state(c0In)! } : {}),
      ...(lengths && lengths.some((L) => L !== T) ? { lengths } : {}),
    });
    // output (T,B,D·H) = (T,B,D,H); un-flip a reverse-only run.
    let y: Value = { dtype: X.dtype, shape: [T, B, D, H], data: res.output.data };
    if (rev) {
      const f = allocArray(T * B * H, dtype);
      for (let b = 0; b < B; b++) {
        const L = lenOf(b);
        for (let t = 0; t < L; t++) {
          const s = ((L - 1 - t) * B + b) * H, d0 = (t * B + b) * H;
          f.set(res.output.data.subarray(s, s + H), d0);
        }
      }
      y = { dtype: X.dtype, shape: [T, B, 1, H], data: f };
    }
    const Y = transpose(y, layout === 0 ? [0, 2, 1, 3] : [1, 0, 2, 3]);
    const fin = (t: Tensor): Value => {
      const v: Value = { dtype: X.dtype, shape: [D, B, H], data: t.data };
      return layout === 0 ? v : transpose(v, [1, 0, 2]);
    };
    const outs: Value[] = [Y, fin(res.h)];
    if (mode === 'lstm') outs.push(fin(res.c!));
    return outs;
  };
}
