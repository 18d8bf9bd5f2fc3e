/**
 * The WebAssembly backend: the kernels of ./assembly (AssemblyScript, 128-bit SIMD) running in
 * one WebAssembly memory that also holds every buffer the backend hands out, so no kernel call
 * copies data between JavaScript and WebAssembly. Large matmuls and the batch of the cell
 * kernels are split over worker threads that share that memory.
 *
 * Names: 'wasm' uses every core (os.availableParallelism()), 'wasm-1t' one thread; both share
 * one memory, so their buffers are interchangeable. `createWasmBackend({ threads })` makes
 * others (register one with registerBackend). Importing this module in Node loads the kernels
 * synchronously and makes 'wasm' the default backend; in a browser call `await initWasm()`.
 *
 * Build choice at load: the relaxed-SIMD build (f32x4.relaxed_madd, a fused multiply-add) when
 * WebAssembly.validate accepts it, else the plain-SIMD build. Node 20's V8 implements relaxed
 * SIMD behind --experimental-wasm-relaxed-simd; since that build runs the matmul 1.2–1.3×
 * faster here (FMA: one-core f32x4 peak 58 vs 38 GFLOP/s), the Node loader turns the flag on with
 * v8.setFlagsFromString when validation fails, and keeps the plain build if it still fails.
 * LSTM_TS_WASM_RELAXED=0 in the environment forces the plain build, =1 insists on relaxed.
 *
 * Memory: in Node (and cross-origin-isolated pages) a shared WebAssembly.Memory with a 2 GiB
 * maximum: growing it never detaches the views already handed out, and worker threads can use
 * it. Elsewhere the memory cannot be shared and growing would detach every view, so it is
 * reserved once at its full size (256 MiB by default, `initWasm({ memoryMiB })`) and an
 * allocation beyond it throws. Buffers come from a size-class allocator written here in JS
 * (classes ≤ 25% apart, a free list per class, bump allocation above, zero-filled on alloc).
 *
 * Threads: each worker runs its own instance of the same module on the shared memory and
 * waits (a short spin, then Atomics.wait) on a control block in that memory. The caller writes
 * the kernel id, its arguments and a count of ranges, bumps the job number (Atomics.notify),
 * and then every thread, the caller included, claims the next range with a compare-exchange
 * until none is left; the caller waits for the done count. No message is posted per call, and a
 * worker that has no core (a busy machine) just claims fewer ranges instead of holding up the
 * caller. A matmul is split by columns (n ≥ m) or rows, 2 ranges per thread, in multiples of
 * the register block, so every element is summed in the same order whatever the thread count
 * (results are bit-identical); the cell kernels are split by batch rows. Products below
 * PAR_MIN_MACS multiply-adds stay on the calling thread. The caller always runs range 0.
 * Workers are unref'd: they never keep the process alive.
 *
 * LSTM layers (float32, no projection) run their whole time loop as one job
 * (lstmSequenceForward/Backward, ./assembly/sequence.ts): batches of 4 rows or more are split
 * by rows, one range per thread, and no thread waits for another inside the loop; batches of
 * 1–3 are split by hidden units, each thread owning one slice and meeting the others once per
 * step (taking over a slice nobody took, so a missing worker costs time, never a hang).
 */
import { registerBackend, setDefaultBackend, type Backend, type FloatArray, type RnnActivation } from '../backend.js';
import type { DType } from '../../tensor/tensor.js';
import { WASM_DATA_END, WASM_RELAXED, WASM_SIMD } from './build/bytes.js';

/** Exported kernels of the module (pointers are byte addresses; booleans are 0/1). */
interface Kernels {
  matmulF32(C: number, A: number, B: number, m: number, n: number, k: number, flags: number, scratch: number, i0: number, i1: number, j0: number, j1: number): void;
  matmulF64(C: number, A: number, B: number, m: number, n: number, k: number, flags: number, scratch: number, i0: number, i1: number, j0: number, j1: number): void;
  matmulScratchBytes(): number;
  lstmFwdF32(g: number, cp: number, cn: number, m: number, B: number, H: number, len: number, t: number): void;
  lstmFwdF64(g: number, cp: number, cn: number, m: number, B: number, H: number, len: number, t: number): void;
  lstmBwdF32(g: number, cp: number, cn: number, dm: number, dc: number, dg: number, B: number, H: number, len: number, t: number): void;
  lstmBwdF64(g: number, cp: number, cn: number, dm: number, dc: number, dg: number, B: number, H: number, len: number, t: number): void;
  gruFwdF32(xg: number, hg: number, hn: number, hp: number, hx: number, B: number, H: number, len: number, t: number): void;
  gruFwdF64(xg: number, hg: number, hn: number, hp: number, hx: number, B: number, H: number, len: number, t: number): void;
  gruBwdF32(g: number, hn: number, hp: number, dh: number, dx: number, dhg: number, dhp: number, B: number, H: number, len: number, t: number): void;
  gruBwdF64(g: number, hn: number, hp: number, dh: number, dx: number, dhg: number, dhp: number, B: number, H: number, len: number, t: number): void;
  rnnFwdF32(pre: number, n: number, act: number): void;
  rnnFwdF64(pre: number, n: number, act: number): void;
  rnnBwdF32(h: number, dh: number, dp: number, B: number, H: number, act: number, len: number, t: number): void;
  rnnBwdF64(h: number, dh: number, dp: number, B: number, H: number, act: number, len: number, t: number): void;
  fillRowsF32(dst: number, rows: number, cols: number, a: number, b: number): void;
  fillRowsF64(dst: number, rows: number, cols: number, a: number, b: number): void;
  sumRowsF32(dst: number, src: number, rows: number, cols: number, acc: number): void;
  sumRowsF64(dst: number, src: number, rows: number, cols: number, acc: number): void;
  addF32(dst: number, a: number, b: number, n: number): void;
  addF64(dst: number, a: number, b: number, n: number): void;
  mulF32(dst: number, a: number, b: number, n: number): void;
  mulF64(dst: number, a: number, b: number, n: number): void;
  copyBytes(dst: number, src: number, n: number): void;
  keepInactiveRows(dst: number, src: number, rows: number, rowBytes: number, len: number, t: number): void;
  packPanelsF32(dst: number, W: number, K: number, N: number, trans: number): void;
  packDotBytes(G: number, H: number, K: number): number;
  /** Rows per dot-product group of the split-by-units sequence kernel. */
  DOT_ROWS: WebAssembly.Global;
  /** Bytes between that kernel's step counters. */
  SYNC_STRIDE: WebAssembly.Global;
  lstmSeqFwdRowsF32(params: number, b0: number, b1: number, scratch: number): void;
  /** int32 fields of lstmSeqFwdRowsF32's parameter block. */
  FWD_FIELDS: WebAssembly.Global;
  lstmSeqFwdUnitsF32(params: number, who: number, scratch: number): void;
  /** int32 fields of lstmSeqFwdUnitsF32's parameter block. */
  UNITS_FIELDS: WebAssembly.Global;
  lstmSeqBwdRowsF32(G: number, Cs: number, dHs: number, dh: number, dc: number, dG: number, Wp: number, T: number, B: number, H: number, len: number, rev: number, b0: number, b1: number, tmp: number): void;
  simdPeakF32(iters: number): number;
  activationsF32(x: number, sig: number, th: number, n: number): void;
}

