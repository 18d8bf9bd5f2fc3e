/**
 * Training on one long series with truncated backpropagation through time: the series is cut
 * into consecutive windows of --window steps; each window runs forward from the (h, c) the
 * previous window ended with (carried, not differentiated through), backpropagates through
 * its own steps only, and takes an Adam step. Memory is bounded by the window, not the series:
 * the JSON line printed at the end has memory samples after a GC at 10 points, their growth,
 * the peak RSS, and the mean loss over the first and last tenth of the windows.
 *
 *   node --expose-gc --import tsx scripts/memory/tbptt.ts --steps 1000000 --window 100
 */
import { Adam, Dense, LSTM, Sequential, Tensor, clipGradNorm, getBackend, initWasm, makeLoss } from '../../src/index.js';
import { MB, args, sample, type MemSample } from './mem.js';

const o = args({ steps: 1_000_000, window: 100, hidden: 32, lr: 0.005, backend: 'default' });
if (o.backend !== 'reference') await initWasm().catch(() => undefined);
const backend = o.backend === 'default' ? getBackend().name : o.backend;
const be = { backend };
const model = new Sequential([
  ['lstm', new LSTM({ inputSize: 1, hiddenSize: o.hidden, batchFirst: true, seed: 1, ...be })],
  ['fc', new Dense({ inputSize: o.hidden, outputSize: 1, seed: 2, ...be })],
]);
const lstm = model.layer('lstm') as LSTM;
const fc = model.layer('fc') as Dense;
const opt = new Adam(model, { lr: o.lr });
const loss = makeLoss('mse');

/** The series at time t: two incommensurate sines plus a slow drift of the phase. */
const series = (t: number): number => 0.6 * Math.sin(t * 0.05) + 0.3 * Math.sin(t * 0.0123 + Math.sin(t * 1e-5));

const K = o.window;
const x = new Float32Array(K), y = new Float32Array(K);
const windows = Math.floor((o.steps - 1) / K);
const tenth = Math.max(1, Math.floor(windows / 10));
const samples: Array<MemSample & { step: number }> = [];
let h: Tensor | undefined, c: Tensor | undefined;
let firstLoss = 0, lastLoss = 0;
model.train();
const t0 = performance.now();
samples.push({ step: 0, ...sample() });
for (let w = 0; w < windows; w++) {
  for (let k = 0; k < K; k++) {
    x[k] = series(w * K + k);
    y[k] = series(w * K + k + 1);
  }
  model.zeroGrad();
  const r = lstm.forward(new Tensor(x, [1, K, 1]), h ? { h0: h, c0: c } : {});
  const pred = fc.forward(r.output); // (1,K,1)
  const l = loss.forward(pred, new Tensor(y, [1, K, 1]));
  lstm.backward({ dOutput: fc.backward(loss.backward()) });
  clipGradNorm(model, 1);
  opt.step();
  h = r.h; c = r.c; // carried into the next window as constants (truncation)
  if (w < tenth) firstLoss += l / tenth;
  if (w >= windows - tenth) lastLoss += l / tenth;
  if ((w + 1) % tenth === 0 || w === windows - 1) samples.push({ step: (w + 1) * K, ...sample() });
}
const seconds = (performance.now() - t0) / 1000;
const first = samples[1]!, last = samples.at(-1)!;
console.log(JSON.stringify({
  script: 'tbptt', backend, steps: windows * K, window: K, hidden: o.hidden, seconds: Math.round(seconds * 10) / 10,
  usPerStep: Math.round((seconds / (windows * K)) * 1e7) / 10,
  peakRssMB: MB(Math.max(...samples.map((s) => s.peakRss))),
  rssGrowthMB: MB(last.rss - first.rss), heapGrowthMB: MB(last.heapUsed - first.heapUsed), externalGrowthMB: MB(last.external - first.external),
  maxHeapMB: MB(Math.max(...samples.map((s) => s.heapUsed))),
  lossFirstTenth: firstLoss, lossLastTenth: lastLoss,
  samples: samples.map((s) => ({ step: s.step, rssMB: MB(s.rss), heapMB: MB(s.heapUsed), externalMB: MB(s.external) })),
}));
