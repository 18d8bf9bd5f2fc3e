/**
 * The threads test page (threads.html): loads the WebAssembly kernels with initWasm(), makes a
 * 1-thread and a 2-thread backend, runs the workloads of threads-work.ts on both, and reports
 * whether the page is cross-origin isolated, what wasmInfo() says, how many workers started,
 * whether the 2-thread results are bit-identical to the 1-thread ones, the median times, and
 * how often an LSTM forward threw (each is retried, so the other results still come; see
 * `thrown`). The report goes to #out (JSON) and to `window.threadsReport`; an error goes to
 * `window.threadsError`. With ?in=worker the same code runs inside a module Web Worker (the
 * explorer trains in one) and posts its report back. ?runs=N: timing runs (default 5);
 * ?repeat=N: batch-1 forwards on 2 threads in a row (default 200). Bundled by build.mjs.
 */
import { backendByName, registerBackend } from '../../src/kernels/index.js';
import { createWasmBackend, initWasm, wasmInfo, wasmThreadsReady, type WasmInfo } from '../../src/kernels/wasm/index.js';
import { digest, lstmForward, lstmSetup, LSTM_SHAPES, matmulSetup, medianMs, namesSetup, type LstmCase } from './threads-work.js';

/** What one backend computed (digests compare bit patterns). */
export interface Results {
  lstm: Record<LstmCase, { output: string; h: number[] }>; // output (T,B,H) digest, final h (1,B,H)
  matmul: string[]; // digests of the three matmuls
  namesLoss: number; // loss of one epoch of the explorer's 'names' task
}

/** Median ms, [1 thread, 2 threads]. */
export type Timings = Record<LstmCase | 'matmul' | 'names', [number, number]>;

export interface Report {
  where: 'page' | 'worker';
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  info: WasmInfo; // wasmInfo() after the 2-thread backend's workers are up (or not)
  readyMs: number; // from creating the 2-thread backend until its worker was ready (the cold run included)
  cold: Omit<Results, 'namesLoss'>; // 2 threads, before the worker was ready
  namesBatches: number;
  runs: number;
  one: Results;
  two: Results;
  ms: Timings; // LSTM forwards, the three matmuls, one 'names' epoch (namesBatches batches)
  repeat: { runs: number; ms: number; wrong: number }; // batch-1 forwards on 2 threads: how many gave other bits
  thrown: { count: number; first: string | null }; // LSTM forwards that threw (then retried), all of the above
}

const CASES = Object.keys(LSTM_SHAPES) as LstmCase[];
const thrown: Report['thrown'] = { count: 0, first: null };

/** fn (an LSTM forward), retried (up to 100 times) if it throws; every throw is counted in `thrown`. */
function retried<T>(fn: () => T): T {
  for (let attempt = 1; ; attempt++) {
    try {
      return fn();
    } catch (e) {
      thrown.count++;
      thrown.first ??= String(e);
      if (attempt === 100) throw e;
    }
  }
}

/** The LSTM forwards and the matmuls on one backend: results, and a rerun per workload for timing. */
function kernels(name: string): { results: Omit<Results, 'namesLoss'>; rerun: Record<LstmCase | 'matmul', () => unknown> } {
  const lstm = Object.fromEntries(CASES.map((c) => [c, lstmSetup(name, c)])) as Record<LstmCase, ReturnType<typeof lstmSetup>>;
  const mm = matmulSetup(backendByName(name));
  mm.run();
  const out = (c: LstmCase): { output: string; h: number[] } => {
    const { output, h } = retried(() => lstmForward(lstm[c]));
    return { output: digest(output), h: [...h] };
  };
  return {
    results: { lstm: Object.fromEntries(CASES.map((c) => [c, out(c)])) as Results['lstm'], matmul: mm.results().map(digest) },
    rerun: { ...Object.fromEntries(CASES.map((c) => [c, () => retried(() => lstm[c].lstm.forward(lstm[c].x))])) as Record<LstmCase, () => unknown>, matmul: () => mm.run() },
  };
}

/** `runs` batch-1 forwards on `name` in a row, each checked against `expected`. */
function repeat(name: string, runs: number, expected: string): Report['repeat'] {
  const setup = lstmSetup(name, 'batch1');
  let wrong = 0;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) if (digest(retried(() => lstmForward(setup)).output) !== expected) wrong++;
  return { runs, ms: performance.now() - t0, wrong };
}

export async function measure(runs: number, repeats: number, where: Report['where']): Promise<Report> {
  await initWasm();
  registerBackend('wasm-2t', () => createWasmBackend({ threads: 2, name: 'wasm-2t' }));
  const t0 = performance.now();
  // Created, then used at once: the worker is still starting (that takes tens of milliseconds),
  // so the caller must run every range itself, not wait for it.
  const cold = kernels('wasm-2t').results;
  await wasmThreadsReady(2);
  const readyMs = performance.now() - t0;
  const info = wasmInfo()!;
  const [k1, k2] = [kernels('wasm-1t'), kernels('wasm-2t')];
  const [n1, n2] = [namesSetup('wasm-1t'), namesSetup('wasm-2t')];
  const one: Results = { ...k1.results, namesLoss: await n1.run() };
  const two: Results = { ...k2.results, namesLoss: await n2.run() };
  const pair = async (a: () => unknown, b: () => unknown, n: number): Promise<[number, number]> => (await medianMs([a, b], n)) as [number, number];
  const ms = {} as Timings;
  for (const c of CASES) ms[c] = await pair(k1.rerun[c], k2.rerun[c], runs);
  ms.matmul = await pair(k1.rerun.matmul, k2.rerun.matmul, runs * 4);
  ms.names = await pair(() => n1.run(), () => n2.run(), runs);
  return {
    where, crossOriginIsolated: globalThis.crossOriginIsolated === true, hardwareConcurrency: navigator.hardwareConcurrency,
    info, readyMs, cold, namesBatches: n1.batches, runs, one, two, ms,
    repeat: repeat('wasm-2t', repeats, one.lstm.batch1.output), thrown,
  };
}

type Out = { threadsReport?: Report; threadsError?: string };
const params = new URLSearchParams(location.search);
const runs = Number(params.get('runs') ?? 5), repeats = Number(params.get('repeat') ?? 200);

if (typeof document === 'undefined') {
  // Inside the module worker started below.
  const ctx = self as unknown as { postMessage(m: unknown): void };
  measure(runs, repeats, 'worker').then((report) => ctx.postMessage({ report }), (e: Error) => ctx.postMessage({ error: String(e.stack ?? e) }));
} else {
  const out = window as unknown as Out;
  const done = (report: Report | undefined, error: string | undefined): void => {
    document.getElementById('out')!.textContent = error ?? JSON.stringify(report, (k, v) => (k === 'h' ? `[${v.length} numbers]` : v), 2);
    if (error) out.threadsError = error;
    else out.threadsReport = report;
  };
  if (params.get('in') === 'worker') {
    const w = new Worker(new URL(`threads.js${location.search}`, import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent<{ report?: Report; error?: string }>) => done(e.data.report, e.data.error);
    w.onerror = (e) => done(undefined, `worker: ${e.message}`);
  } else {
    measure(runs, repeats, 'page').then((r) => done(r, undefined), (e: Error) => done(undefined, String(e.stack ?? e)));
  }
}
