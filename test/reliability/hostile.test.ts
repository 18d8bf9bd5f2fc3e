/**
 * Hostile input by class (issue 13), against every loader of test/helpers/loaders.ts — a new
 * loader added to that table gets these for free:
 *   - symlink/special-file: a folder, a FIFO, a link to /dev/zero, a missing file under the
 *     loader's file name: refused by name at once (run in a child process with a time limit,
 *     since reading a FIFO blocks and /dev/zero never ends);
 *   - oversized: a file over the fileBytes budget is a LimitError naming the file and the limit;
 *   - control characters: a path holding terminal escapes comes back escaped in the message;
 * and, per format, the classes that need a file of that format:
 *   - oversized-by-declaration (sizes in a header far beyond the bytes present),
 *   - unbounded-work (ONNX graphs; the regex one is item 2 of hardening.test.ts),
 *   - repeated-reference (one shard listed many times),
 *   - overflow-to-Infinity (finite in the file, ±Inf once stored as float32).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FormatError, LimitError, Tensor, encodeSafetensors, encodeTfjsModel, exportOnnx, loadModel, loadOnnx, loadTfjsModel, readAnyModel,
  readCsv, readSafetensors, resolveLimits, sequentialFromOnnx, setLimits, writeSafetensors,
} from '../../src/index.js';
import { encodeModelProto } from '../../src/io/onnx/schema.js';
import { LOADERS, tinyModel } from '../helpers/loaders.js';
import { CONTROL_TEXT, ONNX_ONE, assertPrintable, assertRefused, bounded, describeRun, hostileChild, int64s, onnxGraph, specialFiles } from '../helpers/hostile.js';

const SCENARIOS = fileURLToPath(new URL('./hostile-scenarios.ts', import.meta.url));
const be = { backend: 'reference' };
const dir = mkdtempSync(join(tmpdir(), 'hostile-'));

/** `f` must throw a FormatError (a LimitError is one) whose message matches `re` and names `file`. */
async function refuses(f: () => unknown, re: RegExp, file?: string): Promise<FormatError> {
  try {
    await f();
  } catch (e) {
    assert.ok(e instanceof FormatError, `expected FormatError, got ${(e as Error).name}: ${(e as Error).message}`);
    assert.match(e.message, re);
    if (file !== undefined) assert.ok(e.message.includes(file), `message does not name ${file}: ${e.message}`);
    assertPrintable(e.message);
    return e;
  }
  assert.fail(`expected a FormatError matching ${re}, but it loaded`);
}

describe('every loader: symlink/special-file, oversized, control characters', () => {
  for (const loader of LOADERS) {
    test(`${loader.name}: a folder, a FIFO, a link to /dev/zero or a missing file is refused by name at once`, async () => {
      const child = await hostileChild();
      for (const { kind, path } of specialFiles(loader.ext)) {
        const r = await bounded(child, loader.name, path, { timeoutMs: 15_000, maxMB: 600 });
        assertRefused(r, path, /cannot read|no such file|not a regular file/);
        assert.ok(r.ms < 10_000, `${kind}: ${describeRun(r)}`);
      }
    });

    test(`${loader.name}: a file over the fileBytes budget is a LimitError naming the file and the limit`, { skip: loader.readsHead }, async () => {
      const path = loader.write(mkdtempSync(join(dir, 'big-')));
      await loader.load(path); // valid under the defaults
      const size = statSync(path).size;
      setLimits({ fileBytes: size - 1 });
      try {
        const e = await refuses(() => loader.load(path), new RegExp(`over the limit fileBytes = ${(size - 1).toLocaleString('en-US')} \\(raise it with --limit fileBytes=N`), path);
        assert.ok(e instanceof LimitError && e.limit === 'fileBytes' && e.requested >= size, e.message);
      } finally {
        setLimits(null);
      }
    });

    test(`${loader.name}: terminal escapes in the path are escaped in the message`, async () => {
      const d = mkdtempSync(join(dir, 'ctl-'));
      await refuses(() => loader.load(join(d, `a${CONTROL_TEXT}b${loader.ext}`)), /\\x1b\]0;pwned\\x07/);
    });
  }
});

