/**
 * Every attribute and input of ONNX's LSTM, GRU and RNN operators, one small one-node model per
 * option (in the style of ONNX's backend node tests), run by loadOnnx and by onnxruntime-node
 * live in the test: peepholes P, clip, input_forget, all eleven activations with
 * activation_alpha/beta (g ≠ h for LSTM, different functions per direction), GRU
 * linear_before_reset 0 and 1, layout 0 and 1, sequence_lens shorter than T with forward,
 * reverse and bidirectional directions, initial states, B omitted, each optional output present
 * or absent, float and double (double against onnxruntime's float, which has no double LSTM or
 * GRU). Tolerance |ours − onnxruntime| ≤ 1e-5 + 1e-4·|onnxruntime|.
 * onnxruntime's CPU kernels refuse layout = 1, so those cases are checked against onnxruntime on
 * the same node with layout 0 and transposed inputs and outputs. Each option case also checks
 * that the option changes onnxruntime's output (by more than 1e-3), so that a loader ignoring it
 * would fail. Last, the refusals: each names what it refuses.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, loadOnnx } from '../../src/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { BACKENDS } from '../helpers/backends.js';
import { attr, maxDiff, randn, recurrentNodeModel, runOrt, type Feed, type NodeModelSpec } from './onnx-util.js';

type Op = 'LSTM' | 'GRU' | 'RNN';
type Dir = 'forward' | 'reverse' | 'bidirectional';

interface Case {
  name: string;
  op: Op;
  dir?: Dir;
  /** Node attributes besides hidden_size, direction and layout. */
  attrs?: Array<Record<string, unknown>>;
  peephole?: boolean;
  lengths?: number[];
  state?: boolean;
  layout?: 0 | 1;
  outputs?: string[];
  noBias?: boolean;
  dtype?: 'float32' | 'float64';
  /** Scale of the random weights (larger makes clip bite). Default 0.6. */
  scale?: number;
  /** The case is about an option whose removal (attrs and P dropped) must change the outputs. */
  option?: boolean;
}

const acts = (...names: string[]) => attr.strs('activations', names);
const alpha = (...v: number[]) => attr.floats('activation_alpha', v);
const beta = (...v: number[]) => attr.floats('activation_beta', v);
const lbr = (v: 0 | 1) => attr.int('linear_before_reset', v);

const RNN_ACTIVATIONS: Array<[string, Array<Record<string, unknown>>]> = [
  ['Relu', []], ['Tanh', []], ['Sigmoid', []], ['Affine', [alpha(0.7), beta(0.2)]], ['LeakyRelu', [alpha(0.15)]],
  ['ThresholdedRelu', [alpha(0.3)]], ['ScaledTanh', [alpha(1.3), beta(0.6)]], ['HardSigmoid', [alpha(0.3), beta(0.4)]],
  ['Elu', [alpha(0.7)]], ['Softsign', []], ['Softplus', []],
];

