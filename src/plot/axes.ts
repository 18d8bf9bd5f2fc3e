/**
 * Axis helpers shared by the SVG charts: "nice" tick values (1, 2, 5 × 10^k steps, as d3 and
 * matplotlib choose them), linear scales from data to pixels, tick label formatting and the
 * SVG for a framed plot area with ticks, grid lines and axis titles. Plain strings, no DOM.
 */

/** A plot area inside an SVG of `width`×`height`: left/top/right/bottom margins in pixels. */
export interface Frame {
  width: number;
  height: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Escape text for SVG content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** About `count` round tick values covering [lo, hi]: steps of 1, 2 or 5 × 10^k. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

/** Extend [lo, hi] outwards to whole tick steps (so lines do not touch the frame). */
export function niceDomain(lo: number, hi: number, count = 5): [number, number] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi === lo) return [lo - 1, hi + 1];
  const t = niceTicks(lo, hi, count);
  const step = t.length > 1 ? t[1]! - t[0]! : hi - lo;
  return [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step];
}

/** Linear map from [d0, d1] to [r0, r1]. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** Short tick label: integers plainly, else up to 3 significant decimals, large/small values in exponent form. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(1).replace('e+', 'e');
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(3)));
}

/**
 * SVG for the frame: light grid lines at the ticks, tick labels, the axis lines and titles.
 * `xLabels` replaces x tick texts (e.g. dates) by value.
 */
export function axesSvg(
  frame: Frame,
  x: { domain: [number, number]; ticks: number[]; label?: string; tickText?: (v: number) => string },
  y: { domain: [number, number]; ticks: number[]; label?: string; tickText?: (v: number) => string },
): string {
  const { width, height, left, top, right, bottom } = frame;
  const x0 = left;
  const x1 = width - right;
  const y0 = height - bottom;
  const y1 = top;
  const sx = linearScale(x.domain[0], x.domain[1], x0, x1);
  const sy = linearScale(y.domain[0], y.domain[1], y0, y1);
  const xt = x.tickText ?? formatTick;
  const yt = y.tickText ?? formatTick;
  const parts: string[] = [`<g class="axes" font-size="11" fill="#444">`];
  for (const v of y.ticks) {
    const py = sy(v).toFixed(1);
    parts.push(`<line x1="${x0}" x2="${x1}" y1="${py}" y2="${py}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${x0 - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${escapeXml(yt(v))}</text>`);
  }
  for (const v of x.ticks) {
    const px = sx(v).toFixed(1);
    parts.push(`<line x1="${px}" x2="${px}" y1="${y0}" y2="${y0 + 4}" stroke="#444"/>`);
    parts.push(`<text x="${px}" y="${y0 + 16}" text-anchor="middle">${escapeXml(xt(v))}</text>`);
  }
  parts.push(`<path d="M${x0},${y1}V${y0}H${x1}" fill="none" stroke="#444"/>`);
  if (x.label) parts.push(`<text x="${(x0 + x1) / 2}" y="${height - 6}" text-anchor="middle" font-size="12">${escapeXml(x.label)}</text>`);
  if (y.label) {
    const cy = (y0 + y1) / 2;
    parts.push(`<text transform="translate(14,${cy}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(y.label)}</text>`);
  }
  parts.push('</g>');
  return parts.join('\n');
}
