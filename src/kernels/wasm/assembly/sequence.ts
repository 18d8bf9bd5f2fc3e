// Whole-sequence LSTM kernels: the time loop of one layer direction inside WebAssembly, so a
// forward or backward pass is one call instead of two or three calls per step, the recurrent
// weights are packed once per pass instead of once per step, and threads share the work of the
// whole loop instead of meeting at every kernel.
//
// Two ways to share a sequence between threads:
// - by batch rows (forward with B ≥ 4, and every backward; whole groups of 4 rows per thread):
//   rows of an LSTM never meet inside a layer, so each thread runs every step for its own
//   rows and nobody waits (lstmSeqFwdRowsF32 and lstmSeqBwdRowsF32). The products are the matmul's 4×8 register-blocked tile against
//   W_ihᵀ and W_hhᵀ packed once into panels of 8 columns (matmul.ts packB); the forward does
//   the input projection step by step too, so the whole layer is one parallel job.
// - by hidden units (forward with batch 1..3): each step, each thread computes its slice of hidden
//   units (all four gates of them, then the cell), and waits for every slice before the next
//   step (lstmSeqFwdUnitsF32). A batch-1 step is a matrix-vector product, bound by how fast one
//   core streams W_hh (128-bit loads); two cores stream half each.
//
// Every output element is computed by the same code whichever thread runs it, so results are
// bit-identical for any thread count. Pointers are byte addresses; `lengths` is 0 or the
// address of B int32 lengths; `rev` runs t = T−1..0 (the reverse direction of a bidirectional
// layer). State slots: Hs and Cs hold T+1 slots of (B,H); the state before time t is slot t
// forward, t+1 reverse (recurrent.ts forwardRaw).

import { madd } from './simd';
import { KC, MC, TRANS_B, hsum4, matmulF32, micro, packA, packB } from './matmul';
import { isActive, lstmBwdF32, lstmFwdF32, lstmFwdUnitsF32 } from './cells';

// ------------------------------------------------------------------------------ packing

/**
 * Pack op(W) (K,N) into panels of 8 columns, each over all K: dst[q][p][8] at q·8·K floats,
 * zero past column N. trans: W is stored (N,K) and op(W) = Wᵀ (the forward's W_hh); else W is
 * stored (K,N) (the backward's dh = dG·W_hh). Bytes: ceil(N/8)·8·K·4.
 */
export function packPanelsF32(dst: usize, W: usize, K: i32, N: i32, trans: bool): void {
  if (trans) packB(dst, W, 4, <usize>K * 4, 0, K, 0, N);
  else packB(dst, W, <usize>N * 4, 4, 0, K, 0, N);
}

/** Rows of W_hh per dot-product group: six accumulators, a vector of h and six loads fit the
 * 15 registers V8 gives SIMD code; with eight rows it spills an accumulator to the stack every
 * step of k (measured: 512×128 matrix-vector product 5.0 µs with 8, 3.9 µs with 6). */
export const DOT_ROWS: i32 = 6;

/** Floats of one packDotGroups group of K columns: [p/4][6][4] for p < K rounded down to 4, then
 * [p][8] (rows 6, 7 zero) for the last K mod 4. */
@inline
function dotGroupFloats(K: i32): i32 {
  return (K & ~3) * DOT_ROWS + (K & 3) * 8;
}

/**
 * The dot-product packing of W (G·H rows of K floats, gate blocks of H rows), groups q0..q1 of
 * every gate: 6 rows at a time that never straddle a gate, group q of gate g (rows g·H + 6q ..
 * +5, zero rows past H) at (g·ceil(H/6) + q)·dotGroupFloats(K) floats. The units kernel packs
 * each thread's groups on that thread.
 */
