/**
 * Kernel micro-benchmark of the WebAssembly backend: the f32x4 SIMD peak of one core (12
 * independent register-resident multiply-adds per loop, the same madd the matmul uses), then
 * the matmul's GFLOP/s at the sizes the workloads run, on one thread and on every core, with
 * the ratio to the peak. Each figure is the median over `reps` timed rounds. One-thread figures
 * are given twice: from wall-clock time, and from the process's CPU time (process.cpuUsage),
 * which a busy shared machine disturbs much less (time spent waiting for a core is not
 * counted); the % of peak compares CPU-time figures. The all-threads figure can only be wall
 * time. The peak is measured again after every size.
 *
 * Usage: npm run bench:kernels [-- reps]       (plain SIMD build)
 *        LSTM_TS_WASM_RELAXED=1 npm run bench:kernels   (relaxed SIMD, fused multiply-add)
 */
import { createWasmBackend, wasmInfo, wasmThreadsReady } from '../../src/index.js';
import { wasmKernelsForBench } from '../../src/internal.js';

const reps = Number(process.argv[2] ?? 21);
await wasmThreadsReady();
const info = wasmInfo()!;
const { simdPeakF32 } = wasmKernelsForBench();
const one = createWasmBackend({ threads: 1 }), all = createWasmBackend();

/** Median wall-clock and CPU time (ms) of f over n rounds. */
function time(f: () => void, n = reps): { wall: number; cpu: number } {
  const w: number[] = [], c: number[] = [];
  f();
  for (let r = 0; r < n; r++) {
    const c0 = process.cpuUsage(), s = performance.now();
    f();
    w.push(performance.now() - s);
    const d = process.cpuUsage(c0);
    c.push((d.user + d.system) / 1000);
  }
  const med = (a: number[]): number => a.sort((x, y) => x - y)[a.length >> 1]!;
  return { wall: med(w), cpu: med(c) };
}

const PEAK_ITERS = 2_000_000; // 192 MFLOP, ~5 ms
const peakSamples: number[] = [];
function peak(): number {
  const { cpu } = time(() => simdPeakF32(PEAK_ITERS), 7);
  const g = (PEAK_ITERS * 12 * 4 * 2) / cpu / 1e6;
  peakSamples.push(g);
  return g;
}

console.log(`wasm build: ${info.variant}, ${info.cores} cores, threads for 'all': ${all.threads}, workers ready: ${info.workersReady}`);
console.log(`f32x4 SIMD peak, one core (CPU time): ${peak().toFixed(1)} GFLOP/s`);
console.log('');
console.log('| matmul (m×n×k, op) | where | 1 thread GFLOP/s (wall) | 1 thread (CPU time) | % of peak | all threads (wall) | speed-up (wall) |');
console.log('|---|---|---|---|---|---|---|');

const sizes: [number, number, number, boolean, boolean, string][] = [
  [6400, 1024, 32, false, true, 'W2 input projection (B 64·T 100, 4H 1024, I 32)'],
  [64, 1024, 256, false, true, 'W2 recurrent step (B 64, 4H, H 256)'],
  [1, 512, 128, false, true, 'W1 recurrent step (B 1, 4H 512, H 128)'],
  [100, 512, 32, false, true, 'W1 input projection (T 100)'],
  [32, 512, 128, false, true, 'W3 recurrent step (B 32, H 128)'],
  [6400, 256, 1024, false, false, 'W4 dX = dG·W_ih, layer 2 (B 64·T 100, I 256)'],
  [1024, 256, 6400, true, false, 'W4 dW_hh = dGᵀ·H_prev over all steps'],
  [256, 256, 256, false, false, 'square'],
];
for (const [m, n, k, tA, tB, where] of sizes) {
  const A = one.alloc(m * k, 'float32'), B = one.alloc(k * n, 'float32'), C = one.alloc(m * n, 'float32');
  for (let i = 0; i < A.length; i++) A[i] = Math.sin(i);
  for (let i = 0; i < B.length; i++) B[i] = Math.cos(i);
  const flops = 2 * m * n * k;
  const inner = Math.max(1, Math.round(2e7 / flops)); // ≥ ~10 ms per timed round on one core
  const gf = (ms: number): number => (flops * inner) / ms / 1e6;
  const t1 = time(() => { for (let r = 0; r < inner; r++) one.matmul(C, 0, A, 0, B, 0, m, n, k, tA, tB, false); });
  const tn = time(() => { for (let r = 0; r < inner; r++) all.matmul(C, 0, A, 0, B, 0, m, n, k, tA, tB, false); });
  const p = peak();
  const op = `${tA ? 'Aᵀ' : 'A'}·${tB ? 'Bᵀ' : 'B'}`;
  console.log(`| ${m}×${n}×${k} ${op} | ${where} | ${gf(t1.wall).toFixed(1)} | ${gf(t1.cpu).toFixed(1)} | ` +
    `${((100 * gf(t1.cpu)) / p).toFixed(0)}% | ${gf(tn.wall).toFixed(1)} | ${(t1.wall / tn.wall).toFixed(2)}× |`);
  for (const b of [A, B, C]) one.free(b);
}
peakSamples.sort((a, b) => a - b);
console.log('');
console.log(`peak over the run: median ${peakSamples[peakSamples.length >> 1]!.toFixed(1)}, min ${peakSamples[0]!.toFixed(1)}, max ${peakSamples[peakSamples.length - 1]!.toFixed(1)} GFLOP/s`);
