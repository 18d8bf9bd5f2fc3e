/**
 * Values inside the ONNX interpreter and their conversion from and to TensorProto.
 *
 * A Value is an ONNX data type, a shape and row-major data. Floating data lives in a
 * Float32Array (FLOAT; FLOAT16 and BFLOAT16 are widened to it) or Float64Array (DOUBLE);
 * integer and boolean data live in a Float64Array holding exact integers, which is enough for
 * the shapes, indices and lengths an LSTM graph computes with (|v| < 2^53, checked on load).
 * Every size is checked against the bytes actually present before anything is allocated.
 */
import { FormatError } from '../errors.js';
import { WORK, chargeRun } from './budget.js';
import { bf16ToNumber, f16ToNumber } from '../safetensors.js';
import { DataType, int64ToNumber, type Int64, type TensorProto } from './schema.js';

export type ValueData = Float32Array | Float64Array;

export interface Value {
  /** ONNX TensorProto.DataType (FLOAT, DOUBLE, INT64, INT32, BOOL, ...). */
  dtype: number;
  shape: number[];
  data: ValueData;
}

/** Hard ceiling on the element count of any single value (2^27, 512 MB of float32). */
export const MAX_ELEMENTS = 1 << 27;
let elementLimit = MAX_ELEMENTS;

/**
 * Run `f` with the per-value element limit lowered to `n` (at most MAX_ELEMENTS). The
 * interpreter sets it from the sizes of the model and its feeds, so a small file cannot make it
 * allocate far more than its inputs justify.
 */
export function withElementLimit<T>(n: number, f: () => T): T {
  const saved = elementLimit;
  elementLimit = Math.min(n, MAX_ELEMENTS);
  try {
    return f();
  } finally {
    elementLimit = saved;
  }
}

