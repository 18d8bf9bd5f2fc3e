/** Layers and models. */
export { Module, Parameter, type ModuleOptions, type TensorLike } from './module.js';
export {
  LSTM, GRU, RNN, RecurrentBase,
  type RecurrentOptions, type LSTMOptions, type RNNOptions, type RecurrentInit, type RecurrentMode,
  type ForwardOptions, type ForwardResult, type BackwardOptions, type BackwardResult, type DirectionCache,
  type RawForward, type RawBackward,
} from './recurrent.js';
