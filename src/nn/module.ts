/**
 * Module: the base of every layer and model. A module's parameters live in ONE flat buffer
 * owned by its kernel backend, each parameter a named (offset, shape) view into it; the
 * gradients live in a second flat buffer with the same layout, and optimizer state mirrors it.
 * A container (Sequential) re-homes its children's parameters into one buffer for the whole
 * model, so an optimizer step is a loop over one array.
 */
import type { Backend, FloatArray } from '../kernels/backend.js';
import { backendByName, getBackend } from '../kernels/index.js';
import { Tensor, shapeStr, sizeOf, type DType } from '../tensor/tensor.js';

/** One named parameter: a view (offset, shape) into its module's flat buffers. */
export class Parameter {
  /** Offset in elements into the owning module's `flat` and `flatGrad`. */
  offset = 0;
  constructor(
    /** PyTorch-style name, e.g. `weight_ih_l0_reverse`. */
    readonly name: string,
    readonly shape: readonly number[],
  ) {}
  get size(): number {
    return sizeOf(this.shape);
  }
}

/** Accepted by `loadStateDict`: a Tensor or a plain `{ shape, data }` object. */
export type TensorLike = Tensor | { shape: readonly number[]; data: ArrayLike<number> };

export interface ModuleOptions {
  /** Element type of parameters and activations. Default 'float32'; 'float64' for gradient checks. */
  dtype?: DType;
  /** Kernel backend name. Default: the current backend (`getBackend()`). */
  backend?: string;
}

export abstract class Module {
  backend: Backend;
  readonly dtype: DType;
  /** True in training mode (dropout active). */
  training = true;
  /** Own parameters, in the flat-buffer order. */
  protected readonly params: Parameter[] = [];
  /** Flat parameter buffer (own, or the container's after `adopt`). */
  flat!: FloatArray;
  /** Flat gradient buffer, same layout as `flat`. */
  flatGrad!: FloatArray;

  constructor(opts: ModuleOptions = {}) {
    this.dtype = opts.dtype ?? 'float32';
    this.backend = opts.backend ? backendByName(opts.backend) : getBackend();
  }

  /** Child modules (containers override). */
  children(): Module[] {
    return [];
  }

  /** Declare a parameter; call `allocateParameters` once all are declared. */
  protected addParameter(name: string, shape: readonly number[]): Parameter {
    const p = new Parameter(name, shape);
    this.params.push(p);
    return p;
  }

  /** Lay the declared parameters out in fresh flat buffers (zero-filled). */
  protected allocateParameters(): void {
    let off = 0;
    for (const p of this.params) {
      p.offset = off;
      off += p.size;
    }
    this.flat = this.backend.alloc(Math.max(off, 1), this.dtype);
    this.flatGrad = this.backend.alloc(Math.max(off, 1), this.dtype);
  }

  /** Number of scalar parameters: own and every descendant's. */
  numParameters(): number {
    return this.namedParameters().reduce((n, [, p]) => n + p.size, 0);
  }

  /**
   * All parameters with their full names, in flat-buffer order: own ones by name, children's
   * prefixed with the child's name (`"0.weight_ih_l0"`, or names the container gives).
   */
  namedParameters(): Array<[string, Parameter, Module]> {
    const out: Array<[string, Parameter, Module]> = this.params.map((p) => [p.name, p, this] as [string, Parameter, Module]);
    const kids = this.children();
    kids.forEach((child, i) => {
      const prefix = this.childName(i);
      for (const [n, p, m] of child.namedParameters()) out.push([`${prefix}.${n}`, p, m]);
    });
    return out;
  }

  /** Name of child i in parameter names (containers may override). */
  childName(i: number): string {
    return String(i);
  }

