/**
 * The worker thread of members.ts: trains one ensemble member of a global forecaster on the
 * single-threaded WebAssembly backend and posts its weights back (or the error's message).
 */
import { workerData } from 'node:worker_threads';
import { setBackend } from '../../kernels/registry.js';
import { buildGlobalModel, seriesFrame, trainMember, type GlobalPlan, type GlobalSeriesInput } from './global.js';
import { startingModel, weightsOf, type MemberWorkerInput } from './members.js';
import { serveWorker } from './threads.js';

await serveWorker(async (log) => {
  const { series, plan, job } = workerData as Omit<MemberWorkerInput, 'series' | 'plan'> & { series: GlobalSeriesInput[]; plan: GlobalPlan };
  setBackend('wasm-1t'); // one member per core: never split its steps over threads
  const frames = series.map((s, i) => seriesFrame(s, plan, `series ${i}`));
  const model = startingModel({ build: buildGlobalModel }, plan, job);
  await trainMember(model, frames, plan, job.run, log);
  return weightsOf(model);
});
