/**
 * FormatError: the one error type every file loader throws for malformed input (safetensors,
 * model files, ONNX, TF.js, CSV, text). It names the file and what is wrong, so a user can tell
 * a corrupt download from a bug: `model.safetensors: header length 1000000000 is past the end
 * of the file (123 bytes)`.
 *
 * Messages often quote the file's own content (a cell, a layer name, a token), which is
 * untrusted: `quote` cuts it short, and every message has its control characters escaped
 * (`printable`), so an error can neither flood the terminal nor send it escape sequences.
 */

/** Longest message a FormatError keeps (the rest is cut with "…"). */
const MAX_MESSAGE = 2000;

// C0 controls, DEL, C1 controls, and the bidirectional overrides that reorder what a terminal shows.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_KEEP_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `s` with every control character written as an escape (`\x1b`, `\u202e`), so it can be shown
 * on a terminal as it is. `keepLines` leaves newlines and tabs alone (for generated text).
 */
export function printable(s: string, keepLines = false): string {
  return s.replace(keepLines ? CONTROL_KEEP_LINES : CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** `"s"` for a message: at most `max` characters of it (then "…" and its length), control characters escaped. */
export function quote(s: string, max = 60): string {
  const cut = s.length > max ? `${s.slice(0, max)}…" (${s.length} characters)` : `${s}"`;
  return `"${printable(cut)}`;
}

/** Names for a message: the first `max`, then how many more ("a, b, c, … (700000 in all)"), each cut short. */
export function listNames(names: readonly string[], max = 20): string {
  const shown = names.slice(0, max).map((n) => printable(n.length > 40 ? n.slice(0, 40) + '…' : n)).join(', ');
  return names.length > max ? `${shown}, … (${names.length} in all)` : shown;
}

/** A file (or byte buffer) that does not follow its format. */
export class FormatError extends Error {
  /** The file (path or a label such as `<bytes>`), if known. */
  readonly file?: string;
  /** What is wrong, without the file name. */
  readonly detail: string;

  /**
   * `new FormatError(file, detail)` → message "file: detail"; `new FormatError(undefined, detail)`
   * → message "detail". Control characters are escaped and a very long detail is cut short.
   */
  constructor(file: string | undefined, detail: string, options?: { cause?: unknown }) {
    const d = printable(detail.length > MAX_MESSAGE ? detail.slice(0, MAX_MESSAGE) + '…' : detail);
    super(file ? `${printable(file)}: ${d}` : d, options);
    this.name = 'FormatError';
    this.detail = d;
    if (file !== undefined) this.file = file;
  }
}
