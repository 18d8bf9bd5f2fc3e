/**
 * evaluate(model, data): the mean loss of a model over a data set, in eval mode and in
 * batches, with padding masked out; plus accuracy for classification losses. Shared by fit()
 * for the validation loss.
 */
import type { Trainable } from '../nn/trainable.js';
import { checkInt } from '../tensor/check.js';
import type { Tensor } from '../tensor/tensor.js';
import { makeLoss, type Loss, type LossName } from './losses.js';
import { gatherBatch, stepMask } from './batches.js';

export interface EvaluateOptions {
  /** Inputs (N,T,F), token ids (N,T), or rows (N,F). */
  x: Tensor;
  /** Targets: the loss's target layout for the model's output (see losses.ts). */
  y: Tensor;
  /** True length of each sequence (N), for padded data. */
  lengths?: ArrayLike<number> | null;
  /** Default: the model task's loss (regression 'mse', otherwise 'cross-entropy'). */
  loss?: LossName | Loss;
  /** Default 256. */
  batchSize?: number;
}

export interface EvaluateResult {
  /** Mean loss over every counted element (padding excluded). */
  loss: number;
  /** Number of terms averaged. */
  count: number;
  /** Fraction of counted rows classified correctly, for losses with correct() (cross-entropy, bce). */
  accuracy?: number;
}

/** The default loss for a model's task. */
export function defaultLoss(model: Pick<Trainable, 'task'>): LossName {
  return model.task === 'regression' ? 'mse' : 'cross-entropy';
}

/** Mean loss (and accuracy for classification losses) of `model` on a data set, in eval mode. See EvaluateOptions. */
export function evaluate(model: Trainable, opts: EvaluateOptions): EvaluateResult {
  const loss = makeLoss(opts.loss ?? defaultLoss(model));
  const N = opts.x.shape[0] ?? 0;
  if (opts.y.shape[0] !== N) throw new RangeError(`evaluate: x has ${N} rows but y has ${opts.y.shape[0]}`);
  const bs = opts.batchSize ?? 256;
  checkInt('evaluate: batchSize', bs);
  const wasTraining = model.training;
  model.eval();
  try {
    let sum = 0, count = 0, correct = 0, seen = 0, classified = false;
    const order = Int32Array.from({ length: N }, (_, i) => i);
    for (let s = 0; s < N; s += bs) {
      const b = gatherBatch(opts.x, opts.y, opts.lengths ?? null, order, s, Math.min(N, s + bs));
      const pred = model.forward(b.x, { lengths: b.lengths });
      const value = loss.forward(pred, b.y, stepMask(pred, b.lengths));
      const n = loss.lastCount();
      sum += value * n;
      count += n;
      if (loss.correct) {
        const c = loss.correct();
        correct += c.correct;
        seen += c.count;
        classified = true;
      }
    }
    const out: EvaluateResult = { loss: count ? sum / count : 0, count };
    if (classified) out.accuracy = seen ? correct / seen : 0;
    return out;
  } finally {
    model.train(wasTraining);
  }
}
