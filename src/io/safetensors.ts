/**
 * safetensors reader and writer (Hugging Face's format, as written by
 * `safetensors.torch.save_file`). Layout of a file:
 *
 *   8 bytes   N, the header length, unsigned 64-bit little-endian
 *   N bytes   UTF-8 JSON object: { name: { dtype, shape, data_offsets: [begin, end] }, ...,
 *             "__metadata__": { string: string } }   (optional metadata; trailing spaces allowed)
 *   rest      the byte buffer; offsets are relative to its start, little-endian values,
 *             and the tensors cover it exactly: contiguous, no gaps, no overlaps
 *
 * Reading validates everything before allocating (header within the file, offsets in range and
 * contiguous, byte count = shape × dtype size, known dtype) and throws FormatError naming the
 * file and the problem. Tensors come back as float32 (or float64 on request): F64, F32, F16 and
 * BF16 are converted; the integer and bool dtypes (I8..I64, U8..U64, BOOL) are converted to
 * numbers too (exact up to 2^24 in float32, 2^53 in float64); F8 dtypes are rejected as
 * unsupported. Names such as `__proto__` are ordinary keys: results are null-prototype records.
 *
 * Writing follows the reference Rust crate: tensors sorted by name, header padded with spaces
 * to a multiple of 8 bytes, `__metadata__` only if given, written atomically.
 */
import { Tensor, allocArray, shapeStr, type DType } from '../tensor/tensor.js';
import { writeFileAtomicSync } from './atomic.js';
import { FormatError, quote } from './errors.js';
import { readFileChecked } from './read-file.js';
import type { Limits } from './limits.js';

/** safetensors dtype names this module reads. */
export type SafetensorsDType =
  | 'F64' | 'F32' | 'F16' | 'BF16'
  | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL';

/** dtypes this module can write. */
export type SafetensorsWriteDType = 'F64' | 'F32' | 'F16' | 'BF16';

/** Bytes per element of every dtype in the format (known ones we cannot read are listed too). */
const DTYPE_BYTES: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
  F8_E4M3: 1, F8_E5M2: 1,
};
const UNSUPPORTED = new Set(['F8_E4M3', 'F8_E5M2']);

/** One header entry, validated. `begin`/`end` are byte offsets into the data buffer. */
export interface SafetensorsEntry {
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** Byte offset of the data buffer in the file (8 + N). */
  dataStart: number;
  /** Entries in file order (by offset); a null-prototype record keyed by tensor name. */
  entries: Record<string, SafetensorsEntry>;
  metadata: Record<string, string> | null;
}

export interface ReadSafetensorsOptions {
  /** Element type of the returned tensors. Default 'float32'. */
  dtype?: DType;
  /** Name used in error messages when reading bytes (a path names itself). Default '<bytes>'. */
  name?: string;
  /** Budgets (io/limits.ts): a path is read only if it is a regular file within `fileBytes`. */
  limits?: Partial<Limits>;
}

export interface SafetensorsFile {
  /** Null-prototype record, name → tensor, in file order. */
  tensors: Record<string, Tensor>;
  metadata: Record<string, string> | null;
}

/** How a FormatError about the file's frame (header length, JSON) starts: the file is not safetensors at all. */
export const NOT_SAFETENSORS = 'not a safetensors file';

/** Headers larger than this are refused, as in the reference implementation (100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------- reading

/**
 * Parse and validate the header of a safetensors file held in `bytes`, without decoding data.
 * Throws FormatError (naming `file`) on anything malformed.
 */
