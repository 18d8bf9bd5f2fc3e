/**
 * The one integer-option check (src/tensor/check.ts): its wording for each kind of range, and
 * the messages of the options that went through their own copies of it before (each message
 * here is what the old copy printed, so a caller that words its option differently fails).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { atLeast, checkInt } from '../../src/tensor/check.js';
import { CosineAnnealingLR, Dense, Embedding, LSTM, SGD, Sequential, StepLR, Tensor, slidingWindows } from '../../src/index.js';

test('checkInt returns the value in range and words each kind of range', () => {
  assert.equal(checkInt('x', 3), 3);
  assert.equal(checkInt('x', 0, { min: 0 }), 0);
  assert.equal(checkInt('x', 1000, { max: 1000 }), 1000);
  assert.throws(() => checkInt('fit: epochs', 0), { name: 'RangeError', message: 'fit: epochs must be a positive integer, got 0' });
  assert.throws(() => checkInt('n', 1.5), { message: 'n must be a positive integer, got 1.5' });
  assert.throws(() => checkInt('n', NaN), { message: 'n must be a positive integer, got NaN' });
  assert.throws(() => checkInt('seed', -1, { min: 0 }), { message: 'seed must be a non-negative integer, got -1' });
  assert.throws(() => checkInt('origins', 1001, { max: 1000 }), { message: 'origins must be an integer in 1..1000, got 1001' });
  assert.throws(() => checkInt('period', 1, { min: 2 }), { message: 'period must be an integer ≥ 2, got 1' });
  assert.throws(() => checkInt('size', 0, atLeast(1)), { message: 'size must be an integer ≥ 1, got 0' });
});

test('options checked through it keep their messages', () => {
  assert.throws(() => new Dense({ inputSize: 0, outputSize: 1 }), { message: 'Dense: inputSize must be a positive integer, got 0' });
  assert.throws(() => new Embedding({ numEmbeddings: 4, embeddingDim: 2.5 }), { message: 'Embedding: embeddingDim must be a positive integer, got 2.5' });
  assert.throws(() => new LSTM({ inputSize: 1, hiddenSize: 2, projSize: -1 }), { message: 'LSTM: projSize must be an integer ≥ 0, got -1' });
  assert.throws(() => new LSTM({ inputSize: 1, hiddenSize: 2, numLayers: 0 }), { message: 'LSTM: numLayers must be an integer ≥ 1, got 0' });
  const model = new Sequential([new Dense({ inputSize: 1, outputSize: 1 })]);
  assert.throws(() => model.predict(Tensor.zeros([2, 1]), { batchSize: 0 }), { message: 'predict: batchSize must be a positive integer, got 0' });
  const opt = new SGD(model, { lr: 0.1 });
  assert.throws(() => new StepLR(opt, { stepSize: 1.5 }), { message: 'StepLR: stepSize must be a positive integer, got 1.5' });
  assert.throws(() => new CosineAnnealingLR(opt, { tMax: 0 }), { message: 'CosineAnnealingLR: tMax must be a positive integer, got 0' });
  assert.throws(() => slidingWindows([1, 2, 3, 4], { lookback: 0 }), { message: 'slidingWindows: lookback must be a positive integer, got 0' });
});
