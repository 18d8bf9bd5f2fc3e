/**
 * The explorer's three training tasks, each a data set plus a small model built from the
 * library's own pieces (shared by the page and its training worker):
 *   sine    x: 24 steps of sin(ωt + φ) with random ω, φ; y: the next value (regression).
 *   adding  the adding problem (Hochreiter & Schmidhuber 1997): 30 steps of (value, marker),
 *           two markers set; y: the sum of the two marked values. Predicting 1 scores MSE ≈ 0.17.
 *   names   next-character prediction on common first names, one per line (Embedding → LSTM →
 *           Dense, cross-entropy), the recipe of `lstm train-text`.
 * Every random choice goes through a seeded Rng.
 */
import { CharVocab, Dense, LastStep, LSTM, LM_DEFAULTS, Rng, Sequential, Tensor, buildLanguageModel, nextTokenChunks, type LossName } from '../../src/index.js';
import { NAMES } from './names.js';

export type TaskName = 'sine' | 'adding' | 'names';
export const TASKS: TaskName[] = ['sine', 'adding', 'names'];

export interface Task {
  name: TaskName;
  model: Sequential;
  x: Tensor;
  y: Tensor;
  loss: LossName;
  batchSize: number;
  lr: number;
  vocab?: CharVocab;
}

const SINE_T = 24, ADD_T = 30, HIDDEN = 12;

export function buildTask(name: TaskName, seed = 1): Task {
  const rng = new Rng(seed);
  if (name === 'sine') {
    const N = 256, x = Tensor.zeros([N, SINE_T, 1]), y = Tensor.zeros([N, 1]);
    for (let n = 0; n < N; n++) {
      const w = rng.uniform(0.2, 0.6), p = rng.uniform(0, 2 * Math.PI);
      for (let t = 0; t < SINE_T; t++) x.data[n * SINE_T + t] = Math.sin(w * t + p);
      y.data[n] = Math.sin(w * SINE_T + p);
    }
    return { name, model: regressionModel(1, seed), x, y, loss: 'mse', batchSize: 32, lr: 0.02 };
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
    return { name, model: regressionModel(2, seed), x, y, loss: 'mse', batchSize: 32, lr: 0.01 };
  }
  const text = '\n' + rng.shuffle([...NAMES]).join('\n') + '\n';
  const vocab = new CharVocab().fit(text);
  const { x, y } = nextTokenChunks(vocab.encode(text), 16);
  const model = buildLanguageModel({ ...LM_DEFAULTS, seqLen: 16, embedding: 10, hidden: 24, batchSize: 16, lr: 0.02, seed }, vocab.size);
  return { name, model, x, y, loss: 'cross-entropy', batchSize: 16, lr: 0.02, vocab };
}

/** (B,T,F) → LSTM → last step → Dense → (B,1). */
function regressionModel(features: number, seed: number): Sequential {
  return new Sequential([
    ['lstm', new LSTM({ inputSize: features, hiddenSize: HIDDEN, batchFirst: true, seed })],
    ['last', new LastStep()],
    ['fc', new Dense({ inputSize: HIDDEN, outputSize: 1, seed: seed + 1 })],
  ]);
}

/** The text a task's input box starts with. */
export function defaultProbe(name: TaskName): string {
  if (name === 'sine') return Array.from({ length: SINE_T }, (_, t) => Math.sin(0.4 * t).toFixed(2)).join(' ');
  if (name === 'adding') return '0.3 0.8 0.1 0.5* 0.9 0.2 0.6 0.4 0.7 0.1 0.3 0.2 0.8 0.5 0.6 0.9 0.1 0.4* 0.2 0.7';
  return 'elizabeth';
}

export interface Probe {
  x: Tensor;
  display: { label: string; values: number[] | number[][] | string[] };
}

/**
 * Parse what the user typed into one model input: numbers, one step per space-separated token
 * (several features per step as a,b,c; adding problem: a * after a value sets its marker), or
 * text for a character model. Throws a RangeError naming the bad token.
 */
export function parseProbe(text: string, features: number, vocab?: { encode(s: string): Int32Array }): Probe {
  if (vocab) {
    const chars = Array.from(text.toLowerCase()).slice(0, 80);
    if (chars.length === 0) throw new RangeError('empty input');
    const ids = vocab.encode(chars.join(''));
    return { x: new Tensor(Float32Array.from(ids), [1, ids.length]), display: { label: 'text', values: chars } };
  }
  // Steps are separated by spaces (or commas when there is one feature); a step's features by commas.
  const tokens = text.split(features === 1 ? /[\s,;]+/ : /[\s;]+/).filter(Boolean).slice(0, 200);
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
  const series = features > 1 ? [values, Array.from({ length: tokens.length }, (_, t) => x.data[t * features + 1]!)] : values;
  return { x, display: { label: 'x', values: series } };
}
