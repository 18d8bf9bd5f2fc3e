/**
 * Gate tracing: run a model forward (and optionally backward) and read back, for every
 * recurrent layer, direction and time step, the values the deck draws: the input gate i, the
 * forget gate f, the candidate memory cell C̃ (g), the output gate o, the memory cell c and the
 * hidden state h (GRU: reset r, update z, new n and h; RNN: h), plus ‖∂L/∂h_t‖ per step when a
 * loss is given (the vanishing-gradient picture of the deck's first section).
 *
 * Nothing here recomputes the cell: the values are copies of what the layer's own forward
 * saved (RecurrentBase.inspect()), so a trace shows exactly what the model computed. The
 * model's mode and gradient buffers are restored afterwards: tracing does not disturb training.
 *
 * Shapes: T time steps, B batch, H hidden units, Hout = projSize or H. Every traced quantity is
 * a Tensor (T,B,·) indexed by real time t (also for the reverse direction): `cell[t]` is c after
 * the cell processed time t, `cellPrev[t]` is the c it started from, so for an LSTM
 * cell[t] = forget[t] ⊙ cellPrev[t] + input[t] ⊙ candidate[t] holds entry by entry.
 */
import type { FloatArray } from '../kernels/backend.js';
import { Module } from '../nn/module.js';
import { RecurrentBase, type RecurrentMode } from '../nn/recurrent.js';
import { Tensor, allocArray } from '../tensor/tensor.js';
import { makeLoss, type Loss, type LossName } from '../train/losses.js';

/** Gate names by cell type, in PyTorch's gate order (LSTM i,f,g,o; GRU r,z,n; RNN h). */
export const GATE_NAMES: Record<RecurrentMode, readonly GateName[]> = {
  lstm: ['input', 'forget', 'candidate', 'output'],
  gru: ['reset', 'update', 'new'],
  rnn: [],
};

export type GateName = 'input' | 'forget' | 'candidate' | 'output' | 'reset' | 'update' | 'new';

/** A loss for tracing: returns its value and dL/d(output), same shape as the output. */
export type TraceLossFn = (output: Tensor, target: Tensor | undefined) => { loss: number; dOutput: Tensor };

export interface TraceOptions {
  /**
   * A training loss by name or as a Loss ('mse', 'cross-entropy', ...: needs `target`, laid out
   * as for fit), 'last' (L = Σ of the output at the last time step: a loss only the end of the
   * sequence sees, for the vanishing-gradient picture), or a function. Without a loss no
   * backward runs and `gradNorm` is absent.
   */
  loss?: LossName | Loss | 'last' | TraceLossFn;
  target?: Tensor;
  /** True length of each sequence (B), as in forward. */
  lengths?: ArrayLike<number>;
}

/** What one recurrent layer's one direction computed. */
export interface DirectionTrace {
  /** Path of the recurrent module in the model ('' for a bare layer, else e.g. 'lstm' or '0'). */
  module: string;
  mode: RecurrentMode;
  layer: number;
  reverse: boolean;
  T: number;
  B: number;
  /** Hidden units H (the gate and cell width). */
  units: number;
  /** Activated gates by time, each (T,B,H): LSTM input, forget, candidate, output; GRU reset, update, new. */
  gates: Partial<Record<GateName, Tensor>>;
  /** h after time t (T,B,Hout), and the h the step started from (T,B,Hout). */
  hidden: Tensor;
  hiddenPrev: Tensor;
  /** LSTM: c after time t (T,B,H), and the c the step started from (T,B,H). */
  cell?: Tensor;
  cellPrev?: Tensor;
  /** ‖∂L/∂h_t‖ over batch and units, by time (T), when a loss was given. */
  gradNorm?: Float64Array;
}

export interface Trace {
  /** The model's output for the input. */
  output: Tensor;
  /** The loss value, when a loss was given. */
  loss?: number;
  /** One entry per recurrent layer, stacked layer and direction, in model order. */
  directions: DirectionTrace[];
}

