/**
 * LSTM, GRU and RNN sequence layers, mirroring torch.nn (names, shapes, gate order, defaults),
 * with backpropagation through time written out.
 *
 * Shapes (PyTorch's): T time steps, B batch, I input size, H hidden size, Hout = projSize or H,
 * L layers, D = 2 if bidirectional else 1, Gc = gates·H (LSTM 4H in order i,f,g,o; GRU 3H in
 * order r,z,n; RNN H).
 *   input   x  (T,B,I), or (B,T,I) with batchFirst, or (T,I) unbatched
 *   output     (T,B,D·Hout)          h (L·D,B,Hout)          c (L·D,B,H)   (LSTM only)
 *
 * LSTM (the deck's equations, PyTorch's layout W = [W_i; W_f; W_g; W_o]):
 *   i = σ(W_ii x + b_ii + W_hi h + b_hi)     input gate
 *   f = σ(W_if x + b_if + W_hf h + b_hf)     forget gate
 *   g = tanh(W_ig x + b_ig + W_hg h + b_hg)  candidate cell C̃
 *   o = σ(W_io x + b_io + W_ho h + b_ho)     output gate
 *   c' = f ⊙ c + i ⊙ g                        the memory cell, a conveyor belt
 *   h' = o ⊙ tanh(c')                         hidden state (then h' = W_hr h' with projSize)
 * LSTM with peephole (Gers & Schmidhuber 2000; ONNX's P): weight_ph (3,H) = [p_i; p_f; p_o] and
 *   i = σ(… + p_i ⊙ c),  f = σ(… + p_f ⊙ c),  o = σ(… + p_o ⊙ c')   (the output gate sees the NEW cell)
 * GRU: r = σ(..), z = σ(..), n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1−z)⊙n + z⊙h.
 * RNN: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu).
 *
 * How the work is shaped (as cuDNN and oneDNN do): for each layer and direction the input
 * projection of all T steps is ONE matmul; each step then does one recurrent matmul and one
 * fused cell kernel; backward runs the steps in reverse, then computes every weight gradient
 * with ONE matmul over all steps. What forward keeps for backward is a typed cache per layer
 * direction (Activations: gates, h, c, ...; ActivationGrads for the backward), every buffer
 * sized in one method, cacheSizes, as llm.c's activation struct; inspect() returns views of
 * it. All buffers come from the backend and are reused across calls of the same or smaller
 * size; nothing is allocated inside the time loop.
 *
 * Variable lengths (PyTorch's packed sequences): batch row b is active at time t iff
 * t < lengths[b]. The forward direction freezes a finished row's state, so its final state is
 * taken at its own last step; the reverse direction keeps h0 until t = lengths[b]−1 and starts
 * there. Outputs past a row's end are zero.
 */
import type { FloatArray, RnnActivation, SequenceLayer } from '../kernels/backend.js';
import { Rng } from '../tensor/rng.js';
import { atLeast, checkInt } from '../tensor/check.js';
import { Tensor, shapeStr, sizeOf, swapLeadingAxes } from '../tensor/tensor.js';
import { glorotUniform, orthogonal, uniform } from './init.js';
import { checkLengths, type Batch, type ModelLayer } from './layers.js';
import { BufferSet, Module, Parameter, Workspace, type ModuleOptions } from './module.js';

export type RecurrentMode = 'lstm' | 'gru' | 'rnn';

/** Initialisation choices. Defaults are PyTorch's: every parameter U(−1/√H, 1/√H). */
export interface RecurrentInit {
  /** 'uniform' (PyTorch, default) or 'glorot' (Keras' glorot_uniform) for weight_ih. */
  weightIh?: 'uniform' | 'glorot';
  /** 'uniform' (PyTorch, default) or 'orthogonal' (Keras) for weight_hh, per gate block. */
  weightHh?: 'uniform' | 'orthogonal';
  /** LSTM only: forget-gate bias 1 in bias_ih, 0 in bias_hh, other biases 0 (Keras' unit_forget_bias). Default false. */
  unitForgetBias?: boolean;
}

/** Options shared by LSTM, GRU and RNN (torch.nn names in camelCase). */
export interface RecurrentOptions extends ModuleOptions {
  /** Features per time step, I. */
  inputSize: number;
  /** Hidden units per layer and direction, H. */
  hiddenSize: number;
  /** Stacked layers, L. Default 1. */
  numLayers?: number;
  /** Use bias_ih and bias_hh. Default true. */
  bias?: boolean;
  /** Input and output as (B,T,·) instead of (T,B,·). States stay (L·D,B,·), as in PyTorch. Default false. */
  batchFirst?: boolean;
  /** Dropout probability on each layer's output except the last, in training mode only. Default 0. */
  dropout?: number;
  /** Run a second, reverse-time direction and concatenate. Default false. */
  bidirectional?: boolean;
  /** Seed for initialisation and dropout. Default 0. */
  seed?: number;
  init?: RecurrentInit;
}

export interface LSTMOptions extends RecurrentOptions {
  /** If > 0, project h to this size with weight_hr (no bias), as PyTorch's proj_size. Default 0. */
  projSize?: number;
  /**
   * Peephole connections (Gers & Schmidhuber 2000; ONNX's P): per layer and direction a
   * parameter `weight_ph_l{k}[_reverse]` of shape (3, H), rows p_i, p_f, p_o, with
   * i = σ(… + p_i⊙c_{t−1}), f = σ(… + p_f⊙c_{t−1}), o = σ(… + p_o⊙c_t). torch.nn.LSTM has none
   * (saveTorchStateDict refuses such a layer by name). Default false.
   */
  peephole?: boolean;
}

export interface RNNOptions extends RecurrentOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: RnnActivation;
}

export interface ForwardOptions {
  /** Initial hidden state (L·D,B,Hout). Default zeros. */
  h0?: Tensor;
  /** Initial cell state (L·D,B,H), LSTM only. Default zeros. */
  c0?: Tensor;
  /** True length of each batch item, each in 1..T. Default: all T. */
  lengths?: ArrayLike<number>;
}

