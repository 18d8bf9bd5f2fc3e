/**
 * Pieces the explorer and the lesson share: the cell diagram of a traced direction (LSTM, GRU
 * or plain RNN) with its values also as a table a screen reader can read, what the network
 * predicts in words, numbers for the equations (each tagged with data-q so the browser test
 * can check it), and the stepper, the time-step slider with Play. Play waits for the
 * diagram's flow animation to finish and then holds the settled picture for HOLD_MS or longer
 * than the drawing took, so the whole path up to h_t is visible for most of each step however
 * slow the machine.
 */
import { fmt2, lineChart, stepDiagram, tokenAt, type DiagramOptions, type DirectionTrace, type Lang, type Module, type Tensor } from '../../src/index.js';
import { terms, ui } from './i18n.js';

/** How long Play shows each settled step, after its animation has finished. */
export const HOLD_MS = 1000;

export const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A number as the page shows it (two decimals), tagged with what it is (data-q) for tests and styles. */
export function num(q: string, v: number): string {
  return `<span class="num" data-q="${q}">${fmt2(v)}</span>`;
}

/** Batch item 0's vector at step t of a traced (T,B,W) quantity. */
export function vec(x: Tensor, d: DirectionTrace, t: number): ArrayLike<number> {
  const W = x.shape[2]!;
  return x.data.subarray(t * d.B * W, t * d.B * W + W);
}

/** The diagram of a traced direction at step t for one unit, titled with the step. */
export function diagram(d: DirectionTrace, x: Tensor, model: Module, t: number, lang: Lang, opts: DiagramOptions & { display?: unknown[] } = {}): string {
  const { display, ...rest } = opts;
  return stepDiagram(d, x, model, t, terms(lang), {
    title: `${d.mode.toUpperCase()} · ${ui(lang, 'step')} ${t + 1}`, ...(display ? tokenAt(display, t) : {}), ...rest,
  });
}

/** The quantities of one step, in the order the cell computes them: [data-q, name, symbol, value]. */
export function stepQuantities(d: DirectionTrace, x: ArrayLike<number>, t: number, u: number, lang: Lang): Array<[string, string, string, number]> {
  const L = terms(lang);
  const at = (q: Tensor): number => vec(q, d, t)[u]!;
  const rows: Array<[string, string, string, number]> = [['x', L.inputSeq, 'xₜ', x[0]!], ['hPrev', L.hidden, 'hₜ₋₁', at(d.hiddenPrev)]];
  if (d.mode === 'lstm') {
    const f = at(d.gates.forget!), i = at(d.gates.input!), g = at(d.gates.candidate!), c0 = at(d.cellPrev!), c = at(d.cell!);
    rows.push(['cPrev', L.cell, 'cₜ₋₁', c0], ['f', L.forget, 'fₜ', f], ['i', L.input, 'iₜ', i], ['g', L.candidate, 'C̃ₜ', g],
      ['o', L.output, 'oₜ', at(d.gates.output!)], ['fc', '', 'fₜ ⊙ cₜ₋₁', f * c0], ['ig', '', 'iₜ ⊙ C̃ₜ', i * g],
      ['c', L.cell, 'cₜ', c], ['tanhC', '', 'tanh(cₜ)', Math.tanh(c)]);
  } else if (d.mode === 'gru') {
    rows.push(['r', L.reset, 'rₜ', at(d.gates.reset!)], ['z', L.update, 'zₜ', at(d.gates.update!)], ['n', L.newGate, 'nₜ', at(d.gates.new!)]);
  }
  rows.push(['h', L.hidden, 'hₜ', at(d.hidden)]);
  return rows;
}

/** The diagram's values as a table (the text alternative of the picture). */
export function valuesTable(d: DirectionTrace, x: ArrayLike<number>, t: number, u: number, lang: Lang): string {
  const rows = stepQuantities(d, x, t, u, lang).map(([q, name, sym, v]) =>
    `<tr><th scope="row">${esc(name)}</th><td class="sym">${esc(sym)}</td><td>${num(q, v)}</td></tr>`).join('');
  return `<table class="values"><caption>${esc(ui(lang, 'valuesCaption', { t: t + 1, u }))}</caption>` +
    `<thead><tr><th scope="col">${esc(ui(lang, 'quantity'))}</th><th scope="col">${esc(ui(lang, 'symbol'))}</th><th scope="col">${esc(ui(lang, 'value'))}</th></tr></thead>` +
    `<tbody>${rows}</tbody></table>`;
}