function packDotGroups(dst: usize, W: usize, G: i32, H: i32, K: i32, q0: i32, q1: i32): void {
  const nq = (H + DOT_ROWS - 1) / DOT_ROWS, K4 = K & ~3, ld = <usize>K * 4;
  for (let g = 0; g < G; g++) {
    for (let q = q0; q < q1; q++) {
      let d = dst + <usize>(g * nq + q) * <usize>dotGroupFloats(K) * 4;
      const row0 = g * H + DOT_ROWS * q, rows = min(DOT_ROWS, H - DOT_ROWS * q);
      for (let p = 0; p < K4; p += 4) {
        for (let r = 0; r < DOT_ROWS; r++) {
          v128.store(d, r < rows ? v128.load(W + <usize>(row0 + r) * ld + <usize>p * 4) : f32x4.splat(0));
          d += 16;
        }
      }
      for (let p = K4; p < K; p++) {
        for (let r = 0; r < 8; r++) {
          store<f32>(d, r < rows ? load<f32>(W + <usize>(row0 + r) * ld + <usize>p * 4) : 0);
          d += 4;
        }
      }
    }
  }
}

/** Bytes of the whole dot-product packing (every group of every gate). */
export function packDotBytes(G: i32, H: i32, K: i32): i32 {
  return G * ((H + DOT_ROWS - 1) / DOT_ROWS) * dotGroupFloats(K) * 4;
}

// ------------------------------------------------------------------------------ products

// C (rows, N) [+]= A (rows, K; lda bytes per row) · op(W), op(W) packed by packPanelsF32:
// the matmul's blocked loops with B already packed. A is packed MC rows × KC at a time into
// Ap (a thread's matmul scratch), so the micro-kernel streams two contiguous panels.
function rowsTimesPanels(A: usize, lda: usize, rows: i32, Wp: usize, K: i32, N: i32, C: usize, ldc: usize, add: bool, Ap: usize, tmp: usize): void {
  for (let kb = 0; kb < K; kb += KC) {
    const kc = min(KC, K - kb), addk = add || kb > 0;
    for (let r0 = 0; r0 < rows; r0 += MC) {
      const mc = min(MC, rows - r0);
      packA(Ap, A, lda, 4, r0, mc, kb, kc);
      for (let j = 0; j < N; j += 8) {
        const b = Wp + <usize>(j * K + kb * 8) * 4, cols = min(8, N - j);
        for (let r = 0; r < mc; r += 4) {
          micro(kc, Ap + <usize>(r * kc) * 4, b, C + <usize>(r0 + r) * ldc + <usize>j * 4, ldc, min(4, mc - r), cols, addk, tmp);
        }
      }
    }
  }
}

// out[0..cols) += dot(h, each of the 6 rows of a packDotGroups group), K floats.
function dotGroup(K: i32, h: usize, w: usize, out: usize, cols: i32): void {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0), s4 = f32x4.splat(0), s5 = f32x4.splat(0);
  const K4 = K & ~3;
  for (let p = 0; p < K4; p += 4) {
    const av = v128.load(h + <usize>p * 4);
    s0 = madd(av, v128.load(w), s0); s1 = madd(av, v128.load(w, 16), s1);
    s2 = madd(av, v128.load(w, 32), s2); s3 = madd(av, v128.load(w, 48), s3);
    s4 = madd(av, v128.load(w, 64), s4); s5 = madd(av, v128.load(w, 80), s5);
    w += 96;
  }
  let r0 = hsum4(s0, s1, s2, s3), r1 = hsum4(s4, s5, s4, s5); // r1: lanes 0, 1
  for (let p = K4; p < K; p++) {
    const av = v128.load32_splat(h + <usize>p * 4);
    r0 = madd(av, v128.load(w), r0); r1 = madd(av, v128.load(w, 16), r1);
    w += 32;
  }
  if (cols == DOT_ROWS) {
    v128.store(out, f32x4.add(v128.load(out), r0));
    v128.store64_lane(out, f32x4.add(v128.load64_zero(out, 16), r1), 0, 16);
    return;
  }
  for (let j = 0; j < cols; j++) {
    const v = j < 4 ? f32x4.extract_lane(r0, 0) : f32x4.extract_lane(r1, 0);
    store<f32>(out + <usize>j * 4, load<f32>(out + <usize>j * 4) + v);
    // Rotate the next lane into place (extract_lane needs a constant index).
    if (j < 4) r0 = i32x4.shuffle(r0, r0, 1, 2, 3, 0); else r1 = i32x4.shuffle(r1, r1, 1, 2, 3, 0);
  }
}

// ------------------------------------------------------------------------------ forward

