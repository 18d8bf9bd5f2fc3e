/**
 * The guided lesson: seven steps in the deck's order (lesson-text.ts), each reachable by URL
 * (#lesson/N, with ?t=..&u=.. for the time step and unit, and T=.. for step 1's distance),
 * with Back / Next buttons and the ← → keys.
 *   1  a plain RNN beside an LSTM, both drawn; a slider sets the distance T and two log charts
 *      show ‖∂L/∂h_t‖ of each, with the RNN's equation and how much reaches step 1;
 *   2–6  the trained adding-problem LSTM (lesson-setup.ts) on one example: the conveyor belt,
 *      the forget gate, the input gate and candidate, the cell update, the output gate and
 *      hidden state; each highlights its part of the diagram and its equations with the
 *      live numbers of the chosen step and unit substituted (data-q tags name each number);
 *   7  the demo: train the same LSTM from random weights in the worker and watch the marker
 *      unit's input gate open at the marked steps while its forget gate holds.
 */
import {
  fmt2, forgetBars, gateTerms, heatmap, lineChart, sequentialScale, trace, unitsOverTime,
  type DirectionTrace, type GateTerms, type Lang, type LSTM, type Sequential, type Trace,
} from '../../src/index.js';
import { fillVars, terms, ui } from './i18n.js';
import { LESSON_INPUT, LESSON_TRAINING, lessonModel, markerUnit, reach, vanishing, type MarkerUnit, type Vanishing } from './lesson-setup.js';
import { LESSON_STEPS, lessonUi } from './lesson-text.js';
import { buildTask, parseProbe, type Probe } from './tasks.js';
import { Trainer, formatLoss, lossSummary } from './trainer.js';
import { Stepper, diagram, esc, lossChart, num, valuesTable, vec } from './view.js';

export const STEP_COUNT = 7;
/** The time step (1-based) each step of 2–7 opens at: after the first mark, between the marks, a marked step, ..., the last. */
const DEFAULT_T: Record<number, number> = { 2: 6, 3: 12, 4: 5, 5: 19, 6: 30, 7: 19 };
/** The diagram parts each step points at. */
const HIGHLIGHT: Record<number, string[]> = { 2: ['belt'], 3: ['forget', 'inputs'], 4: ['input', 'candidate', 'inputs'], 5: ['update'], 6: ['output', 'hidden'] };

export interface LessonParams {
  t?: number;
  u?: number;
  T?: number;
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** The trained model and its trace on the example, made once. */
interface Example {
  model: Sequential;
  probe: Probe;
  tr: Trace;
  marker: MarkerUnit;
}

const state = {
  lang: 'en' as Lang,
  n: 1,
  u: 0,
  distance: 50,
  example: null as Example | null,
  vanishing: null as Vanishing | null,
  demo: { tr: null as Trace | null, marker: null as MarkerUnit | null },
};
let stepper: Stepper;
let onUrl: (n: number, p: LessonParams) => void = () => {};
let pending = false;

const trainer = new Trainer({
  onModel: () => demoRetrace(),
  onProgress(weights) {
    if (state.n !== 7) return;
    // Every batch: the loss and the count; with new weights (at most every 250 ms): the pictures.
    if (!weights) return renderDemoStatus();
    demoRetrace();
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        if (state.n === 7) renderDemo();
      });
    }
  },
  onError(message) {
    $('lesson-extra').insertAdjacentHTML('beforeend', `<p class="error" role="alert">${esc(message)}</p>`);
  },
  onRunning(running) {
    const b = document.getElementById('lesson-train');
    if (!b) return;
    b.textContent = ui(state.lang, running ? 'stop' : 'train');
    b.classList.toggle('on', running);
  },
});

function example(): Example {
  if (!state.example) {
    const model = lessonModel();
    const probe = parseProbe(LESSON_INPUT, 2);
    state.example = { model, probe, tr: trace(model, probe.x, { loss: 'last' }), marker: markerUnit(model) };
  }
  return state.example;
}

