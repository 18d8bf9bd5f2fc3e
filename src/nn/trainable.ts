/**
 * Trainable: what training needs from a model, and nothing more. The trainer (train/fit.ts,
 * train/evaluate.ts) sees a model only through this interface, so the layers never import the
 * trainer: llm.c's split of `gpt2_forward` / `gpt2_backward` / `gpt2_update` into free
 * functions, with the loop outside the model. Sequential implements it; so can any model with a
 * forward/backward pair over one flat parameter buffer.
 */
import type { DType, FloatArray, Tensor } from '../tensor/tensor.js';

/** What the model is for; sets the default loss (regression: mse; otherwise cross-entropy). */
export type Task = 'regression' | 'classification' | 'language-model';

/** A model fit() can train and evaluate() can score. */
export interface Trainable {
  readonly task: Task;
  readonly dtype: DType;
  /** Every parameter in one flat buffer (the optimizer steps it; best weights are copies of it). */
  readonly flat: FloatArray;
  /** Gradients, same layout as `flat`; backward accumulates into it. */
  readonly flatGrad: FloatArray;
  /** True in training mode (dropout active). */
  readonly training: boolean;
  /** True when a layer is recurrent (fit then clips the gradient norm by default). */
  readonly recurrent: boolean;
  /** x: (B,T,F), (B,T) token ids or (B,F) rows; lengths (B) for padded batches. Keeps what backward needs. */
  forward(x: Tensor, opts?: { lengths?: ArrayLike<number> | null }): Tensor;
  /** dOut has the last forward output's shape; accumulates every gradient into flatGrad. */
  backward(dOut: Tensor): void;
  zeroGrad(): void;
  /** Training mode on (or off with `false`). */
  train(on?: boolean): unknown;
  /** Training mode off. */
  eval(): unknown;
  /** RNG state of every layer that draws random numbers (dropout masks), by layer name: checkpoints carry it. */
  rngStates(): Record<string, number[]>;
  /** Restore states returned by rngStates (names not in the model are ignored). */
  setRngStates(states: Record<string, number[]>): void;
}
