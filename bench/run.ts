/**
 * `npm run bench`: every workload (W1–W4, bench/workloads.ts) × every implementation, each row
 * in its own child process (bench/worker.ts for JavaScript, bench/torch_bench.py for PyTorch),
 * one after the other; then the sweep (bench/sweep.ts: H, T, B and layers one at a time,
 * lstm-ts, its onnxruntime engine and PyTorch, with peak memory), the measurements behind
 * `engine: 'auto'` (bench/engine-rule.ts), the ratios, the targets of issues 4 and 16, and
 * BENCHMARKS.md (written atomically, with the SVG charts in results/bench/ and the raw rows in
 * results/bench/run.json) plus the same report on stdout. The time-to-quality section comes
 * from `npm run bench:ttq` (results/bench/ttq.json), which runs on its own.
 *
 * Flags: --only W1,W3,sweep,engine,modes   sections to run (default: all; with --only, --impl or
 *                       --quick, the sweep, the engine and the modes section run only when named;
 *                       modes: LSTM, GRU and RNN layers' forward + backward at the W3 and W4
 *                       shapes, lstm-ts and PyTorch at every core, bench/layer-modes.ts)
 *        --impl tfjs,torch   rows whose id contains one of these
 *        --budget S     seconds of measuring per row (default 5), shared by its rounds
 *        --rounds N     measure every row N times (default 3), in N passes over all rows, and pool
 *                       the samples: a slow spell of a shared machine then hits every row a little
 *                       instead of one row a lot (rows known to take > 5 s per call run once)
 *        --sweep-budget S   seconds of measuring per sweep row (default 1.5)
 *        --skip-slow    skip rows known to take > 5 s per call (TF.js CPU W2/W4, TF.js WASM W4, brain.js W2/W4, lstm-ts reference W2/W4)
 *        --quick        --budget 2 --skip-slow
 *        --out FILE     report path (default BENCHMARKS.md); --no-write prints only
 *        --json FILE    also save the raw rows there; --from-json FILE re-renders a saved run without measuring
 *        --no-plain-simd    leave out the lstm-ts rows that force the plain-SIMD build (LSTM_TS_WASM_RELAXED=0)
 *        --no-kernels   leave out the WebAssembly matmul micro-benchmark (bench/kernels/matmul.ts)
 *        --torch-blas DIR   run PyTorch with the libblas.so.3 in DIR (LD_LIBRARY_PATH) instead of
 *                       the one Debian's alternatives select (an override; the default needs none)
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/index.js';
import type { RulePoint } from './engine-rule.js';
import { syncReadme } from './readme-sync.js';
import { RESULT_MARK, childResult, median } from './harness.js';
import { FIG_DIR, renderReport, type ModeRow, type Row, type RunInfo, type SavedRun } from './report.js';
import { SWEEP_IMPLS, sweepPoints, type SweepRow } from './sweep.js';
import { MODES, modeCases, timeLstmTs, timeTorch, type ModeSamples } from './layer-modes.js';
import { readTtqRun } from './ttq.js';
import { WORKLOADS, WORKLOAD_IDS, type Workload, type WorkloadId } from './workloads.js';

const require = createRequire(import.meta.url);
const CORES = cpus().length;

/** One line of the tables: an implementation at a thread count. */
export interface RowSpec {
  id: string; // e.g. 'lstm-ts/wasm', 'tfjs/cpu', 'torch'
  label: string;
  threads: number;
  group: 'lstm-ts' | 'tfjs' | 'brain.js' | 'onnxruntime' | 'pytorch';
  /** Extra environment for the child. */
  env?: Record<string, string>;
}

/** Rows known (from the issue's and our measurements) to take more than 5 s per call. */
const SLOW = new Set(['tfjs/cpu W2', 'tfjs/cpu W4', 'tfjs/wasm W4', 'brain.js W2', 'brain.js W4', 'lstm-ts/reference W2', 'lstm-ts/reference W4']);

/** Threads a WebAssembly backend name stands for: 'wasm-1t' one, 'wasm' every core. */
function backendThreads(name: string): number {
  const m = /-(\d+)t$/.exec(name);
  return m ? Number(m[1]) : CORES;
}

