/**
 * `lstm generate MODEL`: sample text from a language model saved by `lstm train-text`. The text
 * is written as it is generated (a long -n shows progress at once, and `| head` stops it), with
 * control characters the model's tokens may hold written as escapes.
 */
import type { Command } from 'commander';
import { generatePieces, openModel } from '../../index.js';
import { CliError, intOption, numberOption, streamOut } from '../util.js';

export function register(program: Command): void {
  program
    .command('generate')
    .description('Generate text from a language model saved by `lstm train-text`.')
    .argument('<model>', 'model file (.safetensors)')
    .option('-p, --prompt <text>', 'text to continue', '')
    .option('-n, --length <n>', 'tokens (characters or words) to generate', intOption(1), 300)
    .option('-t, --temperature <t>', 'sampling temperature (0 = always the most likely token)', numberOption(false), 0.8)
    .option('--seed <n>', 'random seed', intOption(0), 0)
    .action(async (path: string, f: { prompt: string; length: number; temperature: number; seed: number }) => {
      if (f.temperature < 0) throw new CliError(`--temperature: expected a number ≥ 0, got ${f.temperature}`);
      const m = openModel(path);
      if (m.kind !== 'language-model') throw new CliError(`${path}: not a language model (it has no vocabulary/languageModel metadata); train one with lstm train-text`);
      await streamOut(generatePieces(m.loaded.model, m.vocab, f));
    });
}
