/**
 * The onnxruntime engine (compile(model, { engine })): a model's eval-mode forward and predict
 * run by onnxruntime-node on the model's own ONNX export give the WebAssembly kernels' results
 * within float32 rounding, for every layer kind the export covers; it refuses clearly what it
 * cannot run; training never goes through it; and 'auto' picks per call by AUTO_RULE and says so.
 * The reference here is the model's own forward on the WebAssembly backend (the kernels are
 * checked against PyTorch and finite differences elsewhere), onnxruntime an independent runtime.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKENDS } from '../helpers/backends.js';
import {
  AUTO_RULE, Dense, Dropout, Embedding, GRU, LSTM, LastStep, RNN, Rng, Sequential, Tensor,
  autoChoice, compile, engineSummary, forwardFlops, mse, type LayerEntry,
} from '../../src/index.js';
import { loadOnnxruntime } from '../../src/io/onnx/onnxruntime-engine.js';

const BACKEND = BACKENDS.includes('wasm') ? 'wasm' : 'reference';

function input(shape: number[], seed: number, ids = 0): Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: n }, () => (ids ? Math.floor(rng.random() * ids) : rng.uniform(-1, 1))), shape);
}

/** Largest |a − b| / max(1, |b|). */
function worst(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return w;
}

interface Case {
  name: string;
  layers: () => LayerEntry[];
  x: Tensor;
  lengths?: number[];
}

const I = 5, T = 7, B = 4;
const CASES: Case[] = [
  { name: 'LSTM → LastStep → Dense', layers: () => [['lstm', new LSTM({ inputSize: I, hiddenSize: 8, batchFirst: true, seed: 1 })], ['last', new LastStep()], ['fc', new Dense({ inputSize: 8, outputSize: 3, seed: 2 })]], x: input([B, T, I], 1) },
  { name: 'GRU, per-step Dense (tanh)', layers: () => [['gru', new GRU({ inputSize: I, hiddenSize: 6, batchFirst: true, seed: 3 })], ['fc', new Dense({ inputSize: 6, outputSize: 2, activation: 'tanh', seed: 4 })]], x: input([B, T, I], 2) },
  { name: 'RNN tanh', layers: () => [['rnn', new RNN({ inputSize: I, hiddenSize: 9, batchFirst: true, seed: 5 })]], x: input([B, T, I], 3) },
  { name: 'RNN relu, 2 layers', layers: () => [['rnn', new RNN({ inputSize: I, hiddenSize: 6, numLayers: 2, nonlinearity: 'relu', batchFirst: true, seed: 6 })]], x: input([B, T, I], 4) },
  { name: 'bidirectional LSTM, 2 layers, → LastStep → Dense', layers: () => [['lstm', new LSTM({ inputSize: I, hiddenSize: 5, numLayers: 2, bidirectional: true, batchFirst: true, seed: 7 })], ['last', new LastStep()], ['fc', new Dense({ inputSize: 10, outputSize: 1, seed: 8 })]], x: input([B, T, I], 5) },
  { name: 'bidirectional GRU, padded batch (lengths)', layers: () => [['gru', new GRU({ inputSize: I, hiddenSize: 4, bidirectional: true, batchFirst: true, seed: 9 })], ['last', new LastStep()], ['fc', new Dense({ inputSize: 8, outputSize: 2, seed: 10 })]], x: input([B, T, I], 6), lengths: [7, 3, 1, 5] },
  { name: 'stacked LSTM over GRU, lengths, per-step output', layers: () => [['a', new LSTM({ inputSize: I, hiddenSize: 6, batchFirst: true, seed: 11 })], ['b', new GRU({ inputSize: 6, hiddenSize: 4, batchFirst: true, seed: 12 })]], x: input([B, T, I], 7), lengths: [2, 7, 7, 4] },
  { name: 'Embedding → LSTM (dropout) → Dense, token ids', layers: () => [['emb', new Embedding({ numEmbeddings: 11, embeddingDim: 4, paddingIdx: 0, seed: 13 })], ['lstm', new LSTM({ inputSize: 4, hiddenSize: 8, numLayers: 2, dropout: 0.3, batchFirst: true, seed: 14 })], ['drop', new Dropout({ p: 0.5, seed: 15 })], ['fc', new Dense({ inputSize: 8, outputSize: 11, seed: 16 })]], x: input([B, T], 8, 11) },
  { name: 'Embedding → GRU → LastStep → Dense (sigmoid), lengths', layers: () => [['emb', new Embedding({ numEmbeddings: 9, embeddingDim: 3, seed: 17 })], ['gru', new GRU({ inputSize: 3, hiddenSize: 5, batchFirst: true, seed: 18 })], ['last', new LastStep()], ['fc', new Dense({ inputSize: 5, outputSize: 1, activation: 'sigmoid', seed: 19 })]], x: input([B, T], 9, 9), lengths: [1, 7, 4, 6] },
  { name: 'projected bidirectional LSTM (exported as Scan loops), lengths', layers: () => [['lstm', new LSTM({ inputSize: I, hiddenSize: 6, projSize: 3, numLayers: 2, bidirectional: true, batchFirst: true, seed: 22 })], ['last', new LastStep()], ['fc', new Dense({ inputSize: 6, outputSize: 2, seed: 23 })]], x: input([B, T, I], 11), lengths: [7, 2, 5, 7] },
  { name: 'Dense → Dense (relu), rows', layers: () => [['a', new Dense({ inputSize: I, outputSize: 7, activation: 'relu', seed: 20 })], ['b', new Dense({ inputSize: 7, outputSize: 2, seed: 21 })]], x: input([B, I], 10) },
];

