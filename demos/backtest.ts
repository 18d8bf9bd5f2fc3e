/**
 * Demo: the default forecaster (the global LSTM combined with Theta/ETS, weights chosen inside
 * each origin's training part) against the statistical standard on the bundled series, by
 * rolling-origin backtest (backtestPanel, the recipe behind `lstm backtest`): every method is
 * fitted on the same training part and scored on the same hold-outs; the LSTM alone is the row
 * 'lstm'. Each series runs as a one-series panel with the command's defaults (season detected,
 * 3 origins); lstm-ts runs with several seeds where affordable and its scores are given as
 * mean ± standard deviation over them, its rank from the mean. The baselines are deterministic
 * and scored from the first seed.
 */
import { readPanelCsv, backtestPanel, detectPanelSeason, rankMethods, LSTM_METHOD, LSTM_ALONE, type BacktestResult } from '../src/index.js';
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
  title: 'Backtests on the bundled series: lstm-ts (by default the LSTM combined with Theta/ETS) against naive, seasonal naive, ETS, Theta and ARIMA',
  summary: 'rolling-origin sMAPE, MASE, RMSE, 80 % and 95 % interval coverage and rank of the default forecaster (the global LSTM combined with Theta/ETS, weights and spread chosen on validation windows inside each training part) and of the LSTM alone against the statistical baselines',
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
        // The baselines are deterministic: the first seed's are scored (later seeds fit only the combination's pool).
        const later = s > 0 ? { baselines: [], pool: runs[0]!.pool } : {};
        runs.push(await backtestPanel(panel.series, { ...base, seed: seed + s, ...later }));
      }
      const first = runs[0]!;
      const seeded = (m: string): boolean => m === LSTM_METHOD || m === LSTM_ALONE;
      const baselines = first.methods.filter((m) => !seeded(m));
      const over = (m: string, key: 'smape' | 'mase' | 'rmse'): number[] => runs.map((r) => r.overall[m]![key]);
      const score = (x: string, key: 'smape' | 'mase'): number => (seeded(x) ? mean(over(x, key)) : first.overall[x]![key]);
      // lstm-ts and the baselines ranked together; the LSTM-alone row among itself and the baselines (as backtestPanel ranks).
      const rankBy = (m: string, key: 'smape' | 'mase'): number =>
        rankMethods(Object.fromEntries([m === LSTM_ALONE ? LSTM_ALONE : LSTM_METHOD, ...baselines].map((x) => [x, score(x, key)])))[m]!;
      for (const m of first.methods) {
        const o = first.overall[m]!;
        const isLstm = seeded(m);
        const pm = (v: number[]): string => `${round(mean(v), 4)}${v.length > 1 ? ` ± ${round(sd(v), 2)}` : ''}`;
        const label = m === LSTM_METHOD && first.method === 'combined' ? `${m} (combined)` : m === LSTM_ALONE ? 'lstm alone' : m;
        rows.push({
          series: c.name, method: isLstm && seeds > 1 ? `${label} (${seeds} seeds)` : label,
          smape: isLstm ? pm(over(m, 'smape')) : round(o.smape, 4),
          mase: isLstm ? pm(over(m, 'mase')) : round(o.mase, 4),
          rmse: isLstm ? pm(over(m, 'rmse')) : round(o.rmse, 4),
          cov80: round(isLstm ? mean(runs.map((r) => r.overall[m]!.coverage[0]!)) : o.coverage[0]!, 3),
          cov95: round(isLstm ? mean(runs.map((r) => r.overall[m]!.coverage[1]!)) : o.coverage[1]!, 3),
          rank: rankBy(m, 'smape'), rankMase: rankBy(m, 'mase'),
        });
      }
      const seconds = (performance.now() - t0) / 1000;
      notes.push(`${c.name}: ${c.file}, ${panel.series[0]!.values.length} values, season ${period === 1 ? 'none' : period} (detected), ${origins} origins × horizon ${c.horizon}; lstm-ts ranks ${rankBy(LSTM_METHOD, 'smape')} of ${baselines.length + 1} by sMAPE and ${rankBy(LSTM_METHOD, 'mase')} by MASE` +
        (first.method === 'combined' ? ` (the LSTM alone: ${rankBy(LSTM_ALONE, 'smape')} and ${rankBy(LSTM_ALONE, 'mase')})` : '') + `; ${round(seconds, 4)} s.` +
        (first.method === 'combined' ? ` Combination weights (${first.pool.length ? ['lstm', ...first.pool].join('/') : ''}) per origin, chosen on validation windows inside each training part and shrunk toward equal weights by their evidence (seed ${seed}; grid choice → weights used, n = validation values counted as Σ√H): ${first.combinations.map((k) => (k ? `${k.grid.map((w) => w.toFixed(1)).join('/')} → ${k.weights.map((w) => w.toFixed(2)).join('/')} (n = ${k.points.toFixed(1)})` : 'none')).join('; ')}.` : '') +
        ` The LSTM's quantile spread factors (levels 0.025, 0.1, 0.9, 0.975) per origin, calibrated on validation windows inside each training part (seed ${seed}): ${first.spread.map((k) => `${[k[0]!, k[1]!, k[3]!, k[4]!].map((v) => v.toFixed(2)).join('/')}`).join('; ')}.` +
        (Object.values(first.fallbacks).some((n) => n > 0) ? ` Baseline fits that failed and fell back to the last value: ${JSON.stringify(first.fallbacks)}.` : ''));
      extra[c.name] = { period, seconds, method: first.method, seeds: runs.map((r, s) => ({ seed: seed + s, ...r.overall[LSTM_METHOD], ...(r.method === 'combined' ? { lstmAlone: r.overall[LSTM_ALONE], combinations: r.combinations } : {}) })), baselines: first.overall };
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
