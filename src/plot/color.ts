/**
 * Colour for the gate plots: a sequential scale for values in [0, 1] (gates: viridis) and a
 * diverging one for [−1, 1] (candidate cell, hidden state, cell state: ColorBrewer RdBu, blue
 * negative, white 0, red positive), a colour bar legend, plus the SVG root wrapper the heatmap
 * and cell diagram share. Ticks, scales and escaping come from axes.ts (the line charts' helpers).
 */
import { escapeXml as esc, formatTick as fmt, linearScale, niceTicks } from './axes.js';
import { FONT_STACK } from './fonts.js';

/** Wrap SVG content in a root element with a white background and a default font. */
export function svg(width: number, height: number, body: string, cls = 'plot'): string {
  const w = Math.ceil(width), h = Math.ceil(height);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="${cls}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ` +
    `font-family="${FONT_STACK}">` +
    `<rect width="100%" height="100%" fill="#fff"/>${body}</svg>`;
}

/** The [min, max] of some numbers (ignoring non-finite ones); [0, 1] if there are none. */
export function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

type Rgb = [number, number, number];

// Viridis at 9 evenly spaced points (perceptually uniform, readable in grey and by most colour-blind readers).
const VIRIDIS: Rgb[] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];
// ColorBrewer RdBu (11 classes), from −1 (dark blue) through white to +1 (dark red).
const RDBU: Rgb[] = [
  [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
  [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
];

function ramp(stops: Rgb[], t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const k = Math.min(stops.length - 2, Math.floor(x)), u = x - k;
  const [a, b] = [stops[k]!, stops[k + 1]!];
  const c = a.map((v, j) => Math.round(v + (b[j]! - v) * u));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** A colour scale: a domain and a function from value to CSS colour. */
export interface ColorScale {
  kind: 'sequential' | 'diverging';
  domain: [number, number];
  color(v: number): string;
}

/** Sequential scale (viridis) for values in `domain`, default [0, 1]: gate activations. */
export function sequentialScale(domain: [number, number] = [0, 1]): ColorScale {
  const s = linearScale(domain[0], domain[1], 0, 1);
  return { kind: 'sequential', domain, color: (v) => ramp(VIRIDIS, s(v)) };
}

/** Diverging scale (RdBu) symmetric around 0 with limit m, default 1: values in [−m, m]. */
export function divergingScale(m = 1): ColorScale {
  const lim = m > 0 ? m : 1;
  return { kind: 'diverging', domain: [-lim, lim], color: (v) => ramp(RDBU, (v / lim + 1) / 2) };
}

/** Black or white, whichever reads better on a background colour `#rrggbb`. */
export function textOn(bg: string): string {
  const n = parseInt(bg.slice(1), 16);
  const lum = 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  return lum > 140 ? '#111' : '#fff';
}

/**
 * A vertical colour bar with ticks, as an SVG group at (x, y) of the given height. Uses a
 * linear gradient with an id unique to `id`.
 */
export function colorBar(scale: ColorScale, x: number, y: number, height: number, id: string, label = ''): string {
  const [d0, d1] = scale.domain;
  const stops: string[] = [];
  for (let k = 0; k <= 10; k++) {
    const v = d1 - ((d1 - d0) * k) / 10; // top is the high end
    stops.push(`<stop offset="${k * 10}%" stop-color="${scale.color(v)}"/>`);
  }
  const ys = linearScale(d0, d1, y + height, y);
  const ticks = niceTicks(d0, d1, 4).map((v) =>
    `<line x1="${x + 12}" x2="${x + 15}" y1="${ys(v).toFixed(1)}" y2="${ys(v).toFixed(1)}" stroke="#333"/>` +
    `<text x="${x + 17}" y="${(ys(v) + 3.5).toFixed(1)}" font-size="10">${esc(fmt(v))}</text>`).join('');
  const lab = label
    ? `<text transform="translate(${x + 50},${y + height / 2}) rotate(90)" text-anchor="middle" font-size="11">${esc(label)}</text>`
    : '';
  return `<g class="colorbar"><defs><linearGradient id="${esc(id)}" x1="0" x2="0" y1="0" y2="1">${stops.join('')}</linearGradient></defs>` +
    `<rect x="${x}" y="${y}" width="12" height="${height}" fill="url(#${esc(id)})" stroke="#333" stroke-width="0.5"/>${ticks}${lab}</g>`;
}
