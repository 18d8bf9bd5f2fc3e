// Fused LSTM / GRU / RNN cell kernels, forward and backward, f32 (SIMD) and f64 (scalar).
// Same contracts as the reference backend (src/kernels/backend.ts): one pass over the batch
// computes the activations, the state update and what backward needs.
//
// f32 runs 4 hidden units per step. The loop body is written once as an @inline function
// with a constant `full`: true loads/stores 4 lanes, false handles the H mod 4 leftover units
// one at a time with the very same arithmetic in lane 0. Pointers are byte addresses;
// `lengths` is 0 when every row is active, else the address of B int32 lengths.

import { madd, sigmoid4, tanh4, sigmoid64 } from './simd';

@inline function ld(p: usize, full: bool): v128 {
  return full ? v128.load(p) : f32x4.splat(load<f32>(p));
}
@inline function st(p: usize, v: v128, full: bool): void {
  if (full) v128.store(p, v);
  else store<f32>(p, f32x4.extract_lane(v, 0));
}
@inline export function isActive(lengths: usize, b: i32, t: i32): bool {
  return lengths == 0 || t < load<i32>(lengths + <usize>b * 4);
}
const ONE = f32x4.splat(1);

// ------------------------------------------------------------------------------ LSTM

// gates (B,4H) i,f,g,o pre-activations → activated; cNext = f⊙cPrev + i⊙g; m = o⊙tanh(cNext).
// With peepholes (`peep`, a constant; p_i, p_f, p_o at p, p + hb, p + 2·hb) i and f also look
// at cPrev and o at the new cell cNext.
@inline function lstmFwd(g: usize, hb: usize, cp: usize, cn: usize, m: usize, p: usize, active: bool, full: bool, peep: bool): void {
  const c0 = ld(cp, full);
  let ai = ld(g, full), af = ld(g + hb, full);
  if (peep) { ai = madd(ld(p, full), c0, ai); af = madd(ld(p + hb, full), c0, af); }
  const i = sigmoid4(ai);
  const f = sigmoid4(af);
  const gg = tanh4(ld(g + 2 * hb, full));
  if (active) {
    const c = madd(f, c0, f32x4.mul(i, gg)); // keep some, add some
    let ao = ld(g + 3 * hb, full);
    if (peep) ao = madd(ld(p + 2 * hb, full), c, ao);
    const o = sigmoid4(ao);
    st(cn, c, full);
    st(m, f32x4.mul(o, tanh4(c)), full);
    st(g + 3 * hb, o, full);
  } else {
    let ao = ld(g + 3 * hb, full);
    if (peep) ao = madd(ld(p + 2 * hb, full), c0, ao);
    st(cn, c0, full);
    st(m, f32x4.splat(0), full);
    st(g + 3 * hb, sigmoid4(ao), full);
  }
  st(g, i, full); st(g + hb, f, full); st(g + 2 * hb, gg, full);
}

/** Units j0..j1 of batch row b (pointers are the whole batch's; P the peepholes (3H) when `peep`). */
@inline function lstmFwdRowF32(gates: usize, cPrev: usize, cNext: usize, m: usize, P: usize, b: i32, H: i32, active: bool, j0: i32, j1: i32, peep: bool): void {
  const hb = <usize>H * 4;
  const g = gates + <usize>b * 4 * hb, o = <usize>b * hb;
  let j = j0;
  for (; j + 4 <= j1; j += 4) { const q = <usize>j * 4; lstmFwd(g + q, hb, cPrev + o + q, cNext + o + q, m + o + q, P + q, active, true, peep); }
  for (; j < j1; j++) { const q = <usize>j * 4; lstmFwd(g + q, hb, cPrev + o + q, cNext + o + q, m + o + q, P + q, active, false, peep); }
}

export function lstmFwdF32(gates: usize, cPrev: usize, cNext: usize, m: usize, B: i32, H: i32, lengths: usize, t: i32): void {
  for (let b = 0; b < B; b++) lstmFwdRowF32(gates, cPrev, cNext, m, 0, b, H, isActive(lengths, b, t), 0, H, false);
}

/** lstmFwdF32 with peepholes P (3H): p_i, p_f, p_o. */
export function lstmFwdPeepF32(gates: usize, cPrev: usize, cNext: usize, m: usize, P: usize, B: i32, H: i32, lengths: usize, t: i32): void {
  for (let b = 0; b < B; b++) lstmFwdRowF32(gates, cPrev, cNext, m, P, b, H, isActive(lengths, b, t), 0, H, true);
}

