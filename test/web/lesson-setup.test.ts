/**
 * What the lesson says about its models holds (web/src/lesson-setup.ts, in Node):
 *   - the trained model of steps 2–6 solves the adding problem (held-out MSE far below the 0.17
 *     of always answering 1) and has a unit whose input gate opens at the marked steps while its
 *     forget gate holds in between (the unit steps 2–6 show);
 *   - step 7's training, the worker's procedure from the same seed, finds such a unit by itself
 *     within 960 batches (60 epochs), as the step promises;
 *   - step 1: an untrained RNN passes far less of a last-step loss back than the LSTM beside it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sliceRows } from '../../src/index.js';
import { LESSON_INPUT, LESSON_TRAINING, lessonModel, markerUnit, reach, trainLikeTheWorker, vanishing } from '../../web/src/lesson-setup.js';
import { buildTask, parseProbe } from '../../web/src/tasks.js';

function heldOutMse(model: ReturnType<typeof lessonModel>): number {
  const held = buildTask('adding', 2);
  const pred = model.forward(sliceRows(held.x, 0, 256));
  let mse = 0;
  for (let n = 0; n < 256; n++) mse += (pred.data[n]! - held.y.data[n]!) ** 2 / 256;
  return mse;
}

test('the lesson model solves the adding problem and stores the marked values in one unit', () => {
  const model = lessonModel();
  assert.ok(heldOutMse(model) < 0.01, `held-out MSE ${heldOutMse(model)}`);
  const m = markerUnit(model);
  assert.ok(m.inputMarked - m.inputOther > 0.3, JSON.stringify(m));
  assert.ok(m.forgetOther > 0.9, JSON.stringify(m));
  // The example's answer is close to its true sum (0.70 + 0.50).
  const probe = parseProbe(LESSON_INPUT, 2);
  assert.ok(Math.abs(probe.markedSum! - 1.2) < 1e-6);
  assert.ok(Math.abs(model.forward(probe.x).data[0]! - 1.2) < 0.1);
});

test('step 7: training from the seed finds a unit whose input gate opens at the marks within 60 epochs', async () => {
  const task = buildTask(LESSON_TRAINING.task, LESSON_TRAINING.seed);
  const before = markerUnit(task.model);
  assert.ok(before.inputMarked - before.inputOther < 0.15, `untrained: ${JSON.stringify(before)}`);
  await trainLikeTheWorker(task, LESSON_TRAINING.epochs);
  const after = markerUnit(task.model);
  assert.ok(heldOutMse(task.model) < 0.02, `held-out MSE ${heldOutMse(task.model)}`);
  assert.ok(after.inputMarked - after.inputOther > 0.3 && after.forgetOther > 0.9, JSON.stringify(after));
});

test('step 1: a last-step loss reaches step 1 of an untrained RNN far more weakly than an LSTM\'s', () => {
  for (const T of [50, 100]) {
    const v = vanishing(T);
    assert.ok(reach(v.rnn.dir) < 1e-3 * reach(v.lstm.dir), `T=${T}: RNN ${reach(v.rnn.dir)}, LSTM ${reach(v.lstm.dir)}`);
  }
});
