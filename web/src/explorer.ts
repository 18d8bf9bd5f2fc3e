/**
 * The free-exploration page. It holds one model (a task's model being trained in the worker,
 * or a model file the user dropped), traces it on the input sequence with the library's
 * trace(), and draws what the trace holds: the cell (LSTM, GRU or plain RNN) with the values
 * of the chosen time step and unit flowing through it (slider, arrow keys, Play), the same
 * values as a table, what the network predicts, the forget gate per unit, the deck's words on
 * each gate, the gates over time as heatmaps under the input, the loss on a log scale while
 * the worker trains, and how far back gradients reach. Every label comes from i18n.ts.
 */
import {
  WordVocab, decodeModel, escapeXml, forgetBars, generateText, gradientChart, heatmap, divergingScale, sequentialScale,
  trace, unitsOverTime, vocabFromJSON, fmt2, type CharVocab, type DirectionTrace, type Lang, type Sequential, type Trace,
} from '../../src/index.js';
import { terms, ui } from './i18n.js';
import { MAX_CHARS, MAX_STEPS, SINE_NEXT, buildTask, defaultProbe, parseProbe, type CellType, type Probe, type TaskName } from './tasks.js';
import { Trainer, formatLoss, lossSummary } from './trainer.js';
import { Stepper, diagram, esc, lossChart, softmax, topK, valuesTable, vec } from './view.js';

type Vocab = CharVocab | WordVocab;

/** What kind of model is loaded: a task's, or a dropped file's (which decides how it is probed and read). */
type Kind =
  | { kind: TaskName }
  | { kind: 'lm' }
  | { kind: 'classifier'; classes: string[] }
  | { kind: 'forecast'; horizon: number }
  | { kind: 'other' };

const state = {
  lang: 'en' as Lang,
  task: 'sine' as TaskName,
  cell: 'lstm' as CellType,
  kind: { kind: 'sine' } as Kind,
  model: null as Sequential | null,
  vocab: null as Vocab | null,
  probe: null as Probe | null,
  probeText: '',
  tr: null as Trace | null,
  unit: 0,
  fileName: '',
};

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
let stepper: Stepper;
let pending = false;
let lastChart = 0;

const trainer = new Trainer({
  onModel(model, vocab) {
    state.model = model;
    state.vocab = vocab;
    $('backend').textContent = trainer.backend;
    retrace();
  },
  onProgress(weights) {
    // Weights arrive at most every 250 ms: only then retrace and redraw; otherwise just the numbers.
    if (weights) {
      retrace();
      scheduleRender();
    } else renderLossValue();
  },
  onError(message) {
    $('probe-error').textContent = message;
  },
  onRunning(running) {
    const b = $('train');
    b.dataset.i18n = running ? 'stop' : 'train';
    b.textContent = ui(state.lang, running ? 'stop' : 'train');
    b.classList.toggle('on', running);
  },
});

// ------------------------------------------------------------------ model and trace

function setTask(task: TaskName, cell: CellType): void {
  trainer.stop();
  const t = buildTask(task, 1, cell);
  state.task = task;
  state.cell = cell;
  state.kind = { kind: task };
  state.fileName = '';
  trainer.losses = [];
  $<HTMLSelectElement>('task').value = task;
  $<HTMLSelectElement>('cell-type').value = cell;
  $('task-file').hidden = true;
  $('file-status').textContent = '';
  $('file-name').textContent = ui(state.lang, 'noFile');
  setModel(t.model, t.vocab ?? null, defaultProbe(task), 4); // a few steps in, so the memory has something to keep or drop
}

function setModel(model: Sequential, vocab: Vocab | null, probeText: string, step: number): void {
  state.model = model;
  state.vocab = vocab;
  $<HTMLInputElement>('probe').value = probeText;
  stepper.set(step + 1, step); // applyProbe sets the sequence's length
  applyProbe();
}

/** Parse the input box and retrace; a bad input shows its error and keeps the old trace. */
function applyProbe(): void {
  const text = $<HTMLInputElement>('probe').value;
  try {
    state.probe = parseProbe(text, state.model!.inputSize, state.vocab ?? undefined);
    state.probeText = text;
    $('probe-error').textContent = '';
  } catch (e) {
    $('probe-error').textContent = (e as Error).message;
    return;
  }
  const p = state.probe, n = p.x.shape[1]!;
  $('probe-note').textContent = p.dropped > 0 ? ui(state.lang, state.vocab ? 'cutChars' : 'cutSteps', { n: state.vocab ? MAX_CHARS : MAX_STEPS, all: n + p.dropped }) : '';
  retrace();
  stepper.set(focus()!.T, stepper.t);
  render(true);
}

