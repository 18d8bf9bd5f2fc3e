/**
 * Where the time of W2 (LSTM inference) and W4 (LSTM training step) goes on the WebAssembly
 * backend, phase by phase, with each phase's GFLOP/s against the f32x4 ceiling (issue 16 item 3).
 *
 * Every method of the backend is wrapped with a timer (outermost calls only), and each call is
 * put in a phase by what it is: matmuls by shape (m = T·B with Bᵀ: the input projection; m = B:
 * the recurrent products, forward with Bᵀ, backward without; Aᵀ: the weight gradients; m = T·B
 * without Bᵀ: dX; a size-1 dimension: the Dense head), cell kernels, copies/adds, and the fused
 * whole-sequence calls. What the layer does outside the backend (the batch-first ↔ time-major
 * copies, fresh output tensors and their first-touch page faults, the Dense head, the loss, Adam
 * in JavaScript) is the rest of the measured total. Each workload runs twice: as shipped (the
 * fused sequence kernels: input projection, recurrent products and cells in one call) and with
 * the fused kernels declined, so the same work runs as one kernel per phase and each phase can
 * be timed on its own; the two totals side by side show what fusing saves.
 *
 * Figures are medians over `--repeats` timed calls per configuration (after warm-up): wall ms
 * and CPU ms (the process's user + system time over the call, every thread, so a spinning or
 * waiting worker counts too). GFLOP/s are per CPU second — what each busy core achieved — and
 * are compared with the f32x4 FMA peak of one core (58.3 GFLOP/s on this machine, `npm run
 * bench:kernels`; `--peak`): on a shared machine CPU time stays meaningful where wall time also
 * counts the time other processes held the cores. FLOPs: 2·m·n·k per matmul; the fused forward
 * 2·T·B·4H·(I + H), the fused backward 2·T·B·4H·H (the products inside them); cells, copies and
 * the optimizer count none. Minor page faults come from process.resourceUsage().
 *
 * Prints the tables (Markdown); `--write` also puts them into BENCHMARKS.md between
 * `<!-- phases:start -->` and `<!-- phases:end -->` (appended when absent; written atomically).
 *
 *   npx tsx bench/kernels/phases.ts [--workloads W2,W4] [--threads 1,2] [--repeats 7] [--peak 58.3] [--write]
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadavg, availableParallelism } from 'node:os';
import {
  Adam, Dense, LSTM, LastStep, Rng, Sequential, Tensor, backendByName, mse, setBackend, wasmThreadsReady, writeFileAtomic, type Backend,
} from '../../src/index.js';
import { WORKLOADS, layerInput, type Workload, type WorkloadId } from '../workloads.js';

const { values } = parseArgs({
  options: {
    workloads: { type: 'string', default: 'W2,W4' }, threads: { type: 'string', default: '1,2' },
    repeats: { type: 'string', default: '7' }, peak: { type: 'string', default: '58.3' }, write: { type: 'boolean', default: false },
  },
});
const REPEATS = Number(values.repeats), PEAK = Number(values.peak);

/** Phases in the order the table prints them. */
const PHASES = [
  'fused forward (input projection + recurrent products + cells)',
  'fused backward (cells + recurrent products)',
  'input projection (X·W_ihᵀ + bias)',
  'recurrent products, forward (h·W_hhᵀ per step)',
  'cells, forward',
  'recurrent products, backward (dG·W_hh per step)',
  'cells, backward',
  'weight gradients (dGᵀ·X, dGᵀ·H, bias sums)',
  'input gradient of layer 2 (dG·W_ih)',
  'copies, adds, fills in the backend',
  'Dense head (in the backend)',
  'outside the backend (layout copies, new tensors, loss, Adam, JS)',
] as const;
type Phase = (typeof PHASES)[number];

/** Per call of the timed unit: wall ms, CPU ms (the whole process: every thread) and FLOPs per phase. */
interface Tally { ms: Map<Phase, number>; cpu: Map<Phase, number>; flops: Map<Phase, number> }
const newTally = (): Tally => ({ ms: new Map(), cpu: new Map(), flops: new Map() });
const add = (m: Map<Phase, number>, p: Phase, v: number): void => void m.set(p, (m.get(p) ?? 0) + v);
/** CPU ms of the process so far (user + system, every thread). */
const cpuNow = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
let tally = newTally();
let fusedOn = true;
let depth = 0;

