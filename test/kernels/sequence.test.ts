/**
 * The WebAssembly backend's whole-sequence LSTM kernels (src/kernels/wasm/assembly/sequence.ts:
 * lstmSequenceForward, input projection included, and lstmSequenceBackward) against the
 * reference backend's per-step kernels, through the LSTM layer: outputs, final states, input and state gradients and every
 * parameter gradient, on shapes that take each path (split by hidden units for batch 1..3,
 * by rows above; one thread, two, three) and miss the block sizes (H not a multiple of 4 or
 * 8, H > 256 so the products run in two K blocks, batches that leave a partial group of 4
 * rows), forward and reverse directions, with and without lengths. Then: one, two and three
 * threads give bit-identical results.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../helpers/backends.js';
import { LSTM } from '../../src/nn/recurrent.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Rng } from '../../src/tensor/rng.js';
import { backendByName, registerBackend, listBackends, type Backend } from '../../src/kernels/index.js';

interface Case { B: number; H: number; T: number; I: number; bidirectional?: boolean; lengths?: boolean; layers?: number; bias?: boolean }

const CASES: Case[] = [
  { B: 1, H: 1, T: 3, I: 2 },
  { B: 1, H: 13, T: 5, I: 3, lengths: true },
  { B: 1, H: 130, T: 4, I: 5, bidirectional: true }, // split by units over threads, a partial group of 8
  { B: 2, H: 64, T: 3, I: 4, lengths: true, bidirectional: true },
  { B: 3, H: 37, T: 6, I: 3 },
  { B: 5, H: 3, T: 7, I: 2, lengths: true, bidirectional: true },
  { B: 5, H: 300, T: 2, I: 7 }, // K = H and 4H above the 256-deep block
  { B: 8, H: 8, T: 4, I: 8 },
  { B: 13, H: 33, T: 5, I: 6, lengths: true, bidirectional: true }, // rows: a partial group of 4
  { B: 16, H: 17, T: 3, I: 1, lengths: true },
  { B: 6, H: 9, T: 4, I: 5, layers: 2, bidirectional: true, bias: false }, // stacked: layer 2 reads layer 1's output
  { B: 2, H: 10, T: 3, I: 4, layers: 2, bias: false },
];

/** |got − want| ≤ atol + rtol·|want|, reporting the worst element. */
function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rtol = 2e-5, atol = 2e-6): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    assert.ok(d <= atol + rtol * Math.abs(want[i]!), `${what}[${i}]: ${got[i]} vs reference ${want[i]}`);
  }
}

/** Forward + backward of one case on a backend; everything a caller can observe. */
function run(c: Case, backend: string): Record<string, Float32Array> {
  const rng = new Rng(7 + c.B * 131 + c.H);
  const lstm = new LSTM({ inputSize: c.I, hiddenSize: c.H, bidirectional: c.bidirectional, numLayers: c.layers ?? 1, bias: c.bias ?? true,
    batchFirst: true, seed: 3, backend });
  const D = c.bidirectional ? 2 : 1, LD = (c.layers ?? 1) * D;
  const rand = (shape: number[], s = 1): Tensor => {
    const n = shape.reduce((a, b) => a * b, 1);
    return new Tensor(Float32Array.from({ length: n }, () => rng.uniform(-s, s)), shape);
  };
  const x = rand([c.B, c.T, c.I], 2);
  const h0 = rand([LD, c.B, c.H]), c0 = rand([LD, c.B, c.H]);
  const lengths = c.lengths ? Array.from({ length: c.B }, () => 1 + rng.int(c.T)) : undefined;
  const r = lstm.forward(x, { h0, c0, lengths });
  const g = lstm.backward({ dOutput: rand([c.B, c.T, D * c.H]), dh: rand([LD, c.B, c.H]), dc: rand([LD, c.B, c.H]) });
  return {
    output: r.output.data as Float32Array, h: r.h.data as Float32Array, c: r.c!.data as Float32Array,
    dInput: g.dInput.data as Float32Array, dh0: g.dh0.data as Float32Array, dc0: g.dc0!.data as Float32Array,
    grads: Float32Array.from(lstm.flatGrad),
  };
}

/** Count the calls of the fused loops on a backend instance (and still run them). */
function spy(be: Backend): { fwd: number; bwd: number } {
  const n = { fwd: 0, bwd: 0 };
  const f = be.lstmSequenceForward!.bind(be), b = be.lstmSequenceBackward!.bind(be);
  be.lstmSequenceForward = (...a) => { n.fwd++; return f(...a); };
  be.lstmSequenceBackward = (...a) => { n.bwd++; return b(...a); };
  return n;
}

if (BACKENDS.includes('wasm')) {
  describe('wasm whole-sequence LSTM kernels vs the reference per-step kernels', () => {
    const names = ['wasm-1t', 'wasm-2t', 'wasm-3t'];
    const calls: Record<string, { fwd: number; bwd: number }> = {};
    before(async () => {
      const wasm = await import('../../src/kernels/wasm/index.js');
      for (const t of [2, 3]) if (!listBackends().includes(`wasm-${t}t`)) registerBackend(`wasm-${t}t`, () => wasm.createWasmBackend({ threads: t }));
      await wasm.wasmThreadsReady(3);
      for (const n of names) calls[n] = spy(backendByName(n));
    });

    for (const c of CASES) {
      const label = `B ${c.B}, H ${c.H}, T ${c.T}, I ${c.I}${c.layers ? `, ${c.layers} layers` : ''}${c.bidirectional ? ', bidirectional' : ''}${c.lengths ? ', lengths' : ''}${c.bias === false ? ', no bias' : ''}`;
      test(label, () => {
        const want = run(c, 'reference');
        const got = names.map((n) => {
          const before = { ...calls[n]! };
          const r = run(c, n);
          const D = (c.bidirectional ? 2 : 1) * (c.layers ?? 1);
          assert.equal(calls[n]!.fwd - before.fwd, D, `${n}: the fused forward ran once per layer and direction`);
          assert.equal(calls[n]!.bwd - before.bwd, D, `${n}: the fused backward ran once per layer and direction`);
          return r;
        });
        for (const k of Object.keys(want)) close(got[0]![k]!, want[k]!, `wasm-1t ${k}`);
        // Bit-identical whatever the thread count.
        for (let i = 1; i < names.length; i++) {
          for (const k of Object.keys(want)) assert.deepEqual(got[i]![k], got[0]![k], `${names[i]} ${k} equals wasm-1t's`);
        }
      });
    }

    test('float64 layers keep the per-step kernels (the fused loops are float32 only)', () => {
      const be = backendByName('wasm-1t');
      const before = calls['wasm-1t']!.fwd;
      const f64 = (n: number) => be.alloc(n, 'float64');
      assert.equal(be.lstmSequenceForward!(f64(1), 0, 1, f64(4), 0, f64(2), 0, f64(2), 0, f64(8), 0, 4, -1, -1, 1, 1, 1, null, false), false);
      const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, dtype: 'float64', backend: 'wasm-1t' });
      lstm.forward(new Tensor(new Float64Array(2 * 1 * 2), [2, 1, 2]));
      assert.equal(calls['wasm-1t']!.fwd - before, 2, 'called (and declined) for the float64 layer too');
    });
  });
}
