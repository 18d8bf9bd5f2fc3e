/**
 * The explorer's tasks and input parsing (web/src/tasks.ts), in Node: each task's data and
 * model fit together and are the same for the same seed; typed input becomes the model input,
 * with clear errors for bad tokens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sliceRows } from '../../src/index.js';
import { buildTask, defaultProbe, parseProbe, TASKS } from '../../web/src/tasks.js';

test('every task: a batch runs through its model, the output fits the loss, same seed same data', () => {
  for (const name of TASKS) {
    const t = buildTask(name, 3);
    const out = t.model.forward(sliceRows(t.x, 0, 4));
    if (t.loss === 'mse') assert.deepEqual(out.shape, [4, 1], name);
    else assert.deepEqual(out.shape, [4, t.x.shape[1]!, t.vocab!.size], name);
    assert.deepEqual(Array.from(buildTask(name, 3).x.data), Array.from(t.x.data), `${name}: seeded`);
    assert.notDeepEqual(Array.from(buildTask(name, 4).y.data), Array.from(t.y.data), `${name}: another seed differs`);
    const p = parseProbe(defaultProbe(name), t.model.inputSize, t.vocab);
    assert.ok(p.x.shape[1]! > 5, `${name}: default input parses`);
  }
});

test('adding problem: targets are the sum of the two marked values', () => {
  const { x, y } = buildTask('adding', 1);
  const [N, T] = x.shape as [number, number, number];
  for (let n = 0; n < N; n++) {
    let sum = 0, marks = 0;
    for (let t = 0; t < T; t++) if (x.data[(n * T + t) * 2 + 1] === 1) { sum += x.data[(n * T + t) * 2]!; marks++; }
    assert.equal(marks, 2);
    assert.ok(Math.abs(sum - y.data[n]!) < 1e-6);
  }
});

test('parseProbe: numbers, markers, features, text, and errors naming the token', () => {
  assert.deepEqual(Array.from(parseProbe('1, 2 3', 1).x.data), [1, 2, 3]);
  assert.deepEqual(Array.from(parseProbe('0.5 0.25* 1', 2).x.data), [0.5, 0, 0.25, 1, 1, 0]);
  assert.deepEqual(Array.from(parseProbe('1,2,3 4,5,6', 3).x.data), [1, 2, 3, 4, 5, 6]);
  const vocab = buildTask('names', 1).vocab!;
  const p = parseProbe('Anna', 1, vocab);
  assert.deepEqual(p.display.values, ['a', 'n', 'n', 'a']);
  assert.deepEqual(Array.from(p.x.data), Array.from(vocab.encode('anna')));
  assert.throws(() => parseProbe('1 x 3', 1), /not a number: "x"/);
  assert.throws(() => parseProbe('1,2,3', 2), /"1,2,3": 3 values, the model takes 2/);
  assert.throws(() => parseProbe('  ', 1), /empty input/);
});