/**
 * Units j0..j1 of batch row b of lstmFwdF32 (pointers are the whole batch's). The sequence
 * kernels (./sequence.ts) call it for the slice of hidden units a thread owns.
 */
@inline
export function lstmFwdUnitsF32(gates: usize, cPrev: usize, cNext: usize, m: usize, b: i32, H: i32, active: bool, j0: i32, j1: i32): void {
  lstmFwdRowF32(gates, cPrev, cNext, m, 0, b, H, active, j0, j1, false);
}

// Backward through m = o⊙tanh(c), c = f⊙c_prev + i⊙g and the activations; with peepholes
// also through p_o⊙c into o's pre-activation and p_i⊙c_prev, p_f⊙c_prev into i's and f's.
@inline function lstmBwd(g: usize, hb: usize, cp: usize, cn: usize, dm: usize, dc: usize, dg: usize, p: usize, full: bool, peep: bool): void {
  const i = ld(g, full), f = ld(g + hb, full), gg = ld(g + 2 * hb, full), o = ld(g + 3 * hb, full);
  const tc = tanh4(ld(cn, full));
  const dmj = ld(dm, full);
  // σ' = s(1−s), tanh' = 1−g²
  const dO = f32x4.mul(f32x4.mul(dmj, tc), f32x4.mul(o, f32x4.sub(ONE, o)));
  let dcj = madd(f32x4.mul(dmj, o), f32x4.sub(ONE, f32x4.mul(tc, tc)), ld(dc, full));
  if (peep) dcj = madd(dO, ld(p + 2 * hb, full), dcj);
  const dI = f32x4.mul(f32x4.mul(dcj, gg), f32x4.mul(i, f32x4.sub(ONE, i)));
  const dF = f32x4.mul(f32x4.mul(dcj, ld(cp, full)), f32x4.mul(f, f32x4.sub(ONE, f)));
  let dcp = f32x4.mul(dcj, f);
  if (peep) dcp = madd(dI, ld(p, full), madd(dF, ld(p + hb, full), dcp));
  st(dc, dcp, full);
  st(dg, dI, full);
  st(dg + hb, dF, full);
  st(dg + 2 * hb, f32x4.mul(f32x4.mul(dcj, i), f32x4.sub(ONE, f32x4.mul(gg, gg))), full);
  st(dg + 3 * hb, dO, full);
}

@inline function lstmBwdRowsF32(gates: usize, cPrev: usize, cNext: usize, dm: usize, dc: usize, dGates: usize, P: usize,
  B: i32, H: i32, lengths: usize, t: i32, peep: bool): void {
  const hb = <usize>H * 4, H4 = H & ~3;
  for (let b = 0; b < B; b++) {
    const g = gates + <usize>b * 4 * hb, dg = dGates + <usize>b * 4 * hb, o = <usize>b * hb;
    if (!isActive(lengths, b, t)) {
      memory.fill(dg, 0, 4 * hb); // dc passes through to c_prev untouched
      continue;
    }
    let j = 0;
    for (; j < H4; j += 4) { const q = <usize>j * 4; lstmBwd(g + q, hb, cPrev + o + q, cNext + o + q, dm + o + q, dc + o + q, dg + q, P + q, true, peep); }
    for (; j < H; j++) { const q = <usize>j * 4; lstmBwd(g + q, hb, cPrev + o + q, cNext + o + q, dm + o + q, dc + o + q, dg + q, P + q, false, peep); }
  }
}

export function lstmBwdF32(gates: usize, cPrev: usize, cNext: usize, dm: usize, dc: usize, dGates: usize,
  B: i32, H: i32, lengths: usize, t: i32): void {
  lstmBwdRowsF32(gates, cPrev, cNext, dm, dc, dGates, 0, B, H, lengths, t, false);
}

/** lstmBwdF32 with peepholes P (3H): p_i, p_f, p_o. */
export function lstmBwdPeepF32(gates: usize, cPrev: usize, cNext: usize, dm: usize, dc: usize, dGates: usize, P: usize,
  B: i32, H: i32, lengths: usize, t: i32): void {
  lstmBwdRowsF32(gates, cPrev, cNext, dm, dc, dGates, P, B, H, lengths, t, true);
}

