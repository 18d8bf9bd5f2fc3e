/**
 * Internal entry for bench/: kernel-level hooks that are not part of the public API
 * (src/index.ts) and may change without notice. Only the benchmarks import it
 * (test/layering.test.ts allows bench/ and nothing else to).
 */
export { wasmKernelsForBench } from './kernels/wasm/index.js';
export { loadOnnxruntime } from './io/onnx/onnxruntime-engine.js';
