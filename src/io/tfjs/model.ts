/**
 * loadTfjsModel: a TF.js / Keras Sequential Layers model (model.json + weight shards) as a
 * model with `predict`, computing what TF.js computes.
 *
 * Keras conventions, mapped onto this project's layers wherever they are the same function:
 *   kernel (I, G·U) = weight_ihᵀ, recurrent_kernel (U, G·U) = weight_hhᵀ; ONE bias, put in
 *   bias_ih with bias_hh = 0 (GRU reset_after keeps two: bias[0] → bias_ih, bias[1] → bias_hh);
 *   gate order LSTM i,f,c,o = PyTorch i,f,g,o; GRU z,r,h → PyTorch r,z,n.
 *   Dense kernel (I, O) = weightᵀ; Embedding embeddings = weight.
 * A recurrent layer runs on the core LSTM/GRU/RNN when its math is the core's (activation tanh,
 * recurrent activation σ, GRU reset_after = true, SimpleRNN tanh/relu) and its mask, if any, is
 * trailing padding (mapped to lengths). Anything else (TF.js' default hard_sigmoid, TF.js' GRU
 * with reset_after = false, masks with gaps) runs in the Keras-exact loop of keras-rnn.ts; it is
 * never approximated by σ. Masking and Embedding(mask_zero) masks follow TF.js: a masked step
 * keeps the state and repeats the previous output. return_sequences, go_backwards and
 * Bidirectional (merge_mode concat, sum, mul, ave) are honoured.
 * `toSequential()` gives the equivalent native Sequential model when one exists (for saving,
 * training further or ONNX export) and otherwise says exactly why not.
 */
import { Dense, Dropout, Embedding, LastStep, type Activation } from '../../nn/layers.js';

import { GATE_COUNT, makeRecurrent, type RecurrentBase } from '../../nn/recurrent.js';
import { Sequential, type LayerEntry } from '../../nn/sequential.js';
import { Tensor, shapeStr, transpose2d } from '../../tensor/tensor.js';
import { FormatError } from '../errors.js';
import type { Limits } from '../limits.js';
import { reorderGates } from '../onnx/recurrent-ops.js';
import {
  isObject, own, readTfjsArtifacts, readTfjsFiles, type LoadedArtifacts, type TfjsArtifacts, type TfjsWeight,
} from './artifacts.js';
import {
  KERAS_ACTIVATIONS, activationName, kerasRecurrentForward, type KerasRecurrentKind, type KerasRecurrentSpec, type KerasRecurrentWeights,
} from './keras-rnn.js';

/** Keras layer classes loadTfjsModel understands. */
export const SUPPORTED_TFJS_LAYERS = ['InputLayer', 'Embedding', 'Masking', 'Dropout', 'Dense', 'Activation', 'LSTM', 'GRU', 'SimpleRNN', 'Bidirectional'] as const;

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

export interface Direction {
  spec: KerasRecurrentSpec;
  weights: KerasRecurrentWeights;
  /** The same layer as a core module (batch-first), when the math is the core's. */
  core: RecurrentBase | null;
}

/** Input features of a direction, from its kernel (I, G·U). */
export function directionInputSize(d: Direction): number {
  return d.weights.kernel.length / (GATE_COUNT[d.spec.kind] * d.spec.units);
}

export type Stage =
  | { kind: 'embedding'; name: string; layer: Embedding; maskZero: boolean }
  | { kind: 'masking'; name: string; value: number }
  | { kind: 'dropout'; name: string; rate: number }
  | { kind: 'activation'; name: string; activation: string }
  | { kind: 'dense'; name: string; layer: Dense; post: string | null }
  | { kind: 'recurrent'; name: string; dirs: Direction[]; returnSequences: boolean; merge: MergeMode };

/** Data between stages: batch-first (B,T,F) or (B,F), with the Keras mask (B,T) if any. */
interface Flow {
  data: Float32Array;
  shape: number[];
  mask: Uint8Array | null;
}

const CLASS_KIND: Record<string, KerasRecurrentKind> = { LSTM: 'lstm', GRU: 'gru', SimpleRNN: 'rnn' };
const CORE_DENSE: ReadonlySet<string> = new Set(['linear', 'relu', 'tanh', 'sigmoid']);

