/**
 * Kernel backends: the interface (backend.ts), the plain-TypeScript "reference" backend (the
 * fallback and the definition of correct), the WebAssembly backend ("wasm" on all cores,
 * "wasm-1t" on one), and the registry that names them and picks the default (registry.ts).
 * Importing this module changes no state: the WebAssembly backend becomes the default at the
 * first registry call where its kernels load (Node: at once; browsers: after `await initWasm()`).
 */
export { registerBackend, setBackend, getBackend, backendByName, listBackends, setDefaultBackend } from './registry.js';
export type { Backend, RnnActivation, SequenceLayer, SequenceCache, SequenceGrads, SequenceRunningGrads } from './backend.js';
export { createReferenceBackend } from './reference/index.js';
export { initWasm, wasmInfo, wasmThreadsReady, createWasmBackend, type WasmInfo, type WasmInitOptions, type WasmBackendOptions } from './wasm/index.js';
