/**
 * The WebAssembly backend's whole-sequence kernels (src/kernels/wasm/assembly/sequence.ts:
 * sequenceForward, input projection included, and sequenceBackward) against the reference
 * backend's per-step kernels, through the layers: LSTM, LSTM with projSize, GRU, RNN tanh and
 * RNN relu. Compared: outputs, final states, input and state gradients and every parameter
 * gradient, on shapes that take each path (split by hidden units for batch 1..3, by rows
 * above; one thread, two, three) and miss the block sizes (H not a multiple of 4, 6 or 8,
 * H > 256 so the products run in two K blocks, an LSTM or RNN step's one product
 * [x_t, h_{t−1}, 1]·[W_ih, W_hh, b]ᵀ over K = I + Hout (+ 1) in one block or two, batches that leave a partial group of 4 rows),
 * forward and reverse directions, stacked layers, no bias, with and without lengths. Each
 * case asserts the fused loops ran (once per layer and direction, forward and backward), and
 * that one, two and three threads give bit-identical results.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../helpers/backends.js';
import { GRU, LSTM, RNN, type RecurrentBase } from '../../src/nn/recurrent.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Rng } from '../../src/tensor/rng.js';
import { backendByName, registerBackend, listBackends, type Backend } from '../../src/kernels/index.js';

interface Shape { B: number; H: number; T: number; I: number; bidirectional?: boolean; lengths?: boolean; layers?: number; bias?: boolean }

const SHAPES: Shape[] = [
  { B: 1, H: 1, T: 3, I: 2 },
  { B: 1, H: 13, T: 5, I: 3, lengths: true },
  { B: 1, H: 130, T: 4, I: 5, bidirectional: true }, // split by units over threads, a partial group of 8
  { B: 2, H: 64, T: 3, I: 4, lengths: true, bidirectional: true },
  { B: 3, H: 37, T: 6, I: 3 },
  { B: 5, H: 3, T: 7, I: 2, lengths: true, bidirectional: true },
  { B: 5, H: 300, T: 2, I: 7 }, // K = H and G·H above the 256-deep block
  { B: 4, H: 600, T: 2, I: 7, lengths: true }, // a step's K = I + H + 1 = 608: two blocks of [x_t, h_{t−1}, 1]
  { B: 5, H: 510, T: 2, I: 2, bias: false }, // K = I + H = 512 without the bias row: one block, exactly full
  { B: 8, H: 8, T: 4, I: 8 },
  { B: 13, H: 33, T: 5, I: 6, lengths: true, bidirectional: true }, // rows: a partial group of 4
  { B: 16, H: 17, T: 3, I: 1, lengths: true },
  { B: 6, H: 9, T: 4, I: 5, layers: 2, bidirectional: true, bias: false }, // stacked: layer 2 reads layer 1's output
  { B: 2, H: 10, T: 3, I: 4, layers: 2, bias: false, lengths: true },
];

/** The layers under test: each builds a layer of the shape on a backend. */
type Kind = { name: string; hOut(H: number): number; make(s: Shape, backend: string): RecurrentBase; skip?(s: Shape): boolean };
const common = (s: Shape, backend: string) => ({
  inputSize: s.I, hiddenSize: s.H, bidirectional: s.bidirectional, numLayers: s.layers ?? 1, bias: s.bias ?? true,
  batchFirst: true, seed: 3, backend,
});
/** projSize for hidden size H: about a third of it, so Hout is not a multiple of 4, 6 or 8 on most shapes. */
const proj = (H: number): number => Math.max(1, Math.round(H / 3));
const KINDS: Kind[] = [
  { name: 'LSTM', hOut: (H) => H, make: (s, be) => new LSTM(common(s, be)) },
  { name: 'LSTM projSize', hOut: proj, make: (s, be) => new LSTM({ ...common(s, be), projSize: proj(s.H) }), skip: (s) => s.H < 2 },
  { name: 'GRU', hOut: (H) => H, make: (s, be) => new GRU(common(s, be)) },
  { name: 'RNN tanh', hOut: (H) => H, make: (s, be) => new RNN(common(s, be)) },
  { name: 'RNN relu', hOut: (H) => H, make: (s, be) => new RNN({ ...common(s, be), nonlinearity: 'relu' }) },
];

/** |got − want| ≤ atol + rtol·|want|, reporting the worst element. */
function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rtol = 2e-5, atol = 2e-6): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let worst = -1, worstErr = 0;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!) - rtol * Math.abs(want[i]!);
    if (err > worstErr) [worst, worstErr] = [i, err];
  }
  assert.ok(worstErr <= atol, `${what}[${worst}]: ${got[worst]} vs reference ${want[worst]}`);
}

