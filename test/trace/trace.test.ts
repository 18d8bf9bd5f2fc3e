/**
 * trace(): the traced values are the layer's own forward (last hidden = h_n, hidden by time =
 * output), gates lie in their ranges, the cell and GRU recurrences hold entry by entry, the
 * gradient norms match a backward, and on a long sequence an RNN's gradient vanishes far
 * faster than an LSTM's with the forget-gate bias at 1.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GRU, LSTM, Module, RNN, Rng, Tensor } from '../../src/index.js';
import { findRecurrent, trace, unitsOverTime } from '../../src/trace/index.js';
import { BACKENDS } from '../helpers/backends.js';

function randn(shape: number[], seed: number, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  const rng = new Rng(seed);
  const t = Tensor.zeros(shape, dtype);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.normal();
  return t;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** A minimal container (as Sequential is): an LSTM then a sum over features of the last step. */
class LastSum extends Module {
  constructor(readonly rnn: LSTM) {
    super({ dtype: rnn.dtype });
  }
  override children(): Module[] {
    return [this.rnn];
  }
  override childName(): string {
    return 'lstm';
  }
  forward(x: Tensor): Tensor {
    const y = this.rnn.forward(x).output; // (B,T,H) batch-first
    const [B, T, H] = y.shape as [number, number, number];
    const out = Tensor.zeros([B, 1], y.dtype);
    for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) out.data[b] += y.data[(b * T + T - 1) * H + j]!;
    return out;
  }
  backward(d: Tensor): void {
    const [B, T, H] = [d.shape[0]!, this.rnn.inspect().T, this.rnn.hiddenSize];
    const dy = Tensor.zeros([B, T, H], d.dtype);
    for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) dy.data[(b * T + T - 1) * H + j] = d.data[b]!;
    this.rnn.backward({ dOutput: dy });
  }
}

