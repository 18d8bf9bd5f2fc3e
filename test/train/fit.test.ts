/**
 * fit() on every backend: a tiny regression learns; same seed → bit-identical weights; a run
 * resumed from a checkpoint ends bit-for-bit where an uninterrupted run ends; NaN/Inf stops
 * training with the step number and leaves the best weights; early stopping restores the best
 * epoch; validation split takes the last rows; abort; padded per-step losses.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Dense, Dropout, LSTM, GRU, LastStep, Rng, Sequential, Tensor, TrainingError, loadModel, mse, crossEntropy, Embedding,
  fit, evaluate, fileCheckpoint, loadCheckpoint, type Loss, type FitOptions,
} from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';

/** N sequences of T uniform values; target = their mean (a task an LSTM learns in a few epochs). */
function meanTask(N: number, T: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const x = Tensor.zeros([N, T, 1]), y = Tensor.zeros([N, 1]);
  for (let n = 0; n < N; n++) {
    let s = 0;
    for (let t = 0; t < T; t++) s += (x.data[n * T + t] = rng.uniform(-1, 1));
    y.data[n] = s / T;
  }
  return { x, y };
}

function lstmModel(backend: string, seed = 1, dropout = 0): Sequential {
  const layers: Array<[string, Sequential['layers'][number]]> = [
    ['lstm', new LSTM({ inputSize: 1, hiddenSize: 8, batchFirst: true, seed, backend })],
    ['last', new LastStep({ backend })],
  ];
  if (dropout) layers.push(['drop', new Dropout({ p: dropout, seed: seed + 10, backend })]);
  layers.push(['fc', new Dense({ inputSize: 8, outputSize: 1, seed: seed + 1, backend })]);
  return new Sequential(layers);
}

/** A loss that behaves like mse but lets a test corrupt chosen training calls. */
function rigged(corrupt: (call: number) => { value?: number; grad?: number } | null): Loss & { calls: number } {
  const inner = mse();
  let last: { value?: number; grad?: number } | null = null;
  const l = {
    name: 'mse', calls: 0,
    forward(p: Tensor, t: Tensor, m?: ArrayLike<number> | null): number {
      l.calls++;
      last = corrupt(l.calls);
      const v = inner.forward(p, t, m);
      return last?.value ?? v;
    },
    backward(): Tensor {
      const g = inner.backward();
      if (last?.grad !== undefined) g.data[0] = last.grad;
      return g;
    },
    lastCount: () => inner.lastCount(),
  };
  return l;
}

const quiet = { progress: false as const };