function sh(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  return { ok: r.status === 0, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

/** The first python that imports torch, or the reason none does. */
function findTorchPython(): { python: string | null; note: string } {
  const tried: string[] = [];
  for (const py of [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p)) {
    const r = sh(py, ['-c', 'import torch']);
    if (r.ok) return { python: py, note: tried.length ? `${py} (${tried.join('; ')})` : py };
    tried.push(`${py}: no torch`);
  }
  return { python: null, note: `PyTorch not available: ${tried.join('; ')}` };
}

/**
 * The environment of the PyTorch rows. Debian's python3-torch calls whatever libblas.so.3 the
 * dynamic linker finds, which Debian's alternatives select: with `apt-get install python3-torch
 * libopenblas0-pthread` that is OpenBLAS (it outranks the reference BLAS of libblas3), so no
 * setting is needed. `--torch-blas DIR` overrides it with the libblas.so.3 in DIR. Threads:
 * OPENBLAS_NUM_THREADS as the row's, and passive OpenMP waiting (with libgomp's default
 * spinning, torch's idle pool threads fight the BLAS threads for the 2 cores: W2 at 2 threads
 * measured 4.3 s instead of 90 ms here).
 */
function torchEnv(threads: number, blasDir: string | undefined): Record<string, string> {
  if (blasDir !== undefined && !existsSync(`${blasDir}/libblas.so.3`)) throw new Error(`--torch-blas: no libblas.so.3 in ${blasDir}`);
  return { OMP_WAIT_POLICY: 'PASSIVE', OPENBLAS_NUM_THREADS: String(threads), ...(blasDir ? { LD_LIBRARY_PATH: blasDir } : {}) };
}

/** Backend names lstm-ts registers in a fresh process (reference, plus wasm ones if built). */
function lstmTsBackends(): string[] {
  const r = sh(process.execPath, ['--import', 'tsx', 'bench/worker.ts', '--list-backends']);
  const line = r.out.split('\n').find((l) => l.startsWith(RESULT_MARK));
  if (!line) return ['reference'];
  return (JSON.parse(line.slice(RESULT_MARK.length)) as { backends: string[] }).backends;
}

/** Write the report (and its charts) and refresh README's copy of the tables. */
async function writeReport(out: string, saved: SavedRun): Promise<string> {
  const { md, svgs } = renderReport(saved, readTtqRun());
  mkdirSync(FIG_DIR, { recursive: true });
  for (const [name, svg] of Object.entries(svgs)) await writeFileAtomic(`${FIG_DIR}/${name}`, svg);
  await writeFileAtomic(out, md);
  if (out === 'BENCHMARKS.md') syncReadme();
  return md;
}

/** Run the PyTorch script or a JavaScript worker for one row; the child's result line. */
function runRow(torchPython: string | null, blasDir: string | undefined, id: string, w: Workload | WorkloadId, threads: number, budget: number, timeout: number, env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const spec = typeof w === 'string' ? WORKLOADS[w] : w;
  if (id === 'torch') {
    return childResult(torchPython!, ['bench/torch_bench.py', '--spec', JSON.stringify(spec), '--threads', String(threads), '--budget', String(budget)], timeout, torchEnv(threads, blasDir));
  }
  const which = typeof w === 'string' ? ['--workload', w] : ['--spec', JSON.stringify(w)];
  return childResult(process.execPath, ['--import', 'tsx', 'bench/worker.ts', '--impl', id, ...which, '--threads', String(threads), '--budget', String(budget)], timeout, env);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' }, impl: { type: 'string' }, budget: { type: 'string' },
      'skip-slow': { type: 'boolean', default: false }, quick: { type: 'boolean', default: false },
      out: { type: 'string', default: 'BENCHMARKS.md' }, 'no-write': { type: 'boolean', default: false },
      'no-plain-simd': { type: 'boolean', default: false }, 'no-kernels': { type: 'boolean', default: false },
      json: { type: 'string' }, 'from-json': { type: 'string' }, 'torch-blas': { type: 'string' },
      rounds: { type: 'string' }, 'sweep-budget': { type: 'string', default: '1.5' },
    },
  });
  if (values['from-json']) {
    // Re-render a saved run (after a change to the report's wording), no measuring.
    const saved = JSON.parse(readFileSync(values['from-json'], 'utf8')) as SavedRun;
    if (values['no-write']) process.stdout.write(renderReport(saved, readTtqRun()).md);
    else process.stdout.write(await writeReport(values.out!, saved));
    return;
  }
  const budget = Number(values.budget ?? (values.quick ? 2 : 5));
  const rounds = Math.max(1, Math.floor(Number(values.rounds ?? (values.quick ? 1 : 3))));
  const skipSlow = values['skip-slow'] || values.quick;
  const extra = ['sweep', 'engine', 'modes'];
  const sections = (values.only?.split(',') ?? [...WORKLOAD_IDS, ...extra]).map((s) => s.trim());
  const only = sections.filter((s) => !extra.includes(s.toLowerCase())).map((s) => s.toUpperCase()) as WorkloadId[];
  for (const id of only) if (!WORKLOADS[id]) throw new Error(`--only: unknown section "${id}" (have ${WORKLOAD_IDS.join(', ')}, ${extra.join(', ')})`);
  const partial = values.only !== undefined || values.impl !== undefined || values.quick;
  const named = (s: string): boolean => sections.some((x) => x.toLowerCase() === s);
  const doSweep = named('sweep') && (!partial || values.only !== undefined);
  const doRule = named('engine') && (!partial || values.only !== undefined);
  const doModes = named('modes') && (!partial || values.only !== undefined);
  const implFilter = values.impl?.split(',').map((s) => s.trim()).filter(Boolean);

  const torch = findTorchPython();
  const blasDir = values['torch-blas'];
  const torchInfo: Record<string, string> = {};
  if (torch.python) {
    // Which BLAS PyTorch calls and which kernels it runs (bench/torch_bench.py --info).
    const r = await childResult(torch.python, ['bench/torch_bench.py', '--info'], 120_000, torchEnv(1, blasDir));
    for (const [k, v] of Object.entries(r)) if (k !== 'ok' && typeof v === 'string') torchInfo[k] = v;
    console.error(`PyTorch ${torchInfo.torch ?? '?'}: BLAS ${torchInfo.blasConfig ?? torchInfo.blas ?? r.error}; ${torchInfo.blasAlternative ?? ''}; torch CPU capability ${torchInfo.torchCpuCapability ?? '?'} (BLAS_INFO ${torchInfo.torchBlasInfo ?? '?'})`);
  }
  const backends = lstmTsBackends();
  const specs: RowSpec[] = [];
  // Reference first, then the WebAssembly backends from one thread up.
  for (const b of [...backends].sort((a, c) => (a === 'reference' ? -1 : c === 'reference' ? 1 : backendThreads(a) - backendThreads(c)))) {
    if (b === 'reference') specs.push({ id: 'lstm-ts/reference', label: 'lstm-ts reference (plain TS)', threads: 1, group: 'lstm-ts' });
    else specs.push({ id: `lstm-ts/${b}`, label: `lstm-ts ${b}`, threads: backendThreads(b), group: 'lstm-ts' });
  }
  // The backend picks its relaxed-SIMD build (fused multiply-add) where it can; these rows
  // force the plain-SIMD build, the fallback for runtimes without relaxed SIMD.
  if (!values['no-plain-simd']) {
    for (const b of backends.filter((n) => n !== 'reference').sort((a, c) => backendThreads(a) - backendThreads(c))) {
      specs.push({ id: `lstm-ts/${b}`, label: `lstm-ts ${b} plain-SIMD build`, threads: backendThreads(b), group: 'lstm-ts', env: { LSTM_TS_WASM_RELAXED: '0' } });
    }
  }
  // Inference through compile(model, { engine: 'onnxruntime' }), beside onnxruntime's own rows.
  for (const t of [...new Set([1, CORES])]) specs.push({ id: 'lstm-ts/engine-onnxruntime', label: 'lstm-ts onnxruntime engine', threads: t, group: 'lstm-ts' });
  specs.push(
    { id: 'tfjs/cpu', label: 'TF.js cpu', threads: 1, group: 'tfjs' },
    { id: 'tfjs/wasm', label: 'TF.js wasm (SIMD)', threads: 1, group: 'tfjs' },
    { id: 'brain.js', label: 'brain.js LSTMTimeStep', threads: 1, group: 'brain.js' },
  );
  for (const t of [...new Set([1, CORES])]) specs.push({ id: 'onnxruntime-node', label: 'onnxruntime-node', threads: t, group: 'onnxruntime' });
  for (const t of [...new Set([1, CORES])]) specs.push({ id: 'torch', label: 'PyTorch CPU', threads: t, group: 'pytorch' });
  const chosen = specs.filter((s) => !implFilter || implFilter.some((f) => s.id.includes(f) || s.label.toLowerCase().includes(f.toLowerCase())));

  const info: RunInfo = {
    date: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
    cpu: readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? cpus()[0]?.model ?? 'unknown',
    cpuFlags: (readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:\s*(.*)$/m)?.[1] ?? '').split(' ').filter((f) => /^(avx|avx2|fma|avx512f)$/.test(f)).join(' '),
    cores: CORES,
    memGB: totalmem() / 2 ** 30,
    node: process.versions.node, v8: process.versions.v8,
    packages: {},
    python: torch.note,
    torchVersion: torch.python ? sh(torch.python, ['-c', 'import torch,sys; print(torch.__version__, sys.version.split()[0])']).out.trim() : null,
    torchBlas: torchInfo,
    commit: sh('git', ['rev-parse', '--short', 'HEAD']).out.trim(),
    dirty: sh('git', ['status', '--porcelain', '--untracked-files=no']).out.trim() !== '',
    lstmTsBackends: backends,
    loadStart: loadavg(), loadEnd: [],
    budget, skipSlow, rounds,
  };
  for (const p of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'brain.js', 'onnxruntime-node', 'protobufjs', 'tsx']) {
    try { info.packages[p] = require(`${p}/package.json`).version; } catch { info.packages[p] = 'not installed'; }
  }

  const rows: Row[] = [];
  const byKey = new Map<string, Row>();
  const pooled = new Map<Row, { samples: number[]; cpu: number[]; rss: number; loads: number[] }>();
  const t0 = performance.now();
  for (let round = 1; round <= rounds; round++) {
    for (const wid of only) {
      const w = WORKLOADS[wid];
      console.error(`\n${wid}: ${w.title}${rounds > 1 ? ` (round ${round} of ${rounds})` : ''}`);
      for (const [i, s] of chosen.entries()) {
        const key = `${s.id} ${wid}`;
        let row = byKey.get(`${wid} ${i}`);
        if (!row) {
          row = { ...s, workload: wid, load: loadavg()[0]! };
          rows.push(row);
          byKey.set(`${wid} ${i}`, row);
          if (skipSlow && SLOW.has(key)) row.skipped = 'skipped (--skip-slow: > 5 s per call)';
          else if (s.id === 'torch' && !torch.python) row.skipped = torch.note;
          else if ((s.group === 'onnxruntime' || s.id === 'lstm-ts/engine-onnxruntime') && w.kind === 'train') row.skipped = 'inference only';
        }
        if (row.skipped !== undefined || (round > 1 && SLOW.has(key))) continue;
        const timeout = (SLOW.has(key) ? 900 : 300) * 1000;
        const res = await runRow(torch.python, blasDir, s.id, wid, s.threads, SLOW.has(key) ? budget : budget / rounds, timeout, s.env);
        if (res.ok) {
          const p = pooled.get(row) ?? { samples: [], cpu: [], rss: 0, loads: [] };
          pooled.set(row, p);
          p.samples.push(...(res.samples as number[]));
          p.cpu.push(res.cpuMedian as number);
          p.rss = Math.max(p.rss, Number(res.maxRssKB ?? 0));
          p.loads.push(loadavg()[0]!);
          Object.assign(row, {
            median: median(p.samples), min: Math.min(...p.samples), cpuMedian: median(p.cpu),
            runs: p.samples.length, maxRssKB: p.rss, load: Math.max(...p.loads),
          });
        } else {
          row.skipped = String(res.skipped ?? `failed: ${res.error}`);
        }
        const { wasm, blas, ...versions } = (res.info ?? {}) as Record<string, string>;
        if (wasm) row.note = wasm;
        if (blas) row.note = `BLAS: ${blas}`;
        Object.assign(info.packages, versions);
        const shown = row.median !== undefined ? `${row.median.toFixed(3)} ms (min ${row.min!.toFixed(3)}, ${row.runs} runs)` : row.skipped;
        console.error(`  ${(s.label + ' ×' + s.threads).padEnd(36)} ${shown}`);
      }
    }
  }
  // The sweep: every point and implementation once, on every core, with peak memory.
  const sweep: SweepRow[] = [];
  if (doSweep) {
    const sweepBudget = Number(values['sweep-budget']);
    console.error('\nsweep (bench/sweep.ts)');
    // The base point belongs to every axis: measured once, its result shared.
    const done = new Map<string, Record<string, unknown>>();
    for (const p of sweepPoints()) {
      for (const impl of SWEEP_IMPLS) {
        if (!(impl.kinds as readonly string[]).includes(p.kind)) continue;
        const row: SweepRow = { axis: p.axis, value: p.value, kind: p.kind, impl: impl.key };
        sweep.push(row);
        if (impl.id === 'torch' && !torch.python) { row.skipped = 'no PyTorch'; continue; }
        const { batch, steps, input, hidden, layers } = p.workload;
        const key = JSON.stringify([impl.id, p.kind, batch, steps, input, hidden, layers]);
        const res = done.get(key) ?? await runRow(torch.python, blasDir, impl.id, p.workload, CORES, sweepBudget, 600_000);
        done.set(key, res);
        if (res.ok) Object.assign(row, { median: res.median as number, runs: (res.samples as number[]).length, maxRssKB: Number(res.maxRssKB ?? 0) });
        else row.skipped = String(res.skipped ?? `failed: ${res.error}`);
        console.error(`  ${p.workload.id.padEnd(16)} ${p.kind.padEnd(9)} ${impl.label.padEnd(28)} ${row.median !== undefined ? `${row.median.toFixed(2)} ms, ${((row.maxRssKB ?? 0) / 1024).toFixed(0)} MB` : row.skipped}`);
      }
    }
  }
  // LSTM, GRU and RNN layers, forward + backward, at the W3 and W4 shapes: lstm-ts and PyTorch
  // at every core, alternating, one process per round each, samples pooled.
  const modes: ModeRow[] = [];
  if (doModes) {
    console.error('\nLSTM, GRU and RNN layers, forward + backward (bench/layer-modes.ts)');
    const cases = modeCases(['W3', 'W4'], [...MODES]);
    const impls = [
      { impl: 'lstm-ts' as const, go: () => timeLstmTs(process.cwd(), CORES, cases, budget / rounds) },
      { impl: 'torch' as const, go: torch.python ? () => timeTorch(torch.python!, CORES, cases, budget / rounds, torchEnv(CORES, blasDir)) : null },
    ];
    const pooledModes = impls.map(() => ({ samples: {} as Record<string, number[]>, cpu: {} as Record<string, number[]>, loads: [] as number[], error: '' }));
    for (let round = 1; round <= rounds; round++) {
      for (const [i, { impl, go }] of impls.entries()) {
        const p = pooledModes[i]!;
        if (!go || p.error) continue;
        let res: ModeSamples;
        try { res = await go(); } catch (e) { p.error = e instanceof Error ? e.message : String(e); continue; }
        for (const [k, v] of Object.entries(res.samples)) (p.samples[k] ??= []).push(...v);
        for (const [k, v] of Object.entries(res.cpu)) (p.cpu[k] ??= []).push(...v);
        p.loads.push(loadavg()[0]!);
        console.error(`  round ${round}: ${impl} ${cases.map((c) => `${c.name} ${median(res.samples[c.name]!).toFixed(1)} ms`).join(', ')}`);
      }
    }
    for (const c of cases) {
      for (const [i, { impl, go }] of impls.entries()) {
        const p = pooledModes[i]!, s = p.samples[c.name];
        const base = { shape: c.shape, mode: c.mode, B: c.B, T: c.T, I: c.I, H: c.H, L: c.L, impl, threads: CORES, load: Math.max(0, ...p.loads) };
        if (!go) modes.push({ ...base, skipped: torch.note });
        else if (!s?.length) modes.push({ ...base, skipped: `failed: ${p.error}` });
        else modes.push({ ...base, median: median(s), min: Math.min(...s), cpuMedian: median(p.cpu[c.name]!), runs: s.length });
      }
    }
  }
  // The grid behind engine: 'auto' (bench/engine-rule.ts), in one process.
  let rule: RulePoint[] | null = null;
  if (doRule) {
    console.error('\nengine choice (bench/engine-rule.ts)');
    const r = await childResult(process.execPath, ['--import', 'tsx', 'bench/engine-rule.ts'], 900_000);
    if (r.ok) rule = r.points as RulePoint[];
    else console.error(`  failed: ${r.error}`);
  }
  // The WebAssembly kernels' own micro-benchmark (helper script in bench/kernels), same run.
  let kernels: string | null = null;
  if (!values['no-kernels'] && existsSync('bench/kernels/matmul.ts') && backends.some((b) => b !== 'reference')) {
    console.error('\nkernel micro-benchmark: bench/kernels/matmul.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/kernels/matmul.ts'], { encoding: 'utf8', timeout: 300_000 });
    kernels = r.status === 0 ? r.stdout.trim() : `failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`;
  }
  info.loadEnd = loadavg();
  info.seconds = (performance.now() - t0) / 1000;
  const saved: SavedRun = { info, rows, kernels, sweep, rule, modes };
  if (values.json) await writeFileAtomic(values.json, JSON.stringify(saved, null, 1));
  if (values['no-write']) {
    process.stdout.write(renderReport(saved, readTtqRun()).md);
    return;
  }
  mkdirSync(FIG_DIR, { recursive: true });
  if (values.out === 'BENCHMARKS.md') await writeFileAtomic(`${FIG_DIR}/run.json`, JSON.stringify(saved, null, 1) + '\n');
  process.stdout.write(await writeReport(values.out!, saved));
  console.error(`\nwrote ${values.out} (${info.seconds.toFixed(0)} s)`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
