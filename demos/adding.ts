/**
 * Demo 1, long-term dependencies: the adding problem (Hochreiter & Schmidhuber 1997, in the
 * variant of Le, Jaitly & Hinton 2015). Each of T steps carries a value u_t ~ U[0,1) and a
 * marker m_t ∈ {0,1}; exactly two steps are marked, one in each half, and the target is the
 * sum of the two marked values. The answer depends on an input up to T steps back, so a
 * model must carry it across the whole sequence; predicting the mean gives MSE = Var(u₁+u₂)
 * = 1/6 ≈ 0.167 (computed here exactly from the test targets).
 *
 * RNN, GRU and LSTM get the same budget (hidden size, steps, batch size, optimizer, clipping)
 * and fresh seeded random batches every step. Besides the final test MSE the demo records
 * ‖∂L/∂h_t‖ over t, read from the recurrent layer's `inspect().dh` after one backward: the
 * deck's vanishing-gradient picture, measured.
 */
import { join } from 'node:path';
import { writeFileAtomicSync, GRU, LSTM, RNN, Rng, Tensor, type RecurrentBase, type RecurrentMode, Dense, LastStep, Sequential, Adam, mse as mseLoss, lineChart } from '../src/index.js';
import { trainSteps } from './loop.js';
import { intList, mainIfEntry, nameList, posInt, round, type Demo, type Row } from './runner.js';
import { mse } from './metrics.js';

const MODELS: readonly RecurrentMode[] = ['rnn', 'gru', 'lstm'];

/** One batch: x (B,T,2) = [value, marker] per step, y (B,1) the sum of the two marked values. */
export function addingBatch(rng: Rng, B: number, T: number): { x: Tensor; y: Tensor } {
  if (!Number.isInteger(T) || T < 2) throw new RangeError(`adding problem: T must be an integer ≥ 2, got ${T}`);
  const x = Tensor.zeros([B, T, 2]);
  const y = Tensor.zeros([B, 1]);
  const half = Math.floor(T / 2);
  for (let b = 0; b < B; b++) {
    const row = b * T * 2;
    for (let t = 0; t < T; t++) x.data[row + 2 * t] = rng.random();
    const i = rng.int(half), j = half + rng.int(T - half); // one marker in each half
    x.data[row + 2 * i + 1] = 1;
    x.data[row + 2 * j + 1] = 1;
    y.data[b] = x.data[row + 2 * i]! + x.data[row + 2 * j]!;
  }
  return { x, y };
}

export interface AddingConfig {
  mode: RecurrentMode;
  T: number;
  hidden: number;
  batch: number;
  steps: number;
  lr: number;
  clip: number;
  /** Evaluate on the test set every this many steps. */
  evalEvery: number;
  seed: number;
}

export interface AddingRun {
  mse: number;
  baselineMse: number;
  params: number;
  seconds: number;
  /** Wall time of one training step (forward, backward, clipping, Adam), ms: the mean over the run. */
  msPerStep: number;
  /** Test MSE by step (learning curve). */
  curve: { step: number[]; mse: number[] };
  /** ‖∂L/∂h_t‖ for t = 0..T−1 at initialisation and after training (test batch, norm over batch and units). */
  gradInit: number[];
  gradFinal: number[];
}

/** recurrent layer → LastStep → Dense(1), the output bias started at the targets' mean (1). */
function buildModel(c: AddingConfig): { model: Sequential; rnn: RecurrentBase } {
  const opts = { inputSize: 2, hiddenSize: c.hidden, batchFirst: true, seed: c.seed };
  const rnn = c.mode === 'lstm' ? new LSTM({ ...opts, init: { unitForgetBias: true } }) : c.mode === 'gru' ? new GRU(opts) : new RNN(opts);
  const fc = new Dense({ inputSize: c.hidden, outputSize: 1, seed: c.seed + 1 });
  const model = new Sequential([[c.mode, rnn], ['last', new LastStep()], ['fc', fc]]);
  model.stateDict()['fc.bias']!.data[0] = 1;
  return { model, rnn };
}

