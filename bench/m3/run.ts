/**
 * `npm run bench:m3`: lstm-ts's default forecaster (forecastPanel: the global LSTM combined with
 * our own Theta/ETS/auto-ARIMA, weights and interval spread chosen on each series' last h
 * training points) on the M3 competition data (read from ../shared/data/m3, never committed),
 * scored exactly as that folder's README defines sMAPE and MASE, against R's baselines (forecast
 * 8.20: naive, snaive, ets, auto.arima, thetaf, comb) and the original competitors (THETA,
 * ForecastPro, ...), with the 80 % and 95 % interval coverage, the wall and CPU time. Not part of
 * CI: a full monthly run trains for many minutes.
 *
 *   npm run bench:m3 -- [--set monthly|quarterly|yearly|other] [--sample] [--validation]
 *                       [--method combined|lstm] [--pool theta,ets[,arima]] [--results] [--note TEXT]
 *                       [--out out/m3] [model options: --epochs N --hidden N --ensemble N ...]
 *
 * The library cuts its own validation window (the last h points of what it is given) to choose
 * the combination: on the test run that is each series' last h training points. --validation
 * scores on those windows instead (the real test parts are not read; the library then chooses on
 * the h points before them), which is how every setting was chosen. R's baselines on validation
 * windows come from `Rscript bench/m3/r-forecasts.R SET validation` (out/m3/r-validation-SET.csv)
 * when that file exists. Results go to OUT/m3-SET[-validation][-sample][-TAG].json and .md;
 * --results also writes results/bench-m3-SET.md (copied into RESULTS.md by `npm run results`).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { forecastPanel, centralInterval, writeFileAtomicSync, DEFAULT_QUANTILES, LSTM_METHOD, POOL_METHODS, type GlobalForecasterOptions, type PoolMethod, type QuantileForecast } from '../../src/index.js';
import { M3_INFO, loadM3, loadScores, sampleIds, validationSplit, type M3Series, type M3Set } from './data.js';
import { covered, mase, mean, smape } from './score.js';

const DATA = join('..', 'shared', 'data', 'm3');

const { values: args } = parseArgs({
  options: {
    set: { type: 'string', default: 'monthly' },
    sample: { type: 'boolean', default: false },
    validation: { type: 'boolean', default: false },
    out: { type: 'string', default: join('out', 'm3') },
    tag: { type: 'string', default: '' },
    method: { type: 'string', default: 'combined' },
    pool: { type: 'string', default: 'theta,ets' },
    results: { type: 'boolean', default: false },
    note: { type: 'string', multiple: true, default: [] },
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
if (args.method !== 'combined' && args.method !== 'lstm') throw new RangeError(`--method must be combined or lstm, got ${args.method}`);
const pool = args.pool!.split(',').filter((m) => m !== '') as PoolMethod[];
for (const m of pool) if (!(POOL_METHODS as readonly string[]).includes(m)) throw new RangeError(`--pool: unknown method "${m}" (known: ${POOL_METHODS.join(', ')})`);

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

/** Mean sMAPE and MASE of point forecasts, and pooled 80/95 % coverage of quantile forecasts, over `series`. */
function scoreRow(method: string, source: string, series: readonly M3Series[], point: (i: number) => ArrayLike<number>, q?: (i: number) => QuantileForecast, seconds?: number): Row {
  const sm: number[] = [], ms: number[] = [];
  const c80 = { inside: 0, count: 0 }, c95 = { inside: 0, count: 0 };
  series.forEach((s, i) => {
    sm.push(smape(s.test, point(i)));
    ms.push(mase(s.train, s.test, point(i), period));
    if (!q) return;
    for (const [level, acc] of [[0.8, c80], [0.95, c95]] as const) {
      const { lo, hi } = centralInterval(q(i), level);
      const c = covered(s.test, lo, hi);
      acc.inside += c.inside;
      acc.count += c.count;
    }
  });
  return { method, source, series: series.length, smape: mean(sm), mase: mean(ms), ...(q ? { coverage80: c80.inside / c80.count, coverage95: c95.inside / c95.count } : {}), ...(seconds === undefined ? {} : { seconds }) };
}