/** Trace with a loss on the last step, so the trace also holds ‖∂L/∂hₜ‖ for the gradient plot. */
function retrace(): void {
  state.tr = trace(state.model!, state.probe!.x, { loss: 'last' });
}

/** The direction the page draws: the first LSTM one, else the first recurrent one. */
function focus(): DirectionTrace | undefined {
  const ds = state.tr?.directions ?? [];
  return ds.find((d) => d.mode === 'lstm') ?? ds[0];
}

// ------------------------------------------------------------------ drawing

function scheduleRender(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    render(false);
  });
}

/** Redraw everything; `animate` replays the flow through the cell. */
function render(animate: boolean): void {
  const d = focus();
  if (!d) return;
  stepper.set(d.T, stepper.t);
  clampUnit(d);
  renderCell(animate);
  renderHeatmaps(d);
  renderLossValue();
  const now = performance.now();
  if (animate || now - lastChart > 300) {
    lastChart = now;
    renderLoss();
    $('grad-chart').innerHTML = gradientChart(state.model!, state.tr!, terms(state.lang), 1);
  }
}

/** Keep the unit inside the layer, and say so when the box asked for one that does not exist. */
function clampUnit(d: DirectionTrace): void {
  const box = $<HTMLInputElement>('unit');
  box.max = String(d.units - 1);
  const asked = Number(box.value);
  const u = Number.isInteger(asked) ? Math.max(0, Math.min(d.units - 1, asked)) : state.unit;
  $('unit-note').textContent = box.value !== '' && u !== asked ? ui(state.lang, 'unitRange', { v: box.value, max: d.units - 1, u }) : '';
  state.unit = Math.min(u, d.units - 1);
}

function renderCell(animate: boolean): void {
  const d = focus()!, t = stepper.t, x = state.probe!.x;
  const L = terms(state.lang);
  $('cell-heading').textContent = ui(state.lang, d.mode === 'lstm' ? 'cellHeading' : d.mode === 'gru' ? 'gruHeading' : 'rnnHeading');
  const box = $('cell');
  box.innerHTML = diagram(d, x, state.model!, t, state.lang, { unit: state.unit, display: state.probe!.display.values });
  // The flow plays on a step change (the new elements start their CSS animations as they are
  // inserted); redraws while training stay still.
  box.classList.toggle('animate', animate);
  const F = x.shape.length === 3 ? x.shape[2]! : 1; // token ids (1,T) or values (1,T,F)
  const xt = Array.from(x.data.subarray(t * F, (t + 1) * F));
  $('values').innerHTML = valuesTable(d, xt, t, state.unit, state.lang);
  $('prediction').innerHTML = predictionHtml(t);
  $('forget-bars').innerHTML = d.mode === 'lstm'
    ? forgetBars({
      title: L.forgetTitle, cPrev: vec(d.cellPrev!, d, t), f: vec(d.gates.forget!, d, t), keptLabel: L.kept, droppedLabel: L.oldMemory,
      unitLabel: L.units, fLabel: L.forgetAxis, unit: state.unit,
    })
    : '';
}

/** What the network predicts for the input, in words (at the current step for per-step outputs). */
function predictionHtml(t: number): string {
  const out = state.tr!.output, k = state.kind, lang = state.lang, p = state.probe!;
  const head = `<strong>${esc(ui(lang, 'prediction'))}:</strong> `;
  const v = (i: number): string => `<span class="num" data-q="pred">${fmt2(out.data[i]!)}</span>`;
  if (out.shape.length === 3 && state.vocab) {
    // Per-step next-token logits (a language model): the step shown in the diagram.
    const V = out.shape[2]!, chars = p.display.values as string[];
    const probs = softmax(out.data.subarray(t * V, (t + 1) * V));
    const show = (id: number): string => (state.vocab!.tokens[id] === '\n' ? '⏎' : state.vocab!.tokens[id] === ' ' ? '␣' : state.vocab!.tokens[id]!);
    const top = topK(probs, 3).map(([id, q]) => `“${esc(show(id))}” ${(100 * q).toFixed(0)} %`).join(', ');
    const vars = { c: esc(chars[t] ?? ''), top, n: esc(chars[t + 1] ?? '') };
    return head + ui(lang, t + 1 < chars.length ? 'predLetterTrue' : 'predLetter', vars);
  }
  if (k.kind === 'classifier') {
    const probs = softmax(out.data.subarray(0, out.shape[1]!));
    return head + ui(lang, 'predClass', { top: topK(probs, 2).map(([i, q]) => `${esc(k.classes[i] ?? String(i))} ${(100 * q).toFixed(0)} %`).join(', ') });
  }
  const note = `<br><span class="note">${esc(ui(lang, 'readsOutput'))}</span>`;
  if (k.kind === 'adding') {
    return head + (p.markedSum !== undefined ? ui(lang, 'predSum', { p: v(0), y: fmt2(p.markedSum) }) : ui(lang, 'predSumNoMarks', { p: v(0) })) + note;
  }
  if (k.kind === 'sine') {
    return head + (state.probeText === defaultProbe('sine') ? ui(lang, 'predNextTrue', { p: v(0), y: fmt2(SINE_NEXT) }) : ui(lang, 'predNext', { p: v(0) })) + note;
  }
  const n = out.size;
  const vals = Array.from({ length: Math.min(n, 6) }, (_, i) => v(i)).join(', ') + (n > 6 ? ', …' : '');
  return head + ui(lang, 'predForecast', { h: n, p: vals }) + note;
}

