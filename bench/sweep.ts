/**
 * How cost grows with the work: one LSTM configuration (the base point) changed one axis at a
 * time, hidden size H 32→1024, sequence length T 10→10,000, batch B 1→256 and stacked layers
 * 1→4, each point timed for inference (lstm-ts on the WebAssembly kernels, lstm-ts on the
 * onnxruntime engine, PyTorch) and for one training step (lstm-ts, PyTorch; onnxruntime does
 * not train), all on every core, each row in its own process (bench/run.ts runs them), with the
 * process's peak resident memory. This module defines the points and turns the measured rows
 * into BENCHMARKS.md's sweep section: one table per axis, where lstm-ts crosses PyTorch, and SVG
 * line charts (src/plot's lineChart) of throughput and of peak memory against each axis.
 */
import { lineChart, type LineSeries } from '../src/index.js';
import { flops, type Workload } from './workloads.js';

/** The point every axis starts from: inference and training shapes between W2 and W4. */
export const SWEEP_BASE = { batch: 16, steps: 100, input: 32, hidden: 256, layers: 1 } as const;

export type SweepAxis = 'hidden' | 'steps' | 'batch' | 'layers';

/** The values each axis takes (the others stay at SWEEP_BASE). */
export const SWEEP_AXES: Record<SweepAxis, number[]> = {
  hidden: [32, 64, 128, 256, 512, 1024],
  steps: [10, 100, 1000, 10000],
  batch: [1, 4, 16, 64, 256],
  layers: [1, 2, 3, 4],
};

const AXIS_TITLE: Record<SweepAxis, string> = { hidden: 'hidden size H', steps: 'sequence length T', batch: 'batch B', layers: 'stacked layers' };
const AXIS_LETTER: Record<SweepAxis, string> = { hidden: 'H', steps: 'T', batch: 'B', layers: 'layers' };

/** The implementations of a sweep point, in table order. */
export const SWEEP_IMPLS = [
  { key: 'lstm-ts', id: 'lstm-ts/wasm', label: 'lstm-ts (WebAssembly)', kinds: ['inference', 'train'] },
  { key: 'engine', id: 'lstm-ts/engine-onnxruntime', label: 'lstm-ts onnxruntime engine', kinds: ['inference'] },
  { key: 'torch', id: 'torch', label: 'PyTorch', kinds: ['inference', 'train'] },
] as const;
export type SweepImpl = (typeof SWEEP_IMPLS)[number]['key'];

/** One timed point of the sweep. */
export interface SweepPoint {
  axis: SweepAxis;
  value: number;
  kind: 'inference' | 'train';
  workload: Workload;
}

/** A sweep point's measurement for one implementation. */
export interface SweepRow {
  axis: SweepAxis;
  value: number;
  kind: 'inference' | 'train';
  impl: SweepImpl;
  median?: number;
  runs?: number;
  maxRssKB?: number;
  skipped?: string;
}

/** Every point: each axis's values with the rest at the base, for inference and for a training step. */
export function sweepPoints(): SweepPoint[] {
  const out: SweepPoint[] = [];
  for (const axis of Object.keys(SWEEP_AXES) as SweepAxis[]) {
    for (const value of SWEEP_AXES[axis]) {
      for (const kind of ['inference', 'train'] as const) {
        const shape = { ...SWEEP_BASE, [axis]: value };
        out.push({
          axis, value, kind,
          workload: {
            id: `sweep ${AXIS_LETTER[axis]}=${value}`, kind, ...shape,
            unit: kind === 'train' ? 'ms/step' : 'ms/seq',
            title: `${kind}, batch ${shape.batch}, ${shape.steps} steps, input ${shape.input}, hidden ${shape.hidden}, ${shape.layers} layer${shape.layers > 1 ? 's' : ''}`,
          },
        });
      }
    }
  }
  return out;
}

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toPrecision(3));

function rowOf(rows: SweepRow[], axis: SweepAxis, value: number, kind: string, impl: SweepImpl): SweepRow | undefined {
  return rows.find((r) => r.axis === axis && r.value === value && r.kind === kind && r.impl === impl);
}

/** GFLOP/s of a measured row (nominal FLOPs of its workload, bench/workloads.ts). */
function gflops(p: SweepPoint, r: SweepRow | undefined): number {
  return r?.median ? flops(p.workload) / (r.median / 1000) / 1e9 : NaN;
}

/**
 * Where lstm-ts (WebAssembly) and PyTorch swap places along an axis: the segments between
 * neighbouring values where the faster of the two changes, the crossing placed by linear
 * interpolation of log(time ratio) in log(value). Returns sentences, or one saying who led throughout.
 */
export function crossovers(rows: SweepRow[], axis: SweepAxis, kind: 'inference' | 'train'): string {
  const pts = SWEEP_AXES[axis].map((v) => {
    const a = rowOf(rows, axis, v, kind, 'lstm-ts')?.median, b = rowOf(rows, axis, v, kind, 'torch')?.median;
    return a && b ? { v, r: Math.log(a / b) } : null; // r < 0: lstm-ts faster
  }).filter((p): p is { v: number; r: number } => p !== null);
  if (pts.length === 0) return 'not measured';
  const out: string[] = [];
  for (let i = 1; i < pts.length; i++) {
    const p = pts[i - 1]!, q = pts[i]!;
    if (Math.sign(p.r) === Math.sign(q.r) || p.r === 0) continue;
    const t = p.r / (p.r - q.r);
    const at = Math.exp(Math.log(p.v) + t * (Math.log(q.v) - Math.log(p.v)));
    out.push(`${q.r < 0 ? 'lstm-ts ahead' : 'PyTorch ahead'} from about ${AXIS_LETTER[axis]} = ${fmt(at)}`);
  }
  const ratios = ` (lstm-ts's time ÷ PyTorch's: ${pts.map((p) => `${p.v} ${fmt(Math.exp(p.r))}×`).join(', ')})`;
  if (out.length === 0) return (pts.every((p) => p.r < 0) ? 'lstm-ts faster at every point' : 'PyTorch faster at every point') + ratios;
  return `${pts[0]!.r < 0 ? 'lstm-ts' : 'PyTorch'} faster at ${AXIS_LETTER[axis]} = ${pts[0]!.v}; ${out.join('; ')}${ratios}`;
}

