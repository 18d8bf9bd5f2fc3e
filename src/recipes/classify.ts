/**
 * The sequence-classification recipe behind `lstm classify`: texts and labels (from a CSV or
 * JSON lines), a word (or char) vocabulary fitted on the training split, padded batches with
 * lengths, Embedding → LSTM → LastStep (each text's own last token) → Dense(classes) trained
 * with cross-entropy, and accuracy plus macro F1 on a held-out split chosen by a seeded shuffle.
 */
import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { saveModel } from '../io/model-file.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { Dense, Embedding, LSTM, GRU, LastStep, Sequential } from '../nn/index.js';
import { softmaxRows } from '../nn/activations.js';
import { FormatError, listNames, quote } from '../io/errors.js';
import { checkLimit, type Limits } from '../io/limits.js';
import { checkModelSize } from './budget.js';
import { readFileChecked } from '../io/read-file.js';
import { readCsv } from '../data/csv.js';
import { CharVocab, WordVocab, PAD_ID, padBatch, withDefaults } from '../data/text.js';
import { divergedError, fit } from '../train/fit.js';
import { DIVERGED } from './language-model.js';
import { checkpointFitOptions, fingerprint, withPartial, type CheckpointOptions } from './resume.js';

export interface LabelledTexts {
  texts: string[];
  labels: string[];
}

/**
 * Read texts and labels: a CSV with columns `textColumn` and `labelColumn`, or (for .jsonl /
 * .ndjson files) one JSON object per line with those keys. Empty texts are errors naming the
 * row. With `labelColumn` null only texts are read (labels is empty), for prediction.
 */
export async function readLabelledTexts(path: string, textColumn: string, labelColumn: string | null, opts: { limits?: Partial<Limits> } = {}): Promise<LabelledTexts> {
  const texts: string[] = [];
  const labels: string[] = [];
  if (/\.(jsonl|ndjson)$/i.test(path)) {
    const raw = new TextDecoder().decode(readFileChecked(path, { limits: opts.limits }));
    raw.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        throw new FormatError(path, `line ${i + 1}: not valid JSON`);
      }
      const o = obj as Record<string, unknown> | null;
      if (!o || typeof o !== 'object' || Array.isArray(o)) throw new FormatError(path, `line ${i + 1}: expected a JSON object`);
      const t = Object.hasOwn(o, textColumn) ? o[textColumn] : undefined;
      if (typeof t !== 'string') throw new FormatError(path, `line ${i + 1}, field ${quote(textColumn)}: expected a string`);
      texts.push(t);
      if (labelColumn === null) return;
      const l = Object.hasOwn(o, labelColumn) ? o[labelColumn] : undefined;
      if (typeof l !== 'string' && typeof l !== 'number' && typeof l !== 'boolean') throw new FormatError(path, `line ${i + 1}, field ${quote(labelColumn)}: expected a label (string, number or boolean)`);
      labels.push(String(l));
    });
  } else {
    const table = await readCsv(path, { columns: [], categorical: labelColumn === null ? [textColumn] : [textColumn, labelColumn], limits: opts.limits });
    texts.push(...(table.columns[textColumn] as string[]));
    if (labelColumn !== null) labels.push(...(table.columns[labelColumn] as string[]));
    texts.forEach((t, i) => {
      if (t.trim() === '') throw new FormatError(path, `line ${table.lines[i]}, column ${quote(textColumn)}: empty text`);
    });
  }
  if (texts.length === 0) throw new FormatError(path, 'no rows');
  texts.forEach((t, i) => {
    if (t.trim() === '') throw new FormatError(path, `row ${i + 1}, field ${quote(textColumn)}: empty text`);
  });
  return { texts, labels };
}

/** Accuracy and F1 (per class and macro-averaged) of predicted vs true class ids. */
export function classificationMetrics(trueIds: ArrayLike<number>, predIds: ArrayLike<number>, numClasses: number): { accuracy: number; macroF1: number; f1: number[] } {
  const tp = new Float64Array(numClasses), fp = new Float64Array(numClasses), fn = new Float64Array(numClasses);
  let correct = 0;
  for (let i = 0; i < trueIds.length; i++) {
    const t = trueIds[i]!, p = predIds[i]!;
    if (t === p) {
      correct++;
      tp[t]!++;
    } else {
      fp[p]!++;
      fn[t]!++;
    }
  }
  // F1 = 2TP / (2TP + FP + FN); a class never seen nor predicted scores 0 (as sklearn's zero_division=0).
  const f1 = Array.from(tp, (v, k) => (2 * v + fp[k]! + fn[k]! > 0 ? (2 * v) / (2 * v + fp[k]! + fn[k]!) : 0));
  return { accuracy: trueIds.length ? correct / trueIds.length : 0, macroF1: f1.reduce((a, b) => a + b, 0) / Math.max(1, numClasses), f1 };
}