/**
 * The parameter block of lstmSeqFwdRowsF32, written by JavaScript from the field list RowsJob
 * in ../abi.ts. The loader checks that list against the layout exported below (RowsJob_size
 * bytes, RowsJob_<field> each field's byte offset): a field added here needs its export line.
 */
@unmanaged
class RowsJob {
  G: usize; Hs: usize; Cs: usize; X: usize; Wip: usize; Wp: usize; bIh: usize; bHh: usize;
  T: i32; B: i32; I: i32; H: i32; lengths: usize; rev: i32;
}
export const RowsJob_size = <i32>offsetof<RowsJob>();
export const RowsJob_G = <i32>offsetof<RowsJob>('G'), RowsJob_Hs = <i32>offsetof<RowsJob>('Hs'), RowsJob_Cs = <i32>offsetof<RowsJob>('Cs');
export const RowsJob_X = <i32>offsetof<RowsJob>('X'), RowsJob_Wip = <i32>offsetof<RowsJob>('Wip'), RowsJob_Wp = <i32>offsetof<RowsJob>('Wp');
export const RowsJob_bIh = <i32>offsetof<RowsJob>('bIh'), RowsJob_bHh = <i32>offsetof<RowsJob>('bHh');
export const RowsJob_T = <i32>offsetof<RowsJob>('T'), RowsJob_B = <i32>offsetof<RowsJob>('B'), RowsJob_I = <i32>offsetof<RowsJob>('I'), RowsJob_H = <i32>offsetof<RowsJob>('H');
export const RowsJob_lengths = <i32>offsetof<RowsJob>('lengths'), RowsJob_rev = <i32>offsetof<RowsJob>('rev');

/**
 * LSTM forward over all T steps for batch rows b0..b1 (no projection), input projection
 * included. The parameters are a RowsJob at `p`. X (T,B,I) is the layer input; G (T,B,4H)
 * receives the activated gates; Hs, Cs (T+1,B,H) hold h0, c0 in the first slot and receive
 * every step's state; Wip is W_ihᵀ packed by packPanelsF32(·, W_ih, I, 4H, true), Wp W_hhᵀ by
 * packPanelsF32(·, W_hh, H, 4H, true); bIh, bHh the biases (0 if none); scratch this thread's
 * matmul scratch. Per step:
 * G_t = x_t·W_ihᵀ + h_{t−1}·W_hhᵀ + b_ih + b_hh, the cell, and an inactive row keeps h_{t−1}.
 */
export function lstmSeqFwdRowsF32(p: usize, b0: i32, b1: i32, scratch: usize): void {
  const j = changetype<RowsJob>(p);
  const G = j.G, Hs = j.Hs, Cs = j.Cs, X = j.X, Wip = j.Wip, Wp = j.Wp, bIh = j.bIh, bHh = j.bHh;
  const T = j.T, B = j.B, I = j.I, H = j.H, lengths = j.lengths, rev = j.rev != 0;
  const hRow = <usize>H * 4, gRow = hRow * 4, xRow = <usize>I * 4, rows = b1 - b0;
  if (rows <= 0) return;
  const Ap = scratch, tmp = scratch + <usize>(MC * KC) * 4;
  const lenB: usize = lengths == 0 ? 0 : lengths + <usize>b0 * 4;
  for (let s = 0; s < T; s++) {
    const t = rev ? T - 1 - s : s, sp = rev ? t + 1 : t, sn = rev ? t : t + 1;
    const g = G + (<usize>t * B + b0) * gRow;
    const hp = Hs + (<usize>sp * B + b0) * hRow, hn = Hs + (<usize>sn * B + b0) * hRow;
    const cp = Cs + (<usize>sp * B + b0) * hRow, cn = Cs + (<usize>sn * B + b0) * hRow;
    rowsTimesPanels(X + (<usize>t * B + b0) * xRow, xRow, rows, Wip, I, 4 * H, g, gRow, false, Ap, tmp); // G_t = x_t·W_ihᵀ
    rowsTimesPanels(hp, hRow, rows, Wp, H, 4 * H, g, gRow, true, Ap, tmp); // += h_{t−1}·W_hhᵀ
    if (bIh != 0 || bHh != 0) addBiases(g, rows, 4 * H, gRow, bIh, bHh);
    lstmFwdF32(g, cp, cn, hn, rows, H, lenB, t);
    if (lenB != 0) {
      for (let b = 0; b < rows; b++) if (!isActive(lenB, b, t)) memory.copy(hn + <usize>b * hRow, hp + <usize>b * hRow, hRow);
    }
  }
}