describe('oversized by declaration', () => {
  test('safetensors model file: an architecture far larger than its weights is refused before it is built', () => {
    const p = join(dir, 'arch.safetensors');
    const config = { task: 'regression', dtype: 'float32', layers: [{ name: 'lstm', type: 'LSTM', options: { inputSize: 1, hiddenSize: 30000 } }] };
    writeFileSync(p, encodeSafetensors({ 'lstm.weight_ih_l0': Tensor.from([1]) }, { format: 'lstm-ts', version: '1', config: JSON.stringify(config) }));
    const before = process.memoryUsage().arrayBuffers;
    assert.throws(() => loadModel(p, be), /the architecture needs 3600360000 weights but the file holds 1/);
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 << 20);
  });

  test('PyTorch state_dict: zero-size tensors that declare a 3-layer LSTM of 2000 units are refused before it is built', async () => {
    const H = 2000, p = join(dir, 'torch-big.safetensors');
    const t = (shape: number[]) => new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
    writeFileSync(p, encodeSafetensors({ 'lstm.weight_ih_l0': t([4 * H, 1]), 'lstm.weight_hh_l0': t([0, H]), 'lstm.weight_ih_l1': t([0, 0]), 'lstm.weight_ih_l2': t([0, 0]) }));
    const r = await bounded(await hostileChild(SCENARIOS), 'scenario:convert-torch', p, { timeoutMs: 30_000, maxMB: 400 });
    console.log(`  torch state_dict declaring 80M parameters: ${describeRun(r)}`);
    assertRefused(r, p, /needs 80008000 weights but the state_dict holds 8000/);
  });

  test('TF.js: shards whose declared total is over fileBytes are refused before any is read', async () => {
    const d = join(dir, 'tfjs-declared');
    mkdirSync(d);
    const { json } = encodeTfjsModel(tinyModel(), 'w.bin');
    (json.weightsManifest as Array<{ weights: Array<{ shape: number[] }> }>)[0]!.weights[0]!.shape = [1 << 28, 1];
    writeFileSync(join(d, 'model.json'), JSON.stringify(json));
    await refuses(() => loadTfjsModel(join(d, 'model.json'), be), /model\.json and the weights it declares come to \d+ bytes, over the limit fileBytes/);
  });

  test('CSV: a header of 100,000 columns with none named is refused before any column is allocated', async () => {
    const p = join(dir, 'wide.csv');
    const names = Array.from({ length: 100_000 }, (_, i) => `c${i}`);
    writeFileSync(p, `${names.join(',')}\n${names.map(() => '1').join(',')}\n`);
    const e = await refuses(() => readCsv(p), /the header has 100000 columns and none were named .* over the limit csvColumns = 10,000/, p);
    assert.ok(e.message.length < 500, e.message);
    const t = await readCsv(p, { columns: ['c99999'] }); // naming the column reads any width
    assert.equal(t.rows, 1);
  });
});

describe('unbounded work', () => {
  test('ONNX: a chain of 400 Adds on a 2^20-element tensor runs out of budget after a bounded number of nodes', () => {
    const nodes: unknown[] = [{ opType: 'ConstantOfShape', input: ['s'], output: ['v0'], attribute: [ONNX_ONE] }];
    for (let k = 0; k < 400; k++) nodes.push({ opType: 'Add', input: [`v${k}`, `v${k}`], output: [`v${k + 1}`] });
    const bytes = onnxGraph(nodes, [int64s('s', [1 << 20])], 'v400', [1 << 20]);
    // 2^32 units / 512 per element = 2^23 elements: the ConstantOfShape and about 7 Adds.
    assert.throws(() => loadOnnx(bytes, { ...be, limits: { onnxWork: 2 ** 32 } }).run({}),
      (e: unknown) => e instanceof LimitError && e.limit === 'onnxWork' && /^<bytes>: node [78] \(Add\): an output of shape \[1048576\] brings the run to/.test(e.message));
  });

  test('ONNX: Expand of one value to 2^14 × 2^14 then ReduceSum is refused before the 2^28 elements exist', () => {
    const bytes = onnxGraph([
      { opType: 'ConstantOfShape', input: ['one'], output: ['c'], attribute: [ONNX_ONE] },
      { opType: 'Expand', input: ['c', 's'], output: ['big'] },
      { opType: 'ReduceSum', input: ['big'], output: ['y'] },
    ], [int64s('one', [1]), int64s('s', [1 << 14, 1 << 14])], 'y', [1, 1]);
    const before = process.memoryUsage().arrayBuffers;
    assert.throws(() => loadOnnx(bytes, be).run({}), /node 1 \(Expand\)/);
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 << 20);
  });
});