@inline function lstmFwdRowsF64(gates: usize, cPrev: usize, cNext: usize, m: usize, P: usize, B: i32, H: i32, lengths: usize, t: i32, peep: bool): void {
  const hb = <usize>H * 8;
  for (let b = 0; b < B; b++) {
    const g0 = gates + <usize>b * 4 * hb, o = <usize>b * hb;
    const active = isActive(lengths, b, t);
    for (let j = 0; j < H; j++) {
      const g = g0 + <usize>j * 8, q = o + <usize>j * 8, p = P + <usize>j * 8;
      const c0 = load<f64>(cPrev + q);
      let ai = load<f64>(g), af = load<f64>(g + hb);
      if (peep) { ai += load<f64>(p) * c0; af += load<f64>(p + hb) * c0; }
      const i = sigmoid64(ai), f = sigmoid64(af);
      const gg = Math.tanh(load<f64>(g + 2 * hb));
      const c = active ? f * c0 + i * gg : c0;
      let ao = load<f64>(g + 3 * hb);
      if (peep) ao += load<f64>(p + 2 * hb) * c;
      const og = sigmoid64(ao);
      store<f64>(g, i); store<f64>(g + hb, f); store<f64>(g + 2 * hb, gg); store<f64>(g + 3 * hb, og);
      store<f64>(cNext + q, c);
      store<f64>(m + q, active ? og * Math.tanh(c) : 0);
    }
  }
}

export function lstmFwdF64(gates: usize, cPrev: usize, cNext: usize, m: usize, B: i32, H: i32, lengths: usize, t: i32): void {
  lstmFwdRowsF64(gates, cPrev, cNext, m, 0, B, H, lengths, t, false);
}

/** lstmFwdF64 with peepholes P (3H): p_i, p_f, p_o. */
export function lstmFwdPeepF64(gates: usize, cPrev: usize, cNext: usize, m: usize, P: usize, B: i32, H: i32, lengths: usize, t: i32): void {
  lstmFwdRowsF64(gates, cPrev, cNext, m, P, B, H, lengths, t, true);
}

@inline function lstmBwdRowsF64(gates: usize, cPrev: usize, cNext: usize, dm: usize, dc: usize, dGates: usize, P: usize,
  B: i32, H: i32, lengths: usize, t: i32, peep: bool): void {
  const hb = <usize>H * 8;
  for (let b = 0; b < B; b++) {
    const g0 = gates + <usize>b * 4 * hb, dg0 = dGates + <usize>b * 4 * hb, o = <usize>b * hb;
    if (!isActive(lengths, b, t)) {
      memory.fill(dg0, 0, 4 * hb);
      continue;
    }
    for (let j = 0; j < H; j++) {
      const g = g0 + <usize>j * 8, dg = dg0 + <usize>j * 8, q = o + <usize>j * 8, p = P + <usize>j * 8;
      const i = load<f64>(g), f = load<f64>(g + hb), gg = load<f64>(g + 2 * hb), og = load<f64>(g + 3 * hb);
      const tc = Math.tanh(load<f64>(cNext + q));
      const dmj = load<f64>(dm + q);
      const dO = (dmj * tc) * (og * (1 - og));
      let dcj = load<f64>(dc + q) + dmj * og * (1 - tc * tc);
      if (peep) dcj += dO * load<f64>(p + 2 * hb);
      const dI = (dcj * gg) * (i * (1 - i));
      const dF = (dcj * load<f64>(cPrev + q)) * (f * (1 - f));
      let dcp = dcj * f;
      if (peep) dcp += dI * load<f64>(p) + dF * load<f64>(p + hb);
      store<f64>(dc + q, dcp);
      store<f64>(dg, dI);
      store<f64>(dg + hb, dF);
      store<f64>(dg + 2 * hb, (dcj * i) * (1 - gg * gg));
      store<f64>(dg + 3 * hb, dO);
    }
  }
}

export function lstmBwdF64(gates: usize, cPrev: usize, cNext: usize, dm: usize, dc: usize, dGates: usize,
  B: i32, H: i32, lengths: usize, t: i32): void {
  lstmBwdRowsF64(gates, cPrev, cNext, dm, dc, dGates, 0, B, H, lengths, t, false);
}

/** lstmBwdF64 with peepholes P (3H): p_i, p_f, p_o. */
export function lstmBwdPeepF64(gates: usize, cPrev: usize, cNext: usize, dm: usize, dc: usize, dGates: usize, P: usize,
  B: i32, H: i32, lengths: usize, t: i32): void {
  lstmBwdRowsF64(gates, cPrev, cNext, dm, dc, dGates, P, B, H, lengths, t, true);
}

