/**
 * Time to quality, the shared part: one character language model task on Plato's Republic
 * (data/republic_clean.txt), prepared once and handed to every implementation as files, so
 * lstm-ts, PyTorch (bench/torch_charlm.py) and TF.js train the same model from the same initial
 * weights on the same batches in the same order, and are scored on the same held-out text.
 *
 *   text       the first 90 % of the file trains, the last 10 % is held out; the character
 *              vocabulary is the training part's (lstm-ts's CharVocab: ids 0 pad, 1 unknown)
 *   batches    non-overlapping chunks of seqLen + 1 characters (x = chunk[0..T), y = chunk[1..T]),
 *              batchSize chunks per step in a seeded random order, a new order every epoch
 *   model      Embedding(V, 64) → LSTM(64 → 256, 2 layers) → Dense(256 → V), PyTorch's
 *              initialisation drawn by lstm-ts with fixed seeds; cross-entropy, Adam (lr 2e-3,
 *              betas 0.9/0.999, eps 1e-8), no clipping, no dropout
 *   score      bits per character on the first evalChars characters of the held-out part
 *              (cross-entropy / ln 2), eval mode, timed separately from training
 *
 * Files in the task directory: meta.json (the plan, sizes and the weights' layout), train.i32
 * and val.i32 (character ids), order.i32 (chunk index of every batch row, step after step) and
 * weights.f32 (every initial parameter, float32, PyTorch names and layouts, one after another).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CharVocab, Dense, Embedding, LSTM, Rng, Sequential } from '../src/index.js';

export const TTQ_PLAN = {
  seqLen: 100, batchSize: 32, embedding: 64, hidden: 256, layers: 2,
  lr: 2e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8,
  valFraction: 0.1, evalChars: 30_000, seed: 0,
} as const;

export interface TtqMeta {
  plan: typeof TTQ_PLAN;
  source: string;
  vocabSize: number;
  trainChars: number;
  valChars: number;
  /** Training chunks (of seqLen + 1 characters) and the steps order.i32 holds. */
  trainChunks: number;
  steps: number;
  /** Held-out chunks scored at each evaluation. */
  evalChunks: number;
  weights: Array<{ name: string; shape: number[]; offset: number }>;
}

/** The model of the task, with the initial weights every implementation starts from. */
export function ttqModel(vocabSize: number): Sequential {
  const p = TTQ_PLAN;
  return new Sequential([
    ['emb', new Embedding({ numEmbeddings: vocabSize, embeddingDim: p.embedding, seed: p.seed + 1 })],
    ['lstm', new LSTM({ inputSize: p.embedding, hiddenSize: p.hidden, numLayers: p.layers, batchFirst: true, seed: p.seed + 2 })],
    ['fc', new Dense({ inputSize: p.hidden, outputSize: vocabSize, seed: p.seed + 3 })],
  ], { task: 'language-model' });
}