/** The core module for a Keras recurrent direction, or null when the math differs. */
function coreFor(spec: KerasRecurrentSpec, w: KerasRecurrentWeights, I: number, backend?: string): RecurrentBase | null {
  const { kind, units: U } = spec;
  if (kind === 'rnn' ? !['tanh', 'relu'].includes(spec.activation) : spec.activation !== 'tanh' || spec.recurrentActivation !== 'sigmoid') return null;
  if (kind === 'gru' && !spec.resetAfter) return null;
  const opts = { inputSize: I, hiddenSize: U, batchFirst: true, bias: w.bias !== null, ...(backend ? { backend } : {}) };
  const m = makeRecurrent(kind, { ...opts, nonlinearity: spec.activation as 'tanh' | 'relu' });
  loadDirection(m, '_l0', spec, w, I);
  return m.eval();
}

/** Copy Keras weights into direction `sfx` ('_l0' or '_l0_reverse') of a core module. */
function loadDirection(m: RecurrentBase, sfx: string, spec: KerasRecurrentSpec, w: KerasRecurrentWeights, I: number): void {
  const U = spec.units, G = GATE_COUNT[spec.kind], GU = G * U;
  // Keras GRU blocks z,r,h → PyTorch r,z,n; LSTM and RNN keep their order.
  const perm = spec.kind === 'gru' ? [1, 0, 2] : Array.from({ length: G }, (_, k) => k);
  const reorderRows = (src: ArrayLike<number>, cols: number): Float64Array => reorderGates(src, 0, G, U, cols, perm);
  const sd = m.stateDict();
  sd[`weight_ih${sfx}`]!.data.set(reorderRows(transpose2d(w.kernel, I, GU), I));
  sd[`weight_hh${sfx}`]!.data.set(reorderRows(transpose2d(w.recurrent, U, GU), U));
  if (w.bias) {
    sd[`bias_ih${sfx}`]!.data.set(reorderRows(w.bias.subarray(0, GU), 1));
    sd[`bias_hh${sfx}`]!.data.set(w.bias.length === 2 * GU ? reorderRows(w.bias.subarray(GU), 1) : new Float64Array(GU));
  }
}

/** Per row, the mask's length if it is trailing padding (1…1 0…0 with at least one 1), else null. */
function prefixLengths(mask: Uint8Array, B: number, T: number): number[] | null {
  const lens: number[] = [];
  for (let b = 0; b < B; b++) {
    let L = 0;
    while (L < T && mask[b * T + L]) L++;
    for (let t = L; t < T; t++) if (mask[b * T + t]) return null;
    if (L === 0) return null;
    lens.push(L);
  }
  return lens;
}

/** One direction on the core module, with Keras' output conventions (see kerasRecurrentForward). */
function coreDirection(d: Direction, x: Float32Array, B: number, T: number, I: number, lengths: number[] | null): { seq: Float32Array; last: Float32Array } {
  const U = d.spec.units, back = d.spec.goBackwards;
  const lenOf = (b: number): number => (lengths ? lengths[b]! : T);
  let input = x;
  if (back) {
    // go_backwards: the core runs each row reversed within its own length.
    input = new Float32Array(x.length);
    for (let b = 0; b < B; b++) for (let k = 0; k < lenOf(b); k++) {
      input.set(x.subarray((b * T + lenOf(b) - 1 - k) * I, (b * T + lenOf(b) - k) * I), (b * T + k) * I);
    }
  }
  const r = d.core!.forward(new Tensor(input, [B, T, I]), lengths ? { lengths } : {});
  const out = r.output.data;
  const seq = new Float32Array(B * T * U);
  for (let b = 0; b < B; b++) {
    const L = lenOf(b);
    for (let t = 0; t < T; t++) {
      // Forward: masked trailing steps repeat the last output. Backward: leading masked steps output h0 = 0.
      const src = back ? (t >= T - L ? t - (T - L) : -1) : Math.min(t, L - 1);
      if (src >= 0) seq.set(out.subarray((b * T + src) * U, (b * T + src + 1) * U), (b * T + t) * U);
    }
  }
  return { seq, last: Float32Array.from(r.h.data) };
}

