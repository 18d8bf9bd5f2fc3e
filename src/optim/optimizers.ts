/**
 * Optimizers, in order of increasing complexity: SGD (momentum, Nesterov), RMSprop, Adam,
 * AdamW. Each step is one loop over the model's flat parameter buffer `w` and gradient buffer
 * `g`; the optimizer's state (momentum, running averages) is flat arrays of the same length,
 * so element i of every array belongs to the same scalar parameter. The update formulas are
 * PyTorch 1.13's (torch.optim, single-tensor path, maximize=False), written per element.
 *
 * An optimizer reads `target.flat` and `target.flatGrad` at every step, so it keeps working
 * after the model is moved to another backend.
 */
import type { FloatArray } from '../tensor/tensor.js';
import { allocArray, dtypeOf } from '../tensor/tensor.js';

/** What an optimizer updates: a Module (its one flat buffer) or anything with the same two buffers. */
export interface ParamTarget {
  flat: FloatArray;
  flatGrad: FloatArray;
}

/** Serialisable optimizer state: hyperparameters, step count and the flat state buffers. */
export interface OptimizerState {
  name: string;
  lr: number;
  step: number;
  hyper: Record<string, number | boolean>;
  buffers: Record<string, FloatArray>;
}

/** Base class: holds lr, the step count and the state buffers. */
export abstract class Optimizer {
  abstract readonly name: string;
  /** Learning rate; schedules change it between steps. */
  lr: number;
  /** Steps taken so far (PyTorch's state['step']). */
  stepCount = 0;
  protected buffers: Record<string, FloatArray> = Object.create(null);

  constructor(readonly target: ParamTarget, lr: number) {
    if (!(lr >= 0 && Number.isFinite(lr))) throw new RangeError(`optimizer: lr must be a finite number ≥ 0, got ${lr}`);
    this.lr = lr;
  }

  /** Hyperparameters other than lr (saved with the state). */
  abstract hyper(): Record<string, number | boolean>;

  /** Update w in place from g; t is the 1-based step number. */
  protected abstract update(w: FloatArray, g: FloatArray, t: number): void;

  /** One update of every parameter from the accumulated gradients. */
  step(): void {
    this.stepCount++;
    this.update(this.target.flat, this.target.flatGrad, this.stepCount);
  }

  /** Zero the gradient buffer. */
  zeroGrad(): void {
    this.target.flatGrad.fill(0);
  }

  /** A state buffer mirroring the parameters (zero-filled on first use). */
  protected state(name: string): FloatArray {
    const n = this.target.flat.length;
    let b = this.buffers[name];
    if (!b || b.length !== n) {
      b = allocArray(n, dtypeOf(this.target.flat));
      this.buffers[name] = b;
    }
    return b;
  }

  /** Copy of the state (hyperparameters, lr, step count, buffers). */
  stateDict(): OptimizerState {
    const buffers: Record<string, FloatArray> = Object.create(null);
    for (const k of Object.keys(this.buffers)) buffers[k] = this.buffers[k]!.slice();
    return { name: this.name, lr: this.lr, step: this.stepCount, hyper: this.hyper(), buffers };
  }

  /** Restore a state from stateDict(); the optimizer kind and buffer sizes must match. */
  loadStateDict(s: OptimizerState): void {
    if (s.name !== this.name) throw new RangeError(`${this.name}.loadStateDict: state is for ${s.name}`);
    const n = this.target.flat.length;
    this.buffers = Object.create(null);
    for (const k of Object.keys(s.buffers)) {
      const src = s.buffers[k]!;
      if (src.length !== n) throw new RangeError(`${this.name}.loadStateDict: buffer ${k} has ${src.length} elements, the parameters ${n}`);
      this.state(k).set(src);
    }
    this.lr = s.lr;
    this.stepCount = s.step;
  }
}

// ----------------------------------------------------------------------------------------- SGD

export interface SGDOptions {
  /** Learning rate. Default 0.01. */
  lr?: number;
  /** Momentum μ. Default 0. */
  momentum?: number;
  /** Dampening of the gradient added to the momentum buffer. Default 0. */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default false. */
  nesterov?: boolean;
  /** L2 penalty λ added to the gradient. Default 0. */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent, torch.optim.SGD:
 *   g ← g + λw;  b ← g on the first step, else μb + (1−dampening)g;
 *   g ← g + μb (Nesterov) or b;  w ← w − lr·g.
 */
export class SGD extends Optimizer {
  readonly name = 'sgd';
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(target: ParamTarget, opts: SGDOptions = {}) {
    super(target, opts.lr ?? 0.01);
    this.momentum = nonNeg('SGD', 'momentum', opts.momentum ?? 0);
    this.dampening = opts.dampening ?? 0;
    this.nesterov = opts.nesterov ?? false;
    this.weightDecay = nonNeg('SGD', 'weightDecay', opts.weightDecay ?? 0);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new RangeError('SGD: Nesterov momentum requires momentum > 0 and dampening 0');
  }