// dP (3H) += Σ_r [dG_i⊙cPrev, dG_f⊙cPrev, dG_o⊙cNext] for `n` units (pointers at the first
// of them; H is the row width). A thread owns a slice of units and sums its rows in order,
// so the result does not depend on how the units are split.
@inline function peepGrad(dp: usize, hb: usize, dg: usize, cp: usize, cn: usize, rows: i32, full: bool): void {
  let si = f32x4.splat(0), sf = f32x4.splat(0), so = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const g = dg + <usize>r * 4 * hb, c = <usize>r * hb;
    const c0 = ld(cp + c, full);
    si = madd(ld(g, full), c0, si);
    sf = madd(ld(g + hb, full), c0, sf);
    so = madd(ld(g + 3 * hb, full), ld(cn + c, full), so);
  }
  st(dp, f32x4.add(ld(dp, full), si), full);
  st(dp + hb, f32x4.add(ld(dp + hb, full), sf), full);
  st(dp + 2 * hb, f32x4.add(ld(dp + 2 * hb, full), so), full);
}

export function lstmPeepGradF32(dP: usize, dG: usize, cPrev: usize, cNext: usize, rows: i32, H: i32, n: i32): void {
  const hb = <usize>H * 4;
  let j = 0;
  for (; j + 4 <= n; j += 4) { const q = <usize>j * 4; peepGrad(dP + q, hb, dG + q, cPrev + q, cNext + q, rows, true); }
  for (; j < n; j++) { const q = <usize>j * 4; peepGrad(dP + q, hb, dG + q, cPrev + q, cNext + q, rows, false); }
}

export function lstmPeepGradF64(dP: usize, dG: usize, cPrev: usize, cNext: usize, rows: i32, H: i32, n: i32): void {
  const hb = <usize>H * 8;
  for (let j = 0; j < n; j++) {
    const q = <usize>j * 8;
    let si: f64 = 0, sf: f64 = 0, so: f64 = 0;
    for (let r = 0; r < rows; r++) {
      const g = dG + q + <usize>r * 4 * hb, c = q + <usize>r * hb;
      const c0 = load<f64>(cPrev + c);
      si += load<f64>(g) * c0;
      sf += load<f64>(g + hb) * c0;
      so += load<f64>(g + 3 * hb) * load<f64>(cNext + c);
    }
    store<f64>(dP + q, load<f64>(dP + q) + si);
    store<f64>(dP + hb + q, load<f64>(dP + hb + q) + sf);
    store<f64>(dP + 2 * hb + q, load<f64>(dP + 2 * hb + q) + so);
  }
}

// ------------------------------------------------------------------------------ GRU

// r = σ(xr+hr), z = σ(xz+hz), n = tanh(xn + r⊙hn), h' = (1−z)⊙n + z⊙h (active rows).
@inline function gruFwd(x: usize, h: usize, hb: usize, hn: usize, hp: usize, hx: usize, active: bool, full: bool): void {
  const r = sigmoid4(f32x4.add(ld(x, full), ld(h, full)));
  const z = sigmoid4(f32x4.add(ld(x + hb, full), ld(h + hb, full)));
  const hnj = ld(h + 2 * hb, full);
  const n = tanh4(madd(r, hnj, ld(x + 2 * hb, full)));
  st(x, r, full); st(x + hb, z, full); st(x + 2 * hb, n, full); st(hn, hnj, full);
  const hpj = ld(hp, full);
  st(hx, active ? madd(z, f32x4.sub(hpj, n), n) : hpj, full);
}

export function gruFwdF32(xg: usize, hg: usize, hn: usize, hPrev: usize, hNext: usize, B: i32, H: i32, lengths: usize, t: i32): void {
  for (let b = 0; b < B; b++) gruFwdUnitsF32(xg, hg, hn, hPrev, hNext, b, H, isActive(lengths, b, t), 0, H);
}

