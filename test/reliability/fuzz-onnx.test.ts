/**
 * loadOnnx on hostile files: byte-level mutations of real exported graphs (bit flips,
 * truncation, inserted and deleted bytes: bad protobuf wire data) and structured mutations of
 * the decoded protobuf (one field set to a hostile value: dims of 1e12 or −1, unknown data
 * types, raw_data shorter than the shape needs, unknown operators, inputs no node defines, a
 * missing opset). Every case must load or throw FormatError, fast, without polluting
 * Object.prototype. Graphs that still load are then run on a small input: running may fail,
 * but only with an error that names the file and node (never an internal TypeError), and
 * within a time bound. The seeds are torch.onnx.export files and a projected LSTM exported as
 * Scan loops (a body graph inside a node).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { Dense, Embedding, GRU, LSTM, LastStep, Sequential, encodeOnnx, loadOnnx, sequentialFromOnnx, Tensor, type OnnxModel } from '../../src/index.js';
import { ModelProtoType } from '../../src/io/onnx/schema.js';
import { applyEdits, byteEdits, frac, hostileKey, hostileValue, loadsOrFormatError, mutateJson, newStats, summary, type FuzzStats } from '../helpers/fuzz.js';

const dir = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));
const seeds = ['lstm1', 'gru2_bi', 'lstm2_bi_bf', 'rnn1_relu_bf'].map((n) => ({ name: `${n}.onnx`, bytes: new Uint8Array(readFileSync(dir + n + '.onnx')) }));
// A projected LSTM, exported as Scan loops with a body graph (and ReverseSequence, Split, Where).
seeds.push({ name: 'lstm_proj_scan.onnx', bytes: encodeOnnx(new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 2, bidirectional: true, seed: 1, backend: 'reference' }), { lengths: true }) });

/** A feed for every graph input, with dynamic dims set to 2 (batch) or 3 (sequence). */
function feedsFor(m: OnnxModel): Record<string, Tensor> | null {
  const feeds: Record<string, Tensor> = {};
  for (const info of m.inputs) {
    if (!info.shape || info.shape.length > 4) return null;
    const shape = info.shape.map((d) => (typeof d === 'number' ? d : d === 'batch' ? 2 : 3));
    const n = shape.reduce((p, d) => p * d, 1);
    if (!(n >= 0 && n <= 1 << 16)) return null;
    feeds[info.name] = new Tensor(Float32Array.from({ length: n }, (_, i) => ((i * 7) % 11) / 11 - 0.5), shape);
  }
  return feeds;
}

/** Run a loaded graph: success, or an error from the interpreter that names the file (any other is a bug). */
function runChecked(m: OnnxModel, file: string): void {
  const feeds = feedsFor(m);
  if (!feeds) return;
  const t0 = performance.now();
  try {
    m.run(feeds);
  } catch (e) {
    const msg = (e as Error).message;
    const ok = (e instanceof Error && msg.startsWith(`${file}: `)) || (e instanceof RangeError && msg.startsWith('loadOnnx run:'));
    if (!ok) throw new Error(`run of a mutated ${file} threw an unlabelled ${(e as Error).name}: ${msg}`, { cause: e });
  }
  assert.ok(performance.now() - t0 < 3000, 'one run took over 3 s');
}

function check(stats: FuzzStats, bytes: Uint8Array, name: string, run: boolean): boolean {
  let model: OnnxModel | null = null;
  loadsOrFormatError(stats, () => { model = loadOnnx(bytes, { name, backend: 'reference' }); }, { file: name, maxMs: 1000 });
  if (model && run) runChecked(model, name);
  return true;
}

// ---------------------------------------------------------------- structured mutations

type Msg = { $type: { fieldsArray: Array<{ name: string; type: string; repeated: boolean; resolvedType: unknown }> } } & Record<string, unknown>;
interface Slot { msg: Msg; field: { name: string; type: string; repeated: boolean; resolvedType: unknown } }

/** Fields whose values the loader acts on (names, docs and unused alternatives left out). */
const RELEVANT = new Set(['dims', 'dataType', 'rawData', 'floatData', 'int64Data', 'int32Data', 'dataLocation', 'input', 'output', 'opType', 'domain',
  'i', 'ints', 'f', 'floats', 't', 'node', 'initializer', 'opsetImport', 'version', 'elemType', 'dimValue', 'dim', 'graph', 'attribute', 'name']);