function classify(name: string, a: unknown[]): { phase: Phase; flops: number } {
  if (name === 'matmul') {
    const [m, n, k, transA, transB] = a.slice(6, 11) as [number, number, number, boolean, boolean];
    const flops = 2 * m * n * k;
    if (Math.min(m, n, k) === 1) return { phase: 'Dense head (in the backend)', flops };
    if (transA) return { phase: 'weight gradients (dGᵀ·X, dGᵀ·H, bias sums)', flops };
    if (transB) return { phase: m === current.B ? 'recurrent products, forward (h·W_hhᵀ per step)' : 'input projection (X·W_ihᵀ + bias)', flops };
    return { phase: m === current.B ? 'recurrent products, backward (dG·W_hh per step)' : 'input gradient of layer 2 (dG·W_ih)', flops };
  }
  if (name === 'sequenceForward') {
    const l = a[0] as { T: number; B: number; I: number; H: number };
    return { phase: 'fused forward (input projection + recurrent products + cells)', flops: 2 * l.T * l.B * 4 * l.H * (l.I + l.H) };
  }
  if (name === 'sequenceBackward') {
    const l = a[0] as { T: number; B: number; H: number };
    return { phase: 'fused backward (cells + recurrent products)', flops: 2 * l.T * l.B * 4 * l.H * l.H };
  }
  if (name === 'lstmCellForward') return { phase: 'cells, forward', flops: 0 };
  if (name === 'lstmCellBackward') return { phase: 'cells, backward', flops: 0 };
  if (name === 'fillRows') return { phase: 'input projection (X·W_ihᵀ + bias)', flops: 0 };
  if (name === 'sumRows') return { phase: 'weight gradients (dGᵀ·X, dGᵀ·H, bias sums)', flops: 0 };
  return { phase: 'copies, adds, fills in the backend', flops: 0 };
}

/** The shape being measured (for telling a per-step product from a whole-sequence one). */
let current: { B: number } = { B: 0 };

/** Wrap every method of a backend instance with a timer; the fused calls decline when fusedOn is false. */
function instrument(be: Backend): void {
  const target = be as unknown as Record<string, unknown>;
  for (const name of Object.keys(target)) {
    const f = target[name];
    if (typeof f !== 'function' || ['alloc', 'allocInt', 'free', 'owns'].includes(name)) continue;
    const fn = (f as (...a: unknown[]) => unknown).bind(be);
    target[name] = (...a: unknown[]): unknown => {
      if ((name === 'sequenceForward' || name === 'sequenceBackward') && !fusedOn) return false;
      if (depth > 0) return fn(...a);
      depth++;
      const c0 = cpuNow(), t0 = performance.now();
      try {
        return fn(...a);
      } finally {
        const dt = performance.now() - t0, dc = cpuNow() - c0;
        depth--;
        const { phase, flops } = classify(name, a);
        add(tally.ms, phase, dt);
        add(tally.cpu, phase, dc);
        add(tally.flops, phase, flops);
      }
    };
  }
}

/** The timed unit of a workload on a backend: W2 one forward of the batch, W4 one training step (as bench/impls/lstm-ts.ts). */
function unit(w: Workload, backend: string): () => void {
  const { batch: B, steps: T, input: I, hidden: H, layers: L } = w;
  const rng = new Rng(1);
  const rand = (shape: number[]) => new Tensor(Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, () => rng.uniform(-1, 1)), shape);
  const lstm = new LSTM({ inputSize: I, hiddenSize: H, numLayers: L, batchFirst: true, backend, seed: 1 });
  const x = rand([B, T, I]);
  if (w.kind === 'inference') {
    lstm.eval();
    return () => void lstm.forward(x);
  }
  const model = new Sequential([['lstm', lstm], ['last', new LastStep()], ['fc', new Dense({ inputSize: H, outputSize: 1, backend, seed: 2 })]], { backend });
  const opt = new Adam(model, { lr: 1e-3 });
  const loss = mse();
  const y = rand([B, 1]);
  return () => {
    model.zeroGrad();
    loss.forward(model.forward(x), y);
    model.backward(loss.backward());
    opt.step();
  };
}

const median = (v: number[]): number => [...v].sort((p, q) => p - q)[v.length >> 1]!;
const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

interface PhaseTime { ms: number; cpu: number; flops: number }
interface Measured { total: number; cpu: number; faults: number; phases: Map<Phase, PhaseTime> }

