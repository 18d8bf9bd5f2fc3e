/**
 * Finite-difference gradient checks in float64 for every option of LSTM, GRU and RNN, on every
 * backend. Loss L = Σ output⊙R + Σ h_n⊙Rh (+ Σ c_n⊙Rc) with fixed random R; the analytic
 * gradients of L w.r.t. the input, h0, c0 and every parameter must match central differences
 * (ε = 1e-6) within |analytic − numeric| ≤ 1e-7 + 1e-6·|numeric| (a float64 check: a wrong
 * gradient is off by ~1e-2, rounding in the differences is ~1e-10). A backend that cannot hold
 * float64 parameters fails here, deliberately.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GRU, LSTM, RNN, Rng, type ForwardOptions, type RecurrentBase } from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { gradCheck, randomTensor } from '../helpers/gradcheck.js';

type Kind = 'LSTM' | 'GRU' | 'RNN';
interface Case {
  name: string;
  kind: Kind;
  opts: Record<string, unknown>;
  T: number;
  /** Batch size; 0 = unbatched input (T, I). */
  B: number;
  states?: boolean;
  lengths?: number[];
  train?: boolean;
}

const I = 2;
const CASES: Case[] = [
  { name: 'LSTM 1 layer, zero states', kind: 'LSTM', opts: { hiddenSize: 3 }, T: 4, B: 2 },
  { name: 'LSTM 1 layer, given h0/c0', kind: 'LSTM', opts: { hiddenSize: 3 }, T: 4, B: 2, states: true },
  { name: 'LSTM 2 layers, given states', kind: 'LSTM', opts: { hiddenSize: 3, numLayers: 2 }, T: 3, B: 2, states: true },
  { name: 'LSTM bidirectional', kind: 'LSTM', opts: { hiddenSize: 3, bidirectional: true }, T: 4, B: 2, states: true },
  { name: 'LSTM 2 layers bidirectional', kind: 'LSTM', opts: { hiddenSize: 2, numLayers: 2, bidirectional: true }, T: 3, B: 2, states: true },
  { name: 'LSTM projection', kind: 'LSTM', opts: { hiddenSize: 4, projSize: 2 }, T: 3, B: 2, states: true },
  { name: 'LSTM projection, 2 layers, bidirectional', kind: 'LSTM', opts: { hiddenSize: 3, projSize: 2, numLayers: 2, bidirectional: true }, T: 3, B: 2, states: true },
  { name: 'LSTM batchFirst', kind: 'LSTM', opts: { hiddenSize: 3, batchFirst: true, numLayers: 2 }, T: 3, B: 3, states: true },
  { name: 'LSTM T = 1', kind: 'LSTM', opts: { hiddenSize: 3, numLayers: 2, bidirectional: true }, T: 1, B: 2, states: true },
  { name: 'LSTM bias = false', kind: 'LSTM', opts: { hiddenSize: 3, bias: false }, T: 3, B: 2, states: true },
  { name: 'LSTM dropout = 0 in train mode', kind: 'LSTM', opts: { hiddenSize: 3, numLayers: 2, dropout: 0 }, T: 3, B: 2, states: true, train: true },
  { name: 'LSTM unbatched input', kind: 'LSTM', opts: { hiddenSize: 3, bidirectional: true }, T: 3, B: 0, states: true },
  { name: 'LSTM variable lengths, zero states', kind: 'LSTM', opts: { hiddenSize: 3 }, T: 4, B: 3, lengths: [4, 1, 2] },
  { name: 'LSTM variable lengths, 2 layers, bidirectional, projection, batchFirst', kind: 'LSTM',
    opts: { hiddenSize: 3, projSize: 2, numLayers: 2, bidirectional: true, batchFirst: true }, T: 4, B: 3, states: true, lengths: [2, 4, 1] },
  { name: 'LSTM peepholes, given h0/c0', kind: 'LSTM', opts: { hiddenSize: 3, peephole: true }, T: 4, B: 2, states: true },
  { name: 'LSTM peepholes, 2 layers, bidirectional, variable lengths', kind: 'LSTM',
    opts: { hiddenSize: 3, peephole: true, numLayers: 2, bidirectional: true }, T: 4, B: 3, states: true, lengths: [4, 1, 3] },
  { name: 'LSTM peepholes, projection, bidirectional, lengths, batchFirst', kind: 'LSTM',
    opts: { hiddenSize: 4, projSize: 2, peephole: true, bidirectional: true, batchFirst: true }, T: 3, B: 3, states: true, lengths: [2, 3, 1] },
  { name: 'LSTM peepholes, unbatched, no bias', kind: 'LSTM', opts: { hiddenSize: 3, peephole: true, bias: false }, T: 3, B: 0, states: true },
  { name: 'GRU 1 layer, zero state', kind: 'GRU', opts: { hiddenSize: 3 }, T: 4, B: 2 },
  { name: 'GRU 2 layers bidirectional, given h0', kind: 'GRU', opts: { hiddenSize: 3, numLayers: 2, bidirectional: true }, T: 3, B: 2, states: true },
  { name: 'GRU batchFirst, T = 1', kind: 'GRU', opts: { hiddenSize: 3, batchFirst: true }, T: 1, B: 2, states: true },
  { name: 'GRU bias = false', kind: 'GRU', opts: { hiddenSize: 3, bias: false }, T: 3, B: 2, states: true },
  { name: 'GRU variable lengths, bidirectional', kind: 'GRU', opts: { hiddenSize: 3, bidirectional: true }, T: 4, B: 3, states: true, lengths: [3, 4, 1] },
  { name: 'RNN tanh', kind: 'RNN', opts: { hiddenSize: 3 }, T: 4, B: 2 },
  { name: 'RNN relu, 2 layers bidirectional, given h0', kind: 'RNN', opts: { hiddenSize: 3, numLayers: 2, bidirectional: true, nonlinearity: 'relu' }, T: 3, B: 2, states: true },
  { name: 'RNN bias = false, batchFirst', kind: 'RNN', opts: { hiddenSize: 3, bias: false, batchFirst: true }, T: 3, B: 2, states: true },
  { name: 'RNN variable lengths, 2 layers', kind: 'RNN', opts: { hiddenSize: 3, numLayers: 2 }, T: 4, B: 3, states: true, lengths: [1, 4, 3] },
];