const CASES: Case[] = [
  // LSTM
  { name: 'LSTM peepholes, h0/c0', op: 'LSTM', peephole: true, state: true, option: true },
  { name: 'LSTM peepholes, bidirectional, lengths', op: 'LSTM', dir: 'bidirectional', peephole: true, lengths: [5, 2, 4], option: true },
  { name: 'LSTM peepholes, reverse, lengths, h0/c0', op: 'LSTM', dir: 'reverse', peephole: true, lengths: [3, 5, 1], state: true, option: true },
  { name: 'LSTM P all zero (runs on the core layers)', op: 'LSTM', dir: 'bidirectional', lengths: [5, 2, 4] },
  { name: 'LSTM clip 0.5', op: 'LSTM', attrs: [attr.float('clip', 0.5)], scale: 1.5, option: true },
  { name: 'LSTM clip, bidirectional, lengths, h0/c0', op: 'LSTM', dir: 'bidirectional', attrs: [attr.float('clip', 0.8)], lengths: [4, 5, 2], state: true, scale: 1.5, option: true },
  { name: 'LSTM input_forget', op: 'LSTM', attrs: [attr.int('input_forget', 1)], option: true },
  { name: 'LSTM input_forget + peepholes + clip, bidirectional, lengths', op: 'LSTM', dir: 'bidirectional', peephole: true, attrs: [attr.int('input_forget', 1), attr.float('clip', 1)], lengths: [5, 3, 1], scale: 1.2, option: true },
  { name: 'LSTM HardSigmoid(0.3, 0.6) / LeakyRelu(0.2) / Softsign (g ≠ h)', op: 'LSTM', attrs: [acts('HardSigmoid', 'LeakyRelu', 'Softsign'), alpha(0.3, 0.2), beta(0.6)], option: true },
  { name: 'LSTM per direction: Sigmoid/Elu(0.8)/ScaledTanh(1.2, 0.7) and HardSigmoid/Softplus/Tanh, lengths', op: 'LSTM', dir: 'bidirectional', lengths: [2, 5, 3],
    attrs: [acts('Sigmoid', 'Elu', 'ScaledTanh', 'HardSigmoid', 'Softplus', 'Tanh'), alpha(0.8, 1.2, 0.25), beta(0.7, 0.55)], option: true },
  { name: 'LSTM Affine(0.5, 0.1) / ThresholdedRelu(0.1) / Relu', op: 'LSTM', attrs: [acts('Sigmoid', 'Affine', 'ThresholdedRelu'), alpha(0.5, 0.1), beta(0.1)], option: true },
  { name: 'LSTM layout 1, peepholes, bidirectional, lengths, h0/c0', op: 'LSTM', dir: 'bidirectional', layout: 1, peephole: true, lengths: [5, 2, 4], state: true },
  { name: 'LSTM layout 1 on the core layers, reverse, lengths', op: 'LSTM', dir: 'reverse', layout: 1, lengths: [2, 5, 3] },
  { name: 'LSTM only Y', op: 'LSTM', peephole: true, outputs: ['Y'] },
  { name: 'LSTM only Y_h', op: 'LSTM', dir: 'bidirectional', outputs: ['', 'Y_h'] },
  { name: 'LSTM only Y_c, peepholes, lengths', op: 'LSTM', peephole: true, lengths: [1, 4, 5], outputs: ['', '', 'Y_c'] },
  { name: 'LSTM no B, peepholes', op: 'LSTM', peephole: true, noBias: true },
  { name: 'LSTM double, peepholes, clip, bidirectional, lengths', op: 'LSTM', dir: 'bidirectional', dtype: 'float64', peephole: true, attrs: [attr.float('clip', 0.9)], lengths: [5, 1, 3], scale: 1.3 },
  { name: 'LSTM double on the core layers, h0/c0', op: 'LSTM', dtype: 'float64', state: true },
  // GRU
  { name: 'GRU linear_before_reset 0, bidirectional, lengths, h0', op: 'GRU', dir: 'bidirectional', attrs: [lbr(0)], lengths: [5, 2, 4], state: true },
  { name: 'GRU linear_before_reset 1 (core layers), reverse, lengths, h0', op: 'GRU', dir: 'reverse', attrs: [lbr(1)], lengths: [3, 5, 1], state: true },
  { name: 'GRU linear_before_reset 1, bidirectional, lengths', op: 'GRU', dir: 'bidirectional', attrs: [lbr(1)], lengths: [2, 4, 5] },
  { name: 'GRU linear_before_reset 0, clip', op: 'GRU', attrs: [attr.float('clip', 0.6)], scale: 1.5, option: true },
  { name: 'GRU linear_before_reset 1, clip, bidirectional, lengths', op: 'GRU', dir: 'bidirectional', attrs: [lbr(1), attr.float('clip', 0.6)], lengths: [5, 3, 2], scale: 1.5, option: true },
  { name: 'GRU HardSigmoid(0.25, 0.45) / Softsign, linear_before_reset 0', op: 'GRU', attrs: [acts('HardSigmoid', 'Softsign'), alpha(0.25), beta(0.45)], option: true },
  { name: 'GRU per direction: LeakyRelu(0.1)/Elu and Sigmoid/ScaledTanh(1.1, 0.9), linear_before_reset 1, lengths', op: 'GRU', dir: 'bidirectional', lengths: [4, 5, 2],
    attrs: [lbr(1), acts('LeakyRelu', 'Elu', 'Sigmoid', 'ScaledTanh'), alpha(0.1, 1, 1.1), beta(0.9)], option: true },
  { name: 'GRU Sigmoid / Affine(0.9, -0.1), reverse, lengths', op: 'GRU', dir: 'reverse', attrs: [acts('Sigmoid', 'Affine'), alpha(0.9), beta(-0.1)], lengths: [5, 4, 3], option: true },
  { name: 'GRU layout 1, linear_before_reset 0, lengths, h0', op: 'GRU', layout: 1, lengths: [5, 2, 4], state: true },
  { name: 'GRU only Y, no B', op: 'GRU', outputs: ['Y'], noBias: true },
  { name: 'GRU only Y_h, bidirectional, lengths', op: 'GRU', dir: 'bidirectional', lengths: [1, 5, 3], outputs: ['', 'Y_h'] },
  { name: 'GRU double, linear_before_reset 0, lengths', op: 'GRU', dtype: 'float64', lengths: [5, 2, 4] },
  // RNN
  ...RNN_ACTIVATIONS.map(([name, a]): Case => ({ name: `RNN ${name}, lengths`, op: 'RNN', attrs: [acts(name), ...a], lengths: [5, 2, 4], option: name !== 'Tanh' })),
  { name: 'RNN per direction: Relu and HardSigmoid (default alpha/beta), lengths, h0', op: 'RNN', dir: 'bidirectional', attrs: [acts('Relu', 'HardSigmoid')], lengths: [3, 5, 2], state: true, option: true },
  { name: 'RNN Relu on the core layers, bidirectional, lengths', op: 'RNN', dir: 'bidirectional', attrs: [acts('Relu', 'Relu')], lengths: [3, 5, 2] },
  { name: 'RNN clip 0.3', op: 'RNN', attrs: [attr.float('clip', 0.3)], scale: 1.5, option: true },
  { name: 'RNN reverse, lengths, h0', op: 'RNN', dir: 'reverse', lengths: [2, 5, 4], state: true },
  { name: 'RNN layout 1, Softsign, bidirectional, lengths, h0', op: 'RNN', dir: 'bidirectional', layout: 1, attrs: [acts('Softsign', 'Softsign')], lengths: [5, 1, 3], state: true },
  { name: 'RNN only Y_h, no B', op: 'RNN', outputs: ['', 'Y_h'], noBias: true },
];

