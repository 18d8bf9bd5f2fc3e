/**
 * The committed WebAssembly build (src/kernels/wasm/build) is what the AssemblyScript sources
 * compile to today (rebuilt into a temporary folder and compared byte for byte), and the
 * fast f32 σ and tanh stay within their documented error of float64 Math.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendByName } from '../../src/kernels/index.js';
import { wasmInfo, wasmKernelsForBench } from '../../src/kernels/wasm/index.js';

const root = join(import.meta.dirname, '../..');

test('committed .wasm and bytes.ts match a fresh build of src/kernels/wasm/assembly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lstm-wasm-'));
  try {
    execFileSync(process.execPath, [join(root, 'scripts/build-wasm.mjs'), dir], { stdio: 'pipe' });
    for (const f of ['kernels-simd.wasm', 'kernels-relaxed.wasm', 'bytes.ts']) {
      const fresh = readFileSync(join(dir, f)), committed = readFileSync(join(root, 'src/kernels/wasm/build', f));
      assert.ok(fresh.equals(committed), `src/kernels/wasm/build/${f} is stale: run npm run build:wasm and commit`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('f32 σ and tanh: max relative error against float64 Math below 4e-7 on [−20, 20]', () => {
  assert.ok(wasmInfo(), 'wasm kernels loaded');
  const be = backendByName('wasm');
  const n = 400_000;
  const x = be.alloc(n, 'float32') as Float32Array, sig = be.alloc(n, 'float32') as Float32Array, th = be.alloc(n, 'float32') as Float32Array;
  for (let i = 0; i < n; i++) x[i] = -20 + (40 * i) / (n - 1);
  x[1] = 1e-6; x[2] = -3e-4; x[3] = 0.625; x[4] = -0.625; x[5] = 0; // near the branch points
  wasmKernelsForBench().activationsF32(x, sig, th);
  let es = 0, et = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!, s = 1 / (1 + Math.exp(-v)), t = Math.tanh(v);
    es = Math.max(es, Math.abs(sig[i]! - s) / s);
    if (t !== 0) et = Math.max(et, Math.abs(th[i]! - t) / Math.abs(t));
    else assert.equal(th[i], 0);
  }
  console.log(`σ max rel error ${es.toExponential(2)}, tanh max rel error ${et.toExponential(2)}`);
  assert.ok(es < 4e-7 && et < 4e-7, `σ ${es}, tanh ${et}`);
  for (const b of [x, sig, th]) be.free(b);
});

test('without SharedArrayBuffer (a page that is not cross-origin isolated) the module runs on a non-shared memory', async () => {
  const { unshareMemoryImport } = await import('../../src/kernels/wasm/index.js');
  const { WASM_SIMD, WASM_DATA_END } = await import('../../src/kernels/wasm/build/bytes.js');
  const bytes = Uint8Array.from(atob(WASM_SIMD), (c) => c.charCodeAt(0));
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 2 });
  const env = { env: { memory, abort() {} } };
  assert.throws(() => new WebAssembly.Instance(new WebAssembly.Module(bytes), env), /memory/i);
  const k = new WebAssembly.Instance(new WebAssembly.Module(unshareMemoryImport(bytes)), env).exports as Record<string, (...a: number[]) => void>;
  const base = Math.ceil(WASM_DATA_END / 64) * 64 + 4096;
  const f = new Float32Array(memory.buffer, base, 15);
  for (let i = 0; i < 10; i++) f[i] = i;
  k.addF32!(base + 40, base, base + 20, 5); // f[10..14] = f[0..4] + f[5..9]
  assert.deepEqual([...f.subarray(10)], [5, 7, 9, 11, 13]);
});
