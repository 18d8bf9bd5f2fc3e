/**
 * Demo 2, the classic forecasting tutorial: monthly international airline passengers
 * (Box & Jenkins, 1949–1960). Uses the library's forecasting recipe (src/recipes/forecast/single-series.ts,
 * the same one behind `lstm forecast`): train on all but the last two years, forecast each
 * held-out year 12 months at once from the true history before it, and score it with the
 * last-value and seasonal-naive baselines given the same forecast origins.
 */
import { join } from 'node:path';
import { writeFileAtomicSync, numericColumn, readCsv, runForecast, lineChart } from '../src/index.js';
import { mainIfEntry, posInt, round, type Demo, type Row } from './runner.js';

const FILE = 'data/airline-passengers.csv';

export const airlineDemo: Demo = {
  name: 'airline',
  title: 'Airline passengers: 12-month forecasts vs naive baselines',
  summary: 'LSTM forecaster (log transform, changes from the last value) on the 1959–1960 hold-out against last-value and seasonal-naive',
  options: [
    { flags: '--ensemble <n>', description: 'models averaged (default 3; quick 1)', parse: posInt },
    { flags: '--epochs <n>', description: 'max epochs per model, with early stopping (default 200; quick 60)', parse: posInt },
  ],
  async run({ quick, seed, out, opts, log }) {
    const table = await readCsv(FILE, { dateColumn: 'Month', columns: ['Passengers'] });
    const values = numericColumn(table, 'Passengers');
    const dates = table.dates!;
    const r = await runForecast(values, {
      season: 12, horizon: 12, holdoutBlocks: 2, seed,
      ensemble: (opts.ensemble as number | undefined) ?? (quick ? 1 : 3),
      epochs: (opts.epochs as number | undefined) ?? (quick ? 60 : 200),
      log,
    });
    const { holdout, holdoutStart, plan } = r;
    const rows: Row[] = [];
    const add = (model: string, m: { rmse: number; mae: number; mape: number | null }): void => {
      rows.push({ model, rmse: round(m.rmse, 2), mae: round(m.mae, 2), mape: m.mape === null ? null : round(m.mape, 2) });
    };
    add(plan.ensemble > 1 ? `LSTM ${plan.hidden}, ${plan.ensemble} seeds averaged` : `LSTM ${plan.hidden}`, r.metrics);
    add('seasonal naive (same month last year)', r.baselines.seasonal!);
    add('last value', r.baselines.last);
    const plots: string[] = [];
    if (out) {
      const idx = (a: number, n: number): number[] => Array.from({ length: n }, (_, i) => a + i);
      const H = holdout.actual.length;
      const p = join(out, 'airline-forecast.svg');
      writeFileAtomicSync(p, lineChart({
        title: 'Airline passengers: forecasts of the held-out years 1959–1960', xLabel: 'month', yLabel: 'passengers (thousands)',
        series: [
          { name: 'actual', x: idx(0, values.length), y: Array.from(values) },
          { name: 'LSTM', x: idx(holdoutStart, H), y: Array.from(holdout.predicted) },
          { name: 'seasonal naive', x: idx(holdoutStart, H), y: Array.from(holdout.seasonal!), dashed: true },
          { name: 'last value', x: idx(holdoutStart, H), y: Array.from(holdout.last), dashed: true },
        ],
        markers: [{ x: holdoutStart, label: 'hold-out' }],
        xTickText: (v) => (Number.isInteger(v) && v >= 0 && v < dates.length ? dates[v]!.slice(0, 4) : ''),
      }));
      plots.push(p);
    }
    return {
      columns: [{ key: 'model', label: 'model' }, { key: 'rmse', label: 'RMSE', digits: 2 }, { key: 'mae', label: 'MAE', digits: 2 }, { key: 'mape', label: 'MAPE %', digits: 2 }],
      rows,
      notes: [
        `${FILE}: ${values.length} months (${dates[0]} to ${dates.at(-1)}), thousands of passengers. Hold-out: the last ${holdout.actual.length} months, forecast as ${plan.holdoutBlocks} blocks of ${plan.horizon} from the true history before each block.`,
        `Recipe (src/recipes/forecast/single-series.ts): lookback ${plan.lookback}, transform ${plan.transform}, mode ${plan.mode}, hidden ${plan.hidden}, Adam lr ${plan.lr}, up to ${plan.epochs} epochs with early stopping (patience ${plan.patience}) on the last 15% of training windows.`,
        `Epochs run per model: ${r.histories.map((h) => h.epochs).join(', ')}; training seconds: ${r.histories.map((h) => h.seconds.toFixed(1)).join(', ')}.`,
      ],
      plots,
      extra: { holdout: { actual: Array.from(holdout.actual), lstm: Array.from(holdout.predicted) } },
    };
  },
};

await mainIfEntry(airlineDemo, import.meta.url);
