/**
 * Rolling-origin backtests of what the forecaster delivers against the statistical baselines a
 * practitioner would use instead (last value, seasonal naive, ETS, Theta, auto-ARIMA from
 * src/stats), every method fitted on exactly the same training part and scored on exactly the
 * same hold-out.
 *
 * Origins: with K origins, horizon H and stride s (default H), origin k = 1..K cuts every
 * series at n − H − s·(K − k): the part before the cut trains (one global model per origin,
 * over all series; one baseline fit per series), the next H values score. Origin K is the
 * plain hold-out of the last H values.
 *
 * Validation inside each training part ({@link fitCalibrated}): a validation model trained
 * without the part's last r windows of H values forecasts those windows and is then fine-tuned
 * up to the cut. Its window forecasts set the LSTM's quantile spread factors and, by default
 * (method 'combined', what `lstm forecast` delivers), the combination's weights: the classical
 * pool (Theta, ETS, auto-ARIMA where it is a baseline) is fitted at each window's origin, and the
 * weights and the combination's spread are chosen there (combine.ts, fitCombination), then
 * applied to the origin's own forecasts. Nothing after the cut is used. The LSTM alone is scored
 * too, as the row 'lstm'.
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
import { applyCombination, fitCombination, POOL_METHODS, type Combination, type ForecastMethod, type PoolMethod } from './combine.js';
import { fitClassical, pointsOrLast } from './classical.js';
import type { EtsComponents } from '../../stats/ets.js';
import { DEFAULT_QUANTILES, calibratedFactors, centralInterval, type QuantileForecast } from './quantiles.js';

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
  /** Epochs that bring the validation model up to the cut. Default epochs / 4. */
  fineTuneEpochs?: number;
  /**
   * What the lstm-ts row is: 'combined' (default), the LSTM's combination with the classical
   * `pool` that `lstm forecast` delivers, its weights and interval spread chosen at every origin
   * on validation windows inside that origin's training part (the calibration's, see
   * {@link fitCalibrated}), the LSTM alone then scored too as the row 'lstm'; or 'lstm', the LSTM
   * alone. (forecastPanel: 'combined' chooses on the hold-out, and needs it.)
   */
  method?: ForecastMethod;
  /**
   * Classical methods combined with the LSTM (method 'combined'). Default: those of theta, ets
   * and arima among the baselines (given or default); none: the combination is the LSTM alone.
   */
  pool?: readonly PoolMethod[];
  /** Prior of the combination weights' shrinkage toward equal weights (combine.ts WEIGHT_PRIOR by default; 0: the grid's choice unshrunk). */
  weightPrior?: number;
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
  /** lstm-ts's rank by sMAPE on this series among itself and the baselines (1 = best). */
  rank: number;
}

