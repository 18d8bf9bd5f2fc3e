// Matrix multiply kernels: C (m,n) = [C +] op(A) (m,k) · op(B) (k,n), row-major, f32 and f64.
//
// f32 follows GotoBLAS/BLIS: op(B) is packed into panels of NR = 8 columns for a block of KC
// rows, op(A) into panels of MR = 4 rows, and a register-blocked micro-kernel keeps the 4×8
// tile of C in 8 SIMD accumulators while it streams both panels (4 broadcasts of A, 2 loads
// of B, 8 multiply-adds per step of k). Packing makes every transpose case the same inner loop
// and pads odd sizes with zeros, so edges only cost a masked store. Small m (the per-step
// recurrent product at batch 1) skips packing: with transB it runs dot products along k, else
// the same micro-kernel reads B in place.
//
// Every entry point computes the sub-block rows i0..i1, columns j0..j1 of C, so the JS side
// splits one product over threads by rows or columns. Pointers are byte addresses.

import { madd } from './simd';

// Block sizes: the B block (KC × NC floats = 256 KB) stays in L2, an A panel (4 × KC) in L1.
const MR: i32 = 4;
const NR: i32 = 8;
export const KC: i32 = 256;
const NC: i32 = 256;
export const MC: i32 = 64;

/** Bytes of scratch one thread needs for matmulF32 (packed B block, packed A block, one tile). */
export function matmulScratchBytes(): i32 {
  return (KC * NC + MC * KC + MR * NR) * 4;
}

// Flag bits shared with the JS side.
const TRANS_A: i32 = 1;
export const TRANS_B: i32 = 2;
const ACCUMULATE: i32 = 4;

