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
 *                       [--out out/m3] [--tag NAME] [--rescore] [model options: --epochs N --hidden N --ensemble N ...]
 *
 * The library cuts its own validation window (the last h points of what it is given) to choose
 * the combination: on the test run that is each series' last h training points. --validation
 * scores on those windows instead (the real test parts are not read; the library then chooses on
 * the h points before them), which is how every setting was chosen. R's forecasts come from the
 * shared files and from `Rscript bench/m3/r-forecasts.R` (out/m3/r-MODE-SET*.csv, read when
 * present): on validation windows, and on the test parts where the shared files have none (R's
 * monthly auto.arima, and so comb, outside the 200-series sample). Results go to
 * OUT/m3-SET[-validation][-sample][-TAG].json and .md, every forecast to -forecasts.csv and
 * -members.csv; --rescore scores such a kept run again (against R's forecasts as they are now)
 * without training. --results also writes results/bench-m3-SET.md (copied into RESULTS.md by
 * `npm run results`).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { forecastPanel, centralInterval, writeFileAtomicSync, FormatError, DEFAULT_QUANTILES, POOL_METHODS, type Combination, type GlobalForecasterOptions, type PoolMethod, type QuantileForecast } from '../../src/index.js';
import { M3_INFO, loadForecasts, loadM3, loadScores, sampleIds, validationSplit, type M3Series, type M3Set } from './data.js';
import { covered, mase, mean, smape } from './score.js';
import { agreement, mergeForecasts, readRForecasts, rForecastFiles, withComb, type RForecast } from './r-baselines.js';

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
    rescore: { type: 'boolean', default: false },
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

/** What a run leaves for scoring, one entry per series in `series` order: fresh from forecastPanel, or read back (--rescore). */
interface RunForecasts {
  /** The combination's quantile forecasts (the LSTM's with --method lstm). */
  forecasts: QuantileForecast[];
  /** The LSTM's own. */
  lstm: QuantileForecast[];
  /** Each pool method's point forecasts. */
  pool: Record<string, Float64Array[]>;
}

/** The run's record (OUT/NAME.json), all --rescore needs besides the forecasts. */
interface RunRecord {
  options: unknown;
  plan: { ensemble: number; hidden: number; layers: number; lookback: number; epochs: number; windowsPerSeries: number; seed: number; anchor: string };
  combination: Combination | null;
  holdout: { method: string; series: number; smape: number; mase: number }[];
  seconds: number;
  cpuSeconds: number;
  loadAverage1m: { start: number; end: number };
  date: string;
}

async function main(): Promise<void> {
  const dir = args.data!;
  const only = args.sample ? sampleIds(dir, set) : undefined;
  const full = loadM3(dir, set, only);
  const series = args.validation ? validationSplit(full, horizon) : full;
  const name = `m3-${set}${args.validation ? '-validation' : ''}${args.sample ? '-sample' : ''}${args.tag ? `-${args.tag}` : ''}`;
  mkdirSync(args.out!, { recursive: true });
  const { run, record } = args.rescore ? readRun(join(args.out!, name), series) : await forecast(series, name);

  const rows: Row[] = [];
  const c = record.combination;
  const ours = (subset: readonly M3Series[], at: (s: M3Series) => number): Row[] => [
    ...(c ? [scoreRow(`lstm-ts combined (${c.methods.map((m, k) => `${m} ${c.weights[k]}`).join(', ')})`, 'this run', subset, (i) => run.forecasts[at(subset[i]!)]!.point, (i) => run.forecasts[at(subset[i]!)]!, record.seconds)] : []),
    scoreRow('lstm-ts LSTM alone', 'this run', subset, (i) => run.lstm[at(subset[i]!)]!.point, (i) => run.lstm[at(subset[i]!)]!),
    ...Object.keys(run.pool).map((m) => scoreRow(m, 'lstm-ts src/stats', subset, (i) => run.pool[m]![at(subset[i]!)]!)),
  ];
  const index = new Map(series.map((s, i) => [s.id, i]));
  rows.push(...ours(series, (s) => index.get(s.id)!));

  // R's baselines and the original submissions: on the test parts from the shared files (on the
  // whole set, and on R's sample where a method exists for the sample only), completed by
  // r-forecasts.R's output (out/m3/r-test-SET*.csv: R's auto.arima, hence comb, on every
  // series); on validation windows from r-forecasts.R's output alone.
  const sampleRows: Row[] = [];
  const notes: string[] = [];
  let subsetNote = '';
  const rFiles = rForecastFiles(join('out', 'm3'), args.validation ? 'validation' : 'test', set);
  if (!args.validation) {
    const scores = [...loadScores(join(dir, `baselines-${set}.csv`)).entries()].map(([m, byId]) => ({ method: m, byId, source: 'R forecast 8.20' }))
      .concat([...loadScores(join(dir, `m3-original-${set}.csv`)).entries()].map(([m, byId]) => ({ method: m, byId, source: 'M3 submission' })));
    const add = (list: Row[], subset: readonly M3Series[], m: (typeof scores)[number]): void => {
      const got = subset.map((s) => m.byId.get(s.id)!);
      list.push({ method: m.method, source: m.source, series: got.length, smape: mean(got.map((g) => g.smape)), mase: mean(got.map((g) => g.mase)) });
    };
    const whole = scores.filter((m) => series.every((s) => m.byId.has(s.id)));
    for (const m of whole) add(rows, series, m);
    // Methods the shared scores hold for part of the set only (monthly auto.arima and comb): from
    // the shared point forecasts completed by r-forecasts.R's, where these cover every series.
    const shared = loadForecasts(join(dir, `forecasts-${set}.csv`), horizon);
    const rerun = readRForecasts(rFiles, horizon);
    for (const a of agreement(shared, rerun)) notes.push(`R's ${a.method} rerun by bench/m3/r-forecasts.R on ${a.series} series; ${a.both} of them are in forecasts-${set}.csv too, ${a.equal} with the same forecasts to 1e-9 relative (largest relative difference ${a.largest.toExponential(1)}).`);
    const merged = withComb(mergeForecasts(shared, rerun));
    const partialNames = scores.filter((m) => !whole.includes(m)).map((m) => m.method);
    const has = (s: M3Series): boolean => partialNames.every((m) => merged.get(m)?.has(s.id));
    const source = (m: string): string => (rerun.has(m) || (m === 'comb' && rerun.has('arima')) ? 'R forecast 8.20 (shared file + bench/m3/r-forecasts.R)' : 'R forecast 8.20');
    if (partialNames.length && series.every(has)) {
      for (const m of partialNames) rows.push(scoreRow(m, source(m), series, (i) => merged.get(m)!.get(series[i]!.id)!.point));
    } else if (partialNames.length && !args.sample) {
      // ... else everything on the series that have them (R's sample, plus those r-forecasts.R did so far).
      const subset = series.filter(has);
      sampleRows.push(...ours(subset, (s) => index.get(s.id)!));
      for (const [m, byId] of merged) if (subset.every((s) => byId.has(s.id))) sampleRows.push(scoreRow(m, source(m), subset, (i) => byId.get(subset[i]!.id)!.point));
      subsetNote = `On the ${subset.length} series that have R's ${partialNames.join(' and ')} (the shared files' sample${rerun.size ? ` and the series bench/m3/r-forecasts.R has done so far, in its fixed random order` : ''}):\n`;
    }
  } else {
    const got = withComb(readRForecasts(rFiles, horizon));
    for (const [method, byId] of got) {
      if (series.every((s) => byId.get(s.id)?.point.length === horizon)) rows.push(scoreRow(method, 'R forecast 8.20 (validation windows)', series, (i) => byId.get(series[i]!.id)!.point, method === 'comb' ? undefined : (i) => rQuantiles(byId.get(series[i]!.id)!)));
    }
  }

  // What the library chose on its own validation window (the hold-out inside the training data).
  const holdoutRows = record.holdout;
  const md = [
    table(rows),
    ...(sampleRows.length ? [subsetNote, table(sampleRows)] : []),
    ...notes.map((n) => `${n}\n`),
    `Chosen on the library's validation window (the last ${horizon} points of what it was given; ${holdoutRows[0]?.series ?? 0} series): ${c ? `weights ${c.methods.map((m, k) => `${m} ${c.weights[k]}`).join(', ')}, spread ${c.spread.map((k) => k.toFixed(3)).join(', ')}, sMAPE ${c.smape.toFixed(2)}, MASE ${c.mase.toFixed(3)}` : 'LSTM alone'}; members there: ${holdoutRows.map((r) => `${r.method} ${r.smape.toFixed(2)}/${r.mase.toFixed(3)}`).join(', ')}.`,
    `Time: ${record.seconds.toFixed(0)} s wall, ${record.cpuSeconds.toFixed(0)} s CPU, load average ${JSON.stringify(record.loadAverage1m)}${args.rescore ? ` (the run of ${record.date.slice(0, 16).replace('T', ' ')} UTC, rescored)` : ''}.`, '',
  ].join('\n');
  const out = { set, validation: args.validation, sample: args.sample, horizon, period, method: args.method, pool, ...record, rows, sampleRows, ...(args.rescore ? { rescored: new Date().toISOString() } : {}) };
  writeFileAtomicSync(join(args.out!, `${name}.json`), JSON.stringify(out, null, 2) + '\n');
  writeFileAtomicSync(join(args.out!, `${name}.md`), md);
  if (args.results) writeResults(record, md, name);
  console.log(md);
}

/** Train and forecast through the library, keeping every forecast in OUT/NAME-forecasts.csv and -members.csv (what --rescore reads). */
async function forecast(series: readonly M3Series[], name: string): Promise<{ run: RunForecasts; record: RunRecord }> {
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
  const holdout = result.holdout!;
  const record: RunRecord = {
    options: { ...opts, log: undefined }, plan: result.forecaster.plan, combination: result.combination,
    holdout: holdout.methods.map((m) => ({ method: m, series: holdout.series.length, smape: holdout.overall[m]!.smape, mase: holdout.overall[m]!.mase })),
    seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, loadAverage1m: { start: +load0.toFixed(1), end: +loadavg()[0]!.toFixed(1) }, date: new Date().toISOString(),
  };
  // Every forecast, for rescoring and inspecting offline: id, h, then the combined (or LSTM) quantiles.
  const levels = result.forecasts[0]!.levels;
  const csv = [`id,h,${levels.map((q) => `q${q}`).join(',')}`];
  series.forEach((s, i) => {
    const f = result.forecasts[i]!;
    for (let h = 0; h < horizon; h++) csv.push(`${s.id},${h + 1},${Array.from(f.quantiles.subarray(h * levels.length, (h + 1) * levels.length)).join(',')}`);
  });
  writeFileAtomicSync(join(args.out!, `${name}-forecasts.csv`), csv.join('\n') + '\n');
  // The members too (LSTM quantiles, the pool's points), to re-score other combinations offline.
  const members = [`id,method,h,${levels.map((q) => `q${q}`).join(',')}`];
  series.forEach((s, i) => {
    const f = result.lstm[i]!;
    for (let h = 0; h < horizon; h++) members.push(`${s.id},lstm,${h + 1},${Array.from(f.quantiles.subarray(h * levels.length, (h + 1) * levels.length)).join(',')}`);
    for (const [m, list] of Object.entries(result.pool)) for (let h = 0; h < horizon; h++) members.push(`${s.id},${m},${h + 1},${levels.map(() => list[i]![h]).join(',')}`);
  });
  writeFileAtomicSync(join(args.out!, `${name}-members.csv`), members.join('\n') + '\n');
  return { run: { forecasts: result.forecasts, lstm: result.lstm, pool: result.pool }, record };
}

/**
 * A kept run read back (--rescore): PREFIX.json, PREFIX-forecasts.csv and PREFIX-members.csv as
 * forecast() wrote them, checked to hold every series of `series` with `horizon` steps.
 */
function readRun(prefix: string, series: readonly M3Series[]): { run: RunForecasts; record: RunRecord } {
  const file = `${prefix}.json`;
  for (const f of [file, `${prefix}-forecasts.csv`, `${prefix}-members.csv`]) if (!existsSync(f)) throw new FormatError(f, 'not found: --rescore reads a kept run (same --set, --validation, --sample, --tag and --out as the run)');
  const record = JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  const quantiles = (path: string, keyed: boolean): { levels: number[]; by: Map<string, Float64Array> } => {
    const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l !== '');
    const head = lines[0]!.split(',');
    const first = keyed ? 3 : 2;
    const levels = head.slice(first).map((q) => Number(q.slice(1)));
    if (head[0] !== 'id' || head[first - 1] !== 'h' || levels.some((q) => !(q > 0 && q < 1))) throw new FormatError(path, `header must be "id,${keyed ? 'method,' : ''}h,q…", found "${lines[0]}"`);
    const Q = levels.length, by = new Map<string, Float64Array>();
    lines.slice(1).forEach((l, k) => {
      const c = l.split(',');
      const key = keyed ? `${c[0]}\u0000${c[1]}` : c[0]!, h = Number(c[first - 1]);
      if (c.length !== first + Q || !(h >= 1 && h <= horizon)) throw new FormatError(path, `line ${k + 2}: expected ${first + Q} fields with h in 1..${horizon}, found "${l}"`);
      if (!by.has(key)) by.set(key, new Float64Array(horizon * Q).fill(NaN));
      for (let q = 0; q < Q; q++) by.get(key)![(h - 1) * Q + q] = Number(c[first + q]);
    });
    return { levels, by };
  };
  const fc = quantiles(`${prefix}-forecasts.csv`, false), mem = quantiles(`${prefix}-members.csv`, true);
  const toForecast = (path: string, levels: number[], q: Float64Array | undefined, id: string): QuantileForecast => {
    if (!q || q.some((v) => !Number.isFinite(v))) throw new FormatError(path, `series ${id}: missing or non-finite forecasts`);
    const Q = levels.length, median = levels.indexOf(0.5);
    return { levels, log: true, quantiles: q, point: Float64Array.from({ length: horizon }, (_, h) => q[h * Q + median]!) };
  };
  const methods = [...new Set([...mem.by.keys()].map((k) => k.split('\u0000')[1]!))].filter((m) => m !== 'lstm');
  return {
    record,
    run: {
      forecasts: series.map((s) => toForecast(`${prefix}-forecasts.csv`, fc.levels, fc.by.get(s.id), s.id)),
      lstm: series.map((s) => toForecast(`${prefix}-members.csv`, mem.levels, mem.by.get(`${s.id}\u0000lstm`), s.id)),
      pool: Object.fromEntries(methods.map((m) => [m, series.map((s) => toForecast(`${prefix}-members.csv`, mem.levels, mem.by.get(`${s.id}\u0000${m}`), s.id).point)])),
    },
  };
}