/** Every (message, field) pair in a decoded ModelProto that the loader reads and the file sets. */
function slots(root: Msg): Slot[] {
  const out: Slot[] = [];
  const walk = (m: Msg): void => {
    for (const f of m.$type.fieldsArray) {
      const v0 = m[f.name];
      const set = Array.isArray(v0) ? v0.length > 0 : v0 instanceof Uint8Array ? v0.length > 0 : Object.hasOwn(m, f.name) && v0 !== null && v0 !== undefined;
      if (RELEVANT.has(f.name) && (set || f.name === 'dataLocation')) out.push({ msg: m, field: f });
      const v = m[f.name];
      const isMsg = (x: unknown): x is Msg => !!x && typeof x === 'object' && '$type' in (x as object);
      if (Array.isArray(v)) v.forEach((x) => { if (isMsg(x)) walk(x); });
      else if (isMsg(v)) walk(v);
    }
  };
  walk(root);
  return out;
}

const HOSTILE_INTS = [-1, 0, 1, 2, 3, 7, 16, 17, 99, 2 ** 31 - 1, -(2 ** 31), 1e12, 2 ** 53 + 2, 1 << 20];
const HOSTILE_STRINGS = ['', 'x', 'LSTM', 'GRU', 'Loop', 'Gemm', '__proto__', 'constructor', 'com.microsoft', 'y', 'hn', 'seq'];

/** Apply one structured edit chosen by (k, choice) and re-encode; null if protobufjs refuses the value. */
function structuredEdit(src: Uint8Array, k: number, choice: number, cut: number): Uint8Array | null {
  const msg = ModelProtoType.decode(src) as unknown as Msg;
  const all = slots(msg);
  if (all.length === 0) return src;
  const { msg: m, field } = all[Math.floor(k * all.length)]!;
  const cur = m[field.name];
  const pickInt = (): number => HOSTILE_INTS[Math.floor(choice * HOSTILE_INTS.length)]!;
  const pickStr = (): string => HOSTILE_STRINGS[Math.floor(choice * HOSTILE_STRINGS.length)]!;
  if (field.repeated) {
    const arr = Array.isArray(cur) ? [...cur] : [];
    const mode = Math.floor(choice * 4);
    if (mode === 0) arr.length = Math.floor(cut * arr.length); // drop the tail
    else if (mode === 1 && arr.length) arr.push(arr[Math.floor(cut * arr.length)]); // duplicate one
    else if (mode === 2 && arr.length) arr.reverse();
    else if (field.type === 'int64' || field.type === 'int32' || field.type === 'uint64') arr.push(pickInt());
    else if (field.type === 'string') arr.push(pickStr());
    else if (field.type === 'float' || field.type === 'double') arr.push(NaN);
    else arr.length = 0;
    m[field.name] = arr;
  } else if (field.type === 'bytes') {
    const b = (cur as Uint8Array | undefined) ?? new Uint8Array(0);
    m[field.name] = choice < 0.5 ? b.slice(0, Math.floor(cut * b.length)) : new Uint8Array([...b, 1, 2, 3]);
  } else if (field.type === 'string') m[field.name] = pickStr();
  else if (field.type === 'float' || field.type === 'double') m[field.name] = [NaN, Infinity, -1, 1e30][Math.floor(choice * 4)];
  else if (['int64', 'int32', 'uint64', 'uint32'].includes(field.type) || field.resolvedType && 'values' in (field.resolvedType as object)) m[field.name] = pickInt();
  else m[field.name] = null; // a sub-message removed
  try {
    return ModelProtoType.encode(msg as never).finish();
  } catch {
    return null;
  }
}

