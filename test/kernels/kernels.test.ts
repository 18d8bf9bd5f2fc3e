/**
 * Every kernel of every faster backend against the reference backend, on random data and
 * shapes chosen to miss the block sizes (1, 3, 17, 33, 129, and products crossing the 4×8
 * register tile, the 64-row, 256-column and 256-deep cache blocks), both transposes,
 * accumulate, float32 and float64, with and without lengths. Then: the threaded backend gives
 * bit-identical results to one thread on products and batches large enough to be split.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../helpers/backends.js';
import { backendByName, type Backend } from '../../src/kernels/index.js';
import type { DType, FloatArray } from '../../src/tensor/tensor.js';
import { Rng } from '../../src/tensor/rng.js';

const ref = backendByName('reference');
const rng = new Rng(1234);
const dtypes: DType[] = ['float32', 'float64'];

/** Random values in (−s, s) in a buffer of `be` (and the same in a reference buffer). */
function pair(be: Backend, n: number, dtype: DType, s = 1): [FloatArray, FloatArray] {
  const a = be.alloc(n, dtype), r = ref.alloc(n, dtype);
  for (let i = 0; i < n; i++) r[i] = a[i] = rng.uniform(-s, s);
  return [a, r];
}

/** |got − want| ≤ atol + rtol·|want| everywhere; reports the worst element. */
function close(got: FloatArray, want: FloatArray, rtol: number, atol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let worst = -1, wi = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!), tol = atol + rtol * Math.abs(want[i]!);
    if (!(d <= tol) && d - tol > worst) { worst = d - tol; wi = i; }
  }
  assert.ok(worst < 0, `${what}: element ${wi} is ${got[wi]}, reference ${want[wi]}`);
}

const tol = (dtype: DType): [number, number] => (dtype === 'float64' ? [1e-12, 1e-13] : [2e-6, 2e-7]);

const lengthsFor = (be: Backend, B: number, T: number): [Int32Array, Int32Array] => {
  const a = be.allocInt(B), r = ref.allocInt(B);
  for (let b = 0; b < B; b++) r[b] = a[b] = 1 + rng.int(T);
  return [a, r];
};

const fast = BACKENDS.filter((n) => n !== 'reference');