/**
 * Trace a recurrent layer (LSTM, GRU, RNN) or a model containing them (anything whose
 * `children()` include recurrent layers and that has `forward(x, { lengths })` and
 * `backward(dOut)`, such as Sequential). Runs in eval mode; restores mode and gradients.
 */
export function trace(model: Module, input: Tensor, opts: TraceOptions = {}): Trace {
  const recurrent = findRecurrent(model);
  if (recurrent.length === 0) throw new Error('trace: the model has no LSTM, GRU or RNN layer');
  if (opts.loss !== undefined && opts.loss !== 'last' && typeof opts.loss !== 'function' && !opts.target) {
    throw new Error(`trace: loss '${typeof opts.loss === 'string' ? opts.loss : opts.loss.name}' needs a target`);
  }
  const wasTraining = model.training;
  const grads = gradBuffers(model);
  const saved = grads.map((g) => g.slice());
  model.eval();
  try {
    const output = forwardModel(model, input, opts.lengths);
    let loss: number | undefined;
    if (opts.loss) {
      const l = lossOf(opts.loss, output, opts.target, model);
      loss = l.loss;
      backwardModel(model, l.dOutput);
    }
    const directions: DirectionTrace[] = [];
    for (const { path, layer } of recurrent) directions.push(...traceLayer(path, layer, loss !== undefined));
    return { output, ...(loss !== undefined ? { loss } : {}), directions };
  } finally {
    grads.forEach((g, i) => g.set(saved[i]!));
    model.train(wasTraining);
  }
}

/** One traced quantity (T,B,W) as W rows over time for batch item b: rows[j][t] = x[t, b, j] (heatmap order). */
export function unitsOverTime(x: Tensor, b = 0): number[][] {
  const [T, B, W] = x.shape as [number, number, number];
  if (!(b >= 0 && b < B)) throw new RangeError(`unitsOverTime: batch item ${b} is out of range 0..${B - 1}`);
  return Array.from({ length: W }, (_, j) => Array.from({ length: T }, (_, t) => x.data[(t * B + b) * W + j]!));
}

/** Recurrent layers in a module tree, with their paths ('' for the root). */
export function findRecurrent(model: Module): Array<{ path: string; layer: RecurrentBase }> {
  const out: Array<{ path: string; layer: RecurrentBase }> = [];
  const walk = (m: Module, path: string): void => {
    if (m instanceof RecurrentBase) out.push({ path, layer: m });
    m.children().forEach((c, i) => walk(c, path ? `${path}.${m.childName(i)}` : m.childName(i)));
  };
  walk(model, '');
  return out;
}

/** Copy one layer's saved forward (and backward) into time-indexed tensors. */
function traceLayer(path: string, layer: RecurrentBase, withGrad: boolean): DirectionTrace[] {
  const { T, B, directions } = layer.inspect();
  const H = layer.hiddenSize, Hout = layer.hOut, mode = layer.mode;
  const names = GATE_NAMES[mode];
  const Gc = Math.max(names.length, 1) * H;
  return directions.map((d) => {
    // Slots: forward h after time t is slot t+1 and starts from slot t; reverse the other way.
    const after = (t: number): number => (d.reverse ? t : t + 1);
    const before = (t: number): number => (d.reverse ? t + 1 : t);
    const gates: Partial<Record<GateName, Tensor>> = {};
    names.forEach((name, k) => (gates[name] = gather(d.gates, T, B, H, (t) => t, Gc, k * H)));
    const tr: DirectionTrace = {
      module: path, mode, layer: d.layer, reverse: d.reverse, T, B, units: H, gates,
      hidden: gather(d.h, T, B, Hout, after, Hout, 0),
      hiddenPrev: gather(d.h, T, B, Hout, before, Hout, 0),
    };
    if (d.c) {
      tr.cell = gather(d.c, T, B, H, after, H, 0);
      tr.cellPrev = gather(d.c, T, B, H, before, H, 0);
    }
    if (withGrad && d.dh) {
      const n = new Float64Array(T);
      for (let t = 0; t < T; t++) {
        let s = 0;
        for (let i = t * B * Hout; i < (t + 1) * B * Hout; i++) s += d.dh[i]! * d.dh[i]!;
        n[t] = Math.sqrt(s);
      }
      tr.gradNorm = n;
    }
    return tr;
  });
}

