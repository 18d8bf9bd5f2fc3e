import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/tensor/rng.js';
import { lstm, json } from './helpers.js';

let dir = '';
const republic = new URL('../../data/republic_clean.txt', import.meta.url).pathname;

describe('lstm train-text, generate, classify', () => {
  before(() => (dir = mkdtempSync(join(tmpdir(), 'lstm-text-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('train-text beats the unigram model on Plato, generate is seeded and deterministic', () => {
    const out = join(dir, 'lm');
    const r = lstm(['train-text', republic, '--max-bytes', '30000', '--hidden', '48', '--seq-len', '32', '--epochs', '3', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = json(r);
    assert.ok(j.bitsPerChar < j.unigram.bitsPerChar - 0.5, `${j.bitsPerChar} vs unigram ${j.unigram.bitsPerChar}`);
    assert.ok(j.unigram.bitsPerChar > 4 && j.unigram.bitsPerChar < 5);
    assert.ok(existsSync(j.model));
    const g1 = lstm(['generate', j.model, '--prompt', 'The ', '--length', '60', '--seed', '5']);
    const g2 = lstm(['generate', j.model, '--prompt', 'The ', '--length', '60', '--seed', '5']);
    assert.equal(g1.code, 0, g1.stderr);
    assert.equal(g1.stdout, g2.stdout);
    assert.ok(g1.stdout.startsWith('The ') && [...g1.stdout.slice(0, -1)].length === 64, JSON.stringify(g1.stdout));
    const info = json(lstm(['info', j.model, '--json']));
    assert.equal(info.kind, 'language-model');
    assert.equal(info.languageModel.hidden, 48);
    const ev = json(lstm(['eval', j.model, republic, '--max-bytes', '20000', '--json']));
    assert.ok(ev.bitsPerChar > 0 && ev.bitsPerChar < j.unigram.bitsPerChar);
    // Empty text is a one-line error.
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '  \n');
    const bad = lstm(['train-text', empty, '--out', join(dir, 'never')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr.trim(), /^lstm: error: .*empty\.txt: empty text$/);
    assert.equal(existsSync(join(dir, 'never')), false);
  });

  test('classify reports accuracy and F1 on a held-out split; eval and predict reuse the model', () => {
    // Two classes told apart by their words, plus shared filler words.
    const rng = new Rng(1);
    const pos = ['good', 'great', 'fine', 'happy', 'nice'], neg = ['bad', 'awful', 'poor', 'sad', 'ugly'], filler = ['the', 'a', 'was', 'it', 'day', 'food'];
    const pick = (a: string[]) => a[rng.int(a.length)]!;
    const rows = ['text,label'];
    const jsonl: string[] = [];
    for (let i = 0; i < 240; i++) {
      const label = i % 2 ? 'pos' : 'neg';
      const words = Array.from({ length: 3 + rng.int(6) }, () => (rng.random() < 0.4 ? pick(label === 'pos' ? pos : neg) : pick(filler)));
      words.push(pick(label === 'pos' ? pos : neg));
      rng.shuffle(words);
      rows.push(`"${words.join(' ')}",${label}`);
      jsonl.push(JSON.stringify({ review: words.join(' '), stars: label }));
    }
    const csv = join(dir, 'reviews.csv');
    writeFileSync(csv, rows.join('\n') + '\n');
    const out = join(dir, 'clf');
    const r = lstm(['classify', csv, '--text', 'text', '--label', 'label', '--epochs', '15', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = json(r);
    assert.equal(j.testSize, 48);
    assert.ok(j.accuracy >= 0.9, `accuracy ${j.accuracy}`);
    assert.ok(j.macroF1 >= 0.9);
    assert.deepEqual(j.classes, ['neg', 'pos']);
    const ev = json(lstm(['eval', j.model, csv, '--json']));
    assert.ok(ev.accuracy >= 0.9);
    const unseen = join(dir, 'unseen.csv');
    writeFileSync(unseen, 'text,label\ngood day,pos\nbad day,meh\n');
    const evBad = lstm(['eval', j.model, unseen]);
    assert.equal(evBad.code, 1);
    assert.equal(evBad.stderr, 'lstm: error: unseen.csv: row 2: label "meh" was not seen in training (classes: neg, pos)\n'.replace('unseen.csv', unseen));
    const pred = lstm(['predict', j.model, csv]);
    assert.equal(pred.code, 0, pred.stderr);
    const lines = pred.stdout.trim().split('\n');
    assert.equal(lines.length, 241);
    assert.match(lines[1]!, /^1,"(neg|pos)",0\.\d+|^1,"(neg|pos)",1$/);
    // JSON lines input with other field names.
    const jl = join(dir, 'reviews.jsonl');
    writeFileSync(jl, jsonl.join('\n') + '\n');
    const rj = lstm(['classify', jl, '--text', 'review', '--label', 'stars', '--epochs', '2', '--out', join(dir, 'clf2'), '--json']);
    assert.equal(rj.code, 0, rj.stderr);
    // Errors: missing label column; a single class.
    const noLabel = lstm(['classify', csv, '--text', 'text', '--label', 'nope', '--out', join(dir, 'x')]);
    assert.match(noLabel.stderr, /reviews\.csv: no column "nope" \(columns: text, label\)/);
    const one = join(dir, 'one.csv');
    writeFileSync(one, 'text,label\nhello,a\nworld,a\nagain,a\n');
    assert.match(lstm(['classify', one, '--text', 'text', '--label', 'label', '--out', join(dir, 'x')]).stderr, /one\.csv: need at least 2 distinct labels, found 1 \(a\)/);
    assert.equal(existsSync(join(dir, 'x')), false);
    assert.ok(readFileSync(join(out, 'model.safetensors')).length > 1000);
  });
});