function runDirection(d: Direction, x: Float32Array, B: number, T: number, I: number, mask: Uint8Array | null): { seq: Float32Array; last: Float32Array } {
  const lengths = mask ? prefixLengths(mask, B, T) : null;
  if (d.core && (!mask || lengths)) return coreDirection(d, x, B, T, I, lengths);
  return kerasRecurrentForward(d.spec, d.weights, x, B, T, I, mask);
}

function applyActivation(name: string, data: Float32Array, F: number): void {
  if (name === 'linear') return;
  if (name === 'softmax') {
    for (let o = 0; o < data.length; o += F) {
      let mx = -Infinity, s = 0;
      for (let j = 0; j < F; j++) mx = Math.max(mx, data[o + j]!);
      for (let j = 0; j < F; j++) s += Math.exp(data[o + j]! - mx);
      for (let j = 0; j < F; j++) data[o + j] = Math.exp(data[o + j]! - mx) / s;
    }
    return;
  }
  const f = KERAS_ACTIVATIONS[name]!;
  for (let i = 0; i < data.length; i++) data[i] = f(data[i]!);
}

/** A loaded TF.js Layers model. */
export class TfjsModel {
  /** 'ids' when the model starts with Embedding (input (B,T) token ids), else numeric input. */
  readonly inputKind: 'ids' | 'numeric';

  constructor(readonly name: string, /** The parsed layers, in order. */ readonly stages: readonly Stage[], private readonly backend?: string) {
    this.inputKind = stages[0]?.kind === 'embedding' ? 'ids' : 'numeric';
  }

  /** Number of weights (all layers). */
  get parameterCount(): number {
    let n = 0;
    for (const s of this.stages) {
      if (s.kind === 'embedding' || s.kind === 'dense') n += s.layer.numParameters();
      else if (s.kind === 'recurrent') for (const d of s.dirs) n += d.weights.kernel.length + d.weights.recurrent.length + (d.weights.bias?.length ?? 0);
    }
    return n;
  }

  /** One line per layer: name, class and the options that matter. */
  summary(): string {
    return this.stages.map((s) => {
      switch (s.kind) {
        case 'embedding': return `${s.name}: Embedding ${s.layer.numEmbeddings}×${s.layer.embeddingDim}${s.maskZero ? ' mask_zero' : ''}`;
        case 'masking': return `${s.name}: Masking value=${s.value}`;
        case 'dropout': return `${s.name}: Dropout ${s.rate} (inactive at inference)`;
        case 'activation': return `${s.name}: Activation ${s.activation}`;
        case 'dense': return `${s.name}: Dense ${s.layer.inputSize}→${s.layer.outputSize} ${s.post ?? s.layer.activation}`;
        case 'recurrent': {
          const d = s.dirs[0]!.spec;
          const path = s.dirs.every((x) => x.core) ? 'core kernels' : 'Keras-exact loop';
          return `${s.name}: ${s.dirs.length === 2 ? `Bidirectional(${s.merge}) ` : ''}${d.kind.toUpperCase()} units=${d.units} activation=${d.activation}` +
            `${d.kind !== 'rnn' ? ` recurrent_activation=${d.recurrentActivation}` : ''}${d.kind === 'gru' ? ` reset_after=${d.resetAfter}` : ''}` +
            ` return_sequences=${s.returnSequences}${d.goBackwards ? ' go_backwards' : ''} [${path}]`;
        }
      }
    }).join('\n');
  }

  /**
   * Predict. x is (B,T) token ids for an Embedding model, (B,T,F) sequences, or (B,F) rows for
   * a Dense-only model. Returns what TF.js' model.predict returns, as a float32 Tensor.
   */
  predict(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new TypeError('TfjsModel.predict: x must be a Tensor');
    let f: Flow = { data: Float32Array.from(x.data), shape: [...x.shape], mask: null };
    for (const s of this.stages) f = this.run(s, f);
    return new Tensor(f.data, f.shape);
  }