/** Trace the demo's model on the example: the worker's copy, or before training the same seeded model untrained. */
function demoRetrace(): void {
  const m = trainer.model ?? buildTask(LESSON_TRAINING.task, LESSON_TRAINING.seed).model;
  state.demo.tr = trace(m, example().probe.x);
  state.demo.marker = markerUnit(m);
}

// ------------------------------------------------------------------ navigation

/** Open step n (1-based) with optional time step, unit and distance from the URL. */
export function showLesson(n: number, p: LessonParams = {}): void {
  const step = Math.max(1, Math.min(STEP_COUNT, Math.round(n) || 1));
  if (step !== state.n && state.n === 7 && trainer.running) trainer.stop();
  stepper.stop();
  state.n = step;
  if (step === 1) {
    state.distance = clampInt(p.T, 5, 100, 50);
    state.vanishing = vanishing(state.distance);
    state.u = clampInt(p.u, 0, state.vanishing.rnn.dir.units - 1, 0);
    stepper.set(state.distance, clampInt(p.t, 1, state.distance, state.distance) - 1);
  } else {
    const ex = example();
    state.u = clampInt(p.u, 0, ex.tr.directions[0]!.units - 1, ex.marker.unit);
    stepper.set(ex.probe.x.shape[1]!, clampInt(p.t, 1, ex.probe.x.shape[1]!, DEFAULT_T[step]!) - 1);
  }
  renderStep(true);
}

function clampInt(v: number | undefined, lo: number, hi: number, dflt: number): number {
  return v !== undefined && Number.isFinite(v) ? Math.max(lo, Math.min(hi, Math.round(v))) : dflt;
}

/** The URL of the current view (the router keeps it in the address bar). */
function params(): LessonParams {
  return state.n === 1 ? { T: state.distance, t: stepper.t + 1, u: state.u } : { t: stepper.t + 1, u: state.u };
}

function go(n: number): void {
  if (n < 1 || n > STEP_COUNT) return;
  location.hash = `#lesson/${n}`;
}

// ------------------------------------------------------------------ drawing

function renderStep(animate: boolean): void {
  const lang = state.lang, n = state.n, text = LESSON_STEPS[lang][n - 1]!;
  const ex = state.example;
  const vars = { u: n === 1 ? state.u : ex?.marker.unit ?? 0, epochs: LESSON_TRAINING.epochs };
  $('lesson-heading').textContent = lessonUi(lang, 'heading');
  $('lesson-title').textContent = `${n}. ${text.title}`;
  $('lesson-prose').innerHTML = text.body.map((p) => `<p>${esc(fillVars(p, vars))}</p>`).join('');
  $('lesson-steps').innerHTML = LESSON_STEPS[lang].map((s, i) =>
    `<li><a href="#lesson/${i + 1}"${i + 1 === n ? ' aria-current="step"' : ''}><span class="n">${i + 1}</span> <span class="t">${esc(s.title)}</span></a></li>`).join('');
  $('lesson-nav').setAttribute('aria-label', lessonUi(lang, 'stepsNav'));
  $('lesson-pos').textContent = lessonUi(lang, 'position', { n, all: STEP_COUNT });
  const back = $<HTMLButtonElement>('lesson-back'), next = $<HTMLButtonElement>('lesson-next');
  back.textContent = `← ${lessonUi(lang, 'back')}`;
  next.textContent = `${lessonUi(lang, 'next')} →`;
  back.disabled = n === 1;
  next.disabled = n === STEP_COUNT;
  $('lesson-keys').textContent = lessonUi(lang, 'keys');
  renderControls();
  $('lesson-body').classList.toggle('stacked', n === 1); // two diagrams side by side need the width
  if (n === 1) renderVanishing(animate);
  else if (n === 7) renderDemo();
  else renderCellStep(animate);
  onUrl(n, params());
}

