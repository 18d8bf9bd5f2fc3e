/**
 * Open whatever model file this is and tell which recipe wrote it, from its metadata: a series
 * forecaster (`forecast`, with its ensemble members), a language model (`languageModel` +
 * `vocab`) or a text classifier (`classifier` + `vocab`); any other lstm-ts model file is
 * 'other'. A missing file is a RangeError and a damaged one a FormatError, each naming the file.
 */
import { existsSync } from 'node:fs';
import { loadModel, type LoadedModel } from '../io/model-file.js';
import type { SeriesForecaster } from './forecast/single-series.js';
import { openForecast } from './forecast/files.js';
import { vocabFromJSON } from '../data/text.js';
import { TextClassifier } from './classify.js';
import { FormatError } from '../io/errors.js';
import type { Sequential } from '../nn/sequential.js';

/** A model file and the recipe that wrote it. */
export type OpenedModel =
  | { kind: 'forecast'; loaded: LoadedModel; forecaster: SeriesForecaster; column: string; dateColumn: string | null }
  | { kind: 'language-model'; loaded: LoadedModel; vocab: ReturnType<typeof vocabFromJSON> }
  | { kind: 'classifier'; loaded: LoadedModel; classifier: TextClassifier; textColumn: string; labelColumn: string }
  | { kind: 'other'; loaded: LoadedModel };

/** Load the model at `path` and, from its metadata, what it is for. */
export function openModel(path: string): OpenedModel {
  if (!existsSync(path)) throw new RangeError(`${path}: no such model file`);
  const loaded = loadModel(path);
  const meta = loaded.metadata as Record<string, unknown>;
  if (meta.forecast) return { kind: 'forecast', loaded, ...openForecast(path, loaded) };
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

/** The models that run inference for an opened file: every ensemble member of a forecaster, else its one model. */
export function inferenceModels(m: OpenedModel): Sequential[] {
  return m.kind === 'forecast' ? m.forecaster.models : m.kind === 'classifier' ? [m.classifier.model] : [m.loaded.model];
}
