/**
 * The explorer's three training tasks, each a data set plus a small model built from the
 * library's own pieces (shared by the page, the lesson and the training worker), with an
 * LSTM, a GRU or a plain RNN as its recurrent layer:
 *   sine    x: 24 steps of sin(ωt + φ) with random ω, φ; y: the next value (regression).
 *   adding  the adding problem (Hochreiter & Schmidhuber 1997): 30 steps of (value, marker),
 *           two markers set, one in each half; y: the sum of the two marked values.
 *           Predicting 1 scores MSE ≈ 0.17.
 *   names   next-character prediction on common first names, one per line (Embedding → cell →
 *           Dense, cross-entropy), the recipe of `lstm train-text`.
 * Every random choice goes through a seeded Rng. parseProbe turns typed input into a model
 * input and says how much of it was left out.
 */
import {
  CharVocab, Dense, Embedding, GRU, LastStep, LSTM, PAD_ID, RNN, Rng, Sequential, Tensor, WordVocab, nextTokenChunks, tokenize, type LossName,
} from '../../src/index.js';
import { NAMES } from './names.js';

export type TaskName = 'sine' | 'adding' | 'names';
export const TASKS: TaskName[] = ['sine', 'adding', 'names'];
export type CellType = 'lstm' | 'gru' | 'rnn';
export const CELLS: CellType[] = ['lstm', 'gru', 'rnn'];

export interface Task {
  name: TaskName;
  cell: CellType;
  model: Sequential;
  x: Tensor;
  y: Tensor;
  loss: LossName;
  batchSize: number;
  lr: number;
  vocab?: CharVocab;
}

export const SINE_T = 24, ADD_T = 30, HIDDEN = 12;
/** Longest input the page traces (steps, or characters of text). */
export const MAX_STEPS = 200, MAX_CHARS = 80;

export function buildTask(name: TaskName, seed = 1, cell: CellType = 'lstm'): Task {
  const rng = new Rng(seed);
  if (name === 'sine') {
    const N = 256, x = Tensor.zeros([N, SINE_T, 1]), y = Tensor.zeros([N, 1]);
    for (let n = 0; n < N; n++) {
      const w = rng.uniform(0.2, 0.6), p = rng.uniform(0, 2 * Math.PI);
      for (let t = 0; t < SINE_T; t++) x.data[n * SINE_T + t] = Math.sin(w * t + p);
      y.data[n] = Math.sin(w * SINE_T + p);
    }
    return { name, cell, model: regressionModel(cell, 1, seed), x, y, loss: 'mse', batchSize: 32, lr: 0.02 };
  }
  if (name === 'adding') {
    const N = 512, x = Tensor.zeros([N, ADD_T, 2]), y = Tensor.zeros([N, 1]);
    for (let n = 0; n < N; n++) {
      const a = rng.int(ADD_T / 2), b = ADD_T / 2 + rng.int(ADD_T / 2);
      for (let t = 0; t < ADD_T; t++) x.data[(n * ADD_T + t) * 2] = rng.random();
      x.data[(n * ADD_T + a) * 2 + 1] = 1;
      x.data[(n * ADD_T + b) * 2 + 1] = 1;
      y.data[n] = x.data[(n * ADD_T + a) * 2]! + x.data[(n * ADD_T + b) * 2]!;
    }
    return { name, cell, model: regressionModel(cell, 2, seed), x, y, loss: 'mse', batchSize: 32, lr: 0.01 };
  }
  const text = '\n' + rng.shuffle([...NAMES]).join('\n') + '\n';
  const vocab = new CharVocab().fit(text);
  const { x, y } = nextTokenChunks(vocab.encode(text), 16);
  // The recipe of `lstm train-text` at the page's size: token ids → embedding → cell → next-token logits.
  const model = new Sequential([
    ['emb', new Embedding({ numEmbeddings: vocab.size, embeddingDim: 10, paddingIdx: PAD_ID, seed })],
    ['lstm', recurrent(cell, 10, 24, seed + 1)],
    ['fc', new Dense({ inputSize: 24, outputSize: vocab.size, seed: seed + 3 })],
  ], { task: 'language-model' });
  return { name, cell, model, x, y, loss: 'cross-entropy', batchSize: 16, lr: 0.02, vocab };
}

