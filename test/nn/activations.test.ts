/**
 * The shared element-wise activations (src/nn/activations.ts), on cases worked by hand; Dense's
 * gradients are checked by finite differences in the gradcheck suite, the Keras softmax head
 * against TF.js in the tfjs suites.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activationBackward, applyActivation, isActivation, softmaxRows } from '../../src/nn/activations.js';

test('softmaxRows: each row by hand, large scores without overflow, float32 rounded once', () => {
  // Row 1: e⁰ : e^{ln 3} = 1 : 3 → 0.25, 0.75. Row 2: 1000 + the same (exp(1000) overflows: the max
  // is subtracted first; 1000 + ln 3 carries an error of about 1e-13, the ulp of 1000).
  const v = Float64Array.of(0, Math.log(3), 1000, 1000 + Math.log(3));
  softmaxRows(v, 2);
  for (const [i, want] of [0.25, 0.75, 0.25, 0.75].entries()) assert.ok(Math.abs(v[i]! - want) < 1e-12, `v[${i}] = ${v[i]}`);
  const f = Float32Array.of(1, 2, 3);
  softmaxRows(f, 3);
  const z = Math.exp(-2) + Math.exp(-1) + 1;
  assert.deepEqual([...f], [Math.fround(Math.exp(-2) / z), Math.fround(Math.exp(-1) / z), Math.fround(1 / z)]);
});

test('Dense activations and their backward, by hand', () => {
  const v = Float64Array.of(-2, 0.5);
  applyActivation('relu', v, 2);
  assert.deepEqual([...v], [0, 0.5]);
  const s = Float64Array.of(0);
  applyActivation('sigmoid', s, 1);
  assert.equal(s[0], 0.5);
  const dz = new Float64Array(1);
  activationBackward('sigmoid', s, Float64Array.of(2), dz, 1); // 2 · σ(0)(1 − σ(0)) = 0.5
  assert.equal(dz[0], 0.5);
  activationBackward('tanh', Float64Array.of(0.5), Float64Array.of(1), dz, 1); // 1 − 0.5² = 0.75
  assert.equal(dz[0], 0.75);
  assert.ok(isActivation('tanh') && !isActivation('softmax') && !isActivation('hard_sigmoid'));
});