async function main(): Promise<void> {
  const dir = args.data!;
  const only = args.sample ? sampleIds(dir, set) : undefined;
  const full = loadM3(dir, set, only);
  const series = args.validation ? validationSplit(full, horizon) : full;
  const rows: Row[] = [];

  // lstm-ts's default forecaster (or the LSTM alone with --method lstm), through the library.
  const opts: GlobalForecasterOptions = {
    horizon, period,
    epochs: num(args.epochs), hidden: num(args.hidden), layers: num(args.layers), ensemble: num(args.ensemble),
    lookback: num(args.lookback), minInput: num(args['min-input']), lr: num(args.lr), batchSize: num(args['batch-size']),
    windowsPerSeries: num(args['windows-per-series']), seed: num(args.seed),
    cell: args.cell as 'lstm' | 'gru' | undefined, transform: args.transform as 'auto' | 'log' | 'none' | undefined,
    deseasonalise: !args['no-deseasonalise'], seasonTest: args['season-test'] as GlobalForecasterOptions['seasonTest'],
    logScale: args['log-scale'] === undefined || args['log-scale'] === 'series' ? (args['log-scale'] as 'series' | undefined) : Number(args['log-scale']),
    recentOrigins: num(args['recent-origins']), anchor: args.anchor as 'last' | 'level' | undefined, levelInput: args['level-input'],
    quantiles: DEFAULT_QUANTILES,
    log: (m) => console.error(m),
  };
  for (const k of Object.keys(opts) as Array<keyof GlobalForecasterOptions>) if (opts[k] === undefined) delete opts[k];
  const load0 = loadavg()[0]!, cpu0 = process.cpuUsage(), t0 = performance.now();
  const result = await forecastPanel(series.map((s) => ({ id: s.id, values: s.train })), {
    ...opts, method: args.method as 'combined' | 'lstm', pool, baselines: ['naive', 'snaive', ...pool],
  });
  const seconds = (performance.now() - t0) / 1000, cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6, loadAverage1m = { start: +load0.toFixed(1), end: +loadavg()[0]!.toFixed(1) };
  const c = result.combination;
  const ours = (subset: readonly M3Series[], at: (s: M3Series) => number): Row[] => [
    ...(c ? [scoreRow(`lstm-ts combined (${c.methods.map((m, k) => `${m} ${c.weights[k]}`).join(', ')})`, 'this run', subset, (i) => result.forecasts[at(subset[i]!)]!.point, (i) => result.forecasts[at(subset[i]!)]!, seconds)] : []),
    scoreRow('lstm-ts LSTM alone', 'this run', subset, (i) => result.lstm[at(subset[i]!)]!.point, (i) => result.lstm[at(subset[i]!)]!),
    ...Object.keys(result.pool).map((m) => scoreRow(m, 'lstm-ts src/stats', subset, (i) => result.pool[m]![at(subset[i]!)]!)),
  ];
  const index = new Map(series.map((s, i) => [s.id, i]));
  rows.push(...ours(series, (s) => index.get(s.id)!));

  // Every forecast, for inspecting offline: id, h, then the combined (or LSTM) quantiles.
  const levels = result.forecasts[0]!.levels;
  const csv = [`id,h,${levels.map((q) => `q${q}`).join(',')}`];
  series.forEach((s, i) => {
    const f = result.forecasts[i]!;
    for (let h = 0; h < horizon; h++) csv.push(`${s.id},${h + 1},${Array.from(f.quantiles.subarray(h * levels.length, (h + 1) * levels.length)).join(',')}`);
  });

  // R's baselines and the original submissions: on the test parts from the shared files (on the
  // whole set, and on R's sample where a method exists for the sample only), on validation
  // windows from r-forecasts.R's output when present.
  const sampleRows: Row[] = [];
  if (!args.validation) {
    const scores = [...loadScores(join(dir, `baselines-${set}.csv`)).entries()].map(([m, byId]) => ({ method: m, byId, source: 'R forecast 8.20' }))
      .concat([...loadScores(join(dir, `m3-original-${set}.csv`)).entries()].map(([m, byId]) => ({ method: m, byId, source: 'M3 submission' })));
    const add = (list: Row[], subset: readonly M3Series[], m: (typeof scores)[number]): void => {
      const got = subset.map((s) => m.byId.get(s.id)!);
      list.push({ method: m.method, source: m.source, series: got.length, smape: mean(got.map((g) => g.smape)), mase: mean(got.map((g) => g.mase)) });
    };
    for (const m of scores) if (series.every((s) => m.byId.has(s.id))) add(rows, series, m);
    // R's monthly auto.arima and comb exist for its sample only: everything is scored there too.
    const partial = scores.find((m) => !series.every((s) => m.byId.has(s.id)));
    if (partial && !args.sample) {
      const subset = series.filter((s) => partial.byId.has(s.id));
      sampleRows.push(...ours(subset, (s) => index.get(s.id)!));
      for (const m of scores) if (m.source === 'R forecast 8.20' && subset.every((s) => m.byId.has(s.id))) add(sampleRows, subset, m);
    }
  } else {
    const file = join('out', 'm3', `r-validation-${set}.csv`);
    if (existsSync(file)) rows.push(...rValidationRows(file, series));
  }

  // What the library chose on its own validation window (the hold-out inside the training data).
  const holdout = result.holdout!;
  const holdoutRows = holdout.methods.map((m) => ({ method: m, series: holdout.series.length, smape: holdout.overall[m]!.smape, mase: holdout.overall[m]!.mase }));

  const name = `m3-${set}${args.validation ? '-validation' : ''}${args.sample ? '-sample' : ''}${args.tag ? `-${args.tag}` : ''}`;
  mkdirSync(args.out!, { recursive: true });
  const out = {
    set, validation: args.validation, sample: args.sample, horizon, period, method: args.method, pool, options: { ...opts, log: undefined }, plan: result.forecaster.plan,
    combination: c, holdout: holdoutRows, rows, sampleRows, seconds, cpuSeconds, loadAverage1m, date: new Date().toISOString(),
  };
  writeFileAtomicSync(join(args.out!, `${name}-forecasts.csv`), csv.join('\n') + '\n');
  // The members too (LSTM quantiles, the pool's points), to re-score other combinations offline.
  const members = [`id,method,h,${levels.map((q) => `q${q}`).join(',')}`];
  series.forEach((s, i) => {
    const f = result.lstm[i]!;
    for (let h = 0; h < horizon; h++) members.push(`${s.id},lstm,${h + 1},${Array.from(f.quantiles.subarray(h * levels.length, (h + 1) * levels.length)).join(',')}`);
    for (const [m, list] of Object.entries(result.pool)) for (let h = 0; h < horizon; h++) members.push(`${s.id},${m},${h + 1},${levels.map(() => list[i]![h]).join(',')}`);
  });
  writeFileAtomicSync(join(args.out!, `${name}-members.csv`), members.join('\n') + '\n');
  writeFileAtomicSync(join(args.out!, `${name}.json`), JSON.stringify(out, null, 2) + '\n');
  const md = [
    table(rows),
    ...(sampleRows.length ? [`On R's sample of ${sampleRows[0]!.series} series (R's auto.arima and comb exist there only):\n`, table(sampleRows)] : []),
    `Chosen on the library's validation window (the last ${horizon} points of what it was given; ${holdout.series.length} series): ${c ? `weights ${c.methods.map((m, k) => `${m} ${c.weights[k]}`).join(', ')}, spread ${c.spread.map((k) => k.toFixed(3)).join(', ')}, sMAPE ${c.smape.toFixed(2)}, MASE ${c.mase.toFixed(3)}` : 'LSTM alone'}; members there: ${holdoutRows.map((r) => `${r.method} ${r.smape.toFixed(2)}/${r.mase.toFixed(3)}`).join(', ')}.`,
    `Time: ${seconds.toFixed(0)} s wall, ${cpuSeconds.toFixed(0)} s CPU, load average ${JSON.stringify(loadAverage1m)}.`, '',
  ].join('\n');
  writeFileAtomicSync(join(args.out!, `${name}.md`), md);
  if (args.results) writeResults(out, md, name);
  console.log(md);
}

