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
 *   season     detected among the calendar seasons (see src/stats/season.ts), or given
 *   horizon    the season if it is at most 24 steps, else 12 (at most N/10)
 *   lookback   the season (one cycle shows what comes next), clamped to 8..60; without a
 *              season 24 (at most N/4, at least 4)
 *   transform  log when the series is positive and trending (multiplicative growth, e.g. airline)
 *   mode       'delta' for a trending series: inputs and targets are relative to the window's
 *              last value, so levels never seen in training can still be forecast; otherwise
 *              'both': a 'level' and a 'delta' forecaster are trained and their forecasts
 *              averaged (on untuned series the average was never the worse of the two, and
 *              it beat picking one by validation error on 6 of 7 test series)
 *   training   Adam, MSE, early stopping on the last 15% of training windows (by time) with the
 *              best weights restored; on long series only every stride-th window is used so an
 *              epoch stays under WINDOW_BUDGET input steps; an ensemble of `ensemble` seeds averaged
 *              (default 3 on short series, where it is cheap, else 1).
 */
import { StandardScaler, scalerFromJSON, type ScalerJSON } from '../../data/scalers.js';
import { difference, forecastMetrics, naiveForecast, trendStrength, type Metrics } from '../../data/series.js';
import { detectSeason } from '../../stats/season.js';
import { slidingWindows, windowCount } from '../../data/windows.js';
import { Tensor } from '../../tensor/tensor.js';
import { LSTM, GRU, Dense, LastStep, Sequential } from '../../nn/index.js';
import { divergedError, fit, type History } from '../../train/fit.js';
import { compile, type EngineName } from '../../io/onnx/engine.js';
import { checkpointExists, checkpointFitOptions, fingerprint, withPartial, type CheckpointOptions } from '../resume.js';
import { checkModelSize } from '../budget.js';

/** How a model sees a window: standardised levels, or changes relative to the window's last value. */
export type ForecastMode = 'level' | 'delta';

/** Everything chosen about a forecast run (stored in the model file). */
export interface ForecastPlan {
  season: number | null;
  horizon: number;
  lookback: number;
  /** Hold-out blocks k (tail = horizon·k). */
  holdoutBlocks: number;
  transform: 'none' | 'log';
  /** 'both' trains a level and a delta forecaster and averages them. */
  mode: ForecastMode | 'both';
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

/**
 * `checkpoint` is a path prefix here: ensemble member k of a mode checkpoints to
 * `<prefix>.<mode>.<k>.safetensors`. With `resume`, each member whose file exists continues from
 * it (a finished member is only reloaded) and members never started train from scratch.
 */
export interface ForecastOptions extends Partial<ForecastPlan>, CheckpointOptions {
  /** Called with one-line progress messages (stderr in the CLI). */
  log?: (msg: string) => void;
  /** Show the trainer's progress bar/lines. Default false. */
  progress?: boolean;
  /**
   * Where the hold-out scoring and the forecast run once training is done (compile; training
   * always runs on the kernels). Default 'wasm', the kernels. 'onnxruntime' is checked before
   * training starts, so a missing onnxruntime-node fails at once, not after the training.
   */
  engine?: EngineName;
}

/** The fixed defaults of a plan (the others are chosen from the series by planForecast). */
export const FORECAST_DEFAULTS = { cell: 'lstm', hidden: 32, layers: 1, epochs: 200, batchSize: 32, lr: 0.005, patience: 15, seed: 0 } as const;

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
    mode: opts.mode ?? (trending ? 'delta' : 'both'),
    cell: opts.cell ?? FORECAST_DEFAULTS.cell,
    hidden: opts.hidden ?? FORECAST_DEFAULTS.hidden,
    layers: opts.layers ?? FORECAST_DEFAULTS.layers,
    epochs: opts.epochs ?? FORECAST_DEFAULTS.epochs,
    batchSize: opts.batchSize ?? FORECAST_DEFAULTS.batchSize,
    lr: opts.lr ?? FORECAST_DEFAULTS.lr,
    patience: opts.patience ?? FORECAST_DEFAULTS.patience,
    ensemble: opts.ensemble ?? (windowCount(n - horizon * holdoutBlocks, lookback, horizon) * lookback <= CHEAP_ENSEMBLE ? 3 : 1),
    seed: opts.seed ?? FORECAST_DEFAULTS.seed,
  };
}

/** Input steps per epoch up to which the default ensemble is 3 seeds instead of 1 (training is cheap there). */
export const CHEAP_ENSEMBLE = 10_000;

