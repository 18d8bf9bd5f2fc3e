/**
 * Timing: warm up, then repeat the timed unit until the time budget is spent, and summarise
 * with the median and the minimum. A very slow unit (longer than half the budget) runs once
 * after a cheap warm-up through the same code (Runner.warmup), so a 50-second training step
 * costs 50 seconds, not 150. Also the child-process runner the orchestrators share.
 */
import { spawn } from 'node:child_process';
import type { Runner } from './impls/types.js';

export interface Timing {
  /** Milliseconds of each measured run, in order. */
  samples: number[];
  median: number;
  min: number;
  /**
   * Median CPU time of this process per run (all its threads), ms. For a one-thread row it is
   * what the work costs when the core is not shared; a busy machine disturbs it far less than
   * the wall-clock median (time spent waiting for a core is not counted).
   */
  cpuMedian: number;
  /** Warm-up calls of `run` before measuring (the cheap `warmup` call is not counted). */
  warmupRuns: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b), n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** Wall-clock ms of one run; its CPU time (ms) is appended to cpuTimes. */
async function timed(runner: Runner, cpuTimes: number[]): Promise<number> {
  const c0 = process.cpuUsage(), t0 = performance.now();
  await runner.run();
  const wall = performance.now() - t0, c = process.cpuUsage(c0);
  cpuTimes.push((c.user + c.system) / 1000);
  return wall;
}

/**
 * Warm-up: the cheap `warmup` if the runner has one, then `run` at least once and until 3 calls
 * or 20% of the budget. Measure: `run` until `budgetMs` has passed (at least once), at most maxRuns.
 */
export async function measure(runner: Runner, budgetMs: number, maxRuns = 2000): Promise<Timing> {
  if (runner.warmup) await runner.warmup();
  const samples: number[] = [], cpuTimes: number[] = [];
  const first = await timed(runner, cpuTimes);
  let warmupRuns = 1;
  if (runner.warmup && first > budgetMs / 2) {
    samples.push(first); // already warm through warmup(); one slow call is the measurement
    warmupRuns = 0;
  } else {
    let warm = first;
    while (warmupRuns < 3 && warm < 0.2 * budgetMs) {
      warm += await timed(runner, cpuTimes);
      warmupRuns++;
    }
  }
  cpuTimes.length = samples.length; // keep the CPU times of the measured runs only
  const start = performance.now();
  while (samples.length < maxRuns && (samples.length === 0 || performance.now() - start < budgetMs)) {
    // Stop early rather than overrun the budget by more than one typical call.
    if (samples.length >= 1 && performance.now() - start + median(samples) > budgetMs * 1.1) break;
    samples.push(await timed(runner, cpuTimes));
  }
  return { samples, median: median(samples), min: Math.min(...samples), cpuMedian: median(cpuTimes), warmupRuns };
}

/** The marker the orchestrator looks for in a child's stdout (libraries print their own lines). */
export const RESULT_MARK = '@@BENCH ';

/**
 * Run a child process (one benchmark row, in its own process) and resolve with the JSON of its
 * last `@@BENCH` line, or `{ ok: false, error }` with the end of its stderr; killed after timeoutMs.
 */
export function childResult(cmd: string, args: string[], timeoutMs: number, env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '', err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').reverse().find((l) => l.startsWith(RESULT_MARK));
      if (line) return resolve(JSON.parse(line.slice(RESULT_MARK.length)));
      const why = signal === 'SIGKILL' ? `killed after ${timeoutMs / 1000} s` : `exit ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`;
      resolve({ ok: false, error: why });
    });
  });
}

/**
 * What the load says about a report's figures: above the core count, other processes took CPU
 * time during the run, so the figures are preliminary (slower and noisier than on an idle
 * machine) and the line names the command that gives final ones. `loads` are the 1-minute load
 * averages seen during the run.
 */
export function loadVerdict(loads: number[], cores: number, rerun: string): string {
  const worst = Math.max(0, ...loads.filter((x) => Number.isFinite(x)));
  return worst > cores
    ? `**Preliminary figures**: the 1-minute load average reached ${worst.toFixed(1)} on ${cores} cores, so other processes shared the CPU and the figures are slower and noisier than on an idle machine; final figures come from \`${rerun}\` on a quiet machine.`
    : `The 1-minute load average stayed at or below the core count (highest ${worst.toFixed(2)} on ${cores} cores).`;
}