/** The sweep section of BENCHMARKS.md plus its SVG files (name → content), charts linked from `figDir`. */
export function renderSweep(rows: SweepRow[], figDir: string): { md: string[]; svgs: Record<string, string> } {
  const points = sweepPoints();
  const svgs: Record<string, string> = {};
  const md: string[] = [
    '## Sweep: how cost grows with the work', '',
    `From the base point (batch ${SWEEP_BASE.batch}, ${SWEEP_BASE.steps} steps, input ${SWEEP_BASE.input}, hidden ${SWEEP_BASE.hidden}, ${SWEEP_BASE.layers} layer) one axis at a time. ` +
      'Each cell: median ms per call (a whole-batch forward, or one training step: LSTM → last step → Dense(1), MSE, Adam), then the peak resident memory of the row\'s process in MB. ' +
      'Every row used every core (lstm-ts\'s `wasm` backend, onnxruntime intraOpNumThreads, PyTorch set_num_threads and OPENBLAS_NUM_THREADS) and ran in its own process, once, for a short budget: these are single samples of a shared machine, good for the shape of the curves more than for the last 10 %.', '',
  ];
  md.push('Where lstm-ts (WebAssembly kernels) and PyTorch cross:', '');
  for (const axis of Object.keys(SWEEP_AXES) as SweepAxis[]) {
    md.push(`- ${AXIS_TITLE[axis]}: inference ${crossovers(rows, axis, 'inference')}; training ${crossovers(rows, axis, 'train')}.`);
  }
  md.push('');
  for (const axis of Object.keys(SWEEP_AXES) as SweepAxis[]) {
    const vals = SWEEP_AXES[axis];
    md.push(`### ${AXIS_TITLE[axis]}`, '');
    md.push(`| ${AXIS_LETTER[axis]} | ${SWEEP_IMPLS.map((i) => `${i.label} inference`).join(' | ')} | ${SWEEP_IMPLS.filter((i) => (i.kinds as readonly string[]).includes('train')).map((i) => `${i.label} training`).join(' | ')} |`);
    md.push(`|---|${SWEEP_IMPLS.map(() => '---').join('|')}|${SWEEP_IMPLS.filter((i) => (i.kinds as readonly string[]).includes('train')).map(() => '---').join('|')}|`);
    for (const v of vals) {
      const cell = (kind: string, impl: SweepImpl): string => {
        const r = rowOf(rows, axis, v, kind, impl);
        if (!r || r.median === undefined) return r?.skipped ? r.skipped.replace(/\|/g, '/').slice(0, 60) : '—';
        return `${fmt(r.median)} ms, ${r.maxRssKB ? (r.maxRssKB / 1024).toFixed(0) : '?'} MB`;
      };
      md.push(`| ${v} | ${SWEEP_IMPLS.map((i) => cell('inference', i.key)).join(' | ')} | ${SWEEP_IMPLS.filter((i) => (i.kinds as readonly string[]).includes('train')).map((i) => cell('train', i.key)).join(' | ')} |`);
    }
    md.push('');
    // Charts: x is log2 of the axis value (ticks show the value), y GFLOP/s or MB.
    const x = vals.map((v) => Math.log2(v));
    const series = (kind: 'inference' | 'train', y: (p: SweepPoint, r: SweepRow | undefined) => number): LineSeries[] =>
      SWEEP_IMPLS.filter((i) => (i.kinds as readonly string[]).includes(kind)).map((i) => ({
        name: `${i.label} ${kind === 'train' ? 'training' : 'inference'}`,
        x, y: vals.map((v) => y(points.find((p) => p.axis === axis && p.value === v && p.kind === kind)!, rowOf(rows, axis, v, kind, i.key))),
        dashed: kind === 'train',
      }));
    const xTickText = (t: number): string => (Number.isInteger(t) ? String(2 ** t) : '');
    const speed = [...series('inference', gflops), ...series('train', gflops)];
    const mem = [...series('inference', (_p, r) => (r?.maxRssKB ? r.maxRssKB / 1024 : NaN)), ...series('train', (_p, r) => (r?.maxRssKB ? r.maxRssKB / 1024 : NaN))];
    const file = `sweep-${AXIS_LETTER[axis].toLowerCase()}`;
    svgs[`${file}.svg`] = lineChart({ title: `Throughput against ${AXIS_TITLE[axis]}`, xLabel: `${AXIS_TITLE[axis]} (log scale)`, yLabel: 'GFLOP/s (nominal)', series: speed, xTickText, width: 720, height: 380 });
    svgs[`${file}-memory.svg`] = lineChart({ title: `Peak resident memory against ${AXIS_TITLE[axis]}`, xLabel: `${AXIS_TITLE[axis]} (log scale)`, yLabel: 'peak RSS of the process, MB', series: mem, xTickText, width: 720, height: 380 });
    md.push(`![throughput against ${AXIS_TITLE[axis]}](${figDir}/${file}.svg)`, '', `![peak memory against ${AXIS_TITLE[axis]}](${figDir}/${file}-memory.svg)`, '');
  }
  return { md, svgs };
}
