/**
 * The LSTM cell drawn as the deck draws it (the familiar chain-module picture): the memory
 * cell c as a conveyor belt along the top, the four layers (forget σ, input σ, candidate
 * tanh, output σ) in a row at the bottom fed by [h_{t−1}, x_t], and the pointwise operations
 * (× forget, × input, + update, tanh, × output) between them. With values for one time step,
 * every gate and state shows the chosen unit's number on a pill coloured by the same scales
 * as the heatmaps, and each arrow's width follows the size of what flows along it.
 * Elements carry data-k attributes (f, i, g, o, c, cPrev, h, hPrev, x) so a page can read or
 * animate them; arrows carry class "flow".
 */
import { escapeXml as esc, formatTick as fmt } from './axes.js';
import { divergingScale, sequentialScale, svg, textOn } from './color.js';

/** One time step of one LSTM direction: each entry a vector over units (x over input features). */
export interface CellStep {
  x: ArrayLike<number>;
  hPrev: ArrayLike<number>;
  cPrev: ArrayLike<number>;
  i: ArrayLike<number>;
  f: ArrayLike<number>;
  g: ArrayLike<number>;
  o: ArrayLike<number>;
  c: ArrayLike<number>;
  h: ArrayLike<number>;
}

/** Display names of the parts (English or the deck's Traditional Chinese). */
export interface CellLabels {
  input: string;
  forget: string;
  candidate: string;
  output: string;
  cell: string;
  hidden: string;
  conveyor: string;
  /** Caption before the unit number, e.g. 'unit'. */
  unit: string;
}

export interface CellDiagramOptions {
  labels: CellLabels;
  /** Values at the chosen step; without them the diagram is drawn bare. */
  step?: CellStep;
  /** Unit whose numbers are shown (default 0). */
  unit?: number;
  /** Shown for x_t instead of its first number (e.g. the character a token id stands for). */
  inputText?: string;
  title?: string;
}

const SEQ = sequentialScale();
/** Which CellLabels entry names each layer (data-label attributes use the label keys). */
const LABEL_KEY: Partial<Record<keyof CellStep, keyof CellLabels>> = { f: 'forget', i: 'input', g: 'candidate', o: 'output' };

