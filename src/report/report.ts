/**
 * The inspect report: from a trace of a model on one input sequence, a set of SVG plots and
 * one self-contained HTML page that inlines them (no scripts, no fonts or styles fetched):
 *   - a heatmap per gate (time × unit) with the input sequence aligned above,
 *   - heatmaps of the memory cell and hidden state, trajectories of the most active cells,
 *   - the cell diagram (LSTM, GRU or plain RNN) at one step with the live values on each
 *     gate, and for an LSTM what the forget gate keeps of each unit's memory at that step,
 *   - the training loss curves stored with the model,
 *   - ‖∂L/∂hₜ‖ over time for the model and for a fresh RNN and LSTM of the same size (the
 *     vanishing-gradient picture).
 * Pure functions of their inputs (no file system), so the explorer page can use them too.
 */
import { LSTM, RNN, RecurrentBase } from '../nn/recurrent.js';
import type { Module } from '../nn/module.js';
import { lineChart, type LineSeries } from '../plot/line.js';
import { escapeXml as esc } from '../plot/axes.js';
import { heatmap } from '../plot/heatmap.js';
import { cellDiagram, type CellStep, type DiagramOptions } from '../plot/cell-diagram.js';
import { gruDiagram, type GruStep } from '../plot/gru-diagram.js';
import { rnnDiagram, type RnnStep } from '../plot/rnn-diagram.js';
import { forgetBars } from '../plot/forget-bars.js';
import { divergingScale, sequentialScale } from '../plot/color.js';
import { FONT_STACK } from '../plot/fonts.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { GATE_NAMES, findRecurrent, trace, unitsOverTime, type DirectionTrace, type GateName, type Trace } from '../trace/trace.js';
import { TERMS, type Lang, type Terms } from './terms.js';
import { checkLimit, type Limits } from '../io/limits.js';

export interface ReportOptions {
  lang?: Lang;
  title?: string;
  /** Time step (0-based) drawn in the cell diagram. Default: the last. */
  step?: number;
  /** Unit whose values the cell diagram shows. Default: the most active unit. */
  unit?: number;
  /** How to draw the input above the heatmaps: numbers per step (or per feature series), or tokens. */
  inputDisplay?: { label?: string; values: number[] | number[][] | string[] };
  /** Training history stored with the model (metadata.history); plotted when it has two epochs or more. */
  history?: { loss?: number[]; valLoss?: number[] };
  /** Number of cell trajectories drawn. Default 6. */
  topUnits?: number;
  /** Seed for the fresh RNN/LSTM of the gradient comparison. Default 0. */
  seed?: number;
  /** Budgets (io/limits.ts): `reportCells` bounds steps × units × maps before anything is traced. */
  limits?: Partial<Limits>;
}

export interface Report {
  /** The whole report as one HTML document. */
  html: string;
  /**
   * Each plot as a standalone SVG, by file name: letters, digits, '-', '_' and '.', unique, so
   * a layer name such as "a/b" can never place a file outside the report's folder.
   */
  svgs: Array<{ name: string; title: string; svg: string }>;
  trace: Trace;
}

/**
 * Build the report for `model` (a recurrent layer or a model containing one) on `input`, one
 * sequence: batch item 0 is shown.
 */
