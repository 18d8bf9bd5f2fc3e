/**
 * The non-recurrent layers a model is built from: Dense (torch.nn.Linear plus an activation),
 * Embedding, Dropout and LastStep (many-to-one: each sequence's own last step). Each is an
 * explicit forward/backward pair on backend buffers (`forwardBatch`/`backwardBatch`, used by
 * Sequential) plus a Tensor-level `forward`/`backward` for standalone use and gradient checks.
 *
 * Letters: B batch, T time steps, N = rows (B, or T·B for a sequence), I input features,
 * O output features, V vocabulary size, E embedding size.
 *
 * Inside a model a batch is time-major, (T,B,F), the layout the recurrent layers run in; a
 * row-wise layer (Dense, Dropout, Embedding) does not care and treats it as N = T·B rows, so
 * the model transposes once per batch at its boundary and never per step.
 */
import type { FloatArray } from '../kernels/backend.js';
import { Rng } from '../tensor/rng.js';
import { checkInt } from '../tensor/check.js';
import { Tensor, shapeStr, swapLeadingAxes } from '../tensor/tensor.js';
import { activationBackward, applyActivation, isActivation, type Activation } from './activations.js';
import { uniform } from './init.js';
import { Module, Workspace, type ModuleOptions, type Parameter } from './module.js';

/**
 * A batch flowing through a model: a backend buffer holding (T,B,F) time-major when `seq`,
 * else (B,F). `lengths` (B) marks each row's true length (null: all T). Valid until the next
 * forward of the layer that produced it.
 */
export interface Batch {
  data: FloatArray;
  T: number;
  B: number;
  F: number;
  seq: boolean;
  lengths: Int32Array | null;
}

/** What a layer must provide to be used inside Sequential (every layer here and LSTM/GRU/RNN implement it). */
export interface ModelLayer {
  /** Output features given input features; throws naming the mismatch. */
  outputFeatures(inF: number, where: string): number;
  /** Forward on a batch (see Batch for the layout). */
  forwardBatch(x: Batch): Batch;
  /**
   * Backward: dy has the layout of the last forwardBatch output; returns dL/dx (null when x is
   * not differentiable, e.g. token ids, or when needInput is false and the layer skipped it).
   * Accumulates parameter gradients.
   */
  backwardBatch(dy: FloatArray, needInput?: boolean): FloatArray | null;
  /** Class name and constructor options that rebuild this layer. */
  config(): Record<string, unknown>;
}

// ------------------------------------------------------------------------------------- Dense

export interface DenseOptions extends ModuleOptions {
  /** Input features I (the last dimension of the input). */
  inputSize: number;
  /** Output features O. */
  outputSize: number;
  /** Applied after the affine map. Default 'linear' (none). */
  activation?: Activation;
  /** Learn a bias. Default true. */
  bias?: boolean;
  /** Initialisation seed. Default 0. */
  seed?: number;
}

/**
 * Fully connected layer, torch.nn.Linear followed by an activation:
 *   y = act(x·Wᵀ + b),  weight W (O,I), bias b (O).
 * Input (B,I) or (B,T,I) (applied to every step); output (B,O) or (B,T,O).
 * Initialisation as PyTorch: W and b ~ U(−1/√I, 1/√I).
 */
export class Dense extends Module implements ModelLayer {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly activation: Activation;
  readonly hasBias: boolean;
  readonly seed: number;
  /** (O,I) */
  readonly weight: Parameter;
  /** (O), or null without bias. */
  readonly bias: Parameter | null;
  private readonly ws = new Workspace(this);
  /** Cache for backward: the input (N,I) and the activated output (N,O). */
  private cache: { x: FloatArray; y: FloatArray; N: number; shape: number[] | null } | null = null;

  constructor(opts: DenseOptions) {
    super(opts);
    this.inputSize = checkInt('Dense: inputSize', opts.inputSize);
    this.outputSize = checkInt('Dense: outputSize', opts.outputSize);
    this.activation = opts.activation ?? 'linear';
    if (!isActivation(this.activation)) {
      throw new RangeError(`Dense: activation must be 'linear', 'relu', 'tanh' or 'sigmoid', got '${String(opts.activation)}'`);
    }
    this.hasBias = opts.bias ?? true;
    this.seed = opts.seed ?? 0;
    this.weight = this.addParameter('weight', [this.outputSize, this.inputSize]);
    this.bias = this.hasBias ? this.addParameter('bias', [this.outputSize]) : null;
    this.allocateParameters();
    const rng = new Rng(this.seed), k = 1 / Math.sqrt(this.inputSize);
    uniform(this.flat, this.weight.offset, this.weight.size, -k, k, rng);
    if (this.bias) uniform(this.flat, this.bias.offset, this.bias.size, -k, k, rng);
  }

