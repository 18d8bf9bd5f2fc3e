/**
 * loadOnnx on models exported by PyTorch's torch.onnx.export (test/fixtures/onnx, made by
 * scripts/gen_onnx_fixtures.py from nn.LSTM/GRU/RNN stacks with a Linear head): our outputs
 * must equal onnxruntime-node's and torch's own within float32 tolerance, at a batch size and
 * sequence length different from the export's (dynamic axes). Also: clear errors for bad files.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FormatError, Tensor, loadOnnx } from '../../src/index.js';
import { AttrType, DataType, decodeModelProto, encodeModelProto } from '../../src/io/onnx/schema.js';
import { BACKENDS } from '../helpers/backends.js';
import { maxDiff, runOrt } from './onnx-util.js';

const DIR = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));
const NAMES = readdirSync(DIR).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -5)).sort();
const TOL = 1e-5;

interface Fixture {
  inputs: Record<string, { shape: number[]; data: number[] }>;
  outputs: Record<string, { shape: number[]; data: number[] }>;
}

describe('ONNX fixtures exported by torch.onnx.export', () => {
  test('there are fixtures for 1–2 layer, bidirectional and batch_first LSTM stacks', () => {
    for (const n of ['lstm1', 'lstm2_bf', 'lstm1_bi', 'lstm2_bi_bf']) assert.ok(NAMES.includes(n), `missing fixture ${n}`);
  });
  for (const backend of BACKENDS) {
    for (const name of NAMES) {
      test(`${name} (${backend}): loadOnnx == onnxruntime == torch`, async (t) => {
        const fx = JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')) as Fixture;
        const model = loadOnnx(`${DIR}${name}.onnx`, { backend });
        assert.deepEqual(model.inputNames, Object.keys(fx.inputs));
        assert.deepEqual(model.outputNames, ['y', 'hn']);
        const feeds = Object.fromEntries(Object.entries(fx.inputs).map(([k, v]) => [k, new Tensor(Float32Array.from(v.data), v.shape)]));
        const ours = model.run(feeds);
        const ort = await runOrt(`${DIR}${name}.onnx`, Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, { tensor: v }])));
        for (const k of model.outputNames) {
          assert.deepEqual(ours[k]!.shape, fx.outputs[k]!.shape, `${k} shape`);
          const dTorch = maxDiff(ours[k]!.data, fx.outputs[k]!.data);
          const dOrt = maxDiff(ours[k]!.data, ort[k]!.data);
          t.diagnostic(`${k}: max |ours − torch| = ${dTorch.toExponential(2)}, max |ours − onnxruntime| = ${dOrt.toExponential(2)}`);
          assert.ok(dTorch < TOL, `${k}: vs torch ${dTorch}`);
          assert.ok(dOrt < TOL, `${k}: vs onnxruntime ${dOrt}`);
        }
      });
    }
  }
});

/** Re-encode a fixture after editing its decoded ModelProto. */
function edited(name: string, edit: (m: ReturnType<typeof decodeModelProto>) => void): Uint8Array {
  const m = decodeModelProto(readFileSync(`${DIR}${name}.onnx`));
  edit(m);
  return encodeModelProto(m);
}

