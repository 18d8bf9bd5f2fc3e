/**
 * stateDict / loadStateDict on every backend: PyTorch names in PyTorch's order, plain
 * `{ shape, data }` objects accepted, values copied (not aliased), and a loaded layer computes
 * exactly what the original does.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LSTM, Rng, Tensor } from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';

for (const backend of BACKENDS) {
  describe(`stateDict on ${backend}`, () => {
    test('names and shapes follow torch.nn.LSTM (order within each layer/direction: w_ih, w_hh, b_ih, b_hh, w_hr)', () => {
      const l = new LSTM({ inputSize: 3, hiddenSize: 5, projSize: 2, numLayers: 2, bidirectional: true, backend });
      const sd = l.stateDict();
      assert.deepEqual(Object.keys(sd).slice(0, 10), [
        'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_hr_l0',
        'weight_ih_l0_reverse', 'weight_hh_l0_reverse', 'bias_ih_l0_reverse', 'bias_hh_l0_reverse', 'weight_hr_l0_reverse',
      ]);
      assert.deepEqual(sd.weight_ih_l0!.shape, [20, 3]);
      assert.deepEqual(sd.weight_hh_l0!.shape, [20, 2]);
      assert.deepEqual(sd.weight_hr_l0!.shape, [2, 5]);
      assert.deepEqual(sd.weight_ih_l1!.shape, [20, 4]); // input of layer 1 = D·projSize
      assert.equal(Object.keys(sd).length, 20);
    });

    test('plain { shape, data } objects load, values are copied, outputs identical', () => {
      const a = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 1, backend });
      const b = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 2, backend });
      const plain: Record<string, { shape: number[]; data: number[] }> = {};
      for (const [k, t] of Object.entries(a.stateDict())) plain[k] = { shape: [...t.shape], data: Array.from(t.data) };
      b.loadStateDict(plain);
      plain.weight_ih_l0!.data[0] = 123; // no aliasing
      const r = new Rng(3), x = Tensor.zeros([4, 2, 3]);
      for (let i = 0; i < x.size; i++) x.data[i] = r.uniform(-1, 1);
      assert.deepEqual(Array.from(b.forward(x).output.data), Array.from(a.forward(x).output.data));
    });

    test('a { shape, data } object whose data length disagrees with its shape is refused', () => {
      const l = new LSTM({ inputSize: 1, hiddenSize: 1, backend });
      const sd = Object.fromEntries(Object.entries(l.stateDict()).map(([k, t]) => [k, { shape: t.shape, data: Array.from(t.data) }]));
      sd.bias_hh_l0!.data.pop();
      assert.throws(() => l.loadStateDict(sd), /wrong shape: bias_hh_l0/);
    });
  });
}