  config(): Record<string, unknown> {
    return { type: 'Dense', inputSize: this.inputSize, outputSize: this.outputSize, activation: this.activation, bias: this.hasBias, seed: this.seed };
  }

  outputFeatures(inF: number, where: string): number {
    if (inF !== this.inputSize) throw new RangeError(`${where}: Dense expects ${this.inputSize} input features, the previous layer gives ${inF}`);
    return this.outputSize;
  }

  override releaseWorkspace(): void {
    this.ws.release();
    this.cache = null;
  }

  /** y (N,O) = act(x (N,I)·Wᵀ + b). Returns a workspace buffer. x must stay valid until backward. */
  forwardRaw(x: FloatArray, N: number): FloatArray {
    const be = this.backend, w = this.flat, O = this.outputSize, I = this.inputSize;
    const y = this.ws.get('y', N * O);
    if (this.bias) be.fillRows(y, 0, N, O, w, this.bias.offset, null, 0);
    be.matmul(y, 0, x, 0, w, this.weight.offset, N, O, I, false, true, this.bias !== null);
    applyActivation(this.activation, y, N * O);
    this.cache = { x, y, N, shape: null };
    return y;
  }

  /** Given dy (N,O): dW += dzᵀ·x, db += Σ dz, returns dx (N,I) = dz·W, where dz = dy ⊙ act'(z). */
  backwardRaw(dy: FloatArray): FloatArray {
    const c = this.cache;
    if (!c) throw new Error('Dense.backward: call forward first');
    const be = this.backend, w = this.flat, g = this.flatGrad, O = this.outputSize, I = this.inputSize, N = c.N;
    const dz = this.ws.get('dz', N * O);
    activationBackward(this.activation, c.y, dy, dz, N * O);
    be.matmul(g, this.weight.offset, dz, 0, c.x, 0, O, I, N, true, false, true); // dW (O,I) += dzᵀ (O,N) · x (N,I)
    if (this.bias) be.sumRows(g, this.bias.offset, dz, 0, N, O, true); // db (O) += Σ_n dz[n,:]
    const dx = this.ws.get('dx', N * I);
    be.matmul(dx, 0, dz, 0, w, this.weight.offset, N, I, O, false, false, false); // dx (N,I) = dz (N,O) · W (O,I)
    return dx;
  }

  forwardBatch(x: Batch): Batch {
    const N = x.seq ? x.T * x.B : x.B;
    return { ...x, data: this.forwardRaw(x.data, N), F: this.outputSize };
  }

  backwardBatch(dy: FloatArray): FloatArray {
    return this.backwardRaw(dy);
  }

  /** x (...,I) → (...,O): (B,I) → (B,O) or (B,T,I) → (B,T,O). Returns a fresh Tensor. */
  forward(x: Tensor): Tensor {
    const I = this.inputSize;
    if (x.shape.length < 1 || x.shape[x.shape.length - 1] !== I) {
      throw new RangeError(`Dense.forward: input must be (..., ${I}), got ${shapeStr(x.shape)}`);
    }
    const N = x.size / I;
    const xb = this.ws.get('xin', N * I);
    xb.set(x.data);
    const y = this.forwardRaw(xb, N);
    this.cache!.shape = [...x.shape];
    return new Tensor(y.slice(0, N * this.outputSize), [...x.shape.slice(0, -1), this.outputSize]);
  }

  /** dOut (...,O) → dL/dx (...,I); accumulates dW, db. */
  backward(dOut: Tensor): Tensor {
    const c = this.cache;
    if (!c || !c.shape) throw new Error('Dense.backward: call forward first');
    if (dOut.size !== c.N * this.outputSize) throw new RangeError(`Dense.backward: dOut must be ${shapeStr([...c.shape.slice(0, -1), this.outputSize])}, got ${shapeStr(dOut.shape)}`);
    const dy = this.ws.get('dyin', dOut.size);
    dy.set(dOut.data);
    const dx = this.backwardRaw(dy);
    return new Tensor(dx.slice(0, c.N * this.inputSize), c.shape);
  }
}

// --------------------------------------------------------------------------------- Embedding

