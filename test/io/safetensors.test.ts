/**
 * safetensors: round trips in every dtype, byte-for-byte agreement with the files the Python
 * script wrote, prototype-safe names, atomic writes, and every kind of malformed file giving a
 * FormatError that names the file and the problem (plus a mutation/truncation fuzz).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  FormatError, Tensor, encodeSafetensors, writeFileAtomic, writeFileAtomicSync, readSafetensors, writeSafetensors, parseSafetensorsHeader,
  f16ToNumber, bf16ToNumber, numberToF16, numberToBf16,
} from '../../src/index.js';
import { TORCH_FIXTURE_DIR } from '../core/torch-fixture-loader.js';

/** A safetensors file from a header object (or raw header text) and a data buffer. */
function build(header: unknown, data: Uint8Array = new Uint8Array(0), headerLen?: bigint): Uint8Array {
  const h = header instanceof Uint8Array ? header : Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLen ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function sample(): Record<string, Tensor> {
  return {
    'lstm.weight_ih_l0': Tensor.from([[0.5, -1.25, 3], [1e-3, -7, 0.1]]),
    'b': Tensor.from([1, 2, 3]),
    'scalar': new Tensor(Float32Array.from([42]), []),
    'empty': Tensor.zeros([0, 3]),
  };
}

describe('safetensors round trips', () => {
  for (const dtype of ['F32', 'F64', 'F16', 'BF16'] as const) {
    test(`${dtype}: values, shapes, names and metadata survive`, () => {
      const t = sample();
      const bytes = encodeSafetensors(t, { format: 'pt', note: 'é ü' }, { dtype });
      const back = readSafetensors(bytes);
      assert.deepEqual(Object.keys(back.tensors), Object.keys(t).sort());
      assert.deepEqual({ ...back.metadata }, { format: 'pt', note: 'é ü' });
      const round = dtype === 'F16' ? (v: number) => f16ToNumber(numberToF16(v))
        : dtype === 'BF16' ? (v: number) => bf16ToNumber(numberToBf16(v)) : Math.fround;
      for (const k of Object.keys(t)) {
        assert.deepEqual(back.tensors[k]!.shape, t[k]!.shape);
        assert.deepEqual(Array.from(back.tensors[k]!.data), Array.from(t[k]!.data, round));
      }
    });
  }

  test('float64 tensors are written as F64 by default and can be read back as float64', () => {
    const t = { x: Tensor.from([Math.PI, 1e-300], [2], 'float64') };
    const back = readSafetensors(encodeSafetensors(t), { dtype: 'float64' });
    assert.deepEqual(Array.from(back.tensors.x!.data), [Math.PI, 1e-300]);
  });

  test('layout: u64 header length, header padded with spaces to 8 bytes, names sorted, offsets contiguous', () => {
    const bytes = encodeSafetensors(sample(), { a: 'b' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(n % 8, 0);
    const text = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
    assert.match(text, /^\{"__metadata__":\{"a":"b"\},"b":/);
    assert.match(text, /\} *$/);
    const header = JSON.parse(text);
    const names = Object.keys(header).filter((k) => k !== '__metadata__');
    assert.deepEqual(names, [...names].sort());
    let pos = 0;
    for (const k of names) {
      assert.equal(header[k].data_offsets[0], pos);
      pos = header[k].data_offsets[1];
    }
    assert.equal(8 + n + pos, bytes.length);
  });

  test('every f16 and bf16 bit pattern converts to a number and back unchanged', () => {
    for (let h = 0; h < 65536; h++) {
      const isNaN16 = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (!isNaN16) assert.equal(numberToF16(f16ToNumber(h)), h, `f16 0x${h.toString(16)}`);
      else assert.ok(Number.isNaN(f16ToNumber(h)));
      const isNaNb = (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0;
      if (!isNaNb) assert.equal(numberToBf16(bf16ToNumber(h)), h, `bf16 0x${h.toString(16)}`);
      else assert.ok(Number.isNaN(bf16ToNumber(h)));
    }
  });

  test('f16/bf16 rounding: nearest, ties to even, overflow to infinity, underflow to zero', () => {
    assert.equal(numberToF16(1), 0x3c00);
    assert.equal(numberToF16(0.1), 0x2e66);
    assert.equal(numberToF16(65504), 0x7bff);
    assert.equal(numberToF16(65520), 0x7c00); // halfway to 2^16 rounds up to infinity
    assert.equal(numberToF16(-1e6), 0xfc00);
    assert.equal(numberToF16(2 ** -24), 0x0001); // smallest subnormal
    assert.equal(numberToF16(2 ** -25), 0x0000); // tie → even (zero)
    assert.equal(numberToF16(1 + 2 ** -11), 0x3c00); // tie → even
    assert.equal(numberToF16(1 + 3 * 2 ** -11), 0x3c02); // tie → even (up)
    assert.ok(Number.isNaN(f16ToNumber(numberToF16(NaN))));
    assert.equal(numberToBf16(1), 0x3f80);
    assert.equal(numberToBf16(0.1), 0x3dcd);
    assert.equal(numberToBf16(1 + 2 ** -8), 0x3f80); // tie → even
    assert.ok(Number.isNaN(bf16ToNumber(numberToBf16(NaN))));
  });
});

describe('files written by scripts/gen_torch_fixtures.py', () => {
  const files = readdirSync(TORCH_FIXTURE_DIR).filter((f) => f.endsWith('.safetensors')).sort();

  test('every fixture file reads, including F16, BF16, F64 and I64 tensors', () => {
    const seen = new Set<string>();
    for (const f of files) {
      const bytes = readFileSync(join(TORCH_FIXTURE_DIR, f));
      const h = parseSafetensorsHeader(bytes, f);
      for (const e of Object.values(h.entries)) seen.add(e.dtype);
      const { tensors } = readSafetensors(join(TORCH_FIXTURE_DIR, f));
      assert.ok(Object.keys(tensors).length > 0, f);
    }
    for (const d of ['F32', 'F16', 'BF16', 'F64', 'I64']) assert.ok(seen.has(d), `no ${d} tensor among the fixtures`);
  });

  test('our writer reproduces every state_dict file byte for byte', () => {
    const states = files.filter((f) => f.endsWith('.state.safetensors'));
    assert.ok(states.length > 10);
    for (const f of states) {
      const original = readFileSync(join(TORCH_FIXTURE_DIR, f));
      const h = parseSafetensorsHeader(original, f);
      const dtype = Object.values(h.entries)[0]!.dtype as 'F32' | 'F64' | 'F16' | 'BF16';
      const { tensors, metadata } = readSafetensors(original, { dtype: dtype === 'F64' ? 'float64' : 'float32' });
      const again = encodeSafetensors(tensors, metadata, { dtype });
      assert.ok(Buffer.from(again).equals(original), `${f} differs when re-encoded`);
    }
  });

  test('lengths stored as I64 come back as numbers', () => {
    const { tensors } = readSafetensors(join(TORCH_FIXTURE_DIR, 'lstm_lengths.data.safetensors'));
    assert.deepEqual(Array.from(tensors.lengths!.data), [3, 5, 1, 4]);
  });
});

describe('names are data: no prototype pollution', () => {
  test('__proto__, constructor and prototype are ordinary tensor and metadata names', () => {
    const header = '{"__metadata__":{"__proto__":"x","polluted":"no"},"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
      + '"constructor":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"prototype":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}';
    const data = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
    const { tensors, metadata } = readSafetensors(build(header, data));
    assert.deepEqual(Object.keys(tensors).sort(), ['__proto__', 'constructor', 'prototype']);
    assert.equal(tensors['__proto__']!.data[0], 1);
    assert.equal(tensors['constructor']!.data[0], 2);
    assert.equal(metadata!['__proto__'], 'x');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(tensors), null);
    // and writing them back works too
    const again = readSafetensors(encodeSafetensors(tensors, metadata));
    assert.deepEqual(Object.keys(again.tensors).sort(), ['__proto__', 'constructor', 'prototype']);
  });
});

describe('malformed files give FormatError naming the file and the problem', () => {
  const f32 = (n: number) => new Uint8Array(4 * n);
  const ok = (name: string, extra: object = {}) => ({ [name]: { dtype: 'F32', shape: [2], data_offsets: [0, 8], ...extra } });
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['shorter than 8 bytes', new Uint8Array(5), /too short for the 8-byte header length/],
    ['header length past the end', build(ok('a'), f32(2), 1_000_000_000n), /header length 1000000000 is past the end of the file \(\d+ bytes\)/],
    ['header length 2^64−1', build(ok('a'), f32(2), 2n ** 64n - 1n), /header length 18446744073709551615 is past the end/],
    ['header not UTF-8', build(Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])), /header is not valid UTF-8/],
    ['header not JSON', build('{"a": [1, 2', f32(0)), /header is not valid JSON/],
    ['header a JSON array', build('[1, 2, 3]'), /does not start with '\{'/],
    ['header a JSON string', build('"abc"'), /does not start with '\{'/],
    ['entry not an object', build({ a: 5 }), /tensor "a": entry is not an object/],
    ['unknown dtype', build(ok('w', { dtype: 'F128' }), f32(2)), /tensor "w": unknown dtype "F128"/],
    ['dtype missing', build({ w: { shape: [2], data_offsets: [0, 8] } }, f32(2)), /tensor "w": unknown dtype undefined/],
    ['unsupported F8 dtype', build({ w: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, new Uint8Array(2)), /dtype F8_E4M3 is not supported/],
    ['negative dimension', build(ok('w', { shape: [-2] }), f32(2)), /shape must be an array of non-negative integers, got \[-2\]/],
    ['fractional dimension', build(ok('w', { shape: [1.5] }), f32(2)), /shape must be an array of non-negative integers/],
    ['offsets not a pair', build(ok('w', { data_offsets: [0] }), f32(2)), /data_offsets must be \[begin, end\]/],
    ['offsets end before begin', build(ok('w', { data_offsets: [8, 0] }), f32(2)), /end before they begin/],
    ['offsets past the buffer', build(ok('w', { data_offsets: [0, 16] }), f32(2)), /data_offsets \[0, 16\] are past the end of the data buffer \(8 bytes\)/],
    ['byte count ≠ shape × dtype size', build(ok('w', { shape: [3] }), f32(2)), /shape \[3\] of F32 needs 12 bytes, but data_offsets \[0, 8\] hold 8/],
    ['absurd shape', build(ok('w', { shape: [1e15, 1e15] }), f32(2)), /needs too many bytes/],
    ['overlapping tensors', build({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32(3)),
      /tensor "b": data_offsets \[4, 12\] overlap the previous tensor \(which ends at 8\)/],
    ['a gap between tensors', build({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, f32(3)),
      /tensor "b": data_offsets \[8, 12\] leave a gap after byte 4/],
    ['trailing bytes not covered', build(ok('a'), f32(3)), /the tensors cover 8 bytes of the 12-byte data buffer/],
    ['metadata not strings', build({ __metadata__: { epochs: 3 } }), /__metadata__\["epochs"\] is not a string/],
    ['metadata not an object', build({ __metadata__: 'x' }), /__metadata__ is not an object of strings/],
  ];
  for (const [what, bytes, re] of cases) {
    test(what, () => {
      assert.throws(() => readSafetensors(bytes, { name: 'bad.safetensors' }), (e: unknown) => {
        assert.ok(e instanceof FormatError, `not a FormatError: ${String(e)}`);
        assert.ok(e instanceof Error);
        assert.equal(e.file, 'bad.safetensors');
        assert.match(e.message, /^bad\.safetensors: /);
        assert.match(e.message, re);
        return true;
      });
    });
  }

  test('a path names itself in the error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    const p = join(dir, 'broken.safetensors');
    writeFileSync(p, build(ok('a'), f32(2), 99n));
    assert.throws(() => readSafetensors(p), (e: unknown) => e instanceof FormatError && e.file === p && e.message.startsWith(`${p}: not a safetensors file: header length 99`));
  });

  test('fuzz: truncations and random mutations of a valid file load or throw FormatError, quickly', () => {
    const valid = encodeSafetensors(sample(), { format: 'pt' });
    const check = (bytes: Uint8Array): void => {
      try {
        readSafetensors(bytes);
      } catch (e) {
        if (!(e instanceof FormatError)) throw new Error(`not a FormatError: ${String(e)}`);
      }
    };
    const t0 = Date.now();
    for (let n = 0; n < valid.length; n++) check(valid.subarray(0, n));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
        const b = valid.slice();
        for (const [i, v] of edits) b[i] = v;
        check(b);
      }),
      { numRuns: 3000, seed: 42 },
    );
    assert.ok(Date.now() - t0 < 20_000, `fuzzing took ${Date.now() - t0} ms`);
  });
});

