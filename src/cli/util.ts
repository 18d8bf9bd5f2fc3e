/**
 * Small helpers shared by the CLI commands: option parsers that reject bad numbers with a
 * one-line message, progress messages on stderr (stdout stays clean for --json), and the
 * output directory. Commands hold no modelling logic: they parse flags, call the public API
 * (src/index.ts, the only part of the library they import; test/layering.test.ts checks it)
 * and print.
 */
import { mkdirSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { compile, engineSummary, ENGINE_NAMES, partialOf, saveModel, type EngineName, type Sequential } from '../index.js';

/** An error meant for the user: printed as one line, exit code 1, no stack trace. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * Run `work`; a RangeError from the library (too few rows, an unseen label, …) becomes a
 * CliError that starts with `where` (the file, and the column if there is one).
 */
export async function naming<T>(where: string, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof RangeError) throw new CliError(`${where}: ${err.message}`);
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

/** A progress line on stderr (never stdout: --json output must stay one object). */
export function info(msg: string): void {
  process.stderr.write(msg + '\n');
}

/** Create the output directory (and parents). */
export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
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