/** Kernels a worker can run, by id (the control slot carries the index). */
const PAR_OPS = ['matmulF32', 'matmulF64', 'lstmFwdF32', 'lstmFwdF64', 'lstmBwdF32', 'lstmBwdF64',
  'gruFwdF32', 'gruFwdF64', 'gruBwdF32', 'gruBwdF64', 'rnnBwdF32', 'rnnBwdF64',
  'lstmSeqFwdRowsF32', 'lstmSeqFwdUnitsF32', 'lstmSeqBwdRowsF32'] as const;
type ParOp = (typeof PAR_OPS)[number];
const OP_ID = Object.fromEntries(PAR_OPS.map((n, i) => [n, i])) as Record<ParOp, number>;

/**
 * Below this many multiply-adds a matmul runs on the calling thread. On an idle machine with
 * the worker spinning, a handoff costs about 0.7 µs and even the 65 536-MAC step of a batch-1
 * LSTM (H 128) ran 1.5× faster split (bench: 4.9 → 3.2 µs); inside the LSTM time loop that gain
 * did not show end to end, and on a busy machine small splits lose, so the bar is set higher.
 */
const PAR_MIN_MACS = 1 << 18;
/** Runtime.region slots of the sequence kernels: packed weights, step counters, parameter blocks. */
const REGION = { whh: 0, sync: 1, wih: 2, rowsJob: 3, unitsJob: 4 } as const;
/**
 * Below this many multiply-adds per step (B·4H·H) an LSTM sequence split by hidden units runs
 * on the calling thread: the threads meet once per step, which costs more than a small step.
 */
const SEQ_PAR_MIN_MACS = 1 << 15;
/** Below this many hidden units × batch rows a cell kernel runs on the calling thread. */
const PAR_MIN_CELLS = 1 << 14;
const PAGE = 65536;
const SHARED_MAX_PAGES = 32768; // 2 GiB of address space, reserved, not committed
const MAX_THREADS = 64;
/** The job control block (CTRL_INTS int32) follows the module's static data; the heap follows it. */
const CTRL_BASE = Math.ceil(WASM_DATA_END / 64) * 64;
const CTRL_INTS = 64;
const HEAP_BASE = Math.ceil((CTRL_BASE + CTRL_INTS * 4) / PAGE) * PAGE;
// Control block words (int32 indices).
const SEQ = 0; // job number; workers wait for it to change
const NEXT = 1; // (job tag << 16) | next chunk to claim
const DONE = 2; // chunks finished
const N_CHUNKS = 3, OP = 4, LO_AT = 5, HI_AT = 6, COUNT_AT = 7, SCRATCH_AT = 8, DIM = 9, PER = 10;
const FAILED = 11; // set when a kernel threw on a worker
const READY = 12; // workers started
const ARGS = 16; // 16 base arguments
const STRIDES = 32; // 16 per-range-unit strides (bytes per batch row for the cell kernels)
const N_ARGS = 16;
const GUARD = 64; // kernels may read up to 28 bytes past a row end (discarded lanes)
const WORKER_SPIN = 200000;
const MAIN_SPIN = 4000;

export interface WasmInitOptions {
  /** 'auto' (default in browsers): relaxed SIMD if the runtime validates it. true (default in Node): also try enabling it in Node's V8. false: plain SIMD. */
  relaxed?: boolean | 'auto';
  /** Memory reserved when it cannot be shared (browsers without cross-origin isolation). Default 256. */
  memoryMiB?: number;
}

export interface WasmBackendOptions {
  /** Threads including the caller. Default: all cores (os.availableParallelism() / navigator.hardwareConcurrency). Always 1 where the memory cannot be shared (a page that is not cross-origin isolated). */
  threads?: number;
  /** Backend name reported by `name`. Default 'wasm' or 'wasm-<threads>t'. */
  name?: string;
}

export interface WasmInfo {
  variant: 'simd' | 'relaxed';
  shared: boolean;
  memoryBytes: number;
  /** Worker threads started and ready (the caller's thread not counted). */
  workersReady: number;
  cores: number;
}

type NodeBuiltins = { getBuiltinModule?: (id: string) => unknown };
const nodeProcess = (globalThis as { process?: { versions?: { node?: string } } & NodeBuiltins }).process;
const isNode = typeof nodeProcess?.versions?.node === 'string';

function nodeBuiltin<T>(id: string): T | null {
  return isNode && typeof nodeProcess!.getBuiltinModule === 'function' ? (nodeProcess!.getBuiltinModule(id) as T) : null;
}

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Number of cores to use by default. */
function coreCount(): number {
  const os = nodeBuiltin<{ availableParallelism?: () => number; cpus: () => unknown[] }>('node:os');
  if (os) return os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}