/** results/bench-m3-SET.md: what RESULTS.md shows of this benchmark (the run's table, settings, time and notes). */
function writeResults(r: { plan: { ensemble: number; hidden: number; layers: number; lookback: number; epochs: number; windowsPerSeries: number; seed: number; anchor: string }; date: string }, md: string, name: string): void {
  const argv = process.argv.slice(2).filter((a) => a !== '--results');
  const p = r.plan;
  const lines = [
    `## M3 ${set} (npm run bench:m3)`, '',
    `lstm-ts's default forecaster on the M3 competition's ${set} series, horizon ${horizon}, scored on the ${args.validation ? 'validation windows (each series\' last training points)' : 'test parts'} as ../shared/data/m3/README.md defines sMAPE and MASE (mean over series), against R forecast 8.20's baselines on the same series (theta = thetaf, ets, arima = auto.arima, comb = their mean; the shared files have R's monthly auto.arima and comb for a fixed sample of 200 series only: bench/m3/r-forecasts.R's run of auto.arima on the other series completes them where its output is present). The default forecaster is forecastPanel's 'combined' method: the global LSTM combined with our own (src/stats) ${pool.join(', ')}, its weights and interval spread chosen on each series' last ${horizon} training points; the test parts were read once, for this table.`, '',
    `Command: \`npm run bench:m3 -- ${argv.join(' ')} --results\` (${name}, ${r.date.slice(0, 16).replace('T', ' ')} UTC). LSTM: ${p.ensemble} × LSTM(${p.hidden}×${p.layers}), lookback ${p.lookback}, ${p.epochs} epochs of ${p.windowsPerSeries} windows per series, anchor '${p.anchor}', seed ${p.seed}; trained twice (on the training parts minus the validation window, then on the full training parts).`, '',
    md.trimEnd(),
    ...args.note!.map((n) => `- ${n}`),
  ];
  mkdirSync('results', { recursive: true });
  writeFileAtomicSync(join('results', `bench-m3-${set}.md`), lines.join('\n') + '\n');
}

/** An R forecast as quantiles (levels 0.025, 0.1, 0.5, 0.9, 0.975) for scoreRow's coverage. */
function rQuantiles(f: RForecast): QuantileForecast {
  const b = f.bounds!, levels = [0.025, 0.1, 0.5, 0.9, 0.975];
  const quantiles = new Float64Array(horizon * levels.length);
  for (let h = 0; h < horizon; h++) quantiles.set([b.lo95[h]!, b.lo80[h]!, f.point[h]!, b.hi80[h]!, b.hi95[h]!], h * levels.length);
  return { levels, log: false, point: f.point, quantiles };
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
