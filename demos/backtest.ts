/**
 * Demo: the global LSTM forecaster against the statistical standard on the bundled series, by
 * rolling-origin backtest (backtestPanel, the recipe behind `lstm backtest`): every method is
 * fitted on the same training part and scored on the same hold-outs. Each series runs as a
 * one-series panel with the command's defaults (season detected, 3 origins); lstm-ts runs
 * with several seeds where affordable and its scores are given as mean ± standard deviation
 * over them, its rank from the mean. The baselines are deterministic and fitted once.
 */
import { readPanelCsv, backtestPanel, detectPanelSeason, rankMethods, LSTM_METHOD, type BacktestResult } from '../src/index.js';
import { mainIfEntry, nameList, posInt, round, type Demo, type Row } from './runner.js';

interface Case { name: string; file: string; column: string; date: string; horizon: number; seeds: number }

/** The bundled series; seeds: how many lstm-ts seeds a full run affords (the daily series is 25 times longer than the airline one). */
const CASES: Case[] = [
  { name: 'airline', file: 'data/airline-passengers.csv', column: 'Passengers', date: 'Month', horizon: 12, seeds: 3 },
  { name: 'sunspots', file: 'data/monthly-sunspots.csv', column: 'Sunspots', date: 'Month', horizon: 12, seeds: 1 },
  { name: 'temperatures', file: 'data/daily-min-temperatures.csv', column: 'Temp', date: 'Date', horizon: 14, seeds: 1 },
];

const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v: number[]): number => (v.length < 2 ? 0 : Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1)));

export const backtestDemo: Demo = {
  name: 'backtest',
  title: 'Backtests on the bundled series: lstm-ts against naive, seasonal naive, ETS, Theta and ARIMA',
  summary: 'rolling-origin sMAPE, MASE, RMSE, 80 % and 95 % interval coverage (quantile spread calibrated on validation origins) and rank of the global forecaster against the statistical baselines',
  options: [
    { flags: '--series <list>', description: `series to run (${CASES.map((c) => c.name).join(', ')}; default all)`, parse: nameList(CASES.map((c) => c.name)) },
    { flags: '--origins <k>', description: 'rolling origins (default 3)', parse: posInt },
    { flags: '--seeds <n>', description: 'lstm-ts seeds per series (default: 3 for airline, 1 for the long series; quick 1)', parse: posInt },
  ],
  async run({ quick, seed, opts, log }) {
    const names = (opts.series as string[] | undefined) ?? CASES.map((c) => c.name);
    const origins = (opts.origins as number | undefined) ?? 3;
    const rows: Row[] = [];
    const notes: string[] = [];
    const extra: Record<string, unknown> = {};
    for (const c of CASES.filter((k) => names.includes(k.name))) {
      const t0 = performance.now();
      const panel = await readPanelCsv(c.file, { column: c.column, date: c.date });
      const period = detectPanelSeason(panel.series);
      const seeds = (opts.seeds as number | undefined) ?? (quick ? 1 : c.seeds);
      const base = { horizon: c.horizon, period, origins, log, ...(quick ? { epochs: 3, ensemble: 1 } : {}) };
      const runs: BacktestResult[] = [];
      for (let s = 0; s < seeds; s++) {
        log(`${c.name}: seed ${seed + s}`);
        // Baselines are deterministic: fitted with the first seed only.
        runs.push(await backtestPanel(panel.series, { ...base, seed: seed + s, ...(s > 0 ? { baselines: [] } : {}) }));
      }
      const first = runs[0]!;
      const lstm = (key: 'smape' | 'mase' | 'rmse'): number[] => runs.map((r) => r.overall[LSTM_METHOD]![key]);
      const rank = rankMethods(Object.fromEntries(first.methods.map((m) => [m, m === LSTM_METHOD ? mean(lstm('smape')) : first.overall[m]!.smape])));
      const rankMase = rankMethods(Object.fromEntries(first.methods.map((m) => [m, m === LSTM_METHOD ? mean(lstm('mase')) : first.overall[m]!.mase])));
      for (const m of first.methods) {
        const o = first.overall[m]!;
        const isLstm = m === LSTM_METHOD;
        const pm = (v: number[]): string => `${round(mean(v), 4)}${v.length > 1 ? ` ± ${round(sd(v), 2)}` : ''}`;
        rows.push({
          series: c.name, method: isLstm && seeds > 1 ? `${m} (${seeds} seeds)` : m,
          smape: isLstm ? pm(lstm('smape')) : round(o.smape, 4),
          mase: isLstm ? pm(lstm('mase')) : round(o.mase, 4),
          rmse: isLstm ? pm(lstm('rmse')) : round(o.rmse, 4),
          cov80: round(isLstm ? mean(runs.map((r) => r.overall[m]!.coverage[0]!)) : o.coverage[0]!, 3),
          cov95: round(isLstm ? mean(runs.map((r) => r.overall[m]!.coverage[1]!)) : o.coverage[1]!, 3),
          rank: rank[m]!, rankMase: rankMase[m]!,
        });
      }
      const seconds = (performance.now() - t0) / 1000;
      notes.push(`${c.name}: ${c.file}, ${panel.series[0]!.values.length} values, season ${period === 1 ? 'none' : period} (detected), ${origins} origins × horizon ${c.horizon}; lstm-ts ranks ${rank[LSTM_METHOD]} of ${first.methods.length} by sMAPE and ${rankMase[LSTM_METHOD]} by MASE; ${round(seconds, 4)} s.` +
        ` lstm-ts's quantile spread factors (levels 0.025, 0.1, 0.9, 0.975) per origin, calibrated on validation origins inside each training part (seed ${seed}): ${first.spread.map((k) => `${[k[0]!, k[1]!, k[3]!, k[4]!].map((v) => v.toFixed(2)).join('/')}`).join('; ')}.` +
        (Object.values(first.fallbacks).some((n) => n > 0) ? ` Baseline fits that failed and fell back to the last value: ${JSON.stringify(first.fallbacks)}.` : ''));
      extra[c.name] = { period, seconds, seeds: runs.map((r, s) => ({ seed: seed + s, ...r.overall[LSTM_METHOD] })), baselines: first.overall };
    }
    notes.push('Scores are means over the origins (sMAPE in percent; MASE scaled by the in-sample seasonal-naive error); rank 1 is best, by sMAPE (MASE rank beside). Baselines: src/stats (ETS and auto-ARIMA by AICc as R\'s forecast package; ARIMA only where cheap: season ≤ 24 and ≤ 1,000 values). Same command: `lstm backtest FILE --column C --date D --horizon H --origins 3`.');
    return {
      columns: [
        { key: 'series', label: 'series' }, { key: 'method', label: 'method' }, { key: 'smape', label: 'sMAPE' }, { key: 'mase', label: 'MASE' },
        { key: 'rmse', label: 'RMSE' }, { key: 'cov80', label: 'cov. 80 %', digits: 3 }, { key: 'cov95', label: 'cov. 95 %', digits: 3 }, { key: 'rank', label: 'rank (sMAPE)' }, { key: 'rankMase', label: 'rank (MASE)' },
      ],
      rows, notes, plots: [], extra,
    };
  },
};

await mainIfEntry(backtestDemo, import.meta.url);