/** The controls this step uses: distance (1), time step and unit (1–6), Train (7). */
function renderControls(): void {
  const lang = state.lang, n = state.n;
  $('lesson-distance-row').hidden = n !== 1;
  $('lesson-time-row').hidden = n === 7;
  $('lesson-train-row').hidden = n !== 7;
  $('lesson-distance-label').textContent = lessonUi(lang, 'distance');
  $('lesson-step-label').textContent = ui(lang, 'step');
  $('lesson-unit-label').textContent = ui(lang, 'unit');
  stepper.updateButton();
  $<HTMLInputElement>('lesson-distance').value = String(state.distance);
  $('lesson-distance-value').textContent = String(state.distance);
  const units = n === 1 ? state.vanishing!.rnn.dir.units : example().tr.directions[0]!.units;
  const sel = $<HTMLSelectElement>('lesson-unit');
  if (sel.options.length !== units) sel.innerHTML = Array.from({ length: units }, (_, j) => `<option value="${j}">${j}</option>`).join('');
  sel.value = String(state.u);
  const train = $('lesson-train');
  train.textContent = ui(lang, trainer.running ? 'stop' : 'train');
}

/** Step 1: RNN and LSTM side by side, their gradient reach, the RNN's equation. */
function renderVanishing(animate: boolean): void {
  const lang = state.lang, v = state.vanishing!, t = stepper.t, u = state.u;
  const L = terms(lang);
  const rel = (d: DirectionTrace): number[] => Array.from(d.gradNorm!, (g) => g / d.gradNorm![d.T - 1]!);
  const rr = rel(v.rnn.dir), rl = rel(v.lstm.dir);
  const lo = Math.min(...rr, ...rl);
  const steps = rr.map((_, i) => i + 1);
  const chart = (name: string, y: number[], colour: string): string => lineChart({
    title: lessonUi(lang, 'reachChart', { cell: name }), xLabel: L.timeStep, yLabel: '‖∂L/∂hₜ‖ / ‖∂L/∂h_T‖', width: 420, height: 240, logY: true,
    yRange: [lo, 1], series: [{ name: `${name} (${lessonUi(lang, 'untrained')})`, x: steps, y, color: colour }],
  });
  const fig = (d: DirectionTrace, model: Parameters<typeof diagram>[2], c: string): string =>
    `<figure class="figure cell-figure${animate ? ' animate' : ''}">${diagram(d, v.x, model, t, lang, { unit: u })}${c}</figure>`;
  $('lesson-figure').innerHTML = `<div class="pair">${fig(v.rnn.dir, v.rnn.model, chart('RNN', rr, '#D55E00'))}${fig(v.lstm.dir, v.lstm.model, chart('LSTM', rl, '#0072B2'))}</div>`;
  const x = [v.x.data[t]!], h0 = vec(v.rnn.dir.hiddenPrev, v.rnn.dir, t);
  const g = gateTerms(v.rnn.model, x, h0, u).hidden!;
  $('lesson-eq').innerHTML = `<div class="eq current" data-eq="rnn" data-t="${t + 1}" data-u="${u}">` +
    `<div class="sym">${H('H', 't')} = tanh(${H('X', 't')}${H('W', 'xh')} + ${H('H', 't−1')}${H('W', 'hh')} + ${H('b', 'h')})</div>` +
    `<div class="nums">= tanh(${terms3('rnn', g)}) = tanh(${num('rnn.pre', g.pre)}) = ${num('rnn.h', g.value)}</div></div>` +
    `<p class="note">${esc(lessonUi(lang, 'biasNote'))}</p>`;
  $('lesson-extra').innerHTML = `<p>${esc(lessonUi(lang, 'reach', { T: state.distance }))} ` +
    `<span class="reach">RNN <span class="num" data-q="reach.rnn">${reach(v.rnn.dir).toExponential(1)}</span> · ` +
    `LSTM <span class="num" data-q="reach.lstm">${reach(v.lstm.dir).toExponential(1)}</span></span></p>` +
    details(valuesTable(v.rnn.dir, x, t, u, lang), `RNN · ${ui(lang, 'valuesCaption', { t: t + 1, u })}`);
}