/** Run the unit REPEATS times (after 2 warm-ups); medians of the total and of each phase. */
function measure(call: () => void): Measured {
  for (let i = 0; i < 2; i++) call();
  const totals: number[] = [], cpus: number[] = [], faults: number[] = [], tallies: Tally[] = [];
  for (let r = 0; r < REPEATS; r++) {
    tally = newTally();
    const f0 = process.resourceUsage().minorPageFault, c0 = cpuNow(), t0 = performance.now();
    call();
    totals.push(performance.now() - t0);
    cpus.push(cpuNow() - c0);
    faults.push(process.resourceUsage().minorPageFault - f0);
    tallies.push(tally);
  }
  const phases = new Map<Phase, PhaseTime>();
  for (const p of PHASES) {
    if (!tallies.some((t) => t.ms.has(p))) continue;
    phases.set(p, { ms: median(tallies.map((t) => t.ms.get(p) ?? 0)), cpu: median(tallies.map((t) => t.cpu.get(p) ?? 0)), flops: tallies[0]!.flops.get(p) ?? 0 });
  }
  const sum = (m: Map<Phase, number>): number => [...m.values()].reduce((p, q) => p + q, 0);
  phases.set('outside the backend (layout copies, new tensors, loss, Adam, JS)', {
    ms: median(totals.map((t, i) => t - sum(tallies[i]!.ms))), cpu: median(cpus.map((c, i) => c - sum(tallies[i]!.cpu))), flops: 0,
  });
  return { total: median(totals), cpu: median(cpus), faults: median(faults), phases };
}

/** What first-touching a fresh tensor of n floats costs, against rewriting one already touched (CPU ms, median). */
function firstTouch(n: number): { fresh: number; reused: number } {
  const fresh: number[] = [], reused: number[] = [];
  const keep = new Float32Array(n).fill(1);
  for (let r = 0; r < REPEATS; r++) {
    let c0 = cpuNow();
    const a = new Float32Array(n);
    a.fill(1);
    fresh.push(cpuNow() - c0);
    c0 = cpuNow();
    keep.fill(r);
    reused.push(cpuNow() - c0);
  }
  return { fresh: median(fresh), reused: median(reused) };
}

const md: string[] = [];
const load0 = loadavg();
const threadList = values.threads!.split(',').map(Number);
await wasmThreadsReady(Math.max(...threadList));
for (const t of threadList) instrument(backendByName(t === 1 ? 'wasm-1t' : 'wasm'));
if (threadList.some((t) => t !== 1 && t !== availableParallelism())) {
  throw new Error(`--threads: 1 and ${availableParallelism()} (all cores, the 'wasm' backend) only`);
}

