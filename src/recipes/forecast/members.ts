/**
 * Training a global forecaster's ensemble members side by side. Members are independent (each
 * has its own seed), so in Node with two or more cores they train in worker threads, one member
 * per core, each on the single-threaded WebAssembly backend ('wasm-1t'): at the sizes a panel
 * trains at (batches of 128, 64 hidden units) one member per core does about twice the work of
 * one member whose every step is split over the cores, which meet twice per step. Elsewhere
 * (a browser, one core, a small job, a bundled application without member-worker.js beside it)
 * they train one after the other on this thread.
 *
 * Either way a member's weights are the same to the bit: every random choice comes from its
 * seed, and the kernels give the same results on any number of threads. The worker
 * (member-worker.ts) rebuilds the series' frames from the values and the plan, trains with
 * global.ts's trainMember and posts the weights back.
 */
import { coreCount } from '../../kernels/wasm/env.js';
import type { Sequential } from '../../nn/sequential.js';
import { runWorker, workerFor, workerScript } from './threads.js';

/**
 * The pieces of global.ts a member's training needs (Plan: its GlobalPlan, Input: a series,
 * Frame: a preprocessed series), handed in by global.ts: this file does not import it, so the
 * two never import each other; the worker imports global.ts itself.
 */
export interface MemberTrainer<Plan, Input, Frame> {
  build(plan: Plan, seed: number): Sequential;
  frame(series: Input, plan: Plan, where: string): Frame;
  /** Windows one epoch samples from these frames. */
  windows(frames: readonly Frame[], plan: Plan): number;
  train(model: Sequential, frames: readonly Frame[], plan: Plan, run: MemberJob['run'], log: (msg: string) => void): Promise<void>;
}

/** One member to train: where its weights start and how it trains. */
export interface MemberJob {
  /** Seed of the fresh network's initial weights (ignored with `init`). */
  modelSeed: number;
  /** Weights to start from (fine-tuning), by parameter name; null: a fresh network. */
  init: Record<string, { shape: readonly number[]; data: Float32Array }> | null;
  /** Epochs, peak learning rate and the seed of the window sampling. */
  run: { epochs: number; lr: number; seed: number };
  /** Prefix of the member's progress messages. */
  label: string;
}

/** A member's weights by parameter name (copies): a job's `init`, or what the worker posts back. */
export type MemberWeights = Record<string, { shape: number[]; data: Float32Array }>;

/** What the worker receives (structured-cloned). */
export interface MemberWorkerInput {
  series: readonly unknown[];
  plan: unknown;
  job: MemberJob;
}

/** Windows sampled over a run (epochs × windows per epoch) below which workers do not pay for their start-up. */
export const WORKER_MIN_WINDOWS = 20_000;

/**
 * Train every job's member; `workers`: threads to use (default: the cores, at most the number of
 * jobs; 1 or less trains on this thread); `script`: the worker's file (default member-worker.ts/.js
 * beside this file; where it is absent the members train on this thread). Resolves to the members
 * in job order.
 */
export async function trainMembers<Plan, Input, Frame>(trainer: MemberTrainer<Plan, Input, Frame>, series: readonly Input[], plan: Plan, jobs: readonly MemberJob[], opts: { workers?: number; log?: (msg: string) => void; script?: URL } = {}): Promise<Sequential[]> {
  const frames = series.map((s, i) => trainer.frame(s, plan, `series ${i}`));
  const windows = Math.max(...jobs.map((j) => j.run.epochs)) * trainer.windows(frames, plan);
  const auto = windows >= WORKER_MIN_WINDOWS ? coreCount() : 1;
  const threads = Math.min(jobs.length, Math.floor(opts.workers ?? auto));
  const script = opts.script ?? workerScript('member-worker', import.meta.url);
  const Worker = workerFor(threads, script, opts.log);
  if (!Worker) {
    const models: Sequential[] = [];
    for (const job of jobs) {
      const model = startingModel(trainer, plan, job);
      await trainer.train(model, frames, plan, job.run, (msg) => opts.log?.(`${job.label}: ${msg}`));
      models.push(model);
    }
    return models;
  }
  const results: Sequential[] = new Array(jobs.length);
  let next = 0;
  const runOne = async (): Promise<void> => {
    while (next < jobs.length) {
      const k = next++;
      const job = jobs[k]!;
      const input: MemberWorkerInput = { series, plan, job };
      const weights = await runWorker<MemberWeights>(Worker, script, input, (msg) => opts.log?.(`${job.label}: ${msg}`));
      const model = trainer.build(plan, job.modelSeed);
      model.loadStateDict(weights);
      results[k] = model;
    }
  };
  await Promise.all(Array.from({ length: threads }, runOne));
  return results;
}

/** A fresh network for the job, or one holding its starting weights. */
export function startingModel<Plan>(trainer: Pick<MemberTrainer<Plan, unknown, unknown>, 'build'>, plan: Plan, job: MemberJob): Sequential {
  const model = trainer.build(plan, job.modelSeed);
  if (job.init) model.loadStateDict(job.init);
  return model;
}

/** A model's weights as plain arrays (copies), for a job's `init` or a worker's answer. */
export function weightsOf(model: Sequential): MemberWeights {
  const out: MemberWeights = Object.create(null);
  for (const [name, t] of Object.entries(model.stateDict())) out[name] = { shape: [...t.shape], data: Float32Array.from(t.data) };
  return out;
}
