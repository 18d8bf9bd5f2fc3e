/**
 * A global forecaster: ONE recurrent network trained on windows drawn from many series at once
 * (as DeepAR, N-BEATS and the M4 winner, Smyl's ES-RNN, do), forecasting every series H steps
 * past its own end with Q quantiles per step.
 *
 * Per series (computed from the values alone, the same way when training and when forecasting):
 *   u_t = log y_t            (transform 'log'; 'auto' takes it when every value is positive)
 *   d_t = u_t − S[t mod m]   (S: the seasonal figure of a classical decomposition, when the
 *                             series passes the seasonality test at period m)
 *   σ   = mean |d_t − d_{t−1}| (the series' typical one-step change; 1 if it never changes)
 * A window with origin o (forecasting o..o+H−1) feeds the network x_i = (d_i − a)/σ for the
 * last ≤ lookback points before o, with a = d_{o−1}, and asks for the quantiles of
 * (d_{o+h} − a)/σ, h = 0..H−1: every series is seen on the same scale, relative to its own
 * last value. Forecasts map back through a + σ·out + S, then exp for 'log'.
 *
 * Covariates (optional, the same number for every series): K known-future ones (calendar,
 * planned prices: the caller supplies their values for the horizon too) and P past-only ones
 * (observed up to now), each z-scored per series over the series' observed steps. A step's
 * input is [x_i, (level), known_1..K, past_1..P, future flag]; with K > 0 the window goes on for
 * H more steps past the origin, whose inputs are [0, (0), known values, 0.., 1], so the network
 * has read the horizon's known covariates when it emits the forecasts.
 *
 * Series may differ in length and start time: each is taken from its own first value to its own
 * end (steps are counted from each series' start; calendar effects go in as known covariates).
 *
 * Network: LSTM (or GRU) over the window → its last step → Dense(H·Q) (direct multi-step
 * outputs, quantile fastest), trained with the pinball loss. Each epoch draws
 * `windowsPerSeries` random windows from every series that has at least one (so short and
 * long series weigh the same, as the M3 scores do), then runs the standard trainer (fitModel)
 * for one pass over them with Adam (its state kept across epochs) and a cosine-decayed rate.
 * `ensemble` networks from different seeds are averaged quantile by quantile; crossing
 * quantiles are sorted. Same seed, same data, same backend: the same forecasts.
 *
 * A forecaster may carry calibrated spread factors (one per level; set by backtest.ts's
 * fitCalibrated): its quantiles are then moved away from or towards the median by them.
 *
 * A forecaster is saved as one model file (io/model-file): member 0 under the usual parameter
 * names, members 1.. as extra tensors `__member<k>.<name>`, the plan (and spread factors) as
 * metadata `globalForecaster`.
 */
import { GRU, LSTM } from '../../nn/recurrent.js';
import { Dense, LastStep } from '../../nn/layers.js';
import { Sequential, type SequentialConfig } from '../../nn/sequential.js';
import { Adam } from '../../optim/optimizers.js';
import { Rng } from '../../tensor/rng.js';
import { checkInt } from '../../tensor/check.js';
import { Tensor } from '../../tensor/tensor.js';
import { fit } from '../../train/fit.js';
import { pinball } from '../../train/losses.js';
import { decodeModel, encodeModel } from '../../io/model-file.js';
import { writeFileAtomicSync } from '../../io/atomic.js';
import { FormatError } from '../../io/errors.js';
import * as fs from 'node:fs';
import { seasonalFigure, seasonalityTest } from './seasonal.js';
import { trainMembers, weightsOf, type MemberJob, type MemberTrainer } from './members.js';
import { DEFAULT_QUANTILES, checkLevels, sortQuantiles, spreadQuantiles, type QuantileForecast } from './quantiles.js';

/**
 * One series with covariates (a plain list of values is a series without). `known[k]` holds
 * known-future covariate k at every step of `values` (and at the horizon's H steps after them when
 * forecasting: length ≥ values.length + horizon); `past[k]` past-only covariate k at every step of
 * `values` (length ≥ values.length; later values are ignored).
 */
export interface GlobalSeries {
  values: ArrayLike<number>;
  known?: readonly ArrayLike<number>[];
  past?: readonly ArrayLike<number>[];
}

/** What the global forecaster takes per series: its values, or its values with covariates. */
export type GlobalSeriesInput = ArrayLike<number> | GlobalSeries;

