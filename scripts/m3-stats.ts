/**
 * The classical forecasters of src/stats (ETS, Theta, auto-ARIMA) on the M3 competition data in
 * ../shared/data/m3 (not part of the repository; not run in CI): fits each method on every
 * series' training part, forecasts the test part, and prints the mean sMAPE and MASE next to R
 * forecast 8.20's (baselines-<freq>.csv), with the CPU and wall time per method.
 *
 *   node --import tsx scripts/m3-stats.ts [--freq monthly] [--methods ets,theta,arima]
 *        [--sample] [--shard i/k] [--out results.json] [--reuse a.json,b.json]
 *
 * --sample uses the fixed sample of ../shared/data/m3/sample-<freq>-*.txt; --shard i/k runs every
 * k-th series starting at i (to split a long run over processes). --out holds per-series scores
 * and models, rewritten (atomically) every 10 series, so an interrupted run can continue: --reuse
 * takes series already scored from earlier --out files (their CPU time is not counted again).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { ets, theta, autoArima, smape, mase, writeFileAtomicSync, type Forecast } from '../src/index.js';
import { loadM3, loadM3Baselines, M3_DIR as dir } from '../test/stats/helpers.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const freq = opt('freq') ?? 'monthly';
const methods = (opt('methods') ?? 'ets,theta,arima').split(',');
if (!existsSync(new URL(`${freq}.csv`, dir))) {
  console.error(`m3-stats: ../shared/data/m3/${freq}.csv not found (the M3 data live outside the repository)`);
  process.exit(1);
}
const PERIOD: Record<string, number> = { monthly: 12, quarterly: 4, yearly: 1, other: 1 };
const HORIZON: Record<string, number> = { monthly: 18, quarterly: 8, yearly: 6, other: 8 };
const m = PERIOD[freq]!, h = HORIZON[freq]!;

const { train, test: hold } = loadM3(freq);
let ids = [...train.keys()];
if (args.includes('--sample')) {
  const file = readdirSync(dir).find((f) => f.startsWith(`sample-${freq}-`));
  if (!file) throw new Error(`no sample file for ${freq}`);
  ids = readFileSync(new URL(file, dir), 'utf8').trim().split('\n');
}
const shard = opt('shard');
if (shard) {
  const [i, k] = shard.split('/').map(Number);
  ids = ids.filter((_, j) => j % k! === i!);
}
const r = loadM3Baselines(freq);
const rName: Record<string, string> = { ets: 'ets', theta: 'theta', arima: 'arima' };
const run: Record<string, (y: number[]) => Forecast> = {
  ets: (y) => ets(y, { period: m, horizon: h }),
  theta: (y) => theta(y, { period: m, horizon: h }),
  arima: (y) => autoArima(y, { period: m, horizon: h }),
};

type Score = { smape: number; mase: number; model: string };
const perSeries: Record<string, Record<string, Score>> = {};
const reused: Record<string, Record<string, Score>> = {};
for (const file of (opt('reuse') ?? '').split(',').filter(Boolean)) {
  const prev = JSON.parse(readFileSync(file, 'utf8')) as { series: Record<string, Record<string, Score>> };
  for (const [id, scores] of Object.entries(prev.series)) Object.assign((reused[id] ??= {}), scores);
}
const out = opt('out');
const save = (): void => {
  if (out) writeFileAtomicSync(out, JSON.stringify({ freq, methods, series: perSeries }, null, 1));
};
console.log(`M3 ${freq}: ${ids.length} series, horizon ${h}, period ${m}`);
console.log('| method | sMAPE | MASE | R sMAPE | R MASE | series with R | same sMAPE as R (1e-6) | CPU s | wall s |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const method of methods) {
  const f = run[method];
  if (!f) throw new Error(`unknown method ${method}`);
  const cpu0 = process.cpuUsage(), t0 = performance.now();
  let s = 0, ms = 0, rs = 0, rms = 0, nr = 0, same = 0, done = 0, fresh = 0;
  for (const id of ids) {
    const y = train.get(id)!, actual = hold.get(id)!;
    let score = reused[id]?.[method];
    const isNew = !score;
    if (!score) {
      const fc = f(y);
      score = { smape: smape(actual, fc.mean), mase: mase(actual, fc.mean, y, m), model: fc.method };
    }
    (perSeries[id] ??= {})[method] = score;
    if (isNew && ++fresh % 10 === 0) save();
    s += score.smape;
    ms += score.mase;
    const ref = r.get(`${id}/${rName[method]}`);
    if (ref) { rs += ref.smape; rms += ref.mase; nr++; if (Math.abs(score.smape - ref.smape) <= 1e-6) same++; }
    if (++done % 100 === 0) process.stderr.write(`${method}: ${done}/${ids.length}\n`);
  }
  const cpu = process.cpuUsage(cpu0);
  const n = ids.length;
  console.log(`| ${method} | ${(s / n).toFixed(2)} | ${(ms / n).toFixed(3)} | ${nr === n ? (rs / n).toFixed(2) : '–'} | ${nr === n ? (rms / n).toFixed(3) : '–'} | ${nr} | ${same} | ${((cpu.user + cpu.system) / 1e6).toFixed(1)} | ${((performance.now() - t0) / 1000).toFixed(1)} |${fresh < n ? ` (${n - fresh} reused)` : ''}`);
}
save();
