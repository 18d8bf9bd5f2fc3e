/**
 * What each benchmarked implementation provides: `create` builds the model for a workload from
 * the shared weights (bench/data.ts) and returns a Runner whose `run` is one timed unit.
 */
import type { BenchData } from '../data.js';
import type { Workload } from '../workloads.js';

export interface RunnerOptions {
  /** Threads the implementation may use (1 or all cores). */
  threads: number;
}

export interface Runner {
  /** One timed unit: one forward of the whole batch, or one training step. */
  run(): unknown;
  /**
   * What `run` returned, in comparable form (not timed): inference, every step's output
   * (B,T,H) batch-first, or undefined when the implementation does not produce it (brain.js
   * returns only the last step); training, the loss before the update. Default: as returned.
   */
  result?(ran: unknown): Float32Array | number | undefined;
  /** A cheaper call through the same code paths, to warm up very slow implementations. */
  warmup?(): unknown;
  dispose?(): void | Promise<void>;
}

export interface Impl {
  /** Short id used on the command line and in tables. */
  id: string;
  /** Null when the implementation can run this workload, else the reason it cannot. */
  unsupported?(w: Workload): string | null;
  create(w: Workload, data: BenchData, opts: RunnerOptions): Promise<Runner>;
  /** Versions and settings worth printing. */
  info?(): Promise<Record<string, string>>;
}