// Transpose a 4×4 block: rows r0..r3 → columns, stored 4 floats apart by `stride` bytes.
@inline
function transpose4(dst: usize, stride: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const a = i32x4.shuffle(r0, r1, 0, 4, 1, 5), b = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const c = i32x4.shuffle(r0, r1, 2, 6, 3, 7), d = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(a, b, 0, 1, 4, 5));
  v128.store(dst + stride, i32x4.shuffle(a, b, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, i32x4.shuffle(c, d, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, i32x4.shuffle(c, d, 2, 3, 6, 7));
}

// One panel of width W (4 or 8) from `rows` ≤ W source rows that are contiguous along p
// (row r at src + r*rs): dst[p][r] for p < kc, zero for r ≥ rows. Full panels go through
// 4×4 SIMD transposes.
export function packPanelT(dst: usize, src: usize, rs: usize, rows: i32, kc: i32, W: i32): void {
  const ds = <usize>W * 4;
  let p = 0;
  if (rows == W) {
    for (; p + 4 <= kc; p += 4) {
      for (let g = 0; g < W; g += 4) {
        const s = src + <usize>g * rs + <usize>p * 4;
        transpose4(dst + <usize>p * ds + <usize>g * 4, ds,
          v128.load(s), v128.load(s + rs), v128.load(s + 2 * rs), v128.load(s + 3 * rs));
      }
    }
  }
  for (; p < kc; p++) {
    const d = dst + <usize>p * ds;
    for (let r = 0; r < rows; r++) store<f32>(d + <usize>r * 4, load<f32>(src + <usize>r * rs + <usize>p * 4));
    for (let r = rows; r < W; r++) store<f32>(d + <usize>r * 4, 0);
  }
}

// Panels of width W from a source contiguous along the panel (element r of row p at
// src + p*ps + r*4): dst[panel][p][W] for `total` elements per row. p runs in groups of 4
// with the panels inside, so the rows read stay in L1 even when they are 4 KB apart.
function packPanelsN(dst: usize, src: usize, ps: usize, total: i32, kc: i32, W: i32): void {
  const ds = <usize>W * 4;
  for (let p0 = 0; p0 < kc; p0 += 4) {
    const p1 = min(p0 + 4, kc);
    for (let r0 = 0; r0 < total; r0 += W) {
      const cnt = min(W, total - r0);
      const panel = dst + <usize>(r0 * kc) * 4;
      for (let p = p0; p < p1; p++) {
        const s = src + <usize>p * ps + <usize>r0 * 4, d = panel + <usize>p * ds;
        if (cnt == W) {
          v128.store(d, v128.load(s));
          if (W == 8) v128.store(d, v128.load(s, 16), 16);
        } else {
          for (let r = 0; r < cnt; r++) store<f32>(d + <usize>r * 4, load<f32>(s + <usize>r * 4));
          for (let r = cnt; r < W; r++) store<f32>(d + <usize>r * 4, 0);
        }
      }
    }
  }
}

// Pack op(B)[pc..pc+kc, jc..jc+nc] into panels of NR columns: dst[panel][p][NR], zero padded.
// op(B)[p][j] lives at B + p*bsp + j*bsj (bytes); one of the strides is 4.
export function packB(dst: usize, B: usize, bsp: usize, bsj: usize, pc: i32, kc: i32, jc: i32, nc: i32): void {
  const src = B + <usize>pc * bsp + <usize>jc * bsj;
  if (bsj == 4) {
    packPanelsN(dst, src, bsp, nc, kc, NR);
  } else {
    for (let jr = 0; jr < nc; jr += NR) {
      packPanelT(dst + <usize>(jr * kc) * 4, src + <usize>jr * bsj, bsj, min(NR, nc - jr), kc, NR);
    }
  }
}

// Pack op(A)[ic..ic+mc, pc..pc+kc] into panels of MR rows: dst[panel][p][MR], zero padded.
// op(A)[i][p] lives at A + i*asi + p*asp (bytes); one of the strides is 4.
export function packA(dst: usize, A: usize, asi: usize, asp: usize, ic: i32, mc: i32, pc: i32, kc: i32): void {
  const src = A + <usize>ic * asi + <usize>pc * asp;
  if (asi == 4) {
    packPanelsN(dst, src, asp, mc, kc, MR);
  } else {
    for (let ir = 0; ir < mc; ir += MR) {
      packPanelT(dst + <usize>(ir * kc) * 4, src + <usize>ir * asi, asi, min(MR, mc - ir), kc, MR);
    }
  }
}

// The 4×8 micro-kernel on packed panels: tile = Σ_p a[p][0..3] ⊗ b[p][0..7], then C tile
// (ldc bytes per row) = tile (+ C if add). A partial edge tile (rows < 4 or cols < 8) goes
// through `tmp` so only the valid part is written.
export function micro(kc: i32, a: usize, b: usize, C: usize, ldc: usize, rows: i32, cols: i32, add: bool, tmp: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let ai = v128.load32_splat(a);
    c00 = madd(ai, b0, c00); c01 = madd(ai, b1, c01);
    ai = v128.load32_splat(a, 4);
    c10 = madd(ai, b0, c10); c11 = madd(ai, b1, c11);
    ai = v128.load32_splat(a, 8);
    c20 = madd(ai, b0, c20); c21 = madd(ai, b1, c21);
    ai = v128.load32_splat(a, 12);
    c30 = madd(ai, b0, c30); c31 = madd(ai, b1, c31);
    a += 16;
    b += 32;
  }
  storeTile(C, ldc, rows, cols, add, tmp, c00, c01, c10, c11, c20, c21, c30, c31);
}

// Write a 4×8 register tile to C (ldc bytes per row): all of it, or the rows × cols corner.
@inline
export function storeTile(C: usize, ldc: usize, rows: i32, cols: i32, add: bool, tmp: usize,
  c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128): void {
  if (rows == MR && cols == NR) {
    if (add) {
      c00 = f32x4.add(c00, v128.load(C)); c01 = f32x4.add(c01, v128.load(C, 16));
      c10 = f32x4.add(c10, v128.load(C + ldc)); c11 = f32x4.add(c11, v128.load(C + ldc, 16));
      c20 = f32x4.add(c20, v128.load(C + 2 * ldc)); c21 = f32x4.add(c21, v128.load(C + 2 * ldc, 16));
      c30 = f32x4.add(c30, v128.load(C + 3 * ldc)); c31 = f32x4.add(c31, v128.load(C + 3 * ldc, 16));
    }
    v128.store(C, c00); v128.store(C, c01, 16);
    v128.store(C + ldc, c10); v128.store(C + ldc, c11, 16);
    v128.store(C + 2 * ldc, c20); v128.store(C + 2 * ldc, c21, 16);
    v128.store(C + 3 * ldc, c30); v128.store(C + 3 * ldc, c31, 16);
    return;
  }
  v128.store(tmp, c00); v128.store(tmp, c01, 16);
  v128.store(tmp, c10, 32); v128.store(tmp, c11, 48);
  v128.store(tmp, c20, 64); v128.store(tmp, c21, 80);
  v128.store(tmp, c30, 96); v128.store(tmp, c31, 112);
  for (let i = 0; i < rows; i++) {
    const c = C + <usize>i * ldc, t = tmp + <usize>(i * NR) * 4;
    for (let j = 0; j < cols; j++) {
      const v = load<f32>(t + <usize>j * 4);
      store<f32>(c + <usize>j * 4, add ? load<f32>(c + <usize>j * 4) + v : v);
    }
  }
}