/** Minimum number of points a plan needs (training windows plus the hold-out tail). */
export function minimumLength(plan: ForecastPlan): number {
  return plan.lookback + plan.horizon * (plan.holdoutBlocks + 1) + 8;
}

/**
 * One mode's forecaster: an ensemble of models plus the transform and scaler that map the
 * series to and from model units in that mode.
 */
export class ModeForecaster {
  constructor(
    readonly plan: ForecastPlan,
    readonly mode: ForecastMode,
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
    const { lookback } = this.plan;
    const mode = this.mode;
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
    const { horizon } = this.plan;
    const mode = this.mode;
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
    const out = this.outputs(sum, anchor);
    // A diverged model (or an input far outside what it saw) overflows back in series units,
    // e.g. exp() of a huge log: never hand out ±Infinity or NaN as a forecast.
    const bad = out.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      const h = this.plan.horizon;
      throw new RangeError(`the ${this.mode} model's forecast from origin ${origins[Math.floor(bad / h)]} is ${out[bad]} at step ${(bad % h) + 1} (in model units ${sum[bad]}): the model diverged, or the input is far outside the range it was trained on`);
    }
    return out;
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
        y[j * horizon + h] = (z - (this.mode === 'delta' ? anchor[j]! : mean[0]!)) / std[0]!;
      }
    }
    return { x, y: new Tensor(y, [origins.length, horizon]), origins };
  }

  /** JSON of this part (stored in the model file's `forecast.parts`). */
  toJSON(): { mode: ForecastMode; scaler: ScalerJSON; models: number } {
    return { mode: this.mode, scaler: this.scaler.toJSON(), models: this.models.length };
  }
}

/**
 * A trained forecaster: one or two mode forecasters (see ForecastPlan.mode) whose forecasts
 * are averaged in series units. This is what `runForecast` returns and model files restore.
 */
export class SeriesForecaster {
  constructor(
    readonly plan: ForecastPlan,
    readonly parts: ModeForecaster[],
  ) {}

  /** Every model, part by part (the order model files are written in). */
  get models(): Sequential[] {
    return this.parts.flatMap((p) => p.models);
  }

  /** Forecasts of `horizon` steps from each origin (the model sees values before it), concatenated. */
  predictAt(values: ArrayLike<number>, origins: ArrayLike<number>): Float64Array {
    const sum = new Float64Array(origins.length * this.plan.horizon);
    for (const part of this.parts) {
      const y = part.predictAt(values, origins);
      for (let i = 0; i < sum.length; i++) sum[i]! += y[i]! / this.parts.length;
    }
    return sum;
  }

  /** The next `horizon` values after the end of `values`. */
  forecast(values: ArrayLike<number>): Float64Array {
    return this.predictAt(values, [values.length]);
  }

  /**
   * Rolling-origin score over a series: an origin every `horizon` steps from the first with a
   * full window (and a season) behind it — or from `from` on (e.g. the first point the model
   * was not trained on) — forecasts against the last-value and seasonal-naive baselines. A
   * series with no such origin is a RangeError.
   */
  evaluate(values: ArrayLike<number>, opts: { from?: number } = {}): { origins: number[]; points: number; metrics: Metrics; baselines: { last: Metrics; seasonal: Metrics | null } } {
    const { lookback, horizon, season } = this.plan;
    const first = Math.max(lookback, season ?? 0, opts.from ?? 0);
    const origins: number[] = [];
    for (let o = first; o + horizon <= values.length; o += horizon) origins.push(o);
    if (origins.length === 0) throw new RangeError(`too few rows: ${values.length}, need at least ${first + horizon} (${opts.from !== undefined && opts.from >= Math.max(lookback, season ?? 0) ? 'the first unseen row' : 'lookback/season'} + horizon)`);
    const actual = Float64Array.from(origins.flatMap((o) => Array.from({ length: horizon }, (_, h) => values[o + h]!)));
    return {
      origins,
      points: actual.length,
      metrics: forecastMetrics(actual, this.predictAt(values, origins)),
      baselines: {
        last: forecastMetrics(actual, naiveForecast(values, origins, horizon, 'last')),
        seasonal: season ? forecastMetrics(actual, naiveForecast(values, origins, horizon, 'seasonal', season)) : null,
      },
    };
  }