/** Units j0..j1 of batch row b of gruFwdF32 (pointers are the whole batch's), as lstmFwdUnitsF32. */
@inline
export function gruFwdUnitsF32(xg: usize, hg: usize, hn: usize, hPrev: usize, hNext: usize, b: i32, H: i32, active: bool, j0: i32, j1: i32): void {
  const hb = <usize>H * 4;
  const x = xg + <usize>b * 3 * hb, h = hg + <usize>b * 3 * hb, o = <usize>b * hb;
  let j = j0;
  for (; j + 4 <= j1; j += 4) { const q = <usize>j * 4; gruFwd(x + q, h + q, hb, hn + o + q, hPrev + o + q, hNext + o + q, active, true); }
  for (; j < j1; j++) { const q = <usize>j * 4; gruFwd(x + q, h + q, hb, hn + o + q, hPrev + o + q, hNext + o + q, active, false); }
}

@inline function gruBwd(g: usize, hb: usize, hn: usize, hp: usize, dh: usize, dx: usize, dhg: usize, dhp: usize, full: bool): void {
  const r = ld(g, full), z = ld(g + hb, full), n = ld(g + 2 * hb, full);
  const d = ld(dh, full);
  st(dhp, f32x4.mul(d, z), full);
  // through h' = (1−z)⊙n + z⊙h, then n = tanh(xn + r⊙hn)
  const dnPre = f32x4.mul(f32x4.mul(d, f32x4.sub(ONE, z)), f32x4.sub(ONE, f32x4.mul(n, n)));
  const drPre = f32x4.mul(f32x4.mul(dnPre, ld(hn, full)), f32x4.mul(r, f32x4.sub(ONE, r)));
  const dzPre = f32x4.mul(f32x4.mul(d, f32x4.sub(ld(hp, full), n)), f32x4.mul(z, f32x4.sub(ONE, z)));
  st(dx, drPre, full); st(dx + hb, dzPre, full); st(dx + 2 * hb, dnPre, full);
  st(dhg, drPre, full); st(dhg + hb, dzPre, full); st(dhg + 2 * hb, f32x4.mul(dnPre, r), full);
}

export function gruBwdF32(gates: usize, hn: usize, hPrev: usize, dh: usize, dXg: usize, dHg: usize, dhPrev: usize,
  B: i32, H: i32, lengths: usize, t: i32): void {
  const hb = <usize>H * 4, H4 = H & ~3;
  for (let b = 0; b < B; b++) {
    const g = gates + <usize>b * 3 * hb, dx = dXg + <usize>b * 3 * hb, dhg = dHg + <usize>b * 3 * hb, o = <usize>b * hb;
    if (!isActive(lengths, b, t)) {
      memory.fill(dx, 0, 3 * hb);
      memory.fill(dhg, 0, 3 * hb);
      memory.copy(dhPrev + o, dh + o, hb);
      continue;
    }
    let j = 0;
    for (; j < H4; j += 4) { const q = <usize>j * 4; gruBwd(g + q, hb, hn + o + q, hPrev + o + q, dh + o + q, dx + q, dhg + q, dhPrev + o + q, true); }
    for (; j < H; j++) { const q = <usize>j * 4; gruBwd(g + q, hb, hn + o + q, hPrev + o + q, dh + o + q, dx + q, dhg + q, dhPrev + o + q, false); }
  }
}

export function gruFwdF64(xg: usize, hg: usize, hn: usize, hPrev: usize, hNext: usize, B: i32, H: i32, lengths: usize, t: i32): void {
  const hb = <usize>H * 8;
  for (let b = 0; b < B; b++) {
    const x0 = xg + <usize>b * 3 * hb, h0 = hg + <usize>b * 3 * hb, o = <usize>b * hb;
    const active = isActive(lengths, b, t);
    for (let j = 0; j < H; j++) {
      const x = x0 + <usize>j * 8, h = h0 + <usize>j * 8, q = o + <usize>j * 8;
      const r = sigmoid64(load<f64>(x) + load<f64>(h));
      const z = sigmoid64(load<f64>(x + hb) + load<f64>(h + hb));
      const hnj = load<f64>(h + 2 * hb);
      const n = Math.tanh(load<f64>(x + 2 * hb) + r * hnj);
      store<f64>(x, r); store<f64>(x + hb, z); store<f64>(x + 2 * hb, n); store<f64>(hn + q, hnj);
      const hpj = load<f64>(hPrev + q);
      store<f64>(hNext + q, active ? (1 - z) * n + z * hpj : hpj);
    }
  }
}

