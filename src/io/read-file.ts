/**
 * Reading a file a loader was pointed at, within the `fileBytes` budget (io/limits.ts): only a
 * regular file (a folder, FIFO, socket or device such as /dev/zero is refused by name before it
 * is opened, so nothing blocks or reads forever), at most `fileBytes` bytes, and exactly the
 * size it had when checked. Every failure is a FormatError naming the path, never a bare
 * `EISDIR` or `ENOENT` without one.
 */
// Namespace import: a browser bundle can alias node:fs to an empty module (only paths need it).
import * as fs from 'node:fs';
import { FormatError } from './errors.js';
import { checkLimit, type Limits } from './limits.js';

/** A short reason for a system error: "no such file", "permission denied", or its code. */
export function systemReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a folder, not a file';
    case 'ENOTDIR': return 'a part of the path is not a folder';
    case 'EEXIST': return 'a file of that name is in the way';
    case 'ELOOP': return 'too many symbolic links';
    case 'ENAMETOOLONG': return 'the path is too long';
    default: return code ?? (err instanceof Error ? err.message : String(err));
  }
}

/**
 * A system error (it has a `code`) as a FormatError naming the path; anything else (in a
 * browser bundle: "node:fs.statSync is Node-only ...") is passed on as it is.
 */
function readError(path: string, err: unknown): Error {
  if (!(err as NodeJS.ErrnoException)?.code) return err as Error;
  return new FormatError(path, `cannot read (${systemReason(err)})`, { cause: err });
}

/** What kind of non-regular file `st` is, for a message. */
function kindOf(st: fs.Stats): string {
  return st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a named pipe' : st.isSocket() ? 'a socket'
    : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a regular file';
}

/**
 * stat `path` (following symbolic links: the user chose it) and require a regular file within
 * the fileBytes budget. Returns its size.
 */
export function checkRegularFile(path: string, limits?: Partial<Limits>): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch (err) {
    throw readError(path, err);
  }
  if (!st.isFile()) throw new FormatError(path, `cannot read: it is ${kindOf(st)}, expected a file`);
  checkLimit('fileBytes', st.size, `the file is ${st.size} bytes`, path, limits);
  return st.size;
}

/** Open read-only without blocking on a FIFO that appeared after the check. */
function openForReading(path: string): number {
  const c = fs.constants;
  return fs.openSync(path, c.O_RDONLY | (c.O_NONBLOCK ?? 0));
}

/**
 * Read a whole regular file of at most `limits.fileBytes` bytes (see the file header). At most
 * `maxBytes` are read if given (the head of a longer file).
 */
export function readFileChecked(path: string, opts: { limits?: Partial<Limits>; maxBytes?: number } = {}): Uint8Array {
  const size = checkRegularFile(path, opts.maxBytes === undefined ? opts.limits : { ...opts.limits, fileBytes: Infinity });
  let fd: number;
  try {
    fd = openForReading(path);
  } catch (err) {
    throw readError(path, err);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new FormatError(path, `cannot read: it is ${kindOf(st)}, expected a file`);
    const n = Math.min(st.size, opts.maxBytes ?? Infinity);
    if (opts.maxBytes === undefined && st.size !== size) checkLimit('fileBytes', st.size, `the file is ${st.size} bytes`, path, opts.limits);
    const buf = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const got = fs.readSync(fd, buf, off, n - off, off);
      if (got === 0) break;
      off += got;
    }
    // A file that shrank while being read is cut at what was there.
    return off === n ? buf : buf.subarray(0, off);
  } catch (err) {
    if (err instanceof FormatError) throw err;
    throw readError(path, err);
  } finally {
    fs.closeSync(fd);
  }
}
