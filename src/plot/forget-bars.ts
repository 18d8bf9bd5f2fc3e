/**
 * What the forget gate keeps and drops at one time step, unit by unit, in two panels on the
 * same unit axis: on top the gate itself, f_t per unit on its own 0..1 axis (1 keeps, 0
 * drops, as the deck puts it); below, the memory it acts on, a grey bar for the old memory
 * c_{t−1} and on top of it the part that survives, f_t ⊙ c_{t−1} (growing up for positive and
 * down for negative values from a shared zero line). The chosen unit is outlined. Unit numbers
 * are thinned to a round step (1, 2, 5, 10, ...) so they never overlap, whatever the count.
 */
import { escapeXml as esc, formatTick as fmt, linearScale, niceTicks } from './axes.js';
import { sequentialScale, svg } from './color.js';

export interface ForgetBarsOptions {
  title: string;
  /** c_{t−1} and f_t, one value per unit. */
  cPrev: ArrayLike<number>;
  f: ArrayLike<number>;
  /** Legend texts for the two bars of the lower panel. */
  keptLabel: string;
  droppedLabel: string;
  unitLabel: string;
  /** Axis title of the upper panel (f_t); default 'fₜ'. */
  fLabel?: string;
  /** Unit to outline. */
  unit?: number;
  width?: number;
}

const SEQ = sequentialScale();

export function forgetBars(o: ForgetBarsOptions): string {
  const n = o.cPrev.length;
  const W = o.width ?? 420, left = 44, right = 12;
  const fTop = 44, fH = 56, cTop = fTop + fH + 34, cH = 110, H = cTop + cH + 36;
  let m = 0;
  for (let j = 0; j < n; j++) m = Math.max(m, Math.abs(o.cPrev[j]!));
  m = m || 1;
  const yf = linearScale(0, 1, fTop + fH, fTop);
  const yc = linearScale(-m, m, cTop + cH, cTop);
  const bw = (W - left - right) / Math.max(n, 1);
  const p: string[] = [`<text x="4" y="16" font-size="13" font-weight="600">${esc(o.title)}</text>`];

  // Upper panel: f_t per unit on 0..1.
  p.push(`<text x="${left}" y="${fTop - 8}" font-size="11">${esc(o.fLabel ?? 'fₜ')}</text>`);
  for (const v of [0, 0.5, 1]) {
    p.push(`<line x1="${left}" x2="${W - right}" y1="${yf(v).toFixed(1)}" y2="${yf(v).toFixed(1)}" stroke="${v === 0 ? '#444' : '#eee'}"/>` +
      `<text x="${left - 4}" y="${(yf(v) + 3.5).toFixed(1)}" font-size="10" text-anchor="end">${v}</text>`);
  }
  // Lower panel: c_{t−1} and what survives of it; legend above.
  p.push(`<rect x="${left}" y="${cTop - 22}" width="10" height="10" fill="#c8c8c8"/><text x="${left + 14}" y="${cTop - 13}" font-size="11">${esc(o.droppedLabel)}</text>`);
  const keptX = left + Math.max(130, 16 + 6.2 * o.droppedLabel.length);
  p.push(`<rect x="${keptX}" y="${cTop - 22}" width="10" height="10" fill="#1c5f99"/><text x="${keptX + 14}" y="${cTop - 13}" font-size="11">${esc(o.keptLabel)}</text>`);
  for (const v of niceTicks(-m, m, 4)) {
    p.push(`<line x1="${left}" x2="${W - right}" y1="${yc(v).toFixed(1)}" y2="${yc(v).toFixed(1)}" stroke="${v === 0 ? '#444' : '#eee'}"/>` +
      `<text x="${left - 4}" y="${(yc(v) + 3.5).toFixed(1)}" font-size="10" text-anchor="end">${esc(fmt(v))}</text>`);
  }
  const bar = (j: number, y: (v: number) => number, v: number, fill: string, inset: number): string => {
    const y0 = y(0), y1 = y(v);
    return `<rect x="${(left + j * bw + inset).toFixed(1)}" y="${Math.min(y0, y1).toFixed(1)}" width="${Math.max(bw - 2 * inset, 0.8).toFixed(1)}" height="${Math.abs(y1 - y0).toFixed(1)}" fill="${fill}"/>`;
  };
  for (let j = 0; j < n; j++) {
    const c = o.cPrev[j]!, f = o.f[j]!, kept = f * c;
    const inset = Math.min(1, bw / 6);
    p.push(`<g data-unit="${j}"><title>${j}: f=${fmt(f)}, c=${fmt(c)}, f·c=${fmt(kept)}</title>` +
      `${bar(j, yf, f, SEQ.color(f), inset)}${bar(j, yc, c, '#c8c8c8', inset)}${bar(j, yc, kept, '#1c5f99', Math.min(3, bw / 5))}</g>`);
    if (j === o.unit) {
      for (const [top, h] of [[fTop, fH], [cTop, cH]] as const) {
        p.push(`<rect x="${(left + j * bw).toFixed(1)}" y="${top - 2}" width="${bw.toFixed(1)}" height="${h + 4}" fill="none" stroke="#e8590c" stroke-width="1.5"/>`);
      }
    }
  }
  const every = labelStep(bw, String(Math.max(n - 1, 0)).length);
  for (let j = 0; j < n; j += every) p.push(`<text x="${(left + (j + 0.5) * bw).toFixed(1)}" y="${cTop + cH + 14}" font-size="10" text-anchor="middle">${j}</text>`);
  p.push(`<text x="${left + (W - left - right) / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${esc(o.unitLabel)}</text>`);
  return svg(W, H, p.join(''));
}

/** The smallest round step (1, 2, 5, 10, 20, ...) whose labels of `digits` digits do not overlap at `bw` px per unit. */
export function labelStep(bw: number, digits: number): number {
  const need = 6.5 * digits + 6;
  for (let k = 1; ; k *= 10) for (const s of [1, 2, 5]) if (s * k * bw >= need) return s * k;
}
