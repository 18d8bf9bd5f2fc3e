/**
 * Line charts as standalone SVG strings: several named series on shared axes with nice ticks,
 * axis titles, a legend and a colour-blind-safe palette (Okabe–Ito). Used for forecast plots
 * (history, hold-out, forecast) and training curves. `logY` draws the y axis in powers of
 * ten (a loss that falls from 1 to 10⁻⁴ stays readable). Hand-written SVG, no dependencies.
 */
import { axesSvg, escapeXml, formatTick, linearScale, niceDomain, niceTicks, type Frame } from './axes.js';
import { FONT_STACK } from './fonts.js';

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** CSS colour. Default: the next palette colour. */
  color?: string;
  /** Dashed line (e.g. a baseline or forecast). */
  dashed?: boolean;
}

export interface LineChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  series: LineSeries[];
  /** Pixels. Default 720. */
  width?: number;
  /** Pixels. Default 360. */
  height?: number;
  /** Text for an x tick value (e.g. a date for an index). Default: the number. */
  xTickText?: (v: number) => string;
  /** Draw a vertical marker line at these x values (e.g. where the hold-out starts). */
  markers?: Array<{ x: number; label?: string }>;
  /** A logarithmic y axis (ticks at powers of ten); values ≤ 0 break the line. Default false. */
  logY?: boolean;
  /** Values the y axis must cover besides the data's (e.g. to give charts side by side one scale). */
  yRange?: [number, number];
}

/**
 * Render `series` as an SVG line chart string. Points with a non-finite x or y break the line
 * (they are not drawn as zero).
 */
export function lineChart(opts: LineChartOptions): string {
  const width = opts.width ?? 720;
  const height = opts.height ?? 360;
  const frame: Frame = { width, height, left: 64, top: opts.title ? 36 : 16, right: 16, bottom: 44 };
  // On a log axis every y is drawn at log10(y); y ≤ 0 has no place there and breaks the line.
  const ty = opts.logY ? (y: number): number => (y > 0 ? Math.log10(y) : NaN) : (y: number): number => y;
  let xmin = Infinity, xmax = -Infinity, ymin = Infinity, ymax = -Infinity;
  for (const s of opts.series) {
    if (s.x.length !== s.y.length) throw new RangeError(`lineChart: series "${s.name}" has ${s.x.length} x values but ${s.y.length} y values`);
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i]!, y = ty(s.y[i]!);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      xmin = Math.min(xmin, x); xmax = Math.max(xmax, x);
      ymin = Math.min(ymin, y); ymax = Math.max(ymax, y);
    }
  }
  for (const v of opts.yRange ?? []) {
    const y = ty(v);
    if (Number.isFinite(y)) { ymin = Math.min(ymin, y); ymax = Math.max(ymax, y); }
  }
  if (xmin > xmax) { xmin = 0; xmax = 1; }
  if (ymin > ymax) { ymin = 0; ymax = 1; }
  const xd: [number, number] = xmin === xmax ? [xmin - 1, xmax + 1] : [xmin, xmax];
  const yd: [number, number] = opts.logY ? [Math.floor(ymin), Math.max(Math.ceil(ymax), Math.floor(ymin) + 1)] : niceDomain(ymin, ymax);
  const sx = linearScale(xd[0], xd[1], frame.left, width - frame.right);
  const sy = linearScale(yd[0], yd[1], height - frame.bottom, frame.top);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_STACK}">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
  ];
  // A long title shrinks to fit the width (down to 10 px) rather than running off both sides.
  const titleSize = opts.title ? Math.max(10, Math.min(14, (width - 8) / (0.62 * Array.from(opts.title).length))) : 14;
  if (opts.title) parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="${titleSize.toFixed(1)}" font-weight="600">${escapeXml(opts.title)}</text>`);
  const xAxis: Parameters<typeof axesSvg>[1] = { domain: xd, ticks: niceTicks(xd[0], xd[1], 8) };
  if (opts.xLabel) xAxis.label = opts.xLabel;
  if (opts.xTickText) xAxis.tickText = opts.xTickText;
  const yAxis: Parameters<typeof axesSvg>[2] = opts.logY
    ? { domain: yd, ticks: decades(yd, 6), tickText: powerOfTen }
    : { domain: yd, ticks: niceTicks(yd[0], yd[1], 5) };
  if (opts.yLabel) yAxis.label = opts.yLabel;
  parts.push(axesSvg(frame, xAxis, yAxis));
  for (const m of opts.markers ?? []) {
    const px = sx(m.x).toFixed(1);
    parts.push(`<line x1="${px}" x2="${px}" y1="${frame.top}" y2="${height - frame.bottom}" stroke="#999" stroke-dasharray="2,3"/>`);
    // Label left of the line, so a marker near the right edge stays readable; right of it when there is no room on the left.
    const right = m.label !== undefined && Number(px) - 4 - 6.2 * m.label.length < frame.left;
    if (m.label) parts.push(`<text x="${Number(px) + (right ? 4 : -4)}" y="${height - frame.bottom - 6}" text-anchor="${right ? 'start' : 'end'}" font-size="11" fill="#666">${escapeXml(m.label)}</text>`);
  }
  opts.series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length]!;
    let d = '';
    let pen = false;
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i]!, y = ty(s.y[i]!);
      if (!Number.isFinite(x) || !Number.isFinite(y)) { pen = false; continue; }
      d += `${pen ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`;
      pen = true;
    }
    const dash = s.dashed ? ' stroke-dasharray="6,4"' : '';
    parts.push(`<path d="${d}" fill="none" stroke="${escapeXml(color)}" stroke-width="1.6"${dash}><title>${escapeXml(s.name)}</title></path>`);
  });
  // Legend: top-left inside the plot area, one row per series.
  const lx = frame.left + 10;
  let ly = frame.top + 8;
  const legendW = 24 + 7 * Math.max(...opts.series.map((s) => s.name.length), 1);
  parts.push(`<g class="legend" font-size="11"><rect x="${lx - 6}" y="${ly - 6}" width="${legendW}" height="${opts.series.length * 16 + 6}" fill="#fff" fill-opacity="0.85" stroke="#ddd"/>`);
  opts.series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length]!;
    const dash = s.dashed ? ' stroke-dasharray="6,4"' : '';
    parts.push(`<line x1="${lx}" x2="${lx + 16}" y1="${ly + 5}" y2="${ly + 5}" stroke="${escapeXml(color)}" stroke-width="2"${dash}/><text x="${lx + 22}" y="${ly + 9}">${escapeXml(s.name)}</text>`);
    ly += 16;
  });
  parts.push('</g>', '</svg>');
  return parts.join('\n') + '\n';
}

/** Whole powers of ten over [lo, hi] (exponents), every k-th so that there are at most `max`. */
function decades([lo, hi]: [number, number], max: number): number[] {
  const every = Math.ceil((hi - lo + 1) / max);
  const out: number[] = [];
  for (let k = hi; k >= lo; k -= every) out.unshift(k);
  return out;
}

/** 10^k as a tick label: plain for 0.001..1000, else 10 with a superscript exponent. */
function powerOfTen(k: number): string {
  if (k >= -3 && k <= 3) return formatTick(10 ** k);
  const sup: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };
  return '10' + String(k).replace(/./g, (c) => sup[c] ?? c);
}