export interface ClassifierPlan {
  level: 'word' | 'char';
  maxLen: number;
  maxVocab: number;
  embedding: number;
  hidden: number;
  cell: 'lstm' | 'gru';
  epochs: number;
  batchSize: number;
  lr: number;
  testFraction: number;
  seed: number;
}

export const CLASSIFIER_DEFAULTS: ClassifierPlan = {
  level: 'word', maxLen: 100, maxVocab: 10000, embedding: 32, hidden: 32, cell: 'lstm',
  epochs: 10, batchSize: 32, lr: 0.005, testFraction: 0.2, seed: 0,
};

/** A trained classifier with the vocabulary and label names it needs at prediction time. */
export class TextClassifier {
  constructor(
    readonly model: Sequential,
    readonly vocab: WordVocab | CharVocab,
    readonly classes: string[],
    readonly maxLen: number,
  ) {}

  /** Texts → padded ids (B,T) and lengths (empty texts become one pad token of length 1). */
  encode(texts: string[]): { ids: Tensor; lengths: Int32Array } {
    const seqs = texts.map((t) => {
      const ids = this.vocab.encode(t).subarray(0, this.maxLen);
      return ids.length > 0 ? ids : Int32Array.of(PAD_ID);
    });
    return padBatch(seqs);
  }

  /** Class probabilities (B,C) via softmax of the logits. */
  probabilities(texts: string[]): Tensor {
    const { ids, lengths } = this.encode(texts);
    const logits = this.model.predict(ids, { lengths });
    const bad = logits.data.findIndex((v) => Number.isNaN(v));
    if (bad >= 0) throw new RangeError(`the model's class scores for text ${Math.floor(bad / this.classes.length) + 1} are NaN: its outputs overflow (a diverged model)`);
    const C = this.classes.length;
    const out = Float64Array.from(logits.data);
    softmaxRows(out, C);
    return new Tensor(out, [texts.length, C]);
  }

  /** The most probable class of each text: its index, name and probability. */
  predict(texts: string[]): Array<{ id: number; label: string; probability: number }> {
    const p = this.probabilities(texts);
    const C = this.classes.length;
    return texts.map((_, r) => {
      let best = 0;
      for (let j = 1; j < C; j++) if (p.data[r * C + j]! > p.data[r * C + best]!) best = j;
      return { id: best, label: this.classes[best]!, probability: p.data[r * C + best]! };
    });
  }

  /** Predicted class index per text. */
  predictIds(texts: string[]): Int32Array {
    return Int32Array.from(this.predict(texts), (p) => p.id);
  }

  /** Accuracy and F1 on labelled texts; a label not seen in training is a RangeError naming its row. */
  evaluate(data: LabelledTexts): { accuracy: number; macroF1: number; f1: number[] } {
    const index = new Map(this.classes.map((k, i) => [k, i]));
    const unknown = data.labels.findIndex((l) => !index.has(l));
    if (unknown >= 0) throw new RangeError(`row ${unknown + 1}: label ${quote(data.labels[unknown]!)} was not seen in training (classes: ${listNames(this.classes)})`);
    return classificationMetrics(data.labels.map((l) => index.get(l)!), this.predictIds(data.texts), this.classes.length);
  }
}

/**
 * The held-out split of `n` rows: a seeded shuffle (plan.seed), the first round(n·testFraction)
 * (at least 1) held out. The same rows every time, so `lstm eval` on the training file can
 * score exactly the rows the model never saw.
 */
export function splitRows(n: number, plan: Pick<ClassifierPlan, 'seed' | 'testFraction'>): { testIdx: number[]; trainIdx: number[] } {
  const order = new Rng(plan.seed).shuffle(Array.from({ length: n }, (_, i) => i)) as number[];
  const nTest = Math.max(1, Math.round(n * plan.testFraction));
  return { testIdx: order.slice(0, nTest), trainIdx: order.slice(nTest) };
}

