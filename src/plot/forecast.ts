/**
 * The forecast plot of `lstm forecast`: the recent history, the model's hold-out forecasts
 * beside the last-value baseline, the forecast past the end, and a marker where the hold-out
 * starts (plus one per block when there are few). Built from a runForecast result.
 */
import type { ForecastResult } from '../recipes/forecast/index.js';
import { lineChart } from './line.js';

export interface ForecastChartOptions {
  /** Name of the series (y axis title and chart title). */
  column: string;
  /** x axis title. Default "step". */
  xLabel?: string;
  /** Label of each of the series' points (dates, or indices). */
  labels: readonly string[];
  /** Label of each of the `horizon` forecast steps past the end. */
  future: readonly string[];
}

/** SVG of `values` and the forecasts in `r` (as returned by runForecast on those values). */
export function forecastChart(values: ArrayLike<number>, r: ForecastResult, o: ForecastChartOptions): string {
  const { plan, holdout, holdoutStart } = r;
  const n = values.length;
  const xs = (a: number, len: number): number[] => Array.from({ length: len }, (_, i) => a + i);
  const origins = xs(0, plan.holdoutBlocks).map((b) => holdoutStart + b * plan.horizon);
  // Long series: plot only the recent history (at least 120 points, 4× the hold-out), so the hold-out is visible.
  const from = Math.max(0, holdoutStart - Math.max(120, 4 * (n - holdoutStart)));
  const p4 = (v: number): number => Number(v.toPrecision(4));
  return lineChart({
    title: `${o.column}: hold-out RMSE ${p4(r.metrics.rmse)} (last value ${p4(r.baselines.last.rmse)})`,
    xLabel: o.xLabel ?? 'step',
    yLabel: o.column,
    series: [
      { name: 'history', x: xs(from, n - from), y: Array.prototype.slice.call(values, from) as number[] },
      { name: 'hold-out forecast', x: xs(holdoutStart, holdout.predicted.length), y: Array.from(holdout.predicted) },
      { name: 'forecast', x: xs(n, plan.horizon), y: Array.from(r.forecast) },
      { name: 'last value (baseline)', x: xs(holdoutStart, holdout.last.length), y: Array.from(holdout.last), dashed: true },
    ],
    markers: [{ x: holdoutStart, label: 'hold-out →' }, ...(origins.length <= 4 ? origins.slice(1).map((x) => ({ x })) : [])],
    xTickText: (v) => (Number.isInteger(v) && v >= 0 && v < n ? o.labels[v]! : Number.isInteger(v) && v >= n && v < n + plan.horizon ? o.future[v - n]! : String(v)),
  });
}