/** Options of {@link fitGlobalForecaster}; every one but `horizon` has a documented default. */
export interface GlobalForecasterOptions {
  /** Steps forecast past each series' end (H). Required. */
  horizon: number;
  /** Seasonal period m (12 for monthly data); 1: no seasonal adjustment. Default 1. */
  period?: number;
  /** Quantile levels, increasing, including 0.5. Default {@link DEFAULT_QUANTILES} (0.025, 0.1, 0.5, 0.9, 0.975). */
  quantiles?: readonly number[];
  /** Most input steps per window. Default max(2·horizon, 3·period), at most 60. */
  lookback?: number;
  /** Fewest input steps a training window may have. Default min(lookback, max(period, 6)). */
  minInput?: number;
  /** 'log' needs positive series; 'auto' (default) takes log for a series whose values are all positive. */
  transform?: 'auto' | 'log' | 'none';
  /** Remove a season from the series that pass the seasonality test (only with period ≥ 2). Default true. */
  deseasonalise?: boolean;
  /**
   * Which series are seasonally adjusted (when deseasonalise is on): 'thetaf' those passing R's
   * thetaf test, 'detrended' those passing it on the series minus its moving-average trend,
   * 'always' every series of at least two periods. Default 'thetaf'.
   */
  seasonTest?: 'thetaf' | 'detrended' | 'always';
  /**
   * σ of log-transformed series: 'series' (default) their own mean absolute one-step change, or
   * one number for all (the loss then weighs every series' relative errors alike).
   */
  logScale?: 'series' | number;
  /**
   * What windows are relative to: 'last' the last value d_{o−1}, 'level' the exponentially
   * smoothed level ℓ_{o−1} of d (α per series by least one-step squared error), so that an output
   * of 0 is simple exponential smoothing's forecast and the network learns on top of it. Default 'last'.
   */
  anchor?: 'last' | 'level';
  /** Feed the smoothed level path (ℓ_t − a)/σ as a second input feature. Default false. */
  levelInput?: boolean;
  /** Draw training origins only from the last `recentOrigins` of each series (0: all). Default 0. */
  recentOrigins?: number;
  /** Recurrent cell. Default 'lstm'. */
  cell?: 'lstm' | 'gru';
  /** Hidden units. Default 64. */
  hidden?: number;
  /** Stacked recurrent layers. Default 1. */
  layers?: number;
  /** Passes of sampled windows. Default 40. */
  epochs?: number;
  /** Windows drawn from each series per epoch. Default 8. */
  windowsPerSeries?: number;
  /** Default 128. */
  batchSize?: number;
  /** Peak Adam learning rate, decayed along a cosine to lr/20 by the last epoch. Default 0.003. */
  lr?: number;
  /** Networks trained from different seeds and averaged. Default 3. */
  ensemble?: number;
  /** Default 0. */
  seed?: number;
  /** Known-future covariates per series (set by fitGlobalForecaster from the data; stored in the plan). Default 0. */
  knownCovariates?: number;
  /** Past-only covariates per series (set by fitGlobalForecaster from the data; stored in the plan). Default 0. */
  pastCovariates?: number;
  /** Worker threads that train members side by side (see members.ts; not part of the plan). Default: one per core for a large enough job. */
  workers?: number;
  /** One-line progress messages. */
  log?: (msg: string) => void;
}

/** Every setting of a global forecaster, resolved (stored in its model file). */
export interface GlobalPlan {
  horizon: number;
  period: number;
  quantiles: number[];
  lookback: number;
  minInput: number;
  transform: 'auto' | 'log' | 'none';
  deseasonalise: boolean;
  seasonTest: 'thetaf' | 'detrended' | 'always';
  logScale: 'series' | number;
  anchor: 'last' | 'level';
  levelInput: boolean;
  recentOrigins: number;
  cell: 'lstm' | 'gru';
  hidden: number;
  layers: number;
  epochs: number;
  windowsPerSeries: number;
  batchSize: number;
  lr: number;
  ensemble: number;
  seed: number;
  knownCovariates: number;
  pastCovariates: number;
}

/** Defaults of the settings that do not depend on horizon and period. */
export const GLOBAL_DEFAULTS = {
  transform: 'auto', deseasonalise: true, seasonTest: 'thetaf', logScale: 'series', anchor: 'last', levelInput: false, recentOrigins: 0, cell: 'lstm', hidden: 64, layers: 1, epochs: 40, windowsPerSeries: 8, batchSize: 128, lr: 0.003, ensemble: 3, seed: 0,
} as const;

