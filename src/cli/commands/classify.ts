/**
 * `lstm classify FILE --text COL --label COL`: train a sequence classifier on a CSV or JSON-lines
 * file, report accuracy and macro F1 on a held-out split, save the model.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { readLabelledTexts, trainClassifier, saveClassifier, removeCheckpoints, CLASSIFIER_DEFAULTS } from '../../index.js';
import { CliError, checkOutDir, choiceOption, ensureDir, info, intOption, naming, numberOption, round, savePartialAndFail, checkpointOptions, writeJson, writeOut, type TrainingRunFlags } from '../util.js';

interface Flags extends TrainingRunFlags {
  text: string;
  label: string;
  level?: 'word' | 'char';
  maxLen?: number;
  maxVocab?: number;
  embedding?: number;
  hidden?: number;
  cell?: 'lstm' | 'gru';
  epochs?: number;
  batchSize?: number;
  lr?: number;
  testFraction?: number;
}

export function register(program: Command): void {
  const d = CLASSIFIER_DEFAULTS;
  checkpointOptions(program
    .command('classify')
    .description('Train a text classifier (Embedding → LSTM → last step → softmax); report accuracy and F1 on a held-out split.')
    .argument('<file>', 'CSV with a header row, or .jsonl/.ndjson with one object per line')
    .requiredOption('--text <col>', 'column (or JSON field) holding the text')
    .requiredOption('--label <col>', 'column (or JSON field) holding the label')
    .option('--level <level>', `word or char tokens (default ${d.level})`, choiceOption(['word', 'char'] as const))
    .option('--max-len <n>', `tokens kept per text (default ${d.maxLen})`, intOption(1))
    .option('--max-vocab <n>', `most frequent words kept (default ${d.maxVocab})`, intOption(2))
    .option('--embedding <n>', `embedding size (default ${d.embedding})`, intOption(1))
    .option('--hidden <n>', `hidden units (default ${d.hidden})`, intOption(1))
    .option('--cell <type>', `lstm or gru (default ${d.cell})`, choiceOption(['lstm', 'gru'] as const))
    .option('--epochs <n>', `maximum epochs (default ${d.epochs})`, intOption(1))
    .option('--batch-size <n>', `texts per batch (default ${d.batchSize})`, intOption(1))
    .option('--lr <rate>', `Adam learning rate (default ${d.lr})`, numberOption())
    .option('--test-fraction <f>', `held-out fraction (default ${d.testFraction})`, numberOption())
    .option('--seed <n>', 'random seed (split, initialisation, shuffling)', intOption(0), d.seed)
    .option('-o, --out <dir>', 'output directory for model.safetensors', 'out/classify')
    .option('--json', 'print one JSON object with the results on stdout')
    .option('--progress', 'force per-epoch progress lines on stderr'))
    .action(async (file: string, f: Flags) => {
      checkOutDir(f.out);
      if (f.testFraction !== undefined && !(f.testFraction > 0 && f.testFraction < 1)) throw new CliError(`--test-fraction: expected a number in (0, 1), got ${f.testFraction}`);
      const modelPath = join(f.out, 'model.safetensors');
      const data = await readLabelledTexts(file, f.text, f.label);
      const r = await naming(file, () =>
        trainClassifier(data, {
          level: f.level, maxLen: f.maxLen, maxVocab: f.maxVocab, embedding: f.embedding, hidden: f.hidden, cell: f.cell,
          epochs: f.epochs, batchSize: f.batchSize, lr: f.lr, testFraction: f.testFraction, seed: f.seed, log: info, progress: f.progress ?? 'auto',
          checkpoint: join(f.out, 'checkpoint.safetensors'), checkpointEvery: f.checkpointEvery, resume: f.resume,
        }),
      ).catch((err: unknown) =>
        // NaN/Inf stop: keep the best weights so far instead of nothing.
        savePartialAndFail(err, modelPath, (extra, stopped) => ({
          ...extra, classifier: { ...(extra.classifier as Record<string, unknown>), textColumn: f.text, labelColumn: f.label }, training: { file, stopped },
        })),
      );
      ensureDir(f.out);
      const c = r.classifier;
      saveClassifier(modelPath, r, { textColumn: f.text, labelColumn: f.label, file });
      removeCheckpoints(r.checkpoints);
      const result = {
        accuracy: round(r.metrics.accuracy), macroF1: round(r.metrics.macroF1),
        f1: Object.fromEntries(c.classes.map((k, i) => [k, round(r.metrics.f1[i]!)])),
        majorityAccuracy: round(r.majorityAccuracy), trainSize: r.trainSize, testSize: r.testSize, classes: c.classes,
        epochs: r.history.epochs, seconds: round(r.history.seconds, 4), model: modelPath,
      };
      if (f.json) {
        writeJson(result);
        return;
      }
      writeOut(
        [
          `held-out ${r.testSize} rows: accuracy ${round(100 * r.metrics.accuracy, 4)}% (majority class ${round(100 * r.majorityAccuracy, 4)}%), macro F1 ${round(r.metrics.macroF1, 4)}`,
          ...c.classes.map((k, i) => `  F1 ${k}: ${round(r.metrics.f1[i]!, 4)}`),
          `trained ${r.history.epochs} epochs in ${round(r.history.seconds, 3)} s on ${r.trainSize} rows`,
          `model ${modelPath}`,
        ].join('\n') + '\n',
      );
    });
}
