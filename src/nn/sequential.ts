/**
 * Sequential: a model as a list of layers run one after another (Embedding, LSTM/GRU/RNN,
 * Dropout, LastStep, Dense), with one flat parameter buffer for the whole model, so the
 * optimizer, clipping and checkpoints each see a single array. Parameter names are
 * `${layerName}.${paramName}` (`lstm.weight_ih_l0`, `fc.weight`), matching a PyTorch module
 * with submodules of those names.
 *
 * At the boundary data is batch-first, as users hold it: numeric series x (B,T,F), token ids
 * (B,T), or plain rows (B,F) for a model without recurrent layers; optional `lengths` (B) for
 * padded batches. Inside, the batch is transposed ONCE to time-major (T,B,F), the layout the
 * recurrent kernels run in; row-wise layers treat it as T·B rows; the output is transposed back.
 * Lengths travel with the batch: recurrent layers freeze finished rows, LastStep takes each
 * row's own last step, and the trainer masks per-step losses past each row's end.
 *
 * Inference may run elsewhere: `setEngine` (called by io/onnx's `compile`) attaches an
 * InferenceEngine that eval-mode forward and predict hand their input to.
 */
import type { FloatArray } from '../kernels/backend.js';
import { Tensor, shapeStr, swapLeadingAxes } from '../tensor/tensor.js';
import { Dense, Dropout, Embedding, LastStep, checkLengths, type Batch, type ModelLayer } from './layers.js';
import type { InferenceEngine } from './engine.js';
import { Module, Workspace, type ModuleOptions, type TensorLike } from './module.js';
import { GRU, LSTM, RNN, RecurrentBase } from './recurrent.js';
import type { Task, Trainable } from './trainable.js';
import { Rng } from '../tensor/rng.js';
import { checkInt } from '../tensor/check.js';

export type { Task } from './trainable.js';

export interface SequentialOptions extends ModuleOptions {
  /** Default 'regression'. */
  task?: Task;
}

/** JSON-able description of a Sequential model (saved in model files). */
export interface SequentialConfig {
  task: Task;
  dtype: string;
  layers: Array<{ name: string; type: string; options: Record<string, unknown> }>;
}

/** A checked model input: (B,T,F) sequences (F 1 for token ids) or, with seq false, (B,F) rows. */
interface InputShape {
  B: number;
  T: number;
  F: number;
  seq: boolean;
  lengths: Int32Array | null;
}

/** A layer, or a [name, layer] pair (names become parameter-name prefixes). */
export type LayerEntry = Module | [name: string, layer: Module];

/** The layer as the model's batch protocol sees it (every layer of nn/ implements ModelLayer). */
function asModelLayer(m: Module): ModelLayer {
  const l = m as unknown as Partial<ModelLayer>;
  if (typeof l.forwardBatch !== 'function' || typeof l.backwardBatch !== 'function' || typeof l.config !== 'function') {
    throw new TypeError(`Sequential: ${m.constructor.name} is not a model layer (needs forwardBatch/backwardBatch/config)`);
  }
  return l as ModelLayer;
}

/**
 * A stack of layers with one flat parameter buffer. Training is a free function over it
 * (`fit`, `evaluate` in train/), not a method: layers never know the trainer.
 *
 * ```ts
 * const model = new Sequential([
 *   ['lstm', new LSTM({ inputSize: 1, hiddenSize: 32, batchFirst: true })],
 *   ['last', new LastStep()],
 *   ['fc', new Dense({ inputSize: 32, outputSize: 1 })],
 * ]);
 * const history = await fit(model, { x, y, epochs: 50, batchSize: 16, loss: 'mse' });
 * ```
 */
export class Sequential extends Module implements Trainable {
  readonly layers: Module[];
  readonly layerNames: string[];
  readonly task: Task;
  /** The layers, seen through the batch protocol. */
  private readonly batchLayers: ModelLayer[];
  /** Input kind: token ids (B,T), sequences (B,T,F) or rows (B,F) / sequences for a Dense-only model. */
  readonly inputKind: 'ids' | 'sequence' | 'any';
  /** Features per step the model expects (1 for token ids). */
  readonly inputSize: number;
  /** Features of the output's last dimension. */
  readonly outputSize: number;
  private readonly ws = new Workspace(this);
  private out: Batch | null = null;
  private attached: InferenceEngine | null = null;
  /** The engine that ran the last forward, when one did (backward then has nothing to work on). */
  private lastRanOn: string | null = null;

