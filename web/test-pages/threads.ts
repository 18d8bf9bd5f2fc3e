/**
 * The threads test page (threads.html): loads the WebAssembly kernels with initWasm(), makes a
 * 1-thread and a 2-thread backend, runs the workloads of threads-work.ts on both, and reports
 * whether the page is cross-origin isolated, what wasmInfo() says, how many workers started,
 * whether the 2-thread results are bit-identical to the 1-thread ones, and the median times.
 * The report goes to #out (JSON) and to `window.threadsReport`; an error goes to
 * `window.threadsError`. With ?in=worker the same code runs inside a module Web Worker (the
 * explorer trains in one) and posts its report back. Bundled by test/web/wasm-threads.test.ts.
 */
import { backendByName, registerBackend } from '../../src/kernels/index.js';
import { createWasmBackend, initWasm, wasmInfo, wasmThreadsReady, type WasmInfo } from '../../src/kernels/wasm/index.js';
import { digest, lstmForward, lstmSetup, matmulSetup, medianMs, namesSetup } from './threads-work.js';

/** What one backend computed (digests compare bit patterns). */
export interface Results {
  lstmOutput: string; // digest of the LSTM output (T,B,H)
  lstmH: number[]; // final h (1,B,H)
  matmul: string[]; // digests of the three matmuls
  namesLoss: number; // loss of one epoch of the explorer's 'names' task
}

/** Median ms, [1 thread, 2 threads]. */
export interface Timings {
  lstm: [number, number]; // LSTM forward
  matmul: [number, number]; // the three matmuls
  names: [number, number]; // one epoch of the 'names' task (namesBatches batches)
}

export interface Report {
  where: 'page' | 'worker';
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  info: WasmInfo; // wasmInfo() after the 2-thread backend's workers are up (or not)
  readyMs: number; // from creating the 2-thread backend until its worker was ready (the cold run included)
  cold: Pick<Results, 'lstmOutput' | 'matmul'>; // 2 threads, before the worker was ready
  namesBatches: number;
  runs: number;
  one: Results;
  two: Results;
  ms: Timings;
}

/** The workloads on one backend: first results, then functions that rerun them for timing. */
async function prepare(name: string): Promise<{ results: Results; lstm(): unknown; matmul(): void; names(): Promise<number> }> {
  const setup = lstmSetup(name);
  const { output, h } = lstmForward(name, setup);
  const mm = matmulSetup(backendByName(name));
  mm.run();
  const names = namesSetup(name);
  const namesLoss = await names.run();
  return {
    results: { lstmOutput: digest(output), lstmH: [...h], matmul: mm.results().map(digest), namesLoss },
    lstm: () => setup.lstm.forward(setup.x),
    matmul: () => mm.run(),
    names: () => names.run(),
  };
}

/** LSTM and matmul digests computed synchronously on a backend created just now. */
function coldResults(name: string): Pick<Results, 'lstmOutput' | 'matmul'> {
  const mm = matmulSetup(backendByName(name));
  mm.run();
  return { lstmOutput: digest(lstmForward(name).output), matmul: mm.results().map(digest) };
}

export async function measure(runs: number, where: Report['where']): Promise<Report> {
  await initWasm();
  registerBackend('wasm-2t', () => createWasmBackend({ threads: 2, name: 'wasm-2t' }));
  const t0 = performance.now();
  // Created, then used at once: the worker is still starting (a browser starts it only once this
  // thread returns to its event loop), so the caller must run every range itself, not wait.
  const cold = coldResults('wasm-2t');
  await wasmThreadsReady(2);
  const readyMs = performance.now() - t0;
  const info = wasmInfo()!;
  const one = await prepare('wasm-1t'), two = await prepare('wasm-2t');
  const pair = async (a: () => unknown, b: () => unknown, n: number): Promise<[number, number]> => (await medianMs([a, b], n)) as [number, number];
  const ms: Timings = {
    lstm: await pair(one.lstm, two.lstm, runs),
    matmul: await pair(one.matmul, two.matmul, runs * 4),
    names: await pair(one.names, two.names, runs),
  };
  return {
    where, crossOriginIsolated: globalThis.crossOriginIsolated === true, hardwareConcurrency: navigator.hardwareConcurrency,
    info, readyMs, cold, namesBatches: namesSetup('wasm-1t').batches, runs, one: one.results, two: two.results, ms,
  };
}

type Out = { threadsReport?: Report; threadsError?: string };
const runs = Number(new URLSearchParams(location.search).get('runs') ?? 5);

if (typeof document === 'undefined') {
  // Inside the module worker started below.
  const ctx = self as unknown as { postMessage(m: unknown): void };
  measure(runs, 'worker').then((report) => ctx.postMessage({ report }), (e: Error) => ctx.postMessage({ error: String(e.stack ?? e) }));
} else {
  const out = window as unknown as Out;
  const done = (report: Report | undefined, error: string | undefined): void => {
    document.getElementById('out')!.textContent = error ?? JSON.stringify(report, (k, v) => (k === 'lstmH' ? `[${v.length} numbers]` : v), 2);
    if (error) out.threadsError = error;
    else out.threadsReport = report;
  };
  if (new URLSearchParams(location.search).get('in') === 'worker') {
    const w = new Worker(new URL(`threads.js${location.search}`, import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent<{ report?: Report; error?: string }>) => done(e.data.report, e.data.error);
    w.onerror = (e) => done(undefined, `worker: ${e.message}`);
  } else {
    measure(runs, 'page').then((r) => done(r, undefined), (e: Error) => done(undefined, String(e.stack ?? e)));
  }
}