  /** JSON stored in the model file's metadata (`forecast` key). */
  toJSON(): { plan: ForecastPlan; parts: Array<ReturnType<ModeForecaster['toJSON']>> } {
    return { plan: this.plan, parts: this.parts.map((p) => p.toJSON()) };
  }

  /**
   * Windows of `values` in the model units of the first part, i.e. the inputs of the first
   * model file (what a trace of `model.safetensors` needs).
   */
  windows(values: ArrayLike<number>, stride = 1): { x: Tensor; y: Tensor; origins: Int32Array } {
    return this.parts[0]!.windows(values, stride);
  }

  /**
   * Rebuild from {@link toJSON} and the loaded models (all parts' models, in file order). Given
   * only the first few models (e.g. just model.safetensors), the parts they cover are restored.
   */
  static fromJSON(json: unknown, models: Sequential[]): SeriesForecaster {
    const j = json as { plan?: ForecastPlan; parts?: unknown } | null;
    if (!j || typeof j.plan !== 'object' || j.plan === null) throw new RangeError('forecast metadata: missing "plan"');
    if (!Array.isArray(j.parts) || j.parts.length < 1 || j.parts.length > 2) throw new RangeError('forecast metadata: "parts" must be a list of 1 or 2 parts');
    // The plan comes from a file: check what forecasting reads, so a damaged file cannot hang or mislead.
    const p = j.plan;
    const out = models[0]?.outputSize;
    if (!Number.isInteger(p.lookback) || p.lookback < 1 || p.lookback > 1e6) throw new RangeError(`forecast metadata: plan.lookback must be an integer in 1..1e6, got ${JSON.stringify(p.lookback)}`);
    if (!Number.isInteger(p.horizon) || p.horizon < 1 || (out !== undefined && p.horizon !== out)) throw new RangeError(`forecast metadata: plan.horizon ${JSON.stringify(p.horizon)} does not match the model's ${out} outputs`);
    if (p.transform !== 'none' && p.transform !== 'log') throw new RangeError(`forecast metadata: plan.transform must be "none" or "log", got ${JSON.stringify(p.transform)}`);
    let next = 0;
    const parts = (j.parts as Array<{ mode?: unknown; scaler?: unknown; models?: unknown }>).map((part, i) => {
      if (part?.mode !== 'level' && part?.mode !== 'delta') throw new RangeError(`forecast metadata: parts[${i}].mode must be "level" or "delta", got ${JSON.stringify(part?.mode)}`);
      const k = part.models;
      if (!Number.isInteger(k) || (k as number) < 1 || (k as number) > 1000) throw new RangeError(`forecast metadata: parts[${i}].models must be a model count, got ${JSON.stringify(k)}`);
      const scaler = scalerFromJSON(part.scaler);
      if (!(scaler instanceof StandardScaler) || scaler.mean.length !== 1) throw new RangeError(`forecast metadata: parts[${i}].scaler must be a one-column standard scaler`);
      const own = models.slice(next, next + (k as number));
      next += k as number;
      return new ModeForecaster(p, part.mode, own, scaler);
    });
    if (models.length === 0 || models.length > next) throw new RangeError(`forecast metadata: the parts name ${next} models, ${models.length} were given`);
    return new SeriesForecaster(p, parts.filter((part) => part.models.length > 0));
  }
}

/** Build one untrained model for a plan: (B,lookback,1) → LSTM/GRU → last step → Dense → (B,horizon). */
export function buildForecastModel(plan: ForecastPlan, seed: number): Sequential {
  const Cell = plan.cell === 'gru' ? GRU : LSTM;
  checkModelSize([
    { type: plan.cell === 'gru' ? 'GRU' : 'LSTM', options: { inputSize: 1, hiddenSize: plan.hidden, numLayers: plan.layers } },
    { type: 'Dense', options: { inputSize: plan.hidden, outputSize: plan.horizon } },
  ], `a forecast model of hidden size ${plan.hidden} and ${plan.layers} layer(s)`);
  return new Sequential(
    [
      ['lstm', new Cell({ inputSize: 1, hiddenSize: plan.hidden, numLayers: plan.layers, batchFirst: true, seed })],
      ['last', new LastStep()],
      ['fc', new Dense({ inputSize: plan.hidden, outputSize: plan.horizon, seed: seed + 1 })],
    ],
    { task: 'regression' },
  );
}