// One row of C, reading B (k,n) in place: c[j] = (add ? c[j] : 0) + Σ_p a[p]·B[p][j] for
// j < cols; a is op(A)'s row, asp bytes per p; B rows ldb bytes apart. 32 columns (8
// accumulators) at a time, then 4, then one.
function rowTimesB(k: i32, a: usize, asp: usize, b: usize, ldb: usize, c: usize, cols: i32, add: bool): void {
  let j = 0;
  for (; j + 32 <= cols; j += 32) {
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let s4 = f32x4.splat(0), s5 = f32x4.splat(0), s6 = f32x4.splat(0), s7 = f32x4.splat(0);
    let bp = b + <usize>j * 4, ap = a;
    for (let p = 0; p < k; p++) {
      const av = v128.load32_splat(ap);
      s0 = madd(av, v128.load(bp), s0); s1 = madd(av, v128.load(bp, 16), s1);
      s2 = madd(av, v128.load(bp, 32), s2); s3 = madd(av, v128.load(bp, 48), s3);
      s4 = madd(av, v128.load(bp, 64), s4); s5 = madd(av, v128.load(bp, 80), s5);
      s6 = madd(av, v128.load(bp, 96), s6); s7 = madd(av, v128.load(bp, 112), s7);
      ap += asp;
      bp += ldb;
    }
    const cj = c + <usize>j * 4;
    if (add) {
      s0 = f32x4.add(s0, v128.load(cj)); s1 = f32x4.add(s1, v128.load(cj, 16));
      s2 = f32x4.add(s2, v128.load(cj, 32)); s3 = f32x4.add(s3, v128.load(cj, 48));
      s4 = f32x4.add(s4, v128.load(cj, 64)); s5 = f32x4.add(s5, v128.load(cj, 80));
      s6 = f32x4.add(s6, v128.load(cj, 96)); s7 = f32x4.add(s7, v128.load(cj, 112));
    }
    v128.store(cj, s0); v128.store(cj, s1, 16); v128.store(cj, s2, 32); v128.store(cj, s3, 48);
    v128.store(cj, s4, 64); v128.store(cj, s5, 80); v128.store(cj, s6, 96); v128.store(cj, s7, 112);
  }
  for (; j + 4 <= cols; j += 4) {
    let s0 = f32x4.splat(0);
    let bp = b + <usize>j * 4, ap = a;
    for (let p = 0; p < k; p++) {
      s0 = madd(v128.load32_splat(ap), v128.load(bp), s0);
      ap += asp;
      bp += ldb;
    }
    const cj = c + <usize>j * 4;
    v128.store(cj, add ? f32x4.add(s0, v128.load(cj)) : s0);
  }
  for (; j < cols; j++) {
    // Lane 0 of the same vector arithmetic, so a column sums alike wherever a split puts it.
    let s0 = f32x4.splat(0);
    let bp = b + <usize>j * 4, ap = a;
    for (let p = 0; p < k; p++) {
      s0 = madd(v128.load32_splat(ap), v128.load32_splat(bp), s0);
      ap += asp;
      bp += ldb;
    }
    const cj = c + <usize>j * 4, s = f32x4.extract_lane(s0, 0);
    store<f32>(cj, add ? load<f32>(cj) + s : s);
  }
}