function renderHeatmaps(d: DirectionTrace): void {
  const L = terms(state.lang);
  const input = { label: L.inputSeq, values: state.probe!.display.values };
  const maps: string[] = [];
  const names: Array<[keyof typeof d.gates, string, boolean]> = d.mode === 'lstm'
    ? [['forget', L.forget, true], ['input', L.input, true], ['candidate', L.candidate, false], ['output', L.output, true]]
    : d.mode === 'gru' ? [['reset', L.reset, true], ['update', L.update, true], ['new', L.newGate, false]] : [];
  for (const [k, title, sig] of names) {
    maps.push(heatmap({
      title, values: unitsOverTime(d.gates[k]!), scale: sig ? sequentialScale() : divergingScale(1), xLabel: L.timeStep, yLabel: L.units,
      input, highlight: stepper.t, id: `hm-${k}`, width: 420, height: 160, tooltips: false,
    }));
  }
  const st = d.cell ?? d.hidden;
  let m = 1;
  for (const v of st.data) m = Math.max(m, Math.abs(v));
  maps.push(heatmap({
    title: d.cell ? L.cell : L.hidden, values: unitsOverTime(st), scale: divergingScale(m), xLabel: L.timeStep, yLabel: L.units,
    input, highlight: stepper.t, id: 'hm-state', width: 420, height: 160, tooltips: false,
  }));
  $('heatmaps').innerHTML = maps.map((s) => `<div class="figure">${s}</div>`).join('');
}

/** The loss figures: mean of the first and of the latest ten batches (single batches are noisy). */
function renderLossValue(): void {
  const n = trainer.losses.length;
  $('loss-steps').textContent = String(n);
  const out = $('loss-value');
  const s = lossSummary(trainer.losses);
  if (!s) {
    out.textContent = '–';
    return;
  }
  out.textContent = formatLoss(s.current);
  out.dataset.initial = String(s.initial);
  out.dataset.current = String(s.current);
}

function renderLoss(): void {
  renderLossValue();
  const losses = trainer.losses;
  if (losses.length === 0) {
    $('loss-chart').innerHTML = '';
    return;
  }
  $('loss-chart').innerHTML = lossChart(losses, state.lang, 560, 260);
}

function renderDeck(): void {
  const L = terms(state.lang), e = L.explain;
  const mode = focus()?.mode ?? 'lstm';
  const items: Array<[string, string]> = mode === 'gru'
    ? [[L.reset, e.reset], [L.update, e.update], [L.newGate, e.newGate], [L.hidden, e.hidden.split('. ').slice(-1)[0]!]]
    : mode === 'rnn' ? [['RNN', e.rnn]]
      : [[L.forget, e.forget], [L.input, e.input], [L.candidate, e.candidate], [L.cell, e.cell], [L.output, e.output], [L.hidden, e.hidden]];
  items.push(['RNN / LSTM', e.gradient]);
  $('deck').innerHTML = items.map(([t, x]) => `<dt>${escapeXml(t)}</dt><dd>${escapeXml(x)}</dd>`).join('');
}

export function setExplorerLang(lang: Lang): void {
  state.lang = lang;
  stepper.updateButton();
  const b = $('train');
  b.textContent = ui(lang, trainer.running ? 'stop' : 'train');
  if (state.fileName) $('task-file').textContent = `${ui(lang, 'taskFile')}: ${state.fileName}`;
  $('file-name').textContent = state.fileName || ui(lang, 'noFile');
  renderDeck();
  if (state.probe) {
    applyProbe();
    render(false);
  }
}

/** Stop Play when the page is left for the lesson (training, if running, goes on). */
export function pauseExplorer(): void {
  stepper.stop();
}

// ------------------------------------------------------------------ model files

