/**
 * Stateful use and initialisation, on every backend: step() streaming equals one forward over
 * the whole sequence; forward in chunks carrying (h, c) equals one forward; the same seed gives
 * the same weights and dropout masks; orthogonal, Glorot and unit-forget-bias initialisers do
 * what they say; PyTorch's default init stays within U(−1/√H, 1/√H).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GRU, LSTM, RNN, Rng, Tensor, type RecurrentBase } from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';

function rand(shape: number[], seed: number): Tensor {
  const r = new Rng(seed), t = Tensor.zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = r.uniform(-1, 1);
  return t;
}

/** Max |a − b| over two equal-shaped tensors. */
function maxDiff(a: Tensor, b: Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

/** Rows [from, to) along axis 0 (time) of a (T, ...) tensor. */
function sliceT(x: Tensor, from: number, to: number): Tensor {
  const row = x.size / x.shape[0]!;
  return new Tensor(x.data.slice(from * row, to * row), [to - from, ...x.shape.slice(1)]);
}

const TOL = 1e-6;

for (const backend of BACKENDS) {
  describe(`stateful use and init on ${backend}`, () => {
    const layers: Array<[string, () => RecurrentBase]> = [
      ['LSTM 2 layers + projection', () => new LSTM({ inputSize: 3, hiddenSize: 5, projSize: 3, numLayers: 2, seed: 1, backend })],
      ['LSTM 2 layers, peepholes', () => new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, peephole: true, seed: 4, backend })],
      ['GRU 2 layers', () => new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 2, backend })],
      ['RNN relu', () => new RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'relu', seed: 3, backend })],
    ];

    for (const [name, make] of layers) {
      test(`${name}: step() streaming equals forward over the whole sequence`, () => {
        const layer = make();
        const T = 6, B = 3;
        const x = rand([T, B, 3], 7);
        const full = layer.forward(x);
        let state: { h?: Tensor; c?: Tensor } = {};
        for (let t = 0; t < T; t++) {
          const r = layer.step(new Tensor(sliceT(x, t, t + 1).data, [B, 3]), state);
          assert.ok(maxDiff(r.output, new Tensor(sliceT(full.output, t, t + 1).data, [B, layer.hOut])) <= TOL, `step ${t}`);
          state = { h: r.h, ...(r.c ? { c: r.c } : {}) };
        }
        assert.ok(maxDiff(state.h!, full.h) <= TOL);
        if (full.c) assert.ok(maxDiff(state.c!, full.c) <= TOL);
      });

      test(`${name}: forward in chunks carrying the state equals one forward`, () => {
        const layer = make();
        const x = rand([7, 2, 3], 8);
        const full = layer.forward(x);
        const a = layer.forward(sliceT(x, 0, 3));
        const b = layer.forward(sliceT(x, 3, 7), { h0: a.h, ...(a.c ? { c0: a.c } : {}) });
        assert.ok(maxDiff(a.output, sliceT(full.output, 0, 3)) <= TOL);
        assert.ok(maxDiff(b.output, sliceT(full.output, 3, 7)) <= TOL);
        assert.ok(maxDiff(b.h, full.h) <= TOL);
        if (full.c) assert.ok(maxDiff(b.c!, full.c) <= TOL);
      });
    }

    test('step() on a batchFirst layer and on an unbatched x_t', () => {
      const l = new LSTM({ inputSize: 3, hiddenSize: 4, batchFirst: true, seed: 4, backend });
      const x = rand([2, 4, 3], 9); // (B, T, I)
      const full = l.forward(x);
      let s: { h?: Tensor; c?: Tensor } = {};
      for (let t = 0; t < 4; t++) {
        const xt = Tensor.zeros([2, 3]);
        for (let b = 0; b < 2; b++) for (let j = 0; j < 3; j++) xt.data[b * 3 + j] = x.data[(b * 4 + t) * 3 + j]!;
        const r = l.step(xt, s);
        for (let b = 0; b < 2; b++) for (let j = 0; j < 4; j++) {
          assert.ok(Math.abs(r.output.data[b * 4 + j]! - full.output.data[(b * 4 + t) * 4 + j]!) <= TOL);
        }
        s = { h: r.h, c: r.c! };
      }
      // Unbatched: x_t (I) gives output (Hout) and states (L·D, H).
      const u = l.step(Tensor.from([0.1, 0.2, 0.3]));
      assert.deepEqual(u.output.shape, [4]);
      assert.deepEqual(u.h.shape, [1, 4]);
    });

    test('the same seed gives identical weights; another seed different ones', () => {
      const mk = (seed: number) => new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed, backend });
      assert.deepEqual(Array.from(mk(11).flat), Array.from(mk(11).flat));
      assert.notDeepEqual(Array.from(mk(11).flat), Array.from(mk(12).flat));
    });

    test('dropout: active only in training, reproducible with the seed', () => {
      const mk = () => new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, dropout: 0.5, seed: 5, backend });
      const x = rand([5, 2, 3], 10);
      const a = mk(), b = mk();
      const ya = a.forward(x).output, yb = b.forward(x).output;
      assert.equal(maxDiff(ya, yb), 0, 'same seed, same masks');
      const evalOut = a.eval().forward(x).output;
      assert.ok(maxDiff(ya, evalOut) > 1e-3, 'dropout changed nothing in training mode');
      const noDrop = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 5, backend }).forward(x).output;
      assert.equal(maxDiff(evalOut, noDrop), 0, 'eval mode must equal dropout 0');
    });

    test('default init is PyTorch\'s U(−1/√H, 1/√H) for every parameter', () => {
      const H = 16, k = 1 / Math.sqrt(H);
      const l = new LSTM({ inputSize: 3, hiddenSize: H, seed: 6, backend });
      for (const { name, value } of l.parameters()) {
        const v = Array.from(value.data);
        assert.ok(v.every((w) => Math.abs(w) <= k), `${name} outside ±${k}`);
        assert.ok(Math.max(...v.map(Math.abs)) > 0.8 * k, `${name} does not spread over ±${k}`);
      }
    });

    test('orthogonal recurrent init: each gate block has orthonormal rows (or columns with projection)', () => {
      for (const [H, P] of [[4, 0], [5, 3]] as const) {
        const l = new LSTM({ inputSize: 3, hiddenSize: H, projSize: P, seed: 7, backend, init: { weightHh: 'orthogonal' } });
        const W = l.stateDict().weight_hh_l0!; // (4H, Hout)
        const Hout = P || H;
        for (let g = 0; g < 4; g++) {
          // Gram matrix of the short side must be the identity.
          const [n, len] = H <= Hout ? [H, Hout] : [Hout, H];
          const at = (i: number, j: number) => (H <= Hout ? W.data[(g * H + i) * Hout + j]! : W.data[(g * H + j) * Hout + i]!);
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
            let dot = 0;
            for (let m = 0; m < len; m++) dot += at(i, m) * at(j, m);
            assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-5, `H=${H} P=${P} gate ${g}: <${i},${j}> = ${dot}`);
          }
        }
      }
    });

    test('Glorot input weights and unit forget bias', () => {
      const I = 3, H = 16, lim = Math.sqrt(6 / (I + 4 * H));
      const l = new LSTM({ inputSize: I, hiddenSize: H, seed: 8, backend, init: { weightIh: 'glorot', unitForgetBias: true } });
      const sd = l.stateDict();
      const w = Array.from(sd.weight_ih_l0!.data);
      assert.ok(w.every((v) => Math.abs(v) <= lim));
      assert.ok(w.some((v) => Math.abs(v) > 1 / Math.sqrt(H)), 'weights stay within the default range: glorot not applied');
      const bih = Array.from(sd.bias_ih_l0!.data), bhh = Array.from(sd.bias_hh_l0!.data);
      bih.forEach((v, i) => assert.equal(v, i >= H && i < 2 * H ? 1 : 0, `bias_ih[${i}]`));
      assert.ok(bhh.every((v) => v === 0));
      assert.throws(() => new GRU({ inputSize: 3, hiddenSize: 4, backend, init: { unitForgetBias: true } }), /unitForgetBias is for LSTM only/);
    });
  });
}