export interface ForwardResult {
  /** (T,B,D·Hout), or (B,T,D·Hout) with batchFirst. */
  output: Tensor;
  /** Final hidden state (L·D,B,Hout). */
  h: Tensor;
  /** Final cell state (L·D,B,H); LSTM only. */
  c?: Tensor;
}

export interface BackwardOptions {
  /** dL/d(output), same shape as output. Default zeros. */
  dOutput?: Tensor;
  /** dL/d(final h) (L·D,B,Hout). Default zeros. */
  dh?: Tensor;
  /** dL/d(final c) (L·D,B,H). Default zeros. */
  dc?: Tensor;
}

export interface BackwardResult {
  /** dL/dx, same shape as the input. */
  dInput: Tensor;
  /** dL/dh0 (L·D,B,Hout). */
  dh0: Tensor;
  /** dL/dc0 (L·D,B,H); LSTM only. */
  dc0?: Tensor;
}

/** Buffer-level results (backend buffers, time-major; valid until the next forward). */
export interface RawForward {
  output: FloatArray; // (T,B,D·Hout)
  h: FloatArray; // (L·D,B,Hout)
  c: FloatArray | null; // (L·D,B,H)
}

export interface RawBackward {
  dInput: FloatArray | null; // (T,B,I); null when backwardRaw was told inputGrad = false
  dh0: FloatArray; // (L·D,B,Hout)
  dc0: FloatArray | null; // (L·D,B,H)
}

/** What one layer/direction saved in the last forward (for tracing and the explorer): views of its BPTT cache. */
export interface DirectionCache {
  layer: number;
  reverse: boolean;
  /** Activated gates by time (T,B,Gc): LSTM i,f,g,o; GRU r,z,n; RNN h. */
  gates: FloatArray;
  /** Hidden states by slot ((T+1),B,Hout): forward slot t+1 is h after time t, reverse slot t. */
  h: FloatArray;
  /** Cell states by slot ((T+1),B,H), LSTM only. */
  c: FloatArray | null;
  /** dL/dh_t by time (T,B,Hout) from the last backward, or null before one. */
  dh: FloatArray | null;
}

// ---------------------------------------------------------------- the BPTT cache

/**
 * What one layer direction's forward keeps for its backward (and for inspect()): the BPTT
 * cache, as llm.c's activation struct. Every buffer is sized in `cacheSizes`.
 */
type Activations = {
  /** (T,B,Gc) activated gates: LSTM i,f,g,o; GRU r,z,n; RNN h. */
  gates: FloatArray;
  /** ((T+1),B,Hout) hidden state by slot: h0 in slot 0 forward, slot T reverse; h after time t in slot t+1 forward, slot t reverse. */
  h: FloatArray;
  /** ((T+1),B,H) LSTM cell state by slot, as h. */
  c: FloatArray | null;
  /** (T,B,H) LSTM with projSize: m = o⊙tanh(c), the hidden state before W_hr. */
  m: FloatArray | null;
  /** (T,B,H) GRU: W_hn·h_{t−1} + b_hn, the n gate's recurrent part (r multiplies it). */
  hn: FloatArray | null;
  /** (B,3H) GRU: h_{t−1}·W_hhᵀ + b_hh of the current step (scratch, rewritten every step). */
  hg: FloatArray | null;
};

/** What one layer direction's backward computes (dh is kept for inspect()). */
type ActivationGrads = {
  /** (T,B,Gc) dL/d(gate pre-activations); GRU: of the input part x·W_ihᵀ + b_ih. */
  dGates: FloatArray;
  /** (T,B,3H) GRU: dL/d(h·W_hhᵀ + b_hh), which differs from dGates in the n gate; null otherwise. */
  dHg: FloatArray | null;
  /** (T,B,Hout) dL/dh_t: from the output above plus from step t+1. */
  dh: FloatArray;
};

/** One layer's output and the dropout applied to it before the next layer. */
type LayerOutput = {
  /** (T,B,D·Hout) the directions' h side by side, zero past each row's end. */
  y: FloatArray;
  /** (T,B,D·Hout) dropout mask, each 0 or 1/(1−p); null when no dropout follows this layer. */
  mask: FloatArray | null;
  /** (T,B,D·Hout) y ⊙ mask, the next layer's input; null when no dropout. */
  dropped: FloatArray | null;
};

/** The whole stack's final states (forward) and the gradients of the initial ones (backward). */
type States = {
  /** (L·D,B,Hout) h after the last step of each layer direction. */
  hN: FloatArray;
  /** (L·D,B,H) c likewise, LSTM only. */
  cN: FloatArray | null;
};
type StateGrads = {
  /** (L·D,B,Hout) dL/dh0. */
  dh0: FloatArray;
  /** (L·D,B,H) dL/dc0, LSTM only. */
  dc0: FloatArray | null;
  /** (B,Hout) dL/dh_{t−1} running back through one layer direction's steps. */
  dhRun: FloatArray;
  /** (B,H) dL/dc_{t−1} likewise, LSTM only. */
  dcRun: FloatArray | null;
  /** (B,H) dL/dm of the current step, LSTM with projSize only. */
  dm: FloatArray | null;
};

/** dL/d(a layer's input) (T,B,I_l); null for the first layer when backwardRaw's inputGrad is false. */
type InputGrad = { dx: FloatArray | null };

/** Element counts for the fields of T (0: the layer has no such buffer). */
type Sizes<T> = { readonly [K in keyof T]: number };

/** One layer's buffers, kept between calls: its output, dL/d(its input), and its directions' caches. */
interface LayerBuffers {
  out: BufferSet<LayerOutput>;
  dInput: BufferSet<InputGrad>;
  acts: BufferSet<Activations>[]; // [direction]
  grads: BufferSet<ActivationGrads>[]; // [direction]
}

interface LayerParams {
  wIh: Parameter; // (Gc, I_l)
  wHh: Parameter; // (Gc, Hout)
  bIh: Parameter | null; // (Gc)
  bHh: Parameter | null; // (Gc)
  wHr: Parameter | null; // (Hout, H)
  wPh: Parameter | null; // (3, H) peepholes p_i, p_f, p_o
}

