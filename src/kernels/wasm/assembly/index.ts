// The kernel module's entry: every function the JS side (../abi.ts) calls. Built twice by
// scripts/build-wasm.mjs, with plain SIMD and with relaxed SIMD (fused multiply-add).
// No data segments and no runtime: all memory is managed from JS, so one shared memory can
// serve instances on several threads.
export { matmulF32, matmulF64, matmulScratchBytes } from './matmul';
export {
  lstmFwdF32, lstmBwdF32, lstmFwdF64, lstmBwdF64,
  lstmFwdPeepF32, lstmBwdPeepF32, lstmFwdPeepF64, lstmBwdPeepF64, lstmPeepGradF32, lstmPeepGradF64,
  gruFwdF32, gruBwdF32, gruFwdF64, gruBwdF64,
  rnnFwdF32, rnnBwdF32, rnnFwdF64, rnnBwdF64,
} from './cells';
export {
  fillRowsF32, fillRowsF64, sumRowsF32, sumRowsLdF32, sumRowsF64, addF32, addF64, mulF32, mulF64,
  copyBytes, keepInactiveRows,
} from './elementwise';
export { simdPeakF32, activationsF32 } from './simd';
// The sequence kernels, their constants, and the layout of their parameter blocks
// (ForwardJob_*, BackwardJob_*: checked against ../abi.ts when the module loads).
export * from './sequence';
