/**
 * Small helpers shared by the CLI commands: option parsers that reject bad numbers with a
 * one-line message, progress messages on stderr (stdout stays clean for --json), and the
 * output directory. Commands hold no modelling logic: they parse flags, call the public API
 * (src/index.ts, the only part of the library they import; test/layering.test.ts checks it)
 * and print.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { compile, engineSummary, ENGINE_NAMES, FormatError, partialOf, printable, saveModel, type EngineName, type Sequential } from '../index.js';

/** An error meant for the user: printed as one line, exit code 1, no stack trace. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * Run `work`; a RangeError from the library (too few rows, an unseen label, …) or a LimitError
 * without a file becomes a CliError that starts with `where` (the file, and the column if any).
 */
export async function naming<T>(where: string, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    // A RangeError, or a budget error that does not name a file yet (too many classes, characters, …).
    if (err instanceof RangeError || (err instanceof FormatError && err.file === undefined)) throw new CliError(`${where}: ${err.message}`);
    throw err;
  }
}

/**
 * For a training run that stopped on NaN/Inf with its model attached (recipes/resume.ts): save
 * that model to `modelPath` with the metadata `meta` builds from the recipe's own, then fail
 * with one line that says where it went. Any other error is rethrown unchanged.
 */
export function savePartialAndFail(
  err: unknown, modelPath: string,
  meta: (extra: Record<string, unknown>, stopped: string) => Record<string, unknown>,
): never {
  const partial = partialOf(err);
  if (!partial) throw err;
  const stopped = (err as Error).message;
  saveModel(partial.model, modelPath, meta(partial.extra, stopped));
  throw new CliError(`${stopped} Saved the best weights so far to ${modelPath}.`);
}

/** Flags every training command shares (forecast, train-text, classify). */
export interface TrainingRunFlags {
  seed: number;
  out: string;
  json?: boolean;
  progress?: boolean;
  checkpointEvery: number;
  resume?: boolean;
}

const CHECKPOINT_HELP = {
  every: 'write --out/checkpoint.safetensors every N epochs (atomic; deleted once the model is saved)',
  resume: 'continue from --out/checkpoint.safetensors (same file and flags; ends with the same weights as an uninterrupted run)',
};

/** Add `--checkpoint-every <n>` (default 1) and `--resume` to a training command. */
export function checkpointOptions(cmd: Command, help: { every: string; resume: string } = CHECKPOINT_HELP): Command {
  return cmd
    .option('--checkpoint-every <n>', help.every, intOption(1), 1)
    .option('--resume', help.resume);
}

/** commander parser: integer ≥ min. */
export function intOption(min = 1): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^[+-]?\d+$/.test(v.trim()) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}, got "${v}"`);
    return n;
  };
}

/** commander parser: finite number, optionally > 0. */
export function numberOption(positive = true): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || (positive && n <= 0)) throw new InvalidArgumentError(`expected a ${positive ? 'positive ' : ''}number, got "${v}"`);
    return n;
  };
}

/** commander parser: one of `choices`. */
export function choiceOption<T extends string>(choices: readonly T[]): (v: string) => T {
  return (v) => {
    if (!(choices as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got "${v}"`);
    return v as T;
  };
}

/** A progress line on stderr (never stdout: --json output must stay one object); control characters from files escaped. */
export function info(msg: string): void {
  process.stderr.write(printable(msg, true) + '\n');
}

/**
 * Text for the terminal on stdout. Anything that came from a file (tokens, labels, layer
 * names) may hold escape sequences that retitle or clear the terminal: control characters are
 * written as escapes (`\x1b`); newlines and tabs are kept.
 */
export function writeOut(text: string): void {
  process.stdout.write(printable(text, true));
}

// What JSON.stringify leaves raw but a terminal acts on: DEL, the C1 controls, bidi overrides.
const JSON_RAW_CONTROLS = /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `value` as JSON on stdout (one line, or indented with `pretty`), every control character escaped as \uXXXX (still valid JSON). */
export function writeJson(value: unknown, pretty = false): void {
  const text = JSON.stringify(value, null, pretty ? 2 : undefined).replace(JSON_RAW_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  process.stdout.write(text + '\n');
}

/**
 * Write long output as it is produced: pieces are gathered and written every few KB or 100 ms,
 * waiting for the reader (and letting a closed pipe end the process, see main.ts) in between.
 */
export async function streamOut(pieces: Iterable<string>): Promise<void> {
  let buf = '', last = performance.now();
  const flush = async (): Promise<void> => {
    const ok = process.stdout.write(printable(buf, true));
    buf = '';
    last = performance.now();
    await new Promise<void>((resolve) => (ok ? setImmediate(resolve) : process.stdout.once('drain', resolve)));
  };
  for (const piece of pieces) {
    buf += piece;
    if (buf.length >= 4096 || performance.now() - last > 100) await flush();
  }
  buf += '\n';
  await flush();
}

/**
 * Check before a long run that `dir` can be the output folder: not an existing file, and no
 * part of the path a file. Nothing is created (ensureDir does that once there is output).
 */
export function checkOutDir(dir: string, option = '--out'): void {
  for (let d = resolve(dir), first = true; ; first = false) {
    let st;
    try {
      st = statSync(d);
    } catch {
      const up = dirname(d);
      if (up === d) return;
      d = up;
      continue;
    }
    if (st.isDirectory()) return;
    throw new CliError(first ? `${option} ${dir}: a file of that name exists; give a folder` : `${option} ${dir}: ${d} is a file, not a folder`);
  }
}

/** Create the output directory (and parents); an existing file in its place is a one-line error naming it. */
export function ensureDir(dir: string, option = '--out'): string {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    let isFile = false;
    try { isFile = statSync(dir).isFile(); } catch { /* not there */ }
    if (isFile || code === 'EEXIST') throw new CliError(`${option} ${dir}: a file of that name exists; give a folder`);
    if (code === 'ENOTDIR') throw new CliError(`${option} ${dir}: a part of the path is a file, not a folder`);
    if (code === 'EACCES' || code === 'EPERM') throw new CliError(`${option} ${dir}: permission denied`);
    throw new CliError(`${option} ${dir}: cannot create the folder (${code ?? (e as Error).message})`);
  }
  return dir;
}

/** Round for display and JSON (6 significant digits), keeping null. */
export function round(v: number | null, digits = 6): number | null {
  return v === null ? null : Number(v.toPrecision(digits));
}

/** `--engine <name>` for the commands that run inference (predict, eval, forecast). */
export function engineOption(cmd: Command): Command {
  return cmd.option('--engine <name>', 'where inference runs: wasm (the WebAssembly kernels), onnxruntime (onnxruntime-node, when installed) or auto (the faster of the two for each call)',
    choiceOption(ENGINE_NAMES), 'wasm');
}

/**
 * Put the inference of `models` on `engine` (compile each) and say on stderr what was chosen
 * and why. Returns a function to call at the end: under 'auto' it says which engine ran the calls.
 */
export async function useEngine(models: readonly Sequential[], engine: EngineName): Promise<() => void> {
  if (engine === 'wasm') return () => {};
  let said = '';
  for (const m of models) {
    const c = await compile(m, { engine }).catch((e: unknown) => {
      throw new CliError(`--engine ${engine}: ${(e as Error).message}`);
    });
    said = `engine: ${c.engine} (${c.reason})`;
  }
  info(said);
  return () => {
    const s = engineSummary(models);
    if (s) info(s);
  };
}