/** Scaler fitted on the training values: of levels ('level') or of one-step changes ('delta'), after the plan's transform. */
export function fitScaler(plan: ForecastPlan, mode: ForecastMode, train: ArrayLike<number>): StandardScaler {
  const z = Float64Array.from({ length: train.length }, (_, i) => (plan.transform === 'log' ? Math.log(train[i]!) : train[i]!));
  return mode === 'delta' ? new StandardScaler({ withMean: false }).fit(difference(z)) : new StandardScaler().fit(z);
}

/** Input steps (windows × lookback) per training epoch before windows are thinned out by a stride. */
export const WINDOW_BUDGET = 40_000;

export interface TrainForecastResult {
  forecaster: ModeForecaster;
  /** Per ensemble member: final training and validation loss, epochs run, seconds. */
  histories: Array<{ loss: number[]; valLoss: number[]; epochs: number; bestEpoch: number; seconds: number }>;
  /** RMSE in series units of the trained forecaster on the validation windows (the last 15% of training windows). */
  valRmse: number;
  /** Checkpoint files written (delete them with removeCheckpoints once the models are saved). */
  checkpoints: string[];
}

/** Checkpoint file of ensemble member k (from 0) of `mode`, under the path prefix. */
export function memberCheckpoint(prefix: string, mode: ForecastMode, k: number): string {
  return `${prefix}.${mode}.${k + 1}.safetensors`;
}

/** Train one mode's forecaster on `train` (all of it is training data; its last 15% of windows validate). */
export async function trainForecaster(train: ArrayLike<number>, plan: ForecastPlan, mode: ForecastMode, opts: ForecastOptions = {}): Promise<TrainForecastResult> {
  const scaler = fitScaler(plan, mode, train);
  const shell = new ModeForecaster(plan, mode, [], scaler);
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
  const checkpoints: string[] = [];
  let fullHistory: History | undefined;
  for (let k = 0; k < plan.ensemble; k++) {
    const seed = plan.seed + 1000 * k;
    const model = buildForecastModel(plan, seed);
    // A checkpoint is also a one-model forecast file (plan, this mode's scaler).
    const extra = { forecast: { plan: { ...plan, mode }, parts: [{ ...shell.toJSON(), models: 1 }] }, member: k };
    const path = opts.checkpoint && memberCheckpoint(opts.checkpoint, mode, k);
    const resume = !!opts.resume && checkpointExists(path);
    if (path) checkpoints.push(path);
    const h = await fit(model, {
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
      ...checkpointFitOptions(model, path, fingerprint(train, { ...plan, epochs: 0 }, mode, k), extra, { ...opts, resume }),
    }).catch((err: unknown) => withPartial(err, () => ({ model, extra })));
    fullHistory = h;
    // Every loss can stay finite and the run still diverge: refuse a best validation loss far
    // above that of predicting zero in model units (the mean, or no change for 'delta').
    const constant = meanSquare(yVal.data);
    if (!(h.bestLoss <= DIVERGED * Math.max(constant, 1e-12))) {
      withPartial(divergedError(`${mode} model ${k + 1}: the best validation loss ${h.bestLoss.toPrecision(4)} is over ${DIVERGED}× that of a constant prediction (${constant.toPrecision(4)})`, h, plan.lr), () => ({ model, extra }));
    }
    opts.log?.(`${mode} model ${k + 1}/${plan.ensemble}: ${h.epochs} epochs, best val loss ${Math.min(...h.valLoss).toFixed(4)} at epoch ${h.bestEpoch}, ${h.seconds.toFixed(1)} s`);
    models.push(model);
    histories.push(h);
  }
  const forecaster = new ModeForecaster(plan, mode, models, scaler);
  const valOrigins = origins.subarray(m - nVal);
  const valActual = Float64Array.from({ length: nVal * plan.horizon }, (_, i) => train[valOrigins[Math.floor(i / plan.horizon)]! + (i % plan.horizon)]!);
  let valRmse: number;
  try {
    valRmse = forecastMetrics(valActual, forecaster.predictAt(train, valOrigins)).rmse;
  } catch (err) {
    // Forecasts that overflow in series units: the same failure as a loss that blows up.
    if (!(err instanceof RangeError)) throw err;
    withPartial(divergedError(err.message, fullHistory!, plan.lr), () => ({ model: models[0]!, extra: { forecast: { plan: { ...plan, mode }, parts: [{ ...shell.toJSON(), models: 1 }] }, member: 0 } }));
  }
  return { forecaster, histories, valRmse, checkpoints };
}

/** A value this many median absolute deviations from the median is taken for a data error. */
const OUTLIER_MADS = 1e6;

