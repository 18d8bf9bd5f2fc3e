/**
 * Sequential on every backend: parameter names and the one flat buffer, shape checks, config
 * round trip, and float64 finite-difference gradient checks of whole models with each loss,
 * including padded batches (lengths) and an Embedding language model.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Dense, Dropout, Embedding, GRU, LSTM, LastStep, RNN, Rng, Sequential, Tensor,
  bce, crossEntropy, huber, mae, mse, pinball, stepMask, type Loss,
} from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { centralDiff, randomTensor } from '../helpers/gradcheck.js';

/**
 * Max relative error of d(loss)/d(flat params) against central differences. The denominator is
 * floored at 1e-4 so that gradients near zero are compared absolutely (central differences in
 * float64 with eps 1e-6 carry ~1e-10 of rounding noise).
 */
function modelGradCheck(model: Sequential, x: Tensor, y: Tensor, loss: Loss, lengths: number[] | null, eps = 1e-6): { err: number; where: string } {
  const L = (): number => {
    const p = model.forward(x, { lengths });
    return loss.forward(p, y, stepMask(p, lengths));
  };
  model.zeroGrad();
  L();
  model.backward(loss.backward());
  const g = Float64Array.from(model.flatGrad);
  const w = model.flat;
  let err = 0, where = '';
  const names = model.namedParameters();
  for (let i = 0; i < w.length; i++) {
    const num = centralDiff(L, w, i, eps);
    const rel = Math.abs(g[i]! - num) / Math.max(1e-4, Math.abs(g[i]!) + Math.abs(num));
    if (rel > err) {
      err = rel;
      const owner = names.find(([, p, m]) => m.flat === w && i >= p.offset && i < p.offset + p.size);
      where = `${owner?.[0]}[${i - (owner?.[1].offset ?? 0)}]: analytic ${g[i]}, numeric ${num}`;
    }
  }
  return { err, where };
}

