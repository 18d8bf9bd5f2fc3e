/**
 * Rolling-origin backtests of the global forecaster against the statistical baselines a
 * practitioner would use instead (last value, seasonal naive, ETS, Theta, auto-ARIMA from
 * src/stats), every method fitted on exactly the same training part and scored on exactly the
 * same hold-out.
 *
 * Origins: with K origins, horizon H and stride s (default H), origin k = 1..K cuts every
 * series at n − H − s·(K − k): the part before the cut trains (one global model per origin,
 * over all series; one baseline fit per series), the next H values score. Origin K is the
 * plain hold-out of the last H values.
 *
 * Intervals: the global model's quantile spread is calibrated inside each training part
 * ({@link fitCalibrated}): a validation model trained without the part's last values sets one
 * factor per level on them and is then fine-tuned up to the cut. Nothing after the cut is used.
 *
 * Scores per method (as the M competitions, src/stats/metrics.ts): sMAPE, MASE (scaled by the
 * training part's seasonal-naive error at lag m, lag 1 when the part is not longer than m),
 * RMSE, and the coverage of each central interval the quantiles give (0.1 and 0.9 → 80 %).
 * A series' score is the mean over its origins; the overall score the mean over series. Ranks
 * (1 = best, ties share) are by sMAPE, per series and overall; MASE ranks are given too.
 *
 * Covariates go to the global forecaster only (the baselines are univariate): known ones with
 * their values over each hold-out (known in advance by definition), past ones up to the cut.
 */
import { qnorm } from '../../stats/numeric.js';
import { coverage, mase, naiveScale, rankMethods, ranks, rmse, smape } from '../../stats/metrics.js';
import { checkInt } from '../../tensor/check.js';
import { fineTuneGlobalForecaster, fitGlobalForecaster, type GlobalForecaster, type GlobalForecasterOptions, type GlobalSeries } from './global.js';
import { classicalForecast } from './combine.js';
import { DEFAULT_QUANTILES, calibrateSpread, centralInterval, type QuantileForecast } from './quantiles.js';

/** Name of the global LSTM forecaster in score tables. */
export const LSTM_METHOD = 'lstm-ts';

/** Baselines, cheapest first: last value, seasonal naive, ETS (AICc), Theta, auto-ARIMA (AICc). */
export const BASELINES = ['naive', 'snaive', 'ets', 'theta', 'arima'] as const;
export type BaselineName = (typeof BASELINES)[number];

/** One series to backtest or forecast. */
export interface PanelInput {
  id: string;
  /** Observed values in time order (n). */
  values: ArrayLike<number>;
  /** Known-future covariates, each (≥ n; ≥ n + horizon to forecast past the end). The same count for every series. */
  known?: readonly ArrayLike<number>[];
  /** Past-only covariates, each (≥ n). The same count for every series. */
  past?: readonly ArrayLike<number>[];
}

/**
 * The series as the global forecaster takes it, cut to its first `cut` values: known covariates
 * up to `cut + horizon` (their values over the hold-out are known in advance), past ones up to `cut`.
 */
export function cutSeries(s: GlobalSeries, cut: number, horizon: number): GlobalSeries {
  const slice = (a: ArrayLike<number>, end: number): Float64Array => Float64Array.from({ length: Math.min(end, a.length) }, (_, i) => a[i]!);
  return {
    values: slice(s.values, cut),
    ...(s.known?.length ? { known: s.known.map((k) => slice(k, cut + horizon)) } : {}),
    ...(s.past?.length ? { past: s.past.map((p) => slice(p, cut)) } : {}),
  };
}

/** Options of {@link backtestPanel}: the global forecaster's, plus origins and baselines. */
export interface BacktestOptions extends GlobalForecasterOptions {
  /** Rolling origins K. Default 1 (the last `horizon` values only). */
  origins?: number;
  /** Steps between origins. Default `horizon` (hold-outs side by side, not overlapping). */
  stride?: number;
  /**
   * Baselines to score. Default: naive, snaive (when period ≥ 2), ets, theta, and arima when it
   * is cheap enough (period ≤ 24, at most 50 series, none longer than 1,000 values: one
   * auto-ARIMA search takes seconds).
   */
  baselines?: readonly BaselineName[];
  /**
   * Calibrate the quantile spread at every origin (see {@link fitCalibrated}): a validation
   * model trained on each training part minus its last values sets spread factors, and is then
   * fine-tuned up to the cut. False: one model trained from scratch per origin, raw quantiles.
   * Default true.
   */
  calibrate?: boolean;
  /** Epochs that bring the validation model up to the cut (calibrate only). Default epochs / 4. */
  fineTuneEpochs?: number;
}

