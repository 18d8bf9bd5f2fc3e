/**
 * The GRU cell in the same picture as the LSTM's (cell-diagram.ts): a GRU has no separate
 * memory cell, so the hidden state itself runs along the top as the belt. PyTorch's equations
 * (the ones the values come from):
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)              reset gate
 *   z = σ(W_iz x + b_iz + W_hz h + b_hz)              update gate
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))      candidate state
 *   h' = (1 − z) ⊙ n + z ⊙ h                           z keeps the old state, 1 − z lets the new in
 * Parts for `highlight`: belt, reset, update, candidate, hidden, inputs. Elements carry data-k
 * (r, z, n, zh, zn, h, hPrev, x) and data-v on values.
 */
import { divergingScale } from './color.js';
import { Diagram, ROW, subscript, type DiagramStyle } from './diagram-parts.js';
import type { DiagramOptions } from './cell-diagram.js';

/** One time step of one GRU direction: vectors over units (x over input features). */
export interface GruStep {
  x: ArrayLike<number>;
  hPrev: ArrayLike<number>;
  r: ArrayLike<number>;
  z: ArrayLike<number>;
  n: ArrayLike<number>;
  h: ArrayLike<number>;
}

export interface GruLabels {
  reset: string;
  update: string;
  /** The candidate state n. */
  newGate: string;
  hidden: string;
  unit: string;
  keyGate?: string;
  keyValue?: string;
}

export interface GruDiagramOptions extends DiagramOptions {
  labels: GruLabels;
  step?: GruStep;
}

export function gruDiagram(o: GruDiagramOptions & DiagramStyle): string {
  const L = o.labels, s = o.step, u = o.unit ?? 0;
  const v = (k: keyof GruStep): number | undefined => (s ? s[k][k === 'x' ? 0 : u] : undefined);
  const DIV = divergingScale(1);
  const D = new Diagram(o);
  const R = 110, Z = 182, M = 254, N = 326, B = ROW.belt, FEED = ROW.feed, TOP = ROW.layerTop, MID = TOP + ROW.layerH / 2;
  const zh = s ? v('z')! * v('hPrev')! : undefined, zn = s ? (1 - v('z')!) * v('n')! : undefined;

  D.frame(o.title, s ? `${L.unit} ${u}` : null);

  // The hidden state is the belt: h_{t−1} → × z → + (1−z)⊙n → h_t.
  D.arrow(`M 2 ${B} L ${Z - 14} ${B}`, 'hPrev', ['belt', 'inputs'], v('hPrev'));
  D.arrow(`M ${Z + 13} ${B} L ${N - 14} ${B}`, 'zh', ['belt', 'update'], zh);
  D.arrow(`M ${N + 13} ${B} L 477 ${B}`, 'h', ['belt', 'hidden'], v('h'));
  D.symbol(4, B - 9, 'h', 't−1', ['belt', 'inputs']);
  D.symbol(476, B - 9, 'h', 't', ['belt', 'hidden'], 'end');
  D.pill(4, B + 8, 'hPrev', ['belt', 'inputs'], v('hPrev'), DIV);
  D.pill(Z + 22, B + 8, 'zh', ['update', 'belt'], zh, DIV);
  D.pill(432, B + 8, 'h', ['belt', 'hidden'], v('h'), DIV);
  D.name(450, B + 44, L.hidden, 'hidden', ['belt', 'hidden'], 56);

  // h_{t−1} also goes down to feed the layers with x_t.
  D.line(`M 60 ${B} L 60 ${FEED} L ${N} ${FEED}`, ['inputs']);
  for (const x of [R, Z, M, N]) D.line(`M ${x} ${FEED} L ${x} ${x === M ? MID + 15 : TOP + ROW.layerH + 2}`, ['inputs'], true);
  D.inputs(v('x'), v('hPrev'), o.inputText, false);

  // Reset gate: r scales the recurrent part of the candidate.
  D.layer(R, 'r', `σ  ${subscript('r', 't')}`, ['reset'], v('r'), false);
  D.arrow(`M ${R} ${TOP - 2} L ${R} 204 L ${M} 204 L ${M} ${MID - 15}`, 'r', ['reset'], v('r'));
  D.op(M, MID, '×', 'mulR', ['reset', 'candidate']);
  D.line(`M ${M + 13} ${MID} L ${N - 34} ${MID}`, ['reset', 'candidate'], true);
  // Update gate: z keeps the old state on the belt, 1 − z lets the candidate in.
  D.layer(Z, 'z', `σ  ${subscript('z', 't')}`, ['update'], v('z'), false);
  D.arrow(`M ${Z} ${TOP - 2} L ${Z} ${B + 13}`, 'z', ['update'], v('z'));
  D.op(Z, B, '×', 'mulZ', ['update', 'belt']);
  D.line(`M ${Z} 150 L ${M - 13} 150`, ['update'], true);
  D.op(M, 150, '1−', 'oneMinusZ', ['update']);
  D.line(`M ${M + 13} 150 L ${N - 13} 150`, ['update'], true);
  // Candidate state n → × (1 − z) → + on the belt.
  D.layer(N, 'n', `tanh ${subscript('n', 't')}`, ['candidate'], v('n'), true);
  D.arrow(`M ${N} ${TOP - 2} L ${N} 163`, 'n', ['candidate'], v('n'));
  D.op(N, 150, '×', 'mulN', ['update', 'candidate']);
  D.arrow(`M ${N} 137 L ${N} ${B + 13}`, 'zn', ['update', 'candidate', 'belt'], zn);
  D.pill(N + 6, 92, 'zn', ['update', 'candidate'], zn, DIV);
  D.op(N, B, '+', 'add', ['update', 'candidate', 'belt']);

  D.name(R, ROW.names, L.reset, 'reset', ['reset']);
  D.name(Z, ROW.names, L.update, 'update', ['update']);
  D.name(N, ROW.names, L.newGate, 'newGate', ['candidate']);
  if (s) D.key(232, 388, L.keyGate ?? 'gate', L.keyValue ?? 'value', 1);
  return D.svg(o.title ?? `GRU: ${L.reset}, ${L.update}, ${L.newGate}`, 'plot cell-diagram gru-diagram', o.displayScale);
}