describe('structured fuzz: random headers', () => {
  test('2000 random valid headers, most with one mutation: valid ones load exactly, the rest load or throw FormatError', () => {
    const SIZES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, U8: 1, BOOL: 1 };
    const tensorArb = fc.record({
      name: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'toString')),
      dtype: fc.constantFrom(...Object.keys(SIZES)),
      shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
    });
    const mutation = fc.oneof(
      fc.constant({ kind: 'none' as const }),
      fc.record({ kind: fc.constant('dtype' as const), value: fc.constantFrom('F8_E5M2', 'Q4', '', 'f32', 'F32', 'U8') }),
      fc.record({ kind: fc.constant('shape' as const), value: fc.constantFrom(-1, 0, 1, 7, 2.5, 2 ** 40) }),
      fc.record({ kind: fc.constant('begin' as const), value: fc.integer({ min: -3, max: 3 }) }),
      fc.record({ kind: fc.constant('end' as const), value: fc.integer({ min: -3, max: 3 }) }),
      fc.record({ kind: fc.constant('data' as const), value: fc.integer({ min: -3, max: 3 }) }),
      fc.record({ kind: fc.constant('meta' as const), value: fc.constantFrom<unknown>(1, null, 'x', ['a'], { k: 2 }, { k: 'v' }) }),
    );
    let loaded = 0, rejected = 0;
    fc.assert(
      fc.property(fc.uniqueArray(tensorArb, { selector: (t) => t.name, maxLength: 4 }), mutation, fc.nat(), (list, mut, pick) => {
        const header: Record<string, unknown> = Object.create(null);
        let pos = 0;
        for (const t of list) {
          if (t.name === '__metadata__') continue;
          const n = t.shape.reduce((a, b) => a * b, 1) * SIZES[t.dtype]!;
          header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [pos, pos + n] };
          pos += n;
        }
        let dataLen = pos;
        const names = Object.keys(header);
        const target = names.length ? (header[names[pick % names.length]!] as { dtype: string; shape: number[]; data_offsets: number[] }) : null;
        if (mut.kind === 'dtype' && target) target.dtype = mut.value;
        if (mut.kind === 'shape' && target) target.shape.push(mut.value);
        if (mut.kind === 'begin' && target) target.data_offsets[0]! += mut.value;
        if (mut.kind === 'end' && target) target.data_offsets[1]! += mut.value;
        if (mut.kind === 'data') dataLen = Math.max(0, dataLen + mut.value);
        if (mut.kind === 'meta') header.__metadata__ = mut.value;
        const bytes = build(JSON.stringify(header), new Uint8Array(dataLen).map((_, i) => i * 37));
        const unchanged = mut.kind === 'none' || (mut.kind !== 'meta' && mut.kind !== 'data' && !target)
          || (mut.kind === 'data' && mut.value === 0) || ((mut.kind === 'begin' || mut.kind === 'end') && mut.value === 0)
          || (mut.kind === 'dtype' && target?.dtype === (list.find((t) => header[t.name] === target)?.dtype))
          || (mut.kind === 'shape' && mut.value === 1);
        try {
          const { tensors } = readSafetensors(bytes);
          loaded++;
          for (const name of Object.keys(tensors)) assert.deepEqual(tensors[name]!.shape, (header[name] as { shape: number[] }).shape);
          assert.deepEqual(Object.keys(tensors).sort(), names.sort());
        } catch (e) {
          if (!(e instanceof FormatError)) throw e;
          rejected++;
          if (unchanged) throw new Error(`a valid file was rejected: ${e.message}`);
        }
      }),
      { numRuns: 2000, seed: 7 },
    );
    console.log(`structured fuzz: ${loaded} loaded, ${rejected} rejected`);
    assert.ok(loaded > 300 && rejected > 300, `${loaded} loaded, ${rejected} rejected: the generator must exercise both`);
    assert.equal(({} as Record<string, unknown>).dtype, undefined);
  });
});