const [I, H, T, B] = [3, 4, 5, 3];
const G: Record<Op, number> = { LSTM: 4, GRU: 3, RNN: 1 };

/** (P,Q,…) ↔ (Q,P,…): layout 1 ↔ layout 0 for X, states and (with the rest kept) Y. */
function swap01(data: ArrayLike<number>, shape: number[]): { data: Float64Array; shape: number[] } {
  const [P, Q] = shape as [number, number];
  const inner = shape.slice(2).reduce((p, d) => p * d, 1);
  const out = new Float64Array(data.length);
  for (let p = 0; p < P; p++) for (let q = 0; q < Q; q++) for (let k = 0; k < inner; k++) out[(q * P + p) * inner + k] = data[(p * Q + q) * inner + k]!;
  return { data: out, shape: [Q, P, ...shape.slice(2)] };
}

/** ONNX Y (T,D,B,H) ↔ layout-1 Y (B,T,D,H). */
function yToLayout1(data: ArrayLike<number>, [t, d, b, h]: number[]): Float64Array {
  const out = new Float64Array(data.length);
  for (let i = 0; i < t; i++) for (let j = 0; j < d; j++) for (let k = 0; k < b; k++) for (let l = 0; l < h; l++) out[((k * t + i) * d + j) * h + l] = data[((i * d + j) * b + k) * h + l]!;
  return out;
}

interface Built { spec: NodeModelSpec; feeds: Record<string, Feed> }

