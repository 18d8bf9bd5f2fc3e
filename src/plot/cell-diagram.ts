/**
 * The LSTM cell drawn as the deck draws it (the familiar chain-module picture): the memory
 * cell c as a conveyor belt along the top, the four layers (forget σ, input σ, candidate
 * tanh, output σ) in a row at the bottom fed by [h_{t−1}, x_t], and the pointwise operations
 * (× forget, × input, + update, tanh, × output) between them. With values for one time step,
 * each layer box shows the chosen unit's value and is filled with its colour (gates: viridis
 * 0..1; candidate, cell, hidden: blue–white–red), the states and products sit on pills, and
 * each arrow's width follows the size of what flows along it. A colour key explains the two
 * scales. `highlight` names parts to emphasise (belt, forget, input, candidate, update,
 * output, hidden, inputs); the rest is faded. Shared pieces: diagram-parts.ts; the GRU and
 * plain RNN diagrams (gru-diagram.ts, rnn-diagram.ts) use the same canvas and pieces.
 * Elements carry data-k (f, i, g, o, c, cPrev, fc, ig, tanhC, h, hPrev, x), data-v on values,
 * data-label on names; arrows have class "flow".
 */
import { divergingScale } from './color.js';
import { Diagram, ROW, stateScale, subscript, type DiagramStyle } from './diagram-parts.js';

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
  /** Captions of the colour key (default 'gate' and 'value'). */
  keyGate?: string;
  keyValue?: string;
}

/** What every cell diagram takes besides its labels and values. */
export interface DiagramOptions extends DiagramStyle {
  /** Unit whose numbers are shown (default 0). */
  unit?: number;
  /** Shown for x_t instead of its first number (e.g. the character a token id stands for). */
  inputText?: string;
  title?: string;
  /** Width/height attributes as a multiple of the 480×400 canvas (default 1; pages scale it with CSS). */
  displayScale?: number;
}

export interface CellDiagramOptions extends DiagramOptions {
  labels: CellLabels;
  /** Values at the chosen step; without them the diagram is drawn bare. */
  step?: CellStep;
}

