/**
 * The WebAssembly backend itself: the Backend interface (../backend.ts) on the loaded kernels.
 * Each method checks its buffers, turns (array, offset) pairs into byte addresses, and either
 * calls the kernel on this thread or hands the thread pool (./threads.ts) a job.
 *
 * How work is split: a matmul by columns (n ≥ m) or rows, 2 ranges per thread, in multiples of
 * the register block, so every element is summed in the same order whatever the thread count
 * (results are bit-identical); the cell kernels by batch rows; a bias gradient's column sums
 * over all steps by columns. Work below the PAR_MIN_*
 * thresholds stays on the calling thread. Recurrent layers (float32: LSTM with or without
 * projection, GRU, RNN) run their whole time loop as one job (sequenceForward/Backward,
 * ./assembly/sequence.ts): batches of 4 rows or more are split by rows, one range per thread,
 * and no thread waits for another inside the loop; batches of 1–3 are split by hidden units,
 * each thread owning one slice and meeting the others once per step (twice for a projected
 * LSTM), taking over a slice nobody took, so a missing worker costs time, never a hang.
 */
import type { Backend, FloatArray, RnnActivation, SequenceLayer } from '../backend.js';
import type { DType } from '../../tensor/tensor.js';
import { BackwardJob, ForwardJob, MODE, blockBytes, writeBlock } from './abi.js';
import { canBlock, coreCount } from './env.js';
import { need } from './load.js';
import { MAX_THREADS, type ParOp } from './threads.js';

export interface WasmBackendOptions {
  /** Threads including the caller. Default: all cores (os.availableParallelism() / navigator.hardwareConcurrency). Always 1 where the memory cannot be shared (a page that is not cross-origin isolated). */
  threads?: number;
  /** Backend name reported by `name`. Default 'wasm' or 'wasm-<threads>t'. */
  name?: string;
}

/**
 * Below this many multiply-adds a matmul runs on the calling thread. On an idle machine with
 * the worker spinning, a handoff costs about 0.7 µs and even the 65 536-MAC step of a batch-1
 * LSTM (H 128) ran 1.5× faster split (bench: 4.9 → 3.2 µs); inside the LSTM time loop that gain
 * did not show end to end, and on a busy machine small splits lose, so the bar is set higher.
 */
const PAR_MIN_MACS = 1 << 18;
/**
 * Below this many multiply-adds per step (B·G·Hout, plus B·H·Hout with projection) a sequence split by hidden units runs
 * on the calling thread: the threads meet once per step, which costs more than a small step.
 */
const SEQ_PAR_MIN_MACS = 1 << 15;
/** Below this many hidden units × batch rows a cell kernel runs on the calling thread. */
const PAR_MIN_CELLS = 1 << 14;
/** Heap.region slots of the sequence kernels: packed weights, step counters, parameter blocks. */
const REGION = { whh: 0, sync: 1, wih: 2, whr: 3, forwardJob: 4, backwardJob: 5, xh: 6 } as const;
/** Gate blocks per cell: LSTM i,f,g,o; GRU r,z,n; RNN one. */
const GATES = { lstm: 4, gru: 3, rnn: 1 } as const;

