/**
 * Kernel backends. Importing this module registers the plain-TypeScript "reference" backend
 * and loads the WebAssembly backend ("wasm" on all cores, "wasm-1t" on one), which becomes the
 * default where it loads (Node at import; browsers after `await initWasm()`). The reference
 * backend stays the fallback and the definition of correct.
 */
import { registerBackend } from './backend.js';
import { createReferenceBackend } from './reference/index.js';

registerBackend('reference', createReferenceBackend);

export { registerBackend, setBackend, getBackend, backendByName, listBackends, setDefaultBackend } from './backend.js';
export type { Backend, RnnActivation } from './backend.js';
export { createReferenceBackend } from './reference/index.js';
export { initWasm, wasmInfo, wasmThreadsReady, createWasmBackend, type WasmInfo, type WasmInitOptions, type WasmBackendOptions } from './wasm/index.js';