/** A method's scores on one series (mean over its origins) or overall (mean over series). */
export interface Scores {
  smape: number;
  mase: number;
  rmse: number;
  /** Share of actual values inside each central interval of {@link BacktestResult.levels} (0..1). */
  coverage: number[];
}

export interface SeriesBacktest {
  id: string;
  /** Origins at which this series was long enough to score. */
  origins: number;
  /** Per method (lstm-ts and each baseline). */
  scores: Record<string, Scores>;
  /** lstm-ts's rank among the methods by sMAPE on this series (1 = best). */
  rank: number;
}

export interface BacktestResult {
  /** lstm-ts first, then the baselines scored. */
  methods: string[];
  /** Central interval levels scored for coverage (fractions, e.g. 0.8), from the quantile pairs τ, 1 − τ. */
  levels: number[];
  horizon: number;
  period: number;
  origins: number;
  stride: number;
  /** The series scored at one origin or more, in input order. */
  series: SeriesBacktest[];
  /** Ids of series too short to score at any origin. */
  unscored: string[];
  /** Mean over scored series. */
  overall: Record<string, Scores>;
  /** Every method's overall rank by sMAPE and by MASE (1 = best). */
  ranks: { smape: Record<string, number>; mase: Record<string, number> };
  /** How many (series, origin) fits of each baseline failed and were replaced by the last-value forecast. */
  fallbacks: Record<string, number>;
  /** lstm-ts's spread factors per origin, one per quantile level (all 1 when not calibrated; see {@link fitCalibrated}). */
  spread: number[][];
  /** Wall-clock seconds. */
  seconds: number;
  /** The last origin's forecasts (the plain hold-out of the last `horizon` values), for choosing a combination on it (combine.ts). */
  final: HoldoutForecasts | null;
}

/** Every method's forecasts of the last origin's hold-out, per series scored there. */
export interface HoldoutForecasts {
  /** Indices (into the input series) of the series scored at that origin. */
  index: number[];
  /** Their training parts and hold-out values. */
  train: Float64Array[];
  actual: Float64Array[];
  /** lstm-ts's quantile forecasts. */
  lstm: QuantileForecast[];
  /** Each baseline's point forecasts (the last value where its fit failed). */
  baselines: Record<string, Float64Array[]>;
}

/** The central interval levels a set of quantiles gives: 1 − 2τ for each τ < 0.5 whose 1 − τ is there too. */
export function intervalLevels(quantiles: readonly number[]): number[] {
  const has = (v: number): boolean => quantiles.some((q) => Math.abs(q - v) < 1e-9);
  return quantiles.filter((q) => q < 0.5 && has(1 - q)).map((q) => Number((1 - 2 * q).toFixed(6))).sort((a, b) => a - b);
}

/** A point forecast with central intervals at `levels` (fractions): what each baseline gives. */
interface IntervalForecast {
  mean: Float64Array;
  lower: Float64Array[];
  upper: Float64Array[];
}

/**
 * Last value (m = 1) or seasonal naive (m ≥ 2): ŷ_{n+h} = y_{n+h−m·k}, k = ⌊(h−1)/m⌋ + 1, with
 * the usual intervals ŷ ± z·σ·√k, σ² the mean squared lag-m residual (Hyndman & Athanasopoulos, §5.5).
 */
