/**
 * Child processes for the crash and memory tests: a script (TypeScript source importing the
 * library by absolute path) is bundled once with esbuild into a temp folder, so each of the
 * many short-lived children starts in a fraction of a second instead of going through tsx.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the library entry, for child scripts to import. */
export const SRC_INDEX = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

/** Bundle `source` (a TS module) into `<dir>/child.mjs` and return its path. */
export async function bundleChild(source: string, dir = mkdtempSync(join(tmpdir(), 'lstm-child-'))): Promise<string> {
  const entry = join(dir, 'child-src.ts');
  writeFileSync(entry, source);
  const { build } = await import('esbuild');
  const out = join(dir, 'child.mjs');
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'error', target: 'node20' });
  return out;
}

/** Start `node [nodeArgs] script args` with stdout piped; lines arrive through `onLine`. */
export function startChild(script: string, args: string[], onLine: (line: string) => void, nodeArgs: string[] = []): ChildProcess {
  const proc = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  let err = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => { err = (err + c).slice(-4000); });
  (proc as ChildProcess & { stderrTail: () => string }).stderrTail = () => err;
  void exited(proc); // listen for 'close' from the start
  return proc;
}

/** Resolves with the exit code (or signal name) once the child has ended and its output is read. */
export function exited(proc: ChildProcess): Promise<number | string> {
  const done = proc as ChildProcess & { closed?: Promise<number | string> };
  done.closed ??= new Promise((resolve) => proc.once('close', (code, sig) => resolve(code ?? sig ?? -1)));
  return done.closed;
}

/** Run a bundled script to completion; returns stdout lines, stderr tail and the exit code. */
export async function runChild(script: string, args: string[], nodeArgs: string[] = []): Promise<{ lines: string[]; code: number | string; stderr: string }> {
  const lines: string[] = [];
  const proc = startChild(script, args, (l) => lines.push(l), nodeArgs);
  const code = await exited(proc);
  return { lines, code, stderr: (proc as ChildProcess & { stderrTail: () => string }).stderrTail() };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
