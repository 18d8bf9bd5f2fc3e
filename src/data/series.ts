/**
 * Time-series helpers the forecaster needs: differencing, a trend test, forecast-error metrics
 * (RMSE, MAE, MAPE) and the two naive baselines a forecast must beat to be worth anything:
 * "last value" (tomorrow = today) and "seasonal naive" (next January = last January). All
 * functions take plain arrays and return plain numbers. Autocorrelation and season detection
 * live in src/stats/season.ts.
 */

/** First differences x_t − x_{t−lag} (length N − lag). */
export function difference(x: ArrayLike<number>, lag = 1): Float64Array {
  const out = new Float64Array(Math.max(0, x.length - lag));
  for (let i = 0; i < out.length; i++) out[i] = x[i + lag]! - x[i]!;
  return out;
}

/** R² of a least-squares straight line through (t, x_t): near 1 for a strong trend. */
export function trendStrength(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 3) return 0;
  const tm = (n - 1) / 2;
  let xm = 0;
  for (let i = 0; i < n; i++) xm += x[i]! / n;
  let sxy = 0, stt = 0, sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - tm) * (x[i]! - xm);
    stt += (i - tm) ** 2;
    sxx += (x[i]! - xm) ** 2;
  }
  return sxx === 0 ? 0 : (sxy * sxy) / (stt * sxx);
}

/** Forecast errors. MAPE is in percent and skips points whose actual value is 0 (null if all are). */
export interface Metrics {
  rmse: number;
  mae: number;
  mape: number | null;
}

/** RMSE, MAE and MAPE of `pred` against `actual` (same length). */
export function forecastMetrics(actual: ArrayLike<number>, pred: ArrayLike<number>): Metrics {
  if (actual.length !== pred.length || actual.length === 0) {
    throw new RangeError(`forecastMetrics: need equal, non-zero lengths, got ${actual.length} and ${pred.length}`);
  }
  let se = 0, ae = 0, ape = 0, nape = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = pred[i]! - actual[i]!;
    se += e * e;
    ae += Math.abs(e);
    if (actual[i] !== 0) {
      ape += Math.abs(e / actual[i]!);
      nape++;
    }
  }
  const n = actual.length;
  return { rmse: Math.sqrt(se / n), mae: ae / n, mape: nape > 0 ? (100 * ape) / nape : null };
}

/**
 * Naive forecasts for the `horizon` steps after each origin o (the model may see x[0..o−1]):
 * 'last' repeats x[o−1]; 'seasonal' takes the value one season earlier, x[o+h−s·⌈(h+1)/s⌉].
 * Returns the forecasts for all origins concatenated (origins.length·horizon).
 */
export function naiveForecast(x: ArrayLike<number>, origins: ArrayLike<number>, horizon: number, kind: 'last' | 'seasonal', season = 1): Float64Array {
  const out = new Float64Array(origins.length * horizon);
  for (let j = 0; j < origins.length; j++) {
    const o = origins[j]!;
    for (let h = 0; h < horizon; h++) {
      const back = kind === 'last' ? o - 1 : o + h - season * Math.ceil((h + 1) / season);
      if (back < 0) throw new RangeError(`naiveForecast: origin ${o} has too little history for ${kind} (season ${season})`);
      out[j * horizon + h] = x[back]!;
    }
  }
  return out;
}

/**
 * Labels for `n` steps after the last of `dates` when they are evenly spaced ISO dates
 * (`YYYY-MM` monthly or `YYYY-MM-DD` daily, judged from the last two); otherwise `+1`, `+2`, ….
 */
export function extendDates(dates: readonly string[], n: number): string[] {
  const a = dates[dates.length - 2];
  const b = dates[dates.length - 1];
  const fallback = Array.from({ length: n }, (_, i) => `+${i + 1}`);
  if (a === undefined || b === undefined) return fallback;
  const month = /^(\d{4})-(\d{2})$/;
  const ma = month.exec(a), mb = month.exec(b);
  if (ma && mb) {
    const ia = Number(ma[1]) * 12 + Number(ma[2]) - 1, ib = Number(mb[1]) * 12 + Number(mb[2]) - 1;
    const step = ib - ia;
    if (step <= 0) return fallback;
    return Array.from({ length: n }, (_, i) => {
      const m = ib + step * (i + 1);
      return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
    });
  }
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (day.test(a) && day.test(b)) {
    const ta = Date.parse(a + 'T00:00:00Z'), tb = Date.parse(b + 'T00:00:00Z');
    const step = tb - ta;
    if (!(step > 0)) return fallback;
    return Array.from({ length: n }, (_, i) => new Date(tb + step * (i + 1)).toISOString().slice(0, 10));
  }
  return fallback;
}

/** Labels of the `count` steps after a series of `n` points: its dates continued (extendDates) or, without dates, the indices n, n+1, …. */
export function futureLabels(n: number, count: number, dates?: readonly string[]): string[] {
  return dates ? extendDates(dates, count) : Array.from({ length: count }, (_, i) => String(n + i));
}