// rows of g (n floats each, ld bytes apart) += b1 + b2 (either may be 0: absent).
function addBiases(g: usize, rows: i32, n: i32, ld: usize, b1: usize, b2: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = g + <usize>r * ld;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i * 4;
      let v = v128.load(row + o);
      if (b1 != 0) v = f32x4.add(v, v128.load(b1 + o));
      if (b2 != 0) v = f32x4.add(v, v128.load(b2 + o));
      v128.store(row + o, v);
    }
    for (; i < n; i++) {
      const o = <usize>i * 4;
      let v = load<f32>(row + o);
      if (b1 != 0) v += load<f32>(b1 + o);
      if (b2 != 0) v += load<f32>(b2 + o);
      store<f32>(row + o, v);
    }
  }
}

/** Spins before a waiting thread sleeps (when it may: not a browser's main thread). */
const SPIN: i32 = 4000;
/** Bytes between the sync words of lstmSeqFwdUnitsF32: one cache line pair each. */
export const SYNC_STRIDE: i32 = 128;

/**
 * The parameter block of lstmSeqFwdUnitsF32, written from the field list UnitsJob in ../abi.ts
 * and checked against the layout exported below, as RowsJob's.
 */
@unmanaged
class UnitsJob {
  G: usize; Hs: usize; Cs: usize; X: usize; Wih: usize; Whh: usize; Wd: usize; bIh: usize; bHh: usize;
  T: i32; B: i32; I: i32; H: i32; lengths: usize; rev: i32; sync: usize; chunks: i32; cu: i32; mayWait: i32;
  failed: usize; // int32 set when a thread's range threw: stop waiting for its chunk
}
export const UnitsJob_size = <i32>offsetof<UnitsJob>();
export const UnitsJob_G = <i32>offsetof<UnitsJob>('G'), UnitsJob_Hs = <i32>offsetof<UnitsJob>('Hs'), UnitsJob_Cs = <i32>offsetof<UnitsJob>('Cs');
export const UnitsJob_X = <i32>offsetof<UnitsJob>('X'), UnitsJob_Wih = <i32>offsetof<UnitsJob>('Wih'), UnitsJob_Whh = <i32>offsetof<UnitsJob>('Whh');
export const UnitsJob_Wd = <i32>offsetof<UnitsJob>('Wd'), UnitsJob_bIh = <i32>offsetof<UnitsJob>('bIh'), UnitsJob_bHh = <i32>offsetof<UnitsJob>('bHh');
export const UnitsJob_T = <i32>offsetof<UnitsJob>('T'), UnitsJob_B = <i32>offsetof<UnitsJob>('B'), UnitsJob_I = <i32>offsetof<UnitsJob>('I'), UnitsJob_H = <i32>offsetof<UnitsJob>('H');
export const UnitsJob_lengths = <i32>offsetof<UnitsJob>('lengths'), UnitsJob_rev = <i32>offsetof<UnitsJob>('rev');
export const UnitsJob_sync = <i32>offsetof<UnitsJob>('sync'), UnitsJob_chunks = <i32>offsetof<UnitsJob>('chunks'), UnitsJob_cu = <i32>offsetof<UnitsJob>('cu');
export const UnitsJob_mayWait = <i32>offsetof<UnitsJob>('mayWait'), UnitsJob_failed = <i32>offsetof<UnitsJob>('failed');

