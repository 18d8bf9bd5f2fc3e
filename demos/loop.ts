/**
 * The demos' step-budget training loop: `steps` updates on batches drawn by `nextBatch`
 * (fresh seeded samples each step), global-norm gradient clipping, and a held-out evaluation
 * every `evalEvery` steps that becomes the learning curve. Demos that train on a fixed
 * data set for epochs use `fit(model, ...)` instead.
 */
import { type Tensor, type Sequential, clipGradNorm, type Optimizer, type Loss } from '../src/index.js';

export interface LoopOptions {
  model: Sequential;
  loss: Loss;
  optimizer: Optimizer;
  /** Max global gradient norm. */
  clip: number;
  steps: number;
  nextBatch(step: number): { x: Tensor; y: Tensor; lengths?: ArrayLike<number> };
  evalEvery: number;
  /** Held-out metric (lower is better); called in eval mode, training mode is restored after. */
  evaluate(): number;
  log(msg: string): void;
  label: string;
}

/**
 * Train; returns the curve (step 0 = before training), the mean training loss per interval, and
 * the wall time of the training steps alone (batches drawn and held-out evaluations left out).
 */
export function trainSteps(o: LoopOptions): { step: number[]; value: number[]; trainLoss: number[]; trainMs: number } {
  const curve = { step: [0], value: [o.evaluate()], trainLoss: [NaN], trainMs: 0 };
  o.model.train();
  let sum = 0, n = 0;
  for (let step = 1; step <= o.steps; step++) {
    const { x, y, lengths } = o.nextBatch(step);
    const t0 = performance.now();
    o.optimizer.zeroGrad();
    sum += o.loss.forward(o.model.forward(x, { lengths: lengths ?? null }), y);
    n++;
    o.model.backward(o.loss.backward());
    clipGradNorm(o.model, o.clip);
    o.optimizer.step();
    curve.trainMs += performance.now() - t0;
    if (step % o.evalEvery === 0 || step === o.steps) {
      curve.step.push(step);
      curve.value.push(o.evaluate());
      curve.trainLoss.push(sum / n);
      sum = n = 0;
      o.model.train();
      o.log(`${o.label} step ${step}/${o.steps}: train loss ${curve.trainLoss.at(-1)!.toFixed(4)}, held-out ${curve.value.at(-1)!.toFixed(4)}`);
    }
  }
  return curve;
}