/** True where a shared WebAssembly.Memory is allowed (Node; cross-origin-isolated pages). */
function canShare(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  if (isNode) return true;
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/**
 * The module declares its memory import shared; where memory cannot be shared, rewrite that
 * one limits byte (0x03 = max + shared → 0x01 = max) in the import section. Exported for tests.
 */
export function unshareMemoryImport(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const b = bytes.slice();
  let p = 8;
  const leb = (): number => {
    let r = 0, s = 0, x: number;
    do { x = b[p++]!; r |= (x & 0x7f) << s; s += 7; } while (x & 0x80);
    return r >>> 0;
  };
  while (p < b.length) {
    const id = b[p++]!, size = leb(), end = p + size;
    if (id === 2) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        for (let name = 0; name < 2; name++) {
          const len = leb(); // module and field names, length-prefixed
          p += len;
        }
        const kind = b[p++]!;
        if (kind === 2) {
          if (b[p] === 0x03) b[p] = 0x01;
          return b;
        }
        if (kind === 0) leb();
        else throw new Error('wasm backend: unexpected import in the kernel module');
      }
    }
    p = end;
  }
  throw new Error('wasm backend: kernel module has no memory import');
}

// ------------------------------------------------------------------------------ the runtime

/** One memory, one instance on this thread, the allocator and the worker pool. */
class Runtime {
  readonly k: Kernels;
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  readonly variant: 'simd' | 'relaxed';
  private readonly module: WebAssembly.Module;
  /** Every ArrayBuffer the memory has had (a shared memory's buffer object changes on growth). */
  private readonly buffers = new Set<ArrayBufferLike>();
  private cur: ArrayBufferLike;
  private top = HEAP_BASE;
  private readonly sizes = new Map<number, number>(); // block address → class bytes
  private readonly freeLists = new Map<number, number[]>();
  readonly ctl: Int32Array;
  readonly scratch: number[] = [];
  private readonly scratchBytes: number;
  private workers: { terminate?: () => void }[] = [];
  private readonly cores: number;

  constructor(module: WebAssembly.Module, instance: WebAssembly.Instance, memory: WebAssembly.Memory,
    shared: boolean, variant: 'simd' | 'relaxed') {
    this.module = module;
    this.memory = memory;
    this.shared = shared;
    this.variant = variant;
    this.k = instance.exports as unknown as Kernels;
    this.cur = memory.buffer;
    this.buffers.add(this.cur);
    this.ctl = new Int32Array(memory.buffer, CTRL_BASE, CTRL_INTS);
    Atomics.store(this.ctl, NEXT, 0xffff); // no job open
    this.scratchBytes = this.k.matmulScratchBytes();
    this.cores = coreCount();
  }

  // ---------------------------------------------------------------- allocator

  /** Size class: 64-byte steps up to 1 KiB, then 4 classes per power of two (≤ 25% waste). */
  private static classOf(bytes: number): number {
    if (bytes <= 1024) return Math.max(64, Math.ceil(bytes / 64) * 64);
    const step = 2 ** (Math.floor(Math.log2(bytes)) - 2);
    return Math.ceil(bytes / step) * step;
  }

  /** Address of a zero-filled block of at least `bytes` bytes, 64-byte aligned. */
  allocBytes(bytes: number): number {
    const size = Runtime.classOf(Math.max(bytes, 1));
    const list = this.freeLists.get(size);
    let ptr = list?.pop();
    if (ptr !== undefined) {
      new Uint8Array(this.cur, ptr, size).fill(0);
    } else {
      ptr = this.top;
      const need = ptr + size + GUARD;
      if (need > this.cur.byteLength) this.grow(need);
      this.top = ptr + size;
    }
    this.sizes.set(ptr, size);
    return ptr;
  }

  private grow(needBytes: number): void {
    const have = this.cur.byteLength;
    if (!this.shared) {
      throw new RangeError(`wasm backend: out of memory (${needBytes} bytes needed, ${have} reserved; ` +
        'memory cannot grow without SharedArrayBuffer: reserve more with initWasm({ memoryMiB }))');
    }
    // Grow by at least half again, to keep the number of buffer objects small.
    const pages = Math.min(SHARED_MAX_PAGES, Math.max(Math.ceil(needBytes / PAGE), Math.ceil(have * 1.5 / PAGE)));
    if (pages * PAGE < needBytes) throw new RangeError(`wasm backend: out of memory (${needBytes} bytes needed, at most ${SHARED_MAX_PAGES * PAGE})`);
    this.memory.grow(pages - have / PAGE);
    this.cur = this.memory.buffer;
    this.buffers.add(this.cur);
  }

  private readonly regions: { ptr: number; bytes: number }[] = [];

  /**
   * A grow-only block for one purpose (slot), valid until the next call with that slot: the
   * packed weights and the step counters of the sequence kernels, which live for one call.
   */
  region(slot: number, bytes: number): number {
    const r = this.regions[slot];
    if (r && r.bytes >= bytes) return r.ptr;
    if (r) this.freeBytes(r.ptr);
    const ptr = this.allocBytes(bytes);
    this.regions[slot] = { ptr, bytes: Runtime.classOf(Math.max(bytes, 1)) };
    return ptr;
  }

  freeBytes(ptr: number): boolean {
    const size = this.sizes.get(ptr);
    if (size === undefined) return false;
    this.sizes.delete(ptr);
    let list = this.freeLists.get(size);
    if (!list) this.freeLists.set(size, (list = []));
    list.push(ptr);
    return true;
  }

  owns(buf: ArrayBufferView): boolean {
    return buf.buffer === this.cur || this.buffers.has(buf.buffer);
  }

  get buffer(): ArrayBufferLike {
    return this.cur;
  }

  // ---------------------------------------------------------------- threads

