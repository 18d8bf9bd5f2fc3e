/**
 * loadTfjsModel: a TF.js / Keras Layers model (model.json + weight shards) as a model with
 * `predict`, computing what TF.js computes. Sequential models and Functional models
 * (`class_name` "Functional" or "Model": a directed acyclic graph of layer calls, with several
 * inputs and outputs, merges and shared layers) load; every layer call is a node of the same
 * small graph interpreter.
 *
 * Keras conventions, mapped onto this project's layers wherever they are the same function:
 *   kernel (I, G·U) = weight_ihᵀ, recurrent_kernel (U, G·U) = weight_hhᵀ; ONE bias, put in
 *   bias_ih with bias_hh = 0 (GRU reset_after keeps two: bias[0] → bias_ih, bias[1] → bias_hh);
 *   gate order LSTM i,f,c,o = PyTorch i,f,g,o; GRU z,r,h → PyTorch r,z,n.
 *   Dense kernel (I, O) = weightᵀ (TimeDistributed(Dense) is the same Dense on every step);
 *   Embedding embeddings = weight.
 * A recurrent layer runs on the core LSTM/GRU/RNN when its math is the core's (activation tanh,
 * recurrent activation σ, GRU reset_after = true, SimpleRNN tanh/relu) and its mask, if any, is
 * trailing padding (mapped to lengths). Anything else (TF.js' default hard_sigmoid, TF.js' GRU
 * with reset_after = false, masks with gaps) runs in the exact loop of keras-rnn.ts; it is
 * never approximated by σ. Masking and Embedding(mask_zero) masks follow TF.js: a masked step
 * keeps the state and repeats the previous output; Dense, Dropout and Activation pass the mask
 * on, merges combine the masks (Concatenate on the time axis joins them, otherwise a step is
 * kept when every input keeps it), RepeatVector, Reshape and Flatten drop it. return_sequences,
 * return_state, initial states given as extra inputs of the call (`layer.apply(x,
 * { initialState })`), go_backwards and Bidirectional (merge_mode concat, sum, mul, ave) are
 * honoured. Stateful layers carry their final states into the next predict call, as Keras
 * does, until resetStates(). Lambda layers (whose code the file does not hold) and nested
 * models are refused by name.
 * `toSequential()` gives the equivalent native Sequential model when one exists (for saving,
 * training further or ONNX export) and otherwise says exactly why not.
 */
import { softmaxRows, isActivation } from '../../nn/activations.js';
import { Dense, Dropout, Embedding, LastStep } from '../../nn/layers.js';

import { GATE_COUNT, makeRecurrent, type RecurrentBase } from '../../nn/recurrent.js';
import { Sequential, type LayerEntry } from '../../nn/sequential.js';
import { Tensor, shapeStr, transpose2d } from '../../tensor/tensor.js';
import { FormatError } from '../errors.js';
import type { Limits } from '../limits.js';
import { gatePermutation, reorderGates } from '../gate-order.js';
import {
  isObject, own, readTfjsArtifacts, readTfjsFiles, type LoadedArtifacts, type TfjsArtifacts, type TfjsWeight,
} from './artifacts.js';
import {
  KERAS_ACTIVATIONS, activationName, kerasRecurrentForward, type KerasRecurrentKind, type KerasRecurrentSpec, type KerasRecurrentWeights,
} from './keras-rnn.js';

/** Keras layer classes loadTfjsModel understands. */
export const SUPPORTED_TFJS_LAYERS = [
  'InputLayer', 'Embedding', 'Masking', 'Dropout', 'Dense', 'Activation', 'LSTM', 'GRU', 'SimpleRNN', 'Bidirectional',
  'TimeDistributed(Dense)', 'Concatenate', 'Add', 'Multiply', 'Average', 'RepeatVector', 'Reshape', 'Flatten',
] as const;

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';
/** Keras merge layers: Concatenate (along `axis`), Add, Multiply, Average. */
export type MergeOp = 'concatenate' | 'add' | 'multiply' | 'average';

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
  | { kind: 'dense'; name: string; layer: Dense; post: string | null; timeDistributed: boolean }
  | { kind: 'recurrent'; name: string; dirs: Direction[]; returnSequences: boolean; returnState: boolean; merge: MergeMode; stateful: boolean }
  | { kind: 'merge'; name: string; op: MergeOp; axis: number }
  | { kind: 'repeatVector'; name: string; n: number }
  | { kind: 'reshape'; name: string; target: number[] }
  | { kind: 'flatten'; name: string };

/** One call of a layer: its stage (shared by every call of the layer), the tensors it reads and the names of those it writes. */
export interface GraphNode {
  stage: Stage;
  /** Tensor keys read (`layer:node:tensor`), in call order. */
  inputs: string[];
  /** `layer:node`; output i is `${id}:${i}`. */
  id: string;
}

/** A graph input: its layer name and the batch_input_shape it declares (null dims are free). */
export interface GraphInput { name: string; shape: Array<number | null> | null }

/** The model as a graph: inputs, layer calls in an order where each reads only what earlier ones wrote, outputs. */
export interface TfjsGraph {
  inputs: GraphInput[];
  nodes: GraphNode[];
  /** Tensor keys of the model's outputs, in order. */
  outputs: string[];
  /** True for a Sequential model (a chain). */
  sequential: boolean;
}

