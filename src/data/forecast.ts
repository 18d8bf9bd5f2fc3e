/**
 * The forecasting recipe behind `lstm forecast`: from one numeric series to a trained LSTM, an
 * honest hold-out score against naive baselines, and a forecast past the end of the data.
 *
 * Protocol. The last horizon·k points are the hold-out tail; the model trains on the rest only
 * (scaler fitted there too). The tail is scored as k blocks: from each origin o the model sees
 * the true series before o and forecasts o..o+horizon−1 in one shot (direct multi-step
 * output), exactly as the last-value and seasonal-naive baselines are given the same origins.
 *
 * Defaults that make an untuned series work (each can be overridden):
 *   season     autocorrelation peak (see detectSeason), or given
 *   horizon    the season if it is at most 24 steps, else 12 (at most N/10)
 *   lookback   the season (one cycle shows what comes next), clamped to 8..60; without a
 *              season 24 (at most N/4, at least 4)
 *   transform  log when the series is positive and trending (multiplicative growth, e.g. airline)
 *   mode       'delta' for a trending series: inputs and targets are relative to the window's
 *              last value, so levels never seen in training can still be forecast; otherwise
 *              both 'level' and 'delta' are trained and the lower validation RMSE wins
 *   training   Adam, MSE, early stopping on the last 15% of training windows (by time) with the
 *              best weights restored; on long series only every stride-th window is used so an
 *              epoch stays under WINDOW_BUDGET input steps; an ensemble of `ensemble` seeds averaged
 *              (default 3 on short series, where it is cheap, else 1).
 */
import { StandardScaler, scalerFromJSON, type ScalerJSON } from './scalers.js';
import { difference, detectSeason, forecastMetrics, naiveForecast, trendStrength, type Metrics } from './series.js';
import { slidingWindows, windowCount } from './windows.js';
import { Tensor } from '../tensor/tensor.js';
import { LSTM, GRU, Dense, LastStep, Sequential } from '../nn/index.js';

/** Everything chosen about a forecast run (stored in the model file). */
export interface ForecastPlan {
  season: number | null;
  horizon: number;
  lookback: number;
  /** Hold-out blocks k (tail = horizon·k). */
  holdoutBlocks: number;
  transform: 'none' | 'log';
  mode: 'level' | 'delta';
  cell: 'lstm' | 'gru';
  hidden: number;
  layers: number;
  epochs: number;
  batchSize: number;
  lr: number;
  patience: number;
  ensemble: number;
  seed: number;
}

export interface ForecastOptions extends Partial<ForecastPlan> {
  /** Called with one-line progress messages (stderr in the CLI). */
  log?: (msg: string) => void;
  /** Show the trainer's progress bar/lines. Default false. */
  progress?: boolean;
}

/** Choose every setting not given in `opts`, from the training part of `values` only. */
export function planForecast(values: ArrayLike<number>, opts: ForecastOptions = {}): ForecastPlan {
  const n = values.length;
  // Season and trend are judged on the first 80%, so the hold-out never informs the plan.
  const head = Array.from({ length: Math.max(3, Math.floor(n * 0.8)) }, (_, i) => values[i]!);
  const season = opts.season !== undefined ? opts.season : detectSeason(head);
  // Short series: default horizon at most a tenth and lookback at most a quarter of the data.
  const horizon = opts.horizon ?? Math.max(1, Math.min(season !== null && season <= 24 ? season : 12, Math.floor(n / 10)));
  const lookback = opts.lookback ?? Math.max(4, Math.min(season !== null ? Math.min(60, Math.max(8, season)) : 24, Math.floor(n / 4)));
  const holdoutBlocks = opts.holdoutBlocks ?? Math.max(2, Math.min(10, Math.floor((0.1 * n) / horizon)));
  const trending = trendStrength(head) > 0.5;
  let positive = true;
  for (let i = 0; i < n; i++) if (!(values[i]! > 0)) positive = false;
  return {
    season,
    horizon,
    lookback,
    holdoutBlocks,
    transform: opts.transform ?? (positive && trending ? 'log' : 'none'),
    mode: opts.mode ?? (trending ? 'delta' : 'level'),
    cell: opts.cell ?? 'lstm',
    hidden: opts.hidden ?? 32,
    layers: opts.layers ?? 1,
    epochs: opts.epochs ?? 200,
    batchSize: opts.batchSize ?? 32,
    lr: opts.lr ?? 0.005,
    patience: opts.patience ?? 15,
    ensemble: opts.ensemble ?? (windowCount(n - horizon * holdoutBlocks, lookback, horizon) * lookback <= CHEAP_ENSEMBLE ? 3 : 1),
    seed: opts.seed ?? 0,
  };
}