/** ‖∂L/∂h_t‖ over t for one forward/backward of (x, y); leaves no gradient behind. */
function gradByTime(model: Sequential, rnn: RecurrentBase, x: Tensor, y: Tensor): number[] {
  const loss = mseLoss();
  model.zeroGrad();
  loss.forward(model.forward(x), y);
  model.backward(loss.backward());
  model.zeroGrad();
  const { T, B, directions } = rnn.inspect();
  const dh = directions[0]!.dh!; // (T,B,H)
  const H = rnn.hOut, out: number[] = [];
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let i = t * B * H; i < (t + 1) * B * H; i++) s += dh[i]! * dh[i]!;
    out.push(Math.sqrt(s));
  }
  return out;
}

/** Train one model on one length; returns its curve, final test MSE and gradient profiles. */
export function trainAdding(c: AddingConfig, test: { x: Tensor; y: Tensor }, log: (m: string) => void): AddingRun {
  const t0 = performance.now();
  const { model, rnn } = buildModel(c);
  const rng = new Rng(c.seed * 7919 + c.T); // batches: the same stream for every model at this T
  const probe = { x: sliceBatch(test.x, 64), y: sliceBatch(test.y, 64) };
  const gradInit = gradByTime(model, rnn, probe.x, probe.y);
  const curve = trainSteps({
    model, loss: mseLoss(), optimizer: new Adam(model, { lr: c.lr }), clip: c.clip, steps: c.steps,
    nextBatch: () => addingBatch(rng, c.batch, c.T),
    evalEvery: c.evalEvery,
    evaluate: () => mse(test.y.data, model.predict(test.x, { batchSize: 256 }).data),
    log, label: `${c.mode} T=${c.T}`,
  });
  const gradFinal = gradByTime(model, rnn, probe.x, probe.y);
  return {
    mse: curve.value.at(-1)!,
    baselineMse: mse(test.y.data, new Float32Array(test.y.size).fill(mean(test.y.data))),
    params: model.numParameters(),
    seconds: (performance.now() - t0) / 1000,
    msPerStep: curve.trainMs / c.steps,
    curve: { step: curve.step, mse: curve.value }, gradInit, gradFinal,
  };
}

function sliceBatch(t: Tensor, n: number): Tensor {
  const per = t.size / t.shape[0]!;
  return new Tensor(t.data.slice(0, n * per), [n, ...t.shape.slice(1)]);
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}