for (const backend of BACKENDS) {
  describe(`trace (${backend})`, () => {
    test('LSTM: hidden by time is the output, last hidden is h_n, cell recurrence holds', () => {
      const T = 7, B = 3, I = 4, H = 5;
      const lstm = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, seed: 3, dtype: 'float64', backend });
      const x = randn([T, B, I], 1);
      const ref = lstm.forward(x);
      const tr = trace(lstm, x);
      assert.equal(tr.directions.length, 4);
      assert.ok(maxDiff(tr.output.data, ref.output.data) === 0);
      for (const d of tr.directions) {
        const { input: i, forget: f, candidate: g, output: o } = d.gates as Record<string, Tensor>;
        // Gates are sigmoids in [0, 1], the candidate a tanh in [−1, 1].
        for (const gate of [i!, f!, o!]) for (const v of gate.data) assert.ok(v >= 0 && v <= 1);
        for (const v of g!.data) assert.ok(v >= -1 && v <= 1);
        let worst = 0;
        for (let k = 0; k < T * B * H; k++) {
          const c = f!.data[k]! * d.cellPrev!.data[k]! + i!.data[k]! * g!.data[k]!; // c_t = f⊙c_{t−1} + i⊙g
          worst = Math.max(worst, Math.abs(c - d.cell!.data[k]!), Math.abs(o!.data[k]! * Math.tanh(c) - d.hidden.data[k]!));
        }
        assert.ok(worst < 1e-12, `recurrence off by ${worst}`);
        // The state a step starts from is the one the previous step (in its own direction) ended with.
        for (let t = 1; t < T; t++) {
          const [a, b] = d.reverse ? [t - 1, t] : [t, t - 1];
          assert.ok(maxDiff(d.cellPrev!.data.subarray(a * B * H, (a + 1) * B * H), d.cell!.data.subarray(b * B * H, (b + 1) * B * H)) === 0);
        }
        // Final state: h_n for this layer/direction is hidden at the direction's last time step.
        const sd = d.layer * 2 + (d.reverse ? 1 : 0), tLast = d.reverse ? 0 : T - 1;
        assert.ok(maxDiff(d.hidden.data.subarray(tLast * B * H, (tLast + 1) * B * H), ref.h.data.subarray(sd * B * H, (sd + 1) * B * H)) === 0);
        assert.ok(maxDiff(d.cell!.data.subarray(tLast * B * H, (tLast + 1) * B * H), ref.c!.data.subarray(sd * B * H, (sd + 1) * B * H)) === 0);
      }
      // Top layer's hidden states, forward half then reverse half, are the output.
      const [fw, bw] = tr.directions.slice(2);
      for (let r = 0; r < T * B; r++) {
        for (let j = 0; j < H; j++) {
          assert.equal(ref.output.data[r * 2 * H + j], fw!.hidden.data[r * H + j]);
          assert.equal(ref.output.data[r * 2 * H + H + j], bw!.hidden.data[r * H + j]);
        }
      }
    });

    test('GRU: h_t = (1−z)⊙n + z⊙h_{t−1}; RNN: hidden is the output', () => {
      const T = 6, B = 2, I = 3, H = 4;
      const gru = new GRU({ inputSize: I, hiddenSize: H, seed: 5, dtype: 'float64', backend });
      const x = randn([T, B, I], 2);
      const d = trace(gru, x).directions[0]!;
      assert.deepEqual(Object.keys(d.gates), ['reset', 'update', 'new']);
      const { update: z, new: n } = d.gates as Record<string, Tensor>;
      for (let k = 0; k < T * B * H; k++) {
        const h = (1 - z!.data[k]!) * n!.data[k]! + z!.data[k]! * d.hiddenPrev.data[k]!;
        assert.ok(Math.abs(h - d.hidden.data[k]!) < 1e-12);
      }
      assert.equal(d.cell, undefined);
      // Heatmap order: one row per unit over time, for a chosen batch item.
      const rows = unitsOverTime(d.hidden, 1);
      assert.equal(rows.length, H);
      assert.equal(rows[2]![4], d.hidden.data[(4 * B + 1) * H + 2]);
      assert.throws(() => unitsOverTime(d.hidden, B), /batch item 2 is out of range/);
      const rnn = new RNN({ inputSize: I, hiddenSize: H, seed: 5, dtype: 'float64', backend });
      const tr = trace(rnn, x);
      assert.deepEqual(Object.keys(tr.directions[0]!.gates), []);
      assert.ok(maxDiff(tr.directions[0]!.hidden.data, rnn.forward(x).output.data) === 0);
    });

    test('hand-worked steps: zero weights, candidate bias 1 → gates σ(0) = 0.5, c_1 = 0.5·tanh(1)', () => {
      const lstm = new LSTM({ inputSize: 1, hiddenSize: 1, seed: 0, dtype: 'float64', backend });
      lstm.flat.fill(0);
      // Candidate bias 1 (rows i,f,g,o: g is row 2): g = tanh(1) = 0.7615942, c1 = 0.5·0.7615942.
      lstm.stateDict()['bias_ih_l0']!.data[2] = 1;
      const d = trace(lstm, Tensor.from([[[0]], [[0]]])).directions[0]!;
      assert.ok(Math.abs(d.gates.forget!.data[0]! - sigmoid(0)) < 1e-15);
      assert.ok(Math.abs(d.cell!.data[0]! - 0.5 * Math.tanh(1)) < 1e-15); // 0.3807971
      // Step 2: c2 = 0.5·c1 + 0.5·tanh(1) = 0.5711957.
      assert.ok(Math.abs(d.cell!.data[1]! - (0.25 * Math.tanh(1) + 0.5 * Math.tanh(1))) < 1e-15);
    });

    test('gradient norms: ‖∂L/∂h_T‖ = √(B·H) for the last-step sum, gradients left untouched', () => {
      const T = 5, B = 2, I = 3, H = 4;
      const lstm = new LSTM({ inputSize: I, hiddenSize: H, seed: 9, dtype: 'float64', backend });
      const x = randn([T, B, I], 3);
      lstm.flatGrad.fill(0.25);
      const tr = trace(lstm, x, { loss: 'last' });
      assert.ok(lstm.flatGrad.every((v) => v === 0.25), 'trace must not change the gradients');
      const g = tr.directions[0]!.gradNorm!;
      assert.ok(Math.abs(g[T - 1]! - Math.sqrt(B * H)) < 1e-12);
      // Against a direct backward: dL/dh_t is what inspect() keeps.
      lstm.forward(x);
      const dOut = Tensor.zeros([T, B, H], 'float64');
      dOut.data.fill(1, (T - 1) * B * H);
      lstm.backward({ dOutput: dOut });
      const dh = lstm.inspect().directions[0]!.dh!;
      for (let t = 0; t < T; t++) {
        let s = 0;
        for (let k = t * B * H; k < (t + 1) * B * H; k++) s += dh[k]! ** 2;
        assert.ok(Math.abs(Math.sqrt(s) - g[t]!) < 1e-12);
      }
      // The same layer batch-first, on the transposed input, and unbatched: the same norms.
      const bf = new LSTM({ inputSize: I, hiddenSize: H, seed: 9, dtype: 'float64', backend, batchFirst: true });
      const xt = Tensor.zeros([B, T, I], 'float64');
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let i = 0; i < I; i++) xt.data[(b * T + t) * I + i] = x.data[(t * B + b) * I + i]!;
      assert.ok(maxDiff(trace(bf, xt, { loss: 'last' }).directions[0]!.gradNorm!, g) < 1e-12);
      const one = trace(lstm, new Tensor(xt.data.slice(0, T * I), [T, I]), { loss: 'last' }).directions[0]!.gradNorm!;
      assert.ok(Math.abs(one[T - 1]! - Math.sqrt(H)) < 1e-12);
      assert.equal(trace(lstm, x).directions[0]!.gradNorm, undefined);
      assert.throws(() => trace(lstm, x, { loss: 'mse' }), /needs a target/);
    });

    test('containers: recurrent children are found by path and traced through the model', () => {
      const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: true, seed: 4, dtype: 'float64', backend });
      const model = new LastSum(lstm);
      assert.deepEqual(findRecurrent(model).map((r) => r.path), ['lstm']);
      const x = randn([2, 6, 2], 4);
      const tr = trace(model, x, { loss: 'mse', target: Tensor.zeros([2, 1], 'float64') });
      assert.equal(tr.directions[0]!.module, 'lstm');
      assert.equal(tr.directions[0]!.T, 6);
      assert.ok(tr.loss! > 0);
      assert.ok(tr.directions[0]!.gradNorm![5]! > 0);
      class Empty extends Module {}
      assert.throws(() => trace(new Empty(), x), /no LSTM, GRU or RNN/);
    });

    test('vanishing gradients: over 60 steps an RNN loses orders of magnitude more than an LSTM', () => {
      // Loss at the last step only; compare ‖∂L/∂h_0‖ / ‖∂L/∂h_{T−1}‖. PyTorch's default init for
      // both; the LSTM with forget-gate bias 1 (f ≈ σ(1) ≈ 0.73) as Keras initialises it.
      // Measured over seeds 1..5: RNN 10^−11.5..10^−18.9, LSTM 10^−5.3..10^−6.2.
      const T = 60, B = 4, I = 4, H = 16;
      for (const seed of [1, 4]) {
        const x = randn([T, B, I], seed);
        const decay = (m: Module): number => {
          const g = trace(m, x, { loss: 'last' }).directions[0]!.gradNorm!;
          return Math.log10(g[0]! / g[T - 1]!);
        };
        const rnn = decay(new RNN({ inputSize: I, hiddenSize: H, seed, dtype: 'float64', backend }));
        const lstm = decay(new LSTM({ inputSize: I, hiddenSize: H, seed, dtype: 'float64', backend, init: { unitForgetBias: true } }));
        assert.ok(lstm > rnn + 3, `seed ${seed}: LSTM decay 10^${lstm.toFixed(1)} vs RNN 10^${rnn.toFixed(1)}`);
        assert.ok(rnn < -6, `seed ${seed}: RNN gradient should vanish, got 10^${rnn.toFixed(1)}`);
      }
    });
  });
}