export function cellDiagram(o: CellDiagramOptions): string {
  const L = o.labels, s = o.step, u = o.unit ?? 0;
  const v = (k: keyof CellStep): number | undefined => (s ? s[k][k === 'x' ? 0 : u] : undefined);
  const cMax = s ? Math.max(1, ...Array.from(s.c, Math.abs), ...Array.from(s.cPrev, Math.abs)) : 1;
  const CELL = stateScale(cMax), DIV = divergingScale(1);
  const D = new Diagram(o);
  const F = 110, I = 182, G = 254, O = 326, OUT = 384, B = ROW.belt, FEED = ROW.feed, TOP = ROW.layerTop;
  const fc = s ? v('f')! * v('cPrev')! : undefined, ig = s ? v('i')! * v('g')! : undefined, tc = s ? Math.tanh(v('c')!) : undefined;

  D.frame(o.title, s ? `${L.unit} ${u}` : null);

  // The conveyor belt: c_{t−1} → × f → + i⊙C̃ → c_t.
  D.name(256, 30, L.conveyor, 'conveyor', ['belt'], 290, '#1c5f99');
  D.arrow(`M 2 ${B} L 96 ${B}`, 'cPrev', ['belt', 'update'], v('cPrev'), cMax, '#1c5f99');
  D.arrow(`M 124 ${B} L 240 ${B}`, 'fc', ['belt', 'update', 'forget'], fc, cMax, '#1c5f99');
  D.arrow(`M 268 ${B} L 477 ${B}`, 'c', ['belt', 'update'], v('c'), cMax, '#1c5f99');
  D.symbol(4, B - 9, 'c', 't−1', ['belt', 'update']);
  D.symbol(476, B - 9, 'c', 't', ['belt', 'update'], 'end');
  D.pill(4, B + 8, 'cPrev', ['belt', 'update'], v('cPrev'), CELL);
  D.pill(146, B + 8, 'fc', ['update', 'forget'], fc, CELL);
  D.pill(432, B + 8, 'c', ['belt', 'update'], v('c'), CELL);
  D.name(450, B + 44, L.cell, 'cell', ['belt', 'update'], 56);

  // [h_{t−1}, x_t] feed the four layers.
  D.arrow(`M 2 ${FEED} L ${O} ${FEED}`, 'hPrev', ['inputs'], v('hPrev'));
  for (const x of [F, I, G, O]) D.line(`M ${x} ${FEED} L ${x} ${TOP + ROW.layerH + 2}`, ['inputs'], true);
  D.inputs(v('x'), v('hPrev'), o.inputText, true);

  // Forget gate: σ → × on the belt.
  D.layer(F, 'f', `σ  ${subscript('f', 't')}`, ['forget'], v('f'), false);
  D.arrow(`M ${F} ${TOP - 2} L ${F} ${B + 13}`, 'f', ['forget'], v('f'));
  D.op(F, B, '×', 'mulF', ['forget', 'update', 'belt']);
  // Input gate and candidate: i ⊙ C̃ → + on the belt.
  D.layer(I, 'i', `σ  ${subscript('i', 't')}`, ['input'], v('i'), false);
  D.layer(G, 'g', `tanh ${subscript('C̃', 't')}`, ['candidate'], v('g'), true);
  D.arrow(`M ${I} ${TOP - 2} L ${I} 150 L ${G - 13} 150`, 'i', ['input'], v('i'));
  D.arrow(`M ${G} ${TOP - 2} L ${G} 163`, 'g', ['candidate'], v('g'));
  D.op(G, 150, '×', 'mulI', ['input', 'candidate', 'update']);
  D.arrow(`M ${G} 137 L ${G} ${B + 13}`, 'ig', ['input', 'candidate', 'update'], ig);
  D.pill(G + 6, 92, 'ig', ['update', 'input', 'candidate'], ig, DIV);
  D.op(G, B, '+', 'add', ['update', 'belt']);
  // Output gate: h_t = o ⊙ tanh(c_t).
  D.layer(O, 'o', `σ  ${subscript('o', 't')}`, ['output'], v('o'), false);
  D.arrow(`M ${OUT} ${B} L ${OUT} 117`, 'c', ['output'], v('c'), cMax, '#1c5f99');
  D.op(OUT, 130, 'tanh', 'tanhC', ['output']);
  D.pill(OUT - 61, 121, 'tanhC', ['output'], tc, DIV);
  D.arrow(`M ${OUT} 143 L ${OUT} 187`, 'tanhC', ['output'], tc);
  D.arrow(`M ${O} ${TOP - 2} L ${O} 200 L ${OUT - 13} 200`, 'o', ['output'], v('o'));
  D.op(OUT, 200, '×', 'mulO', ['output', 'hidden']);
  // h_t leaves to the right (the next step and the output layer).
  D.arrow(`M ${OUT} 213 L ${OUT} ${FEED} L 477 ${FEED}`, 'h', ['output', 'hidden'], v('h'));
  D.symbol(476, FEED - 8, 'h', 't', ['output', 'hidden'], 'end');
  D.pill(432, FEED + 6, 'h', ['output', 'hidden'], v('h'), DIV);
  D.name(450, FEED + 40, L.hidden, 'hidden', ['output', 'hidden'], 56);

  // Names under the layers.
  D.name(F, ROW.names, L.forget, 'forget', ['forget']);
  D.name(I, ROW.names, L.input, 'input', ['input']);
  D.name(G, ROW.names, L.candidate, 'candidate', ['candidate']);
  D.name(O, ROW.names, L.output, 'output', ['output']);
  if (s) D.key(232, 388, L.keyGate ?? 'gate', L.keyValue ?? 'value', Math.max(1, Math.ceil(cMax)));
  return D.svg(o.title ?? `LSTM: ${L.forget}, ${L.input}, ${L.candidate}, ${L.output}`, 'plot cell-diagram', o.displayScale);
}
