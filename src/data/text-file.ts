/**
 * Reading a text file for the language-model recipe: at most the first N bytes, decoded as
 * UTF-8. Node only (the browser explorer never reads files by path), so it sits apart from
 * text.ts, which the web page bundles. Only a regular file is read (io/read-file.ts), so a
 * folder, a FIFO or /dev/zero is a FormatError naming the path, not a hang.
 */
import { FormatError } from '../io/errors.js';
import { readFileChecked } from '../io/read-file.js';

/** Read at most `maxBytes` of a UTF-8 file (a cut multi-byte character at the end is dropped). */
export async function readTextHead(path: string, maxBytes: number): Promise<string> {
  const buf = readFileChecked(path, { maxBytes });
  const text = new TextDecoder('utf-8', { fatal: false }).decode(buf).replace(/\uFFFD+$/, '');
  if (text.includes('\0')) throw new FormatError(path, 'binary file (contains NUL bytes), expected text');
  return text;
}