export function parseSafetensorsHeader(bytes: Uint8Array, file = '<bytes>'): SafetensorsHeader {
  const fail = (detail: string): never => {
    throw new FormatError(file, detail);
  };
  // Problems with the frame itself mean the file is not safetensors at all: say so first.
  const notSafetensors = (detail: string): never => fail(`${NOT_SAFETENSORS}: ${detail}`);
  if (bytes.length < 8) notSafetensors(`file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) notSafetensors(`header length ${n} is past the end of the file (${bytes.length} bytes)`);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const N = Number(n);
  if (N < 2) notSafetensors(`header length ${N} is too small for a JSON object`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + N));
  } catch {
    return notSafetensors('header is not valid UTF-8');
  }
  if (text[0] !== '{') notSafetensors(`header does not start with '{' (found ${quote(text.slice(0, 8))})`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return notSafetensors(`header is not valid JSON (${(err as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) notSafetensors('header JSON is not an object');
  const root = json as Record<string, unknown>;
  const dataStart = 8 + N;
  const dataLen = bytes.length - dataStart;

  let metadata: Record<string, string> | null = null;
  const list: Array<[string, SafetensorsEntry]> = [];
  for (const name of Object.keys(root)) {
    const v = root[name];
    if (name === '__metadata__') {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) fail('__metadata__ is not an object of strings');
      metadata = Object.create(null) as Record<string, string>;
      for (const k of Object.keys(v as object)) {
        const s = (v as Record<string, unknown>)[k];
        if (typeof s !== 'string') fail(`__metadata__[${quote(k)}] is not a string`);
        define(metadata, k, s as string);
      }
      continue;
    }
    const where = `tensor ${quote(name)}`;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(`${where}: entry is not an object`);
    const e = v as Record<string, unknown>;
    const dtype = e.dtype;
    if (typeof dtype !== 'string' || !Object.prototype.hasOwnProperty.call(DTYPE_BYTES, dtype)) {
      fail(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
    }
    if (UNSUPPORTED.has(dtype as string)) fail(`${where}: dtype ${dtype} is not supported`);
    const shape = e.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)) {
      fail(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || offs.some((o) => !Number.isSafeInteger(o) || (o as number) < 0)) {
      fail(`${where}: data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    if (end < begin) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLen) fail(`${where}: data_offsets [${begin}, ${end}] are past the end of the data buffer (${dataLen} bytes)`);
    // Element count, bounded by the bytes present (no overflow: stop once it exceeds them).
    const size = DTYPE_BYTES[dtype as string]!;
    let count = 1;
    for (const d of shape as number[]) count = count * d > Number.MAX_SAFE_INTEGER ? Infinity : count * d;
    if (count * size !== end - begin) {
      fail(`${where}: shape ${shapeStr(shape as number[])} of ${dtype} needs ${count === Infinity ? 'too many' : count * size} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    }
    list.push([name, { dtype: dtype as SafetensorsDType, shape: [...(shape as number[])], begin, end }]);
  }
  // The tensors must tile the buffer exactly.
  list.sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
  let pos = 0;
  for (const [name, e] of list) {
    if (e.begin < pos) fail(`tensor ${quote(name)}: data_offsets [${e.begin}, ${e.end}] overlap the previous tensor (which ends at ${pos})`);
    if (e.begin > pos) fail(`tensor ${quote(name)}: data_offsets [${e.begin}, ${e.end}] leave a gap after byte ${pos}`);
    pos = e.end;
  }
  if (pos !== dataLen) fail(`the tensors cover ${pos} bytes of the ${dataLen}-byte data buffer`);
  const entries = Object.create(null) as Record<string, SafetensorsEntry>;
  for (const [name, e] of list) define(entries, name, e);
  return { dataStart, entries, metadata };
}

/**
 * Read a safetensors file (a path, or its bytes). Every tensor is converted to float32 (or
 * `opts.dtype`). Throws FormatError naming the file and the problem if it is malformed.
 */
export function readSafetensors(bytesOrPath: Uint8Array | string, opts: ReadSafetensorsOptions = {}): SafetensorsFile {
  const file = typeof bytesOrPath === 'string' ? bytesOrPath : opts.name ?? '<bytes>';
  const bytes = typeof bytesOrPath === 'string' ? readFileChecked(bytesOrPath, { limits: opts.limits }) : bytesOrPath;
  const header = parseSafetensorsHeader(bytes, file);
  const tensors = Object.create(null) as Record<string, Tensor>;
  for (const name of Object.keys(header.entries)) {
    const e = header.entries[name]!;
    const raw = bytes.subarray(header.dataStart + e.begin, header.dataStart + e.end);
    define(tensors, name, new Tensor(decode(raw, e.dtype, opts.dtype ?? 'float32'), e.shape));
  }
  return { tensors, metadata: header.metadata };
}

/** Decode little-endian `raw` of `dtype` into a fresh float array. */
function decode(raw: Uint8Array, dtype: SafetensorsDType, out: DType): Float32Array | Float64Array {
  const n = raw.length / DTYPE_BYTES[dtype]!;
  const dst = allocArray(n, out);
  // Fast path: same representation, copy the bytes (slice also realigns them).
  if (LITTLE_ENDIAN_HOST && ((dtype === 'F32' && out === 'float32') || (dtype === 'F64' && out === 'float64'))) {
    new Uint8Array(dst.buffer).set(raw);
    return dst;
  }
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case 'F64': for (let i = 0; i < n; i++) dst[i] = dv.getFloat64(8 * i, true); break;
    case 'F32': for (let i = 0; i < n; i++) dst[i] = dv.getFloat32(4 * i, true); break;
    case 'F16': {
      const table = f16Table();
      for (let i = 0; i < n; i++) dst[i] = table[dv.getUint16(2 * i, true)]!;
      break;
    }
    case 'BF16': for (let i = 0; i < n; i++) dst[i] = bf16ToNumber(dv.getUint16(2 * i, true)); break;
    case 'I64': for (let i = 0; i < n; i++) dst[i] = Number(dv.getBigInt64(8 * i, true)); break;
    case 'U64': for (let i = 0; i < n; i++) dst[i] = Number(dv.getBigUint64(8 * i, true)); break;
    case 'I32': for (let i = 0; i < n; i++) dst[i] = dv.getInt32(4 * i, true); break;
    case 'U32': for (let i = 0; i < n; i++) dst[i] = dv.getUint32(4 * i, true); break;
    case 'I16': for (let i = 0; i < n; i++) dst[i] = dv.getInt16(2 * i, true); break;
    case 'U16': for (let i = 0; i < n; i++) dst[i] = dv.getUint16(2 * i, true); break;
    case 'I8': for (let i = 0; i < n; i++) dst[i] = dv.getInt8(i); break;
    case 'U8': for (let i = 0; i < n; i++) dst[i] = raw[i]!; break;
    case 'BOOL': for (let i = 0; i < n; i++) dst[i] = raw[i] ? 1 : 0; break;
  }
  return dst;
}

// ---------------------------------------------------------------------------- writing

export interface WriteSafetensorsOptions {
  /** dtype to store. Default: F64 for float64 tensors, F32 otherwise. */
  dtype?: SafetensorsWriteDType;
}

/**
 * Encode tensors as a safetensors file: tensors sorted by name, header padded with spaces to a
 * multiple of 8 bytes, `__metadata__` first if given.
 */
export function encodeSafetensors(
  tensors: Record<string, Tensor>, metadata?: Record<string, string> | null, opts: WriteSafetensorsOptions = {},
): Uint8Array {
  const names = Object.keys(tensors).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = Object.create(null);
  if (metadata) {
    const m: Record<string, string> = Object.create(null);
    for (const k of Object.keys(metadata)) {
      const v = metadata[k];
      if (typeof v !== 'string') throw new TypeError(`encodeSafetensors: metadata[${JSON.stringify(k)}] must be a string, got ${typeof v}`);
      define(m, k, v);
    }
    define(header, '__metadata__', m);
  }
  const plan: Array<{ t: Tensor; dtype: SafetensorsWriteDType; begin: number }> = [];
  let pos = 0;
  for (const name of names) {
    if (name === '__metadata__') throw new RangeError('encodeSafetensors: "__metadata__" cannot be a tensor name');
    const t = tensors[name]!;
    if (!(t instanceof Tensor)) throw new TypeError(`encodeSafetensors: ${JSON.stringify(name)} is not a Tensor`);
    const dtype = opts.dtype ?? (t.dtype === 'float64' ? 'F64' : 'F32');
    if (!['F64', 'F32', 'F16', 'BF16'].includes(dtype)) throw new RangeError(`encodeSafetensors: cannot write dtype ${dtype}`);
    const nbytes = t.size * DTYPE_BYTES[dtype]!;
    define(header, name, { dtype, shape: t.shape, data_offsets: [pos, pos + nbytes] });
    plan.push({ t, dtype, begin: pos });
    pos += nbytes;
  }
  // Header JSON, padded with spaces to a multiple of 8 bytes (TextEncoder: no Node Buffer, so browser bundles can write too).
  const json = new TextEncoder().encode(JSON.stringify(header));
  const hlen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + hlen + pos);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(hlen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + hlen);
  const base = 8 + hlen;
  for (const { t, dtype, begin } of plan) {
    const d = t.data, o = base + begin;
    if (LITTLE_ENDIAN_HOST && (dtype === 'F32' || dtype === 'F64')) {
      // Same layout as the typed array: copy the bytes (converting float64 ↔ float32 first if needed).
      const arr = dtype === 'F32' ? (d instanceof Float32Array ? d : Float32Array.from(d)) : (d instanceof Float64Array ? d : Float64Array.from(d));
      out.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), o);
      continue;
    }
    switch (dtype) {
      case 'F64': for (let i = 0; i < d.length; i++) dv.setFloat64(o + 8 * i, d[i]!, true); break;
      case 'F32': for (let i = 0; i < d.length; i++) dv.setFloat32(o + 4 * i, d[i]!, true); break;
      case 'F16': for (let i = 0; i < d.length; i++) dv.setUint16(o + 2 * i, numberToF16(d[i]!), true); break;
      case 'BF16': for (let i = 0; i < d.length; i++) dv.setUint16(o + 2 * i, numberToBf16(d[i]!), true); break;
    }
  }
  return out;
}