/** Gate blocks per cell: LSTM i,f,g,o; GRU r,z,n; RNN one. */
export const GATE_COUNT: Record<RecurrentMode, number> = { lstm: 4, gru: 3, rnn: 1 };

/** Shared implementation of LSTM, GRU and RNN. */
export abstract class RecurrentBase extends Module implements ModelLayer {
  readonly mode: RecurrentMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  /** LSTM peephole connections (weight_ph_l{k}: p_i, p_f, p_o). */
  readonly peephole: boolean;
  readonly nonlinearity: RnnActivation;
  readonly seed: number;
  /** Generator for dropout masks (seeded from `seed`). */
  readonly rng: Rng;
  private readonly layers: LayerParams[][] = []; // [layer][direction]
  /** Copies of the Tensor API's inputs into backend buffers (forward / backward). */
  private readonly ws = new Workspace(this);
  private readonly states = new BufferSet<States>(this);
  private readonly stateGrads = new BufferSet<StateGrads>(this);
  private readonly buffers: LayerBuffers[] = []; // [layer]
  /** The last forward: its sizes and input, and per layer the views its backward reads. */
  private last: {
    T: number; B: number; lengths: Int32Array | null;
    inputShape: number[]; layout: 'tbi' | 'bti' | 'ti'; x: FloatArray;
    outputs: LayerOutput[]; // [layer]
    acts: Activations[][]; // [layer][direction]
    grads: ActivationGrads[][] | null; // [layer][direction], from a backward since
  } | null = null;

  constructor(mode: RecurrentMode, opts: RecurrentOptions & { projSize?: number; peephole?: boolean; nonlinearity?: RnnActivation }) {
    super(opts);
    this.mode = mode;
    this.inputSize = checkInt(`${this.kind}: inputSize`, opts.inputSize, atLeast(1));
    this.hiddenSize = checkInt(`${this.kind}: hiddenSize`, opts.hiddenSize, atLeast(1));
    this.numLayers = checkInt(`${this.kind}: numLayers`, opts.numLayers ?? 1, atLeast(1));
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = opts.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new RangeError(`${this.kind}: dropout must be in [0, 1), got ${opts.dropout}`);
    this.bidirectional = opts.bidirectional ?? false;
    this.projSize = checkInt(`${this.kind}: projSize`, opts.projSize ?? 0, atLeast(0));
    if (this.projSize > 0 && mode !== 'lstm') throw new RangeError(`${this.kind}: projSize is only supported by LSTM`);
    if (this.projSize >= this.hiddenSize) throw new RangeError(`${this.kind}: projSize (${this.projSize}) must be smaller than hiddenSize (${this.hiddenSize})`);
    this.peephole = opts.peephole ?? false;
    if (typeof this.peephole !== 'boolean') throw new TypeError(`${this.kind}: peephole must be true or false, got ${JSON.stringify(opts.peephole)}`);
    if (this.peephole && mode !== 'lstm') throw new RangeError(`${this.kind}: peephole is only supported by LSTM`);
    this.nonlinearity = opts.nonlinearity ?? 'tanh';
    if (this.nonlinearity !== 'tanh' && this.nonlinearity !== 'relu') throw new RangeError(`RNN: nonlinearity must be 'tanh' or 'relu', got '${String(opts.nonlinearity)}'`);
    this.seed = opts.seed ?? 0;

    const Gc = GATE_COUNT[mode] * this.hiddenSize;
    const Hout = this.hOut;
    for (let l = 0; l < this.numLayers; l++) {
      const I = l === 0 ? this.inputSize : this.numDirections * Hout;
      const dirs: LayerParams[] = [];
      for (let d = 0; d < this.numDirections; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        // PyTorch's order within a layer/direction: w_ih, w_hh, b_ih, b_hh, w_hr; then our w_ph.
        const wIh = this.addParameter(`weight_ih${sfx}`, [Gc, I]);
        const wHh = this.addParameter(`weight_hh${sfx}`, [Gc, Hout]);
        const bIh = this.bias ? this.addParameter(`bias_ih${sfx}`, [Gc]) : null;
        const bHh = this.bias ? this.addParameter(`bias_hh${sfx}`, [Gc]) : null;
        const wHr = this.projSize > 0 ? this.addParameter(`weight_hr${sfx}`, [this.projSize, this.hiddenSize]) : null;
        const wPh = this.peephole ? this.addParameter(`weight_ph${sfx}`, [3, this.hiddenSize]) : null;
        dirs.push({ wIh, wHh, bIh, bHh, wHr, wPh });
      }
      this.layers.push(dirs);
      this.buffers.push({
        out: new BufferSet(this), dInput: new BufferSet(this),
        acts: dirs.map(() => new BufferSet(this)), grads: dirs.map(() => new BufferSet(this)),
      });
    }
    this.allocateParameters();
    const rng = new Rng(this.seed);
    this.initParameters(rng, opts.init ?? {});
    this.rng = rng.fork();
  }

