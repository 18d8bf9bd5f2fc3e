/**
 * The WebAssembly backend's thread pool. Each worker runs its own instance of the kernel module
 * on the shared memory and waits (a short spin, then Atomics.wait) on a control block in that
 * memory (CTRL, declared once below and handed to the worker's source). The caller writes a
 * job there (the kernel, its arguments, how its range is cut), bumps the job number
 * (Atomics.notify), and then every thread, the caller included, claims the next range with a
 * compare-exchange until none is left; the caller waits for the done count. No message is
 * posted per call, and a worker that has no core (a busy machine) just claims fewer ranges
 * instead of holding up the caller. The caller always runs range 0. Workers are unref'd: they
 * never keep the process alive.
 */
import { canBlock, isNode, nodeBuiltin } from './env.js';

/** What the pool needs of the allocator (memory.ts's Heap; named here so memory.ts, which
 * places the control block, and this file do not import each other). */
export interface ScratchAllocator {
  alloc(bytes: number): number;
}

/**
 * The control block: int32 words at CTRL_BASE (./memory.ts), shared by the caller and every
 * worker. This object is the only place the layout is written; the worker's source receives it.
 */
export const CTRL = {
  /** Job number; workers wait for it to change. */
  seq: 0,
  /** (job tag << 16) | next range to claim; 0xffff when no job is open. */
  next: 1,
  /** Ranges finished. */
  done: 2,
  /** Ranges in the job. */
  ranges: 3,
  /** The kernel, as its index in PAR_OPS. */
  op: 4,
  /** Argument slots that receive a range's start, its end, its size (end − start) and the thread's scratch; −1: none. */
  loArg: 5, hiArg: 6, countArg: 7, scratchArg: 8,
  /** The job's units (0..dim) and units per range. */
  dim: 9, per: 10,
  /** Set when a kernel threw on any thread. */
  failed: 11,
  /** Workers started. */
  ready: 12,
  /** N_ARGS argument values from here ... */
  args: 16,
  /** ... and N_ARGS strides: bytes an argument moves per unit of the range's start (0: fixed). */
  strides: 32,
  /** Words in the block. */
  words: 64,
} as const;
export type ControlBlock = typeof CTRL;

/** Arguments a job can pass to its kernel. */
export const N_ARGS = 16;
/** Threads a backend may use (the caller included). */
export const MAX_THREADS = 64;
const WORKER_SPIN = 200000;
const MAIN_SPIN = 4000;

/** Kernels a worker can run, by id (CTRL.op holds the index). */
export const PAR_OPS = ['matmulF32', 'matmulF64', 'lstmFwdF32', 'lstmFwdF64', 'lstmBwdF32', 'lstmBwdF64',
  'gruFwdF32', 'gruFwdF64', 'gruBwdF32', 'gruBwdF64', 'rnnBwdF32', 'rnnBwdF64',
  'seqFwdRowsF32', 'seqFwdUnitsF32', 'seqBwdRowsF32',
  'lstmFwdPeepF32', 'lstmFwdPeepF64', 'lstmBwdPeepF32', 'lstmBwdPeepF64', 'lstmPeepGradF32', 'lstmPeepGradF64',
  'sumRowsLdF32'] as const;
export type ParOp = (typeof PAR_OPS)[number];
const OP_ID = Object.fromEntries(PAR_OPS.map((n, i) => [n, i])) as Record<ParOp, number>;

type KernelFn = (...a: number[]) => void;

/**
 * One job: kernel `op` over the units 0..dim, cut into ranges of `per` units (ceil(dim / per)
 * ranges). The argument slots named by lo, hi, count and scratch receive, for each range, its
 * start, its end, its size and the running thread's scratch block; an argument with a nonzero
 * stride (a pointer into a batch, say) moves by start·stride bytes, unless it is 0 (absent).
 */
export interface Job {
  op: ParOp;
  /** At most N_ARGS; slots past the end are 0. */
  args: readonly number[];
  strides?: readonly number[];
  dim: number;
  per: number;
  lo?: number;
  hi?: number;
  count?: number;
  scratch?: number;
}

/** The worker threads and the control block they share with the calling thread. */
export class ThreadPool {
  /** Each thread's matmul scratch block (index 0: the calling thread). */
  readonly scratch: number[] = [];
  private readonly ctl: Int32Array;
  private workers: { terminate?: () => void }[] = [];
  private seq = 0;
  private readonly runArgs: number[] = new Array(N_ARGS).fill(0);
  private readonly fns: KernelFn[];

