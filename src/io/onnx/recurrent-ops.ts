/**
 * The ONNX LSTM, GRU and RNN operators, with every attribute and input of the specification
 * (onnx/docs/Operators.md). A node runs on this project's own layers (src/nn/recurrent.ts),
 * with the same kernels as a native model, when they compute its function: LSTM with σ/tanh/tanh,
 * no clip and no input_forget (peepholes P: a peephole LSTM, unless P is all zero); GRU with
 * σ/tanh and linear_before_reset = 1 (PyTorch's GRU); RNN with Tanh or Relu; no clip. Every
 * other node (other activations with activation_alpha/beta, clip, input_forget,
 * linear_before_reset = 0, a different function per direction) runs in the exact loop of
 * io/tfjs/keras-rnn.ts, which has all of them; nothing is approximated.
 *
 * ONNX vs PyTorch conventions (onnx/docs/Operators.md, torch/onnx/symbolic_opset9.py):
 *   W (D, G·H, I), R (D, G·H, H), B (D, 2·G·H) = [Wb; Rb], P (D, 3·H) = [P_i; P_o; P_f]
 *     ↔  weight_ih, weight_hh, bias_ih, bias_hh
 *   gate blocks: LSTM i,o,f,c ↔ PyTorch i,f,g,o;   GRU z,r,h ↔ PyTorch r,z,n   (io/gate-order.ts)
 *   GRU linear_before_reset = 1 is PyTorch's formula n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)).
 *   layout 0: X (T,B,I), Y (T,D,B,H), Y_h (D,B,H);  layout 1: X (B,T,I), Y (B,T,D,H), Y_h (B,D,H).
 *   direction "reverse" alone runs each sequence from its own last step (sequence_lens) to 0.
 * activation_alpha / activation_beta are consumed in the order of the activations, each value
 * by the next activation that takes one (as onnxruntime reads them).
 */
import { GATE_COUNT, makeRecurrent, type RecurrentBase, type RecurrentMode } from '../../nn/recurrent.js';
import { Tensor, allocArray } from '../../tensor/tensor.js';
import { DataType } from './schema.js';
import { exactRecurrentForward, type Activation, type ExactCell } from '../tfjs/keras-rnn.js';
import { Attrs, OpError, transpose, type OpFn } from './ops.js';
import { chargeRecurrent } from './budget.js';
import type { Value } from './tensor-proto.js';
import { gatePermutation, peepholePermutation, reorderGates } from '../gate-order.js';

const OP_NAME: Record<RecurrentMode, string> = { lstm: 'LSTM', gru: 'GRU', rnn: 'RNN' };
const DEFAULT_ACTS: Record<RecurrentMode, string[]> = { lstm: ['Sigmoid', 'Tanh', 'Tanh'], gru: ['Sigmoid', 'Tanh'], rnn: ['Tanh'] };
/** The attributes each operator has (opsets 7–22). */
const ATTRIBUTES: Record<RecurrentMode, readonly string[]> = {
  lstm: ['activation_alpha', 'activation_beta', 'activations', 'clip', 'direction', 'hidden_size', 'input_forget', 'layout'],
  gru: ['activation_alpha', 'activation_beta', 'activations', 'clip', 'direction', 'hidden_size', 'layout', 'linear_before_reset'],
  rnn: ['activation_alpha', 'activation_beta', 'activations', 'clip', 'direction', 'hidden_size', 'layout'],
};

/**
 * The activations of ONNX's recurrent operators. alpha/beta: the default when activation_alpha
 * / activation_beta run out (null: none that ONNX and onnxruntime agree on, so the value must be
 * given), or undefined when the function takes none.
 */
