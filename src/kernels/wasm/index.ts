/**
 * The WebAssembly backend: the kernels of ./assembly (AssemblyScript, 128-bit SIMD) running in
 * one WebAssembly memory that also holds every buffer the backend hands out, so no kernel call
 * copies data between JavaScript and WebAssembly. Large matmuls, the batch of the cell kernels
 * and the LSTM time loop are split over worker threads that share that memory.
 *
 * Names (kept by ../registry.ts): 'wasm' uses every core (os.availableParallelism()), 'wasm-1t'
 * one thread; both share one memory, so their buffers are interchangeable.
 * `createWasmBackend({ threads })` makes others (register one with registerBackend). Importing
 * this folder changes nothing: in Node the first use (getBackend(), or any function here)
 * loads the kernels synchronously and makes 'wasm' the default; in a browser call
 * `await initWasm()`.
 *
 * One file per part:
 *   env.ts       feature detection: Node or browser, cores, shared memory, may this thread block
 *   load.ts      loading: build choice (relaxed or plain SIMD), instantiation, the one runtime
 *   abi.ts       the module's exports and the parameter blocks shared with AssemblyScript, checked at load
 *   memory.ts    the memory map and the buffer allocator
 *   threads.ts   the thread pool: control block, jobs, worker source
 *   adapter.ts   the Backend interface on all of the above
 */
export { initWasm, wasmInfo, wasmThreadsReady, wasmKernelsForBench, unshareMemoryImport, type WasmInfo, type WasmInitOptions } from './load.js';
export { createWasmBackend, type WasmBackendOptions } from './adapter.js';

import { loaded } from './load.js';

/** True when the kernels are loaded (in Node the first call loads them; elsewhere after `initWasm()`). For the registry. */
export function wasmLoaded(): boolean {
  return loaded() !== null;
}
