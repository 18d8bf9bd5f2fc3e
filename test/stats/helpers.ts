/**
 * Shared by the src/stats tests: the R fixtures (scripts/gen_stats_fixtures.R) and an
 * element-wise comparison that prints the worst element.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

/** test/fixtures/stats/<name>.json. */
export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/stats/${name}`, import.meta.url), 'utf8')) as T;
}

/** |a_i − b_i| ≤ tol·max(1, |b_i|) for every i (first n only when given). */
export function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string, n = b.length): void {
  assert.ok(a.length >= n && b.length >= n, `${what}: lengths ${a.length} and ${b.length}`);
  let worst = 0, at = -1;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!));
    if (!(d <= worst)) { worst = d; at = i; }
  }
  assert.ok(worst <= tol, `${what}: largest relative difference ${worst.toExponential(2)} at [${at}] (${a[at]} vs ${b[at]}), tolerance ${tol}`);
}

/** ../shared/data/m3 (outside the repository; the tests that read it skip when it is absent). */
export const M3_DIR = new URL('../../../shared/data/m3/', import.meta.url);

/** One M3 frequency's series: training parts and test parts by id (from `<freq>.csv`). */
export function loadM3(freq: string): { train: Map<string, number[]>; test: Map<string, number[]> } {
  const train = new Map<string, number[]>(), test = new Map<string, number[]>();
  for (const line of readFileSync(new URL(`${freq}.csv`, M3_DIR), 'utf8').trim().split('\n').slice(1)) {
    const [id, , v, split] = line.split(',');
    const map = split === 'train' ? train : test;
    if (!map.has(id!)) map.set(id!, []);
    map.get(id!)!.push(Number(v));
  }
  return { train, test };
}

/** R forecast 8.20's per-series scores (`baselines-<freq>.csv`), keyed `<id>/<method>` (method: naive, snaive, ets, theta, arima, comb). */
export function loadM3Baselines(freq: string): Map<string, { smape: number; mase: number }> {
  const r = new Map<string, { smape: number; mase: number }>();
  for (const line of readFileSync(new URL(`baselines-${freq}.csv`, M3_DIR), 'utf8').trim().split('\n').slice(1)) {
    const [id, method, s, m] = line.split(',');
    r.set(`${id}/${method}`, { smape: Number(s), mase: Number(m) });
  }
  return r;
}
