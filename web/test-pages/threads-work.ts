/**
 * The workloads of the browser threads page (threads.ts), shared with its Node test
 * (test/web/wasm-threads.test.ts) so both compute exactly the same thing: two seeded LSTM
 * forwards (T 50, B 64, I 32, H 128, split over threads by batch rows; T 100, B 1, split by
 * hidden units), three seeded matmuls above the split threshold (no transpose, transposed A,
 * transposed B; odd sizes that do not divide the register block), and a training step of the
 * explorer's 'names' task. Results are compared by a digest of their bits.
 */
import { setBackend, type Backend } from '../../src/kernels/index.js';
import { LSTM } from '../../src/nn/index.js';
import { Adam } from '../../src/optim/index.js';
import { fit } from '../../src/train/fit.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { buildTask } from '../src/tasks.js';

/**
 * LSTM workloads: T steps, batch B, input I, hidden H, time-major (T,B,I). The backend splits a
 * large batch by rows over the threads, and a batch below 4 rows per thread by hidden units.
 */
export const LSTM_SHAPES = {
  batch64: { T: 50, B: 64, I: 32, H: 128 },
  batch1: { T: 100, B: 1, I: 32, H: 128 },
} as const;
export type LstmCase = keyof typeof LSTM_SHAPES;
/** Matmul workload C(m,n) = op(A)·op(B) with inner size k: 200·264·130 ≈ 6.9 M multiply-adds (split threshold 2^18). */
export const MATMUL_SHAPE = { m: 200, n: 264, k: 130 } as const;

/** FNV-1a over the 32-bit patterns of `a`: equal digests mean bit-identical arrays (in practice). */
export function digest(a: Float32Array): string {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  let h = 0x811c9dc5;
  for (let i = 0; i < u.length; i++) {
    let x = u[i]!;
    for (let b = 0; b < 4; b++, x >>>= 8) h = Math.imul(h ^ (x & 0xff), 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0') + `/${a.length}`;
}

function uniformArray(n: number, rng: Rng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

/** A seeded LSTM layer and its input on `backend`: same weights and input on every backend. */
export function lstmSetup(backend: string, which: LstmCase): { lstm: LSTM; x: Tensor } {
  const { T, B, I, H } = LSTM_SHAPES[which];
  const lstm = new LSTM({ inputSize: I, hiddenSize: H, seed: 7, backend });
  lstm.eval();
  return { lstm, x: Tensor.from(uniformArray(T * B * I, new Rng(11)), [T, B, I]) };
}

/** Forward of a seeded LSTM: output (T,B,H) and final h (1,B,H), copied out. */
export function lstmForward(setup: { lstm: LSTM; x: Tensor }): { output: Float32Array; h: Float32Array } {
  const r = setup.lstm.forward(setup.x);
  return { output: Float32Array.from(r.output.data), h: Float32Array.from(r.h.data) };
}

/** Buffers of the three seeded matmuls on one backend (allocated once, reused by every run). */
export function matmulSetup(be: Backend): { run(): void; results(): Float32Array[] } {
  const { m, n, k } = MATMUL_SHAPE;
  const rng = new Rng(13);
  const load = (len: number): Float32Array => {
    const buf = be.alloc(len, 'float32') as Float32Array;
    buf.set(uniformArray(len, rng));
    return buf;
  };
  const A = load(m * k), Bm = load(k * n);
  // (transA, transB): A is stored (m,k) or (k,m), B (k,n) or (n,k); same element count either way.
  const cases: [boolean, boolean][] = [[false, false], [true, false], [false, true]];
  const C = cases.map(() => be.alloc(m * n, 'float32') as Float32Array);
  return {
    run() {
      cases.forEach(([tA, tB], i) => be.matmul(C[i]!, 0, A, 0, Bm, 0, m, n, k, tA, tB, false));
    },
    results: () => C.map((c) => Float32Array.from(c)),
  };
}

/** The explorer's 'names' task on `backend`: run() trains one epoch (B 16, T 16, H 24, Adam). */
export function namesSetup(backend: string): { run(): Promise<number>; batches: number } {
  setBackend(backend);
  const task = buildTask('names', 1);
  const optimizer = new Adam(task.model, { lr: task.lr });
  let epoch = 0;
  return {
    batches: Math.ceil(task.x.shape[0]! / task.batchSize),
    async run() {
      const h = await fit(task.model, { x: task.x, y: task.y, epochs: 1, batchSize: task.batchSize, loss: task.loss, optimizer, seed: ++epoch, progress: false });
      return h.loss.at(-1) ?? NaN;
    },
  };
}

/**
 * Median wall time in ms of each of `fns` over `runs` rounds, after one warm-up call each. The
 * functions take turns within a round, so a machine that speeds up or slows down during the
 * measurement (JIT tiers, other load) does so for all of them alike.
 */
export async function medianMs(fns: (() => unknown)[], runs: number): Promise<number[]> {
  for (const fn of fns) await fn();
  const t: number[][] = fns.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < fns.length; i++) {
      const t0 = performance.now();
      await fns[i]!();
      t[i]!.push(performance.now() - t0);
    }
  }
  return t.map((ts) => ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)]!);
}
