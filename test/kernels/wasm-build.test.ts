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