/** Softmax of logits, as probabilities. */
export function softmax(logits: ArrayLike<number>): number[] {
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) m = Math.max(m, logits[i]!);
  const e = Array.from(logits, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** The k most likely entries of a probability vector: [index, p] best first. */
export function topK(p: number[], k: number): Array<[number, number]> {
  return p.map((v, i) => [i, v] as [number, number]).sort((a, b) => b[1] - a[1]).slice(0, k);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The time-step slider, its label and a Play button. `show(t)` is called on every change
 * (and must redraw `figure` with its animation); Play advances one step, waits until the
 * figure's animations have finished, then holds the picture (HOLD_MS, or longer on a slow machine).
 */
export class Stepper {
  t = 0;
  T = 1;
  private playing = false;
  private run = 0;

  constructor(
    private readonly slider: HTMLInputElement,
    private readonly label: HTMLElement,
    private readonly playButton: HTMLButtonElement,
    private readonly show: (t: number) => void,
    private readonly figure: () => HTMLElement,
    private readonly lang: () => Lang,
  ) {
    slider.addEventListener('input', () => this.go(Number(slider.value) - 1));
    playButton.addEventListener('click', () => this.toggle());
  }

  /** Set the length and position without calling `show` (the caller draws). */
  set(T: number, t: number): void {
    this.T = Math.max(1, T);
    this.t = Math.max(0, Math.min(this.T - 1, t));
    this.slider.max = String(this.T);
    this.slider.value = String(this.t + 1);
    this.label.textContent = `${this.t + 1} / ${this.T}`;
  }

  go(t: number): void {
    this.set(this.T, t);
    this.show(this.t);
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  toggle(): void {
    this.playing = !this.playing;
    this.updateButton();
    if (this.playing) void this.loop(++this.run);
  }

  stop(): void {
    if (!this.playing) return;
    this.playing = false;
    this.run++;
    this.updateButton();
  }

  updateButton(): void {
    const key = this.playing ? 'pause' : 'play';
    this.playButton.textContent = ui(this.lang(), key);
    this.playButton.dataset.i18n = key;
    this.playButton.setAttribute('aria-pressed', String(this.playing));
  }

  private async loop(id: number): Promise<void> {
    while (this.playing && id === this.run) {
      const start = performance.now();
      this.go((this.t + 1) % this.T);
      // Wait for the flow through the cell to finish drawing, then let the student read it: at
      // least HOLD_MS, and longer than the drawing took (a busy machine draws slowly), so the
      // settled picture is up for more than half of every step.
      await Promise.all(this.figure().getAnimations({ subtree: true }).map((a) => a.finished.catch(() => undefined)));
      await sleep(Math.max(HOLD_MS, 1.25 * (performance.now() - start)));
    }
  }
}

/**
 * Every batch's loss and a smoothed curve, on a log scale (a loss near 0 stays readable). Long
 * runs are drawn at most 800 points per curve (every k-th batch), so redrawing stays cheap.
 */
export function lossChart(losses: number[], lang: Lang, width: number, height: number): string {
  const every = Math.ceil(losses.length / 800);
  const x: number[] = [], y: number[] = [], smooth: number[] = [];
  let s = losses[0]!;
  losses.forEach((v, i) => {
    s = 0.9 * s + 0.1 * v;
    if (i % every === 0 || i === losses.length - 1) {
      x.push(i + 1);
      y.push(v);
      smooth.push(s);
    }
  });
  return lineChart({
    title: ui(lang, 'lossChart'), xLabel: ui(lang, 'batch'), yLabel: terms(lang).loss, width, height, logY: true,
    series: [{ name: ui(lang, 'batch'), x, y, color: '#9bbbd8' }, { name: ui(lang, 'smoothed'), x, y: smooth }],
  });
}

