/**
 * The numbers every implementation starts from: weights in PyTorch's layout (gate order i,f,g,o,
 * weight_ih (4H,I_l), weight_hh (4H,H), bias_ih and bias_hh (4H) per layer; the head's weight
 * (1,H) and bias (1)), an input x (B,T,I) batch-first and a target y (B,1), all drawn from a
 * seeded Rng, so every implementation and the cross-checks in test/bench see identical values.
 */
import { Rng } from '../src/index.js';
import { layerInput, type Workload } from './workloads.js';

export interface LayerWeights {
  wIh: Float32Array; // (4H, I_l)
  wHh: Float32Array; // (4H, H)
  bIh: Float32Array; // (4H)
  bHh: Float32Array; // (4H)
}

export interface BenchData {
  layers: LayerWeights[];
  fcW: Float32Array; // (1, H)
  fcB: Float32Array; // (1)
  x: Float32Array; // (B, T, I)
  y: Float32Array; // (B, 1)
}

function fill(n: number, k: number, rng: Rng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-k, k);
  return a;
}

/** PyTorch-like initialisation U(−1/√H, 1/√H); inputs U(−1, 1); targets U(−1, 1). */
export function makeData(w: Workload, seed = 1): BenchData {
  const rng = new Rng(seed);
  const H = w.hidden, k = 1 / Math.sqrt(H);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < w.layers; l++) {
    layers.push({
      wIh: fill(4 * H * layerInput(w, l), k, rng),
      wHh: fill(4 * H * H, k, rng),
      bIh: fill(4 * H, k, rng),
      bHh: fill(4 * H, k, rng),
    });
  }
  return {
    layers,
    fcW: fill(H, k, rng),
    fcB: fill(1, k, rng),
    x: fill(w.batch * w.steps * w.input, 1, rng),
    y: fill(w.batch, 1, rng),
  };
}

/** Plain-array form for JSON (handed to the PyTorch script). */
export function dataToJSON(d: BenchData): unknown {
  const arr = (a: Float32Array): number[] => Array.from(a);
  return {
    layers: d.layers.map((L) => ({ wIh: arr(L.wIh), wHh: arr(L.wHh), bIh: arr(L.bIh), bHh: arr(L.bHh) })),
    fcW: arr(d.fcW), fcB: arr(d.fcB), x: arr(d.x), y: arr(d.y),
  };
}

/** (rows, cols) row-major → its transpose (cols, rows). */
export function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c]!;
  return t;
}
