/**
 * What `lstm forecast --id` and `lstm backtest` share: the flags of the global forecaster, the
 * panel read (readPanelCsv), the season, and the score table (printed, and written as CSV and
 * JSON). The recipes are forecastPanel and backtestPanel (src/recipes/forecast/); nothing here
 * models anything.
 */
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import {
  readPanelCsv, detectPanelSeason, minTrainLength, csvField, writeFileAtomic, BASELINES, LSTM_METHOD, LSTM_ALONE, POOL_METHODS,
  type PoolMethod, type BacktestOptions, type BacktestResult, type BaselineName, type DatedPanelInput, type Panel, type Scores,
} from '../../index.js';
import { CliError, choiceOption, info, intOption, numberOption, round } from '../util.js';

/** Flags of the global forecaster and the panel (on forecast and backtest). */
export interface PanelFlags {
  id?: string;
  column?: string;
  date?: string;
  horizon?: number;
  season?: string;
  quantiles?: number[];
  covariates?: string[];
  pastCovariates?: string[];
  lookback?: number;
  epochs?: number;
  hidden?: number;
  layers?: number;
  cell?: 'lstm' | 'gru';
  lr?: number;
  batchSize?: number;
  ensemble?: number;
  windowsPerSeries?: number;
  baselines?: BaselineName[];
  seed: number;
  transform: 'auto' | 'none' | 'log';
  out: string;
  json?: boolean;
  calibrate: boolean;
}

/** The quantile levels used when --quantiles is not given. */
export const CLI_QUANTILES = [0.1, 0.5, 0.9];

/** commander parser: comma-separated numbers. */
function numberList(v: string): number[] {
  const parts = v.split(',').map((s) => s.trim());
  if (parts.some((s) => !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s))) throw new InvalidArgumentError(`expected comma-separated numbers such as 0.1,0.5,0.9, got "${v}"`);
  return parts.map(Number);
}

/** commander parser: comma-separated column names. */
function nameList(v: string): string[] {
  const names = v.split(',').map((s) => s.trim());
  if (names.some((s) => s === '')) throw new InvalidArgumentError(`expected comma-separated column names, got "${v}"`);
  return names;
}

/** Options only the panel (global) forecaster has; the model flags they share with the single-series forecast are added by the command. */
export function panelOptions(cmd: Command): Command {
  return cmd
    .option('--id <name>', 'series id column of a long-format CSV (one row per series and time step): train one global model across all series')
    .option('--quantiles <list>', `quantile levels of the global forecaster (default ${CLI_QUANTILES.join(',')}); pairs τ, 1−τ give the intervals whose coverage is scored`, numberList)
    .option('--covariates <list>', 'known-future covariate columns (values for the horizon read from rows past each series\' end, whose value cell is empty)', nameList)
    .option('--past-covariates <list>', 'past covariate columns (observed only up to each series\' end)', nameList)
    .option('--baselines <list>', 'baselines scored on the hold-out (naive, snaive, ets, theta, arima; default all, arima only for ≤ 50 series of ≤ 1,000 values and a season ≤ 24)', baselineList)
    .option('--no-calibrate', 'global forecaster: keep the raw quantiles (no spread calibrated on validation origins) and train every model from scratch')
    .option('--windows-per-series <n>', 'global forecaster: training windows drawn from each series per epoch (default 8, more for small panels: about 1,000 per epoch)', intOption(1));
}

/** The model flags of the global forecaster that `lstm backtest` needs (`lstm forecast` has them already). */
export function modelOptions(cmd: Command): Command {
  return cmd
    .option('-c, --column <name>', 'numeric column to forecast')
    .option('-d, --date <name>', 'date column (checked for order within each series; seasons from its calendar)')
    .option('--horizon <n>', 'steps forecast past each origin', intOption(1))
    .option('--season <n|none>', 'season length (default: detected on the longest series)')
    .option('--lookback <n>', 'most input steps per window (default max(2·horizon, 3·season), at most 60)', intOption(1))
    .option('--epochs <n>', 'passes of sampled windows (default 40)', intOption(1))
    .option('--hidden <n>', 'hidden units (default 64)', intOption(1))
    .option('--layers <n>', 'stacked recurrent layers (default 1)', intOption(1))
    .option('--cell <type>', 'recurrent cell: lstm or gru (default lstm)', choiceOption(['lstm', 'gru'] as const))
    .option('--lr <rate>', 'peak Adam learning rate (default 0.003)', numberOption())
    .option('--batch-size <n>', 'windows per batch (default 128)', intOption(1))
    .option('--ensemble <n>', 'networks from different seeds, averaged (default 3)', intOption(1))
    .option('--seed <n>', 'random seed', intOption(0), 0)
    .option('--transform <t>', 'auto (log for an all-positive series), none or log', choiceOption(['auto', 'none', 'log'] as const), 'auto');
}