/**
 * out (T,B,W) with out[t,b,:] = src[slot(t), b, off : off+W], src rows of width `stride`.
 * One helper serves gates (slot = t, a column block of Gc) and states (slot before/after t).
 */
function gather(src: FloatArray, T: number, B: number, W: number, slot: (t: number) => number, stride: number, off: number): Tensor {
  const out = allocArray(T * B * W, src instanceof Float64Array ? 'float64' : 'float32');
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const s = (slot(t) * B + b) * stride + off, o = (t * B + b) * W;
      for (let j = 0; j < W; j++) out[o + j] = src[s + j]!;
    }
  }
  return new Tensor(out, [T, B, W]);
}

// ------------------------------------------------------------------ model plumbing

interface ModelLike {
  forward(x: Tensor, opts?: { lengths?: ArrayLike<number> }): Tensor;
  backward(dOut: Tensor): unknown;
}

function forwardModel(model: Module, x: Tensor, lengths?: ArrayLike<number>): Tensor {
  const o = lengths ? { lengths } : {};
  if (model instanceof RecurrentBase) return model.forward(x, o).output;
  const m = model as unknown as Partial<ModelLike>;
  if (typeof m.forward !== 'function') throw new TypeError('trace: the model has no forward(x) method');
  const out = m.forward(x, o);
  if (!(out instanceof Tensor)) throw new TypeError('trace: model.forward must return a Tensor');
  return out;
}

function backwardModel(model: Module, dOut: Tensor): void {
  if (model instanceof RecurrentBase) model.backward({ dOutput: dOut });
  else (model as unknown as ModelLike).backward(dOut);
}

function lossOf(loss: NonNullable<TraceOptions['loss']>, out: Tensor, target: Tensor | undefined, model: Module): { loss: number; dOutput: Tensor } {
  if (typeof loss === 'function') return loss(out, target);
  if (loss === 'last') return lastStepSum(out, model);
  // A training loss: the library's own forward/backward pair.
  const l = makeLoss(loss);
  const value = l.forward(out, target!);
  return { loss: value, dOutput: l.backward() };
}

/**
 * L = Σ of the output at the last time step, dL/dy = 1 there and 0 elsewhere. A (B,F) model
 * output has no time axis (it is the last step already); a bare layer's output is (T,F),
 * (T,B,F) or batch-first (B,T,F).
 */
function lastStepSum(out: Tensor, model: Module): { loss: number; dOutput: Tensor } {
  const d = Tensor.zeros(out.shape, out.dtype);
  const bare = model instanceof RecurrentBase;
  const s = out.shape, F = s[s.length - 1]!;
  // Time axis and its stride in elements; null when the output has no time axis.
  const time = s.length === 3 ? (bare && !model.batchFirst ? { T: s[0]!, stride: s[1]! * F } : { T: s[1]!, stride: F })
    : s.length === 2 && bare ? { T: s[0]!, stride: F } : null;
  let sum = 0;
  const rows = time ? out.size / (time.T * F) : 1;
  for (let r = 0; r < rows; r++) {
    // Row r's last step: time-major rows are consecutive inside the last time block; batch-first rows are T·F apart.
    const base = !time ? 0 : time.stride === F ? (r * time.T + time.T - 1) * F : (time.T - 1) * time.stride + r * F;
    const n = time ? F : out.size;
    for (let j = 0; j < n; j++) {
      sum += out.data[base + j]!;
      d.data[base + j] = 1;
    }
  }
  return { loss: sum, dOutput: d };
}

/** Every distinct gradient buffer in the tree (a container's children may share one). */
function gradBuffers(model: Module): FloatArray[] {
  const seen = new Set<FloatArray>();
  const walk = (m: Module): void => {
    if (m.flatGrad) seen.add(m.flatGrad);
    m.children().forEach(walk);
  };
  walk(model);
  return [...seen];
}