export function naiveWithIntervals(y: ArrayLike<number>, horizon: number, period: number, levels: readonly number[]): IntervalForecast {
  const n = y.length, m = n > period ? period : 1;
  let ss = 0;
  for (let t = m; t < n; t++) ss += (y[t]! - y[t - m]!) ** 2;
  const sigma = n > m ? Math.sqrt(ss / (n - m)) : 0;
  const mean = new Float64Array(horizon), k = new Float64Array(horizon);
  for (let h = 1; h <= horizon; h++) {
    k[h - 1] = Math.floor((h - 1) / m) + 1;
    mean[h - 1] = y[n - 1 + h - m * k[h - 1]!]!;
  }
  const lower = levels.map((l) => mean.map((v, h) => v - qnorm(0.5 + l / 2) * sigma * Math.sqrt(k[h]!)));
  const upper = levels.map((l) => mean.map((v, h) => v + qnorm(0.5 + l / 2) * sigma * Math.sqrt(k[h]!)));
  return { mean, lower, upper };
}

/** One baseline's forecast of `y`, intervals at `levels` (fractions). Throws when the model cannot be fitted. */
function baselineForecast(name: BaselineName, y: Float64Array, horizon: number, period: number, levels: readonly number[]): IntervalForecast {
  if (name === 'naive') return naiveWithIntervals(y, horizon, 1, levels);
  if (name === 'snaive') return naiveWithIntervals(y, horizon, period, levels);
  const f = classicalForecast(name, y, horizon, period, levels.map((l) => 100 * l));
  // stats returns levels ascending in percent; ours are ascending fractions: same order.
  return { mean: f.mean, lower: f.lower, upper: f.upper };
}

/** Scores of one forecast against the actual values. */
function score(actual: ArrayLike<number>, f: IntervalForecast, train: ArrayLike<number>, period: number): Scores {
  const m = train.length > period ? period : 1;
  return {
    smape: smape(actual, f.mean),
    mase: mase(actual, f.mean, train, m),
    rmse: rmse(actual, f.mean),
    coverage: f.lower.map((lo, i) => coverage(actual, lo, f.upper[i]!)),
  };
}

/** The global forecast as point and intervals at `levels`. */
function fromQuantiles(f: QuantileForecast, levels: readonly number[]): IntervalForecast {
  const iv = levels.map((l) => centralInterval(f, l));
  return { mean: f.point, lower: iv.map((i) => i.lo), upper: iv.map((i) => i.hi) };
}

/** Mean of scores (equal weights); empty → NaN. */
function meanScores(list: readonly Scores[], nLevels: number): Scores {
  const mean = (pick: (s: Scores) => number): number => list.reduce((a, s) => a + pick(s), 0) / list.length;
  return {
    smape: mean((s) => s.smape), mase: mean((s) => s.mase), rmse: mean((s) => s.rmse),
    coverage: Array.from({ length: nLevels }, (_, i) => mean((s) => s.coverage[i]!)),
  };
}

/** Default baselines for a panel (see {@link BacktestOptions.baselines}). */
export function defaultBaselines(period: number, longest: number, count: number): BaselineName[] {
  return BASELINES.filter((b) => (b !== 'snaive' || period >= 2) && (b !== 'arima' || (period <= 24 && longest <= 1000 && count <= 50)));
}

/** Fewest training values a series needs to be scored at an origin. */
export const minTrainLength = (period: number): number => Math.max(4, period + 1);

/**
 * Windows each series gives per epoch when the caller does not say: the forecaster's 8, or
 * more for a small panel so every epoch still sees about 1,000 windows (one series alone
 * would otherwise train on 8 windows an epoch).
 */
export function panelWindows(seriesCount: number, opts: { windowsPerSeries?: number }): number {
  return opts.windowsPerSeries ?? Math.max(8, Math.ceil(1024 / Math.max(1, seriesCount)));
}

/** Train a global forecaster on a panel (values and covariates) with the panel defaults ({@link panelWindows}). */
export async function fitPanel(series: readonly GlobalSeries[], opts: GlobalForecasterOptions): Promise<GlobalForecaster> {
  return fitGlobalForecaster(series, { ...opts, windowsPerSeries: panelWindows(series.length, opts) });
}

/** Validation forecasts pooled for calibration: raw quantile forecasts and the values that came. */
export interface CalibrationPool {
  forecasts: QuantileForecast[];
  actual: Float64Array[];
}

/** A forecaster trained up to a cut, with the spread factors that calibrate its quantiles. */
export interface CalibratedFit {
  /** Trained on the series given (fine-tuned from the validation model when calibrated), its spread factors set (null when not calibrated). */
  forecaster: GlobalForecaster;
  /** The validation forecasts the factors came from (empty when not calibrated). */
  pool: CalibrationPool;
}

