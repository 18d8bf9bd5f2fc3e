/**
 * Weights must be finite numbers: a NaN or ±Inf in a file (or a float64 value that overflows
 * when stored as float32) would only show up later as NaN predictions and null metrics, so
 * every loader that turns a file into a model checks them first.
 */
import { FormatError, quote } from './errors.js';

/**
 * Throw a FormatError naming the first weight that is NaN or infinite, or that overflows to
 * ±Inf when stored as `dtype` (a float64 1e300 in a float32 model).
 */
export function assertFiniteWeights(tensors: Record<string, { data: ArrayLike<number> }>, file: string, dtype: 'float32' | 'float64' = 'float32'): void {
  for (const name of Object.keys(tensors)) {
    const d = tensors[name]!.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (Number.isFinite(dtype === 'float32' ? Math.fround(v) : v)) continue;
      const why = Number.isFinite(v) ? `${v}, which overflows to ${v > 0 ? '' : '-'}Infinity in ${dtype}` : String(v);
      throw new FormatError(file, `weight ${quote(name)} holds ${why} at index ${i}: the model cannot compute finite outputs`);
    }
  }
}