describe('loadOnnx fuzzing', () => {
  test('byte mutations and truncations of exported graphs: load or FormatError', () => {
    const stats = newStats();
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), byteEdits(4), (s, edits) => check(stats, applyEdits(seeds[s]!.bytes, edits), seeds[s]!.name, true)),
      { numRuns: 1000, seed: 801 },
    );
    console.log(summary('onnx bytes', stats));
    assert.ok(stats.rejected > 0 && stats.loaded > 0, 'the mutations should both break and keep some files');
  });

  test('structured protobuf mutations (dims, data types, raw_data, ops, names, opset): load or FormatError', () => {
    const stats = newStats();
    let skipped = 0;
    fc.assert(
      fc.property(
        fc.nat(seeds.length - 1),
        fc.array(fc.tuple(frac, frac, frac), { minLength: 1, maxLength: 3 }),
        (s, edits) => {
          let bytes: Uint8Array | null = seeds[s]!.bytes;
          for (const [k, choice, cut] of edits) {
            bytes = structuredEdit(bytes, k, choice, cut);
            if (!bytes) { skipped++; return true; }
          }
          return check(stats, bytes, seeds[s]!.name, true);
        },
      ),
      { numRuns: 1000, seed: 802 },
    );
    console.log(summary('onnx structured', stats) + `; ${skipped} edits protobufjs would not encode`);
    assert.ok(stats.rejected > 200, `too few rejections (${stats.rejected}): the mutations are not reaching the checks`);
  });

  test('named hostile graphs: absurd initializer dims, unknown dtype, short raw_data, external data, no opset', () => {
    const base = ModelProtoType.decode(seeds[0]!.bytes) as unknown as Record<string, any>;
    const init = (): Record<string, any> => ModelProtoType.decode(seeds[0]!.bytes) as unknown as Record<string, any>;
    assert.ok(base.graph.initializer.length > 0);
    const cases: Array<[string, (m: Record<string, any>) => void, RegExp]> = [
      ['dims [1e12]', (m) => { m.graph.initializer[0].dims = [1e12]; }, /needs 1000000000000 .* values but holds/],
      ['dims [2^40, 2^40]', (m) => { m.graph.initializer[0].dims = [2 ** 40, 2 ** 40]; }, /needs .* values but holds/],
      ['negative dim', (m) => { m.graph.initializer[0].dims = [-4]; }, /negative dimension/],
      ['unknown dtype 99', (m) => { m.graph.initializer[0].dataType = 99; }, /unsupported data type/],
      ['string dtype', (m) => { m.graph.initializer[0].dataType = 8; }, /unsupported data type string/],
      ['short raw_data', (m) => { const t = m.graph.initializer[0]; t.rawData = t.rawData.slice(0, t.rawData.length - 4); }, /needs .* but holds/],
      ['external data', (m) => { m.graph.initializer[0].dataLocation = 1; }, /external file/],
      ['no opset', (m) => { m.opsetImport = []; }, /opset/],
      ['unknown operator', (m) => { m.graph.node[m.graph.node.length - 1].opType = 'Loop'; }, /does not support: Loop/],
      ['__proto__ operator', (m) => { m.graph.node.at(-1).opType = '__proto__'; }, /does not support: __proto__/],
      ['constructor operator', (m) => { m.graph.node.at(-1).opType = 'constructor'; }, /does not support: constructor/],
      ['undefined input', (m) => { m.graph.node[0].input = ['nowhere']; }, /"nowhere", which no earlier node/],
      ['no nodes', (m) => { m.graph.node = []; }, /no nodes/],
      ['duplicate initializer', (m) => { m.graph.initializer.push(m.graph.initializer[0]); }, /defined twice/],
      ['output not produced', (m) => { m.graph.output[0].name = 'ghost'; }, /"ghost" is not produced/],
    ];
    for (const [label, edit, re] of cases) {
      const m = init();
      edit(m);
      const bytes = ModelProtoType.encode(m as never).finish();
      assert.throws(() => loadOnnx(bytes, { name: 'hostile.onnx' }), (e: Error) => e.name === 'FormatError' && e.message.startsWith('hostile.onnx: ') && re.test(e.message), label);
    }
    assert.throws(() => loadOnnx(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), { name: 'wire.onnx' }), /wire\.onnx: not a valid ONNX model/);
  });

  test('files written by lstm-ts back to native models (sequentialFromOnnx): hostile lstm-ts.config metadata loads or FormatError, no huge allocation', () => {
    const be = { backend: 'reference' };
    const models = [
      new Sequential([['emb', new Embedding({ numEmbeddings: 7, embeddingDim: 3, ...be })], ['lstm', new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, batchFirst: true, ...be })], ['last', new LastStep(be)], ['fc', new Dense({ inputSize: 4, outputSize: 2, ...be })]], { task: 'classification' }),
      new Sequential([['gru', new GRU({ inputSize: 2, hiddenSize: 3, bidirectional: true, batchFirst: true, ...be })], ['fc', new Dense({ inputSize: 6, outputSize: 1, ...be })]]),
    ];
    const files = models.map((m) => ModelProtoType.decode(encodeOnnx(m)) as unknown as { metadataProps: Array<{ key: string; value: string }> });
    const stats = newStats();
    fc.assert(
      fc.property(fc.nat(files.length - 1), frac, hostileValue, fc.option(hostileKey, { nil: null, freq: 5 }), (k, pick, value, key) => {
        const msg = ModelProtoType.decode(ModelProtoType.encode(files[k] as never).finish()) as unknown as { metadataProps: Array<{ key: string; value: string }> };
        const entry = msg.metadataProps.find((p) => p.key === 'lstm-ts.config')!;
        entry.value = JSON.stringify(mutateJson(JSON.parse(entry.value), pick, value, key));
        const bytes = ModelProtoType.encode(msg as never).finish();
        return loadsOrFormatError(stats, () => sequentialFromOnnx(bytes, { ...be, name: 'native.onnx' }), { file: 'native.onnx', maxMs: 1000 });
      }),
      { numRuns: 500, seed: 803 },
    );
    console.log(summary('onnx native config', stats));
    assert.ok(stats.loaded > 20 && stats.rejected > 40);
  });
});
