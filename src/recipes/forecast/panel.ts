/**
 * Forecasting a panel (many series, or one) with the global forecaster: what `lstm forecast
 * --id` does as a library call. The season is given or detected; the last `horizon` values of
 * every series are held out and scored against the baselines (a one-origin backtest,
 * backtest.ts, whose model is calibrated on validation origins before the hold-out); that model
 * is then fine-tuned on the full series (a quarter of the epochs, not a second training from
 * scratch), its quantile spread calibrated on the validation and hold-out forecasts pooled, and
 * it forecasts every series `horizon` steps past its own end. By default (method 'combined') the
 * result is the LSTM's validated combination with Theta/ETS (/auto-ARIMA) (combine.ts): weights
 * and interval spread chosen on that hold-out, applied to forecasts of models refitted on the
 * full series (ETS refits keep the form each series chose on the hold-out, their parameters
 * re-estimated: one fit instead of the search; see etsForm); method 'lstm' gives the LSTM alone.
 * The classical fits run in worker threads beside the LSTM's training (classical.ts). The
 * forecasts are written as a long CSV: one row per series and step with the point forecast and
 * one column per quantile.
 */
import { detectSeason, samplingInterval } from '../../stats/season.js';
import { extendDates } from '../../data/series.js';
import { baselinesAndPool, cutSeries, fitCalibrated, runBacktest, LSTM_METHOD, type BacktestOptions, type BacktestResult, type PanelInput } from './backtest.js';
import { applyCombination, fitCombination, type Combination } from './combine.js';
import { fitClassical, pointsOrLast, type ClassicalFits } from './classical.js';
import type { EtsComponents } from '../../stats/ets.js';
import { fineTuneGlobalForecaster, type GlobalForecaster } from './global.js';
import { calibratedFactors, type QuantileForecast } from './quantiles.js';

/** A series with its time labels, as read by readPanelCsv. */
export interface DatedPanelInput extends PanelInput {
  /** Labels of the observed values, if any. */
  dates?: readonly string[] | null;
  /** Labels of the rows past the end (future rows), if any. */
  futureDates?: readonly string[] | null;
}

/** Series of a panel whose seasons are detected to settle the panel's season (the longest ones). */
export const SEASON_VOTERS = 25;

/**
 * The season of a panel: detected (src/stats detectSeason, calendar candidates when the dates
 * tell the sampling interval) on each of its SEASON_VOTERS longest series; the period found most
 * often (the shorter on a tie) if at least a fifth of them find it, else 1 (none). One series
 * alone is its own answer. The global forecaster still tests each series for that season and
 * adjusts only those that have it, so a season most series lack costs little.
 */
export function detectPanelSeason(series: readonly DatedPanelInput[]): number {
  const voters = series.map((s, i) => ({ s, i })).sort((a, b) => b.s.values.length - a.s.values.length || a.i - b.i).slice(0, SEASON_VOTERS);
  const votes = new Map<number, number>();
  for (const { s } of voters) {
    const interval = s.dates ? samplingInterval(s.dates) : null;
    const m = detectSeason(s.values, interval ? { interval } : {});
    if (m !== null) votes.set(m, (votes.get(m) ?? 0) + 1);
  }
  let best = 1, most = 0;
  for (const [m, n] of votes) if (n > most || (n === most && m < best)) [best, most] = [m, n];
  return most >= Math.max(1, voters.length / 5) ? best : 1;
}

export interface PanelForecastOptions extends BacktestOptions {
  /**
   * Score a hold-out of the last `horizon` values first (a one-origin backtest of the LSTM alone).
   * Default true; method 'combined' (BacktestOptions.method: here the weights are chosen on this
   * hold-out, and each pool method is scored on it too) needs it, so the default method is
   * 'lstm' when `holdout` is false.
   */
  holdout?: boolean;
}

export interface PanelForecastResult {
  /** The LSTM, trained on the full series. */
  forecaster: GlobalForecaster;
  /** One per input series, `horizon` steps past its end: the combination's (method 'combined') or the LSTM's. */
  forecasts: QuantileForecast[];
  /** The LSTM's own forecasts (the same as `forecasts` for method 'lstm'). */
  lstm: QuantileForecast[];
  /** The pool's point forecasts per method and series (empty for method 'lstm'). */
  pool: Record<string, Float64Array[]>;
  /** The weights and spread chosen on the hold-out, or null for method 'lstm'. */
  combination: Combination | null;
  /** The hold-out's scores against the baselines, or null when `holdout` was false. */
  holdout: BacktestResult | null;
}

/**
 * Score the hold-out, then bring its model up to date and forecast every series past its end.
 * With the hold-out (default): the hold-out's calibrated fit (backtest.ts, fitCalibrated) is
 * fine-tuned on the full series, and the final quantiles are spread by factors calibrated on
 * its validation and hold-out forecasts pooled. Without: fitCalibrated on the full series. Either
 * way every member is trained from scratch once; `calibrate: false` trains the final model from
 * scratch with raw quantiles (as the hold-out's). Then, by default, the combination (see the
 * file header).
 */
