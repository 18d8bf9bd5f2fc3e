/**
 * BENCHMARKS.md from one run: the machine and versions (with the BLAS and kernels PyTorch used),
 * one table per workload (median, min, runs, throughput, GFLOP/s, peak resident memory of the
 * row's process), the ratios of lstm-ts's best row to every peer, the targets of issues 4 and
 * 16 marked reached or not, with the numbers, then LSTM, GRU and RNN layers against PyTorch
 * (bench/layer-modes.ts), the sweep (bench/sweep.ts), the engine rule (bench/engine-rule.ts)
 * and the time-to-quality section (bench/ttq.ts, from its own run).
 */
import { renderRule, type RulePoint } from './engine-rule.js';
import { loadVerdict } from './harness.js';
import { renderSweep, type SweepRow } from './sweep.js';
import { renderTtq, type TtqRun } from './ttq.js';
import { flops, WORKLOADS, type WorkloadId } from './workloads.js';

/** Where the report's SVG charts and the saved rows go (BENCHMARKS.md links them from the repository root). */
export const FIG_DIR = 'results/bench';

/** The id of the rows that run inference on compile's onnxruntime engine (not the kernels). */
export const ENGINE_ROW = 'lstm-ts/engine-onnxruntime';

export interface RunInfo {
  date: string;
  command: string;
  cpu: string;
  cores: number;
  memGB: number;
  node: string;
  v8: string;
  packages: Record<string, string>;
  python: string;
  torchVersion: string | null;
  /** What bench/torch_bench.py --info printed: the BLAS PyTorch calls, OpenBLAS's build and core, torch's CPU capability. */
  torchBlas?: Record<string, string>;
  /** The CPU's AVX/FMA flags. */
  cpuFlags?: string;
  commit: string;
  dirty: boolean;
  lstmTsBackends: string[];
  loadStart: number[];
  loadEnd: number[];
  budget: number;
  skipSlow: boolean;
  /** Passes over all rows, samples pooled (absent in runs saved before --rounds). */
  rounds?: number;
  seconds?: number;
}

/** Everything one `npm run bench` measured (results/bench/run.json). */
export interface SavedRun {
  info: RunInfo;
  rows: Row[];
  kernels: string | null;
  sweep?: SweepRow[];
  rule?: RulePoint[] | null;
  /** The modes section: LSTM, GRU and RNN layers' forward + backward (absent in older runs). */
  modes?: ModeRow[];
}

/** One layer kind at one shape, forward + backward, on one implementation (bench/layer-modes.ts). */
export interface ModeRow {
  /** W3 or W4 (bench/layer-modes.ts MODE_SHAPES). */
  shape: string;
  mode: 'lstm' | 'gru' | 'rnn';
  B: number; T: number; I: number; H: number; L: number;
  impl: 'lstm-ts' | 'torch';
  threads: number;
  /** Highest 1-minute load average seen after the implementation's rounds. */
  load: number;
  median?: number;
  min?: number;
  cpuMedian?: number;
  runs?: number;
  skipped?: string;
}

export interface Row {
  id: string;
  label: string;
  threads: number;
  group: 'lstm-ts' | 'tfjs' | 'brain.js' | 'onnxruntime' | 'pytorch';
  workload: WorkloadId;
  /** 1-minute load average: the highest seen at the end of any of the row's rounds. */
  load: number;
  median?: number;
  min?: number;
  /** Median CPU time of the row's process per run (all threads), ms. */
  cpuMedian?: number;
  runs?: number;
  maxRssKB?: number;
  skipped?: string;
  /** What the row actually ran (e.g. the WebAssembly build and its worker threads). */
  note?: string;
}

const fmt = (x: number, digits = 3): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toPrecision(digits));
const name = (r: Row): string => `${r.label}, ${r.threads} thread${r.threads > 1 ? 's' : ''}`;
const measured = (rows: Row[]): Row[] => rows.filter((r) => r.median !== undefined);

/** An lstm-ts row on its own kernels (not the onnxruntime engine). */
export function isKernelRow(r: Row): boolean {
  return r.group === 'lstm-ts' && r.id !== ENGINE_ROW;
}

/** The fastest measured row among `rows` (by median), or null. */
export function fastest(rows: Row[]): Row | null {
  return measured(rows).reduce<Row | null>((a, r) => (!a || r.median! < a.median! ? r : a), null);
}