export function inspectReport(model: Module, input: Tensor, opts: ReportOptions = {}): Report {
  const lang = opts.lang ?? 'en';
  const L = TERMS[lang];
  checkReportSize(model, input, opts.limits);
  const tr = trace(model, input, { loss: 'last' });
  const svgs: Report['svgs'] = [];
  const used = new Set<string>();
  const add = (name: string, title: string, svg: string): void => void svgs.push({ name: uniqueFileName(name, used), title, svg });
  const many = tr.directions.length > 1;
  const display = opts.inputDisplay ?? defaultDisplay(input, model, L);

  for (const d of tr.directions) {
    const pre = many ? `${d.module ? d.module.replace(/\./g, '-') + '-' : ''}l${d.layer}${d.reverse ? '-reverse' : ''}-` : '';
    const where = many ? ` (${d.module ? d.module + ', ' : ''}${L.layer} ${d.layer}${d.reverse ? `, ${L.reverse}` : ''})` : '';
    for (const g of GATE_NAMES[d.mode]) {
      const name = gateTitle(g, L);
      const tanhGate = g === 'candidate' || g === 'new';
      add(`${pre}gate-${g}.svg`, name + where, heatmap({
        title: name + where, values: unitsOverTime(d.gates[g]!), scale: tanhGate ? divergingScale(1) : sequentialScale(),
        xLabel: L.timeStep, yLabel: L.units, colorLabel: name, input: { label: display.label ?? L.inputSeq, values: display.values },
        id: `${pre}${g}`,
      }));
    }
    if (d.cell) {
      const cm = maxAbs(d.cell.data);
      add(`${pre}cell-state.svg`, L.cell + where, heatmap({
        title: L.cell + where, values: unitsOverTime(d.cell), scale: divergingScale(cm), xLabel: L.timeStep, yLabel: L.units,
        colorLabel: L.cell, input: { label: display.label ?? L.inputSeq, values: display.values }, id: `${pre}cell`,
      }));
    }
    add(`${pre}hidden-state.svg`, L.hidden + where, heatmap({
      title: L.hidden + where, values: unitsOverTime(d.hidden), scale: divergingScale(Math.max(1, maxAbs(d.hidden.data))),
      xLabel: L.timeStep, yLabel: L.units, colorLabel: L.hidden, input: { label: display.label ?? L.inputSeq, values: display.values },
      id: `${pre}hidden`,
    }));
    // Trajectories of the most active cells (LSTM), or hidden units (GRU, RNN).
    const state = d.cell ?? d.hidden;
    const width = state.shape[2]!;
    const top = activeUnits(state, d, opts.topUnits ?? 6);
    const stepsX = Array.from({ length: d.T }, (_, t) => t + 1);
    add(`${pre}cell-trajectories.svg`, L.explain.trajectories, lineChart({
      title: `${d.cell ? L.cell : L.hidden}${where}`, xLabel: L.timeStep, yLabel: d.cell ? 'cₜ' : 'hₜ',
      series: top.map((j) => ({ name: `${L.unit} ${j}`, x: stepsX, y: Array.from({ length: d.T }, (_, t) => state.data[t * d.B * width + j]!) })),
    }));
  }

  // The cell diagram for the first LSTM direction (else the first direction of any kind).
  const shown = tr.directions.find((d) => d.mode === 'lstm') ?? tr.directions[0]!;
  const step = opts.step ?? shown.T - 1;
  if (!Number.isInteger(step) || step < 0 || step >= shown.T) throw new RangeError(`inspect: step ${step + 1} is out of range: the sequence has steps 1..${shown.T}`);
  const unit = opts.unit ?? activeUnits(shown.cell ?? shown.hidden, shown, 1)[0]!;
  if (!Number.isInteger(unit) || unit < 0 || unit >= shown.units) throw new RangeError(`inspect: unit ${unit} is out of range: the ${shown.mode.toUpperCase()} has units 0..${shown.units - 1}`);
  add('cell-diagram.svg', L.explain.diagram, stepDiagram(shown, input, model, step, L, {
    unit, title: `${shown.mode.toUpperCase()} · ${L.timeStep} ${step + 1}`, ...tokenAt(display.values, step), displayScale: 1.5,
  }));
  if (shown.mode === 'lstm') {
    const cs = cellStep(shown, input, model, step);
    add('forget-kept.svg', L.forgetTitle, forgetBars({
      title: `${L.forget} · ${L.timeStep} ${step + 1}`, cPrev: cs.cPrev, f: cs.f, keptLabel: L.kept, droppedLabel: L.oldMemory,
      unitLabel: L.units, fLabel: L.forgetAxis, unit, width: 640,
    }));
  }

  // Training curves.
  const h = opts.history;
  if (h && h.loss && h.loss.length > 1) { // a curve needs two epochs
    const series: LineSeries[] = [{ name: L.loss, x: h.loss.map((_, i) => i + 1), y: h.loss }];
    if (h.valLoss && h.valLoss.length > 0) series.push({ name: L.valLoss, x: h.valLoss.map((_, i) => i + 1), y: h.valLoss });
    add('loss.svg', L.loss, lineChart({ title: L.loss, xLabel: L.epoch, yLabel: 'loss', series }));
  }

  // Gradient norms over time: this model's first recurrent layer vs fresh RNN and LSTM of its size.
  add('gradient-norm.svg', L.gradNorm, gradientChart(model, tr, L, opts.seed));

  const html = renderHtml(opts.title ?? 'lstm inspect', lang, L, tr, svgs, step);
  return { html, svgs, trace: tr };
}

