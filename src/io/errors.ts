/**
 * FormatError: the one error type every file loader throws for malformed input (safetensors,
 * model files, ONNX, TF.js, CSV, text). It names the file and what is wrong, so a user can tell
 * a corrupt download from a bug: `model.safetensors: header length 1000000000 is past the end
 * of the file (123 bytes)`.
 */

/** A file (or byte buffer) that does not follow its format. */
export class FormatError extends Error {
  /** The file (path or a label such as `<bytes>`), if known. */
  readonly file?: string;
  /** What is wrong, without the file name. */
  readonly detail: string;

  /**
   * `new FormatError(file, detail)` → message "file: detail"; `new FormatError(undefined, detail)`
   * → message "detail".
   */
  constructor(file: string | undefined, detail: string, options?: { cause?: unknown }) {
    super(file ? `${file}: ${detail}` : detail, options);
    this.name = 'FormatError';
    this.detail = detail;
    if (file !== undefined) this.file = file;
  }
}