/** A batch-first recurrent layer of the chosen kind. */
function recurrent(cell: CellType, inputSize: number, hiddenSize: number, seed: number): LSTM | GRU | RNN {
  const Cell = cell === 'gru' ? GRU : cell === 'rnn' ? RNN : LSTM;
  return new Cell({ inputSize, hiddenSize, batchFirst: true, seed });
}

/** (B,T,F) → cell → last step → Dense → (B,1). */
export function regressionModel(cell: CellType, features: number, seed: number): Sequential {
  return new Sequential([
    ['lstm', recurrent(cell, features, HIDDEN, seed)],
    ['last', new LastStep()],
    ['fc', new Dense({ inputSize: HIDDEN, outputSize: 1, seed: seed + 1 })],
  ]);
}

/** The true next value of the sine task's default input (sin(0.4·24)), shown beside the prediction. */
export const SINE_NEXT = Math.sin(0.4 * SINE_T);

/** The text a task's input box starts with. */
export function defaultProbe(name: TaskName): string {
  if (name === 'sine') return Array.from({ length: SINE_T }, (_, t) => Math.sin(0.4 * t).toFixed(2)).join(' ');
  if (name === 'adding') return '0.3 0.8 0.1 0.5* 0.9 0.2 0.6 0.4 0.7 0.1 0.3 0.2 0.8 0.5 0.6 0.9 0.1 0.4* 0.2 0.7';
  return 'elizabeth';
}

export interface Probe {
  x: Tensor;
  display: { label: string; values: number[] | number[][] | string[] };
  /** Steps (or characters) typed beyond MAX_STEPS (MAX_CHARS) and left out. */
  dropped: number;
  /** The sum of the two marked values, for adding-problem input (features 2, two markers). */
  markedSum?: number;
}

/**
 * Parse what the user typed into one model input: numbers, one step per space-separated token
 * (several features per step as a,b,c; adding problem: a * after a value sets its marker), or
 * text for a character model. Throws a RangeError naming the bad token.
 */
export function parseProbe(text: string, features: number, vocab?: CharVocab | WordVocab): Probe {
  if (vocab) {
    // Characters for a character model, words (as the vocabulary splits them) for a word model.
    const all = vocab instanceof WordVocab ? tokenize(text, vocab.lowercase) : Array.from(text.toLowerCase());
    const tokens = all.slice(0, vocab instanceof WordVocab ? MAX_STEPS : MAX_CHARS);
    if (tokens.length === 0) throw new RangeError('empty input');
    const ids = vocab instanceof WordVocab ? Int32Array.from(tokens, (w) => vocab.id(w)) : vocab.encode(tokens.join(''));
    return { x: new Tensor(Float32Array.from(ids), [1, ids.length]), display: { label: 'text', values: tokens }, dropped: all.length - tokens.length };
  }
  // Steps are separated by spaces (or commas when there is one feature); a step's features by commas.
  const all = text.split(features === 1 ? /[\s,;]+/ : /[\s;]+/).filter(Boolean), tokens = all.slice(0, MAX_STEPS);
  if (tokens.length === 0) throw new RangeError('empty input');
  const x = Tensor.zeros([1, tokens.length, features]);
  tokens.forEach((tok, t) => {
    const marked = tok.endsWith('*');
    const parts = (marked ? tok.slice(0, -1) : tok).split(',');
    if (parts.length > features) throw new RangeError(`"${tok}": ${parts.length} values, the model takes ${features} per step`);
    parts.forEach((p, j) => {
      const v = Number(p);
      if (p === '' || !Number.isFinite(v)) throw new RangeError(`not a number: "${p}" in "${tok}"`);
      x.data[t * features + j] = v;
    });
    if (marked && features > 1) x.data[t * features + 1] = 1;
  });
  const values = Array.from({ length: tokens.length }, (_, t) => x.data[t * features]!);
  const marks = Array.from({ length: tokens.length }, (_, t) => (features > 1 ? x.data[t * features + 1]! : 0));
  const series = features > 1 ? [values, marks] : values;
  const marked = values.filter((_, t) => marks[t] === 1);
  const probe: Probe = { x, display: { label: 'x', values: series }, dropped: all.length - tokens.length };
  if (features === 2 && marked.length === 2) probe.markedSum = marked[0]! + marked[1]!;
  return probe;
}
