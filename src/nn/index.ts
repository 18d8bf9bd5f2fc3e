/** Layers and models, and the Trainable interface the trainer sees them through. */
export { Module, Parameter, type ModuleOptions, type TensorLike } from './module.js';
export {
  LSTM, GRU, RNN, RecurrentBase,
  type RecurrentOptions, type LSTMOptions, type RNNOptions, type RecurrentInit, type RecurrentMode,
  type ForwardOptions, type ForwardResult, type BackwardOptions, type BackwardResult, type DirectionCache,
  type RawForward, type RawBackward,
} from './recurrent.js';
export {
  Dense, Embedding, Dropout, LastStep, checkLengths,
  type DenseOptions, type EmbeddingOptions, type DropoutOptions, type Batch, type ModelLayer,
} from './layers.js';
export type { Activation } from './activations.js';
export {
  Sequential, swapLeadingAxes, sliceRows, concatRows,
  type SequentialOptions, type SequentialConfig, type LayerEntry,
} from './sequential.js';
export type { Trainable, Task } from './trainable.js';
export type { InferenceEngine } from './engine.js';
