/**
 * Demo 4, character-level language model on Plato's Republic (Jowett's translation): an
 * Embedding → LSTM → Dense model trained to predict the next character, scored in bits per
 * character (BPC) on held-out text (the last 10% of the book) against two count models fit
 * on the training text with add-one (Laplace) smoothing over the V symbols the models can
 * emit: unigram P(c) = (n_c + 1)/(N + V), bigram P(c | p) = (n_pc + 1)/(n_p + V). All three
 * score exactly the same held-out positions. Samples at several temperatures show what was
 * learnt.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { writeFileAtomicSync, LSTM, Rng, Tensor, CharVocab, Dense, Embedding, Sequential, Adam, crossEntropy, lineChart } from '../src/index.js';
import { mainIfEntry, posInt, round, type Demo } from './runner.js';
import { bitsPerChar } from './metrics.js';
import { trainSteps } from './loop.js';

const TEXT = 'data/republic_clean.txt';

/**
 * Held-out BPC of the add-one unigram and bigram models. Ids are 0..size−1, id 0 being padding
 * (never emitted), so smoothing spreads over V = size − 1 symbols. Scores targets
 * test[first..end), each bigram conditioned on the character before it.
 */
export function ngramBpc(train: Int32Array, test: Int32Array, size: number, first: number, end: number): { unigram: number; bigram: number } {
  const V = size - 1;
  const uni = new Float64Array(size), big = new Float64Array(size * size);
  for (let i = 0; i < train.length; i++) {
    uni[train[i]!]!++;
    if (i > 0) big[train[i - 1]! * size + train[i]!]!++;
  }
  // Bigram context counts n_p: how often p is followed by anything (the last char is not).
  const ctx = new Float64Array(size);
  for (let i = 0; i + 1 < train.length; i++) ctx[train[i]!]!++;
  let nllU = 0, nllB = 0;
  for (let i = first; i < end; i++) {
    const c = test[i]!, p = test[i - 1]!;
    nllU -= Math.log((uni[c]! + 1) / (train.length + V));
    nllB -= Math.log((big[p * size + c]! + 1) / (ctx[p]! + V));
  }
  return { unigram: bitsPerChar(nllU, end - first), bigram: bitsPerChar(nllB, end - first) };
}

/** Inputs and next-char targets for non-overlapping chunks of `len` covering ids[0..1+n·len). */
function chunks(ids: Int32Array, len: number, n: number): { x: Tensor; y: Tensor } {
  const x = Tensor.zeros([n, len]), y = Tensor.zeros([n, len]);
  for (let k = 0; k < n; k++) for (let t = 0; t < len; t++) {
    x.data[k * len + t] = ids[k * len + t]!;
    y.data[k * len + t] = ids[k * len + t + 1]!;
  }
  return { x, y };
}

/** A batch of B random windows of length len (inputs) and their next characters. */
function randomWindows(ids: Int32Array, B: number, len: number, rng: Rng): { x: Tensor; y: Tensor } {
  const x = Tensor.zeros([B, len]), y = Tensor.zeros([B, len]);
  for (let b = 0; b < B; b++) {
    const s = rng.int(ids.length - len - 1);
    for (let t = 0; t < len; t++) {
      x.data[b * len + t] = ids[s + t]!;
      y.data[b * len + t] = ids[s + t + 1]!;
    }
  }
  return { x, y };
}

/** Held-out BPC of the model over the given chunks. */
function modelBpc(model: Sequential, data: { x: Tensor; y: Tensor }): number {
  const logits = model.predict(data.x, { batchSize: 64 });
  return crossEntropy().forward(logits, data.y) / Math.LN2;
}

/** Continue `prompt` by n characters, sampling softmax(logits/τ), the model seeing the last `ctx` chars. */
export function sample(model: Sequential, vocab: CharVocab, prompt: string, n: number, tau: number, ctx: number, rng: Rng): string {
  const ids = Array.from(vocab.encode(prompt));
  const V = vocab.size;
  const p = new Float64Array(V);
  for (let k = 0; k < n; k++) {
    const win = ids.slice(-ctx);
    const out = model.predict(Tensor.from(win, [1, win.length]));
    const off = (win.length - 1) * V;
    let mx = -Infinity;
    for (let j = 2; j < V; j++) mx = Math.max(mx, out.data[off + j]! / tau); // never pad or unk
    let s = 0;
    for (let j = 0; j < V; j++) s += p[j] = j < 2 ? 0 : Math.exp(out.data[off + j]! / tau - mx);
    let r = rng.random() * s, c = V - 1;
    for (let j = 2; j < V; j++) if ((r -= p[j]!) <= 0) { c = j; break; }
    ids.push(c);
  }
  return vocab.decode(ids.slice(-n));
}

