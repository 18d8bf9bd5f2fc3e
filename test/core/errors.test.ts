/**
 * Clear errors for bad calls: each names the problem with the expected and the found shape or
 * value, on every backend.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GRU, LSTM, RNN, Tensor } from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';

for (const backend of BACKENDS) {
  describe(`errors on ${backend}`, () => {
    const lstm = (o: Record<string, unknown> = {}) => new LSTM({ inputSize: 3, hiddenSize: 4, backend, ...o });

    test('wrong input shape names expected and found shapes', () => {
      const l = lstm();
      assert.throws(() => l.forward(Tensor.zeros([5, 2, 4])), /LSTM\.forward: input must be \(T, B, 3\).*got \[5, 2, 4\]/);
      assert.throws(() => l.forward(Tensor.zeros([1, 5, 2, 3])), /LSTM\.forward: input must be 3-D \(T, B, I\) or 2-D \(T, I\), got \[1, 5, 2, 3\]/);
      assert.throws(() => l.forward(Tensor.zeros([0, 2, 3])), /T, B ≥ 1, got \[0, 2, 3\]/);
      assert.throws(() => lstm({ batchFirst: true }).forward(Tensor.zeros([2, 5, 2])), /input must be \(B, T, 3\)/);
      assert.throws(() => l.forward([[1, 2, 3]] as never), /input must be a Tensor/);
    });

    test('wrong h0 / c0 shapes name expected and found shapes', () => {
      const l = lstm({ numLayers: 2, bidirectional: true, projSize: 2 });
      const x = Tensor.zeros([5, 3, 3]);
      // h0 is (L·D, B, Hout) = (4, 3, 2); c0 is (L·D, B, H) = (4, 3, 4)
      assert.throws(() => l.forward(x, { h0: Tensor.zeros([4, 3, 4]) }), /h0 must have shape \[4, 3, 2\], got \[4, 3, 4\]/);
      assert.throws(() => l.forward(x, { h0: Tensor.zeros([4, 3, 2]), c0: Tensor.zeros([2, 3, 4]) }), /c0 must have shape \[4, 3, 4\], got \[2, 3, 4\]/);
      assert.throws(() => new GRU({ inputSize: 3, hiddenSize: 4, backend }).forward(x, { c0: Tensor.zeros([1, 3, 4]) }), /c0 is only for LSTM/);
      assert.throws(() => new RNN({ inputSize: 3, hiddenSize: 4, backend }).forward(x, { h0: Tensor.zeros([1, 4, 4]) }), /RNN\.forward: h0 must have shape \[1, 3, 4\], got \[1, 4, 4\]/);
    });

    test('lengths out of range or of the wrong count', () => {
      const l = lstm();
      const x = Tensor.zeros([5, 3, 3]);
      assert.throws(() => l.forward(x, { lengths: [5, 2] }), /lengths must have one entry per batch item \(3\), got 2/);
      assert.throws(() => l.forward(x, { lengths: [5, 0, 2] }), /lengths\[1\] = 0 is out of range: must be an integer in 1\.\.5/);
      assert.throws(() => l.forward(x, { lengths: [5, 6, 2] }), /lengths\[1\] = 6 is out of range/);
      assert.throws(() => l.forward(x, { lengths: [5, 2.5, 2] }), /lengths\[1\] = 2\.5 is out of range/);
    });

    test('backward before forward, and a wrong dOutput shape', () => {
      const l = lstm();
      assert.throws(() => l.backward({}), /LSTM\.backward: call forward first/);
      l.forward(Tensor.zeros([5, 2, 3]));
      assert.throws(() => l.backward({ dOutput: Tensor.zeros([5, 2, 3]) }), /dOutput must have shape \[5, 2, 4\], got \[5, 2, 3\]/);
      assert.throws(() => l.backward({ dh: Tensor.zeros([1, 3, 4]) }), /dh must have shape \[1, 2, 4\], got \[1, 3, 4\]/);
    });

    test('loadStateDict lists every missing, unexpected and mis-shaped entry in one message', () => {
      const l = lstm({ numLayers: 2 });
      const sd = l.stateDict();
      const bad: Record<string, Tensor> = { ...sd };
      delete bad.bias_hh_l1;
      delete bad.weight_ih_l0;
      bad.weight_hh_l1 = Tensor.zeros([16, 3]);
      bad.extra_weight = Tensor.zeros([2]);
      bad['lstm.weight_ih_l0'] = Tensor.zeros([16, 3]);
      const before = Float64Array.from(l.flat);
      let msg = '';
      try {
        l.loadStateDict(bad);
      } catch (e) {
        msg = (e as Error).message;
      }
      assert.match(msg, /missing: weight_ih_l0, bias_hh_l1/);
      assert.match(msg, /unexpected: .*extra_weight/);
      assert.match(msg, /unexpected: .*lstm\.weight_ih_l0/);
      assert.match(msg, /wrong shape: weight_hh_l1 \(expected \[16, 4\], found \[16, 3\]\)/);
      // nothing was half-loaded
      assert.deepEqual(Float64Array.from(l.flat), before);
    });

    test('invalid options are refused with the option named', () => {
      assert.throws(() => lstm({ hiddenSize: 0 }), /hiddenSize must be an integer ≥ 1, got 0/);
      assert.throws(() => lstm({ projSize: 4 }), /projSize \(4\) must be smaller than hiddenSize \(4\)/);
      assert.throws(() => lstm({ dropout: 1 }), /dropout must be in \[0, 1\)/);
      assert.throws(() => new GRU({ inputSize: 3, hiddenSize: 4, projSize: 2, backend } as never), /projSize is only supported by LSTM/);
      assert.throws(() => new RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'sigmoid' as never, backend }), /nonlinearity must be 'tanh' or 'relu'/);
      assert.throws(() => lstm({ bidirectional: true }).step(Tensor.zeros([2, 3])), /bidirectional layer needs the whole sequence/);
    });
  });
}
