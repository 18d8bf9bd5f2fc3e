/**
 * What peepholes cost on the WebAssembly backend, at the W3 shape (batch 32, 50 steps, input
 * 32, hidden 128, 1 layer; training step = LSTM → LastStep → Dense(1), MSE, Adam, as
 * bench/impls/lstm-ts.ts runs it) and its forward alone. The whole-sequence kernel
 * (src/kernels/wasm/assembly/sequence.ts) has no peepholes, so a peephole LSTM runs the
 * per-step path: one recurrent matmul and one cell kernel per step. Three rows:
 *   plain LSTM, whole-sequence kernel     (the default for a plain LSTM)
 *   plain LSTM, per-step kernels          (the same backend with the sequence kernels removed)
 *   peephole LSTM, per-step kernels
 * so the table separates the cost of leaving the sequence kernel from the cost of the
 * peepholes themselves. Rounds alternate between the rows; medians are reported.
 * Usage: npm run bench:peephole -- [--rounds N] [--threads N]
 */
import { Adam, Dense, LSTM, LastStep, Rng, Sequential, Tensor, createWasmBackend, mse, registerBackend, setBackend } from '../src/index.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const ROUNDS = arg('rounds', 15), THREADS = arg('threads', 2);
const [B, T, I, H] = [32, 50, 32, 128];

// The same wasm kernels, with and without the optional whole-sequence LSTM kernels.
const wasm = createWasmBackend({ threads: THREADS });
registerBackend('bench-seq', () => wasm);
registerBackend('bench-step', () => ({ ...wasm, name: 'bench-step', sequenceForward: undefined, sequenceBackward: undefined }));
setBackend('bench-seq');

const rng = new Rng(1);
const rand = (shape: number[]): Tensor => {
  const t = Tensor.zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.uniform(-1, 1);
  return t;
};
const x = rand([B, T, I]), y = rand([B, 1]);

interface Row { name: string; train: () => void; infer: () => void; trainMs: number[]; inferMs: number[] }
function row(name: string, backend: string, peephole: boolean): Row {
  const lstm = new LSTM({ inputSize: I, hiddenSize: H, batchFirst: true, peephole, seed: 3, backend });
  const model = new Sequential([['lstm', lstm], ['last', new LastStep({ backend })], ['fc', new Dense({ inputSize: H, outputSize: 1, seed: 4, backend })]], { backend });
  const opt = new Adam(model, { lr: 1e-3 });
  const loss = mse();
  return {
    name, trainMs: [], inferMs: [],
    train: () => {
      model.zeroGrad();
      loss.forward(model.forward(x), y);
      model.backward(loss.backward());
      opt.step();
    },
    infer: () => lstm.forward(x),
  };
}

const rows = [
  row('plain LSTM, whole-sequence kernel', 'bench-seq', false),
  row('plain LSTM, per-step kernels', 'bench-step', false),
  row('peephole LSTM, per-step kernels', 'bench-step', true),
];
const time = (f: () => void): number => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};
for (const r of rows) for (let i = 0; i < 3; i++) { r.train(); r.infer(); } // warm-up
for (let k = 0; k < ROUNDS; k++) {
  for (const r of rows) {
    r.trainMs.push(time(r.train));
    r.inferMs.push(time(r.infer));
  }
}
const median = (a: number[]): number => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
const plainSeq = rows[0]!, plainStep = rows[1]!;
const cell = (ms: number[], ref: (r: Row) => number[]): string => {
  const m = median(ms);
  return `${m.toFixed(1)} ms (${((1000 * m) / T).toFixed(0)} µs/step) | ${(m / median(ref(plainSeq))).toFixed(2)}× | ${(m / median(ref(plainStep))).toFixed(2)}×`;
};
console.log(`W3 shape (B ${B}, T ${T}, I ${I}, H ${H}), wasm ${wasm.threads} thread(s), median of ${ROUNDS} rounds`);
console.log('| LSTM | training step | vs plain, sequence kernel | vs plain, per-step | forward | vs plain, sequence kernel | vs plain, per-step |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${cell(r.trainMs, (q) => q.trainMs)} | ${cell(r.inferMs, (q) => q.inferMs)} |`);
process.exit(0);