export function cellDiagram(o: CellDiagramOptions): string {
  const L = o.labels, s = o.step, u = o.unit ?? 0;
  const v = (k: keyof CellStep): number | undefined => (s ? s[k][k === 'x' ? 0 : u] : undefined);
  const cMax = s ? Math.max(1, ...Array.from(s.c, Math.abs), ...Array.from(s.cPrev, Math.abs)) : 1;
  const DIV = divergingScale(1), CELL = divergingScale(cMax);
  const width = (val: number | undefined, m = 1): number => (val === undefined ? 2 : 1.2 + 4.5 * Math.min(1, Math.abs(val) / m));
  const p: string[] = [];
  const arrow = (d: string, k: string, w: number, colour = '#444'): void => {
    p.push(`<path class="flow" data-k="${k}" d="${d}" fill="none" stroke="${colour}" stroke-width="${w.toFixed(2)}" stroke-linejoin="round" marker-end="url(#cd-arrow)"/>`);
  };
  const op = (x: number, y: number, sym: string, k: string): void => {
    p.push(`<g data-k="${k}"><circle cx="${x}" cy="${y}" r="15" fill="#f8c9d4" stroke="#b0455f"/>` +
      `<text x="${x}" y="${y + 5}" text-anchor="middle" font-size="${sym.length > 1 ? 11 : 17}">${esc(sym)}</text></g>`);
  };
  const pill = (x: number, y: number, k: string, val: number | undefined, scale: (n: number) => string): void => {
    if (val === undefined) return;
    const bg = scale(val);
    p.push(`<g class="value" data-k="${k}"><rect x="${x}" y="${y - 11}" width="46" height="17" rx="8" fill="${bg}" stroke="#333" stroke-width="0.5"/>` +
      `<text data-v="${k}" x="${x + 23}" y="${y + 2}" text-anchor="middle" font-size="11" fill="${textOn(bg)}">${esc(fmt2(val))}</text></g>`);
  };
  const layer = (cx: number, name: string, fn: string, k: keyof CellStep, val: number | undefined, sigmoid: boolean): void => {
    const fill = val === undefined ? '#ffe79a' : sigmoid ? SEQ.color(val) : DIV.color(val);
    const tc = val === undefined ? '#111' : textOn(fill);
    const lines = wrap(name);
    const names = lines.map((ln, j) => `<tspan x="${cx}" dy="${j ? 13 : 0}">${esc(ln)}</tspan>`).join('');
    p.push(`<g data-k="${k}" class="layer"><rect x="${cx - 50}" y="230" width="100" height="52" rx="4" fill="${fill}" stroke="#a07c00"/>` +
      `<text class="label" data-label="${LABEL_KEY[k]}" x="${cx}" y="${lines.length > 1 ? 246 : 252}" text-anchor="middle" font-size="11.5" fill="${tc}">${names}</text>` +
      `<text x="${cx}" y="276" text-anchor="middle" font-size="11" fill="${tc}">${fn}</text></g>`);
  };

  p.push(`<defs><marker id="cd-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>`);
  if (o.title) p.push(`<text x="20" y="22" font-size="14" font-weight="600">${esc(o.title)}</text>`);
  // The module.
  p.push(`<rect x="80" y="52" width="620" height="300" rx="18" fill="#eef3f9" stroke="#7d99b8"/>`);

  // The conveyor belt: c_{t−1} → × f → + i⊙g → c_t.
  const fc = s ? v('f')! * v('cPrev')! : undefined;
  arrow('M 20 90 L 172 90', 'cPrev', width(v('cPrev'), cMax), '#1c5f99');
  arrow('M 205 90 L 382 90', 'fc', width(fc, cMax), '#1c5f99');
  arrow('M 415 90 L 780 90', 'c', width(v('c'), cMax), '#1c5f99');
  p.push(`<text class="label" data-label="conveyor" x="295" y="80" font-size="11" text-anchor="middle" fill="#1c5f99">${esc(L.conveyor)}</text>`);
  p.push(`<text x="22" y="78" font-size="12">c<tspan dy="4" font-size="9">t−1</tspan></text>`);
  p.push(`<text x="752" y="78" font-size="12">c<tspan dy="4" font-size="9">t</tspan></text>`);
  p.push(`<text class="label" data-label="cell" x="729" y="136" font-size="11" text-anchor="middle">${esc(L.cell)}</text>`);
  pill(40, 112, 'cPrev', v('cPrev'), CELL.color);
  pill(706, 112, 'c', v('c'), CELL.color);

  // [h_{t−1}, x_t] feed the four layers.
  arrow('M 20 322 L 190 322 L 190 284', 'hPrev', width(v('hPrev')));
  p.push(`<path d="M 190 322 L 505 322" fill="none" stroke="#444" stroke-width="2"/>`);
  for (const x of [295, 400, 505]) p.push(`<path d="M ${x} 322 L ${x} 286" fill="none" stroke="#444" stroke-width="2" marker-end="url(#cd-arrow)"/>`);
  arrow('M 150 400 L 150 322', 'x', width(v('x')));
  p.push(`<text x="22" y="340" font-size="12">h<tspan dy="4" font-size="9">t−1</tspan></text>`);
  p.push(`<text x="158" y="396" font-size="12">x<tspan dy="4" font-size="9">t</tspan></text>`);
  pill(40, 306, 'hPrev', v('hPrev'), DIV.color);
  if (o.inputText !== undefined) {
    p.push(`<g class="value" data-k="x"><rect x="96" y="369" width="46" height="17" rx="8" fill="#f3f3f3" stroke="#333" stroke-width="0.5"/>` +
      `<text data-v="x" x="119" y="382" text-anchor="middle" font-size="12" font-family="monospace">${esc(o.inputText)}</text></g>`);
  } else {
    pill(96, 380, 'x', v('x'), DIV.color);
  }

  // Forget gate: σ → × on the belt.
  layer(190, L.forget, 'σ  f<tspan dy="3" font-size="8">t</tspan>', 'f', v('f'), true);
  arrow('M 190 228 L 190 107', 'f', width(v('f')));
  op(190, 90, '×', 'mulF');
  pill(196, 196, 'f', v('f'), SEQ.color);
  // Input gate and candidate: i ⊙ C̃ → + on the belt.
  layer(295, L.input, 'σ  i<tspan dy="3" font-size="8">t</tspan>', 'i', v('i'), true);
  layer(400, L.candidate, 'tanh  C̃<tspan dy="3" font-size="8">t</tspan>', 'g', v('g'), false);
  arrow('M 295 228 L 295 172 L 383 172', 'i', width(v('i')));
  arrow('M 400 228 L 400 189', 'g', width(v('g')));
  op(400, 172, '×', 'mulI');
  const ig = s ? v('i')! * v('g')! : undefined;
  arrow('M 400 157 L 400 107', 'ig', width(ig));
  op(400, 90, '+', 'add');
  pill(301, 196, 'i', v('i'), SEQ.color);
  pill(406, 210, 'g', v('g'), DIV.color);
  // Output gate: h_t = o ⊙ tanh(c_t).
  layer(505, L.output, 'σ  o<tspan dy="3" font-size="8">t</tspan>', 'o', v('o'), true);
  arrow('M 610 90 L 610 143', 'c', width(v('c'), cMax), '#1c5f99');
  op(610, 160, 'tanh', 'tanhC');
  arrow('M 610 176 L 610 242', 'tanhC', width(s ? Math.tanh(v('c')!) : undefined));
  arrow('M 556 259 L 593 259', 'o', width(v('o')));
  op(610, 259, '×', 'mulO');
  pill(553, 228, 'o', v('o'), SEQ.color);
  // h_t leaves to the right (next step) and up (the output).
  arrow('M 610 275 L 610 322 L 780 322', 'h', width(v('h')));
  arrow('M 660 322 L 660 8', 'h', width(v('h')));
  p.push(`<text x="752" y="340" font-size="12">h<tspan dy="4" font-size="9">t</tspan></text>`);
  p.push(`<text x="668" y="20" font-size="12">h<tspan dy="4" font-size="9">t</tspan></text>`);
  p.push(`<text class="label" data-label="hidden" x="715" y="300" font-size="11" text-anchor="middle">${esc(L.hidden)}</text>`);
  pill(706, 346, 'h', v('h'), DIV.color);
  if (s) p.push(`<text x="90" y="70" font-size="11" fill="#555">${esc(L.unit)} ${u}</text>`);
  return svg(800, 410, p.join(''), 'plot cell-diagram');
}

/** Split a long label at the space nearest its middle (CJK labels are short and stay whole). */
function wrap(name: string): string[] {
  if (name.length <= 13 || !name.includes(' ')) return [name];
  let best = -1;
  for (let i = 0; i < name.length; i++) if (name[i] === ' ' && Math.abs(i - name.length / 2) < Math.abs(best - name.length / 2)) best = i;
  return [name.slice(0, best), name.slice(best + 1)];
}

function fmt2(v: number): string {
  return Math.abs(v) >= 100 ? fmt(v) : v.toFixed(2);
}