for (const backend of BACKENDS) {
  const f64 = { dtype: 'float64' as const, backend };
  describe(`Sequential on ${backend}`, () => {
    test('parameter names, one flat buffer shared by every layer, config round trip', () => {
      const m = new Sequential([
        ['lstm', new LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: true, backend })],
        ['last', new LastStep({ backend })],
        ['fc', new Dense({ inputSize: 3, outputSize: 1, backend })],
      ]);
      assert.deepEqual(Object.keys(m.stateDict()), ['lstm.weight_ih_l0', 'lstm.weight_hh_l0', 'lstm.bias_ih_l0', 'lstm.bias_hh_l0', 'fc.weight', 'fc.bias']);
      assert.equal(m.numParameters(), 4 * 3 * 2 + 4 * 3 * 3 + 2 * 12 + 3 + 1);
      for (const l of m.layers) if (l.numParameters() > 0) assert.equal(l.flat, m.flat);
      const m2 = Sequential.fromConfig(JSON.parse(JSON.stringify(m.config())), { backend });
      assert.deepEqual(m2.config(), m.config());
      m2.loadStateDict(m.stateDict());
      const x = randomTensor([2, 5, 2], new Rng(1));
      assert.deepEqual(Array.from(m2.forward(x).data), Array.from(m.forward(x).data));
    });

    test('clear errors for wrong shapes and mismatched layers', () => {
      assert.throws(() => new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3, backend }), new Dense({ inputSize: 4, outputSize: 1, backend })]),
        /layer "1": Dense expects 4 input features, the previous layer gives 3/);
      const m = new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3, backend }), new LastStep({ backend })]);
      assert.throws(() => m.forward(Tensor.zeros([2, 5, 3])), /x must have 2 features/);
      assert.throws(() => m.forward(Tensor.zeros([2, 5, 2]), { lengths: [5, 6] }), /lengths\[1\] = 6 is out of range/);
    });

    test('many-to-one LSTM with lengths: padding does not change the output', () => {
      const m = new Sequential([new LSTM({ inputSize: 1, hiddenSize: 4, ...f64 }), new LastStep(f64), new Dense({ inputSize: 4, outputSize: 1, ...f64 })]);
      const rng = new Rng(2);
      const x = randomTensor([2, 6, 1], rng);
      const short = new Tensor(x.data.slice(0, 4), [1, 4, 1]);
      const full = m.forward(x, { lengths: [4, 6] });
      const alone = m.forward(short);
      assert.equal(full.data[0], alone.data[0]);
      x.data[4] = 1e3; // change the padding of row 0
      assert.equal(m.forward(x, { lengths: [4, 6] }).data[0], alone.data[0]);
    });

    const cases: Array<{ name: string; build: () => Sequential; x: () => Tensor; y: (p: Tensor, rng: Rng) => Tensor; loss: () => Loss; lengths: number[] | null }> = [
      {
        name: 'LSTM → LastStep → Dense(tanh) → Dense, mse',
        build: () => new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3, ...f64, seed: 1 }), new LastStep(f64), new Dense({ inputSize: 3, outputSize: 4, activation: 'tanh', ...f64 }), new Dense({ inputSize: 4, outputSize: 2, ...f64, seed: 3 })]),
        x: () => randomTensor([3, 4, 2], new Rng(7)), y: (p, r) => randomTensor(p.shape, r), loss: mse, lengths: [4, 2, 3],
      },
      {
        name: 'GRU(2 layers) per-step → Dense, mae, lengths masked',
        build: () => new Sequential([new GRU({ inputSize: 2, hiddenSize: 3, numLayers: 2, ...f64, seed: 2 }), new Dense({ inputSize: 3, outputSize: 1, ...f64 })]),
        x: () => randomTensor([2, 4, 2], new Rng(8)), y: (p, r) => randomTensor(p.shape, r), loss: mae, lengths: [4, 3],
      },
      {
        name: 'bidirectional RNN → LastStep → Dense, huber(0.5)',
        build: () => new Sequential([new RNN({ inputSize: 2, hiddenSize: 3, bidirectional: true, ...f64, seed: 3 }), new LastStep(f64), new Dense({ inputSize: 6, outputSize: 2, ...f64 })]),
        x: () => randomTensor([3, 3, 2], new Rng(9)), y: (p, r) => randomTensor(p.shape, r, 2), loss: () => huber({ delta: 0.5 }), lengths: null,
      },
      {
        name: 'LSTM → LastStep → Dense(2 steps × 3 quantiles), pinball',
        build: () => new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3, ...f64, seed: 7 }), new LastStep(f64), new Dense({ inputSize: 3, outputSize: 6, ...f64 })]),
        x: () => randomTensor([4, 3, 2], new Rng(13)), y: (p, r) => randomTensor([p.shape[0]!, 2], r, 2), loss: () => pinball({ quantiles: [0.1, 0.5, 0.95] }), lengths: [3, 2, 3, 1],
      },
      {
        name: 'LSTM classifier, cross-entropy over 3 classes',
        build: () => new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3, ...f64, seed: 4 }), new LastStep(f64), new Dense({ inputSize: 3, outputSize: 3, ...f64 })], { task: 'classification' }),
        x: () => randomTensor([4, 3, 2], new Rng(10)), y: () => Tensor.from([0, 2, 1, 2], [4], 'float64'), loss: () => crossEntropy(), lengths: [3, 1, 2, 3],
      },
      {
        name: 'binary classifier, bce from logits',
        build: () => new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3, ...f64, seed: 5 }), new LastStep(f64), new Dense({ inputSize: 3, outputSize: 1, ...f64 })], { task: 'classification' }),
        x: () => randomTensor([4, 3, 2], new Rng(11)), y: () => Tensor.from([0, 1, 1, 0], [4, 1], 'float64'), loss: () => bce(), lengths: null,
      },
      {
        name: 'bce from probabilities (Dense sigmoid)',
        build: () => new Sequential([new Dense({ inputSize: 3, outputSize: 2, activation: 'sigmoid', ...f64 })]),
        x: () => randomTensor([4, 3], new Rng(12)), y: () => Tensor.from([0, 1, 1, 0, 1, 1, 0, 0], [4, 2], 'float64'), loss: () => bce({ fromLogits: false }), lengths: null,
      },
      {
        name: 'Embedding → LSTM → Dropout(eval) → Dense language model, cross-entropy with padding ignored',
        build: () => new Sequential([new Embedding({ numEmbeddings: 6, embeddingDim: 3, paddingIdx: 0, ...f64 }), new LSTM({ inputSize: 3, hiddenSize: 4, ...f64, seed: 6 }), new Dropout({ p: 0.5, ...f64 }), new Dense({ inputSize: 4, outputSize: 6, ...f64 })], { task: 'language-model' }),
        x: () => Tensor.from([[1, 2, 3, 4], [5, 1, 0, 0]], undefined, 'float64'), y: () => Tensor.from([[2, 3, 4, 5], [1, 2, -100, -100]], undefined, 'float64'), loss: () => crossEntropy(), lengths: [4, 2],
      },
    ];
    for (const c of cases) {
      test(`gradient check: ${c.name}`, () => {
        const m = c.build();
        if (c.name.includes('Dropout(eval)')) m.eval(); else m.train();
        const x = c.x();
        const y = c.y(m.forward(x, { lengths: c.lengths }), new Rng(99));
        const { err, where } = modelGradCheck(m, x, y, c.loss(), c.lengths);
        assert.ok(err < 1e-5, `max relative error ${err} at ${where}`);
      });
    }

    test('gradient check with Dropout in training (the same mask is reused via a fixed RNG state)', () => {
      const drop = new Dropout({ p: 0.4, seed: 3, ...f64 });
      const m = new Sequential([new Dense({ inputSize: 3, outputSize: 5, activation: 'tanh', ...f64 }), drop, new Dense({ inputSize: 5, outputSize: 1, ...f64 })]);
      const x = randomTensor([4, 3], new Rng(1)), y = randomTensor([4, 1], new Rng(2));
      const state = drop.rng.getState();
      const loss = mse();
      const L = (): number => {
        drop.rng.setState(state);
        return loss.forward(m.forward(x), y);
      };
      m.zeroGrad();
      L();
      m.backward(loss.backward());
      const g = Float64Array.from(m.flatGrad);
      let err = 0;
      for (let i = 0; i < m.flat.length; i++) {
        const old = m.flat[i]!;
        m.flat[i] = old + 1e-6;
        const lp = L();
        m.flat[i] = old - 1e-6;
        const lm = L();
        m.flat[i] = old;
        const num = (lp - lm) / 2e-6;
        err = Math.max(err, Math.abs(g[i]! - num) / Math.max(1e-4, Math.abs(g[i]!) + Math.abs(num)));
      }
      assert.ok(err < 1e-5, `max relative error ${err}`);
    });
  });
}
