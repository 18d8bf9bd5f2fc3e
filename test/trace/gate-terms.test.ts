/**
 * gateTerms(): the sum inside each gate, term by term, recomputed from the weights, gives the
 * gate values the layer's own kernels computed (trace), for LSTM (with and without bias, with
 * projection), GRU (its candidate's r·(W_hn h + b_hn)), tanh and relu RNNs, stacked and
 * reverse directions, in float64 and float32; plus one step worked by hand, and clear errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GRU, LSTM, RNN, Rng, Tensor, gateTerms, trace, type DirectionTrace, type RecurrentBase } from '../../src/index.js';

function randn(shape: number[], seed: number, dtype: 'float32' | 'float64'): Tensor {
  const rng = new Rng(seed);
  const t = Tensor.zeros(shape, dtype);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.normal();
  return t;
}

/** Batch item b's vector at time t of a traced (T,B,W) tensor. */
const at = (x: Tensor, t: number, b: number): number[] => {
  const [, B, W] = x.shape as [number, number, number];
  return Array.from(x.data.subarray((t * B + b) * W, (t * B + b + 1) * W));
};

/** Largest |gateTerms value − traced value| over every step, batch item, unit and gate of every direction. */
function worst(layer: RecurrentBase, x: Tensor): number {
  const tr = trace(layer, x);
  const T = x.shape[0]!, B = x.shape[1]!;
  let m = 0;
  for (const d of tr.directions) {
    // Layer 0 reads x; a layer above reads the concatenated outputs of the layer below at the same step.
    const below = tr.directions.filter((e) => e.layer === d.layer - 1);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        const xt = d.layer === 0 ? at(x, t, b) : below.flatMap((e: DirectionTrace) => at(e.hidden, t, b));
        for (let u = 0; u < d.units; u++) {
          const terms = gateTerms(layer, xt, at(d.hiddenPrev, t, b), u, { layer: d.layer, reverse: d.reverse });
          if (d.mode === 'rnn') m = Math.max(m, Math.abs(terms.hidden!.value - at(d.hidden, t, b)[u]!));
          for (const [name, g] of Object.entries(d.gates)) m = Math.max(m, Math.abs(terms[name as keyof typeof terms]!.value - at(g!, t, b)[u]!));
        }
      }
    }
  }
  return m;
}

test('gateTerms gives the traced gate values: LSTM, GRU, RNN; stacked, reverse, projection, no bias', () => {
  const x64 = randn([5, 2, 3], 1, 'float64'), x32 = randn([5, 2, 3], 1, 'float32');
  const cases: Array<[string, (dtype: 'float32' | 'float64') => RecurrentBase]> = [
    ['lstm 2 layers bidirectional', (dtype) => new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 2, dtype })],
    ['lstm projSize 2, no bias', (dtype) => new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 2, bias: false, seed: 3, dtype })],
    ['gru 2 layers bidirectional', (dtype) => new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 4, dtype })],
    ['rnn tanh', (dtype) => new RNN({ inputSize: 3, hiddenSize: 4, seed: 5, dtype })],
    ['rnn relu 2 layers', (dtype) => new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2, nonlinearity: 'relu', seed: 6, dtype })],
  ];
  for (const [name, make] of cases) {
    assert.ok(worst(make('float64'), x64) < 1e-12, `${name} float64: ${worst(make('float64'), x64)}`);
    assert.ok(worst(make('float32'), x32) < 2e-6, `${name} float32: ${worst(make('float32'), x32)}`);
  }
});

test('gateTerms, worked by hand: one LSTM unit, the forget gate', () => {
  // 1 input, 1 unit. Forget-gate row (block 1): W_if = 0.5, W_hf = 0.25, b_if = 0.1, b_hf = 0.2.
  // x_t = 1, h_{t−1} = 0.4: xW = 0.5, hW = 0.1, pre = 0.5 + 0.1 + 0.1 + 0.2 = 0.9,
  // f_t = σ(0.9) = 1 / (1 + e^−0.9) = 0.7109495026250039.
  const lstm = new LSTM({ inputSize: 1, hiddenSize: 1, seed: 0, dtype: 'float64' });
  const sd = lstm.stateDict();
  sd.weight_ih_l0!.data.set([0, 0.5, 0, 0]);
  sd.weight_hh_l0!.data.set([0, 0.25, 0, 0]);
  sd.bias_ih_l0!.data.set([0, 0.1, 0, 0]);
  sd.bias_hh_l0!.data.set([0, 0.2, 0, 0]);
  const f = gateTerms(lstm, [1], [0.4], 0).forget!;
  assert.deepEqual([f.xW, f.hW, f.bIh, f.bHh], [0.5, 0.1, 0.1, 0.2]);
  assert.ok(Math.abs(f.pre - 0.9) < 1e-15);
  assert.ok(Math.abs(f.value - 0.7109495026250039) < 1e-15);
  // Every other row is zero: σ(0) = 0.5 for i and o, tanh(0) = 0 for the candidate.
  const all = gateTerms(lstm, [1], [0.4], 0);
  assert.deepEqual([all.input!.value, all.candidate!.value, all.output!.value], [0.5, 0, 0.5]);
});

test('gateTerms: errors name what is out of range', () => {
  const gru = new GRU({ inputSize: 2, hiddenSize: 3, seed: 1 });
  assert.throws(() => gateTerms(gru, [1, 2], [0, 0, 0], 3), /unit 3 is out of range 0..2/);
  assert.throws(() => gateTerms(gru, [1], [0, 0, 0], 0), /x_t has 1 values, layer 0 takes 2/);
  assert.throws(() => gateTerms(gru, [1, 2], [0, 0], 0), /h_\{t−1\} has 2 values, the layer's hidden state has 3/);
  assert.throws(() => gateTerms(gru, [1, 2], [0, 0, 0], 0, { layer: 1 }), /layer 1 is out of range 0..0/);
  assert.throws(() => gateTerms(gru, [1, 2], [0, 0, 0], 0, { reverse: true }), /no reverse direction/);
});
