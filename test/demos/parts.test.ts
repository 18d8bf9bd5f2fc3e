/**
 * The demos' building blocks, checked on cases small enough to work out by hand: the
 * adding-problem generator, the add-one n-gram baselines, the binary scores, the bag-of-words
 * baseline, the text preparation of an email and the table formatter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/index.js';
import { addingBatch } from '../../demos/adding.js';
import { ngramBpc } from '../../demos/charlm.js';
import { BowLogistic, messageText } from '../../demos/spam.js';
import { binaryScores, bitsPerChar, mse } from '../../demos/metrics.js';
import { formatTable, intList, nameList } from '../../demos/runner.js';

test('addingBatch: two markers, one in each half, target = sum of the marked values', () => {
  const T = 9, B = 50;
  const { x, y } = addingBatch(new Rng(3), B, T);
  assert.deepEqual(x.shape, [B, T, 2]);
  for (let b = 0; b < B; b++) {
    const marked: number[] = [];
    for (let t = 0; t < T; t++) if (x.data[(b * T + t) * 2 + 1] === 1) marked.push(t);
    assert.equal(marked.length, 2);
    assert.ok(marked[0]! < 4 && marked[1]! >= 4, `markers at ${marked}`);
    const sum = x.data[(b * T + marked[0]!) * 2]! + x.data[(b * T + marked[1]!) * 2]!;
    assert.ok(Math.abs(y.data[b]! - sum) < 1e-6);
  }
  // Same seed, same batch.
  assert.deepEqual(addingBatch(new Rng(3), B, T).x.data, x.data);
  assert.throws(() => addingBatch(new Rng(0), 2, 1), /T must be an integer ≥ 2/);
});

test('ngramBpc: add-one unigram and bigram, worked by hand', () => {
  // ids 0..3 (0 = padding, so V = 3). Train 2 3 2 3: n(2) = n(3) = 2, N = 4;
  // bigrams (2,3) ×2, (3,2) ×1; contexts n(2→·) = 2, n(3→·) = 1.
  // Test 2 3 3, targets at 1..2: unigram P(3) = 3/7 twice → log2(7/3) bits each;
  // bigram P(3|2) = 3/5, P(3|3) = 1/4 → (log2(5/3) + 2)/2.
  const r = ngramBpc(Int32Array.of(2, 3, 2, 3), Int32Array.of(2, 3, 3), 4, 1, 3);
  assert.ok(Math.abs(r.unigram - Math.log2(7 / 3)) < 1e-12);
  assert.ok(Math.abs(r.bigram - (Math.log2(5 / 3) + 2) / 2) < 1e-12);
});

test('binaryScores and mse on a hand-counted case', () => {
  // labels 1 1 0 0 1, preds 1 0 0 1 1: tp 2, fp 1, fn 1 → precision = recall = F1 = 2/3, accuracy 3/5.
  const s = binaryScores([1, 1, 0, 0, 1], [1, 0, 0, 1, 1]);
  assert.equal(s.accuracy, 0.6);
  assert.ok(Math.abs(s.precision - 2 / 3) < 1e-12 && Math.abs(s.recall - 2 / 3) < 1e-12 && Math.abs(s.f1 - 2 / 3) < 1e-12);
  assert.deepEqual(binaryScores([0, 0], [0, 0]), { accuracy: 1, precision: 0, recall: 0, f1: 0 });
  assert.equal(mse([1, 2], [2, 4]), 2.5);
  assert.equal(bitsPerChar(Math.LN2 * 10, 5), 2);
  assert.throws(() => mse([1], [1, 2]), /equally long/);
});

test('BowLogistic separates documents by a word only spam uses', () => {
  const docs = [Int32Array.of(2, 3), Int32Array.of(2, 4), Int32Array.of(5, 3), Int32Array.of(5, 4)];
  const labels = [0, 0, 1, 1]; // word 5 means spam, 2 means ham
  const m = new BowLogistic(6).fit(docs, labels, { epochs: 50, lr: 0.5, l2: 0, rng: new Rng(1) });
  assert.deepEqual(Array.from(m.predict(docs)), labels);
  assert.ok(m.w[5]! > 0 && m.w[2]! < 0);
});

test('messageText keeps the subject and body, drops headers and HTML tags', () => {
  const raw = 'From: a@b.c\nSubject: Cheap pills\nX-Spam: no\n\n<html><b>Buy</b> now</html>';
  const t = messageText(raw);
  assert.match(t, /Cheap pills/);
  assert.match(t, /Buy/);
  assert.doesNotMatch(t, /From:|X-Spam|<b>/);
});

test('formatTable aligns numbers right; option parsers reject bad lists', () => {
  const cols = [{ key: 'm', label: 'model' }, { key: 'v', label: 'value', digits: 2 }];
  const md = formatTable(cols, [{ m: 'lstm', v: 0.5 }, { m: 'rnn', v: null }], true).split('\n');
  assert.equal(md[0], '| model | value |');
  assert.equal(md[1], '|-------|------:|');
  assert.equal(md[2], '| lstm  |  0.50 |');
  assert.equal(md[3], '| rnn   |     – |');
  assert.deepEqual(intList('50,100'), [50, 100]);
  assert.throws(() => intList('50,x'), /positive integers/);
  assert.deepEqual(nameList(['rnn', 'lstm'])('LSTM, rnn'), ['lstm', 'rnn']);
  assert.throws(() => nameList(['rnn', 'lstm'])('gru'), /unknown name 'gru'/);
});