function make(kind: Kind, opts: Record<string, unknown>): RecurrentBase {
  const o = { inputSize: I, ...opts } as never;
  return kind === 'LSTM' ? new LSTM(o) : kind === 'GRU' ? new GRU(o) : new RNN(o);
}

for (const backend of BACKENDS) {
  describe(`gradient checks (float64) on ${backend}`, () => {
    test('float64 layers keep float64 parameters and activations', () => {
      const layer = new LSTM({ inputSize: 2, hiddenSize: 3, dtype: 'float64', backend });
      assert.ok(layer.flat instanceof Float64Array, `${backend}: parameters are ${layer.flat.constructor.name}, not Float64Array`);
      const out = layer.forward(randomTensor([2, 1, 2], new Rng(1)));
      assert.ok(out.output.data instanceof Float64Array, `${backend}: output is ${out.output.data.constructor.name}`);
    });

    CASES.forEach((c, k) => {
      test(c.name, (t) => {
        const layer = make(c.kind, { ...c.opts, dtype: 'float64', backend, seed: 10 + k });
        layer.train(c.train ?? false);
        if (c.opts.peephole) {
          // The peepholes are parameters of the layer, so their gradients are among those checked.
          const ph = layer.namedParameters().filter(([n]) => n.startsWith('weight_ph_l'));
          assert.equal(ph.length, layer.numLayers * layer.numDirections, 'one weight_ph per layer and direction');
        }
        const rng = new Rng(100 + k);
        const bf = Boolean(c.opts.batchFirst);
        const xShape = c.B === 0 ? [c.T, I] : bf ? [c.B, c.T, I] : [c.T, c.B, I];
        const x = randomTensor(xShape, rng);
        const LD = layer.numLayers * layer.numDirections;
        const st = (w: number): number[] => (c.B === 0 ? [LD, w] : [LD, c.B, w]);
        const opts: ForwardOptions = {};
        if (c.states) {
          opts.h0 = randomTensor(st(layer.hOut), rng, 0.5);
          if (c.kind === 'LSTM') opts.c0 = randomTensor(st(layer.hiddenSize), rng, 0.5);
        }
        if (c.lengths) opts.lengths = c.lengths;
        const r = gradCheck(layer, x, opts, 200 + k);
        // input + states + every parameter were compared
        const expected = x.size + (opts.h0?.size ?? 0) + (opts.c0?.size ?? 0) + layer.numParameters();
        assert.equal(r.count, expected);
        t.diagnostic(`${r.count} entries, max |analytic − numeric| ${r.maxAbsErr.toExponential(2)}, worst/tolerance ${r.worstMixed.toFixed(4)}`);
        assert.ok(r.worstMixed <= 1, `gradient mismatch: ${r.worstMixedAt} (max abs err ${r.maxAbsErr})`);
      });
    });
  });
}

test('the gradient check catches a wrong gradient (a 1e-4 error in one entry)', () => {
  class Off extends LSTM {
    override backward(o: Parameters<LSTM['backward']>[0]) {
      const r = super.backward(o);
      this.grads.bias_hh_l0!.data[5]! += 1e-4;
      return r;
    }
  }
  const layer = new Off({ inputSize: I, hiddenSize: 3, dtype: 'float64' });
  const r = gradCheck(layer, randomTensor([3, 2, I], new Rng(5)), {});
  assert.ok(r.worstMixed > 1, `worst/tolerance only ${r.worstMixed}`);
  assert.match(r.worstMixedAt, /^bias_hh_l0\[5\]/);
});
