/**
 * Reading a text file for the language-model recipe: at most the first N bytes, decoded as
 * UTF-8. Node only (the browser explorer never reads files by path), so it sits apart from
 * text.ts, which the web page bundles.
 */
import { open } from 'node:fs/promises';
import { FormatError } from '../io/errors.js';

/** Read at most `maxBytes` of a UTF-8 file (a cut multi-byte character at the end is dropped). */
export async function readTextHead(path: string, maxBytes: number): Promise<string> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new FormatError(path, `cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.alloc(Math.min(size, maxBytes));
    await fh.read(buf, 0, buf.length, 0);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(buf).replace(/\uFFFD+$/, '');
    if (text.includes('\0')) throw new FormatError(path, 'binary file (contains NUL bytes), expected text');
    return text;
  } finally {
    await fh.close();
  }
}