async function loadFile(file: File): Promise<void> {
  const status = $('file-status');
  try {
    const { model, metadata } = decodeModel(new Uint8Array(await file.arrayBuffer()), { name: file.name });
    trainer.stop();
    const vocab = metadata.vocab !== undefined ? vocabFromJSON(metadata.vocab) : null;
    const { kind, probe, note } = probeFor(model, vocab, metadata);
    state.fileName = file.name;
    state.kind = kind;
    trainer.losses = [];
    const opt = $('task-file');
    opt.hidden = false;
    opt.textContent = `${ui(state.lang, 'taskFile')}: ${file.name}`;
    $<HTMLSelectElement>('task').value = 'file';
    $('file-name').textContent = file.name;
    setModel(model, vocab, probe, 4);
    renderDeck();
    status.textContent = `${ui(state.lang, 'loaded')}: ${file.name} (${model.numParameters()} ${ui(state.lang, 'parameters')}); ${note}`;
  } catch (e) {
    status.textContent = (e as Error).message;
  }
}

/**
 * An input of the model's own kind: a language model reads text it wrote itself, a classifier
 * words of its vocabulary, a forecasting model a window of its lookback shaped by its season
 * (in its scaled units; the series itself is not in the file), anything else a sine wave.
 */
function probeFor(model: Sequential, vocab: Vocab | null, metadata: Record<string, unknown>): { kind: Kind; probe: string; note: string } {
  const lang = state.lang;
  const classifier = metadata.classifier as { classes?: unknown } | undefined;
  if (vocab && classifier) {
    const classes = Array.isArray(classifier.classes) ? classifier.classes.map(String) : [];
    const words = vocab.tokens.slice(2, 14).join(' ');
    return { kind: { kind: 'classifier', classes }, probe: words, note: ui(lang, 'fileClassifier') };
  }
  if (vocab) {
    const text = generateText(model, vocab, { length: vocab instanceof WordVocab ? 20 : 60, temperature: 0.7, seed: 1 }).replace(/^\n+/, '');
    return { kind: { kind: 'lm' }, probe: text, note: ui(lang, 'fileLm', { n: Array.from(text).length }) };
  }
  const forecast = metadata.forecast as { column?: string; plan?: { lookback?: number; season?: number; horizon?: number } } | undefined;
  const F = model.inputSize;
  const wave = (k: number, period: number): string =>
    Array.from({ length: k }, (_, t) => Array.from({ length: F }, () => Math.sin((2 * Math.PI * t) / period).toFixed(2)).join(',')).join(' ');
  if (forecast?.plan && Number.isInteger(forecast.plan.lookback)) {
    const k = Math.min(forecast.plan.lookback!, MAX_STEPS), season = forecast.plan.season && forecast.plan.season > 1 ? forecast.plan.season : 12;
    return { kind: { kind: 'forecast', horizon: forecast.plan.horizon ?? 1 }, probe: wave(k, season), note: ui(lang, 'fileForecast', { col: forecast.column ?? '?', k }) };
  }
  return { kind: { kind: 'other' }, probe: wave(24, 16), note: ui(lang, 'fileOther', { k: 24 }) };
}

// ------------------------------------------------------------------ wiring

export function initExplorer(lang: Lang, visible: () => boolean): void {
  state.lang = lang;
  stepper = new Stepper($('step'), $('step-label'), $('play'), () => render(true), () => $('cell'), () => state.lang);
  $<HTMLSelectElement>('task').addEventListener('change', (e) => {
    const v = (e.target as HTMLSelectElement).value;
    if (v !== 'file') setTask(v as TaskName, state.cell);
  });
  $<HTMLSelectElement>('cell-type').addEventListener('change', (e) => setTask(state.task, (e.target as HTMLSelectElement).value as CellType));
  $('train').addEventListener('click', () => {
    if (trainer.running) return trainer.stop();
    if (state.fileName) setTask(state.task, state.cell); // training starts from the chosen task's model
    trainer.start(state.task, state.cell);
  });
  $('unit').addEventListener('input', () => render(true));
  $('unit').addEventListener('change', () => {
    $<HTMLInputElement>('unit').value = String(state.unit);
  });
  $('apply').addEventListener('click', applyProbe);
  $('probe').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') applyProbe();
  });
  document.addEventListener('keydown', (e) => {
    // Inputs keep their own keys (a focused slider already steps with the arrows).
    const tag = (e.target as HTMLElement).tagName;
    if (!visible() || tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      stepper.go(stepper.t + (e.key === 'ArrowRight' ? 1 : -1));
    }
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) void loadFile(f);
  });
  $('file-button').addEventListener('click', () => $<HTMLInputElement>('file').click());
  $<HTMLInputElement>('file').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void loadFile(f);
  });
  setTask('sine', 'lstm');
  setExplorerLang(lang);
}