/** Write tensors (and optional string metadata) to a safetensors file, atomically. */
export function writeSafetensors(
  path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string> | null, opts: WriteSafetensorsOptions = {},
): void {
  writeFileAtomicSync(path, encodeSafetensors(tensors, metadata, opts));
}

// ---------------------------------------------------------------------------- half floats

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits → number. */
export function f16ToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24; // zero or subnormal
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

let F16_TABLE: Float64Array | null = null;
/** All 65536 binary16 values, built on first use (decoding is then one lookup per element). */
function f16Table(): Float64Array {
  if (!F16_TABLE) {
    F16_TABLE = new Float64Array(65536);
    for (let h = 0; h < 65536; h++) F16_TABLE[h] = f16ToNumber(h);
  }
  return F16_TABLE;
}

/** bfloat16 bits → number (the top half of a float32). */
export function bf16ToNumber(h: number): number {
  u32[0] = h << 16;
  return f32[0]!;
}

/** number → binary16 bits, rounding to nearest even (via float32, as PyTorch's .half() does). */
export function numberToF16(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000, e = (b >>> 23) & 0xff, m = b & 0x7fffff;
  if (e === 0xff) return sign | 0x7c00 | (m ? 0x200 : 0); // Inf or NaN
  const E = e - 127 + 15; // rebias
  if (E >= 31) return sign | 0x7c00; // overflow → Inf
  if (E <= 0) {
    // Subnormal half (or zero): shift the full significand right, round to nearest even.
    if (E < -10) return sign;
    const full = m | 0x800000, shift = 14 - E;
    let r = full >>> shift;
    const rem = full & ((1 << shift) - 1), halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (r & 1))) r++;
    return sign | r;
  }
  let r = (E << 10) | (m >>> 13);
  const rem = m & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (r & 1))) r++; // may carry into the exponent, still correct
  return sign | r;
}

/** number → bfloat16 bits, rounding to nearest even (via float32). */
export function numberToBf16(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff)) return (b >>> 16) | 0x40; // keep NaN a NaN
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Set an own, enumerable property (safe for names like `__proto__`). */
function define<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