/** The case's node and feeds (layout 0 here; layout 1 is derived from it). */
function build(c: Case): Built {
  const rng = new Rng(17);
  const D = c.dir === 'bidirectional' ? 2 : 1;
  const g = G[c.op], sc = c.scale ?? 0.6;
  const r = (n: number, s = sc) => randn(rng, [n], s).data as Float32Array;
  const spec: NodeModelSpec = {
    op: c.op, I, H, D, W: r(D * g * H * I), R: r(D * g * H * H), B: r(D * 2 * g * H),
    attrs: [attr.str('direction', c.dir ?? 'forward'), ...(c.attrs ?? [])],
    lengths: c.lengths !== undefined, state: c.state ?? false, ...(c.outputs ? { outputs: c.outputs } : {}), ...(c.dtype ? { dtype: c.dtype } : {}),
  };
  const P = r(D * 3 * H, 0.8);
  if (c.peephole) spec.P = P;
  else if (c.op === 'LSTM' && c.name.includes('P all zero')) spec.P = new Float32Array(D * 3 * H);
  if (c.noBias) spec.B = null;
  const ft = c.dtype ?? 'float32';
  const feeds: Record<string, Feed> = { X: { tensor: randn(rng, [T, B, I]), type: ft } };
  if (c.lengths) feeds.sequence_lens = { tensor: Tensor.from(c.lengths), type: 'int32' };
  if (c.state) {
    feeds.initial_h = { tensor: randn(rng, [D, B, H], 0.5), type: ft };
    if (c.op === 'LSTM') feeds.initial_c = { tensor: randn(rng, [D, B, H], 0.5), type: ft };
  }
  return { spec, feeds };
}

/**
 * onnxruntime's outputs for the case, in the case's layout. Its CPU LSTM and GRU kernels have no
 * double version, so a double case is compared with the same node in float.
 */
async function expected(c: Case, { spec, feeds }: Built): Promise<Record<string, { data: Float64Array; dims: number[] }>> {
  const f32 = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.type === 'float64' ? { ...v, type: 'float32' as const } : v]));
  const ort = await runOrt(await recurrentNodeModel({ ...spec, dtype: 'float32' }), f32);
  if (c.layout !== 1) return ort;
  const out: Record<string, { data: Float64Array; dims: number[] }> = {};
  for (const [k, v] of Object.entries(ort)) {
    if (v.dims.length === 4) out[k] = { data: yToLayout1(v.data, v.dims), dims: [v.dims[2]!, v.dims[0]!, v.dims[1]!, v.dims[3]!] };
    else { const s = swap01(v.data, v.dims); out[k] = { data: s.data, dims: s.shape }; }
  }
  return out;
}

/** The case's feeds as loadOnnx takes them (layout 1: X and states batch-first). */
function ourFeeds(c: Case, feeds: Record<string, Feed>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) {
    if (c.layout === 1 && k !== 'sequence_lens') {
      const s = swap01(v.tensor.data, v.tensor.shape);
      out[k] = new Tensor(c.dtype === 'float64' ? s.data : Float32Array.from(s.data), s.shape);
    } else out[k] = c.dtype === 'float64' ? new Tensor(Float64Array.from(v.tensor.data), v.tensor.shape) : v.tensor;
  }
  return out;
}

describe('ONNX recurrent operator options: loadOnnx vs onnxruntime-node', () => {
  for (const c of CASES) {
    test(c.name, async (t) => {
      const built = build(c);
      const want = await expected(c, built);
      const names = (c.outputs ?? ['Y', 'Y_h', 'Y_c']).filter((o) => o !== '' && (c.op === 'LSTM' || o !== 'Y_c'));
      assert.deepEqual(Object.keys(want).sort(), [...names].sort(), 'onnxruntime outputs');
      if (c.option) {
        // The option must matter: the same node without it gives other outputs.
        const plain = { ...built.spec, attrs: [attr.str('direction', c.dir ?? 'forward'), ...(c.attrs ?? []).filter((a) => a.name === 'linear_before_reset')] };
        delete plain.P;
        const base = await runOrt(await recurrentNodeModel(plain), built.feeds);
        const k = names[0]!;
        const moved = maxDiff(base[k]!.data, (await runOrt(await recurrentNodeModel(built.spec), built.feeds))[k]!.data);
        assert.ok(moved > 1e-3, `the option changes ${k} by only ${moved}`);
      }
      const bytes = await recurrentNodeModel({ ...built.spec, ...(c.layout ? { layout: c.layout } : {}) });
      for (const backend of BACKENDS) {
        const ours = loadOnnx(bytes, { backend }).run(ourFeeds(c, built.feeds));
        assert.deepEqual(Object.keys(ours).sort(), [...names].sort(), 'our outputs');
        for (const k of names) {
          assert.deepEqual(ours[k]!.shape, want[k]!.dims, `${k} shape`);
          assert.ok(c.dtype === 'float64' ? ours[k]!.data instanceof Float64Array : ours[k]!.data instanceof Float32Array, `${k} dtype`);
          let worst = 0;
          want[k]!.data.forEach((e, i) => {
            const g = ours[k]!.data[i]!;
            assert.ok(Math.abs(g - e) <= 1e-5 + 1e-4 * Math.abs(e), `${backend} ${k}[${i}]: ours ${g}, onnxruntime ${e}`);
            worst = Math.max(worst, Math.abs(g - e));
          });
          t.diagnostic(`${backend} ${k}: max |ours − onnxruntime| = ${worst.toExponential(2)}`);
        }
      }
    });
  }
});

