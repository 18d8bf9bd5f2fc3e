/**
 * ONNX's own backend node tests for LSTM, GRU and RNN (onnx/backend/test/data/node, 12 models
 * with inputs and expected outputs, written by the ONNX project, not by us) run through
 * loadOnnx(...).run on every backend. They live outside the repository, in
 * ../shared/conformance/onnx-node/ (CI has that folder); without it the test is skipped. The
 * .pb files are decoded here with protobufjs and a TensorProto descriptor of this file's own,
 * not with the library's decoder. Tolerance: |got − expected| ≤ 1e-5 + 1e-4·|expected|.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs/light.js';
import { Tensor, loadOnnx } from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';

const DIR = fileURLToPath(new URL('../../../shared/conformance/onnx-node/', import.meta.url));
const present = existsSync(DIR);
const NAMES = present ? readdirSync(DIR).filter((n) => /^test_(lstm|gru|rnn|simple_rnn)/.test(n)).sort() : [];

// onnx.proto3 TensorProto, the fields these files use.
const TensorProto = protobuf.Root.fromJSON({
  nested: {
    TensorProto: {
      fields: {
        dims: { rule: 'repeated', type: 'int64', id: 1 },
        dataType: { type: 'int32', id: 2 },
        floatData: { rule: 'repeated', type: 'float', id: 4 },
        int32Data: { rule: 'repeated', type: 'int32', id: 5 },
        int64Data: { rule: 'repeated', type: 'int64', id: 7 },
        name: { type: 'string', id: 8 },
        rawData: { type: 'bytes', id: 9 },
        doubleData: { rule: 'repeated', type: 'double', id: 10 },
      },
    },
  },
}).lookupType('TensorProto');

function num(v: unknown): number {
  return typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber();
}

/** A .pb TensorProto as a Tensor (float, double, int32 or int64; raw or typed fields). */
function readPb(path: string): Tensor {
  const m = TensorProto.toObject(TensorProto.decode(readFileSync(path)), { defaults: true }) as {
    dims: unknown[]; dataType: number; floatData: number[]; int32Data: number[]; int64Data: unknown[]; rawData: Uint8Array; doubleData: number[];
  };
  const shape = m.dims.map(num);
  const raw = m.rawData;
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = shape.reduce((p, d) => p * d, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (m.dataType) {
      case 1: data[i] = raw.length ? dv.getFloat32(4 * i, true) : m.floatData[i]!; break;
      case 11: data[i] = raw.length ? dv.getFloat64(8 * i, true) : m.doubleData[i]!; break;
      case 6: data[i] = raw.length ? dv.getInt32(4 * i, true) : m.int32Data[i]!; break;
      case 7: data[i] = raw.length ? Number(dv.getBigInt64(8 * i, true)) : num(m.int64Data[i]); break;
      default: throw new Error(`${path}: data type ${m.dataType} is not handled by this test`);
    }
  }
  return new Tensor(data, shape);
}

describe('ONNX backend node tests (onnx/backend/test/data/node)', { skip: present ? false : `${DIR} is not present` }, () => {
  test('all 12 recurrent node tests are there', () => {
    assert.equal(NAMES.length, 12, NAMES.join(', '));
    assert.ok(NAMES.includes('test_lstm_with_peepholes'));
  });
  for (const backend of BACKENDS) {
    for (const name of NAMES) {
      test(`${name} (${backend})`, (t) => {
        const model = loadOnnx(`${DIR}${name}/model.onnx`, { backend });
        const set = `${DIR}${name}/test_data_set_0/`;
        const feeds: Record<string, Tensor> = {};
        model.inputNames.forEach((input, i) => { feeds[input] = readPb(`${set}input_${i}.pb`); });
        const out = model.run(feeds);
        model.outputNames.forEach((output, i) => {
          const want = readPb(`${set}output_${i}.pb`);
          const got = out[output]!;
          assert.deepEqual(got.shape, want.shape, `${output} shape`);
          let worst = 0;
          for (let k = 0; k < want.size; k++) {
            const e = want.data[k]!, g = got.data[k]!;
            const excess = Math.abs(g - e) - (1e-5 + 1e-4 * Math.abs(e));
            assert.ok(excess <= 0 && Number.isFinite(g), `${output}[${k}]: got ${g}, expected ${e}`);
            worst = Math.max(worst, Math.abs(g - e));
          }
          t.diagnostic(`${output}: max |got − expected| = ${worst.toExponential(2)}`);
        });
      });
    }
  }
});
