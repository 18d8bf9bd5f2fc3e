/**
 * Model files and checkpoints from disk (loadModel(path), fit(model, { resume })) on hostile
 * files. test/train/model-file-fuzz.test.ts covers decodeModel on byte edits and hostile
 * architecture JSON, test/io/safetensors.test.ts the container; this file adds:
 *   - the safetensors header of a real model file edited structurally: header length, a
 *     tensor's data_offsets moved (out of range, overlapping, reversed), its dtype changed
 *     (F16, I64, unknown) or its shape changed (shape × dtype ≠ bytes, [1e12]), `__proto__`
 *     tensor and metadata names; loaded through loadModel(path): loads or FormatError naming
 *     the path;
 *   - training checkpoints with hostile `checkpoint` metadata (epoch, rng, optimizer state,
 *     history, best, schedule replaced by wrong types or absurd values) or optimizer tensors
 *     missing / resized: resuming either trains or throws FormatError before any training.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Dense, Dropout, FormatError, LSTM, LastStep, Sequential, Tensor, TrainingError, encodeSafetensors, fileCheckpoint, fit, loadCheckpoint, loadModel, readSafetensors, saveModel } from '../../src/index.js';
import { frac, hostileKey, hostileValue, loadsOrFormatError, mutateJson, newStats, summary } from '../helpers/fuzz.js';

const be = { backend: 'reference' };
const build = (): Sequential => new Sequential([
  ['lstm', new LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: true, seed: 1, ...be })],
  ['last', new LastStep(be)],
  ['drop', new Dropout({ p: 0.2, seed: 2, ...be })],
  ['fc', new Dense({ inputSize: 3, outputSize: 1, seed: 3, ...be })],
]);
const x = new Tensor(Float32Array.from({ length: 8 * 4 * 2 }, (_, i) => Math.sin(i * 0.7)), [8, 4, 2]);
const y = new Tensor(Float32Array.from({ length: 8 }, (_, i) => Math.cos(i)), [8, 1]);

/** Split a safetensors file into its header object and data bytes. */
function splitFile(bytes: Uint8Array): { header: Record<string, any>; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))), data: bytes.subarray(8 + n) };
}
function joinFile(headerText: string, data: Uint8Array, lenDelta = 0n): Uint8Array {
  const h = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length) + lenDelta, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

describe('model files from disk: structured header edits', () => {
  test('offsets, dtypes, shapes, header length, hostile names: loadModel loads or throws FormatError naming the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-fuzz-'));
    const path = join(dir, 'model.safetensors');
    const stats = newStats();
    try {
      saveModel(build(), path, { scaler: { type: 'minmax', min: [0], max: [1], range: [0, 1] } });
      const { header, data } = splitFile(new Uint8Array(readFileSync(path)));
      const names = Object.keys(header).filter((k) => k !== '__metadata__');
      const edit = fc.oneof(
        fc.record({ kind: fc.constant('offsets'), t: frac, a: fc.integer({ min: -8, max: data.length + 64 }), b: fc.integer({ min: -8, max: data.length + 64 }) }),
        fc.record({ kind: fc.constant('dtype'), t: frac, v: fc.constantFrom('F16', 'BF16', 'F64', 'I64', 'I8', 'BOOL', 'U8', 'F8_E4M3', 'C64', 'f32', '', '__proto__') }),
        fc.record({ kind: fc.constant('shape'), t: frac, v: fc.constantFrom<unknown>([1e12], [2 ** 53], [1, 1, 1, 1, 1, 1, 1, 1, 1e6], [-1], [0], [3], [], 'x', null, [2.5], [1e6, 1e6]) }),
        fc.record({ kind: fc.constant('json'), t: frac, v: hostileValue, key: fc.option(hostileKey, { nil: null }) }),
        fc.record({ kind: fc.constant('rename'), t: frac, v: fc.constantFrom('__proto__', 'constructor', '__best__', '__optimizer__.m', 'lstm.weight_ih_l1', '') }),
      );
      const edits = fc.oneof({ weight: 9, arbitrary: edit }, { weight: 1, arbitrary: fc.record({ kind: fc.constant('length'), d: fc.bigInt({ min: -9n, max: 9n }) }) });
      fc.assert(
        fc.property(fc.array(edits, { minLength: 1, maxLength: 3 }), (list) => {
          let h: Record<string, any> = JSON.parse(JSON.stringify(header));
          let lenDelta = 0n;
          for (const e of list) {
            const name = names[Math.floor(('t' in e ? e.t : 0) * names.length)]!;
            const entryGone = !Object.hasOwn(h, name) || typeof h[name] !== 'object' || h[name] === null;
            if (entryGone && (e.kind === 'offsets' || e.kind === 'dtype' || e.kind === 'shape' || e.kind === 'rename')) continue;
            if (e.kind === 'offsets') h[name].data_offsets = [e.a, e.b];
            else if (e.kind === 'dtype') h[name].dtype = e.v;
            else if (e.kind === 'shape') h[name].shape = e.v;
            else if (e.kind === 'json') h = mutateJson(h, e.t, e.v, e.key) as Record<string, any>;
            else if (e.kind === 'rename') {
              const entry = h[name];
              delete h[name];
              Object.defineProperty(h, e.v, { value: entry, enumerable: true, configurable: true, writable: true });
            } else lenDelta = e.d;
          }
          writeFileSync(path, joinFile(JSON.stringify(h), data, lenDelta));
          return loadsOrFormatError(stats, () => loadModel(path, be), { file: path, maxMs: 1000 });
        }),
        { numRuns: 1200, seed: 841 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(summary('model header', stats));
    assert.ok(stats.rejected > 600);
  });
});

