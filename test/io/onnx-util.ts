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

export type Feed = { tensor: Tensor; type?: 'float32' | 'float64' | 'int64' | 'int32' };

/** Run ONNX bytes (or a path) in onnxruntime-node; returns outputs as Float32/64 data with dims. */
export async function runOrt(model: Uint8Array | string, feeds: Record<string, Feed>): Promise<Record<string, { data: Float64Array; dims: number[] }>> {
  const sess = typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  const f: Record<string, ort.Tensor> = {};
  for (const [k, { tensor, type }] of Object.entries(feeds)) {
    const t = type ?? 'float32';
    const data = t === 'float32' ? Float32Array.from(tensor.data) : t === 'float64' ? Float64Array.from(tensor.data)
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
  /** ONNX layouts: W (D,G·H,I), R (D,G·H,H), B (D,2·G·H) or null (input omitted), P (D,3·H) (LSTM). */
  W: Float32Array; R: Float32Array; B: Float32Array | null;
  P?: Float32Array;
  /** Extra node attributes (direction, activations, linear_before_reset, ...). */
  attrs: Array<Record<string, unknown>>;
  lengths?: boolean;
  state?: boolean;
  /** The node's outputs, '' for one left out. Default Y, Y_h (, Y_c). */
  outputs?: string[];
  layout?: 0 | 1;
  /** Element type of X, the weights, states and outputs. Default float. */
  dtype?: 'float32' | 'float64';
}

/**
 * An ONNX model with ONE recurrent node: X [, sequence_lens] [, initial_h, initial_c] are graph
 * inputs (X (T,B,I) for layout 0, (B,T,I) for layout 1), W, R, B, P initializers.
 */
export async function recurrentNodeModel(s: NodeModelSpec): Promise<Uint8Array> {
  const { DataType, encodeModelProto } = await import('../../src/io/onnx/schema.js');
  const { valueInfo } = await import('../../src/io/onnx/export.js');
  const G = { LSTM: 4, GRU: 3, RNN: 1 }[s.op];
  const layout = s.layout ?? 0;
  const f64 = s.dtype === 'float64';
  const FT = f64 ? DataType.DOUBLE : DataType.FLOAT;
  const init = (name: string, dims: number[], data: ArrayLike<number>) => {
    const raw = new Uint8Array(data.length * (f64 ? 8 : 4));
    const dv = new DataView(raw.buffer);
    for (let i = 0; i < data.length; i++) f64 ? dv.setFloat64(8 * i, data[i]!, true) : dv.setFloat32(4 * i, data[i]!, true);
    return { name, dataType: FT, dims, rawData: raw };
  };
  const tb = (t: string | number, b: string | number): Array<string | number> => (layout === 0 ? [t, b] : [b, t]);
  const inputs = [valueInfo('X', FT, [...tb('seq', 'batch'), s.I])];
  const nodeIn = ['X', 'W', 'R', s.B ? 'B' : '', s.lengths ? 'sequence_lens' : ''];
  if (s.lengths) inputs.push(valueInfo('sequence_lens', DataType.INT32, ['batch']));
  const stateDims = layout === 0 ? [s.D, 'batch', s.H] : ['batch', s.D, s.H];
  nodeIn.push(s.state ? 'initial_h' : '');
  if (s.state) inputs.push(valueInfo('initial_h', FT, stateDims));
  if (s.op === 'LSTM') {
    nodeIn.push(s.state ? 'initial_c' : '');
    if (s.state) inputs.push(valueInfo('initial_c', FT, stateDims));
    nodeIn.push(s.P ? 'P' : '');
  }
  while (nodeIn[nodeIn.length - 1] === '') nodeIn.pop();
  const outs = s.outputs ?? ['Y', 'Y_h', ...(s.op === 'LSTM' ? ['Y_c'] : [])];
  return encodeModelProto({
    irVersion: 8, opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: 'one-node',
      node: [{ opType: s.op, name: 'rnn', input: nodeIn, output: outs, attribute: [{ name: 'hidden_size', type: 2, i: s.H }, ...(layout ? [{ name: 'layout', type: 2, i: 1 }] : []), ...s.attrs] as never }],
      initializer: [
        init('W', [s.D, G * s.H, s.I], s.W),
        init('R', [s.D, G * s.H, s.H], s.R),
        ...(s.B ? [init('B', [s.D, 2 * G * s.H], s.B)] : []),
        ...(s.P ? [init('P', [s.D, s.P.length / s.D], s.P)] : []),
      ] as never,
      input: inputs,
      output: outs.filter((o) => o !== '').map((name) => ({ name })),
    },
  });
}

/** ONNX string / strings / int / floats attributes. */
export const attr = {
  str: (name: string, v: string) => ({ name, type: 3, s: new TextEncoder().encode(v) }),
  strs: (name: string, v: string[]) => ({ name, type: 8, strings: v.map((x) => new TextEncoder().encode(x)) }),
  int: (name: string, v: number) => ({ name, type: 2, i: v }),
  floats: (name: string, v: number[]) => ({ name, type: 6, floats: v }),
  float: (name: string, v: number) => ({ name, type: 1, f: v }),
  ints: (name: string, v: number[]) => ({ name, type: 7, ints: v }),
};
