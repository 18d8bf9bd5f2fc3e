/**
 * Open a saved model for the CLI and tell which recipe wrote it, from its metadata:
 * a series forecaster (`forecast`), a language model (`languageModel` + `vocab`) or a text
 * classifier (`classifier` + `vocab`). A missing file or a file that is not a model is a
 * one-line error naming the file.
 */
import { existsSync } from 'node:fs';
import { loadModel, type LoadedModel } from '../io/model-file.js';
import { SeriesForecaster } from './forecast/single-series.js';
import { vocabFromJSON } from '../data/text.js';
import { TextClassifier } from './classify.js';
import { FormatError } from '../io/errors.js';

/** Most ensemble members a forecast model file may declare. */
const MAX_MEMBERS = 1000;

export type OpenedModel =
  | { kind: 'forecast'; loaded: LoadedModel; forecaster: SeriesForecaster; column: string; dateColumn: string | null }
  | { kind: 'language-model'; loaded: LoadedModel; vocab: ReturnType<typeof vocabFromJSON> }
  | { kind: 'classifier'; loaded: LoadedModel; classifier: TextClassifier; textColumn: string; labelColumn: string }
  | { kind: 'other'; loaded: LoadedModel };

export function openModel(path: string): OpenedModel {
  if (!existsSync(path)) throw new RangeError(`${path}: no such model file`);
  const loaded = loadModel(path);
  const meta = loaded.metadata as Record<string, unknown>;
  if (meta.forecast) {
    const f = meta.forecast as { column?: string; dateColumn?: string | null; members?: number };
    // Ensemble members sit next to the file as NAME.2.safetensors, ...; a hostile count must not
    // make us load the same file forever.
    const count = f.members ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > MAX_MEMBERS) throw new FormatError(path, `metadata forecast.members must be an integer in 1..${MAX_MEMBERS}, got ${JSON.stringify(f.members)}`);
    if (count > 1 && !path.endsWith('.safetensors')) throw new FormatError(path, `an ensemble of ${count} models needs a file name ending in .safetensors (members are NAME.2.safetensors, ...)`);
    const members = [loaded.model];
    for (let k = 2; k <= count; k++) members.push(loadModel(path.replace(/\.safetensors$/, `.${k}.safetensors`)).model);
    return { kind: 'forecast', loaded, forecaster: SeriesForecaster.fromJSON(meta.forecast, members), column: f.column ?? 'value', dateColumn: f.dateColumn ?? null };
  }
  if (meta.languageModel && meta.vocab) return { kind: 'language-model', loaded, vocab: vocabFromJSON(meta.vocab) };
  if (meta.classifier && meta.vocab) {
    const c = meta.classifier as { classes: string[]; maxLen: number; textColumn: string; labelColumn: string };
    const C = loaded.model.outputSize;
    if (!Array.isArray(c.classes) || c.classes.length !== C || !c.classes.every((k) => typeof k === 'string')) {
      throw new FormatError(path, `metadata classifier.classes must be ${C} class names (one per model output), got ${JSON.stringify(c.classes)?.slice(0, 80)}`);
    }
    if (!Number.isInteger(c.maxLen) || c.maxLen < 1) throw new FormatError(path, `metadata classifier.maxLen must be a positive integer, got ${JSON.stringify(c.maxLen)}`);
    if (typeof c.textColumn !== 'string' || typeof c.labelColumn !== 'string') throw new FormatError(path, 'metadata classifier.textColumn and labelColumn must be strings');
    return { kind: 'classifier', loaded, classifier: new TextClassifier(loaded.model, vocabFromJSON(meta.vocab), c.classes, c.maxLen), textColumn: c.textColumn, labelColumn: c.labelColumn };
  }
  return { kind: 'other', loaded };
}
