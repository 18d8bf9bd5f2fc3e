/**
 * Feature detection for the WebAssembly backend: which runtime this is (Node or a browser),
 * how many cores it has, whether a WebAssembly memory may be shared between threads, and
 * whether this thread may block in Atomics.wait. Read-only: nothing here changes any state.
 */

type NodeBuiltins = { getBuiltinModule?: (id: string) => unknown };
const nodeProcess = (globalThis as { process?: { versions?: { node?: string }; env?: Record<string, string | undefined> } & NodeBuiltins }).process;

/** True in Node (and in its worker threads). */
export const isNode = typeof nodeProcess?.versions?.node === 'string';

/** A Node built-in module ('node:os', 'node:v8', 'node:worker_threads'), or null outside Node. */
export function nodeBuiltin<T>(id: string): T | null {
  return isNode && typeof nodeProcess!.getBuiltinModule === 'function' ? (nodeProcess!.getBuiltinModule(id) as T) : null;
}

/** An environment variable in Node; undefined elsewhere. */
export function envVar(name: string): string | undefined {
  return isNode ? nodeProcess!.env?.[name] : undefined;
}

/** Number of cores to use by default (os.availableParallelism() / navigator.hardwareConcurrency). */
export function coreCount(): number {
  const os = nodeBuiltin<{ availableParallelism?: () => number; cpus: () => unknown[] }>('node:os');
  if (os) return os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}

/** True where a shared WebAssembly.Memory is allowed (Node; cross-origin-isolated pages). */
export function canShare(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  if (isNode) return true;
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/** Only Node (and workers) may block the calling thread with Atomics.wait; a browser's main thread may not. */
export const canBlock = isNode || typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