/** Input steps per epoch up to which the default ensemble is 3 seeds instead of 1 (training is cheap there). */
export const CHEAP_ENSEMBLE = 10_000;

/** Minimum number of points a plan needs (training windows plus the hold-out tail). */
export function minimumLength(plan: ForecastPlan): number {
  return plan.lookback + plan.horizon * (plan.holdoutBlocks + 1) + 8;
}

/**
 * A trained forecaster: the ensemble of models plus the transform and scaler that map the
 * series to and from model units.
 */
export class SeriesForecaster {
  constructor(
    readonly plan: ForecastPlan,
    readonly models: Sequential[],
    readonly scaler: StandardScaler,
  ) {}

  /** Series value → model unit, before scaling. */
  private forward(v: number): number {
    return this.plan.transform === 'log' ? Math.log(v) : v;
  }

  private backward(u: number): number {
    return this.plan.transform === 'log' ? Math.exp(u) : u;
  }

  /**
   * The model inputs for windows ending just before each origin: x (M,lookback,1), plus the
   * anchor (the window's last value in transformed units, used by 'delta' mode).
   */
  private inputs(values: ArrayLike<number>, origins: ArrayLike<number>): { x: Tensor; anchor: Float64Array } {
    const { lookback, mode } = this.plan;
    const m = origins.length;
    const x = new Float32Array(m * lookback);
    const anchor = new Float64Array(m);
    const { mean, std } = this.scaler;
    for (let j = 0; j < m; j++) {
      const o = origins[j]!;
      if (o < lookback || o > values.length) throw new RangeError(`forecast: origin ${o} needs ${lookback} earlier points`);
      const a = this.forward(values[o - 1]!);
      anchor[j] = a;
      for (let i = 0; i < lookback; i++) {
        const z = this.forward(values[o - lookback + i]!);
        x[j * lookback + i] = mode === 'delta' ? (z - a) / std[0]! : (z - mean[0]!) / std[0]!;
      }
    }
    return { x: new Tensor(x, [m, lookback, 1]), anchor };
  }

  /** Turn model outputs (M,horizon) back into series values. */
  private outputs(y: ArrayLike<number>, anchor: Float64Array): Float64Array {
    const { horizon, mode } = this.plan;
    const { mean, std } = this.scaler;
    const out = new Float64Array(y.length);
    for (let j = 0; j < anchor.length; j++) {
      for (let h = 0; h < horizon; h++) {
        const u = y[j * horizon + h]! * std[0]! + (mode === 'delta' ? anchor[j]! : mean[0]!);
        out[j * horizon + h] = this.backward(u);
      }
    }
    return out;
  }

  /** Forecasts of `horizon` steps from each origin (the model sees values before it), concatenated. */
  predictAt(values: ArrayLike<number>, origins: ArrayLike<number>): Float64Array {
    const { x, anchor } = this.inputs(values, origins);
    const sum = new Float64Array(origins.length * this.plan.horizon);
    for (const model of this.models) {
      const y = model.predict(x).data;
      for (let i = 0; i < sum.length; i++) sum[i]! += y[i]! / this.models.length;
    }
    return this.outputs(sum, anchor);
  }

  /** The next `horizon` values after the end of `values`. */
  forecast(values: ArrayLike<number>): Float64Array {
    return this.predictAt(values, [values.length]);
  }

  /** Training inputs and targets in model units for the windows of `values` (every `stride`-th). */
  windows(values: ArrayLike<number>, stride = 1): { x: Tensor; y: Tensor; origins: Int32Array } {
    const { lookback, horizon } = this.plan;
    const w = slidingWindows(values, { lookback, horizon, stride });
    const origins = w.targetStart;
    const { x, anchor } = this.inputs(values, origins);
    const y = new Float32Array(origins.length * horizon);
    const { mean, std } = this.scaler;
    for (let j = 0; j < origins.length; j++) {
      for (let h = 0; h < horizon; h++) {
        const z = this.forward(values[origins[j]! + h]!);
        y[j * horizon + h] = (z - (this.plan.mode === 'delta' ? anchor[j]! : mean[0]!)) / std[0]!;
      }
    }
    return { x, y: new Tensor(y, [origins.length, horizon]), origins };
  }

