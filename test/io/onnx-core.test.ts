/**
 * The independent-implementation check of the recurrent core: one-node ONNX LSTM/GRU/RNN
 * models built from our layers' weights (gates reordered to ONNX's order) are run by
 * onnxruntime-node and compared with our layers' forward, on every backend, for several
 * configurations: forward, reverse, bidirectional, sequence_lens, initial states, LSTM peepholes
 * (our weight_ph as ONNX's P; the node then runs on a native peephole layer). The same bytes
 * are also run by our own ONNX interpreter (loadOnnx), including layout = 1, which onnxruntime's
 * CPU kernels reject (there the interpreter is compared with our layers only).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GRU, LSTM, LimitError, RNN, Tensor, loadOnnx, onnxRecurrentWeights, type RecurrentBase } from '../../src/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { AttrType, DataType, encodeModelProto } from '../../src/io/onnx/schema.js';
import { tensorProtoFrom } from '../../src/io/onnx/tensor-proto.js';
import { valueInfo } from '../../src/io/onnx/export.js';
import { BACKENDS } from '../helpers/backends.js';
import { attr, maxDiff, randn, recurrentNodeModel, runOrt } from './onnx-util.js';

const TOL = 2e-6;

interface Case {
  name: string;
  mode: 'lstm' | 'gru' | 'rnn';
  I: number; H: number; T: number; B: number;
  bidirectional?: boolean;
  /** Use only the reverse direction of a bidirectional layer as an ONNX "reverse" node. */
  reverseOnly?: boolean;
  lengths?: number[];
  state?: boolean;
  layout?: 0 | 1;
  relu?: boolean;
  peephole?: boolean;
}

const CASES: Case[] = [
  { name: 'LSTM forward', mode: 'lstm', I: 3, H: 4, T: 5, B: 2 },
  { name: 'LSTM bidirectional, lengths, h0/c0', mode: 'lstm', I: 2, H: 3, T: 6, B: 3, bidirectional: true, lengths: [6, 2, 4], state: true },
  { name: 'LSTM reverse, lengths', mode: 'lstm', I: 3, H: 2, T: 5, B: 3, bidirectional: true, reverseOnly: true, lengths: [3, 5, 1] },
  { name: 'LSTM layout 1, h0/c0', mode: 'lstm', I: 2, H: 3, T: 4, B: 2, state: true, layout: 1 },
  { name: 'LSTM peepholes forward', mode: 'lstm', I: 3, H: 5, T: 6, B: 2, peephole: true },
  { name: 'LSTM peepholes bidirectional, lengths, h0/c0', mode: 'lstm', I: 2, H: 4, T: 6, B: 3, bidirectional: true, lengths: [6, 2, 4], state: true, peephole: true },
  { name: 'LSTM peepholes reverse, lengths', mode: 'lstm', I: 3, H: 6, T: 5, B: 3, bidirectional: true, reverseOnly: true, lengths: [3, 5, 1], peephole: true },
  { name: 'LSTM peepholes layout 1, lengths', mode: 'lstm', I: 2, H: 3, T: 4, B: 2, lengths: [2, 4], layout: 1, peephole: true },
  { name: 'GRU forward, h0', mode: 'gru', I: 3, H: 4, T: 5, B: 2, state: true },
  { name: 'GRU bidirectional, lengths', mode: 'gru', I: 2, H: 3, T: 6, B: 3, bidirectional: true, lengths: [1, 6, 3] },
  { name: 'RNN tanh bidirectional, lengths, h0', mode: 'rnn', I: 3, H: 4, T: 5, B: 2, bidirectional: true, lengths: [5, 2], state: true },
  { name: 'RNN relu forward', mode: 'rnn', I: 2, H: 5, T: 7, B: 2, relu: true },
];

function layerFor(c: Case, backend: string): RecurrentBase {
  const o = { inputSize: c.I, hiddenSize: c.H, bidirectional: c.bidirectional ?? false, seed: 7, backend };
  return c.mode === 'lstm' ? new LSTM({ ...o, peephole: c.peephole ?? false }) : c.mode === 'gru' ? new GRU(o) : new RNN({ ...o, nonlinearity: c.relu ? 'relu' : 'tanh' });
}