/** A backend on the loaded kernels with its own thread count (memory and workers are shared). */
export function createWasmBackend(opts: WasmBackendOptions = {}): Backend & { readonly threads: number } {
  const rt = need(), k = rt.k, heap = rt.heap, pool = rt.pool;
  // Without a shared memory (a page that is not cross-origin isolated) no worker can start:
  // one thread, so the kernels do not split work that only the caller would run.
  const threads = rt.shared ? Math.max(1, Math.min(MAX_THREADS, Math.floor(opts.threads ?? coreCount()))) : 1;
  const name = opts.name ?? (opts.threads === undefined ? 'wasm' : `wasm-${threads}t`);
  pool.ensureWorkers(threads);

  /** Byte address of element `off` of `buf`, after checking the buffer lives in our memory. */
  function ptr(buf: FloatArray | Int32Array, off: number, what: string): number {
    if (!heap.owns(buf)) throw new TypeError(`${name} backend: ${what} is not a buffer of this backend (allocate it with backend.alloc)`);
    return buf.byteOffset + off * buf.BYTES_PER_ELEMENT;
  }
  const lenPtr = (lengths: Int32Array | null): number => (lengths ? ptr(lengths, 0, 'lengths') : 0);
  function sameType(a: FloatArray, b: FloatArray, what: string): void {
    if (a.BYTES_PER_ELEMENT !== b.BYTES_PER_ELEMENT) throw new TypeError(`${name} backend: ${what} mixes float32 and float64 buffers`);
  }

  /**
   * A cell kernel over B batch rows of H units: `args` are its arguments, `rowBytes` how far
   * each moves per batch row (pointers into (B,·) buffers, and 4 for the int32 lengths), and
   * argument `count` the number of rows. Large batches are split into ranges of rows.
   */
  function byRows(op: ParOp, B: number, H: number, args: number[], rowBytes: number[], count: number): void {
    if (threads > 1 && B > 1 && B * H >= PAR_MIN_CELLS) {
      const ranges = Math.min(B, 2 * threads);
      pool.run({ op, args, strides: rowBytes, dim: B, per: Math.ceil(B / ranges), count });
      return;
    }
    (k[op] as (...a: number[]) => void)(...args);
  }

  /**
   * A rows-split sequence kernel on the parameter block at `pb`: (pb, b0, b1, scratch). One
   * range of whole groups of 4 rows per thread: no thread waits for another inside.
   */
  function seqByRows(op: 'seqFwdRowsF32' | 'seqBwdRowsF32', B: number, pb: number): void {
    if (threads === 1) {
      k[op](pb, 0, B, pool.scratch[0]!);
      return;
    }
    pool.run({ op, args: [pb], dim: B, per: Math.ceil(B / threads / 4) * 4, lo: 1, hi: 2, scratch: 3 });
  }

  /** Address of a cache buffer, or 0 for one the layer does not have. */
  const opt = (buf: FloatArray | null, what: string): number => (buf ? ptr(buf, 0, what) : 0);
  /** Address of a parameter at element `off` of L.W, or 0 for −1 (absent). */
  const param = (L: SequenceLayer, off: number, what: string): number => (off < 0 ? 0 : ptr(L.W, off, what));
  // The blocks' fields are written out in one object literal each, not spread from a shared
  // helper: a spread into a 30-field literal cost about 48 µs per call in V8 (a batch-1 LSTM.step
  // went from 15 to 126 µs of CPU), more than the whole one-step kernel.
  /**
   * op(W) (K,N) packed into panels of 8 columns in region `slot` (W at byte address w, stored
   * (N,K) when trans, else (K,N)); returns the panels' address.
   */
  function packPanels(slot: number, w: number, K: number, N: number, trans: boolean): number {
    const dst = heap.region(slot, Math.ceil(N / 8) * 8 * K * 4);
    k.packPanelsF32(dst, w, K, N, trans ? 1 : 0);
    return dst;
  }

  const be: Backend & { readonly threads: number } = {
    name,
    threads,

    alloc(n: number, dtype: DType): FloatArray {
      const bytes = dtype === 'float64' ? 8 : 4;
      const p = heap.alloc(n * bytes);
      return dtype === 'float64' ? new Float64Array(heap.buffer, p, n) : new Float32Array(heap.buffer, p, n);
    },
    allocInt(n: number): Int32Array {
      return new Int32Array(heap.buffer, heap.alloc(n * 4), n);
    },
    free(buf): void {
      if (!heap.owns(buf) || !heap.free(buf.byteOffset)) {
        throw new Error(`${name} backend: free of a buffer it did not allocate (or freed twice)`);
      }
    },
    owns(buf): boolean {
      return heap.owns(buf);
    },

    matmul(C, cOff, A, aOff, B, bOff, m, n, k_, transA, transB, accumulate) {
      sameType(C, A, 'matmul');
      sameType(C, B, 'matmul');
      const c = ptr(C, cOff, 'matmul C'), a = ptr(A, aOff, 'matmul A'), b = ptr(B, bOff, 'matmul B');
      const flags = (transA ? 1 : 0) | (transB ? 2 : 0) | (accumulate ? 4 : 0);
      const f64 = C.BYTES_PER_ELEMENT === 8;
      const macs = m * n * k_;
      if (threads === 1 || macs < PAR_MIN_MACS) {
        (f64 ? k.matmulF64 : k.matmulF32)(c, a, b, m, n, k_, flags, pool.scratch[0]!, 0, m, 0, n);
        return;
      }
      // Split the larger of m and n in multiples of the register block (8 columns, 4 rows):
      // up to 2 ranges per thread, each of at least PAR_MIN_MACS / 2 multiply-adds.
      const byCols = n >= m;
      const unit = byCols ? 8 : 4, dim = byCols ? n : m;
      const ranges = Math.max(2, Math.min(Math.ceil(dim / unit), 2 * threads, Math.floor(macs / (PAR_MIN_MACS / 2))));
      // Arguments C, A, B, m, n, k, flags, scratch (7), i0, i1 (8, 9), j0, j1 (10, 11).
      pool.run({
        op: f64 ? 'matmulF64' : 'matmulF32', args: [c, a, b, m, n, k_, flags, 0, 0, m, 0, n],
        dim, per: Math.ceil(dim / ranges / unit) * unit, lo: byCols ? 10 : 8, hi: byCols ? 11 : 9, scratch: 7,
      });
    },

    fillRows(dst, dOff, rows, cols, a, aOff, b, bOff) {
      const d = ptr(dst, dOff, 'fillRows dst'), pa = ptr(a, aOff, 'fillRows a'), pb = b ? ptr(b, bOff, 'fillRows b') : 0;
      if (dst.BYTES_PER_ELEMENT === 8) k.fillRowsF64(d, rows, cols, pa, pb);
      else k.fillRowsF32(d, rows, cols, pa, pb);
    },

    sumRows(dst, dOff, src, sOff, rows, cols, accumulate) {
      const d = ptr(dst, dOff, 'sumRows dst'), s = ptr(src, sOff, 'sumRows src');
      if (dst.BYTES_PER_ELEMENT === 8) k.sumRowsF64(d, s, rows, cols, accumulate ? 1 : 0);
      else if (threads > 1 && cols >= 8 && rows * cols >= PAR_MIN_MACS) {
        // A bias gradient over all steps (T·B rows): each thread sums its own columns.
        const per = Math.ceil(cols / threads / 4) * 4;
        pool.run({ op: 'sumRowsLdF32', args: [d, s, rows, cols, cols, accumulate ? 1 : 0], strides: [4, 4, 0, 0, 0, 0], dim: cols, per, count: 3 });
      } else k.sumRowsF32(d, s, rows, cols, accumulate ? 1 : 0);
    },

    copy(dst, dOff, src, sOff, n) {
      sameType(dst, src, 'copy');
      k.copyBytes(ptr(dst, dOff, 'copy dst'), ptr(src, sOff, 'copy src'), n * dst.BYTES_PER_ELEMENT);
    },

    add(dst, dOff, a, aOff, b, bOff, n) {
      const d = ptr(dst, dOff, 'add dst'), pa = ptr(a, aOff, 'add a'), pb = ptr(b, bOff, 'add b');
      if (dst.BYTES_PER_ELEMENT === 8) k.addF64(d, pa, pb, n);
      else k.addF32(d, pa, pb, n);
    },

    mul(dst, dOff, a, aOff, b, bOff, n) {
      const d = ptr(dst, dOff, 'mul dst'), pa = ptr(a, aOff, 'mul a'), pb = ptr(b, bOff, 'mul b');
      if (dst.BYTES_PER_ELEMENT === 8) k.mulF64(d, pa, pb, n);
      else k.mulF32(d, pa, pb, n);
    },

    keepInactiveRows(dst, dOff, src, sOff, rows, cols, lengths, t) {
      if (!lengths) return;
      const e = dst.BYTES_PER_ELEMENT;
      k.keepInactiveRows(ptr(dst, dOff, 'keepInactiveRows dst'), src ? ptr(src, sOff, 'keepInactiveRows src') : 0,
        rows, cols * e, lenPtr(lengths), t);
    },

    // With peepholes the same kernels' Peep variants take P (3H) after the state pointers; it
    // does not move with the batch rows.
    lstmCellForward(gates, gOff, cPrev, cpOff, cNext, cnOff, m, mOff, B, H, lengths, t, peep = null, pOff = 0) {
      const e = gates.BYTES_PER_ELEMENT, rb = H * e;
      const g = ptr(gates, gOff, 'gates'), cp = ptr(cPrev, cpOff, 'cPrev'), cn = ptr(cNext, cnOff, 'cNext'), mo = ptr(m, mOff, 'm');
      if (peep) {
        sameType(gates, peep, 'lstmCellForward');
        byRows(e === 8 ? 'lstmFwdPeepF64' : 'lstmFwdPeepF32', B, H,
          [g, cp, cn, mo, ptr(peep, pOff, 'peepholes'), B, H, lenPtr(lengths), t],
          [4 * rb, rb, rb, rb, 0, 0, 0, 4, 0], 5);
        return;
      }
      byRows(e === 8 ? 'lstmFwdF64' : 'lstmFwdF32', B, H,
        [g, cp, cn, mo, B, H, lenPtr(lengths), t],
        [4 * rb, rb, rb, rb, 0, 0, 4, 0], 4);
    },

    lstmCellBackward(gates, gOff, cPrev, cpOff, cNext, cnOff, dm, dmOff, dc, dcOff, dGates, dgOff, B, H, lengths, t, peep = null, pOff = 0) {
      const e = gates.BYTES_PER_ELEMENT, rb = H * e;
      const g = ptr(gates, gOff, 'gates'), cp = ptr(cPrev, cpOff, 'cPrev'), cn = ptr(cNext, cnOff, 'cNext');
      const pdm = ptr(dm, dmOff, 'dm'), pdc = ptr(dc, dcOff, 'dc'), pdg = ptr(dGates, dgOff, 'dGates');
      if (peep) {
        sameType(gates, peep, 'lstmCellBackward');
        byRows(e === 8 ? 'lstmBwdPeepF64' : 'lstmBwdPeepF32', B, H,
          [g, cp, cn, pdm, pdc, pdg, ptr(peep, pOff, 'peepholes'), B, H, lenPtr(lengths), t],
          [4 * rb, rb, rb, rb, rb, 4 * rb, 0, 0, 0, 4, 0], 7);
        return;
      }
      byRows(e === 8 ? 'lstmBwdF64' : 'lstmBwdF32', B, H,
        [g, cp, cn, pdm, pdc, pdg, B, H, lenPtr(lengths), t],
        [4 * rb, rb, rb, rb, rb, 4 * rb, 0, 0, 4, 0], 6);
    },

    // Split by hidden units (each thread sums all rows of its units, in order: any thread count
    // gives the same sums), in slices of 4 units.
    lstmPeepholeGrad(dP, dpOff, dG, dgOff, cPrev, cpOff, cNext, cnOff, rows, H) {
      sameType(dP, dG, 'lstmPeepholeGrad');
      const e = dP.BYTES_PER_ELEMENT;
      const args = [ptr(dP, dpOff, 'dP'), ptr(dG, dgOff, 'dG'), ptr(cPrev, cpOff, 'cPrev'), ptr(cNext, cnOff, 'cNext'), rows, H, H];
      const op = e === 8 ? 'lstmPeepGradF64' : 'lstmPeepGradF32';
      if (threads > 1 && H >= 8 && rows * H >= PAR_MIN_CELLS) {
        const per = Math.ceil(H / Math.min(2 * threads, Math.ceil(H / 4)) / 4) * 4;
        pool.run({ op, args, strides: [e, e, e, e, 0, 0, 0], dim: H, per, count: 6 });
        return;
      }
      k[op](...(args as [number, number, number, number, number, number, number]));
    },

    // The whole time loop of a layer direction (float32; float64 returns false and the layer
    // runs the per-step kernels). Batches of 4 rows or more run as 4×8 tiles and split by rows,
    // smaller ones as dot products split by hidden units (./assembly/sequence.ts). The choice
    // depends on B alone, so any thread count gives the same sums.
    sequenceForward(L, x, a) {
      if (L.W.BYTES_PER_ELEMENT !== 4 || x.BYTES_PER_ELEMENT !== 4 || a.gates.BYTES_PER_ELEMENT !== 4) return false;
      const { T, B, I, H, Hout } = L, Gc = GATES[L.mode] * H;
      const job = {
        mode: MODE[L.mode], act: L.act === 'relu' ? 1 : 0, T: L.T, B: L.B, H: L.H, Hout: L.Hout,
        lengths: lenPtr(L.lengths), rev: L.reverse ? 1 : 0, X: ptr(x, 0, 'X'), G: ptr(a.gates, 0, 'gates'), Hs: ptr(a.h, 0, 'h'),
        Cs: opt(a.c, 'c'), M: opt(a.m, 'm'), HN: opt(a.hn, 'hn'), HG: opt(a.hg, 'hg'),
        Wih: ptr(L.W, L.wIh, 'W_ih'), Whh: ptr(L.W, L.wHh, 'W_hh'), Whr: param(L, L.wHr, 'W_hr'), Wi: 0, Wh: 0, Wr: 0,
        bIh: param(L, L.bIh, 'b_ih'), bHh: param(L, L.bHh, 'b_hh'), I,
        sync: 0, chunks: 0, cu: 0, cuOut: 0, mayWait: 0, failed: 0, XH: 0,
      };
      const pb = heap.region(REGION.forwardJob, blockBytes(ForwardJob));
      if (B >= 4) {
        // One job: every thread projects, multiplies and updates its own rows, step by step.
        if (L.mode === 'gru') {
          // Two products per step: [x_t, 1] times [W_ih, b_ih]ᵀ (Kx, Gc), [h_{t−1}, 1] times [W_hh, b_hh]ᵀ (Kh, Gc).
          const Kx = I + (job.bIh ? 1 : 0), Kh = Hout + (job.bHh ? 1 : 0);
          job.Wi = heap.region(REGION.wih, Math.ceil(Gc / 8) * 8 * Kx * 4);
          k.packPanelsCatF32(job.Wi, job.Wih, I, 0, 0, Gc, job.bIh, 0);
          job.Wh = heap.region(REGION.whh, Math.ceil(Gc / 8) * 8 * Kh * 4);
          k.packPanelsCatF32(job.Wh, job.Whh, Hout, 0, 0, Gc, job.bHh, 0);
          job.XH = heap.region(REGION.xh, B * (Kx + Kh) * 4);
        } else {
          // One product per step: [x_t, h_{t−1}, 1] (room for B rows) times [W_ih, W_hh, b_ih + b_hh]ᵀ (K, Gc).
          const K = I + Hout + (job.bIh || job.bHh ? 1 : 0);
          job.Wi = heap.region(REGION.wih, Math.ceil(Gc / 8) * 8 * K * 4);
          k.packPanelsCatF32(job.Wi, job.Wih, I, job.Whh, Hout, Gc, job.bIh, job.bHh);
          job.XH = heap.region(REGION.xh, B * K * 4);
        }
        if (job.Whr) job.Wr = packPanels(REGION.whr, job.Whr, H, Hout, true); // W_hrᵀ (H, Hout)
        writeBlock(heap.buffer, pb, ForwardJob, job);
        seqByRows('seqFwdRowsF32', B, pb);
        return true;
      }
      // Batch 1..3: split by hidden units, each thread projecting, packing and stepping its slice.
      // Room for W_hh (and W_hr) in groups of DOT_ROWS rows per gate, packed by the kernel.
      job.Wh = heap.region(REGION.whh, k.packDotBytes(GATES[L.mode], H, Hout));
      if (job.Whr) job.Wr = heap.region(REGION.whr, k.packDotBytes(1, Hout, H));
      // One slice of whole groups per thread.
      const rows = k.DOT_ROWS.value as number, groups = Math.ceil(H / rows);
      const macs = B * (Gc * Hout + (job.Whr ? H * Hout : 0)); // per step
      const parallel = threads > 1 && macs >= SEQ_PAR_MIN_MACS;
      job.cu = Math.ceil(groups / (parallel ? Math.min(groups, threads) : 1)) * rows;
      const chunks = (job.chunks = Math.ceil(H / job.cu));
      job.cuOut = Math.ceil(Math.ceil(Hout / rows) / chunks) * rows;
      const stride = k.SYNC_STRIDE.value as number;
      job.sync = heap.region(REGION.sync, 2 * chunks * stride);
      const sv = new Int32Array(heap.buffer, job.sync, (2 * chunks * stride) / 4);
      for (let i = 0; i < 2 * chunks; i++) sv[(i * stride) / 4] = -1; // no phase claimed or done
      job.mayWait = canBlock ? 1 : 0;
      job.failed = pool.failedFlagAddress;
      writeBlock(heap.buffer, pb, ForwardJob, job);
      if (chunks === 1) {
        k.seqFwdUnitsF32(pb, 0, pool.scratch[0]!);
        return true;
      }
      // seqFwdUnitsF32(params, who, scratch): range i is thread slot `who` = i.
      pool.run({ op: 'seqFwdUnitsF32', args: [pb], dim: threads, per: 1, lo: 1, scratch: 2 });
      return true;
    },

    sequenceBackward(L, a, g, r) {
      if (L.W.BYTES_PER_ELEMENT !== 4 || a.gates.BYTES_PER_ELEMENT !== 4 || g.dGates.BYTES_PER_ELEMENT !== 4) return false;
      const { H, Hout } = L, Gc = GATES[L.mode] * H, whr = param(L, L.wHr, 'W_hr');
      const pb = heap.region(REGION.backwardJob, blockBytes(BackwardJob));
      writeBlock(heap.buffer, pb, BackwardJob, {
        mode: MODE[L.mode], act: L.act === 'relu' ? 1 : 0, T: L.T, B: L.B, H: L.H, Hout: L.Hout,
        lengths: lenPtr(L.lengths), rev: L.reverse ? 1 : 0, G: ptr(a.gates, 0, 'gates'), Hs: ptr(a.h, 0, 'h'), Cs: opt(a.c, 'c'), HN: opt(a.hn, 'hn'),
        dHs: ptr(g.dh, 0, 'dh'), dhRun: ptr(r.dhRun, 0, 'dhRun'), dcRun: opt(r.dcRun, 'dcRun'), dm: opt(r.dm, 'dm'),
        dG: ptr(g.dGates, 0, 'dGates'), dHg: opt(g.dHg, 'dHg'),
        Wh: packPanels(REGION.whh, ptr(L.W, L.wHh, 'W_hh'), Gc, Hout, false), // W_hh (Gc, Hout)
        Wr: whr ? packPanels(REGION.whr, whr, Hout, H, false) : 0, // W_hr (Hout, H)
      });
      seqByRows('seqBwdRowsF32', L.B, pb);
      return true;
    },

    gruCellForward(xg, xOff, hg, hgOff, hn, hnOff, hPrev, hpOff, hNext, hnxOff, B, H, lengths, t) {
      const e = xg.BYTES_PER_ELEMENT, rb = H * e;
      const x = ptr(xg, xOff, 'xg'), h = ptr(hg, hgOff, 'hg'), pn = ptr(hn, hnOff, 'hn');
      const hp = ptr(hPrev, hpOff, 'hPrev'), hx = ptr(hNext, hnxOff, 'hNext');
      byRows(e === 8 ? 'gruFwdF64' : 'gruFwdF32', B, H,
        [x, h, pn, hp, hx, B, H, lenPtr(lengths), t],
        [3 * rb, 3 * rb, rb, rb, rb, 0, 0, 4, 0], 5);
    },

    gruCellBackward(gates, gOff, hn, hnOff, hPrev, hpOff, dh, dhOff, dXg, dxOff, dHg, dhgOff, dhPrev, dhpOff, B, H, lengths, t) {
      const e = gates.BYTES_PER_ELEMENT, rb = H * e;
      const g = ptr(gates, gOff, 'gates'), pn = ptr(hn, hnOff, 'hn'), hp = ptr(hPrev, hpOff, 'hPrev'), pdh = ptr(dh, dhOff, 'dh');
      const dx = ptr(dXg, dxOff, 'dXg'), dhg = ptr(dHg, dhgOff, 'dHg'), dhp = ptr(dhPrev, dhpOff, 'dhPrev');
      byRows(e === 8 ? 'gruBwdF64' : 'gruBwdF32', B, H,
        [g, pn, hp, pdh, dx, dhg, dhp, B, H, lenPtr(lengths), t],
        [3 * rb, rb, rb, rb, 3 * rb, 3 * rb, rb, 0, 0, 4, 0], 7);
    },

    rnnCellForward(pre, pOff, B, H, act: RnnActivation) {
      const p = ptr(pre, pOff, 'pre');
      if (pre.BYTES_PER_ELEMENT === 8) k.rnnFwdF64(p, B * H, act === 'tanh' ? 0 : 1);
      else k.rnnFwdF32(p, B * H, act === 'tanh' ? 0 : 1);
    },

    rnnCellBackward(h, hOff, dh, dhOff, dPre, dpOff, B, H, act, lengths, t) {
      const e = h.BYTES_PER_ELEMENT, rb = H * e;
      const ph = ptr(h, hOff, 'h'), pdh = ptr(dh, dhOff, 'dh'), pdp = ptr(dPre, dpOff, 'dPre');
      byRows(e === 8 ? 'rnnBwdF64' : 'rnnBwdF32', B, H,
        [ph, pdh, pdp, B, H, act === 'tanh' ? 0 : 1, lenPtr(lengths), t],
        [rb, rb, rb, 0, 0, 0, 4, 0], 3);
    },
  };
  return be;
}
