/**
 * onnxruntime-node (CPU execution provider) running a one-node ONNX LSTM (bench/onnx-lstm.ts),
 * inference workloads only. intraOpNumThreads = the thread count under test, sequential
 * execution, all graph optimizations. The input is fed time-major (T,B,I), ONNX's layout.
 */
import { createRequire } from 'node:module';
import type { BenchData } from '../data.js';
import { onnxLstmModel } from '../onnx-lstm.js';
import type { Workload } from '../workloads.js';
import type { Impl, Runner, RunnerOptions } from './types.js';

const require = createRequire(import.meta.url);

/** (B,T,F) ↔ (T,B,F). */
export function swap01(a: Float32Array, n0: number, n1: number, F: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < n0; i++) for (let j = 0; j < n1; j++) out.set(a.subarray((i * n1 + j) * F, (i * n1 + j + 1) * F), (j * n0 + i) * F);
  return out;
}

export function onnxImpl(): Impl {
  return {
    id: 'onnxruntime-node',
    unsupported: (w) => (w.kind === 'inference' && w.layers === 1 ? null : 'inference only (no training in onnxruntime-node)'),
    async info() {
      return { 'onnxruntime-node': String(require('onnxruntime-node/package.json').version) };
    },
    async create(w: Workload, d: BenchData, opts: RunnerOptions): Promise<Runner> {
      const ort = await import('onnxruntime-node');
      const { batch: B, steps: T, input: I, hidden: H } = w;
      const session = await ort.InferenceSession.create(onnxLstmModel(d.layers[0]!, I, H), {
        intraOpNumThreads: opts.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
      });
      const feeds = { X: new ort.Tensor('float32', swap01(d.x, B, T, I), [T, B, I]) };
      return {
        run: async () => (await session.run(feeds)).Y!.data as Float32Array, // (T,1,B,H)
        result: (y) => swap01(y as Float32Array, T, B, H),
        dispose: () => session.release(),
      };
    },
  };
}