  constructor(layers: LayerEntry[], opts: SequentialOptions = {}) {
    if (!Array.isArray(layers) || layers.length === 0) throw new RangeError('Sequential: give at least one layer');
    const mods = layers.map((e) => (Array.isArray(e) ? e[1] : e));
    const first = mods[0]!;
    super({ backend: opts.backend ?? first.backend.name, dtype: opts.dtype ?? first.dtype });
    this.task = opts.task ?? 'regression';
    if (!['regression', 'classification', 'language-model'].includes(this.task)) throw new RangeError(`Sequential: task must be 'regression', 'classification' or 'language-model', got '${String(opts.task)}'`);
    this.layers = mods;
    this.layerNames = layers.map((e, i) => (Array.isArray(e) ? e[0] : String(i)));
    const seen = new Set<string>();
    this.layerNames.forEach((n, i) => {
      if (typeof n !== 'string' || n === '' || n.includes('.')) throw new RangeError(`Sequential: layer ${i} name must be a non-empty string without dots, got ${JSON.stringify(n)}`);
      if (seen.has(n)) throw new RangeError(`Sequential: two layers are named "${n}"`);
      seen.add(n);
    });
    mods.forEach((m, i) => {
      if (!(m instanceof Module)) throw new TypeError(`Sequential: layer ${i} is not a Module`);
      if (m.dtype !== this.dtype) throw new RangeError(`Sequential: layer "${this.layerNames[i]}" is ${m.dtype}, the model is ${this.dtype}`);
      if (m.backend !== this.backend) m.to(this.backend.name);
    });
    this.batchLayers = mods.map(asModelLayer);
    // Input kind and feature sizes, checked through the stack.
    if (first instanceof Embedding) [this.inputKind, this.inputSize] = ['ids', 1];
    else if (first instanceof RecurrentBase) [this.inputKind, this.inputSize] = ['sequence', first.inputSize];
    else if (first instanceof Dense) [this.inputKind, this.inputSize] = ['any', first.inputSize];
    else throw new RangeError(`Sequential: the first layer must be Embedding, LSTM/GRU/RNN or Dense, got ${first.constructor.name}`);
    let F = this.inputSize;
    this.batchLayers.forEach((a, i) => {
      F = a.outputFeatures(F, `Sequential layer "${this.layerNames[i]}"`);
    });
    this.outputSize = F;
    this.rehome();
  }

  override children(): Module[] {
    return this.layers;
  }

  override childName(i: number): string {
    return this.layerNames[i]!;
  }

  /** The layer with this name. */
  layer(name: string): Module {
    const i = this.layerNames.indexOf(name);
    if (i < 0) throw new RangeError(`Sequential: no layer named "${name}" (layers: ${this.layerNames.join(', ')})`);
    return this.layers[i]!;
  }

  override releaseWorkspace(): void {
    this.ws.release();
    this.out = null;
  }

  /** True when, for sequence input, the output keeps its time axis (B,T,O): no LastStep in the stack. */
  get perStep(): boolean {
    return !this.layers.some((l) => l instanceof LastStep);
  }

  /**
   * Forward. x: (B,T,F) numeric sequences, (B,T) token ids (Embedding first), or (B,F) rows
   * (Dense-only models); lengths (B), each in 1..T, for padded batches.
   * Returns a fresh Tensor: (B,O) after LastStep or for rows, else (B,T,O).
   * In eval mode with an engine attached (`compile`), the engine computes it.
   */
  forward(x: Tensor, opts: { lengths?: ArrayLike<number> | null } = {}): Tensor {
    const shape = this.checkInput(x, opts.lengths ?? null);
    if (this.attached && !this.training) {
      const y = this.attached.run(x, shape.lengths);
      if (y) {
        this.out = null;
        this.lastRanOn = this.attached.name;
        return y;
      }
    }
    this.lastRanOn = null;
    const batch = this.inputBatch(x, shape);
    let b = batch;
    for (const a of this.batchLayers) b = a.forwardBatch(b);
    this.out = b;
    const O = b.F;
    if (!b.seq) return new Tensor(b.data.slice(0, b.B * O), [b.B, O]);
    const y = Tensor.zeros([b.B, b.T, O], this.dtype);
    swapLeadingAxes(y.data, b.data, b.T, b.B, O);
    return y;
  }

  /**
   * Backward for the last forward. dOut has the forward output's shape, (B,O) or (B,T,O).
   * Accumulates every parameter's gradient into flatGrad (call zeroGrad first).
   */
  backward(dOut: Tensor): void {
    const b = this.out;
    if (this.lastRanOn) {
      throw new Error(`Sequential.backward: the last forward ran on the ${this.lastRanOn} engine, which keeps nothing for backward; ` +
        'run forward in training mode (model.train(), as fit does), where the model\'s own kernels run');
    }
    if (!b) throw new Error('Sequential.backward: call forward first');
    const n = (b.seq ? b.T * b.B : b.B) * b.F;
    const want = b.seq ? [b.B, b.T, b.F] : [b.B, b.F];
    if (dOut.size !== n) throw new RangeError(`Sequential.backward: dOut must be ${shapeStr(want)}, got ${shapeStr(dOut.shape)}`);
    const dy = this.ws.get('dy', n);
    if (b.seq) swapLeadingAxes(dy, dOut.data, b.B, b.T, b.F);
    else dy.set(dOut.data.subarray(0, n));
    let d: FloatArray | null = dy;
    // The first layer's input gradient is read by nobody: it may skip computing it.
    for (let i = this.batchLayers.length - 1; i >= 0 && d; i--) d = this.batchLayers[i]!.backwardBatch(d, i > 0);
  }