/** Validation points (series × origins × steps) aimed for when choosing the number of validation origins. */
export const CALIBRATION_POINTS = 240;

/**
 * Train a global forecaster on `series` whose quantile spread is calibrated on validation
 * origins inside them (split conformal calibration, per quantile level):
 * 1. a validation model is trained on every series minus its last V = H + r − 1 values, with r
 *    validation origins (stride 1) chosen so that series × r × H reaches CALIBRATION_POINTS
 *    (at most H origins; r = 1 for a panel of 20 series or more);
 * 2. it forecasts the last V values from those r origins, and {@link calibrateSpread} finds the
 *    factor per level that makes each quantile's share of values below it nominal there;
 * 3. the validation model is fine-tuned (fineTuneEpochs, default epochs/4) on the full series.
 * Series too short to give up V values take no part in steps 1–2. If none can, or
 * `calibrate` is false, one model is trained from scratch and the factors are 1.
 */
export async function fitCalibrated(series: readonly GlobalSeries[], opts: BacktestOptions): Promise<CalibratedFit> {
  const H = opts.horizon, period = opts.period ?? 1;
  const uncalibrated = async (): Promise<CalibratedFit> => ({ forecaster: await fitPanel(series, opts), pool: { forecasts: [], actual: [] } });
  if (opts.calibrate === false) return uncalibrated();
  const need = minTrainLength(period);
  const long = (V: number): GlobalSeries[] => series.filter((s) => s.values.length - V >= need);
  const r = Math.max(1, Math.min(H, Math.ceil(CALIBRATION_POINTS / (Math.max(1, long(H).length) * H))));
  const V = H + r - 1;
  const valSeries = long(V);
  if (valSeries.length === 0) {
    opts.log?.(`calibration: no series has ${need} values before its last ${V}: quantiles not calibrated`);
    return uncalibrated();
  }
  opts.log?.(`calibration: validation model on ${valSeries.length} series without their last ${V} values, ${r} origin(s) each`);
  const validation = await fitPanel(valSeries.map((s) => cutSeries(s, s.values.length - V, H)), opts);
  const inputs: GlobalSeries[] = [], actual: Float64Array[] = [];
  for (const s of valSeries) {
    for (let j = 0; j < r; j++) {
      const o = s.values.length - V + j;
      inputs.push(cutSeries(s, o, H));
      actual.push(Float64Array.from({ length: H }, (_, h) => s.values[o + h]!));
    }
  }
  const pool = { forecasts: validation.forecast(inputs), actual };
  const factors = calibrateSpread(pool.forecasts, pool.actual);
  opts.log?.(`calibration: spread factors ${Array.from(factors, (k) => k.toFixed(3)).join(', ')} for levels ${validation.plan.quantiles.join(', ')}`);
  const forecaster = await fineTuneGlobalForecaster(validation, series, { epochs: opts.fineTuneEpochs, seed: (opts.seed ?? 0) + 1, log: opts.log });
  return { forecaster: forecaster.withSpread(factors), pool };
}

/** Run a rolling-origin backtest of the global forecaster and the baselines on a panel (see the file header). */
export async function backtestPanel(series: readonly PanelInput[], opts: BacktestOptions): Promise<BacktestResult> {
  return (await runBacktest(series, opts)).result;
}

/**
 * backtestPanel, also handing back the last origin's calibrated fit and its raw hold-out
 * forecasts (what forecastPanel brings up to date instead of training again).
 */