// Horizontal sums of four vectors: [Σx, Σy, Σz, Σw].
@inline
export function hsum4(x: v128, y: v128, z: v128, w: v128): v128 {
  const xy = f32x4.add(i32x4.shuffle(x, y, 0, 4, 1, 5), i32x4.shuffle(x, y, 2, 6, 3, 7));
  const zw = f32x4.add(i32x4.shuffle(z, w, 0, 4, 1, 5), i32x4.shuffle(z, w, 2, 6, 3, 7));
  return f32x4.add(i32x4.shuffle(xy, zw, 0, 1, 4, 5), i32x4.shuffle(xy, zw, 2, 3, 6, 7));
}

// C[i][j..j+5] = (add ? C : 0) + dot(A row i, B row j+q) for q < 6, over k contiguous floats
// (B rows ldb bytes apart). Six accumulators: with eight, V8 runs out of its 15 SIMD registers
// and spills one to the stack every step of k (a 1×512×128 product took 5.0 µs instead of 3.9).
@inline
function dot1x6(k: i32, a: usize, b: usize, ldb: usize, c: usize, add: bool): void {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0), s4 = f32x4.splat(0), s5 = f32x4.splat(0);
  const b1 = b + ldb, b2 = b + 2 * ldb, b3 = b + 3 * ldb, b4 = b + 4 * ldb, b5 = b + 5 * ldb;
  const k4 = k & ~3;
  let p = 0;
  for (; p < k4; p += 4) {
    const o = <usize>p * 4;
    const av = v128.load(a + o);
    s0 = madd(av, v128.load(b + o), s0);
    s1 = madd(av, v128.load(b1 + o), s1);
    s2 = madd(av, v128.load(b2 + o), s2);
    s3 = madd(av, v128.load(b3 + o), s3);
    s4 = madd(av, v128.load(b4 + o), s4);
    s5 = madd(av, v128.load(b5 + o), s5);
  }
  let r0 = hsum4(s0, s1, s2, s3), r1 = hsum4(s4, s5, s4, s5); // r1: lanes 0, 1
  for (; p < k; p++) {
    const o = <usize>p * 4;
    const av = f32x4.splat(load<f32>(a + o));
    r0 = madd(av, gather4(b + o, ldb), r0);
    r1 = madd(av, f32x4.replace_lane(f32x4.splat(load<f32>(b4 + o)), 1, load<f32>(b5 + o)), r1);
  }
  if (add) {
    r0 = f32x4.add(r0, v128.load(c));
    r1 = f32x4.add(r1, v128.load64_zero(c, 16));
  }
  v128.store(c, r0);
  v128.store64_lane(c, r1, 0, 16);
}

// Two rows of A (lda bytes apart) against 4 rows of B: C[i+r][j..j+3] for r < 2 (C rows ldc
// bytes apart). Each B load serves both rows, halving the traffic of one row at a time.
@inline
function dot2x4(k: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize, add: bool): void {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  let t0 = f32x4.splat(0), t1 = f32x4.splat(0), t2 = f32x4.splat(0), t3 = f32x4.splat(0);
  const a1 = a + lda, b1 = b + ldb, b2 = b + 2 * ldb, b3 = b + 3 * ldb;
  const k4 = k & ~3;
  let p = 0;
  for (; p < k4; p += 4) {
    const o = <usize>p * 4;
    const av = v128.load(a + o), aw = v128.load(a1 + o);
    const v0 = v128.load(b + o), v1 = v128.load(b1 + o), v2 = v128.load(b2 + o), v3 = v128.load(b3 + o);
    s0 = madd(av, v0, s0); s1 = madd(av, v1, s1); s2 = madd(av, v2, s2); s3 = madd(av, v3, s3);
    t0 = madd(aw, v0, t0); t1 = madd(aw, v1, t1); t2 = madd(aw, v2, t2); t3 = madd(aw, v3, t3);
  }
  let r0 = hsum4(s0, s1, s2, s3), r1 = hsum4(t0, t1, t2, t3);
  for (; p < k; p++) {
    const o = <usize>p * 4, bv = gather4(b + o, ldb);
    r0 = madd(f32x4.splat(load<f32>(a + o)), bv, r0);
    r1 = madd(f32x4.splat(load<f32>(a1 + o)), bv, r1);
  }
  if (add) {
    r0 = f32x4.add(r0, v128.load(c));
    r1 = f32x4.add(r1, v128.load(c + ldc));
  }
  v128.store(c, r0);
  v128.store(c + ldc, r1);
}

