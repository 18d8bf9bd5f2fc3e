/** Training: losses, the fit loop, evaluation, checkpoints and progress display. */
export { mse, mae, huber, bce, crossEntropy, pinball, makeLoss, type Loss, type LossName } from './losses.js';
export {
  fitModel, TrainingError, DEFAULT_CLIP_NORM,
  type FitOptions, type History, type BatchInfo, type EpochInfo, type ValidationSpec,
} from './fit.js';
export { evaluateModel, defaultLoss, type EvaluateOptions, type EvaluateResult } from './evaluate.js';
export { saveCheckpoint, loadCheckpoint, type TrainState } from './checkpoint.js';
export { gatherBatch, gatherRows, stepMask, type MiniBatch } from './batches.js';
export { createProgress, formatEpochLine, type ProgressReporter, type ProgressState } from './progress.js';