describe('repeated reference', () => {
  test('TF.js: one shard listed twice, or under two names (a link), is refused before reading', async () => {
    for (const [name, paths, link] of [['twice', ['w.bin', 'w.bin'], false], ['aliased', ['w.bin', 'alias.bin'], true]] as const) {
      const d = join(dir, `tfjs-${name}`);
      mkdirSync(d);
      const { json, weights } = encodeTfjsModel(tinyModel(), 'w.bin');
      const half = weights.length / 2;
      writeFileSync(join(d, 'w.bin'), weights.subarray(0, half));
      if (link) symlinkSync(join(d, 'w.bin'), join(d, 'alias.bin'));
      (json.weightsManifest as Array<{ paths: string[] }>)[0]!.paths = [...paths];
      writeFileSync(join(d, 'model.json'), JSON.stringify(json));
      await refuses(() => loadTfjsModel(join(d, 'model.json'), be), /is the same file as "w\.bin", listed earlier; each shard may be listed once/);
    }
  });

  test('safetensors: two tensors sharing bytes (overlapping offsets) are refused', () => {
    const header = JSON.stringify({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
    const bytes = new Uint8Array(8 + header.length + 8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(new TextEncoder().encode(header), 8);
    assert.throws(() => readSafetensors(bytes), (e: unknown) => e instanceof FormatError && /overlap the previous tensor/.test(e.message));
  });
});

describe('overflow to Infinity', () => {
  test('a float64 weight beyond the float32 range is refused by every model loader, naming the tensor', async () => {
    const m = tinyModel();
    const sd = m.stateDict();
    const f64 = Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, new Tensor(Float64Array.from(v.data), [...v.shape])]));
    f64['fc.bias']!.data[0] = 1e300;
    const torch = join(dir, 'overflow-torch.safetensors');
    writeSafetensors(torch, f64, { format: 'pt' });
    await refuses(() => readAnyModel(torch, 'torch', be), /weight "fc\.bias" holds 1e\+300, which overflows to Infinity in float32 at index 0/, torch);
    const model = join(dir, 'overflow-model.safetensors');
    writeSafetensors(model, f64, { format: 'lstm-ts', version: '1', config: JSON.stringify(m.config()) });
    await refuses(() => loadModel(model, be), /weight "fc\.bias" holds 1e\+300, which overflows/, model);
  });

  test('ONNX and TF.js: an infinite weight is refused', async () => {
    const p = join(dir, 'inf.onnx');
    exportOnnx(tinyModel(), p);
    const { decodeModelProto } = await import('../../src/io/onnx/schema.js');
    const proto = decodeModelProto(new Uint8Array((await import('node:fs')).readFileSync(p)));
    const w = proto.graph!.initializer!.find((t) => t.name === 'lstm.W_l0')!;
    new DataView(w.rawData!.buffer, w.rawData!.byteOffset).setFloat32(0, Infinity, true);
    writeFileSync(p, encodeModelProto(proto));
    await refuses(() => loadOnnx(p, be), /weight "lstm\.W_l0" holds Infinity at index 0/, p);
    await refuses(() => sequentialFromOnnx(p, be), /holds Infinity/, p);
    const d = join(dir, 'tfjs-inf');
    mkdirSync(d);
    const { json, weights } = encodeTfjsModel(tinyModel(), 'w.bin');
    new DataView(weights.buffer, weights.byteOffset).setFloat32(4, -Infinity, true);
    writeFileSync(join(d, 'w.bin'), weights);
    writeFileSync(join(d, 'model.json'), JSON.stringify(json));
    await refuses(() => loadTfjsModel(join(d, 'model.json'), be), /holds -Infinity at index 1/);
  });
});

describe('the budgets are documented and raisable', () => {
  before(() => setLimits(null));
  after(() => setLimits(null));

  test('each limit is raised by the call option over setLimits over LSTM_LIMITS, and the message says how', async () => {
    const { parseLimits, checkLimit } = await import('../../src/index.js');
    assert.deepEqual(parseLimits('onnxWork=2**40, steps=5e6,csvColumns=20_000'), { onnxWork: 2 ** 40, steps: 5e6, csvColumns: 20_000 });
    assert.throws(() => parseLimits('nope=1'), /unknown limit "nope"/);
    assert.throws(() => parseLimits('steps=-1'), /expected a positive number/);
    setLimits({ steps: 10 });
    assert.equal(resolveLimits().steps, 10);
    assert.equal(resolveLimits({ steps: 20 }).steps, 20);
    assert.throws(() => checkLimit('steps', 11, 'eleven steps'), /eleven steps, over the limit steps = 10 \(raise it with --limit steps=N, LSTM_LIMITS="steps=N" or the limits option\)/);
    setLimits(null);
    assert.equal(resolveLimits().steps, 1_000_000);
  });
});
