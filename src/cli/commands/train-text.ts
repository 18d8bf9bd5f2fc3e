/**
 * `lstm train-text FILE.txt`: train a character (or word) language model on the first
 * --max-bytes of a text file, report validation loss and bits per character against a unigram
 * model, save the model with its vocabulary, and print a short sample.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { trainLanguageModel, saveLanguageModel, generateText, readTextHead, removeCheckpoints, LM_DEFAULTS } from '../../index.js';
import { CliError, checkOutDir, choiceOption, ensureDir, info, intOption, naming, numberOption, round, savePartialAndFail, checkpointOptions, writeJson, writeOut, type TrainingRunFlags } from '../util.js';

interface Flags extends TrainingRunFlags {
  level?: 'char' | 'word';
  maxBytes: number;
  seqLen?: number;
  embedding?: number;
  hidden?: number;
  layers?: number;
  cell?: 'lstm' | 'gru';
  dropout?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
}

export function register(program: Command): void {
  const d = LM_DEFAULTS;
  checkpointOptions(program
    .command('train-text')
    .description('Train a character- or word-level language model on a text file; report validation loss and bits per character vs a unigram model.')
    .argument('<file>', 'UTF-8 text file')
    .option('--level <level>', `char or word (default ${d.level})`, choiceOption(['char', 'word'] as const))
    .option('--max-bytes <n>', 'use only the first N bytes of the file', intOption(1), 300_000)
    .option('--seq-len <n>', `tokens per training sequence (default ${d.seqLen})`, intOption(2))
    .option('--embedding <n>', `embedding size (default ${d.embedding})`, intOption(1))
    .option('--hidden <n>', `hidden units (default ${d.hidden})`, intOption(1))
    .option('--layers <n>', `stacked recurrent layers (default ${d.layers})`, intOption(1))
    .option('--cell <type>', `lstm or gru (default ${d.cell})`, choiceOption(['lstm', 'gru'] as const))
    .option('--dropout <p>', `dropout before the output layer (default ${d.dropout})`, numberOption(false))
    .option('--epochs <n>', `maximum epochs (default ${d.epochs}; early stopping on validation loss)`, intOption(1))
    .option('--batch-size <n>', `sequences per batch (default ${d.batchSize})`, intOption(1))
    .option('--lr <rate>', `Adam learning rate (default ${d.lr})`, numberOption())
    .option('--seed <n>', 'random seed', intOption(0), d.seed)
    .option('-o, --out <dir>', 'output directory for model.safetensors', 'out/text')
    .option('--json', 'print one JSON object with the results on stdout')
    .option('--progress', 'force per-epoch progress lines on stderr'))
    .action(async (file: string, f: Flags) => {
      checkOutDir(f.out);
      const text = await readTextHead(file, f.maxBytes);
      if (text.trim() === '') throw new CliError(`${file}: empty text`);
      const modelPath = join(f.out, 'model.safetensors');
      const r = await naming(file, () =>
        trainLanguageModel(text, {
          level: f.level, seqLen: f.seqLen, embedding: f.embedding, hidden: f.hidden, layers: f.layers, cell: f.cell,
          dropout: f.dropout, epochs: f.epochs, batchSize: f.batchSize, lr: f.lr, seed: f.seed, log: info, progress: f.progress ?? 'auto',
          checkpoint: join(f.out, 'checkpoint.safetensors'), checkpointEvery: f.checkpointEvery, resume: f.resume,
        }),
      ).catch((err: unknown) =>
        // NaN/Inf stop: keep the best weights so far instead of nothing.
        savePartialAndFail(err, modelPath, (extra, stopped) => ({ ...extra, training: { file, stopped } })),
      );
      ensureDir(f.out);
      saveLanguageModel(modelPath, r, { file, bytes: Buffer.byteLength(text) });
      removeCheckpoints(r.checkpoints);
      const sample = generateText(r.model, r.vocab, { prompt: r.plan.level === 'char' ? 'The ' : 'the', length: r.plan.level === 'char' ? 200 : 40, temperature: 0.7, seed: f.seed });
      const result = {
        valLoss: round(r.valLoss), bitsPerChar: round(r.bitsPerChar), unigram: { valLoss: round(r.unigramLoss), bitsPerChar: round(r.unigramBitsPerChar) },
        vocabSize: r.vocab.size, trainTokens: r.trainTokens, valTokens: r.valTokens, epochs: r.history.epochs, seconds: round(r.history.seconds, 4),
        model: modelPath, sample,
      };
      if (f.json) {
        writeJson(result);
        return;
      }
      writeOut(
        [
          `validation loss ${round(r.valLoss, 4)} nats/token = ${round(r.bitsPerChar, 4)} bits/char (unigram ${round(r.unigramBitsPerChar, 4)} bits/char)`,
          `trained ${r.history.epochs} epochs in ${round(r.history.seconds, 3)} s on ${r.trainTokens} tokens, vocabulary ${r.vocab.size}`,
          `model ${modelPath}`,
          `sample: ${JSON.stringify(sample)}`,
        ].join('\n') + '\n',
      );
    });
}