export interface BacktestResult {
  /** lstm-ts first, then 'lstm' (the LSTM alone, when lstm-ts is the combination), then the baselines scored. */
  methods: string[];
  /** What the lstm-ts row is: 'combined' (the LSTM combined with `pool`) or 'lstm' (the LSTM alone). */
  method: ForecastMethod;
  /** The classical methods combined with the LSTM (empty for method 'lstm'). */
  pool: PoolMethod[];
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
  /**
   * Every method's overall rank by sMAPE and by MASE (1 = best), among lstm-ts and the baselines;
   * the row 'lstm' (the LSTM alone) is ranked among itself and the baselines (the rank lstm-ts
   * would have with method 'lstm'), so neither pushes the other down.
   */
  ranks: { smape: Record<string, number>; mase: Record<string, number> };
  /** How many (series, origin) fits of each baseline failed and were replaced by the last-value forecast. */
  fallbacks: Record<string, number>;
  /** The LSTM's spread factors per origin, one per quantile level (all 1 when not calibrated; see {@link fitCalibrated}). */
  spread: number[][];
  /** Method 'combined': the combination chosen at each origin (weights, LSTM first, and its spread factors), or null where none could be chosen (the LSTM alone then). */
  combinations: (Combination | null)[];
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
  /** The ETS form fitted to each series' training part (null where ETS was not a baseline or failed): what refits on the full series reuse. */
  etsForms: (EtsComponents | null)[];
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

const isPoolMethod = (b: BaselineName): b is PoolMethod => (POOL_METHODS as readonly string[]).includes(b);

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

/** Validation forecasts pooled for calibration (and for choosing a combination): raw quantile forecasts, the values that came, and the values before each window. */
export interface CalibrationPool {
  forecasts: QuantileForecast[];
  actual: Float64Array[];
  /** The series' values before each window (what the classical members are fitted on, MASE's scale). */
  train: Float64Array[];
}

/** A forecaster trained up to a cut, with the spread factors that calibrate its quantiles. */
export interface CalibratedFit {
  /** Trained on the series given (fine-tuned from the validation model when there is one), its spread factors set (null when not calibrated). */
  forecaster: GlobalForecaster;
  /** The validation forecasts the factors came from (empty when there was no validation model). */
  pool: CalibrationPool;
}

/** Validation points (series × windows × steps) aimed for when choosing the number of validation windows. */
export const CALIBRATION_POINTS = 240;

/** Most of a series (its median length, over the panel) that validation windows may hold back. */
export const VALIDATION_SHARE = 0.2;

/**
 * Validation windows r of {@link fitCalibrated}: enough for series × r × H to reach
 * CALIBRATION_POINTS, but holding back at most VALIDATION_SHARE of the median series (the
 * validation model must still learn from most of the data), and at least one. The windows sit
 * side by side (stride H): overlapping ones (stride 1, as before) repeat the same few values and
 * gave one series' spread factors from 0.19 to 1.7.
 */
export function validationWindows(lengths: readonly number[], horizon: number): number {
  if (lengths.length === 0) return 1;
  const sorted = [...lengths].sort((a, b) => a - b), median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const want = Math.ceil(CALIBRATION_POINTS / (lengths.length * horizon));
  return Math.max(1, Math.min(want, Math.floor((VALIDATION_SHARE * median) / horizon)));
}

/**
 * Train a global forecaster on `series` whose quantile spread is calibrated on validation
 * windows inside them (split conformal calibration, per quantile level):
 * 1. a validation model is trained on every series minus its last V = r·H values, r windows
 *    side by side ({@link validationWindows}: r = 1 for a panel of 20 series or more);
 * 2. it forecasts each window from its origin (seeing the true values before it), and
 *    {@link calibratedFactors} finds the factor per level that makes each quantile's share of
 *    values below it nominal there, shrunk towards 1 by the number of values that set it;
 * 3. the validation model is fine-tuned (fineTuneEpochs, default epochs/4) on the full series.
 * Series too short to give up V values take no part in steps 1–2. If none can, or
 * `calibrate` is false (and `validate` is not asked for), one model is trained from scratch and
 * the factors are 1. `validate`: train the validation model and return its pool even when
 * `calibrate` is false (the combination is chosen on it); the factors then stay 1.
 */
export async function fitCalibrated(series: readonly GlobalSeries[], opts: BacktestOptions, validate = false): Promise<CalibratedFit> {
  const calibrate = opts.calibrate !== false;
  const uncalibrated = async (): Promise<CalibratedFit> => ({ forecaster: await fitPanel(series, opts), pool: { forecasts: [], actual: [], train: [] } });
  if (!calibrate && !validate) return uncalibrated();
  let validation: GlobalForecaster | null = null;
  const checked = await validateOn(series, opts, async (cuts, inputs) => {
    validation = await fitPanel(cuts, opts);
    return validation.forecast(inputs);
  });
  if (!checked || !validation) return uncalibrated();
  const forecaster = await fineTuneGlobalForecaster(validation, series, { epochs: opts.fineTuneEpochs, seed: (opts.seed ?? 0) + 1, log: opts.log });
  if (!calibrate) return { forecaster, pool: checked.pool };
  opts.log?.(`calibration: spread factors ${Array.from(checked.factors, (k) => k.toFixed(3)).join(', ')} for levels ${(validation as GlobalForecaster).plan.quantiles.join(', ')} (${checked.pool.actual.length * opts.horizon} validation values)`);
  return { forecaster: forecaster.withSpread(checked.factors), pool: checked.pool };
}

/**
 * Steps 1–2 of {@link fitCalibrated} with any forecaster: `forecast(cuts, inputs)` is given every
 * series that takes part minus its last V = r·H values (to train on) and the inputs of the r
 * windows per series (each series up to the window's origin), and returns quantile forecasts of
 * the windows. Returns the validation pool and its spread factors ({@link calibratedFactors}), or
 * null (with a log line) when no series has minTrainLength values before its last V.
 */
export async function validateOn(
  series: readonly GlobalSeries[], opts: Pick<BacktestOptions, 'horizon' | 'period' | 'log'>,
  forecast: (cuts: GlobalSeries[], inputs: GlobalSeries[]) => Promise<QuantileForecast[]>,
): Promise<{ pool: CalibrationPool; factors: Float64Array; windows: number } | null> {
  const H = opts.horizon, need = minTrainLength(opts.period ?? 1);
  const r = validationWindows(series.map((s) => s.values.length).filter((n) => n - H >= need), H);
  const V = r * H;
  const valSeries = series.filter((s) => s.values.length - V >= need);
  if (valSeries.length === 0) {
    opts.log?.(`calibration: no series has ${need} values before its last ${V}: no validation model, quantiles not calibrated`);
    return null;
  }
  opts.log?.(`calibration: validation model on ${valSeries.length} series without their last ${V} values, ${r} window(s) of ${H} each`);
  const inputs: GlobalSeries[] = [], actual: Float64Array[] = [], train: Float64Array[] = [];
  for (const s of valSeries) {
    for (let j = 0; j < r; j++) {
      const o = s.values.length - V + j * H;
      inputs.push(cutSeries(s, o, H));
      actual.push(Float64Array.from({ length: H }, (_, h) => s.values[o + h]!));
      train.push(Float64Array.from({ length: o }, (_, t) => s.values[t]!));
    }
  }
  const forecasts = await forecast(valSeries.map((s) => cutSeries(s, s.values.length - V, H)), inputs);
  return { pool: { forecasts, actual, train }, factors: calibratedFactors(forecasts, actual), windows: r };
}

/** Run a rolling-origin backtest of the global forecaster and the baselines on a panel (see the file header). */
export async function backtestPanel(series: readonly PanelInput[], opts: BacktestOptions): Promise<BacktestResult> {
  return (await runBacktest(series, opts)).result;
}

/**
 * The baselines scored and the classical methods combined with the LSTM: the pool asked for
 * (added to the baselines when missing), else the pool methods among the baselines (given or
 * default); no pool for method 'lstm'.
 */
export function baselinesAndPool(series: readonly PanelInput[], opts: BacktestOptions, combined: boolean): { baselines: BaselineName[]; pool: PoolMethod[] } {
  for (const m of opts.pool ?? []) if (!(POOL_METHODS as readonly string[]).includes(m)) throw new RangeError(`forecast: unknown pool method "${m}" (known: ${POOL_METHODS.join(', ')})`);
  const longest = series.reduce((a, s) => Math.max(a, s.values.length), 0);
  const baselines: BaselineName[] = [...(opts.baselines ?? defaultBaselines(opts.period ?? 1, longest, series.length))];
  for (const b of baselines) if (!(BASELINES as readonly string[]).includes(b)) throw new RangeError(`backtest: unknown baseline "${b}" (known: ${BASELINES.join(', ')})`);
  if (!combined) return { baselines, pool: [] };
  const pool = opts.pool ? [...opts.pool] : POOL_METHODS.filter((m) => baselines.includes(m));
  return { baselines: [...baselines, ...pool.filter((m) => !baselines.includes(m))], pool };
}

/** Name of the LSTM-alone row when lstm-ts is the combination. */
export const LSTM_ALONE = 'lstm';

/**
 * The combination of one origin, chosen on the validation windows of its training part (the
 * pool fitted at each window's origin), applied to the origin's own forecasts. Null (with a
 * log line) when no weights can be chosen: no validation windows, or every one constant.
 */
async function originCombination(val: CalibrationPool, pool: readonly PoolMethod[], period: number, opts: BacktestOptions): Promise<Combination | null> {
  if (val.forecasts.length === 0) return null;
  const H = opts.horizon;
  const fits = await fitClassical({ methods: pool, series: val.train, horizon: H, period, levels: [] }, { log: opts.log });
  const fitted = Object.fromEntries(pool.map((m) => [m, pointsOrLast(fits, m, val.train, H).points]));
  try {
    return fitCombination(val.forecasts, fitted, val.actual, val.train, period, { lstmName: LSTM_METHOD, ...(opts.weightPrior === undefined ? {} : { prior: opts.weightPrior }) });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    opts.log?.(`backtest: no combination chosen at this origin (${e.message}): the LSTM alone`);
    return null;
  }
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
  const requested = opts.method ?? 'combined';
  if (requested !== 'combined' && requested !== 'lstm') throw new RangeError(`backtest: method must be 'combined' or 'lstm', got ${JSON.stringify(requested)}`);
  const quantiles = opts.quantiles ?? DEFAULT_QUANTILES;
  const levels = intervalLevels(quantiles);
  const { baselines, pool } = baselinesAndPool(series, opts, requested === 'combined');
  // A combination with no classical member would be the LSTM alone: score it as that.
  const method: ForecastMethod = pool.length > 0 ? requested : 'lstm';
  if (method !== requested) opts.log?.("backtest: no classical method to combine with (pool empty): lstm-ts is the LSTM alone");
  const combined = method === 'combined';
  const methods = [LSTM_METHOD, ...(combined ? [LSTM_ALONE] : []), ...baselines];
  const first = combined ? 2 : 1; // index of the first baseline in methods
  const minTrain = minTrainLength(period);
  const perSeries: Scores[][][] = series.map(() => methods.map(() => []));
  const fallbacks: Record<string, number> = Object.create(null);
  for (const b of baselines) fallbacks[b] = 0;
  const spread: number[][] = [], combinations: (Combination | null)[] = [];
  let last: (CalibratedFit & { holdout: CalibrationPool }) | null = null;
  let final: HoldoutForecasts | null = null;

  for (let k = 1; k <= K; k++) {
    const back = H + stride * (K - k); // values held back from each series' end
    const idx = series.map((_, i) => i).filter((i) => series[i]!.values.length - back >= minTrain);
    if (idx.length === 0) continue;
    const cut = idx.map((i) => cutSeries(series[i]!, series[i]!.values.length - back, H));
    opts.log?.(`backtest: origin ${k}/${K}: ${idx.length} series, holding back ${back} value(s) each`);
    // The classical baselines are fitted (in worker threads for a big panel) while the LSTM trains.
    // stats returns intervals ascending in percent; ours are ascending fractions: same order.
    const classical = fitClassical({ methods: baselines.filter(isPoolMethod), series: cut.map((c) => c.values), horizon: H, period, levels: levels.map((l) => 100 * l) }, { log: opts.log });
    classical.catch(() => {}); // awaited below; should the training throw first, its failure is not reported as unhandled
    const fitted = await fitCalibrated(cut, { ...opts, quantiles }, combined);
    const fits = await classical;
    const raw = fitted.forecaster.withSpread(null).forecast(cut);
    const lstm = fitted.forecaster.spread ? fitted.forecaster.forecast(cut) : raw;
    spread.push(fitted.forecaster.spread ? [...fitted.forecaster.spread] : quantiles.map(() => 1));
    const combination = combined ? await originCombination(fitted.pool, pool, period, opts) : null;
    if (combined) {
      combinations.push(combination);
      if (combination) opts.log?.(`backtest: origin ${k}/${K}: combination weights ${combination.methods.map((m, j) => `${m} ${combination.weights[j]!.toFixed(3)}`).join(', ')} (grid ${combination.grid.join('/')} chosen on ${fitted.pool.forecasts.length} validation window(s), shrunk toward equal by ${combination.points.toFixed(1)} values)`);
    }
    last = { ...fitted, holdout: { forecasts: raw, actual: [], train: [] } };
    if (k === K) final = { index: idx, train: [], actual: [], lstm, baselines: Object.fromEntries(baselines.map((b) => [b, [] as Float64Array[]])), etsForms: idx.map((_, j) => fits['ets']?.[j]?.form ?? null) };
    // The baselines' forecasts at this origin (the pool's point forecasts among them).
    const means: Record<string, Float64Array[]> = Object.fromEntries(baselines.map((b) => [b, [] as Float64Array[]]));
    const actuals: Float64Array[] = [];
    idx.forEach((i, j) => {
      const y = cut[j]!.values as Float64Array, v = series[i]!.values;
      const actual = Float64Array.from({ length: H }, (_, h) => v[y.length + h]!);
      actuals.push(actual);
      last!.holdout.actual.push(actual);
      last!.holdout.train.push(y);
      if (final && k === K) {
        final.train.push(y);
        final.actual.push(actual);
      }
      perSeries[i]![combined ? 1 : 0]!.push(score(actual, fromQuantiles(lstm[j]!, levels), y, period));
      baselines.forEach((b, bi) => {
        let f: IntervalForecast | null = b === 'naive' ? naiveWithIntervals(y, H, 1, levels) : b === 'snaive' ? naiveWithIntervals(y, H, period, levels) : fits[b]![j] ?? null;
        if (!f || !f.mean.every(Number.isFinite)) {
          fallbacks[b]!++; // the model could not be fitted
          f = naiveWithIntervals(y, H, 1, levels);
        }
        means[b]!.push(f.mean);
        if (final && k === K) final.baselines[b]!.push(f.mean);
        perSeries[i]![bi + first]!.push(score(actual, f, y, period));
      });
    });
    if (combined) {
      const out = combination ? applyCombination(combination, raw, Object.fromEntries(pool.map((m) => [m, means[m]!]))) : lstm;
      idx.forEach((i, j) => perSeries[i]![0]!.push(score(actuals[j]!, fromQuantiles(out[j]!, levels), cut[j]!.values, period)));
    }
  }

  const scored: SeriesBacktest[] = [];
  const unscored: string[] = [];
  // lstm-ts is ranked among itself and the baselines; the LSTM-alone row among itself and the baselines.
  const rivals = (m: string): string[] => [m, ...baselines];
  const rankOf = (m: string, score: (name: string) => number): number => rankMethods(Object.fromEntries(rivals(m).map((x) => [x, score(x)])))[m]!;
  series.forEach((s, i) => {
    const lists = perSeries[i]!;
    if (lists[0]!.length === 0) return void unscored.push(s.id);
    const scores: Record<string, Scores> = Object.create(null);
    methods.forEach((m, mi) => (scores[m] = meanScores(lists[mi]!, levels.length)));
    scored.push({ id: s.id, origins: lists[0]!.length, scores, rank: rankOf(LSTM_METHOD, (m) => scores[m]!.smape) });
  });
  if (scored.length === 0) {
    throw new RangeError(`backtest: no series is long enough to score (each needs ${minTrain} training values plus ${H + stride * (K - 1)} held back for ${K} origin(s) of horizon ${H})`);
  }
  const overall: Record<string, Scores> = Object.create(null);
  for (const m of methods) overall[m] = meanScores(scored.map((s) => s.scores[m]!), levels.length);
  const by = (key: 'smape' | 'mase'): Record<string, number> => {
    const r = rankMethods(Object.fromEntries([LSTM_METHOD, ...baselines].map((m) => [m, overall[m]![key]])));
    if (combined) r[LSTM_ALONE] = rankOf(LSTM_ALONE, (m) => overall[m]![key]);
    return r;
  };
  const result: BacktestResult = {
    methods, method, pool, levels, horizon: H, period, origins: K, stride, series: scored, unscored, overall,
    ranks: { smape: by('smape'), mase: by('mase') }, fallbacks, spread, combinations, seconds: (performance.now() - t0) / 1000, final,
  };
  return { result, last };
}