for (const name of fast) {
  describe(`kernels on ${name} vs reference`, () => {
    const be = backendByName(name);

    for (const dtype of dtypes) {
      test(`matmul ${dtype}: odd sizes, transposes, accumulate, offsets`, () => {
        const sizes: [number, number, number][] = [
          [1, 1, 1], [1, 3, 17], [3, 17, 1], [17, 33, 3], [5, 129, 33], [33, 1, 129], [1, 512, 128], [2, 9, 130],
          [7, 20, 5], [8, 8, 8], [65, 257, 7], [130, 33, 300], [9, 300, 260], [1, 130, 257], [3, 17, 0],
        ];
        for (const [m, n, k] of sizes) {
          for (const transA of [false, true]) for (const transB of [false, true]) for (const acc of [false, true]) {
            const off = 3; // elements before each matrix
            const [A, Ar] = pair(be, off + m * k, dtype), [B, Br] = pair(be, off + k * n, dtype);
            const [C, Cr] = pair(be, off + m * n + 2, dtype);
            be.matmul(C, off, A, off, B, off, m, n, k, transA, transB, acc);
            ref.matmul(Cr, off, Ar, off, Br, off, m, n, k, transA, transB, acc);
            const [rt, at] = tol(dtype);
            close(C, Cr, rt * Math.max(1, Math.sqrt(k)), at * Math.max(1, k), `${m}×${n}×${k} tA=${transA} tB=${transB} acc=${acc}`);
            for (const b of [A, B, C]) be.free(b);
          }
        }
      });

      test(`row and element kernels ${dtype}`, () => {
        const [rt, at] = tol(dtype);
        for (const [rows, cols] of [[1, 1], [3, 17], [33, 5], [4, 129]] as const) {
          const [a, ar] = pair(be, cols + 1, dtype), [b, br] = pair(be, cols + 2, dtype);
          const [d, dr] = pair(be, rows * cols + 1, dtype);
          for (const withB of [true, false]) {
            be.fillRows(d, 1, rows, cols, a, 1, withB ? b : null, 2);
            ref.fillRows(dr, 1, rows, cols, ar, 1, withB ? br : null, 2);
            close(d, dr, rt, at, `fillRows ${rows}×${cols} b=${withB}`);
          }
          const [s, sr] = pair(be, rows * cols, dtype);
          for (const acc of [false, true]) {
            be.sumRows(a, 1, s, 0, rows, cols, acc);
            ref.sumRows(ar, 1, sr, 0, rows, cols, acc);
            close(a, ar, rt, at * rows, `sumRows ${rows}×${cols} acc=${acc}`);
          }
          const n = rows * cols;
          be.add(d, 1, d, 1, s, 0, n); ref.add(dr, 1, dr, 1, sr, 0, n);
          close(d, dr, rt, at, `add ${n}`);
          be.mul(s, 0, d, 1, s, 0, n); ref.mul(sr, 0, dr, 1, sr, 0, n);
          close(s, sr, rt, at, `mul ${n}`);
          be.copy(d, 0, s, 1, n - 1); ref.copy(dr, 0, sr, 1, n - 1);
          close(d, dr, 0, 0, `copy ${n}`);
          const [len, lenr] = lengthsFor(be, rows, 4);
          for (const t of [0, 2, 3]) for (const withSrc of [true, false]) {
            be.keepInactiveRows(d, 0, withSrc ? s : null, 0, rows, cols, len, t);
            ref.keepInactiveRows(dr, 0, withSrc ? sr : null, 0, rows, cols, lenr, t);
            close(d, dr, 0, 0, `keepInactiveRows t=${t} src=${withSrc}`);
          }
        }
      });

      for (const withLengths of [false, true]) {
        const cases: [number, number][] = [[1, 1], [3, 17], [2, 4], [5, 33], [1, 129]];
        const T = 4;

        for (const peephole of [false, true]) {
          test(`LSTM cell forward/backward ${dtype}${withLengths ? ' with lengths' : ''}${peephole ? ', peepholes' : ''}`, () => {
            const [rt, at] = tol(dtype);
            for (const [B, H] of cases) {
              const [len, lenr] = withLengths ? lengthsFor(be, B, T) : [null, null];
              // Peepholes p_i, p_f, p_o at offset 2 of their buffer (as in a flat parameter buffer).
              const [P, Pr] = peephole ? pair(be, 2 + 3 * H, dtype, 1.5) : [null, null];
              for (let t = 0; t < T; t++) {
                const [g, gr] = pair(be, 1 + B * 4 * H, dtype, 4), [cp, cpr] = pair(be, B * H, dtype);
                const [cn, cnr] = pair(be, 2 + B * H, dtype), [m, mr] = pair(be, B * H, dtype);
                be.lstmCellForward(g, 1, cp, 0, cn, 2, m, 0, B, H, len, t, P, 2);
                ref.lstmCellForward(gr, 1, cpr, 0, cnr, 2, mr, 0, B, H, lenr, t, Pr, 2);
                close(g, gr, rt, at, `gates B=${B} H=${H}`);
                close(cn, cnr, rt, at, `cNext B=${B} H=${H}`);
                close(m, mr, rt, at, `m B=${B} H=${H}`);
                const [dm, dmr] = pair(be, B * H, dtype), [dc, dcr] = pair(be, B * H, dtype);
                const [dg, dgr] = pair(be, B * 4 * H, dtype);
                be.lstmCellBackward(g, 1, cp, 0, cn, 2, dm, 0, dc, 0, dg, 0, B, H, len, t, P, 2);
                ref.lstmCellBackward(gr, 1, cpr, 0, cnr, 2, dmr, 0, dcr, 0, dgr, 0, B, H, lenr, t, Pr, 2);
                close(dc, dcr, rt, at, `dc B=${B} H=${H}`);
                close(dg, dgr, rt, at, `dGates B=${B} H=${H}`);
              }
            }
          });
        }

        test(`LSTM peephole gradient ${dtype}`, () => {
          const [rt, at] = tol(dtype);
          for (const [rows, H] of [[1, 1], [3, 17], [12, 4], [7, 33], [2, 129]] as const) {
            const [dP, dPr] = pair(be, 1 + 3 * H, dtype), [dg, dgr] = pair(be, 2 + rows * 4 * H, dtype);
            const [cp, cpr] = pair(be, rows * H, dtype), [cn, cnr] = pair(be, 3 + rows * H, dtype);
            be.lstmPeepholeGrad(dP, 1, dg, 2, cp, 0, cn, 3, rows, H);
            ref.lstmPeepholeGrad(dPr, 1, dgr, 2, cpr, 0, cnr, 3, rows, H);
            close(dP, dPr, rt, at * rows, `dP rows=${rows} H=${H}`);
          }
        });

        test(`GRU cell forward/backward ${dtype}${withLengths ? ' with lengths' : ''}`, () => {
          const [rt, at] = tol(dtype);
          for (const [B, H] of cases) {
            const [len, lenr] = withLengths ? lengthsFor(be, B, T) : [null, null];
            for (let t = 0; t < T; t++) {
              const [xg, xgr] = pair(be, B * 3 * H, dtype, 3), [hg, hgr] = pair(be, 1 + B * 3 * H, dtype, 3);
              const [hn, hnr] = pair(be, B * H, dtype), [hp, hpr] = pair(be, B * H, dtype), [hx, hxr] = pair(be, B * H, dtype);
              be.gruCellForward(xg, 0, hg, 1, hn, 0, hp, 0, hx, 0, B, H, len, t);
              ref.gruCellForward(xgr, 0, hgr, 1, hnr, 0, hpr, 0, hxr, 0, B, H, lenr, t);
              close(xg, xgr, rt, at, `gates B=${B} H=${H}`);
              close(hn, hnr, rt, at, `hn B=${B} H=${H}`);
              close(hx, hxr, rt, at, `hNext B=${B} H=${H}`);
              const [dh, dhr] = pair(be, B * H, dtype), [dx, dxr] = pair(be, B * 3 * H, dtype);
              const [dhg, dhgr] = pair(be, B * 3 * H, dtype), [dhp, dhpr] = pair(be, B * H, dtype);
              be.gruCellBackward(xg, 0, hn, 0, hp, 0, dh, 0, dx, 0, dhg, 0, dhp, 0, B, H, len, t);
              ref.gruCellBackward(xgr, 0, hnr, 0, hpr, 0, dhr, 0, dxr, 0, dhgr, 0, dhpr, 0, B, H, lenr, t);
              close(dx, dxr, rt, at, `dXg B=${B} H=${H}`);
              close(dhg, dhgr, rt, at, `dHg B=${B} H=${H}`);
              close(dhp, dhpr, rt, at, `dhPrev B=${B} H=${H}`);
            }
          }
        });

        test(`RNN cell forward/backward ${dtype}${withLengths ? ' with lengths' : ''}`, () => {
          const [rt, at] = tol(dtype);
          for (const [B, H] of cases) for (const act of ['tanh', 'relu'] as const) {
            const [len, lenr] = withLengths ? lengthsFor(be, B, T) : [null, null];
            for (let t = 0; t < T; t++) {
              const [p, pr] = pair(be, 1 + B * H, dtype, 3);
              be.rnnCellForward(p, 1, B, H, act);
              ref.rnnCellForward(pr, 1, B, H, act);
              close(p, pr, rt, at, `${act} B=${B} H=${H}`);
              const [dh, dhr] = pair(be, B * H, dtype), [dp, dpr] = pair(be, B * H, dtype);
              be.rnnCellBackward(p, 1, dh, 0, dp, 0, B, H, act, len, t);
              ref.rnnCellBackward(pr, 1, dhr, 0, dpr, 0, B, H, act, lenr, t);
              close(dp, dpr, rt, at, `d${act} B=${B} H=${H}`);
            }
          }
        });
      }
    }

    test('buffers: owned, zero-filled on reuse, foreign ones refused', () => {
      const a = be.alloc(100, 'float32');
      assert.ok(be.owns(a));
      a.fill(7);
      be.free(a);
      const b = be.alloc(100, 'float32');
      assert.ok(b.every((v) => v === 0));
      assert.equal(be.owns(new Float32Array(4)), false);
      assert.throws(() => be.copy(b, 0, new Float32Array(4), 0, 4), /not a buffer of this backend/);
      assert.throws(() => be.free(new Float32Array(4)), /did not allocate/);
      be.free(b);
      assert.throws(() => be.free(b), /freed twice/);
    });
  });
}

