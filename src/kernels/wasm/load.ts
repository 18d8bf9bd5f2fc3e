/**
 * Loading the WebAssembly kernels: pick a build, make the memory, compile and instantiate the
 * module, check its parameter blocks (./abi.ts), and keep the one runtime (memory, allocator,
 * thread pool) every wasm backend shares. Importing this file loads nothing: in Node the first
 * call that needs the kernels loads them synchronously (getBackend() does, through the
 * registry); in a browser `await initWasm()` does.
 *
 * Build choice: the relaxed-SIMD build (f32x4.relaxed_madd, a fused multiply-add) when
 * WebAssembly.validate accepts it, else the plain-SIMD build. Node 20's V8 implements relaxed
 * SIMD behind --experimental-wasm-relaxed-simd; since that build runs the matmul 1.2–1.3×
 * faster here (FMA: one-core f32x4 peak 58 vs 38 GFLOP/s), the Node loader turns the flag on with
 * v8.setFlagsFromString when validation fails, and keeps the plain build if it still fails.
 * LSTM_TS_WASM_RELAXED=0 in the environment forces the plain build, =1 insists on relaxed.
 */
import { WASM_RELAXED, WASM_SIMD } from './build/bytes.js';
import { checkBlockLayouts, type Kernels } from './abi.js';
import { canShare, coreCount, envVar, isNode, nodeBuiltin } from './env.js';
import { CTRL_BASE, Heap, makeMemory } from './memory.js';
import { ThreadPool } from './threads.js';

export interface WasmInitOptions {
  /** 'auto' (default in browsers): relaxed SIMD if the runtime validates it. true (default in Node): also try enabling it in Node's V8. false: plain SIMD. */
  relaxed?: boolean | 'auto';
  /** Memory reserved when it cannot be shared (browsers without cross-origin isolation). Default 256. */
  memoryMiB?: number;
}

export interface WasmInfo {
  variant: 'simd' | 'relaxed';
  shared: boolean;
  memoryBytes: number;
  /** Worker threads started and ready (the caller's thread not counted). */
  workersReady: number;
  cores: number;
}

/** The loaded kernels: one memory, the instance on this thread, the allocator and the thread pool. @internal */
export class Runtime {
  readonly k: Kernels;
  readonly heap: Heap;
  readonly pool: ThreadPool;
  readonly cores = coreCount();

  constructor(module: WebAssembly.Module, instance: WebAssembly.Instance, readonly memory: WebAssembly.Memory,
    readonly shared: boolean, readonly variant: 'simd' | 'relaxed') {
    checkBlockLayouts(instance.exports);
    this.k = instance.exports as unknown as Kernels;
    this.heap = new Heap(memory, shared);
    this.pool = new ThreadPool(module, memory, CTRL_BASE, this.heap, this.k, this.k.matmulScratchBytes(), shared);
  }

  info(): WasmInfo {
    return { variant: this.variant, shared: this.shared, memoryBytes: this.heap.buffer.byteLength, workersReady: this.pool.readyWorkers(), cores: this.cores };
  }
}

let runtime: Runtime | null = null;
let loadError: Error | null = null;
let triedNode = false;

/**
 * The loaded kernels, or null. In Node the first call loads them, synchronously, with the
 * default options (relaxed SIMD unless LSTM_TS_WASM_RELAXED=0); a failure is kept for `need`.
 * @internal
 */
export function loaded(): Runtime | null {
  if (!runtime && isNode && !triedNode) {
    triedNode = true;
    try {
      const env = envVar('LSTM_TS_WASM_RELAXED');
      const rt = loadSync({ relaxed: env === '0' ? false : true });
      if (env === '1' && rt.variant !== 'relaxed') throw new Error('wasm backend: LSTM_TS_WASM_RELAXED=1 but this runtime does not validate relaxed SIMD');
      runtime = rt;
    } catch (e) {
      loadError = e instanceof Error ? e : new Error(String(e));
    }
  }
  return runtime;
}

