/**
 * The font stack of every plot and of the inspect report (web/styles.css repeats it for the
 * explorer): the system's UI font for Latin text, then, for the 繁體中文 labels, a font with
 * Traditional Chinese glyphs on each common system: macOS (PingFang TC, Heiti TC), Windows
 * (Microsoft JhengHei), Linux and ChromeOS (Noto Sans CJK TC from Debian's fonts-noto-cjk,
 * Noto Sans TC, Source Han Sans TC, WenQuanYi Micro Hei). A browser takes each character from the
 * first font in the list that has it, so Latin text keeps the UI font. Names are in single
 * quotes so the stack fits in a double-quoted SVG attribute.
 */
export const FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'PingFang TC', 'Heiti TC', " +
  "'Microsoft JhengHei', 'Noto Sans CJK TC', 'Noto Sans TC', 'Source Han Sans TC', 'WenQuanYi Micro Hei', sans-serif";