  /** Start workers until `threads − 1` exist (Node worker_threads, or Web Workers). */
  ensureWorkers(threads: number): void {
    threads = Math.min(threads, MAX_THREADS);
    while (this.scratch.length < threads) this.scratch.push(this.allocBytes(this.scratchBytes));
    if (!this.shared) return;
    while (this.workers.length < threads - 1) {
      const scratch = this.scratch[this.workers.length + 1]!;
      const data = { module: this.module, memory: this.memory, ctrl: CTRL_BASE, names: PAR_OPS, spin: WORKER_SPIN, scratch };
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
    return Atomics.load(this.ctl, READY);
  }

  /** Argument i of the next job: base value v, moved by lo·stride for a range starting at lo (if v ≠ 0). */
  arg(i: number, v: number, stride: number): void {
    this.ctl[ARGS + i] = v;
    this.ctl[STRIDES + i] = stride;
  }

  /**
   * Run kernel `op` over 0..dim in `chunks` ranges of `per` units, on this thread and every
   * worker that is awake: each thread claims the next range (compare-exchange) until none is
   * left, so a worker without a core simply claims fewer. A range [lo, hi) is passed as
   * arguments loAt/hiAt (matmul rows or columns) or as pointer offsets plus a count at
   * countAt (cell kernels, by batch row); scratchAt receives the thread's own scratch.
   */
  run(op: ParOp, dim: number, per: number, chunks: number, loAt: number, hiAt: number, countAt: number, scratchAt: number): void {
    const c = this.ctl;
    c[OP] = OP_ID[op]; c[DIM] = dim; c[PER] = per; c[N_CHUNKS] = chunks;
    c[LO_AT] = loAt; c[HI_AT] = hiAt; c[COUNT_AT] = countAt; c[SCRATCH_AT] = scratchAt;
    Atomics.store(c, DONE, 0);
    this.seq = (this.seq + 1) & 0x7fffffff;
    // Range 0 is the caller's, claimed before the job is published: a kernel may count on
    // range 0 running on the calling thread (the LSTM sequence kernel lets only that range
    // spin instead of Atomics.wait, which a browser's main thread cannot call).
    Atomics.store(c, NEXT, ((this.seq & 0x7fff) << 16) | 1);
    Atomics.store(c, SEQ, this.seq);
    Atomics.notify(c, SEQ);
    let own: unknown = null; // what a range threw on this thread (a worker's error stays there)
    claimAndRun(c, this.seq, this.runArgs, this.parFns, this.scratch[0]!, 0, (e) => { own ??= e; });
    let spins = 0;
    for (let d = Atomics.load(c, DONE); d !== chunks; d = Atomics.load(c, DONE)) {
      if (++spins > MAIN_SPIN && canBlock) {
        Atomics.wait(c, DONE, d, 1);
        spins = 0;
      }
    }
    // Close the queue before the next job's arguments are written: a late worker then finds
    // chunk 0xffff, past any job's count, and goes back to waiting.
    Atomics.store(c, NEXT, 0xffff);
    if (c[FAILED] !== 0) {
      c[FAILED] = 0;
      if (own !== null) throw new Error(`wasm backend: kernel ${op} failed: ${own instanceof Error ? own.message : String(own)}`, { cause: own });
      throw new Error(`wasm backend: kernel ${op} failed on a worker thread`);
    }
  }

  private seq = 0;
  private readonly runArgs: number[] = new Array(N_ARGS).fill(0);
  private get parFns(): ((...a: number[]) => void)[] {
    return (this.parFnsCache ??= PAR_OPS.map((n) => this.k[n] as (...a: number[]) => void));
  }
  private parFnsCache: ((...a: number[]) => void)[] | null = null;

  /** Resolves when `n` workers are ready (for tests and benchmarks). */
  async whenReady(n: number, timeoutMs = 10000): Promise<void> {
    const t0 = Date.now();
    this.ensureWorkers(n + 1);
    while (this.readyWorkers() < Math.min(n, this.workers.length)) {
      if (Date.now() - t0 > timeoutMs) throw new Error('wasm backend: worker threads did not start');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  info(): WasmInfo {
    return { variant: this.variant, shared: this.shared, memoryBytes: this.cur.byteLength, workersReady: this.readyWorkers(), cores: this.cores };
  }
}

/**
 * Claim ranges of the current job (number `seq`) and run them until none is left; shared by
 * the calling thread and the workers (which get this function's source). Self-contained:
 * it may only use its parameters and globals. c is the control block, a scratch argument array,
 * own a range already claimed for this thread (run first), or −1; onError sees what a range
 * threw (the FAILED flag tells the caller either way).
 */
function claimAndRun(c: Int32Array, seq: number, a: number[], fns: ((...x: number[]) => void)[], scratch: number, own: number,
  onError: (e: unknown) => void): void {
  const tag = seq & 0x7fff;
  for (let idx = own; ; idx = -1) {
    if (idx < 0) {
      const cur = Atomics.load(c, 1);
      if (((cur >>> 16) & 0x7fff) !== tag) return; // a later job already: this one is finished
      idx = cur & 0xffff;
      if (idx >= c[3]!) return;
      if (Atomics.compareExchange(c, 1, cur, cur + 1) !== cur) continue;
    }
    const lo = idx * c[10]!, hi = Math.min(c[9]!, lo + c[10]!);
    for (let i = 0; i < 16; i++) {
      const v = c[16 + i]!;
      a[i] = v !== 0 ? v + lo * c[32 + i]! : 0;
    }
    if (c[5]! >= 0) { a[c[5]!] = lo; a[c[6]!] = hi; }
    if (c[7]! >= 0) a[c[7]!] = hi - lo;
    if (c[8]! >= 0) a[c[8]!] = scratch;
    try {
      fns[c[4]!]!(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!, a[14]!, a[15]!);
    } catch (e) {
      Atomics.store(c, 11, 1); // FAILED: seen by the caller, and by a sequence kernel waiting on this range
      onError(e);
    }
    if (Atomics.add(c, 2, 1) + 1 === c[3]) Atomics.notify(c, 2);
  }
}

/** Only Node (and workers) may block the calling thread with Atomics.wait. */
const canBlock = isNode || typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined'; // Node, or a Web Worker

/**
 * The worker: instantiate the module on the shared memory, count itself in, then loop: wait
 * (spin briefly, then Atomics.wait) for a new job number and claim ranges of that job.
 * Plain JavaScript, evaluated by worker_threads (eval) or loaded from a Blob URL.
 */
const WORKER_CODE = `
'use strict';
const claimAndRun = (${claimAndRun.toString()});
function start(d) {
  const inst = new WebAssembly.Instance(d.module, { env: { memory: d.memory, abort() { throw new Error('abort'); } } });
  const fns = d.names.map((n) => inst.exports[n]);
  const c = new Int32Array(d.memory.buffer, d.ctrl, 64);
  const a = new Array(16).fill(0);
  let seen = Atomics.load(c, 0);
  Atomics.add(c, 12, 1);
  for (;;) {
    let s = Atomics.load(c, 0), spins = 0;
    while (s === seen) {
      if (++spins > d.spin) { Atomics.wait(c, 0, seen); spins = 0; }
      s = Atomics.load(c, 0);
    }
    seen = s;
    claimAndRun(c, s, a, fns, d.scratch, -1, () => {});
  }
}
if (typeof require === 'function') start(require('node:worker_threads').workerData);
else self.onmessage = (e) => start(e.data);
`;

// ------------------------------------------------------------------------------ loading

let runtime: Runtime | null = null;
let loadError: Error | null = null;

function pickVariant(relaxed: boolean | 'auto'): { bytes: Uint8Array<ArrayBuffer>; variant: 'simd' | 'relaxed' } {
  const rel = decodeBase64(WASM_RELAXED);
  if (relaxed !== false) {
    if (relaxed === true && !WebAssembly.validate(rel)) {
      nodeBuiltin<{ setFlagsFromString(s: string): void }>('node:v8')?.setFlagsFromString('--experimental-wasm-relaxed-simd');
    }
    if (WebAssembly.validate(rel)) return { bytes: rel, variant: 'relaxed' };
  }
  return { bytes: decodeBase64(WASM_SIMD), variant: 'simd' };
}

function makeMemory(opts: WasmInitOptions): { memory: WebAssembly.Memory; shared: boolean } {
  const shared = canShare();
  if (shared) return { memory: new WebAssembly.Memory({ initial: 64, maximum: SHARED_MAX_PAGES, shared: true }), shared };
  const pages = Math.ceil(((opts.memoryMiB ?? 256) * 1024 * 1024) / PAGE);
  return { memory: new WebAssembly.Memory({ initial: pages, maximum: pages }), shared };
}

function imports(memory: WebAssembly.Memory): WebAssembly.Imports {
  return { env: { memory, abort: () => { throw new Error('wasm kernel abort'); } } };
}

/** Synchronous load (Node): compile, instantiate. */
function loadSync(opts: WasmInitOptions = {}): Runtime {
  const { bytes, variant } = pickVariant(opts.relaxed ?? 'auto');
  const { memory, shared } = makeMemory(opts);
  const module = new WebAssembly.Module((shared ? bytes : unshareMemoryImport(bytes)) as BufferSource);
  return new Runtime(module, new WebAssembly.Instance(module, imports(memory)), memory, shared, variant);
}

/**
 * Load the kernels asynchronously (browsers must call this; in Node the import already did and
 * this only reports what was loaded). `bytes` replaces
 * the embedded module (e.g. a fetched kernels-simd.wasm). Registers 'wasm' and 'wasm-1t' and
 * makes 'wasm' the default backend. Returns what was loaded.
 */
export async function initWasm(opts: WasmInitOptions & { bytes?: BufferSource } = {}): Promise<WasmInfo> {
  if (!runtime) {
    const picked = opts.bytes
      ? { bytes: copyBytes(opts.bytes), variant: WebAssembly.validate(opts.bytes) && isRelaxed(opts.bytes) ? 'relaxed' as const : 'simd' as const }
      : pickVariant(opts.relaxed ?? 'auto');
    const { memory, shared } = makeMemory(opts);
    const module = await WebAssembly.compile((shared ? picked.bytes : unshareMemoryImport(picked.bytes)) as BufferSource);
    const instance = await WebAssembly.instantiate(module, imports(memory));
    runtime = new Runtime(module, instance, memory, shared, picked.variant);
    loadError = null;
    register();
  }
  return runtime.info();
}

/** A private copy of caller-given module bytes (an ArrayBuffer or any view of one). */
function copyBytes(src: BufferSource): Uint8Array<ArrayBuffer> {
  const view = ArrayBuffer.isView(src) ? new Uint8Array(src.buffer, src.byteOffset, src.byteLength) : new Uint8Array(src);
  return new Uint8Array(view) as Uint8Array<ArrayBuffer>;
}

/** True if `bytes` is the relaxed build shipped here. */
function isRelaxed(bytes: BufferSource): boolean {
  const a = copyBytes(bytes), b = decodeBase64(WASM_RELAXED);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** What is loaded (or null when the kernels are not loaded). */
export function wasmInfo(): WasmInfo | null {
  return runtime ? runtime.info() : null;
}

/** Resolves when the worker threads of `threads` (default: all cores) are running. */
export async function wasmThreadsReady(threads = coreCount()): Promise<void> {
  if (!runtime) throw new Error('wasm backend not loaded');
  await runtime.whenReady(threads - 1);
}

/** The SIMD peak micro-benchmark kernel and the activations (for bench/ and tests). */
export function wasmKernelsForBench(): { simdPeakF32(iters: number): number; activationsF32(x: Float32Array, sig: Float32Array, th: Float32Array): void } {
  const rt = need();
  return {
    simdPeakF32: (iters) => rt.k.simdPeakF32(iters),
    activationsF32: (x, sig, th) => rt.k.activationsF32(x.byteOffset, sig.byteOffset, th.byteOffset, x.length),
  };
}

function need(): Runtime {
  if (runtime) return runtime;
  throw loadError ?? new Error('wasm backend: kernels not loaded; call `await initWasm()` first');
}

function register(): void {
  registerBackend('wasm', () => createWasmBackend({ name: 'wasm' }));
  registerBackend('wasm-1t', () => createWasmBackend({ threads: 1, name: 'wasm-1t' }));
  setDefaultBackend('wasm');
}

// ------------------------------------------------------------------------------ the backend

/** A backend on the loaded kernels with its own thread count (memory and workers are shared). */
export function createWasmBackend(opts: WasmBackendOptions = {}): Backend & { readonly threads: number } {
  const rt = need();
  // Without a shared memory (a page that is not cross-origin isolated) no worker can start:
  // one thread, so the kernels do not split work that only the caller would run.
  const threads = rt.shared ? Math.max(1, Math.min(MAX_THREADS, Math.floor(opts.threads ?? coreCount()))) : 1;
  const name = opts.name ?? (opts.threads === undefined ? 'wasm' : `wasm-${threads}t`);
  rt.ensureWorkers(threads);
  const k = rt.k;

  /** Byte address of element `off` of `buf`, after checking the buffer lives in our memory. */
  function ptr(buf: FloatArray | Int32Array, off: number, what: string): number {
    if (!rt.owns(buf)) throw new TypeError(`${name} backend: ${what} is not a buffer of this backend (allocate it with backend.alloc)`);
    return buf.byteOffset + off * buf.BYTES_PER_ELEMENT;
  }
  const lenPtr = (lengths: Int32Array | null): number => (lengths ? ptr(lengths, 0, 'lengths') : 0);
  function sameType(a: FloatArray, b: FloatArray, what: string): void {
    if (a.BYTES_PER_ELEMENT !== b.BYTES_PER_ELEMENT) throw new TypeError(`${name} backend: ${what} mixes float32 and float64 buffers`);
  }

  // Cell kernels: the caller sets each argument with arg(i, value, bytes per batch row); bAt
  // and lenAt index the batch size and the lengths pointer (0 when absent). Large batches are
  // split into ranges of rows claimed by the threads.
  function arg(i: number, v: number, row: number): void {
    rt.arg(i, v, row);
  }
  function splitRows(op: ParOp, B: number, H: number, bAt: number, lenAt: number): void {
    const c = rt.ctl;
    if (threads > 1 && B > 1 && B * H >= PAR_MIN_CELLS) {
      c[STRIDES + lenAt] = 4; // lengths: one int32 per row
      const chunks = Math.min(B, 2 * threads), per = Math.ceil(B / chunks);
      rt.run(op, B, per, Math.ceil(B / per), -1, -1, bAt, -1);
      return;
    }
    (k[op] as (...a: number[]) => void)(c[ARGS]!, c[ARGS + 1]!, c[ARGS + 2]!, c[ARGS + 3]!, c[ARGS + 4]!, c[ARGS + 5]!,
      c[ARGS + 6]!, c[ARGS + 7]!, c[ARGS + 8]!, c[ARGS + 9]!, c[ARGS + 10]!);
  }

  // A rows-split sequence kernel: args, then b0, b1 and the thread's scratch (tmp) at b0At..+2.
  // One range of whole groups of 4 rows per thread: no thread waits for another inside.
  function seqRows(op: 'lstmSeqFwdRowsF32' | 'lstmSeqBwdRowsF32', B: number, args: number[], b0At: number): void {
    if (threads === 1) {
      (k[op] as (...a: number[]) => void)(...args, 0, B, rt.scratch[0]!);
      return;
    }
    args.forEach((v, i) => rt.arg(i, v, 0));
    const per = Math.ceil(B / threads / 4) * 4;
    rt.run(op, B, per, Math.ceil(B / per), b0At, b0At + 1, -1, b0At + 2);
  }

  const be: Backend & { readonly threads: number } = {
    name,
    threads,

    alloc(n: number, dtype: DType): FloatArray {
      const bytes = dtype === 'float64' ? 8 : 4;
      const p = rt.allocBytes(n * bytes);
      return dtype === 'float64' ? new Float64Array(rt.buffer, p, n) : new Float32Array(rt.buffer, p, n);
    },
    allocInt(n: number): Int32Array {
      return new Int32Array(rt.buffer, rt.allocBytes(n * 4), n);
    },
    free(buf): void {
      if (!rt.owns(buf) || !rt.freeBytes(buf.byteOffset)) {
        throw new Error(`${name} backend: free of a buffer it did not allocate (or freed twice)`);
      }
    },
    owns(buf): boolean {
      return rt.owns(buf);
    },

    matmul(C, cOff, A, aOff, B, bOff, m, n, k_, transA, transB, accumulate) {
      sameType(C, A, 'matmul');
      sameType(C, B, 'matmul');
      const c = ptr(C, cOff, 'matmul C'), a = ptr(A, aOff, 'matmul A'), b = ptr(B, bOff, 'matmul B');
      const flags = (transA ? 1 : 0) | (transB ? 2 : 0) | (accumulate ? 4 : 0);
      const f64 = C.BYTES_PER_ELEMENT === 8;
      const fn = f64 ? k.matmulF64 : k.matmulF32;
      const macs = m * n * k_;
      if (threads === 1 || macs < PAR_MIN_MACS) {
        fn(c, a, b, m, n, k_, flags, rt.scratch[0]!, 0, m, 0, n);
        return;
      }
      // Split the larger of m and n in multiples of the register block (8 columns, 4 rows):
      // up to 2 ranges per thread, each of at least PAR_MIN_MACS / 2 multiply-adds.
      const byCols = n >= m;
      const unit = byCols ? 8 : 4, dim = byCols ? n : m;
      const chunks = Math.max(2, Math.min(Math.ceil(dim / unit), 2 * threads, Math.floor(macs / (PAR_MIN_MACS / 2))));
      const per = Math.ceil(dim / chunks / unit) * unit;
      rt.arg(0, c, 0); rt.arg(1, a, 0); rt.arg(2, b, 0); rt.arg(3, m, 0); rt.arg(4, n, 0); rt.arg(5, k_, 0);
      rt.arg(6, flags, 0); rt.arg(7, 0, 0); rt.arg(8, 0, 0); rt.arg(9, m, 0); rt.arg(10, 0, 0); rt.arg(11, n, 0);
      rt.run(f64 ? 'matmulF64' : 'matmulF32', dim, per, Math.ceil(dim / per), byCols ? 10 : 8, byCols ? 11 : 9, -1, 7);
    },

    fillRows(dst, dOff, rows, cols, a, aOff, b, bOff) {
      const d = ptr(dst, dOff, 'fillRows dst'), pa = ptr(a, aOff, 'fillRows a'), pb = b ? ptr(b, bOff, 'fillRows b') : 0;
      if (dst.BYTES_PER_ELEMENT === 8) k.fillRowsF64(d, rows, cols, pa, pb);
      else k.fillRowsF32(d, rows, cols, pa, pb);
    },

    sumRows(dst, dOff, src, sOff, rows, cols, accumulate) {
      const d = ptr(dst, dOff, 'sumRows dst'), s = ptr(src, sOff, 'sumRows src');
      if (dst.BYTES_PER_ELEMENT === 8) k.sumRowsF64(d, s, rows, cols, accumulate ? 1 : 0);
      else k.sumRowsF32(d, s, rows, cols, accumulate ? 1 : 0);
    },

    copy(dst, dOff, src, sOff, n) {
      sameType(dst, src, 'copy');
      k.copyBytes(ptr(dst, dOff, 'copy dst'), ptr(src, sOff, 'copy src'), n * dst.BYTES_PER_ELEMENT);
    },

    add(dst, dOff, a, aOff, b, bOff, n) {
      const d = ptr(dst, dOff, 'add dst'), pa = ptr(a, aOff, 'add a'), pb = ptr(b, bOff, 'add b');
      if (dst.BYTES_PER_ELEMENT === 8) k.addF64(d, pa, pb, n);
      else k.addF32(d, pa, pb, n);
    },

    mul(dst, dOff, a, aOff, b, bOff, n) {
      const d = ptr(dst, dOff, 'mul dst'), pa = ptr(a, aOff, 'mul a'), pb = ptr(b, bOff, 'mul b');
      if (dst.BYTES_PER_ELEMENT === 8) k.mulF64(d, pa, pb, n);
      else k.mulF32(d, pa, pb, n);
    },

    keepInactiveRows(dst, dOff, src, sOff, rows, cols, lengths, t) {
      if (!lengths) return;
      const e = dst.BYTES_PER_ELEMENT;
      k.keepInactiveRows(ptr(dst, dOff, 'keepInactiveRows dst'), src ? ptr(src, sOff, 'keepInactiveRows src') : 0,
        rows, cols * e, lenPtr(lengths), t);
    },

    lstmCellForward(gates, gOff, cPrev, cpOff, cNext, cnOff, m, mOff, B, H, lengths, t) {
      const e = gates.BYTES_PER_ELEMENT, rb = H * e;
      const g = ptr(gates, gOff, 'gates'), cp = ptr(cPrev, cpOff, 'cPrev'), cn = ptr(cNext, cnOff, 'cNext'), mo = ptr(m, mOff, 'm');
      const len = lenPtr(lengths);
      arg(0, g, 4 * rb); arg(1, cp, rb); arg(2, cn, rb); arg(3, mo, rb);
      arg(4, B, 0); arg(5, H, 0); arg(6, len, 0); arg(7, t, 0);
      splitRows(e === 8 ? 'lstmFwdF64' : 'lstmFwdF32', B, H, 4, 6);
    },

    lstmCellBackward(gates, gOff, cPrev, cpOff, cNext, cnOff, dm, dmOff, dc, dcOff, dGates, dgOff, B, H, lengths, t) {
      const e = gates.BYTES_PER_ELEMENT, rb = H * e;
      const g = ptr(gates, gOff, 'gates'), cp = ptr(cPrev, cpOff, 'cPrev'), cn = ptr(cNext, cnOff, 'cNext');
      const pdm = ptr(dm, dmOff, 'dm'), pdc = ptr(dc, dcOff, 'dc'), pdg = ptr(dGates, dgOff, 'dGates');
      const len = lenPtr(lengths);
      arg(0, g, 4 * rb); arg(1, cp, rb); arg(2, cn, rb); arg(3, pdm, rb); arg(4, pdc, rb); arg(5, pdg, 4 * rb);
      arg(6, B, 0); arg(7, H, 0); arg(8, len, 0); arg(9, t, 0);
      splitRows(e === 8 ? 'lstmBwdF64' : 'lstmBwdF32', B, H, 6, 8);
    },

    // The whole time loop of an LSTM layer direction (float32; float64 returns false and the
    // layer runs the per-step kernels). Batches of 4 rows or more run as 4×8 tiles and split by
    // rows, smaller ones as dot products split by hidden units (./assembly/sequence.ts). The
    // choice depends on B alone, so any thread count gives the same sums.
    lstmSequenceForward(X, xOff, I, G, gOff, Hs, hsOff, Cs, csOff, W, wIh, wHh, bIh, bHh, T, B, H, lengths, reverse) {
      if ([X, G, Hs, Cs, W].some((a) => a.BYTES_PER_ELEMENT !== 4)) return false;
      const x = ptr(X, xOff, 'X'), g = ptr(G, gOff, 'G'), hs = ptr(Hs, hsOff, 'Hs'), cs = ptr(Cs, csOff, 'Cs');
      const w = ptr(W, wHh, 'W_hh'), wi = ptr(W, wIh, 'W_ih'), len = lenPtr(lengths), rev = reverse ? 1 : 0;
      const bi = bIh < 0 ? 0 : ptr(W, bIh, 'b_ih'), bh = bHh < 0 ? 0 : ptr(W, bHh, 'b_hh'); // 0: no bias
      if (B >= 4) {
        // One job: every thread projects, multiplies and updates its own rows, step by step.
        const panels = Math.ceil(H / 2) * 8 * 4; // bytes per row of K: ceil(4H/8) panels of 8 floats
        const wip = rt.region(REGION.wih, panels * I), wp = rt.region(REGION.whh, panels * H);
        k.packPanelsF32(wip, wi, I, 4 * H, 1); // W_ihᵀ (I, 4H)
        k.packPanelsF32(wp, w, H, 4 * H, 1); // W_hhᵀ (H, 4H)
        const fields = k.FWD_FIELDS.value as number, pb = rt.region(REGION.rowsJob, 4 * fields);
        new Int32Array(rt.buffer, pb, fields).set([g, hs, cs, x, wip, wp, bi, bh, T, B, I, H, len, rev]); // a RowsJob
        seqRows('lstmSeqFwdRowsF32', B, [pb], 1);
        return true;
      }
      // Batch 1..3: split by hidden units, each thread projecting, packing and stepping its slice.
      const wd = rt.region(REGION.whh, k.packDotBytes(4, H, H)); // W_hh in groups of DOT_ROWS rows per gate (packed by the kernel)
      // One slice of whole groups per thread.
      const rows = k.DOT_ROWS.value as number, groups = Math.ceil(H / rows);
      const parallel = threads > 1 && B * 4 * H * H >= SEQ_PAR_MIN_MACS;
      const cu = Math.ceil(groups / (parallel ? Math.min(groups, threads) : 1)) * rows, chunks = Math.ceil(H / cu);
      const stride = k.SYNC_STRIDE.value as number;
      const sync = rt.region(REGION.sync, 2 * chunks * stride);
      const sv = new Int32Array(rt.buffer, sync, (2 * chunks * stride) / 4);
      for (let i = 0; i < 2 * chunks; i++) sv[(i * stride) / 4] = -1; // no step claimed or done
      const fields = k.UNITS_FIELDS.value as number, pb = rt.region(REGION.unitsJob, 4 * fields);
      new Int32Array(rt.buffer, pb, fields).set([g, hs, cs, x, wi, w, wd, bi, bh, T, B, I, H, len, rev, sync, chunks, cu,
        canBlock ? 1 : 0, CTRL_BASE + FAILED * 4]); // a UnitsJob
      if (chunks === 1) {
        k.lstmSeqFwdUnitsF32(pb, 0, rt.scratch[0]!);
        return true;
      }
      rt.arg(0, pb, 0);
      rt.run('lstmSeqFwdUnitsF32', threads, 1, threads, 1, 3, -1, 2); // range start = `who`; 3 is unused
      return true;
    },

    lstmSequenceBackward(G, gOff, Cs, csOff, dHs, dhsOff, dhRun, dhOff, dcRun, dcOff, dG, dgOff, W, wOff, T, B, H, lengths, reverse) {
      if (G.BYTES_PER_ELEMENT !== 4 || dG.BYTES_PER_ELEMENT !== 4 || W.BYTES_PER_ELEMENT !== 4) return false;
      const g = ptr(G, gOff, 'G'), cs = ptr(Cs, csOff, 'Cs'), dhs = ptr(dHs, dhsOff, 'dHs'), dh = ptr(dhRun, dhOff, 'dhRun');
      const dc = ptr(dcRun, dcOff, 'dcRun'), dg = ptr(dG, dgOff, 'dG'), w = ptr(W, wOff, 'W_hh');
      const wp = rt.region(REGION.whh, Math.ceil(H / 8) * 8 * 4 * H * 4); // W_hh (4H, H) in panels of 8 columns
      k.packPanelsF32(wp, w, 4 * H, H, 0);
      seqRows('lstmSeqBwdRowsF32', B, [g, cs, dhs, dh, dc, dg, wp, T, B, H, lenPtr(lengths), reverse ? 1 : 0], 12);
      return true;
    },

    gruCellForward(xg, xOff, hg, hgOff, hn, hnOff, hPrev, hpOff, hNext, hnxOff, B, H, lengths, t) {
      const e = xg.BYTES_PER_ELEMENT, rb = H * e;
      const x = ptr(xg, xOff, 'xg'), h = ptr(hg, hgOff, 'hg'), pn = ptr(hn, hnOff, 'hn');
      const hp = ptr(hPrev, hpOff, 'hPrev'), hx = ptr(hNext, hnxOff, 'hNext');
      const len = lenPtr(lengths);
      arg(0, x, 3 * rb); arg(1, h, 3 * rb); arg(2, pn, rb); arg(3, hp, rb); arg(4, hx, rb);
      arg(5, B, 0); arg(6, H, 0); arg(7, len, 0); arg(8, t, 0);
      splitRows(e === 8 ? 'gruFwdF64' : 'gruFwdF32', B, H, 5, 7);
    },

    gruCellBackward(gates, gOff, hn, hnOff, hPrev, hpOff, dh, dhOff, dXg, dxOff, dHg, dhgOff, dhPrev, dhpOff, B, H, lengths, t) {
      const e = gates.BYTES_PER_ELEMENT, rb = H * e;
      const g = ptr(gates, gOff, 'gates'), pn = ptr(hn, hnOff, 'hn'), hp = ptr(hPrev, hpOff, 'hPrev'), pdh = ptr(dh, dhOff, 'dh');
      const dx = ptr(dXg, dxOff, 'dXg'), dhg = ptr(dHg, dhgOff, 'dHg'), dhp = ptr(dhPrev, dhpOff, 'dhPrev');
      const len = lenPtr(lengths);
      arg(0, g, 3 * rb); arg(1, pn, rb); arg(2, hp, rb); arg(3, pdh, rb); arg(4, dx, 3 * rb); arg(5, dhg, 3 * rb);
      arg(6, dhp, rb); arg(7, B, 0); arg(8, H, 0); arg(9, len, 0); arg(10, t, 0);
      splitRows(e === 8 ? 'gruBwdF64' : 'gruBwdF32', B, H, 7, 9);
    },

    rnnCellForward(pre, pOff, B, H, act: RnnActivation) {
      const p = ptr(pre, pOff, 'pre');
      if (pre.BYTES_PER_ELEMENT === 8) k.rnnFwdF64(p, B * H, act === 'tanh' ? 0 : 1);
      else k.rnnFwdF32(p, B * H, act === 'tanh' ? 0 : 1);
    },

    rnnCellBackward(h, hOff, dh, dhOff, dPre, dpOff, B, H, act, lengths, t) {
      const e = h.BYTES_PER_ELEMENT, rb = H * e;
      const ph = ptr(h, hOff, 'h'), pdh = ptr(dh, dhOff, 'dh'), pdp = ptr(dPre, dpOff, 'dPre');
      const len = lenPtr(lengths);
      arg(0, ph, rb); arg(1, pdh, rb); arg(2, pdp, rb); arg(3, B, 0); arg(4, H, 0);
      arg(5, act === 'tanh' ? 0 : 1, 0); arg(6, len, 0); arg(7, t, 0);
      splitRows(e === 8 ? 'rnnBwdF64' : 'rnnBwdF32', B, H, 3, 6);
    },
  };
  return be;
}

// Node: load now, synchronously, and become the default backend. Browsers: initWasm().
if (isNode) {
  try {
    // Relaxed SIMD unless LSTM_TS_WASM_RELAXED=0 (see the header).
    const env = (nodeProcess as { env?: Record<string, string | undefined> }).env?.LSTM_TS_WASM_RELAXED;
    runtime = loadSync({ relaxed: env === '0' ? false : true });
    if (env === '1' && runtime.variant !== 'relaxed') throw new Error('wasm backend: LSTM_TS_WASM_RELAXED=1 but this runtime does not validate relaxed SIMD');
    register();
  } catch (e) {
    loadError = e instanceof Error ? e : new Error(String(e));
  }
}