/** Data between stages: batch-first (B,T,F) or (B,F), with the Keras mask (B,T) if any. */
interface Flow {
  data: Float32Array;
  shape: number[];
  mask: Uint8Array | null;
}

const CLASS_KIND: Record<string, KerasRecurrentKind> = { LSTM: 'lstm', GRU: 'gru', SimpleRNN: 'rnn' };
const MERGE_OPS: Record<string, MergeOp> = { Concatenate: 'concatenate', Add: 'add', Multiply: 'multiply', Average: 'average' };

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
  const perm = gatePermutation(spec.kind, 'keras', 'torch');
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

/** A direction's outputs: seq (B,T,U) in processing order, the final h (B,U) and, for LSTM, c (B,U). */
interface DirectionOut { seq: Float32Array; last: Float32Array; lastC: Float32Array }
/** Initial states of one direction, (B,U) each. */
interface DirectionInit { h0?: Float32Array; c0?: Float32Array }

/** One direction on the core module, with Keras' output conventions (see kerasRecurrentForward). */
function coreDirection(d: Direction, x: Float32Array, B: number, T: number, I: number, lengths: number[] | null, init: DirectionInit): DirectionOut {
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
  const r = d.core!.forward(new Tensor(input, [B, T, I]), {
    ...(lengths ? { lengths } : {}),
    ...(init.h0 ? { h0: new Tensor(init.h0, [1, B, U]) } : {}),
    ...(init.c0 ? { c0: new Tensor(init.c0, [1, B, U]) } : {}),
  });
  const out = r.output.data;
  const seq = new Float32Array(B * T * U);
  for (let b = 0; b < B; b++) {
    const L = lenOf(b);
    for (let t = 0; t < T; t++) {
      // Forward: masked trailing steps repeat the last output. Backward: leading masked steps output h0.
      const src = back ? (t >= T - L ? t - (T - L) : -1) : Math.min(t, L - 1);
      if (src >= 0) seq.set(out.subarray((b * T + src) * U, (b * T + src + 1) * U), (b * T + t) * U);
      else if (init.h0) seq.set(init.h0.subarray(b * U, (b + 1) * U), (b * T + t) * U);
    }
  }
  return { seq, last: Float32Array.from(r.h.data), lastC: r.c ? Float32Array.from(r.c.data) : new Float32Array(B * U) };
}

function runDirection(d: Direction, x: Float32Array, B: number, T: number, I: number, mask: Uint8Array | null, init: DirectionInit): DirectionOut {
  const lengths = mask ? prefixLengths(mask, B, T) : null;
  if (d.core && (!mask || lengths)) return coreDirection(d, x, B, T, I, lengths, init);
  return kerasRecurrentForward(d.spec, d.weights, x, B, T, I, mask, init);
}

/** In place: a Keras activation by name, with Keras' formulas (softmax along rows of F). */
function applyKerasActivation(name: string, data: Float32Array, F: number): void {
  if (name === 'linear') return;
  if (name === 'softmax') return softmaxRows(data, F);
  const f = KERAS_ACTIVATIONS[name]!;
  for (let i = 0; i < data.length; i++) data[i] = f(data[i]!);
}

/** Keras merge of flows of one shape (Concatenate: equal except along `axis`), with TF.js' mask rules. */
function mergeFlows(s: Extract<Stage, { kind: 'merge' }>, ins: Flow[], where: string): Flow {
  if (ins.length < 2) throw new RangeError(`${where}: ${s.op} needs at least 2 inputs, got ${ins.length}`);
  const rank = ins[0]!.shape.length;
  const shapes = ins.map((f) => shapeStr(f.shape)).join(', ');
  if (s.op !== 'concatenate') {
    if (ins.some((f) => f.shape.length !== rank || f.shape.some((d, i) => d !== ins[0]!.shape[i]))) throw new RangeError(`${where}: ${s.op} needs inputs of one shape, got ${shapes}`);
    const out = new Float32Array(ins[0]!.data.length);
    for (let i = 0; i < out.length; i++) {
      let v = ins[0]!.data[i]!;
      for (let k = 1; k < ins.length; k++) v = s.op === 'multiply' ? v * ins[k]!.data[i]! : v + ins[k]!.data[i]!;
      out[i] = s.op === 'average' ? v / ins.length : v;
    }
    return { data: out, shape: [...ins[0]!.shape], mask: andMasks(ins) };
  }
  const axis = s.axis < 0 ? s.axis + rank : s.axis;
  if (axis < 1 || axis >= rank) throw new RangeError(`${where}: axis ${s.axis} is out of range for inputs of rank ${rank}`);
  if (ins.some((f) => f.shape.length !== rank || f.shape.some((d, i) => i !== axis && d !== ins[0]!.shape[i]))) {
    throw new RangeError(`${where}: cannot concatenate ${shapes} along axis ${s.axis}`);
  }
  const shape = [...ins[0]!.shape];
  shape[axis] = ins.reduce((n, f) => n + f.shape[axis]!, 0);
  const outer = ins[0]!.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const out = new Float32Array(outer * shape.slice(axis).reduce((p, d) => p * d, 1));
  let off = 0;
  const row = out.length / outer;
  for (const f of ins) {
    const w = f.data.length / outer;
    for (let o = 0; o < outer; o++) out.set(f.data.subarray(o * w, (o + 1) * w), o * row + off);
    off += w;
  }
  // Along the time axis of sequences the masks are joined (ones for an input without one).
  let mask: Uint8Array | null = null;
  if (ins.some((f) => f.mask) && rank === 3 && axis === 1) {
    const [B] = shape as [number];
    mask = new Uint8Array(B * shape[1]!);
    let t0 = 0;
    for (const f of ins) {
      const T = f.shape[1]!;
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) mask[b * shape[1]! + t0 + t] = f.mask ? f.mask[b * T + t]! : 1;
      t0 += T;
    }
  } else if (rank === 3) mask = andMasks(ins);
  return { data: out, shape, mask };
}

