/**
 * `lstm predict MODEL FILE`: run a saved model on new data. Forecaster: the next `horizon`
 * values after the end of the CSV's series. Classifier: a label per text. Language model: a
 * continuation of the file's text.
 */
import type { Command } from 'commander';
import { readCsv, numericColumn, assertFinite, futureLabels, readLabelledTexts, generateText, openModel, readTextHead, inferenceModels, type EngineName } from '../../index.js';
import { CliError, engineOption, info, intOption, round, useEngine, writeJson, writeOut } from '../util.js';

export function register(program: Command): void {
  engineOption(program
    .command('predict'))
    .description('Run a saved model on a file: forecast past the end of a series, label texts, or continue a text.')
    .argument('<model>', 'model file (.safetensors)')
    .argument('<file>', 'CSV series (forecaster), CSV/JSONL texts (classifier) or text file (language model)')
    .option('-c, --column <name>', 'series or text column (default: the one used in training)')
    .option('-n, --length <n>', 'language model: tokens to generate', intOption(1), 200)
    .option('--json', 'print JSON on stdout')
    .action(async (path: string, file: string, f: { column?: string; length: number; json?: boolean; engine: EngineName }) => {
      const m = openModel(path);
      // Generation feeds one token per call with the state carried over: the kernels' work, not a whole-sequence engine's.
      if (m.kind === 'language-model' && f.engine === 'onnxruntime') {
        throw new CliError('--engine onnxruntime: a language model generates one token per call, carrying its state between calls, which the onnxruntime engine (whole sequences) does not do; use --engine wasm or auto');
      }
      if (m.kind === 'language-model' && f.engine === 'auto') info('engine: wasm (generation runs one token per call with carried state, on the kernels)');
      const reportEngine = await useEngine(m.kind === 'language-model' ? [] : inferenceModels(m), f.engine);
      if (m.kind === 'forecast') {
        const column = f.column ?? m.column;
        const table = await readCsv(file, { columns: [column], ...(m.dateColumn ? { dateColumn: m.dateColumn } : {}) });
        const values = numericColumn(table, column);
        assertFinite(table, [column]);
        const { lookback, horizon } = m.forecaster.plan;
        if (values.length < lookback) throw new CliError(`${file}: column "${column}" has ${values.length} rows, the model needs at least lookback = ${lookback}`);
        const fc = m.forecaster.forecast(values);
        const labels = futureLabels(values.length, horizon, table.dates);
        if (f.json) writeJson({ forecast: Array.from(fc, (v) => round(v)), dates: labels });
        else writeOut(['step,forecast', ...labels.map((l, i) => `${l},${fc[i]}`)].join('\n') + '\n');
      } else if (m.kind === 'classifier') {
        const data = await readLabelledTexts(file, f.column ?? m.textColumn, null);
        const rows = m.classifier.predict(data.texts).map((p) => ({ label: p.label, probability: round(p.probability, 4) }));
        if (f.json) writeJson({ predictions: rows });
        else writeOut(['row,label,probability', ...rows.map((r, i) => `${i + 1},${JSON.stringify(r.label)},${r.probability}`)].join('\n') + '\n');
      } else if (m.kind === 'language-model') {
        const text = await readTextHead(file, 1 << 20);
        if (text.trim() === '') throw new CliError(`${file}: empty text`);
        const out = generateText(m.loaded.model, m.vocab, { prompt: text, length: f.length, temperature: 0 });
        if (f.json) writeJson({ continuation: out.slice(text.length) });
        else writeOut(out.slice(text.length) + '\n');
      } else {
        throw new CliError(`${path}: the model has no task metadata (forecast, languageModel or classifier); use the library API`);
      }
      reportEngine();
    });
}
