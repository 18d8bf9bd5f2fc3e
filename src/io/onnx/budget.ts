/**
 * The work and memory budget of one ONNX run (the `onnxWork` and `onnxMemory` limits of
 * io/limits.ts). A 166-byte graph can ask for a 2048×2048 MatMul and a few hundred bytes can
 * ask an LSTM node for gigabytes of output, so every operator says what it is about to do
 * BEFORE it does it: outputs are charged when they are allocated (tensor-proto.ts makeValue),
 * products when their shapes are known (ops.ts), recurrent nodes once their sizes are checked
 * (recurrent-ops.ts). The graph runner (import.ts) opens the budget for a run and keeps the
 * count of bytes alive as values are produced and freed.
 *
 * Work is counted in units of one multiply-add of the recurrent kernels; the interpreter's
 * general loops are slower, so their operations count more (WORK below), which keeps the time
 * a budget allows about the same whatever the graph spends it on.
 */
import { LimitError } from '../limits.js';

/** Work units per operation (documented with the onnxWork limit). */
export const WORK = {
  /** One multiply-add of an LSTM/GRU/RNN node on the kernels. */
  recurrentMac: 1,
  /** One multiply-add of MatMul, Gemm, or a recurrent node on the Keras-exact loop. */
  matmulMac: 64,
  /** One element an element-wise, shape or reduction operator writes or reduces. */
  element: 512,
} as const;

export class RunBudget {
  private work = 0;
  private live = 0;
  /** The node being run (for messages). */
  at = '';

  constructor(readonly file: string, readonly maxWork: number, readonly maxBytes: number) {}

  /** Bytes of values alive before the next node (the runner's count). */
  setLive(bytes: number): void {
    this.live = bytes;
  }

  /** Account for `units` of work and `bytes` of new values, or throw a LimitError naming the node. */
  charge(units: number, bytes: number, what: string): void {
    const work = this.work + units;
    const where = this.at ? `${this.at}: ` : '';
    if (!(work <= this.maxWork)) {
      throw new LimitError(this.file, `${where}${what} brings the run to ${work.toExponential(3)} work units`, 'onnxWork', work, this.maxWork);
    }
    const live = this.live + bytes;
    if (!(live <= this.maxBytes)) {
      throw new LimitError(this.file, `${where}${what} brings the tensors alive to ${live} bytes`, 'onnxMemory', live, this.maxBytes);
    }
    this.work = work;
    this.live = live;
  }
}

let current: RunBudget | null = null;

/** Run `f` with `budget` open: every charge inside goes to it. */
export function withRunBudget<T>(budget: RunBudget, f: () => T): T {
  const saved = current;
  current = budget;
  try {
    return f();
  } finally {
    current = saved;
  }
}

/** Charge the run in progress (nothing outside a run, e.g. while decoding initializers). */
export function chargeRun(units: number, bytes: number, what: string): void {
  current?.charge(units, bytes, what);
}

/**
 * The pre-check of an LSTM/GRU/RNN node, before it computes: T·B·D·G·H·(I+H) multiply-adds
 * and its output, state and gate buffers (about T·B·D·H·(G+3) values plus a copy of X).
 */
export function chargeRecurrent(kind: string, s: { T: number; B: number; I: number; H: number; D: number; G: number; bytesPerValue: number }, onKernels: boolean): void {
  const macs = s.T * s.B * s.D * s.G * s.H * (s.I + s.H);
  const values = s.T * s.B * s.I + s.T * s.B * s.D * s.H * (s.G + 3);
  chargeRun(macs * (onKernels ? WORK.recurrentMac : WORK.matmulMac), values * s.bytesPerValue,
    `${kind} over ${s.T} steps × ${s.B} sequences (hidden ${s.H})`);
}