  /**
   * Inference in eval mode, in batches (default 256); returns the stacked outputs, (N,O) or
   * (N,T,O). For per-step outputs with lengths, steps past a row's length hold the output for a
   * zero hidden state: ignore them.
   */
  predict(x: Tensor, opts: { lengths?: ArrayLike<number> | null; batchSize?: number } = {}): Tensor {
    const N = x.shape[0] ?? 0;
    const bs = opts.batchSize ?? 256;
    checkInt('predict: batchSize', bs);
    const wasTraining = this.training;
    this.eval();
    try {
      const parts: Tensor[] = [];
      for (let s = 0; s < N; s += bs) {
        const e = Math.min(N, s + bs);
        const xb = sliceRows(x, s, e);
        const lb = opts.lengths ? Array.from({ length: e - s }, (_, i) => opts.lengths![s + i]!) : null;
        parts.push(this.forward(xb, { lengths: lb }));
      }
      return concatRows(parts, this.dtype);
    } finally {
      this.train(wasTraining);
    }
  }

  /**
   * The inference engine attached by `compile` (io/onnx), or null: the model's own kernels.
   * In eval mode forward and predict run through it; training mode never does.
   */
  get engine(): InferenceEngine | null {
    return this.attached;
  }

  /**
   * Attach an inference engine (null detaches; the engine replaced is disposed). `compile(model,
   * { engine })` is the usual way in. An engine holds the weights of the moment it was built, so
   * switching to training mode (`train()`, which fit does) or `loadStateDict` detaches it: a
   * stale copy never answers. After changing `flat` any other way, compile again.
   */
  setEngine(engine: InferenceEngine | null): void {
    if (this.attached && this.attached !== engine) this.attached.dispose();
    this.attached = engine;
    this.lastRanOn = null;
  }

  override train(on = true): this {
    if (on && this.attached) this.setEngine(null);
    return super.train(on);
  }

  override loadStateDict(record: Record<string, TensorLike>, opts: { prefix?: string; strict?: boolean } = {}): void {
    this.setEngine(null);
    super.loadStateDict(record, opts);
  }

  /** True when a layer is an LSTM, GRU or RNN (fit then clips the gradient norm by default). */
  get recurrent(): boolean {
    return this.layers.some((l) => l instanceof RecurrentBase);
  }

  /** RNG state of each layer that owns an `rng` (Dropout, LSTM/GRU/RNN with dropout), by layer name. */
  rngStates(): Record<string, number[]> {
    const out: Record<string, number[]> = Object.create(null);
    this.layers.forEach((l, i) => {
      const r = (l as unknown as { rng?: unknown }).rng;
      if (r instanceof Rng) out[this.layerNames[i]!] = r.getState();
    });
    return out;
  }

  /** Restore layer RNG states saved by rngStates. */
  setRngStates(states: Record<string, number[]>): void {
    this.layers.forEach((l, i) => {
      const r = (l as unknown as { rng?: unknown }).rng;
      const s = states[this.layerNames[i]!];
      if (r instanceof Rng && s) r.setState(s);
    });
  }

  /** JSON-able architecture; `Sequential.fromConfig` rebuilds it (weights not included). */
  config(): SequentialConfig {
    return {
      task: this.task,
      dtype: this.dtype,
      layers: this.batchLayers.map((a, i) => {
        const { type, ...options } = a.config();
        for (const k of Object.keys(options)) if (options[k] === undefined) delete options[k];
        return { name: this.layerNames[i]!, type: String(type), options };
      }),
    };
  }

