/**
 * loadTfjsModel on hostile input, both ways it reads models:
 *   - in-memory artifacts ({ modelTopology, weightSpecs, weightData }): one JSON node of the
 *     topology or the weight specs replaced by a hostile value (absurd shapes like [1e12],
 *     unknown dtypes, wrong types, `__proto__` / `constructor` members), weight bytes cut or
 *     padded;
 *   - model.json + shard on disk: byte mutations of model.json, shards truncated, grown or
 *     missing, shard paths leaving the folder.
 * Each case must load or throw FormatError naming the file, fast, without polluting
 * Object.prototype; a model that loads must predict or refuse the input with a RangeError.
 * The seeds are three Sequential models and one Functional graph (return_state, a merge, a
 * layer called twice).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Dense, Embedding, LSTM, LastStep, Sequential, Tensor, encodeTfjsModel, loadTfjsModel, type TfjsModel } from '../../src/index.js';
import { applyEdits, byteEdits, frac, hostileKey, hostileValue, loadsOrFormatError, mutateJson, newStats, summary, type FuzzStats } from '../helpers/fuzz.js';

const be = { backend: 'reference' };
/** Bytes added to (or cut from) the weight data: usually none, so the JSON checks are reached. */
const sizeDelta = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -8, max: 8 }) });
function seedModels(): Array<{ json: Record<string, any>; weights: Uint8Array }> {
  const a = new Sequential([['lstm', new LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: true, ...be })], ['last', new LastStep(be)], ['fc', new Dense({ inputSize: 3, outputSize: 1, ...be })]]);
  const b = new Sequential([
    ['emb', new Embedding({ numEmbeddings: 6, embeddingDim: 2, ...be })],
    ['bi', new LSTM({ inputSize: 2, hiddenSize: 2, batchFirst: true, bidirectional: true, ...be })],
    ['fc', new Dense({ inputSize: 4, outputSize: 3, activation: 'tanh', ...be })],
  ]);
  const out = [encodeTfjsModel(a, 'a.bin'), encodeTfjsModel(b, 'b.bin')];
  // A third seed on the Keras-exact path: hard_sigmoid and a Masking layer in front.
  const c = JSON.parse(JSON.stringify(out[0]!.json));
  c.modelTopology.config.layers[0].config.recurrent_activation = 'hard_sigmoid';
  c.modelTopology.config.layers.unshift({ class_name: 'Masking', config: { name: 'mask', mask_value: 0 } });
  c.weightsManifest[0].paths = ['c.bin'];
  out.push({ json: c, weights: out[0]!.weights });
  // A fourth, Functional: x → LSTM (return_state) → Add(h, c) → Dense, with a shared Dense called twice.
  const f = JSON.parse(JSON.stringify(out[0]!.json));
  const [lstm, fc] = f.modelTopology.config.layers;
  lstm.config.return_state = true;
  f.modelTopology = {
    class_name: 'Functional',
    config: {
      name: 'graph',
      layers: [
        { name: 'x', class_name: 'InputLayer', config: { name: 'x', batch_input_shape: [null, null, 2] }, inbound_nodes: [] },
        { ...lstm, name: 'lstm', inbound_nodes: [[['x', 0, 0, {}]]] },
        { name: 'add', class_name: 'Add', config: { name: 'add' }, inbound_nodes: [[['lstm', 0, 1, {}], ['lstm', 0, 2, {}]]] },
        { ...fc, name: 'fc', inbound_nodes: [[['add', 0, 0, {}]], [['lstm', 0, 0, {}]]] },
        { name: 'avg', class_name: 'Average', config: { name: 'avg' }, inbound_nodes: [[['fc', 0, 0, {}], ['fc', 1, 0, {}]]] },
      ],
      input_layers: [['x', 0, 0]],
      output_layers: [['avg', 0, 0]],
    },
  };
  f.weightsManifest[0].paths = ['f.bin'];
  out.push({ json: f, weights: out[0]!.weights });
  return out;
}
const seeds = seedModels();

