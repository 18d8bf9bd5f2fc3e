/**
 * A one-node ONNX model holding an LSTM (opset 14), built from the shared PyTorch-layout weights
 * with protobufjs, so onnxruntime-node can run the inference workloads without any exporter.
 * ONNX's LSTM wants W (1,4H,I) and R (1,4H,H) in gate order i, o, f, c (PyTorch: i, f, g, o)
 * and B (1,8H) = [Wb; Rb]. Graph: X (T,B,I) → LSTM → Y (T,1,B,H); the batch and time dims are
 * symbolic. Only the message fields used here are declared (field numbers from onnx.proto3).
 */
import protobuf from 'protobufjs/light.js';
import type { LayerWeights } from './data.js';

const root = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        AttributeProto: { fields: { name: { type: 'string', id: 1 }, i: { type: 'int64', id: 3 }, type: { type: 'int32', id: 20 } } },
        TensorProto: { fields: { dims: { rule: 'repeated', type: 'int64', id: 1 }, dataType: { type: 'int32', id: 2 }, name: { type: 'string', id: 8 }, rawData: { type: 'bytes', id: 9 } } },
        NodeProto: { fields: { input: { rule: 'repeated', type: 'string', id: 1 }, output: { rule: 'repeated', type: 'string', id: 2 }, name: { type: 'string', id: 3 }, opType: { type: 'string', id: 4 }, attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 } } },
        Dimension: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
        TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } } },
        TensorTypeProto: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
        TypeProto: { fields: { tensorType: { type: 'TensorTypeProto', id: 1 } } },
        ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
        GraphProto: { fields: { node: { rule: 'repeated', type: 'NodeProto', id: 1 }, name: { type: 'string', id: 2 }, initializer: { rule: 'repeated', type: 'TensorProto', id: 5 }, input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 }, output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 } } },
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
        ModelProto: { fields: { irVersion: { type: 'int64', id: 1 }, producerName: { type: 'string', id: 2 }, graph: { type: 'GraphProto', id: 7 }, opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 } } },
      },
    },
  },
});
const ModelProto = root.lookupType('onnx.ModelProto');
const FLOAT = 1, ATTR_INT = 2;

/** PyTorch gate blocks (i, f, g, o) of a (4H, K) matrix → ONNX order (i, o, f, c). */
function reorderGates(a: Float32Array, H: number): Float32Array {
  const K = a.length / (4 * H), out = new Float32Array(a.length);
  [0, 3, 1, 2].forEach((src, dst) => out.set(a.subarray(src * H * K, (src + 1) * H * K), dst * H * K));
  return out;
}

function initializer(name: string, dims: number[], data: Float32Array): Record<string, unknown> {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function tensorInfo(name: string, dims: Array<number | string>): Record<string, unknown> {
  return {
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

/** Serialized ONNX model: one LSTM layer with the given weights; input X (T,B,I), output Y (T,1,B,H). */
export function onnxLstmModel(lw: LayerWeights, I: number, H: number): Uint8Array {
  const bias = new Float32Array(8 * H);
  bias.set(reorderGates(lw.bIh, H), 0);
  bias.set(reorderGates(lw.bHh, H), 4 * H);
  const graph = {
    name: 'lstm',
    node: [{ name: 'lstm', opType: 'LSTM', input: ['X', 'W', 'R', 'B'], output: ['Y'], attribute: [{ name: 'hidden_size', i: H, type: ATTR_INT }] }],
    initializer: [
      initializer('W', [1, 4 * H, I], reorderGates(lw.wIh, H)),
      initializer('R', [1, 4 * H, H], reorderGates(lw.wHh, H)),
      initializer('B', [1, 8 * H], bias),
    ],
    input: [tensorInfo('X', ['T', 'B', I])],
    output: [tensorInfo('Y', ['T', 1, 'B', H])],
  };
  const model = { irVersion: 8, producerName: 'lstm-ts bench', graph, opsetImport: [{ domain: '', version: 14 }] };
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}
