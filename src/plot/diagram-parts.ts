/**
 * The drawing pieces the LSTM, GRU and RNN cell diagrams share (one canvas, 480×400 user
 * units, the deck's picture): arrows that carry values (their width follows the value), the
 * pink pointwise operations, the yellow layer boxes (σ or tanh, filled with the colour of the
 * value they output), value pills, part names, and a colour key. Every piece names the
 * diagram parts it belongs to (e.g. 'forget', 'belt'); a diagram drawn with `highlight`
 * keeps those parts at full strength, outlines their layer boxes and fades the rest, so a
 * lesson can point at one part without relying on colour. Pieces with a tooltip text get an
 * SVG <title>. Elements carry data-k (which quantity), values data-v, names data-label.
 */
import { escapeXml as esc } from './axes.js';
import { divergingScale, sequentialScale, textOn, type ColorScale } from './color.js';
import { FONT_STACK } from './fonts.js';

/** The canvas every cell diagram is drawn on (user units; the page scales it). */
export const CANVAS = { width: 480, height: 400 };
/** Rows of the picture: the belt on top, the layer boxes, the feed line [h_{t−1}, x_t]. */
export const ROW = { belt: 64, layerTop: 230, layerH: 52, feed: 322, names: 346 };
export const BOX_W = 64;

export const GATE_SCALE = sequentialScale();

let diagramCount = 0;

export interface DiagramStyle {
  /** Parts to emphasise; everything else is faded. Absent: nothing faded. */
  highlight?: readonly string[];
  /** Tooltip text by data-k. */
  tips?: Partial<Record<string, string>>;
}

/** A diagram being drawn: collects SVG pieces, applying highlight and tooltips. */
export class Diagram {
  readonly id = `cd${++diagramCount}`;
  private readonly out: string[] = [];
  private readonly hl: Set<string> | null;
  private readonly tips: Partial<Record<string, string>>;

  constructor(style: DiagramStyle) {
    this.hl = style.highlight && style.highlight.length > 0 ? new Set(style.highlight) : null;
    this.tips = style.tips ?? {};
    this.out.push(`<defs><marker id="${this.id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>`);
  }

  /** True if a piece of these parts is emphasised (or nothing is highlighted). */
  on(parts: readonly string[]): boolean {
    return this.hl === null || parts.some((p) => this.hl!.has(p));
  }

  private attrs(parts: readonly string[]): string {
    return ` data-part="${parts.join(' ')}"${this.on(parts) ? '' : ' opacity="0.22"'}`;
  }

  private tip(k: string, value?: number): string {
    const t = this.tips[k];
    if (!t) return '';
    return `<title>${esc(value === undefined ? t : `${t} (${fmt2(value)})`)}</title>`;
  }

  raw(s: string): void {
    this.out.push(s);
  }

  /** The title, the module's rounded box, and (with values) the caption naming the unit shown. */
  frame(title: string | undefined, unitCaption: string | null): void {
    if (title) this.out.push(`<text x="4" y="15" font-size="13" font-weight="600">${esc(title)}</text>`);
    this.out.push(`<rect x="52" y="34" width="360" height="300" rx="14" fill="#eef3f9" stroke="#7d99b8"/>`);
    if (unitCaption !== null) this.out.push(`<text x="60" y="50" font-size="11" fill="#555">${esc(unitCaption)}</text>`);
  }

  /**
   * x_t coming up from below into the feed line (arrow, symbol, and its value, or for text input
   * the token), and, when `hPrevAtFeed`, h_{t−1}'s symbol and value at the feed line's left end.
   */
  inputs(x: number | undefined, hPrev: number | undefined, inputText: string | undefined, hPrevAtFeed: boolean): void {
    const DIV = divergingScale(1), FEED = ROW.feed;
    this.arrow(`M 70 398 L 70 ${FEED + 2}`, 'x', ['inputs'], x);
    this.symbol(78, 394, 'x', 't', ['inputs']);
    if (inputText !== undefined) this.pill(18, FEED + 40, 'x', ['inputs'], undefined, null, inputText);
    else this.pill(18, FEED + 40, 'x', ['inputs'], x, DIV);
    if (!hPrevAtFeed) return;
    this.symbol(4, FEED - 8, 'h', 't−1', ['inputs']);
    this.pill(4, FEED + 6, 'hPrev', ['inputs'], hPrev, DIV);
  }

