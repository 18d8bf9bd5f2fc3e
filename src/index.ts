/**
 * lstm-ts public API: tensors and backends, the recurrent layers and models, training,
 * data, classical statistical forecasting, file formats, recipes and tracing. Each folder's
 * index.ts lists what it exports.
 */
export { Tensor, sizeOf, type DType, type FloatArray } from './tensor/tensor.js';
export { Rng } from './tensor/rng.js';
export { setBackend, getBackend, registerBackend, listBackends, backendByName, type Backend, type RnnActivation, type SequenceLayer, type SequenceCache, type SequenceGrads, type SequenceRunningGrads } from './kernels/index.js';
export { initWasm, wasmInfo, wasmThreadsReady, createWasmBackend, type WasmInfo } from './kernels/index.js';
export * from './nn/index.js';
export * from './optim/index.js';
export * from './train/index.js';
export * from './io/index.js';
export * from './trace/index.js';
export * from './report/index.js';
export * from './data/index.js';
export * from './stats/index.js';
export * from './recipes/index.js';
export * from './plot/index.js';