if (fast.includes('wasm')) {
  describe('wasm threads', () => {
    before(async () => {
      const { wasmThreadsReady } = await import('../../src/kernels/wasm/index.js');
      await wasmThreadsReady(2);
    });

    test('two threads give bit-identical results to one, on split matmuls and cell batches', async () => {
      const { createWasmBackend, wasmInfo } = await import('../../src/kernels/wasm/index.js');
      assert.ok(wasmInfo()!.workersReady >= 1, 'a worker thread is running');
      const one = createWasmBackend({ threads: 1 }), two = createWasmBackend({ threads: 2 });
      // Products large enough to be split, by columns (n ≥ m) and by rows.
      for (const [m, n, k, tA, tB] of [[64, 1024, 256, false, true], [1, 4099, 129, false, true], [3, 1000, 100, false, false], [5, 1000, 100, false, true], [1000, 33, 300, true, false], [300, 70, 257, false, false],
        // small m, A·Bᵀ: ranges of 8 columns cut through the groups of 6 dot products
        [7, 999, 77, false, true], [2, 1001, 150, false, true], [1, 997, 300, false, true]] as const) {
        const A = one.alloc(m * k, 'float32'), B = one.alloc(k * n, 'float32');
        for (const x of [A, B]) for (let i = 0; i < x.length; i++) x[i] = rng.uniform(-1, 1);
        const C1 = one.alloc(m * n, 'float32'), C2 = one.alloc(m * n, 'float32');
        one.matmul(C1, 0, A, 0, B, 0, m, n, k, tA, tB, false);
        two.matmul(C2, 0, A, 0, B, 0, m, n, k, tA, tB, false);
        assert.deepEqual(C2, C1, `${m}×${n}×${k}`);
      }
      const Bt = 64, H = 300;
      const g = one.alloc(Bt * 4 * H, 'float32'), cp = one.alloc(Bt * H, 'float32');
      for (const x of [g, cp]) for (let i = 0; i < x.length; i++) x[i] = rng.uniform(-3, 3);
      const len = one.allocInt(Bt);
      for (let b = 0; b < Bt; b++) len[b] = 1 + rng.int(3);
      const g1 = one.alloc(g.length, 'float32'), g2 = one.alloc(g.length, 'float32');
      const outs = [0, 1].map(() => [one.alloc(Bt * H, 'float32'), one.alloc(Bt * H, 'float32')] as const);
      one.copy(g1, 0, g, 0, g.length);
      two.copy(g2, 0, g, 0, g.length);
      one.lstmCellForward(g1, 0, cp, 0, outs[0]![0], 0, outs[0]![1], 0, Bt, H, len, 1);
      two.lstmCellForward(g2, 0, cp, 0, outs[1]![0], 0, outs[1]![1], 0, Bt, H, len, 1);
      assert.deepEqual(g2, g1);
      assert.deepEqual(outs[1]![0], outs[0]![0]);
      assert.deepEqual(outs[1]![1], outs[0]![1]);
      // With peepholes, forward, backward and the peephole gradient (split by units).
      const P = one.alloc(3 * H, 'float32');
      for (let i = 0; i < P.length; i++) P[i] = rng.uniform(-1, 1);
      const dm = one.alloc(Bt * H, 'float32');
      for (let i = 0; i < dm.length; i++) dm[i] = rng.uniform(-1, 1);
      const per = [one, two].map((be, k) => {
        const gk = be.alloc(g.length, 'float32'), cn = be.alloc(Bt * H, 'float32'), m = be.alloc(Bt * H, 'float32');
        const dc = be.alloc(Bt * H, 'float32'), dg = be.alloc(g.length, 'float32'), dP = be.alloc(3 * H, 'float32');
        be.copy(gk, 0, g, 0, g.length);
        be.lstmCellForward(gk, 0, cp, 0, cn, 0, m, 0, Bt, H, len, 1, P, 0);
        be.copy(dc, 0, dm, 0, dm.length);
        be.lstmCellBackward(gk, 0, cp, 0, cn, 0, dm, 0, dc, 0, dg, 0, Bt, H, len, 0, P, 0);
        be.lstmPeepholeGrad(dP, 0, dg, 0, cp, 0, cn, 0, Bt, H);
        return { k, gk, cn, m, dc, dg, dP };
      });
      for (const key of ['gk', 'cn', 'm', 'dc', 'dg', 'dP'] as const) assert.deepEqual(per[1]![key], per[0]![key], `peepholes: ${key}`);
    });

    test('a bias gradient large enough to be split by columns sums alike on one, two and three threads, and matches a float64 sum', async () => {
      const { createWasmBackend } = await import('../../src/kernels/wasm/index.js');
      const backends = [1, 2, 3].map((threads) => createWasmBackend({ threads }));
      // T·B rows × G·H columns: 1,030 columns leave a part group of 4 at the end of the last range.
      const rows = 300, cols = 1030, src = backends[0]!.alloc(rows * cols, 'float32');
      for (let i = 0; i < src.length; i++) src[i] = rng.uniform(-1, 1);
      const want = new Float64Array(cols);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) want[c] += src[r * cols + c]!;
      for (const acc of [false, true]) {
        const sums = backends.map((be) => {
          const d = be.alloc(cols + 1, 'float32');
          d.fill(0.5);
          be.sumRows(d, 1, src, 0, rows, cols, acc);
          return d;
        });
        assert.equal(sums[0]![0], 0.5, 'the element before dst is untouched');
        for (let c = 0; c < cols; c++) {
          const w = want[c]! + (acc ? 0.5 : 0);
          assert.ok(Math.abs(sums[0]![c + 1]! - w) <= 1e-4 * Math.sqrt(rows), `column ${c}: ${sums[0]![c + 1]} vs ${w}`);
        }
        assert.deepEqual(sums[1], sums[0], `two threads, acc=${acc}`);
        assert.deepEqual(sums[2], sums[0], `three threads, acc=${acc}`);
      }
    });
  });
}
