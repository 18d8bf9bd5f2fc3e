/**
 * Shared pieces of the loader fuzz tests (test/reliability): byte-level mutations of a valid
 * file as a fast-check arbitrary (bit flips, byte overwrites, truncation, insertion, deletion,
 * duplicated ranges, a number in the file blown up to a huge size), hostile JSON values (absurd
 * sizes, wrong types, `__proto__` / `constructor` keys, terminal escapes, values that overflow
 * float32), and the one property every loader must satisfy: the input either loads or throws
 * FormatError, never another error type, within a time bound and a memory bound, with a short
 * message free of raw control characters, and leaves Object.prototype untouched.
 *
 * The classes that need real files (special files, repeated references, unbounded work) are in
 * test/helpers/hostile.ts and test/reliability/hostile.test.ts.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FormatError } from '../../src/index.js';

/** One edit of a byte buffer; positions are fractions of the length so they fit any size. */
export type ByteEdit =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'repeat'; at: number; count: number }
  /** Oversized by declaration: the decimal number nearest `at` becomes `digits` 9s (a shape, offset or count in a text header). */
  | { kind: 'bigNumber'; at: number; digits: number };

/** A uniform fraction in [0, 1) (fc.double is biased towards its bounds, which would cluster edits at the start). */
export const frac: fc.Arbitrary<number> = fc.integer({ min: 0, max: 999_999 }).map((k) => k / 1_000_000);

