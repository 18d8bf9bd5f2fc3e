/**
 * Memory probes shared by the scripts in scripts/memory: resident set size now and at its
 * peak (VmHWM from /proc/self/status on Linux, the kernel's own high-water mark, so short
 * spikes between samples are not missed), V8 heap, and memory outside the heap (typed arrays,
 * wasm). Run the scripts with --expose-gc so samples are taken after a full collection.
 */
import { readFileSync } from 'node:fs';

export interface MemSample {
  /** Resident set size, bytes. */
  rss: number;
  /** Peak resident set size of the process so far, bytes (VmHWM; NaN where /proc is missing). */
  peakRss: number;
  heapUsed: number;
  /** ArrayBuffers and other memory V8 tracks outside its heap (includes wasm memory). */
  external: number;
}

/** Full garbage collection when the process runs with --expose-gc (otherwise a no-op). */
export function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) g();
}

function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** One sample, after a full GC. */
export function sample(): MemSample {
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, peakRss: peakRss(), heapUsed: m.heapUsed, external: m.external };
}

export const MB = (b: number): number => Math.round((b / 2 ** 20) * 10) / 10;

/** `--name value` command-line options with numeric or string defaults. */
export function args<T extends Record<string, number | string>>(defaults: T): T {
  const out: Record<string, number | string> = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]!.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!(key in out)) throw new Error(`unknown option ${argv[i]} (options: ${Object.keys(defaults).join(', ')})`);
    out[key] = typeof defaults[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1]!;
  }
  return out as T;
}
