/** Training: losses, the fit loop, evaluation and progress display (checkpoint files are in io/). */
export { mse, mae, huber, bce, crossEntropy, pinball, makeLoss, type Loss, type LossName } from './losses.js';
export {
  fit, TrainingError, divergedError, DEFAULT_CLIP_NORM,
  type FitOptions, type History, type BatchInfo, type EpochInfo, type ValidationSpec, type CheckpointHook, type TrainState,
} from './fit.js';
export { evaluate, defaultLoss, type EvaluateOptions, type EvaluateResult } from './evaluate.js';
export { gatherBatch, gatherRows, stepMask, type MiniBatch } from './batches.js';
export { createProgress, formatEpochLine, type ProgressReporter, type ProgressState } from './progress.js';