interface Target {
  text: string;
  status: 'reached' | 'not reached' | 'not measured';
  detail: string;
}

/** Issue 4's targets, evaluated on this run's rows. "Level with" is read as: at most 10% slower. */
export function evaluateTargets(rows: Row[]): Target[] {
  const of = (w: WorkloadId, pred: (r: Row) => boolean): Row | null => fastest(rows.filter((r) => r.workload === w && pred(r)));
  const lts = (w: WorkloadId) => of(w, (r) => isKernelRow(r) && r.id !== 'lstm-ts/reference') ?? of(w, isKernelRow);
  const out: Target[] = [];
  const ratio = (text: string, w: WorkloadId, peer: Row | null, need: (x: number) => boolean, what: string): void => {
    const l = lts(w);
    if (!l || !peer) {
      out.push({ text, status: 'not measured', detail: !l ? 'no lstm-ts row' : `no ${what} row` });
      return;
    }
    const x = peer.median! / l.median!;
    out.push({
      text, status: need(x) ? 'reached' : 'not reached',
      detail: `${name(l)} ${fmt(l.median!)} ms vs ${name(peer)} ${fmt(peer.median!)} ms: lstm-ts is ${fmt(x)}× ${x >= 1 ? 'faster' : `as fast (${fmt(1 / x)}× slower)`}`,
    });
  };
  const tfBest = (w: WorkloadId) => of(w, (r) => r.group === 'tfjs');
  const torch = (w: WorkloadId) => of(w, (r) => r.group === 'pytorch');
  ratio('W1: ≥ 25× faster than TF.js\'s best backend', 'W1', tfBest('W1'), (x) => x >= 25, 'TF.js');
  ratio('W1: faster than PyTorch CPU', 'W1', torch('W1'), (x) => x > 1, 'PyTorch');
  ratio('W1: within 2× of onnxruntime-node', 'W1', of('W1', (r) => r.group === 'onnxruntime'), (x) => x >= 0.5, 'onnxruntime');
  ratio('W2: ≥ 4× faster than TF.js WASM', 'W2', of('W2', (r) => r.id === 'tfjs/wasm'), (x) => x >= 4, 'TF.js WASM');
  ratio('W2: level with PyTorch CPU (≤ 10% slower)', 'W2', torch('W2'), (x) => x >= 1 / 1.1, 'PyTorch');
  ratio('W3: ≥ 15× faster than TF.js\'s best backend', 'W3', tfBest('W3'), (x) => x >= 15, 'TF.js');
  ratio('W3: level with PyTorch CPU or faster (≤ 10% slower)', 'W3', torch('W3'), (x) => x >= 1 / 1.1, 'PyTorch');
  ratio('W4: within 1.5× of PyTorch CPU', 'W4', torch('W4'), (x) => x >= 1 / 1.5, 'PyTorch');
  for (const w of ['W2', 'W4'] as WorkloadId[]) {
    // Compare one and all threads within the same build: rows whose labels differ only in the backend name.
    const wasm = rows.filter((r) => r.workload === w && isKernelRow(r) && r.id !== 'lstm-ts/reference' && r.median !== undefined);
    const builds = [...new Set(wasm.map((r) => r.label.replace(r.id.slice('lstm-ts/'.length), '').replace(/\s+/g, ' ').trim()))];
    const pairs = builds.map((b) => {
      const of = wasm.filter((r) => r.label.replace(r.id.slice('lstm-ts/'.length), '').replace(/\s+/g, ' ').trim() === b);
      const one = of.find((r) => r.threads === 1), many = fastest(of.filter((r) => r.threads > 1));
      return one && many ? { b, one, many, s: one.median! / many.median! } : null;
    }).filter((p) => p !== null);
    const text = `${w}: two threads ≥ 1.7× one thread (lstm-ts WASM)`;
    if (!pairs.length) out.push({ text, status: 'not measured', detail: 'needs lstm-ts WASM rows with 1 and 2 threads' });
    else {
      const detail = pairs.map((p) => `${p.one.label} ${fmt(p.one.median!)} ms → ${p.many.label} ${fmt(p.many.median!)} ms: ${fmt(p.s)}×`).join('; ');
      out.push({ text, status: pairs[0]!.s >= 1.7 ? 'reached' : 'not reached', detail });
    }
  }
  return out;
}

