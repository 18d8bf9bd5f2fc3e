/**
 * End-to-end LSTM forward timing on each backend: W1 (batch 1, T 100, I 32, H 128) and W2
 * (batch 64, T 100, I 32, H 256), inference, float32, on buffers already in the backend
 * (forwardRaw). Prints the median and best wall-clock ms per forward, the median CPU time of
 * the process (robust on a busy shared machine; for one thread it is the compute time), and
 * GFLOP/s from the wall median, counting 8·H·(I+H)·T·B FLOPs (2 per multiply-add).
 * Usage: npx tsx bench/kernels/lstm-forward.ts [reps]
 */
import { LSTM, Tensor, Rng, backendByName, wasmThreadsReady, wasmInfo } from '../../src/index.js';

const reps = Number(process.argv[2] ?? 30);
await wasmThreadsReady();
console.log('wasm build:', JSON.stringify(wasmInfo()));

const workloads = [
  { name: 'W1', B: 1, T: 100, I: 32, H: 128 },
  { name: 'W2', B: 64, T: 100, I: 32, H: 256 },
];
for (const w of workloads) {
  const rng = new Rng(1);
  const x = Tensor.zeros([w.T, w.B, w.I]);
  for (let i = 0; i < x.size; i++) x.data[i] = rng.uniform(-1, 1);
  const flops = 8 * w.H * (w.I + w.H) * w.T * w.B;
  for (const be of ['reference', 'wasm-1t', 'wasm']) {
    if (be === 'reference' && w.name === 'W2' && reps > 3) continue;
    backendByName(be);
    const lstm = new LSTM({ inputSize: w.I, hiddenSize: w.H, backend: be, seed: 1 });
    lstm.eval();
    const xb = lstm.backend.alloc(x.size, 'float32');
    xb.set(x.data);
    const times: number[] = [], cpus: number[] = [];
    for (let r = 0; r < reps + 3; r++) {
      const c0 = process.cpuUsage(), t0 = performance.now();
      lstm.forwardRaw(xb, w.T, w.B);
      const dt = performance.now() - t0, dc = process.cpuUsage(c0);
      if (r >= 3) {
        times.push(dt);
        cpus.push((dc.user + dc.system) / 1000);
      }
    }
    times.sort((a, b) => a - b);
    cpus.sort((a, b) => a - b);
    const med = times[times.length >> 1]!, best = times[0]!, cpu = cpus[cpus.length >> 1]!;
    console.log(`${w.name} ${be.padEnd(9)} median ${med.toFixed(3)} ms  best ${best.toFixed(3)} ms  CPU ${cpu.toFixed(3)} ms  ${(flops / med / 1e6).toFixed(1)} GFLOP/s (median)`);
  }
}