describe('writeSafetensors writes atomically', () => {
  test('overwrites the target in one step and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    const p = join(dir, 'm.safetensors');
    writeSafetensors(p, { a: Tensor.from([1, 2]) });
    writeSafetensors(p, { a: Tensor.from([3, 4, 5]) }, { v: '2' });
    assert.deepEqual(readdirSync(dir), ['m.safetensors']);
    const back = readSafetensors(p);
    assert.deepEqual(Array.from(back.tensors.a!.data), [3, 4, 5]);
    assert.equal(back.metadata!.v, '2');
  });

  test('a failed write leaves the old file intact and no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    const p = join(dir, 'm.safetensors');
    writeSafetensors(p, { a: Tensor.from([1, 2]) });
    assert.throws(() => writeSafetensors(p, { a: Tensor.from([1]) }, { bad: 3 as never }), /metadata\["bad"\] must be a string/);
    assert.throws(() => writeSafetensors(join(dir, 'no-such-dir', 'x.safetensors'), { a: Tensor.from([1]) }), /ENOENT/);
    assert.deepEqual(readdirSync(dir), ['m.safetensors']);
    assert.deepEqual(Array.from(readSafetensors(p).tensors.a!.data), [1, 2]);
  });
});

describe('writeFileAtomic / writeFileAtomicSync', () => {
  test('write strings and bytes, replace the old file, leave nothing behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const p = join(dir, 'a.json');
    await writeFileAtomic(p, '{"v":1}');
    await writeFileAtomic(p, Uint8Array.from([0x7b, 0x7d]));
    assert.equal(readFileSync(p, 'utf8'), '{}');
    writeFileAtomicSync(p, 'é');
    assert.equal(readFileSync(p, 'utf8'), 'é');
    assert.deepEqual(readdirSync(dir), ['a.json']);
  });

  test('a failing write (target is a directory) keeps nothing and throws', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'sub'));
    await assert.rejects(writeFileAtomic(join(dir, 'sub'), 'x'), /EISDIR|EEXIST|ENOTEMPTY|EPERM/);
    assert.throws(() => writeFileAtomicSync(join(dir, 'sub'), 'x'), /EISDIR|EEXIST|ENOTEMPTY|EPERM/);
    assert.deepEqual(readdirSync(dir), ['sub']);
    assert.deepEqual(readdirSync(join(dir, 'sub')), []);
  });
});