const FLOATS = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE, 16 /* BFLOAT16 */]);
/** Byte width of each data type we can read from raw_data. */
const WIDTH: Record<number, number> = {
  [DataType.FLOAT]: 4, [DataType.DOUBLE]: 8, [DataType.FLOAT16]: 2, 16: 2,
  [DataType.INT64]: 8, [DataType.INT32]: 4, [DataType.INT16]: 2, [DataType.INT8]: 1,
  [DataType.UINT8]: 1, [DataType.UINT16]: 2, [DataType.UINT32]: 4, [DataType.UINT64]: 8, [DataType.BOOL]: 1,
};
const NAMES: Record<number, string> = {
  1: 'float', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'double', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

export function dtypeName(t: number): string {
  return NAMES[t] ?? `data type ${t}`;
}

export function isFloat(dtype: number): boolean {
  return FLOATS.has(dtype);
}

/** The storage dtype a value of ONNX type `t` is kept in (FLOAT16/BFLOAT16 become FLOAT). */
export function storageType(t: number): number {
  return t === DataType.FLOAT16 || t === 16 ? DataType.FLOAT : t;
}

export function sizeOfShape(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A zero-filled value; throws if the element count is absurd. */
export function makeValue(dtype: number, shape: number[], where: string): Value {
  const n = sizeOfShape(shape);
  if (!Number.isSafeInteger(n) || n > elementLimit) {
    throw new RangeError(`${where}: a tensor of shape [${shape.join(', ')}] (${n} elements) is larger than the limit of ${elementLimit} elements`);
  }
  const st = storageType(dtype);
  // Inside a run, each element written costs work and its bytes stay alive (budget.ts).
  chargeRun(n * WORK.element, n * (st === DataType.FLOAT ? 4 : 8), `an output of shape [${shape.join(', ')}]`);
  return { dtype: st, shape, data: st === DataType.FLOAT ? new Float32Array(n) : new Float64Array(n) };
}

/** Decode an initializer or Constant tensor. `file` names the source for errors. */
export function valueFromTensorProto(t: TensorProto, file: string, what: string): Value {
  const where = `${what}${t.name ? ` "${t.name}"` : ''}`;
  const dtype = t.dataType ?? 0;
  if (!(dtype in WIDTH)) throw new FormatError(file, `${where} has unsupported data type ${dtypeName(dtype)}`);
  if (t.dataLocation === 1 || (t.externalData && t.externalData.length > 0)) {
    throw new FormatError(file, `${where} keeps its data in an external file, which is not supported (save the model with all tensors inside the .onnx file)`);
  }
  const shape: number[] = [];
  for (const d of t.dims ?? []) {
    let n: number;
    try { n = int64ToNumber(d); } catch { throw new FormatError(file, `${where} has an invalid dimension`); }
    if (n < 0) throw new FormatError(file, `${where} has a negative dimension ${n}`);
    shape.push(n);
  }
  const n = sizeOfShape(shape);
  const w = WIDTH[dtype]!;
  const raw = t.rawData;
  // The data must be present in the file, so n is bounded by the file size before we allocate.
  let have: number;
  if (raw && raw.length > 0) have = raw.length / w;
  else if (dtype === DataType.FLOAT) have = t.floatData?.length ?? 0;
  else if (dtype === DataType.DOUBLE) have = t.doubleData?.length ?? 0;
  else if (dtype === DataType.INT64) have = t.int64Data?.length ?? 0;
  else if (dtype === DataType.UINT64 || dtype === DataType.UINT32) have = t.uint64Data?.length ?? 0;
  else have = t.int32Data?.length ?? 0;
  if (!Number.isSafeInteger(n) || have !== n) {
    throw new FormatError(file, `${where} of shape [${shape.join(', ')}] needs ${n} ${dtypeName(dtype)} values but holds ${have}`);
  }
  const v = makeValue(dtype, shape, `${file}: ${where}`);
  const out = v.data;
  if (raw && raw.length > 0) {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) out[i] = readScalar(dv, i * w, dtype);
  } else {
    const src: ArrayLike<number | Int64> | undefined = dtype === DataType.FLOAT ? t.floatData : dtype === DataType.DOUBLE ? t.doubleData
      : dtype === DataType.INT64 ? t.int64Data : dtype === DataType.UINT64 || dtype === DataType.UINT32 ? t.uint64Data : t.int32Data;
    for (let i = 0; i < n; i++) {
      const x = src![i]!;
      let num: number;
      num = typeof x === 'number' ? x : clampInt(x.toNumber());
      // float16/bfloat16 in int32_data are the raw 16-bit patterns.
      out[i] = dtype === DataType.FLOAT16 ? f16ToNumber(num) : dtype === 16 ? bf16ToNumber(num) : dtype === DataType.BOOL ? (num ? 1 : 0) : num;
    }
  }
  return v;
}

function readScalar(dv: DataView, off: number, dtype: number): number {
  switch (dtype) {
    case DataType.FLOAT: return dv.getFloat32(off, true);
    case DataType.DOUBLE: return dv.getFloat64(off, true);
    case DataType.FLOAT16: return f16ToNumber(dv.getUint16(off, true));
    case 16: return bf16ToNumber(dv.getUint16(off, true));
    case DataType.INT32: return dv.getInt32(off, true);
    case DataType.INT16: return dv.getInt16(off, true);
    case DataType.INT8: return dv.getInt8(off);
    case DataType.UINT8: return dv.getUint8(off);
    case DataType.UINT16: return dv.getUint16(off, true);
    case DataType.UINT32: return dv.getUint32(off, true);
    case DataType.BOOL: return dv.getUint8(off) ? 1 : 0;
    default: {
      // INT64_MAX/MIN are common "to the end" markers (Slice ends); clamping keeps their meaning.
      const big = dtype === DataType.UINT64 ? dv.getBigUint64(off, true) : dv.getBigInt64(off, true);
      return clampInt(Number(big));
    }
  }
}

/** An integer clamped to the safe range (2^53 − 1 stands for "huge" in indices and sizes). */
export function clampInt(n: number): number {
  return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, n));
}

/** Encode a float32 or int64 value as a TensorProto with raw_data (little-endian). */
export function tensorProtoFrom(name: string, dtype: typeof DataType.FLOAT | typeof DataType.INT64, shape: readonly number[], data: ArrayLike<number>): TensorProto {
  const n = sizeOfShape(shape);
  if (data.length !== n) throw new RangeError(`tensor ${name}: shape [${shape.join(', ')}] needs ${n} values, got ${data.length}`);
  const raw = new Uint8Array(n * (dtype === DataType.FLOAT ? 4 : 8));
  const dv = new DataView(raw.buffer);
  for (let i = 0; i < n; i++) {
    if (dtype === DataType.FLOAT) dv.setFloat32(i * 4, data[i]!, true);
    else dv.setBigInt64(i * 8, BigInt(data[i]!), true);
  }
  return { name, dataType: dtype, dims: [...shape], rawData: raw };
}
