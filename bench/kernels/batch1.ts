/**
 * Does a second thread pay at batch 1? A batch-1 LSTM forward (T 100, I 32, public API,
 * eval mode) over a range of hidden sizes, on one thread ('wasm-1t') and on two ('wasm'), the
 * two interleaved in short turns in one process so that a slow spell of a shared machine hits
 * both alike. Per H: the multiply-adds per step (4·H·H, what SEQ_PAR_MIN_MACS in
 * src/kernels/wasm/adapter.ts compares), median and best wall-clock µs per call, median CPU µs
 * of the process per call (both threads), and the wall-clock ratio two threads ÷ one. Below
 * SEQ_PAR_MIN_MACS the 'wasm' backend runs on one thread anyway (the two columns then match).
 * The best call approximates an idle machine; the median is what a loaded one gives.
 * Usage: node --import tsx bench/kernels/batch1.ts [--budget MS per H and backend] [--H 64,128]
 */
import { parseArgs } from 'node:util';
import { LSTM, Rng, Tensor, wasmThreadsReady } from '../../src/index.js';
import { median } from '../harness.js';

const { values } = parseArgs({ options: { budget: { type: 'string', default: '1500' }, H: { type: 'string', default: '32,48,64,80,96,112,128,192,256' } } });
const budget = Number(values.budget), T = 100, I = 32;
await wasmThreadsReady(2);

console.log('| H | MACs per step | 1 thread: median µs | best | CPU µs | 2 threads: median µs | best | CPU µs | 2 ÷ 1 (median) | 2 ÷ 1 (best) |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const H of values.H!.split(',').map(Number)) {
  const rng = new Rng(H);
  const x = new Tensor(Float32Array.from({ length: T * I }, () => rng.uniform(-1, 1)), [1, T, I]);
  const runs = ['wasm-1t', 'wasm'].map((backend) => {
    const lstm = new LSTM({ inputSize: I, hiddenSize: H, batchFirst: true, seed: 1, backend });
    lstm.eval();
    for (let i = 0; i < 20; i++) lstm.forward(x);
    return { f: () => lstm.forward(x), wall: [] as number[], cpu: [] as number[], spent: 0 };
  });
  while (runs.some((r) => r.spent < budget)) {
    for (const r of runs) {
      const turn = performance.now();
      do {
        const c0 = process.cpuUsage(), t0 = performance.now();
        r.f();
        r.wall.push((performance.now() - t0) * 1000);
        const c = process.cpuUsage(c0);
        r.cpu.push(c.user + c.system);
      } while (performance.now() - turn < 20);
      r.spent += performance.now() - turn;
    }
  }
  const [one, two] = runs.map((r) => ({ med: median(r.wall), best: Math.min(...r.wall), cpu: median(r.cpu) }));
  const f = (v: number): string => v.toFixed(0);
  console.log(`| ${H} | ${4 * H * H} | ${f(one!.med)} | ${f(one!.best)} | ${f(one!.cpu)} | ${f(two!.med)} | ${f(two!.best)} | ${f(two!.cpu)} | ${(two!.med / one!.med).toFixed(2)} | ${(two!.best / one!.best).toFixed(2)} |`);
}
process.exit(0); // the worker threads keep the process alive