  /** `{ name, value, grad }` views for every parameter. */
  parameters(): Array<{ name: string; value: Tensor; grad: Tensor }> {
    return this.namedParameters().map(([name, p, m]) => ({
      name,
      value: new Tensor(m.flat.subarray(p.offset, p.offset + p.size), p.shape),
      grad: new Tensor(m.flatGrad.subarray(p.offset, p.offset + p.size), p.shape),
    }));
  }

  /** Name → Tensor view of the live parameter values (PyTorch's state_dict). */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = Object.create(null);
    for (const { name, value } of this.parameters()) out[name] = value;
    return out;
  }

  /** Name → Tensor view of the accumulated gradients. */
  get grads(): Record<string, Tensor> {
    const out: Record<string, Tensor> = Object.create(null);
    for (const { name, grad } of this.parameters()) out[name] = grad;
    return out;
  }

  /**
   * Copy values in from a state dict. Every entry must match by name and shape; the error lists
   * every missing, unexpected and mis-shaped entry at once. `prefix` is stripped from the
   * record's keys first (e.g. `"lstm."` for a PyTorch model's submodule); keys without it are
   * ignored. `strict` (default true) also refuses keys left over after stripping.
   */
  loadStateDict(record: Record<string, TensorLike>, opts: { prefix?: string; strict?: boolean } = {}): void {
    const prefix = opts.prefix ?? '';
    const strict = opts.strict ?? true;
    const given = new Map<string, TensorLike>();
    for (const key of Object.keys(record)) {
      if (key.startsWith(prefix)) given.set(key.slice(prefix.length), record[key]!);
    }
    const named = this.namedParameters();
    const missing: string[] = [], wrong: string[] = [];
    for (const [name, p] of named) {
      const t = given.get(name);
      if (!t) missing.push(name);
      else if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i]) || t.data.length !== p.size) {
        wrong.push(`${name} (expected ${shapeStr(p.shape)}, found ${shapeStr(t.shape)})`);
      }
    }
    const known = new Set(named.map(([n]) => n));
    const unexpected = strict ? [...given.keys()].filter((k) => !known.has(k)) : [];
    if (missing.length || wrong.length || unexpected.length) {
      const parts: string[] = [];
      if (missing.length) parts.push(`missing: ${missing.join(', ')}`);
      if (unexpected.length) parts.push(`unexpected: ${unexpected.join(', ')}`);
      if (wrong.length) parts.push(`wrong shape: ${wrong.join('; ')}`);
      throw new Error(`loadStateDict: ${parts.join('; ')}`);
    }
    for (const [name, p, m] of named) {
      const src = given.get(name)!.data;
      for (let i = 0; i < p.size; i++) m.flat[p.offset + i] = src[i]!;
    }
  }

  /** Zero every gradient. */
  zeroGrad(): void {
    const seen = new Set<FloatArray>();
    for (const [, , m] of this.namedParameters()) {
      if (seen.has(m.flatGrad)) continue;
      seen.add(m.flatGrad);
      m.flatGrad.fill(0);
    }
  }

  /** Training mode (dropout on). Returns this. */
  train(on = true): this {
    this.training = on;
    for (const c of this.children()) c.train(on);
    return this;
  }

  /** Inference mode (dropout off). Returns this. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Re-home this module's own parameters into `flat`/`flatGrad` at `base` (used by containers
   * to build one buffer for a whole model). Values are copied across. Returns the next free offset.
   */
  adopt(flat: FloatArray, flatGrad: FloatArray, base: number): number {
    let off = base;
    for (const p of this.params) {
      flat.set(this.flat.subarray(p.offset, p.offset + p.size), off);
      flatGrad.set(this.flatGrad.subarray(p.offset, p.offset + p.size), off);
      p.offset = off;
      off += p.size;
    }
    this.flat = flat;
    this.flatGrad = flatGrad;
    this.releaseWorkspace();
    return off;
  }

  /** Free cached activation buffers (they are reallocated on the next forward). */
  releaseWorkspace(): void {}

  /**
   * Move this module (and its children) to another backend: parameters are copied into buffers
   * the new backend owns.
   */
  to(backendName: string): this {
    const target = backendByName(backendName);
    const all = [this as Module, ...descendants(this)];
    for (const m of all) {
      m.releaseWorkspace();
      m.backend = target;
    }
    this.rehome();
    return this;
  }

  /** Lay every parameter of this subtree out in one pair of fresh buffers on this.backend. */
  protected rehome(): void {
    const all = [this as Module, ...descendants(this)];
    const total = all.reduce((n, m) => n + m.params.reduce((k, p) => k + p.size, 0), 0);
    const flat = this.backend.alloc(Math.max(total, 1), this.dtype);
    const grad = this.backend.alloc(Math.max(total, 1), this.dtype);
    let off = 0;
    for (const m of all) off = m.adopt(flat, grad, off);
  }
}

