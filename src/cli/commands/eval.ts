/**
 * `lstm eval MODEL FILE`: score a saved model on labelled data. Forecaster: rolling-origin
 * forecasts (an origin every `horizon` steps) against the last-value and seasonal-naive
 * baselines. Classifier: accuracy and F1. Language model: loss and bits per char. On the
 * model's own training data only what it was not trained on is scored (the hold-out), unless
 * --all; the output says which part was scored (`scored`). The logic is src/recipes/scoring.ts.
 */
import type { Command } from 'commander';
import { readCsv, numericColumn, assertFinite, readLabelledTexts, openModel, readTextHead, scoreClassifier, scoreForecast, scoreLanguageModel, inferenceModels, type EngineName } from '../../index.js';
import { CliError, engineOption, intOption, naming, round, useEngine, writeJson } from '../util.js';

const r4 = (m: { rmse: number; mae: number; mape: number | null }) => ({ rmse: round(m.rmse), mae: round(m.mae), mape: round(m.mape) });

export function register(program: Command): void {
  engineOption(program
    .command('eval'))
    .description('Score a saved model on a file: forecast errors vs naive baselines, classification accuracy/F1, or language-model bits per character.')
    .argument('<model>', 'model file (.safetensors)')
    .argument('<file>', 'CSV series, CSV/JSONL labelled texts, or text file')
    .option('-c, --column <name>', 'series or text column (default: the one used in training)')
    .option('--max-bytes <n>', 'language model: use only the first N bytes', intOption(1), 1 << 20)
    .option('--all', "score everything, also what the model was trained on (default on its training data: only the hold-out)")
    .option('--json', 'print one JSON object on stdout')
    .action(async (path: string, file: string, f: { column?: string; maxBytes: number; all?: boolean; json?: boolean; engine: EngineName }) => {
      const m = openModel(path);
      const reportEngine = await useEngine(inferenceModels(m), f.engine);
      const meta = m.loaded.metadata as Record<string, unknown>;
      const all = { all: f.all ?? false };
      let out: Record<string, unknown>;
      if (m.kind === 'forecast') {
        const column = f.column ?? m.column;
        const table = await readCsv(file, { columns: [column] });
        const values = numericColumn(table, column);
        assertFinite(table, [column]);
        const ev = await naming(`${file}: column "${column}"`, () => scoreForecast(m.forecaster, meta.forecast, values, all));
        out = {
          scored: ev.scored, points: ev.points, origins: ev.origins.length, horizon: m.forecaster.plan.horizon,
          metrics: r4(ev.metrics),
          baselines: { last: r4(ev.baselines.last), seasonal: ev.baselines.seasonal ? r4(ev.baselines.seasonal) : null },
        };
      } else if (m.kind === 'classifier') {
        const data = await readLabelledTexts(file, f.column ?? m.textColumn, m.labelColumn);
        const classes = m.classifier.classes;
        const met = await naming(file, () => scoreClassifier(m.classifier, meta.classifier, data, all));
        out = { scored: met.scored, rows: met.rows, accuracy: round(met.accuracy), macroF1: round(met.macroF1), f1: Object.fromEntries(classes.map((k, i) => [k, round(met.f1[i]!)])) };
      } else if (m.kind === 'language-model') {
        const text = await readTextHead(file, f.maxBytes);
        if (text.trim() === '') throw new CliError(`${file}: empty text`);
        const ev = await naming(file, () => scoreLanguageModel(m.loaded.model, m.vocab, meta.languageModel, text, all));
        out = { scored: ev.scored, tokens: ev.tokens, loss: round(ev.loss), bitsPerChar: round(ev.bitsPerChar) };
      } else {
        throw new CliError(`${path}: the model has no task metadata (forecast, languageModel or classifier); use the library API`);
      }
      reportEngine();
      writeJson(out, !f.json);
    });
}
