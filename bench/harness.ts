/**
 * Timing: warm up, then repeat the timed unit until the time budget is spent, and summarise
 * with the median and the minimum. A very slow unit (longer than half the budget) runs once
 * after a cheap warm-up through the same code (Runner.warmup), so a 50-second training step
 * costs 50 seconds, not 150.
 */
import type { Runner } from './impls/types.js';

export interface Timing {
  /** Milliseconds of each measured run, in order. */
  samples: number[];
  median: number;
  min: number;
  /** Warm-up calls of `run` before measuring (the cheap `warmup` call is not counted). */
  warmupRuns: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b), n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

async function timed(runner: Runner): Promise<number> {
  const t0 = performance.now();
  await runner.run();
  return performance.now() - t0;
}

/**
 * Warm-up: the cheap `warmup` if the runner has one, then `run` at least once and until 3 calls
 * or 20% of the budget. Measure: `run` until `budgetMs` has passed (at least once), at most maxRuns.
 */
export async function measure(runner: Runner, budgetMs: number, maxRuns = 2000): Promise<Timing> {
  if (runner.warmup) await runner.warmup();
  const samples: number[] = [];
  const first = await timed(runner);
  let warmupRuns = 1;
  if (runner.warmup && first > budgetMs / 2) {
    samples.push(first); // already warm through warmup(); one slow call is the measurement
    warmupRuns = 0;
  } else {
    let warm = first;
    while (warmupRuns < 3 && warm < 0.2 * budgetMs) {
      warm += await timed(runner);
      warmupRuns++;
    }
  }
  const start = performance.now();
  while (samples.length < maxRuns && (samples.length === 0 || performance.now() - start < budgetMs)) {
    // Stop early rather than overrun the budget by more than one typical call.
    if (samples.length >= 1 && performance.now() - start + median(samples) > budgetMs * 1.1) break;
    samples.push(await timed(runner));
  }
  return { samples, median: median(samples), min: Math.min(...samples), warmupRuns };
}

/** The marker the orchestrator looks for in a child's stdout (libraries print their own lines). */
export const RESULT_MARK = '@@BENCH ';
