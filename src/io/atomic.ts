/**
 * Atomic file writes: data goes to a temporary file in the same directory, is flushed to disk
 * (fsync), then renamed over the target, and the directory entry is flushed too. A crash at any
 * moment leaves either the old file or the new one, never a half-written file. The temporary
 * file is removed if anything fails before the rename. A file that already exists keeps its
 * permission bits (a model kept at 0600 stays private); a new one gets 0666 less the umask, as
 * with any other write. A failure is an Error naming the target (not the temporary file) and
 * why, in words: `out/x.onnx: cannot write: the folder out does not exist (ENOENT)`.
 *
 * Temporary files are named `.<target name>.<host>.<pid>.<12 hex>.tmp` next to the target. A
 * process killed mid-write (SIGKILL, power loss) cannot remove its own; so after each successful
 * write, leftovers for the same target written by a process of THIS host that no longer exists
 * are deleted. Another machine's (on a shared folder) are never touched, since its process ids
 * mean nothing here; nor are names without a host (older versions).
 */
import { closeSync, fchmodSync, fsyncSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** This host's name as it appears in temporary file names (letters, digits and '-'). */
function hostTag(): string {
  let h = 'host';
  try {
    h = hostname().replace(/[^A-Za-z0-9-]/g, '-').slice(0, 48) || 'host';
  } catch {
    // no hostname (some sandboxes): one tag for all
  }
  return h;
}

/** A fresh temporary name next to `path` (same directory, so rename stays on one filesystem). */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${hostTag()}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** True if a process with this id exists (EPERM: it exists but belongs to another user). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Delete temporary files of earlier writes to `path` by processes of this host that are gone (killed mid-write). */
function removeStaleTemps(path: string): void {
  const prefix = `.${basename(path)}.${hostTag()}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name.slice(prefix.length));
    if (!m || processAlive(Number(m[1]))) continue;
    try { unlinkSync(join(dirname(path), name)); } catch { /* already gone */ }
  }
}

/** The permission bits to give the new file: the existing target's, or null for a new file. */
function keptMode(path: string): number | null {
  try {
    const st = statSync(path);
    return st.isFile() ? st.mode & 0o7777 : null;
  } catch {
    return null;
  }
}

/** An Error for a failed write of `path`, in words, with the system code kept. */
function writeError(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why = code === 'ENOENT' ? `the folder ${dirname(path)} does not exist`
    : code === 'ENOTDIR' ? `a part of ${dirname(path)} is not a folder`
      : code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST' ? 'a folder of that name is in the way'
        : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
          : code === 'ENOSPC' ? 'the disk is full'
            : code === 'EROFS' ? 'the file system is read-only'
              : (err as Error)?.message ?? String(err);
  return Object.assign(new Error(`${path}: cannot write: ${why}${code ? ` (${code})` : ''}`, { cause: err }), code ? { code } : {});
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** Flush a directory entry (a rename is durable only once its directory is). Not possible on Windows; ignored there. */
function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Write `data` to `path` atomically (synchronous). */
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  const bytes = toBytes(data);
  const tmp = tempPathFor(path);
  const mode = keptMode(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o666);
    if (mode !== null) fchmodSync(fd, mode);
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) {
      try { closeSync(fd); } catch { /* already failing */ }
    }
    try { unlinkSync(tmp); } catch { /* never created or already renamed */ }
    throw writeError(path, err);
  }
  fsyncDirSync(dirname(path));
  removeStaleTemps(path);
}

/** Write `data` to `path` atomically. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const bytes = toBytes(data);
  const tmp = tempPathFor(path);
  const st = await stat(path).catch(() => null);
  const mode = st?.isFile() ? st.mode & 0o7777 : null;
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(tmp, 'wx', 0o666);
    if (mode !== null) await fh.chmod(mode);
    let off = 0;
    while (off < bytes.length) off += (await fh.write(bytes, off, bytes.length - off)).bytesWritten;
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (err) {
    if (fh !== undefined) await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw writeError(path, err);
  }
  let dh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    dh = await open(dirname(path), 'r');
    await dh.sync();
  } catch {
    // Directories cannot be fsynced on some platforms (Windows); the rename is still atomic.
  } finally {
    await dh?.close().catch(() => undefined);
  }
  removeStaleTemps(path);
}
