/**
 * Feature scalers, as scikit-learn's MinMaxScaler and StandardScaler: fitted on the training
 * part of the data only (so nothing about the hold-out leaks into training), saved as JSON with
 * the model, and inverted on the model's outputs. Data is row-major (N,F): N rows of F
 * features, one statistic per feature.
 */
import { FormatError } from '../io/errors.js';
import { checkInt } from '../tensor/check.js';

/** Row-major values (N,F), as a typed or plain array. */
export type Rows = ArrayLike<number>;

/** JSON form of a fitted scaler (stored in model files). */
export type ScalerJSON =
  | { type: 'minmax'; min: number[]; max: number[]; range: [number, number] }
  | { type: 'standard'; mean: number[]; std: number[] };

/** What every scaler offers. */
export interface Scaler {
  /** Features per row, F (known once fitted). */
  readonly numFeatures: number;
  /** Learn the statistics of `data` (N,F). Returns this. */
  fit(data: Rows, numFeatures?: number): this;
  /** Scale `data` (N,F) → new Float64Array (N,F). */
  transform(data: Rows): Float64Array;
  /** Undo `transform`. With `feature`, `data` holds values of that one feature only (N). */
  inverse(data: Rows, feature?: number): Float64Array;
  toJSON(): ScalerJSON;
}

function checkRows(data: Rows, f: number, who: string): number {
  checkInt(`${who}: numFeatures`, f);
  if (data.length % f !== 0) throw new RangeError(`${who}: ${data.length} values is not a whole number of rows of ${f} features`);
  const n = data.length / f;
  if (n === 0) throw new RangeError(`${who}: cannot fit on zero rows`);
  return n;
}

/** Refuse NaN or ±Inf before fitting (they would turn every statistic into NaN), naming the row and feature. */
function checkFiniteData(data: Rows, f: number, who: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new RangeError(`${who}: row ${Math.floor(i / f)}, feature ${i % f} is ${data[i]}`);
  }
}

/** Apply `v ↦ v·a[j] + b[j]` per feature j (the one loop every scaler direction needs). */
function affine(data: Rows, a: readonly number[], b: readonly number[], feature?: number): Float64Array {
  const out = new Float64Array(data.length);
  if (feature !== undefined) {
    if (feature < 0 || feature >= a.length) throw new RangeError(`scaler: feature ${feature} out of range 0..${a.length - 1}`);
    for (let i = 0; i < data.length; i++) out[i] = data[i]! * a[feature]! + b[feature]!;
    return out;
  }
  const f = a.length;
  if (data.length % f !== 0) throw new RangeError(`scaler: ${data.length} values is not a whole number of rows of ${f} features`);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! * a[i % f]! + b[i % f]!;
  return out;
}

/** Scale each feature to `range` (default [0, 1]): x' = lo + (x − min)·(hi − lo)/(max − min). A constant feature maps to lo. */
export class MinMaxScaler implements Scaler {
  min: number[] = [];
  max: number[] = [];
  readonly range: [number, number];

  constructor(opts: { range?: [number, number] } = {}) {
    this.range = opts.range ?? [0, 1];
  }

  get numFeatures(): number {
    return this.min.length;
  }

  fit(data: Rows, numFeatures = 1): this {
    const n = checkRows(data, numFeatures, 'MinMaxScaler.fit');
    checkFiniteData(data, numFeatures, 'MinMaxScaler.fit');
    this.min = new Array<number>(numFeatures).fill(Infinity);
    this.max = new Array<number>(numFeatures).fill(-Infinity);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < numFeatures; j++) {
        const v = data[r * numFeatures + j]!;
        if (v < this.min[j]!) this.min[j] = v;
        if (v > this.max[j]!) this.max[j] = v;
      }
    }
    this.max.forEach((mx, j) => {
      if (!Number.isFinite(mx - this.min[j]!)) throw new RangeError(`MinMaxScaler.fit: feature ${j} spans ${this.min[j]} to ${mx}, a range beyond the float64 limit`);
    });
    return this;
  }

  /** Per-feature (scale, shift) so that x' = x·scale + shift. */
  private coeffs(): [number[], number[]] {
    const [lo, hi] = this.range;
    const scale = this.min.map((mn, j) => (this.max[j]! > mn ? (hi - lo) / (this.max[j]! - mn) : 0));
    return [scale, this.min.map((mn, j) => lo - mn * scale[j]!)];
  }

  transform(data: Rows): Float64Array {
    const [a, b] = this.coeffs();
    return affine(data, a, b);
  }

  inverse(data: Rows, feature?: number): Float64Array {
    const [lo, hi] = this.range;
    // x = min + (x' − lo)·(max − min)/(hi − lo)
    const a = this.min.map((mn, j) => (this.max[j]! - mn) / (hi - lo));
    return affine(data, a, this.min.map((mn, j) => mn - lo * a[j]!), feature);
  }

  /** Rebuild from {@link MinMaxScaler.toJSON}. */
  static fromJSON(json: unknown): MinMaxScaler {
    const s = scalerFromJSON(json);
    if (!(s instanceof MinMaxScaler)) throw new FormatError(undefined, 'scaler JSON is not a minmax scaler');
    return s;
  }

  toJSON(): ScalerJSON {
    return { type: 'minmax', min: [...this.min], max: [...this.max], range: [...this.range] };
  }
}

