/**
 * The language-model recipe behind `lstm train-text` and `lstm generate`: a character (or
 * word) vocabulary, the text cut into fixed-length chunks for next-token prediction
 * (x = ids[s..s+T), y = ids[s+1..s+T+1)), Embedding → LSTM → Dense(V) trained with
 * cross-entropy, a unigram baseline to beat, and sampling with temperature carrying the
 * recurrent state step by step (so generating n tokens costs n steps, not n²).
 *
 * Bits per character = loss(nats per token) · tokens / (chars · ln 2); for a character model
 * tokens = chars, so it is simply loss / ln 2.
 */
import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { saveModel } from '../io/model-file.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { Dense, Dropout, Embedding, LSTM, GRU, Sequential, RecurrentBase } from '../nn/index.js';
import { CharVocab, WordVocab, PAD_ID, UNK_ID, withDefaults } from '../data/text.js';
import { checkLimit, type Limits } from '../io/limits.js';
import { checkModelSize } from './budget.js';
import { divergedError, fit } from '../train/fit.js';
import { evaluate } from '../train/evaluate.js';
import { checkpointFitOptions, fingerprint, withPartial, type CheckpointOptions } from './resume.js';

export interface LanguageModelPlan {
  level: 'char' | 'word';
  /** Tokens per training chunk T. */
  seqLen: number;
  embedding: number;
  hidden: number;
  layers: number;
  cell: 'lstm' | 'gru';
  dropout: number;
  epochs: number;
  batchSize: number;
  lr: number;
  /** Fraction of the text (at its end) held out for validation. */
  valFraction: number;
  /** Word level: most frequent words kept. */
  maxVocab: number;
  seed: number;
}

/** Defaults documented here, used by the CLI. */
export const LM_DEFAULTS: LanguageModelPlan = {
  level: 'char', seqLen: 64, embedding: 32, hidden: 128, layers: 1, cell: 'lstm', dropout: 0,
  epochs: 8, batchSize: 32, lr: 0.005, valFraction: 0.1, maxVocab: 5000, seed: 0,
};

/** Cut ids into non-overlapping chunks of T+1 → x (M,T) and next-token targets y (M,T). */
export function nextTokenChunks(ids: Int32Array, seqLen: number): { x: Tensor; y: Tensor } {
  const m = Math.floor((ids.length - 1) / seqLen);
  if (m < 1) throw new RangeError(`text too short: ${ids.length} tokens, need more than ${seqLen}`);
  const x = new Float32Array(m * seqLen);
  const y = new Float32Array(m * seqLen);
  for (let j = 0; j < m; j++) {
    for (let t = 0; t < seqLen; t++) {
      x[j * seqLen + t] = ids[j * seqLen + t]!;
      y[j * seqLen + t] = ids[j * seqLen + t + 1]!;
    }
  }
  return { x: new Tensor(x, [m, seqLen]), y: new Tensor(y, [m, seqLen]) };
}

/**
 * Cross-entropy (nats per token) of an add-one-smoothed unigram model fitted on `train`,
 * measured on `test`: the baseline a language model must beat.
 */
export function unigramLoss(train: Int32Array, test: Int32Array, vocabSize: number): number {
  const counts = new Float64Array(vocabSize).fill(1);
  for (const id of train) counts[id]!++;
  const total = train.length + vocabSize;
  let loss = 0;
  for (const id of test) loss -= Math.log(counts[id]! / total);
  return loss / test.length;
}

