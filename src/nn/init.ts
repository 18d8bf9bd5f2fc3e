/**
 * Parameter initialisers. All draw from a seeded Rng. `out` is a (rows, cols) row-major
 * block at `off` inside a flat buffer.
 */
import type { FloatArray } from '../tensor/tensor.js';
import type { Rng } from '../tensor/rng.js';

/** U(lo, hi) for n elements. PyTorch's RNN default is U(−1/√H, 1/√H). */
export function uniform(out: FloatArray, off: number, n: number, lo: number, hi: number, rng: Rng): void {
  for (let i = 0; i < n; i++) out[off + i] = rng.uniform(lo, hi);
}

/** Glorot/Xavier uniform for a (fanOut, fanIn) matrix: U(±√(6/(fanIn+fanOut))). */
export function glorotUniform(out: FloatArray, off: number, fanOut: number, fanIn: number, rng: Rng): void {
  const a = Math.sqrt(6 / (fanIn + fanOut));
  uniform(out, off, fanOut * fanIn, -a, a, rng);
}

/**
 * A (rows, cols) matrix with orthonormal rows (rows ≤ cols) or columns (rows > cols):
 * Gram-Schmidt on a Gaussian matrix, as Keras' Orthogonal initialiser does via QR.
 */
export function orthogonal(out: FloatArray, off: number, rows: number, cols: number, rng: Rng): void {
  const tall = rows > cols;
  const r = tall ? cols : rows, c = tall ? rows : cols; // work on the short side: r vectors of length c
  const q = new Float64Array(r * c);
  for (let i = 0; i < r * c; i++) q[i] = rng.normal();
  for (let i = 0; i < r; i++) {
    for (let pass = 0; pass < 2; pass++) {
      // two passes of modified Gram-Schmidt for numerical orthogonality
      for (let j = 0; j < i; j++) {
        let dot = 0;
        for (let k = 0; k < c; k++) dot += q[i * c + k]! * q[j * c + k]!;
        for (let k = 0; k < c; k++) q[i * c + k]! -= dot * q[j * c + k]!;
      }
    }
    let norm = 0;
    for (let k = 0; k < c; k++) norm += q[i * c + k]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < c; k++) q[i * c + k]! /= norm;
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[off + i * cols + j] = tall ? q[j * c + i]! : q[i * c + j]!;
  }
}