  /** 'LSTM', 'GRU' or 'RNN'. */
  get kind(): string {
    return this.mode.toUpperCase();
  }
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }
  /** Size of h: projSize if set, else hiddenSize. */
  get hOut(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }
  /** Last dimension of the output, D·Hout. */
  get outputSize(): number {
    return this.numDirections * this.hOut;
  }

  /** The layer type ('LSTM', 'GRU', 'RNN') and the constructor options that rebuild it (saved with the weights). */
  config(): Record<string, unknown> {
    const c: Record<string, unknown> = {
      type: this.kind, inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers, bias: this.bias,
      batchFirst: this.batchFirst, dropout: this.dropout, bidirectional: this.bidirectional, seed: this.seed,
    };
    if (this.mode === 'lstm') c.projSize = this.projSize;
    if (this.peephole) c.peephole = true; // only when set, so configs of plain LSTMs stay as they were
    if (this.mode === 'rnn') c.nonlinearity = this.nonlinearity;
    return c;
  }

  private initParameters(rng: Rng, init: RecurrentInit): void {
    const H = this.hiddenSize, k = 1 / Math.sqrt(H), g = GATE_COUNT[this.mode];
    const w = this.flat;
    for (const dirs of this.layers) {
      for (const p of dirs) {
        // PyTorch draws every parameter from U(−k, k) in registration order (peepholes too, last).
        for (const q of [p.wIh, p.wHh, p.bIh, p.bHh, p.wHr, p.wPh]) if (q) uniform(w, q.offset, q.size, -k, k, rng);
        if (init.weightIh === 'glorot') {
          // Keras treats the whole (I, Gc) kernel as one matrix.
          glorotUniform(w, p.wIh.offset, p.wIh.shape[0]!, p.wIh.shape[1]!, rng);
        }
        if (init.weightHh === 'orthogonal') {
          const Hout = p.wHh.shape[1]!;
          for (let j = 0; j < g; j++) orthogonal(w, p.wHh.offset + j * H * Hout, H, Hout, rng);
        }
        if (init.unitForgetBias) {
          if (this.mode !== 'lstm') throw new RangeError(`${this.kind}: unitForgetBias is for LSTM only`);
          for (const b of [p.bIh, p.bHh]) if (b) w.fill(0, b.offset, b.offset + b.size);
          if (p.bIh) w.fill(1, p.bIh.offset + H, p.bIh.offset + 2 * H);
        }
      }
    }
  }

  override releaseWorkspace(): void {
    this.ws.release();
    this.states.release();
    this.stateGrads.release();
    for (const b of this.buffers) for (const set of [b.out, b.dInput, ...b.acts, ...b.grads]) set.release();
    this.last = null;
  }

  /**
   * Element counts of every buffer a forward and backward over T steps of B rows use: the one
   * place they are decided (llm.c's fill_in_activation_sizes), 0 where this layer has none.
   * A new per-step buffer is a field in Activations (or ActivationGrads) and its line here
   * (the types insist on one); it is then allocated, reused and released like the others.
   * `inputGrad`: whether the backward computes dL/dx of the first layer.
   */
  private cacheSizes(T: number, B: number, inputGrad = true) {
    const H = this.hiddenSize, Hout = this.hOut, Gc = GATE_COUNT[this.mode] * H, TB = T * B, O = this.outputSize;
    const L = this.numLayers, LD = L * this.numDirections;
    const lstm = this.mode === 'lstm', gru = this.mode === 'gru', proj = this.projSize > 0;
    // Per layer: its output, with the dropout between layers (training only), and dL/d(its input).
    const output: Sizes<LayerOutput>[] = [], dInput: Sizes<InputGrad>[] = [];
    for (let l = 0; l < L; l++) {
      const dropped = this.training && this.dropout > 0 && l < L - 1 ? TB * O : 0;
      output.push({ y: TB * O, mask: dropped, dropped });
      dInput.push({ dx: l > 0 ? TB * O : inputGrad ? TB * this.inputSize : 0 });
    }
    return {
      // Per layer direction: the BPTT cache (forward) ...
      acts: {
        gates: TB * Gc,
        h: (T + 1) * B * Hout,
        c: lstm ? (T + 1) * B * H : 0,
        m: proj ? TB * H : 0,
        hn: gru ? TB * H : 0,
        hg: gru ? B * Gc : 0,
      } satisfies Sizes<Activations>,
      // ... and the backward's gradients.
      grads: { dGates: TB * Gc, dHg: gru ? TB * Gc : 0, dh: TB * Hout } satisfies Sizes<ActivationGrads>,
      output,
      dInput,
      // The whole stack: final states, and the gradients of the initial ones.
      states: { hN: LD * B * Hout, cN: lstm ? LD * B * H : 0 } satisfies Sizes<States>,
      stateGrads: { dh0: LD * B * Hout, dc0: lstm ? LD * B * H : 0, dhRun: B * Hout, dcRun: lstm ? B * H : 0, dm: proj ? B * H : 0 } satisfies Sizes<StateGrads>,
    };
  }

  /** Layer l, direction d as a backend's whole-sequence kernels see it (Backend.sequenceForward). */
  private sequenceLayer(l: number, d: number, T: number, B: number, lengths: Int32Array | null): SequenceLayer {
    const p = this.layers[l]![d]!;
    return {
      mode: this.mode, act: this.nonlinearity, T, B, I: p.wIh.shape[1]!, H: this.hiddenSize, Hout: this.hOut,
      W: this.flat, wIh: p.wIh.offset, wHh: p.wHh.offset, bIh: p.bIh?.offset ?? -1, bHh: p.bHh?.offset ?? -1, wHr: p.wHr?.offset ?? -1,
      lengths, reverse: d === 1,
    };
  }

  /** A named workspace buffer of n elements (reused across calls). */
  private buf(name: string, n: number, zero = false): FloatArray {
    return this.ws.get(name, n, zero);
  }

  // ---------------------------------------------------------------- public API

  /**
   * Run the whole sequence. x is (T,B,I), (B,T,I) with batchFirst, or (T,I) unbatched.
   * Returns fresh tensors (PyTorch's output, (h_n, c_n)).
   */
  forward(x: Tensor, opts: ForwardOptions = {}): ForwardResult {
    const name = `${this.kind}.forward`;
    if (!(x instanceof Tensor)) throw new TypeError(`${name}: input must be a Tensor`);
    let layout: 'tbi' | 'bti' | 'ti';
    let T: number, B: number;
    if (x.shape.length === 2) {
      layout = 'ti';
      [T, B] = [x.shape[0]!, 1];
    } else if (x.shape.length === 3) {
      layout = this.batchFirst ? 'bti' : 'tbi';
      [T, B] = this.batchFirst ? [x.shape[1]!, x.shape[0]!] : [x.shape[0]!, x.shape[1]!];
    } else {
      throw new RangeError(`${name}: input must be 3-D ${this.batchFirst ? '(B, T, I)' : '(T, B, I)'} or 2-D (T, I), got ${shapeStr(x.shape)}`);
    }
    const I = x.shape[x.shape.length - 1]!;
    if (I !== this.inputSize || T < 1 || B < 1) {
      const want = layout === 'ti' ? `(T, ${this.inputSize})` : this.batchFirst ? `(B, T, ${this.inputSize})` : `(T, B, ${this.inputSize})`;
      throw new RangeError(`${name}: input must be ${want} with T, B ≥ 1, got ${shapeStr(x.shape)}`);
    }
    // Copy the input into a backend buffer, time-major.
    const xb = this.buf('x', T * B * I);
    copyToTimeMajor(xb, x.data, T, B, I, layout === 'bti');

    const unb = layout === 'ti';
    const { h: h0, c: c0 } = this.statesIn(name, ['h0', 'c0'], opts.h0, opts.c0, B, unb);
    let lengths: Int32Array | null = null;
    if (opts.lengths !== undefined) {
      const checked = checkLengths(opts.lengths, B, T, name);
      lengths = this.ws.getInt('lengths', B);
      lengths.set(checked);
    }
    const raw = this.forwardRaw(xb, T, B, { h0, c0, lengths });
    this.last!.layout = layout;
    this.last!.inputShape = [...x.shape];

    const O = this.outputSize;
    const output = Tensor.zeros(seqShape(layout, T, B, O), this.dtype);
    copyFromTimeMajor(output.data, raw.output, T, B, O, layout === 'bti');
    const [h, c] = this.statesOut(raw.h, raw.c, B, unb);
    return c ? { output, h, c } : { output, h };
  }

  /**
   * Backpropagation through time for the last forward. Parameter gradients are ACCUMULATED
   * into `grads` (call zeroGrad() between steps). Returns gradients of the input and initial states.
   */
  backward(opts: BackwardOptions = {}): BackwardResult {
    const name = `${this.kind}.backward`;
    const last = this.last;
    if (!last) throw new Error(`${name}: call forward first`);
    const { T, B, layout } = last;
    const O = this.outputSize, I = this.inputSize;
    const unb = layout === 'ti';
    let dOut: FloatArray | null = null;
    if (opts.dOutput) {
      expectShape(name, 'dOutput', opts.dOutput, seqShape(layout, T, B, O));
      dOut = this.buf('dOutIn', T * B * O);
      copyToTimeMajor(dOut, opts.dOutput.data, T, B, O, layout === 'bti');
    }
    const { h: dh, c: dc } = this.statesIn(name, ['dh', 'dc'], opts.dh, opts.dc, B, unb);
    const raw = this.backwardRaw(dOut, dh, dc);
    const dInput = Tensor.zeros(last.inputShape, this.dtype);
    copyFromTimeMajor(dInput.data, raw.dInput!, T, B, I, layout === 'bti');
    const [dh0, dc0] = this.statesOut(raw.dh0, raw.dc0, B, unb);
    return dc0 ? { dInput, dh0, dc0 } : { dInput, dh0 };
  }

  /**
   * One time step for streaming: x_t is (B,I) (or (I) unbatched); state from the previous call
   * (zeros if absent). Returns the output (B,Hout) and the new state. Unidirectional only.
   */
  step(xt: Tensor, state: { h?: Tensor; c?: Tensor } = {}): { output: Tensor; h: Tensor; c?: Tensor } {
    if (this.bidirectional) throw new Error(`${this.kind}.step: a bidirectional layer needs the whole sequence; use forward`);
    const unb = xt.shape.length === 1;
    if (!unb && xt.shape.length !== 2) throw new RangeError(`${this.kind}.step: x_t must be (B, ${this.inputSize}) or (${this.inputSize}), got ${shapeStr(xt.shape)}`);
    const B = unb ? 1 : xt.shape[0]!;
    const x = new Tensor(xt.data, unb ? [1, xt.shape[0]!] : this.batchFirst ? [B, 1, xt.shape[1]!] : [1, B, xt.shape[1]!]);
    const r = this.forward(x, { h0: state.h, c0: state.c });
    return { output: r.output.reshape(unb ? [this.hOut] : [B, this.hOut]), h: r.h, ...(r.c ? { c: r.c } : {}) };
  }

  /** Views of what the last forward (and backward) saved, per layer and direction. */
  inspect(): { T: number; B: number; lengths: Int32Array | null; directions: DirectionCache[] } {
    const last = this.last;
    if (!last) throw new Error(`${this.kind}.inspect: call forward first`);
    const directions: DirectionCache[] = [];
    last.acts.forEach((dirs, l) => dirs.forEach((a, d) => {
      directions.push({ layer: l, reverse: d === 1, gates: a.gates, h: a.h, c: a.c, dh: last.grads?.[l]![d]!.dh ?? null });
    }));
    return { T: last.T, B: last.B, lengths: last.lengths, directions };
  }

  // ------------------------------------------------- inside a Sequential (ModelLayer)

  outputFeatures(inF: number, where: string): number {
    if (inF !== this.inputSize) throw new RangeError(`${where}: ${this.kind} expects ${this.inputSize} input features, the previous layer gives ${inF}`);
    return this.outputSize;
  }

  /** x (T,B,F) time-major with its lengths → output (T,B,D·Hout), a buffer of this layer. */
  forwardBatch(x: Batch): Batch {
    if (!x.seq) throw new RangeError(`${this.kind}: input must be a sequence (B,T,F)`);
    const r = this.forwardRaw(x.data, x.T, x.B, { lengths: x.lengths });
    return { data: r.output, T: x.T, B: x.B, F: this.outputSize, seq: true, lengths: x.lengths };
  }

  /** dy (T,B,D·Hout) → dL/dx (T,B,F), or null when needInput is false; accumulates the weight gradients. */
  backwardBatch(dy: FloatArray, needInput = true): FloatArray | null {
    return this.backwardRaw(dy, null, null, needInput).dInput;
  }

  // ---------------------------------------------------------------- buffer-level core

  /**
   * Forward on backend buffers. x (T,B,I) time-major; h0 (L·D,B,Hout), c0 (L·D,B,H) and
   * lengths (B) optional, all owned by this layer's backend.
   */
  forwardRaw(x: FloatArray, T: number, B: number,
    opts: { h0?: FloatArray | null; c0?: FloatArray | null; lengths?: Int32Array | null } = {}): RawForward {
    const be = this.backend, w = this.flat;
    const H = this.hiddenSize, Hout = this.hOut, Gc = GATE_COUNT[this.mode] * H, D = this.numDirections, O = this.outputSize;
    const L = this.numLayers, TB = T * B;
    const lengths = opts.lengths ?? null;
    const sizes = this.cacheSizes(T, B);
    const { hN, cN } = this.states.views(sizes.states);
    const outputs: LayerOutput[] = [], acts: Activations[][] = [];
    let X = x, I = this.inputSize;
    for (let l = 0; l < L; l++) {
      const out = this.buffers[l]!.out.views(sizes.output[l]!);
      const Y = out.y;
      outputs.push(out);
      acts.push([]);
      for (let d = 0; d < D; d++) {
        const p = this.layers[l]![d]!, rev = d === 1, sd = l * D + d;
        const a = this.buffers[l]!.acts[d]!.views(sizes.acts);
        acts[l]!.push(a);
        const { gates: G, h: Hs, c: Cs, m: M, hn: HN, hg } = a;
        // Initial state into its slot: slot 0 forward, slot T reverse.
        const s0 = rev ? T : 0;
        if (opts.h0) be.copy(Hs, s0 * B * Hout, opts.h0, sd * B * Hout, B * Hout);
        else Hs.fill(0, s0 * B * Hout, (s0 + 1) * B * Hout);
        if (Cs) {
          if (opts.c0) be.copy(Cs, s0 * B * H, opts.c0, sd * B * H, B * H);
          else Cs.fill(0, s0 * B * H, (s0 + 1) * B * H);
        }
        // A backend may run the whole layer direction, input projection included, in one call
        // (the WebAssembly one does; not for peephole LSTMs, whose cells are per-step kernels
        // only); otherwise the projection and the steps below.
        const peep = p.wPh ? w : null, pOff = p.wPh?.offset ?? 0;
        const fused = !peep && be.sequenceForward?.(this.sequenceLayer(l, d, T, B, lengths), X, a) === true;
        if (!fused) {
          // Input projection of all T steps at once: G = X·W_ihᵀ + b_ih (+ b_hh; GRU keeps b_hh for its n gate).
          if (p.bIh) be.fillRows(G, 0, TB, Gc, w, p.bIh.offset, this.mode === 'gru' ? null : w, p.bHh!.offset);
          be.matmul(G, 0, X, 0, w, p.wIh.offset, TB, Gc, I, false, true, p.bIh !== null);
        }
        for (let s = 0; s < T && !fused; s++) {
          const t = rev ? T - 1 - s : s;
          const sp = rev ? t + 1 : t, sn = rev ? t : t + 1; // state slots before / after time t
          const gOff = t * B * Gc, hp = sp * B * Hout, hn = sn * B * Hout;
          if (this.mode === 'lstm') {
            be.matmul(G, gOff, Hs, hp, w, p.wHh.offset, B, Gc, Hout, false, true, true); // += h_{t−1}·W_hhᵀ
            if (M) {
              be.lstmCellForward(G, gOff, Cs!, sp * B * H, Cs!, sn * B * H, M, t * B * H, B, H, lengths, t, peep, pOff);
              be.matmul(Hs, hn, M, t * B * H, w, p.wHr!.offset, B, Hout, H, false, true, false); // h = m·W_hrᵀ
            } else {
              be.lstmCellForward(G, gOff, Cs!, sp * B * H, Cs!, sn * B * H, Hs, hn, B, H, lengths, t, peep, pOff);
            }
            if (lengths) be.keepInactiveRows(Hs, hn, Hs, hp, B, Hout, lengths, t);
          } else if (this.mode === 'gru') {
            if (p.bHh) be.fillRows(hg!, 0, B, Gc, w, p.bHh.offset, null, 0);
            be.matmul(hg!, 0, Hs, hp, w, p.wHh.offset, B, Gc, H, false, true, p.bHh !== null);
            be.gruCellForward(G, gOff, hg!, 0, HN!, t * B * H, Hs, hp, Hs, hn, B, H, lengths, t);
          } else {
            be.matmul(G, gOff, Hs, hp, w, p.wHh.offset, B, H, H, false, true, true);
            be.rnnCellForward(G, gOff, B, H, this.nonlinearity);
            be.copy(Hs, hn, G, gOff, B * H);
            if (lengths) be.keepInactiveRows(Hs, hn, Hs, hp, B, H, lengths, t);
          }
        }
        // Final state: slot T forward, slot 0 reverse.
        const sf = rev ? 0 : T;
        be.copy(hN, sd * B * Hout, Hs, sf * B * Hout, B * Hout);
        if (Cs) be.copy(cN!, sd * B * H, Cs, sf * B * H, B * H);
        // Output: this direction's half of Y; h after time t is slot t+1 forward, slot t reverse.
        const first = rev ? 0 : 1;
        if (D === 1) {
          be.copy(Y, 0, Hs, first * B * Hout, TB * Hout);
        } else {
          for (let r = 0; r < TB; r++) be.copy(Y, r * O + d * Hout, Hs, (first * B + r) * Hout, Hout);
        }
      }
      if (lengths) {
        for (let t = 0; t < T; t++) be.keepInactiveRows(Y, t * B * O, null, 0, B, O, lengths, t);
      }
      const { mask, dropped } = out;
      if (mask && dropped) {
        // Dropout between layers (training only): Y ⊙ mask, mask ∈ {0, 1/(1−p)}.
        const keep = 1 / (1 - this.dropout);
        for (let i = 0; i < TB * O; i++) mask[i] = this.rng.random() < this.dropout ? 0 : keep;
        be.mul(dropped, 0, Y, 0, mask, 0, TB * O);
        X = dropped;
      } else {
        X = Y;
      }
      I = O;
    }
    this.last = { T, B, lengths, inputShape: [], layout: 'tbi', x, outputs, acts, grads: null };
    return { output: outputs[L - 1]!.y, h: hN, c: cN };
  }

  /**
   * Backward on backend buffers for the last forwardRaw. dOutput (T,B,D·Hout), dh (L·D,B,Hout),
   * dc (L·D,B,H), each optional. Accumulates parameter gradients into flatGrad.
   * inputGrad = false skips dL/dx (one (T·B,G)·(G,I) matmul) when nothing reads it, e.g. the
   * first layer of a model; dInput is then null.
   */
  backwardRaw(dOutput: FloatArray | null, dh: FloatArray | null, dc: FloatArray | null, inputGrad = true): RawBackward {
    const last = this.last;
    if (!last) throw new Error(`${this.kind}.backward: call forward first`);
    const be = this.backend, w = this.flat, gw = this.flatGrad;
    const { T, B, lengths } = last;
    const H = this.hiddenSize, Hout = this.hOut, Gc = GATE_COUNT[this.mode] * H, D = this.numDirections, O = this.outputSize;
    const L = this.numLayers, TB = T * B;
    const sizes = this.cacheSizes(T, B, inputGrad);
    const running = this.stateGrads.views(sizes.stateGrads);
    const { dh0, dc0, dhRun, dcRun, dm } = running;
    const grads: ActivationGrads[][] = [];
    let dY: FloatArray | null = dOutput; // dL/d(output of layer l)
    let dXl: FloatArray | null = null; // dL/d(input of layer l)
    for (let l = L - 1; l >= 0; l--) {
      const I = l === 0 ? this.inputSize : O;
      const below = last.outputs[l - 1]; // the input of layer l > 0: the output of layer l − 1, after dropout
      const X = below ? below.dropped ?? below.y : last.x;
      dXl = this.buffers[l]!.dInput.views(sizes.dInput[l]!).dx;
      grads[l] = [];
      for (let d = 0; d < D; d++) {
        const p = this.layers[l]![d]!, rev = d === 1, sd = l * D + d;
        const { gates: G, h: Hs, c: Cs, m: M, hn: HN } = last.acts[l]![d]!;
        // dHs[t] = dL/dh_t: this direction's share of dOutput (zero past each row's end) ...
        const g = this.buffers[l]!.grads[d]!.views(sizes.grads, ['dh']);
        grads[l]!.push(g);
        const { dGates: dG, dh: dHs } = g, dHg = g.dHg ?? dG;
        if (dY) {
          if (D === 1) be.copy(dHs, 0, dY, 0, TB * Hout);
          else for (let r = 0; r < TB; r++) be.copy(dHs, r * Hout, dY, r * O + d * Hout, Hout);
          if (lengths) for (let t = 0; t < T; t++) be.keepInactiveRows(dHs, t * B * Hout, null, 0, B, Hout, lengths, t);
        }
        // ... plus, step by step, the gradient arriving from the step after.
        if (dh) be.copy(dhRun, 0, dh, sd * B * Hout, B * Hout);
        else dhRun.fill(0, 0, B * Hout);
        if (dcRun) {
          if (dc) be.copy(dcRun, 0, dc, sd * B * H, B * H);
          else dcRun.fill(0, 0, B * H);
        }
        const peep = p.wPh ? w : null, pOff = p.wPh?.offset ?? 0;
        const fused = !peep && be.sequenceBackward?.(this.sequenceLayer(l, d, T, B, lengths), last.acts[l]![d]!, g, running) === true;
        for (let s = T - 1; s >= 0 && !fused; s--) {
          const t = rev ? T - 1 - s : s;
          const sp = rev ? t + 1 : t, sn = rev ? t : t + 1;
          const gOff = t * B * Gc, hOff = t * B * Hout;
          be.add(dHs, hOff, dHs, hOff, dhRun, 0, B * Hout); // dL/dh_t = dOutput_t + (from t+1)
          if (this.mode === 'lstm') {
            if (dm) be.matmul(dm, 0, dHs, hOff, w, p.wHr!.offset, B, H, Hout, false, false, false); // dm = dh·W_hr
            be.lstmCellBackward(G, gOff, Cs!, sp * B * H, Cs!, sn * B * H, dm ?? dHs, dm ? 0 : hOff,
              dcRun!, 0, dG, gOff, B, H, lengths, t, peep, pOff);
            be.matmul(dhRun, 0, dG, gOff, w, p.wHh.offset, B, Hout, Gc, false, false, false); // dh_{t−1} = dG·W_hh
            if (lengths) be.keepInactiveRows(dhRun, 0, dHs, hOff, B, Hout, lengths, t);
          } else if (this.mode === 'gru') {
            be.gruCellBackward(G, gOff, HN!, t * B * H, Hs, sp * B * H, dHs, hOff, dG, gOff, dHg, gOff, dhRun, 0, B, H, lengths, t);
            be.matmul(dhRun, 0, dHg, gOff, w, p.wHh.offset, B, H, Gc, false, false, true); // += dHg·W_hh
          } else {
            be.rnnCellBackward(G, gOff, dHs, hOff, dG, gOff, B, H, this.nonlinearity, lengths, t);
            be.matmul(dhRun, 0, dG, gOff, w, p.wHh.offset, B, H, H, false, false, false);
            if (lengths) be.keepInactiveRows(dhRun, 0, dHs, hOff, B, H, lengths, t);
          }
        }
        be.copy(dh0, sd * B * Hout, dhRun, 0, B * Hout);
        if (dcRun) be.copy(dc0!, sd * B * H, dcRun, 0, B * H);
        // Weight gradients over all steps, one matmul each.
        const hPrev = rev ? B * Hout : 0; // h_{t−1} for t = 0..T−1: slots 0..T−1 forward, 1..T reverse
        be.matmul(gw, p.wIh.offset, dG, 0, X, 0, Gc, I, TB, true, false, true); // dW_ih += dGᵀ·X
        be.matmul(gw, p.wHh.offset, dHg, 0, Hs, hPrev, Gc, Hout, TB, true, false, true); // dW_hh += dGᵀ·H_prev
        if (p.bIh && p.bHh && dHg === dG) {
          // LSTM, RNN: both biases receive the same column sums of dG; sum once, add twice.
          const sum = this.buf('biasGrad', Gc);
          be.sumRows(sum, 0, dG, 0, TB, Gc, false);
          be.add(gw, p.bIh.offset, gw, p.bIh.offset, sum, 0, Gc);
          be.add(gw, p.bHh.offset, gw, p.bHh.offset, sum, 0, Gc);
        } else {
          if (p.bIh) be.sumRows(gw, p.bIh.offset, dG, 0, TB, Gc, true);
          if (p.bHh) be.sumRows(gw, p.bHh.offset, dHg, 0, TB, Gc, true);
        }
        if (M) be.matmul(gw, p.wHr!.offset, dHs, 0, M, 0, Hout, H, TB, true, false, true); // dW_hr += dhᵀ·m
        // dW_ph over all steps: c_{t−1} for t = 0..T−1 is slots 0..T−1 forward, 1..T reverse; c_t the others.
        if (p.wPh) be.lstmPeepholeGrad(gw, p.wPh.offset, dG, 0, Cs!, rev ? B * H : 0, Cs!, rev ? 0 : B * H, TB, H);
        if (dXl) be.matmul(dXl, 0, dG, 0, w, p.wIh.offset, TB, I, Gc, false, false, d > 0); // dX (+)= dG·W_ih
      }
      if (l > 0) {
        // Through the dropout between layers l−1 and l.
        const mask = last.outputs[l - 1]!.mask;
        if (mask) be.mul(dXl!, 0, dXl!, 0, mask, 0, TB * O);
        dY = dXl;
      }
    }
    last.grads = grads;
    return { dInput: dXl, dh0, dc0 };
  }

  /**
   * Optional state tensors → shape-checked copies in backend buffers: h (L·D,B,Hout) and c
   * (L·D,B,H), LSTM only; (L·D,·) when unbatched. `names` ([h0, c0] or [dh, dc]) label them.
   */
  private statesIn(where: string, names: [string, string], h: Tensor | undefined, c: Tensor | undefined, B: number, unb: boolean): { h: FloatArray | null; c: FloatArray | null } {
    const copyIn = (what: string, t: Tensor, w: number): FloatArray => {
      expectShape(where, what, t, this.stateShape(w, B, unb));
      const b = this.buf(`${what}In`, t.size);
      for (let i = 0; i < t.size; i++) b[i] = t.data[i]!;
      return b;
    };
    const hb = h ? copyIn(names[0], h, this.hOut) : null;
    if (c && this.mode !== 'lstm') throw new RangeError(`${where}: ${names[1]} is only for LSTM`);
    return { h: hb, c: c ? copyIn(names[1], c, this.hiddenSize) : null };
  }

  /** State buffers → fresh tensors: h (L·D,B,Hout), c (L·D,B,H) or null; (L·D,·) when unbatched. */
  private statesOut(h: FloatArray, c: FloatArray | null, B: number, unb: boolean): [Tensor, Tensor | null] {
    const out = (b: FloatArray, w: number): Tensor => {
      const shape = this.stateShape(w, B, unb);
      return new Tensor(b.slice(0, sizeOf(shape)), shape);
    };
    return [out(h, this.hOut), c ? out(c, this.hiddenSize) : null];
  }

  /** (L·D,B,w), or (L·D,w) unbatched. */
  private stateShape(w: number, B: number, unb: boolean): number[] {
    const LD = this.numLayers * this.numDirections;
    return unb ? [LD, w] : [LD, B, w];
  }
}