export interface EmbeddingOptions extends ModuleOptions {
  /** Vocabulary size V. */
  numEmbeddings: number;
  /** Vector size E. */
  embeddingDim: number;
  /** Token id whose row is zero and receives no gradient (padding). Default: none. */
  paddingIdx?: number;
  /** Initialisation seed. Default 0. */
  seed?: number;
}

/**
 * Lookup table, torch.nn.Embedding: ids (B,T) (integer values) → vectors (B,T,E); weight (V,E)
 * initialised N(0,1) as PyTorch, the paddingIdx row zero. Backward scatters dy into the rows
 * used (dW[id] += dy), skipping paddingIdx; ids get no gradient.
 */
export class Embedding extends Module implements ModelLayer {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly seed: number;
  /** (V,E) */
  readonly weight: Parameter;
  private readonly ws = new Workspace(this);
  private cache: { ids: FloatArray; N: number; shape: number[] | null } | null = null;

  constructor(opts: EmbeddingOptions) {
    super(opts);
    this.numEmbeddings = checkInt('Embedding: numEmbeddings', opts.numEmbeddings);
    this.embeddingDim = checkInt('Embedding: embeddingDim', opts.embeddingDim);
    this.paddingIdx = opts.paddingIdx ?? null;
    if (this.paddingIdx !== null && !(Number.isInteger(this.paddingIdx) && this.paddingIdx >= 0 && this.paddingIdx < this.numEmbeddings)) {
      throw new RangeError(`Embedding: paddingIdx must be an integer in 0..${this.numEmbeddings - 1}, got ${opts.paddingIdx}`);
    }
    this.seed = opts.seed ?? 0;
    this.weight = this.addParameter('weight', [this.numEmbeddings, this.embeddingDim]);
    this.allocateParameters();
    const rng = new Rng(this.seed);
    for (let i = 0; i < this.weight.size; i++) this.flat[this.weight.offset + i] = rng.normal();
    if (this.paddingIdx !== null) {
      const o = this.weight.offset + this.paddingIdx * this.embeddingDim;
      this.flat.fill(0, o, o + this.embeddingDim);
    }
  }

  config(): Record<string, unknown> {
    return { type: 'Embedding', numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim, paddingIdx: this.paddingIdx ?? undefined, seed: this.seed };
  }

  outputFeatures(inF: number, where: string): number {
    if (inF !== 1) throw new RangeError(`${where}: Embedding takes token ids (B,T), not ${inF} features per step`);
    return this.embeddingDim;
  }

  override releaseWorkspace(): void {
    this.ws.release();
    this.cache = null;
  }

  /** y (N,E) = W[ids[n], :]. ids (N) hold integer ids as floats. */
  forwardRaw(ids: FloatArray, N: number): FloatArray {
    const E = this.embeddingDim, V = this.numEmbeddings;
    const y = this.ws.get('y', N * E);
    for (let n = 0; n < N; n++) {
      const id = ids[n]!;
      if (!Number.isInteger(id) || id < 0 || id >= V) throw new RangeError(`Embedding: token id ${id} at position ${n} is out of range 0..${V - 1}`);
      this.backend.copy(y, n * E, this.flat, this.weight.offset + id * E, E);
    }
    this.cache = { ids, N, shape: null };
    return y;
  }

  /** dW[ids[n], :] += dy[n, :] for every n with ids[n] ≠ paddingIdx. */
  backwardRaw(dy: FloatArray): null {
    const c = this.cache;
    if (!c) throw new Error('Embedding.backward: call forward first');
    const E = this.embeddingDim, g = this.flatGrad;
    for (let n = 0; n < c.N; n++) {
      const id = c.ids[n]!;
      if (id === this.paddingIdx) continue;
      const o = this.weight.offset + id * E;
      this.backend.add(g, o, g, o, dy, n * E, E);
    }
    return null;
  }

  forwardBatch(x: Batch): Batch {
    const N = x.seq ? x.T * x.B : x.B;
    return { ...x, data: this.forwardRaw(x.data, N), F: this.embeddingDim };
  }

  backwardBatch(dy: FloatArray): null {
    return this.backwardRaw(dy);
  }

  /** ids (...) → (...,E), a fresh Tensor. */
  forward(ids: Tensor): Tensor {
    const N = ids.size;
    const xb = this.ws.get('ids', N);
    xb.set(ids.data);
    const y = this.forwardRaw(xb, N);
    this.cache!.shape = [...ids.shape];
    return new Tensor(y.slice(0, N * this.embeddingDim), [...ids.shape, this.embeddingDim]);
  }