/** A symbol with a subscript, in HTML. */
const H = (base: string, sub: string): string => `<var>${base}</var><sub>${sub}</sub>`;

/** "xW + hW + b" of a gate, as tagged numbers (the deck's single bias b = b_ih + b_hh). */
function terms3(q: string, g: GateTerms): string {
  return `${num(`${q}.xW`, g.xW)} + ${num(`${q}.hW`, g.hW)} + ${num(`${q}.b`, g.bIh + g.bHh)}`;
}

function details(inner: string, summary: string): string {
  return `<details class="values-box"><summary>${esc(summary)}</summary>${inner}</details>`;
}

/** The deck's six equations; `open` lists the ones this step expands with numbers. */
function equationList(open: Record<string, string>): string {
  const sig = (g: string): string => `σ(${H('X', 't')}${H('W', `x${g}`)} + ${H('H', 't−1')}${H('W', `h${g}`)} + ${H('b', g)})`;
  const rows: Array<[string, string]> = [
    ['input', `${H('I', 't')} = ${sig('i')}`],
    ['forget', `${H('F', 't')} = ${sig('f')}`],
    ['output', `${H('O', 't')} = ${sig('o')}`],
    ['candidate', `${H('C̃', 't')} = tanh(${H('X', 't')}${H('W', 'xc')} + ${H('H', 't−1')}${H('W', 'hc')} + ${H('b', 'c')})`],
    ['cell', `${H('C', 't')} = ${H('F', 't')} ⊙ ${H('C', 't−1')} + ${H('I', 't')} ⊙ ${H('C̃', 't')}`],
    ['hidden', `${H('H', 't')} = ${H('O', 't')} ⊙ tanh(${H('C', 't')})`],
  ];
  const list = rows.map(([id, sym]) => `<li class="eq${id in open ? ' current' : ''}" data-eq="${id}"><div class="sym">${sym}</div>` +
    `${id in open ? `<div class="nums">${open[id]}</div>` : ''}</li>`).join('');
  return `<h3>${esc(lessonUi(state.lang, 'equations'))}</h3><ol class="eq-list" data-t="${stepper.t + 1}" data-u="${state.u}">${list}</ol>` +
    `<p class="note">${esc(lessonUi(state.lang, 'biasNote'))}</p>`;
}

