// Whole-sequence recurrent kernels: the time loop of one layer direction of an LSTM (with or
// without projection), a GRU or an RNN (tanh or relu) inside WebAssembly, so a forward or
// backward pass is one call instead of two or three calls per step, the weights are packed
// once per pass instead of once per step, and threads share the work of the whole loop
// instead of meeting at every kernel.
//
// Two ways to share a sequence between threads:
// - by batch rows (forward with B ≥ 4, and every backward; whole groups of 4 rows per thread):
//   rows never meet inside a layer, so each thread runs every step for its own rows and nobody
//   waits (seqFwdRowsF32, seqBwdRowsF32). The products are the matmul's 4×8 register-blocked
//   tile against weights packed once into panels of 8 columns (matmul.ts packB); the forward
//   does the input projection step by step too, so the whole layer is one parallel job. An LSTM
//   or RNN step is one product, [x_t, h_{t−1}, 1]·[W_ih, W_hh, b_ih + b_hh]ᵀ, not two products
//   and a pass adding the biases: its tiles are stored once instead of three times (a GRU's
//   two products, [x_t, 1]·[W_ih, b_ih]ᵀ and [h_{t−1}, 1]·[W_hh, b_hh]ᵀ, take their biases alike).
// - by hidden units (forward with batch 1..3): each step, each thread computes its slice of
//   hidden units (every gate of them, then the cell), and waits for every slice before the next
//   step (seqFwdUnitsF32). A batch-1 step is a matrix-vector product, bound by how fast one
//   core streams W_hh (128-bit loads); two cores stream half each. A projected LSTM's step has
//   two phases: the cell's slice of H units, then, once every slice of m is there, a slice of
//   the Hout outputs h = m·W_hrᵀ.
//
// The per-step equations are those of the cell kernels (./cells.ts) and of recurrent.ts's
// per-step loop, which these kernels replace:
//   LSTM  G_t = x_t·W_ihᵀ + h_{t−1}·W_hhᵀ + b_ih + b_hh → cell → m_t (h_t = m_t·W_hrᵀ with projection)
//   GRU   G_t = x_t·W_ihᵀ + b_ih,  hg = h_{t−1}·W_hhᵀ + b_hh → cell (r, z, n; hn_t = hg's n part)
//   RNN   G_t = act(x_t·W_ihᵀ + h_{t−1}·W_hhᵀ + b_ih + b_hh) = h_t
// and a row past its length keeps h_{t−1} (and c_{t−1}).
//
// Every output element is computed by the same code whichever thread runs it, so results are
// bit-identical for any thread count. Pointers are byte addresses (0: absent); `lengths` is 0
// or the address of B int32 lengths; `rev` runs t = T−1..0 (the reverse direction of a
// bidirectional layer). State slots: Hs (T+1,B,Hout) and Cs (T+1,B,H) hold the state before
// time t in slot t forward, t+1 reverse (recurrent.ts forwardRaw).

import { madd } from './simd';
import { MC, TRANS_B, hsum4, matmulF32, micro, packA, packB, packPanelT } from './matmul';
import { gruBwdF32, gruFwdF32, gruFwdUnitsF32, isActive, lstmBwdF32, lstmFwdF32, lstmFwdUnitsF32, rnnBwdF32, rnnFwdF32 } from './cells';

/** Cell kinds of the `mode` field of ForwardJob and BackwardJob (../abi.ts MODE). */
export const MODE_LSTM: i32 = 0;
export const MODE_GRU: i32 = 1;
export const MODE_RNN: i32 = 2;

/** Gate blocks of H rows in W_ih and W_hh: LSTM i,f,g,o; GRU r,z,n; RNN one. */
@inline
function gateCount(mode: i32): i32 {
  return mode == MODE_LSTM ? 4 : mode == MODE_GRU ? 3 : 1;
}

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

/**
 * [W1, W2, b]ᵀ packed as packPanelsF32(·, ·, K, N, true) packs one (N, K) matrix, K = K1 + K2
 * (+ 1 with a bias): W1 stored (N,K1) and W2 stored (N,K2) side by side along K (K2 = 0: no
 * W2), then the column b1 + b2 when either is present (0: absent). The LSTM's and RNN's
 * [W_ih, W_hh, b_ih + b_hh]: [x_t, h_{t−1}, 1] times it is G_t, biases included; the GRU's
 * [W_ih, b_ih] and [W_hh, b_hh]. Bytes: ceil(N/8)·8·K·4.
 */
