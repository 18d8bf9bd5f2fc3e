/**
 * The gate-order table (src/io/gate-order.ts), checked on blocks labelled by hand: each format's
 * order as its own documentation writes it (torch.nn.LSTM/GRU, onnx Operators.md, Keras cells).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatePermutation, peepholePermutation, reorderGates } from '../../src/io/gate-order.js';

/** Blocks of H = 2 rows, one column, labelled 10·block + row. */
const blocks = (G: number): number[] => Array.from({ length: G * 2 }, (_, i) => 10 * Math.floor(i / 2) + (i % 2));
const move = (v: number[], G: number, perm: number[]): number[] => [...reorderGates(v, 0, G, 2, 1, perm)];

test('LSTM: ONNX i,o,f,c ↔ torch i,f,g,o; Keras i,f,c,o is torch order', () => {
  // ONNX blocks 0..3 are i, o, f, c: torch i, f, g, o takes ONNX 0, 2, 3, 1.
  assert.deepEqual(move(blocks(4), 4, gatePermutation('lstm', 'onnx', 'torch')), [0, 1, 20, 21, 30, 31, 10, 11]);
  // torch blocks 0..3 are i, f, g, o: ONNX i, o, f, c takes torch 0, 3, 1, 2.
  assert.deepEqual(move(blocks(4), 4, gatePermutation('lstm', 'torch', 'onnx')), [0, 1, 30, 31, 10, 11, 20, 21]);
  assert.deepEqual(gatePermutation('lstm', 'keras', 'torch'), [0, 1, 2, 3]);
  assert.deepEqual(gatePermutation('lstm', 'onnx', 'keras'), [0, 2, 3, 1]);
});

test('GRU: ONNX and Keras z,r,h ↔ torch r,z,n; RNN has one block', () => {
  assert.deepEqual(move(blocks(3), 3, gatePermutation('gru', 'keras', 'torch')), [10, 11, 0, 1, 20, 21]);
  assert.deepEqual(gatePermutation('gru', 'onnx', 'torch'), [1, 0, 2]);
  assert.deepEqual(gatePermutation('gru', 'torch', 'onnx'), [1, 0, 2]);
  assert.deepEqual(gatePermutation('gru', 'onnx', 'keras'), [0, 1, 2]);
  assert.deepEqual(gatePermutation('rnn', 'onnx', 'torch'), [0]);
});

test('peepholes: ONNX P_i, P_o, P_f ↔ torch p_i, p_f, p_o; round trips are the identity', () => {
  assert.deepEqual(move(blocks(3), 3, peepholePermutation('onnx', 'torch')), [0, 1, 20, 21, 10, 11]);
  for (const mode of ['lstm', 'gru', 'rnn'] as const) {
    for (const [a, b] of [['torch', 'onnx'], ['torch', 'keras'], ['onnx', 'keras']] as const) {
      const G = mode === 'lstm' ? 4 : mode === 'gru' ? 3 : 1;
      const there = move(blocks(G), G, gatePermutation(mode, a, b));
      assert.deepEqual(move(there, G, gatePermutation(mode, b, a)), blocks(G), `${mode} ${a} → ${b} → ${a}`);
    }
  }
});