// Chunk c of step s of lstmSeqFwdUnitsF32 (units j0..j1 of every batch row): the four gates'
// recurrent dot products, then the cell. The first time (step 0) the thread that runs the
// chunk first packs the chunk's rows of W_hh, into its own cache, and computes the chunk's
// columns of the input projection for every step: G[:, gate, j0..j1] = X·W_ih[rows]ᵀ + b_ih + b_hh.
function unitsChunk(j: UnitsJob, s: i32, j0: i32, j1: i32, scratch: usize): void {
  const T = j.T, B = j.B, H = j.H, rev = j.rev != 0;
  const hRow = <usize>H * 4, gRow = hRow * 4, nq = (H + DOT_ROWS - 1) / DOT_ROWS, group = <usize>dotGroupFloats(H) * 4;
  const q0 = j0 / DOT_ROWS, q1 = (j1 + DOT_ROWS - 1) / DOT_ROWS;
  if (s == 0) {
    packDotGroups(j.Wd, j.Whh, 4, H, H, q0, q1);
    const TB = T * B, N = 4 * H;
    for (let gate = 0; gate < 4; gate++) {
      const c0 = gate * H + j0, c1 = gate * H + j1;
      matmulF32(j.G, j.X, j.Wih, TB, N, j.I, TRANS_B, scratch, 0, TB, c0, c1);
      if (j.bIh != 0 || j.bHh != 0) {
        addBiases(j.G + <usize>c0 * 4, TB, c1 - c0, gRow, j.bIh == 0 ? 0 : j.bIh + <usize>c0 * 4, j.bHh == 0 ? 0 : j.bHh + <usize>c0 * 4);
      }
    }
  }
  const t = rev ? T - 1 - s : s, sp = rev ? t + 1 : t, sn = rev ? t : t + 1;
  const g = j.G + <usize>t * B * gRow;
  const hp = j.Hs + <usize>sp * B * hRow, hn = j.Hs + <usize>sn * B * hRow;
  const cp = j.Cs + <usize>sp * B * hRow, cn = j.Cs + <usize>sn * B * hRow;
  // G_t[:, gate, j0..j1] += h_{t−1}·W_hh[gate rows j0..j1]ᵀ, DOT_ROWS units at a time.
  for (let gate = 0; gate < 4; gate++) {
    for (let q = q0; q < q1; q++) {
      const w = j.Wd + <usize>(gate * nq + q) * group, col = <usize>(gate * H + DOT_ROWS * q) * 4;
      for (let b = 0; b < B; b++) dotGroup(H, hp + <usize>b * hRow, w, g + <usize>b * gRow + col, min(DOT_ROWS, H - DOT_ROWS * q));
    }
  }
  for (let b = 0; b < B; b++) {
    const active = isActive(j.lengths, b, t);
    lstmFwdUnitsF32(g, cp, cn, hn, b, H, active, j0, j1);
    if (!active) memory.copy(hn + <usize>b * hRow + <usize>j0 * 4, hp + <usize>b * hRow + <usize>j0 * 4, <usize>(j1 - j0) * 4);
  }
}

/**
 * LSTM forward over all T steps, input projection included, shared by hidden units (for batch
 * 1..3). The parameters are a UnitsJob at `p`: the buffers of lstmSeqFwdRowsF32 (G, Hs, Cs,
 * X, biases), W_ih and W_hh themselves, and room Wd for W_hh packed by packDotGroups, which the
 * threads fill chunk by chunk at the first step; scratch is this thread's matmul scratch.
 * Chunk c is units c·cu .. (c+1)·cu (cu a multiple of DOT_ROWS) and belongs to thread c (who;
 * 0 is the caller). sync holds 2·chunks int32 SYNC_STRIDE bytes apart, all −1 from the caller:
 * claim[c], the last step whose chunk c someone took, then done[c], the last step whose chunk c
 * is finished. Each step a thread takes its own chunk (a compare-exchange on a line only it
 * writes while all goes well, so its slice of W_hh stays in its cache), then waits until every
 * chunk of the step is done, taking over any chunk nobody has taken yet: a thread that arrives
 * late or never (a busy machine) only changes who computes what, never the sums. mayWait: the
 * caller may block (not in a browser's main thread); other threads always may.
 */