/** Forward + backward of one case on a backend; everything a caller can observe. */
function run(kind: Kind, s: Shape, backend: string): Record<string, Float32Array> {
  const rng = new Rng(7 + s.B * 131 + s.H);
  const layer = kind.make(s, backend);
  const lstm = layer.mode === 'lstm';
  const D = s.bidirectional ? 2 : 1, LD = (s.layers ?? 1) * D, Hout = kind.hOut(s.H);
  const rand = (shape: number[], scale = 1): Tensor => {
    const n = shape.reduce((a, b) => a * b, 1);
    return new Tensor(Float32Array.from({ length: n }, () => rng.uniform(-scale, scale)), shape);
  };
  const x = rand([s.B, s.T, s.I], 2);
  const h0 = rand([LD, s.B, Hout]), c0 = lstm ? rand([LD, s.B, s.H]) : undefined;
  const lengths = s.lengths ? Array.from({ length: s.B }, () => 1 + rng.int(s.T)) : undefined;
  const r = layer.forward(x, { h0, c0, lengths });
  const g = layer.backward({ dOutput: rand([s.B, s.T, D * Hout]), dh: rand([LD, s.B, Hout]), dc: lstm ? rand([LD, s.B, s.H]) : undefined });
  const out: Record<string, Float32Array> = {
    output: r.output.data as Float32Array, h: r.h.data as Float32Array,
    dInput: g.dInput.data as Float32Array, dh0: g.dh0.data as Float32Array,
    grads: Float32Array.from(layer.flatGrad),
  };
  if (lstm) Object.assign(out, { c: r.c!.data as Float32Array, dc0: g.dc0!.data as Float32Array });
  return out;
}

/** Count the calls of the fused loops on a backend instance, and how many of them ran (returned true). */
type Calls = { fwd: number; bwd: number; fwdRan: number; bwdRan: number };
function spy(be: Backend): Calls {
  const n = { fwd: 0, bwd: 0, fwdRan: 0, bwdRan: 0 };
  const f = be.sequenceForward!.bind(be), b = be.sequenceBackward!.bind(be);
  be.sequenceForward = (...a) => { n.fwd++; const ran = f(...a); if (ran) n.fwdRan++; return ran; };
  be.sequenceBackward = (...a) => { n.bwd++; const ran = b(...a); if (ran) n.bwdRan++; return ran; };
  return n;
}

if (BACKENDS.includes('wasm')) {
  describe('wasm whole-sequence kernels vs the reference per-step kernels', () => {
    const names = ['wasm-1t', 'wasm-2t', 'wasm-3t'];
    const calls: Record<string, Calls> = {};
    before(async () => {
      const wasm = await import('../../src/kernels/wasm/index.js');
      for (const t of [2, 3]) if (!listBackends().includes(`wasm-${t}t`)) registerBackend(`wasm-${t}t`, () => wasm.createWasmBackend({ threads: t }));
      await wasm.wasmThreadsReady(3);
      for (const n of names) calls[n] = spy(backendByName(n));
    });

    for (const kind of KINDS) {
      describe(kind.name, () => {
        for (const s of SHAPES) {
          if (kind.skip?.(s)) continue;
          const label = `B ${s.B}, H ${s.H}, T ${s.T}, I ${s.I}${s.layers ? `, ${s.layers} layers` : ''}${s.bidirectional ? ', bidirectional' : ''}${s.lengths ? ', lengths' : ''}${s.bias === false ? ', no bias' : ''}`;
          test(label, () => {
            const want = run(kind, s, 'reference');
            const got = names.map((n) => {
              const before = { ...calls[n]! };
              const r = run(kind, s, n);
              const D = (s.bidirectional ? 2 : 1) * (s.layers ?? 1);
              assert.equal(calls[n]!.fwdRan - before.fwdRan, D, `${n}: the fused forward ran once per layer and direction`);
              assert.equal(calls[n]!.bwdRan - before.bwdRan, D, `${n}: the fused backward ran once per layer and direction`);
              return r;
            });
            for (const k of Object.keys(want)) close(got[0]![k]!, want[k]!, `wasm-1t ${k}`);
            // Bit-identical whatever the thread count.
            for (let i = 1; i < names.length; i++) {
              for (const k of Object.keys(want)) assert.deepEqual(got[i]![k], got[0]![k], `${names[i]} ${k} equals wasm-1t's`);
            }
          });
        }
      });
    }

    test('float64 layers keep the per-step kernels (the fused loops are float32 only)', () => {
      const c = calls['wasm-1t']!, before = { ...c };
      for (const layer of [new LSTM({ inputSize: 2, hiddenSize: 3, dtype: 'float64', backend: 'wasm-1t' }),
        new GRU({ inputSize: 2, hiddenSize: 3, dtype: 'float64', backend: 'wasm-1t' })]) {
        layer.forward(new Tensor(new Float64Array(2 * 5 * 2), [2, 5, 2]));
        layer.backward();
      }
      assert.equal(c.fwd - before.fwd, 2, 'asked for both layers');
      assert.equal(c.bwd - before.bwd, 2, 'asked for both layers');
      assert.equal(c.fwdRan - before.fwdRan + c.bwdRan - before.bwdRan, 0, 'and declined');
    });

    test('peephole LSTMs keep the per-step kernels (the fused loops have no peepholes) and match the reference', () => {
      const c = calls['wasm-1t']!, before = { ...c };
      const s: Shape = { B: 5, H: 6, T: 4, I: 3, lengths: true };
      const peep: Kind = { name: 'LSTM peephole', hOut: (H) => H, make: (sh, be) => new LSTM({ ...common(sh, be), peephole: true }) };
      const want = run(peep, s, 'reference'), got = run(peep, s, 'wasm-1t');
      assert.equal(c.fwdRan - before.fwdRan + c.bwdRan - before.bwdRan, 0, 'the fused loops did not run');
      for (const k of Object.keys(want)) close(got[k]!, want[k]!, `peephole ${k}`);
    });
  });
}
