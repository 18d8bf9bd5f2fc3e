/**
 * The per-series classical fits of a whole panel (Theta, ETS by AICc, auto-ARIMA through
 * combine.ts's classicalForecast): the backtest's baselines at each origin and the combination's
 * pool refitted on the full series. Series are independent, so in Node a panel big enough to pay
 * for the start-up is split over worker threads, one per core (classical-worker.ts; series i goes
 * to thread i mod T); elsewhere (a browser, one core, a small panel, a bundled application without
 * the worker script) the fits run one after the other on this thread. Either way every series'
 * fit is the same to the bit: it runs the same code on the same values.
 *
 * The fits are started before the LSTM trains and awaited after it (backtest.ts, panel.ts), so
 * their threads fill the cores the members' training leaves idle (three members on two cores).
 */
import { coreCount } from '../../kernels/wasm/env.js';
import type { EtsComponents, EtsForecast } from '../../stats/ets.js';
import { classicalForecast, type PoolMethod } from './combine.js';
import { runWorker, workerFor, workerScript } from './threads.js';

/** One series' fit: point forecast, central intervals (one per level) and, for ETS, the form chosen. */
export interface ClassicalFit {
  /** (horizon); not checked for finiteness. */
  mean: Float64Array;
  lower: Float64Array[];
  upper: Float64Array[];
  /** The ETS form fitted (null for Theta and ARIMA). */
  form: EtsComponents | null;
}

/** A panel's classical fits to make. */
export interface ClassicalRequest {
  methods: readonly PoolMethod[];
  /** One series per entry (N). */
  series: readonly ArrayLike<number>[];
  horizon: number;
  /** Season length; a series not longer than one season is fitted without it. */
  period: number;
  /** Interval levels in percent; [] for point forecasts only. */
  levels: readonly number[];
  /** Per series (N), the ETS form to fit instead of the search (see classicalForecast); null: search. */
  forms?: readonly (EtsComponents | null)[];
}

/** Per method, per series: the fit, or null where the model could not be fitted. */
export type ClassicalFits = Record<string, (ClassicalFit | null)[]>;

/** Series with a costly method (ETS, ARIMA) below which the fits stay on this thread. */
export const CLASSICAL_WORKER_MIN_SERIES = 40;

/** Fit every method to every series of the request, on this thread. */
export function fitClassicalHere(req: ClassicalRequest): ClassicalFits {
  const out: ClassicalFits = Object.create(null);
  for (const m of req.methods) {
    out[m] = req.series.map((y, i) => {
      try {
        const f = classicalForecast(m, y, req.horizon, req.period, req.levels, m === 'ets' ? req.forms?.[i] ?? null : null);
        return { mean: f.mean, lower: f.lower, upper: f.upper, form: m === 'ets' ? (f as EtsForecast).model.components : null };
      } catch {
        return null;
      }
    });
  }
  return out;
}

/**
 * Fit every method to every series (see the file header); `workers`: threads to use (default
 * the cores when the panel has CLASSICAL_WORKER_MIN_SERIES series or more and a method other
 * than Theta, else 1); `script`: the worker's file (default classical-worker.ts/.js beside this one).
 */
export async function fitClassical(req: ClassicalRequest, opts: { workers?: number; log?: (msg: string) => void; script?: URL } = {}): Promise<ClassicalFits> {
  if (req.methods.length === 0) return Object.create(null) as ClassicalFits;
  const N = req.series.length, t0 = performance.now();
  const done = (fits: ClassicalFits, threads: number): ClassicalFits => {
    opts.log?.(`classical: ${req.methods.join(', ')} fitted to ${N} series on ${threads} thread(s), ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return fits;
  };
  const costly = req.methods.some((m) => m !== 'theta');
  const auto = costly && N >= CLASSICAL_WORKER_MIN_SERIES ? coreCount() : 1;
  const threads = Math.min(N, Math.floor(opts.workers ?? auto));
  const script = opts.script ?? workerScript('classical-worker', import.meta.url);
  const Worker = workerFor(threads, script, opts.log);
  if (!Worker) return done(fitClassicalHere(req), 1);
  const parts = Array.from({ length: threads }, (_, k) => {
    const index: number[] = [];
    for (let i = k; i < N; i += threads) index.push(i);
    return index;
  });
  const results = await Promise.all(parts.map((index) => {
    const part: ClassicalRequest = {
      methods: [...req.methods], horizon: req.horizon, period: req.period, levels: [...req.levels],
      series: index.map((i) => Float64Array.from(req.series[i]!)),
      ...(req.forms ? { forms: index.map((i) => req.forms![i] ?? null) } : {}),
    };
    return runWorker<ClassicalFits>(Worker, script, part, (msg) => opts.log?.(msg));
  }));
  const out: ClassicalFits = Object.create(null);
  for (const m of req.methods) {
    const list: (ClassicalFit | null)[] = new Array(N);
    parts.forEach((index, k) => index.forEach((i, j) => (list[i] = results[k]![m]![j] ?? null)));
    out[m] = list;
  }
  return done(out, threads);
}

/**
 * The point forecasts of `method` in `fits`, one per series, the last value standing in where the
 * model could not be fitted or gave a non-finite value (as combine.ts's baselinePoint does);
 * `fellBack` counts those series.
 */
export function pointsOrLast(fits: ClassicalFits, method: string, series: readonly ArrayLike<number>[], horizon: number): { points: Float64Array[]; fellBack: number } {
  let fellBack = 0;
  const points = series.map((y, i) => {
    const f = fits[method]?.[i];
    if (f && f.mean.every(Number.isFinite)) return f.mean;
    fellBack++;
    return new Float64Array(horizon).fill(y[y.length - 1]!);
  });
  return { points, fellBack };
}