const ONNX_ACTIVATIONS: Record<string, { name: string; alpha?: number | null; beta?: number | null; fn: (a: number, b: number) => Activation }> = {
  relu: { name: 'Relu', fn: () => (x) => (x > 0 ? x : 0) },
  tanh: { name: 'Tanh', fn: () => Math.tanh },
  sigmoid: { name: 'Sigmoid', fn: () => (x) => 1 / (1 + Math.exp(-x)) },
  affine: { name: 'Affine', alpha: null, beta: null, fn: (a, b) => (x) => a * x + b },
  leakyrelu: { name: 'LeakyRelu', alpha: 0.01, fn: (a) => (x) => (x >= 0 ? x : a * x) },
  // x > alpha, as the ThresholdedRelu operator and onnxruntime have it (the RNN page writes ≥).
  thresholdedrelu: { name: 'ThresholdedRelu', alpha: null, fn: (a) => (x) => (x > a ? x : 0) },
  scaledtanh: { name: 'ScaledTanh', alpha: null, beta: null, fn: (a, b) => (x) => a * Math.tanh(b * x) },
  hardsigmoid: { name: 'HardSigmoid', alpha: 0.2, beta: 0.5, fn: (a, b) => (x) => Math.min(Math.max(a * x + b, 0), 1) },
  elu: { name: 'Elu', alpha: 1, fn: (a) => (x) => (x >= 0 ? x : a * (Math.exp(x) - 1)) },
  softsign: { name: 'Softsign', fn: () => (x) => x / (1 + Math.abs(x)) },
  // log(1 + eˣ), written so that it does not overflow for large x.
  softplus: { name: 'Softplus', fn: () => (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))) },
};

/** One activation of a node: its lower-case name and the function. */
interface NodeActivation { key: string; fn: Activation }

/**
 * The node's activations, per direction: LSTM [f, g, h], GRU [f, g], RNN [f]. Throws naming
 * an unknown function, a parameter that must be given, or alpha/beta values left unused.
 */
function nodeActivations(mode: RecurrentMode, D: number, a: Attrs): NodeActivation[][] {
  const per = DEFAULT_ACTS[mode].length;
  const given = a.strings('activations');
  const names = given && given.length > 0 ? given : Array.from({ length: D }, () => DEFAULT_ACTS[mode]).flat();
  if (names.length !== per * D) throw new OpError(`activations must list ${per * D} functions (${per} per direction), got ${names.length}`);
  const alphas = a.floats('activation_alpha') ?? [], betas = a.floats('activation_beta') ?? [];
  for (const [what, list] of [['activation_alpha', alphas], ['activation_beta', betas]] as const) {
    const k = list.findIndex((v) => !Number.isFinite(v));
    if (k >= 0) throw new OpError(`${what}[${k}] = ${list[k]} is not a finite number`);
  }
  let ia = 0, ib = 0;
  const take = (list: number[], k: number, def: number | null | undefined, what: string, act: string): [number, number] => {
    if (def === undefined) return [0, k];
    if (k < list.length) return [list[k]!, k + 1];
    if (def === null) throw new OpError(`activation ${act} needs a value in ${what} (ONNX and onnxruntime give it different defaults)`);
    return [def, k];
  };
  const acts = names.map((raw) => {
    const spec = Object.hasOwn(ONNX_ACTIVATIONS, raw.toLowerCase()) ? ONNX_ACTIVATIONS[raw.toLowerCase()]! : null;
    if (!spec) throw new OpError(`activation ${raw} is not an ONNX RNN activation (${Object.values(ONNX_ACTIVATIONS).map((v) => v.name).join(', ')})`);
    let alpha: number, beta: number;
    [alpha, ia] = take(alphas, ia, spec.alpha, 'activation_alpha', spec.name);
    [beta, ib] = take(betas, ib, spec.beta, 'activation_beta', spec.name);
    return { key: raw.toLowerCase(), fn: spec.fn(alpha, beta) };
  });
  if (ia < alphas.length) throw new OpError(`activation_alpha has ${alphas.length} values but the activations (${names.join(', ')}) take ${ia}`);
  if (ib < betas.length) throw new OpError(`activation_beta has ${betas.length} values but the activations (${names.join(', ')}) take ${ib}`);
  return Array.from({ length: D }, (_, d) => acts.slice(d * per, (d + 1) * per));
}