export async function runBacktest(series: readonly PanelInput[], opts: BacktestOptions): Promise<{ result: BacktestResult; last: (CalibratedFit & { holdout: CalibrationPool }) | null }> {
  const t0 = performance.now();
  const H = opts.horizon, period = opts.period ?? 1;
  const K = opts.origins ?? 1, stride = opts.stride ?? H;
  checkInt('backtest: origins', K, { max: 1000 });
  checkInt('backtest: stride', stride);
  if (series.length === 0) throw new RangeError('backtest: give at least one series');
  const quantiles = opts.quantiles ?? DEFAULT_QUANTILES;
  const levels = intervalLevels(quantiles);
  const longest = series.reduce((a, s) => Math.max(a, s.values.length), 0);
  const baselines = [...(opts.baselines ?? defaultBaselines(period, longest, series.length))];
  for (const b of baselines) if (!(BASELINES as readonly string[]).includes(b)) throw new RangeError(`backtest: unknown baseline "${b}" (known: ${BASELINES.join(', ')})`);
  const methods = [LSTM_METHOD, ...baselines];
  const minTrain = minTrainLength(period);
  const perSeries: Scores[][][] = series.map(() => methods.map(() => []));
  const fallbacks: Record<string, number> = Object.create(null);
  for (const b of baselines) fallbacks[b] = 0;
  const spread: number[][] = [];
  let last: (CalibratedFit & { holdout: CalibrationPool }) | null = null;
  let final: HoldoutForecasts | null = null;

  for (let k = 1; k <= K; k++) {
    const back = H + stride * (K - k); // values held back from each series' end
    const idx = series.map((_, i) => i).filter((i) => series[i]!.values.length - back >= minTrain);
    if (idx.length === 0) continue;
    const cut = idx.map((i) => cutSeries(series[i]!, series[i]!.values.length - back, H));
    opts.log?.(`backtest: origin ${k}/${K}: ${idx.length} series, holding back ${back} value(s) each`);
    const fitted = await fitCalibrated(cut, { ...opts, quantiles });
    const raw = fitted.forecaster.withSpread(null).forecast(cut);
    const lstm = fitted.forecaster.spread ? fitted.forecaster.forecast(cut) : raw;
    spread.push(fitted.forecaster.spread ? [...fitted.forecaster.spread] : quantiles.map(() => 1));
    last = { ...fitted, holdout: { forecasts: raw, actual: [] } };
    if (k === K) final = { index: idx, train: [], actual: [], lstm, baselines: Object.fromEntries(baselines.map((b) => [b, [] as Float64Array[]])) };
    idx.forEach((i, j) => {
      const y = cut[j]!.values as Float64Array, v = series[i]!.values;
      const actual = Float64Array.from({ length: H }, (_, h) => v[y.length + h]!);
      last!.holdout.actual.push(actual);
      if (final && k === K) {
        final.train.push(y);
        final.actual.push(actual);
      }
      perSeries[i]![0]!.push(score(actual, fromQuantiles(lstm[j]!, levels), y, period));
      baselines.forEach((b, bi) => {
        let f: IntervalForecast;
        try {
          f = baselineForecast(b, y, H, period, levels);
        } catch {
          fallbacks[b]!++;
          f = naiveWithIntervals(y, H, 1, levels);
        }
        if (final && k === K) final.baselines[b]!.push(f.mean);
        perSeries[i]![bi + 1]!.push(score(actual, f, y, period));
      });
    });
  }

  const scored: SeriesBacktest[] = [];
  const unscored: string[] = [];
  series.forEach((s, i) => {
    const lists = perSeries[i]!;
    if (lists[0]!.length === 0) return void unscored.push(s.id);
    const scores: Record<string, Scores> = Object.create(null);
    methods.forEach((m, mi) => (scores[m] = meanScores(lists[mi]!, levels.length)));
    scored.push({ id: s.id, origins: lists[0]!.length, scores, rank: ranks(methods.map((m) => scores[m]!.smape))[0]! });
  });
  if (scored.length === 0) {
    throw new RangeError(`backtest: no series is long enough to score (each needs ${minTrain} training values plus ${H + stride * (K - 1)} held back for ${K} origin(s) of horizon ${H})`);
  }
  const overall: Record<string, Scores> = Object.create(null);
  for (const m of methods) overall[m] = meanScores(scored.map((s) => s.scores[m]!), levels.length);
  const by = (key: 'smape' | 'mase'): Record<string, number> => rankMethods(Object.fromEntries(methods.map((m) => [m, overall[m]![key]])));
  const result: BacktestResult = {
    methods, levels, horizon: H, period, origins: K, stride, series: scored, unscored, overall,
    ranks: { smape: by('smape'), mase: by('mase') }, fallbacks, spread, seconds: (performance.now() - t0) / 1000, final,
  };
  return { result, last };
}