for (const backend of BACKENDS) {
  describe(`fit on ${backend}`, () => {
    const { x, y } = meanTask(64, 8, 1);

    test('a tiny LSTM regression learns: training loss drops more than 20-fold', async () => {
      const m = lstmModel(backend);
      const h = await fit(m, { x, y, epochs: 30, batchSize: 16, optimizer: { name: 'adam', lr: 0.01 }, ...quiet });
      assert.equal(h.epochs, 30);
      assert.ok(h.loss[29]! < h.loss[0]! / 20, `loss ${h.loss[0]} → ${h.loss[29]}`);
      const r = evaluate(m, { x, y });
      assert.ok(Math.abs(r.loss - h.loss[29]!) < h.loss[0]! / 20);
    });

    test('same seed → bit-identical weights; another shuffle seed → different weights', async () => {
      const run = async (seed: number): Promise<number[]> => {
        const m = lstmModel(backend, 1, 0.2);
        await fit(m, { x, y, epochs: 3, batchSize: 16, seed, validation: { split: 0.25 }, ...quiet });
        return Array.from(m.flat);
      };
      const a = await run(7), b = await run(7), c = await run(8);
      assert.deepEqual(a, b);
      assert.notDeepEqual(a, c);
    });

    test('resume from a checkpoint reaches bit-for-bit the weights of an uninterrupted run', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lstm-ts-fit-'));
      try {
        const opts = (): Omit<FitOptions, 'epochs'> => ({
          x, y, batchSize: 16, seed: 3, validation: { split: 0.25 },
          optimizer: { name: 'adamw', lr: 0.01 }, schedule: { name: 'plateau', patience: 1, factor: 0.5 },
          earlyStopping: { patience: 50, restoreBest: false }, ...quiet,
        });
        const full = lstmModel(backend, 1, 0.3);
        const hFull = await fit(full, { ...opts(), epochs: 6 });

        const first = lstmModel(backend, 1, 0.3);
        const ck = join(dir, 'run.ckpt.safetensors');
        await fit(first, { ...opts(), epochs: 3, ...fileCheckpoint(first, ck, { every: 1, extra: { scaler: { min: [0], max: [1] } } }) });
        assert.ok(existsSync(ck));
        // A different initial model: everything must come from the checkpoint.
        const resumed = lstmModel(backend, 99, 0.3);
        const hRes = await fit(resumed, { ...opts(), epochs: 6, resume: () => loadCheckpoint(ck, resumed) });
        assert.deepEqual(Array.from(resumed.flat), Array.from(full.flat));
        assert.deepEqual(hRes.loss, hFull.loss);
        assert.deepEqual(hRes.valLoss, hFull.valLoss);
        assert.deepEqual(hRes.lr, hFull.lr);
        // The checkpoint is also a model file.
        const { model, metadata } = loadModel(ck, { backend });
        assert.deepEqual(metadata.scaler, { min: [0], max: [1] });
        assert.deepEqual(Object.keys(model.stateDict()), Object.keys(first.stateDict()));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('NaN loss stops training with the step number and a hint; the best weights stay', async () => {
      const m = lstmModel(backend);
      const snaps: Array<{ loss: number; w: number[] }> = [];
      // 4 batches per epoch: call 10 is epoch 3, batch 2, step 10.
      const loss = rigged((c) => (c === 10 ? { value: NaN } : null));
      await assert.rejects(
        fit(m, { x, y, epochs: 5, batchSize: 16, loss, optimizer: { name: 'adam', lr: 0.01 }, ...quiet,
          callbacks: { onEpochEnd: (i) => { snaps.push({ loss: i.loss, w: Array.from(m.flat) }); } } }),
        (e: unknown) => {
          assert.ok(e instanceof TrainingError);
          assert.equal(e.step, 10);
          assert.equal(e.epoch, 3);
          assert.equal(e.batch, 2);
          assert.match(e.message, /step 10 \(epoch 3, batch 2 of 4\): loss is NaN/);
          assert.match(e.message, /lower learning rate \(now 0\.01\)/);
          assert.match(e.message, /clipNorm/);
          assert.equal(e.history.epochs, 2);
          return true;
        },
      );
      const best = snaps[0]!.loss < snaps[1]!.loss ? snaps[0]! : snaps[1]!;
      assert.deepEqual(Array.from(m.flat), best.w);
    });

    test('an infinite gradient stops training before the bad step is applied', async () => {
      const m = lstmModel(backend);
      const before: number[][] = [];
      const loss = rigged((c) => (c === 3 ? { grad: Infinity } : null));
      await assert.rejects(
        fit(m, { x, y, epochs: 2, batchSize: 16, loss, ...quiet, callbacks: { onBatchEnd: () => { before.push(Array.from(m.flat)); } } }),
        /step 3 \(epoch 1, batch 3 of 4\): gradient norm is (NaN|Infinity)/,
      );
      assert.deepEqual(Array.from(m.flat), before[1]); // the weights after step 2
    });

    test('recurrent models clip the global gradient norm to 1 by default; clipNorm: null turns it off', async () => {
      const big = new Tensor(y.data.map((v) => v * 1000), y.shape); // large errors → gradient norms ≫ 1
      const stepNorms = async (clipNorm?: null): Promise<Array<[number, number]>> => {
        const m = lstmModel(backend);
        let prev = Array.from(m.flat);
        const out: Array<[number, number]> = [];
        await fit(m, { x, y: big, epochs: 1, batchSize: 16, optimizer: { name: 'sgd', lr: 1 }, ...(clipNorm === null ? { clipNorm } : {}), ...quiet,
          callbacks: { onBatchEnd: (b) => {
            const w = Array.from(m.flat);
            out.push([b.gradNorm, Math.sqrt(w.reduce((s, v, i) => s + (v - prev[i]!) ** 2, 0))]); // SGD lr 1: ‖Δw‖ = ‖g_clipped‖
            prev = w;
          } } });
        return out;
      };
      for (const [g, dw] of await stepNorms()) {
        assert.ok(g > 1);
        assert.ok(Math.abs(dw - 1) < 1e-3, `step norm ${dw}`);
      }
      for (const [g, dw] of await stepNorms(null)) assert.ok(Math.abs(dw - g) < 1e-3 * g, `step norm ${dw} vs gradient norm ${g}`);
    });

    test('NaN in the data and an unwritable checkpoint path are refused before training', async () => {
      const bad = x.clone();
      bad.data[5 * 8 + 2] = NaN;
      await assert.rejects(fit(lstmModel(backend), { x: bad, y, epochs: 1, ...quiet }), /x contains NaN at row 5, element 2/);
      const m = lstmModel(backend);
      await assert.rejects(async () => fit(m, { x, y, epochs: 1, ...fileCheckpoint(m, '/no/such/dir/c.safetensors'), ...quiet }), /directory \/no\/such\/dir of .* does not exist/);
    });

    test('early stopping stops after `patience` bad epochs and restores the best epoch', async () => {
      const m = lstmModel(backend);
      const snaps: number[][] = [];
      // From epoch 3 on (calls > 8, 4 batches per epoch) the loss looks worse.
      const loss = rigged((c) => (c > 8 ? { value: 10 } : null));
      const h = await fit(m, { x, y, epochs: 20, batchSize: 16, loss, earlyStopping: { patience: 2 }, ...quiet,
        callbacks: { onEpochEnd: () => { snaps.push(Array.from(m.flat)); } } });
      assert.equal(h.stoppedEarly, true);
      assert.equal(h.epochs, 4);
      assert.equal(h.bestEpoch, 2);
      assert.deepEqual(Array.from(m.flat), snaps[1]);
    });

    test('validation split takes the last rows (by time), not shuffled', async () => {
      const m = lstmModel(backend);
      const h = await fit(m, { x, y, epochs: 1, batchSize: 16, validation: { split: 0.25 }, ...quiet });
      const tail = { x: new Tensor(x.data.slice(48 * 8), [16, 8, 1]), y: new Tensor(y.data.slice(48), [16, 1]) };
      assert.equal(evaluate(m, tail).loss, h.valLoss[0]);
    });

    test('an AbortSignal stops training after the current batch', async () => {
      const m = lstmModel(backend);
      const ac = new AbortController();
      const h = await fit(m, { x, y, epochs: 5, batchSize: 16, signal: ac.signal, ...quiet,
        callbacks: { onBatchEnd: (b) => { if (b.step === 3) ac.abort(); } } });
      assert.equal(h.aborted, true);
      assert.equal(h.epochs, 0);
    });

    test('per-step language model with padding: padded targets do not change the loss', async () => {
      const lm = (): Sequential => new Sequential([
        ['emb', new Embedding({ numEmbeddings: 5, embeddingDim: 4, paddingIdx: 0, backend })],
        ['gru', new GRU({ inputSize: 4, hiddenSize: 6, batchFirst: true, backend })],
        ['fc', new Dense({ inputSize: 6, outputSize: 5, backend })],
      ], { task: 'language-model' });
      const ids = Tensor.from([[1, 2, 3, 4], [2, 3, 0, 0], [3, 4, 1, 0]]);
      const lengths = [4, 2, 3];
      const tgt = Tensor.from([[2, 3, 4, 1], [3, 4, 0, 0], [4, 1, 2, 0]]);
      const tgt2 = Tensor.from([[2, 3, 4, 1], [3, 4, 1, 3], [4, 1, 2, 2]]);
      const m = lm();
      const a = evaluate(m, { x: ids, y: tgt, lengths, loss: crossEntropy() });
      const b = evaluate(m, { x: ids, y: tgt2, lengths });
      assert.equal(a.loss, b.loss);
      assert.equal(a.count, 9);
      assert.ok(a.accuracy !== undefined && a.accuracy >= 0 && a.accuracy <= 1);
      const h = await fit(m, { x: ids, y: tgt, lengths, epochs: 40, batchSize: 3, optimizer: { name: 'adam', lr: 0.05 }, ...quiet });
      assert.ok(h.loss[39]! < h.loss[0]! / 4, `loss ${h.loss[0]} → ${h.loss[39]}`);
    });
  });
}
