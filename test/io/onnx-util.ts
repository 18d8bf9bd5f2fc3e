/**
 * Helpers shared by the ONNX tests: run a model in onnxruntime-node, build one-node recurrent
 * models, compare arrays.
 */
import * as ort from 'onnxruntime-node';
import { Tensor } from '../../src/index.js';
import { Rng } from '../../src/tensor/rng.js';

/** Largest absolute difference between two equal-length arrays (throws on a length mismatch). */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  if (Number.isNaN(d) || [...Array.from(a), ...Array.from(b)].some((v) => !Number.isFinite(v))) return Infinity;
  return d;
}

/** A float32 tensor of N(0,1) values. */
export function randn(rng: Rng, shape: number[], scale = 1): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = rng.normal() * scale;
  return new Tensor(d, shape);
}

export type Feed = { tensor: Tensor; type?: 'float32' | 'int64' | 'int32' };

/** Run ONNX bytes (or a path) in onnxruntime-node; returns outputs as Float32/64 data with dims. */
export async function runOrt(model: Uint8Array | string, feeds: Record<string, Feed>): Promise<Record<string, { data: Float64Array; dims: number[] }>> {
  const sess = typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  const f: Record<string, ort.Tensor> = {};
  for (const [k, { tensor, type }] of Object.entries(feeds)) {
    const t = type ?? 'float32';
    const data = t === 'float32' ? Float32Array.from(tensor.data)
      : t === 'int32' ? Int32Array.from(tensor.data) : BigInt64Array.from(Array.from(tensor.data, (v) => BigInt(v)));
    f[k] = new ort.Tensor(t, data, tensor.shape);
  }
  const out = await sess.run(f);
  const res: Record<string, { data: Float64Array; dims: number[] }> = {};
  for (const [k, v] of Object.entries(out)) res[k] = { data: Float64Array.from(v.data as Float32Array), dims: [...v.dims] };
  return res;
}

export interface NodeModelSpec {
  op: 'LSTM' | 'GRU' | 'RNN';
  I: number; H: number; D: number;
  W: Float32Array; R: Float32Array; B: Float32Array;
  /** Extra node attributes (direction, activations, linear_before_reset, ...). */
  attrs: Array<Record<string, unknown>>;
  lengths?: boolean;
  state?: boolean;
}

/** An ONNX model with ONE recurrent node (X, W, R, B [, sequence_lens] [, initial_h, initial_c]), layout 0. */
export async function recurrentNodeModel(s: NodeModelSpec): Promise<Uint8Array> {
  const { DataType, encodeModelProto } = await import('../../src/io/onnx/schema.js');
  const { tensorProtoFrom } = await import('../../src/io/onnx/tensor-proto.js');
  const { valueInfo } = await import('../../src/io/onnx/export.js');
  const G = { LSTM: 4, GRU: 3, RNN: 1 }[s.op];
  const inputs = [valueInfo('X', DataType.FLOAT, ['seq', 'batch', s.I])];
  const nodeIn = ['X', 'W', 'R', 'B', s.lengths ? 'sequence_lens' : ''];
  if (s.lengths) inputs.push(valueInfo('sequence_lens', DataType.INT32, ['batch']));
  if (s.state) {
    inputs.push(valueInfo('initial_h', DataType.FLOAT, [s.D, 'batch', s.H]));
    nodeIn.push('initial_h');
    if (s.op === 'LSTM') {
      inputs.push(valueInfo('initial_c', DataType.FLOAT, [s.D, 'batch', s.H]));
      nodeIn.push('initial_c');
    }
  }
  const outs = ['Y', 'Y_h', ...(s.op === 'LSTM' ? ['Y_c'] : [])];
  return encodeModelProto({
    irVersion: 8, opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: 'one-node',
      node: [{ opType: s.op, name: 'rnn', input: nodeIn, output: outs, attribute: [{ name: 'hidden_size', type: 2, i: s.H }, ...s.attrs] as never }],
      initializer: [
        tensorProtoFrom('W', DataType.FLOAT, [s.D, G * s.H, s.I], s.W),
        tensorProtoFrom('R', DataType.FLOAT, [s.D, G * s.H, s.H], s.R),
        tensorProtoFrom('B', DataType.FLOAT, [s.D, 2 * G * s.H], s.B),
      ],
      input: inputs,
      output: outs.map((name) => ({ name })),
    },
  });
}

/** ONNX string / strings / int / floats attributes. */
export const attr = {
  str: (name: string, v: string) => ({ name, type: 3, s: new TextEncoder().encode(v) }),
  strs: (name: string, v: string[]) => ({ name, type: 8, strings: v.map((x) => new TextEncoder().encode(x)) }),
  int: (name: string, v: number) => ({ name, type: 2, i: v }),
  floats: (name: string, v: number[]) => ({ name, type: 6, floats: v }),
};
