/**
 * Sliding windows: turn a series (N,F) into supervised pairs for a sequence model.
 * Window m starts at s = m·stride; its input is rows s .. s+lookback−1 (all F features) and its
 * target is rows s+lookback .. s+lookback+horizon−1 of the target columns, flattened step-major:
 *   x (M,lookback,F)     y (M,horizon·K)   with y[m, h·K + k] = series[s+lookback+h, targetColumns[k]]
 *   M = floor((N − lookback − horizon)/stride) + 1
 */
import { Tensor, allocArray, type DType } from '../tensor/tensor.js';
import { checkInt } from '../tensor/check.js';

export interface WindowOptions {
  /** Input steps per window. */
  lookback: number;
  /** Target steps after the window. Default 1. */
  horizon?: number;
  /** Steps between window starts. Default 1. */
  stride?: number;
  /** Feature indices predicted. Default [0]. */
  targetColumns?: number[];
  /** Features per row F when `series` is a flat array. Default 1; for a Tensor or rows, it must match them if given. */
  numFeatures?: number;
  /** Element type of x and y. Default 'float32'. */
  dtype?: DType;
}

export interface Windows {
  /** (M,lookback,F) */
  x: Tensor;
  /** (M,horizon·K) */
  y: Tensor;
  /** Row index in the series of each window's first target step (M). */
  targetStart: Int32Array;
}

/** Number of windows a series of `n` rows yields (0 if too short). */
export function windowCount(n: number, lookback: number, horizon = 1, stride = 1): number {
  const span = lookback + horizon;
  return n < span ? 0 : Math.floor((n - span) / stride) + 1;
}

/** Cut `series` (N,F) — a Tensor, rows of numbers, or a flat row-major array — into windows. */
export function slidingWindows(series: Tensor | number[][] | ArrayLike<number>, opts: WindowOptions): Windows {
  let data: ArrayLike<number>;
  let f: number;
  if (series instanceof Tensor) {
    if (series.shape.length !== 2 && series.shape.length !== 1) throw new RangeError(`slidingWindows: series must be (N,F) or (N), got [${series.shape}]`);
    data = series.data;
    f = series.shape[1] ?? 1;
  } else if (Array.isArray(series) && Array.isArray(series[0])) {
    const rows = series as number[][];
    f = rows[0]!.length;
    data = rows.flat();
    if (data.length !== rows.length * f) throw new RangeError('slidingWindows: rows have different lengths');
  } else {
    data = series as ArrayLike<number>;
    f = opts.numFeatures ?? 1;
  }
  if (opts.numFeatures !== undefined && opts.numFeatures !== f) throw new RangeError(`slidingWindows: numFeatures ${opts.numFeatures} does not match the series' ${f} features per row`);
  if (!Number.isInteger(f) || f < 1 || data.length % f !== 0) throw new RangeError(`slidingWindows: ${data.length} values are not rows of ${f} features`);
  const n = data.length / f;
  const { lookback } = opts;
  const horizon = opts.horizon ?? 1;
  const stride = opts.stride ?? 1;
  const targets = opts.targetColumns ?? [0];
  for (const [name, v] of [['lookback', lookback], ['horizon', horizon], ['stride', stride]] as const) checkInt(`slidingWindows: ${name}`, v);
  for (const t of targets) if (!Number.isInteger(t) || t < 0 || t >= f) throw new RangeError(`slidingWindows: target column ${t} out of range 0..${f - 1}`);
  const m = windowCount(n, lookback, horizon, stride);
  if (m === 0) throw new RangeError(`slidingWindows: ${n} rows are too few for lookback ${lookback} + horizon ${horizon}`);
  const k = targets.length;
  const x = allocArray(m * lookback * f, opts.dtype);
  const y = allocArray(m * horizon * k, opts.dtype);
  const targetStart = new Int32Array(m);
  for (let w = 0; w < m; w++) {
    const s = w * stride;
    for (let i = 0; i < lookback * f; i++) x[w * lookback * f + i] = data[s * f + i]!;
    for (let h = 0; h < horizon; h++) {
      for (let j = 0; j < k; j++) y[(w * horizon + h) * k + j] = data[(s + lookback + h) * f + targets[j]!]!;
    }
    targetStart[w] = s + lookback;
  }
  return { x: new Tensor(x, [m, lookback, f]), y: new Tensor(y, [m, horizon * k]), targetStart };
}
