/**
 * Comparing arrays in tests: the largest absolute difference, Infinity when either side holds a
 * NaN or an infinity (so that a tolerance check can never pass on non-finite values).
 */

/** max_i |a[i] − b[i]|; Infinity if a value is not finite. Throws if the lengths differ. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!) || !Number.isFinite(b[i]!)) return Infinity;
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
  }
  return d;
}