  private run(s: Stage, f: Flow): Flow {
    const where = `TfjsModel.predict: layer "${s.name}"`;
    switch (s.kind) {
      case 'embedding': {
        if (f.shape.length !== 2) throw new RangeError(`${where}: token ids must be (B,T), got ${shapeStr(f.shape)}`);
        const y = s.layer.forward(new Tensor(f.data, f.shape));
        return { data: y.data as Float32Array, shape: y.shape, mask: s.maskZero ? Uint8Array.from(f.data, (v) => (v !== 0 ? 1 : 0)) : f.mask };
      }
      case 'masking': {
        if (f.shape.length !== 3) throw new RangeError(`${where}: input must be (B,T,F), got ${shapeStr(f.shape)}`);
        const [B, T, F] = f.shape as [number, number, number];
        const mask = new Uint8Array(B * T), data = f.data.slice();
        for (let r = 0; r < B * T; r++) {
          for (let j = 0; j < F; j++) if (data[r * F + j] !== s.value) mask[r] = 1;
          if (!mask[r]) data.fill(0, r * F, (r + 1) * F);
        }
        return { data, shape: f.shape, mask };
      }
      case 'dropout': return f;
      case 'activation': {
        const data = f.data.slice();
        applyActivation(s.activation, data, f.shape[f.shape.length - 1]!);
        return { ...f, data };
      }
      case 'dense': {
        const y = s.layer.forward(new Tensor(f.data, f.shape));
        const data = y.data as Float32Array;
        if (s.post) applyActivation(s.post, data, s.layer.outputSize);
        return { data, shape: y.shape, mask: f.mask };
      }
      case 'recurrent': {
        if (f.shape.length !== 3) throw new RangeError(`${where}: input must be (B,T,F), got ${shapeStr(f.shape)}`);
        const [B, T, I] = f.shape as [number, number, number];
        const want = directionInputSize(s.dirs[0]!);
        if (I !== want) throw new RangeError(`${where}: expects ${want} features per step, got ${shapeStr(f.shape)}`);
        const outs = s.dirs.map((d) => runDirection(d, f.data, B, T, I, f.mask));
        const U = s.dirs[0]!.spec.units;
        if (outs.length === 1) {
          return s.returnSequences ? { data: outs[0]!.seq, shape: [B, T, U], mask: f.mask } : { data: outs[0]!.last, shape: [B, U], mask: null };
        }
        // Bidirectional: the backward layer's sequence is flipped back to input order, then merged.
        const [fw, bw] = outs as [{ seq: Float32Array; last: Float32Array }, { seq: Float32Array; last: Float32Array }];
        let a = fw.last, b = bw.last, rows = B;
        if (s.returnSequences) {
          a = fw.seq;
          b = new Float32Array(bw.seq.length);
          for (let r = 0; r < B; r++) for (let t = 0; t < T; t++) b.set(bw.seq.subarray((r * T + T - 1 - t) * U, (r * T + T - t) * U), (r * T + t) * U);
          rows = B * T;
        }
        const W = s.merge === 'concat' ? 2 * U : U;
        const out = new Float32Array(rows * W);
        for (let r = 0; r < rows; r++) for (let j = 0; j < U; j++) {
          const p = a[r * U + j]!, q = b[r * U + j]!;
          if (s.merge === 'concat') {
            out[r * W + j] = p;
            out[r * W + U + j] = q;
          } else out[r * W + j] = s.merge === 'sum' ? p + q : s.merge === 'mul' ? p * q : (p + q) / 2;
        }
        return s.returnSequences ? { data: out, shape: [B, T, W], mask: f.mask } : { data: out, shape: [B, W], mask: null };
      }
    }
  }

