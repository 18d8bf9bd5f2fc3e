/**
 * fit(model, options): the training loop, a free function over the Trainable interface (nn/),
 * so layers never import the trainer. Per epoch: shuffle the training rows with a seeded Rng,
 * then per mini-batch forward → loss (padding masked) → backward → NaN/Inf check → clip →
 * optimizer step; then the validation loss, the schedule, best-weights tracking, early
 * stopping, callbacks, a checkpoint every N epochs and a progress line.
 *
 * Checkpoints go through hooks (`checkpoint.save`, `resume`): fit builds and restores the
 * training state, and never touches a file; io/checkpoint.ts's fileCheckpoint supplies hooks
 * that keep it in a file.
 *
 * Guarantees:
 * - Same seed, same data, same backend → bit-identical weights (every random choice goes
 *   through seeded Rngs: shuffling here, dropout masks in the layers).
 * - A run resumed from a checkpoint (`resume`) ends with exactly the weights of an
 *   uninterrupted run: the checkpoint holds weights, optimizer state, schedule, every RNG,
 *   early-stopping state and history.
 * - A NaN or Inf in the loss or the gradients stops training before the bad step is applied (a
 *   weight that overflows is caught at the end of its epoch),
 *   with a TrainingError naming the step, epoch and batch and suggesting a lower learning rate
 *   or clipping; the model is left holding the best weights so far, and any checkpoint on
 *   disk is the last good one.
 * - Gradient clipping by global norm is ON by default for models with a recurrent layer:
 *   clipNorm 1.0 (see DEFAULT_CLIP_NORM).
 */
import type { Trainable } from '../nn/trainable.js';
import { clipGradNorm, clipGradValue, gradNorm } from '../optim/clip.js';
import { makeOptimizer, type Optimizer, type OptimizerSpec, type OptimizerState } from '../optim/optimizers.js';
import { makeSchedule, ReduceLROnPlateau, type LRScheduler, type ScheduleSpec } from '../optim/schedules.js';
import { checkInt } from '../tensor/check.js';
import { Rng } from '../tensor/rng.js';
import type { FloatArray, Tensor } from '../tensor/tensor.js';
import { gatherBatch, stepMask } from './batches.js';
import { defaultLoss, evaluate } from './evaluate.js';
import { makeLoss, type Loss, type LossName } from './losses.js';
import { createProgress, type ProgressState } from './progress.js';

/**
 * Default global-norm clip for models with an LSTM/GRU/RNN layer. 1.0 because: with Adam
 * (the default optimizer) the step size is set by lr, not by the gradient's scale, so clipping
 * at 1 barely changes ordinary steps yet caps the rare exploding one; with SGD it bounds every
 * step to lr in L2 norm. Pass `clipNorm: null` (or 0) to turn it off.
 */
export const DEFAULT_CLIP_NORM = 1.0;

/** Data for validation: explicit arrays, or the last `split` fraction of the training rows (by time, not shuffled). */
export type ValidationSpec = { x: Tensor; y: Tensor; lengths?: ArrayLike<number> | null } | { split: number };

/** Passed to `callbacks.onBatchEnd` after every optimizer step. */
export interface BatchInfo {
  /** 1-based epoch and batch within it; `step` counts batches over the whole run. */
  epoch: number;
  batch: number;
  batches: number;
  step: number;
  /** This batch's mean loss. */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  lr: number;
}

/** Passed to `callbacks.onEpochEnd`. Call `stop()` to end training after this epoch. */
export interface EpochInfo {
  epoch: number;
  epochs: number;
  loss: number;
  /** NaN without validation data. */
  valLoss: number;
  lr: number;
  history: History;
  stop(): void;
}