// [x[0], x[s], x[2s], x[3s]] (s in bytes).
@inline
export function gather4(x: usize, s: usize): v128 {
  return f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(load<f32>(x)),
    1, load<f32>(x + s)), 2, load<f32>(x + 2 * s)), 3, load<f32>(x + 3 * s));
}

// One row of C = [C +] a·Bᵀ over columns j0..j1: c[j] = dot(a, B row j), k contiguous floats.
function dotRow(a: usize, B: usize, c: usize, k: i32, add: bool, j0: i32, j1: i32): void {
  const ldb = <usize>k * 4;
  let j = j0;
  for (; j + 6 <= j1; j += 6) dot1x6(k, a, B + <usize>j * ldb, ldb, c + <usize>j * 4, add);
  for (; j < j1; j++) {
    // Leftover columns one at a time, with the per-column arithmetic of dot1x6 and dot2x4 (the
    // same vector sums, the same horizontal sum, fused tail), so a column comes out the same
    // bits whether a thread's range puts it in a group or here.
    const b = B + <usize>j * ldb;
    let s = f32x4.splat(0);
    let p = 0;
    for (; p + 4 <= k; p += 4) s = madd(v128.load(a + <usize>p * 4), v128.load(b + <usize>p * 4), s);
    let r = hsum4(s, s, s, s);
    for (; p < k; p++) r = madd(f32x4.splat(load<f32>(a + <usize>p * 4)), f32x4.splat(load<f32>(b + <usize>p * 4)), r);
    const cj = c + <usize>j * 4, v = f32x4.extract_lane(r, 0);
    store<f32>(cj, add ? load<f32>(cj) + v : v);
  }
}

// C = [C +] A·Bᵀ for small m without packing: C[i][j] = dot(A row i, B row j), rows of both
// contiguous along k. Columns j0..j1 of rows i0..i1. Pairs of rows share the loads of B
// (batch 2..7); a last odd row runs alone.
function matmulDotF32(C: usize, A: usize, B: usize, n: i32, k: i32, add: bool,
  i0: i32, i1: i32, j0: i32, j1: i32): void {
  const ldb = <usize>k * 4, ldc = <usize>n * 4;
  let i = i0;
  for (; i + 2 <= i1; i += 2) {
    const a = A + <usize>i * ldb, c = C + <usize>i * ldc;
    let j = j0;
    for (; j + 4 <= j1; j += 4) dot2x4(k, a, ldb, B + <usize>j * ldb, ldb, c + <usize>j * 4, ldc, add);
    if (j < j1) {
      dotRow(a, B, c, k, add, j, j1);
      dotRow(a + ldb, B, c + ldc, k, add, j, j1);
    }
  }
  if (i < i1) dotRow(A + <usize>i * ldb, B, C + <usize>i * ldc, k, add, j0, j1);
}

/**
 * f32 C (m,n) = [C +] op(A)·op(B), sub-block rows i0..i1, columns j0..j1.
 * flags: 1 transA (A stored (k,m)), 2 transB (B stored (n,k)), 4 accumulate.
 * scratch: matmulScratchBytes() bytes private to the calling thread.
 */
