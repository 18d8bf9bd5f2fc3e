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