describe('ONNX import errors', () => {
  test('an unsupported operator is named', () => {
    const bytes = edited('lstm1', (m) => { m.graph!.node![m.graph!.node!.length - 1]!.opType = 'Einsum'; });
    assert.throws(() => loadOnnx(bytes), (e: unknown) => e instanceof FormatError && /Einsum/.test(e.message));
  });
  test('non-default activations, clip and linear_before_reset = 0 are rejected clearly', () => {
    const setAttr = (op: string, attr: object) => edited(op === 'GRU' ? 'gru2_bi' : 'lstm1', (m) => {
      const n = m.graph!.node!.find((x) => x.opType === op)!;
      n.attribute = [...(n.attribute ?? []).filter((a) => a.name !== (attr as { name: string }).name), attr];
    });
    const strings = (xs: string[]) => xs.map((s) => new TextEncoder().encode(s));
    const acts = setAttr('LSTM', { name: 'activations', type: AttrType.STRINGS, strings: strings(['HardSigmoid', 'Tanh', 'Tanh']) });
    const x = new Tensor(new Float32Array(2 * 1 * 3), [2, 1, 3]);
    assert.throws(() => loadOnnx(acts).run({ x }), /activations \[hardsigmoid, tanh, tanh\] are not supported/);
    const clip = setAttr('LSTM', { name: 'clip', type: AttrType.FLOAT, f: 3 });
    assert.throws(() => loadOnnx(clip).run({ x }), /clip/);
    const lbr = setAttr('GRU', { name: 'linear_before_reset', type: AttrType.INT, i: 0 });
    const fx = JSON.parse(readFileSync(`${DIR}gru2_bi.json`, 'utf8')) as Fixture;
    const feeds = Object.fromEntries(Object.entries(fx.inputs).map(([k, v]) => [k, new Tensor(Float32Array.from(v.data), v.shape)]));
    assert.throws(() => loadOnnx(lbr).run(feeds), /linear_before_reset = 0/);
  });
  test('a node using an undefined value, a missing output and garbage bytes give FormatError', () => {
    const dangling = edited('lstm1', (m) => { m.graph!.node![1]!.input = ['nowhere']; });
    assert.throws(() => loadOnnx(dangling, { name: 'm.onnx' }), (e: unknown) => e instanceof FormatError && /m\.onnx: .*"nowhere"/.test(e.message));
    const noOut = edited('lstm1', (m) => { m.graph!.output![0]!.name = 'ghost'; });
    assert.throws(() => loadOnnx(noOut), (e: unknown) => e instanceof FormatError && /ghost/.test(e.message));
    assert.throws(() => loadOnnx(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2])), FormatError);
    assert.throws(() => loadOnnx(new TextEncoder().encode('{"not": "onnx"}')), FormatError);
  });
  test('an initializer whose data does not match its shape gives FormatError', () => {
    const bad = edited('lstm1', (m) => { m.graph!.initializer![0]!.dims = [1000000, 1000000]; });
    assert.throws(() => loadOnnx(bad), (e: unknown) => e instanceof FormatError && /needs 1000000000000 float values/.test(e.message));
    const ext = edited('lstm1', (m) => { m.graph!.initializer![0]!.dataLocation = 1; });
    assert.throws(() => loadOnnx(ext), (e: unknown) => e instanceof FormatError && /external/.test(e.message));
  });
  test('a shape op asking for a huge tensor fails with a clear error instead of allocating', () => {
    const huge = encodeModelProto({
      irVersion: 8, opsetImport: [{ domain: '', version: 14 }],
      graph: {
        name: 'g',
        node: [{ opType: 'ConstantOfShape', input: ['s'], output: ['y'] }],
        initializer: [{ name: 's', dataType: DataType.INT64, dims: [2], int64Data: [100000, 100000] }],
        output: [{ name: 'y' }],
      },
    });
    assert.throws(() => loadOnnx(huge).run({}), /larger than the limit/);
  });
  test('names such as __proto__ do not pollute prototypes', () => {
    const bytes = edited('lstm1', (m) => {
      for (const n of m.graph!.node!) n.output = n.output!.map((o) => (o === 'y' ? '__proto__' : o));
      m.graph!.output![0]!.name = '__proto__';
    });
    const fx = JSON.parse(readFileSync(`${DIR}lstm1.json`, 'utf8')) as Fixture;
    const out = loadOnnx(bytes).run({ x: new Tensor(Float32Array.from(fx.inputs.x!.data), fx.inputs.x!.shape) });
    assert.ok(Object.hasOwn(out, '__proto__'));
    assert.equal(({} as Record<string, unknown>).shape, undefined);
  });
  test('missing and mis-shaped feeds are named', () => {
    const m = loadOnnx(`${DIR}lstm1.onnx`);
    assert.throws(() => m.run({}), /missing input "x"/);
    assert.throws(() => m.run({ x: new Tensor(new Float32Array(8), [2, 2, 2]) }), /input "x" must have shape \[seq, batch, 3\]/);
  });
});