export const addingDemo: Demo = {
  name: 'adding',
  title: 'Adding problem: RNN vs GRU vs LSTM',
  summary: 'long-term dependency test; final test MSE per model and sequence length against the predict-the-mean baseline',
  options: [
    { flags: '--models <list>', description: 'models to train (rnn,gru,lstm)', parse: nameList(MODELS) },
    { flags: '--lengths <list>', description: 'sequence lengths T (default 50,100,200; quick 20)', parse: intList },
    { flags: '--steps <n>', description: 'training steps per model and length (default 2000; quick 250)', parse: posInt },
    { flags: '--hidden <n>', description: 'hidden units (default 32)', parse: posInt },
    { flags: '--batch <n>', description: 'batch size (default 32)', parse: posInt },
    { flags: '--lr <x>', description: 'Adam learning rate (default 0.01)', parse: Number },
  ],
  async run({ quick, seed, out, opts, log }) {
    const models = (opts.models as RecurrentMode[] | undefined) ?? [...MODELS];
    const lengths = (opts.lengths as number[] | undefined) ?? (quick ? [20] : [50, 100, 200]);
    const base = {
      hidden: (opts.hidden as number | undefined) ?? 32,
      batch: (opts.batch as number | undefined) ?? 32,
      steps: (opts.steps as number | undefined) ?? (quick ? 250 : 2000),
      lr: (opts.lr as number | undefined) ?? 0.01,
      clip: 1,
      seed,
    };
    if (!(base.lr > 0)) throw new Error(`--lr must be a positive number, got ${String(opts.lr)}`);
    const evalEvery = Math.max(1, Math.round(base.steps / 30));
    const testSize = quick ? 256 : 1000;
    const rows: Row[] = [];
    const runs: Record<string, AddingRun> = {};
    for (const T of lengths) {
      const test = addingBatch(new Rng(seed * 104729 + T + 1), testSize, T);
      for (const mode of models) {
        const r = trainAdding({ ...base, mode, T, evalEvery }, test, log);
        runs[`${mode}-${T}`] = r;
        rows.push({ model: mode, T, mse: round(r.mse, 5), baselineMse: round(r.baselineMse, 5), ratio: round(r.mse / r.baselineMse, 5), params: r.params, seconds: round(r.seconds, 1), msPerStep: round(r.msPerStep, 3) });
      }
    }
    const plots: string[] = [];
    if (out) {
      for (const T of lengths) {
        const series = models.map((m) => ({ name: m.toUpperCase(), x: runs[`${m}-${T}`]!.curve.step, y: runs[`${m}-${T}`]!.curve.mse.map(Math.log10) }));
        const b = runs[`${models[0]}-${T}`]!.baselineMse;
        series.push({ name: 'predict the mean', x: [0, base.steps], y: [Math.log10(b), Math.log10(b)], dashed: true } as (typeof series)[number]);
        plots.push(save(out, `adding-curves-T${T}.svg`, lineChart({ title: `Adding problem, T = ${T}: test MSE while training`, xLabel: 'training step', yLabel: 'log10 test MSE', series })));
      }
      const T = Math.max(...lengths);
      for (const [when, key] of [['at initialisation', 'gradInit'], ['after training', 'gradFinal']] as const) {
        const series = models.map((m) => {
          const g = runs[`${m}-${T}`]![key];
          // A gradient that underflowed float32 to exactly 0 has no logarithm: left undrawn (NaN breaks the line).
          return { name: m.toUpperCase(), x: g.map((_, t) => t), y: g.map((v) => (v > 0 ? Math.log10(v) : NaN)) };
        });
        plots.push(save(out, `adding-grad-${key === 'gradInit' ? 'init' : 'trained'}-T${T}.svg`,
          lineChart({ title: `‖∂L/∂h_t‖ over t, ${when} (T = ${T}, loss at the last step)`, xLabel: 'time step t', yLabel: 'log10 ‖∂L/∂h_t‖', series })));
      }
    }
    const lstm100 = rows.find((r) => r.model === 'lstm' && r.T === 100);
    const notes = [
      `Same budget for every model: hidden ${base.hidden}, ${base.steps} steps of batch ${base.batch} (fresh seeded random sequences each step), Adam lr ${base.lr}, gradient-norm clipping at ${base.clip}; the LSTM uses unit forget-gate bias; the output bias starts at 1 (the targets' mean).`,
      `MSE is on ${testSize} held-out sequences per length; baselineMse is the MSE of predicting the test targets' mean (≈ 1/6).`,
      'seconds: the whole run of a model (training and held-out evaluations); ms/step: one training step (forward, backward, clipping, Adam), the mean over the run.',
    ];
    if (lstm100) notes.push(`LSTM at T = 100: MSE ${lstm100.mse} (${(lstm100.mse as number) < 0.01 ? 'below' : 'NOT below'} the 0.01 target).`);
    const Tmax = Math.max(...lengths);
    const vanished = models.map((m) => [m, runs[`${m}-${Tmax}`]!.gradInit.filter((v) => v === 0).length] as const).filter(([, n]) => n > 0);
    if (vanished.length) notes.push(`At initialisation (T = ${Tmax}), ‖∂L/∂h_t‖ underflows float32 to exactly 0 (not drawn) for the first ${vanished.map(([m, n]) => `${n} steps (${m})`).join(', ')}.`);
    notes.push(`Below MSE 0.01 after ${base.steps} steps: ${lengths.map((T) => `T = ${T}: ${rows.filter((r) => r.T === T && (r.mse as number) < 0.01).map((r) => r.model).join(', ') || 'none'}`).join('; ')}.`);
    const extra: Record<string, unknown> = {};
    for (const [k, r] of Object.entries(runs)) extra[k] = { curve: r.curve, gradInitFirst: r.gradInit[0], gradInitLast: r.gradInit.at(-1), gradFinalFirst: r.gradFinal[0], gradFinalLast: r.gradFinal.at(-1) };
    return {
      columns: [
        { key: 'model', label: 'model' }, { key: 'T', label: 'T' }, { key: 'mse', label: 'test MSE' },
        { key: 'baselineMse', label: 'baseline MSE' }, { key: 'ratio', label: 'MSE / baseline', digits: 3 },
        { key: 'params', label: 'params' }, { key: 'seconds', label: 'seconds', digits: 1 },
        { key: 'msPerStep', label: 'ms/step', digits: 2 },
      ],
      rows, notes, plots, extra,
    };
  },
};

function save(dir: string, name: string, svg: string): string {
  const p = join(dir, name);
  writeFileAtomicSync(p, svg);
  return p;
}

await mainIfEntry(addingDemo, import.meta.url);
