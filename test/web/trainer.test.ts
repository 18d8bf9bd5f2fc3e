/**
 * The status line's loss (web/src/trainer.ts), in Node: a loss near zero is written in
 * exponent form, never as "0.0000" (which read as broken once the sine task had converged),
 * and the summary the status and the tests use is the mean of the first and latest ten batches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLoss, lossSummary } from '../../web/src/trainer.js';

test('formatLoss: 4 decimals, exponent form below 0.001, never a misleading 0.0000', () => {
  assert.equal(formatLoss(0.12345), '0.1235');
  assert.equal(formatLoss(2.5), '2.5000');
  assert.equal(formatLoss(0.0012), '0.0012');
  assert.equal(formatLoss(3.2e-5), '3.20e-5');
  assert.equal(formatLoss(4e-9), '4.00e-9');
  assert.equal(formatLoss(0), '0.0000'); // exactly zero is zero
  for (const v of [9.9e-4, 4.9e-5, 1e-7]) assert.notEqual(formatLoss(v), '0.0000', String(v));
});

test('lossSummary: means of the first and of the latest ten losses', () => {
  assert.equal(lossSummary([]), null);
  const losses = Array.from({ length: 30 }, (_, k) => 30 - k); // 30, 29, …, 1
  assert.deepEqual(lossSummary(losses), { initial: 25.5, current: 5.5 }); // (30+…+21)/10, (10+…+1)/10
  assert.deepEqual(lossSummary([2, 4]), { initial: 3, current: 3 });
});