/** Write the task files into `dir` for at most `maxSteps` training steps. */
export function prepareTtq(textPath: string, dir: string, maxSteps: number): TtqMeta {
  const p = TTQ_PLAN;
  const text = readFileSync(textPath, 'utf8');
  const cut = Math.floor(text.length * (1 - p.valFraction));
  const vocab = new CharVocab().fit(text.slice(0, cut));
  const train = vocab.encode(text.slice(0, cut)), val = vocab.encode(text.slice(cut));
  const trainChunks = Math.floor((train.length - 1) / p.seqLen);
  const perEpoch = Math.floor(trainChunks / p.batchSize);
  const order = new Int32Array(maxSteps * p.batchSize);
  for (let epoch = 0, s = 0; s < maxSteps; epoch++) {
    const idx = new Rng(p.seed + 100 + epoch).shuffle(Array.from({ length: trainChunks }, (_, i) => i)) as number[];
    for (let k = 0; k < perEpoch && s < maxSteps; k++, s++) order.set(idx.slice(k * p.batchSize, (k + 1) * p.batchSize), s * p.batchSize);
  }
  const model = ttqModel(vocab.size);
  const weights: TtqMeta['weights'] = [];
  let offset = 0;
  const sd = model.stateDict();
  for (const [name, t] of Object.entries(sd)) {
    weights.push({ name, shape: t.shape, offset });
    offset += t.size;
  }
  const blob = new Float32Array(offset);
  for (const w of weights) blob.set(sd[w.name]!.data, w.offset);
  const meta: TtqMeta = {
    plan: p, source: textPath, vocabSize: vocab.size, trainChars: train.length, valChars: val.length,
    trainChunks, steps: maxSteps, evalChunks: Math.min(Math.floor(p.evalChars / p.seqLen), Math.floor((val.length - 1) / p.seqLen)), weights,
  };
  mkdirSync(dir, { recursive: true });
  const bytes = (a: Int32Array | Float32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  writeFileSync(join(dir, 'train.i32'), bytes(train));
  writeFileSync(join(dir, 'val.i32'), bytes(val));
  writeFileSync(join(dir, 'order.i32'), bytes(order));
  writeFileSync(join(dir, 'weights.f32'), bytes(blob));
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta, null, 1));
  return meta;
}

/** The task files read back (JavaScript side). */
export function readTtq(dir: string): { meta: TtqMeta; train: Int32Array; val: Int32Array; order: Int32Array; weights: Float32Array } {
  const i32 = (f: string): Int32Array => {
    const b = readFileSync(join(dir, f));
    return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  };
  const w = readFileSync(join(dir, 'weights.f32'));
  return {
    meta: JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as TtqMeta,
    train: i32('train.i32'), val: i32('val.i32'), order: i32('order.i32'),
    weights: new Float32Array(w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength)),
  };
}

/** x (rows, T) and y (rows, T) of chunks `idx` of `ids` (chunk j = ids[jT .. jT+T]), as floats. */
export function chunkBatch(ids: Int32Array, idx: ArrayLike<number>, T: number): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(idx.length * T), y = new Float32Array(idx.length * T);
  for (let r = 0; r < idx.length; r++) {
    const s = idx[r]! * T;
    for (let t = 0; t < T; t++) {
      x[r * T + t] = ids[s + t]!;
      y[r * T + t] = ids[s + t + 1]!;
    }
  }
  return { x, y };
}

/** One point of a learning curve: training seconds so far (evaluations excluded), steps, held-out bits/char. */
export interface CurvePoint {
  seconds: number;
  steps: number;
  bitsPerChar: number;
}

/** What each implementation reports. */
export interface TtqResult {
  impl: string;
  label: string;
  threads: number;
  curve: CurvePoint[];
  /** Median seconds per training step. */
  stepSeconds: number;
  maxRssKB: number;
  info: Record<string, string>;
}

/**
 * The training loop every JavaScript implementation shares: steps until `seconds` of training
 * time, an evaluation before the first step and whenever another `evalEvery` seconds have
 * passed (and at the end); evaluations are not counted as training time.
 */
export async function trainForTime(
  steps: number, seconds: number, evalEvery: number,
  step: (s: number) => Promise<void> | void, evaluate: () => Promise<number> | number,
): Promise<{ curve: CurvePoint[]; stepSeconds: number }> {
  const curve: CurvePoint[] = [{ seconds: 0, steps: 0, bitsPerChar: await evaluate() }];
  const times: number[] = [];
  let trained = 0, next = evalEvery, s = 0;
  while (trained < seconds && s < steps) {
    const t0 = performance.now();
    await step(s++);
    const dt = (performance.now() - t0) / 1000;
    times.push(dt);
    trained += dt;
    if (trained >= next || trained >= seconds || s === steps) {
      curve.push({ seconds: trained, steps: s, bitsPerChar: await evaluate() });
      while (next <= trained) next += evalEvery;
    }
  }
  times.sort((a, b) => a - b);
  return { curve, stepSeconds: times[times.length >> 1] ?? NaN };
}
