/**
 * The onnxruntime engine's cost per call beside onnxruntime itself, on W1 (batch 1, 100 steps,
 * input 32, hidden 128): `compile(model, { engine: 'onnxruntime' })` then `model.forward(x)`
 * (the public API: argument checks, the time-major batch-of-one session, the result Tensor),
 * against a session on the model's batch-first export run directly, and against the bench's
 * one-node ONNX LSTM (bench/onnx-lstm.ts, what the onnxruntime-node rows of `npm run bench`
 * run), all through onnxruntime-node's synchronous native run, 2 intra-op threads. The three are
 * interleaved in turns of 50 calls; printed: median CPU µs of the process per call (all its
 * threads), median and best wall-clock µs.
 * Usage: npx tsx bench/engine-overhead.ts
 */
import { LSTM, Sequential, Tensor, compile, encodeOnnx } from '../src/index.js';
import { loadOnnxruntime } from '../src/internal.js';
import { makeData } from './data.js';
import { onnxLstmModel } from './onnx-lstm.js';
import { WORKLOADS } from './workloads.js';
const w = WORKLOADS.W1, d = makeData(w);
const { steps: T, input: I, hidden: H } = w;
const lstm = new LSTM({ inputSize: I, hiddenSize: H, batchFirst: true });
const model = new Sequential([['lstm', lstm]]);
await compile(model, { engine: 'onnxruntime', threads: 2 });
const ort = loadOnnxruntime();
const opts = { intraOpNumThreads: 2, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' } as const;
const raw = new ort.Session();
const bytes = onnxLstmModel(d.layers[0]!, I, H);
raw.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, opts);
const exp = new ort.Session();
const eb = encodeOnnx(model, { lengths: false });
exp.loadModel(eb.buffer, eb.byteOffset, eb.byteLength, opts);
const x = new Tensor(Float32Array.from(d.x), [1, T, I]);
const xt = new ort.Tensor('float32', x.data, [T, 1, I]);
const xb = new ort.Tensor('float32', x.data, [1, T, I]);
const fns: Record<string, () => unknown> = {
  engine: () => model.forward(x),
  exportedSessionOnly: () => exp.run({ x: xb }, { y: null }, {}),
  oneNodeSession: () => raw.run({ X: xt }, { Y: null }, {}),
};
const res: Record<string, { cpu: number[]; wall: number[] }> = {};
for (const k of Object.keys(fns)) { res[k] = { cpu: [], wall: [] }; for (let i = 0; i < 100; i++) fns[k]!(); }
for (let round = 0; round < 40; round++) for (const [k, f] of Object.entries(fns)) for (let i = 0; i < 50; i++) {
  const c0 = process.cpuUsage(), t0 = performance.now(); f(); const wall = performance.now() - t0; const c = process.cpuUsage(c0);
  res[k]!.cpu.push(c.user + c.system); res[k]!.wall.push(wall * 1000);
}
const med = (a: number[]) => { const s = [...a].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]!; };
for (const [k, r] of Object.entries(res)) console.log(k.padEnd(22), 'cpu med', med(r.cpu), 'wall med', med(r.wall).toFixed(1), 'wall min', Math.min(...r.wall).toFixed(1));
process.exit(0);
