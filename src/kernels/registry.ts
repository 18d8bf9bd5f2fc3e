/**
 * The backend registry: backends by name, the current one and the default. Built in:
 * 'reference' (plain TypeScript, always), 'wasm' (every core) and 'wasm-1t' (one thread) once
 * the WebAssembly kernels are loaded.
 *
 * Importing this file changes nothing. Choosing the default is an explicit step, `withWasm`,
 * taken at the start of every function below: in Node its first run loads the WebAssembly
 * kernels (synchronously), so getBackend() returns 'wasm' with nothing to call first; in a
 * browser it adds the WebAssembly backends at the first call after `await initWasm()`. Either
 * way 'wasm' becomes the default (setDefaultBackend and setBackend still override it), and
 * 'reference' stays the fallback where the kernels do not load.
 */
import type { Backend } from './backend.js';
import { createReferenceBackend } from './reference/index.js';
import { createWasmBackend, wasmLoaded } from './wasm/index.js';

const registry = new Map<string, () => Backend>([['reference', createReferenceBackend]]);
const instances = new Map<string, Backend>();
let current: string | null = null;
let preferred: string | null = null;
let wasmAdded = false;

/** Add the WebAssembly backends, once, as soon as their kernels are loaded, and make 'wasm' the default. */
function withWasm(): void {
  if (wasmAdded || !wasmLoaded()) return;
  wasmAdded = true;
  add('wasm', () => createWasmBackend({ name: 'wasm' }));
  add('wasm-1t', () => createWasmBackend({ threads: 1, name: 'wasm-1t' }));
  preferred = 'wasm';
}

function add(name: string, factory: () => Backend): void {
  registry.set(name, factory);
  instances.delete(name);
}

function unknown(name: string): Error {
  return new Error(`unknown backend "${name}"; registered: ${listBackends().join(', ') || '(none)'}`);
}

/** Make a backend available under a name (the factory runs on first use). */
export function registerBackend(name: string, factory: () => Backend): void {
  withWasm();
  add(name, factory);
}

/** Backend names registered so far, "reference" first. */
export function listBackends(): string[] {
  withWasm();
  const names = [...registry.keys()];
  return names.includes('reference') ? ['reference', ...names.filter((n) => n !== 'reference')] : names;
}

/** Look up a backend by name without making it current. */
export function backendByName(name: string): Backend {
  withWasm();
  let b = instances.get(name);
  if (!b) {
    const f = registry.get(name);
    if (!f) throw unknown(name);
    b = f();
    instances.set(name, b);
  }
  return b;
}

/**
 * Make `name` the backend for modules created from now on (existing modules keep theirs;
 * move one with `module.to(name)`).
 */
export function setBackend(name: string): Backend {
  const b = backendByName(name);
  current = name;
  return b;
}

/** The backend `getBackend()` starts with when none was set ('wasm' where its kernels load). `setBackend` still overrides it. */
export function setDefaultBackend(name: string): void {
  withWasm();
  if (!registry.has(name)) throw unknown(name);
  preferred = name;
}

/** The current backend: the one set, else the default (`setDefaultBackend`), else "reference". */
export function getBackend(): Backend {
  withWasm();
  if (current === null) current = preferred ?? (registry.has('reference') ? 'reference' : listBackends()[0] ?? null);
  if (current === null) throw new Error('no kernel backend registered');
  return backendByName(current);
}