  constructor(private readonly module: WebAssembly.Module, private readonly memory: WebAssembly.Memory,
    private readonly ctrlBase: number, private readonly heap: ScratchAllocator, kernels: object, private readonly scratchBytes: number,
    private readonly shared: boolean) {
    this.ctl = new Int32Array(memory.buffer, ctrlBase, CTRL.words);
    Atomics.store(this.ctl, CTRL.next, 0xffff); // no job open
    this.fns = PAR_OPS.map((n) => (kernels as Record<ParOp, KernelFn>)[n]);
  }

  /** Start workers until `threads − 1` exist (Node worker_threads, or Web Workers). */
  ensureWorkers(threads: number): void {
    threads = Math.min(threads, MAX_THREADS);
    while (this.scratch.length < threads) this.scratch.push(this.heap.alloc(this.scratchBytes));
    if (!this.shared) return;
    while (this.workers.length < threads - 1) {
      const scratch = this.scratch[this.workers.length + 1]!;
      const data: WorkerData = { module: this.module, memory: this.memory, ctrl: this.ctrlBase, names: PAR_OPS, spin: WORKER_SPIN, scratch };
      const w = { terminate: undefined as (() => void) | undefined };
      const wt = nodeBuiltin<{ Worker: new (code: string, o: object) => { unref(): void; terminate(): void; on(e: string, f: (x: unknown) => void): void } }>('node:worker_threads');
      if (wt) {
        const worker = new wt.Worker(WORKER_CODE, { eval: true, workerData: data });
        worker.unref();
        worker.on('error', (e) => { console.error('lstm-ts wasm worker failed:', e); });
        w.terminate = () => worker.terminate();
      } else if (!isNode && typeof Worker !== 'undefined' && typeof Blob !== 'undefined') {
        try {
          const url = URL.createObjectURL(new Blob([WORKER_CODE], { type: 'text/javascript' }));
          const worker = new Worker(url);
          worker.postMessage(data);
          w.terminate = () => worker.terminate();
        } catch {
          return; // e.g. a content security policy without blob: workers: stay single-threaded
        }
      } else {
        return; // no way to start a thread: stay single-threaded
      }
      this.workers.push(w);
    }
  }

  /** Worker threads that have started. */
  readyWorkers(): number {
    return Atomics.load(this.ctl, CTRL.ready);
  }

