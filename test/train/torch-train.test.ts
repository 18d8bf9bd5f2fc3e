/**
 * Whole training runs against PyTorch 1.13 (float64): the same initial weights, data, loss,
 * clipping and optimizer, a few full-batch steps through fit(), and the weights and per-step
 * losses compared. Fixtures from scripts/gen-train-fixtures.py. This checks the pieces
 * together: PyTorch parameter names load 1:1, LastStep with lengths, masked cross-entropy
 * with ignore_index, BCE from logits, clip_grad_norm_, Adam / RMSprop / Nesterov SGD.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Dense, Embedding, GRU, LSTM, LastStep, Sequential, Tensor, fit, type LossName, type OptimizerSpec } from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';

interface Case {
  name: string;
  init: Record<string, { shape: number[]; data: number[] }>;
  final: Record<string, { shape: number[]; data: number[] }>;
  losses: number[];
  steps: number;
  clipNorm: number | null;
  x: unknown;
  y: unknown;
  lengths: number[] | null;
  loss: LossName;
  optimizer: OptimizerSpec;
}
const { cases } = JSON.parse(readFileSync(new URL('../fixtures/train/torch-train.json', import.meta.url), 'utf8')) as { cases: Case[] };

function build(name: string, backend: string): Sequential {
  const o = { dtype: 'float64' as const, backend };
  if (name.startsWith('lstm-forecaster')) {
    return new Sequential([['lstm', new LSTM({ inputSize: 2, hiddenSize: 4, batchFirst: true, ...o })], ['last', new LastStep(o)], ['fc', new Dense({ inputSize: 4, outputSize: 1, ...o })]]);
  }
  if (name.startsWith('bigru-classifier')) {
    return new Sequential([['rnn', new GRU({ inputSize: 2, hiddenSize: 3, bidirectional: true, batchFirst: true, ...o })], ['last', new LastStep(o)], ['fc', new Dense({ inputSize: 6, outputSize: 1, ...o })]], { task: 'classification' });
  }
  return new Sequential([
    ['emb', new Embedding({ numEmbeddings: 6, embeddingDim: 3, paddingIdx: 0, ...o })],
    ['gru', new GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true, ...o })],
    ['fc', new Dense({ inputSize: 4, outputSize: 6, ...o })],
  ], { task: 'language-model' });
}

for (const backend of BACKENDS) {
  describe(`training matches PyTorch on ${backend}`, () => {
    for (const c of cases) {
      test(c.name, async () => {
        const model = build(c.name, backend);
        model.loadStateDict(c.init);
        const x = Tensor.from(c.x as number[], undefined, 'float64');
        const y = Tensor.from(c.y as number[], undefined, 'float64');
        const h = await fit(model, {
          x, y, lengths: c.lengths, epochs: c.steps, batchSize: x.shape[0], shuffle: false,
          loss: c.loss, optimizer: c.optimizer, clipNorm: c.clipNorm, progress: false,
        });
        h.loss.forEach((l, i) => assert.ok(Math.abs(l - c.losses[i]!) < 1e-12 * Math.max(1, Math.abs(c.losses[i]!)), `loss at step ${i + 1}: ${l} vs ${c.losses[i]}`));
        const got = model.stateDict();
        let worst = 0, where = '';
        for (const [name, want] of Object.entries(c.final)) {
          const g = got[name]!;
          assert.deepEqual(g.shape, want.shape, name);
          want.data.forEach((v, i) => {
            const d = Math.abs(g.data[i]! - v);
            if (d > worst) [worst, where] = [d, `${name}[${i}]: ${g.data[i]} vs ${v}`];
          });
        }
        assert.ok(worst < 1e-10, `largest weight difference ${worst} at ${where}`);
      });
    }
  });
}
