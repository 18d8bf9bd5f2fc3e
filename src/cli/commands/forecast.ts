/**
 * `lstm forecast FILE.csv --column NAME`: train on all but the hold-out tail, score the tail
 * against the last-value and seasonal-naive baselines, forecast past the end, and write the
 * model, a forecast CSV and an SVG plot into --out. The recipe is runForecast and its files
 * saveForecast/forecastCsv (src/recipes/forecast/).
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  forecastPanel, panelForecastCsv, saveGlobalForecaster, rankMethods, LSTM_METHOD, readCsv, numericColumn, assertFinite, runForecast, saveForecast, forecastCsv, forecastMetadata, FORECAST_DEFAULTS, futureLabels, forecastChart,
  writeFileAtomic, removeCheckpoints, listNames, engineSummary, FORECAST_METHODS, POOL_METHODS, type MissingPolicy, type EngineName, type ForecastMethod, type PoolMethod, type Combination,
} from '../../index.js';
import { backtestJson, backtestTable, globalOptions, holdoutLength, panelOptions, poolList, readPanel, writeBacktest, type PanelFlags } from './panel.js';
import { CliError, checkOutDir, choiceOption, ensureDir, engineOption, info, intOption, naming, numberOption, round, savePartialAndFail, checkpointOptions, writeJson, writeOut, type TrainingRunFlags } from '../util.js';

interface ForecastFlags extends TrainingRunFlags, PanelFlags {
  holdoutBlocks?: number;
  patience?: number;
  mode: 'auto' | 'level' | 'delta' | 'both';
  missing: MissingPolicy;
  holdout: boolean;
  engine: EngineName;
  method?: ForecastMethod;
  pool?: PoolMethod[];
}

/**
 * What plain `lstm forecast FILE --column X` is, said first in its output: the single-series
 * recipe, not the default forecaster (the global LSTM combined with Theta/ETS) that `lstm
 * backtest` scores and every global-forecaster flag selects. README "Many series, intervals and
 * backtests" says why both exist.
 */
const SINGLE_SERIES_NOTE = 'recipe: single-series LSTM (trained on this column alone; not combined with Theta/ETS, no intervals). ' +
  'The default forecaster, the global LSTM combined with Theta/ETS with intervals (what lstm backtest scores), runs with --method combined.';

/** Flags of the single-series forecaster only (refused with --id and the other global-forecaster flags). */
const SINGLE_ONLY = ['holdoutBlocks', 'patience', 'mode', 'missing', 'checkpointEvery', 'resume', 'progress', 'engine'] as const;
/** Flags that switch to the global forecaster (one series without --id). */
const GLOBAL_ONLY = ['id', 'quantiles', 'covariates', 'pastCovariates', 'windowsPerSeries', 'holdout', 'calibrate', 'method', 'pool'] as const;
const flagName = (key: string): string => '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