/** A model with ONE ONNX recurrent node (and its weights as initializers). */
function oneNodeModel(layer: RecurrentBase, c: Case): Uint8Array {
  const w = onnxRecurrentWeights(layer, 0);
  let { W, R, B, P } = w;
  let D = layer.numDirections;
  if (c.reverseOnly) {
    // Keep the layer's reverse direction only.
    D = 1;
    W = W.subarray(W.length / 2); R = R.subarray(R.length / 2); B = B.subarray(B.length / 2); P = P?.subarray(P.length / 2) ?? null;
  }
  const G = { lstm: 4, gru: 3, rnn: 1 }[c.mode];
  const H = c.H, layout = c.layout ?? 0;
  const dims = (t: string | number, b: string | number, rest: Array<string | number>): Array<string | number> => (layout === 0 ? [t, b, ...rest] : [b, t, ...rest]);
  const state = layout === 0 ? [D, 'batch', H] : ['batch', D, H];
  const inputs = [valueInfo('X', DataType.FLOAT, dims('seq', 'batch', [c.I]))];
  const nodeIn = ['X', 'W', 'R', 'B', c.lengths ? 'sequence_lens' : ''];
  if (c.lengths) inputs.push(valueInfo('sequence_lens', DataType.INT32, ['batch']));
  if (c.state) {
    inputs.push(valueInfo('initial_h', DataType.FLOAT, state));
    nodeIn.push('initial_h');
    if (c.mode === 'lstm') {
      inputs.push(valueInfo('initial_c', DataType.FLOAT, state));
      nodeIn.push('initial_c');
    }
  }
  if (P) nodeIn.push(...(c.state ? [] : ['', '']), 'P'); // P is input 7, after initial_h and initial_c
  const outs = ['Y', 'Y_h', ...(c.mode === 'lstm' ? ['Y_c'] : [])];
  const attrs = [
    { name: 'hidden_size', type: AttrType.INT, i: H },
    { name: 'direction', type: AttrType.STRING, s: new TextEncoder().encode(c.reverseOnly ? 'reverse' : D === 2 ? 'bidirectional' : 'forward') },
    ...(layout ? [{ name: 'layout', type: AttrType.INT, i: 1 }] : []),
    ...(c.mode === 'gru' ? [{ name: 'linear_before_reset', type: AttrType.INT, i: 1 }] : []),
    ...(c.relu ? [{ name: 'activations', type: AttrType.STRINGS, strings: [new TextEncoder().encode('Relu')] }] : []),
  ];
  return encodeModelProto({
    irVersion: 8, opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: 'one-node',
      node: [{ opType: layer.kind, name: 'rnn', input: nodeIn, output: outs, attribute: attrs }],
      initializer: [
        tensorProtoFrom('W', DataType.FLOAT, [D, G * H, c.I], W),
        tensorProtoFrom('R', DataType.FLOAT, [D, G * H, H], R),
        tensorProtoFrom('B', DataType.FLOAT, [D, 2 * G * H], B),
        ...(P ? [tensorProtoFrom('P', DataType.FLOAT, [D, 3 * H], P)] : []),
      ],
      input: inputs,
      output: outs.map((o) => valueInfo(o, DataType.FLOAT, [])).map((v) => ({ name: v.name })),
    },
  });
}

/** Our (T,B,D·H) output → ONNX Y: (T,D,B,H) for layout 0, (B,T,D,H) for layout 1; keeps one direction if asked. */
function toOnnxY(out: Tensor, T: number, B: number, D: number, H: number, layout: number, dir: number | null): Float64Array {
  const Dk = dir === null ? D : 1;
  const y = new Float64Array(T * B * Dk * H);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let k = 0; k < Dk; k++) for (let j = 0; j < H; j++) {
    const d = dir ?? k;
    const v = out.data[((t * B + b) * D + d) * H + j]!;
    y[layout === 0 ? ((t * Dk + k) * B + b) * H + j : ((b * T + t) * Dk + k) * H + j] = v;
  }
  return y;
}

/** Our state (D,B,H) → ONNX (D,B,H) or (B,D,H); one direction if asked. */
function toOnnxState(s: Tensor, B: number, D: number, H: number, layout: number, dir: number | null): Float64Array {
  const Dk = dir === null ? D : 1;
  const y = new Float64Array(B * Dk * H);
  for (let k = 0; k < Dk; k++) for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) {
    const v = s.data[((dir ?? k) * B + b) * H + j]!;
    y[layout === 0 ? (k * B + b) * H + j : (b * Dk + k) * H + j] = v;
  }
  return y;
}

/** (T,B,I) → (B,T,I) (or states (D,B,H) → (B,D,H)). */
function swap01(t: Tensor): Tensor {
  const [P, Q, F] = t.shape as [number, number, number];
  const out = new Float32Array(t.size);
  for (let p = 0; p < P; p++) for (let q = 0; q < Q; q++) for (let f = 0; f < F; f++) out[(q * P + p) * F + f] = t.data[(p * Q + q) * F + f]!;
  return new Tensor(out, [Q, P, F]);
}

