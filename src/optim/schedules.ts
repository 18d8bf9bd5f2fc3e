/**
 * Learning-rate schedules with PyTorch's semantics (torch.optim.lr_scheduler, 1.13): each
 * changes `optimizer.lr` when `step()` is called once per epoch, after that epoch's updates.
 * StepLR and CosineAnnealingLR use PyTorch's recursive (chainable) formulas so the learning
 * rates match PyTorch's to the last bit; ReduceLROnPlateau watches a metric (the validation
 * loss in fit). State is a small JSON object saved in checkpoints.
 */
import type { Optimizer } from './optimizers.js';
import { checkInt } from '../tensor/check.js';

/** Base class. `lastEpoch` counts step() calls (PyTorch's last_epoch, starting at 0). */
export abstract class LRScheduler {
  abstract readonly name: string;
  lastEpoch = 0;
  /** The learning rate the optimizer had when the schedule was created. */
  readonly baseLr: number;

  constructor(readonly optimizer: Optimizer) {
    this.baseLr = optimizer.lr;
  }

  /** Advance one epoch; `metric` is used by ReduceLROnPlateau only. */
  abstract step(metric?: number): void;

  /** JSON-able state (for checkpoints). */
  stateDict(): Record<string, number> {
    return { lastEpoch: this.lastEpoch };
  }

  loadStateDict(s: Record<string, number>): void {
    this.lastEpoch = s.lastEpoch ?? 0;
  }
}

export interface StepLROptions {
  /** Epochs between decays. */
  stepSize: number;
  /** Multiplicative factor. Default 0.1. */
  gamma?: number;
}

/** torch.optim.lr_scheduler.StepLR: lr ← lr·γ every `stepSize` epochs. */
export class StepLR extends LRScheduler {
  readonly name = 'step';
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Optimizer, opts: StepLROptions) {
    super(optimizer);
    checkInt('StepLR: stepSize', opts.stepSize);
    this.stepSize = opts.stepSize;
    this.gamma = opts.gamma ?? 0.1;
  }
  step(): void {
    this.lastEpoch++;
    if (this.lastEpoch % this.stepSize === 0) this.optimizer.lr *= this.gamma;
  }
}

export interface CosineAnnealingLROptions {
  /** Epochs of one half cosine period. */
  tMax: number;
  /** Minimum learning rate. Default 0. */
  etaMin?: number;
}

/**
 * torch.optim.lr_scheduler.CosineAnnealingLR: lr_t = η_min + (η_0 − η_min)(1 + cos(πt/T_max))/2,
 * computed recursively from the previous lr as PyTorch does (and rising again after T_max).
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly name = 'cosine';
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: Optimizer, opts: CosineAnnealingLROptions) {
    super(optimizer);
    checkInt('CosineAnnealingLR: tMax', opts.tMax);
    this.tMax = opts.tMax;
    this.etaMin = opts.etaMin ?? 0;
  }
  step(): void {
    const e = ++this.lastEpoch, T = this.tMax, lo = this.etaMin, lr = this.optimizer.lr;
    if (mod(e - 1 - T, 2 * T) === 0) {
      this.optimizer.lr = lr + (this.baseLr - lo) * (1 - Math.cos(Math.PI / T)) / 2;
    } else {
      this.optimizer.lr = (1 + Math.cos(Math.PI * e / T)) / (1 + Math.cos(Math.PI * (e - 1) / T)) * (lr - lo) + lo;
    }
  }
}

export interface ReduceLROnPlateauOptions {
  /** 'min' (default): lower metric is better; 'max': higher is better. */
  mode?: 'min' | 'max';
  /** lr ← lr·factor on a plateau. Default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing. Default 10. */
  patience?: number;
  /** Minimum change that counts as improvement. Default 1e-4. */
  threshold?: number;
  /** 'rel' (default): relative to the best; 'abs': absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting again. Default 0. */
  cooldown?: number;
  /** Lower bound on lr. Default 0. */
  minLr?: number;
  /** Reductions smaller than this are skipped. Default 1e-8. */
  eps?: number;
}

/** torch.optim.lr_scheduler.ReduceLROnPlateau: reduce lr when the metric stops improving. */
export class ReduceLROnPlateau extends LRScheduler {
  readonly name = 'plateau';
  readonly opts: Required<ReduceLROnPlateauOptions>;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  constructor(optimizer: Optimizer, opts: ReduceLROnPlateauOptions = {}) {
    super(optimizer);
    this.opts = {
      mode: opts.mode ?? 'min', factor: opts.factor ?? 0.1, patience: opts.patience ?? 10, threshold: opts.threshold ?? 1e-4,
      thresholdMode: opts.thresholdMode ?? 'rel', cooldown: opts.cooldown ?? 0, minLr: opts.minLr ?? 0, eps: opts.eps ?? 1e-8,
    };
    if (!(this.opts.factor < 1 && this.opts.factor >= 0)) throw new RangeError(`ReduceLROnPlateau: factor must be in [0, 1), got ${opts.factor}`);
    this.best = this.opts.mode === 'min' ? Infinity : -Infinity;
  }
  private isBetter(a: number): boolean {
    const { mode, threshold, thresholdMode } = this.opts, best = this.best;
    if (mode === 'min') return thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === 'rel' ? a > best * (1 + threshold) : a > best + threshold;
  }
  step(metric?: number): void {
    if (metric === undefined) throw new RangeError('ReduceLROnPlateau.step: needs the metric');
    this.lastEpoch++;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.opts.patience) {
      const old = this.optimizer.lr, next = Math.max(old * this.opts.factor, this.opts.minLr);
      if (old - next > this.opts.eps) this.optimizer.lr = next;
      this.cooldownCounter = this.opts.cooldown;
      this.numBadEpochs = 0;
    }
  }
  override stateDict(): Record<string, number> {
    return { lastEpoch: this.lastEpoch, best: this.best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter };
  }
  override loadStateDict(s: Record<string, number>): void {
    super.loadStateDict(s);
    // JSON turns ±Infinity into null.
    this.best = s.best ?? (this.opts.mode === 'min' ? Infinity : -Infinity);
    this.numBadEpochs = s.numBadEpochs ?? 0;
    this.cooldownCounter = s.cooldownCounter ?? 0;
  }
}

/** A schedule by name with its options, as accepted by fit(). */
export type ScheduleSpec =
  | ({ name: 'step' } & StepLROptions)
  | ({ name: 'cosine' } & CosineAnnealingLROptions)
  | ({ name: 'plateau' } & ReduceLROnPlateauOptions);

/** Build a schedule for `optimizer` from a spec (or return the given schedule). */
export function makeSchedule(spec: LRScheduler | ScheduleSpec, optimizer: Optimizer): LRScheduler {
  if (spec instanceof LRScheduler) {
    // A schedule built for another optimizer would step that one's lr and leave this one's alone.
    if (spec.optimizer !== optimizer) throw new RangeError('schedule was created for another optimizer');
    return spec;
  }
  const { name, ...opts } = spec;
  switch (name) {
    case 'step': return new StepLR(optimizer, opts as StepLROptions);
    case 'cosine': return new CosineAnnealingLR(optimizer, opts as CosineAnnealingLROptions);
    case 'plateau': return new ReduceLROnPlateau(optimizer, opts as ReduceLROnPlateauOptions);
    default: throw new RangeError(`unknown schedule ${JSON.stringify(name)}; expected 'step', 'cosine' or 'plateau'`);
  }
}

/** Python's non-negative modulo. */
function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
