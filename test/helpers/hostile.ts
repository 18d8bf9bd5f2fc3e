/**
 * The hostile-input classes of issue 13 that byte fuzzing cannot reach, as reusable pieces:
 *   - `bounded`: run one loader (or a scenario) in a child process with a time limit and a
 *     memory cap, reporting what it threw, how long it took and its peak RSS; a loader that
 *     hangs or allocates gigabytes fails the test instead of taking the machine down;
 *   - `specialFiles`: a folder, a FIFO, a symbolic link to /dev/zero and a missing file, each
 *     named like a real file of the loader (symlink/special-file class);
 *   - `assertPrintable`: a message shown to a user carries no raw control character (control
 *     characters class);
 *   - `onnxGraph`: a few bytes of ONNX that ask for unbounded work (no inputs, one output).
 * The oversized-by-declaration, unbounded-work, repeated-reference and overflow-to-Infinity
 * classes need a file of the loader's own format; test/reliability/hostile.test.ts builds
 * them per format.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleChild } from '../reliability/child.js';
import { DataType, encodeModelProto } from '../../src/io/onnx/schema.js';
import { tensorProtoFrom } from '../../src/io/onnx/tensor-proto.js';
import { valueInfo } from '../../src/io/onnx/export.js';

const LOADERS_TS = fileURLToPath(new URL('./loaders.ts', import.meta.url));
const SRC_INDEX = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

/**
 * The child: `node child.mjs <loader name> <path>` loads the file with that loader, or
 * `node child.mjs scenario:<name> <arg>` runs one of `scenarios` (a module path given at bundle
 * time); prints one JSON line { ok } or { error, message }, then exits.
 */
const childSource = (scenarios: string | null): string => `
import { loaderByName } from ${JSON.stringify(LOADERS_TS)};
import * as lib from ${JSON.stringify(SRC_INDEX)};
${scenarios ? `import { SCENARIOS } from ${JSON.stringify(scenarios)};` : 'const SCENARIOS = {};'}
const [name, arg] = process.argv.slice(2);
let out;
try {
  const r = name.startsWith('scenario:') ? SCENARIOS[name.slice(9)](arg, lib) : loaderByName(name).load(arg);
  await r;
  out = { ok: true };
} catch (e) {
  out = { error: e?.name ?? typeof e, message: String(e?.message ?? e).slice(0, 20000), limit: e?.limit };
}
process.stdout.write(JSON.stringify(out) + '\\n', () => process.exit(0));
`;

const bundles = new Map<string, Promise<string>>();

/** The bundled child script (built once per scenarios module). */
export function hostileChild(scenariosModule: string | null = null): Promise<string> {
  const key = scenariosModule ?? '';
  if (!bundles.has(key)) bundles.set(key, bundleChild(childSource(scenariosModule)));
  return bundles.get(key)!;
}

export interface BoundedResult {
  /** What the child printed: { ok: true } or { error, message, limit? }; null if it was killed. */
  result: { ok?: boolean; error?: string; message?: string; limit?: string } | null;
  /** Why the child was killed, if it was. */
  killed: 'time' | 'memory' | null;
  ms: number;
  /** Peak resident memory seen, MB (sampled every 25 ms). */
  peakMB: number;
  stderr: string;
}

/** Resident memory of a process, MB (Linux /proc), or 0 if unknown. */
function rssMB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Run `node script name arg` with at most `timeoutMs` and `maxMB` of resident memory (killed
 * beyond either). `env` adds environment variables (e.g. LSTM_LIMITS).
 */