/** The loaded kernels, or an error saying why there are none. @internal */
export function need(): Runtime {
  const rt = loaded();
  if (rt) return rt;
  throw loadError ?? new Error('wasm backend: kernels not loaded; call `await initWasm()` first');
}

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
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

function imports(memory: WebAssembly.Memory): WebAssembly.Imports {
  return { env: { memory, abort: () => { throw new Error('wasm kernel abort'); } } };
}

/** Synchronous load (Node): compile, instantiate. */
function loadSync(opts: WasmInitOptions = {}): Runtime {
  const { bytes, variant } = pickVariant(opts.relaxed ?? 'auto');
  const shared = canShare(), memory = makeMemory(opts.memoryMiB, shared);
  const module = new WebAssembly.Module((shared ? bytes : unshareMemoryImport(bytes)) as BufferSource);
  return new Runtime(module, new WebAssembly.Instance(module, imports(memory)), memory, shared, variant);
}

/**
 * Load the kernels asynchronously (browsers must call this; in Node the first use loads them
 * and this only reports what was loaded). `bytes` replaces the embedded module (e.g. a fetched
 * kernels-simd.wasm). The registry then offers 'wasm' and 'wasm-1t', 'wasm' as the default
 * backend. Returns what was loaded.
 */
export async function initWasm(opts: WasmInitOptions & { bytes?: ArrayBuffer | ArrayBufferView } = {}): Promise<WasmInfo> {
  if (!loaded()) {
    const given = opts.bytes ? copyBytes(opts.bytes) : null;
    const picked = given
      ? { bytes: given, variant: WebAssembly.validate(given) && isRelaxed(given) ? 'relaxed' as const : 'simd' as const }
      : pickVariant(opts.relaxed ?? 'auto');
    const shared = canShare(), memory = makeMemory(opts.memoryMiB, shared);
    const module = await WebAssembly.compile((shared ? picked.bytes : unshareMemoryImport(picked.bytes)) as BufferSource);
    const instance = await WebAssembly.instantiate(module, imports(memory));
    runtime = new Runtime(module, instance, memory, shared, picked.variant);
    loadError = null;
  }
  return runtime!.info();
}

/** A private copy of caller-given module bytes (an ArrayBuffer or any view of one). */
function copyBytes(src: ArrayBuffer | ArrayBufferView): Uint8Array<ArrayBuffer> {
  const view = ArrayBuffer.isView(src) ? new Uint8Array(src.buffer, src.byteOffset, src.byteLength) : new Uint8Array(src);
  return new Uint8Array(view) as Uint8Array<ArrayBuffer>;
}

/** True if `bytes` is the relaxed build shipped here. */
function isRelaxed(bytes: ArrayBuffer | ArrayBufferView): boolean {
  const a = copyBytes(bytes), b = decodeBase64(WASM_RELAXED);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** What is loaded (in Node, loading it first), or null when the kernels are not loaded. */
export function wasmInfo(): WasmInfo | null {
  return loaded()?.info() ?? null;
}

/** Resolves when the worker threads of `threads` (default: all cores) are running. */
export async function wasmThreadsReady(threads = coreCount()): Promise<void> {
  const rt = loaded();
  if (!rt) throw new Error('wasm backend not loaded');
  await rt.pool.whenReady(threads - 1);
}

/** The SIMD peak micro-benchmark kernel and the activations (for bench/ and tests). */
export function wasmKernelsForBench(): { simdPeakF32(iters: number): number; activationsF32(x: Float32Array, sig: Float32Array, th: Float32Array): void } {
  const rt = need();
  return {
    simdPeakF32: (iters) => rt.k.simdPeakF32(iters),
    activationsF32: (x, sig, th) => rt.k.activationsF32(x.byteOffset, sig.byteOffset, th.byteOffset, x.length),
  };
}