/** Predict on a small input: success or a RangeError refusing it; anything else is a bug. */
function predictChecked(m: TfjsModel): void {
  const x = m.inputKind === 'ids' ? new Tensor(Float32Array.from([1, 2, 0, 3, 5, 4]), [2, 3]) : new Tensor(Float32Array.from({ length: 12 }, (_, i) => (i % 5) / 5 - 0.4), [2, 3, 2]);
  try {
    m.predict(x);
  } catch (e) {
    if (!(e instanceof RangeError)) throw new Error(`predict on a mutated model threw ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
  }
}

function check(stats: FuzzStats, load: () => TfjsModel, file: string): boolean {
  let m: TfjsModel | null = null;
  loadsOrFormatError(stats, () => { m = load(); }, { file, maxMs: 1000 });
  if (m) predictChecked(m);
  return true;
}

describe('loadTfjsModel fuzzing', () => {
  test('in-memory artifacts: hostile JSON nodes and cut weight data load or throw FormatError', () => {
    const stats = newStats();
    fc.assert(
      fc.property(
        fc.nat(seeds.length - 1), frac, hostileValue, fc.option(hostileKey, { nil: null, freq: 4 }), fc.boolean(), sizeDelta,
        (s, pick, value, key, inSpecs, dBytes) => {
          const { json, weights } = seeds[s]!;
          const topo = json.modelTopology;
          const specs = json.weightsManifest[0].weights;
          const art = {
            modelTopology: inSpecs ? topo : mutateJson(topo, pick, value, key),
            weightSpecs: inSpecs ? mutateJson(specs, pick, value, key) : specs,
            weightData: dBytes >= 0 ? new Uint8Array([...weights, ...new Uint8Array(dBytes)]) : weights.slice(0, weights.length + dBytes),
          };
          return check(stats, () => loadTfjsModel(art as never, be), '<artifacts>');
        },
      ),
      { numRuns: 1500, seed: 811 },
    );
    console.log(summary('tfjs artifacts', stats));
    assert.ok(stats.loaded > 0 && stats.rejected > 500, 'mutations should both pass and fail');
  });

  test('model.json and shards on disk: byte mutations, cut or grown shards, escaping paths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-fuzz-'));
    const stats = newStats();
    try {
      const path = join(dir, 'model.json');
      fc.assert(
        fc.property(
          fc.nat(seeds.length - 1), byteEdits(3), fc.constantFrom('json', 'shard', 'both', 'path'), sizeDelta,
          fc.constantFrom('../outside.bin', '/etc/passwd', 'sub/../../x.bin', 'missing.bin', '', '__proto__', 'a.bin\u0000x'),
          (s, edits, what, dBytes, badPath) => {
            const { json, weights } = seeds[s]!;
            const shardName = json.weightsManifest[0].paths[0];
            let text = new TextEncoder().encode(JSON.stringify(json));
            let shard = weights;
            if (what === 'json' || what === 'both') text = applyEdits(text, edits);
            if (what === 'shard' || what === 'both') shard = dBytes >= 0 ? new Uint8Array([...weights, ...new Uint8Array(dBytes)]) : weights.slice(0, weights.length + dBytes);
            if (what === 'path') text = new TextEncoder().encode(JSON.stringify({ ...json, weightsManifest: [{ ...json.weightsManifest[0], paths: [badPath] }] }));
            writeFileSync(path, text);
            writeFileSync(join(dir, shardName), shard);
            return check(stats, () => loadTfjsModel(path, be), path);
          },
        ),
        { numRuns: 600, seed: 812 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(summary('tfjs files', stats));
    assert.ok(stats.loaded > 0 && stats.rejected > 300);
  });

  test('named hostile manifests give FormatErrors that say what is wrong', () => {
    const { json, weights } = seeds[0]!;
    const specs = json.weightsManifest[0].weights;
    const withSpec = (patch: Record<string, unknown>) => ({ modelTopology: json.modelTopology, weightSpecs: [{ ...specs[0], ...patch }, ...specs.slice(1)], weightData: weights });
    const cases: Array<[unknown, RegExp]> = [
      [withSpec({ shape: [1e12] }), /holds 304 bytes but the manifest declares 4000000000208/],
      [withSpec({ shape: [2 ** 40, 2 ** 40] }), /absurd size/],
      [withSpec({ shape: [-2, 12] }), /invalid shape/],
      [withSpec({ dtype: 'int32' }), /dtype "int32"; only float32/],
      [withSpec({ dtype: 'complex64' }), /dtype "complex64"/],
      [withSpec({ quantization: { dtype: 'uint8' } }), /quantized/],
      [{ modelTopology: null, weightSpecs: [], weightData: new Uint8Array(0) }, /modelTopology is missing or not an object/],
      [{ modelTopology: [], weightSpecs: [] }, /modelTopology is missing or not an object/],
      [{ modelTopology: json.modelTopology, weightSpecs: specs, weightData: weights.slice(0, 100) }, /holds 100 bytes but the manifest declares 304/],
      [{ modelTopology: { ...json.modelTopology, class_name: 'Functional' }, weightSpecs: specs, weightData: weights }, /the Functional model's input_layers must list/],
    ];
    for (const [art, re] of cases) {
      assert.throws(() => loadTfjsModel(art as never), (e: Error) => e.name === 'FormatError' && re.test(e.message), `${JSON.stringify(art).slice(0, 120)} → ${re}`);
    }
    // __proto__ as a layer config key (as JSON.parse creates it) is a plain ignored name.
    const topo = JSON.parse(JSON.stringify(json.modelTopology).replace('"use_bias":true', '"__proto__":{"units":99,"polluted":1},"use_bias":true'));
    const m = loadTfjsModel({ modelTopology: topo, weightSpecs: specs, weightData: weights });
    assert.equal(m.predict(new Tensor(new Float32Array(12), [2, 3, 2])).shape.join(), '2,1');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
