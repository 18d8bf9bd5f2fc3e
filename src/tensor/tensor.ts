/**
 * Tensor: a shape plus a contiguous row-major typed array. Deliberately minimal: the layers
 * work on flat buffers owned by a kernel backend; Tensor is how data enters and leaves the API.
 */

/** The floating-point storage a tensor or backend buffer may use. */
export type FloatArray = Float32Array | Float64Array;
/** Element type names. `float64` exists for gradient checks. */
export type DType = 'float32' | 'float64';

type Nested = number | Nested[];

/** Number of elements of a shape (1 for a scalar shape `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function dtypeOf(a: FloatArray): DType {
  return a instanceof Float64Array ? 'float64' : 'float32';
}

export function allocArray(n: number, dtype: DType = 'float32'): FloatArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * dst (Q,P,F) ← src (P,Q,F): swaps the two leading axes. This is the one transpose between the
 * batch-first (B,T,F) layout users hold and the time-major (T,B,F) layout the layers run in.
 */
export function swapLeadingAxes(dst: FloatArray, src: FloatArray, P: number, Q: number, F: number): void {
  if (P === 1 || Q === 1) {
    dst.set(src.subarray(0, P * Q * F)); // the same order (batch 1, or a single step)
    return;
  }
  const rows = F >= 16; // long enough rows: block copies
  for (let p = 0; p < P; p++) {
    for (let q = 0; q < Q; q++) {
      const s = (p * Q + q) * F, d = (q * P + p) * F;
      if (rows) dst.set(src.subarray(s, s + F), d);
      else for (let j = 0; j < F; j++) dst[d + j] = src[s + j]!;
    }
  }
}

/**
 * out (C,R) ← the transpose of a (R,C), both row-major: PyTorch's Linear weight (O,I) ↔ the
 * (I,O) kernels of Keras and of an ONNX MatMul. `out` defaults to a fresh Float32Array.
 */
export function transpose2d<T extends FloatArray = Float32Array>(a: ArrayLike<number>, R: number, C: number, out?: T): T {
  const t = out ?? (new Float32Array(R * C) as T);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) t[c * R + r] = a[r * C + c]!;
  return t;
}

/** An n-dimensional array: `shape` plus contiguous row-major `data`. */
export class Tensor {
  readonly shape: number[];
  readonly data: FloatArray;

  constructor(data: FloatArray, shape: readonly number[]) {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new RangeError(`Tensor: invalid shape ${shapeStr(shape)}`);
    }
    if (sizeOf(shape) !== data.length) {
      throw new RangeError(`Tensor: shape ${shapeStr(shape)} needs ${sizeOf(shape)} elements, got ${data.length}`);
    }
    this.data = data;
    this.shape = [...shape];
  }

  /**
   * Build a tensor from a nested array (shape inferred, must be rectangular) or from a typed
   * or plain flat array with an explicit shape. Typed arrays are used without copying.
   */
  static from(values: Nested | FloatArray | number[], shape?: readonly number[], dtype?: DType): Tensor {
    if (values instanceof Float32Array || values instanceof Float64Array) {
      const data = dtype && dtype !== dtypeOf(values) ? allocArray(values.length, dtype) : values;
      if (data !== values) data.set(values);
      return new Tensor(data, shape ?? [values.length]);
    }
    if (typeof values === 'number') return new Tensor(allocFrom([values], dtype), shape ?? []);
    if (shape) {
      const flat = (values as Nested[]).flat(Infinity as 1) as unknown[];
      for (const v of flat) if (typeof v !== 'number') throw new TypeError('Tensor.from: values must be numbers');
      return new Tensor(allocFrom(flat as number[], dtype), shape);
    }
    const inferred: number[] = [];
    let probe: Nested = values;
    while (Array.isArray(probe)) {
      inferred.push(probe.length);
      if (probe.length === 0) break;
      probe = probe[0]!;
    }
    const flat: number[] = [];
    const walk = (v: Nested, depth: number, path: string): void => {
      if (depth === inferred.length) {
        if (typeof v !== 'number') throw new TypeError(`Tensor.from: expected a number at ${path}`);
        flat.push(v);
        return;
      }
      if (!Array.isArray(v) || v.length !== inferred[depth]) {
        throw new RangeError(`Tensor.from: ragged array at ${path}: expected length ${inferred[depth]}`);
      }
      v.forEach((x, i) => walk(x, depth + 1, `${path}[${i}]`));
    };
    walk(values, 0, 'root');
    return new Tensor(allocFrom(flat, dtype), inferred);
  }

  static zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return new Tensor(allocArray(sizeOf(shape), dtype), shape);
  }

  get dtype(): DType {
    return dtypeOf(this.data);
  }

  get size(): number {
    return this.data.length;
  }

  /** Nested plain arrays (a number for a scalar). */
  toArray(): Nested {
    if (this.shape.length === 0) return this.data[0]!;
    const build = (dim: number, off: number): Nested[] => {
      const n = this.shape[dim]!;
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: Nested[] = new Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = dim === this.shape.length - 1 ? this.data[off + i]! : build(dim + 1, off + i * stride);
      }
      return out;
    };
    return build(0, 0);
  }

  /** Same data, new shape (sizes must match). */
  reshape(shape: readonly number[]): Tensor {
    return new Tensor(this.data, shape);
  }

  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }
}

function allocFrom(values: ArrayLike<number>, dtype: DType = 'float32'): FloatArray {
  const a = allocArray(values.length, dtype);
  for (let i = 0; i < values.length; i++) a[i] = values[i]!;
  return a;
}
