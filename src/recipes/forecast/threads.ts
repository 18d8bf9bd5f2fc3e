/**
 * Running a forecasting job in a Node worker thread: finding the worker's script, starting it
 * (from the TypeScript sources through tsx's loader, from the built package directly) and
 * turning its messages into a promise. Shared by the ensemble members' training (members.ts,
 * member-worker.ts) and the per-series classical fits (classical.ts, classical-worker.ts).
 *
 * A bundled application (one .js file, no worker script beside it) and a browser have no worker
 * to start: {@link workerFor} then returns null and the caller does the job on this thread, with
 * the same result (every job is deterministic and independent of where it runs).
 */
import { isNode, nodeBuiltin } from '../../kernels/wasm/env.js';

type WorkerClass = typeof import('node:worker_threads').Worker;

/** What a worker posts: progress lines, then its result or an error. */
export type WorkerMessage<T> =
  | { kind: 'log'; msg: string }
  | { kind: 'done'; result: T }
  | { kind: 'error'; message: string };

/**
 * The script of worker `name` ('member-worker') beside `base` (the caller's import.meta.url):
 * name.ts when running from the sources, name.js from the built package.
 */
export function workerScript(name: string, base: string): URL {
  return new URL(`./${name}.${base.endsWith('.ts') ? 'ts' : 'js'}`, base);
}

/**
 * Node's Worker class when `threads` ≥ 2 and `script` exists (a file: URL that is absent, as in a
 * bundled application, gives null and a log line saying so); null elsewhere (a browser, one thread).
 */
export function workerFor(threads: number, script: URL, log?: (msg: string) => void): WorkerClass | null {
  if (threads < 2 || !isNode) return null;
  const Worker = nodeBuiltin<typeof import('node:worker_threads')>('node:worker_threads')?.Worker;
  if (!Worker) return null;
  if (script.protocol === 'file:') {
    const fs = nodeBuiltin<typeof import('node:fs')>('node:fs'), url = nodeBuiltin<typeof import('node:url')>('node:url');
    if (fs && url && !fs.existsSync(url.fileURLToPath(script))) {
      log?.(`threads: no worker script at ${script.href}: running on this thread`);
      return null;
    }
  }
  return Worker;
}

/**
 * Run `script` in a fresh worker thread with `data` (structured-cloned) and resolve to the result
 * it posts. From the TypeScript sources (tsx, tests) the worker first registers tsx's loader,
 * which worker threads do not inherit.
 */
export function runWorker<T>(Worker: WorkerClass, script: URL, data: unknown, log: (msg: string) => void): Promise<T> {
  const worker = script.pathname.endsWith('.ts')
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => m.register()).then(() => import(${JSON.stringify(script.href)}))`, { eval: true, workerData: data })
    : new Worker(script, { workerData: data });
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      f();
    };
    worker.on('message', (m: WorkerMessage<T>) => {
      if (m.kind === 'log') log(m.msg);
      else if (m.kind === 'done') finish(() => resolve(m.result));
      else finish(() => reject(new Error(m.message)));
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`worker ${script.pathname.split('/').pop()} stopped (exit code ${code}) before sending its result`))));
  });
}

/** In a worker: run `job` and post its result (or the error's message) to the parent. */
export async function serveWorker<T>(job: (log: (msg: string) => void) => T | Promise<T>): Promise<void> {
  const { parentPort } = nodeBuiltin<typeof import('node:worker_threads')>('node:worker_threads')!;
  const post = (m: WorkerMessage<T>): void => parentPort!.postMessage(m);
  try {
    post({ kind: 'done', result: await job((msg) => post({ kind: 'log', msg })) });
  } catch (e) {
    post({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
  }
}
