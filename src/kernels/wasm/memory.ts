/**
 * The WebAssembly backend's memory: its map and the allocator of the buffers the backend hands
 * out. One memory holds everything, so no kernel call copies data between JavaScript and
 * WebAssembly:
 *
 *   0 .. WASM_DATA_END        the module's static data (its Math tables)
 *   CTRL_BASE                 the thread pool's control block (./threads.ts, CTRL)
 *   HEAP_BASE ..              buffers, allocated here
 *
 * In Node (and cross-origin-isolated pages) the memory is shared, with a 2 GiB maximum: growing
 * it never detaches the views already handed out, and worker threads can use it. Elsewhere the
 * memory cannot be shared and growing would detach every view, so it is reserved once at its
 * full size (256 MiB by default, `initWasm({ memoryMiB })`) and an allocation beyond it throws.
 * The allocator: size classes ≤ 25% apart, a free list per class, bump allocation above,
 * zero-filled on alloc, 64-byte aligned.
 */
import { WASM_DATA_END } from './build/bytes.js';
import { CTRL } from './threads.js';

export const PAGE = 65536;
/** Pages of a shared memory's maximum: 2 GiB of address space, reserved, not committed. */
export const SHARED_MAX_PAGES = 32768;
/** Byte address of the thread pool's control block: right after the module's static data. */
export const CTRL_BASE = Math.ceil(WASM_DATA_END / 64) * 64;
/** First byte of the heap, on the page after the control block. */
export const HEAP_BASE = Math.ceil((CTRL_BASE + CTRL.words * 4) / PAGE) * PAGE;
/** Bytes kept free after the last block: kernels may read up to 28 bytes past a row end (discarded lanes). */
const GUARD = 64;

/** The memory for the kernels: shared where allowed, else reserved at its full size. */
export function makeMemory(memoryMiB: number | undefined, shared: boolean): WebAssembly.Memory {
  if (shared) return new WebAssembly.Memory({ initial: 64, maximum: SHARED_MAX_PAGES, shared: true });
  const pages = Math.ceil(((memoryMiB ?? 256) * 1024 * 1024) / PAGE);
  return new WebAssembly.Memory({ initial: pages, maximum: pages });
}

/** The allocator of the heap: blocks by byte address. */
export class Heap {
  /** Every ArrayBuffer the memory has had (a shared memory's buffer object changes on growth). */
  private readonly buffers = new Set<ArrayBufferLike>();
  private cur: ArrayBufferLike;
  private top = HEAP_BASE;
  private readonly sizes = new Map<number, number>(); // block address → class bytes
  private readonly freeLists = new Map<number, number[]>();
  private readonly regions: { ptr: number; bytes: number }[] = [];

  constructor(private readonly memory: WebAssembly.Memory, private readonly shared: boolean) {
    this.cur = memory.buffer;
    this.buffers.add(this.cur);
  }

  /** Size class: 64-byte steps up to 1 KiB, then 4 classes per power of two (≤ 25% waste). */
  private static classOf(bytes: number): number {
    if (bytes <= 1024) return Math.max(64, Math.ceil(bytes / 64) * 64);
    const step = 2 ** (Math.floor(Math.log2(bytes)) - 2);
    return Math.ceil(bytes / step) * step;
  }

  /** Address of a zero-filled block of at least `bytes` bytes, 64-byte aligned. */
  alloc(bytes: number): number {
    const size = Heap.classOf(Math.max(bytes, 1));
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

  /** Give block `ptr` back; false if it is not a live block. */
  free(ptr: number): boolean {
    const size = this.sizes.get(ptr);
    if (size === undefined) return false;
    this.sizes.delete(ptr);
    let list = this.freeLists.get(size);
    if (!list) this.freeLists.set(size, (list = []));
    list.push(ptr);
    return true;
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

  /**
   * A grow-only block for one purpose (slot), valid until the next call with that slot: the
   * packed weights, step counters and parameter blocks of the sequence kernels, which live for
   * one call.
   */
  region(slot: number, bytes: number): number {
    const r = this.regions[slot];
    if (r && r.bytes >= bytes) return r.ptr;
    if (r) this.free(r.ptr);
    const ptr = this.alloc(bytes);
    this.regions[slot] = { ptr, bytes: Heap.classOf(Math.max(bytes, 1)) };
    return ptr;
  }

  /** True when `buf` is a view of this memory. */
  owns(buf: ArrayBufferView): boolean {
    return buf.buffer === this.cur || this.buffers.has(buf.buffer);
  }

  /** The memory's current buffer (for new views). */
  get buffer(): ArrayBufferLike {
    return this.cur;
  }
}