describe('ONNX recurrent options that are refused, by name', () => {
  const rng = new Rng(5);
  const node = async (op: Op, attrs: Array<Record<string, unknown>>, extra: Partial<NodeModelSpec> = {}) => {
    const g = G[op];
    return recurrentNodeModel({ op, I, H, D: 1, W: randn(rng, [g * H * I]).data as Float32Array, R: randn(rng, [g * H * H]).data as Float32Array, B: randn(rng, [2 * g * H]).data as Float32Array, attrs, ...extra });
  };
  const x = randn(rng, [T, B, I]);
  const cases: Array<[string, () => Promise<Uint8Array>, RegExp, Record<string, Tensor>?]> = [
    ['an unknown activation', () => node('RNN', [acts('Swish')]), /activation Swish is not an ONNX RNN activation/],
    ['Affine without its alpha and beta (ONNX and onnxruntime default them differently)', () => node('RNN', [acts('Affine')]), /activation Affine needs a value in activation_alpha/],
    ['ScaledTanh without beta', () => node('RNN', [acts('ScaledTanh'), alpha(1)]), /activation ScaledTanh needs a value in activation_beta/],
    ['ThresholdedRelu without alpha', () => node('GRU', [acts('Sigmoid', 'ThresholdedRelu')]), /activation ThresholdedRelu needs a value in activation_alpha/],
    ['alpha values no activation takes', () => node('LSTM', [acts('Sigmoid', 'Tanh', 'Tanh'), alpha(0.5)]), /activation_alpha has 1 values but the activations \(Sigmoid, Tanh, Tanh\) take 0/],
    ['a non-finite alpha', () => node('RNN', [acts('LeakyRelu'), alpha(NaN)]), /activation_alpha\[0\] = NaN is not a finite number/],
    ['the wrong number of activations', () => node('LSTM', [acts('Sigmoid', 'Tanh')]), /activations must list 3 functions/],
    ['clip ≤ 0', () => node('LSTM', [attr.float('clip', 0)]), /clip must be a positive number, got 0/],
    ['input_forget on a GRU', () => node('GRU', [attr.int('input_forget', 1)]), /input_forget is not an attribute of ONNX GRU/],
    ['input_forget = 2', () => node('LSTM', [attr.int('input_forget', 2)]), /input_forget must be 0 or 1, got 2/],
    ['linear_before_reset = 3', () => node('GRU', [lbr(3 as 1)]), /linear_before_reset must be 0 or 1, got 3/],
    ['opset 1 output_sequence', () => node('RNN', [attr.int('output_sequence', 1)]), /output_sequence/],
    ['layout 2', () => node('RNN', [attr.int('layout', 2)]), /layout must be 0 or 1, got 2/],
    ['an unknown direction', () => node('RNN', [attr.str('direction', 'sideways')]), /unknown direction "sideways"/],
    ['P of the wrong shape', () => node('LSTM', [], { P: new Float32Array(2 * H) }), /P \(peepholes\) must be \[1, 12\], got \[1, 8\]/],
    ['an empty sequence', () => node('RNN', [], { lengths: true }), /sequence_lens\[1\] = 0 must be in 1\.\.5/, { X: x, sequence_lens: Tensor.from([5, 0, 2]) }],
  ];
  for (const [what, make, re, feeds] of cases) {
    test(what, async () => {
      const m = loadOnnx(await make());
      assert.throws(() => m.run(feeds ?? { X: x }), (e: unknown) => e instanceof Error && re.test(e.message) && /node 0 "rnn"/.test(e.message), String(re));
    });
  }
});
