/**
 * Loss functions as forward/backward pairs: `forward(pred, target, mask?)` returns the mean loss
 * and caches what `backward()` needs to return dL/dpred. Reductions are PyTorch's 'mean'.
 *
 * Shapes: pred is (...,K) (K = last dimension; rows R = pred.size / K).
 *   mse, mae, huber, bce: target has pred's size (any shape with the same number of elements).
 *   crossEntropy: pred holds logits (...,C), target holds class ids (...) (R values).
 *   pinball: pred holds Q quantiles per target value, quantile fastest: pred (...,H·Q), target
 *     (...,H) (pred.size = Q·target.size; pred[i] predicts quantile τ[i mod Q] of target[⌊i/Q⌋]).
 * mask (R), optional: 1 counts a row, 0 ignores it (padding past a sequence's length). The mean
 * is over counted elements (R_counted·K), or counted rows for cross-entropy.
 *
 * Sums run in float64 whatever the tensors' dtype.
 */
import { Tensor, shapeStr } from '../tensor/tensor.js';

/** Names accepted wherever a loss can be given by name. */
export type LossName = 'mse' | 'mae' | 'huber' | 'cross-entropy' | 'bce' | 'pinball';

/** A loss: forward returns the mean, backward returns dL/dpred for the last forward. */
export interface Loss {
  readonly name: string;
  /** Mean loss. See the file header for shapes and the mask. */
  forward(pred: Tensor, target: Tensor, mask?: ArrayLike<number> | null): number;
  /** dL/dpred, pred's shape and dtype, for the last forward. */
  backward(): Tensor;
  /** How many terms the last forward averaged over (elements, or rows for cross-entropy). */
  lastCount(): number;
  /** For classification losses: the number of counted rows predicted correctly in the last forward. */
  correct?(): { correct: number; count: number };
}

interface Cache {
  pred: Tensor;
  target: Tensor;
  mask: ArrayLike<number> | null;
  count: number;
}

function rowsOf(pred: Tensor): { R: number; K: number } {
  const K = pred.shape.length ? pred.shape[pred.shape.length - 1]! : 1;
  return { R: K ? pred.size / K : 0, K };
}

function checkMask(mask: ArrayLike<number> | null | undefined, R: number, name: string): ArrayLike<number> | null {
  if (!mask) return null;
  if (mask.length !== R) throw new RangeError(`${name}: mask must have one entry per row (${R}), got ${mask.length}`);
  return mask;
}

/**
 * A loss that is a mean of a per-element function f(p, t) with derivative df(p, t) = ∂f/∂p.
 * mse, mae, huber and bce are all of this kind.
 */
class ElementwiseLoss implements Loss {
  protected cache: Cache | null = null;
  constructor(
    readonly name: string,
    private readonly f: (p: number, t: number) => number,
    private readonly df: (p: number, t: number) => number,
  ) {}

  forward(pred: Tensor, target: Tensor, mask?: ArrayLike<number> | null): number {
    if (target.size !== pred.size) throw new RangeError(`${this.name}: target must have as many elements as the prediction ${shapeStr(pred.shape)}, got ${shapeStr(target.shape)}`);
    const { R, K } = rowsOf(pred);
    const m = checkMask(mask, R, this.name);
    const p = pred.data, t = target.data;
    let sum = 0, count = 0;
    for (let r = 0; r < R; r++) {
      if (m && !m[r]) continue;
      count += K;
      for (let k = r * K; k < (r + 1) * K; k++) sum += this.f(p[k]!, t[k]!);
    }
    this.cache = { pred, target, mask: m, count };
    return count ? sum / count : 0;
  }

