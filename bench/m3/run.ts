/**
 * `npm run bench:m3`: lstm-ts's global forecaster on the M3 competition data (read from
 * ../shared/data/m3, never committed), scored exactly as that folder's README defines sMAPE and
 * MASE, against R's baselines (forecast 8.20: naive, snaive, ets, auto.arima, thetaf, comb) and
 * the original competitors (THETA, ForecastPro, ...), with the 80 % and 95 % interval coverage
 * and the wall time. Not part of CI: a full monthly run trains for minutes.
 *
 *   npm run bench:m3 -- [--set monthly|quarterly|yearly|other] [--sample] [--validation]
 *                       [--out out/m3] [model options: --epochs N --hidden N --ensemble N ...]
 *
 * --validation scores on validation windows cut from the training parts (each series' last h
 * training points; the real test parts are not read), which is how every setting was chosen.
 * R's baselines on those windows come from `Rscript bench/m3/r-forecasts.R SET validation`
 * (out/m3/r-validation-SET.csv) when that file exists.
 * Results go to OUT/m3-SET[-validation][-sample].json and .md.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fitGlobalForecaster, centralInterval, writeFileAtomicSync, type GlobalForecasterOptions } from '../../src/index.js';
import { M3_INFO, loadForecasts, loadM3, loadScores, sampleIds, validationSplit, type M3Set } from './data.js';
import { covered, mase, mean, smape } from './score.js';

const DATA = join('..', 'shared', 'data', 'm3');

const { values: args } = parseArgs({
  options: {
    set: { type: 'string', default: 'monthly' },
    sample: { type: 'boolean', default: false },
    validation: { type: 'boolean', default: false },
    out: { type: 'string', default: join('out', 'm3') },
    tag: { type: 'string', default: '' },
    data: { type: 'string', default: DATA },
    epochs: { type: 'string' }, hidden: { type: 'string' }, layers: { type: 'string' }, ensemble: { type: 'string' },
    lookback: { type: 'string' }, 'min-input': { type: 'string' }, lr: { type: 'string' }, 'batch-size': { type: 'string' },
    'windows-per-series': { type: 'string' }, seed: { type: 'string' }, cell: { type: 'string' },
    transform: { type: 'string' }, 'no-deseasonalise': { type: 'boolean', default: false }, 'season-test': { type: 'string' }, 'log-scale': { type: 'string' }, 'recent-origins': { type: 'string' }, anchor: { type: 'string' }, 'level-input': { type: 'boolean', default: false },
  },
});

const set = args.set as M3Set;
if (!(set in M3_INFO)) throw new RangeError(`--set must be monthly, quarterly, yearly or other, got ${args.set}`);
const { horizon, period } = M3_INFO[set];
const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

/** One method's mean scores over the series (and coverage where it has intervals). */
interface Row {
  method: string;
  source: string;
  series: number;
  smape: number;
  mase: number;
  coverage80?: number;
  coverage95?: number;
  seconds?: number;
}