/**
 * Refuse a series with a value so far from the rest (a typo, wrong units: 2e154 among values
 * near 100) that it would swamp the scaling: every other value would become ~0 in model units
 * and the model and its forecasts meaningless. RangeError naming the value.
 */
export function checkOutliers(values: ArrayLike<number>): void {
  const sorted = Float64Array.from(values).sort();
  const median = (a: Float64Array): number => (a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2);
  const m = median(sorted);
  const mad = median(Float64Array.from(sorted, (v) => Math.abs(v - m)).sort());
  if (!(mad > 0)) return;
  for (let i = 0; i < values.length; i++) {
    const d = Math.abs(values[i]! - m) / mad;
    if (d > OUTLIER_MADS) {
      throw new RangeError(`value ${i + 1} of the series is ${values[i]}, ${d.toPrecision(3)} times the median absolute deviation (${mad.toPrecision(4)}) from the median ${m.toPrecision(4)}: a value like this swamps the scaling and leaves the model nothing to learn; check it (a typo, other units?)`);
    }
  }
}

/** A best validation loss this many times that of a constant prediction means the run diverged (MSE: an RMSE 10× a constant's). */
const DIVERGED = 100;

/** Mean of the squares (the MSE of predicting zero). */
function meanSquare(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return a.length ? s / a.length : 0;
}

export interface ForecastResult {
  plan: ForecastPlan;
  /** The series it was given (`rows` values, fingerprint `key`): eval tells its training data by it. */
  series: { rows: number; key: string };
  forecaster: SeriesForecaster;
  histories: TrainForecastResult['histories'];
  checkpoints: string[];
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
  checkOutliers(values);
  const modes = plan.mode === 'both' ? (['level', 'delta'] as const) : [plan.mode];
  if (opts.resume) {
    const first = opts.checkpoint && memberCheckpoint(opts.checkpoint, modes[0]!, 0);
    if (!first || !checkpointExists(first)) throw new RangeError(`resume: no checkpoint at ${first ?? '(none given)'} (run once without --resume first)`);
  }
  const engine = opts.engine ?? 'wasm';
  if (engine === 'onnxruntime') await compile(buildForecastModel(plan, plan.seed), { engine }); // fails now if it would fail later
  const holdoutStart = n - plan.horizon * plan.holdoutBlocks;
  const train = Array.prototype.slice.call(values, 0, holdoutStart) as number[];
  opts.log?.(
    `plan: season ${plan.season ?? 'none'}, horizon ${plan.horizon}, lookback ${plan.lookback}, hold-out ${n - holdoutStart} points (${plan.holdoutBlocks} × ${plan.horizon}), transform ${plan.transform}, mode ${plan.mode}`,
  );
  const parts: ModeForecaster[] = [];
  const histories: TrainForecastResult['histories'] = [];
  const checkpoints: string[] = [];
  for (const mode of modes) {
    const r = await trainForecaster(train, plan, mode, opts);
    opts.log?.(`${mode}: validation RMSE ${r.valRmse.toPrecision(4)}`);
    parts.push(r.forecaster);
    histories.push(...r.histories);
    checkpoints.push(...r.checkpoints);
  }
  const forecaster = new SeriesForecaster(plan, parts);
  if (engine !== 'wasm') {
    let choice = '';
    for (const m of forecaster.models) {
      const c = await compile(m, { engine });
      choice = `engine: ${c.engine} (${c.reason})`;
    }
    opts.log?.(choice);
  }
  const origins = Array.from({ length: plan.holdoutBlocks }, (_, b) => holdoutStart + b * plan.horizon);
  const actual = Float64Array.from({ length: n - holdoutStart }, (_, i) => values[holdoutStart + i]!);
  const predicted = forecaster.predictAt(values, origins);
  const last = naiveForecast(values, origins, plan.horizon, 'last');
  const seasonal = plan.season !== null && plan.season < holdoutStart ? naiveForecast(values, origins, plan.horizon, 'seasonal', plan.season) : null;
  const lastM = forecastMetrics(actual, last);
  return {
    plan,
    series: { rows: n, key: fingerprint(values) },
    forecaster,
    histories,
    checkpoints,
    holdoutStart,
    holdout: { actual, predicted, last, seasonal },
    metrics: forecastMetrics(actual, predicted),
    baselines: { last: lastM, seasonal: seasonal ? forecastMetrics(actual, seasonal) : null },
    forecast: forecaster.forecast(values),
  };
}
