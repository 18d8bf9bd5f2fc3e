// SIMD helpers shared by the kernels: multiply-add, and f32x4 exp, σ and tanh.
//
// The same source builds twice: with relaxed SIMD, madd is f32x4.relaxed_madd (a fused
// multiply-add where the CPU has one); without, a multiply then an add.
//
// exp: Cephes' expf. x = n·ln2 + r with n = round(x/ln2), |r| ≤ ln2/2, exp(r) by a degree-5
// polynomial, 2^n put straight into the exponent bits. σ(x) = 1/(1 + exp(−x)) with an exact
// division. tanh(x): for |x| < 0.625 Cephes' odd polynomial x + x³·P(x²) (no cancellation
// near 0), else sign(x)·(1 − 2/(exp(2|x|) + 1)). Measured against float64 Math on 4·10⁵
// points of [−20, 20] plus the branch points (test/kernels/wasm-build.test.ts prints it): max
// relative error 1.5·10⁻⁷ for σ and 1.2·10⁻⁷ for tanh (1–2 ulp of float32).

@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline
export function exp4(x: v128): v128 {
  // Clamp so that 2^n stays a normal float: n in [−126, 127].
  // pmin/pmax: plain minps/maxps (IEEE min/max cost V8 several instructions for NaN and −0).
  x = f32x4.pmax(f32x4.pmin(x, f32x4.splat(88.3)), f32x4.splat(-87.3));
  // n = round(x/ln2) by adding 1.5·2²³: the sum's low mantissa bits are n itself, which
  // builds 2^n below without a float→int conversion (slow in V8's SIMD code).
  const kf = madd(x, f32x4.splat(1.44269504088896341), f32x4.splat(12582912.0));
  const n = f32x4.sub(kf, f32x4.splat(12582912.0));
  // r = x − n·ln2 in two parts (Cody–Waite), exact for the high part.
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(madd(p, f32x4.mul(r, r), r), f32x4.splat(1));
  // 2^n: (n + 127) << 23 as float bits; kf's bits are 0x4B400000 + n, and the shift drops
  // everything above the low 9 bits (n + 127 is in 1..254).
  const pow2n = i32x4.shl(i32x4.add(kf, i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2n);
}

@inline
export function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

@inline
export function tanh4(x: v128): v128 {
  const ax = f32x4.abs(x);
  // Large |x|: 1 − 2/(e^{2|x|} + 1), sign put back from x.
  const e = exp4(f32x4.add(ax, ax));
  const big = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  const signMask = i32x4.splat(0x80000000);
  const bigSigned = v128.or(big, v128.and(x, signMask));
  // Small |x|: x + x·z·P(z), z = x².
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = madd(p, z, f32x4.splat(2.06390887954e-2));
  p = madd(p, z, f32x4.splat(-5.37397155531e-2));
  p = madd(p, z, f32x4.splat(1.33314422036e-1));
  p = madd(p, z, f32x4.splat(-3.33332819422e-1));
  const small = madd(f32x4.mul(p, z), x, x);
  return v128.bitselect(small, bigSigned, f32x4.lt(ax, f32x4.splat(0.625)));
}

@inline
export function sigmoid64(x: f64): f64 {
  return 1 / (1 + Math.exp(-x));
}

/**
 * The SIMD peak micro-benchmark: `iters` rounds of 12 independent f32x4 multiply-adds held in
 * registers (the same madd the matmul uses). Returns a lane so the work is not optimised away.
 * FLOPs = iters · 12 · 4 · 2.
 */
export function simdPeakF32(iters: i32): f32 {
  const m = f32x4.splat(0.999999), d = f32x4.splat(1e-7);
  let a0 = f32x4.splat(1), a1 = f32x4.splat(2), a2 = f32x4.splat(3), a3 = f32x4.splat(4);
  let a4 = f32x4.splat(5), a5 = f32x4.splat(6), a6 = f32x4.splat(7), a7 = f32x4.splat(8);
  let a8 = f32x4.splat(9), a9 = f32x4.splat(10), a10 = f32x4.splat(11), a11 = f32x4.splat(12);
  for (let i = 0; i < iters; i++) {
    a0 = madd(a0, m, d); a1 = madd(a1, m, d); a2 = madd(a2, m, d); a3 = madd(a3, m, d);
    a4 = madd(a4, m, d); a5 = madd(a5, m, d); a6 = madd(a6, m, d); a7 = madd(a7, m, d);
    a8 = madd(a8, m, d); a9 = madd(a9, m, d); a10 = madd(a10, m, d); a11 = madd(a11, m, d);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(f32x4.add(s, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))), 0);
}

/** σ and tanh of n floats (for measuring the approximation error): sig[i] = σ(x[i]), th[i] = tanh(x[i]). */
export function activationsF32(x: usize, sig: usize, th: usize, n: i32): void {
  for (let i = 0; i + 4 <= n; i += 4) {
    const q = <usize>i * 4, v = v128.load(x + q);
    v128.store(sig + q, sigmoid4(v));
    v128.store(th + q, tanh4(v));
  }
}