  /**
   * The same network as a native Sequential (weights copied), when one computes exactly the
   * same function; otherwise throws an Error listing every reason (masking, go_backwards,
   * hard_sigmoid, GRU reset_after = false, a Bidirectional layer without return_sequences or
   * with merge_mode other than concat, a Dense activation other than linear/relu/tanh/sigmoid).
   */
  toSequential(): Sequential {
    const reasons: string[] = [];
    const layers: LayerEntry[] = [];
    const be = this.backend ? { backend: this.backend } : {};
    for (const s of this.stages) {
      const name = s.name.replace(/\./g, '_');
      switch (s.kind) {
        case 'embedding': {
          if (s.maskZero) reasons.push(`${s.name}: mask_zero (masks have no native equivalent; pass lengths instead)`);
          const e = new Embedding({ numEmbeddings: s.layer.numEmbeddings, embeddingDim: s.layer.embeddingDim, ...be });
          e.loadStateDict(s.layer.stateDict());
          layers.push([name, e]);
          break;
        }
        case 'masking': reasons.push(`${s.name}: Masking (pass lengths to the native model instead)`); break;
        case 'dropout': layers.push([name, new Dropout({ p: s.rate, ...be })]); break;
        case 'activation': reasons.push(`${s.name}: an Activation layer has no native equivalent`); break;
        case 'dense': {
          if (s.post) reasons.push(`${s.name}: Dense activation ${s.post} (native Dense has linear, relu, tanh, sigmoid)`);
          const d = new Dense({ inputSize: s.layer.inputSize, outputSize: s.layer.outputSize, activation: s.layer.activation, bias: s.layer.hasBias, ...be });
          d.loadStateDict(s.layer.stateDict());
          layers.push([name, d]);
          break;
        }
        case 'recurrent': {
          const d0 = s.dirs[0]!;
          if (s.dirs.some((d) => !d.core)) reasons.push(`${s.name}: ${d0.spec.kind.toUpperCase()} with activation ${d0.spec.activation}, recurrent_activation ${d0.spec.recurrentActivation}${d0.spec.kind === 'gru' ? `, reset_after ${d0.spec.resetAfter}` : ''} (the core has tanh/σ${d0.spec.kind === 'gru' ? ' and reset_after = true' : ''})`);
          if (s.dirs.length === 1 && d0.spec.goBackwards) reasons.push(`${s.name}: go_backwards`);
          if (s.dirs.length === 2 && s.merge !== 'concat') reasons.push(`${s.name}: Bidirectional merge_mode ${s.merge} (native bidirectional layers concatenate)`);
          if (s.dirs.length === 2 && !s.returnSequences) reasons.push(`${s.name}: Bidirectional without return_sequences (Keras takes the backward output at step 0)`);
          if (reasons.length > 0) break;
          const I = directionInputSize(d0);
          const opts = { inputSize: I, hiddenSize: d0.spec.units, batchFirst: true, bidirectional: s.dirs.length === 2, bias: d0.weights.bias !== null, ...be };
          const m = makeRecurrent(d0.spec.kind, { ...opts, nonlinearity: d0.spec.activation as 'tanh' | 'relu' });
          s.dirs.forEach((d, i) => loadDirection(m, i === 0 ? '_l0' : '_l0_reverse', d.spec, d.weights, I));
          layers.push([name, m]);
          if (!s.returnSequences) layers.push([`${name}_last`, new LastStep(be)]);
          break;
        }
      }
    }
    if (reasons.length > 0) throw new Error(`TF.js model "${this.name}" has no exact native equivalent: ${reasons.join('; ')}`);
    const seq = new Sequential(layers, be);
    return seq.eval() as Sequential;
  }
}

export interface LoadTfjsOptions {
  /** Kernel backend for the layers. Default: the current backend. */
  backend?: string;
  /** Budgets (io/limits.ts): `fileBytes` for model.json and all its shards together. */
  limits?: Partial<Limits>;
}

/**
 * Load a TF.js Layers model: a path to model.json (weight shards next to it), or in-memory
 * artifacts `{ modelTopology, weightSpecs, weightData }` as TF.js' save handlers receive them.
 * Throws FormatError naming the file and the problem for malformed or unsupported models.
 */
export function loadTfjsModel(source: string | TfjsArtifacts, opts: LoadTfjsOptions = {}): TfjsModel {
  const art = typeof source === 'string' ? readTfjsFiles(source, opts.limits) : readTfjsArtifacts(source);
  return buildModel(art, opts.backend);
}