/** A step is kept when every input that has a mask keeps it (null when none has one). */
function andMasks(ins: Flow[]): Uint8Array | null {
  const masks = ins.map((f) => f.mask).filter((m): m is Uint8Array => m !== null);
  if (masks.length === 0) return null;
  if (masks.some((m) => m.length !== masks[0]!.length)) return null;
  return masks[0]!.map((v, i) => (masks.every((m) => m[i]) ? 1 : 0) && v);
}

/** A loaded TF.js Layers model. */
export class TfjsModel {
  /** 'ids' when the (first) input feeds an Embedding ((B,T) token ids), else numeric input. */
  readonly inputKind: 'ids' | 'numeric';
  /** The model's inputs and outputs (Sequential: one of each). */
  readonly inputNames: string[];
  readonly outputNames: string[];

  /** The carried states of stateful layers: per layer, [h (, c)] per direction, (B,U) each. */
  private readonly carried = new Map<Stage, Float32Array[]>();

  constructor(readonly name: string,
    /** The parsed layers, each once, in call order. */ readonly stages: readonly Stage[],
    /** Every layer call; a Sequential model is a chain. */ readonly graph: TfjsGraph,
    private readonly backend?: string) {
    const first = graph.inputs[0] ? `${graph.inputs[0].name}:0:0` : '';
    this.inputKind = graph.nodes.some((n) => n.stage.kind === 'embedding' && n.inputs[0] === first) ? 'ids' : 'numeric';
    this.inputNames = graph.inputs.map((i) => i.name);
    // Output names are layer names (a Sequential's node ids carry a '#position' suffix).
    this.outputNames = graph.outputs.map((k) => k.split(':')[0]!.replace(/#\d+$/, ''));
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

  /** One line per layer: name, class and the options that matter (Functional models: and what each call reads). */
  summary(): string {
    const describe = (s: Stage): string => {
      switch (s.kind) {
        case 'embedding': return `${s.name}: Embedding ${s.layer.numEmbeddings}×${s.layer.embeddingDim}${s.maskZero ? ' mask_zero' : ''}`;
        case 'masking': return `${s.name}: Masking value=${s.value}`;
        case 'dropout': return `${s.name}: Dropout ${s.rate} (inactive at inference)`;
        case 'activation': return `${s.name}: Activation ${s.activation}`;
        case 'dense': return `${s.name}: ${s.timeDistributed ? 'TimeDistributed(Dense)' : 'Dense'} ${s.layer.inputSize}→${s.layer.outputSize} ${s.post ?? s.layer.activation}`;
        case 'merge': return `${s.name}: ${s.op === 'concatenate' ? `Concatenate axis=${s.axis}` : s.op[0]!.toUpperCase() + s.op.slice(1)}`;
        case 'repeatVector': return `${s.name}: RepeatVector ${s.n}`;
        case 'reshape': return `${s.name}: Reshape ${shapeStr(s.target)}`;
        case 'flatten': return `${s.name}: Flatten`;
        case 'recurrent': {
          const d = s.dirs[0]!.spec;
          const path = s.dirs.every((x) => x.core) ? 'core kernels' : 'Keras-exact loop';
          return `${s.name}: ${s.dirs.length === 2 ? `Bidirectional(${s.merge}) ` : ''}${d.kind.toUpperCase()} units=${d.units} activation=${d.activation}` +
            `${d.kind !== 'rnn' ? ` recurrent_activation=${d.recurrentActivation}` : ''}${d.kind === 'gru' ? ` reset_after=${d.resetAfter}` : ''}` +
            ` return_sequences=${s.returnSequences}${s.returnState ? ' return_state' : ''}${s.stateful ? ' stateful' : ''}${d.goBackwards ? ' go_backwards' : ''} [${path}]`;
        }
      }
    };
    if (this.graph.sequential) return this.stages.map(describe).join('\n');
    const ins = `inputs: ${this.graph.inputs.map((i) => `${i.name} ${i.shape ? shapeStr(i.shape.map((d) => d ?? -1)).replace(/-1/g, '?') : ''}`.trim()).join(', ')}`;
    const calls = this.graph.nodes.map((n) => `${describe(n.stage)} ← ${n.inputs.map(keyLabel).join(', ')}`);
    return [ins, ...calls, `outputs: ${this.graph.outputs.map(keyLabel).join(', ')}`].join('\n');
  }

  /** Forget the states that stateful layers carry between predict calls (Keras' reset_states): they start from zeros again. */
  resetStates(): void {
    this.carried.clear();
  }

  /**
   * Predict a model with one output. x: one Tensor for a one-input model, or one per input (an
   * array in input order, or by input name): (B,T) token ids for an Embedding, (B,T,F)
   * sequences, (B,F) rows. Returns what TF.js' model.predict returns, as a float32 Tensor.
   */
  predict(x: Tensor | Tensor[] | Record<string, Tensor>): Tensor {
    if (this.graph.outputs.length !== 1) throw new RangeError(`TfjsModel.predict: the model has ${this.graph.outputs.length} outputs (${this.outputNames.join(', ')}); use predictAll`);
    return this.predictAll(x)[0]!;
  }

  /** Predict every output of the model, in the order of its output_layers (see predict). */
  predictAll(x: Tensor | Tensor[] | Record<string, Tensor>): Tensor[] {
    const { inputs, nodes, outputs } = this.graph;
    const given: Tensor[] = x instanceof Tensor ? [x] : Array.isArray(x) ? x
      : inputs.map((i) => {
        if (!isObject(x) || !Object.hasOwn(x, i.name)) throw new RangeError(`TfjsModel.predict: missing input "${i.name}" (inputs: ${this.inputNames.join(', ')})`);
        return x[i.name]!;
      });
    if (given.length !== inputs.length) throw new RangeError(`TfjsModel.predict: the model has ${inputs.length} input(s) (${this.inputNames.join(', ')}), got ${given.length}`);
    const env = new Map<string, Flow>();
    given.forEach((t, k) => {
      const info = inputs[k]!;
      if (!(t instanceof Tensor)) throw new TypeError(`TfjsModel.predict: input "${info.name}" must be a Tensor`);
      if (info.shape && (t.shape.length !== info.shape.length || info.shape.some((d, i) => i > 0 && d !== null && d !== t.shape[i]))) {
        throw new RangeError(`TfjsModel.predict: input "${info.name}" must be ${shapeStr(info.shape.map((d) => d ?? -1)).replace(/-1/g, '?')}, got ${shapeStr(t.shape)}`);
      }
      env.set(`${info.name}:0:0`, { data: Float32Array.from(t.data), shape: [...t.shape], mask: null });
    });
    for (const n of nodes) {
      const outs = this.run(n.stage, n.inputs.map((k) => env.get(k)!));
      outs.forEach((f, i) => env.set(`${n.id}:${i}`, f));
    }
    return outputs.map((k) => {
      const f = env.get(k);
      if (!f) throw new RangeError(`TfjsModel.predict: output ${keyLabel(k)} was not computed`);
      return new Tensor(f.data, f.shape);
    });
  }

  private run(s: Stage, ins: Flow[]): Flow[] {
    const where = `TfjsModel.predict: layer "${s.name}"`;
    if (s.kind !== 'merge' && s.kind !== 'recurrent' && ins.length !== 1) throw new RangeError(`${where} takes one input, got ${ins.length}`);
    const f = ins[0]!;
    switch (s.kind) {
      case 'embedding': {
        if (f.shape.length !== 2) throw new RangeError(`${where}: token ids must be (B,T), got ${shapeStr(f.shape)}`);
        const y = s.layer.forward(new Tensor(f.data, f.shape));
        return [{ data: y.data as Float32Array, shape: y.shape, mask: s.maskZero ? Uint8Array.from(f.data, (v) => (v !== 0 ? 1 : 0)) : f.mask }];
      }
      case 'masking': {
        if (f.shape.length !== 3) throw new RangeError(`${where}: input must be (B,T,F), got ${shapeStr(f.shape)}`);
        const [B, T, F] = f.shape as [number, number, number];
        const mask = new Uint8Array(B * T), data = f.data.slice();
        for (let r = 0; r < B * T; r++) {
          for (let j = 0; j < F; j++) if (data[r * F + j] !== s.value) mask[r] = 1;
          if (!mask[r]) data.fill(0, r * F, (r + 1) * F);
        }
        return [{ data, shape: f.shape, mask }];
      }
      case 'dropout': return [f];
      case 'activation': {
        const data = f.data.slice();
        applyKerasActivation(s.activation, data, f.shape[f.shape.length - 1]!);
        return [{ ...f, data }];
      }
      case 'dense': {
        if (s.timeDistributed && f.shape.length !== 3) throw new RangeError(`${where}: TimeDistributed input must be (B,T,F), got ${shapeStr(f.shape)}`);
        const y = s.layer.forward(new Tensor(f.data, f.shape));
        const data = y.data as Float32Array;
        if (s.post) applyKerasActivation(s.post, data, s.layer.outputSize);
        return [{ data, shape: y.shape, mask: f.mask }];
      }
      case 'merge': return [mergeFlows(s, ins, where)];
      case 'repeatVector': {
        if (f.shape.length !== 2) throw new RangeError(`${where}: input must be (B,F), got ${shapeStr(f.shape)}`);
        const [B, F] = f.shape as [number, number];
        const data = new Float32Array(B * s.n * F);
        for (let b = 0; b < B; b++) for (let t = 0; t < s.n; t++) data.set(f.data.subarray(b * F, (b + 1) * F), (b * s.n + t) * F);
        return [{ data, shape: [B, s.n, F], mask: null }];
      }
      case 'reshape': {
        const B = f.shape[0]!, per = f.data.length / Math.max(B, 1);
        const known = s.target.reduce((p, d) => (d === -1 ? p : p * d), 1);
        const target = s.target.map((d) => (d === -1 ? per / known : d));
        if (target.some((d) => !Number.isInteger(d)) || target.reduce((p, d) => p * d, 1) !== per) {
          throw new RangeError(`${where}: cannot reshape ${shapeStr(f.shape)} to (batch, ${s.target.join(', ')})`);
        }
        return [{ data: f.data, shape: [B, ...target], mask: null }];
      }
      case 'flatten': return [{ data: f.data, shape: [f.shape[0]!, f.data.length / Math.max(f.shape[0]!, 1)], mask: null }];
      case 'recurrent': {
        if (f.shape.length !== 3) throw new RangeError(`${where}: input must be (B,T,F), got ${shapeStr(f.shape)}`);
        const [B, T, I] = f.shape as [number, number, number];
        const want = directionInputSize(s.dirs[0]!);
        if (I !== want) throw new RangeError(`${where}: expects ${want} features per step, got ${shapeStr(f.shape)}`);
        const U = s.dirs[0]!.spec.units;
        // Initial states given as extra inputs of the call: [h (, c)] per direction.
        const nState = s.dirs[0]!.spec.kind === 'lstm' ? 2 : 1;
        const given = ins.slice(1);
        if (given.length !== 0 && given.length !== nState * s.dirs.length) throw new RangeError(`${where}: takes ${nState * s.dirs.length} initial states, got ${given.length}`);
        given.forEach((st, k) => {
          if (st.shape.length !== 2 || st.shape[0] !== B || st.shape[1] !== U) throw new RangeError(`${where}: initial state ${k} must be ${shapeStr([B, U])}, got ${shapeStr(st.shape)}`);
        });
        // A stateful layer starts where its previous predict call ended (zeros after resetStates).
        const held = s.stateful ? this.carried.get(s) : undefined;
        if (held && held[0]!.length !== B * U) throw new RangeError(`${where}: a stateful layer keeps its batch size: it carries states for ${held[0]!.length / U} rows, got ${B} (call resetStates() first)`);
        const init = given.length ? given.map((g) => g.data) : held ?? [];
        const outs = s.dirs.map((d, k) => runDirection(d, f.data, B, T, I, f.mask, init.length === 0 ? {}
          : { h0: init[k * nState]!, ...(nState === 2 ? { c0: init[k * nState + 1]! } : {}) }));
        if (s.stateful) this.carried.set(s, outs.flatMap((o) => (nState === 2 ? [o.last, o.lastC] : [o.last])));
        const states: Flow[] = s.returnState ? outs.flatMap((o) => [o.last, ...(nState === 2 ? [o.lastC] : [])].map((data) => ({ data, shape: [B, U], mask: null }))) : [];
        if (outs.length === 1) {
          const main = s.returnSequences ? { data: outs[0]!.seq, shape: [B, T, U], mask: f.mask } : { data: outs[0]!.last, shape: [B, U], mask: null };
          return [main, ...states];
        }
        // Bidirectional: the backward layer's sequence is flipped back to input order, then merged.
        const [fw, bw] = outs as [DirectionOut, DirectionOut];
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
        const main = s.returnSequences ? { data: out, shape: [B, T, W], mask: f.mask } : { data: out, shape: [B, W], mask: null };
        return [main, ...states];
      }
    }
  }

  /**
   * The same network as a native Sequential (weights copied), when one computes exactly the
   * same function; otherwise throws an Error listing every reason (a Functional graph, masking,
   * go_backwards, hard_sigmoid, GRU reset_after = false, a Bidirectional layer without
   * return_sequences or with merge_mode other than concat, a Dense activation other than
   * linear/relu/tanh/sigmoid, return_state, RepeatVector, Reshape, Flatten, merges).
   */
  toSequential(): Sequential {
    const reasons: string[] = [];
    const { nodes, inputs, outputs } = this.graph;
    // A Functional model converts only when it is a chain: one input, one output, each call reading the previous one.
    const chain = inputs.length === 1 && outputs.length === 1 && new Set(nodes.map((n) => n.stage)).size === nodes.length &&
      nodes.every((n, k) => n.inputs.length === 1 && n.inputs[0] === (k === 0 ? `${inputs[0]!.name}:0:0` : `${nodes[k - 1]!.id}:0`)) &&
      outputs[0] === (nodes.length ? `${nodes[nodes.length - 1]!.id}:0` : '');
    if (!chain) reasons.push('the Functional model is not a chain of layers (several inputs or outputs, merges, shared layers or skip connections)');
    const layers: LayerEntry[] = [];
    const be = this.backend ? { backend: this.backend } : {};
    for (const s of chain ? this.stages : []) {
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
        case 'merge': case 'repeatVector': case 'reshape': case 'flatten': reasons.push(`${s.name}: ${s.kind} has no native equivalent`); break;
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
          if (s.returnState) reasons.push(`${s.name}: return_state`);
          if (s.stateful) reasons.push(`${s.name}: stateful (native layers take the state as h0/c0 instead)`);
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

/** `layer:node:tensor` → `layer` (`layer[tensor]` for a layer's further outputs, `layer@node` for a later call). */
function keyLabel(k: string): string {
  const [layer, node, tensor] = k.split(':');
  return `${layer}${node !== '0' ? `@${node}` : ''}${tensor !== '0' ? `[${tensor}]` : ''}`;
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

/** Reads a layer's weights in manifest order, checking each one's name and shape. */
type TakeWeight = (layer: string, suffix: string, shape: (number | null)[]) => TfjsWeight;

/** A batch_input_shape ([null, T, F]) from a layer config, or null. */
function batchInputShape(c: Record<string, unknown>): Array<number | null> | null {
  const v = own(c, 'batch_input_shape') ?? own(c, 'batch_shape');
  if (!Array.isArray(v) || !v.every((d) => d === null || (typeof d === 'number' && Number.isInteger(d) && d >= 0))) return null;
  return v as Array<number | null>;
}

function buildModel(art: LoadedArtifacts, backend?: string): TfjsModel {
  const { topology, file } = art;
  const cls = own(topology, 'class_name');
  if (cls !== 'Sequential' && cls !== 'Functional' && cls !== 'Model') throw new FormatError(file, `model class ${JSON.stringify(cls)} is not supported (Sequential, Functional, Model)`);
  const cfg = own(topology, 'config');
  const list = Array.isArray(cfg) ? cfg : isObject(cfg) ? own(cfg, 'layers') : undefined;
  if (!Array.isArray(list) || list.length === 0) throw new FormatError(file, `the ${cls} model has no layers`);
  const modelName = isObject(cfg) && typeof own(cfg, 'name') === 'string' ? (own(cfg, 'name') as string) : 'model';
  const weights = [...art.weights];
  let wi = 0;
  const be = backend ? { backend } : {};

  const take: TakeWeight = (layer, suffix, shape) => {
    const w = weights[wi];
    if (!w) throw new FormatError(file, `layer "${layer}" needs weight "${suffix}" but the manifest has no more weights`);
    if (!w.name.endsWith(`/${suffix}`) && w.name !== suffix) throw new FormatError(file, `layer "${layer}": expected weight "${suffix}", found "${w.name}"`);
    if (w.shape.length !== shape.length || shape.some((d, i) => d !== null && d !== w.shape[i])) {
      throw new FormatError(file, `weight "${w.name}" has shape ${shapeStr(w.shape)}, expected [${shape.map((d) => d ?? '?').join(', ')}]`);
    }
    wi++;
    return w;
  };

  const entries = list.map((entry, k) => {
    if (!isObject(entry)) throw new FormatError(file, `layer ${k} is not an object`);
    const type = own(entry, 'class_name');
    const c = own(entry, 'config');
    if (typeof type !== 'string' || !isObject(c)) throw new FormatError(file, `layer ${k} needs class_name and config`);
    const name = typeof own(c, 'name') === 'string' ? (own(c, 'name') as string) : typeof own(entry, 'name') === 'string' ? (own(entry, 'name') as string) : `layer_${k}`;
    return { entry, type, c, name };
  });
  const result = cls === 'Sequential' ? buildSequential(entries, take, file, be) : buildFunctional(entries, cfg as Record<string, unknown>, take, file, be);
  if (wi !== weights.length) throw new FormatError(file, `the manifest has ${weights.length - wi} weight(s) no layer uses (first: "${weights[wi]!.name}")`);
  if (result.stages.length === 0) throw new FormatError(file, 'the model has no layers to run');
  return new TfjsModel(modelName, result.stages, result.graph, backend);
}

interface LayerEntryJson { entry: Record<string, unknown>; type: string; c: Record<string, unknown>; name: string }

/** A Sequential model: its layers in order, as a chain. */
function buildSequential(entries: LayerEntryJson[], take: TakeWeight, file: string, be: { backend?: string }): { stages: Stage[]; graph: TfjsGraph } {
  let features: number | null = null; // features per step of the current flow, once known
  const stages: Stage[] = [];
  for (const e of entries) {
    if (e.type === 'InputLayer') continue;
    if (e.type === 'Embedding' && stages.length > 0) throw new FormatError(file, `layer "${e.name}": Embedding must be the first layer`);
    const parsed = parseLayer(e, features, take, file, be);
    if (parsed.stage.kind === 'merge') throw new FormatError(file, `layer "${e.name}": a ${e.type} layer needs several inputs, which a Sequential model cannot give it`);
    if (parsed.stage.kind === 'recurrent' && parsed.stage.returnState) throw new FormatError(file, `layer "${e.name}": return_state = true in a Sequential model (only a Functional model can use the states)`);
    stages.push(parsed.stage);
    features = parsed.features;
  }
  const nodes = stages.map((stage, k): GraphNode => ({ stage, inputs: [k === 0 ? 'input:0:0' : `${stages[k - 1]!.name}#${k - 1}:0:0`], id: `${stage.name}#${k}:0` }));
  return { stages, graph: { inputs: [{ name: 'input', shape: null }], nodes, outputs: nodes.length ? [`${nodes[nodes.length - 1]!.id}:0`] : [], sequential: true } };
}

/** A Keras tensor reference [layer, node, tensor(, kwargs)] as `layer:node:tensor`. */
function tensorKey(ref: unknown, file: string, where: string): string {
  if (!Array.isArray(ref) || typeof ref[0] !== 'string' || !Number.isInteger(ref[1]) || !Number.isInteger(ref[2])) {
    throw new FormatError(file, `${where}: a tensor reference must be [layer, node_index, tensor_index, ...], got ${JSON.stringify(ref)?.slice(0, 80)}`);
  }
  if (ref[3] !== undefined && isObject(ref[3]) && Object.keys(ref[3]).length > 0) {
    throw new FormatError(file, `${where}: call arguments ${JSON.stringify(ref[3]).slice(0, 80)} are not supported`);
  }
  return `${ref[0]}:${ref[1]}:${ref[2]}`;
}

/** A Functional model: every call of every layer, ordered so that each reads only tensors already written. */
function buildFunctional(entries: LayerEntryJson[], cfg: Record<string, unknown>, take: TakeWeight, file: string, be: { backend?: string }): { stages: Stage[]; graph: TfjsGraph } {
  const refs = (key: string): string[] => {
    const v = own(cfg, key);
    if (!Array.isArray(v) || v.length === 0) throw new FormatError(file, `the Functional model's ${key} must list at least one [layer, node, tensor]`);
    // Keras writes a single input/output as [layer, node, tensor] and several as a list of them.
    const list = typeof v[0] === 'string' ? [v] : v;
    return list.map((r) => tensorKey(r, file, key));
  };
  const inputKeys = refs('input_layers'), outputKeys = refs('output_layers');
  const byName = new Map<string, LayerEntryJson>();
  for (const e of entries) {
    if (byName.has(e.name)) throw new FormatError(file, `two layers are named "${e.name}"`);
    byName.set(e.name, e);
  }
  const inputs: GraphInput[] = inputKeys.map((k) => {
    const name = k.split(':')[0]!;
    const e = byName.get(name);
    if (!e || e.type !== 'InputLayer') throw new FormatError(file, `input_layers names "${name}", which is not an InputLayer`);
    if (k !== `${name}:0:0`) throw new FormatError(file, `input_layers entry ${keyLabel(k)} must be [${name}, 0, 0]`);
    return { name, shape: batchInputShape(e.c) };
  });
  // Every call of every layer, with the tensors it reads.
  const pending: Array<{ e: LayerEntryJson; node: number; inputs: string[] }> = [];
  for (const e of entries) {
    if (e.type === 'InputLayer') continue;
    const inbound = own(e.entry, 'inbound_nodes');
    if (!Array.isArray(inbound) || inbound.length === 0) throw new FormatError(file, `layer "${e.name}" has no inbound_nodes (every layer of a Functional model must be called)`);
    inbound.forEach((call, node) => {
      if (isObject(call)) throw new FormatError(file, `layer "${e.name}": inbound_nodes in the Keras 3 format ({args, kwargs}) are not supported; save the model with TF.js or tensorflowjs_converter from Keras 2`);
      if (!Array.isArray(call) || call.length === 0) throw new FormatError(file, `layer "${e.name}": inbound node ${node} must list the tensors the call reads`);
      pending.push({ e, node, inputs: call.map((r) => tensorKey(r, file, `layer "${e.name}" inbound node ${node}`)) });
    });
  }
  // Parse each layer once, in the config's order (the order of the weights in the manifest).
  const stageOf = new Map<string, Stage>();
  for (const e of entries) if (e.type !== 'InputLayer') stageOf.set(e.name, parseLayer(e, null, take, file, be).stage);
  // Order the calls (Kahn): a call runs once every tensor it reads has been written; calls
  // that became ready run first come, first served, so the order is the file's where it can be.
  const written = new Set(inputs.map((i) => `${i.name}:0:0`));
  const unmet = pending.map((p) => new Set(p.inputs.filter((r) => !written.has(r))));
  const waiting = new Map<string, number[]>();
  unmet.forEach((keys, k) => {
    for (const r of keys) {
      const list = waiting.get(r);
      if (list) list.push(k);
      else waiting.set(r, [k]);
    }
  });
  const ready = unmet.flatMap((keys, k) => (keys.size === 0 ? [k] : []));
  const nodes: GraphNode[] = [];
  for (let q = 0; q < ready.length; q++) {
    const p = pending[ready[q]!]!;
    const stage = stageOf.get(p.e.name)!;
    if (stage.kind === 'embedding' && !inputs.some((i) => p.inputs[0] === `${i.name}:0:0`)) throw new FormatError(file, `layer "${p.e.name}": an Embedding must read a model input (token ids)`);
    const id = `${p.e.name}:${p.node}`;
    nodes.push({ stage, inputs: p.inputs, id });
    const outputs = stage.kind === 'recurrent' && stage.returnState ? 1 + stage.dirs.length * (stage.dirs[0]!.spec.kind === 'lstm' ? 2 : 1) : 1;
    for (let i = 0; i < outputs; i++) {
      const key = `${id}:${i}`;
      if (written.has(key)) continue;
      written.add(key);
      for (const w of waiting.get(key) ?? []) {
        unmet[w]!.delete(key);
        if (unmet[w]!.size === 0) ready.push(w);
      }
    }
  }
  if (nodes.length < pending.length) {
    const k = unmet.findIndex((keys) => keys.size > 0);
    throw new FormatError(file, `layer "${pending[k]!.e.name}" reads ${[...unmet[k]!].map(keyLabel).join(', ')}, which no layer call produces (or the graph has a cycle)`);
  }
  for (const k of outputKeys) if (!written.has(k)) throw new FormatError(file, `output_layers names ${keyLabel(k)}, which no layer call produces`);
  const stages = [...stageOf.values()];
  return { stages, graph: { inputs, nodes, outputs: outputKeys, sequential: false } };
}

/** One layer's config and weights as a stage, with the features per step it outputs (null when not known). */
function parseLayer({ type, c, name }: LayerEntryJson, features: number | null, take: TakeWeight, file: string, be: { backend?: string }): { stage: Stage; features: number | null } {
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
  const act = (cfg: Record<string, unknown>, key: string, fallback: string): string => {
    const a = activationName(own(cfg, key) ?? fallback);
    if (a !== 'softmax' && !(a in KERAS_ACTIVATIONS)) throw new FormatError(file, `layer "${name}": activation "${a}" is not supported (supported: ${[...Object.keys(KERAS_ACTIVATIONS), 'softmax'].join(', ')})`);
    return a;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = own(c, key);
    return v === undefined || v === null ? fallback : v === true;
  };
  const dense = (cfg: Record<string, unknown>, timeDistributed: boolean): { stage: Stage; features: number } => {
    const O = (() => {
      const v = own(cfg, 'units');
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1 << 20) throw new FormatError(file, `layer "${name}": units must be a positive integer, got ${JSON.stringify(v)}`);
      return v;
    })();
    const a = act(cfg, 'activation', 'linear');
    const useBias = own(cfg, 'use_bias') !== false;
    const kw = take(name, 'kernel', [features, O]);
    const I = kw.shape[0]!;
    const b = useBias ? take(name, 'bias', [O]) : null;
    const layer = new Dense({ inputSize: I, outputSize: O, activation: isActivation(a) ? a : 'linear', bias: useBias, ...be });
    const sd = layer.stateDict();
    sd.weight!.data.set(transpose2d(kw.data, I, O));
    if (b) sd.bias!.data.set(b.data);
    return { stage: { kind: 'dense', name, layer, post: isActivation(a) ? null : a, timeDistributed }, features: O };
  };
  switch (type) {
    case 'Dropout': return { stage: { kind: 'dropout', name, rate: num('rate', 0) }, features };
    case 'Masking': return { stage: { kind: 'masking', name, value: num('mask_value', 0) }, features };
    case 'Activation': return { stage: { kind: 'activation', name, activation: act(c, 'activation', 'linear') }, features };
    case 'Embedding': {
      const V = units('input_dim'), E = units('output_dim');
      const w = take(name, 'embeddings', [V, E]);
      const layer = new Embedding({ numEmbeddings: V, embeddingDim: E, ...be });
      layer.stateDict().weight!.data.set(w.data);
      return { stage: { kind: 'embedding', name, layer, maskZero: bool('mask_zero', false) }, features: E };
    }
    case 'Dense': return dense(c, false);
    case 'TimeDistributed': {
      const l = own(c, 'layer');
      const inner = isObject(l) ? own(l, 'class_name') : undefined;
      if (inner !== 'Dense' || !isObject(own(l as Record<string, unknown>, 'config'))) throw new FormatError(file, `layer "${name}": TimeDistributed(${typeof inner === 'string' ? inner : '?'}) is not supported (only TimeDistributed(Dense))`);
      return dense(own(l as Record<string, unknown>, 'config') as Record<string, unknown>, true);
    }
    case 'Concatenate': case 'Add': case 'Multiply': case 'Average': {
      const axis = type === 'Concatenate' ? num('axis', -1) : -1;
      if (!Number.isInteger(axis)) throw new FormatError(file, `layer "${name}": axis must be an integer, got ${axis}`);
      return { stage: { kind: 'merge', name, op: MERGE_OPS[type]!, axis }, features: null };
    }
    case 'RepeatVector': return { stage: { kind: 'repeatVector', name, n: units('n') }, features };
    case 'Reshape': {
      const t = own(c, 'target_shape');
      if (!Array.isArray(t) || t.length === 0 || !t.every((d) => Number.isInteger(d) && (d === -1 || (d >= 1 && d <= 1 << 30))) || t.filter((d) => d === -1).length > 1) {
        throw new FormatError(file, `layer "${name}": target_shape must list positive sizes (one may be -1), got ${JSON.stringify(t)?.slice(0, 80)}`);
      }
      const target = t as number[];
      return { stage: { kind: 'reshape', name, target }, features: target[target.length - 1]! > 0 ? target[target.length - 1]! : null };
    }
    case 'Flatten': return { stage: { kind: 'flatten', name }, features: null };
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
        dirs.push({ spec, weights, core: coreFor(spec, weights, I, be.backend) });
      }
      const returnState = ic('return_state') === true || (type === 'Bidirectional' && own(c, 'return_state') === true);
      return {
        stage: { kind: 'recurrent', name, dirs, returnSequences: ic('return_sequences') === true, returnState, merge, stateful: ic('stateful') === true },
        features: type === 'Bidirectional' && merge === 'concat' ? 2 * U : U,
      };
    }
    case 'Lambda':
      throw new FormatError(file, `layer "${name}" is a Lambda layer: its function is code that model.json does not hold, so it cannot be loaded (rewrite it as supported layers)`);
    case 'Sequential': case 'Functional': case 'Model':
      throw new FormatError(file, `layer "${name}" is a nested ${type} model, which is not supported (flatten it into one model)`);
    default:
      throw new FormatError(file, `layer "${name}" of class ${type} is not supported (supported: ${SUPPORTED_TFJS_LAYERS.join(', ')})`);
  }
}