/** The --season flag as a period (1: none), or undefined to detect. */
export function seasonFlag(season: string | undefined): number | undefined {
  if (season === undefined) return undefined;
  if (season === 'none') return 1;
  if (/^\d+$/.test(season) && Number(season) >= 2) return Number(season);
  throw new CliError(`--season: expected an integer ≥ 2 or "none", got "${season}"`);
}

/**
 * Read the panel (every series at least `minLength` values; shorter ones skipped with a
 * warning), settle the season, and give each series its covariates in flag order.
 */
export async function readPanel(file: string, f: PanelFlags, minLength: (period: number) => number): Promise<{ panel: Panel; series: DatedPanelInput[]; period: number }> {
  if (f.column === undefined) throw new CliError('--column: name the value column to forecast');
  if (f.horizon === undefined) throw new CliError('--horizon: give the number of steps to forecast');
  const given = seasonFlag(f.season);
  // The minimum length depends on the season, which may be detected on the data: read all, then drop.
  const panel = await readPanelCsv(file, { id: f.id, column: f.column, date: f.date, covariates: f.covariates, pastCovariates: f.pastCovariates });
  const period = given ?? detectPanelSeason(panel.series);
  const need = minLength(period);
  const short = panel.series.filter((s) => s.values.length < need);
  if (short.length === panel.series.length) {
    throw new CliError(`${file}: every series has fewer than the ${need} values needed (horizon ${f.horizon}, season ${period}); the longest has ${Math.max(...panel.series.map((s) => s.values.length))}`);
  }
  for (const s of short) panel.skipped.push({ id: s.id, reason: `${s.values.length} value(s), fewer than the ${need} needed` });
  panel.series = panel.series.filter((s) => s.values.length >= need);
  if (panel.skipped.length > 0) {
    const shown = panel.skipped.slice(0, 5).map((s) => `"${s.id}" (${s.reason})`).join(', ');
    info(`${file}: warning: skipped ${panel.skipped.length} series: ${shown}${panel.skipped.length > 5 ? ', …' : ''}`);
  }
  const covs = (f.covariates?.length ?? 0) + (f.pastCovariates?.length ?? 0);
  info(`${file}: ${panel.series.length} series, ${panel.rows} rows; season ${period === 1 ? 'none' : period}${given === undefined ? ' (detected)' : ''}${covs ? `; ${f.covariates?.length ?? 0} known and ${f.pastCovariates?.length ?? 0} past covariate(s)` : ''}`);
  const series = panel.series.map((s) => ({
    id: s.id, values: s.values, dates: s.dates, futureDates: s.futureDates,
    known: (f.covariates ?? []).map((c) => s.covariates[c]!), past: (f.pastCovariates ?? []).map((c) => s.pastCovariates[c]!),
  }));
  return { panel, series, period };
}

/** Fewest values a series needs to be forecast with a hold-out: the hold-out plus a training part. */
export const holdoutLength = (horizon: number, origins: number, stride: number) => (period: number): number => minTrainLength(period) + horizon + stride * (origins - 1);

/** The global forecaster's options from the flags. */
export function globalOptions(f: PanelFlags, period: number): BacktestOptions {
  return {
    horizon: f.horizon!, period, quantiles: f.quantiles ?? CLI_QUANTILES, lookback: f.lookback, epochs: f.epochs, hidden: f.hidden, layers: f.layers, cell: f.cell,
    lr: f.lr, batchSize: f.batchSize, ensemble: f.ensemble, windowsPerSeries: f.windowsPerSeries, seed: f.seed, transform: f.transform, calibrate: f.calibrate, log: info,
    ...(f.baselines ? { baselines: f.baselines } : {}),
  };
}

/** Percent label of an interval level: 0.8 → "80". */
const pct = (l: number): string => String(round(100 * l, 4));

/** Coverage column names: coverage80, coverage95. */
export const coverageColumns = (levels: readonly number[]): string[] => levels.map((l) => `coverage${pct(l)}`);

const scoreCells = (s: Scores): Array<number | null> => [round(s.smape), round(s.mase), round(s.rmse), ...s.coverage.map((c) => round(c))];