describe('atomic writes survive SIGKILL', () => {
  test('a writer killed mid-save never leaves a corrupt or missing file (6 kills)', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const src = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'st-kill-'));
    const p = join(dir, 'model.safetensors');
    // The child rewrites a 8 MB file forever, alternating two pre-encoded versions (every value
    // = the version), so nearly all its time is spent inside writeFileAtomicSync.
    const child = `
      import { Tensor, encodeSafetensors, writeFileAtomicSync } from ${JSON.stringify(src)};
      const n = 1 << 21;
      const v = [0, 1].map((k) => encodeSafetensors({ w: new Tensor(new Float32Array(n).fill(k), [n]) }, { version: String(k) }));
      for (let k = 0; ; k++) {
        writeFileAtomicSync(${JSON.stringify(p)}, v[k % 2]);
        if (k === 0) console.log('ready');
      }`;
    for (let run = 0; run < 6; run++) {
      const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => proc.stdout!.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 2 + 7 * run));
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
      const { tensors, metadata } = readSafetensors(p);
      const v = Number(metadata!.version);
      assert.ok(v === 0 || v === 1);
      const w = tensors.w!.data;
      assert.equal(w.length, 1 << 21);
      assert.ok(w.every((x) => x === v), `run ${run}: mixed contents`);
    }
    const files = readdirSync(dir);
    // Besides the model, only temporary files of killed writes may remain.
    assert.ok(files.every((f) => f === 'model.safetensors' || f.endsWith('.tmp')), files.join(', '));
    console.log(`SIGKILL test: ${files.length - 1} of 6 kills landed inside a write`);
  });
});