/** Steps 2–6: the trained LSTM on the example, one part highlighted, its equations with numbers. */
function renderCellStep(animate: boolean): void {
  const lang = state.lang, n = state.n, ex = example(), t = stepper.t, u = state.u;
  const d = ex.tr.directions[0]!, x = ex.probe.x;
  const xt = Array.from(x.data.subarray(t * 2, t * 2 + 2));
  const at = (q: Parameters<typeof vec>[0]): number => vec(q, d, t)[u]!;
  const f = at(d.gates.forget!), i = at(d.gates.input!), g = at(d.gates.candidate!), o = at(d.gates.output!);
  const c0 = at(d.cellPrev!), c = at(d.cell!), h = at(d.hidden);
  const G = gateTerms(ex.model.layer('lstm') as LSTM, xt, vec(d.hiddenPrev, d, t), u);
  const gate = (q: string, tm: GateTerms, fn: string): string => `= ${fn}(${terms3(q, tm)}) = ${fn}(${num(`${q}.pre`, tm.pre)}) = ${num(q, tm.value)}`;
  const open: Record<string, string> = {};
  if (n === 2) open.cell = `${H('C', 't−1')} = ${num('cPrev', c0)} → ${H('C', 't')} = ${num('c', c)}`;
  if (n === 3) {
    open.forget = `${gate('f', G.forget!, 'σ')}<br>${H('F', 't')} ⊙ ${H('C', 't−1')} = ${num('f', f)} × ${num('cPrev', c0)} = ${num('fc', f * c0)}`;
  }
  if (n === 4) {
    open.input = gate('i', G.input!, 'σ');
    open.candidate = gate('g', G.candidate!, 'tanh');
  }
  if (n === 5) open.cell = `= ${num('f', f)} × ${num('cPrev', c0)} + ${num('i', i)} × ${num('g', g)} = ${num('fc', f * c0)} + ${num('ig', i * g)} = ${num('c', c)}`;
  if (n === 6) {
    open.output = gate('o', G.output!, 'σ');
    open.hidden = `= ${num('o', o)} × tanh(${num('c', c)}) = ${num('o', o)} × ${num('tanhC', Math.tanh(c))} = ${num('h', h)}`;
  }
  const L = terms(lang);
  let side = '';
  if (n === 2) side = beltChart(d, u);
  if (n === 3) {
    side = `<div class="figure">${forgetBars({ title: L.forgetTitle, cPrev: vec(d.cellPrev!, d, t), f: vec(d.gates.forget!, d, t), keptLabel: L.kept,
      droppedLabel: L.oldMemory, unitLabel: L.units, fLabel: L.forgetAxis, unit: u })}</div>`;
  }
  $('lesson-figure').innerHTML = `<figure class="figure cell-figure${animate ? ' animate' : ''}">` +
    `${diagram(d, x, ex.model, t, lang, { unit: u, highlight: HIGHLIGHT[n] })}</figure>${side}`;
  $('lesson-eq').innerHTML = equationList(open);
  const sum = ex.probe.markedSum!;
  const pred = n === 6
    ? `<p class="prediction"><strong>${esc(ui(lang, 'prediction'))}:</strong> ${ui(lang, 'predSum', { p: num('pred', ex.tr.output.data[0]!), y: fmt2(sum) })}` +
      `<br><span class="note">${esc(ui(lang, 'readsOutput'))}</span></p>`
    : '';
  $('lesson-extra').innerHTML = pred + details(valuesTable(d, xt, t, u, lang), ui(lang, 'valuesCaption', { t: t + 1, u }));
}

/** Step 2's picture of the belt through time: the unit's c_t, the marked steps dotted. */
function beltChart(d: DirectionTrace, u: number): string {
  const lang = state.lang, ex = example();
  const steps = Array.from({ length: d.T }, (_, t) => t + 1);
  const marks = steps.filter((t) => ex.probe.x.data[(t - 1) * 2 + 1] === 1).map((t) => ({ x: t, label: `x = ${fmt2(ex.probe.x.data[(t - 1) * 2]!)}` }));
  return `<div class="figure">${lineChart({
    title: lessonUi(lang, 'beltChart', { u }), xLabel: terms(lang).timeStep, yLabel: 'cₜ', width: 420, height: 220, markers: [...marks, { x: stepper.t + 1 }],
    series: [{ name: `${terms(lang).cell} (${terms(lang).unit} ${u})`, x: steps, y: steps.map((t) => vec(d.cell!, d, t - 1)[u]!) }],
  })}</div>`;
}

/** Step 7: training from scratch; the loss, the gates over the example, the marker unit. */
function renderDemo(): void {
  const lang = state.lang, L = terms(lang), ex = example();
  if (!state.demo.tr) demoRetrace();
  const tr = state.demo.tr, m = state.demo.marker;
  const input = { label: L.inputSeq, values: ex.probe.display.values };
  const parts: string[] = [];
  parts.push(trainer.losses.length > 0 ? `<div class="figure">${lossChart(trainer.losses, lang, 420, 220)}</div>` : `<p class="note">${esc(lessonUi(lang, 'trainFirst'))}</p>`);
  if (tr && m) {
    const d = tr.directions[0]!;
    for (const [k, title] of [['input', L.input], ['forget', L.forget]] as const) {
      parts.push(`<div class="figure">${heatmap({
        title: `${title} (${L.unit} ${m.unit} ▸)`, values: unitsOverTime(d.gates[k]!), scale: sequentialScale(), xLabel: L.timeStep, yLabel: L.units,
        input, highlight: DEFAULT_T[7]! - 1, id: `lesson-hm-${k}`, width: 330, height: 150, tooltips: false, rowLabels: Array.from({ length: d.units }, (_, j) => (j === m.unit ? `▸ ${j}` : String(j))),
      })}</div>`);
    }
  }
  $('lesson-figure').innerHTML = `<div class="demo-grid">${parts.join('')}</div>`;
  renderDemoStatus();
  $('lesson-eq').innerHTML = '';
  $('lesson-extra').innerHTML = tr && m
    ? `<p class="readout" data-unit="${m.unit}">${esc(lessonUi(lang, 'markerUnit', { u: m.unit, a: fmt2(m.inputMarked), b: fmt2(m.inputOther), f: fmt2(m.forgetOther) }))}</p>` +
      `<p class="prediction"><strong>${esc(ui(lang, 'prediction'))}:</strong> ${ui(lang, 'predSum', { p: num('pred', tr.output.data[0]!), y: fmt2(ex.probe.markedSum!) })}</p>`
    : '';
}