/** Train on a seeded random (1 − testFraction) of the rows; score accuracy and macro F1 on the rest. */
export async function trainClassifier(data: LabelledTexts, opts: Partial<ClassifierPlan> & CheckpointOptions & { log?: (m: string) => void; progress?: boolean | 'auto'; limits?: Partial<Limits> } = {}) {
  const plan = withDefaults(CLASSIFIER_DEFAULTS, opts);
  const n = data.texts.length;
  const classes = [...new Set(data.labels)].sort();
  if (classes.length < 2) throw new RangeError(`need at least 2 distinct labels, found ${classes.length} (${listNames(classes)})`);
  // A label column that is really an id or a text column has a class per row: refuse it early.
  checkLimit('classes', classes.length, `the labels take ${classes.length} distinct values in ${n} rows (is it the right label column?)`, undefined, opts.limits);
  const classIndex = new Map(classes.map((k, i) => [k, i]));
  const { testIdx, trainIdx } = splitRows(n, plan);
  const nTest = testIdx.length;
  if (trainIdx.length < 2) throw new RangeError(`too few rows: ${n}`);
  const pick = (idx: number[]) => ({ texts: idx.map((i) => data.texts[i]!), y: idx.map((i) => classIndex.get(data.labels[i]!)!) });
  const train = pick(trainIdx), test = pick(testIdx);
  const joined = train.texts.join('\n');
  const vocab = plan.level === 'char' ? new CharVocab().fit(joined, { limits: opts.limits }) : new WordVocab().fit(joined, { maxSize: plan.maxVocab, limits: opts.limits });
  const Cell = plan.cell === 'gru' ? GRU : LSTM;
  checkModelSize([
    { type: 'Embedding', options: { numEmbeddings: vocab.size, embeddingDim: plan.embedding } },
    { type: plan.cell === 'gru' ? 'GRU' : 'LSTM', options: { inputSize: plan.embedding, hiddenSize: plan.hidden } },
    { type: 'Dense', options: { inputSize: plan.hidden, outputSize: classes.length } },
  ], `a classifier of hidden size ${plan.hidden} over ${vocab.size} symbols`, opts.limits);
  const model = new Sequential(
    [
      ['emb', new Embedding({ numEmbeddings: vocab.size, embeddingDim: plan.embedding, paddingIdx: PAD_ID, seed: plan.seed })],
      ['lstm', new Cell({ inputSize: plan.embedding, hiddenSize: plan.hidden, batchFirst: true, seed: plan.seed + 1 })],
      ['last', new LastStep()],
      ['fc', new Dense({ inputSize: plan.hidden, outputSize: classes.length, seed: plan.seed + 2 })],
    ],
    { task: 'classification' },
  );
  const clf = new TextClassifier(model, vocab, classes, plan.maxLen);
  const tr = clf.encode(train.texts);
  const yTrain = new Tensor(Float32Array.from(train.y), [train.y.length]);
  opts.log?.(`${n} rows, ${classes.length} classes (${listNames(classes)}), vocabulary ${vocab.size}; training on ${trainIdx.length}, testing on ${nTest}`);
  // The checkpoint is a usable model file; its key ties it to these rows and options (epochs excluded).
  const extra = { vocab: vocab.toJSON(), classifier: { classes, maxLen: plan.maxLen, plan } };
  const history = await fit(model, {
    x: tr.ids, y: yTrain, lengths: tr.lengths, validation: { split: 0.1 },
    epochs: plan.epochs, batchSize: plan.batchSize, shuffle: true, seed: plan.seed,
    loss: 'cross-entropy', optimizer: { name: 'adam', lr: plan.lr }, clipNorm: 1,
    earlyStopping: { patience: 3, restoreBest: true }, progress: opts.progress ?? 'auto',
    ...checkpointFitOptions(model, opts.checkpoint, fingerprint(data.texts, data.labels, { ...plan, epochs: 0 }), extra, opts),
  }).catch((err: unknown) => withPartial(err, () => ({ model, extra })));
  // Guessing uniformly over the classes scores ln C: a best validation loss far above it means training diverged.
  const uniform = Math.log(classes.length);
  if (!(history.bestLoss <= DIVERGED * uniform)) {
    withPartial(divergedError(`the best validation loss ${history.bestLoss.toPrecision(4)} is over ${DIVERGED}× that of a uniform guess over the ${classes.length} classes (${uniform.toPrecision(4)})`, history, plan.lr), () => ({ model, extra }));
  }
  const pred = clf.predictIds(test.texts);
  const metrics = classificationMetrics(test.y, pred, classes.length);
  const majority = classes.map((_, k) => test.y.filter((y) => y === k).length);
  return {
    classifier: clf, plan, metrics, history, testSize: nTest, trainSize: trainIdx.length, majorityAccuracy: Math.max(...majority) / nTest,
    /** The rows it was given (fingerprint of texts and labels): eval tells its training data by it. */
    data: { rows: n, key: fingerprint(data.texts, data.labels) },
    /** Checkpoint files written (delete them with removeCheckpoints once the model is saved). */
    checkpoints: opts.checkpoint ? [opts.checkpoint] : [],
  };
}

/** What trainClassifier returns. */
export type TrainClassifierResult = Awaited<ReturnType<typeof trainClassifier>>;

/**
 * Save a trained classifier to `path` (creating its directory) as `lstm classify` does: the
 * vocabulary, classes and text/label columns that predict/eval need (openModel reads them back),
 * the training record and the held-out scores.
 */
export function saveClassifier(path: string, r: TrainClassifierResult, source: { textColumn: string; labelColumn: string; file?: string }): void {
  const c = r.classifier;
  fs.mkdirSync(dirname(path), { recursive: true });
  saveModel(c.model, path, {
    vocab: c.vocab.toJSON(),
    classifier: { classes: c.classes, maxLen: c.maxLen, textColumn: source.textColumn, labelColumn: source.labelColumn, plan: r.plan, data: r.data },
    training: { file: source.file, seconds: r.history.seconds, epochs: r.history.epochs, loss: r.history.loss, valLoss: r.history.valLoss },
    metrics: { accuracy: r.metrics.accuracy, macroF1: r.metrics.macroF1, testSize: r.testSize },
  });
}
