// The per-series classical fits of a panel (classical.ts) and the worker threads' fall-back:
// fits made in two worker threads equal those made on this thread bit for bit; a missing worker
// script (a bundled application) runs the fits, and the ensemble members' training, on this
// thread with the same results; an ETS form given per series is the form fitted (with every
// parameter re-estimated, as fitEts with that form's letters) and a form that cannot be fitted
// falls back to the search.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, ets, etsForm, fitClassical, fitEts, fitGlobalForecaster, buildGlobalModel, planGlobal, seriesFrame, type GlobalPlan, type GlobalSeriesInput, type SeriesFrame } from '../../src/index.js';
import { trainMembers, type MemberJob, type MemberTrainer } from '../../src/recipes/forecast/members.js';
import { trainMember } from '../../src/recipes/forecast/global.js';

const MISSING = new URL('file:///nonexistent/lstm-ts/worker.js');

/** Seasonal positive series of different lengths, levels and trends. */
function panel(count: number, seed: number): Float64Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, i) => Float64Array.from({ length: 40 + 4 * i }, (_, t) => (20 + i) * Math.exp(0.004 * i * t + 0.2 * Math.sin((2 * Math.PI * t) / 12 + i) + 0.05 * rng.normal())));
}

test('fitClassical: two worker threads give the fits of this thread, bit for bit, in series order', async () => {
  const series = panel(6, 1);
  const req = { methods: ['theta', 'ets'] as const, series, horizon: 6, period: 12, levels: [80, 95] };
  const here = await fitClassical({ ...req, methods: [...req.methods] }, { workers: 1 });
  const threads = await fitClassical({ ...req, methods: [...req.methods] }, { workers: 2 });
  assert.deepEqual(threads, here);
  // Series order kept: each fit is the one made directly on that series.
  series.forEach((y, i) => assert.deepEqual(here['ets']![i]!.mean, ets(y, { horizon: 6, period: 12 }).mean));
});

test('fitClassical and trainMembers: without their worker script they run on this thread, with the same results', async () => {
  const series = panel(3, 2);
  const req = { methods: ['ets' as const], series, horizon: 6, period: 12, levels: [] };
  const logs: string[] = [];
  const missing = await fitClassical(req, { workers: 2, script: MISSING, log: (m) => logs.push(m) });
  assert.deepEqual(missing, await fitClassical(req, { workers: 1 }));
  assert.ok(logs.some((m) => /no worker script at file:\/\/\/nonexistent/.test(m)), logs.join('\n'));

  const inputs: GlobalSeriesInput[] = series.map((values) => ({ values }));
  const plan = planGlobal({ horizon: 4, hidden: 8, epochs: 2, windowsPerSeries: 8 });
  const trainer: MemberTrainer<GlobalPlan, GlobalSeriesInput, SeriesFrame> = {
    build: buildGlobalModel, frame: seriesFrame, train: trainMember, windows: (frames, p) => frames.length * p.windowsPerSeries,
  };
  const jobs: MemberJob[] = [1, 2].map((k) => ({ modelSeed: k, init: null, run: { epochs: 2, lr: 0.003, seed: 10 + k }, label: `member ${k}` }));
  const memberLogs: string[] = [];
  const absent = await trainMembers(trainer, inputs, plan, jobs, { workers: 2, script: MISSING, log: (m) => memberLogs.push(m) });
  const here = await trainMembers(trainer, inputs, plan, jobs, { workers: 1 });
  assert.ok(memberLogs.some((m) => /no worker script/.test(m)), memberLogs.join('\n'));
  absent.forEach((model, k) => {
    const a = model.stateDict(), b = here[k]!.stateDict();
    for (const name of Object.keys(b)) assert.deepEqual(a[name]!.data, b[name]!.data, `member ${k + 1} ${name}`);
  });
  // And a forecaster still trains through the public API when workers are asked for.
  assert.equal((await fitGlobalForecaster(inputs, { horizon: 4, hidden: 8, epochs: 1, ensemble: 2, workers: 2 })).models.length, 2);
});

test('fitClassical: an ETS form per series is fitted with its parameters re-estimated; a form that cannot be fitted falls back to the search', async () => {
  const y = panel(1, 3)[0]!;
  const early = fitEts(y.subarray(0, 36), { period: 12 });
  const form = early.components;
  const [fit] = (await fitClassical({ methods: ['ets'], series: [y], horizon: 6, period: 12, levels: [], forms: [form] }, { workers: 1 }))['ets']!;
  assert.deepEqual(fit!.form, form);
  const direct = fitEts(y, { period: 12, ...etsForm(form) });
  assert.deepEqual(fit!.mean, ets(y, { horizon: 6, period: 12, ...etsForm(form) }).mean);
  assert.notEqual(direct.alpha, early.alpha); // re-estimated, not carried over
  // Multiplicative error needs positive values: on a series with a zero that form falls back to the search.
  const withZero = Float64Array.from(y, (v, t) => (t === 5 ? 0 : v));
  const [searched] = (await fitClassical({ methods: ['ets'], series: [withZero], horizon: 6, period: 12, levels: [], forms: [{ error: 'M', trend: 'N', damped: false, season: 'M' }] }, { workers: 1 }))['ets']!;
  assert.equal(searched!.form!.error, 'A');
  assert.deepEqual(searched!.mean, ets(withZero, { horizon: 6, period: 12 }).mean);
});

test('etsForm: fitting the form the search chose gives the search\'s model', () => {
  const y = panel(2, 4)[1]!;
  const searched = fitEts(y, { period: 12 });
  const again = fitEts(y, { period: 12, ...etsForm(searched.components) });
  assert.equal(again.method, searched.method);
  assert.deepEqual([again.alpha, again.beta, again.gamma, again.phi, again.aicc], [searched.alpha, searched.beta, searched.gamma, searched.phi, searched.aicc]);
  assert.deepEqual(etsForm({ error: 'M', trend: 'A', damped: true, season: 'N' }), { model: 'MAN', damped: true });
});
