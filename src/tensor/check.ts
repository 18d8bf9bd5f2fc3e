/**
 * The one check of an integer option (a size, a count, a seed): the value itself when it is an
 * integer in range, else a RangeError naming the option, what was expected and what was found
 * (`fit: epochs must be a positive integer, got 0`). It lives in tensor/, the lowest layer, so
 * that every layer above (nn, optim, train, io, data, recipes) uses this one check and no copy
 * of it (test/layering.test.ts keeps the order).
 */

/** The accepted range, and how the message words it. */
export interface IntRange {
  /** Smallest value accepted. Default 1. */
  min?: number;
  /** Largest value accepted. Default: none. */
  max?: number;
  /**
   * What the message says was expected. Default from the range: 'a positive integer' (min 1),
   * 'a non-negative integer' (min 0), 'an integer in min..max' (with max), else 'an integer ≥ min'.
   */
  expected?: string;
}

/** `{ min, expected: 'an integer ≥ min' }`: for options whose message words the bound. */
export const atLeast = (min: number): IntRange => ({ min, expected: `an integer ≥ ${min}` });

/** `v` when it is an integer within `range`; else a RangeError `${what} must be <expected>, got ${v}`. */
export function checkInt(what: string, v: number, range: IntRange = {}): number {
  const { min = 1, max = Infinity } = range;
  if (!Number.isInteger(v) || v < min || v > max) {
    const expected = range.expected
      ?? (max < Infinity ? `an integer in ${min}..${max}` : min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer ≥ ${min}`);
    throw new RangeError(`${what} must be ${expected}, got ${v}`);
  }
  return v;
}