/** Standardise each feature: x' = (x − mean)/std (population std; a constant feature gets std 1). `withMean: false` keeps the mean. */
export class StandardScaler implements Scaler {
  mean: number[] = [];
  std: number[] = [];
  readonly withMean: boolean;

  constructor(opts: { withMean?: boolean } = {}) {
    this.withMean = opts.withMean ?? true;
  }

  get numFeatures(): number {
    return this.mean.length;
  }

  fit(data: Rows, numFeatures = 1): this {
    const n = checkRows(data, numFeatures, 'StandardScaler.fit');
    checkFiniteData(data, numFeatures, 'StandardScaler.fit');
    const mean = new Array<number>(numFeatures).fill(0);
    const big = new Array<number>(numFeatures).fill(0);
    const sq = new Array<number>(numFeatures).fill(0);
    for (let i = 0; i < data.length; i++) mean[i % numFeatures]! += data[i]! / n;
    // Squares of deviations are taken relative to the largest one, so one huge value (2e154)
    // cannot overflow the sum to Infinity: std = big · sqrt(Σ (d/big)² / n).
    for (let i = 0; i < data.length; i++) big[i % numFeatures] = Math.max(big[i % numFeatures]!, Math.abs(data[i]! - mean[i % numFeatures]!));
    for (let i = 0; i < data.length; i++) {
      const j = i % numFeatures;
      if (big[j]! > 0) sq[j]! += ((data[i]! - mean[j]!) / big[j]!) ** 2;
    }
    mean.forEach((m, j) => {
      if (!Number.isFinite(m) || !Number.isFinite(big[j]!)) throw new RangeError(`StandardScaler.fit: feature ${j} has values too large for float64 statistics (mean ${m})`);
    });
    this.mean = this.withMean ? mean : mean.map(() => 0);
    // As sklearn: without centring the scale is still the std about the mean.
    this.std = sq.map((s, j) => (s > 0 ? big[j]! * Math.sqrt(s / n) : 1));
    return this;
  }

  transform(data: Rows): Float64Array {
    return affine(data, this.std.map((s) => 1 / s), this.mean.map((m, j) => -m / this.std[j]!));
  }

  inverse(data: Rows, feature?: number): Float64Array {
    return affine(data, this.std, this.mean, feature);
  }

  /** Rebuild from {@link StandardScaler.toJSON}. */
  static fromJSON(json: unknown): StandardScaler {
    const s = scalerFromJSON(json);
    if (!(s instanceof StandardScaler)) throw new FormatError(undefined, 'scaler JSON is not a standard scaler');
    return s;
  }

  toJSON(): ScalerJSON {
    return { type: 'standard', mean: [...this.mean], std: [...this.std] };
  }
}

/** Rebuild a fitted scaler from its JSON (as stored in a model file). */
export function scalerFromJSON(json: unknown, file?: string): Scaler {
  const j = json as Record<string, unknown> | null;
  const nums = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (j && j.type === 'minmax' && nums(j.min) && nums(j.max) && j.min.length === j.max.length && nums(j.range) && j.range.length === 2) {
    const s = new MinMaxScaler({ range: [j.range[0]!, j.range[1]!] });
    s.min = [...j.min];
    s.max = [...j.max];
    return s;
  }
  if (j && j.type === 'standard' && nums(j.mean) && nums(j.std) && j.mean.length === j.std.length && j.std.every((s) => s > 0)) {
    const s = new StandardScaler();
    s.mean = [...j.mean];
    s.std = [...j.std];
    return s;
  }
  throw new FormatError(file, `invalid scaler JSON: expected {type:'minmax',min,max,range} or {type:'standard',mean,std}`);
}
