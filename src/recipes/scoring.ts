/**
 * What `lstm eval` scores. A model scored on the file it was trained on looks far better than
 * it is (the airline forecaster: RMSE 17.8 over the whole series, 24.97 on its hold-out; a
 * classifier 99.5 % on its own training file). Each recipe stores a fingerprint of its training
 * data in the model file; when the file given to eval starts with that data, only the part the
 * model never trained on is scored by default — the forecaster's hold-out tail (and any rows
 * after it), the classifier's held-out rows, the language model's validation tail (and any text
 * after it) — and the result says which part was scored. `all: true` scores everything, and
 * says how much of it the model was trained on.
 */
import type { CharVocab, WordVocab } from '../data/text.js';
import type { Sequential } from '../nn/sequential.js';
import { splitRows, type LabelledTexts, type TextClassifier } from './classify.js';
import type { SeriesForecaster } from './forecast/single-series.js';
import { LM_DEFAULTS, evaluateLanguageModel } from './language-model.js';
import { fingerprint } from './resume.js';

/** Which part of the data an evaluation scored. */
export interface ScoredPart {
  /** 'unseen': only what the model was not trained on; 'all': everything given. */
  part: 'unseen' | 'all';
  /** How much was scored, and why (one sentence). */
  note: string;
}

export interface ScoreOptions {
  /** Score everything, including what the model was trained on. Default false. */
  all?: boolean;
}

const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? v as Record<string, unknown> : {});
const count = (v: unknown): number | null => (Number.isSafeInteger(v) && (v as number) >= 0 ? v as number : null);

/**
 * Score a forecaster on `values`: its hold-out (rows from the first it was not trained on) when
 * the values start with its training series, else every origin.
 */
export function scoreForecast(forecaster: SeriesForecaster, forecastMeta: unknown, values: ArrayLike<number>, opts: ScoreOptions = {}):
  ReturnType<SeriesForecaster['evaluate']> & { scored: ScoredPart } {
  const s = record(record(forecastMeta).series);
  const rows = count(s.rows), trainRows = count(s.trainRows);
  const same = rows !== null && trainRows !== null && values.length >= rows && fingerprint(Array.prototype.slice.call(values, 0, rows)) === s.key;
  if (same && !opts.all) {
    const ev = forecaster.evaluate(values, { from: trainRows });
    return { ...ev, scored: { part: 'unseen', note: `this is the model's training series: rows 1..${trainRows} trained it and are not scored; ${ev.origins.length} origins from row ${ev.origins[0]! + 1} on are (--all, or the all option, scores every row)` } };
  }
  const ev = forecaster.evaluate(values);
  const note = same ? `every origin, although rows 1..${trainRows} of this series trained the model (scores on them flatter it)`
    : `every origin (${ev.origins.length}): this is not the model's training series${rows === null ? ' (or the model file does not record it)' : ''}`;
  return { ...ev, scored: { part: 'all', note } };
}

/**
 * Score a classifier on labelled texts: its held-out rows when they are its training data (same
 * texts and labels), else all of them.
 */
export function scoreClassifier(classifier: TextClassifier, classifierMeta: unknown, data: LabelledTexts, opts: ScoreOptions = {}):
  { accuracy: number; macroF1: number; f1: number[]; rows: number; scored: ScoredPart } {
  const c = record(classifierMeta), d = record(c.data), plan = record(c.plan);
  const seed = count(plan.seed), testFraction = typeof plan.testFraction === 'number' ? plan.testFraction : null;
  const same = count(d.rows) === data.texts.length && seed !== null && testFraction !== null && fingerprint(data.texts, data.labels) === d.key;
  if (same && !opts.all) {
    const { testIdx } = splitRows(data.texts.length, { seed, testFraction });
    const held = { texts: testIdx.map((i) => data.texts[i]!), labels: testIdx.map((i) => data.labels[i]!) };
    return { ...classifier.evaluate(held), rows: testIdx.length, scored: { part: 'unseen', note: `this is the model's training file: only the ${testIdx.length} held-out rows are scored, not the ${data.texts.length - testIdx.length} it was trained on (--all, or the all option, scores every row)` } };
  }
  const note = same ? `every row, although ${data.texts.length - Math.max(1, Math.round(data.texts.length * testFraction!))} of them trained the model (scores on them flatter it)`
    : `every row (${data.texts.length}): this is not the model's training data${d.key === undefined ? ' (or the model file does not record it)' : ''}`;
  return { ...classifier.evaluate(data), rows: data.texts.length, scored: { part: 'all', note } };
}

/**
 * Score a language model on `text`: from its validation cut on when the text starts with its
 * training text, else all of it.
 */
export function scoreLanguageModel(model: Sequential, vocab: CharVocab | WordVocab, lmMeta: unknown, text: string, opts: ScoreOptions = {}):
  ReturnType<typeof evaluateLanguageModel> & { scored: ScoredPart } {
  const m = record(lmMeta), t = record(m.text);
  const seqLen = count(m.seqLen) ?? LM_DEFAULTS.seqLen;
  const chars = count(t.chars), valFraction = typeof m.valFraction === 'number' ? m.valFraction : null;
  const same = chars !== null && valFraction !== null && text.length >= chars && fingerprint(text.slice(0, chars)) === t.key;
  if (same && !opts.all) {
    const cut = Math.floor(chars * (1 - valFraction));
    return { ...evaluateLanguageModel(model, vocab, text.slice(cut), seqLen), scored: { part: 'unseen', note: `this is the model's training text: characters 1..${cut} trained it and are not scored; the ${text.length - cut} after them are (--all, or the all option, scores all of it)` } };
  }
  const note = same ? `all ${text.length} characters, although the first ${Math.floor(chars! * (1 - valFraction!))} trained the model (scores on them flatter it)`
    : `all ${text.length} characters: this is not the model's training text${chars === null ? ' (or the model file does not record it)' : ''}`;
  return { ...evaluateLanguageModel(model, vocab, text, seqLen), scored: { part: 'all', note } };
}