  /** An arrow carrying quantity k; its width grows with |value| / max. */
  arrow(d: string, k: string, parts: readonly string[], value?: number, max = 1, colour = '#444'): void {
    const w = value === undefined ? 2 : 1.2 + 4 * Math.min(1, Math.abs(value) / max);
    this.out.push(`<path class="flow" data-k="${k}" d="${d}" fill="none" stroke="${colour}" stroke-width="${w.toFixed(2)}" stroke-linejoin="round" marker-end="url(#${this.id}-arrow)"${this.attrs(parts)}/>`);
  }

  /** A plain connector (no value of its own). */
  line(d: string, parts: readonly string[], arrowHead = false): void {
    this.out.push(`<path d="${d}" fill="none" stroke="#444" stroke-width="1.6"${arrowHead ? ` marker-end="url(#${this.id}-arrow)"` : ''}${this.attrs(parts)}/>`);
  }

  /** A pointwise operation (× + tanh 1−) in a pink circle. */
  op(x: number, y: number, sym: string, k: string, parts: readonly string[]): void {
    const strong = this.hl !== null && this.on(parts);
    this.out.push(`<g class="op" data-k="${k}"${this.attrs(parts)}>${this.tip(k)}<circle cx="${x}" cy="${y}" r="13" fill="#f8c9d4" stroke="${strong ? '#000' : '#b0455f'}" stroke-width="${strong ? 2.5 : 1}"/>` +
      `<text x="${x}" y="${y + (sym.length > 1 ? 4 : 5.5)}" text-anchor="middle" font-size="${sym.length > 1 ? 10 : 16}">${esc(sym)}</text></g>`);
  }

  /**
   * A layer box centred at cx: the activation and symbol on top (`fn`, SVG markup), the
   * chosen unit's value below it, filled with the value's colour (gates: the sequential
   * scale; tanh layers: the diverging one).
   */
  layer(cx: number, k: string, fn: string, parts: readonly string[], value: number | undefined, tanh: boolean): void {
    const fill = value === undefined ? '#ffe79a' : tanh ? divergingScale(1).color(value) : GATE_SCALE.color(value);
    const tc = value === undefined ? '#111' : textOn(fill);
    const strong = this.hl !== null && this.on(parts);
    const x = cx - BOX_W / 2, y = ROW.layerTop;
    let s = `<g class="layer" data-k="${k}"${this.attrs(parts)}>${this.tip(k, value)}` +
      `<rect x="${x}" y="${y}" width="${BOX_W}" height="${ROW.layerH}" rx="5" fill="${fill}" stroke="${strong ? '#000' : '#a07c00'}" stroke-width="${strong ? 3 : 1}"/>` +
      `<text x="${cx}" y="${y + 19}" text-anchor="middle" font-size="13" fill="${tc}">${fn}</text>`;
    if (value !== undefined) s += `<text class="value" data-k="${k}" data-v="${k}" x="${cx}" y="${y + 42}" text-anchor="middle" font-size="15" font-weight="700" fill="${tc}">${esc(fmt2(value))}</text>`;
    this.out.push(s + '</g>');
  }

  /** A value pill (rounded box with the number) with its top-left corner at (x, y). */
  pill(x: number, y: number, k: string, parts: readonly string[], value: number | undefined, scale: ColorScale | null, text?: string): void {
    if (value === undefined && text === undefined) return;
    const bg = scale && value !== undefined ? scale.color(value) : '#f3f3f3';
    const shown = text ?? fmt2(value!);
    // The fade sits on an outer group: a page may animate the pill's own opacity as it appears.
    this.out.push(`<g${this.attrs(parts)}><g class="value" data-k="${k}">${this.tip(k, value)}<rect x="${x}" y="${y}" width="44" height="18" rx="9" fill="${bg}" stroke="#333" stroke-width="0.6"/>` +
      `<text data-v="${k}" x="${x + 22}" y="${y + 13.5}" text-anchor="middle" font-size="13"${text !== undefined ? ' font-family="ui-monospace, monospace"' : ''} fill="${textOn(bg)}">${esc(shown)}</text></g></g>`);
  }

  /** A symbol like c_{t−1}: `base` with a subscript. */
  symbol(x: number, y: number, base: string, sub: string, parts: readonly string[], anchor: 'start' | 'end' = 'start'): void {
    this.out.push(`<text x="${x}" y="${y}" font-size="15" font-style="italic" text-anchor="${anchor}"${this.attrs(parts)}>${esc(base)}<tspan dy="4" font-size="10">${esc(sub)}</tspan></text>`);
  }