export const charlmDemo: Demo = {
  name: 'charlm',
  title: "Character-level LSTM language model on Plato's Republic",
  summary: 'bits per character on held-out text against add-one unigram and bigram models, and samples',
  options: [
    { flags: '--steps <n>', description: 'training steps (default 1200; quick 150)', parse: posInt },
    { flags: '--hidden <n>', description: 'LSTM hidden units (default 128; quick 64)', parse: posInt },
  ],
  async run({ quick, seed, out, opts, log }) {
    const text = readFileSync(TEXT, 'utf8');
    const cut = Math.floor(text.length * 0.9);
    // Quick: train on 200k characters, test on the first 20k held-out ones.
    const trainText = quick ? text.slice(cut - 200_000, cut) : text.slice(0, cut);
    const testText = quick ? text.slice(cut, cut + 20_000) : text.slice(cut);
    const vocab = new CharVocab().fit(trainText);
    const trainIds = vocab.encode(trainText), testIds = vocab.encode(testText);
    const V = vocab.size - 1; // every id but padding can be emitted (unk included)
    const len = quick ? 32 : 100;
    const nChunks = Math.floor((testIds.length - 1) / len);
    const test = chunks(testIds, len, nChunks);
    const scored = nChunks * len; // positions 1..scored of the held-out text
    const base = ngramBpc(trainIds, testIds, vocab.size, 1, scored + 1);
    log(`baselines: unigram ${base.unigram.toFixed(3)} bpc, bigram ${base.bigram.toFixed(3)} bpc`);

    const hidden = (opts.hidden as number | undefined) ?? (quick ? 64 : 128);
    const steps = (opts.steps as number | undefined) ?? (quick ? 150 : 1200);
    const batch = 32, emb = quick ? 16 : 32, lr = quick ? 0.01 : 0.005;
    const model = new Sequential([
      ['embed', new Embedding({ numEmbeddings: vocab.size, embeddingDim: emb, paddingIdx: 0, seed })],
      ['lstm', new LSTM({ inputSize: emb, hiddenSize: hidden, batchFirst: true, seed: seed + 1, init: { unitForgetBias: true } })],
      ['fc', new Dense({ inputSize: hidden, outputSize: vocab.size, seed: seed + 2 })],
    ], { task: 'language-model' });
    const rng = new Rng(seed);
    const evalSet = chunks(testIds, len, Math.min(nChunks, quick ? 64 : 200)); // for the curve; the final score uses all
    const t0 = performance.now();
    const curve = trainSteps({
      model, loss: crossEntropy(), optimizer: new Adam(model, { lr }), clip: 1, steps,
      nextBatch: () => randomWindows(trainIds, batch, len, rng),
      evalEvery: Math.max(1, Math.round(steps / 20)),
      evaluate: () => modelBpc(model, evalSet),
      log, label: 'lstm',
    });
    const trainSeconds = (performance.now() - t0) / 1000;
    const lstmBpc = modelBpc(model, test);
    const sampleRng = new Rng(seed + 99);
    const prompt = 'Then, I said, ';
    const samples = [0.5, 0.8, 1.0].map((tau) => ({ temperature: tau, text: sample(model, vocab, prompt, quick ? 80 : 240, tau, len, sampleRng) }));
    const plots: string[] = [];
    if (out) {
      const p = join(out, 'charlm-curve.svg');
      writeFileAtomicSync(p, lineChart({
        title: 'Character LSTM: held-out bits per character while training', xLabel: 'training step', yLabel: 'bits per character',
        series: [
          { name: 'LSTM (held-out subset)', x: curve.step, y: curve.value },
          { name: 'unigram (add-one)', x: [0, steps], y: [base.unigram, base.unigram], dashed: true },
          { name: 'bigram (add-one)', x: [0, steps], y: [base.bigram, base.bigram], dashed: true },
        ],
      }));
      plots.push(p);
    }
    return {
      columns: [{ key: 'model', label: 'model' }, { key: 'bpc', label: 'held-out BPC', digits: 3 }, { key: 'params', label: 'params' }, { key: 'seconds', label: 'train seconds', digits: 1 }],
      rows: [
        { model: 'unigram, add-one', bpc: round(base.unigram, 4), params: V - 1, seconds: null },
        { model: 'bigram, add-one', bpc: round(base.bigram, 4), params: V * (V - 1), seconds: null },
        { model: `LSTM ${hidden} (embedding ${emb})`, bpc: round(lstmBpc, 4), params: model.numParameters(), seconds: round(trainSeconds, 1) },
      ],
      notes: [
        `Text: ${TEXT}; training ${trainText.length} characters, held-out ${testText.length} (the last 10% of the book${quick ? ', quick: its first 20k' : ''}); ${vocab.size - 2} distinct characters + unknown + padding; ${scored} held-out positions scored by every model.`,
        `LSTM: ${steps} steps of ${batch} random windows of ${len} characters, Adam lr ${lr}, clipping at 1; evaluated on non-overlapping ${len}-character chunks, state reset at each chunk.`,
        ...samples.map((s) => `Sample at temperature ${s.temperature}: ${JSON.stringify(prompt + s.text)}`),
      ],
      plots,
      extra: { samples, curve: { step: curve.step, bpc: curve.value } },
    };
  },
};

await mainIfEntry(charlmDemo, import.meta.url);
