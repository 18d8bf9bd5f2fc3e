import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CharVocab, WordVocab, padBatch, tokenize, vocabFromJSON, PAD_ID, UNK_ID } from '../../src/data/index.js';

test('CharVocab: sorted ids after pad and unk, round trip, unknowns', () => {
  const v = new CharVocab().fit('hello');
  assert.deepEqual(v.tokens, ['<pad>', '<unk>', 'e', 'h', 'l', 'o']);
  assert.deepEqual([...v.encode('hole')], [3, 5, 4, 2]);
  assert.equal(v.decode(v.encode('hello')), 'hello');
  assert.deepEqual([...v.encode('hex')], [3, 2, UNK_ID]);
  assert.equal(v.decode([3, PAD_ID, 2, UNK_ID]), 'he\uFFFD');
  const back = vocabFromJSON(JSON.parse(JSON.stringify(v)));
  assert.ok(back instanceof CharVocab);
  assert.deepEqual([...back.encode('hole')], [3, 5, 4, 2]);
  assert.throws(() => new CharVocab().fit(''), /empty text/);
  assert.throws(() => CharVocab.fromJSON({ type: 'char', tokens: ['a', 'a'] }), /duplicate tokens/);
});

test('WordVocab: frequency order, maxSize/minCount, decode spacing', () => {
  assert.deepEqual(tokenize("The dog's bone, the DOG."), ['the', "dog's", 'bone', ',', 'the', 'dog', '.']);
  const v = new WordVocab().fit('b a b c b a.', { minCount: 2 });
  // counts: b 3, a 2 (c and '.' once: dropped by minCount).
  assert.deepEqual(v.tokens, ['<pad>', '<unk>', 'b', 'a']);
  assert.deepEqual([...v.encode('a b c')], [3, 2, UNK_ID]);
  const w = new WordVocab().fit('hello , world .', { maxSize: 10 });
  assert.equal(w.decode(w.encode('hello, world.')), 'hello, world.');
  assert.deepEqual(WordVocab.fromJSON(w.toJSON()).tokens, w.tokens);
});

test('padBatch pads to the longest row and returns lengths', () => {
  const { ids, lengths } = padBatch([[5, 6, 7], [8], []]);
  assert.deepEqual(ids.shape, [3, 3]);
  assert.deepEqual([...ids.data], [5, 6, 7, 8, 0, 0, 0, 0, 0]);
  assert.deepEqual([...lengths], [3, 1, 0]);
  const cut = padBatch([[1, 2, 3, 4]], { maxLen: 2, padId: 9 });
  assert.deepEqual([...cut.ids.data], [1, 2]);
});
