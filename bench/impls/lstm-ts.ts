/**
 * lstm-ts on a chosen kernel backend, through the public API as a user writes it. Inference is
 * `LSTM.forward` (batch-first, eval mode); a training step is a Sequential(LSTM, LastStep,
 * Dense(H→1)): zeroGrad, forward, mse, backward, Adam step. The onnxruntime engine row runs the
 * same inference as `Sequential([LSTM]).forward` after `compile(model, { engine: 'onnxruntime' })`.
 */
import { Adam, Dense, LSTM, LastStep, Sequential, Tensor, compile, listBackends, mse, setBackend } from '../../src/index.js';
import type { BenchData } from '../data.js';
import { ADAM, type Workload } from '../workloads.js';
import type { Impl, Runner, RunnerOptions } from './types.js';

/** Copy the shared weights into an LSTM (PyTorch names and layout match 1:1). */
function loadLstm(lstm: LSTM, d: BenchData): void {
  const sd: Record<string, { shape: number[]; data: Float32Array }> = {};
  const H = lstm.hiddenSize;
  d.layers.forEach((L, l) => {
    const I = L.wIh.length / (4 * H);
    sd[`weight_ih_l${l}`] = { shape: [4 * H, I], data: L.wIh };
    sd[`weight_hh_l${l}`] = { shape: [4 * H, H], data: L.wHh };
    sd[`bias_ih_l${l}`] = { shape: [4 * H], data: L.bIh };
    sd[`bias_hh_l${l}`] = { shape: [4 * H], data: L.bHh };
  });
  lstm.loadStateDict(sd);
}

/**
 * LSTM → LastStep → Dense(H→1) as a Sequential, with the shared weights. Parameter names
 * follow PyTorch's submodules: `lstm.weight_ih_l0`, …, `fc.weight`, `fc.bias`.
 */
function trainer(w: Workload, d: BenchData, backend: string): Runner {
  const { batch: B, steps: T, input: I, hidden: H, layers: L } = w;
  const lstm = new LSTM({ inputSize: I, hiddenSize: H, numLayers: L, batchFirst: true, backend });
  loadLstm(lstm, d);
  const fc = new Dense({ inputSize: H, outputSize: 1, backend });
  fc.loadStateDict({ weight: { shape: [1, H], data: d.fcW }, bias: { shape: [1], data: d.fcB } });
  const model = new Sequential([['lstm', lstm], ['last', new LastStep()], ['fc', fc]], { backend });
  const opt = new Adam(model, { lr: ADAM.lr, betas: [ADAM.beta1, ADAM.beta2], eps: ADAM.eps });
  const loss = mse();
  const x = new Tensor(Float32Array.from(d.x), [B, T, I]);
  const y = new Tensor(Float32Array.from(d.y), [B, 1]);
  const x1 = new Tensor(Float32Array.from(d.x.subarray(0, T * I)), [1, T, I]);
  const y1 = new Tensor(Float32Array.from(d.y.subarray(0, 1)), [1, 1]);
  return {
    warmup(): void {
      loss.forward(model.forward(x1), y1);
      model.backward(loss.backward());
      model.zeroGrad();
    },
    run(): number {
      model.zeroGrad();
      const l = loss.forward(model.forward(x), y);
      model.backward(loss.backward());
      opt.step();
      return l;
    },
  };
}

export function lstmTsImpl(backend: string): Impl {
  return {
    id: `lstm-ts/${backend}`,
    async create(w: Workload, d: BenchData, _opts: RunnerOptions): Promise<Runner> {
      if (!listBackends().includes(backend)) throw new Error(`backend "${backend}" is not registered (have: ${listBackends().join(', ')})`);
      setBackend(backend); // so layers created without a backend option (LastStep) do not start another one
      const { batch: B, steps: T, input: I, hidden: H, layers: L } = w;
      if (w.kind === 'inference') {
        const lstm = new LSTM({ inputSize: I, hiddenSize: H, numLayers: L, batchFirst: true, backend });
        loadLstm(lstm, d);
        lstm.eval();
        const x = new Tensor(Float32Array.from(d.x), [B, T, I]);
        const x1 = new Tensor(Float32Array.from(d.x.subarray(0, T * I)), [1, T, I]);
        return { run: () => lstm.forward(x).output.data as Float32Array, warmup: () => lstm.forward(x1) };
      }
      return trainer(w, d, backend);
    },
  };
}

/** Inference on the onnxruntime engine (the model's own ONNX export in an onnxruntime-node session); `threads` intra-op threads. */
export function lstmTsEngineImpl(): Impl {
  return {
    id: 'lstm-ts/engine-onnxruntime',
    unsupported: (w) => (w.kind === 'inference' ? null : 'inference only (training runs on the kernels)'),
    async create(w: Workload, d: BenchData, opts: RunnerOptions): Promise<Runner> {
      const { batch: B, steps: T, input: I, hidden: H, layers: L } = w;
      const lstm = new LSTM({ inputSize: I, hiddenSize: H, numLayers: L, batchFirst: true });
      loadLstm(lstm, d);
      const model = new Sequential([['lstm', lstm]]);
      const choice = await compile(model, { engine: 'onnxruntime', threads: opts.threads });
      if (choice.engine !== 'onnxruntime') throw new Error(`compile chose ${choice.engine}: ${choice.reason}`);
      const x = new Tensor(Float32Array.from(d.x), [B, T, I]);
      return { run: () => model.forward(x).data as Float32Array, dispose: () => model.setEngine(null) };
    },
  };
}
