/**
 * Heatmap as hand-written SVG: one coloured cell per (unit, time step), time along x, units
 * down y, a colour bar with ticks on the right, and optionally the input sequence drawn
 * above on the same time axis (a line for numbers, one box per token for text), so a column
 * of the heatmap sits under the input that produced it.
 */
import { escapeXml as esc, formatTick as fmt, linearScale, niceTicks } from './axes.js';
import { colorBar, extent, svg, type ColorScale } from './color.js';

export interface HeatmapOptions {
  title: string;
  /** values[r][c]: row r (a unit, drawn top to bottom), column c (a time step). */
  values: ArrayLike<number>[];
  scale: ColorScale;
  xLabel?: string;
  yLabel?: string;
  /** Label of the colour bar. */
  colorLabel?: string;
  /** Row labels (default the row index). */
  rowLabels?: string[];
  /** The input above the map: numbers (one per column, or several series) or tokens. */
  input?: { label: string; values: number[] | number[][] | string[] };
  /** Column to mark with an outline (e.g. the step shown in the cell diagram). */
  highlight?: number;
  /** Unique prefix for element ids when several plots share one page. */
  id?: string;
  /** A tooltip (SVG title) with the value on every cell. Default true. */
  tooltips?: boolean;
  /** Target plot area size in pixels (cells are clamped to 3..28 px wide, 4..22 px tall). */
  width?: number;
  height?: number;
}

let heatmapCount = 0;

export function heatmap(o: HeatmapOptions): string {
  const rows = o.values.length, cols = rows ? o.values[0]!.length : 0;
  const cw = clamp((o.width ?? 640) / Math.max(cols, 1), 3, 28);
  const ch = clamp((o.height ?? 220) / Math.max(rows, 1), 4, 22);
  const id = o.id ?? `hm${++heatmapCount}`;
  const tokens = o.input && typeof o.input.values[0] === 'string';
  const stripH = o.input ? (tokens ? 22 : 60) : 0;
  // The input strip sits under its own label row (the label can be long: a CSV column name).
  const left = 58, labelRow = o.input ? 14 : 0, top = 28 + (o.input ? labelRow + stripH + 14 : 0), mapW = cols * cw, mapH = rows * ch;
  const W = left + mapW + 80, Hh = top + mapH + 44;
  const parts: string[] = [];
  parts.push(`<text x="${left}" y="16" font-size="13" font-weight="600">${esc(o.title)}</text>`);

  // The input strip, aligned with the columns.
  if (o.input) {
    const y0 = 26 + labelRow;
    if (tokens) {
      const vals = o.input.values as string[];
      for (let c = 0; c < cols; c++) {
        const ch0 = vals[c] ?? '';
        parts.push(`<rect x="${(left + c * cw).toFixed(1)}" y="${y0}" width="${cw.toFixed(1)}" height="${stripH - 4}" fill="#f3f3f3" stroke="#ccc" stroke-width="0.5"/>`);
        if (cw >= 7) parts.push(`<text x="${(left + (c + 0.5) * cw).toFixed(1)}" y="${y0 + 13}" font-size="${Math.min(12, cw)}" text-anchor="middle" font-family="monospace">${esc(ch0 === ' ' ? '␣' : ch0)}</text>`);
      }
    } else {
      const raw = o.input.values as number[] | number[][];
      const series = typeof raw[0] === 'number' ? [raw as number[]] : (raw as number[][]);
      const [lo, hi] = extent(series.flat());
      const ys = linearScale(lo, hi, y0 + stripH - 6, y0 + 4);
      parts.push(`<rect x="${left}" y="${y0}" width="${mapW}" height="${stripH}" fill="none" stroke="#999" stroke-width="0.5"/>`);
      for (const v of [lo, hi]) parts.push(`<text x="${left - 4}" y="${(ys(v) + 3).toFixed(1)}" font-size="9" text-anchor="end">${esc(fmt(v))}</text>`);
      const colours = ['#333', '#d95f02', '#7570b3', '#1b9e77'];
      series.forEach((s, k) => {
        const pts = s.slice(0, cols).map((v, c) => `${(left + (c + 0.5) * cw).toFixed(1)},${ys(v).toFixed(1)}`).join(' ');
        parts.push(`<polyline points="${pts}" fill="none" stroke="${colours[k % colours.length]}" stroke-width="1.3"/>`);
      });
    }
    parts.push(`<text class="input-label" x="${left}" y="${y0 - 4}" font-size="10" fill="#555">${esc(shorten(o.input.label, (mapW + 60) / 5.6))}</text>`);
  }

  // The cells.
  const cells: string[] = [];
  for (let r = 0; r < rows; r++) {
    const row = o.values[r]!;
    for (let c = 0; c < cols; c++) {
      const tip = o.tooltips === false ? '' : `<title>${r},${c}: ${fmt(row[c]!)}</title>`;
      cells.push(`<rect x="${(left + c * cw).toFixed(1)}" y="${(top + r * ch).toFixed(1)}" width="${(cw + 0.3).toFixed(1)}" height="${(ch + 0.3).toFixed(1)}" fill="${o.scale.color(row[c]!)}">${tip}</rect>`);
    }
  }
  parts.push(`<g class="cells" shape-rendering="crispEdges">${cells.join('')}</g>`);
  parts.push(`<rect x="${left}" y="${top}" width="${mapW}" height="${mapH}" fill="none" stroke="#333" stroke-width="0.7"/>`);
  if (o.highlight !== undefined && o.highlight >= 0 && o.highlight < cols) {
    parts.push(`<rect class="highlight" x="${left + o.highlight * cw}" y="${top - 2}" width="${cw}" height="${mapH + 4}" fill="none" stroke="#e8590c" stroke-width="2"/>`);
  }

  // Axes: time ticks below (1-based step numbers), unit labels on the left.
  for (const t of niceTicks(0, Math.max(cols - 1, 0), Math.min(10, cols)).filter(Number.isInteger)) {
    const x = left + (t + 0.5) * cw;
    parts.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${top + mapH}" y2="${top + mapH + 4}" stroke="#333"/>` +
      `<text x="${x.toFixed(1)}" y="${top + mapH + 15}" font-size="10" text-anchor="middle">${t + 1}</text>`);
  }
  const everyRow = Math.ceil(10 / ch);
  for (let r = 0; r < rows; r += everyRow) {
    const label = o.rowLabels?.[r] ?? String(r);
    parts.push(`<text x="${left - 4}" y="${(top + (r + 0.5) * ch + 3.5).toFixed(1)}" font-size="10" text-anchor="end">${esc(label)}</text>`);
  }
  if (o.xLabel) parts.push(`<text x="${left + mapW / 2}" y="${top + mapH + 32}" font-size="11" text-anchor="middle">${esc(o.xLabel)}</text>`);
  if (o.yLabel) parts.push(`<text transform="translate(14,${top + mapH / 2}) rotate(-90)" font-size="11" text-anchor="middle">${esc(o.yLabel)}</text>`);
  parts.push(colorBar(o.scale, left + mapW + 14, top, Math.max(mapH, 60), `${id}-bar`, o.colorLabel ?? ''));
  return svg(W, Math.max(Hh, top + 104), parts.join(''));
}

/** `s` cut to at most `n` characters, with an ellipsis when cut. */
function shorten(s: string, n: number): string {
  const chars = Array.from(s);
  return chars.length <= n ? s : chars.slice(0, Math.max(1, Math.floor(n) - 1)).join('') + '…';
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
