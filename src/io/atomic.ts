/**
 * Atomic file writes: data goes to a temporary file in the same directory, is flushed to disk
 * (fsync), then renamed over the target, and the directory entry is flushed too. A crash at any
 * moment leaves either the old file or the new one, never a half-written file. The temporary
 * file is removed if anything fails before the rename.
 *
 * Temporary files are named `.<target name>.<pid>.<12 hex>.tmp` next to the target. A process
 * killed mid-write (SIGKILL, power loss) cannot remove its own; so after each successful write,
 * leftovers for the same target whose writer process no longer exists are deleted. They never
 * accumulate beyond one per writer that is still running (or died since the last write).
 */
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** A fresh temporary name next to `path` (same directory, so rename stays on one filesystem). */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
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

/** Delete temporary files of earlier writes to `path` whose writer process is gone (killed mid-write). */
function removeStaleTemps(path: string): void {
  const prefix = `.${basename(path)}.`;
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
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
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
    throw err;
  }
  fsyncDirSync(dirname(path));
  removeStaleTemps(path);
}

/** Write `data` to `path` atomically. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const bytes = toBytes(data);
  const tmp = tempPathFor(path);
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(tmp, 'wx', 0o644);
    let off = 0;
    while (off < bytes.length) off += (await fh.write(bytes, off, bytes.length - off)).bytesWritten;
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (err) {
    if (fh !== undefined) await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
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
