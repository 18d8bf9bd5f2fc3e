/**
 * The WebAssembly backend's threads in a real browser (Debian's chromium driven by
 * playwright-core). The test page web/test-pages/threads.html (built with esbuild into a temp
 * folder) loads the kernels with initWasm(), makes a 1-thread and a 2-thread backend and runs
 * the same seeded LSTM forwards (T 50, B 64 and T 100, B 1; I 32, H 128), three split-size
 * matmuls and an epoch of the explorer's 'names' task on both (web/test-pages/threads-work.ts).
 * Served with the cross-origin isolation headers (COOP/COEP) the memory must be shared and a
 * worker must start, on the page and inside a Web Worker (where the explorer trains); served
 * without them the page must run everything on its own thread and not hang. In every case the
 * 2-thread results must be bit-identical to the 1-thread ones and to the same computation in
 * Node (same kernel build) and close to the reference backend's, and 1000 batch-1 forwards in a
 * row on 2 threads must all give the same bits and never throw. Timings (median, 1 vs 2
 * threads, interleaved) are printed as diagnostics, not asserted: the machine may be busy.
 * WASM_THREADS_RUNS sets the number of timing runs.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { startServer } from '../../scripts/serve-web.mjs';
import { buildTestPages } from '../../web/test-pages/build.mjs';
import { backendByName } from '../../src/kernels/index.js';
import { wasmInfo } from '../../src/kernels/wasm/index.js';
import { digest, lstmForward, lstmSetup, LSTM_SHAPES, matmulSetup, namesSetup, type LstmCase } from '../../web/test-pages/threads-work.js';
import type { Report, Results } from '../../web/test-pages/threads.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const skip = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM} (apt install chromium): browser threads test not run`;
const RUNS = Number(process.env.WASM_THREADS_RUNS ?? 5);
const REPEAT = 1000; // batch-1 forwards on 2 threads in a row (about 1 ms each)

let browser: Browser;
const servers: Server[] = [];
let isolated: string, plain: string, work: string;
/** The same workloads in Node: the 1-thread WebAssembly backend, and the reference backend. */
let node: { variant: string; results: Results; refH: Record<LstmCase, Float32Array> };
const CASES = Object.keys(LSTM_SHAPES) as LstmCase[];

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'lstm-threads-'));
  const { outdir } = await buildTestPages(join(work, 'site'));
  let server: Server;
  ({ server, url: isolated } = await startServer(outdir, 0));
  servers.push(server);
  ({ server, url: plain } = await startServer(outdir, 0, { isolate: false }));
  servers.push(server);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

  const forward = (backend: string): [LstmCase, ReturnType<typeof lstmForward>][] => CASES.map((c) => [c, lstmForward(lstmSetup(backend, c))]);
  const mm = matmulSetup(backendByName('wasm-1t'));
  mm.run();
  node = {
    variant: wasmInfo()!.variant,
    results: {
      lstm: Object.fromEntries(forward('wasm-1t').map(([c, { output, h }]) => [c, { output: digest(output), h: [...h] }])) as Results['lstm'],
      matmul: mm.results().map(digest), namesLoss: await namesSetup('wasm-1t').run(),
    },
    refH: Object.fromEntries(forward('reference').map(([c, r]) => [c, r.h])) as Record<LstmCase, Float32Array>,
  };
});