/**
 * Issue 16's targets that one run of `npm run bench` measures: each is "time of A ≤ k × time
 * of B", both rows at every core (2 threads here). The WebAssembly path is lstm-ts's fastest
 * kernel row; the onnxruntime engine, onnxruntime-node and PyTorch are their rows at every core.
 */
export function evaluateTargets16(rows: Row[], cores: number, modes: ModeRow[] = []): Target[] {
  const row = (w: WorkloadId, pred: (r: Row) => boolean): Row | null => fastest(rows.filter((r) => r.workload === w && pred(r)));
  const wasm = (w: WorkloadId) => row(w, (r) => isKernelRow(r) && r.id !== 'lstm-ts/reference');
  const engine = (w: WorkloadId) => row(w, (r) => r.id === ENGINE_ROW && r.threads === cores);
  const ort = (w: WorkloadId) => row(w, (r) => r.group === 'onnxruntime' && r.threads === cores);
  const torch = (w: WorkloadId) => row(w, (r) => r.group === 'pytorch' && r.threads === cores);
  const check = (text: string, a: Row | null, b: Row | null, k: number): Target => {
    if (!a || !b) return { text, status: 'not measured', detail: `needs both rows (${a ? '' : 'lstm-ts '}${!a && !b ? 'and ' : ''}${b ? '' : 'the peer'})` };
    const x = a.median! / b.median!;
    return { text, status: x <= k ? 'reached' : 'not reached', detail: `${name(a)} ${fmt(a.median!)} ms vs ${name(b)} ${fmt(b.median!)} ms: ${fmt(x)}× its time` };
  };
  const t = `${cores} thread${cores > 1 ? 's' : ''}`;
  return [
    check(`W1 ≤ 1.1× onnxruntime-node (${t}) on the WebAssembly path`, wasm('W1'), ort('W1'), 1.1),
    check(`W1 ≤ 1.0× onnxruntime-node (${t}) with the onnxruntime engine`, engine('W1'), ort('W1'), 1.0),
    check(`W2 ≤ 1.0× PyTorch (${t}) on the WebAssembly path`, wasm('W2'), torch('W2'), 1.0),
    check(`W2 with the onnxruntime engine ≤ 1.1× onnxruntime-node itself (${t})`, engine('W2'), ort('W2'), 1.1),
    check(`W3 ≤ 0.8× PyTorch (${t})`, wasm('W3'), torch('W3'), 0.8),
    check(`W4 ≤ 1.2× PyTorch (${t})`, wasm('W4'), torch('W4'), 1.2),
    ...(['W3', 'W4'] as const).flatMap((shape) => (['gru', 'rnn'] as const).map((mode) => {
      const text = `${shape} ${mode.toUpperCase()} layer forward + backward ≤ 1.2× PyTorch (${t})`;
      const of = (impl: ModeRow['impl']) => modes.find((m) => m.shape === shape && m.mode === mode && m.impl === impl && m.threads === cores && m.median !== undefined);
      const a = of('lstm-ts'), b = of('torch');
      if (!a || !b) return { text, status: 'not measured' as const, detail: modes.length ? `no ${a ? 'PyTorch' : 'lstm-ts'} row` : 'not run (`npm run bench -- --only modes`)' };
      const x = a.median! / b.median!;
      return { text, status: x <= 1.2 ? 'reached' as const : 'not reached' as const, detail: `lstm-ts wasm ${fmt(a.median!)} ms vs PyTorch ${fmt(b.median!)} ms: ${fmt(x)}× its time` };
    })),
  ];
}