  /** Resolves when `n` workers are ready (for tests and benchmarks). */
  async whenReady(n: number, timeoutMs = 10000): Promise<void> {
    const t0 = Date.now();
    this.ensureWorkers(n + 1);
    while (this.readyWorkers() < Math.min(n, this.workers.length)) {
      if (Date.now() - t0 > timeoutMs) throw new Error('wasm backend: worker threads did not start');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * Run `job` on this thread and every worker that is awake: each thread claims the next range
   * (compare-exchange) until none is left, so a worker without a core simply claims fewer.
   * Throws if the kernel threw on any thread.
   */
  run(job: Job): void {
    const c = this.ctl, ranges = Math.ceil(job.dim / job.per);
    c[CTRL.op] = OP_ID[job.op]; c[CTRL.dim] = job.dim; c[CTRL.per] = job.per; c[CTRL.ranges] = ranges;
    c[CTRL.loArg] = job.lo ?? -1; c[CTRL.hiArg] = job.hi ?? -1; c[CTRL.countArg] = job.count ?? -1; c[CTRL.scratchArg] = job.scratch ?? -1;
    for (let i = 0; i < N_ARGS; i++) {
      c[CTRL.args + i] = job.args[i] ?? 0;
      c[CTRL.strides + i] = job.strides?.[i] ?? 0;
    }
    Atomics.store(c, CTRL.done, 0);
    this.seq = (this.seq + 1) & 0x7fffffff;
    // Range 0 is the caller's, claimed before the job is published: a kernel may count on
    // range 0 running on the calling thread (the split-by-units sequence kernel lets only that range
    // spin instead of Atomics.wait, which a browser's main thread cannot call).
    Atomics.store(c, CTRL.next, ((this.seq & 0x7fff) << 16) | 1);
    Atomics.store(c, CTRL.seq, this.seq);
    Atomics.notify(c, CTRL.seq);
    let own: unknown = null; // what a range threw on this thread (a worker's error stays there)
    claimAndRun(c, CTRL, this.seq, this.runArgs, this.fns, this.scratch[0]!, 0, (e) => { own ??= e; });
    let spins = 0;
    for (let d = Atomics.load(c, CTRL.done); d !== ranges; d = Atomics.load(c, CTRL.done)) {
      if (++spins > MAIN_SPIN && canBlock) {
        Atomics.wait(c, CTRL.done, d, 1);
        spins = 0;
      }
    }
    // Close the queue before the next job's arguments are written: a late worker then finds
    // range 0xffff, past any job's count, and goes back to waiting.
    Atomics.store(c, CTRL.next, 0xffff);
    if (c[CTRL.failed] !== 0) {
      c[CTRL.failed] = 0;
      if (own !== null) throw new Error(`wasm backend: kernel ${job.op} failed: ${own instanceof Error ? own.message : String(own)}`, { cause: own });
      throw new Error(`wasm backend: kernel ${job.op} failed on a worker thread`);
    }
  }

  /** Byte address of the word that says a range threw (a sequence kernel stops waiting when it is set). */
  get failedFlagAddress(): number {
    return this.ctrlBase + CTRL.failed * 4;
  }
}

/**
 * Claim ranges of the current job (number `seq`) and run them until none is left; shared by
 * the calling thread and the workers (which get this function's source, so it may use only
 * its parameters and globals). c is the control block and L its layout (CTRL), a an argument
 * array of N_ARGS, own a range already claimed for this thread (run first) or −1; onError sees
 * what a range threw (the failed word tells the caller either way).
 */
function claimAndRun(c: Int32Array, L: ControlBlock, seq: number, a: number[], fns: KernelFn[], scratch: number, own: number,
  onError: (e: unknown) => void): void {
  const tag = seq & 0x7fff;
  for (let idx = own; ; idx = -1) {
    if (idx < 0) {
      const cur = Atomics.load(c, L.next);
      if (((cur >>> 16) & 0x7fff) !== tag) return; // a later job already: this one is finished
      idx = cur & 0xffff;
      if (idx >= c[L.ranges]!) return;
      if (Atomics.compareExchange(c, L.next, cur, cur + 1) !== cur) continue;
    }
    const per = c[L.per]!, lo = idx * per, hi = Math.min(c[L.dim]!, lo + per);
    for (let i = 0; i < a.length; i++) {
      const v = c[L.args + i]!;
      a[i] = v !== 0 ? v + lo * c[L.strides + i]! : 0;
    }
    const loArg = c[L.loArg]!, hiArg = c[L.hiArg]!, countArg = c[L.countArg]!, scratchArg = c[L.scratchArg]!;
    if (loArg >= 0) a[loArg] = lo;
    if (hiArg >= 0) a[hiArg] = hi;
    if (countArg >= 0) a[countArg] = hi - lo;
    if (scratchArg >= 0) a[scratchArg] = scratch;
    try {
      fns[c[L.op]!]!(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!, a[14]!, a[15]!);
    } catch (e) {
      Atomics.store(c, L.failed, 1); // seen by the caller, and by a sequence kernel waiting on this range
      onError(e);
    }
    if (Atomics.add(c, L.done, 1) + 1 === c[L.ranges]) Atomics.notify(c, L.done);
  }
}

/** What a worker is started with (workerData in Node, the first message in a browser). */
interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte address of the control block. */
  ctrl: number;
  names: readonly ParOp[];
  spin: number;
  scratch: number;
}

/**
 * The worker: instantiate the module on the shared memory, count itself in, then loop: wait
 * (spin briefly, then Atomics.wait) for a new job number and claim ranges of that job.
 * Plain JavaScript, evaluated by worker_threads (eval) or loaded from a Blob URL.
 */
const WORKER_CODE = `
'use strict';
const CTRL = ${JSON.stringify(CTRL)};
const N_ARGS = ${N_ARGS};
const claimAndRun = (${claimAndRun.toString()});
function start(d) {
  const inst = new WebAssembly.Instance(d.module, { env: { memory: d.memory, abort() { throw new Error('abort'); } } });
  const fns = d.names.map((n) => inst.exports[n]);
  const c = new Int32Array(d.memory.buffer, d.ctrl, CTRL.words);
  const a = new Array(N_ARGS).fill(0);
  let seen = Atomics.load(c, CTRL.seq);
  Atomics.add(c, CTRL.ready, 1);
  for (;;) {
    let s = Atomics.load(c, CTRL.seq), spins = 0;
    while (s === seen) {
      if (++spins > d.spin) { Atomics.wait(c, CTRL.seq, seen); spins = 0; }
      s = Atomics.load(c, CTRL.seq);
    }
    seen = s;
    claimAndRun(c, CTRL, s, a, fns, d.scratch, -1, () => {});
  }
}
if (typeof require === 'function') start(require('node:worker_threads').workerData);
else self.onmessage = (e) => start(e.data);
`;
