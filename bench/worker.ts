/**
 * One benchmark row in its own process: `tsx bench/worker.ts --impl ID --workload W1
 * --threads N --budget SECONDS` (or `--spec JSON`, any Workload, for the sweep). Builds the implementation from the shared data, measures, and
 * prints one line `@@BENCH {json}` with the timing, the peak resident memory of this process
 * and the implementation's versions; errors are reported the same way (`ok: false`).
 * `--list-backends` prints the lstm-ts kernel backends registered in a fresh process.
 */
import { parseArgs } from 'node:util';
import { makeData } from './data.js';
import { measure, RESULT_MARK } from './harness.js';
import { implById } from './impls/index.js';
import { WORKLOADS, type Workload, type WorkloadId } from './workloads.js';

/** The library's WebAssembly hooks (the registry adds the wasm backends at its first call); loaded only for lstm-ts rows, so peers' processes never hold it. */
interface WasmModule {
  wasmThreadsReady?: (threads?: number) => Promise<void>;
  wasmInfo?: () => { variant: string; workersReady: number } | null;
}

async function loadWasmBackends(): Promise<WasmModule | null> {
  return await import('../src/index.js');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      impl: { type: 'string' }, workload: { type: 'string' }, spec: { type: 'string' },
      threads: { type: 'string', default: '1' }, budget: { type: 'string', default: '8' },
      'list-backends': { type: 'boolean', default: false },
    },
  });
  if (values['list-backends']) {
    await loadWasmBackends();
    const { listBackends } = await import('../src/index.js');
    emit({ ok: true, backends: listBackends() });
    return;
  }
  const w: Workload | undefined = values.spec ? (JSON.parse(values.spec) as Workload) : WORKLOADS[values.workload as WorkloadId];
  if (!w) throw new Error(`--workload must be one of ${Object.keys(WORKLOADS).join(', ')}, got ${values.workload} (or give --spec JSON)`);
  const threads = Number(values.threads), budget = Number(values.budget) * 1000;
  const impl = await implById(values.impl!);
  const info: Record<string, string> = {};
  let wasm: WasmModule | null = null;
  if (impl.id.startsWith('lstm-ts/')) {
    wasm = await loadWasmBackends();
    // Start the worker threads before measuring (they start asynchronously).
    if (wasm?.wasmThreadsReady && impl.id !== 'lstm-ts/reference') await wasm.wasmThreadsReady(threads);
  }
  const why = impl.unsupported?.(w);
  if (why) {
    emit({ ok: false, skipped: why });
    return;
  }
  const runner = await impl.create(w, makeData(w), { threads });
  const timing = await measure(runner, budget);
  await runner.dispose?.();
  const wi = impl.id !== 'lstm-ts/reference' ? wasm?.wasmInfo?.() : null;
  if (wi) info.wasm = `${wi.variant} build, ${wi.workersReady} worker thread${wi.workersReady === 1 ? '' : 's'}`;
  emit({ ok: true, ...timing, info: { ...info, ...((await impl.info?.()) ?? {}) }, maxRssKB: process.resourceUsage().maxRSS });
}

function emit(r: Record<string, unknown>): void {
  process.stdout.write(`\n${RESULT_MARK}${JSON.stringify(r)}\n`);
}

main().then(
  () => process.exit(0), // some libraries keep handles open (thread pools)
  (err: unknown) => {
    emit({ ok: false, error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
