/**
 * The four benchmark workloads of issue 4 and the arithmetic that turns a time into GFLOP/s.
 * One definition serves every implementation (lstm-ts, TF.js, brain.js, onnxruntime, PyTorch
 * through bench/torch_bench.py, which receives the spec as JSON), so they all run the same shapes.
 *
 * Inference: an LSTM stack over the whole sequence, returning every step's output (B,T,H).
 * Training step: LSTM stack, Dense(H→1) on the last step's output, MSE against a target (B,1),
 * backward through time, one Adam update (lr 1e-3, betas 0.9/0.999, eps 1e-8, as torch.optim.Adam).
 */

export type WorkloadId = 'W1' | 'W2' | 'W3' | 'W4';

export interface Workload {
  /** W1–W4, or a sweep point's name (bench/sweep.ts). */
  id: string;
  kind: 'inference' | 'train';
  /** B, T, I, H, L. */
  batch: number;
  steps: number;
  input: number;
  hidden: number;
  layers: number;
  /** What the table reports first for this workload. */
  unit: 'ms/seq' | 'seq/s' | 'ms/step';
  title: string;
}

export const WORKLOADS: Record<WorkloadId, Workload> = {
  W1: { id: 'W1', kind: 'inference', batch: 1, steps: 100, input: 32, hidden: 128, layers: 1, unit: 'ms/seq', title: 'inference, batch 1, 100 steps, input 32, hidden 128, 1 layer' },
  W2: { id: 'W2', kind: 'inference', batch: 64, steps: 100, input: 32, hidden: 256, layers: 1, unit: 'seq/s', title: 'inference, batch 64, 100 steps, input 32, hidden 256, 1 layer' },
  W3: { id: 'W3', kind: 'train', batch: 32, steps: 50, input: 32, hidden: 128, layers: 1, unit: 'ms/step', title: 'training step, batch 32, 50 steps, input 32, hidden 128, 1 layer + Dense(1) on the last step, MSE, Adam' },
  W4: { id: 'W4', kind: 'train', batch: 64, steps: 100, input: 64, hidden: 256, layers: 2, unit: 'ms/step', title: 'training step, batch 64, 100 steps, input 64, hidden 256, 2 layers + Dense(1) on the last step, MSE, Adam' },
};

export const WORKLOAD_IDS = Object.keys(WORKLOADS) as WorkloadId[];

/** Adam hyper-parameters every implementation uses (PyTorch's defaults). */
export const ADAM = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

/** Input size of layer l (the layers above the first read the hidden state). */
export function layerInput(w: Pick<Workload, 'input' | 'hidden'>, l: number): number {
  return l === 0 ? w.input : w.hidden;
}

/**
 * Floating-point operations of one timed unit (one batch forward, or one training step).
 * Per layer, step and sequence the gates take 4H·(I+H) multiply-adds = 8H(I+H) FLOPs; the cell's
 * elementwise work and the Dense head are left out. Training ≈ 3× forward (the backward pass
 * does two matmuls for each forward one: the input gradient and the weight gradient).
 */
export function flops(w: Workload): number {
  let perStep = 0;
  for (let l = 0; l < w.layers; l++) perStep += 8 * w.hidden * (layerInput(w, l) + w.hidden);
  const forward = perStep * w.steps * w.batch;
  return w.kind === 'train' ? 3 * forward : forward;
}

/** A small instance with the same structure (for the cross-implementation tests). */
export function tiny(w: Workload): Workload {
  return { ...w, batch: Math.min(w.batch, 3), steps: 5, input: 3, hidden: 4 };
}
