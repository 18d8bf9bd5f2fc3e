/**
 * The plain RNN cell in the same picture as the LSTM's (cell-diagram.ts): the deck's first
 * slide, one repeating module with a single tanh layer, h' = tanh(W_ih x + b_ih + W_hh h +
 * b_hh). Where the LSTM has its conveyor belt there is only a dashed line: no memory cell,
 * everything the network keeps goes through the one tanh at every step. Parts for
 * `highlight`: layer, hidden, inputs, belt. Elements carry data-k (h, hPrev, x) and data-v.
 */
import { divergingScale } from './color.js';
import { Diagram, ROW, subscript } from './diagram-parts.js';
import type { DiagramOptions } from './cell-diagram.js';

/** One time step of one RNN direction: vectors over units (x over input features). */
export interface RnnStep {
  x: ArrayLike<number>;
  hPrev: ArrayLike<number>;
  h: ArrayLike<number>;
}

export interface RnnLabels {
  /** The single layer, e.g. 'tanh layer'. */
  tanhLayer: string;
  hidden: string;
  unit: string;
  /** Written along the dashed line where an LSTM has its belt. */
  noBelt: string;
  keyValue?: string;
}

export interface RnnDiagramOptions extends DiagramOptions {
  labels: RnnLabels;
  step?: RnnStep;
  /** 'tanh' (default) or 'relu', as the layer's nonlinearity. */
  nonlinearity?: 'tanh' | 'relu';
}

export function rnnDiagram(o: RnnDiagramOptions): string {
  const L = o.labels, s = o.step, u = o.unit ?? 0;
  const v = (k: keyof RnnStep): number | undefined => (s ? s[k][k === 'x' ? 0 : u] : undefined);
  const DIV = divergingScale(1);
  const D = new Diagram(o);
  const C = 254, B = ROW.belt, FEED = ROW.feed, TOP = ROW.layerTop;
  const fn = o.nonlinearity ?? 'tanh';

  D.frame(o.title, s ? `${L.unit} ${u}` : null);
  // No conveyor belt.
  D.line(`M 52 ${B} L 412 ${B}`, ['belt']);
  D.raw(`<path d="M 52 ${B} L 412 ${B}" stroke="#eef3f9" stroke-width="2" stroke-dasharray="2,7"/>`);
  D.name(232, B + 20, L.noBelt, 'noBelt', ['belt'], 340, '#555');

  // [h_{t−1}, x_t] → the one layer → h_t.
  D.arrow(`M 2 ${FEED} L ${C} ${FEED} L ${C} ${TOP + ROW.layerH + 2}`, 'hPrev', ['inputs'], v('hPrev'));
  D.inputs(v('x'), v('hPrev'), o.inputText, true);
  D.layer(C, 'h', `${fn} ${subscript('h', 't')}`, ['layer'], v('h'), true);
  D.arrow(`M ${C} ${TOP - 2} L ${C} 150 L 477 150`, 'h', ['layer', 'hidden'], v('h'));
  D.symbol(476, 142, 'h', 't', ['hidden'], 'end');
  D.pill(432, 158, 'h', ['hidden'], v('h'), DIV);
  D.name(450, 194, L.hidden, 'hidden', ['hidden'], 56);
  D.name(C, ROW.names, L.tanhLayer, 'tanhLayer', ['layer']);
  if (s) D.key(232, 388, null, L.keyValue ?? 'value', 1);
  return D.svg(o.title ?? `RNN: ${L.tanhLayer}`, 'plot cell-diagram rnn-diagram', o.displayScale);
}