/**
 * Named activation buffers of one module, allocated by its backend and reused across calls of
 * the same or smaller size, so a forward/backward allocates nothing once warm. `get` returns a
 * view of exactly n elements; `release` frees them all (before a backend change).
 */
export class Workspace {
  private bufs = new Map<string, FloatArray>();
  private ints = new Map<string, Int32Array>();
  constructor(private readonly owner: Module) {}
  /** A buffer of n elements named `name` (zero-filled if `zero`; otherwise holding whatever it last held). */
  get(name: string, n: number, zero = false): FloatArray {
    let b = this.bufs.get(name);
    if (!b || b.length < n) {
      if (b) this.owner.backend.free(b);
      b = this.owner.backend.alloc(Math.max(n, 1), this.owner.dtype);
      this.bufs.set(name, b);
    } else if (zero) b.fill(0, 0, n);
    return b.length === n ? b : b.subarray(0, n);
  }
  /** An int buffer of n elements named `name` (sequence lengths for the kernels). */
  getInt(name: string, n: number): Int32Array {
    let b = this.ints.get(name);
    if (!b || b.length < n) {
      if (b) this.owner.backend.free(b);
      b = this.owner.backend.allocInt(Math.max(n, 1));
      this.ints.set(name, b);
    }
    return b.length === n ? b : b.subarray(0, n);
  }
  release(): void {
    for (const b of this.bufs.values()) this.owner.backend.free(b);
    for (const b of this.ints.values()) this.owner.backend.free(b);
    this.bufs.clear();
    this.ints.clear();
  }
}

/**
 * Typed activation buffers of one module: T declares them (a field per buffer, null where a
 * layer has none), and `views(sizes)` returns, for every field, a view of exactly sizes[field]
 * elements, or null for 0. Buffers are allocated by the module's backend and reused across calls
 * of the same or smaller size, so a warm forward/backward allocates nothing. `zero` names the
 * fields to zero-fill; the others hold whatever they last held.
 */
export class BufferSet<T extends { [name: string]: FloatArray | null }> {
  private readonly store = new Map<keyof T, FloatArray>();
  constructor(private readonly owner: Module) {}

  views(sizes: { readonly [K in keyof T]: number }, zero: readonly (keyof T)[] = []): T {
    const out: Partial<Record<keyof T, FloatArray | null>> = {};
    for (const name in sizes) {
      const n = sizes[name];
      if (n === 0) {
        out[name] = null;
        continue;
      }
      let b = this.store.get(name);
      if (!b || b.length < n) {
        if (b) this.owner.backend.free(b);
        b = this.owner.backend.alloc(n, this.owner.dtype);
        this.store.set(name, b);
      } else if (zero.includes(name)) b.fill(0, 0, n);
      out[name] = b.length === n ? b : b.subarray(0, n);
    }
    return out as T;
  }

  release(): void {
    for (const b of this.store.values()) this.owner.backend.free(b);
    this.store.clear();
  }
}

function descendants(m: Module): Module[] {
  const out: Module[] = [];
  for (const c of m.children()) out.push(c, ...descendants(c));
  return out;
}