/** Build Embedding → LSTM/GRU (→ Dropout) → Dense(V) with parameter names emb.*, lstm.*, fc.*. */
export function buildLanguageModel(plan: LanguageModelPlan, vocabSize: number, limits?: Partial<Limits>): Sequential {
  const Cell = plan.cell === 'gru' ? GRU : LSTM;
  checkModelSize([
    { type: 'Embedding', options: { numEmbeddings: vocabSize, embeddingDim: plan.embedding } },
    { type: plan.cell === 'gru' ? 'GRU' : 'LSTM', options: { inputSize: plan.embedding, hiddenSize: plan.hidden, numLayers: plan.layers } },
    { type: 'Dense', options: { inputSize: plan.hidden, outputSize: vocabSize } },
  ], `a language model of hidden size ${plan.hidden}, ${plan.layers} layer(s) and ${vocabSize} symbols`, limits);
  const layers: Array<[string, Embedding | LSTM | GRU | Dropout | Dense]> = [
    ['emb', new Embedding({ numEmbeddings: vocabSize, embeddingDim: plan.embedding, paddingIdx: PAD_ID, seed: plan.seed })],
    ['lstm', new Cell({ inputSize: plan.embedding, hiddenSize: plan.hidden, numLayers: plan.layers, batchFirst: true, seed: plan.seed + 1, dropout: plan.layers > 1 ? plan.dropout : 0 })],
  ];
  if (plan.dropout > 0) layers.push(['drop', new Dropout({ p: plan.dropout, seed: plan.seed + 2 })]);
  layers.push(['fc', new Dense({ inputSize: plan.hidden, outputSize: vocabSize, seed: plan.seed + 3 })]);
  return new Sequential(layers, { task: 'language-model' });
}

export interface TrainTextResult {
  model: Sequential;
  vocab: CharVocab | WordVocab;
  plan: LanguageModelPlan;
  /** Validation cross-entropy, nats per token. */
  valLoss: number;
  /** Unigram baseline on the same validation text, nats per token. */
  unigramLoss: number;
  /** Both in bits per character. */
  bitsPerChar: number;
  unigramBitsPerChar: number;
  trainTokens: number;
  valTokens: number;
  history: { loss: number[]; valLoss: number[]; epochs: number; bestEpoch: number; seconds: number };
  /** The text it was given (length in UTF-16 units, fingerprint): eval tells its training text by it. */
  text: { chars: number; key: string };
  /** Checkpoint files written (delete them with removeCheckpoints once the model is saved). */
  checkpoints: string[];
}

/** Train a language model on `text` (the last valFraction validates). */
export async function trainLanguageModel(
  text: string,
  opts: Partial<LanguageModelPlan> & CheckpointOptions & { log?: (m: string) => void; progress?: boolean | 'auto'; limits?: Partial<Limits> } = {},
): Promise<TrainTextResult> {
  const plan = withDefaults(LM_DEFAULTS, opts);
  if (text.trim() === '') throw new RangeError('empty text');
  const cut = Math.floor(text.length * (1 - plan.valFraction));
  const trainText = text.slice(0, cut);
  const valText = text.slice(cut);
  const vocab = plan.level === 'word' ? new WordVocab().fit(trainText, { maxSize: plan.maxVocab, limits: opts.limits }) : new CharVocab().fit(trainText, { limits: opts.limits });
  const trainIds = vocab.encode(trainText);
  const valIds = vocab.encode(valText);
  if (valIds.length <= plan.seqLen) throw new RangeError(`text too short: the validation part has ${valIds.length} tokens, need more than --seq-len ${plan.seqLen}`);
  const train = nextTokenChunks(trainIds, plan.seqLen);
  const val = nextTokenChunks(valIds, plan.seqLen);
  opts.log?.(`vocabulary ${vocab.size} ${plan.level === 'word' ? 'words' : 'characters'}; ${trainIds.length} training and ${valIds.length} validation tokens; ${train.x.shape[0]} chunks of ${plan.seqLen}`);
  const model = buildLanguageModel(plan, vocab.size, opts.limits);
  // The checkpoint is a usable model file (vocabulary and plan); its key ties it to this text
  // and these options (epochs excluded: a resumed run may train longer).
  const extra = { vocab: vocab.toJSON(), languageModel: plan };
  const history = await fit(model, {
    x: train.x, y: train.y, validation: { x: val.x, y: val.y },
    epochs: plan.epochs, batchSize: plan.batchSize, shuffle: true, seed: plan.seed,
    loss: 'cross-entropy', optimizer: { name: 'adam', lr: plan.lr }, clipNorm: 1,
    earlyStopping: { patience: 2, restoreBest: true },
    progress: opts.progress ?? 'auto',
    ...checkpointFitOptions(model, opts.checkpoint, fingerprint(text, { ...plan, epochs: 0 }), extra, opts),
  }).catch((err: unknown) => withPartial(err, () => ({ model, extra })));
  const valLoss = evaluate(model, { x: val.x, y: val.y, loss: 'cross-entropy' }).loss;
  // Guessing uniformly over the vocabulary scores ln V nats a token: far above it, training diverged.
  const uniform = Math.log(vocab.size);
  if (!(valLoss <= DIVERGED * uniform)) {
    withPartial(divergedError(`the validation loss ${valLoss.toPrecision(4)} nats a token is over ${DIVERGED}× that of a uniform guess over the ${vocab.size} symbols (${uniform.toPrecision(4)})`, history, plan.lr), () => ({ model, extra }));
  }
  const uni = unigramLoss(trainIds, valIds, vocab.size);
  return {
    model, vocab, plan, valLoss, unigramLoss: uni,
    bitsPerChar: bitsPerChar(valLoss, valIds.length, valText.length), unigramBitsPerChar: bitsPerChar(uni, valIds.length, valText.length),
    trainTokens: trainIds.length, valTokens: valIds.length, history, checkpoints: opts.checkpoint ? [opts.checkpoint] : [],
    text: { chars: text.length, key: fingerprint(text) },
  };
}