export interface FitOptions {
  /** Inputs: (N,T,F) sequences, (N,T) token ids, or (N,F) rows. Rows in time order. */
  x: Tensor;
  /** Targets, first axis N (layout per loss, see losses.ts). */
  y: Tensor;
  /** True length of each sequence (N) for padded data. Default: all full length. */
  lengths?: ArrayLike<number> | null;
  /** Validation data or `{ split }` (the last fraction of rows, by time). Default none. */
  validation?: ValidationSpec;
  /** Number of epochs to train (the total, counting those before a resume). */
  epochs: number;
  /** Default 32. */
  batchSize?: number;
  /** Shuffle training rows each epoch. Default true. */
  shuffle?: boolean;
  /** Seed of the shuffling Rng. Default 0. */
  seed?: number;
  /** Default: 'mse' for regression models, 'cross-entropy' otherwise. */
  loss?: LossName | Loss;
  /** An Optimizer for this model or a spec. Default { name: 'adam', lr: 1e-3 }. */
  optimizer?: Optimizer | OptimizerSpec;
  /** Clip the global gradient norm to this. Default DEFAULT_CLIP_NORM (1.0) for recurrent models, else off; null or 0 turns it off. */
  clipNorm?: number | null;
  /** Clamp each gradient to ±clipValue (after clipNorm). Default off. */
  clipValue?: number | null;
  /** Learning-rate schedule, stepped once per epoch (plateau: on the validation loss, else the training loss). Default none. */
  schedule?: LRScheduler | ScheduleSpec;
  /**
   * Stop when the monitored loss (validation if given, else training) has not improved by more
   * than minDelta (default 0) for `patience` epochs. restoreBest (default true) puts the best
   * epoch's weights back at the end of training (early stop or not).
   */
  earlyStopping?: { patience: number; minDelta?: number; restoreBest?: boolean };
  callbacks?: {
    onBatchEnd?: (info: BatchInfo) => void | Promise<void>;
    onEpochEnd?: (info: EpochInfo) => void | Promise<void>;
  };
  /**
   * Checkpoint hook: `save` gets the whole training state every `every` epochs (default 1) and
   * when training ends. `fileCheckpoint(model, path)` (io/) writes it to a file atomically.
   */
  checkpoint?: CheckpointHook;
  /**
   * Resume hook, called once before training: it puts the saved weights into the model and
   * returns the state to continue from, saved by a previous fit with the same data and options
   * (`fileCheckpoint(model, path, { resume: true })`, or `() => loadCheckpoint(path, model)`).
   */
  resume?: () => TrainState;
  /** Progress on stderr: a bar on a TTY, plain lines otherwise ('auto' and true); false: silent. Default 'auto'. */
  progress?: boolean | 'auto';
  /**
   * Abort: training stops before the next batch; the history has aborted = true and the model
   * keeps its current weights (the last checkpoint, if any, is from the last finished epoch).
   */
  signal?: AbortSignal;
}

export interface History {
  /** Mean training loss per epoch. */
  loss: number[];
  /** Validation loss per epoch (empty without validation). */
  valLoss: number[];
  /** Learning rate used in each epoch. */
  lr: number[];
  /** Epochs completed. */
  epochs: number;
  /** Epoch (1-based) with the best monitored loss; 0 if none. */
  bestEpoch: number;
  /** That loss (Infinity if none). */
  bestLoss: number;
  stoppedEarly: boolean;
  aborted: boolean;
  /** Wall-clock seconds spent training (summed over resumed runs). */
  seconds: number;
}

/** Where fit() hands its state for safekeeping (see FitOptions.checkpoint). */
export interface CheckpointHook {
  /** Epochs between saves (default 1); a state is also saved when training ends. */
  every?: number;
  save(state: TrainState): void;
}

/** Everything besides the weights that fit() needs to continue a run bit for bit. */
export interface TrainState {
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps taken. */
  step: number;
  history: History;
  optimizer: OptimizerState;
  /** Schedule state, or null without a schedule. */
  schedule: Record<string, number> | null;
  /** Shuffle generator state. */
  rng: number[];
  /** RNG state of every layer that has one (Dropout, recurrent dropout), by layer name. */
  layerRngs: Record<string, number[]>;
  /** Best monitored loss so far, its epoch (0 = none) and weights. */
  best: { loss: number; epoch: number; weights: FloatArray | null };
  /** Early stopping: epochs since the last improvement. */
  wait: number;
}

