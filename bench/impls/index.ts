/**
 * The JavaScript implementations by id (PyTorch runs in Python: bench/torch_bench.py).
 * Loaded lazily so a child process imports only the library it measures.
 */
import type { Impl } from './types.js';

export async function implById(id: string): Promise<Impl> {
  if (id === 'lstm-ts/engine-onnxruntime') return (await import('./lstm-ts.js')).lstmTsEngineImpl();
  if (id.startsWith('lstm-ts/')) return (await import('./lstm-ts.js')).lstmTsImpl(id.slice('lstm-ts/'.length));
  if (id === 'tfjs/cpu' || id === 'tfjs/wasm') return (await import('./tfjs.js')).tfjsImpl(id.slice(5) as 'cpu' | 'wasm');
  if (id === 'brain.js') return (await import('./brainjs.js')).brainImpl();
  if (id === 'onnxruntime-node') return (await import('./onnxruntime.js')).onnxImpl();
  throw new Error(`unknown implementation "${id}"`);
}
