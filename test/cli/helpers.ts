// Run the real `lstm` command (bin/lstm.js) as a child process and capture its output.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/lstm.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function lstm(args: string[], opts: { cwd?: string; timeout?: number } = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: opts.cwd, timeout: opts.timeout ?? 120_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The single JSON object a --json run prints (fails if stdout holds anything else). */
export function json(r: Run): any {
  const lines = r.stdout.trim().split('\n');
  if (lines.length !== 1) throw new Error(`expected one line of JSON on stdout, got ${lines.length}:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return JSON.parse(lines[0]!);
}
