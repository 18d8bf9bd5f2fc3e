/**
 * The explorer's tasks and input parsing (web/src/tasks.ts), in Node: each task's data and
 * model (LSTM, GRU or RNN) fit together and are the same for the same seed; typed input becomes
 * the model input, with clear errors for bad tokens, a count of what was left out, and the
 * adding problem's true sum.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WordVocab, sliceRows } from '../../src/index.js';
import { CELLS, MAX_CHARS, MAX_STEPS, buildTask, defaultProbe, parseProbe, TASKS } from '../../web/src/tasks.js';

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

test('every task with every cell: LSTM, GRU and plain RNN models run and are seeded', () => {
  for (const name of TASKS) {
    for (const cell of CELLS) {
      const t = buildTask(name, 3, cell);
      assert.equal(t.model.layer('lstm').constructor.name, { lstm: 'LSTM', gru: 'GRU', rnn: 'RNN' }[cell], `${name} ${cell}`);
      const out = t.model.forward(sliceRows(t.x, 0, 2));
      assert.equal(out.shape[0], 2);
      assert.deepEqual(Array.from(buildTask(name, 3, cell).model.flat), Array.from(t.model.flat), `${name} ${cell}: seeded`);
    }
  }
});

test('parseProbe says how much it left out, and the sum of two marked values', () => {
  const long = Array.from({ length: 2000 }, (_, t) => String(t % 7)).join(' ');
  const p = parseProbe(long, 1);
  assert.deepEqual([p.x.shape[1], p.dropped], [MAX_STEPS, 2000 - MAX_STEPS]);
  assert.equal(parseProbe('1 2 3', 1).dropped, 0);
  const a = parseProbe('0.25 0.5* 0.125 0.75*', 2);
  assert.equal(a.markedSum, 1.25);
  assert.equal(parseProbe('0.25 0.5* 0.125', 2).markedSum, undefined); // one mark: no sum to compare with
  const vocab = buildTask('names', 1).vocab!;
  const text = parseProbe('a'.repeat(MAX_CHARS + 5), 1, vocab);
  assert.deepEqual([text.x.shape[1], text.dropped], [MAX_CHARS, 5]);
  // A word-level vocabulary reads words, not characters.
  const words = new WordVocab().fit('the cat sat on the mat');
  const w = parseProbe('The cat sat', 1, words);
  assert.deepEqual(w.display.values, ['the', 'cat', 'sat']);
  assert.deepEqual(Array.from(w.x.data), [words.id('the'), words.id('cat'), words.id('sat')]);
});