after(async () => {
  await browser?.close();
  for (const s of servers) s.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Open threads.html at `base` (+ query) and return its report; fails on any page error. */
async function report(base: string, query: string): Promise<Report> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}threads.html?runs=${RUNS}&repeat=${REPEAT}${query}`);
  // A hang (a caller waiting for a worker that never comes) ends here, by timeout.
  const handle = await page.waitForFunction(() => {
    const w = window as unknown as { threadsReport?: Report; threadsError?: string };
    return w.threadsReport ?? w.threadsError;
  }, null, { timeout: 40000 });
  const r = (await handle.jsonValue()) as Report | string;
  await page.close();
  if (typeof r === 'string') assert.fail(`threads page failed: ${r}`);
  assert.deepEqual(errors, []);
  return r;
}

/**
 * The checks every case shares: 2 threads ≡ 1 thread ≡ Node, close to the reference, every one
 * of REPEAT batch-1 forwards on 2 threads the same, and no forward threw.
 */
function checkResults(r: Report, t: TestContext): void {
  assert.deepEqual(r.two, r.one, '2-thread results bit-identical to 1-thread');
  assert.equal(r.repeat.runs, REPEAT);
  assert.equal(r.repeat.wrong, 0, `batch-1 forwards on 2 threads that gave other bits, of ${REPEAT}`);
  // Once, on a page's main thread (which cannot Atomics.wait), a batch-1 forward on 2 threads
  // threw now and then: the worker claimed range 0 of the sequence job, the caller ran range 1,
  // which may sleep, and trapped ("Atomics.wait cannot be called in this context"); 11 to 1089
  // of 3000 forwards. Now the caller always runs range 0.
  assert.deepEqual(r.thrown, { count: 0, first: null }, 'no LSTM forward threw');
  assert.deepEqual(r.cold, { lstm: r.one.lstm, matmul: r.one.matmul }, 'used before its worker was ready: same results');
  // The kernels hold no state and import nothing but memory: the same build gives the same bits.
  // (Not the loss: it is summed in JavaScript, whose Math.exp and Math.log may differ in the last
  // bit between V8 versions.)
  const kernelBits = (x: Results): Omit<Results, 'namesLoss'> => ({ lstm: x.lstm, matmul: x.matmul });
  if (r.info.variant === node.variant) assert.deepEqual(kernelBits(r.one), kernelBits(node.results), `browser ≡ Node (${node.variant} build)`);
  else t.diagnostic(`browser loaded the ${r.info.variant} build, Node the ${node.variant} one: compared with a tolerance only`);
  for (const c of CASES) {
    const dh = Math.max(...r.one.lstm[c].h.map((v, i) => Math.abs(v - node.refH[c][i]!)));
    assert.ok(dh < 1e-5, `${c}: final h vs the reference backend: max |diff| ${dh}`);
  }
  assert.ok(Math.abs(r.one.namesLoss - node.results.namesLoss) < 1e-4, `names loss ${r.one.namesLoss} vs ${node.results.namesLoss} in Node`);
  const { batch64, batch1, matmul, names } = r.ms;
  const f = (p: [number, number]): string => `${p[0].toFixed(2)} → ${p[1].toFixed(2)} ms (${(p[0] / p[1]).toFixed(2)}×)`;
  t.diagnostic(`${r.where}, isolated ${r.crossOriginIsolated}, ${r.info.variant} SIMD, workers ${r.info.workersReady} (ready in ${r.readyMs.toFixed(0)} ms), ` +
    `median of ${r.runs}, 1 → 2 threads: LSTM forward B 64 ${f(batch64)}, B 1 ${f(batch1)}; matmuls ${f(matmul)}; names epoch (${r.namesBatches} batches) ${f(names)}; ` +
    `${REPEAT} B-1 forwards on 2 threads ${(r.repeat.ms / REPEAT).toFixed(2)} ms each`);
}

describe('WebAssembly threads in chromium, cross-origin isolated', { skip }, () => {
  for (const [where, query] of [['page', ''], ['Web Worker', '&in=worker']] as const) {
    test(`${where}: shared memory, a worker thread, results identical to 1 thread and to Node`, async (t) => {
      const r = await report(isolated, query);
      assert.equal(r.where, where === 'page' ? 'page' : 'worker');
      assert.equal(r.crossOriginIsolated, true);
      assert.equal(r.info.shared, true, 'shared WebAssembly.Memory');
      assert.ok(r.info.workersReady >= 1, `workers ready: ${r.info.workersReady}`);
      checkResults(r, t);
    });
  }
});

describe('WebAssembly threads in chromium, not isolated', { skip }, () => {
  for (const [where, query] of [['page', ''], ['Web Worker', '&in=worker']] as const) {
    test(`${where}: unshared memory, no worker, same results on the calling thread`, async (t) => {
      const r = await report(plain, query);
      assert.equal(r.crossOriginIsolated, false);
      assert.equal(r.info.shared, false, 'memory cannot be shared without isolation');
      assert.equal(r.info.workersReady, 0);
      checkResults(r, t);
    });
  }
});
