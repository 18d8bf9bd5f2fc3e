/**
 * The kernel backends every layer test runs on. The reference backend is always there; the
 * WebAssembly backend(s) are added when src/kernels/wasm exists (it must then load).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listBackends } from '../../src/index.js';

const wasmEntry = fileURLToPath(new URL('../../src/kernels/wasm/index.ts', import.meta.url));
if (existsSync(wasmEntry)) await import('../../src/kernels/wasm/index.js' as string);

/** Names of all registered backends, reference first. */
export const BACKENDS: string[] = listBackends();