export const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: frac, bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), at: frac, value: fc.constantFrom(0, 0xff, 0x7f, 0x80, 0x22, 0x7b, 0x7d, 0x2c, 0x0a, 0x30, 0x39) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: frac }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: frac, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: frac, count: fc.integer({ min: 1, max: 16 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('repeat' as const), at: frac, count: fc.integer({ min: 1, max: 32 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bigNumber' as const), at: frac, digits: fc.integer({ min: 6, max: 20 }) }) },
);

/** Apply edits in order to a copy of `src`. */
export function applyEdits(src: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  let b = Uint8Array.from(src);
  for (const e of edits) {
    const i = Math.floor(e.at * b.length);
    switch (e.kind) {
      case 'flip': if (b.length) b[i] = b[i]! ^ (1 << e.bit); break;
      case 'set': if (b.length) b[i] = e.value; break;
      case 'truncate': b = b.slice(0, i); break;
      case 'insert': b = concat(b.subarray(0, i), e.bytes, b.subarray(i)); break;
      case 'delete': b = concat(b.subarray(0, i), b.subarray(i + e.count)); break;
      case 'repeat': b = concat(b.subarray(0, i + e.count), b.subarray(i)); break;
      case 'bigNumber': {
        let s = i;
        while (s < b.length && (b[s]! < 0x30 || b[s]! > 0x39)) s++;
        if (s >= b.length) break;
        let t = s;
        while (t < b.length && b[t]! >= 0x30 && b[t]! <= 0x39) t++;
        b = concat(b.subarray(0, s), new Uint8Array(e.digits).fill(0x39), b.subarray(t));
        break;
      }
    }
  }
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** 1 to `max` byte edits. */
export const byteEdits = (max = 4): fc.Arbitrary<ByteEdit[]> => fc.array(byteEdit, { minLength: 1, maxLength: max });

/** Values a hostile file puts where a size, flag, name or list is expected. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    -1, 0, 1, 2.5, 1e12, 1e308, 2 ** 31, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER, null, true, false, '', 'x', 'float32',
    'float64', 'int8', 'complex64', [], [1e12], [1e6, 1e6], [-1], [2, 'a'], {}, [[1]], { __proto__: null, polluted: 1 },
    // overflow to Infinity in float32, and terminal escapes (retitle, clear screen, C1 CSI, bidi override)
    3.5e38, -1e39, [1e39], '\u001b]0;pwned\u0007', '\u001b[2J', '\u009b31m', 'a\u202eb', 'x'.repeat(5000),
  ),
  fc.integer({ min: -3, max: 70000 }),
  fc.string({ maxLength: 6 }),
);

/** Keys that would poison Object.prototype if a loader assigned them naively. */
export const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf');

/**
 * Replace the value at a random path inside a JSON value: `pick` chooses among every node
 * (object member, array element, or a new member with a hostile key) by a fraction.
 */
export function mutateJson(root: unknown, pick: number, value: unknown, newKey: string | null): unknown {
  const copy = JSON.parse(JSON.stringify(root));
  const slots: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const containers: Array<Record<string, unknown>> = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach((x, i) => { slots.push({ parent: v, key: i }); walk(x); });
    else if (v && typeof v === 'object') {
      containers.push(v as Record<string, unknown>);
      for (const k of Object.keys(v)) { slots.push({ parent: v as Record<string, unknown>, key: k }); walk((v as Record<string, unknown>)[k]); }
    }
  };
  walk(copy);
  if (newKey !== null && containers.length > 0) {
    // Defined as an own property (never through the __proto__ setter), as JSON.parse would.
    const c = containers[Math.floor(pick * containers.length)]!;
    Object.defineProperty(c, newKey, { value, enumerable: true, configurable: true, writable: true });
    return copy;
  }
  if (slots.length === 0) return value;
  const s = slots[Math.floor(pick * slots.length)]!;
  (s.parent as Record<string | number, unknown>)[s.key] = value;
  return copy;
}

/** Counters of what the fuzzer saw, printed once per loader so a run shows it explored both paths. */
export interface FuzzStats {
  loaded: number;
  rejected: number;
  slowest: number;
  messages: Map<string, number>;
}

export function newStats(): FuzzStats {
  return { loaded: 0, rejected: 0, slowest: 0, messages: new Map() };
}

/** Fail if anything was added to Object.prototype (or Array.prototype). */
export function assertNoPollution(): void {
  for (const proto of [Object.prototype, Array.prototype]) {
    for (const k of ['polluted', 'x', 'isAdmin', 'shape', 'dtype', 'name', 'config', 'layers', 'weights']) {
      assert.equal(Object.hasOwn(proto, k), false, `prototype polluted with "${k}"`);
    }
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype polluted');
}

// Raw control characters a message must never carry (a terminal acts on them).
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** A load's error: rethrown unless it is a FormatError (naming `file` when given), else counted by message. */
function countRejection(stats: FuzzStats, e: unknown, file: string | undefined): void {
  if (!(e instanceof FormatError)) throw e;
  if (file !== undefined) assert.ok(e.message.includes(file), `FormatError does not name the file: ${e.message}`);
  assert.ok(!RAW_CONTROL.test(e.message), `FormatError carries a raw control character: ${JSON.stringify(e.message.slice(0, 200))}`);
  assert.ok(e.message.length <= 2500, `FormatError message of ${e.message.length} characters`);
  stats.rejected++;
  const key = e.detail.replace(/\d+/g, 'N').slice(0, 50);
  stats.messages.set(key, (stats.messages.get(key) ?? 0) + 1);
}

/**
 * Run one load; it must return or throw FormatError (whose message names `file` when given),
 * within `maxMs`. Any other error is rethrown with the label so fast-check reports it.
 */
export function loadsOrFormatError(stats: FuzzStats, load: () => unknown, opts: { maxMs?: number; file?: string; maxBytes?: number } = {}): boolean {
  const t0 = performance.now();
  const mem0 = process.memoryUsage().arrayBuffers;
  try {
    load();
    stats.loaded++;
  } catch (e) {
    countRejection(stats, e, opts.file);
  } finally {
    const ms = performance.now() - t0;
    stats.slowest = Math.max(stats.slowest, ms);
    assert.ok(ms < (opts.maxMs ?? 2000), `one load took ${ms.toFixed(0)} ms`);
    // Oversized by declaration: what a small file makes the loader allocate (buffers not yet collected).
    const grew = process.memoryUsage().arrayBuffers - mem0;
    assert.ok(grew < (opts.maxBytes ?? 256 << 20), `one load allocated ${(grew / 2 ** 20).toFixed(0)} MB`);
  }
  assertNoPollution();
  return true;
}

/** The async variant (readCsv and other streaming loaders). */
export async function loadsOrFormatErrorAsync(stats: FuzzStats, load: () => Promise<unknown>, opts: { maxMs?: number; file?: string; maxBytes?: number } = {}): Promise<boolean> {
  const t0 = performance.now();
  const mem0 = process.memoryUsage().arrayBuffers;
  let timer: NodeJS.Timeout | undefined;
  const limit = opts.maxMs ?? 2000;
  try {
    await Promise.race([
      load(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`one load took over ${limit} ms`)), limit); }),
    ]);
    stats.loaded++;
  } catch (e) {
    countRejection(stats, e, opts.file);
  } finally {
    clearTimeout(timer);
    stats.slowest = Math.max(stats.slowest, performance.now() - t0);
    const grew = process.memoryUsage().arrayBuffers - mem0;
    assert.ok(grew < (opts.maxBytes ?? 256 << 20), `one load allocated ${(grew / 2 ** 20).toFixed(0)} MB`);
  }
  assertNoPollution();
  return true;
}

/** One line for the test log: how many loaded, how many were rejected, the slowest case. */
export function summary(label: string, s: FuzzStats): string {
  const top = [...s.messages].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([m, n]) => `${n}× ${m}`).join(' | ');
  return `${label}: ${s.loaded} loaded, ${s.rejected} FormatError, slowest ${s.slowest.toFixed(1)} ms; top: ${top}`;
}