for (const backend of BACKENDS) {
  describe(`ONNX Runtime vs our recurrent layers (${backend})`, () => {
    for (const c of CASES) {
      test(c.name, async (t) => {
        const rng = new Rng(11);
        const layer = layerFor(c, backend);
        const D = layer.numDirections, layout = c.layout ?? 0;
        const x = randn(rng, [c.T, c.B, c.I]);
        const h0 = c.state ? randn(rng, [D, c.B, c.H], 0.5) : undefined;
        const c0 = c.state && c.mode === 'lstm' ? randn(rng, [D, c.B, c.H], 0.5) : undefined;
        const ours = layer.forward(x, { ...(h0 ? { h0 } : {}), ...(c0 ? { c0 } : {}), ...(c.lengths ? { lengths: c.lengths } : {}) });
        const dir = c.reverseOnly ? 1 : null;
        const want = {
          Y: toOnnxY(ours.output, c.T, c.B, D, c.H, layout, dir),
          Y_h: toOnnxState(ours.h, c.B, D, c.H, layout, dir),
          ...(ours.c ? { Y_c: toOnnxState(ours.c, c.B, D, c.H, layout, dir) } : {}),
        } as Record<string, Float64Array>;
        const bytes = oneNodeModel(layer, c);
        const feeds: Record<string, { tensor: Tensor; type?: 'float32' | 'int32' }> = { X: { tensor: layout ? swap01(x) : x } };
        if (c.lengths) feeds.sequence_lens = { tensor: Tensor.from(c.lengths), type: 'int32' };
        if (h0) feeds.initial_h = { tensor: layout ? swap01(h0) : h0 };
        if (c0) feeds.initial_c = { tensor: layout ? swap01(c0) : c0 };
        const mine = loadOnnx(bytes, { backend }).run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.tensor])));
        // onnxruntime's CPU kernels reject layout = 1; that case checks our interpreter against our layers only.
        const ortOut = layout === 0 ? await runOrt(bytes, feeds) : null;
        for (const k of Object.keys(want)) {
          if (ortOut) {
            const dOrt = maxDiff(want[k]!, ortOut[k]!.data);
            assert.ok(dOrt < TOL, `${k}: ours vs onnxruntime max |diff| ${dOrt}`);
            t.diagnostic(`${k}: max |ours − onnxruntime| = ${dOrt.toExponential(2)}`);
          }
          const dImport = maxDiff(want[k]!, mine[k]!.data);
          assert.ok(dImport < TOL, `${k}: loadOnnx vs our layer max |diff| ${dImport}`);
        }
      });
    }
  });
}

test('an ONNX LSTM node with non-zero peepholes runs on a native peephole layer (the kernels\' work budget, not the exact loop\'s)', async () => {
  // The run budget counts a multiply-add of the kernels as 1 unit and one of the exact float64
  // loop as 64 (src/io/onnx/budget.ts): a budget of 16× the node's multiply-adds (room for the
  // element work of its layout copies) passes only if the node runs on a native layer. The same node with clip = 100 (the same function here, but
  // clip runs in the exact loop) is over that budget.
  const c: Case = { name: 'budget', mode: 'lstm', I: 8, H: 16, T: 20, B: 4, peephole: true, lengths: [20, 7, 13, 1] };
  const layer = layerFor(c, 'reference');
  const macs = c.T * c.B * 4 * c.H * (c.I + c.H);
  const x = randn(new Rng(3), [c.T, c.B, c.I]);
  const feeds = { X: x, sequence_lens: Tensor.from(c.lengths!) };
  const limits = { onnxWork: 16 * macs };
  const out = loadOnnx(oneNodeModel(layer, c), { limits }).run(feeds);
  const want = toOnnxY(layer.forward(x, { lengths: c.lengths! }).output, c.T, c.B, 1, c.H, 0, null);
  assert.ok(maxDiff(want, out.Y!.data) < TOL, 'the native peephole layer computes the node');
  const w = onnxRecurrentWeights(layer, 0);
  const f32 = (a: ArrayLike<number>): Float32Array => Float32Array.from(a);
  const clipped = await recurrentNodeModel({ op: 'LSTM', I: c.I, H: c.H, D: 1, W: f32(w.W), R: f32(w.R), B: f32(w.B), P: f32(w.P!), attrs: [attr.float('clip', 100)], lengths: true });
  assert.ok(maxDiff(want, loadOnnx(clipped).run(feeds).Y!.data) < TOL, 'the exact loop computes the same');
  assert.throws(() => loadOnnx(clipped, { limits }).run(feeds), (e: unknown) => e instanceof LimitError && /onnxWork/.test(e.message));
});