function buildModel(art: LoadedArtifacts, backend?: string): TfjsModel {
  const { topology, file } = art;
  const cls = own(topology, 'class_name');
  if (cls !== 'Sequential') throw new FormatError(file, `model class ${JSON.stringify(cls)} is not supported; only Sequential models are`);
  const cfg = own(topology, 'config');
  const list = Array.isArray(cfg) ? cfg : isObject(cfg) ? own(cfg, 'layers') : undefined;
  if (!Array.isArray(list) || list.length === 0) throw new FormatError(file, 'the Sequential model has no layers');
  const modelName = isObject(cfg) && typeof own(cfg, 'name') === 'string' ? (own(cfg, 'name') as string) : 'model';
  const weights = [...art.weights];
  let wi = 0;
  const be = backend ? { backend } : {};

  const take = (layer: string, suffix: string, shape: (number | null)[]): TfjsWeight => {
    const w = weights[wi];
    if (!w) throw new FormatError(file, `layer "${layer}" needs weight "${suffix}" but the manifest has no more weights`);
    if (!w.name.endsWith(`/${suffix}`) && w.name !== suffix) throw new FormatError(file, `layer "${layer}": expected weight "${suffix}", found "${w.name}"`);
    if (w.shape.length !== shape.length || shape.some((d, i) => d !== null && d !== w.shape[i])) {
      throw new FormatError(file, `weight "${w.name}" has shape ${shapeStr(w.shape)}, expected [${shape.map((d) => d ?? '?').join(', ')}]`);
    }
    wi++;
    return w;
  };

  let features: number | null = null; // features per step of the current flow, once known
  const stages: Stage[] = [];
  list.forEach((entry, k) => {
    if (!isObject(entry)) throw new FormatError(file, `layer ${k} is not an object`);
    const type = own(entry, 'class_name');
    const c = own(entry, 'config');
    if (typeof type !== 'string' || !isObject(c)) throw new FormatError(file, `layer ${k} needs class_name and config`);
    const name = typeof own(c, 'name') === 'string' ? (own(c, 'name') as string) : `layer_${k}`;
    const num = (key: string, fallback?: number): number => {
      const v = own(c, key) ?? fallback;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new FormatError(file, `layer "${name}": ${key} must be a number, got ${JSON.stringify(v)}`);
      return v;
    };
    const units = (key: string): number => {
      const v = num(key);
      if (!Number.isInteger(v) || v < 1 || v > 1 << 20) throw new FormatError(file, `layer "${name}": ${key} must be a positive integer, got ${v}`);
      return v;
    };
    const act = (key: string, fallback: string): string => {
      const a = activationName(own(c, key) ?? fallback);
      if (a !== 'softmax' && !(a in KERAS_ACTIVATIONS)) throw new FormatError(file, `layer "${name}": activation "${a}" is not supported (supported: ${[...Object.keys(KERAS_ACTIVATIONS), 'softmax'].join(', ')})`);
      return a;
    };
    const bool = (key: string, fallback: boolean): boolean => {
      const v = own(c, key);
      return v === undefined || v === null ? fallback : v === true;
    };
    switch (type) {
      case 'InputLayer': return;
      case 'Dropout': stages.push({ kind: 'dropout', name, rate: num('rate', 0) }); return;
      case 'Masking': stages.push({ kind: 'masking', name, value: num('mask_value', 0) }); return;
      case 'Activation': stages.push({ kind: 'activation', name, activation: act('activation', 'linear') }); return;
      case 'Embedding': {
        if (stages.length > 0) throw new FormatError(file, `layer "${name}": Embedding must be the first layer`);
        const V = units('input_dim'), E = units('output_dim');
        const w = take(name, 'embeddings', [V, E]);
        const layer = new Embedding({ numEmbeddings: V, embeddingDim: E, ...be });
        layer.stateDict().weight!.data.set(w.data);
        stages.push({ kind: 'embedding', name, layer, maskZero: bool('mask_zero', false) });
        features = E;
        return;
      }
      case 'Dense': {
        const O = units('units');
        const a = act('activation', 'linear');
        const useBias = bool('use_bias', true);
        const kw = take(name, 'kernel', [features, O]);
        const I = kw.shape[0]!;
        const b = useBias ? take(name, 'bias', [O]) : null;
        const layer = new Dense({ inputSize: I, outputSize: O, activation: CORE_DENSE.has(a) ? (a as Activation) : 'linear', bias: useBias, ...be });
        const sd = layer.stateDict();
        sd.weight!.data.set(transpose2d(kw.data, I, O));
        if (b) sd.bias!.data.set(b.data);
        stages.push({ kind: 'dense', name, layer, post: CORE_DENSE.has(a) ? null : a });
        features = O;
        return;
      }
      case 'LSTM': case 'GRU': case 'SimpleRNN': case 'Bidirectional': {
        let inner = c, innerType: string = type, merge: MergeMode = 'concat';
        if (type === 'Bidirectional') {
          const l = own(c, 'layer');
          if (!isObject(l) || typeof own(l, 'class_name') !== 'string' || !isObject(own(l, 'config'))) throw new FormatError(file, `layer "${name}": Bidirectional needs a wrapped layer`);
          innerType = own(l, 'class_name') as string;
          inner = own(l, 'config') as Record<string, unknown>;
          const m = own(c, 'merge_mode') ?? 'concat';
          if (!['concat', 'sum', 'mul', 'ave'].includes(m as string)) throw new FormatError(file, `layer "${name}": merge_mode ${JSON.stringify(m)} is not supported (concat, sum, mul, ave)`);
          merge = m as MergeMode;
        }
        const kind = Object.hasOwn(CLASS_KIND, innerType) ? CLASS_KIND[innerType]! : null;
        if (!kind) throw new FormatError(file, `layer "${name}": ${type === 'Bidirectional' ? `Bidirectional(${innerType})` : innerType} is not supported`);
        const ic = (key: string): unknown => own(inner, key);
        for (const flag of ['stateful', 'return_state']) {
          if (ic(flag) === true) throw new FormatError(file, `layer "${name}": ${flag} = true is not supported`);
        }
        const innerAct = (key: string, fallback: string): string => {
          const a = activationName(ic(key) ?? fallback);
          if (!(a in KERAS_ACTIVATIONS)) throw new FormatError(file, `layer "${name}": ${key} "${a}" is not supported (supported: ${Object.keys(KERAS_ACTIVATIONS).join(', ')})`);
          return a;
        };
        const U = ic('units');
        if (typeof U !== 'number' || !Number.isInteger(U) || U < 1 || U > 1 << 20) throw new FormatError(file, `layer "${name}": units must be a positive integer, got ${JSON.stringify(U)}`);
        const G = GATE_COUNT[kind], GU = G * U;
        const resetAfter = kind === 'gru' && ic('reset_after') === true;
        const useBias = ic('use_bias') !== false;
        const goBack = ic('go_backwards') === true;
        if (type === 'Bidirectional' && goBack) throw new FormatError(file, `layer "${name}": a Bidirectional layer wrapping a go_backwards layer is not supported`);
        const base: Omit<KerasRecurrentSpec, 'goBackwards'> = {
          kind, units: U, activation: innerAct('activation', 'tanh'),
          recurrentActivation: kind === 'rnn' ? 'sigmoid' : innerAct('recurrent_activation', 'hard_sigmoid'), resetAfter,
        };
        const dirs: Direction[] = [];
        for (let d = 0; d < (type === 'Bidirectional' ? 2 : 1); d++) {
          const kw = take(name, 'kernel', [features, GU]);
          const I = kw.shape[0]!;
          const rw = take(name, 'recurrent_kernel', [U, GU]);
          const bw = useBias ? take(name, 'bias', resetAfter ? [2, GU] : [GU]) : null;
          const spec: KerasRecurrentSpec = { ...base, goBackwards: d === 1 ? true : goBack };
          const weights: KerasRecurrentWeights = { kernel: kw.data, recurrent: rw.data, bias: bw ? bw.data : null };
          dirs.push({ spec, weights, core: coreFor(spec, weights, I, backend) });
        }
        stages.push({ kind: 'recurrent', name, dirs, returnSequences: ic('return_sequences') === true, merge });
        features = type === 'Bidirectional' && merge === 'concat' ? 2 * U : U;
        return;
      }
      default:
        throw new FormatError(file, `layer "${name}" of class ${type} is not supported (supported: ${SUPPORTED_TFJS_LAYERS.join(', ')})`);
    }
  });
  if (wi !== weights.length) throw new FormatError(file, `the manifest has ${weights.length - wi} weight(s) no layer uses (first: "${weights[wi]!.name}")`);
  if (stages.length === 0) throw new FormatError(file, 'the model has no layers to run');
  return new TfjsModel(modelName, stages, backend);
}