/** results/bench-m3-SET.md: what RESULTS.md shows of this benchmark (the run's table, settings, time and notes). */
function writeResults(r: { plan: { ensemble: number; hidden: number; layers: number; lookback: number; epochs: number; windowsPerSeries: number; seed: number; anchor: string }; date: string }, md: string, name: string): void {
  const argv = process.argv.slice(2).filter((a) => a !== '--results');
  const p = r.plan;
  const lines = [
    `## M3 ${set} (npm run bench:m3)`, '',
    `lstm-ts's default forecaster on the M3 competition's ${set} series, horizon ${horizon}, scored on the ${args.validation ? 'validation windows (each series\' last training points)' : 'test parts'} as ../shared/data/m3/README.md defines sMAPE and MASE (mean over series), against R forecast 8.20's baselines on the same series (theta = thetaf, ets, auto.arima, comb = their mean; R's auto.arima and comb exist for a fixed sample of 200 monthly series only, so they are compared on that sample). The default forecaster is forecastPanel's 'combined' method: the global LSTM combined with our own (src/stats) ${pool.join(', ')}, its weights and interval spread chosen on each series' last ${horizon} training points; the test parts were read once, for this table.`, '',
    `Command: \`npm run bench:m3 -- ${argv.join(' ')} --results\` (${name}, ${r.date.slice(0, 16).replace('T', ' ')} UTC). LSTM: ${p.ensemble} × LSTM(${p.hidden}×${p.layers}), lookback ${p.lookback}, ${p.epochs} epochs of ${p.windowsPerSeries} windows per series, anchor '${p.anchor}', seed ${p.seed}; trained twice (on the training parts minus the validation window, then on the full training parts).`, '',
    md.trimEnd(),
    ...args.note!.map((n) => `- ${n}`),
  ];
  mkdirSync('results', { recursive: true });
  writeFileAtomicSync(join('results', `bench-m3-${set}.md`), lines.join('\n') + '\n');
}

/** Scores of R's forecasts on validation windows (r-forecasts.R output), with interval coverage. */
function rValidationRows(file: string, series: readonly M3Series[]): Row[] {
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