/**
 * `name` as a plain file name (anything but letters, digits, '-', '_' and inner '.' becomes '_';
 * a layer name comes from the model file), made unique among `used` with a -2, -3 suffix.
 */
function uniqueFileName(name: string, used: Set<string>): string {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const base = stem.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_').slice(0, 120) || '_';
  let out = base + ext;
  for (let k = 2; used.has(out.toLowerCase()); k++) out = `${base}-${k}${ext}`;
  used.add(out.toLowerCase());
  return out;
}

/**
 * Refuse a report larger than the `reportCells` budget before tracing: each recurrent layer
 * and direction draws a heatmap per gate plus the cell and hidden state, steps × units each.
 */
function checkReportSize(model: Module, input: Tensor, limits?: Partial<Limits>): void {
  const T = inputLayout(input, model).T;
  let perStep = 0;
  for (const { layer } of findRecurrent(model)) {
    const maps = GATE_NAMES[layer.mode].length + (layer.mode === 'lstm' ? 2 : 1);
    perStep += layer.numLayers * layer.numDirections * layer.hiddenSize * maps;
  }
  checkLimit('reportCells', T * perStep, `a report of ${T} steps draws ${T * perStep} heatmap cells (${perStep} a step)`, undefined, limits);
}

/**
 * The vanishing-gradient picture: log10 ‖∂L/∂hₜ‖/‖∂L/∂h_T‖ over time for a loss on the last
 * step, for `tr` (a trace of `model` with loss 'last') and for a fresh RNN and LSTM (forget
 * bias 1) of the same size on a random sequence of the same length.
 */
export function gradientChart(model: Module, tr: Trace, L: Terms, seed = 0): string {
  const first = tr.directions.find((d) => !d.reverse)!;
  const layer = findRecurrent(model).find((r) => r.path === first.module)!.layer;
  const T = first.T, I = layer.inputSize, H = layer.hiddenSize;
  const base = freshCurves(T, I, H, seed);
  const steps = Array.from({ length: T }, (_, t) => t + 1);
  const series: LineSeries[] = [
    { name: `${layer.kind} (${L.thisModel})`, x: steps, y: relativeLog(first.gradNorm!) },
    { name: `RNN (${L.untrained})`, x: steps, y: base.rnn, dashed: true },
    { name: `LSTM (${L.untrained}, ${L.forgetBias1})`, x: steps, y: base.lstm, dashed: true },
  ];
  return lineChart({ title: L.gradNorm, xLabel: L.timeStep, yLabel: 'log₁₀ ‖∂L/∂hₜ‖ / ‖∂L/∂h_T‖', series });
}

/** log10 of each norm relative to the last step's. */
function relativeLog(g: Float64Array): number[] {
  const last = g[g.length - 1]!;
  return Array.from(g, (v) => Math.log10(Math.max(v, 1e-300) / last));
}

// The untrained baselines depend only on (T, I, H, seed): computed once each (the explorer redraws often).
const baselines = new Map<string, { rnn: number[]; lstm: number[] }>();

function freshCurves(T: number, I: number, H: number, seed: number): { rnn: number[]; lstm: number[] } {
  const key = `${T},${I},${H},${seed}`;
  let c = baselines.get(key);
  if (!c) {
    const rng = new Rng(seed);
    const x = Tensor.zeros([T, 1, I]);
    for (let i = 0; i < x.size; i++) x.data[i] = rng.normal();
    const run = (m: RecurrentBase): number[] => relativeLog(trace(m, x, { loss: 'last' }).directions[0]!.gradNorm!);
    c = {
      rnn: run(new RNN({ inputSize: I, hiddenSize: H, seed, backend: 'reference' })),
      lstm: run(new LSTM({ inputSize: I, hiddenSize: H, seed, backend: 'reference', init: { unitForgetBias: true } })),
    };
    if (baselines.size >= 16) baselines.delete(baselines.keys().next().value!);
    baselines.set(key, c);
  }
  return c;
}