  /** dOut (...,E): accumulates dW (ids have no gradient). */
  backward(dOut: Tensor): void {
    const c = this.cache;
    if (!c) throw new Error('Embedding.backward: call forward first');
    if (dOut.size !== c.N * this.embeddingDim) throw new RangeError(`Embedding.backward: dOut must have ${c.N * this.embeddingDim} elements, got ${shapeStr(dOut.shape)}`);
    const dy = this.ws.get('dyin', dOut.size);
    dy.set(dOut.data);
    this.backwardRaw(dy);
  }
}

// ----------------------------------------------------------------------------------- Dropout

export interface DropoutOptions extends ModuleOptions {
  /** Probability of zeroing an element, in [0, 1). */
  p: number;
  /** Seed of the mask generator. Default 0. */
  seed?: number;
}

/**
 * Inverted dropout, torch.nn.Dropout: in training y = x ⊙ mask with mask ∈ {0, 1/(1−p)}
 * drawn from a seeded Rng; in eval mode y = x. Any shape.
 */
export class Dropout extends Module implements ModelLayer {
  readonly p: number;
  readonly seed: number;
  /** Mask generator (its state is saved in checkpoints). */
  readonly rng: Rng;
  private readonly ws = new Workspace(this);
  private cache: { mask: FloatArray | null; n: number; shape: number[] | null } | null = null;

  constructor(opts: DropoutOptions) {
    super(opts);
    this.p = opts.p;
    if (!(this.p >= 0 && this.p < 1)) throw new RangeError(`Dropout: p must be in [0, 1), got ${opts.p}`);
    this.seed = opts.seed ?? 0;
    this.rng = new Rng(this.seed);
    this.allocateParameters();
  }

  config(): Record<string, unknown> {
    return { type: 'Dropout', p: this.p, seed: this.seed };
  }

  outputFeatures(inF: number): number {
    return inF;
  }

  override releaseWorkspace(): void {
    this.ws.release();
    this.cache = null;
  }

  /** y (n) = x ⊙ mask in training, x itself in eval mode. */
  forwardRaw(x: FloatArray, n: number): FloatArray {
    if (!this.training || this.p === 0) {
      this.cache = { mask: null, n, shape: null };
      return x;
    }
    const mask = this.ws.get('mask', n), y = this.ws.get('y', n);
    const keep = 1 / (1 - this.p);
    for (let i = 0; i < n; i++) mask[i] = this.rng.random() < this.p ? 0 : keep;
    this.backend.mul(y, 0, x, 0, mask, 0, n);
    this.cache = { mask, n, shape: null };
    return y;
  }

  /** dx = dy ⊙ mask (dy itself in eval mode). */
  backwardRaw(dy: FloatArray): FloatArray {
    const c = this.cache;
    if (!c) throw new Error('Dropout.backward: call forward first');
    if (!c.mask) return dy;
    const dx = this.ws.get('dx', c.n);
    this.backend.mul(dx, 0, dy, 0, c.mask, 0, c.n);
    return dx;
  }

  forwardBatch(x: Batch): Batch {
    return { ...x, data: this.forwardRaw(x.data, (x.seq ? x.T * x.B : x.B) * x.F) };
  }

  backwardBatch(dy: FloatArray): FloatArray {
    return this.backwardRaw(dy);
  }

  /** x (any shape) → y (same shape), a fresh Tensor. */
  forward(x: Tensor): Tensor {
    const xb = this.ws.get('xin', x.size);
    xb.set(x.data);
    const y = this.forwardRaw(xb, x.size);
    this.cache!.shape = [...x.shape];
    return new Tensor(y.slice(0, x.size), x.shape);
  }

  /** dOut (x's shape) → dL/dx = dOut ⊙ mask. */
  backward(dOut: Tensor): Tensor {
    const c = this.cache;
    if (!c || !c.shape) throw new Error('Dropout.backward: call forward first');
    if (dOut.size !== c.n) throw new RangeError(`Dropout.backward: dOut must be ${shapeStr(c.shape)}, got ${shapeStr(dOut.shape)}`);
    const dy = this.ws.get('dyin', dOut.size);
    dy.set(dOut.data);
    return new Tensor(this.backwardRaw(dy).slice(0, dOut.size), dOut.shape);
  }
}

