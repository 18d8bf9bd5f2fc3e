/**
 * Hostile TF.js models: thousands of model.json files with a value somewhere replaced by
 * something nasty (huge, negative, wrong type, `__proto__`), deleted keys, truncated text, and
 * shards cut short or grown. Each must load or throw FormatError naming the file, quickly, with
 * no prototype pollution; a model that loads must then predict or throw an Error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Dense, LSTM, LastStep, Sequential } from '../../src/nn/index.js';
import { FormatError, Tensor, loadTfjsModel, saveTfjsModel, type TfjsArtifacts } from '../../src/index.js';

const NASTY = fc.oneof(
  fc.constantFrom(-1, 0, 1.5, 1e9, 1e300, -1e300, null, true, false, '', '__proto__', 'constructor', 'hard_sigmoid', 'softmax', 'Bidirectional', [], {}, [1e9, 1e9], [-1], { __proto__: { polluted: 1 } }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Every path (list of keys) into a JSON value. */
function paths(v: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) out.push(...paths((v as Record<string, unknown>)[k], [...prefix, k]));
  return out;
}

function setAt(root: unknown, path: Array<string | number>, value: unknown, del: boolean): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (del && !Array.isArray(cur)) delete cur[last];
  else Object.defineProperty(cur, last, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

function check(load: () => ReturnType<typeof loadTfjsModel>, x: Tensor, seen: Record<string, number>): void {
  const t0 = performance.now();
  let m;
  try {
    m = load();
  } catch (e) {
    assert.ok(e instanceof FormatError, `load threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    seen.rejected!++;
    return;
  } finally {
    assert.ok(performance.now() - t0 < 2000, 'loading took over 2 s');
  }
  try {
    m.predict(x);
    seen.ran!++;
  } catch (e) {
    assert.ok(e instanceof Error);
    seen['run-error']!++;
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
}

test('mutated TF.js model.json and shards load or throw FormatError', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lstm-tfjs-fuzz-'));
  try {
    const native = new Sequential([
      ['lstm', new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, batchFirst: true, seed: 1 })],
      ['last', new LastStep()], ['fc', new Dense({ inputSize: 3, outputSize: 2, activation: 'tanh', seed: 2 })],
    ]);
    const path = join(dir, 'model.json');
    saveTfjsModel(native, path);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    const shard = readFileSync(join(dir, json.weightsManifest[0].paths[0]));
    const x = new Tensor(Float32Array.from({ length: 2 * 4 * 2 }, (_, i) => Math.sin(i)), [2, 4, 2]);
    const all = paths(json);
    const seen = { rejected: 0, ran: 0, 'run-error': 0 };

    // 1. Structural mutations of the JSON, loaded from memory.
    fc.assert(fc.property(fc.nat(all.length - 1), NASTY, fc.boolean(), (i, value, del) => {
      const root = setAt(json, all[i]!, value, del);
      const mutated = (root && typeof root === 'object' ? root : {}) as Record<string, unknown>;
      const wm = mutated.weightsManifest;
      const manifest = Array.isArray(wm) && wm[0] && typeof wm[0] === 'object' ? (wm[0] as Record<string, unknown>) : undefined;
      const art = { modelTopology: mutated.modelTopology, weightSpecs: manifest?.weights, weightData: shard } as TfjsArtifacts;
      check(() => loadTfjsModel(art), x, seen);
    }), { numRuns: 1500, seed: 7 });

    // 2. The same on disk (paths, shard sizes), plus truncated JSON text and resized shards.
    const text = JSON.stringify(json);
    fc.assert(fc.property(
      fc.oneof(
        fc.tuple(fc.nat(all.length - 1), NASTY).map(([i, v]) => ({ json: JSON.stringify(setAt(json, all[i]!, v, false)), shard })),
        fc.nat(text.length).map((n) => ({ json: text.slice(0, n), shard })),
        fc.integer({ min: -64, max: 64 }).map((d) => ({ json: text, shard: d < 0 ? shard.subarray(0, shard.length + d) : Buffer.concat([shard, Buffer.alloc(d)]) })),
      ),
      (c) => {
        writeFileSync(path, c.json);
        writeFileSync(join(dir, json.weightsManifest[0].paths[0]), c.shard);
        check(() => loadTfjsModel(path), x, seen);
      },
    ), { numRuns: 500, seed: 8 });
    t.diagnostic(`outcomes: ${JSON.stringify(seen)}`);
    assert.ok(seen.rejected > 100 && seen.ran > 100, JSON.stringify(seen));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