  hyper(): Record<string, number | boolean> {
    return { momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov, weightDecay: this.weightDecay };
  }

  protected update(w: FloatArray, g: FloatArray, t: number): void {
    const { lr, momentum: mu, dampening, nesterov, weightDecay: wd } = this;
    const b = mu !== 0 ? this.state('momentum') : null;
    for (let i = 0; i < w.length; i++) {
      let d = wd !== 0 ? g[i]! + wd * w[i]! : g[i]!;
      if (b) {
        b[i] = t === 1 ? d : mu * b[i]! + (1 - dampening) * d;
        d = nesterov ? d + mu * b[i]! : b[i]!;
      }
      w[i] = w[i]! - lr * d;
    }
  }
}

// ------------------------------------------------------------------------------------- RMSprop

export interface RMSpropOptions {
  /** Learning rate. Default 0.01. */
  lr?: number;
  /** Smoothing constant α of the squared-gradient average. Default 0.99. */
  alpha?: number;
  /** Added to the denominator. Default 1e-8. */
  eps?: number;
  /** L2 penalty. Default 0. */
  weightDecay?: number;
  /** Momentum. Default 0. */
  momentum?: number;
  /** Normalise by the variance estimate (subtract the squared mean gradient). Default false. */
  centered?: boolean;
}

/**
 * RMSprop, torch.optim.RMSprop:
 *   g ← g + λw;  v ← αv + (1−α)g²;  a ← √v + ε  (centered: m̄ ← αm̄ + (1−α)g, a ← √(v − m̄²) + ε);
 *   momentum: b ← μb + g/a, w ← w − lr·b;  else w ← w − lr·g/a.
 */
export class RMSprop extends Optimizer {
  readonly name = 'rmsprop';
  readonly alpha: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentum: number;
  readonly centered: boolean;

  constructor(target: ParamTarget, opts: RMSpropOptions = {}) {
    super(target, opts.lr ?? 0.01);
    this.alpha = nonNeg('RMSprop', 'alpha', opts.alpha ?? 0.99);
    this.eps = nonNeg('RMSprop', 'eps', opts.eps ?? 1e-8);
    this.weightDecay = nonNeg('RMSprop', 'weightDecay', opts.weightDecay ?? 0);
    this.momentum = nonNeg('RMSprop', 'momentum', opts.momentum ?? 0);
    this.centered = opts.centered ?? false;
  }

  hyper(): Record<string, number | boolean> {
    return { alpha: this.alpha, eps: this.eps, weightDecay: this.weightDecay, momentum: this.momentum, centered: this.centered };
  }

  protected update(w: FloatArray, g: FloatArray): void {
    const { lr, alpha, eps, weightDecay: wd, momentum: mu, centered } = this;
    const v = this.state('square_avg');
    const m = centered ? this.state('grad_avg') : null;
    const b = mu > 0 ? this.state('momentum') : null;
    for (let i = 0; i < w.length; i++) {
      const d = wd !== 0 ? g[i]! + wd * w[i]! : g[i]!;
      v[i] = alpha * v[i]! + (1 - alpha) * d * d;
      let avg: number;
      if (m) {
        m[i] = alpha * m[i]! + (1 - alpha) * d;
        avg = Math.sqrt(v[i]! - m[i]! * m[i]!) + eps;
      } else {
        avg = Math.sqrt(v[i]!) + eps;
      }
      if (b) {
        b[i] = mu * b[i]! + d / avg;
        w[i] = w[i]! - lr * b[i]!;
      } else {
        w[i] = w[i]! - lr * d / avg;
      }
    }
  }
}

// ---------------------------------------------------------------------------------- Adam, AdamW

export interface AdamOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Decay rates (β1, β2) of the first and second moment averages. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the denominator. Default 1e-8. */
  eps?: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 0.01). */
  weightDecay?: number;
  /** Use the running maximum of v (AMSGrad). Default false. */
  amsgrad?: boolean;
}