/** Batch item 0's vector at time t of a traced (T,B,W) quantity. */
function atStep(x: Tensor, d: DirectionTrace, t: number): ArrayLike<number> {
  const W = x.shape[2]!;
  return x.data.subarray(t * d.B * W, t * d.B * W + W);
}

/** The values of one step of an LSTM direction, batch item 0, for the cell diagram. */
export function cellStep(d: DirectionTrace, input: Tensor, model: Module, t: number): CellStep {
  const at = (x: Tensor): ArrayLike<number> => atStep(x, d, t);
  return {
    x: inputStep(input, model, t), hPrev: at(d.hiddenPrev), cPrev: at(d.cellPrev!), c: at(d.cell!), h: at(d.hidden),
    i: at(d.gates.input!), f: at(d.gates.forget!), g: at(d.gates.candidate!), o: at(d.gates.output!),
  };
}

/** The values of one step of a GRU or RNN direction, batch item 0. */
export function otherStep(d: DirectionTrace, input: Tensor, model: Module, t: number): GruStep | RnnStep {
  const at = (x: Tensor): ArrayLike<number> => atStep(x, d, t);
  const base = { x: inputStep(input, model, t), hPrev: at(d.hiddenPrev), h: at(d.hidden) };
  return d.mode === 'gru' ? { ...base, r: at(d.gates.reset!), z: at(d.gates.update!), n: at(d.gates.new!) } : base;
}

/**
 * The cell diagram of a traced direction at step t (batch item 0): the LSTM, GRU or plain RNN
 * picture with the values of `opts.unit`, the deck's explanations as tooltips. The x_t shown
 * is the model input's; for a layer above the first it is not what that layer received.
 */
export function stepDiagram(d: DirectionTrace, input: Tensor, model: Module, t: number, L: Terms, opts: DiagramOptions = {}): string {
  const o = { tips: diagramTips(L), ...opts };
  if (d.mode === 'lstm') return cellDiagram({ ...o, labels: L, step: cellStep(d, input, model, t) });
  const layer = findRecurrent(model).find((r) => r.path === d.module)?.layer;
  if (d.mode === 'gru') return gruDiagram({ ...o, labels: L, step: otherStep(d, input, model, t) as GruStep });
  return rnnDiagram({ ...o, labels: L, step: otherStep(d, input, model, t), nonlinearity: layer?.nonlinearity ?? 'tanh' });
}

/** Tooltips for the diagrams' parts (by data-k): the deck's explanation of each. */
export function diagramTips(L: Terms): Record<string, string> {
  const e = L.explain;
  return {
    f: `${L.forget}: ${e.forget}`, i: `${L.input}: ${e.input}`, g: `${L.candidate}: ${e.candidate}`, o: `${L.output}: ${e.output}`,
    c: `${L.cell}: ${e.cell}`, cPrev: `${L.cell} (t−1)`, h: `${L.hidden}: ${e.hidden}`, hPrev: `${L.hidden} (t−1)`,
    r: `${L.reset}: ${e.reset}`, z: `${L.update}: ${e.update}`, n: `${L.newGate}: ${e.newGate}`,
    fc: 'fₜ ⊙ cₜ₋₁', ig: 'iₜ ⊙ C̃ₜ', tanhC: 'tanh(cₜ)', zh: 'zₜ ⊙ hₜ₋₁', zn: '(1 − zₜ) ⊙ nₜ',
  };
}

/**
 * Where batch item 0's steps sit in the input: T steps of F values, `stride` apart. A bare
 * layer takes (T,I), (T,B,I) or batch-first (B,T,I); a model (B,T,F) or token ids (B,T).
 */