  /** Rebuild a model from `config()` output (fresh initial weights; load a state dict after). */
  static fromConfig(config: SequentialConfig, opts: ModuleOptions = {}): Sequential {
    if (!config || typeof config !== 'object' || !Array.isArray(config.layers)) throw new TypeError('Sequential.fromConfig: config must be an object with a layers array');
    const dtype = opts.dtype ?? (config.dtype === 'float64' ? 'float64' : 'float32');
    const common: ModuleOptions = { dtype, ...(opts.backend ? { backend: opts.backend } : {}) };
    const layers: LayerEntry[] = config.layers.map((l, i) => {
      if (!l || typeof l !== 'object' || typeof l.type !== 'string') throw new TypeError(`Sequential.fromConfig: layer ${i} needs a type`);
      const o = { ...(l.options ?? {}), ...common } as never;
      let m: Module;
      switch (l.type) {
        case 'Dense': m = new Dense(o); break;
        case 'Embedding': m = new Embedding(o); break;
        case 'Dropout': m = new Dropout(o); break;
        case 'LastStep': m = new LastStep(common); break;
        case 'LSTM': m = new LSTM(o); break;
        case 'GRU': m = new GRU(o); break;
        case 'RNN': m = new RNN(o); break;
        default: throw new RangeError(`Sequential.fromConfig: unknown layer type "${l.type}" (layer ${i})`);
      }
      return [String(l.name ?? i), m];
    });
    return new Sequential(layers, { task: config.task, ...common });
  }

  /** A table of layers, output features and parameter counts. */
  summary(): string {
    const rows = this.layers.map((l, i) => {
      const n = l.namedParameters().reduce((s, [, p]) => s + p.size, 0);
      const c = this.batchLayers[i]!.config();
      return `${this.layerNames[i]!.padEnd(10)} ${String(c.type).padEnd(10)} ${String(n).padStart(10)}`;
    });
    return [`${'name'.padEnd(10)} ${'type'.padEnd(10)} ${'params'.padStart(10)}`, ...rows, `total parameters: ${this.numParameters()}`].join('\n');
  }

  // ------------------------------------------------------------------------------ internals

  /** Check x (and lengths) against the model's input kind: its dimensions, lengths as checked Int32s. */
  private checkInput(x: Tensor, lengths: ArrayLike<number> | null): InputShape {
    if (!(x instanceof Tensor)) throw new TypeError('Sequential.forward: x must be a Tensor');
    const s = x.shape;
    let B: number, T: number, F: number, seq: boolean;
    if (this.inputKind === 'ids') {
      if (s.length !== 2) throw new RangeError(`Sequential.forward: token ids must be (B,T), got ${shapeStr(s)}`);
      [B, T, F, seq] = [s[0]!, s[1]!, 1, true];
    } else if (s.length === 3) {
      [B, T, F, seq] = [s[0]!, s[1]!, s[2]!, true];
    } else if (s.length === 2 && this.inputKind === 'any') {
      [B, T, F, seq] = [s[0]!, 1, s[1]!, false];
    } else {
      const want = this.inputKind === 'any' ? `(B,${this.inputSize}) or (B,T,${this.inputSize})` : `(B,T,${this.inputSize})`;
      throw new RangeError(`Sequential.forward: x must be ${want}, got ${shapeStr(s)}`);
    }
    if (F !== this.inputSize) throw new RangeError(`Sequential.forward: x must have ${this.inputSize} features in its last dimension, got ${shapeStr(s)}`);
    if (B < 1 || T < 1) throw new RangeError(`Sequential.forward: empty input ${shapeStr(s)}`);
    if (lengths && !seq) throw new RangeError('Sequential.forward: lengths are only for sequence input (B,T,F)');
    return { B, T, F, seq, lengths: lengths ? checkLengths(lengths, B, T, 'Sequential.forward') : null };
  }

  /** Copy checked input x, time-major, into a backend buffer. */
  private inputBatch(x: Tensor, { B, T, F, seq, lengths }: InputShape): Batch {
    const data = this.ws.get('x', B * T * F);
    if (seq) swapLeadingAxes(data, x.data, B, T, F);
    else data.set(x.data);
    let lens: Int32Array | null = null;
    if (lengths) {
      lens = this.ws.getInt('lengths', B);
      lens.set(lengths);
    }
    return { data, T, B, F, seq, lengths: lens };
  }
}

export { swapLeadingAxes };

/** Rows s..e−1 of t along its first axis, as a view (no copy). */
export function sliceRows(t: Tensor, s: number, e: number): Tensor {
  const row = t.shape[0] ? t.size / t.shape[0] : 0;
  return new Tensor(t.data.subarray(s * row, e * row), [e - s, ...t.shape.slice(1)]);
}

/** Stack tensors along the first axis. */
export function concatRows(parts: Tensor[], dtype: 'float32' | 'float64'): Tensor {
  if (parts.length === 0) return Tensor.zeros([0], dtype);
  const rest = parts[0]!.shape.slice(1);
  const N = parts.reduce((n, p) => n + p.shape[0]!, 0);
  const out = Tensor.zeros([N, ...rest], dtype);
  let off = 0;
  for (const p of parts) {
    out.data.set(p.data, off);
    off += p.size;
  }
  return out;
}
