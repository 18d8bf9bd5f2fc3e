/**
 * R's forecasts for the M3 benchmark beyond what ../shared/data/m3 holds: the output of
 * bench/m3/r-forecasts.R (long format id,method,h,value,lo80,hi80,lo95,hi95, in
 * out/m3/r-MODE-SET*.csv) read and checked, merged with the shared point forecasts
 * (forecasts-SET.csv, read by data.ts), comb formed as the shared files form it (the mean of
 * ets, auto.arima and thetaf), and how closely a rerun of R gives the shared forecasts. The
 * shared files have R's monthly auto.arima and comb for a 200-series sample only; these fill in
 * the other series.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from '../../src/index.js';

/** One R forecast: the point, and the 80 and 95 % intervals when r-forecasts.R wrote them (each (H)). */
export interface RForecast {
  point: Float64Array;
  bounds?: { lo80: Float64Array; hi80: Float64Array; lo95: Float64Array; hi95: Float64Array };
}

/** method → series id → forecast. */
export type RForecasts = Map<string, Map<string, RForecast>>;

/** r-forecasts.R's output files for a set and mode in `folder`: r-MODE-SET*.csv, sorted by name. */
export function rForecastFiles(folder: string, mode: 'validation' | 'test', set: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((f) => f.startsWith(`r-${mode}-${set}`) && f.endsWith('.csv')).sort().map((f) => join(folder, f));
}

const HEADER = 'id,method,h,value,lo80,hi80,lo95,hi95';

/**
 * R's forecasts from r-forecasts.R's files, each series' `horizon` steps complete and finite
 * (else a FormatError naming the file and line, or the series); a later file wins where two
 * have the same series and method.
 */
export function readRForecasts(files: readonly string[], horizon: number): RForecasts {
  const by: RForecasts = new Map();
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split(/\r?\n/);
    if (lines[0] !== HEADER) throw new FormatError(file, `header must be "${HEADER}", found "${lines[0]}"`);
    const seen = new Map<string, RForecast>(); // this file's, so that a later file replaces whole series
    lines.slice(1).forEach((l, k) => {
      if (l === '') return;
      const c = l.split(',');
      const v = c.slice(2).map((x) => (x.trim() === '' ? NaN : Number(x))), h = v[0]!;
      if (c.length !== 8 || !Number.isInteger(h) || h < 1 || h > horizon || v.some((x) => !Number.isFinite(x))) {
        throw new FormatError(file, `line ${k + 2}: expected id, method, h in 1..${horizon} and five finite numbers, found "${l}"`);
      }
      const id = c[0]!, method = c[1]!, key = `${method}\u0000${id}`;
      let f = seen.get(key);
      if (!f) {
        const arr = (): Float64Array => new Float64Array(horizon).fill(NaN);
        seen.set(key, (f = { point: arr(), bounds: { lo80: arr(), hi80: arr(), lo95: arr(), hi95: arr() } }));
        if (!by.has(method)) by.set(method, new Map());
        by.get(method)!.set(id, f);
      }
      const b = f.bounds!;
      [f.point[h - 1], b.lo80[h - 1], b.hi80[h - 1], b.lo95[h - 1], b.hi95[h - 1]] = v.slice(1) as [number, number, number, number, number];
    });
    for (const [key, f] of seen) {
      const [method, id] = key.split('\u0000');
      if (f.point.some(Number.isNaN)) throw new FormatError(file, `the ${method} forecast of ${id} lacks some of its ${horizon} steps`);
    }
  }
  return by;
}

/** The shared point forecasts (forecasts-SET.csv: method → id → (H)) with r-forecasts.R's added, R's rerun winning where both have a series. */
export function mergeForecasts(shared: Map<string, Map<string, Float64Array>>, rerun: RForecasts): RForecasts {
  const out: RForecasts = new Map();
  for (const [m, byId] of shared) out.set(m, new Map([...byId].map(([id, point]) => [id, { point }])));
  for (const [m, byId] of rerun) {
    if (!out.has(m)) out.set(m, new Map());
    for (const [id, f] of byId) out.get(m)!.set(id, f);
  }
  return out;
}

/** `by` with comb set (replaced) to the mean of ets, arima and theta's point forecasts, for every series that has all three. */
export function withComb(by: RForecasts): RForecasts {
  const [e, a, t] = ['ets', 'arima', 'theta'].map((m) => by.get(m));
  if (!e || !a || !t) return by;
  const comb = new Map<string, RForecast>();
  for (const [id, f] of a) {
    const fe = e.get(id), ft = t.get(id);
    if (fe && ft) comb.set(id, { point: Float64Array.from(f.point, (v, h) => (fe.point[h]! + v + ft.point[h]!) / 3) });
  }
  by.set('comb', comb);
  return by;
}

/** Per method of `rerun`: its series, how many the shared forecasts have too, how many of those agree to `tol` relative, and the largest relative difference. */
export function agreement(shared: Map<string, Map<string, Float64Array>>, rerun: RForecasts, tol = 1e-9): { method: string; series: number; both: number; equal: number; largest: number }[] {
  const out = [];
  for (const [method, byId] of rerun) {
    let both = 0, equal = 0, largest = 0;
    for (const [id, f] of byId) {
      const s = shared.get(method)?.get(id);
      if (!s) continue;
      both++;
      let d = 0;
      for (let h = 0; h < f.point.length; h++) d = Math.max(d, Math.abs(f.point[h]! - s[h]!) / Math.max(Math.abs(s[h]!), 1e-12));
      if (d <= tol) equal++;
      largest = Math.max(largest, d);
    }
    out.push({ method, series: byId.size, both, equal, largest });
  }
  return out;
}