md.push(`Per-phase profile of the WebAssembly backend, medians of ${REPEATS} calls; GFLOP per CPU second against a ceiling of ${PEAK} GFLOP/s (the f32x4 FMA peak of one core).`);
for (const id of values.workloads!.split(',') as WorkloadId[]) {
  const w = WORKLOADS[id];
  if (!w) throw new Error(`--workloads: unknown workload '${id}'`);
  current = { B: w.batch };
  const results = threadList.map((t) => {
    const backend = t === 1 ? 'wasm-1t' : 'wasm';
    setBackend(backend);
    const call = unit(w, backend);
    fusedOn = true;
    const fused = measure(call);
    fusedOn = false;
    const steps = measure(call);
    fusedOn = true;
    return { t, fused, steps };
  });
  let gemm = 0;
  for (let l = 0; l < w.layers; l++) gemm += 2 * w.batch * w.steps * 4 * w.hidden * (layerInput(w, l) + w.hidden);
  md.push(`\n### ${id} by phase: ${w.title}\n`);
  md.push(`Gate products ${(gemm / 1e9).toFixed(2)} GFLOP forward${w.kind === 'train' ? `, ${(3 * gemm / 1e9).toFixed(2)} GFLOP with the backward's two products for each` : ''}.\n`);
  // GFLOP/s per CPU second: what each core that was busy achieved, against one core's ceiling.
  // On a shared machine this is what stays meaningful; wall time also counts the time other
  // processes held the cores.
  const cols = results.flatMap((r) => [`${r.t}t fused: wall ms`, 'CPU ms', 'GFLOP/CPU-s', '% ceiling', `${r.t}t per phase: wall ms`, 'CPU ms', 'GFLOP/CPU-s', '% ceiling']);
  md.push(`| phase | ${cols.join(' | ')} |`);
  md.push(`|---|${cols.map(() => '---:|').join('')}`);
  const cell = (v: PhaseTime | undefined): string[] => {
    if (!v) return ['', '', '', ''];
    if (!v.flops) return [fmt(v.ms), fmt(v.cpu), '', ''];
    const g = v.flops / v.cpu / 1e6;
    return [fmt(v.ms), fmt(v.cpu), g.toFixed(1), `${(100 * g / PEAK).toFixed(0)} %`];
  };
  for (const p of PHASES) {
    if (!results.some((r) => r.fused.phases.has(p) || r.steps.phases.has(p))) continue;
    md.push(`| ${p} | ${results.flatMap((r) => [...cell(r.fused.phases.get(p)), ...cell(r.steps.phases.get(p))]).join(' | ')} |`);
  }
  const flopsAll = w.kind === 'train' ? 3 * gemm : gemm;
  const total = (m: Measured): string[] => [...cell({ ms: m.total, cpu: m.cpu, flops: flopsAll })].map((v, i) => (i < 2 ? `**${v}**` : v));
  md.push(`| **total** | ${results.flatMap((r) => [...total(r.fused), ...total(r.steps)]).join(' | ')} |`);
  md.push(`| minor page faults per call | ${results.flatMap((r) => [String(r.fused.faults), '', '', '', String(r.steps.faults), '', '', '']).join(' | ')} |`);
  for (const r of results) {
    const outside = r.fused.phases.get('outside the backend (layout copies, new tensors, loss, Adam, JS)')!.cpu;
    const g = flopsAll / r.fused.cpu / 1e6;
    md.push(`\n${r.t} thread${r.t > 1 ? 's' : ''}: as shipped (fused), ${g.toFixed(1)} GFLOP per CPU second over the whole ${w.kind === 'train' ? 'step' : 'forward'} (${(100 * g / PEAK).toFixed(0)} % of the ceiling); ` +
      `one kernel per phase takes ${(100 * (r.steps.cpu / r.fused.cpu - 1)).toFixed(0)} % more CPU time; outside the backend ${(100 * outside / r.fused.cpu).toFixed(1)} % of the CPU time; ${r.fused.faults} minor page faults per call.`);
  }
  const out = w.batch * w.steps * w.hidden, ft = firstTouch(out);
  md.push(`\nA fresh (B,T,H) float32 tensor (${(out * 4 / 2 ** 20).toFixed(1)} MiB, as forward returns): first touch ${fmt(ft.fresh)} CPU ms against ${fmt(ft.reused)} CPU ms to rewrite one already touched.`);
}
const load1 = loadavg();
const busiest = Math.max(load0[0]!, load1[0]!);
if (busiest > availableParallelism()) {
  md.splice(1, 0, '', `**Preliminary figures**: the 1-minute load average reached ${busiest.toFixed(1)} on ${availableParallelism()} cores, so other processes held the cores most of the time: the wall times are mostly waiting, and the CPU-time figures also lose to the caches being shared; rerun on a quiet machine for final figures.`);
}
md.push(`\nLoad average (1/5/15 min) ${load0.map((v) => v.toFixed(1)).join(' / ')} at the start, ${load1.map((v) => v.toFixed(1)).join(' / ')} at the end, on ${availableParallelism()} cores.`);
const section = ['<!-- phases:start -->', '## Where the time goes: W2 and W4 by phase', '',
  'From `npx tsx bench/kernels/phases.ts --write` (bench/kernels/phases.ts, which says how each phase is found and counted).', '',
  ...md.flatMap((l) => l.split('\n')), '<!-- phases:end -->'];
process.stdout.write(section.join('\n') + '\n');
if (values.write) {
  const bench = existsSync('BENCHMARKS.md') ? readFileSync('BENCHMARKS.md', 'utf8') : '';
  const re = /<!-- phases:start -->[\s\S]*?<!-- phases:end -->/;
  await writeFileAtomic('BENCHMARKS.md', re.test(bench) ? bench.replace(re, section.join('\n')) : `${bench.trimEnd()}\n\n${section.join('\n')}\n`);
  console.error('wrote the section of BENCHMARKS.md');
}