/** A recurrent node's inputs and attributes, validated. */
interface RecurrentNode {
  mode: RecurrentMode;
  X: Value; W: Value; R: Value; Bv: Value | undefined; h0In: Value | undefined; c0In: Value | undefined; P: Value | undefined;
  T: number; B: number; I: number; H: number; D: number;
  layout: number;
  direction: 'forward' | 'reverse' | 'bidirectional';
  lengths: number[] | undefined;
  acts: NodeActivation[][];
  clip: number | null;
  inputForget: boolean;
  /** GRU linear_before_reset = 1. */
  lbr: boolean;
}

function parseNode(mode: RecurrentMode, ins: Array<Value | undefined>, a: Attrs): RecurrentNode {
  const G = GATE_COUNT[mode];
  const op = OP_NAME[mode];
  const [X, W, R, Bv, seqLens, h0In] = ins;
  const c0In = mode === 'lstm' ? ins[6] : undefined;
  const P = mode === 'lstm' ? ins[7] : undefined;
  if (ins.length > (mode === 'lstm' ? 8 : 6)) throw new OpError(`${op} has ${mode === 'lstm' ? 8 : 6} inputs, the node lists ${ins.length}`);
  for (const name of a.names()) {
    if (name === 'output_sequence') throw new OpError('the attribute output_sequence (opset 1) is not supported; Y is computed when the node names it');
    if (!ATTRIBUTES[mode].includes(name)) throw new OpError(`${name} is not an attribute of ONNX ${op} (${ATTRIBUTES[mode].join(', ')})`);
  }
  if (!X || !W || !R) throw new OpError('inputs X, W and R are required');
  const direction = a.string('direction') ?? 'forward';
  if (direction !== 'forward' && direction !== 'reverse' && direction !== 'bidirectional') throw new OpError(`unknown direction "${direction}" (forward, reverse, bidirectional)`);
  const D = direction === 'bidirectional' ? 2 : 1;
  const layout = a.int('layout', 0);
  if (layout !== 0 && layout !== 1) throw new OpError(`layout must be 0 or 1, got ${layout}`);
  if (X.shape.length !== 3) throw new OpError(`X must be 3-D, got [${X.shape.join(', ')}]`);
  const [T, B, I] = layout === 0 ? X.shape as [number, number, number] : [X.shape[1]!, X.shape[0]!, X.shape[2]!];
  if (W.shape.length !== 3 || W.shape[0] !== D || W.shape[1]! % G !== 0 || W.shape[2] !== I) {
    throw new OpError(`W must be [${D}, ${G}·hidden_size, ${I}], got [${W.shape.join(', ')}]`);
  }
  const H = W.shape[1]! / G;
  if (H < 1) throw new OpError('W must have at least one hidden unit');
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
  expect(P, [D, 3 * H], 'P (peepholes)');
  expect(seqLens, [B], 'sequence_lens');
  if (T < 1 || B < 1) throw new OpError('X must have at least one time step and one batch item');

  let clip: number | null = null;
  if (a.has('clip')) {
    clip = a.float('clip', 0);
    if (!(clip > 0)) throw new OpError(`clip must be a positive number, got ${clip}`);
  }
  const flag = (name: string): boolean => {
    const v = a.int(name, 0);
    if (v !== 0 && v !== 1) throw new OpError(`${name} must be 0 or 1, got ${v}`);
    return v === 1;
  };
  let lengths: number[] | undefined;
  if (seqLens) {
    lengths = Array.from(seqLens.data);
    lengths.forEach((L, b) => {
      if (!Number.isInteger(L) || L < 1 || L > T) throw new OpError(`sequence_lens[${b}] = ${L} must be in 1..${T} (empty sequences are not supported)`);
    });
  }
  return {
    mode, X, W, R, Bv, h0In, c0In, P, T, B, I, H, D, layout, direction, lengths,
    acts: nodeActivations(mode, D, a), clip, inputForget: mode === 'lstm' && flag('input_forget'), lbr: mode === 'gru' && flag('linear_before_reset'),
  };
}