/** Count the calls that reach the attached engine's run (and what it returned). */
function spy(model: Sequential): { calls: number; answered: number } {
  const seen = { calls: 0, answered: 0 };
  const e = model.engine!;
  const run = e.run.bind(e);
  e.run = (x, lengths) => {
    seen.calls++;
    const y = run(x, lengths);
    if (y) seen.answered++;
    return y;
  };
  return seen;
}

describe(`onnxruntime engine (reference: the ${BACKEND} kernels)`, () => {
  for (const c of CASES) {
    test(`${c.name}: predict on onnxruntime equals the kernels within float32 rounding`, async () => {
      const model = new Sequential(c.layers(), { backend: BACKEND });
      model.eval();
      const opts = c.lengths ? { lengths: c.lengths } : {};
      const kernels = model.predict(c.x, opts);
      const choice = await compile(model, { engine: 'onnxruntime' });
      assert.equal(choice.engine, 'onnxruntime');
      const seen = spy(model);
      const onnx = model.predict(c.x, opts);
      assert.deepEqual(onnx.shape, kernels.shape);
      assert.equal(seen.answered, 1, 'the engine ran the call');
      const w = worst(onnx.data, kernels.data);
      assert.ok(w < 2e-6, `largest difference ${w}`);
      // forward in eval mode goes the same way; in training mode it never does.
      assert.ok(worst(model.forward(c.x, opts).data, kernels.data) < 2e-6);
      assert.equal(seen.calls, 2);
      // A batch of one (no lengths) runs on the time-major export, fed the same data as (T,1,F).
      if (c.x.shape.length >= 2 && model.inputKind !== 'any') {
        const row = c.x.shape.slice(1).reduce((p, q) => p * q, 1);
        const x1 = new Tensor(c.x.data.slice(0, row), [1, ...c.x.shape.slice(1)]);
        const y1 = model.forward(x1);
        model.setEngine(null);
        const want = model.forward(x1);
        assert.deepEqual(y1.shape, want.shape, 'batch of one: shape');
        assert.ok(worst(y1.data, want.data) < 2e-6, `batch of one: largest difference ${worst(y1.data, want.data)}`);
        await compile(model, { engine: 'onnxruntime' });
        model.forward(x1);
        assert.ok((model.engine as unknown as { sessions: Record<string, unknown> }).sessions.timeMajor, 'the time-major session ran it');
      }
      model.setEngine(null);
      assert.deepEqual(model.predict(c.x, opts).data, kernels.data, 'detached: the kernels again, bit for bit');
    });
  }

  test('encodeOnnx timeMajor: refused for a lone layer and for a model without a time axis', async () => {
    const { encodeOnnx } = await import('../../src/io/onnx/export.js');
    assert.throws(() => encodeOnnx(new LSTM({ inputSize: 2, hiddenSize: 3 }), { timeMajor: true }), /timeMajor is for a Sequential/);
    assert.throws(() => encodeOnnx(new Sequential([['fc', new Dense({ inputSize: 2, outputSize: 1 })]]), { timeMajor: true }), /timeMajor needs a model with a time axis/);
  });

  test('training mode detaches the engine; backward after an engine forward is an error', async () => {
    const model = new Sequential(CASES[0]!.layers(), { backend: BACKEND });
    await compile(model, { engine: 'onnxruntime' });
    const y = model.forward(CASES[0]!.x);
    assert.throws(() => model.backward(y), /last forward ran on the onnxruntime engine, which keeps nothing for backward/);
    model.train();
    assert.equal(model.engine, null, 'train() detaches');
    const loss = mse();
    loss.forward(model.forward(CASES[0]!.x), new Tensor(new Float32Array(B * 3), [B, 3]));
    model.zeroGrad();
    model.backward(loss.backward());
    assert.ok(Array.from(model.flatGrad).some((g) => g !== 0), 'the kernels ran forward and backward');
  });

  test('loadStateDict detaches the engine, so a stale copy of the weights never answers', async () => {
    const model = new Sequential(CASES[0]!.layers(), { backend: BACKEND });
    await compile(model, { engine: 'onnxruntime' });
    const sd = model.stateDict();
    for (const t of Object.values(sd)) t.data.fill(0.1);
    model.loadStateDict(sd);
    assert.equal(model.engine, null);
    const again = await compile(model, { engine: 'onnxruntime' });
    assert.equal(again.engine, 'onnxruntime');
    const y = model.predict(CASES[0]!.x);
    model.setEngine(null);
    assert.ok(worst(y.data, model.predict(CASES[0]!.x).data) < 2e-6, 'the new session has the new weights');
  });

  test('a float64 model has no ONNX export: onnxruntime refuses with the reason, auto picks the kernels and says why', async () => {
    const model = new Sequential([['lstm', new LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: true, dtype: 'float64', seed: 1 })]], { dtype: 'float64' });
    await assert.rejects(compile(model, { engine: 'onnxruntime' }), /cannot run this model on onnxruntime: .*float32/);
    const c = await compile(model, { engine: 'auto' });
    assert.equal(c.engine, 'wasm');
    assert.match(c.reason, /onnxruntime is not usable here \(.*float32.*\); the model's own kernels/);
    assert.equal(model.engine, null);
  });

  test('without onnxruntime-node the error says what to install', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-ort-'));
    try {
      assert.throws(() => loadOnnxruntime(join(empty, 'x.js')), /needs the npm package onnxruntime-node, an optional peer dependency of lstm-ts that is not installed: npm install onnxruntime-node@/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('a bad engine name is a RangeError; engine wasm detaches', async () => {
    const model = new Sequential(CASES[0]!.layers(), { backend: BACKEND });
    await assert.rejects(compile(model, { engine: 'gpu' as never }), /engine must be one of wasm, onnxruntime, auto, got "gpu"/);
    await compile(model, { engine: 'onnxruntime' });
    const c = await compile(model, { engine: 'wasm' });
    assert.equal(c.engine, 'wasm');
    assert.equal(model.engine, null);
  });

  test('token ids out of range: the same error as the kernels', async () => {
    const model = new Sequential(CASES[7]!.layers(), { backend: BACKEND });
    const bad = new Tensor(Float32Array.from([1, 2, 11]), [1, 3]);
    model.eval();
    assert.throws(() => model.predict(bad), /token id 11 at position 2 is out of range 0\.\.10/);
    await compile(model, { engine: 'onnxruntime' });
    assert.throws(() => model.predict(bad), /token id 11 at position 2 is out of range 0\.\.10/);
  });

  test('auto: calls below AUTO_RULE run on the kernels (bit for bit), above it on onnxruntime, and the summary says which and why', async () => {
    const model = new Sequential([['lstm', new LSTM({ inputSize: 4, hiddenSize: 16, batchFirst: true, seed: 3 })], ['last', new LastStep()], ['fc', new Dense({ inputSize: 16, outputSize: 1, seed: 4 })]], { backend: BACKEND });
    model.eval();
    // Sizes on both sides of the rule: per row and step the LSTM costs 2·4·16·(4+16) FLOPs.
    const perRowStep = forwardFlops(model, 1, 1).flops;
    const smallT = 2, bigB = Math.ceil(AUTO_RULE.lstm / (perRowStep * 50)) + 1;
    const small = input([1, smallT, 4], 1), big = input([bigB, 50, 4], 2);
    assert.ok(forwardFlops(model, 1, smallT).flops < AUTO_RULE.lstm && forwardFlops(model, bigB, 50).flops >= AUTO_RULE.lstm);
    const kSmall = model.predict(small), kBig = model.predict(big);
    const c = await compile(model, { engine: 'auto' });
    assert.equal(c.engine, 'auto');
    assert.deepEqual(model.predict(small).data, kSmall.data, 'a small call runs on the kernels');
    assert.ok(worst(model.predict(big).data, kBig.data) < 2e-6);
    const want = BACKEND.startsWith('wasm') ? [1, 1] : [2, 0];
    const used = (model.engine as unknown as { used: Record<string, { calls: number }> }).used;
    assert.deepEqual([used.onnxruntime!.calls, used.wasm!.calls], want);
    const s = engineSummary([model])!;
    if (BACKEND.startsWith('wasm')) {
      assert.match(s, /^engine auto: 1 call on onnxruntime \(batch \d+ × 50 steps, [\d.]+ [kM]FLOP: at or above the [\d.]+ [kM]FLOP per call .* for LSTM\); 1 call on wasm \(batch 1 × 2 steps, [\d.]+ kFLOP: below/);
    }
    assert.equal(autoChoice(model, 1, smallT).engine, BACKEND.startsWith('wasm') ? 'wasm' : 'onnxruntime');
    assert.equal(engineSummary([new Sequential(CASES[10]!.layers())]), null, 'no auto engine, no summary');
  });

  test('auto keeps a plain RNN on the kernels at any size (AUTO_RULE.rnn is Infinity) and says why', () => {
    const model = new Sequential([['rnn', new RNN({ inputSize: 16, hiddenSize: 256, batchFirst: true, seed: 1 })]], { backend: BACKEND });
    assert.equal(AUTO_RULE.rnn, Infinity);
    const c = autoChoice(model, 64, 1000); // 8.9 GFLOP
    if (BACKEND.startsWith('wasm')) {
      assert.equal(c.engine, 'wasm');
      assert.match(c.reason, /^batch 64 × 1000 steps, [\d.]+ GFLOP: the WebAssembly kernels were measured faster for RNN at every size$/);
    }
  });

  test('forwardFlops: 2·G·H·(I+H) per recurrent step, row and direction, 2·I·O per Dense row', () => {
    const m = new Sequential([['g', new GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true, numLayers: 2, batchFirst: true })], ['last', new LastStep()], ['fc', new Dense({ inputSize: 8, outputSize: 2 })]]);
    // layer 0: 2 directions × 2·3·4·(3+4); layer 1 reads 8 features: 2 × 2·3·4·(8+4); per row and step. Dense: 2·8·2 per row.
    const perStep = 2 * 2 * 3 * 4 * (3 + 4) + 2 * 2 * 3 * 4 * (8 + 4);
    assert.deepEqual(forwardFlops(m, 5, 10), { flops: perStep * 5 * 10 + 2 * 8 * 2 * 5, dominant: 'gru' });
  });
});

test('the browser build stubs the onnxruntime engine module: no onnxruntime-node in it, a Node-only error instead', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'engine-browser-'));
  try {
    const { buildBrowser } = await import('../../scripts/build-package.mjs' as string) as { buildBrowser: (out: string) => Promise<string[]> };
    const packages = await buildBrowser(join(dir, 'lstm-ts.js'));
    assert.ok(!packages.some((p) => p.startsWith('onnxruntime')), `bundled packages: ${packages.join(', ')}`);
    const js = readFileSync(join(dir, 'lstm-ts.js'), 'utf8');
    assert.doesNotMatch(js, /onnxruntime-node\/dist\/binding|createOnnxruntimeEngine\(model/);
    assert.match(js, /the onnxruntime engine is Node-only/);
    // The bundle runs in Node too: there the stub answers, and auto falls back to the kernels.
    const lib = await import(join(dir, 'lstm-ts.js')) as typeof import('../../src/index.js');
    const model = new lib.Sequential([['fc', new lib.Dense({ inputSize: 2, outputSize: 1 })]]);
    await assert.rejects(lib.compile(model, { engine: 'onnxruntime' }), /cannot run this model on onnxruntime: the onnxruntime engine is Node-only/);
    assert.equal((await lib.compile(model, { engine: 'auto' })).engine, 'wasm');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