/**
 * Training failed: the loss, a gradient or a weight became NaN or infinite (fit stops at once),
 * or the finished run diverged (`divergedError`, raised by the caller's own checks). `step` is
 * 0 for a divergence found after training.
 */
export class TrainingError extends Error {
  constructor(
    message: string,
    /** 1-based optimizer step (over the whole run) at which it happened. */
    readonly step: number,
    readonly epoch: number,
    readonly batch: number,
    readonly history: History,
  ) {
    super(message);
    this.name = 'TrainingError';
  }
}

/**
 * Train `model`. See FitOptions for every option and its default; resolves to the History. The
 * model is left in eval mode; NaN/Inf during training rejects with a TrainingError.
 */
export async function fit(model: Trainable, opts: FitOptions): Promise<History> {
  const t0 = performance.now();
  const { x, y } = opts;
  const N = x.shape[0] ?? 0;
  if (y.shape[0] !== N) throw new RangeError(`fit: x has ${N} rows but y has ${y.shape[0]}`);
  if (opts.lengths && opts.lengths.length !== N) throw new RangeError(`fit: lengths has ${opts.lengths.length} entries, x has ${N} rows`);
  const epochs = opts.epochs;
  checkInt('fit: epochs', epochs);
  const batchSize = opts.batchSize ?? 32;
  checkInt('fit: batchSize', batchSize);
  checkFinite('x', x);
  checkFinite('y', y);

  // Training rows and validation data (a split takes the LAST rows: the most recent in time).
  let nTrain = N;
  let val: { x: Tensor; y: Tensor; lengths: ArrayLike<number> | null } | null = null;
  if (opts.validation && 'split' in opts.validation) {
    const f = opts.validation.split;
    if (!(f > 0 && f < 1)) throw new RangeError(`fit: validation.split must be in (0, 1), got ${f}`);
    const nVal = Math.max(1, Math.round(N * f));
    nTrain = N - nVal;
    if (nTrain < 1) throw new RangeError(`fit: validation.split ${f} leaves no training rows (N = ${N})`);
    const all = Int32Array.from({ length: N }, (_, i) => i);
    const v = gatherBatch(x, y, opts.lengths ?? null, all, nTrain, N);
    val = { x: v.x, y: v.y, lengths: v.lengths };
  } else if (opts.validation) {
    const v = opts.validation as { x: Tensor; y: Tensor; lengths?: ArrayLike<number> | null };
    checkFinite('validation.x', v.x);
    checkFinite('validation.y', v.y);
    val = { x: v.x, y: v.y, lengths: v.lengths ?? null };
  }
  if (nTrain < 1) throw new RangeError('fit: no training rows');

  const loss = makeLoss(opts.loss ?? defaultLoss(model));
  const optimizer = makeOptimizer(opts.optimizer ?? { name: 'adam', lr: 1e-3 }, model);
  const schedule = opts.schedule ? makeSchedule(opts.schedule, optimizer) : null;
  const clipNorm = opts.clipNorm === undefined ? (model.recurrent ? DEFAULT_CLIP_NORM : null) : opts.clipNorm || null;
  const clipValue = opts.clipValue || null;
  const es = opts.earlyStopping ?? null;
  if (es) checkInt('fit: earlyStopping.patience', es.patience);
  const restoreBest = es ? es.restoreBest ?? true : false;
  const minDelta = es?.minDelta ?? 0;
  const every = opts.checkpoint?.every ?? 1;
  if (opts.checkpoint) checkInt('fit: checkpoint.every', every);

  const rng = new Rng(opts.seed ?? 0);
  const history: History = { loss: [], valLoss: [], lr: [], epochs: 0, bestEpoch: 0, bestLoss: Infinity, stoppedEarly: false, aborted: false, seconds: 0 };
  let startEpoch = 0, step = 0, wait = 0;
  let best: { loss: number; epoch: number; weights: Float32Array | Float64Array | null } = { loss: Infinity, epoch: 0, weights: null };
  let priorSeconds = 0;

  if (opts.resume) {
    const s = opts.resume();
    optimizer.loadStateDict(s.optimizer);
    if (schedule && s.schedule) schedule.loadStateDict(s.schedule);
    rng.setState(s.rng);
    model.setRngStates(s.layerRngs);
    Object.assign(history, s.history);
    priorSeconds = s.history.seconds;
    startEpoch = s.epoch;
    step = s.step;
    wait = s.wait;
    best = s.best;
  }

  const batches = Math.ceil(nTrain / batchSize);
  const totalSteps = epochs * batches;
  const progress = await createProgress(opts.progress ?? 'auto');
  const order = Int32Array.from({ length: nTrain }, (_, i) => i);
  let lastYield = performance.now();
  let seqDone = 0;
  const tRun = performance.now();

  const snapshot = (epoch: number): void => {
    if (!opts.checkpoint) return;
    history.seconds = priorSeconds + (performance.now() - t0) / 1000;
    opts.checkpoint.save({
      epoch, step, history, optimizer: optimizer.stateDict(), schedule: schedule ? schedule.stateDict() : null,
      rng: rng.getState(), layerRngs: model.rngStates(), best, wait,
    });
  };
  const state = (epoch: number, lossNow: number, valNow: number): ProgressState => {
    const secs = (performance.now() - tRun) / 1000;
    const doneHere = step - startEpoch * batches;
    return {
      epoch, epochs, step, totalSteps, loss: lossNow, valLoss: valNow,
      seqPerSec: secs > 0 ? seqDone / secs : 0,
      eta: doneHere > 0 ? (secs / doneHere) * (totalSteps - step) : NaN,
    };
  };

  model.train();
  let stop = history.stoppedEarly; // a resumed run that had already stopped early stays stopped
  try {
    for (let epoch = startEpoch + 1; epoch <= epochs && !stop; epoch++) {
      for (let i = 0; i < nTrain; i++) order[i] = i;
      if (opts.shuffle ?? true) rng.shuffle(order);
      const lr = optimizer.lr;
      let sum = 0, count = 0;
      for (let bi = 0; bi < batches; bi++) {
        if (opts.signal?.aborted) {
          history.aborted = true;
          break;
        }
        const s = bi * batchSize, e = Math.min(nTrain, s + batchSize);
        const b = gatherBatch(x, y, opts.lengths ?? null, order, s, e);
        step++;
        model.zeroGrad();
        const pred = model.forward(b.x, { lengths: b.lengths });
        const value = loss.forward(pred, b.y, stepMask(pred, b.lengths));
        const n = loss.lastCount();
        if (!Number.isFinite(value)) nonFinite('loss', value, step, epoch, bi + 1, batches);
        model.backward(loss.backward());
        const norm = clipNorm ? clipGradNorm(model, clipNorm) : gradNorm(model);
        if (!Number.isFinite(norm)) nonFinite('gradient norm', norm, step, epoch, bi + 1, batches);
        if (clipValue) clipGradValue(model, clipValue);
        optimizer.step();
        sum += value * n;
        count += n;
        seqDone += e - s;
        if (opts.callbacks?.onBatchEnd) await opts.callbacks.onBatchEnd({ epoch, batch: bi + 1, batches, step, loss: value, gradNorm: norm, lr: optimizer.lr });
        progress.batch(state(epoch, count ? sum / count : 0, history.valLoss.at(-1) ?? NaN));
        // Let timers, I/O and abort signals run about every 50 ms.
        if (performance.now() - lastYield > 50) {
          await new Promise((r) => setTimeout(r, 0));
          lastYield = performance.now();
        }
      }
      if (history.aborted) break;
      // A finite gradient times the learning rate can still overflow a weight to ±Inf.
      const badWeight = firstNonFinite(model.flat);
      if (badWeight >= 0) nonFinite(`weight ${badWeight} of the flat buffer`, model.flat[badWeight]!, step, epoch, batches, batches);

      const trainLoss = count ? sum / count : 0;
      const valLoss = val ? evaluate(model, { x: val.x, y: val.y, lengths: val.lengths, loss, batchSize: Math.max(batchSize, 256) }).loss : NaN;
      model.train();
      if (val && !Number.isFinite(valLoss)) nonFinite('validation loss', valLoss, step, epoch, batches, batches);
      history.loss.push(trainLoss);
      if (val) history.valLoss.push(valLoss);
      history.lr.push(lr);
      history.epochs = epoch;

      // Best weights so far (kept for early stopping and for recovery after a NaN).
      const monitored = val ? valLoss : trainLoss;
      if (monitored < best.loss - minDelta) {
        best = { loss: monitored, epoch, weights: model.flat.slice() };
        wait = 0;
      } else {
        wait++;
      }
      history.bestEpoch = best.epoch;
      history.bestLoss = best.loss;

      if (schedule) schedule instanceof ReduceLROnPlateau ? schedule.step(monitored) : schedule.step();

      if (es && wait >= es.patience) {
        history.stoppedEarly = true;
        stop = true;
      }
      if (opts.callbacks?.onEpochEnd) {
        await opts.callbacks.onEpochEnd({ epoch, epochs, loss: trainLoss, valLoss, lr, history, stop: () => { stop = true; } });
      }
      progress.epoch(state(epoch, trainLoss, valLoss));
      if (epoch % every === 0 || stop || epoch === epochs) snapshot(epoch);
    }
  } catch (err) {
    if (err instanceof NonFinite) {
      // Put the best weights back (the bad step was never applied, so without a best epoch the
      // weights are the last good ones); the checkpoint on disk is the last good one.
      if (best.weights) model.flat.set(best.weights);
      history.seconds = priorSeconds + (performance.now() - t0) / 1000;
      const where = best.weights ? `The model holds the best weights so far (epoch ${best.epoch}, loss ${best.loss}).`
        : err.what === 'validation loss' ? 'No earlier epoch to fall back on: the model holds the weights after this epoch.'
        : 'The model holds the weights from before this step.';
      const clip = clipNorm ? `a smaller clipNorm (now ${clipNorm})` : 'gradient clipping (clipNorm: 1)';
      throw new TrainingError(
        `training stopped at step ${err.step} (epoch ${err.epoch}, batch ${err.batch} of ${err.batches}): ${err.what} is ${err.value}. ${where} ` +
        `Try a lower learning rate (now ${optimizer.lr}) or ${clip}, and check the inputs for extreme values.`,
        err.step, err.epoch, err.batch, history,
      );
    }
    throw err;
  } finally {
    progress.stop();
    model.eval();
  }
  if (restoreBest && best.weights) model.flat.set(best.weights);
  history.seconds = priorSeconds + (performance.now() - t0) / 1000;
  return history;
}