/**
 * Adam, torch.optim.Adam (weight decay as an L2 term in the gradient):
 *   g ← g + λw;  m ← β1·m + (1−β1)g;  v ← β2·v + (1−β2)g²;
 *   w ← w − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)      (AMSGrad: v_max = max(v_max, v) in place of v).
 */
export class Adam extends Optimizer {
  readonly name: string = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  /** true: AdamW's decoupled decay w ← w(1 − lr·λ); false: Adam's L2 term. */
  protected readonly decoupled: boolean = false;
  /** weightDecay when the options give none: 0 for Adam, 0.01 for AdamW (PyTorch's defaults). */
  protected static readonly defaultWeightDecay: number = 0;
  /** Class name for error messages (a literal: minifiers rename classes). */
  protected static readonly label: string = 'Adam';

  constructor(target: ParamTarget, opts: AdamOptions = {}) {
    super(target, opts.lr ?? 1e-3);
    const kind = new.target as typeof Adam, where = kind.label;
    const [b1, b2] = opts.betas ?? [0.9, 0.999];
    if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw new RangeError(`${where}: betas must be in [0, 1), got [${b1}, ${b2}]`);
    this.beta1 = b1;
    this.beta2 = b2;
    this.eps = nonNeg(where, 'eps', opts.eps ?? 1e-8);
    this.weightDecay = nonNeg(where, 'weightDecay', opts.weightDecay ?? kind.defaultWeightDecay);
    this.amsgrad = opts.amsgrad ?? false;
  }

  hyper(): Record<string, number | boolean> {
    return { beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay, amsgrad: this.amsgrad };
  }

  protected update(w: FloatArray, g: FloatArray, t: number): void {
    const { lr, beta1, beta2, eps, weightDecay: wd, decoupled } = this;
    const m = this.state('exp_avg'), v = this.state('exp_avg_sq');
    const vmax = this.amsgrad ? this.state('max_exp_avg_sq') : null;
    const stepSize = lr / (1 - beta1 ** t);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
    const shrink = 1 - lr * wd;
    for (let i = 0; i < w.length; i++) {
      let d = g[i]!;
      if (wd !== 0) {
        if (decoupled) w[i] = w[i]! * shrink;
        else d += wd * w[i]!;
      }
      m[i] = beta1 * m[i]! + (1 - beta1) * d;
      v[i] = beta2 * v[i]! + (1 - beta2) * d * d;
      let vi = v[i]!;
      if (vmax) vi = vmax[i] = Math.max(vmax[i]!, vi);
      w[i] = w[i]! - stepSize * m[i]! / (Math.sqrt(vi) / bc2Sqrt + eps);
    }
  }
}

/**
 * AdamW, torch.optim.AdamW: Adam with decoupled weight decay (default λ = 0.01), applied to
 * the weights before the Adam step: w ← w·(1 − lr·λ), then the Adam update without an L2 term.
 */
export class AdamW extends Adam {
  override readonly name = 'adamw';
  protected override readonly decoupled = true;
  protected static override readonly defaultWeightDecay = 0.01;
  protected static override readonly label = 'AdamW';
}

// -------------------------------------------------------------------------------------- factory

/** An optimizer by name with its options, as accepted by fit(). */
export type OptimizerSpec =
  | ({ name: 'sgd' } & SGDOptions)
  | ({ name: 'rmsprop' } & RMSpropOptions)
  | ({ name: 'adam' } & AdamOptions)
  | ({ name: 'adamw' } & AdamOptions);

/** Build an optimizer from a spec (or return the given Optimizer). */
export function makeOptimizer(spec: Optimizer | OptimizerSpec, target: ParamTarget): Optimizer {
  if (spec instanceof Optimizer) {
    if (spec.target !== target) throw new RangeError('optimizer was created for another model');
    return spec;
  }
  const { name, ...opts } = spec as OptimizerSpec;
  switch (name) {
    case 'sgd': return new SGD(target, opts as SGDOptions);
    case 'rmsprop': return new RMSprop(target, opts as RMSpropOptions);
    case 'adam': return new Adam(target, opts as AdamOptions);
    case 'adamw': return new AdamW(target, opts as AdamOptions);
    default: throw new RangeError(`unknown optimizer ${JSON.stringify(name)}; expected 'sgd', 'rmsprop', 'adam' or 'adamw'`);
  }
}

function nonNeg(where: string, name: string, v: number): number {
  if (!(v >= 0 && Number.isFinite(v))) throw new RangeError(`${where}: ${name} must be a finite number ≥ 0, got ${v}`);
  return v;
}