/** Whether the core layers compute the node's function (see the file header). */
function onCore(n: RecurrentNode): boolean {
  if (n.clip !== null || n.inputForget) return false;
  const keys = n.acts.map((d) => d.map((x) => x.key).join(','));
  switch (n.mode) {
    case 'lstm': return keys.every((k) => k === 'sigmoid,tanh,tanh');
    case 'gru': return n.lbr && keys.every((k) => k === 'sigmoid,tanh');
    case 'rnn': return keys.every((k) => k === keys[0]) && (keys[0] === 'tanh' || keys[0] === 'relu');
  }
}

/**
 * The exact loop (io/tfjs/keras-rnn.ts) for nodes the core layers cannot run: weights to the
 * loop's layout (kernel (I,G·H), gates i,f,c,o / z,r,h, one bias Wb + Rb, or [Wb; Rb] for
 * linear_before_reset = 1), sequence_lens as a mask, each direction on its own.
 */
function exactLoop(n: RecurrentNode): Value[] {
  const { mode, T, B, I, H, D, layout, lengths } = n;
  const G = GATE_COUNT[mode], GH = G * H;
  const float64 = n.X.dtype === DataType.DOUBLE;
  const perm = gatePermutation(mode, 'onnx', 'keras'); // loop block k ← ONNX block perm[k]
  const x = layout === 0 ? transpose(n.X, [1, 0, 2]).data : n.X.data; // (B,T,I)
  const state = (s: Value | undefined): ArrayLike<number> | undefined => (s ? (layout === 0 ? s : transpose(s, [1, 0, 2])).data : undefined); // (D,B,H)
  const h0 = state(n.h0In), c0 = state(n.c0In);
  let mask: Uint8Array | null = null;
  if (lengths) {
    mask = new Uint8Array(B * T);
    for (let b = 0; b < B; b++) mask.fill(1, b * T, b * T + lengths[b]!);
  }
  const Out = float64 ? Float64Array : Float32Array;
  const Y = new Out(T * D * B * H), Yh = new Out(D * B * H), Yc = new Out(D * B * H);
  for (let d = 0; d < D; d++) {
    const kernel = new Float64Array(I * GH), recurrent = new Float64Array(H * GH);
    const w = n.W.data, r = n.R.data, bias = n.Bv?.data;
    for (let k = 0; k < G; k++) for (let j = 0; j < H; j++) {
      const row = d * GH + perm[k]! * H + j, col = k * H + j;
      for (let i = 0; i < I; i++) kernel[i * GH + col] = w[row * I + i]!;
      for (let i = 0; i < H; i++) recurrent[i * GH + col] = r[row * H + i]!;
    }
    let b: Float64Array | null = null;
    if (bias) {
      const split = mode === 'gru' && n.lbr;
      b = new Float64Array(split ? 2 * GH : GH);
      for (let k = 0; k < G; k++) for (let j = 0; j < H; j++) {
        const wb = bias[d * 2 * GH + perm[k]! * H + j]!, rb = bias[d * 2 * GH + GH + perm[k]! * H + j]!;
        if (split) {
          b[k * H + j] = wb;
          b[GH + k * H + j] = rb;
        } else b[k * H + j] = wb + rb;
      }
    }
    // Peepholes: ONNX P_i, P_o, P_f → the loop's p_i, p_f, p_o.
    const peephole = n.P ? reorderGates(n.P.data, d * 3 * H, 3, H, 1, peepholePermutation('onnx', 'torch')) : null;
    // LSTM [f, g, h], GRU [f, g], RNN [f] (its one activation is the candidate's).
    const acts = n.acts[d]!.map((v) => v.fn);
    const candidate = mode === 'rnn' ? acts[0]! : acts[1]!;
    const back = n.direction === 'reverse' || d === 1;
    const cell: ExactCell = {
      kind: mode, units: H, gate: acts[0]!, candidate, cellOutput: mode === 'lstm' ? acts[2]! : candidate,
      resetAfter: n.lbr, goBackwards: back, peephole, clip: n.clip, inputForget: n.inputForget, float64,
    };
    const res = exactRecurrentForward(cell, { kernel, recurrent, bias: b }, x, B, T, I, mask, {
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
  const dtype = float64 ? DataType.DOUBLE : DataType.FLOAT;
  const fin = (data: Float32Array | Float64Array): Value => {
    const val: Value = { dtype, shape: [D, B, H], data };
    return layout === 0 ? val : transpose(val, [1, 0, 2]);
  };
  const y: Value = { dtype, shape: [T, D, B, H], data: Y };
  const outs = [layout === 0 ? y : transpose(y, [2, 0, 1, 3]), fin(Yh)];
  if (mode === 'lstm') outs.push(fin(Yc));
  return outs;
}

function make(mode: RecurrentMode, I: number, H: number, D: number, act: 'tanh' | 'relu', peephole: boolean, dtype: 'float32' | 'float64', backend?: string): RecurrentBase {
  const opts = { inputSize: I, hiddenSize: H, bidirectional: D === 2, dtype, ...(peephole ? { peephole } : {}), ...(backend ? { backend } : {}) };
  return makeRecurrent(mode, { ...opts, nonlinearity: act }).eval();
}

/** The ONNX operator for `mode`, computing on `backend` (default: the current backend). */
export function recurrentOp(mode: RecurrentMode, backend?: string): OpFn {
  const G = GATE_COUNT[mode];
  // Layers built from constant weights are kept for the next run.
  const cache = new WeakMap<Value, { R: Value; B: Value | undefined; P: Value | undefined; key: string; layer: RecurrentBase }>();
  return (ins, a) => {
    const n = parseNode(mode, ins, a);
    const core = onCore(n);
    // The run's work and memory budget, before anything is computed (budget.ts).
    chargeRecurrent(mode.toUpperCase(), { T: n.T, B: n.B, I: n.I, H: n.H, D: n.D, G: GATE_COUNT[mode], bytesPerValue: n.X.dtype === DataType.DOUBLE ? 8 : 4 }, core);
    if (!core) return exactLoop(n);
    const { X, W, R, Bv, P, h0In, c0In, T, B, I, H, D, layout, lengths } = n;
    const act = n.acts[0]![0]!.key as 'tanh' | 'relu';
    // Non-zero peepholes make a peephole LSTM (all-zero ones a plain LSTM, which is faster).
    const peephole = P !== undefined && P.data.some((v) => v !== 0);

    // Build (or reuse) a layer holding the weights in PyTorch order.
    const dtype = X.dtype === DataType.DOUBLE ? 'float64' : 'float32';
    const key = `${dtype}|${act}|${peephole}`;
    let hit = cache.get(W);
    if (!hit || hit.R !== R || hit.B !== Bv || hit.P !== P || hit.key !== key) {
      const layer = make(mode, I, H, D, act, peephole, dtype, backend);
      const sd = layer.stateDict();
      const perm = gatePermutation(mode, 'onnx', 'torch'), pPerm = peepholePermutation('onnx', 'torch');
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
        if (peephole) sd[`weight_ph${sfx}`]!.data.set(reorderGates(P!.data, d * 3 * H, 3, H, 1, pPerm));
      }
      hit = { R, B: Bv, P, key, layer };
      cache.set(W, hit);
    }
    const layer = hit.layer;

    // Inputs, time-major. "reverse" alone: flip each sequence within its own length.
    const lenOf = (b: number): number => lengths?.[b] ?? T;
    const rev = n.direction === 'reverse';
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
