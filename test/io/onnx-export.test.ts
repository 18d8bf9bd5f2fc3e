/**
 * exportOnnx: models built here (Embedding, LSTM/GRU/RNN forward and bidirectional, stacked,
 * Dropout, LastStep, Dense with each activation; lone recurrent layers with initial states)
 * are written to ONNX, run by onnxruntime-node at two different batch sizes and sequence
 * lengths (the axes are dynamic), and must match the model's own predict; our loadOnnx must
 * read the file back to the same numbers. On every backend.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dense, Dropout, Embedding, GRU, LSTM, LastStep, RNN, Sequential } from '../../src/nn/index.js';
import { Tensor, encodeOnnx, exportOnnx, loadOnnx, sequentialFromOnnx, type Module } from '../../src/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { BACKENDS } from '../helpers/backends.js';
import { maxDiff, randn, runOrt } from './onnx-util.js';

const TOL = 2e-6;

type Build = (backend: string) => Module;
const MODELS: Array<{ name: string; build: Build; ids?: number; lengths?: boolean }> = [
  {
    name: 'LSTM 2 layers bidirectional → LastStep → Dense tanh',
    build: (backend) => new Sequential([
      ['lstm', new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, batchFirst: true, seed: 1, backend })],
      ['last', new LastStep({ backend })],
      ['fc', new Dense({ inputSize: 10, outputSize: 2, activation: 'tanh', seed: 2, backend })],
    ]),
  },
  {
    name: 'the same with lengths (padded batch)',
    lengths: true,
    build: (backend) => new Sequential([
      ['lstm', new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: true, seed: 3, backend })],
      ['last', new LastStep({ backend })],
      ['fc', new Dense({ inputSize: 8, outputSize: 1, seed: 4, backend })],
    ]),
  },
  {
    name: 'Embedding → GRU → Dropout → Dense (per step, language model)',
    ids: 9,
    build: (backend) => new Sequential([
      ['emb', new Embedding({ numEmbeddings: 9, embeddingDim: 4, seed: 5, backend })],
      ['gru', new GRU({ inputSize: 4, hiddenSize: 6, batchFirst: true, seed: 6, backend })],
      ['drop', new Dropout({ p: 0.3, backend })],
      ['fc', new Dense({ inputSize: 6, outputSize: 9, seed: 7, backend })],
    ], { task: 'language-model' }),
  },
  {
    name: 'Dense relu per step → RNN relu bidirectional → GRU 2 layers → LSTM → Dense sigmoid',
    build: (backend) => new Sequential([
      ['pre', new Dense({ inputSize: 2, outputSize: 5, activation: 'relu', seed: 11, backend })],
      ['rnn', new RNN({ inputSize: 5, hiddenSize: 3, bidirectional: true, nonlinearity: 'relu', batchFirst: true, seed: 8, backend })],
      ['gru', new GRU({ inputSize: 6, hiddenSize: 3, numLayers: 2, batchFirst: true, seed: 9, backend })],
      ['lstm', new LSTM({ inputSize: 3, hiddenSize: 4, batchFirst: true, seed: 10, backend })],
      ['out', new Dense({ inputSize: 4, outputSize: 1, activation: 'sigmoid', seed: 12, backend })],
    ]),
  },
];

function inputFor(rng: Rng, spec: (typeof MODELS)[number], model: Module, B: number, T: number): Tensor {
  if (spec.ids) return new Tensor(Float32Array.from({ length: B * T }, () => Math.floor(rng.random() * spec.ids!)), [B, T]);
  return randn(rng, [B, T, (model as Sequential).inputSize]);
}

for (const backend of BACKENDS) {
  describe(`exportOnnx → onnxruntime (${backend})`, () => {
    for (const spec of MODELS) {
      test(spec.name, async (t) => {
        const rng = new Rng(21);
        const model = spec.build(backend).eval() as Sequential;
        const bytes = encodeOnnx(model, { lengths: spec.lengths ?? false });
        const session = loadOnnx(bytes, { backend });
        assert.deepEqual(session.inputNames, spec.lengths ? ['x', 'lengths'] : ['x']);
        for (const [B, T] of [[3, 5], [1, 8]] as const) {
          const x = inputFor(rng, spec, model, B, T);
          const lengths = spec.lengths ? Array.from({ length: B }, (_, b) => (b === 0 ? T : 1 + Math.floor(rng.random() * T))) : undefined;
          const ours = model.forward(x, lengths ? { lengths } : {});
          const feeds: Record<string, { tensor: Tensor; type?: 'int64' }> = { x: { tensor: x, ...(spec.ids ? { type: 'int64' as const } : {}) } };
          if (lengths) feeds.lengths = { tensor: Tensor.from(lengths), type: 'int64' };
          const ort = await runOrt(bytes, feeds);
          assert.deepEqual(ort.y!.dims, ours.shape);
          const dOrt = maxDiff(ours.data, ort.y!.data);
          const back = session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.tensor]))).y!;
          const dBack = maxDiff(ours.data, back.data);
          t.diagnostic(`B=${B} T=${T}: max |ours − onnxruntime| = ${dOrt.toExponential(2)}, max |ours − loadOnnx| = ${dBack.toExponential(2)}`);
          assert.ok(dOrt < TOL, `vs onnxruntime: ${dOrt}`);
          assert.ok(dBack < TOL, `vs loadOnnx: ${dBack}`);
        }
      });
    }

    test('a lone LSTM with h0/c0 exports as PyTorch\'s module (output, h_n, c_n), written atomically to a file', async (t) => {
      const rng = new Rng(5);
      const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, batchFirst: true, seed: 13, backend });
      const dir = mkdtempSync(join(tmpdir(), 'lstm-onnx-'));
      try {
        const path = join(dir, 'lstm.onnx');
        exportOnnx(lstm, path, { initialState: true });
        const x = randn(rng, [2, 4, 2]), h0 = randn(rng, [4, 2, 3]), c0 = randn(rng, [4, 2, 3]);
        const ours = lstm.forward(x, { h0, c0 });
        const ort = await runOrt(readFileSync(path), { x: { tensor: x }, h0: { tensor: h0 }, c0: { tensor: c0 } });
        const mine = loadOnnx(path).run({ x, h0, c0 });
        for (const [k, v] of [['output', ours.output], ['h_n', ours.h], ['c_n', ours.c!]] as const) {
          const d = maxDiff(v.data, ort[k]!.data);
          t.diagnostic(`${k}: max |ours − onnxruntime| = ${d.toExponential(2)}`);
          assert.ok(d < TOL, `${k} vs onnxruntime: ${d}`);
          assert.ok(maxDiff(v.data, mine[k]!.data) < TOL, `${k} vs loadOnnx`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    // Projected LSTMs go out as Scan loops (ONNX's LSTM has no projection): onnxruntime and loadOnnx run them.
    const projected: Array<{ name: string; layers: number; bidirectional: boolean; lengths: boolean; state: boolean; batchFirst: boolean }> = [
      { name: 'forward, lengths, h0/c0', layers: 1, bidirectional: false, lengths: true, state: true, batchFirst: false },
      { name: '2 layers bidirectional, lengths, h0/c0', layers: 2, bidirectional: true, lengths: true, state: true, batchFirst: true },
      { name: '2 layers bidirectional, no lengths (reverse Scan)', layers: 2, bidirectional: true, lengths: false, state: false, batchFirst: false },
    ];
    for (const c of projected) {
      test(`projected LSTM (projSize) as ONNX Scan loops, ${c.name}: onnxruntime == forward`, async (t) => {
        const rng = new Rng(23);
        const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, projSize: 2, numLayers: c.layers, bidirectional: c.bidirectional, batchFirst: c.batchFirst, seed: 4, backend });
        const bytes = encodeOnnx(lstm, { lengths: c.lengths, initialState: c.state });
        const LD = c.layers * (c.bidirectional ? 2 : 1);
        for (const [T, B] of [[5, 3], [2, 1]] as const) {
          const x = randn(rng, c.batchFirst ? [B, T, 3] : [T, B, 3]);
          const lengths = Array.from({ length: B }, (_, b) => Math.max(1, T - b));
          const h0 = randn(rng, [LD, B, 2], 0.5), c0 = randn(rng, [LD, B, 5], 0.5);
          const ours = lstm.forward(x, { ...(c.state ? { h0, c0 } : {}), ...(c.lengths ? { lengths } : {}) });
          const feeds: Record<string, { tensor: Tensor; type?: 'int64' }> = { x: { tensor: x } };
          if (c.state) Object.assign(feeds, { h0: { tensor: h0 }, c0: { tensor: c0 } });
          if (c.lengths) feeds.lengths = { tensor: Tensor.from(lengths), type: 'int64' };
          const ort = await runOrt(bytes, feeds);
          const mine = loadOnnx(bytes, { backend }).run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.tensor])));
          for (const [k, v] of [['output', ours.output], ['h_n', ours.h], ['c_n', ours.c!]] as const) {
            assert.deepEqual(ort[k]!.dims, v.shape, `${k} shape`);
            const d = maxDiff(v.data, ort[k]!.data);
            t.diagnostic(`T=${T} B=${B} ${k}: max |ours − onnxruntime| = ${d.toExponential(2)}, loadOnnx ${maxDiff(mine[k]!.data, ort[k]!.data).toExponential(2)}`);
            assert.ok(d < TOL, `${k} vs onnxruntime: ${d}`);
            assert.deepEqual(mine[k]!.shape, v.shape, `${k} shape from loadOnnx`);
            assert.ok(maxDiff(mine[k]!.data, ort[k]!.data) < TOL, `${k}: loadOnnx vs onnxruntime`);
          }
        }
      });
    }
    test('a Sequential with a projected LSTM: onnxruntime == predict, and sequentialFromOnnx rebuilds it', async () => {
      const rng = new Rng(29);
      const model = new Sequential([
        ['lstm', new LSTM({ inputSize: 2, hiddenSize: 4, projSize: 3, numLayers: 2, bidirectional: true, batchFirst: true, seed: 5, backend })],
        ['last', new LastStep({ backend })],
        ['fc', new Dense({ inputSize: 6, outputSize: 2, seed: 6, backend })],
      ]).eval();
      const dir = mkdtempSync(join(tmpdir(), 'lstm-onnx-proj-'));
      try {
        const path = join(dir, 'm.onnx');
        exportOnnx(model, path, { lengths: true });
        const x = randn(rng, [3, 4, 2]), lengths = [4, 1, 3];
        const want = model.predict(x, { lengths });
        const ort = await runOrt(readFileSync(path), { x: { tensor: x }, lengths: { tensor: Tensor.from(lengths), type: 'int64' } });
        assert.ok(maxDiff(want.data, ort.y!.data) < TOL, 'onnxruntime');
        const back = sequentialFromOnnx(path, { backend });
        assert.ok(maxDiff(want.data, back.predict(x, { lengths }).data) < 1e-7, 'rebuilt natively');
        assert.ok(maxDiff(want.data, loadOnnx(path, { backend }).run({ x, lengths: Tensor.from(lengths) }).y!.data) < TOL, 'loadOnnx runs the Scan loops');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