/** Step 7's status line: the loss (mean of the latest ten batches) and the number of batches. */
function renderDemoStatus(): void {
  const lang = state.lang, s = lossSummary(trainer.losses);
  $('lesson-train-status').innerHTML = `${esc(ui(lang, 'lossNow'))}: <output id="lesson-loss"${s ? ` data-current="${s.current}" data-initial="${s.initial}"` : ''}>${s ? formatLoss(s.current) : '–'}</output> · ` +
    `${esc(ui(lang, 'steps'))}: <output id="lesson-batches">${trainer.losses.length}</output>`;
}

// ------------------------------------------------------------------ wiring

export function setLessonLang(lang: Lang): void {
  state.lang = lang;
  if (!$('lesson-view').hidden) renderStep(false);
}

export function pauseLesson(): void {
  stepper?.stop();
  trainer.stop();
}

/**
 * Build the lesson's controls. `urlChanged` is told the step and parameters whenever the
 * student moves, so the address bar always links to what is on screen.
 */
export function initLesson(lang: Lang, visible: () => boolean, urlChanged: (n: number, p: LessonParams) => void): void {
  state.lang = lang;
  onUrl = urlChanged;
  $('lesson-controls').innerHTML =
    `<div id="lesson-distance-row" class="row"><label><span id="lesson-distance-label"></span> <input id="lesson-distance" type="range" min="5" max="100" value="50"></label> <output id="lesson-distance-value">50</output></div>` +
    `<div id="lesson-time-row" class="row"><label><span id="lesson-step-label"></span> <input id="lesson-step" type="range" min="1" max="30" value="1"></label> <output id="lesson-step-value"></output>` +
    ` <button id="lesson-play" type="button" aria-pressed="false"></button>` +
    ` <label><span id="lesson-unit-label"></span> <select id="lesson-unit"></select></label></div>` +
    `<div id="lesson-train-row" class="row"><button id="lesson-train" type="button" class="primary"></button> <span id="lesson-train-status" class="status"></span></div>`;
  stepper = new Stepper($('lesson-step'), $('lesson-step-value'), $('lesson-play'), () => renderStep(true),
    () => $('lesson-figure'), () => state.lang);
  $('lesson-distance').addEventListener('input', (e) => {
    const T = Number((e.target as HTMLInputElement).value);
    showLesson(1, { T, u: state.u, t: T });
  });
  $('lesson-unit').addEventListener('change', (e) => {
    state.u = Number((e.target as HTMLSelectElement).value);
    renderStep(true);
  });
  $('lesson-train').addEventListener('click', () => {
    if (trainer.running) trainer.stop();
    else trainer.start(LESSON_TRAINING.task, 'lstm', LESSON_TRAINING.seed);
    renderStep(false);
  });
  $('lesson-back').addEventListener('click', () => go(state.n - 1));
  $('lesson-next').addEventListener('click', () => go(state.n + 1));
  document.addEventListener('keydown', (e) => {
    const tag = (e.target as HTMLElement).tagName;
    if (!visible() || tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      go(state.n + (e.key === 'ArrowRight' ? 1 : -1));
    }
  });
}