function inputLayout(input: Tensor, model: Module): { T: number; F: number; stride: number } {
  const s = input.shape;
  if (model instanceof RecurrentBase) {
    if (s.length === 2) return { T: s[0]!, F: s[1]!, stride: s[1]! };
    return model.batchFirst ? { T: s[1]!, F: s[2]!, stride: s[2]! } : { T: s[0]!, F: s[2]!, stride: s[1]! * s[2]! };
  }
  return s.length === 3 ? { T: s[1]!, F: s[2]!, stride: s[2]! } : { T: s[1] ?? s[0]!, F: 1, stride: 1 };
}

/** x_t of batch item 0. */
function inputStep(input: Tensor, model: Module, t: number): ArrayLike<number> {
  const { F, stride } = inputLayout(input, model);
  return input.data.subarray(t * stride, t * stride + F);
}

/** For token input, the token at step t (shown for x_t in the cell diagram). */
export function tokenAt(values: unknown[], t: number): { inputText?: string } {
  const v = values[t];
  return typeof v === 'string' ? { inputText: v === ' ' ? '␣' : v } : {};
}

function gateTitle(g: GateName, L: Terms): string {
  return { input: L.input, forget: L.forget, candidate: L.candidate, output: L.output, reset: L.reset, update: L.update, new: L.newGate }[g];
}

/** The k units with the largest max |value| over time (batch item 0), in unit order. */
function activeUnits(x: Tensor, d: DirectionTrace, k: number): number[] {
  const W = x.shape[2]!;
  const score = Array.from({ length: W }, (_, j) => {
    let m = 0;
    for (let t = 0; t < d.T; t++) m = Math.max(m, Math.abs(x.data[t * d.B * W + j]!));
    return m;
  });
  return score.map((s, j) => [s, j] as const).sort((a, b) => b[0] - a[0]).slice(0, k).map(([, j]) => j).sort((a, b) => a - b);
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m || 1;
}

/** Batch item 0 of the input as numbers per step: one series per feature (up to 4). */
function defaultDisplay(input: Tensor, model: Module, L: Terms): { label: string; values: number[] | number[][] } {
  const { T, F } = inputLayout(input, model);
  const series = Array.from({ length: Math.min(F, 4) }, (_, f) => Array.from({ length: T }, (_, t) => inputStep(input, model, t)[f]!));
  return { label: L.inputSeq, values: series.length === 1 ? series[0]! : series };
}

const CSS = `body{font-family:${FONT_STACK};margin:24px auto;max-width:1100px;color:#222;line-height:1.5;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
figure{margin:12px 0}figcaption{color:#555;font-size:14px;max-width:820px}
figure svg{max-width:100%;height:auto}table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}`;

function renderHtml(title: string, lang: Lang, L: Terms, tr: Trace, svgs: Report['svgs'], step: number): string {
  const rows = tr.directions.map((d) =>
    `<tr><td>${esc(d.module || '—')}</td><td>${d.mode.toUpperCase()}</td><td>${d.layer}${d.reverse ? ` (${esc(L.reverse)})` : ''}</td><td>${d.T}</td><td>${d.units}</td></tr>`).join('');
  const explain = (name: string): string => {
    const e = L.explain;
    if (name.includes('gate-forget')) return e.forget;
    if (name.includes('gate-input')) return e.input;
    if (name.includes('gate-candidate')) return e.candidate;
    if (name.includes('gate-output')) return e.output;
    if (name.includes('cell-state')) return e.cell;
    if (name.includes('hidden-state')) return e.hidden;
    if (name.includes('trajectories')) return e.trajectories;
    if (name === 'cell-diagram.svg') return `${e.diagram} (${L.timeStep} ${step + 1})`;
    if (name === 'forget-kept.svg') return e.forget;
    if (name === 'loss.svg') return e.loss;
    if (name === 'gradient-norm.svg') return e.gradient;
    return '';
  };
  const figures = svgs.map((s) =>
    `<section id="${esc(s.name.replace(/\.svg$/, ''))}"><h2>${esc(s.title)}</h2><figure>${s.svg}<figcaption>${esc(explain(s.name))}</figcaption></figure></section>`).join('\n');
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><h1>${esc(title)}</h1>
<table><tr><th>${esc(L.module)}</th><th>${esc(L.cellType)}</th><th>${esc(L.layer)}</th><th>T</th><th>H</th></tr>${rows}</table>
${figures}
</body></html>
`;
}