/** Index of the first NaN or ±Inf in `a`, or -1. */
function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i;
  return -1;
}

/**
 * The TrainingError for a run that diverged although every loss stayed finite, found after
 * fit by the caller (a recipe): `what` says how, e.g. "the best validation loss 1.5e11 is over
 * 100× that of a constant prediction (1.02)" or "the forecast is Infinity".
 */
export function divergedError(what: string, history: History, lr: number): TrainingError {
  return new TrainingError(
    `training diverged: ${what}. Try a lower learning rate (now ${lr}), and check the inputs for extreme values.`,
    0, history.epochs, 0, history,
  );
}

/** Internal signal from the batch loop to the error handler. */
class NonFinite extends Error {
  constructor(readonly what: string, readonly value: number, readonly step: number, readonly epoch: number, readonly batch: number, readonly batches: number) {
    super(what);
  }
}

function nonFinite(what: string, value: number, step: number, epoch: number, batch: number, batches: number): never {
  throw new NonFinite(what, value, step, epoch, batch, batches);
}

/** Refuse NaN/Inf in the data before training, naming the row and the position in it. */
function checkFinite(name: string, t: Tensor): void {
  const N = t.shape[0] ?? 0;
  const row = N ? t.size / N : 0;
  for (let i = 0; i < t.size; i++) {
    if (!Number.isFinite(t.data[i]!)) {
      const r = Math.floor(i / row);
      throw new RangeError(`fit: ${name} contains ${t.data[i]} at row ${r}, element ${i - r * row} (shape [${t.shape.join(', ')}])`);
    }
  }
}