export function matmulF32(C: usize, A: usize, B: usize, m: i32, n: i32, k: i32, flags: i32,
  scratch: usize, i0: i32, i1: i32, j0: i32, j1: i32): void {
  const transA = (flags & TRANS_A) != 0, transB = (flags & TRANS_B) != 0;
  const accumulate = (flags & ACCUMULATE) != 0;
  if (i0 >= i1 || j0 >= j1) return;
  const ldc = <usize>n * 4;
  if (k == 0) {
    if (!accumulate) for (let i = i0; i < i1; i++) memory.fill(C + <usize>i * ldc + <usize>j0 * 4, 0, <usize>(j1 - j0) * 4);
    return;
  }
  // Byte strides of op(A)[i][p] and op(B)[p][j] in the stored matrices.
  const asi: usize = transA ? 4 : <usize>k * 4, asp: usize = transA ? <usize>m * 4 : 4;
  const bsp: usize = transB ? 4 : <usize>n * 4, bsj: usize = transB ? <usize>k * 4 : 4;
  const Bp = scratch, Ap = scratch + <usize>(KC * NC) * 4, tmp = Ap + <usize>(MC * KC) * 4;

  if (m < 8 && !transA) {
    // Few rows: packing B would cost as much as the product. Work on the stored matrices.
    // (Decided on the whole m, so every thread's share takes the same path: same sums.)
    if (transB) {
      matmulDotF32(C, A, B, n, k, accumulate, i0, i1, j0, j1);
      return;
    }
    for (let i = i0; i < i1; i++) {
      rowTimesB(k, A + <usize>i * asi, 4, B + <usize>j0 * 4, bsp, C + <usize>i * ldc + <usize>j0 * 4, j1 - j0, accumulate);
    }
    return;
  }

  // The packed-B buffer holds KC·NC floats: when k is short, take more columns per block
  // (fewer passes over A, fewer A packs).
  const ncMax = max(NR, (KC * NC) / min(KC, k) / NR * NR);
  for (let jc = j0; jc < j1; jc += ncMax) {
    const nc = min(ncMax, j1 - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const add = accumulate || pc > 0;
      packB(Bp, B, bsp, bsj, pc, kc, jc, nc);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        packA(Ap, A, asi, asp, ic, mc, pc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const b = Bp + <usize>(jr * kc) * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            micro(kc, Ap + <usize>(ir * kc) * 4, b, C + <usize>(ic + ir) * ldc + <usize>(jc + jr) * 4, ldc,
              min(MR, mc - ir), cols, add, tmp);
          }
        }
      }
    }
  }
}

/** f64 C (m,n) = [C +] op(A)·op(B), sub-block rows i0..i1, columns j0..j1 (plain loops). */
export function matmulF64(C: usize, A: usize, B: usize, m: i32, n: i32, k: i32, flags: i32,
  scratch: usize, i0: i32, i1: i32, j0: i32, j1: i32): void {
  const transA = (flags & TRANS_A) != 0, transB = (flags & TRANS_B) != 0;
  const asi: usize = transA ? 8 : <usize>k * 8, asp: usize = transA ? <usize>m * 8 : 8;
  const bsp: usize = transB ? 8 : <usize>n * 8, bsj: usize = transB ? <usize>k * 8 : 8;
  const ldc = <usize>n * 8;
  for (let i = i0; i < i1; i++) {
    const c = C + <usize>i * ldc;
    if ((flags & ACCUMULATE) == 0) memory.fill(c + <usize>j0 * 8, 0, <usize>(j1 - j0) * 8);
    if (transB) {
      // Dot products along k.
      for (let j = j0; j < j1; j++) {
        let s: f64 = 0;
        const b = B + <usize>j * bsj;
        for (let p = 0; p < k; p++) s += load<f64>(A + <usize>i * asi + <usize>p * asp) * load<f64>(b + <usize>p * 8);
        store<f64>(c + <usize>j * 8, load<f64>(c + <usize>j * 8) + s);
      }
    } else {
      // Rows of B scaled and added: C[i,:] += a_ip · B[p,:].
      for (let p = 0; p < k; p++) {
        const a = load<f64>(A + <usize>i * asi + <usize>p * asp);
        const b = B + <usize>p * bsp;
        const a2 = f64x2.splat(a);
        let j = j0;
        for (; j + 2 <= j1; j += 2) {
          const cj = c + <usize>j * 8;
          v128.store(cj, f64x2.add(v128.load(cj), f64x2.mul(a2, v128.load(b + <usize>j * 8))));
        }
        for (; j < j1; j++) store<f64>(c + <usize>j * 8, load<f64>(c + <usize>j * 8) + a * load<f64>(b + <usize>j * 8));
      }
    }
  }
}
