/**
 * The BPTT cache a recurrent layer keeps per layer direction, as inspect() shows it, on every
 * backend: each view has its documented shape for the last call (also after a larger call
 * whose buffers are reused), the state slots hold h0/c0 and end at the returned final state,
 * the output is the h slots side by side, and dL/dh_t appears after a backward and is dropped
 * by the next forward.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GRU, LSTM, RNN, Rng, Tensor, type RecurrentBase } from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';

function rand(shape: number[], seed: number): Tensor {
  const r = new Rng(seed), t = Tensor.zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = r.uniform(-1, 1);
  return t;
}

for (const backend of BACKENDS) {
  const makers: Array<[string, () => RecurrentBase]> = [
    ['LSTM with projSize', () => new LSTM({ inputSize: 3, hiddenSize: 5, projSize: 2, numLayers: 2, bidirectional: true, seed: 1, backend })],
    ['GRU', () => new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 2, backend })],
    ['RNN', () => new RNN({ inputSize: 3, hiddenSize: 4, seed: 3, backend })],
  ];
  for (const [name, make] of makers) {
    test(`${name} (${backend}): inspect() shows the cache of the last call, shaped as documented`, () => {
      const l = make(), H = l.hiddenSize, Hout = l.hOut, D = l.numDirections, LD = l.numLayers * D;
      const gates = { lstm: 4, gru: 3, rnn: 1 }[l.mode];
      l.forward(rand([9, 6, 3], 1)); // a larger call first: its buffers are reused below
      l.backward({ dOutput: rand([9, 6, D * Hout], 2) });
      const [T, B] = [4, 3];
      const h0 = rand([LD, B, Hout], 3), c0 = rand([LD, B, H], 4);
      const out = l.forward(rand([T, B, 3], 5), { h0, ...(l.mode === 'lstm' ? { c0 } : {}) });
      const seen = l.inspect();
      assert.equal(seen.T, T);
      assert.equal(seen.B, B);
      assert.equal(seen.directions.length, LD);
      for (const [i, d] of seen.directions.entries()) {
        assert.deepEqual([d.layer, d.reverse], [Math.floor(i / D), i % D === 1]);
        assert.equal(d.gates.length, T * B * gates * H);
        assert.equal(d.h.length, (T + 1) * B * Hout);
        assert.equal(d.c?.length ?? null, l.mode === 'lstm' ? (T + 1) * B * H : null);
        assert.equal(d.dh, null, 'no dL/dh before a backward of this forward');
        // h0 (and c0) in the first slot of the direction (slot 0 forward, slot T reverse), the
        // final state in the other end; the last layer's h slots are the output.
        const [first, last] = d.reverse ? [T, 0] : [0, T];
        const slot = (buf: Float32Array | Float64Array, s: number, w: number) => Array.from(buf.subarray(s * B * w, (s + 1) * B * w));
        assert.deepEqual(slot(d.h, first, Hout), Array.from(h0.data.subarray(i * B * Hout, (i + 1) * B * Hout)));
        assert.deepEqual(slot(d.h, last, Hout), Array.from(out.h.data.subarray(i * B * Hout, (i + 1) * B * Hout)));
        if (d.c) assert.deepEqual(slot(d.c, last, H), Array.from(out.c!.data.subarray(i * B * H, (i + 1) * B * H)));
        if (d.layer === l.numLayers - 1) {
          for (let t = 0; t < T; t++) {
            for (let b = 0; b < B; b++) {
              const s = d.reverse ? t : t + 1, from = (s * B + b) * Hout;
              assert.deepEqual(Array.from(out.output.data.subarray(((t * B + b) * D + (d.reverse ? 1 : 0)) * Hout, ((t * B + b) * D + (d.reverse ? 1 : 0) + 1) * Hout)),
                Array.from(d.h.subarray(from, from + Hout)), `output t ${t} b ${b}`);
            }
          }
        }
      }
      const dOutput = rand([T, B, D * Hout], 6);
      l.backward({ dOutput });
      for (const d of l.inspect().directions) {
        assert.equal(d.dh?.length, T * B * Hout);
        // The last layer's dL/dh_t includes dOutput's share: with no later step and no dh, at
        // the last processed step it is exactly that share.
        if (d.layer === l.numLayers - 1) {
          const t = d.reverse ? 0 : T - 1;
          for (let b = 0; b < B; b++) {
            const at = ((t * B + b) * D + (d.reverse ? 1 : 0)) * Hout;
            assert.deepEqual(Array.from(d.dh!.subarray((t * B + b) * Hout, (t * B + b + 1) * Hout)), Array.from(dOutput.data.subarray(at, at + Hout)));
          }
        }
      }
      l.forward(rand([T, B, 3], 7));
      assert.ok(l.inspect().directions.every((d) => d.dh === null), 'a new forward drops the last backward');
    });
  }
}