export async function forecastPanel(series: readonly PanelInput[], opts: PanelForecastOptions): Promise<PanelForecastResult> {
  const H = opts.horizon;
  // Known covariates must reach `horizon` steps past every series' end: check before any training.
  for (const s of series) {
    const short = (s.known ?? []).findIndex((k) => k.length < s.values.length + H);
    if (short >= 0) throw new RangeError(`series "${s.id}": known covariate ${short + 1} has ${s.known![short]!.length - s.values.length} value(s) past the series' end; forecasting ${H} steps needs ${H} (give them on rows after its last value, with the value cell empty)`);
  }
  const method = opts.method ?? (opts.holdout === false ? 'lstm' : 'combined');
  if (method !== 'combined' && method !== 'lstm') throw new RangeError(`forecast: method must be 'combined' or 'lstm', got ${JSON.stringify(method)}`);
  if (method === 'combined' && opts.holdout === false) throw new RangeError("forecast: the combination's weights are chosen on the hold-out; without a hold-out use method 'lstm'");
  // The hold-out scores every pool method, so their forecasts there are at hand for the combination.
  const { baselines, pool } = baselinesAndPool(series, opts, method === 'combined');
  const all = series.map((s) => cutSeries(s, s.values.length, H));
  let forecaster: GlobalForecaster, holdout: BacktestResult | null = null, combination: Combination | null = null;
  let refits: Promise<ClassicalFits> | null = null;
  if (opts.holdout === false) {
    opts.log?.(`forecast: training on the full series (${series.length})`);
    forecaster = (await fitCalibrated(all, opts)).forecaster;
  } else {
    const run = await runBacktest(series, { ...opts, baselines, origins: 1, method: 'lstm' });
    holdout = run.result;
    const last = run.last!;
    if (method === 'combined') {
      const v = holdout.final!;
      combination = fitCombination(v.lstm, Object.fromEntries(pool.map((m) => [m, v.baselines[m]!])), v.actual, v.train, opts.period ?? 1, { lstmName: LSTM_METHOD });
      opts.log?.(`forecast: combination weights ${combination.methods.map((m, k) => `${m} ${combination!.weights[k]!.toFixed(3)}`).join(', ')} (grid ${combination.grid.join('/')} chosen on the hold-out of ${combination.series} series, shrunk toward equal by ${combination.points.toFixed(1)} values)`);
      // The pool refitted on the full series while the LSTM is brought up to date; ETS keeps each series' hold-out form.
      const forms = new Array<EtsComponents | null>(series.length).fill(null);
      v.index.forEach((i, j) => (forms[i] = v.etsForms[j] ?? null));
      refits = fitClassical({ methods: pool, series: series.map((s) => s.values), horizon: H, period: opts.period ?? 1, levels: [], forms }, { log: opts.log });
      refits.catch(() => {}); // awaited below; should the training throw first, its failure is not reported as unhandled
    }
    if (opts.calibrate === false) {
      opts.log?.(`forecast: training on the full series (${series.length})`);
      forecaster = (await fitCalibrated(all, opts)).forecaster;
    } else {
      opts.log?.(`forecast: fine-tuning the hold-out's model on the full series (${series.length})`);
      const tuned = await fineTuneGlobalForecaster(last.forecaster, all, { epochs: opts.fineTuneEpochs, seed: (opts.seed ?? 0) + 2, log: opts.log });
      const factors = calibratedFactors([...last.pool.forecasts, ...last.holdout.forecasts], [...last.pool.actual, ...last.holdout.actual]);
      opts.log?.(`calibration: final spread factors ${Array.from(factors, (k) => k.toFixed(3)).join(', ')} (validation and hold-out pooled)`);
      forecaster = tuned.withSpread(factors);
    }
  }
  const lstm = forecaster.forecast(all);
  if (!combination || !refits) return { forecaster, forecasts: lstm, lstm, pool: {}, combination, holdout };
  const fits = await refits, points: Record<string, Float64Array[]> = Object.create(null);
  for (const m of pool) {
    const { points: p, fellBack } = pointsOrLast(fits, m, series.map((s) => s.values), H);
    points[m] = p;
    if (fellBack > 0) opts.log?.(`forecast: ${m} could not be fitted to ${fellBack} series: their last value stands in`);
  }
  return { forecaster, forecasts: applyCombination(combination, lstm, points), lstm, pool: points, combination, holdout };
}

/** A CSV field, quoted when it holds a comma, quote or line break. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Column name of quantile level τ: q0.1, q0.5, q0.975. */
export const quantileColumn = (tau: number): string => `q${Number(tau.toFixed(6))}`;

/**
 * The forecasts as a long CSV: `id,step[,date],forecast,q…` with one row per series and step.
 * Dates (when the series have them) are the future rows' own labels, else the observed dates
 * continued (extendDates).
 */
export function panelForecastCsv(series: readonly DatedPanelInput[], forecasts: readonly QuantileForecast[]): string {
  const dated = series.some((s) => s.dates);
  const levels = forecasts[0]?.levels ?? [];
  const lines = [['id', 'step', ...(dated ? ['date'] : []), 'forecast', ...levels.map(quantileColumn)].join(',')];
  series.forEach((s, i) => {
    const f = forecasts[i]!, H = f.point.length, Q = levels.length;
    let dates: readonly string[] = [];
    if (dated) {
      const given = s.futureDates ?? [];
      dates = given.length >= H ? given.slice(0, H) : [...given, ...extendDates(s.dates ?? [], H).slice(given.length)];
    }
    for (let h = 0; h < H; h++) {
      const qs = Array.from({ length: Q }, (_, q) => String(f.quantiles[h * Q + q]));
      lines.push([csvField(s.id), String(h + 1), ...(dated ? [csvField(dates[h] ?? '')] : []), String(f.point[h]), ...qs].join(','));
    }
  });
  return lines.join('\n') + '\n';
}