async function main(): Promise<void> {
  const dir = args.data!;
  const only = args.sample ? sampleIds(dir, set) : undefined;
  const full = loadM3(dir, set, only);
  const series = args.validation ? validationSplit(full, horizon) : full;
  const ids = new Set(series.map((s) => s.id));
  const rows: Row[] = [];

  // lstm-ts, global model.
  const opts: GlobalForecasterOptions = {
    horizon, period,
    epochs: num(args.epochs), hidden: num(args.hidden), layers: num(args.layers), ensemble: num(args.ensemble),
    lookback: num(args.lookback), minInput: num(args['min-input']), lr: num(args.lr), batchSize: num(args['batch-size']),
    windowsPerSeries: num(args['windows-per-series']), seed: num(args.seed),
    cell: args.cell as 'lstm' | 'gru' | undefined, transform: args.transform as 'auto' | 'log' | 'none' | undefined,
    deseasonalise: !args['no-deseasonalise'], seasonTest: args['season-test'] as GlobalForecasterOptions['seasonTest'],
    logScale: args['log-scale'] === undefined || args['log-scale'] === 'series' ? (args['log-scale'] as 'series' | undefined) : Number(args['log-scale']),
    recentOrigins: num(args['recent-origins']), anchor: args.anchor as 'last' | 'level' | undefined, levelInput: args['level-input'],
    log: (m) => console.error(m),
  };
  for (const k of Object.keys(opts) as Array<keyof GlobalForecasterOptions>) if (opts[k] === undefined) delete opts[k];
  const load0 = loadavg()[0]!, cpu0 = process.cpuUsage(), t0 = performance.now();
  const model = await fitGlobalForecaster(series.map((s) => s.train), opts);
  const forecasts = model.forecast(series.map((s) => s.train));
  const seconds = (performance.now() - t0) / 1000, cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6, loadAverage1m = { start: +load0.toFixed(1), end: +loadavg()[0]!.toFixed(1) };
  const c80 = { inside: 0, count: 0 }, c95 = { inside: 0, count: 0 };
  const sm: number[] = [], ms: number[] = [];
  series.forEach((s, i) => {
    const f = forecasts[i]!;
    sm.push(smape(s.test, f.point));
    ms.push(mase(s.train, s.test, f.point, period));
    for (const [level, acc] of [[0.8, c80], [0.95, c95]] as const) {
      const { lo, hi } = centralInterval(f, level);
      const c = covered(s.test, lo, hi);
      acc.inside += c.inside;
      acc.count += c.count;
    }
  });
  // Every forecast, for combining and inspecting offline: id, h, then one column per quantile level.
  const levels = forecasts[0]!.levels;
  const csv = [`id,h,${levels.map((q) => `q${q}`).join(',')}`];
  series.forEach((s, i) => {
    const f = forecasts[i]!;
    for (let h = 0; h < horizon; h++) csv.push(`${s.id},${h + 1},${Array.from(f.quantiles.subarray(h * levels.length, (h + 1) * levels.length)).join(',')}`);
  });
  rows.push({ method: 'lstm-ts global', source: 'this run', series: series.length, smape: mean(sm), mase: mean(ms), coverage80: c80.inside / c80.count, coverage95: c95.inside / c95.count, seconds });

  // R's baselines and the original submissions: on the test parts from the shared files, on
  // validation windows from r-forecasts.R's output when present.
  if (!args.validation) {
    for (const [file, source] of [[`baselines-${set}.csv`, 'R forecast 8.20'], [`m3-original-${set}.csv`, 'M3 submission']] as const) {
      for (const [method, byId] of loadScores(join(dir, file))) {
        const got = [...ids].map((id) => byId.get(id)).filter((v) => v !== undefined);
        if (got.length !== ids.size) continue; // e.g. R's monthly arima/comb exist for the sample only
        rows.push({ method, source, series: got.length, smape: mean(got.map((g) => g.smape)), mase: mean(got.map((g) => g.mase)) });
      }
    }
  } else {
    const file = join('out', 'm3', `r-validation-${set}.csv`);
    if (existsSync(file)) rows.push(...rValidationRows(file, series));
  }

  const name = `m3-${set}${args.validation ? '-validation' : ''}${args.sample ? '-sample' : ''}${args.tag ? `-${args.tag}` : ''}`;
  mkdirSync(args.out!, { recursive: true });
  const result = { set, validation: args.validation, sample: args.sample, horizon, period, options: { ...opts, log: undefined }, plan: model.plan, rows, cpuSeconds, loadAverage1m, date: new Date().toISOString() };
  writeFileAtomicSync(join(args.out!, `${name}-forecasts.csv`), csv.join('\n') + '\n');
  writeFileAtomicSync(join(args.out!, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
  const md = table(rows);
  writeFileAtomicSync(join(args.out!, `${name}.md`), md);
  console.log(md);
}

/** Scores of R's forecasts on validation windows (r-forecasts.R output), with interval coverage. */
function rValidationRows(file: string, series: ReturnType<typeof validationSplit>): Row[] {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l !== '');
  const head = lines[0]!.split(',');
  const col = (n: string): number => head.indexOf(n);
  const by = new Map<string, Map<string, number[][]>>(); // method → id → rows of [value, lo80, hi80, lo95, hi95]
  for (const l of lines.slice(1)) {
    const c = l.split(',');
    const method = c[col('method')]!, id = c[col('id')]!;
    if (!by.has(method)) by.set(method, new Map());
    const m = by.get(method)!;
    if (!m.has(id)) m.set(id, []);
    m.get(id)![Number(c[col('h')]) - 1] = ['value', 'lo80', 'hi80', 'lo95', 'hi95'].map((k) => Number(c[col(k)]));
  }
  const rows: Row[] = [];
  for (const [method, m] of by) {
    if (!series.every((s) => m.get(s.id)?.length === horizon)) continue;
    const sm: number[] = [], ms: number[] = [];
    let in80 = 0, in95 = 0, n = 0;
    for (const s of series) {
      const r = m.get(s.id)!;
      const f = r.map((x) => x[0]!);
      sm.push(smape(s.test, f));
      ms.push(mase(s.train, s.test, f, period));
      s.test.forEach((y, h) => {
        n++;
        if (y >= r[h]![1]! && y <= r[h]![2]!) in80++;
        if (y >= r[h]![3]! && y <= r[h]![4]!) in95++;
      });
    }
    rows.push({ method, source: 'R forecast 8.20 (validation windows)', series: series.length, smape: mean(sm), mase: mean(ms), coverage80: in80 / n, coverage95: in95 / n });
  }
  return rows;
}

function table(rows: Row[]): string {
  const pct = (v: number | undefined): string => (v === undefined ? '' : (100 * v).toFixed(1));
  const lines = ['| method | source | series | sMAPE | MASE | coverage 80 % | coverage 95 % | seconds |', '|---|---|---|---|---|---|---|---|'];
  for (const r of [...rows].sort((a, b) => a.smape - b.smape)) {
    lines.push(`| ${r.method} | ${r.source} | ${r.series} | ${r.smape.toFixed(2)} | ${r.mase.toFixed(3)} | ${pct(r.coverage80)} | ${pct(r.coverage95)} | ${r.seconds === undefined ? '' : r.seconds.toFixed(0)} |`);
  }
  return lines.join('\n') + '\n';
}

await main();
