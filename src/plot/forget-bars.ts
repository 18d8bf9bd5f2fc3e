/**
 * What the forget gate keeps and drops at one time step, unit by unit: for each unit a grey
 * bar for the old memory c_{t−1} and on top of it the part that survives, f_t ⊙ c_{t−1}
 * (f = 1 keeps it all, f = 0 drops it all, as the deck puts it). Bars grow up for positive and
 * down for negative values from a shared zero line; the chosen unit is outlined.
 */
import { escapeXml as esc, formatTick as fmt, linearScale, niceTicks } from './axes.js';
import { svg } from './color.js';

export interface ForgetBarsOptions {
  title: string;
  /** c_{t−1} and f_t, one value per unit. */
  cPrev: ArrayLike<number>;
  f: ArrayLike<number>;
  /** Legend texts for the two bars. */
  keptLabel: string;
  droppedLabel: string;
  unitLabel: string;
  /** Unit to outline. */
  unit?: number;
  width?: number;
}

export function forgetBars(o: ForgetBarsOptions): string {
  const n = o.cPrev.length;
  const W = o.width ?? 420, left = 44, right = 12, top = 44, plotH = 120, H = top + plotH + 36;
  let m = 0;
  for (let j = 0; j < n; j++) m = Math.max(m, Math.abs(o.cPrev[j]!));
  m = m || 1;
  const y = linearScale(-m, m, top + plotH, top);
  const bw = (W - left - right) / Math.max(n, 1);
  const p: string[] = [`<text x="${left}" y="16" font-size="13" font-weight="600">${esc(o.title)}</text>`];
  // Legend.
  p.push(`<rect x="${left}" y="24" width="10" height="10" fill="#c8c8c8"/><text x="${left + 14}" y="33" font-size="11">${esc(o.droppedLabel)}</text>`);
  p.push(`<rect x="${left + 150}" y="24" width="10" height="10" fill="#1c5f99"/><text x="${left + 164}" y="33" font-size="11">${esc(o.keptLabel)}</text>`);
  for (const v of niceTicks(-m, m, 4)) {
    p.push(`<line x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${v === 0 ? '#444' : '#eee'}"/>` +
      `<text x="${left - 4}" y="${(y(v) + 3.5).toFixed(1)}" font-size="10" text-anchor="end">${esc(fmt(v))}</text>`);
  }
  const bar = (j: number, v: number, fill: string, inset: number): string => {
    const y0 = y(0), y1 = y(v);
    return `<rect x="${(left + j * bw + inset).toFixed(1)}" y="${Math.min(y0, y1).toFixed(1)}" width="${Math.max(bw - 2 * inset, 1).toFixed(1)}" height="${Math.abs(y1 - y0).toFixed(1)}" fill="${fill}"/>`;
  };
  for (let j = 0; j < n; j++) {
    const c = o.cPrev[j]!, kept = o.f[j]! * c;
    p.push(`<g data-unit="${j}"><title>${j}: c=${fmt(c)}, f=${fmt(o.f[j]!)}, f·c=${fmt(kept)}</title>${bar(j, c, '#c8c8c8', 1)}${bar(j, kept, '#1c5f99', Math.min(3, bw / 5))}</g>`);
    if (j === o.unit) p.push(`<rect x="${(left + j * bw).toFixed(1)}" y="${top}" width="${bw.toFixed(1)}" height="${plotH}" fill="none" stroke="#e8590c" stroke-width="1.5"/>`);
  }
  const every = Math.ceil(16 / bw);
  for (let j = 0; j < n; j += every) p.push(`<text x="${(left + (j + 0.5) * bw).toFixed(1)}" y="${top + plotH + 14}" font-size="10" text-anchor="middle">${j}</text>`);
  p.push(`<text x="${left + (W - left - right) / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${esc(o.unitLabel)}</text>`);
  return svg(W, H, p.join(''));
}
