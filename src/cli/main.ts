#!/usr/bin/env node
/**
 * The `lstm` command line: one commander program, one file per command in ./commands (each
 * exports `register(program)`). Every failure prints as ONE line on stderr (`lstm: error: ...`,
 * control characters escaped, no stack trace unless LSTM_DEBUG is set) with exit code 1;
 * progress goes to stderr so stdout can carry --json. A reader that stops reading (`| head`)
 * ends the command quietly. `--limit name=value` raises a budget of io/limits.ts.
 */
import { Command } from 'commander';
import { LIMIT_NAMES, getBackend, listBackends, parseLimits, printable, setBackend, setLimits } from '../index.js';
import { CliError } from './util.js';

import { pathToFileURL } from 'node:url';
import { readFileSync, realpathSync } from 'node:fs';
import { register as registerForecast } from './commands/forecast.js';
import { register as registerTrainText } from './commands/train-text.js';
import { register as registerGenerate } from './commands/generate.js';
import { register as registerClassify } from './commands/classify.js';
import { register as registerPredict } from './commands/predict.js';
import { register as registerEval } from './commands/eval.js';
import { register as registerInfo } from './commands/info.js';
import { register as registerInspect } from './commands/inspect.js';
import { register as registerDemo } from './commands/demo.js';
import { register as registerConvert } from './commands/convert.js';
import { register as registerBacktest } from './commands/backtest.js';

/** The version in package.json (src/cli or dist/src/cli is two or three levels below it). */
function packageVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lstm-ts' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}

/** Build the program with every command registered (exported for tests and embedding). */
export function buildProgram(): Command {
  const program = new Command('lstm')
    .description('Train, evaluate and run LSTM/GRU/RNN models on CSV series and text.')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) })
    .option('--backend <name>', `kernel backend (${listBackends().join(', ')}; default ${getBackend().name})`)
    .option('--limit <name=value>', `raise (or lower) a budget for untrusted input, e.g. --limit onnxWork=2**40; repeatable, or comma-separated (${LIMIT_NAMES.join(', ')}; also LSTM_LIMITS)`,
      (v: string, prev: string[]) => [...prev, v], [] as string[])
    .hook('preAction', (cmd) => {
      const limits = cmd.opts().limit as string[];
      try {
        for (const l of limits) setLimits(parseLimits(l, '--limit'));
      } catch (e) {
        throw new CliError((e as Error).message);
      }
      const name = cmd.opts().backend as string | undefined;
      if (name === undefined) return;
      if (!listBackends().includes(name)) throw new CliError(`--backend: unknown backend "${name}" (available: ${listBackends().join(', ')})`);
      setBackend(name);
    });
  registerForecast(program);
  registerBacktest(program);
  registerTrainText(program);
  registerGenerate(program);
  registerClassify(program);
  registerPredict(program);
  registerEval(program);
  registerInfo(program);
  registerInspect(program);
  registerDemo(program);
  registerConvert(program);
  return program;
}

/** The one line a failure prints: its message's first line, control characters escaped, at most 2000 characters. */
export function errorLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const first = printable(msg.split('\n')[0] ?? '');
  return `lstm: error: ${first.length > 2000 ? first.slice(0, 2000) + '…' : first}\n`;
}

/** Print a failure as one line (the stack too with LSTM_DEBUG) and set exit code 1. */
function fail(err: unknown): void {
  if (process.env.LSTM_DEBUG) console.error(err instanceof Error ? err.stack : err);
  process.stderr.write(errorLine(err));
  process.exitCode = 1;
}

/** A closed stdout (`lstm generate ... | head`): stop at once, quietly; the reader has what it wanted. */
function onStdoutError(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(0);
  fail(err);
  process.exit(1);
}

/** Run with `argv` (default: process.argv); every failure becomes one line and exit code 1. */
export async function main(argv: string[] = process.argv): Promise<void> {
  process.stdout.on('error', onStdoutError);
  // Errors thrown outside the command's promise (a stream callback, a timer) end as one line too.
  const late = (err: unknown): void => {
    fail(err);
    process.exit(1);
  };
  process.on('uncaughtException', late);
  process.on('unhandledRejection', late);
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    fail(err);
  }
}

// Run when executed directly (tsx src/cli/main.ts, node dist/src/cli/main.js or bin/lstm.js).
const entry = process.argv[1] ? pathToFileURL(realpathSync(process.argv[1])).href : '';
if (import.meta.url === entry) await main();
