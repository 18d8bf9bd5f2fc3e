/**
 * The interpreter's Scan (src/io/onnx/scan.ts), Split and ReverseSequence against
 * onnxruntime-node on small hand-built graphs: a running sum read backwards from an outer-scope
 * weight (an implicit input), Split by sizes and by num_outputs (opset 18), ReverseSequence
 * with lengths; then the Scan bodies it refuses, by name. Projected LSTMs exported as Scan loops
 * are tested in onnx-export.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, Tensor, loadOnnx } from '../../src/index.js';
import { DataType, encodeModelProto, type GraphProto, type NodeProto } from '../../src/io/onnx/schema.js';
import { valueInfo } from '../../src/io/onnx/export.js';
import { tensorProtoFrom } from '../../src/io/onnx/tensor-proto.js';
import { attr, maxDiff, runOrt } from './onnx-util.js';

const F = DataType.FLOAT;
const model = (nodes: NodeProto[], inputs: GraphProto['input'], outputs: string[], opset = 17, initializer: GraphProto['initializer'] = []) =>
  encodeModelProto({ irVersion: 8, opsetImport: [{ domain: '', version: opset }], graph: { name: 'g', node: nodes, input: inputs, output: outputs.map((name) => ({ name })), initializer } });

/** s_t = s_{t−1} + w ⊙ x_t over x read from its last step (scan_input_directions [1]); outputs the final s and every s_t. */
function runningSum(extra: Array<Record<string, unknown>> = [], bodyNodes?: NodeProto[]): Uint8Array {
  const body: GraphProto = {
    name: 'body',
    node: bodyNodes ?? [{ opType: 'Mul', input: ['w', 'x_t'], output: ['wx'] }, { opType: 'Add', input: ['s', 'wx'], output: ['s_out'] }, { opType: 'Identity', input: ['s_out'], output: ['y_t'] }],
    input: [valueInfo('s', F, [2]), valueInfo('x_t', F, [2])],
    output: [valueInfo('s_out', F, [2]), valueInfo('y_t', F, [2])],
  };
  return model([{ opType: 'Scan', input: ['s0', 'x'], output: ['s_n', 'ys'], attribute: [{ name: 'body', type: 5, g: body }, attr.int('num_scan_inputs', 1), attr.ints('scan_input_directions', [1]), ...extra] as never }],
    [valueInfo('s0', F, [2]), valueInfo('x', F, ['T', 2])], ['s_n', 'ys'], 17, [tensorProtoFrom('w', F, [2], [0.5, -2])]);
}

describe('ONNX Scan, Split and ReverseSequence in loadOnnx vs onnxruntime-node', () => {
  test('Scan: a running sum read backwards, with an outer-scope weight', async () => {
    const bytes = runningSum();
    const feeds = { s0: new Tensor(Float32Array.from([1, 2]), [2]), x: new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), [4, 2]) };
    const ort = await runOrt(bytes, { s0: { tensor: feeds.s0 }, x: { tensor: feeds.x } });
    const ours = loadOnnx(bytes).run(feeds);
    // By hand: s = [1,2] + w⊙x over rows 4,3,2,1: y = [4.5,−14], [7,−26], [8.5,−34], [9,−38].
    assert.deepEqual(Array.from(ours.ys!.data), [4.5, -14, 7, -26, 8.5, -34, 9, -38]);
    assert.deepEqual(Array.from(ours.s_n!.data), [9, -38]);
    assert.equal(maxDiff(ours.ys!.data, ort.ys!.data), 0);
    assert.equal(maxDiff(ours.s_n!.data, ort.s_n!.data), 0);
  });
  test('Split by sizes and by num_outputs (opset 18, last part smaller); ReverseSequence with lengths', async () => {
    const x = new Tensor(Float32Array.from({ length: 14 }, (_, i) => i), [2, 7]);
    const bySizes = model([{ opType: 'Split', input: ['x', 'sizes'], output: ['a', 'b'], attribute: [attr.int('axis', 1)] as never }], [valueInfo('x', F, [2, 7])], ['a', 'b'], 17,
      [tensorProtoFrom('sizes', DataType.INT64, [2], [3, 4])]);
    const byCount = model([{ opType: 'Split', input: ['x'], output: ['a', 'b', 'c'], attribute: [attr.int('axis', 1), attr.int('num_outputs', 3)] as never }], [valueInfo('x', F, [2, 7])], ['a', 'b', 'c'], 18);
    const seq = new Tensor(Float32Array.from({ length: 12 }, (_, i) => i), [3, 2, 2]);
    const rev = model([{ opType: 'ReverseSequence', input: ['x', 'lens'], output: ['y'], attribute: [attr.int('batch_axis', 1), attr.int('time_axis', 0)] as never }],
      [valueInfo('x', F, [3, 2, 2]), valueInfo('lens', DataType.INT64, [2])], ['y']);
    for (const [bytes, feeds] of [[bySizes, { x }], [byCount, { x }], [rev, { x: seq, lens: Tensor.from([3, 1]) }]] as const) {
      const ort = await runOrt(bytes, Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, { tensor: v, ...(k === 'lens' ? { type: 'int64' as const } : {}) }])));
      const ours = loadOnnx(bytes).run(feeds as Record<string, Tensor>);
      for (const k of Object.keys(ort)) {
        assert.deepEqual(ours[k]!.shape, ort[k]!.dims, k);
        assert.equal(maxDiff(ours[k]!.data, ort[k]!.data), 0, k);
      }
    }
  });
  test('Scan bodies it cannot run are refused when loading, by name', () => {
    assert.throws(() => loadOnnx(runningSum([attr.ints('scan_input_axes', [1])])), (e: unknown) => e instanceof FormatError && /scan_input_axes other than 0 is not supported/.test(e.message));
    assert.throws(() => loadOnnx(runningSum([], [{ opType: 'Einsum', input: ['s', 'x_t'], output: ['s_out'] }, { opType: 'Identity', input: ['s_out'], output: ['y_t'] }])),
      (e: unknown) => e instanceof FormatError && /body node 0 \(Einsum\): operator Einsum is not supported in a Scan body/.test(e.message));
    assert.throws(() => loadOnnx(runningSum([], [{ opType: 'Add', input: ['s', 'ghost'], output: ['s_out'] }, { opType: 'Identity', input: ['s_out'], output: ['y_t'] }])),
      (e: unknown) => e instanceof FormatError && /"ghost", which no earlier node, input or initializer defines/.test(e.message));
  });
});
