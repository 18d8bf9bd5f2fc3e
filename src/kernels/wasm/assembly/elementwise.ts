// Row and element-wise kernels (f32 with SIMD, f64 with f64x2), and the dtype-agnostic byte
// kernels (copy, keepInactiveRows). Pointers are byte addresses.

// dst (rows,cols) rows = a (+ b if b != 0).
export function fillRowsF32(dst: usize, rows: i32, cols: i32, a: usize, b: usize): void {
  const rb = <usize>cols * 4;
  if (rows == 0) return;
  if (b == 0) memory.copy(dst, a, rb);
  else addF32(dst, a, b, cols);
  for (let r = 1; r < rows; r++) memory.copy(dst + <usize>r * rb, dst, rb);
}

export function fillRowsF64(dst: usize, rows: i32, cols: i32, a: usize, b: usize): void {
  const rb = <usize>cols * 8;
  if (rows == 0) return;
  if (b == 0) memory.copy(dst, a, rb);
  else addF64(dst, a, b, cols);
  for (let r = 1; r < rows; r++) memory.copy(dst + <usize>r * rb, dst, rb);
}

// dst (cols) = (accumulate ? dst : 0) + Σ_r src[r,:].
export function sumRowsF32(dst: usize, src: usize, rows: i32, cols: i32, accumulate: bool): void {
  sumRowsLdF32(dst, src, rows, cols, cols, accumulate);
}

/** sumRowsF32 over `cols` columns of rows `ld` floats apart: the backend splits the columns of
 * one sum between threads (each column is summed in the same order wherever it falls). */
export function sumRowsLdF32(dst: usize, src: usize, rows: i32, cols: i32, ld: i32, accumulate: bool): void {
  const rb = <usize>ld * 4, c4 = cols & ~3;
  if (!accumulate) memory.fill(dst, 0, <usize>cols * 4);
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>r * rb;
    let j = 0;
    for (; j < c4; j += 4) { const q = <usize>j * 4; v128.store(dst + q, f32x4.add(v128.load(dst + q), v128.load(s + q))); }
    for (; j < cols; j++) { const q = <usize>j * 4; store<f32>(dst + q, load<f32>(dst + q) + load<f32>(s + q)); }
  }
}

export function sumRowsF64(dst: usize, src: usize, rows: i32, cols: i32, accumulate: bool): void {
  const rb = <usize>cols * 8, c2 = cols & ~1;
  if (!accumulate) memory.fill(dst, 0, rb);
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>r * rb;
    let j = 0;
    for (; j < c2; j += 2) { const q = <usize>j * 8; v128.store(dst + q, f64x2.add(v128.load(dst + q), v128.load(s + q))); }
    for (; j < cols; j++) { const q = <usize>j * 8; store<f64>(dst + q, load<f64>(dst + q) + load<f64>(s + q)); }
  }
}

// dst = a + b and dst = a ⊙ b over n elements; dst may alias a or b (same index only).
export function addF32(dst: usize, a: usize, b: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) { const q = <usize>j * 4; v128.store(dst + q, f32x4.add(v128.load(a + q), v128.load(b + q))); }
  for (; j < n; j++) { const q = <usize>j * 4; store<f32>(dst + q, load<f32>(a + q) + load<f32>(b + q)); }
}
export function mulF32(dst: usize, a: usize, b: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) { const q = <usize>j * 4; v128.store(dst + q, f32x4.mul(v128.load(a + q), v128.load(b + q))); }
  for (; j < n; j++) { const q = <usize>j * 4; store<f32>(dst + q, load<f32>(a + q) * load<f32>(b + q)); }
}
export function addF64(dst: usize, a: usize, b: usize, n: i32): void {
  let j = 0;
  for (; j + 2 <= n; j += 2) { const q = <usize>j * 8; v128.store(dst + q, f64x2.add(v128.load(a + q), v128.load(b + q))); }
  for (; j < n; j++) { const q = <usize>j * 8; store<f64>(dst + q, load<f64>(a + q) + load<f64>(b + q)); }
}
export function mulF64(dst: usize, a: usize, b: usize, n: i32): void {
  let j = 0;
  for (; j + 2 <= n; j += 2) { const q = <usize>j * 8; v128.store(dst + q, f64x2.mul(v128.load(a + q), v128.load(b + q))); }
  for (; j < n; j++) { const q = <usize>j * 8; store<f64>(dst + q, load<f64>(a + q) * load<f64>(b + q)); }
}

// memmove of n bytes.
export function copyBytes(dst: usize, src: usize, n: usize): void {
  memory.copy(dst, src, n);
}

// For each inactive row b (lengths[b] <= t) of (rows, rowBytes): dst row = src row, or zero if src == 0.
export function keepInactiveRows(dst: usize, src: usize, rows: i32, rowBytes: usize, lengths: usize, t: i32): void {
  for (let b = 0; b < rows; b++) {
    if (t < load<i32>(lengths + <usize>b * 4)) continue;
    const o = <usize>b * rowBytes;
    if (src == 0) memory.fill(dst + o, 0, rowBytes);
    else memory.copy(dst + o, src + o, rowBytes);
  }
}
