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
import { attr, maxDiff, randn, recurrentNodeModel, runOrt } from './onnx-util.js';
import { Rng } from '../../src/tensor/rng.js';

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

describe('ONNX recurrent nodes outside the core (Keras-exact loop) match onnxruntime', () => {
  const cases: Array<{ name: string; op: 'LSTM' | 'GRU' | 'RNN'; D: number; attrs: Array<Record<string, unknown>>; lengths?: boolean; state?: boolean }> = [
    { name: 'LSTM HardSigmoid gates, bidirectional, lengths, h0/c0', op: 'LSTM', D: 2, lengths: true, state: true,
      attrs: [attr.str('direction', 'bidirectional'), attr.strs('activations', ['HardSigmoid', 'Tanh', 'Tanh', 'HardSigmoid', 'Tanh', 'Tanh'])] },
    { name: 'LSTM Sigmoid/Softsign, reverse, lengths', op: 'LSTM', D: 1, lengths: true,
      attrs: [attr.str('direction', 'reverse'), attr.strs('activations', ['Sigmoid', 'Softsign', 'Softsign'])] },
    { name: 'GRU linear_before_reset = 0 (Keras/TF GRU), h0, lengths', op: 'GRU', D: 1, lengths: true, state: true, attrs: [] },
    { name: 'GRU linear_before_reset = 0, HardSigmoid with explicit alpha/beta, bidirectional', op: 'GRU', D: 2,
      attrs: [attr.str('direction', 'bidirectional'), attr.strs('activations', ['HardSigmoid', 'Tanh', 'HardSigmoid', 'Tanh']), attr.floats('activation_alpha', [0.2, 0.2]), attr.floats('activation_beta', [0.5, 0.5])] },
    { name: 'GRU linear_before_reset = 1 with HardSigmoid', op: 'GRU', D: 1, attrs: [attr.int('linear_before_reset', 1), attr.strs('activations', ['HardSigmoid', 'Tanh'])] },
    { name: 'RNN Sigmoid', op: 'RNN', D: 1, lengths: true, attrs: [attr.strs('activations', ['Sigmoid'])] },
  ];
  for (const c of cases) {
    test(c.name, async (t) => {
      const rng = new Rng(31);
      const [I, H, T, B] = [3, 4, 5, 3];
      const G = { LSTM: 4, GRU: 3, RNN: 1 }[c.op];
      const r = (n: number) => randn(rng, [n], 0.6).data as Float32Array;
      const bytes = await recurrentNodeModel({ op: c.op, I, H, D: c.D, W: r(c.D * G * H * I), R: r(c.D * G * H * H), B: r(c.D * 2 * G * H), attrs: c.attrs, lengths: c.lengths ?? false, state: c.state ?? false });
      const feeds: Record<string, { tensor: Tensor; type?: 'int32' }> = { X: { tensor: randn(rng, [T, B, I]) } };
      if (c.lengths) feeds.sequence_lens = { tensor: Tensor.from([5, 2, 4]), type: 'int32' };
      if (c.state) {
        feeds.initial_h = { tensor: randn(rng, [c.D, B, H], 0.5) };
        if (c.op === 'LSTM') feeds.initial_c = { tensor: randn(rng, [c.D, B, H], 0.5) };
      }
      const ort = await runOrt(bytes, feeds);
      const ours = loadOnnx(bytes).run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.tensor])));
      for (const k of Object.keys(ort)) {
        assert.deepEqual(ours[k]!.shape, ort[k]!.dims, k);
        const d = maxDiff(ours[k]!.data, ort[k]!.data);
        t.diagnostic(`${k}: max |ours − onnxruntime| = ${d.toExponential(2)}`);
        assert.ok(d < 2e-6, `${k}: ${d}`);
      }
    });
  }
});
