/**
 * The explorer page. It holds one model (a task's model being trained in the worker, or a
 * model file the user dropped), traces it on the input sequence with the library's trace(),
 * and draws what the trace holds: the LSTM cell as the deck draws it, with the values of the
 * chosen time step and unit flowing through it (slider, arrow keys, play), the gates over time
 * as heatmaps under the input, and the loss curve while the worker trains. Every label comes
 * from i18n.ts (English / 繁體中文). All computing goes through the public library modules.
 */
import {
  Sequential, decodeModel, vocabFromJSON, trace, unitsOverTime, cellStep, gradientChart, tokenAt,
  cellDiagram, heatmap, forgetBars, lineChart, escapeXml, divergingScale, sequentialScale,
  type DirectionTrace, type Trace, type Lang,
} from '../../src/index.js';
import { applyLang, terms, ui } from './i18n.js';
import { buildTask, defaultProbe, parseProbe, type Probe, type TaskName } from './tasks.js';

interface Vocab {
  encode(s: string): Int32Array;
}

const state = {
  lang: 'en' as Lang,
  task: 'sine' as TaskName,
  model: null as Sequential | null,
  vocab: null as Vocab | null,
  probe: null as Probe | null,
  tr: null as Trace | null,
  step: 0,
  unit: 0,
  losses: [] as number[],
  training: false,
  fileName: '',
};

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
let worker: Worker | null = null;
let playTimer: number | null = null;
let pending = false;
let lastChart = 0;

// ------------------------------------------------------------------ model and trace

function setTask(task: TaskName): void {
  stopTraining();
  const t = buildTask(task, 1);
  state.task = task;
  state.step = 4; // a few steps in, so the memory has something to keep or drop
  state.fileName = '';
  state.losses = [];
  setModel(t.model, t.vocab ?? null, defaultProbe(task));
  $('file-status').textContent = '';
}

function setModel(model: Sequential, vocab: Vocab | null, probeText: string): void {
  state.model = model;
  state.vocab = vocab;
  $<HTMLInputElement>('probe').value = probeText;
  applyProbe();
}

/** Parse the input box and retrace; a bad input shows its error and keeps the old trace. */
function applyProbe(): void {
  const text = $<HTMLInputElement>('probe').value;
  try {
    state.probe = parseProbe(text, state.model!.inputSize, state.vocab ?? undefined);
    $('probe-error').textContent = '';
  } catch (e) {
    $('probe-error').textContent = (e as Error).message;
    return;
  }
  retrace();
  state.step = Math.min(state.step, focus()!.T - 1);
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

// ------------------------------------------------------------------ training worker

function startTraining(): void {
  stopTraining();
  if (state.fileName) setTask(state.task);
  state.losses = [];
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent) => onWorker(e.data);
  worker.onerror = (e) => {
    $('probe-error').textContent = e.message;
    stopTraining();
  };
  // ?backend=reference trains with the TypeScript kernels instead of WebAssembly.
  const backend = new URLSearchParams(location.search).get('backend') === 'reference' ? 'reference' : 'wasm';
  worker.postMessage({ type: 'start', task: state.task, seed: 1, backend });
  state.training = true;
  updateTrainButton();
}

function stopTraining(): void {
  if (worker) {
    worker.terminate();
    worker = null;
  }
  state.training = false;
  updateTrainButton();
}

function onWorker(msg: { type: string; [k: string]: unknown }): void {
  if (msg.type === 'model') {
    const model = Sequential.fromConfig(msg.config as Parameters<typeof Sequential.fromConfig>[0]);
    model.flat.set(msg.weights as Float32Array);
    state.model = model;
    state.vocab = msg.vocab ? vocabFromJSON(msg.vocab) : null;
    $('backend').textContent = String(msg.backend);
    retrace();
  } else if (msg.type === 'progress') {
    state.losses.push(msg.loss as number);
    // Weights arrive at most every 250 ms: only then retrace and redraw; otherwise just the numbers.
    if (msg.weights) {
      state.model!.flat.set(msg.weights as Float32Array);
      retrace();
      scheduleRender();
    } else {
      renderLossValue();
    }
  } else if (msg.type === 'error') {
    $('probe-error').textContent = String(msg.message);
    stopTraining();
  }
}

function updateTrainButton(): void {
  const b = $('train');
  b.dataset.i18n = state.training ? 'stop' : 'train';
  b.textContent = ui(state.lang, state.training ? 'stop' : 'train');
  b.classList.toggle('on', state.training);
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
  const slider = $<HTMLInputElement>('step');
  slider.max = String(d.T);
  slider.value = String(state.step + 1);
  $('step-label').textContent = `${state.step + 1} / ${d.T}`;
  const unitBox = $<HTMLInputElement>('unit');
  unitBox.max = String(d.units - 1);
  state.unit = Math.min(state.unit, d.units - 1);
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

function renderCell(animate: boolean): void {
  const d = focus()!;
  const L = terms(state.lang);
  const box = $('cell'), note = $('cell-note');
  if (d.mode !== 'lstm') {
    box.innerHTML = cellDiagram({ labels: L });
    $('forget-bars').innerHTML = '';
    note.hidden = false;
    note.textContent = ui(state.lang, 'noLstm');
    return;
  }
  note.hidden = true;
  const step = cellStep(d, state.probe!.x, state.model!, state.step);
  box.innerHTML = cellDiagram({
    labels: L, step, unit: state.unit,
    title: `${ui(state.lang, 'step')} ${state.step + 1}`, ...tokenAt(state.probe!.display.values, state.step),
  });
  $('forget-bars').innerHTML = forgetBars({
    title: L.forgetTitle, cPrev: step.cPrev, f: step.f, keptLabel: L.kept, droppedLabel: L.oldMemory, unitLabel: L.units, unit: state.unit,
  });
  // The flow plays on a step change (the new elements start their CSS animations as they are
  // inserted); redraws while training stay still.
  box.classList.toggle('animate', animate);
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
      input, highlight: state.step, id: `hm-${k}`, width: 420, height: 160, tooltips: false,
    }));
  }
  const st = d.cell ?? d.hidden;
  let m = 1;
  for (const v of st.data) m = Math.max(m, Math.abs(v));
  maps.push(heatmap({
    title: d.cell ? L.cell : L.hidden, values: unitsOverTime(st), scale: divergingScale(m), xLabel: L.timeStep, yLabel: L.units,
    input, highlight: state.step, id: 'hm-state', width: 420, height: 160, tooltips: false,
  }));
  $('heatmaps').innerHTML = maps.map((s) => `<div class="figure">${s}</div>`).join('');
}

