/**
 * Kernel micro-benchmark of the WebAssembly backend: the f32x4 SIMD peak of one core (12
 * independent register-resident multiply-adds per loop, the same madd the matmul uses), then
 * the matmul's GFLOP/s at the sizes the workloads run, on one thread and on every core, with
 * the ratio to the peak. Each figure is the median over `reps` timed rounds (best in
 * parentheses); the peak is measured again between sizes and its median used, so a noisy
 * machine moves both together.
 *
 * Usage: npm run bench:kernels [-- reps]       (plain SIMD build)
 *        LSTM_TS_WASM_RELAXED=1 npm run bench:kernels   (relaxed SIMD, fused multiply-add)
 */
import { createWasmBackend, wasmInfo, wasmThreadsReady, wasmKernelsForBench } from '../../src/kernels/wasm/index.js';

const reps = Number(process.argv[2] ?? 21);
await wasmThreadsReady();
const info = wasmInfo()!;
const { simdPeakF32 } = wasmKernelsForBench();
const one = createWasmBackend({ threads: 1 }), all = createWasmBackend();

/** Median and best of `reps` timings (ms) of f. */
function time(f: () => void, n = reps): { med: number; best: number } {
  const t: number[] = [];
  f();
  for (let r = 0; r < n; r++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { med: t[t.length >> 1]!, best: t[0]! };
}

const PEAK_ITERS = 2_000_000; // 192 MFLOP, ~5 ms
const peakSamples: number[] = [];
function peak(): number {
  const { med } = time(() => simdPeakF32(PEAK_ITERS), 7);
  const g = (PEAK_ITERS * 12 * 4 * 2) / med / 1e6;
  peakSamples.push(g);
  return g;
}

console.log(`wasm build: ${info.variant}, ${info.cores} cores, threads for 'all': ${all.threads}, workers ready: ${info.workersReady}`);
console.log(`f32x4 SIMD peak, one core: ${peak().toFixed(1)} GFLOP/s`);
console.log('');
console.log('| matmul (m×n×k, op) | where | 1 thread GFLOP/s | % of peak | all threads GFLOP/s | speed-up |');
console.log('|---|---|---|---|---|---|');

const sizes: [number, number, number, boolean, boolean, string][] = [
  [6400, 1024, 32, false, true, 'W2 input projection (B 64·T 100, 4H 1024, I 32)'],
  [64, 1024, 256, false, true, 'W2 recurrent step (B 64, 4H, H 256)'],
  [1, 512, 128, false, true, 'W1 recurrent step (B 1, 4H 512, H 128)'],
  [100, 512, 32, false, true, 'W1 input projection (T 100)'],
  [32, 512, 128, false, true, 'W3 recurrent step (B 32, H 128)'],
  [6400, 256, 1024, false, false, 'W4 backward dh (dG·W_hh, B 64·T 100)'],
  [1024, 256, 6400, true, false, 'W4 dW_hh = dGᵀ·H'],
  [256, 256, 256, false, false, 'square'],
];
for (const [m, n, k, tA, tB, where] of sizes) {
  const A = one.alloc(m * k, 'float32'), B = one.alloc(k * n, 'float32'), C = one.alloc(m * n, 'float32');
  for (let i = 0; i < A.length; i++) A[i] = Math.sin(i);
  for (let i = 0; i < B.length; i++) B[i] = Math.cos(i);
  const flops = 2 * m * n * k;
  const inner = Math.max(1, Math.round(2e7 / flops)); // ≥ ~10 ms per timed round on one core
  const g: number[] = [];
  for (const be of [one, all]) {
    const { med } = time(() => { for (let r = 0; r < inner; r++) be.matmul(C, 0, A, 0, B, 0, m, n, k, tA, tB, false); });
    g.push((flops * inner) / med / 1e6);
  }
  const p = peak();
  const op = `${tA ? 'Aᵀ' : 'A'}·${tB ? 'Bᵀ' : 'B'}`;
  console.log(`| ${m}×${n}×${k} ${op} | ${where} | ${g[0]!.toFixed(1)} | ${((100 * g[0]!) / p).toFixed(0)}% | ${g[1]!.toFixed(1)} | ${(g[1]! / g[0]!).toFixed(2)}× |`);
  for (const b of [A, B, C]) one.free(b);
}
peakSamples.sort((a, b) => a - b);
console.log('');
console.log(`peak over the run: median ${peakSamples[peakSamples.length >> 1]!.toFixed(1)}, min ${peakSamples[0]!.toFixed(1)}, max ${peakSamples[peakSamples.length - 1]!.toFixed(1)} GFLOP/s`);
