/**
 * Helpers shared by the ONNX tests: run a model in onnxruntime-node, build one-node recurrent
 * models, compare arrays.
 */
import * as ort from 'onnxruntime-node';
import { Tensor } from '../../src/index.js';
import { Rng } from '../../src/tensor/rng.js';

/** Largest absolute difference between two equal-length arrays (throws on a length mismatch). */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  if (Number.isNaN(d) || [...Array.from(a), ...Array.from(b)].some((v) => !Number.isFinite(v))) return Infinity;
  return d;
}

/** A float32 tensor of N(0,1) values. */
export function randn(rng: Rng, shape: number[], scale = 1): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = rng.normal() * scale;
  return new Tensor(d, shape);
}

export type Feed = { tensor: Tensor; type?: 'float32' | 'int64' | 'int32' };

/** Run ONNX bytes (or a path) in onnxruntime-node; returns outputs as Float32/64 data with dims. */
export async function runOrt(model: Uint8Array | string, feeds: Record<string, Feed>): Promise<Record<string, { data: Float64Array; dims: number[] }>> {
  const sess = typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  const f: Record<string, ort.Tensor> = {};
  for (const [k, { tensor, type }] of Object.entries(feeds)) {
    const t = type ?? 'float32';
    const data = t === 'float32' ? Float32Array.from(tensor.data)
      : t === 'int32' ? Int32Array.from(tensor.data) : BigInt64Array.from(Array.from(tensor.data, (v) => BigInt(v)));
    f[k] = new ort.Tensor(t, data, tensor.shape);
  }
  const out = await sess.run(f);
  const res: Record<string, { data: Float64Array; dims: number[] }> = {};
  for (const [k, v] of Object.entries(out)) res[k] = { data: Float64Array.from(v.data as Float32Array), dims: [...v.dims] };
  return res;
}
