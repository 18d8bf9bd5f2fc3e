/**
 * `lstm backtest FILE --column V [--id ID] --horizon H --origins K [--method combined|lstm]`:
 * rolling-origin backtest of what `lstm forecast` delivers (by default the global LSTM combined
 * with Theta/ETS, the weights chosen inside each origin's training part; the LSTM alone as a
 * second row) against last value, seasonal naive, ETS, Theta and auto-ARIMA on the same training
 * parts and hold-outs (backtestPanel, src/recipes/forecast/backtest.ts). Prints the overall table
 * with lstm-ts's rank and writes backtest.csv, backtest-series.csv and backtest.json into --out.
 */
import type { Command } from 'commander';
import { backtestPanel, FORECAST_METHODS, POOL_METHODS, type ForecastMethod, type PoolMethod } from '../../index.js';
import { checkOutDir, choiceOption, ensureDir, intOption, naming, writeJson, writeOut } from '../util.js';
import { backtestJson, backtestTable, globalOptions, holdoutLength, modelOptions, panelOptions, poolList, readPanel, writeBacktest, type PanelFlags } from './panel.js';

interface BacktestFlags extends PanelFlags {
  origins: number;
  stride?: number;
  method: ForecastMethod;
  pool?: PoolMethod[];
}

export function register(program: Command): void {
  modelOptions(panelOptions(program
    .command('backtest')
    .description('Rolling-origin backtest of the global forecaster (by default the LSTM combined with Theta/ETS, as lstm forecast delivers; the LSTM alone beside it) against naive, seasonal naive, ETS, Theta and ARIMA: sMAPE, MASE, RMSE, interval coverage and rank, per series and overall.')
    .argument('<file>', 'CSV file with a header row (long format with --id: one row per series and time step)')))
    .option('--origins <k>', 'rolling origins (the last one holds out the final horizon values)', intOption(1), 3)
    .option('--stride <n>', 'steps between origins (default: the horizon)', intOption(1))
    .option('--method <m>', 'what the lstm-ts row is: combined (the LSTM combined with Theta/ETS, weights chosen on validation windows inside each training part, as lstm forecast delivers; the LSTM alone is scored too, as the row lstm) or lstm (the LSTM alone)', choiceOption(FORECAST_METHODS), 'combined')
    .option('--pool <list>', `classical methods combined with the LSTM (${POOL_METHODS.join(', ')}; default: those among --baselines)`, poolList)
    .option('-o, --out <dir>', 'output directory for backtest.csv, backtest-series.csv and backtest.json', 'out/backtest')
    .option('--json', 'print the result as one JSON object on stdout')
    .action(async (file: string, flags: BacktestFlags) => {
      checkOutDir(flags.out);
      const stride = flags.stride ?? flags.horizon ?? 1;
      const { panel, series, period } = await readPanel(file, flags, holdoutLength(flags.horizon ?? 1, flags.origins, stride));
      const result = await naming(file, () => backtestPanel(series, {
        ...globalOptions(flags, period), origins: flags.origins, stride, method: flags.method, ...(flags.pool ? { pool: flags.pool } : {}),
      }));
      ensureDir(flags.out);
      const extra = { file, skipped: panel.skipped };
      const paths = await writeBacktest(flags.out, result, extra);
      if (flags.json) return writeJson(backtestJson(result, { ...extra, files: paths }));
      const title = `backtest of ${result.method === 'combined' ? `the LSTM combined with ${result.pool.join(', ')}` : 'the LSTM alone'}: ${result.origins} origin(s) × horizon ${result.horizon}, season ${result.period === 1 ? 'none' : result.period}, ${result.series.length} series scored` +
        `${result.unscored.length ? ` (${result.unscored.length} too short)` : ''}, ${result.seconds.toFixed(1)} s`;
      writeOut(backtestTable(result, title) + paths.map((p) => `wrote ${p}`).join('\n') + '\n');
    });
}