const posInt = (name: string, v: unknown, max = 1e6, min = 1): number => {
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw new RangeError(`global forecaster: ${name} must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  return v as number;
};

/** Resolve every option (defaults documented on {@link GlobalForecasterOptions}) and check it. */
export function planGlobal(opts: GlobalForecasterOptions): GlobalPlan {
  const horizon = posInt('horizon', opts.horizon, 10_000);
  const period = posInt('period', opts.period ?? 1, 10_000);
  const lookback = posInt('lookback', opts.lookback ?? Math.min(60, Math.max(2 * horizon, 3 * period)), 100_000);
  const minInput = posInt('minInput', opts.minInput ?? Math.min(lookback, Math.max(period, 6)), lookback);
  const transform = opts.transform ?? GLOBAL_DEFAULTS.transform;
  if (!['auto', 'log', 'none'].includes(transform)) throw new RangeError(`global forecaster: transform must be 'auto', 'log' or 'none', got ${JSON.stringify(transform)}`);
  const seasonTest = opts.seasonTest ?? GLOBAL_DEFAULTS.seasonTest;
  if (!['thetaf', 'detrended', 'always'].includes(seasonTest)) throw new RangeError(`global forecaster: seasonTest must be 'thetaf', 'detrended' or 'always', got ${JSON.stringify(seasonTest)}`);
  const logScale = opts.logScale ?? GLOBAL_DEFAULTS.logScale;
  if (logScale !== 'series' && !(typeof logScale === 'number' && logScale > 0 && Number.isFinite(logScale))) throw new RangeError(`global forecaster: logScale must be 'series' or a positive number, got ${JSON.stringify(logScale)}`);
  if (opts.anchor !== undefined && opts.anchor !== 'last' && opts.anchor !== 'level') throw new RangeError(`global forecaster: anchor must be 'last' or 'level', got ${JSON.stringify(opts.anchor)}`);
  const cell = opts.cell ?? GLOBAL_DEFAULTS.cell;
  if (cell !== 'lstm' && cell !== 'gru') throw new RangeError(`global forecaster: cell must be 'lstm' or 'gru', got ${JSON.stringify(cell)}`);
  const lr = opts.lr ?? GLOBAL_DEFAULTS.lr;
  if (!(lr > 0 && lr < 1)) throw new RangeError(`global forecaster: lr must be in (0, 1), got ${lr}`);
  const seed = opts.seed ?? GLOBAL_DEFAULTS.seed;
  checkInt('global forecaster: seed', seed, { min: 0 });
  return {
    horizon, period, lookback, minInput, transform, cell, lr, seed,
    quantiles: checkLevels(opts.quantiles ?? DEFAULT_QUANTILES, 'global forecaster'),
    deseasonalise: opts.deseasonalise ?? GLOBAL_DEFAULTS.deseasonalise,
    seasonTest, logScale,
    anchor: opts.anchor ?? GLOBAL_DEFAULTS.anchor,
    levelInput: opts.levelInput ?? GLOBAL_DEFAULTS.levelInput,
    recentOrigins: opts.recentOrigins === undefined || opts.recentOrigins === 0 ? 0 : posInt('recentOrigins', opts.recentOrigins),
    hidden: posInt('hidden', opts.hidden ?? GLOBAL_DEFAULTS.hidden, 4096),
    layers: posInt('layers', opts.layers ?? GLOBAL_DEFAULTS.layers, 8),
    epochs: posInt('epochs', opts.epochs ?? GLOBAL_DEFAULTS.epochs),
    windowsPerSeries: posInt('windowsPerSeries', opts.windowsPerSeries ?? GLOBAL_DEFAULTS.windowsPerSeries),
    batchSize: posInt('batchSize', opts.batchSize ?? GLOBAL_DEFAULTS.batchSize),
    ensemble: posInt('ensemble', opts.ensemble ?? GLOBAL_DEFAULTS.ensemble, 1000),
    knownCovariates: posInt('knownCovariates', opts.knownCovariates ?? 0, 1000, 0),
    pastCovariates: posInt('pastCovariates', opts.pastCovariates ?? 0, 1000, 0),
  };
}

/** One series in model units: the adjusted values d, its season, scale and transform. */
export interface SeriesFrame {
  log: boolean;
  /** Seasonal figure in transformed units (index t mod period), or null. */
  figure: Float64Array | null;
  /** σ: the mean absolute one-step change of d. */
  scale: number;
  /** d_t (transformed, seasonally adjusted). */
  adjusted: Float64Array;
  /** ℓ_t: the exponentially smoothed level of d after seeing d_t. */
  level: Float64Array;
  /** a_t: what a window whose last input is step t is relative to (d_t or ℓ_t, per the plan). */
  anchor: Float64Array;
  /** Known-future covariates, z-scored over the observed steps (each at least as long as the values). */
  known: Float64Array[];
  /** Past-only covariates, z-scored over the observed steps (each as long as the values). */
  past: Float64Array[];
}

/** Whether a series was given with covariates (arrays and typed arrays have a `values` method, so test for those first). */
const withCovariates = (s: GlobalSeriesInput): s is GlobalSeries => s !== null && typeof s === 'object' && !Array.isArray(s) && !ArrayBuffer.isView(s) && 'values' in s;

/** The values of a series given either way. */
const valuesOf = (s: GlobalSeriesInput): ArrayLike<number> => (withCovariates(s) ? s.values : s);

/**
 * Covariate list `which` of a series, checked (count, length, finite) and z-scored by its mean
 * and standard deviation over the first n steps (1 for a constant one); `need` steps kept.
 */
function covariates(s: GlobalSeriesInput, which: 'known' | 'past', count: number, n: number, need: number, where: string): Float64Array[] {
  const list = withCovariates(s) ? (s[which] ?? []) : [];
  if (!Array.isArray(list) || list.length !== count) throw new RangeError(`${where}: expected ${count} ${which} covariate${count === 1 ? '' : 's'} (as the model was given), found ${Array.isArray(list) ? list.length : typeof list}`);
  return list.map((c: ArrayLike<number>, k) => {
    if (!c || typeof c.length !== 'number' || c.length < need) throw new RangeError(`${where}: ${which} covariate ${k} needs ${need} values (${n} observed${need > n ? ` + ${need - n} for the horizon` : ''}), found ${c?.length ?? 'none'}`);
    let mean = 0;
    for (let t = 0; t < need; t++) {
      if (!Number.isFinite(c[t]!)) throw new RangeError(`${where}: ${which} covariate ${k}, value ${t} is ${c[t]}; every value must be a finite number`);
      if (t < n) mean += c[t]! / n;
    }
    let v = 0;
    for (let t = 0; t < n; t++) v += (c[t]! - mean) ** 2 / n;
    const sd = v > 1e-24 ? Math.sqrt(v) : 1;
    return Float64Array.from({ length: need }, (_, t) => (c[t]! - mean) / sd);
  });
}

/** The smoothing weight α ∈ {0.05, 0.1, …, 1} of least one-step squared error of ℓ_t = α·d_t + (1 − α)·ℓ_{t−1}, ℓ_0 = d_0. */
export function sesAlpha(d: ArrayLike<number>): number {
  let best = Infinity, alpha = 1;
  for (let k = 1; k <= 20; k++) {
    const a = k / 20;
    let l = d[0]!, sse = 0;
    for (let t = 1; t < d.length; t++) {
      sse += (d[t]! - l) ** 2;
      l = a * d[t]! + (1 - a) * l;
    }
    if (k === 1 || sse < best - 1e-12 * best) [best, alpha] = [sse, a];
  }
  return alpha;
}

/**
 * The per-series preprocessing (see the file header). `where` names the series in errors;
 * `forecasting`: known covariates must also cover the horizon.
 */
export function seriesFrame(series: GlobalSeriesInput, plan: GlobalPlan, where: string, forecasting = false): SeriesFrame {
  const values = valuesOf(series);
  const n = values?.length;
  if (typeof n !== 'number' || n < 1) throw new RangeError(`${where} is empty`);
  let positive = true;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`${where}: value ${i} is ${v}; every value must be a finite number`);
    if (!(v > 0)) positive = false;
  }
  if (plan.transform === 'log' && !positive) throw new RangeError(`${where}: transform 'log' needs positive values (use 'auto' or 'none')`);
  const log = plan.transform === 'log' || (plan.transform === 'auto' && positive);
  const u = Float64Array.from({ length: n }, (_, i) => (log ? Math.log(values[i]!) : values[i]!));
  const m = plan.period;
  const seasonal = plan.deseasonalise && m >= 2 && n >= 2 * m && (plan.seasonTest === 'always' || seasonalityTest(u, m, { detrend: plan.seasonTest === 'detrended' }));
  const figure = seasonal ? seasonalFigure(u, m) : null;
  const adjusted = figure ? u.map((v, t) => v - figure[t % m]!) : u;
  let s = 0;
  for (let t = 1; t < n; t++) s += Math.abs(adjusted[t]! - adjusted[t - 1]!);
  const scale = log && plan.logScale !== 'series' ? plan.logScale : n > 1 && s > 0 ? s / (n - 1) : 1;
  const alpha = sesAlpha(adjusted);
  const level = new Float64Array(n);
  level[0] = adjusted[0]!;
  for (let t = 1; t < n; t++) level[t] = alpha * adjusted[t]! + (1 - alpha) * level[t - 1]!;
  const known = covariates(series, 'known', plan.knownCovariates, n, forecasting ? n + plan.horizon : n, where);
  const past = covariates(series, 'past', plan.pastCovariates, n, n, where);
  return { log, figure, scale, adjusted, level, anchor: plan.anchor === 'level' ? level : adjusted, known, past };
}

/** The input layout of a plan: features per step and where each group starts, steps per row. */
interface Layout {
  /** Features per step. */
  F: number;
  /** Steps per row: lookback, plus the horizon when there are known covariates. */
  T: number;
  /** Offsets of the known and past covariates and of the future flag (−1: none) within a step. */
  known: number;
  past: number;
  flag: number;
}

/** Input features: the value, the level path (levelInput), known, past covariates, the future flag (when known ones exist). */
function layoutOf(plan: GlobalPlan): Layout {
  const K = plan.knownCovariates, P = plan.pastCovariates;
  const known = plan.levelInput ? 2 : 1, past = known + K, flag = K > 0 ? past + P : -1;
  return { F: past + P + (K > 0 ? 1 : 0), T: plan.lookback + (K > 0 ? plan.horizon : 0), known, past, flag };
}

/**
 * Write the network input of the window with origin o into row r of a (rows, T, F) buffer:
 * the history d[max(0, o−L)..o−1], relative to a = d[o−1], divided by σ, with its covariates,
 * then (with known covariates) the H future steps' known covariates; steps from the start of the
 * row (the rest is padding). Returns the number of steps written.
 */
function writeInput(f: SeriesFrame, o: number, plan: GlobalPlan, lay: Layout, x: Float32Array, r: number): number {
  const { F, T } = lay;
  const d = f.adjusted, a = f.anchor[o - 1]!, len = Math.min(plan.lookback, o);
  const K = f.known.length, P = f.past.length;
  for (let i = 0; i < len; i++) {
    const t = o - len + i, at = (r * T + i) * F;
    x[at] = (d[t]! - a) / f.scale;
    if (plan.levelInput) x[at + 1] = (f.level[t]! - a) / f.scale;
    for (let k = 0; k < K; k++) x[at + lay.known + k] = f.known[k]![t]!;
    for (let k = 0; k < P; k++) x[at + lay.past + k] = f.past[k]![t]!;
  }
  if (K === 0) return len;
  for (let h = 0; h < plan.horizon; h++) {
    const at = (r * T + len + h) * F;
    for (let k = 0; k < K; k++) x[at + lay.known + k] = f.known[k]![o + h]!;
    x[at + lay.flag] = 1;
  }
  return len + plan.horizon;
}

/** The forecaster returned by {@link fitGlobalForecaster} or {@link loadGlobalForecaster}. */
export class GlobalForecaster {
  constructor(
    readonly plan: GlobalPlan,
    /** The ensemble members. */
    readonly models: Sequential[],
    /**
     * Calibration: factors that widen (> 1) or narrow (< 1) each quantile's distance from the
     * median ({@link spreadQuantiles}), one per level; null: the members' quantiles as they are.
     */
    readonly spread: readonly number[] | null = null,
  ) {
    if (spread !== null && (spread.length !== plan.quantiles.length || !spread.every((k) => k > 0 && Number.isFinite(k)))) {
      throw new RangeError(`GlobalForecaster: spread must be ${plan.quantiles.length} positive factors (one per quantile level), got ${JSON.stringify(spread)}`);
    }
  }

  /** The same members with calibrated spread factors (see {@link spread}). */
  withSpread(spread: ArrayLike<number> | null): GlobalForecaster {
    return new GlobalForecaster(this.plan, this.models, spread === null ? null : Array.from(spread));
  }

  /**
   * Forecast every series `horizon` steps past its own end. Each series needs at least one
   * value; the network sees up to `lookback` of its last values.
   */
  forecast(series: readonly GlobalSeriesInput[]): QuantileForecast[] {
    const { horizon: H, quantiles: levels } = this.plan;
    const Q = levels.length, N = series.length;
    const frames = series.map((s, i) => seriesFrame(s, this.plan, `series ${i}`, true));
    const lay = layoutOf(this.plan);
    const x = new Float32Array(N * lay.T * lay.F);
    const lengths = new Int32Array(N);
    frames.forEach((f, i) => (lengths[i] = writeInput(f, f.adjusted.length, this.plan, lay, x, i)));
    const input = new Tensor(x, [N, lay.T, lay.F]);
    // Average the members quantile by quantile (in model units), then sort and map back.
    const sum = new Float64Array(N * H * Q);
    for (const model of this.models) {
      const y = model.predict(input, { lengths }).data;
      for (let i = 0; i < sum.length; i++) sum[i]! += y[i]! / this.models.length;
    }
    const mid = levels.indexOf(0.5);
    return frames.map((f, i) => {
      const out = sum.slice(i * H * Q, (i + 1) * H * Q);
      sortQuantiles(out, Q);
      const n = f.adjusted.length, a = f.anchor[n - 1]!;
      for (let h = 0; h < H; h++) {
        const season = f.figure ? f.figure[(n + h) % this.plan.period]! : 0;
        for (let q = 0; q < Q; q++) {
          const u = a + f.scale * out[h * Q + q]! + season;
          out[h * Q + q] = f.log ? Math.exp(u) : u;
        }
      }
      const forecast = { levels, log: f.log, point: Float64Array.from({ length: H }, (_, h) => out[h * Q + mid]!), quantiles: out };
      return this.spread ? spreadQuantiles(forecast, this.spread) : forecast;
    });
  }
}

/** Build one untrained network for a plan: (B,T,F) → LSTM/GRU → last step → Dense → (B, H·Q). */
export function buildGlobalModel(plan: GlobalPlan, seed: number): Sequential {
  const Cell = plan.cell === 'gru' ? GRU : LSTM;
  return new Sequential([
    ['lstm', new Cell({ inputSize: layoutOf(plan).F, hiddenSize: plan.hidden, numLayers: plan.layers, batchFirst: true, seed })],
    ['last', new LastStep()],
    ['fc', new Dense({ inputSize: plan.hidden, outputSize: plan.horizon * plan.quantiles.length, seed: seed + 1 })],
  ]);
}

/** Draw `windowsPerSeries` windows from every series that has one: inputs, targets and lengths. */
function sampleWindows(frames: readonly SeriesFrame[], plan: GlobalPlan, rng: Rng): { x: Tensor; y: Tensor; lengths: Int32Array } {
  const { horizon: H, minInput, windowsPerSeries: k } = plan;
  const usable = frames.filter((f) => f.adjusted.length >= minInput + H);
  const lay = layoutOf(plan), N = usable.length * k;
  const x = new Float32Array(N * lay.T * lay.F), y = new Float32Array(N * H), lengths = new Int32Array(N);
  let r = 0;
  for (const f of usable) {
    const d = f.adjusted;
    const all = d.length - H - minInput + 1; // o in minInput..n−H
    const origins = plan.recentOrigins ? Math.min(all, plan.recentOrigins) : all; // the latest ones
    for (let j = 0; j < k; j++, r++) {
      const o = d.length - H - rng.int(origins);
      lengths[r] = writeInput(f, o, plan, lay, x, r);
      const a = f.anchor[o - 1]!;
      for (let h = 0; h < H; h++) y[r * H + h] = (d[o + h]! - a) / f.scale;
    }
  }
  return { x: new Tensor(x, [N, lay.T, lay.F]), y: new Tensor(y, [N, H]), lengths };
}

/**
 * Train a global forecaster on `series` (each a list of values in time order, or values with
 * covariates ({@link GlobalSeries}); lengths and start times may differ; every series has the
 * same number of known and of past covariates, taken from the first). Series shorter than
 * minInput + horizon give no training window but are still forecast by the result. At least one
 * series must give a window.
 */
export async function fitGlobalForecaster(series: readonly GlobalSeriesInput[], opts: GlobalForecasterOptions): Promise<GlobalForecaster> {
  if (!Array.isArray(series) || series.length === 0) throw new RangeError('fitGlobalForecaster: give at least one series');
  const first = series[0]!;
  const counted = withCovariates(first) ? { knownCovariates: first.known?.length ?? 0, pastCovariates: first.past?.length ?? 0 } : {};
  const plan = planGlobal({ ...opts, ...counted });
  const frames = series.map((s, i) => seriesFrame(s, plan, `series ${i}`));
  const covs = plan.knownCovariates + plan.pastCovariates > 0 ? `, ${plan.knownCovariates} known + ${plan.pastCovariates} past covariates` : '';
  const usable = frames.filter((f) => f.adjusted.length >= plan.minInput + plan.horizon).length;
  if (usable === 0) throw new RangeError(`fitGlobalForecaster: no series has the ${plan.minInput + plan.horizon} points a training window needs (minInput ${plan.minInput} + horizon ${plan.horizon})`);
  const seasonal = frames.filter((f) => f.figure).length, logged = frames.filter((f) => f.log).length;
  opts.log?.(`global: ${series.length} series (${usable} with training windows, ${seasonal} seasonally adjusted, ${logged} log${covs}), lookback ${plan.lookback}, ${plan.ensemble} × ${plan.cell.toUpperCase()}(${plan.hidden}×${plan.layers}), ${plan.epochs} epochs of ${usable * plan.windowsPerSeries} windows`);
  const jobs = Array.from({ length: plan.ensemble }, (_, k): MemberJob => {
    const seed = plan.seed + 1000 * k;
    return { modelSeed: seed, init: null, run: { epochs: plan.epochs, lr: plan.lr, seed: seed + 7 }, label: `global: member ${k + 1}/${plan.ensemble}` };
  });
  return new GlobalForecaster(plan, await trainMembers(TRAINER, series, plan, jobs, { workers: opts.workers, log: opts.log }));
}

/**
 * Train one member in place on windows sampled from `frames`: `epochs` passes of
 * `windowsPerSeries` windows per series, Adam (fresh state) with the rate decayed along a cosine
 * from `lr` to lr/20, pinball loss. Every random choice comes from `seed`.
 */
export async function trainMember(model: Sequential, frames: readonly SeriesFrame[], plan: GlobalPlan, run: { epochs: number; lr: number; seed: number }, log: (msg: string) => void): Promise<void> {
  const loss = pinball({ quantiles: plan.quantiles });
  const optimizer = new Adam(model, { lr: run.lr });
  const rng = new Rng(run.seed);
  const t0 = performance.now();
  let last = NaN;
  for (let e = 0; e < run.epochs; e++) {
    // Cosine decay from lr to lr/20 over the epochs.
    optimizer.lr = run.lr * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * e) / Math.max(1, run.epochs - 1))));
    const { x, y, lengths } = sampleWindows(frames, plan, rng);
    const h = await fit(model, { x, y, lengths, epochs: 1, batchSize: plan.batchSize, seed: rng.nextU32(), loss, optimizer, clipNorm: 1, progress: false });
    last = h.loss[0]!;
  }
  log(`last epoch's pinball loss ${last.toFixed(4)}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** What members.ts needs of this file to train members (here or in its worker threads). */
const TRAINER: MemberTrainer<GlobalPlan, GlobalSeriesInput, SeriesFrame> = {
  build: buildGlobalModel, frame: seriesFrame, train: trainMember,
  windows: (frames, plan) => frames.filter((f) => f.adjusted.length >= plan.minInput + plan.horizon).length * plan.windowsPerSeries,
};

/** Options of {@link fineTuneGlobalForecaster}. */
export interface FineTuneOptions {
  /** Passes of sampled windows. Default max(1, round(epochs / 4)) of the forecaster's plan. */
  epochs?: number;
  /** Peak learning rate, decayed along a cosine to lr/20. Default the plan's lr / 4. */
  lr?: number;
  /** Seed of the window sampling (member k adds 1000·k). Default the plan's seed + 1. */
  seed?: number;
  /** Worker threads (see members.ts). Default: one per core for a large enough job. */
  workers?: number;
  log?: (msg: string) => void;
}

/**
 * A copy of a trained forecaster, every member trained on for a few more epochs on `series`
 * (typically the same series with more values at their ends: a model trained on all but a
 * hold-out, brought up to date). Much cheaper than training from scratch; the plan (and
 * covariate counts) stay those of `base`, and `base` is left unchanged.
 */
export async function fineTuneGlobalForecaster(base: GlobalForecaster, series: readonly GlobalSeriesInput[], opts: FineTuneOptions = {}): Promise<GlobalForecaster> {
  const plan = base.plan;
  if (!Array.isArray(series) || series.length === 0) throw new RangeError('fineTuneGlobalForecaster: give at least one series');
  const epochs = posInt('fine-tune epochs', opts.epochs ?? Math.max(1, Math.round(plan.epochs / 4)), 100_000);
  const lr = opts.lr ?? plan.lr / 4;
  if (!(lr > 0 && Number.isFinite(lr))) throw new RangeError(`fineTuneGlobalForecaster: lr must be a positive number, got ${lr}`);
  if (!series.some((s, i) => seriesFrame(s, plan, `series ${i}`).adjusted.length >= plan.minInput + plan.horizon)) throw new RangeError(`fineTuneGlobalForecaster: no series has the ${plan.minInput + plan.horizon} points a training window needs`);
  const seed = opts.seed ?? plan.seed + 1;
  const jobs = base.models.map((m, k): MemberJob => ({
    modelSeed: plan.seed + 1000 * k, init: weightsOf(m), run: { epochs, lr, seed: seed + 1000 * k + 7 }, label: `global: fine-tuning member ${k + 1}/${base.models.length} for ${epochs} epoch(s)`,
  }));
  return new GlobalForecaster(plan, await trainMembers(TRAINER, series, plan, jobs, { workers: opts.workers, log: opts.log }));
}

/** Metadata key under which the plan is stored. */
const META_KEY = 'globalForecaster';

/** Save a global forecaster to one model file, atomically. */
export function saveGlobalForecaster(f: GlobalForecaster, path: string): void {
  const extra: Record<string, Tensor> = Object.create(null);
  f.models.forEach((m, k) => {
    if (k === 0) return;
    for (const [name, t] of Object.entries(m.stateDict())) extra[`__member${k}.${name}`] = t;
  });
  writeFileAtomicSync(path, encodeModel(f.models[0]!, { [META_KEY]: { plan: f.plan, members: f.models.length, ...(f.spread ? { spread: f.spread } : {}) } }, extra));
}

/** Load a global forecaster saved by {@link saveGlobalForecaster}; any problem is a FormatError naming the file. */
export function loadGlobalForecaster(path: string, opts: { backend?: string } = {}): GlobalForecaster {
  const { model, metadata, extraTensors } = decodeModel(fs.readFileSync(path), { ...opts, name: path });
  const meta = metadata[META_KEY] as { plan?: Partial<GlobalPlan>; members?: unknown; spread?: unknown } | undefined;
  if (!meta || typeof meta !== 'object' || !meta.plan || typeof meta.plan !== 'object') throw new FormatError(path, `no "${META_KEY}" metadata: not a global forecaster file`);
  let plan: GlobalPlan;
  try {
    plan = planGlobal(meta.plan as GlobalForecasterOptions);
  } catch (e) {
    throw new FormatError(path, `bad plan in metadata: ${(e as Error).message}`);
  }
  const members = meta.members;
  if (!Number.isInteger(members) || (members as number) < 1 || (members as number) > 1000) throw new FormatError(path, `metadata members must be a count in 1..1000, got ${JSON.stringify(members)}`);
  const F = layoutOf(plan).F;
  if (model.outputSize !== plan.horizon * plan.quantiles.length || model.inputSize !== F) {
    throw new FormatError(path, `the network maps ${model.inputSize} input features to ${model.outputSize} outputs; the plan needs ${F} → ${plan.horizon} steps × ${plan.quantiles.length} quantiles`);
  }
  const models = [model];
  for (let k = 1; k < (members as number); k++) {
    const m = Sequential.fromConfig(metadata.config as SequentialConfig, { ...opts, dtype: model.dtype });
    try {
      m.loadStateDict(extraTensors, { prefix: `__member${k}.`, strict: false });
    } catch (e) {
      throw new FormatError(path, `ensemble member ${k}: ${(e as Error).message}`);
    }
    m.eval();
    models.push(m);
  }
  const spread = meta.spread ?? null;
  if (spread !== null && !(Array.isArray(spread) && spread.length === plan.quantiles.length && spread.every((k) => typeof k === 'number' && k > 0 && Number.isFinite(k)))) {
    throw new FormatError(path, `metadata spread must be ${plan.quantiles.length} positive numbers (one per quantile level), got ${JSON.stringify(spread).slice(0, 80)}`);
  }
  return new GlobalForecaster(plan, models, spread as number[] | null);
}
