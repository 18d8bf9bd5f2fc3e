#!/usr/bin/env node
/**
 * The `lstm` command line: one commander program, one file per command in ./commands (each
 * exports `register(program)`). Errors meant for the user (bad files, bad options) print as
 * one line on stderr with exit code 1; progress goes to stderr so stdout can carry --json.
 */
import { Command } from 'commander';
import { getBackend, listBackends, setBackend } from '../index.js';
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
    .hook('preAction', (cmd) => {
      const name = cmd.opts().backend as string | undefined;
      if (name === undefined) return;
      if (!listBackends().includes(name)) throw new CliError(`--backend: unknown backend "${name}" (available: ${listBackends().join(', ')})`);
      setBackend(name);
    });
  registerForecast(program);
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

/** Run with `argv` (default: process.argv); user errors become one line and exit code 1. */
export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (process.env.LSTM_DEBUG) console.error(e.stack);
    process.stderr.write(`lstm: error: ${e.message.split('\n')[0]}\n`);
    process.exitCode = 1;
  }
}

// Run when executed directly (tsx src/cli/main.ts, node dist/src/cli/main.js or bin/lstm.js).
const entry = process.argv[1] ? pathToFileURL(realpathSync(process.argv[1])).href : '';
if (import.meta.url === entry) await main();