// ---------------------------------------------------------------------------------- LastStep

/**
 * Many-to-one: (B,T,F) → (B,F), row b taking step lengths[b]−1 (its own last step; T−1 when
 * no lengths are given). Backward puts dy back at that step, zero elsewhere. No parameters.
 */
export class LastStep extends Module implements ModelLayer {
  private readonly ws = new Workspace(this);
  private cache: { T: number; B: number; F: number; lengths: Int32Array | null } | null = null;

  constructor(opts: ModuleOptions = {}) {
    super(opts);
    this.allocateParameters();
  }

  config(): Record<string, unknown> {
    return { type: 'LastStep' };
  }

  outputFeatures(inF: number): number {
    return inF;
  }

  override releaseWorkspace(): void {
    this.ws.release();
    this.cache = null;
  }

  /** x (T,B,F) time-major → y (B,F): y[b] = x[lengths[b]−1, b]. */
  forwardRaw(x: FloatArray, T: number, B: number, F: number, lengths: Int32Array | null): FloatArray {
    const y = this.ws.get('y', B * F);
    for (let b = 0; b < B; b++) {
      const t = lengths ? lengths[b]! - 1 : T - 1;
      this.backend.copy(y, b * F, x, (t * B + b) * F, F);
    }
    this.cache = { T, B, F, lengths };
    return y;
  }

  /** dy (B,F) → dx (T,B,F): dx[lengths[b]−1, b] = dy[b], zero elsewhere. */
  backwardRaw(dy: FloatArray): FloatArray {
    const c = this.cache;
    if (!c) throw new Error('LastStep.backward: call forward first');
    const { T, B, F, lengths } = c;
    const dx = this.ws.get('dx', T * B * F);
    dx.fill(0);
    for (let b = 0; b < B; b++) {
      const t = lengths ? lengths[b]! - 1 : T - 1;
      this.backend.copy(dx, (t * B + b) * F, dy, b * F, F);
    }
    return dx;
  }

  forwardBatch(x: Batch): Batch {
    if (!x.seq) throw new RangeError('LastStep: input must be a sequence (B,T,F)');
    return { data: this.forwardRaw(x.data, x.T, x.B, x.F, x.lengths), T: 1, B: x.B, F: x.F, seq: false, lengths: null };
  }

  backwardBatch(dy: FloatArray): FloatArray {
    return this.backwardRaw(dy);
  }

  /** x (B,T,F) batch-first, lengths (B) optional → (B,F). */
  forward(x: Tensor, opts: { lengths?: ArrayLike<number> } = {}): Tensor {
    if (x.shape.length !== 3) throw new RangeError(`LastStep.forward: input must be (B,T,F), got ${shapeStr(x.shape)}`);
    const [B, T, F] = x.shape as [number, number, number];
    const xb = this.ws.get('xin', T * B * F);
    swapLeadingAxes(xb, x.data, B, T, F);
    const lengths = opts.lengths ? checkLengths(opts.lengths, B, T, 'LastStep.forward') : null;
    return new Tensor(this.forwardRaw(xb, T, B, F, lengths).slice(0, B * F), [B, F]);
  }

  /** dOut (B,F) → dL/dx (B,T,F). */
  backward(dOut: Tensor): Tensor {
    const c = this.cache;
    if (!c) throw new Error('LastStep.backward: call forward first');
    const { T, B, F } = c;
    if (dOut.size !== B * F) throw new RangeError(`LastStep.backward: dOut must be ${shapeStr([B, F])}, got ${shapeStr(dOut.shape)}`);
    const dy = this.ws.get('dyin', B * F);
    dy.set(dOut.data);
    const dx = this.backwardRaw(dy);
    const out = Tensor.zeros([B, T, F], this.dtype);
    swapLeadingAxes(out.data, dx, T, B, F);
    return out;
  }
}

// ----------------------------------------------------------------------------------- helpers

/** Validate lengths (B) against T; returns an Int32Array copy. */
export function checkLengths(lengths: ArrayLike<number>, B: number, T: number, where: string): Int32Array {
  if (lengths.length !== B) throw new RangeError(`${where}: lengths must have one entry per batch item (${B}), got ${lengths.length}`);
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const L = lengths[b]!;
    if (!Number.isInteger(L) || L < 1 || L > T) throw new RangeError(`${where}: lengths[${b}] = ${L} is out of range: must be an integer in 1..${T}`);
    out[b] = L;
  }
  return out;
}