/** Long short-term memory, as torch.nn.LSTM; `peephole: true` adds Gers & Schmidhuber's peepholes (ONNX's P). */
export class LSTM extends RecurrentBase {
  constructor(opts: LSTMOptions) {
    super('lstm', opts);
  }
}

/** Gated recurrent unit, as torch.nn.GRU. */
export class GRU extends RecurrentBase {
  constructor(opts: RecurrentOptions) {
    super('gru', opts);
  }
}

/** Elman RNN with tanh or relu, as torch.nn.RNN. */
export class RNN extends RecurrentBase {
  constructor(opts: RNNOptions) {
    super('rnn', opts);
  }
}

/** An LSTM, GRU or RNN by mode (for importers); `nonlinearity` goes to the RNN only, `projSize` and `peephole` to the LSTM. */
export function makeRecurrent(mode: RecurrentMode, opts: RNNOptions & LSTMOptions): RecurrentBase {
  if (mode === 'rnn') return new RNN(opts);
  const { nonlinearity: _unused, ...rest } = opts;
  return mode === 'lstm' ? new LSTM(rest) : new GRU(rest);
}

function expectShape(where: string, what: string, t: Tensor, want: number[]): void {
  if (!(t instanceof Tensor)) throw new TypeError(`${where}: ${what} must be a Tensor`);
  if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
    throw new RangeError(`${where}: ${what} must have shape ${shapeStr(want)}, got ${shapeStr(t.shape)}`);
  }
}

/** Shape of a sequence tensor in the user's layout: (T,F) unbatched, (B,T,F) batch-first, else (T,B,F). */
function seqShape(layout: 'tbi' | 'bti' | 'ti', T: number, B: number, F: number): number[] {
  return layout === 'ti' ? [T, F] : layout === 'bti' ? [B, T, F] : [T, B, F];
}

/** dst (T,B,F) ← src, which is (T,B,F) or, if batchFirst, (B,T,F). */
function copyToTimeMajor(dst: FloatArray, src: FloatArray, T: number, B: number, F: number, batchFirst: boolean): void {
  if (batchFirst) swapLeadingAxes(dst, src, B, T, F);
  else dst.set(src.subarray(0, T * B * F));
}

/** dst, (T,B,F) or (B,T,F) if batchFirst ← src (T,B,F). */
function copyFromTimeMajor(dst: FloatArray, src: FloatArray, T: number, B: number, F: number, batchFirst: boolean): void {
  if (batchFirst) swapLeadingAxes(dst, src, T, B, F);
  else dst.set(src.subarray(0, T * B * F));
}
