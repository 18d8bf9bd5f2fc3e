/** Optimizers, learning-rate schedules and gradient clipping over a model's flat buffers. */
export {
  Optimizer, SGD, RMSprop, Adam, AdamW, makeOptimizer,
  type ParamTarget, type OptimizerState, type OptimizerSpec, type SGDOptions, type RMSpropOptions, type AdamOptions,
} from './optimizers.js';
export {
  LRScheduler, StepLR, CosineAnnealingLR, ReduceLROnPlateau, makeSchedule,
  type ScheduleSpec, type StepLROptions, type CosineAnnealingLROptions, type ReduceLROnPlateauOptions,
} from './schedules.js';
export { clipGradNorm, clipGradValue, gradNorm, type GradTarget } from './clip.js';