  backward(): Tensor {
    const c = this.cache;
    if (!c) throw new Error(`${this.name}.backward: call forward first`);
    const { R, K } = rowsOf(c.pred);
    const g = Tensor.zeros(c.pred.shape, c.pred.dtype);
    if (!c.count) return g;
    const p = c.pred.data, t = c.target.data, inv = 1 / c.count;
    for (let r = 0; r < R; r++) {
      if (c.mask && !c.mask[r]) continue;
      for (let k = r * K; k < (r + 1) * K; k++) g.data[k] = this.df(p[k]!, t[k]!) * inv;
    }
    return g;
  }

  lastCount(): number {
    return this.cache?.count ?? 0;
  }
}

/** An element-wise loss on binary targets: a prediction counts as 1 above `threshold`. */
class BinaryLoss extends ElementwiseLoss {
  constructor(
    name: string,
    f: (p: number, t: number) => number,
    df: (p: number, t: number) => number,
    /** 0 for logits, 0.5 for probabilities. */
    private readonly threshold: number,
  ) {
    super(name, f, df);
  }

  correct(): { correct: number; count: number } {
    const c = this.cache, threshold = this.threshold;
    if (!c) return { correct: 0, count: 0 };
    const { R, K } = rowsOf(c.pred);
    let correct = 0;
    for (let r = 0; r < R; r++) {
      if (c.mask && !c.mask[r]) continue;
      for (let k = r * K; k < (r + 1) * K; k++) if ((c.pred.data[k]! > threshold) === (c.target.data[k]! > 0.5)) correct++;
    }
    return { correct, count: c.count };
  }
}

const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);

/** Mean squared error (torch.nn.MSELoss): mean (p − t)². */
export function mse(): Loss {
  return new ElementwiseLoss('mse', (p, t) => (p - t) * (p - t), (p, t) => 2 * (p - t));
}

/** Mean absolute error (torch.nn.L1Loss): mean |p − t|; gradient sign(p − t), 0 at 0. */
export function mae(): Loss {
  return new ElementwiseLoss('mae', (p, t) => Math.abs(p - t), (p, t) => sign(p - t));
}

/**
 * Huber loss (torch.nn.HuberLoss), delta default 1:
 * ½d² for |d| ≤ δ, δ(|d| − ½δ) beyond, with d = p − t. Quadratic near 0, linear for outliers.
 */
export function huber(opts: { delta?: number } = {}): Loss {
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new RangeError(`huber: delta must be > 0, got ${opts.delta}`);
  return new ElementwiseLoss(
    'huber',
    (p, t) => {
      const d = Math.abs(p - t);
      return d <= delta ? 0.5 * d * d : delta * (d - 0.5 * delta);
    },
    (p, t) => {
      const d = p - t;
      return Math.abs(d) <= delta ? d : delta * sign(d);
    },
  );
}

/**
 * Binary cross-entropy. Default `fromLogits: true` (torch.nn.BCEWithLogitsLoss): pred holds
 * logits x, loss = max(x,0) − x·t + log(1 + e^−|x|) (stable for any x), gradient σ(x) − t.
 * With `fromLogits: false` (torch.nn.BCELoss) pred holds probabilities p in [0,1]:
 * loss = −(t·log p + (1−t)·log(1−p)) with each log clamped at ≥ −100 as PyTorch does,
 * gradient (p − t) / max(p(1−p), 1e−12). Targets in [0, 1].
 */
export function bce(opts: { fromLogits?: boolean } = {}): Loss {
  if (opts.fromLogits ?? true) {
    return new BinaryLoss(
      'bce',
      (x, t) => Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x))),
      (x, t) => 1 / (1 + Math.exp(-x)) - t,
      0,
    );
  }
  return new BinaryLoss(
    'bce-prob',
    (p, t) => -(t * Math.max(Math.log(p), -100) + (1 - t) * Math.max(Math.log(1 - p), -100)),
    (p, t) => (p - t) / Math.max(p * (1 - p), 1e-12),
    0.5,
  );
}