  /** A part's name, centred at x, wrapped to `width` (English at spaces, CJK by characters). */
  name(x: number, y: number, text: string, key: string, parts: readonly string[], width = BOX_W + 8, colour = '#222'): void {
    const lines = wrapText(text, width, 12);
    const tsp = lines.map((ln, j) => `<tspan x="${x}" dy="${j ? 14 : 0}">${esc(ln)}${j < lines.length - 1 && !isCjk(ln) ? ' ' : ''}</tspan>`).join('');
    this.out.push(`<text class="label" data-label="${key}" x="${x}" y="${y}" text-anchor="middle" font-size="12" fill="${colour}"${this.attrs(parts)}>${tsp}</text>`);
  }

  /**
   * The colour key along the bottom: the gates' scale 0..1 (left out when `gateLabel` is
   * null) and the values' scale −m..m, each a small horizontal bar with its end values.
   */
  key(x: number, y: number, gateLabel: string | null, valueLabel: string, valueMax: number): void {
    const bar = (bx: number, label: string, scale: ColorScale, lo: string, hi: string, id: string): string => {
      const stops = Array.from({ length: 11 }, (_, i) => {
        const v = scale.domain[0] + ((scale.domain[1] - scale.domain[0]) * i) / 10;
        return `<stop offset="${i * 10}%" stop-color="${scale.color(v)}"/>`;
      }).join('');
      return `<defs><linearGradient id="${id}">${stops}</linearGradient></defs>` +
        `<text x="${bx}" y="${y + 9}" font-size="11" text-anchor="end">${esc(label)}</text>` +
        `<text x="${bx + 4}" y="${y + 9}" font-size="10">${esc(lo)}</text>` +
        `<rect x="${bx + 10 + 6 * lo.length}" y="${y}" width="56" height="10" fill="url(#${id})" stroke="#333" stroke-width="0.5"/>` +
        `<text x="${bx + 70 + 6 * lo.length}" y="${y + 9}" font-size="10">${esc(hi)}</text>`;
    };
    const m = fmt2(valueMax).replace(/\.?0+$/, '');
    this.out.push(`<g class="key">${gateLabel === null ? '' : bar(x, gateLabel, GATE_SCALE, '0', '1', `${this.id}-kg`)}` +
      `${bar(x + 150, valueLabel, divergingScale(valueMax), `−${m}`, m, `${this.id}-kv`)}</g>`);
  }

  /** The finished SVG; `displayScale` sets its width/height attributes (the viewBox stays the canvas). */
  svg(title: string, cls: string, displayScale = 1): string {
    const w = CANVAS.width, h = CANVAS.height;
    return `<svg xmlns="http://www.w3.org/2000/svg" class="${cls}" width="${Math.round(w * displayScale)}" height="${Math.round(h * displayScale)}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(title)}" ` +
      `font-family="${FONT_STACK}">` +
      `<title>${esc(title)}</title><rect width="100%" height="100%" fill="#fff"/>${this.out.join('')}</svg>`;
  }
}

/** A symbol with a subscript, as SVG text content (for a layer box's `fn`). */
export function subscript(base: string, s: string): string {
  return `${base}<tspan dy="3" font-size="9">${s}</tspan>`;
}

/** Two decimals (values of gates and states are small); large values in short form. */
export function fmt2(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toPrecision(3) : v.toFixed(2).replace(/^-/, '−');
}

function isCjk(s: string): boolean {
  return /[\u2e80-\u9fff\uf900-\ufaff]/.test(s);
}

/** Estimated width of text at a font size (Latin ≈ 0.56 em, CJK 1 em): enough for wrapping labels. */
export function textWidth(s: string, size: number): number {
  let w = 0;
  for (const ch of s) w += isCjk(ch) ? size : ch === ' ' ? 0.3 * size : 0.56 * size;
  return w;
}

/** Lines of `text` no wider than `width` at `size` (English breaks at spaces, CJK anywhere). */
export function wrapText(text: string, width: number, size: number): string[] {
  if (textWidth(text, size) <= width) return [text];
  if (isCjk(text) && !text.includes(' ')) {
    const per = Math.max(1, Math.floor(width / size));
    const chars = Array.from(text), n = Math.ceil(chars.length / per), each = Math.ceil(chars.length / n);
    return Array.from({ length: n }, (_, i) => chars.slice(i * each, (i + 1) * each).join(''));
  }
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(' ')) {
    const next = cur ? `${cur} ${word}` : word;
    if (cur && textWidth(next, size) > width) {
      lines.push(cur);
      cur = word;
    } else cur = next;
  }
  if (cur) lines.push(cur);
  return lines;
}

/** The colour scale of a state (cell or hidden) whose values reach `m`: diverging, at least [−1, 1]. */
export function stateScale(m: number): ColorScale {
  return divergingScale(Math.max(1, m));
}