export function packPanelsCatF32(dst: usize, W1: usize, K1: i32, W2: usize, K2: i32, N: i32, b1: usize, b2: usize): void {
  const bias = b1 != 0 || b2 != 0, K = K1 + K2 + (bias ? 1 : 0);
  for (let j = 0; j < N; j += 8) {
    const d = dst + <usize>(j * K) * 4, rows = min(8, N - j);
    packPanelT(d, W1 + <usize>(j * K1) * 4, <usize>K1 * 4, rows, K1, 8);
    packPanelT(d + <usize>(K1 * 8) * 4, W2 + <usize>(j * K2) * 4, <usize>K2 * 4, rows, K2, 8);
    if (!bias) continue;
    const db = d + <usize>((K1 + K2) * 8) * 4;
    for (let r = 0; r < 8; r++) {
      const o = <usize>(j + r) * 4;
      store<f32>(db + <usize>r * 4, r >= rows ? 0 : (b1 != 0 ? load<f32>(b1 + o) : 0) + (b2 != 0 ? load<f32>(b2 + o) : 0));
    }
  }
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

/** Most depth of the K blocks of rowsTimesPanels: a 4×KR panel of A and an 8×KR panel of the
 * weights (24 KB) stay in L1 together, and K = I + H + 1 of a step (289 for W2, 321 and 513
 * for W4's layers) or 4H = 1024 of the backward take one or two blocks of equal depth, each
 * tile stored once per block. */
const KR: i32 = 512;
/** Bytes of a thread's matmul scratch these kernels use: the packed A block, then a tile. */
const AP_BYTES: usize = <usize>(MC * KR) * 4;

// C (rows, N) [+]= A (rows, K; lda bytes per row) · op(W), op(W) packed by packPanelsF32:
// the matmul's blocked loops with B already packed. A is packed MC rows × ≤ KR at a time into
// Ap (a thread's matmul scratch), so the micro-kernel streams two contiguous panels.
function rowsTimesPanels(A: usize, lda: usize, rows: i32, Wp: usize, K: i32, N: i32, C: usize, ldc: usize, add: bool, Ap: usize, tmp: usize): void {
  const blocks = (K + KR - 1) / KR, depth = ((K + blocks - 1) / blocks + 3) & ~3; // ceil(K / blocks), a multiple of 4
  for (let kb = 0; kb < K; kb += depth) {
    const kc = min(depth, K - kb), addk = add || kb > 0;
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
 * The parameter block of both forward kernels, written by JavaScript from the field list
 * ForwardJob in ../abi.ts. The loader checks that list against the layout exported below
 * (ForwardJob_size bytes, ForwardJob_<field> each field's byte offset): a field added here
 * needs its export line. Buffers (recurrent.ts's BPTT cache of one layer direction):
 * X (T,B,I) the layer input; G (T,B,Gc) receives the activated gates (RNN: h_t); Hs (T+1,B,Hout)
 * and Cs (T+1,B,H, LSTM) hold h0, c0 in the first slot and receive every step's state;
 * M (T,B,H) m_t of a projected LSTM; HN (T,B,H) and HG (B,3H) the GRU's hn_t and its current
 * h_{t−1}·W_hhᵀ + b_hh. Weights as stored (PyTorch's layout): Wih (Gc,I), Whh (Gc,Hout),
 * Whr (Hout,H) or 0; the packed copies: for the rows kernel Wi, Wh, Wr are W_ihᵀ, W_hhᵀ, W_hrᵀ
 * packed by packPanelsF32(·, W, K, N, true); for the units kernel Wh and Wr receive W_hh and
 * W_hr packed by packDotGroups (each thread packs its own groups at step 0) and Wi is unused.
 * act: RNN 0 tanh, 1 relu. sync .. failed are the units kernel's (seqFwdUnitsF32). XH, rows
 * kernel only (0: the products without a bias row, then a pass adding the biases): for an LSTM
 * or RNN room for B rows of [x_t, h_{t−1}, 1] (I + Hout + 1 floats each, the 1 only with a bias),
 * and Wi is [W_ih, W_hh, b_ih + b_hh] packed by packPanelsCatF32 (Wh unused); for a GRU room for B
 * rows of [x_t, 1] then B rows of [h_{t−1}, 1], Wi is [W_ih, b_ih] and Wh [W_hh, b_hh] so packed.
 */
@unmanaged
class ForwardJob {
  mode: i32; act: i32;
  X: usize; G: usize; Hs: usize; Cs: usize; M: usize; HN: usize; HG: usize;
  Wih: usize; Whh: usize; Whr: usize; Wi: usize; Wh: usize; Wr: usize; bIh: usize; bHh: usize;
  T: i32; B: i32; I: i32; H: i32; Hout: i32; lengths: usize; rev: i32;
  sync: usize; chunks: i32; cu: i32; cuOut: i32; mayWait: i32;
  failed: usize; // int32 set when a thread's range threw: stop waiting for its chunk
  XH: usize; // rows kernel: room for the rows of [x_t, h_{t−1}, 1] (GRU: [x_t, 1], [h_{t−1}, 1]); see above
}
export const ForwardJob_size = <i32>offsetof<ForwardJob>();
export const ForwardJob_mode = <i32>offsetof<ForwardJob>('mode'), ForwardJob_act = <i32>offsetof<ForwardJob>('act');
export const ForwardJob_X = <i32>offsetof<ForwardJob>('X'), ForwardJob_G = <i32>offsetof<ForwardJob>('G'), ForwardJob_Hs = <i32>offsetof<ForwardJob>('Hs');
export const ForwardJob_Cs = <i32>offsetof<ForwardJob>('Cs'), ForwardJob_M = <i32>offsetof<ForwardJob>('M'), ForwardJob_HN = <i32>offsetof<ForwardJob>('HN');
export const ForwardJob_HG = <i32>offsetof<ForwardJob>('HG');
export const ForwardJob_Wih = <i32>offsetof<ForwardJob>('Wih'), ForwardJob_Whh = <i32>offsetof<ForwardJob>('Whh'), ForwardJob_Whr = <i32>offsetof<ForwardJob>('Whr');
export const ForwardJob_Wi = <i32>offsetof<ForwardJob>('Wi'), ForwardJob_Wh = <i32>offsetof<ForwardJob>('Wh'), ForwardJob_Wr = <i32>offsetof<ForwardJob>('Wr');
export const ForwardJob_bIh = <i32>offsetof<ForwardJob>('bIh'), ForwardJob_bHh = <i32>offsetof<ForwardJob>('bHh');
export const ForwardJob_T = <i32>offsetof<ForwardJob>('T'), ForwardJob_B = <i32>offsetof<ForwardJob>('B'), ForwardJob_I = <i32>offsetof<ForwardJob>('I');
export const ForwardJob_H = <i32>offsetof<ForwardJob>('H'), ForwardJob_Hout = <i32>offsetof<ForwardJob>('Hout');
export const ForwardJob_lengths = <i32>offsetof<ForwardJob>('lengths'), ForwardJob_rev = <i32>offsetof<ForwardJob>('rev');
export const ForwardJob_sync = <i32>offsetof<ForwardJob>('sync'), ForwardJob_chunks = <i32>offsetof<ForwardJob>('chunks');
export const ForwardJob_cu = <i32>offsetof<ForwardJob>('cu'), ForwardJob_cuOut = <i32>offsetof<ForwardJob>('cuOut');
export const ForwardJob_mayWait = <i32>offsetof<ForwardJob>('mayWait'), ForwardJob_failed = <i32>offsetof<ForwardJob>('failed');
export const ForwardJob_XH = <i32>offsetof<ForwardJob>('XH');

/**
 * Forward over all T steps for batch rows b0..b1, input projection included. The parameters
 * are a ForwardJob at `p` (with Wi, Wh, Wr packed for this kernel); scratch is this thread's
 * matmul scratch. Per step, for the rows: the products into G_t (GRU: G_t and HG), the biases,
 * the cell (./cells.ts), the projection h_t = m_t·W_hrᵀ of a projected LSTM, and an inactive
 * row keeps h_{t−1} (the GRU cell keeps it itself).
 */
export function seqFwdRowsF32(p: usize, b0: i32, b1: i32, scratch: usize): void {
  const j = changetype<ForwardJob>(p);
  const mode = j.mode, T = j.T, B = j.B, I = j.I, H = j.H, Hout = j.Hout, rev = j.rev != 0;
  const Gc = gateCount(mode) * H, rows = b1 - b0;
  if (rows <= 0) return;
  const hRow = <usize>H * 4, oRow = <usize>Hout * 4, gRow = <usize>Gc * 4, xRow = <usize>I * 4;
  const Ap = scratch, tmp = scratch + AP_BYTES;
  const lenB: usize = j.lengths == 0 ? 0 : j.lengths + <usize>b0 * 4;
  const hg = j.HG + <usize>b0 * gRow; // GRU only
  // LSTM, RNN with XH: rows of [x_t, h_{t−1}, 1 (with a bias)], K floats each.
  const bias = j.bIh != 0 || j.bHh != 0, K = I + Hout + (bias ? 1 : 0), xhRow = <usize>K * 4, xh = j.XH + <usize>b0 * xhRow;
  // GRU with XH: B rows of [x_t, 1 (with b_ih)], then B rows of [h_{t−1}, 1 (with b_hh)].
  const Kx = I + (j.bIh != 0 ? 1 : 0), Kh = Hout + (j.bHh != 0 ? 1 : 0), gxRow = <usize>Kx * 4, ghRow = <usize>Kh * 4;
  const gx = j.XH + <usize>b0 * gxRow, gh = j.XH + <usize>B * gxRow + <usize>b0 * ghRow;
  for (let s = 0; s < T; s++) {
    const t = rev ? T - 1 - s : s, sp = rev ? t + 1 : t, sn = rev ? t : t + 1;
    const r0 = <usize>t * B + b0; // row of (T,B,·) buffers
    const g = j.G + r0 * gRow;
    const hp = j.Hs + (<usize>sp * B + b0) * oRow, hn = j.Hs + (<usize>sn * B + b0) * oRow;
    if (mode == MODE_GRU) {
      if (j.XH != 0) {
        // G_t = [x_t, 1]·[W_ih, b_ih]ᵀ, hg = [h_{t−1}, 1]·[W_hh, b_hh]ᵀ: the biases as one more K row.
        for (let b = 0; b < rows; b++) {
          const rx = gx + <usize>b * gxRow, rh = gh + <usize>b * ghRow;
          memory.copy(rx, j.X + (r0 + <usize>b) * xRow, xRow);
          if (j.bIh != 0) store<f32>(rx + xRow, 1);
          memory.copy(rh, hp + <usize>b * oRow, oRow);
          if (j.bHh != 0) store<f32>(rh + oRow, 1);
        }
        rowsTimesPanels(gx, gxRow, rows, j.Wi, Kx, Gc, g, gRow, false, Ap, tmp);
        rowsTimesPanels(gh, ghRow, rows, j.Wh, Kh, Gc, hg, gRow, false, Ap, tmp);
      } else {
        rowsTimesPanels(j.X + r0 * xRow, xRow, rows, j.Wi, I, Gc, g, gRow, false, Ap, tmp); // G_t = x_t·W_ihᵀ
        rowsTimesPanels(hp, oRow, rows, j.Wh, Hout, Gc, hg, gRow, false, Ap, tmp); // hg = h_{t−1}·W_hhᵀ
        addBiases(g, rows, Gc, gRow, j.bIh, 0);
        addBiases(hg, rows, Gc, gRow, j.bHh, 0);
      }
      gruFwdF32(g, hg, j.HN + r0 * hRow, hp, hn, rows, H, lenB, t);
      continue;
    }
    if (j.XH != 0) {
      // G_t = [x_t, h_{t−1}, 1]·[W_ih, W_hh, b_ih + b_hh]ᵀ: one product over K, biases included.
      for (let b = 0; b < rows; b++) {
        const row = xh + <usize>b * xhRow;
        memory.copy(row, j.X + (r0 + <usize>b) * xRow, xRow);
        memory.copy(row + xRow, hp + <usize>b * oRow, oRow);
        if (bias) store<f32>(row + xRow + oRow, 1);
      }
      rowsTimesPanels(xh, xhRow, rows, j.Wi, K, Gc, g, gRow, false, Ap, tmp);
    } else {
      rowsTimesPanels(j.X + r0 * xRow, xRow, rows, j.Wi, I, Gc, g, gRow, false, Ap, tmp); // G_t = x_t·W_ihᵀ
      rowsTimesPanels(hp, oRow, rows, j.Wh, Hout, Gc, g, gRow, true, Ap, tmp); // += h_{t−1}·W_hhᵀ
      addBiases(g, rows, Gc, gRow, j.bIh, j.bHh);
    }
    if (mode == MODE_LSTM) {
      const cp = j.Cs + (<usize>sp * B + b0) * hRow, cn = j.Cs + (<usize>sn * B + b0) * hRow;
      const m = j.Whr != 0 ? j.M + r0 * hRow : hn;
      lstmFwdF32(g, cp, cn, m, rows, H, lenB, t);
      if (j.Whr != 0) rowsTimesPanels(m, hRow, rows, j.Wr, H, Hout, hn, oRow, false, Ap, tmp); // h_t = m_t·W_hrᵀ
    } else {
      rnnFwdF32(g, rows * H, j.act);
      memory.copy(hn, g, <usize>rows * hRow);
    }
    if (lenB != 0) {
      for (let b = 0; b < rows; b++) if (!isActive(lenB, b, t)) memory.copy(hn + <usize>b * oRow, hp + <usize>b * oRow, oRow);
    }
  }
}

// rows of g (n floats each, ld bytes apart) += b1 + b2 (either may be 0: absent).
function addBiases(g: usize, rows: i32, n: i32, ld: usize, b1: usize, b2: usize): void {
  if (b1 == 0 && b2 == 0) return;
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
/** Bytes between the sync words of seqFwdUnitsF32: one cache line pair each. */
export const SYNC_STRIDE: i32 = 128;

// Phase 0 of chunk c of step s of seqFwdUnitsF32: units j0..j1 of every gate and batch row,
// the recurrent dot products, then the cell. The first time (step 0) the thread that runs the
// chunk first packs the chunk's rows of W_hh, into its own cache, and computes the chunk's
// columns of the input projection for every step: G[:, gate, j0..j1] = X·W_ih[rows]ᵀ + biases
// (the GRU's b_hh goes to hg instead).
function unitsCell(j: ForwardJob, s: i32, j0: i32, j1: i32, scratch: usize): void {
  const mode = j.mode, T = j.T, B = j.B, H = j.H, Hout = j.Hout, rev = j.rev != 0, NG = gateCount(mode);
  const hRow = <usize>H * 4, oRow = <usize>Hout * 4, gRow = <usize>(NG * H) * 4;
  const nq = (H + DOT_ROWS - 1) / DOT_ROWS, group = <usize>dotGroupFloats(Hout) * 4;
  const q0 = j0 / DOT_ROWS, q1 = (j1 + DOT_ROWS - 1) / DOT_ROWS;
  const gru = mode == MODE_GRU;
  if (s == 0) {
    packDotGroups(j.Wh, j.Whh, NG, H, Hout, q0, q1);
    const TB = T * B, N = NG * H;
    for (let gate = 0; gate < NG; gate++) {
      const c0 = gate * H + j0, c1 = gate * H + j1, o = <usize>c0 * 4;
      matmulF32(j.G, j.X, j.Wih, TB, N, j.I, TRANS_B, scratch, 0, TB, c0, c1);
      addBiases(j.G + o, TB, c1 - c0, gRow, j.bIh == 0 ? 0 : j.bIh + o, j.bHh == 0 || gru ? 0 : j.bHh + o);
    }
  }
  const t = rev ? T - 1 - s : s, sp = rev ? t + 1 : t, sn = rev ? t : t + 1;
  const g = j.G + <usize>t * B * gRow;
  const hp = j.Hs + <usize>sp * B * oRow, hn = j.Hs + <usize>sn * B * oRow;
  // The recurrent products, DOT_ROWS units at a time: G_t[:, gate, j0..j1] += h_{t−1}·W_hh[gate rows j0..j1]ᵀ
  // (GRU: hg[:, gate, j0..j1] = b_hh + h_{t−1}·W_hh[...]ᵀ).
  const dst = gru ? j.HG : g;
  if (gru) {
    for (let b = 0; b < B; b++) {
      for (let gate = 0; gate < NG; gate++) {
        const o = <usize>(gate * H + j0) * 4, row = dst + <usize>b * gRow + o, n = <usize>(j1 - j0) * 4;
        if (j.bHh != 0) memory.copy(row, j.bHh + o, n);
        else memory.fill(row, 0, n);
      }
    }
  }
  for (let gate = 0; gate < NG; gate++) {
    for (let q = q0; q < q1; q++) {
      const w = j.Wh + <usize>(gate * nq + q) * group, col = <usize>(gate * H + DOT_ROWS * q) * 4;
      for (let b = 0; b < B; b++) dotGroup(Hout, hp + <usize>b * oRow, w, dst + <usize>b * gRow + col, min(DOT_ROWS, H - DOT_ROWS * q));
    }
  }
  // The cell, for units j0..j1 of each row.
  const proj = j.Whr != 0;
  for (let b = 0; b < B; b++) {
    const active = isActive(j.lengths, b, t);
    const hpj = hp + <usize>b * oRow + <usize>j0 * 4, hnj = hn + <usize>b * oRow + <usize>j0 * 4, n = <usize>(j1 - j0) * 4;
    if (mode == MODE_LSTM) {
      const cp = j.Cs + <usize>sp * B * hRow, cn = j.Cs + <usize>sn * B * hRow;
      lstmFwdUnitsF32(g, cp, cn, proj ? j.M + <usize>t * B * hRow : hn, b, H, active, j0, j1);
      if (!active && !proj) memory.copy(hnj, hpj, n); // with projection, phase 1 keeps h
    } else if (gru) {
      gruFwdUnitsF32(g, j.HG, j.HN + <usize>t * B * hRow, hp, hn, b, H, active, j0, j1);
    } else {
      const gj = g + <usize>b * gRow + <usize>j0 * 4;
      rnnFwdF32(gj, j1 - j0, j.act);
      memory.copy(hnj, active ? gj : hpj, n);
    }
  }
}

// Phase 1 of chunk c of step s of a projected LSTM: outputs k0..k1 of every row,
// h_t[:, k0..k1] = m_t·W_hr[k0..k1]ᵀ (an inactive row keeps h_{t−1}). At step 0 the chunk's
// rows of W_hr are packed first.
function unitsProjection(j: ForwardJob, s: i32, k0: i32, k1: i32): void {
  const T = j.T, B = j.B, H = j.H, Hout = j.Hout, rev = j.rev != 0;
  const hRow = <usize>H * 4, oRow = <usize>Hout * 4, group = <usize>dotGroupFloats(H) * 4;
  const q0 = k0 / DOT_ROWS, q1 = (k1 + DOT_ROWS - 1) / DOT_ROWS;
  if (s == 0) packDotGroups(j.Wr, j.Whr, 1, Hout, H, q0, q1);
  const t = rev ? T - 1 - s : s, sp = rev ? t + 1 : t, sn = rev ? t : t + 1;
  const m = j.M + <usize>t * B * hRow, hp = j.Hs + <usize>sp * B * oRow, hn = j.Hs + <usize>sn * B * oRow;
  for (let b = 0; b < B; b++) {
    const out = hn + <usize>b * oRow, n = <usize>(k1 - k0) * 4;
    if (!isActive(j.lengths, b, t)) {
      memory.copy(out + <usize>k0 * 4, hp + <usize>b * oRow + <usize>k0 * 4, n);
      continue;
    }
    memory.fill(out + <usize>k0 * 4, 0, n);
    for (let q = q0; q < q1; q++) {
      dotGroup(H, m + <usize>b * hRow, j.Wr + <usize>q * group, out + <usize>(DOT_ROWS * q) * 4, min(DOT_ROWS, Hout - DOT_ROWS * q));
    }
  }
}

/**
 * Forward over all T steps, input projection included, shared by hidden units (for batch
 * 1..3). The parameters are a ForwardJob at `p`: the buffers and weights of seqFwdRowsF32, and
 * room Wh (and Wr) for W_hh (and W_hr) packed by packDotGroups, which the threads fill chunk by
 * chunk at the first step; scratch is this thread's matmul scratch. A step has one phase, two
 * for a projected LSTM (units of m, then outputs of h); phase u = s·phases + phase. Chunk c
 * of the cell phase is units c·cu .. (c+1)·cu, of the projection phase outputs c·cuOut ..
 * (c+1)·cuOut (cu, cuOut multiples of DOT_ROWS), and belongs to thread c (who; 0 is the caller).
 * sync holds 2·chunks int32 SYNC_STRIDE bytes apart, all −1 from the caller: claim[c], the last
 * phase whose chunk c someone took, then done[c], the last phase whose chunk c is finished. Each
 * phase a thread takes its own chunk (a compare-exchange on a line only it writes while all
 * goes well, so its slice of the weights stays in its cache), then waits until every chunk of
 * the phase is done, taking over any chunk nobody has taken yet: a thread that arrives late or
 * never (a busy machine) only changes who computes what, never the sums. mayWait: the caller
 * may block (not in a browser's main thread); other threads always may.
 */
export function seqFwdUnitsF32(p: usize, who: i32, scratch: usize): void {
  const j = changetype<ForwardJob>(p), chunks = j.chunks;
  const U = j.T * (j.Whr != 0 ? 2 : 1);
  const canSleep = j.mayWait != 0 || who != 0;
  const claims = j.sync, dones = j.sync + <usize>chunks * SYNC_STRIDE;
  // Join at the first phase not finished by every chunk.
  let u = U - 1;
  for (let c = 0; c < chunks; c++) u = min(u, atomic.load<i32>(dones + <usize>c * SYNC_STRIDE));
  for (u++; u < U; u++) {
    if (who < chunks) takeChunk(j, u, who, claims, dones, scratch);
    // The next phase reads all of this one's output: wait for every chunk, taking any that nobody has.
    for (let i = 1; i <= chunks; i++) {
      const c = (who + i) % chunks, done = dones + <usize>c * SYNC_STRIDE;
      let spins = 0;
      for (let d = atomic.load<i32>(done); d < u; d = atomic.load<i32>(done)) {
        if (atomic.load<i32>(j.failed) != 0) return; // a thread died inside its chunk: the caller reports it
        if (atomic.load<i32>(claims + <usize>c * SYNC_STRIDE) < u) {
          takeChunk(j, u, c, claims, dones, scratch);
        } else if (++spins > SPIN && canSleep) {
          atomic.wait<i32>(done, d, 50000); // no notify is sent: look again every 50 µs
          spins = 0;
        }
      }
    }
  }
}

// Run chunk c of phase u unless someone already took it.
@inline
function takeChunk(j: ForwardJob, u: i32, c: i32, claims: usize, dones: usize, scratch: usize): void {
  const claim = claims + <usize>c * SYNC_STRIDE, v = atomic.load<i32>(claim);
  if (v >= u || atomic.cmpxchg<i32>(claim, v, u) != v) return;
  if (j.Whr == 0) {
    unitsCell(j, u, c * j.cu, min(j.H, (c + 1) * j.cu), scratch);
  } else if ((u & 1) == 0) {
    unitsCell(j, u >> 1, c * j.cu, min(j.H, (c + 1) * j.cu), scratch);
  } else {
    const k0 = c * j.cuOut, k1 = min(j.Hout, (c + 1) * j.cuOut);
    if (k0 < k1) unitsProjection(j, u >> 1, k0, k1);
  }
  atomic.store<i32>(dones + <usize>c * SYNC_STRIDE, u);
}

// ------------------------------------------------------------------------------ backward

/**
 * The parameter block of seqBwdRowsF32, written from the field list BackwardJob in ../abi.ts
 * and checked against the layout exported below, as ForwardJob's. Buffers: G, Cs, Hs, HN from
 * the forward (ForwardJob); dHs (T,B,Hout) holds dL/dh_t from above and receives the total;
 * dhRun (B,Hout) and dcRun (B,H, LSTM) the gradient arriving from the step after (in: from
 * beyond the last step; out: dL/dh0, dL/dc0); dm (B,H) a projected LSTM's dL/dm_t; dG (T,B,Gc)
 * receives dL/d(gate pre-activations) (GRU: of the input part) and dHg (T,B,3H) the GRU's
 * dL/d(hg). Wh is W_hh packed by packPanelsF32(·, W_hh, Gc, Hout, false), Wr W_hr by
 * packPanelsF32(·, W_hr, Hout, H, false) or 0.
 */
@unmanaged
class BackwardJob {
  mode: i32; act: i32;
  G: usize; Hs: usize; Cs: usize; HN: usize; dHs: usize; dhRun: usize; dcRun: usize; dm: usize; dG: usize; dHg: usize;
  Wh: usize; Wr: usize;
  T: i32; B: i32; H: i32; Hout: i32; lengths: usize; rev: i32;
}
export const BackwardJob_size = <i32>offsetof<BackwardJob>();
export const BackwardJob_mode = <i32>offsetof<BackwardJob>('mode'), BackwardJob_act = <i32>offsetof<BackwardJob>('act');
export const BackwardJob_G = <i32>offsetof<BackwardJob>('G'), BackwardJob_Hs = <i32>offsetof<BackwardJob>('Hs'), BackwardJob_Cs = <i32>offsetof<BackwardJob>('Cs');
export const BackwardJob_HN = <i32>offsetof<BackwardJob>('HN'), BackwardJob_dHs = <i32>offsetof<BackwardJob>('dHs');
export const BackwardJob_dhRun = <i32>offsetof<BackwardJob>('dhRun'), BackwardJob_dcRun = <i32>offsetof<BackwardJob>('dcRun');
export const BackwardJob_dm = <i32>offsetof<BackwardJob>('dm'), BackwardJob_dG = <i32>offsetof<BackwardJob>('dG'), BackwardJob_dHg = <i32>offsetof<BackwardJob>('dHg');
export const BackwardJob_Wh = <i32>offsetof<BackwardJob>('Wh'), BackwardJob_Wr = <i32>offsetof<BackwardJob>('Wr');
export const BackwardJob_T = <i32>offsetof<BackwardJob>('T'), BackwardJob_B = <i32>offsetof<BackwardJob>('B');
export const BackwardJob_H = <i32>offsetof<BackwardJob>('H'), BackwardJob_Hout = <i32>offsetof<BackwardJob>('Hout');
export const BackwardJob_lengths = <i32>offsetof<BackwardJob>('lengths'), BackwardJob_rev = <i32>offsetof<BackwardJob>('rev');

/**
 * Backward through all T steps for batch rows b0..b1: the loop of recurrent.ts backwardRaw.
 * The parameters are a BackwardJob at `p`; scratch is this thread's matmul scratch. Per step,
 * backwards in time: dh_t += dhRun; LSTM: dm = dh_t·W_hr (projection), the cell backward,
 * dhRun = dG_t·W_hh; GRU: the cell backward (dhRun = z⊙dh_t), dhRun += dHg_t·W_hh; RNN: dG_t =
 * dh_t⊙act', dhRun = dG_t·W_hh; and an inactive row passes dh_t on.
 */
export function seqBwdRowsF32(p: usize, b0: i32, b1: i32, scratch: usize): void {
  const j = changetype<BackwardJob>(p);
  const mode = j.mode, T = j.T, B = j.B, H = j.H, Hout = j.Hout, rev = j.rev != 0;
  const Gc = gateCount(mode) * H, rows = b1 - b0;
  if (rows <= 0) return;
  const hRow = <usize>H * 4, oRow = <usize>Hout * 4, gRow = <usize>Gc * 4;
  const Ap = scratch, tmp = scratch + AP_BYTES;
  const lenB: usize = j.lengths == 0 ? 0 : j.lengths + <usize>b0 * 4;
  const dh = j.dhRun + <usize>b0 * oRow, n = rows * Hout;
  for (let s = T - 1; s >= 0; s--) {
    const t = rev ? T - 1 - s : s, sp = rev ? t + 1 : t, sn = rev ? t : t + 1;
    const r0 = <usize>t * B + b0;
    const g = j.G + r0 * gRow, dg = j.dG + r0 * gRow, dht = j.dHs + r0 * oRow;
    // dL/dh_t = from above + from step t+1
    let i = 0;
    for (; i + 4 <= n; i += 4) { const o = <usize>i * 4; v128.store(dht + o, f32x4.add(v128.load(dht + o), v128.load(dh + o))); }
    for (; i < n; i++) { const o = <usize>i * 4; store<f32>(dht + o, load<f32>(dht + o) + load<f32>(dh + o)); }
    if (mode == MODE_LSTM) {
      const cp = j.Cs + (<usize>sp * B + b0) * hRow, cn = j.Cs + (<usize>sn * B + b0) * hRow;
      let dm = dht;
      if (j.Wr != 0) {
        dm = j.dm + <usize>b0 * hRow;
        rowsTimesPanels(dht, oRow, rows, j.Wr, Hout, H, dm, hRow, false, Ap, tmp); // dm = dh_t·W_hr
      }
      lstmBwdF32(g, cp, cn, dm, j.dcRun + <usize>b0 * hRow, dg, rows, H, lenB, t);
      rowsTimesPanels(dg, gRow, rows, j.Wh, Gc, Hout, dh, oRow, false, Ap, tmp); // dh_{t−1} = dG_t·W_hh
    } else if (mode == MODE_GRU) {
      const dhg = j.dHg + r0 * gRow;
      gruBwdF32(g, j.HN + r0 * hRow, j.Hs + (<usize>sp * B + b0) * hRow, dht, dg, dhg, dh, rows, H, lenB, t);
      rowsTimesPanels(dhg, gRow, rows, j.Wh, Gc, H, dh, hRow, true, Ap, tmp); // dh_{t−1} += dHg_t·W_hh
      continue; // the GRU cell passes an inactive row's dh_t on itself
    } else {
      rnnBwdF32(g, dht, dg, rows, H, j.act, lenB, t);
      rowsTimesPanels(dg, gRow, rows, j.Wh, H, H, dh, hRow, false, Ap, tmp); // dh_{t−1} = dG_t·W_hh
    }
    if (lenB != 0) {
      for (let b = 0; b < rows; b++) if (!isActive(lenB, b, t)) memory.copy(dh + <usize>b * oRow, dht + <usize>b * oRow, oRow);
    }
  }
}
