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
 */
import { GRU, LSTM, RNN, type RecurrentBase, type RecurrentMode } from '../../nn/recurrent.js';
import { Tensor } from '../../tensor/tensor.js';
import { DataType } from './schema.js';
import { Attrs, OpError, transpose, type OpFn } from './ops.js';
import type { Value } from './tensor-proto.js';

/** Gates per mode. */
export const GATE_COUNT: Record<RecurrentMode, number> = { lstm: 4, gru: 3, rnn: 1 };
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

const DEFAULT_ACTS: Record<RecurrentMode, string[]> = { lstm: ['sigmoid', 'tanh', 'tanh'], gru: ['sigmoid', 'tanh'], rnn: ['tanh'] };

function make(mode: RecurrentMode, I: number, H: number, D: number, act: 'tanh' | 'relu', dtype: 'float32' | 'float64', backend?: string): RecurrentBase {
  const opts = { inputSize: I, hiddenSize: H, bidirectional: D === 2, dtype, ...(backend ? { backend } : {}) };
  const layer = mode === 'lstm' ? new LSTM(opts) : mode === 'gru' ? new GRU(opts) : new RNN({ ...opts, nonlinearity: act });
  return layer.eval();
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

    // Only the activations PyTorch uses are supported (the layers compute σ and tanh, or relu for RNN).
    const acts = (a.strings('activations') ?? []).map((s) => s.toLowerCase());
    let act: 'tanh' | 'relu' = 'tanh';
    if (acts.length > 0) {
      const per = DEFAULT_ACTS[mode].length;
      for (let d = 0; d < D; d++) {
        const mine = acts.slice(d * per, (d + 1) * per);
        const ok = mode === 'rnn' ? mine.length === 1 && (mine[0] === 'tanh' || mine[0] === 'relu') : mine.join() === DEFAULT_ACTS[mode].join();
        if (!ok || (mode === 'rnn' && d > 0 && mine[0] !== acts[0])) {
          throw new OpError(`activations [${acts.join(', ')}] are not supported; supported: ${mode === 'rnn' ? '[Tanh] or [Relu]' : `[${DEFAULT_ACTS[mode].join(', ')}] (the defaults)`}`);
        }
      }
      if (mode === 'rnn') act = acts[0] as 'tanh' | 'relu';
    }
    if (a.has('clip')) throw new OpError('the clip attribute (cell clipping) is not supported');
    if (mode === 'lstm' && a.int('input_forget', 0) !== 0) throw new OpError('input_forget = 1 (coupled input-forget gate) is not supported');
    if (mode === 'gru' && a.int('linear_before_reset', 0) !== 1) {
      throw new OpError('linear_before_reset = 0 (the original GRU formula) is not supported; PyTorch-style GRUs use linear_before_reset = 1');
    }
    if (P && P.data.some((v) => v !== 0)) throw new OpError('peephole weights P are not supported');

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
    let lengths: number[] | undefined;
    if (seqLens) {
      lengths = Array.from(seqLens.data);
      lengths.forEach((L, b) => {
        if (!Number.isInteger(L) || L < 1 || L > T) throw new OpError(`sequence_lens[${b}] = ${L} must be in 1..${T}`);
      });
    }
    const lenOf = (b: number): number => lengths?.[b] ?? T;
    const rev = direction === 'reverse';
    const xt = new Tensor(dtype === 'float64' ? new Float64Array(T * B * I) : new Float32Array(T * B * I), [T, B, I]);
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
      const f = dtype === 'float64' ? new Float64Array(T * B * H) : new Float32Array(T * B * H);
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
