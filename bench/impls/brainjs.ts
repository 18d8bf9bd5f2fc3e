/**
 * brain.js (1.6.x) recurrent.LSTMTimeStep, as its users run it. It is a different model, so the
 * figures compare cost, not identical arithmetic:
 * - no batching: a batch of B sequences is B calls (`run`), or one `train` pass over B
 *   sequences that updates the weights after EACH sequence (B updates per step, not one);
 * - it predicts the next time step: its output layer (I×H) runs at every step and is trained
 *   against the next input vector at every step; there is no Dense(1) on the last step;
 * - its own optimizer (RMSprop-like with clipping, learningRate 0.01), not Adam;
 * - separate per-gate matrices, evaluated as a graph of small operations (one Equation per time step).
 * Same sizes (I, H, L, T, B) as the other implementations; its weights are its own random ones.
 */
import { createRequire } from 'node:module';
import type { BenchData } from '../data.js';
import type { Workload } from '../workloads.js';
import type { Impl, Runner, RunnerOptions } from './types.js';

const require = createRequire(import.meta.url);

interface BrainLSTM {
  initialize(): void;
  bindEquation(): void;
  model: { equations: unknown[] };
  run(seq: number[][]): Float32Array;
  train(data: number[][][], opts: Record<string, unknown>): { error: number };
}

export function brainImpl(): Impl {
  return {
    id: 'brain.js',
    async info() {
      return { 'brain.js': String(require('brain.js/package.json').version) };
    },
    async create(w: Workload, d: BenchData, _opts: RunnerOptions): Promise<Runner> {
      const brain = require('brain.js');
      const { batch: B, steps: T, input: I, hidden: H, layers: L } = w;
      const net: BrainLSTM = new brain.recurrent.LSTMTimeStep({ inputSize: I, hiddenLayers: Array(L).fill(H), outputSize: I });
      // The shared inputs, as brain.js wants them: B sequences of T plain arrays of I numbers.
      const seqs: number[][][] = [];
      for (let b = 0; b < B; b++) {
        const s: number[][] = [];
        for (let t = 0; t < T; t++) s.push(Array.from(d.x.subarray((b * T + t) * I, (b * T + t + 1) * I)));
        seqs.push(s);
      }
      const opts = { iterations: 1, errorThresh: 0, log: false };
      if (w.kind === 'inference') {
        net.initialize();
        while (net.model.equations.length <= T) net.bindEquation();
        return {
          run: () => {
            for (const s of seqs) net.run(s);
            return undefined;
          },
          warmup: () => net.run(seqs[0]!),
        };
      }
      return {
        run: () => net.train(seqs, opts).error,
        warmup: () => net.train([seqs[0]!], opts),
      };
    },
  };
}