/**
 * Save a trained language model to `path` (creating its directory) as `lstm train-text` does:
 * the vocabulary and plan that generate/eval/predict need (openModel reads them back), the
 * training record and the validation scores. `source` names the text (file, bytes used).
 */
export function saveLanguageModel(path: string, r: TrainTextResult, source: { file?: string; bytes?: number } = {}): void {
  fs.mkdirSync(dirname(path), { recursive: true });
  saveModel(r.model, path, {
    vocab: r.vocab.toJSON(),
    languageModel: { ...r.plan, text: r.text },
    training: { file: source.file, bytes: source.bytes, seconds: r.history.seconds, epochs: r.history.epochs, bestEpoch: r.history.bestEpoch, loss: r.history.loss, valLoss: r.history.valLoss },
    metrics: { valLoss: r.valLoss, bitsPerChar: r.bitsPerChar, unigramBitsPerChar: r.unigramBitsPerChar },
  });
}

/** Nats per token → bits per character, for a text of `chars` characters cut into `tokens` tokens. */
function bitsPerChar(natsPerToken: number, tokens: number, chars: number): number {
  return (natsPerToken * tokens) / chars / Math.LN2;
}

/**
 * Score a language model on `text`: cross-entropy over non-overlapping chunks of `seqLen`
 * tokens (nats per token) and the same in bits per character. Too short a text is a RangeError.
 */
export function evaluateLanguageModel(model: Sequential, vocab: CharVocab | WordVocab, text: string, seqLen: number): { tokens: number; loss: number; bitsPerChar: number } {
  const ids = vocab.encode(text);
  const chunks = nextTokenChunks(ids, seqLen);
  const loss = evaluate(model, { x: chunks.x, y: chunks.y, loss: 'cross-entropy' }).loss;
  if (!Number.isFinite(loss)) throw new RangeError(`the model's loss on this text is ${loss}: its outputs overflow (a diverged model)`);
  return { tokens: chunks.y.size, loss, bitsPerChar: bitsPerChar(loss, ids.length, text.length) };
}

/** A loss this many times that of a uniform guess over the classes or symbols means the run diverged. */
export const DIVERGED = 10;

/** Sample an index from logits / temperature (temperature 0: the arg max). */
export function sampleLogits(logits: ArrayLike<number>, temperature: number, rng: Rng): number {
  let best = 0;
  for (let j = 1; j < logits.length; j++) if (logits[j]! > logits[best]!) best = j;
  if (temperature <= 0) return best;
  const p = new Float64Array(logits.length);
  let z = 0;
  for (let j = 0; j < logits.length; j++) z += p[j] = Math.exp((logits[j]! - logits[best]!) / temperature);
  let u = rng.random() * z;
  for (let j = 0; j < p.length; j++) {
    u -= p[j]!;
    if (u <= 0) return j;
  }
  return p.length - 1;
}

