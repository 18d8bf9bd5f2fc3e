/**
 * The ONNX operators the interpreter runs besides LSTM/GRU/RNN (those are in recurrent-ops.ts):
 * the shape plumbing torch.onnx.export emits around an nn.LSTM stack (Shape, Gather, Slice,
 * Concat, Reshape, Transpose, Squeeze/Unsqueeze, Expand, ConstantOfShape, ...) and the small
 * numeric ops of a head (MatMul, Gemm, Add, Tanh, Softmax, ...). Each follows the ONNX
 * operator spec (onnx/docs/Operators.md) for the opsets torch and this project emit (≥ 9).
 * Float math runs in double and is rounded to the output's float32 storage.
 */
import { DataType, type AttributeProto, type GraphProto } from './schema.js';
import { WORK, chargeRun } from './budget.js';
import { LimitError } from '../limits.js';
import {
  clampInt, isFloat, makeValue, sizeOfShape, storageType, valueFromTensorProto, type Value,
} from './tensor-proto.js';

/** A node's attributes by name, with typed getters and defaults. */
export class Attrs {
  private readonly map = new Map<string, AttributeProto>();
  constructor(list: AttributeProto[] | undefined, readonly where: string, readonly file: string) {
    for (const a of list ?? []) if (a.name) this.map.set(a.name, a);
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  names(): string[] {
    return [...this.map.keys()];
  }
  int(name: string, def: number): number {
    const a = this.map.get(name);
    return a ? clampInt(toNum(a.i)) : def;
  }
  ints(name: string): number[] | undefined {
    const a = this.map.get(name);
    return a ? (a.ints ?? []).map((v) => clampInt(toNum(v))) : undefined;
  }
  float(name: string, def: number): number {
    const a = this.map.get(name);
    return a ? a.f ?? 0 : def;
  }
  floats(name: string): number[] | undefined {
    const a = this.map.get(name);
    return a ? [...(a.floats ?? [])] : undefined;
  }
  string(name: string): string | undefined {
    const a = this.map.get(name);
    return a ? new TextDecoder().decode(a.s ?? new Uint8Array()) : undefined;
  }
  strings(name: string): string[] | undefined {
    const a = this.map.get(name);
    return a ? (a.strings ?? []).map((s) => new TextDecoder().decode(s)) : undefined;
  }
  tensor(name: string): Value | undefined {
    const a = this.map.get(name);
    return a?.t ? valueFromTensorProto(a.t, this.file, `${this.where} attribute ${name}`) : undefined;
  }
  graph(name: string): GraphProto | undefined {
    return this.map.get(name)?.g ?? undefined;
  }
}

function toNum(v: AttributeProto['i']): number {
  if (v === undefined || v === null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** An operator: inputs (undefined for an omitted optional input) → outputs. */
export type OpFn = (inputs: Array<Value | undefined>, attrs: Attrs, opset: number) => Value[];

/** Thrown for a node the interpreter cannot run; the caller adds the node's name and file. */
export class OpError extends Error {}

function need(inputs: Array<Value | undefined>, i: number, what: string): Value {
  const v = inputs[i];
  if (!v) throw new OpError(`input ${i} (${what}) is required`);
  return v;
}

function ints(v: Value): number[] {
  return Array.from(v.data, (x) => x);
}

function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new OpError(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Strides of `own` read along each axis of the broadcast `shape` (0 along broadcast axes). */
function broadcastStrides(own: readonly number[], shape: readonly number[]): number[] {
  const str = stridesOf(own), lead = shape.length - own.length;
  return shape.map((_, i) => (i < lead || own[i - lead] === 1 ? 0 : str[i - lead]!));
}

/**
 * A new value of `shape` whose element at multi-index idx is x.data[base + Σ idx[d]·str[d]]:
 * the one strided gather behind Transpose, Slice and Expand.
 */
function stridedCopy(x: Value, shape: number[], str: readonly number[], base = 0): Value {
  const rank = shape.length;
  const out = alloc(x.dtype, shape);
  const idx = new Array<number>(rank).fill(0);
  let off = base;
  for (let e = 0; e < out.data.length; e++) {
    out.data[e] = x.data[off]!;
    // Advance the multi-index (last axis fastest) and the input offset with it.
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      off += str[d]!;
      if (idx[d]! < shape[d]!) break;
      off -= str[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

function alloc(dtype: number, shape: number[]): Value {
  try {
    return makeValue(dtype, shape, 'operator output');
  } catch (e) {
    if (e instanceof LimitError) throw e; // the run's budget: the runner reports it as it is
    throw new OpError((e as Error).message);
  }
}

// ---------------------------------------------------------------- broadcasting element-wise ops

/** Numpy-style broadcast of several shapes. */
export function broadcastShape(shapes: number[][]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const k = s[s.length - rank + i] ?? 1;
      if (k === d || k === 1) continue;
      if (d !== 1) throw new OpError(`shapes ${shapes.map((x) => `[${x.join(', ')}]`).join(' and ')} cannot be broadcast`);
      d = k;
    }
    out.push(d);
  }
  return out;
}

/** Apply f element-wise over broadcast inputs into a value of `dtype`. */
function elementwise(vals: Value[], dtype: number, f: (...x: number[]) => number): Value {
  const shape = broadcastShape(vals.map((v) => v.shape));
  const out = alloc(dtype, shape);
  const n = out.data.length, rank = shape.length;
  const intOut = !isFloat(dtype);
  // Fast path: every input has the output's size or is one element (no index arithmetic).
  if (vals.length <= 3 && vals.every((v) => v.data.length === n || v.data.length === 1)) {
    const [a, b, c] = vals.map((v) => v.data);
    const sa = a!.length === n ? 1 : 0, sb = b && b.length === n ? 1 : 0, sc = c && c.length === n ? 1 : 0;
    const o = out.data, trunc = intOut && dtype !== DataType.BOOL;
    for (let e = 0; e < n; e++) {
      const r = vals.length === 1 ? f(a![e * sa]!) : vals.length === 2 ? f(a![e * sa]!, b![e * sb]!) : f(a![e * sa]!, b![e * sb]!, c![e * sc]!);
      o[e] = trunc ? Math.trunc(r) : r;
    }
    return out;
  }
  const strides = vals.map((v) => broadcastStrides(v.shape, shape));
  const idx = new Array<number>(rank).fill(0);
  const off = new Array<number>(vals.length).fill(0);
  const args = new Array<number>(vals.length);
  for (let e = 0; e < n; e++) {
    for (let k = 0; k < vals.length; k++) args[k] = vals[k]!.data[off[k]!]!;
    const r = f(...args);
    out.data[e] = intOut && dtype !== DataType.BOOL ? Math.trunc(r) : r;
    // Advance the multi-index (last axis fastest) and each input's offset.
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      for (let k = 0; k < vals.length; k++) off[k]! += strides[k]![d]!;
      if (idx[d]! < shape[d]!) break;
      for (let k = 0; k < vals.length; k++) off[k]! -= strides[k]![d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

const binary = (f: (a: number, b: number) => number): OpFn => (ins) => {
  const a = need(ins, 0, 'A'), b = need(ins, 1, 'B');
  return [elementwise([a, b], a.dtype, f)];
};
const compare = (f: (a: number, b: number) => boolean): OpFn => (ins) =>
  [elementwise([need(ins, 0, 'A'), need(ins, 1, 'B')], DataType.BOOL, (a, b) => (f(a, b) ? 1 : 0))];
const unary = (f: (x: number) => number): OpFn => (ins) => {
  const x = need(ins, 0, 'X');
  const out = alloc(x.dtype, [...x.shape]);
  for (let i = 0; i < x.data.length; i++) out.data[i] = f(x.data[i]!);
  return [out];
};

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

// ---------------------------------------------------------------- shape operators

function reshapeTo(x: Value, shape: number[]): Value {
  return { dtype: x.dtype, shape, data: x.data };
}

function transpose(x: Value, perm: number[]): Value {
  const rank = x.shape.length;
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new OpError(`perm [${perm.join(', ')}] is not a permutation of ${rank} axes`);
  }
  const inStr = stridesOf(x.shape);
  return stridedCopy(x, perm.map((p) => x.shape[p]!), perm.map((p) => inStr[p]!));
}

/** Copy the block x[..., start:start+len:step, ...] along `axis` for each axis (general strided slice). */
function sliceValue(x: Value, starts: number[], steps: number[], counts: number[]): Value {
  const inStr = stridesOf(x.shape);
  let base = 0;
  for (let d = 0; d < x.shape.length; d++) base += starts[d]! * inStr[d]!;
  return stridedCopy(x, counts, inStr.map((s, d) => steps[d]! * s), base);
}

const Slice: OpFn = (ins, a, opset) => {
  const x = need(ins, 0, 'data');
  const rank = x.shape.length;
  let st: number[], en: number[], ax: number[] | undefined, sp: number[] | undefined;
  if (opset < 10) {
    st = a.ints('starts') ?? [];
    en = a.ints('ends') ?? [];
    ax = a.ints('axes');
  } else {
    st = ints(need(ins, 1, 'starts'));
    en = ints(need(ins, 2, 'ends'));
    ax = ins[3] ? ints(ins[3]) : undefined;
    sp = ins[4] ? ints(ins[4]) : undefined;
  }
  if (en.length !== st.length) throw new OpError('starts and ends must have the same length');
  const axes = (ax ?? st.map((_, i) => i)).map((v) => normAxis(v, rank));
  const starts = new Array<number>(rank).fill(0), steps = new Array<number>(rank).fill(1), counts = [...x.shape];
  axes.forEach((axis, i) => {
    const dim = x.shape[axis]!;
    const step = sp ? sp[i]! : 1;
    if (step === 0) throw new OpError('slice step cannot be 0');
    let s = st[i]!, e = en[i]!;
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (step > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
      counts[axis] = Math.max(0, Math.ceil((e - s) / step));
    } else {
      s = Math.min(Math.max(s, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
      counts[axis] = Math.max(0, Math.ceil((s - e) / -step));
    }
    starts[axis] = counts[axis]! > 0 ? s : 0;
    steps[axis] = step;
  });
  return [sliceValue(x, starts, steps, counts)];
};

const Gather: OpFn = (ins, a) => {
  const x = need(ins, 0, 'data'), ind = need(ins, 1, 'indices');
  const axis = normAxis(a.int('axis', 0), x.shape.length);
  const dim = x.shape[axis]!;
  const outer = sizeOfShape(x.shape.slice(0, axis)), inner = sizeOfShape(x.shape.slice(axis + 1));
  const shape = [...x.shape.slice(0, axis), ...ind.shape, ...x.shape.slice(axis + 1)];
  const out = alloc(x.dtype, shape);
  const K = ind.data.length;
  for (let k = 0; k < K; k++) {
    let j = ind.data[k]!;
    if (j < 0) j += dim;
    if (!Number.isInteger(j) || j < 0 || j >= dim) throw new OpError(`index ${ind.data[k]} is out of range for axis ${axis} of size ${dim}`);
    for (let o = 0; o < outer; o++) {
      const src = (o * dim + j) * inner, dst = (o * K + k) * inner;
      for (let i = 0; i < inner; i++) out.data[dst + i] = x.data[src + i]!;
    }
  }
  return [out];
};

const Concat: OpFn = (ins, a) => {
  const xs = ins.filter((v): v is Value => v !== undefined);
  if (xs.length === 0) throw new OpError('needs at least one input');
  const rank = xs[0]!.shape.length;
  const axis = normAxis(a.int('axis', 0), rank);
  for (const v of xs) {
    if (v.shape.length !== rank || v.shape.some((d, i) => i !== axis && d !== xs[0]!.shape[i])) {
      throw new OpError(`inputs of shapes ${xs.map((x) => `[${x.shape.join(', ')}]`).join(', ')} cannot be joined on axis ${axis}`);
    }
  }
  const shape = [...xs[0]!.shape];
  shape[axis] = xs.reduce((s, v) => s + v.shape[axis]!, 0);
  const out = alloc(xs[0]!.dtype, shape);
  const outer = sizeOfShape(shape.slice(0, axis)), inner = sizeOfShape(shape.slice(axis + 1));
  let col = 0;
  for (const v of xs) {
    const w = v.shape[axis]! * inner;
    for (let o = 0; o < outer; o++) for (let i = 0; i < w; i++) out.data[o * shape[axis]! * inner + col + i] = v.data[o * w + i]!;
    col += w;
  }
  return [out];
};

/** Split along `axis` into equal parts (one per output) or the sizes given (input `split`, or the attribute before opset 13). */
const Split: OpFn = (ins, a, opset) => {
  const x = need(ins, 0, 'input');
  const axis = normAxis(a.int('axis', 0), x.shape.length);
  const dim = x.shape[axis]!;
  const given = opset >= 13 ? (ins[1] ? ints(ins[1]) : undefined) : a.ints('split');
  const n = given?.length ?? a.int('num_outputs', 0);
  if (!given && n < 1) throw new OpError('needs the split sizes or num_outputs (the number of outputs is not known to the operator)');
  // num_outputs (opset 18): equal chunks of ⌈dim/n⌉, the last one smaller.
  const chunk = Math.ceil(dim / n);
  const sizes = given ?? Array.from({ length: n }, (_, k) => Math.min(chunk, Math.max(0, dim - chunk * k)));
  if (sizes.some((v) => !Number.isInteger(v) || v < 0) || sizes.reduce((p, v) => p + v, 0) !== dim) throw new OpError(`split sizes [${sizes.join(', ')}] do not add up to axis ${axis} of size ${dim}`);
  const outer = sizeOfShape(x.shape.slice(0, axis)), inner = sizeOfShape(x.shape.slice(axis + 1));
  let start = 0;
  return sizes.map((len) => {
    const shape = [...x.shape];
    shape[axis] = len;
    const out = alloc(x.dtype, shape);
    for (let o = 0; o < outer; o++) out.data.set(x.data.subarray((o * dim + start) * inner, (o * dim + start + len) * inner), o * len * inner);
    start += len;
    return out;
  });
};

/** Reverse the first sequence_lens[b] entries along time_axis of each batch_axis row (time/batch axes 0 and 1). */
const ReverseSequence: OpFn = (ins, a) => {
  const x = need(ins, 0, 'input'), lens = ints(need(ins, 1, 'sequence_lens'));
  const tAxis = a.int('time_axis', 0), bAxis = a.int('batch_axis', 1);
  if (x.shape.length < 2 || !((tAxis === 0 && bAxis === 1) || (tAxis === 1 && bAxis === 0))) throw new OpError(`time_axis ${tAxis} and batch_axis ${bAxis} must be 0 and 1 of an input of rank ≥ 2`);
  const T = x.shape[tAxis]!, B = x.shape[bAxis]!, inner = sizeOfShape(x.shape.slice(2));
  if (lens.length !== B || lens.some((L) => !Number.isInteger(L) || L < 0 || L > T)) throw new OpError(`sequence_lens must hold ${B} lengths in 0..${T}`);
  const out = alloc(x.dtype, [...x.shape]);
  const at = (t: number, b: number): number => (tAxis === 0 ? t * B + b : b * T + t) * inner;
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) {
    const src = at(t < lens[b]! ? lens[b]! - 1 - t : t, b);
    out.data.set(x.data.subarray(src, src + inner), at(t, b));
  }
  return [out];
};

const Reshape: OpFn = (ins, a) => {
  const x = need(ins, 0, 'data');
  const want = ints(need(ins, 1, 'shape'));
  const allowZero = a.int('allowzero', 0) === 1;
  const shape = want.map((d, i) => (d === 0 && !allowZero ? x.shape[i] ?? NaN : d));
  const minus = shape.filter((d) => d === -1).length;
  if (minus > 1 || shape.some((d) => Number.isNaN(d) || (d < 0 && d !== -1))) throw new OpError(`invalid target shape [${want.join(', ')}]`);
  if (minus === 1) {
    const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
    const inferred = known === 0 ? 0 : x.data.length / known;
    shape[shape.indexOf(-1)] = inferred;
  }
  if (sizeOfShape(shape) !== x.data.length || shape.some((d) => !Number.isInteger(d))) {
    throw new OpError(`cannot reshape [${x.shape.join(', ')}] to [${want.join(', ')}]`);
  }
  return [reshapeTo(x, shape)];
};

function axesArg(ins: Array<Value | undefined>, a: Attrs, opset: number): number[] | undefined {
  return opset >= 13 ? (ins[1] ? ints(ins[1]) : undefined) : a.ints('axes');
}

const Unsqueeze: OpFn = (ins, a, opset) => {
  const x = need(ins, 0, 'data');
  const ax = axesArg(ins, a, opset);
  if (!ax) throw new OpError('axes are required');
  const rank = x.shape.length + ax.length;
  const axes = new Set(ax.map((v) => normAxis(v, rank)));
  if (axes.size !== ax.length) throw new OpError('repeated axis');
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(axes.has(i) ? 1 : x.shape[j++]!);
  return [reshapeTo(x, shape)];
};

const Squeeze: OpFn = (ins, a, opset) => {
  const x = need(ins, 0, 'data');
  const ax = axesArg(ins, a, opset);
  const axes = ax ? new Set(ax.map((v) => normAxis(v, x.shape.length))) : null;
  const shape = x.shape.filter((d, i) => {
    if (axes && !axes.has(i)) return true;
    if (axes && d !== 1) throw new OpError(`cannot squeeze axis ${i} of size ${d}`);
    return d !== 1;
  });
  return [reshapeTo(x, shape)];
};

const Flatten: OpFn = (ins, a) => {
  const x = need(ins, 0, 'input');
  const r = x.shape.length;
  const axis = a.int('axis', 1);
  const ax = axis < 0 ? axis + r : axis;
  if (ax < 0 || ax > r) throw new OpError(`axis ${axis} is out of range for rank ${r}`);
  return [reshapeTo(x, [sizeOfShape(x.shape.slice(0, ax)), sizeOfShape(x.shape.slice(ax))])];
};

const Shape: OpFn = (ins, a) => {
  const x = need(ins, 0, 'data');
  const r = x.shape.length;
  const clampAx = (v: number): number => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const s = clampAx(a.int('start', 0)), e = clampAx(a.int('end', r));
  const dims = x.shape.slice(s, Math.max(s, e));
  return [{ dtype: DataType.INT64, shape: [dims.length], data: Float64Array.from(dims) }];
};

const Expand: OpFn = (ins) => {
  const x = need(ins, 0, 'input');
  return [expandTo(x, broadcastShape([x.shape, ints(need(ins, 1, 'shape'))]))];
};

/** x broadcast to `shape` (a copy). */
function expandTo(x: Value, shape: number[]): Value {
  return stridedCopy(x, shape, broadcastStrides(x.shape, shape));
}

const ConstantOfShape: OpFn = (ins, a) => {
  const shape = ins[0] ? ints(ins[0]) : [];
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new OpError(`invalid shape [${shape.join(', ')}]`);
  const v = a.tensor('value');
  const out = alloc(v?.dtype ?? DataType.FLOAT, shape);
  if (v && v.data.length !== 1) throw new OpError('value must hold one element');
  out.data.fill(v ? v.data[0]! : 0);
  return [out];
};

const Constant: OpFn = (_ins, a) => {
  const t = a.tensor('value');
  if (t) return [t];
  const f = a.has('value_float') ? [a.float('value_float', 0)] : null;
  if (f) return [{ dtype: DataType.FLOAT, shape: [], data: Float32Array.from(f) }];
  const fs = a.floats('value_floats');
  if (fs) return [{ dtype: DataType.FLOAT, shape: [fs.length], data: Float32Array.from(fs) }];
  if (a.has('value_int')) return [{ dtype: DataType.INT64, shape: [], data: Float64Array.from([a.int('value_int', 0)]) }];
  const is = a.ints('value_ints');
  if (is) return [{ dtype: DataType.INT64, shape: [is.length], data: Float64Array.from(is) }];
  throw new OpError(`needs a value attribute (supported: value, value_float(s), value_int(s)); found ${a.names().join(', ') || 'none'}`);
};

const Cast: OpFn = (ins, a) => {
  const x = need(ins, 0, 'input');
  const to = a.int('to', 0);
  if (![DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, 16, DataType.INT64, DataType.INT32, DataType.INT16, DataType.INT8,
    DataType.UINT8, DataType.UINT16, DataType.UINT32, DataType.UINT64, DataType.BOOL].includes(to as 1)) {
    throw new OpError(`cannot cast to data type ${to}`);
  }
  const out = alloc(to, [...x.shape]);
  const toFloat = isFloat(to);
  for (let i = 0; i < x.data.length; i++) {
    const v = x.data[i]!;
    out.data[i] = to === DataType.BOOL ? (v !== 0 ? 1 : 0) : toFloat ? v : Math.trunc(v);
  }
  return [out];
};

// ---------------------------------------------------------------- linear algebra and softmax

/** Charge a product's multiply-adds to the run's budget (budget.ts) before computing it. */
function checkWork(batch: number, m: number, n: number, k: number): void {
  chargeRun(batch * m * n * k * WORK.matmulMac, 0, `a product of ${batch}×[${m}, ${k}]×[${k}, ${n}]`);
}

/** C (m,n) = Σ_k A[i,k]·B[k,j] on row-major blocks at the given offsets (with transposes). */
function gemmBlock(c: Float32Array | Float64Array, cOff: number, A: ArrayLike<number>, aOff: number, B: ArrayLike<number>, bOff: number,
  m: number, n: number, k: number, transA: boolean, transB: boolean, alpha: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        s += A[aOff + (transA ? p * m + i : i * k + p)]! * B[bOff + (transB ? j * k + p : p * n + j)]!;
      }
      c[cOff + i * n + j] = c[cOff + i * n + j]! + alpha * s;
    }
  }
}

const MatMul: OpFn = (ins) => {
  let a = need(ins, 0, 'A'), b = need(ins, 1, 'B');
  // Numpy semantics: 1-D operands are promoted to matrices and the extra axis dropped again.
  const aVec = a.shape.length === 1, bVec = b.shape.length === 1;
  if (aVec) a = reshapeTo(a, [1, a.shape[0]!]);
  if (bVec) b = reshapeTo(b, [b.shape[0]!, 1]);
  if (a.shape.length < 2 || b.shape.length < 2) throw new OpError('operands must have rank ≥ 1');
  const m = a.shape[a.shape.length - 2]!, k = a.shape[a.shape.length - 1]!;
  const k2 = b.shape[b.shape.length - 2]!, n = b.shape[b.shape.length - 1]!;
  if (k !== k2) throw new OpError(`cannot multiply [${a.shape.join(', ')}] by [${b.shape.join(', ')}]`);
  const batch = broadcastShape([a.shape.slice(0, -2), b.shape.slice(0, -2)]);
  const nb = sizeOfShape(batch);
  checkWork(nb, m, n, k);
  const out = alloc(a.dtype, [...batch, m, n]);
  // Each operand's matrix index for every output batch index: its batch dims broadcast (a
  // Range over its own batch count expanded to the output's batch shape).
  const offsets = (shape: number[], mat: number): number[] => {
    const bs = shape.slice(0, -2);
    const own: Value = { dtype: DataType.DOUBLE, shape: bs, data: Float64Array.from({ length: sizeOfShape(bs) }, (_, i) => i) };
    return Array.from(expandTo(own, batch).data, (i) => i * mat);
  };
  const ao = offsets(a.shape, m * k), bo = offsets(b.shape, k * n);
  for (let q = 0; q < nb; q++) gemmBlock(out.data, q * m * n, a.data, ao[q]!, b.data, bo[q]!, m, n, k, false, false, 1);
  let shape = out.shape;
  if (aVec) shape = [...shape.slice(0, -2), n];
  if (bVec) shape = aVec ? shape.slice(0, -1) : [...shape.slice(0, -1)];
  return [reshapeTo(out, shape)];
};

const Gemm: OpFn = (ins, at) => {
  const a = need(ins, 0, 'A'), b = need(ins, 1, 'B'), c = ins[2];
  const transA = at.int('transA', 0) === 1, transB = at.int('transB', 0) === 1;
  const alpha = at.float('alpha', 1), beta = at.float('beta', 1);
  if (a.shape.length !== 2 || b.shape.length !== 2) throw new OpError('A and B must be 2-D');
  const [m, k] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [k2, n] = transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (k !== k2) throw new OpError(`cannot multiply [${a.shape.join(', ')}] by [${b.shape.join(', ')}] (transA=${+transA}, transB=${+transB})`);
  checkWork(1, m, n, k);
  // Start from β·C broadcast to (m,n), then add α·op(A)·op(B).
  const out = c ? expandTo(elementwise([c], a.dtype, (v) => beta * v), broadcastShape([[m, n], c.shape])) : alloc(a.dtype, [m, n]);
  if (out.shape.length !== 2 || out.shape[0] !== m || out.shape[1] !== n) throw new OpError(`C of shape [${c!.shape.join(', ')}] does not broadcast to [${m}, ${n}]`);
  const acc = new Float64Array(out.data);
  gemmBlock(acc, 0, a.data, 0, b.data, 0, m, n, k, transA, transB, alpha);
  out.data.set(acc);
  return [out];
};

const softmaxLike = (log: boolean): OpFn => (ins, a, opset) => {
  const x = need(ins, 0, 'input');
  const r = x.shape.length;
  const axis = normAxis(a.int('axis', opset >= 13 ? -1 : 1), r);
  // Opset < 13 normalises over all axes from `axis` on (the input coerced to 2-D).
  const [outer, len, inner] = opset >= 13
    ? [sizeOfShape(x.shape.slice(0, axis)), x.shape[axis]!, sizeOfShape(x.shape.slice(axis + 1))]
    : [sizeOfShape(x.shape.slice(0, axis)), sizeOfShape(x.shape.slice(axis)), 1];
  const out = alloc(x.dtype, [...x.shape]);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
    const at = (j: number): number => (o * len + j) * inner + i;
    let mx = -Infinity;
    for (let j = 0; j < len; j++) mx = Math.max(mx, x.data[at(j)]!);
    let s = 0;
    for (let j = 0; j < len; j++) s += Math.exp(x.data[at(j)]! - mx);
    for (let j = 0; j < len; j++) out.data[at(j)] = log ? x.data[at(j)]! - mx - Math.log(s) : Math.exp(x.data[at(j)]! - mx) / s;
  }
  return [out];
};

const Where: OpFn = (ins) => {
  const c = need(ins, 0, 'condition'), x = need(ins, 1, 'X'), y = need(ins, 2, 'Y');
  return [elementwise([c, x, y], x.dtype, (cc, a, b) => (cc ? a : b))];
};

const Range: OpFn = (ins) => {
  const s = need(ins, 0, 'start').data[0]!, l = need(ins, 1, 'limit').data[0]!, d = need(ins, 2, 'delta').data[0]!;
  if (d === 0) throw new OpError('delta cannot be 0');
  const n = Math.max(Math.ceil((l - s) / d), 0);
  if (!Number.isSafeInteger(n)) throw new OpError(`range from ${s} to ${l} by ${d} is not finite`);
  const out = alloc(storageType(ins[0]!.dtype), [n]);
  for (let i = 0; i < n; i++) out.data[i] = s + i * d;
  return [out];
};

const ReduceSum: OpFn = (ins, a, opset) => {
  const x = need(ins, 0, 'data');
  const r = x.shape.length;
  const given = axesArg(ins, a, opset);
  if ((!given || given.length === 0) && a.int('noop_with_empty_axes', 0) === 1) return [x];
  const axes = new Set((given && given.length > 0 ? given : x.shape.map((_, i) => i)).map((v) => normAxis(v, r)));
  const keep = a.int('keepdims', 1) === 1;
  chargeRun(x.data.length * WORK.element, 0, `a sum over ${x.data.length} elements`);
  const kept = x.shape.map((d, i) => (axes.has(i) ? 1 : d));
  const out = alloc(x.dtype, kept);
  const acc = new Float64Array(out.data.length);
  const str = stridesOf(kept);
  const idx = new Array<number>(r).fill(0);
  for (let e = 0; e < x.data.length; e++) {
    let o = 0;
    for (let d = 0; d < r; d++) if (!axes.has(d)) o += idx[d]! * str[d]!;
    acc[o] = acc[o]! + x.data[e]!;
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d]! < x.shape[d]!) break;
      idx[d] = 0;
    }
  }
  out.data.set(acc);
  return [keep ? out : reshapeTo(out, x.shape.filter((_, i) => !axes.has(i)))];
};

/** Operators by ONNX op_type (default domain). */
export const OPS: Record<string, OpFn> = Object.assign(Object.create(null) as Record<string, OpFn>, {
  Add: binary((a, b) => a + b),
  Sub: binary((a, b) => a - b),
  Mul: binary((a, b) => a * b),
  Div: binary((a, b) => a / b),
  Pow: binary((a, b) => Math.pow(a, b)),
  Max: binary((a, b) => Math.max(a, b)),
  Min: binary((a, b) => Math.min(a, b)),
  Equal: compare((a, b) => a === b),
  Less: compare((a, b) => a < b),
  Greater: compare((a, b) => a > b),
  Where,
  Not: unary((x) => (x ? 0 : 1)),
  Identity: unary((x) => x),
  Neg: unary((x) => -x),
  Abs: unary(Math.abs),
  Exp: unary(Math.exp),
  Log: unary(Math.log),
  Sqrt: unary(Math.sqrt),
  Tanh: unary(Math.tanh),
  Sigmoid: unary(sigmoid),
  Relu: unary((x) => (x > 0 ? x : 0)),
  Dropout: (ins: Array<Value | undefined>) => [need(ins, 0, 'data')], // inference: identity
  Softmax: softmaxLike(false),
  LogSoftmax: softmaxLike(true),
  Shape, Gather, Slice, Concat, Split, ReverseSequence, Reshape, Unsqueeze, Squeeze, Flatten, Expand, ConstantOfShape, Constant, Cast, Range,
  Transpose: ((ins, a) => {
    const x = need(ins, 0, 'data');
    const perm = a.ints('perm') ?? x.shape.map((_, i) => x.shape.length - 1 - i);
    return [transpose(x, perm)];
  }) as OpFn,
  MatMul, Gemm, ReduceSum,
});

export { transpose, reshapeTo };