  /** JSON stored in the model file's metadata (`forecast` key). */
  toJSON(): { plan: ForecastPlan; scaler: ScalerJSON } {
    return { plan: this.plan, scaler: this.scaler.toJSON() };
  }

  /** Rebuild from {@link toJSON} and the loaded models. */
  static fromJSON(json: unknown, models: Sequential[]): SeriesForecaster {
    const j = json as { plan?: ForecastPlan; scaler?: unknown } | null;
    if (!j || typeof j.plan !== 'object' || j.plan === null) throw new RangeError('forecast metadata: missing "plan"');
    const scaler = scalerFromJSON(j.scaler);
    if (!(scaler instanceof StandardScaler)) throw new RangeError('forecast metadata: scaler must be standard');
    return new SeriesForecaster(j.plan, models, scaler);
  }
}

/** Build one untrained model for a plan: (B,lookback,1) → LSTM/GRU → last step → Dense → (B,horizon). */
export function buildForecastModel(plan: ForecastPlan, seed: number): Sequential {
  const Cell = plan.cell === 'gru' ? GRU : LSTM;
  return new Sequential(
    [
      ['lstm', new Cell({ inputSize: 1, hiddenSize: plan.hidden, numLayers: plan.layers, batchFirst: true, seed })],
      ['last', new LastStep()],
      ['fc', new Dense({ inputSize: plan.hidden, outputSize: plan.horizon, seed: seed + 1 })],
    ],
    { task: 'regression' },
  );
}

/** Scaler for a plan fitted on the training values: of levels ('level') or of one-step changes ('delta'), after the transform. */
export function fitScaler(plan: ForecastPlan, train: ArrayLike<number>): StandardScaler {
  const z = Float64Array.from({ length: train.length }, (_, i) => (plan.transform === 'log' ? Math.log(train[i]!) : train[i]!));
  return plan.mode === 'delta' ? new StandardScaler({ withMean: false }).fit(difference(z)) : new StandardScaler().fit(z);
}

/** Input steps (windows × lookback) per training epoch before windows are thinned out by a stride. */
export const WINDOW_BUDGET = 40_000;

export interface TrainForecastResult {
  forecaster: SeriesForecaster;
  /** Per ensemble member: final training and validation loss, epochs run, seconds. */
  histories: Array<{ loss: number[]; valLoss: number[]; epochs: number; bestEpoch: number; seconds: number }>;
  /** RMSE in series units of the trained forecaster on the validation windows (the last 15% of training windows). */
  valRmse: number;
}

/** Train a forecaster on `train` (all of it is training data; its last 15% of windows validate). */
export async function trainForecaster(train: ArrayLike<number>, plan: ForecastPlan, opts: ForecastOptions = {}): Promise<TrainForecastResult> {
  const scaler = fitScaler(plan, train);
  const shell = new SeriesForecaster(plan, [], scaler);
  // Keep an epoch affordable on long series: at most ~WINDOW_BUDGET input steps per epoch.
  const all = windowCount(train.length, plan.lookback, plan.horizon);
  const stride = Math.max(1, Math.ceil((all * plan.lookback) / WINDOW_BUDGET));
  if (stride > 1) opts.log?.(`long series: every ${stride}th window of ${all} is used per epoch`);
  const { x, y, origins } = shell.windows(train, stride);
  const m = x.shape[0]!;
  const nVal = Math.max(1, Math.round(m * 0.15));
  const split = (t: Tensor, a: number, b: number): Tensor => {
    const row = t.data.length / t.shape[0]!;
    return new Tensor(t.data.slice(a * row, b * row), [b - a, ...t.shape.slice(1)]);
  };
  const xTrain = split(x, 0, m - nVal), yTrain = split(y, 0, m - nVal);
  const xVal = split(x, m - nVal, m), yVal = split(y, m - nVal, m);
  const models: Sequential[] = [];
  const histories: TrainForecastResult['histories'] = [];
  for (let k = 0; k < plan.ensemble; k++) {
    const seed = plan.seed + 1000 * k;
    const model = buildForecastModel(plan, seed);
    const h = await model.fit({
      x: xTrain,
      y: yTrain,
      validation: { x: xVal, y: yVal },
      epochs: plan.epochs,
      batchSize: plan.batchSize,
      shuffle: true,
      seed,
      loss: 'mse',
      optimizer: { name: 'adam', lr: plan.lr },
      clipNorm: 1,
      earlyStopping: { patience: plan.patience, restoreBest: true },
      progress: opts.progress ?? false,
    });
    opts.log?.(`member ${k + 1}/${plan.ensemble}: ${h.epochs} epochs, best val loss ${Math.min(...h.valLoss).toFixed(4)} at epoch ${h.bestEpoch}, ${h.seconds.toFixed(1)} s`);
    models.push(model);
    histories.push(h);
  }
  const forecaster = new SeriesForecaster(plan, models, scaler);
  const valOrigins = origins.subarray(m - nVal);
  const valActual = Float64Array.from({ length: nVal * plan.horizon }, (_, i) => train[valOrigins[Math.floor(i / plan.horizon)]! + (i % plan.horizon)]!);
  const valRmse = forecastMetrics(valActual, forecaster.predictAt(train, valOrigins)).rmse;
  return { forecaster, histories, valRmse };
}

