/**
 * lstm-ts on a chosen kernel backend. Inference is `LSTM.forward` (batch-first, eval mode);
 * a training step is LSTM → last step → Dense(H→1) → MSE → backward → Adam, through the
 * model API (Sequential, mse, Adam) when it is exported, otherwise through LSTM.forward/backward
 * with the Dense head and Adam written out below (the same arithmetic).
 */
import { LSTM, Tensor, listBackends } from '../../src/index.js';
import type { BenchData } from '../data.js';
import { ADAM, type Workload } from '../workloads.js';
import type { Impl, Runner, RunnerOptions } from './types.js';

/** Copy the shared weights into an LSTM (PyTorch names and layout match 1:1). */
function loadLstm(lstm: LSTM, d: BenchData, prefix = ''): void {
  const sd: Record<string, { shape: number[]; data: Float32Array }> = {};
  const H = lstm.hiddenSize;
  d.layers.forEach((L, l) => {
    const I = L.wIh.length / (4 * H);
    sd[`${prefix}weight_ih_l${l}`] = { shape: [4 * H, I], data: L.wIh };
    sd[`${prefix}weight_hh_l${l}`] = { shape: [4 * H, H], data: L.wHh };
    sd[`${prefix}bias_ih_l${l}`] = { shape: [4 * H], data: L.bIh };
    sd[`${prefix}bias_hh_l${l}`] = { shape: [4 * H], data: L.bHh };
  });
  lstm.loadStateDict(sd);
}

/** Adam (torch.optim.Adam, no weight decay) over one flat parameter array. */
class FlatAdam {
  private m: Float64Array;
  private v: Float64Array;
  private t = 0;
  constructor(n: number) {
    this.m = new Float64Array(n);
    this.v = new Float64Array(n);
  }
  step(p: { [i: number]: number; length: number }, g: { [i: number]: number }, n: number): void {
    const { lr, beta1, beta2, eps } = ADAM;
    this.t++;
    const bc1 = 1 - beta1 ** this.t, bc2 = 1 - beta2 ** this.t;
    const m = this.m, v = this.v;
    for (let i = 0; i < n; i++) {
      const gi = g[i]!;
      m[i] = beta1 * m[i]! + (1 - beta1) * gi;
      v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
      p[i] = p[i]! - (lr * m[i]! / bc1) / (Math.sqrt(v[i]! / bc2) + eps);
    }
  }
}

/** LSTM forward/backward with the Dense(H→1) head, MSE and Adam written out. */
function handWrittenTrainer(w: Workload, d: BenchData, backend: string): Runner {
  const { batch: B, steps: T, input: I, hidden: H, layers: L } = w;
  const lstm = new LSTM({ inputSize: I, hiddenSize: H, numLayers: L, batchFirst: true, backend });
  loadLstm(lstm, d);
  const fcW = Float32Array.from(d.fcW), fcB = Float32Array.from(d.fcB);
  const gW = new Float32Array(H), gB = new Float32Array(1);
  const nLstm = lstm.numParameters();
  const adamLstm = new FlatAdam(nLstm), adamW = new FlatAdam(H), adamB = new FlatAdam(1);
  const x = new Tensor(Float32Array.from(d.x), [B, T, I]);
  const dhAll = Tensor.zeros([L, B, H]);
  const last = (L - 1) * B * H; // the last layer's slot in h_n and dh
  return {
    run(): number {
      lstm.zeroGrad();
      const { h } = lstm.forward(x); // h_n (L,B,H): the last layer's slot is the last step's output
      // y = h·Wᵀ + b (B,1); loss = mean((y − target)²); dy = 2(y − target)/B.
      let loss = 0;
      gW.fill(0);
      gB[0] = 0;
      const dh = dhAll.data;
      for (let b = 0; b < B; b++) {
        let y = fcB[0]!;
        for (let j = 0; j < H; j++) y += h.data[last + b * H + j]! * fcW[j]!;
        const e = y - d.y[b]!;
        loss += e * e;
        const dy = (2 * e) / B;
        gB[0] += dy;
        for (let j = 0; j < H; j++) {
          gW[j] += dy * h.data[last + b * H + j]!; // dW = dyᵀ·h
          dh[last + b * H + j] = dy * fcW[j]!; // dh = dy·W
        }
      }
      lstm.backward({ dh: dhAll });
      adamLstm.step(lstm.flat, lstm.flatGrad, nLstm);
      adamW.step(fcW, gW, H);
      adamB.step(fcB, gB, 1);
      return loss / B;
    },
  };
}

export function lstmTsImpl(backend: string): Impl {
  return {
    id: `lstm-ts/${backend}`,
    async create(w: Workload, d: BenchData, _opts: RunnerOptions): Promise<Runner> {
      if (!listBackends().includes(backend)) throw new Error(`backend "${backend}" is not registered (have: ${listBackends().join(', ')})`);
      const { batch: B, steps: T, input: I, hidden: H, layers: L } = w;
      if (w.kind === 'inference') {
        const lstm = new LSTM({ inputSize: I, hiddenSize: H, numLayers: L, batchFirst: true, backend });
        loadLstm(lstm, d);
        lstm.eval();
        const x = new Tensor(Float32Array.from(d.x), [B, T, I]);
        return { run: () => lstm.forward(x).output.data as Float32Array };
      }
      return handWrittenTrainer(w, d, backend);
    },
  };
}
