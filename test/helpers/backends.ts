/**
 * The kernel backends every layer test runs on. The reference backend is always there; the
 * WebAssembly backend is added when src/kernels/wasm exists (it must then load). 'wasm-1t' is
 * left out: it runs the same kernels as 'wasm' on one thread, and test/kernels checks that
 * one and two threads give bit-identical results.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listBackends } from '../../src/index.js';

const wasmEntry = fileURLToPath(new URL('../../src/kernels/wasm/index.ts', import.meta.url));
if (existsSync(wasmEntry)) {
  const wasm = await import('../../src/kernels/wasm/index.js' as string);
  if (!wasm.wasmInfo()) await wasm.initWasm(); // throws with the reason if the kernels cannot load
}

/** Names of all registered backends, reference first. */
export const BACKENDS: string[] = listBackends().filter((n) => n !== 'wasm-1t');