export interface ForecastResult {
  plan: ForecastPlan;
  forecaster: SeriesForecaster;
  histories: TrainForecastResult['histories'];
  /** Index of the first hold-out point (= number of training points). */
  holdoutStart: number;
  /** Hold-out actual values and the model's forecasts for them. */
  holdout: { actual: Float64Array; predicted: Float64Array; last: Float64Array; seasonal: Float64Array | null };
  metrics: Metrics;
  baselines: { last: Metrics; seasonal: Metrics | null };
  /** `horizon` values past the end of the data. */
  forecast: Float64Array;
}

/**
 * The whole protocol: plan, train on all but the hold-out tail, score the tail against the
 * baselines, forecast past the end. Throws a RangeError when the series is too short.
 */
export async function runForecast(values: ArrayLike<number>, opts: ForecastOptions = {}): Promise<ForecastResult> {
  const plan = planForecast(values, opts);
  const n = values.length;
  const need = minimumLength(plan);
  if (n < need) {
    throw new RangeError(
      `too few rows: ${n}, need at least ${need} for lookback ${plan.lookback} + horizon ${plan.horizon} × (${plan.holdoutBlocks} hold-out blocks + 1) + 8 training windows`,
    );
  }
  if (plan.transform === 'log') {
    for (let i = 0; i < n; i++) if (!(values[i]! > 0)) throw new RangeError(`log transform needs positive values, row ${i} is ${values[i]}`);
  }
  const holdoutStart = n - plan.horizon * plan.holdoutBlocks;
  const train = Array.prototype.slice.call(values, 0, holdoutStart) as number[];
  opts.log?.(
    `plan: season ${plan.season ?? 'none'}, horizon ${plan.horizon}, lookback ${plan.lookback}, hold-out ${n - holdoutStart} points (${plan.holdoutBlocks} × ${plan.horizon}), transform ${plan.transform}, mode ${opts.mode ?? (plan.mode === 'delta' ? 'delta' : 'level or delta (by validation)')}`,
  );
  // Without a given mode, a non-trending series tries both and keeps the one with the lower
  // validation RMSE (a trending series always uses 'delta': levels beyond the training range
  // cannot be forecast in 'level' mode).
  const modes: Array<ForecastPlan['mode']> = opts.mode ? [opts.mode] : plan.mode === 'delta' ? ['delta'] : ['level', 'delta'];
  let best: TrainForecastResult | null = null;
  for (const mode of modes) {
    const r = await trainForecaster(train, { ...plan, mode }, opts);
    if (modes.length > 1) opts.log?.(`mode ${mode}: validation RMSE ${r.valRmse.toPrecision(4)}`);
    if (!best || r.valRmse < best.valRmse) best = r;
  }
  const { forecaster, histories } = best!;
  plan.mode = forecaster.plan.mode;
  const origins = Array.from({ length: plan.holdoutBlocks }, (_, b) => holdoutStart + b * plan.horizon);
  const actual = Float64Array.from({ length: n - holdoutStart }, (_, i) => values[holdoutStart + i]!);
  const predicted = forecaster.predictAt(values, origins);
  const last = naiveForecast(values, origins, plan.horizon, 'last');
  const seasonal = plan.season !== null && plan.season < holdoutStart ? naiveForecast(values, origins, plan.horizon, 'seasonal', plan.season) : null;
  const lastM = forecastMetrics(actual, last);
  return {
    plan,
    forecaster,
    histories,
    holdoutStart,
    holdout: { actual, predicted, last, seasonal },
    metrics: forecastMetrics(actual, predicted),
    baselines: { last: lastM, seasonal: seasonal ? forecastMetrics(actual, seasonal) : null },
    forecast: forecaster.forecast(values),
  };
}