export function bounded(script: string, name: string, arg: string, opts: { timeoutMs?: number; maxMB?: number; env?: Record<string, string> } = {}): Promise<BoundedResult> {
  const timeoutMs = opts.timeoutMs ?? 20_000, maxMB = opts.maxMB ?? 1024;
  return new Promise((resolve) => {
    const t0 = performance.now();
    const proc = spawn(process.execPath, [script, name, arg], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    let out = '', err = '', killed: BoundedResult['killed'] = null, peak = 0;
    proc.stdout.setEncoding('utf8').on('data', (c: string) => { out += c; });
    proc.stderr.setEncoding('utf8').on('data', (c: string) => { err = (err + c).slice(-4000); });
    const watch = setInterval(() => {
      peak = Math.max(peak, rssMB(proc.pid!));
      if (peak > maxMB) { killed = 'memory'; proc.kill('SIGKILL'); }
      else if (performance.now() - t0 > timeoutMs) { killed = 'time'; proc.kill('SIGKILL'); }
    }, 25);
    proc.on('close', () => {
      clearInterval(watch);
      let result: BoundedResult['result'] = null;
      try { result = out.trim() ? JSON.parse(out.trim().split('\n').pop()!) : null; } catch { result = null; }
      resolve({ result, killed, ms: performance.now() - t0, peakMB: Math.round(peak), stderr: err });
    });
  });
}

/** A one-line description of a bounded run, for assertion messages and the test log. */
export function describeRun(r: BoundedResult): string {
  const what = r.killed ? `killed (${r.killed})` : r.result?.ok ? 'loaded' : `${r.result?.error}: ${r.result?.message?.slice(0, 200)}`;
  return `${what} in ${(r.ms / 1000).toFixed(2)} s, peak ${r.peakMB} MB`;
}

/** Assert the child threw a FormatError (or LimitError) whose message names `path`, without being killed. */
export function assertRefused(r: BoundedResult, path: string | null, what: RegExp): void {
  assert.equal(r.killed, null, describeRun(r));
  assert.ok(r.result && !r.result.ok, `expected a refusal, got ${describeRun(r)}`);
  assert.ok(r.result.error === 'FormatError' || r.result.error === 'LimitError', `expected FormatError, got ${describeRun(r)}`);
  if (path !== null) assert.ok(r.result.message!.includes(path), `the message does not name ${path}: ${r.result.message}`);
  assert.match(r.result.message!, what);
  assertPrintable(r.result.message!);
}

/**
 * Special files named `base + ext` in a fresh folder: a folder, a FIFO, a symbolic link to
 * /dev/zero and a missing file. Each must be refused by name, at once: reading a FIFO blocks
 * forever and /dev/zero never ends.
 */
export function specialFiles(ext: string, base = 'x'): Array<{ kind: string; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'special-'));
  const at = (k: string): string => join(dir, `${base}-${k}${ext}`);
  mkdirSync(at('folder'));
  spawnSync('mkfifo', [at('fifo')]);
  symlinkSync('/dev/zero', at('devzero'));
  return [
    { kind: 'a folder', path: at('folder') },
    { kind: 'a FIFO', path: at('fifo') },
    { kind: 'a link to /dev/zero', path: at('devzero') },
    { kind: 'a missing file', path: at('missing') },
  ];
}

// C0 and C1 controls, DEL, bidi overrides: a terminal acts on them (retitle, clear, reorder).
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** A message for a user holds no raw control character (newlines only if `lines`). */
export function assertPrintable(text: string, lines = false): void {
  const bad = lines ? text.replace(/[\n\t]/g, '') : text;
  const m = RAW_CONTROL.exec(bad);
  assert.equal(m, null, `raw control character U+${m?.[0].charCodeAt(0).toString(16).padStart(4, '0')} in: ${JSON.stringify(text.slice(0, 300))}`);
}

/** Characters a hostile file puts into names and tokens: ESC sequences that retitle and clear a terminal, BEL, CSI (C1), a bidi override. */
export const CONTROL_TEXT = '\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202e';

/** An ONNX model with no inputs: `nodes` over `inits`, one float output `out` of `shape` (a few hundred bytes). */
export function onnxGraph(nodes: unknown[], inits: unknown[], out: string, shape: number[]): Uint8Array {
  return encodeModelProto({
    irVersion: 8, opsetImport: [{ domain: '', version: 14 }],
    graph: { name: 'g', initializer: inits as never, input: [], node: nodes as never, output: [valueInfo(out, DataType.FLOAT, shape)] },
  });
}

/** The `value` attribute of a ConstantOfShape that fills with 1. */
export const ONNX_ONE = { name: 'value', type: 4, t: tensorProtoFrom('', DataType.FLOAT, [1], [1]) };

/** An int64 initializer (a shape for ConstantOfShape). */
export const int64s = (name: string, v: number[]) => tensorProtoFrom(name, DataType.INT64, [v.length], v);