/**
 * Run a language model over ids with state carried between calls: returns the logits (V) after
 * the last id. The model must be Embedding → recurrent layers (→ Dropout) → Dense.
 */
export class StatefulRunner {
  private states = new Map<RecurrentBase, { h: Tensor; c?: Tensor }>();
  constructor(readonly model: Sequential) {
    model.eval();
  }

  /** Feed `ids` (in order); returns the next-token logits. */
  feed(ids: ArrayLike<number>): Float32Array | Float64Array {
    if (ids.length === 0) throw new RangeError('StatefulRunner.feed: no ids');
    let x = new Tensor(Float32Array.from(ids as ArrayLike<number>), [1, ids.length]);
    for (const layer of this.model.layers) {
      if (layer instanceof Embedding) x = layer.forward(x);
      else if (layer instanceof RecurrentBase) {
        const s = this.states.get(layer);
        const r = layer.forward(x, s ? { h0: s.h, ...(s.c ? { c0: s.c } : {}) } : {});
        this.states.set(layer, r.c ? { h: r.h, c: r.c } : { h: r.h });
        x = r.output;
      } else if (layer instanceof Dropout) continue;
      else if (layer instanceof Dense) x = layer.forward(x);
      else throw new RangeError(`StatefulRunner: unsupported layer ${layer.constructor.name}`);
    }
    const V = x.shape[x.shape.length - 1]!;
    return x.data.slice(x.data.length - V);
  }
}

export interface GenerateOptions {
  prompt?: string;
  /** Tokens to generate. Default 300. */
  length?: number;
  /** Sampling temperature (0: always the most likely token). Default 0.8. */
  temperature?: number;
  seed?: number;
  /** Budgets (io/limits.ts): the prompt's tokens plus `length` must be within `steps`. */
  limits?: Partial<Limits>;
}

/**
 * Continue `prompt` by `length` tokens, sampling with `temperature` (seeded), one piece of text
 * at a time: first the prompt (with a space after it at word level), then each token as it is
 * sampled, so a caller can show a long continuation as it grows. The pieces joined are
 * {@link generateText}'s result.
 */
export function* generatePieces(model: Sequential, vocab: CharVocab | WordVocab, opts: GenerateOptions = {}): Generator<string> {
  const rng = new Rng(opts.seed ?? 0);
  const prompt = opts.prompt ?? '';
  const length = opts.length ?? 300;
  const temperature = opts.temperature ?? 0.8;
  let ids = Array.from(vocab.encode(prompt));
  checkLimit('steps', ids.length + length, `generating ${length} tokens after a prompt of ${ids.length} is ${ids.length + length} steps`, undefined, opts.limits);
  const runner = new StatefulRunner(model);
  if (ids.length === 0) ids = [vocab instanceof CharVocab ? vocab.id('\n') : vocab.id('.')];
  let logits = runner.feed(ids);
  const word = vocab instanceof WordVocab;
  if (prompt !== '') yield word ? prompt + ' ' : prompt;
  for (let i = 0; i < length; i++) {
    if (logits.some((v) => Number.isNaN(v))) throw new RangeError('the model\'s next-token scores are NaN: its outputs overflow (a diverged model)');
    // Never emit padding or unknown.
    logits[PAD_ID] = -Infinity;
    logits[UNK_ID] = -Infinity;
    const id = sampleLogits(logits, temperature, rng);
    // Word level: a space before each word but the first, none before punctuation (as WordVocab.decode).
    const w = vocab.decode([id]);
    yield word && i > 0 && !/^[^\p{L}\p{N}(]/u.test(w) ? ' ' + w : w;
    logits = runner.feed([id]);
  }
}

/** Continue `prompt` by `length` tokens, sampling with `temperature` (seeded). */
export function generateText(model: Sequential, vocab: CharVocab | WordVocab, opts: GenerateOptions = {}): string {
  let s = '';
  for (const piece of generatePieces(model, vocab, opts)) s += piece;
  return s;
}
