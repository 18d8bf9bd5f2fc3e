/**
 * Mini-batches: gather rows of x, y and lengths by index (for shuffled epochs), and the
 * per-step mask that keeps padding out of a per-step loss.
 */
import { Tensor } from '../tensor/tensor.js';

export interface MiniBatch {
  x: Tensor;
  y: Tensor;
  lengths: Int32Array | null;
}

/** Rows order[s..e) of x (N,...), y (N,...) and lengths (N) as fresh tensors. */
export function gatherBatch(x: Tensor, y: Tensor, lengths: ArrayLike<number> | null, order: Int32Array, s: number, e: number): MiniBatch {
  return {
    x: gatherRows(x, order, s, e),
    y: gatherRows(y, order, s, e),
    lengths: lengths ? Int32Array.from({ length: e - s }, (_, i) => lengths[order[s + i]!]!) : null,
  };
}

/** Rows order[s..e) of t along its first axis. */
export function gatherRows(t: Tensor, order: Int32Array, s: number, e: number): Tensor {
  const N = t.shape[0]!;
  const row = N ? t.size / N : 0;
  const out = Tensor.zeros([e - s, ...t.shape.slice(1)], t.dtype);
  for (let i = s; i < e; i++) {
    const r = order[i]!;
    out.data.set(t.data.subarray(r * row, (r + 1) * row), (i - s) * row);
  }
  return out;
}

/**
 * For a per-step prediction (B,T,K) and lengths (B): mask (B·T) with 1 where t < lengths[b].
 * null when there are no lengths or the prediction has no time axis.
 */
export function stepMask(pred: Tensor, lengths: ArrayLike<number> | null): Uint8Array | null {
  if (!lengths || pred.shape.length !== 3) return null;
  const [B, T] = pred.shape as [number, number, number];
  const m = new Uint8Array(B * T);
  for (let b = 0; b < B; b++) m.fill(1, b * T, b * T + lengths[b]!);
  return m;
}