/**
 * Cross-entropy from logits (torch.nn.CrossEntropyLoss): pred (...,C) logits, target (...)
 * class ids. loss_r = logsumexp(x_r) − x_r[t_r]; mean over rows whose target is not
 * `ignoreIndex` (default −100, PyTorch's; set it to the padding id for language models) and
 * whose mask is 1. Gradient (softmax(x_r) − onehot(t_r)) / count. A target outside 0..C−1
 * (other than ignoreIndex) is an error naming the row.
 */
export function crossEntropy(opts: { ignoreIndex?: number } = {}): Loss {
  return new CrossEntropyLoss(opts.ignoreIndex ?? -100);
}

class CrossEntropyLoss implements Loss {
  readonly name = 'cross-entropy';
  private cache: (Cache & { probs: Float64Array }) | null = null;
  /** softmax of every counted row (R,C), reused across calls of the same or smaller size. */
  private probsBuf = new Float64Array(0);
  constructor(readonly ignoreIndex: number) {}

  forward(pred: Tensor, target: Tensor, mask?: ArrayLike<number> | null): number {
    const { R, K: C } = rowsOf(pred);
    if (target.size !== R) throw new RangeError(`cross-entropy: target must hold one class id per row of the logits ${shapeStr(pred.shape)} (${R} ids), got ${shapeStr(target.shape)}`);
    const m = checkMask(mask, R, 'cross-entropy');
    const x = pred.data, t = target.data;
    if (this.probsBuf.length < R * C) this.probsBuf = new Float64Array(R * C);
    const probs = this.probsBuf.subarray(0, R * C); // rows not counted are left stale: backward skips them too
    let sum = 0, count = 0;
    for (let r = 0; r < R; r++) {
      const cls = t[r]!;
      if (cls === this.ignoreIndex || (m && !m[r])) continue;
      if (!Number.isInteger(cls) || cls < 0 || cls >= C) throw new RangeError(`cross-entropy: target[${r}] = ${cls} is not a class id in 0..${C - 1} (or ignoreIndex ${this.ignoreIndex})`);
      // Stable log-softmax: subtract the row max before exponentiating.
      const o = r * C;
      let max = -Infinity;
      for (let j = 0; j < C; j++) if (x[o + j]! > max) max = x[o + j]!;
      let z = 0;
      for (let j = 0; j < C; j++) z += (probs[o + j] = Math.exp(x[o + j]! - max));
      for (let j = 0; j < C; j++) probs[o + j]! /= z;
      sum += max + Math.log(z) - x[o + cls]!;
      count++;
    }
    this.cache = { pred, target, mask: m, count, probs };
    return count ? sum / count : 0;
  }

  backward(): Tensor {
    const c = this.cache;
    if (!c) throw new Error('cross-entropy.backward: call forward first');
    const { R, K: C } = rowsOf(c.pred);
    const g = Tensor.zeros(c.pred.shape, c.pred.dtype);
    if (!c.count) return g;
    const inv = 1 / c.count;
    for (let r = 0; r < R; r++) {
      const cls = c.target.data[r]!;
      if (cls === this.ignoreIndex || (c.mask && !c.mask[r])) continue;
      const o = r * C;
      for (let j = 0; j < C; j++) g.data[o + j] = (c.probs[o + j]! - (j === cls ? 1 : 0)) * inv;
    }
    return g;
  }

  lastCount(): number {
    return this.cache?.count ?? 0;
  }

  correct(): { correct: number; count: number } {
    const c = this.cache;
    if (!c) return { correct: 0, count: 0 };
    const { R, K: C } = rowsOf(c.pred);
    let correct = 0;
    for (let r = 0; r < R; r++) {
      const cls = c.target.data[r]!;
      if (cls === this.ignoreIndex || (c.mask && !c.mask[r])) continue;
      let best = 0;
      for (let j = 1; j < C; j++) if (c.pred.data[r * C + j]! > c.pred.data[r * C + best]!) best = j;
      if (best === cls) correct++;
    }
    return { correct, count: c.count };
  }
}