export function lstmSeqFwdUnitsF32(p: usize, who: i32, scratch: usize): void {
  const j = changetype<UnitsJob>(p), T = j.T, chunks = j.chunks;
  const canSleep = j.mayWait != 0 || who != 0;
  const claims = j.sync, dones = j.sync + <usize>chunks * SYNC_STRIDE;
  // Join at the first step not finished by every chunk.
  let s = T - 1;
  for (let c = 0; c < chunks; c++) s = min(s, atomic.load<i32>(dones + <usize>c * SYNC_STRIDE));
  for (s++; s < T; s++) {
    if (who < chunks) takeChunk(j, s, who, claims, dones, scratch);
    // Step s+1 reads all of h_s: wait for every chunk, taking any that nobody has.
    for (let i = 1; i <= chunks; i++) {
      const c = (who + i) % chunks, done = dones + <usize>c * SYNC_STRIDE;
      let spins = 0;
      for (let d = atomic.load<i32>(done); d < s; d = atomic.load<i32>(done)) {
        if (atomic.load<i32>(j.failed) != 0) return; // a thread died inside its chunk: the caller reports it
        if (atomic.load<i32>(claims + <usize>c * SYNC_STRIDE) < s) {
          takeChunk(j, s, c, claims, dones, scratch);
        } else if (++spins > SPIN && canSleep) {
          atomic.wait<i32>(done, d, 50000); // no notify is sent: look again every 50 µs
          spins = 0;
        }
      }
    }
  }
}

// Run chunk c of step s unless someone already took it.
@inline
function takeChunk(j: UnitsJob, s: i32, c: i32, claims: usize, dones: usize, scratch: usize): void {
  const claim = claims + <usize>c * SYNC_STRIDE, v = atomic.load<i32>(claim);
  if (v >= s || atomic.cmpxchg<i32>(claim, v, s) != v) return;
  unitsChunk(j, s, c * j.cu, min(j.H, (c + 1) * j.cu), scratch);
  atomic.store<i32>(dones + <usize>c * SYNC_STRIDE, s);
}

// ------------------------------------------------------------------------------ backward

/**
 * LSTM backward through all T steps for batch rows b0..b1 (no projection), the loop of
 * recurrent.ts backwardRaw: G, Cs from the forward; dHs (T,B,H) holds dL/dh_t from above and
 * receives the total; dhRun, dcRun (B,H) the gradient arriving from the step after (in: from
 * beyond the last step; out: dL/dh0, dL/dc0); dG (T,B,4H) receives dL/d(pre-activations); Wp is
 * W_hh packed by packPanelsF32(·, W_hh, 4H, H, false). Per step (backwards in time):
 * dh_t += dhRun, the cell backward, dhRun = dG_t·W_hh, and an inactive row passes dh_t on.
 */
export function lstmSeqBwdRowsF32(G: usize, Cs: usize, dHs: usize, dhRun: usize, dcRun: usize, dG: usize, Wp: usize,
  T: i32, B: i32, H: i32, lengths: usize, rev: bool, b0: i32, b1: i32, scratch: usize): void {
  const hRow = <usize>H * 4, gRow = hRow * 4, rows = b1 - b0;
  if (rows <= 0) return;
  const lenB: usize = lengths == 0 ? 0 : lengths + <usize>b0 * 4;
  const dh = dhRun + <usize>b0 * hRow, dc = dcRun + <usize>b0 * hRow, n = rows * H;
  for (let s = T - 1; s >= 0; s--) {
    const t = rev ? T - 1 - s : s, sp = rev ? t + 1 : t, sn = rev ? t : t + 1;
    const g = G + (<usize>t * B + b0) * gRow, dg = dG + (<usize>t * B + b0) * gRow;
    const dht = dHs + (<usize>t * B + b0) * hRow;
    const cp = Cs + (<usize>sp * B + b0) * hRow, cn = Cs + (<usize>sn * B + b0) * hRow;
    // dL/dh_t = from above + from step t+1
    let i = 0;
    for (; i + 4 <= n; i += 4) { const o = <usize>i * 4; v128.store(dht + o, f32x4.add(v128.load(dht + o), v128.load(dh + o))); }
    for (; i < n; i++) { const o = <usize>i * 4; store<f32>(dht + o, load<f32>(dht + o) + load<f32>(dh + o)); }
    lstmBwdF32(g, cp, cn, dht, dc, dg, rows, H, lenB, t);
    rowsTimesPanels(dg, gRow, rows, Wp, 4 * H, H, dh, hRow, false, scratch, scratch + <usize>(MC * KC) * 4); // dh_{t−1} = dG_t·W_hh
    if (lenB != 0) {
      for (let b = 0; b < rows; b++) if (!isActive(lenB, b, t)) memory.copy(dh + <usize>b * hRow, dht + <usize>b * hRow, hRow);
    }
  }
}