/** The loss figures: mean of the first and of the latest ten batches (single batches are noisy). */
function renderLossValue(): void {
  const n = state.losses.length;
  $('loss-steps').textContent = String(n);
  const out = $('loss-value');
  if (n === 0) {
    out.textContent = '–';
    return;
  }
  const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
  const initial = mean(state.losses.slice(0, 10)), current = mean(state.losses.slice(-10));
  out.textContent = current.toFixed(4);
  out.dataset.initial = String(initial);
  out.dataset.current = String(current);
}

function renderLoss(): void {
  renderLossValue();
  if (state.losses.length === 0) {
    $('loss-chart').innerHTML = '';
    return;
  }
  const x = state.losses.map((_, i) => i + 1);
  const smooth: number[] = [];
  let s = state.losses[0]!;
  for (const v of state.losses) smooth.push((s = 0.9 * s + 0.1 * v));
  $('loss-chart').innerHTML = lineChart({
    title: ui(state.lang, 'lossChart'), xLabel: ui(state.lang, 'batch'), yLabel: terms(state.lang).loss, width: 560, height: 260,
    series: [{ name: ui(state.lang, 'batch'), x, y: state.losses, color: '#9bbbd8' }, { name: ui(state.lang, 'smoothed'), x, y: smooth }],
  });
}

function renderDeck(): void {
  const L = terms(state.lang), e = L.explain;
  const items: Array<[string, string]> = [
    [L.forget, e.forget], [L.input, e.input], [L.candidate, e.candidate], [L.cell, e.cell],
    [L.output, e.output], [L.hidden, e.hidden], ['RNN / LSTM', e.gradient],
  ];
  $('deck').innerHTML = items.map(([t, x]) => `<dt>${escapeXml(t)}</dt><dd>${escapeXml(x)}</dd>`).join('');
}

function setLang(lang: Lang): void {
  state.lang = lang;
  applyLang(document, lang);
  updateTrainButton();
  $<HTMLButtonElement>('play').textContent = ui(lang, playTimer === null ? 'play' : 'pause');
  renderDeck();
  render(false);
  renderLoss();
}

// ------------------------------------------------------------------ stepping

function setStep(t: number): void {
  const d = focus();
  if (!d) return;
  state.step = Math.max(0, Math.min(d.T - 1, t));
  render(true);
}

function togglePlay(): void {
  const b = $<HTMLButtonElement>('play');
  if (playTimer !== null) {
    clearInterval(playTimer);
    playTimer = null;
  } else {
    playTimer = window.setInterval(() => setStep((state.step + 1) % focus()!.T), 1100);
  }
  b.textContent = ui(state.lang, playTimer === null ? 'play' : 'pause');
  b.dataset.i18n = playTimer === null ? 'play' : 'pause';
}

// ------------------------------------------------------------------ model files

async function loadFile(file: File): Promise<void> {
  const status = $('file-status');
  try {
    const { model, metadata } = decodeModel(new Uint8Array(await file.arrayBuffer()), { name: file.name });
    stopTraining();
    const vocab = metadata.vocab !== undefined ? vocabFromJSON(metadata.vocab) : null;
    state.fileName = file.name;
    state.losses = [];
    const probe = vocab ? 'hello world' : Array.from({ length: 24 }, (_, t) => Array.from({ length: model.inputSize }, () => Math.sin(0.4 * t).toFixed(2)).join(',')).join(' ');
    setModel(model, vocab, probe);
    status.textContent = `${ui(state.lang, 'loaded')}: ${file.name} (${model.numParameters()} parameters)`;
  } catch (e) {
    status.textContent = (e as Error).message;
  }
}

// ------------------------------------------------------------------ wiring

function init(): void {
  $('lang').addEventListener('click', () => setLang(state.lang === 'en' ? 'zh-TW' : 'en'));
  $<HTMLSelectElement>('task').addEventListener('change', (e) => setTask((e.target as HTMLSelectElement).value as TaskName));
  $('train').addEventListener('click', () => (state.training ? stopTraining() : startTraining()));
  $('step').addEventListener('input', (e) => setStep(Number((e.target as HTMLInputElement).value) - 1));
  $('unit').addEventListener('input', (e) => {
    state.unit = Math.max(0, Number((e.target as HTMLInputElement).value) || 0);
    render(true);
  });
  $('play').addEventListener('click', togglePlay);
  $('apply').addEventListener('click', applyProbe);
  $('probe').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') applyProbe();
  });
  document.addEventListener('keydown', (e) => {
    // Inputs keep their own keys (a focused slider already steps with the arrows).
    const tag = (e.target as HTMLElement).tagName;
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      setStep(state.step + (e.key === 'ArrowRight' ? 1 : -1));
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
  $<HTMLInputElement>('file').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void loadFile(f);
  });
  setTask('sine');
  setLang('en');
}

init();