/**
 * Pinball (quantile) loss for Q quantile levels τ_q in (0, 1), default [0.1, 0.5, 0.9]:
 *   ρ_τ(u) = max(τ·u, (τ − 1)·u),  u = t − p,
 * mean over every prediction (R_counted·K elements, like mse). Its minimiser over p is the τ
 * quantile of t, so one output per level trained together gives a predictive distribution
 * (τ = 0.5: the median, half the MAE). Gradient ∂ρ/∂p = −τ where t > p, 1 − τ where t < p,
 * 0 at t = p. Layout: see the file header (quantile fastest).
 */
export function pinball(opts: { quantiles?: readonly number[] } = {}): Loss {
  return new PinballLoss(opts.quantiles ?? [0.1, 0.5, 0.9]);
}

class PinballLoss implements Loss {
  readonly name = 'pinball';
  readonly quantiles: Float64Array;
  private cache: Cache | null = null;
  constructor(quantiles: readonly number[]) {
    if (!Array.isArray(quantiles) || quantiles.length === 0) throw new RangeError('pinball: quantiles must be a non-empty list of levels in (0, 1)');
    for (const q of quantiles) if (!(q > 0 && q < 1)) throw new RangeError(`pinball: every quantile level must be in (0, 1), got ${q}`);
    this.quantiles = Float64Array.from(quantiles);
  }

  forward(pred: Tensor, target: Tensor, mask?: ArrayLike<number> | null): number {
    const Q = this.quantiles.length;
    if (target.size * Q !== pred.size) throw new RangeError(`pinball: the prediction ${shapeStr(pred.shape)} must hold ${Q} quantiles per target value (target ${shapeStr(target.shape)}, ${target.size * Q} elements)`);
    const { R, K } = rowsOf(pred);
    const m = checkMask(mask, R, this.name);
    const p = pred.data, t = target.data, tau = this.quantiles;
    let sum = 0, count = 0;
    for (let r = 0; r < R; r++) {
      if (m && !m[r]) continue;
      count += K;
      for (let k = r * K; k < (r + 1) * K; k++) {
        const q = tau[k % Q]!, u = t[(k - (k % Q)) / Q]! - p[k]!;
        sum += u >= 0 ? q * u : (q - 1) * u;
      }
    }
    this.cache = { pred, target, mask: m, count };
    return count ? sum / count : 0;
  }

  backward(): Tensor {
    const c = this.cache;
    if (!c) throw new Error('pinball.backward: call forward first');
    const Q = this.quantiles.length;
    const { R, K } = rowsOf(c.pred);
    const g = Tensor.zeros(c.pred.shape, c.pred.dtype);
    if (!c.count) return g;
    const p = c.pred.data, t = c.target.data, tau = this.quantiles, inv = 1 / c.count;
    for (let r = 0; r < R; r++) {
      if (c.mask && !c.mask[r]) continue;
      for (let k = r * K; k < (r + 1) * K; k++) {
        const u = t[(k - (k % Q)) / Q]! - p[k]!;
        g.data[k] = (u > 0 ? -tau[k % Q]! : u < 0 ? 1 - tau[k % Q]! : 0) * inv;
      }
    }
    return g;
  }

  lastCount(): number {
    return this.cache?.count ?? 0;
  }
}

/** A loss by name (defaults as above) or the Loss itself. */
export function makeLoss(spec: LossName | Loss): Loss {
  if (typeof spec === 'object' && spec !== null && typeof spec.forward === 'function') return spec;
  switch (spec) {
    case 'mse': return mse();
    case 'mae': return mae();
    case 'huber': return huber();
    case 'cross-entropy': return crossEntropy();
    case 'bce': return bce();
    case 'pinball': return pinball();
    default: throw new RangeError(`unknown loss ${JSON.stringify(spec)}; expected 'mse', 'mae', 'huber', 'cross-entropy', 'bce', 'pinball' or a Loss`);
  }
}