export function register(program: Command): void {
  const d = FORECAST_DEFAULTS;
  panelOptions(checkpointOptions(engineOption(program
    .command('forecast'))
    .description('Train an LSTM on one CSV column, score it on a hold-out tail against naive baselines, and forecast past the end.')
    .argument('<file>', 'CSV file with a header row')
    .option('-c, --column <name>', 'numeric column to forecast (default: the only numeric column)')
    .option('-d, --date <name>', 'date column (labels in the CSV and plot)')
    .option('--lookback <n>', 'input steps per window (default: the season, clamped to 8..60; 24 without one; at most N/4)', intOption(1))
    .option('--horizon <n>', 'steps forecast at once (default: the season if ≤ 24, else 12; at most N/10)', intOption(1))
    .option('--season <n|none>', 'season length for the seasonal-naive baseline and defaults (default: detected by autocorrelation)')
    .option('--holdout-blocks <k>', 'hold-out tail = horizon × k points (default: about 10% of the series, 2..10 blocks)', intOption(1))
    .option('--epochs <n>', `maximum epochs (early stopping on a validation tail; default ${d.epochs})`, intOption(1))
    .option('--hidden <n>', `hidden units (default ${d.hidden})`, intOption(1))
    .option('--layers <n>', `stacked recurrent layers (default ${d.layers})`, intOption(1))
    .option('--cell <type>', `recurrent cell: lstm or gru (default ${d.cell})`, choiceOption(['lstm', 'gru'] as const))
    .option('--lr <rate>', `Adam learning rate (default ${d.lr})`, numberOption())
    .option('--batch-size <n>', `windows per batch (default ${d.batchSize})`, intOption(1))
    .option('--patience <n>', `early-stopping patience in epochs (default ${d.patience})`, intOption(1))
    .option('--ensemble <n>', 'models trained with different seeds and averaged (default 3 for short series, else 1)', intOption(1))
    .option('--seed <n>', 'random seed', intOption(0), d.seed)
    .option('--transform <t>', 'auto (log for a positive trending series), none or log', choiceOption(['auto', 'none', 'log'] as const), 'auto')
    .option('--mode <m>', "auto, level, delta (relative to the window's last value) or both (level and delta averaged); auto: delta for a trending series, else both", choiceOption(['auto', 'level', 'delta', 'both'] as const), 'auto')
    .option('--missing <policy>', 'missing cells: error, drop, ffill or interpolate', choiceOption(['error', 'drop', 'ffill', 'interpolate'] as const), 'error')
    .option('-o, --out <dir>', 'output directory for model.safetensors, forecast.csv and forecast.svg', 'out/forecast')
    .option('--json', 'print one JSON object with metrics, baselines, forecast and model path on stdout')
    .option('--progress', 'show per-epoch training progress on stderr')
    .option('--method <m>', 'global forecaster: combined (the LSTM combined with Theta/ETS, weights chosen on the hold-out; the default) or lstm (the LSTM alone; the default with --no-holdout)', choiceOption(FORECAST_METHODS))
    .option('--pool <list>', `global forecaster: classical methods combined with the LSTM (${POOL_METHODS.join(', ')}; default: those among --baselines)`, poolList)
    .option('--no-holdout', 'global forecaster: skip the hold-out scores (train once, on everything: the LSTM alone)'), {
      every: 'checkpoint each ensemble member every N epochs (atomic) to --out/checkpoint.<mode>.<k>.safetensors; deleted once the models are saved',
      resume: 'continue from the checkpoints in --out (same file and flags): finished members are reloaded, the interrupted one continues, the rest train; same weights as an uninterrupted run',
    }))
    .action(async (file: string, flags: ForecastFlags, cmd: Command) => {
      const given = (key: string): boolean => cmd.getOptionValueSource(key) === 'cli';
      const global = GLOBAL_ONLY.filter(given);
      if (global.length === 0) return forecastCommand(file, flags);
      const single = SINGLE_ONLY.filter(given);
      if (single.length > 0) throw new CliError(`${flagName(single[0]!)} is for the single-series forecaster; it cannot be used with ${flagName(global[0]!)} (the global forecaster)`);
      await panelForecastCommand(file, flags);
    });
}

/** The combination as JSON: members, weights, the hold-out scores they were chosen by, the interval spread factors. */
function combinationJson(c: Combination): Record<string, unknown> {
  return {
    weights: Object.fromEntries(c.methods.map((m, k) => [m, c.weights[k]])),
    grid: Object.fromEntries(c.methods.map((m, k) => [m, c.grid[k]])), points: round(c.points),
    holdout: { series: c.series, smape: round(c.smape), mase: round(c.mase), members: Object.fromEntries(Object.entries(c.members).map(([m, s]) => [m, { smape: round(s.smape), mase: round(s.mase) }])) },
    spread: c.spread.map((k) => round(k)),
  };
}

