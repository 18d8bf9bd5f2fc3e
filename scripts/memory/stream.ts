/**
 * Streaming inference in stateful mode: an LSTM reads a stream of --steps time steps one
 * chunk at a time, carrying (h, c) from chunk to chunk (--chunk 1 uses LSTM.step, one step per
 * call). Memory is sampled after a GC at 10 evenly spaced points; the JSON line printed at the
 * end has every sample, the peak RSS and the growth of the heap and RSS from the first sample
 * to the last (constant memory: growth ≈ 0 however long the stream).
 *
 *   node --expose-gc --import tsx scripts/memory/stream.ts --steps 1000000 --chunk 1000
 *   node --expose-gc --import tsx scripts/memory/stream.ts --steps 1000000 --chunk 1
 */
import { LSTM, Tensor, getBackend, initWasm } from '../../src/index.js';
import { MB, args, sample, type MemSample } from './mem.js';

const o = args({ steps: 1_000_000, chunk: 1000, hidden: 32, input: 4, layers: 2, backend: 'default' });
if (o.backend !== 'reference') await initWasm().catch(() => undefined);
const backend = o.backend === 'default' ? getBackend().name : o.backend;
const lstm = new LSTM({ inputSize: o.input, hiddenSize: o.hidden, numLayers: o.layers, seed: 1, backend });
lstm.eval();

const C = o.chunk;
const xBuf = new Float32Array(C * o.input);
/** Input at time t: a few slow sines, so the state keeps changing. */
const fill = (t0: number, n: number): void => {
  for (let k = 0; k < n; k++) for (let j = 0; j < o.input; j++) xBuf[k * o.input + j] = Math.sin((t0 + k) * 0.001 * (j + 1));
};

const samples: Array<MemSample & { step: number }> = [];
const every = Math.max(C, Math.floor(o.steps / 10 / C) * C);
let h: Tensor | undefined, c: Tensor | undefined;
let checksum = 0;
const t0 = performance.now();
samples.push({ step: 0, ...sample() });
for (let t = 0; t < o.steps; t += C) {
  const n = Math.min(C, o.steps - t);
  fill(t, n);
  if (C === 1) {
    const r = lstm.step(new Tensor(xBuf, [1, o.input]), { h, c });
    h = r.h; c = r.c;
    checksum += r.output.data[0]!;
  } else {
    // Time-major (T, B=1, I); the last chunk may be shorter.
    const r = lstm.forward(new Tensor(n === C ? xBuf : xBuf.subarray(0, n * o.input), [n, 1, o.input]), h ? { h0: h, c0: c } : {});
    h = r.h; c = r.c;
    checksum += r.output.data[(n - 1) * o.hidden]!;
  }
  if ((t + n) % every === 0 || t + n === o.steps) samples.push({ step: t + n, ...sample() });
}
const seconds = (performance.now() - t0) / 1000;
const first = samples[1]!, last = samples.at(-1)!;
const report = {
  script: 'stream', backend, steps: o.steps, chunk: C, hidden: o.hidden, layers: o.layers, seconds: Math.round(seconds * 10) / 10,
  usPerStep: Math.round((seconds / o.steps) * 1e7) / 10,
  peakRssMB: MB(Math.max(...samples.map((s) => s.peakRss))),
  rssGrowthMB: MB(last.rss - first.rss), heapGrowthMB: MB(last.heapUsed - first.heapUsed), externalGrowthMB: MB(last.external - first.external),
  maxHeapMB: MB(Math.max(...samples.map((s) => s.heapUsed))),
  finalH: Array.from(h!.data.slice(-3)), checksum,
  samples: samples.map((s) => ({ step: s.step, rssMB: MB(s.rss), heapMB: MB(s.heapUsed), externalMB: MB(s.external) })),
};
console.log(JSON.stringify(report));
