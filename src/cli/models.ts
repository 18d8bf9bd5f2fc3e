/**
 * Open a saved model for the CLI and tell which recipe wrote it, from its metadata:
 * a series forecaster (`forecast`), a language model (`languageModel` + `vocab`) or a text
 * classifier (`classifier` + `vocab`). A missing file or a file that is not a model is a
 * one-line error naming the file.
 */
import { existsSync } from 'node:fs';
import { loadModel, type LoadedModel } from '../io/model-file.js';
import { SeriesForecaster } from '../data/forecast.js';
import { loadVocab } from '../data/language-model.js';
import { TextClassifier } from '../data/classify.js';
import { CliError } from './util.js';

export type OpenedModel =
  | { kind: 'forecast'; loaded: LoadedModel; forecaster: SeriesForecaster; column: string; dateColumn: string | null }
  | { kind: 'language-model'; loaded: LoadedModel; vocab: ReturnType<typeof loadVocab> }
  | { kind: 'classifier'; loaded: LoadedModel; classifier: TextClassifier; textColumn: string; labelColumn: string }
  | { kind: 'other'; loaded: LoadedModel };

export function openModel(path: string): OpenedModel {
  if (!existsSync(path)) throw new CliError(`${path}: no such model file`);
  const loaded = loadModel(path);
  const meta = loaded.metadata as Record<string, unknown>;
  if (meta.forecast) {
    const f = meta.forecast as { column?: string; dateColumn?: string | null; members?: number };
    const members = [loaded.model];
    for (let k = 2; k <= (f.members ?? 1); k++) members.push(loadModel(path.replace(/\.safetensors$/, `.${k}.safetensors`)).model);
    return { kind: 'forecast', loaded, forecaster: SeriesForecaster.fromJSON(meta.forecast, members), column: f.column ?? 'value', dateColumn: f.dateColumn ?? null };
  }
  if (meta.languageModel && meta.vocab) return { kind: 'language-model', loaded, vocab: loadVocab(meta.vocab) };
  if (meta.classifier && meta.vocab) {
    const c = meta.classifier as { classes: string[]; maxLen: number; textColumn: string; labelColumn: string };
    return { kind: 'classifier', loaded, classifier: new TextClassifier(loaded.model, loadVocab(meta.vocab), c.classes, c.maxLen), textColumn: c.textColumn, labelColumn: c.labelColumn };
  }
  return { kind: 'other', loaded };
}