/** `lstm forecast --id …` (or one series with global-forecaster flags): forecastPanel, then forecast.csv, the model and the hold-out scores. */
async function panelForecastCommand(file: string, f: ForecastFlags): Promise<void> {
  checkOutDir(f.out);
  const { panel, series, period } = await readPanel(file, f, f.holdout ? holdoutLength(f.horizon ?? 1, 1, f.horizon ?? 1) : () => 1);
  const t0 = performance.now();
  const method = f.method ?? (f.holdout ? 'combined' : 'lstm');
  if (method === 'combined' && !f.holdout) throw new CliError("--method combined: the combination's weights are chosen on the hold-out; it cannot be used with --no-holdout");
  if (f.pool && method !== 'combined') throw new CliError('--pool: the pool is combined with the LSTM only by --method combined');
  const result = await naming(file, () => forecastPanel(series, { ...globalOptions(f, period), holdout: f.holdout, method, ...(f.pool ? { pool: f.pool } : {}) }));
  const seconds = (performance.now() - t0) / 1000;
  ensureDir(f.out);
  const csvPath = join(f.out, 'forecast.csv'), modelPath = join(f.out, 'model.safetensors');
  await writeFileAtomic(csvPath, panelForecastCsv(series, result.forecasts));
  saveGlobalForecaster(result.forecaster, modelPath);
  const extra = { file, skipped: panel.skipped };
  const holdoutFiles = result.holdout ? await writeBacktest(f.out, result.holdout, extra, 'holdout') : [];
  const c = result.combination;
  if (c) {
    const path = join(f.out, 'combination.json');
    await writeFileAtomic(path, JSON.stringify(combinationJson(c), null, 1) + '\n');
    holdoutFiles.push(path);
  }
  if (f.json) {
    return writeJson({
      series: panel.series.length, skipped: panel.skipped, period, horizon: f.horizon, quantiles: result.forecaster.plan.quantiles,
      method, combination: c ? combinationJson(c) : null,
      holdout: result.holdout ? backtestJson(result.holdout) : null, rank: result.holdout ? result.holdout.ranks.smape[LSTM_METHOD] : null,
      forecast: csvPath, model: modelPath, files: holdoutFiles, seconds: round(seconds, 4),
    });
  }
  const out = [
    ...(result.holdout ? [backtestTable(result.holdout, `hold-out: the last ${f.horizon} values of each of ${result.holdout.series.length} series (trained on the rest)`)] : []),
    ...(c ? [`combined: weights ${c.methods.map((m, k) => `${m} ${round(c.weights[k]!, 3)}`).join(', ')}, chosen on this hold-out (grid ${c.grid.join('/')} shrunk toward equal weights by ${round(c.points, 4)} validation values; sMAPE ${round(c.smape, 4)}, MASE ${round(c.mase, 4)} there, in-sample for the weights)`] : []),
    `forecast ${f.horizon} steps for ${panel.series.length} series (${c ? 'combined' : 'LSTM alone'}), quantiles ${result.forecaster.plan.quantiles.join(', ')}`,
    `csv   ${csvPath}`, `model ${modelPath}`, ...holdoutFiles.map((p) => `      ${p}`), `(${round(seconds, 3)} s)`,
  ];
  writeOut(out.join('\n') + '\n');
}