/** The modes section: per shape and layer kind, lstm-ts's and PyTorch's median ms and their ratio. */
function modesTable(modes: ModeRow[]): string[] {
  if (!modes.length) return [];
  const cores = Math.max(...modes.map((m) => m.threads));
  const lines = [
    '## LSTM, GRU and RNN layers against PyTorch', '',
    `One layer's forward + backward (\`layer.forward(x)\`, \`layer.backward({ dOutput })\` with the input gradient; PyTorch \`out, _ = layer(x); out.backward(g)\`), batch-first, at the W3 and W4 shapes, both on ${cores} thread${cores > 1 ? 's' : ''}; bench/layer-modes.ts, each implementation in its own process per round, samples pooled over the rounds. Wall-clock medians; \`CPU ms\` is the median CPU time of the process per call, all threads.`, '',
    '| shape | layer | lstm-ts wasm: ms (median) | min | CPU ms | runs | PyTorch: ms (median) | min | CPU ms | runs | lstm-ts ÷ PyTorch | load |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const cell = (m: ModeRow | undefined): string => (!m ? 'not run | | |' : m.median === undefined ? `${(m.skipped ?? 'not run').replace(/\|/g, '/')} | | |` : `${fmt(m.median)} | ${fmt(m.min!)} | ${m.cpuMedian !== undefined ? fmt(m.cpuMedian) : ''} | ${m.runs}`);
  const keys = [...new Set(modes.map((m) => `${m.shape} ${m.mode}`))];
  for (const key of keys) {
    const of = (impl: ModeRow['impl']) => modes.find((m) => `${m.shape} ${m.mode}` === key && m.impl === impl);
    const a = of('lstm-ts'), b = of('torch'), any = (a ?? b)!;
    const ratio = a?.median !== undefined && b?.median !== undefined ? `${fmt(a.median / b.median)}×` : '—';
    const shape = `${any.shape} (B ${any.B}, T ${any.T}, I ${any.I}, H ${any.H}, ${any.L} layer${any.L > 1 ? 's' : ''})`;
    lines.push(`| ${shape} | ${any.mode.toUpperCase()} | ${cell(a)} | ${cell(b)} | ${ratio} | ${Math.max(a?.load ?? 0, b?.load ?? 0).toFixed(1)} |`);
  }
  return [...lines, ''];
}

function workloadTable(w: WorkloadId, rows: Row[]): string[] {
  const wl = WORKLOADS[w];
  const F = flops(wl);
  const lines = [
    `### ${w}: ${wl.title}`, '',
    `${(F / 1e9).toFixed(3)} GFLOP per ${wl.kind === 'train' ? 'step' : 'batch'} (nominal, see below).`, '',
  ];
  const head = wl.kind === 'train'
    ? '| implementation | ms/step (median) | min | CPU ms | runs | GFLOP/s | peak RSS MB | load |'
    : wl.batch === 1
      ? '| implementation | ms/seq (median) | min | CPU ms | runs | GFLOP/s | peak RSS MB | load |'
      : '| implementation | seq/s (median) | ms/batch (median) | min | CPU ms | runs | GFLOP/s | peak RSS MB | load |';
  lines.push(head, head.replace(/[^|]+/g, '---'));
  for (const r of rows) {
    const rss = r.maxRssKB ? (r.maxRssKB / 1024).toFixed(0) : '';
    if (r.median === undefined) {
      const blanks = wl.kind === 'inference' && wl.batch > 1 ? 7 : 6;
      lines.push(`| ${name(r)} | ${(r.skipped ?? 'not run').replace(/\s*\n\s*/g, ' ').replace(/\|/g, '/')} |${' |'.repeat(blanks)} ${r.load.toFixed(1)} |`);
      continue;
    }
    const gf = (F / (r.median / 1000) / 1e9).toFixed(2);
    const cells = wl.kind === 'inference' && wl.batch > 1
      ? [fmt(wl.batch / (r.median / 1000)), fmt(r.median), fmt(r.min!)]
      : [fmt(r.median), fmt(r.min!)];
    cells.push(r.cpuMedian !== undefined ? fmt(r.cpuMedian) : '');
    lines.push(`| ${name(r)}${r.note ? ` (${r.note})` : ''} | ${cells.join(' | ')} | ${r.runs} | ${gf} | ${rss} | ${r.load.toFixed(1)} |`);
  }
  return [...lines, ''];
}

function ratioTable(rows: Row[], ws: WorkloadId[]): string[] {
  const peers: Array<{ key: string; pick: (r: Row) => boolean }> = [];
  for (const r of rows) {
    if (r.group === 'lstm-ts') continue;
    const key = name(r);
    if (!peers.some((p) => p.key === key)) peers.push({ key, pick: (x) => name(x) === key });
  }
  const lines = [
    `| workload | lstm-ts best | ${peers.map((p) => p.key).join(' | ')} |`,
    `|---|---|${peers.map(() => '---').join('|')}|`,
  ];
  for (const w of ws) {
    const wr = rows.filter((r) => r.workload === w);
    const best = fastest(wr.filter(isKernelRow));
    const cells = peers.map((p) => {
      const peer = wr.find(p.pick);
      return best && peer?.median !== undefined ? `${fmt(peer.median / best.median!)}×` : '—';
    });
    lines.push(`| ${w} | ${best ? `${name(best)}: ${fmt(best.median!)} ms` : '—'} | ${cells.join(' | ')} |`);
  }
  return lines;
}

/** The matmul-vs-peak target, read from the kernel micro-benchmark's "% of peak" column. */
function kernelTarget(kernels: string | null): string {
  const text = '| matmul kernel ≥ 70% of the f32x4 SIMD peak of one core |';
  const pct = [...(kernels ?? '').matchAll(/\| (\d+)% \|/g)].map((m) => Number(m[1]));
  const peak = /SIMD peak[^:]*: ([\d.]+) GFLOP\/s/.exec(kernels ?? '')?.[1];
  if (!pct.length) return `${text} not measured | the kernel micro-benchmark did not run |`;
  const ok = pct.filter((p) => p >= 70).length;
  return `${text} ${ok === pct.length ? '**reached**' : ok > 0 ? `reached on ${ok} of ${pct.length} shapes` : 'not reached'} | ${pct.join('%, ')}% of a ${peak} GFLOP/s peak (one thread, CPU time) over the workload shapes; see Kernel micro-benchmark |`;
}

/** Medians (ms) measured for issue 4 on this kind of machine, for context beside this run. */
const ISSUE_FIGURES: Record<WorkloadId, Array<[string, number]>> = {
  W1: [['TF.js cpu', 36], ['TF.js wasm', 12], ['brain.js', 29], ['PyTorch', 1.5], ['onnxruntime-node', 0.33]],
  W2: [['TF.js cpu', 8200], ['TF.js wasm', 245], ['PyTorch', 50], ['onnxruntime-node 1 thread', 33], ['onnxruntime-node 2 threads', 16]],
  W3: [['TF.js cpu', 1620], ['TF.js wasm', 336], ['brain.js', 1130], ['PyTorch', 21]],
  W4: [['TF.js cpu', 51000], ['TF.js wasm', 12300], ['brain.js', 43000], ['PyTorch', 415]],
};

function issueTable(rows: Row[], ws: WorkloadId[]): string[] {
  const out = ['| workload | lstm-ts best (this run) | issue 4\'s figures (ms) and how many times faster lstm-ts is |', '|---|---|---|'];
  for (const w of ws) {
    const best = fastest(rows.filter((r) => r.workload === w && isKernelRow(r)));
    if (!best) continue;
    const cells = ISSUE_FIGURES[w].map(([k, ms]) => `${k} ${ms}: ${fmt(ms / best.median!)}×`).join('; ');
    out.push(`| ${w} | ${name(best)}: ${fmt(best.median!)} ms | ${cells} |`);
  }
  return out;
}

/** BENCHMARKS.md for a saved run (and the time-to-quality run, if any), with the SVG charts it links (file name → SVG). */
export function renderReport(run: SavedRun, ttq: TtqRun | null = null): { md: string; svgs: Record<string, string> } {
  const { info, rows, kernels } = run;
  const ws = [...new Set(rows.map((r) => r.workload))];
  const sweep = run.sweep?.length ? renderSweep(run.sweep, FIG_DIR) : null;
  const t = renderTtq(ttq, `${FIG_DIR}/ttq-curves.svg`);
  const svgs: Record<string, string> = { ...(sweep?.svgs ?? {}), ...(t.svg ? { 'ttq-curves.svg': t.svg } : {}) };
  const tb = info.torchBlas ?? {};
  const pk = Object.entries(info.packages).map(([k, v]) => `${k} ${v}`).join(', ');
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  const w4 = rows.filter((r) => r.workload === 'W4' && r.maxRssKB);
  const targets = evaluateTargets(rows);
  const L: string[] = [
    '# Benchmarks', '',
    `Generated by \`${info.command.replace(/ --(json|out) \S+/g, '')}\` (bench/run.ts) on ${info.date}, commit ${info.commit}${info.dirty ? ' (with uncommitted changes)' : ''}; ${info.seconds ? `${info.seconds.toFixed(0)} s` : ''}.`,
    'Every row ran in its own process, one after another, all in this one run. Do not edit by hand: rerun `npm run bench`.', '',
    loadVerdict([info.loadStart[0]!, info.loadEnd[0]!, ...rows.map((r) => r.load), ...(run.modes ?? []).map((m) => m.load)], info.cores, 'npm run bench'), '',
    '## Machine', '',
    `- CPU: ${info.cpu}, ${info.cores} cores visible to Node, ${info.memGB.toFixed(1)} GB RAM${info.cpuFlags ? `; vector extensions: ${info.cpuFlags}` : ''}`,
    `- Load average (1/5/15 min): ${load(info.loadStart)} at the start, ${load(info.loadEnd)} at the end; the \`load\` column is the highest 1-minute load seen after each of the row's rounds. The machine is shared: with a load above the core count, other processes were running and the figures are slower and noisier than on an idle machine.`,
    `- Node ${info.node}, V8 ${info.v8}; ${pk}`,
    `- PyTorch: ${info.torchVersion ? `torch ${info.torchVersion.replace(' ', ', Python ')} via ${info.python}` : info.python}`,
    ...(tb.blas ? [`- PyTorch's BLAS (bench/torch_bench.py --info): ${tb.blasConfig ?? tb.blas} (core ${tb.blas.split('core ')[1] ?? '?'}), mapped from ${tb.blasLibraries}; Debian's alternatives: ${tb.blasAlternative}. torch's own kernels: CPU capability ${tb.torchCpuCapability} (BLAS_INFO=${tb.torchBlasInfo}: torch calls the system's libblas.so.3).`] : []),
    `- lstm-ts backends registered: ${info.lstmTsBackends.join(', ')}`,
    `- Measuring: warm-up, then repeats for ${info.budget} s per row${(info.rounds ?? 1) > 1 ? `, split over ${info.rounds} rounds (${info.rounds} passes over all rows, each row in a fresh process per round; the samples are pooled, so a slow spell of the machine hits every row a little instead of one row a lot)` : ''}; median and minimum of the repeats (wall clock; the ratios and targets use the wall-clock medians). \`CPU ms\` is the median CPU time of the row's process per run, all its threads: for a one-thread row it is close to what the run costs on an unshared core, and a busy machine disturbs it much less than the wall clock.`,
    `- A call longer than half the budget runs once (after a cheap warm-up through the same code where the implementation has one), in the first round only.${info.skipSlow ? ' Slow rows were skipped (--skip-slow).' : ''}`,
    '',
    '## Ratios', '',
    'How many times faster lstm-ts\'s best row on its own kernels is than each peer (peer median ÷ lstm-ts median; above 1× lstm-ts is faster), per workload, from this run. The onnxruntime engine rows (onnxruntime running lstm-ts\'s export) are not counted as lstm-ts here; they are in the tables below and in the targets of issue 16.', '',
    ...ratioTable(rows, ws), '',
    'For context only (not the same run, not the same load): lstm-ts\'s best median from this run against the medians issue 4 reports for this kind of machine (W2 TF.js wasm 220–270 and W4 PyTorch 360–470 are given as ranges there; their middle is used).', '',
    ...issueTable(rows, ws), '',
    '## Targets (issue 4)', '',
    'lstm-ts is its fastest WebAssembly row (the reference backend when no WebAssembly backend ran); PyTorch, onnxruntime and TF.js are their fastest row.', '',
    '| target | status | measured |', '|---|---|---|',
    ...targets.map((t) => `| ${t.text} | ${t.status === 'reached' ? '**reached**' : t.status} | ${t.detail} |`),
    kernelTarget(kernels),
    '',
    '## Targets (issue 16)', '',
    'Measured in this run: the WebAssembly path is lstm-ts\'s fastest kernel row; the onnxruntime engine is `compile(model, { engine: \'onnxruntime\' })` (inference on onnxruntime-node, from the model\'s own ONNX export); the GRU and RNN layers are the section "LSTM, GRU and RNN layers against PyTorch". The time-to-quality target is in its own section (`npm run bench:ttq`).', '',
    '| target | status | measured |', '|---|---|---|',
    ...evaluateTargets16(rows, info.cores, run.modes ?? []).map((x) => `| ${x.text} | ${x.status === 'reached' ? '**reached**' : x.status} | ${x.detail} |`),
    '',
    '## Results', '',
    ...ws.flatMap((w) => workloadTable(w, rows.filter((r) => r.workload === w))),
    ...(kernels ? ['## Kernel micro-benchmark', '', '`bench/kernels/matmul.ts` (the WebAssembly backend\'s matmul at the workloads\' shapes against a measured f32x4 SIMD peak), run by the same `npm run bench`:', '', kernels, ''] : []),
    '## Memory', '',
    w4.length
      ? `Peak resident memory (maxRSS) of each W4 training process: ${w4.map((r) => `${name(r)} ${(r.maxRssKB! / 1024).toFixed(0)} MB`).join('; ')}.`
      : 'W4 was not run.',
    '',
    ...modesTable(run.modes ?? []),
    ...(sweep?.md ?? []),
    ...(run.rule?.length ? renderRule(run.rule) : []),
    ...t.md, '',
    '## What each row computes', '',
    '- Same computation everywhere except brain.js: an LSTM (PyTorch equations, sigmoid gates, gate order i,f,g,o, float32) over the whole sequence. Inference returns every step\'s output; a training step is LSTM → last step → Dense(H→1) → MSE → backward through time → Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8). test/bench checks on small instances that lstm-ts, onnxruntime-node, TF.js and PyTorch give the same outputs and losses from the same weights.',
    '- lstm-ts: `LSTM.forward` (batch-first) for inference; for training, `Sequential([LSTM, LastStep, Dense])` with `mse()` and `Adam` (zeroGrad, forward, loss, backward, step).',
    '- TF.js: `tf.sequential` of `tf.layers.lstm` (recurrentActivation \'sigmoid\'; TF.js defaults to hard-sigmoid) and `tf.layers.dense`; `model.predict`, `model.trainOnBatch` with `tf.train.adam`. TF.js keeps one bias per layer (b_ih + b_hh), so its Adam steps differ slightly from PyTorch\'s from the second step on (same FLOPs). The wasm backend runs its SIMD build with 1 thread (its threaded build needs web workers, not available in Node).',
    '- lstm-ts onnxruntime engine: `Sequential([LSTM])` after `compile(model, { engine: \'onnxruntime\', threads })`, then `model.forward(x)` in eval mode: onnxruntime-node runs a session built from the model\'s own ONNX export (exportOnnx\'s graph: transposes to and from time-major around the LSTM node), through its synchronous native binding; inference only.',
    '- onnxruntime-node: a one-node ONNX LSTM graph (bench/onnx-lstm.ts), CPU provider, intraOpNumThreads = threads; inference only.',
    '- LSTM, GRU and RNN layers (bench/layer-modes.ts): lstm-ts `new LSTM|GRU|RNN({ inputSize, hiddenSize, numLayers, batchFirst: true })` on the `wasm` backend, then per call `layer.forward(x)` and `layer.backward({ dOutput })` (parameter and input gradients); PyTorch `nn.LSTM|GRU|RNN(batch_first=True)` with x.requires_grad, `out, _ = layer(x); out.backward(g)` (bench/kernels/torch_modes.py), same thread and BLAS settings as its other rows. No optimizer step, no head.',
    '- PyTorch: `nn.LSTM(batch_first=True)` under `torch.inference_mode()`; training with `nn.Linear`, `MSELoss`, `optim.Adam`; `torch.set_num_threads(threads)`, OPENBLAS_NUM_THREADS = threads and OMP_WAIT_POLICY=PASSIVE (with libgomp\'s default spinning, torch\'s idle OpenMP threads fight the BLAS threads for the cores: W2 with 2 threads measured 4.3 s instead of 90 ms on this machine). Debian\'s python3-torch calls whichever libblas.so.3 the system has, chosen by Debian\'s alternatives: `apt-get install python3-torch libopenblas0-pthread` makes that OpenBLAS (alone, libblas3\'s unoptimised reference BLAS makes PyTorch many times slower). `--torch-blas DIR` overrides it with the libblas.so.3 in DIR; each PyTorch row names the BLAS and OpenBLAS core it ran.',
    '- brain.js `recurrent.LSTMTimeStep` is a different model, so its row compares cost, not identical arithmetic: no batching (a batch is B `run` calls; a training step is one `train` pass over B sequences that updates the weights after each sequence), its output layer (I outputs) runs at every step and is trained to predict the next step, its own RMSprop-like optimizer, per-gate matrices (float32) evaluated as a graph of small matrix operations built per time step.',
    '- GFLOP/s are nominal: a layer\'s gates cost 4H(I+H) multiply-adds = 8H(I+H) FLOPs per step and sequence; training counts 3× the forward; elementwise work and the head are not counted. brain.js is credited the same nominal FLOPs.',
    '',
  ];
  return { md: L.join('\n'), svgs };
}