/** The overall table as text: one line per method, lstm-ts's ranks below. */
export function backtestTable(r: BacktestResult, title: string): string {
  const head = ['method', 'sMAPE', 'MASE', 'RMSE', ...r.levels.map((l) => `cov${pct(l)}%`), 'rank'];
  const rows = r.methods.map((m) => [m, ...scoreCells(r.overall[m]!).map((v) => (v === null ? 'n/a' : String(round(v, 4)))), String(r.ranks.smape[m])]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => '  ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const fell = Object.entries(r.fallbacks).filter(([, n]) => n > 0).map(([b, n]) => `${b} ${n}`);
  const rivals = r.methods.filter((m) => m !== LSTM_ALONE).length;
  return [
    title,
    line(head),
    ...rows.map(line),
    `  ${LSTM_METHOD}${r.method === 'combined' ? ` (the LSTM combined with ${r.pool.join(', ')})` : ''} ranks ${r.ranks.smape[LSTM_METHOD]} of ${rivals} by sMAPE, ${r.ranks.mase[LSTM_METHOD]} of ${rivals} by MASE` +
      (r.series.length > 1 ? `; best by sMAPE on ${r.series.filter((s) => s.rank === 1).length} of ${r.series.length} series` : ''),
    ...(r.method === 'combined' ? [`  (row ${LSTM_ALONE}: the LSTM alone, ranked among itself and the baselines: ${r.ranks.smape[LSTM_ALONE]} by sMAPE, ${r.ranks.mase[LSTM_ALONE]} by MASE)`] : []),
    ...(fell.length ? [`  (fits that failed and fell back to the last value, per baseline: ${fell.join(', ')})`] : []),
  ].join('\n') + '\n';
}

/** Write NAME.csv (overall, one row per method), NAME-series.csv (per series and method) and NAME.json into `dir`. */
export async function writeBacktest(dir: string, r: BacktestResult, extra: Record<string, unknown>, name = 'backtest'): Promise<string[]> {
  const cov = coverageColumns(r.levels);
  const overall = [['method', 'smape', 'mase', 'rmse', ...cov, 'rank_smape', 'rank_mase'].join(',')];
  for (const m of r.methods) overall.push([m, ...scoreCells(r.overall[m]!), r.ranks.smape[m], r.ranks.mase[m]].join(','));
  const per = [['id', 'method', 'origins', 'smape', 'mase', 'rmse', ...cov, 'lstm_rank'].join(',')];
  for (const s of r.series) for (const m of r.methods) per.push([csvField(s.id), m, s.origins, ...scoreCells(s.scores[m]!), s.rank].join(','));
  const paths = [join(dir, `${name}.csv`), join(dir, `${name}-series.csv`), join(dir, `${name}.json`)];
  await writeFileAtomic(paths[0]!, overall.join('\n') + '\n');
  await writeFileAtomic(paths[1]!, per.join('\n') + '\n');
  await writeFileAtomic(paths[2]!, JSON.stringify(backtestJson(r, extra), null, 1) + '\n');
  return paths;
}

/** The result as JSON (numbers rounded; Infinity/NaN as null). */
export function backtestJson(r: BacktestResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const scores = (s: Scores) => ({ smape: round(s.smape), mase: round(s.mase), rmse: round(s.rmse), coverage: s.coverage.map((c) => round(c)) });
  const fin = (v: number | null) => (v === null || !Number.isFinite(v) ? null : v);
  const clean = (s: Scores) => {
    const o = scores(s);
    return { smape: fin(o.smape), mase: fin(o.mase), rmse: fin(o.rmse), coverage: o.coverage.map(fin) };
  };
  return {
    ...extra,
    methods: r.methods, method: r.method, pool: r.pool, levels: r.levels, horizon: r.horizon, period: r.period, origins: r.origins, stride: r.stride,
    combinations: r.combinations.map((c) => (c ? { weights: Object.fromEntries(c.methods.map((m, k) => [m, c.weights[k]])), grid: Object.fromEntries(c.methods.map((m, k) => [m, c.grid[k]])), points: round(c.points), spread: c.spread.map((k) => round(k)) } : null)),
    spread: r.spread.map((k) => k.map((v) => round(v))),
    overall: Object.fromEntries(r.methods.map((m) => [m, clean(r.overall[m]!)])),
    ranks: r.ranks,
    rank: r.ranks.smape[LSTM_METHOD],
    series: r.series.map((s) => ({ id: s.id, origins: s.origins, rank: s.rank, scores: Object.fromEntries(r.methods.map((m) => [m, clean(s.scores[m]!)])) })),
    unscored: r.unscored, fallbacks: r.fallbacks, seconds: round(r.seconds, 4),
  };
}

/** commander parser: comma-separated baseline names. */
export function baselineList(v: string): BaselineName[] {
  const names = v.split(',').map((s) => s.trim());
  for (const n of names) if (!(BASELINES as readonly string[]).includes(n)) throw new InvalidArgumentError(`unknown baseline "${n}" (known: ${BASELINES.join(', ')})`);
  return names as BaselineName[];
}

/** commander parser: comma-separated pool methods. */
export function poolList(v: string): PoolMethod[] {
  const names = v.split(',').map((s) => s.trim());
  for (const n of names) if (!(POOL_METHODS as readonly string[]).includes(n)) throw new InvalidArgumentError(`unknown pool method "${n}" (known: ${POOL_METHODS.join(', ')})`);
  return names as PoolMethod[];
}