describe('checkpoints from disk: hostile training state', () => {
  test('resuming from a checkpoint with hostile metadata or optimizer tensors trains or throws FormatError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-fuzz-'));
    const ckpt = join(dir, 'ckpt.safetensors');
    const bad = join(dir, 'bad.safetensors');
    const stats = newStats();
    let trained = 0;
    const opts = { x, y, epochs: 3, batchSize: 4, loss: 'mse' as const, optimizer: { name: 'adam' as const, lr: 0.01 }, progress: false as const, schedule: { name: 'step' as const, stepSize: 1, gamma: 0.5 } };
    try {
      const first = build();
      await fit(first, { ...opts, epochs: 2, ...fileCheckpoint(first, ckpt) });
      const { tensors, metadata } = readSafetensors(ckpt, { dtype: 'float32' });
      const state = JSON.parse(metadata!.checkpoint!);
      const tensorNames = Object.keys(tensors).filter((k) => k.startsWith('__'));
      assert.ok(tensorNames.length >= 2, 'the checkpoint holds optimizer tensors');
      await fc.assert(
        fc.asyncProperty(
          frac, hostileValue, fc.option(hostileKey, { nil: null, freq: 5 }),
          fc.option(fc.tuple(fc.constantFrom(...tensorNames), fc.constantFrom('drop', 'shrink', 'grow')), { nil: null, freq: 4 }),
          async (pick, value, key, tensorEdit) => {
            const meta = { ...metadata!, checkpoint: JSON.stringify(mutateJson(state, pick, value, key)) };
            const ts: Record<string, Tensor> = { ...tensors };
            if (tensorEdit) {
              const [name, how] = tensorEdit;
              const t = ts[name]!;
              if (how === 'drop') delete ts[name];
              else ts[name] = new Tensor(how === 'shrink' ? t.data.slice(1) : Float32Array.from([...t.data, 0]), [t.size + (how === 'shrink' ? -1 : 1)]);
            }
            writeFileSync(bad, encodeSafetensors(ts, meta));
            const t0 = performance.now();
            try {
              const m = build();
              await fit(m, { ...opts, resume: () => loadCheckpoint(bad, m) });
              trained++;
            } catch (e) {
              // A hostile but well-formed learning rate may blow training up (TrainingError); a checkpoint
              // of another optimizer is refused by the optimizer with a RangeError naming both.
              const otherOptimizer = e instanceof RangeError && /loadStateDict: state is for /.test(e.message);
              if (!(e instanceof FormatError) && !(e instanceof TrainingError) && !otherOptimizer) {
                throw new Error(`resume from a hostile checkpoint threw ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
              }
              if (e instanceof FormatError) {
                assert.ok(e.message.includes(bad), `FormatError does not name the file: ${e.message}`);
                stats.rejected++;
                const k = e.detail.replace(/\d+/g, 'N').slice(0, 50);
                stats.messages.set(k, (stats.messages.get(k) ?? 0) + 1);
              }
            }
            assert.ok(performance.now() - t0 < 3000, 'one resume took over 3 s');
            assert.equal(({} as Record<string, unknown>).polluted, undefined);
            return true;
          },
        ),
        { numRuns: 400, seed: 842 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    stats.loaded = trained;
    console.log(summary('checkpoint resume', stats));
    assert.ok(trained > 0 && stats.rejected > 0);
  });
});