export function gruBwdF64(gates: usize, hn: usize, hPrev: usize, dh: usize, dXg: usize, dHg: usize, dhPrev: usize,
  B: i32, H: i32, lengths: usize, t: i32): void {
  const hb = <usize>H * 8;
  for (let b = 0; b < B; b++) {
    const g0 = gates + <usize>b * 3 * hb, dx0 = dXg + <usize>b * 3 * hb, dhg0 = dHg + <usize>b * 3 * hb, o = <usize>b * hb;
    if (!isActive(lengths, b, t)) {
      memory.fill(dx0, 0, 3 * hb);
      memory.fill(dhg0, 0, 3 * hb);
      memory.copy(dhPrev + o, dh + o, hb);
      continue;
    }
    for (let j = 0; j < H; j++) {
      const g = g0 + <usize>j * 8, dx = dx0 + <usize>j * 8, dhg = dhg0 + <usize>j * 8, q = o + <usize>j * 8;
      const r = load<f64>(g), z = load<f64>(g + hb), n = load<f64>(g + 2 * hb);
      const d = load<f64>(dh + q);
      store<f64>(dhPrev + q, d * z);
      const dnPre = d * (1 - z) * (1 - n * n);
      const drPre = dnPre * load<f64>(hn + q) * r * (1 - r);
      const dzPre = d * (load<f64>(hPrev + q) - n) * z * (1 - z);
      store<f64>(dx, drPre); store<f64>(dx + hb, dzPre); store<f64>(dx + 2 * hb, dnPre);
      store<f64>(dhg, drPre); store<f64>(dhg + hb, dzPre); store<f64>(dhg + 2 * hb, dnPre * r);
    }
  }
}

// ------------------------------------------------------------------------------ RNN

// pre (n values) → act(pre) in place; act 0 = tanh, 1 = relu.
export function rnnFwdF32(pre: usize, n: i32, act: i32): void {
  const n4 = n & ~3;
  let j = 0;
  if (act == 0) {
    for (; j < n4; j += 4) { const p = pre + <usize>j * 4; st(p, tanh4(ld(p, true)), true); }
    for (; j < n; j++) { const p = pre + <usize>j * 4; st(p, tanh4(ld(p, false)), false); }
  } else {
    for (; j < n4; j += 4) { const p = pre + <usize>j * 4; v128.store(p, f32x4.max(v128.load(p), f32x4.splat(0))); }
    for (; j < n; j++) { const p = pre + <usize>j * 4; const v = load<f32>(p); store<f32>(p, v > 0 ? v : 0); }
  }
}

export function rnnFwdF64(pre: usize, n: i32, act: i32): void {
  for (let j = 0; j < n; j++) {
    const p = pre + <usize>j * 8, v = load<f64>(p);
    store<f64>(p, act == 0 ? Math.tanh(v) : v > 0 ? v : 0);
  }
}

// dPre = dh ⊙ act'(pre) from h = act(pre): tanh' = 1 − h², relu' = [h > 0].
@inline function rnnBwd(h: usize, dh: usize, dp: usize, act: i32, full: bool): void {
  const y = ld(h, full), d = ld(dh, full);
  if (act == 0) st(dp, f32x4.mul(d, f32x4.sub(ONE, f32x4.mul(y, y))), full);
  else st(dp, v128.and(d, f32x4.gt(y, f32x4.splat(0))), full);
}

export function rnnBwdF32(h: usize, dh: usize, dPre: usize, B: i32, H: i32, act: i32, lengths: usize, t: i32): void {
  const hb = <usize>H * 4, H4 = H & ~3;
  for (let b = 0; b < B; b++) {
    const o = <usize>b * hb;
    if (!isActive(lengths, b, t)) {
      memory.fill(dPre + o, 0, hb);
      continue;
    }
    let j = 0;
    for (; j < H4; j += 4) { const q = o + <usize>j * 4; rnnBwd(h + q, dh + q, dPre + q, act, true); }
    for (; j < H; j++) { const q = o + <usize>j * 4; rnnBwd(h + q, dh + q, dPre + q, act, false); }
  }
}

export function rnnBwdF64(h: usize, dh: usize, dPre: usize, B: i32, H: i32, act: i32, lengths: usize, t: i32): void {
  const hb = <usize>H * 8;
  for (let b = 0; b < B; b++) {
    const o = <usize>b * hb;
    if (!isActive(lengths, b, t)) {
      memory.fill(dPre + o, 0, hb);
      continue;
    }
    for (let j = 0; j < H; j++) {
      const q = o + <usize>j * 8, y = load<f64>(h + q), d = load<f64>(dh + q);
      store<f64>(dPre + q, act == 0 ? d * (1 - y * y) : y > 0 ? d : 0);
    }
  }
}