async function forecastCommand(file: string, f: ForecastFlags): Promise<void> {
  checkOutDir(f.out);
  const table = await readCsv(file, { dateColumn: f.date, missing: f.missing, ...(f.column ? { columns: [f.column] } : {}) });
  let column = f.column;
  if (column === undefined) {
    const numeric = Object.keys(table.columns).filter((k) => table.columns[k] instanceof Float64Array);
    if (numeric.length !== 1) throw new CliError(`${file}: choose a column with --column (numeric columns: ${listNames(numeric) || 'none'})`);
    column = numeric[0]!;
  }
  const values = numericColumn(table, column);
  assertFinite(table, [column]);
  for (const [col, lines] of Object.entries(table.report.missing)) {
    info(`${file}: ${lines.length} missing value(s) in "${col}" (lines ${lines.slice(0, 5).join(', ')}${lines.length > 5 ? ', …' : ''}): ${table.report.policy}`);
  }
  let season: number | null | undefined;
  if (f.season !== undefined) {
    if (f.season === 'none') season = null;
    else if (/^\d+$/.test(f.season) && Number(f.season) >= 2) season = Number(f.season);
    else throw new CliError(`--season: expected an integer ≥ 2 or "none", got "${f.season}"`);
  }
  const modelPath = join(f.out, 'model.safetensors');
  const t0 = performance.now();
  const result = await naming(`${file}: column "${column}"`, () =>
    runForecast(values, {
      season, lookback: f.lookback, horizon: f.horizon, holdoutBlocks: f.holdoutBlocks, epochs: f.epochs,
      hidden: f.hidden, layers: f.layers, cell: f.cell, lr: f.lr, batchSize: f.batchSize, patience: f.patience,
      ensemble: f.ensemble, seed: f.seed,
      ...(f.transform !== 'auto' ? { transform: f.transform } : {}),
      ...(f.mode !== 'auto' ? { mode: f.mode } : {}),
      log: info,
      progress: f.progress ?? false,
      checkpoint: join(f.out, 'checkpoint'), checkpointEvery: f.checkpointEvery, resume: f.resume,
      engine: f.engine,
    }),
  ).catch((err: unknown) =>
    // NaN/Inf stop: save the failing member's best weights so far (a one-model forecast file).
    savePartialAndFail(err, modelPath, (extra, stopped) => ({
      ...extra, forecast: forecastMetadata(extra.forecast, { column, file, dateColumn: f.date ?? null }, 1), training: { stopped },
    })),
  );
  const seconds = (performance.now() - t0) / 1000;
  const usedEngine = engineSummary(result.forecaster.models);
  if (usedEngine) info(usedEngine);

  // Everything is computed; now write the outputs (each atomically).
  const { plan, holdout, holdoutStart } = result;
  const n = values.length;
  const labels = table.dates ?? Array.from({ length: n }, (_, i) => String(i));
  const future = futureLabels(n, plan.horizon, table.dates);
  ensureDir(f.out);
  saveForecast(modelPath, result, { column, file, dateColumn: f.date ?? null }, seconds);
  removeCheckpoints(result.checkpoints);
  await writeFileAtomic(join(f.out, 'forecast.csv'), forecastCsv(result, labels, future));
  const svg = forecastChart(values, result, { column, xLabel: f.date ?? 'step', labels, future });
  const plotPath = join(f.out, 'forecast.svg');
  await writeFileAtomic(plotPath, svg);

  const m = result.metrics, b = result.baselines;
  if (f.json) {
    writeJson({
      metrics: { rmse: round(m.rmse), mae: round(m.mae), mape: round(m.mape) },
      baselines: {
        last: { rmse: round(b.last.rmse), mae: round(b.last.mae), mape: round(b.last.mape) },
        seasonal: b.seasonal ? { rmse: round(b.seasonal.rmse), mae: round(b.seasonal.mae), mape: round(b.seasonal.mape), season: plan.season } : null,
      },
      forecast: Array.from(result.forecast, (v) => round(v)),
      dates: future,
      holdout: { start: holdoutStart, points: holdout.actual.length, blocks: plan.holdoutBlocks, horizon: plan.horizon },
      plan,
      model: modelPath,
      plot: plotPath,
      csv: join(f.out, 'forecast.csv'),
      seconds: round(seconds, 3),
      recipe: 'single-series', note: SINGLE_SERIES_NOTE,
    });
    return;
  }
  const row = (name: string, x: { rmse: number; mae: number; mape: number | null }): string =>
    `  ${name.padEnd(16)} RMSE ${String(round(x.rmse, 4)).padStart(9)}   MAE ${String(round(x.mae, 4)).padStart(9)}   MAPE ${x.mape === null ? 'n/a' : round(x.mape, 3) + '%'}`;
  const lines = [
    SINGLE_SERIES_NOTE,
    `hold-out: last ${holdout.actual.length} points of ${n} (${plan.holdoutBlocks} × ${plan.horizon} steps from ${labels[holdoutStart]}), trained on the first ${holdoutStart}`,
    row('LSTM', m),
    row('last value', b.last),
    b.seasonal ? row(`seasonal (${plan.season})`, b.seasonal) : `  seasonal naive   n/a (no season detected; give --season N)`,
    `  RMSE vs last value: ${m.rmse < b.last.rmse ? `${round(100 * (1 - m.rmse / b.last.rmse), 3)}% lower` : `${round(100 * (m.rmse / b.last.rmse - 1), 3)}% HIGHER (the model does not beat the naive forecast)`}`,
    `  rank of the LSTM by RMSE: ${rankMethods({ lstm: m.rmse, last: b.last.rmse, ...(b.seasonal ? { seasonal: b.seasonal.rmse } : {}) }).lstm} of ${b.seasonal ? 3 : 2} (for ETS, Theta and ARIMA: lstm backtest, or lstm forecast --quantiles 0.1,0.5,0.9)`,
    `forecast ${plan.horizon} steps (${future[0]} .. ${future[future.length - 1]}): ${Array.from(result.forecast, (v) => round(v, 5)).join(', ')}`,
    `model ${modelPath}`,
    `plot  ${plotPath}`,
    `csv   ${join(f.out, 'forecast.csv')}`,
    `(${round(seconds, 3)} s)`,
  ];
  writeOut(lines.join('\n') + '\n');
}
