/**
 * CSV and text loaders on hostile files.
 *   readCsv: byte mutations of a real data file, and CSV built from a pool of awkward cells
 *   (quotes, unterminated quotes, `inf`, `1e999`, `NaN`, unicode minus, BOM, CRLF, ragged rows,
 *   `__proto__` / `constructor` headers) under every missing-value policy. Each file must load or
 *   throw FormatError naming the file; a table that loads is consistent (every column has `rows`
 *   values, lines increase) and holds no NaN or Inf after the policy ran.
 *   Text: arbitrary bytes through readTextHead (train-text's reader), then the character and word
 *   vocabularies: encode/decode round-trips exactly; hostile vocabulary JSON is a FormatError.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { readCsv, type CsvTable, type MissingPolicy } from '../../src/data/csv.js';
import { CharVocab, WordVocab, vocabFromJSON } from '../../src/data/text.js';
import { readTextHead } from '../../src/index.js';
import { applyEdits, byteEdits, hostileKey, hostileValue, loadsOrFormatErrorAsync, loadsOrFormatError, mutateJson, newStats, summary } from '../helpers/fuzz.js';

const airline = new Uint8Array(readFileSync(new URL('../../data/airline-passengers.csv', import.meta.url)));
const POLICIES: MissingPolicy[] = ['error', 'drop', 'ffill', 'interpolate'];

/** A loaded table must be self-consistent and hold only finite numbers. */
function checkTable(t: CsvTable, policy: MissingPolicy): void {
  for (const [name, col] of Object.entries(t.columns)) {
    assert.equal(col.length, t.rows, `column ${name} has ${col.length} values for ${t.rows} rows`);
    if (col instanceof Float64Array) {
      for (let i = 0; i < col.length; i++) assert.ok(Number.isFinite(col[i]!), `policy ${policy}: column "${name}" row ${i} is ${col[i]}`);
    }
  }
  assert.equal(t.lines.length, t.rows);
  for (let i = 1; i < t.lines.length; i++) assert.ok(t.lines[i]! > t.lines[i - 1]!, 'lines must increase');
  if (t.dates) assert.equal(t.dates.length, t.rows);
}

const CELLS = ['1', '-2.5', '3e2', '.5', '+7', '', 'NA', 'NaN', 'nan', 'null', '?', 'inf', '-Infinity', '1e999', '-1e400', '1e-400', '0x10', '1_000',
  '\u22121', ' 4 ', 'abc', '"5"', '"6,7"', '"un"terminated', '"open', '""', '1,5', '\u00a08'];
const HEADERS = ['a', 'b', 'Month', '__proto__', 'constructor', 'toString', '', 'a', '"q"'];

const csvText = fc.record({
  bom: fc.boolean(),
  crlf: fc.boolean(),
  header: fc.array(fc.constantFrom(...HEADERS), { minLength: 1, maxLength: 4 }),
  rows: fc.array(fc.array(fc.constantFrom(...CELLS), { minLength: 0, maxLength: 5 }), { minLength: 0, maxLength: 12 }),
  trailingNewline: fc.boolean(),
}).map(({ bom, crlf, header, rows, trailingNewline }) => {
  const nl = crlf ? '\r\n' : '\n';
  // Mostly rectangular rows (so the value checks are reached), sometimes ragged.
  const body = rows.map((r, i) => (i % 5 === 4 ? r : header.map((_, j) => r[j] ?? '1')).join(','));
  return (bom ? '\ufeff' : '') + [header.join(','), ...body].join(nl) + (trailingNewline ? nl : '');
});

describe('readCsv fuzzing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csv-fuzz-'));
  test.after?.(() => rmSync(dir, { recursive: true, force: true }));

  test('byte mutations of a real CSV: load (finite, consistent) or FormatError', async () => {
    const stats = newStats();
    const path = join(dir, 'mutated.csv');
    await fc.assert(
      fc.asyncProperty(byteEdits(5), fc.constantFrom(...POLICIES), fc.boolean(), async (edits, policy, withDate) => {
        writeFileSync(path, applyEdits(airline, edits));
        let table: CsvTable | null = null;
        await loadsOrFormatErrorAsync(stats, async () => { table = await readCsv(path, { missing: policy, ...(withDate ? { dateColumn: 'Month' } : {}) }); }, { file: path });
        if (table) checkTable(table, policy);
        return true;
      }),
      { numRuns: 400, seed: 821 },
    );
    console.log(summary('csv bytes', stats));
    assert.ok(stats.loaded > 50 && stats.rejected > 50);
  });

  test('awkward cells, quotes, headers and ragged rows: load (finite, consistent) or FormatError', async () => {
    const stats = newStats();
    const path = join(dir, 'built.csv');
    await fc.assert(
      fc.asyncProperty(csvText, fc.constantFrom(...POLICIES), fc.option(fc.constantFrom(['a'], ['__proto__'], ['constructor', 'b']), { nil: undefined }), async (text, policy, columns) => {
        writeFileSync(path, text);
        let table: CsvTable | null = null;
        await loadsOrFormatErrorAsync(stats, async () => { table = await readCsv(path, { missing: policy, ...(columns ? { columns } : {}) }); }, { file: path });
        if (table) checkTable(table, policy);
        return true;
      }),
      { numRuns: 900, seed: 822 },
    );
    console.log(summary('csv built', stats));
    assert.ok(stats.loaded > 50 && stats.rejected > 50);
  });

  test('every non-finite or non-numeric cell is named with file, line and column', async () => {
    const cases: Array<[string, RegExp]> = [
      ['x,y\n1,2\n3,inf\n', /line 3, column "y": expected a finite number, found "inf"/],
      ['x,y\n1,2\n1e999,4\n', /line 3, column "x": expected a finite number, found "1e999"/],
      ['x,y\n1,2\n5,-1e400\n', /line 3, column "y": expected a finite number, found "-1e400"/],
      ['x,y\n1,2\n5,abc\n', /line 3, column "y": expected a number, found "abc"/],
      ['x,y\n1,2\n5,NaN\n', /line 3, column "y": missing value \("NaN"\)/],
      ['x,y\n1,2\n5,"3\n', /CSV syntax error/],
    ];
    for (const [text, re] of cases) {
      const path = join(dir, 'named.csv');
      writeFileSync(path, text);
      await assert.rejects(readCsv(path), (e: Error) => e.name === 'FormatError' && e.message.startsWith(`${path}: `) && re.test(e.message), text);
    }
  });
});

describe('text fuzzing', () => {
  test('arbitrary bytes: readTextHead gives text or FormatError; char vocabulary round-trips exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'text-fuzz-'));
    const path = join(dir, 't.txt');
    const stats = newStats();
    let roundTrips = 0;
    try {
      const republic = new Uint8Array(readFileSync(new URL('../../data/republic_clean.txt', import.meta.url))).subarray(0, 4000);
      const bytes = fc.oneof(fc.uint8Array({ maxLength: 300 }), byteEdits(6).map((e) => applyEdits(republic.subarray(0, 600), e)),
        fc.string({ unit: 'binary', maxLength: 200 }).map((s) => new TextEncoder().encode(s)));
      await fc.assert(
        fc.asyncProperty(bytes, fc.integer({ min: 1, max: 400 }), async (b, maxBytes) => {
          writeFileSync(path, b);
          let text: string | null = null;
          await loadsOrFormatErrorAsync(stats, async () => { text = await readTextHead(path, maxBytes); }, { file: path });
          if (text === null || text === '') return true;
          const cv = new CharVocab().fit(text);
          const ids = cv.encode(text);
          assert.ok(ids.every((id) => id >= 2 && id < cv.size), 'fitted text has no pad/unk ids');
          assert.equal(cv.decode(ids), text);
          assert.equal(CharVocab.fromJSON(JSON.parse(JSON.stringify(cv.toJSON()))).decode(ids), text);
          const words = new WordVocab();
          try { words.fit(text); } catch (e) { if (!(e instanceof RangeError)) throw e; return true; } // no words at all
          assert.ok(words.encode(text).every((id) => id >= 2 && id < words.size));
          roundTrips++;
          return true;
        }),
        { numRuns: 400, seed: 831 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(summary('text bytes', stats) + `; ${roundTrips} round trips`);
    assert.ok(roundTrips > 100);
  });

  test('hostile vocabulary JSON: a vocabulary or FormatError, no pollution', () => {
    const stats = newStats();
    const valid = [new CharVocab().fit('hello world').toJSON(), new WordVocab().fit('the cat sat on the mat').toJSON()];
    fc.assert(
      fc.property(fc.nat(1), fc.integer({ min: 0, max: 999 }), hostileValue, fc.option(hostileKey, { nil: null }), (k, pick, value, key) => {
        const json = mutateJson(valid[k], pick / 1000, value, key);
        return loadsOrFormatError(stats, () => {
          const v = vocabFromJSON(json);
          v.decode(v.encode('the hello'));
        });
      }),
      { numRuns: 1000, seed: 832 },
    );
    console.log(summary('vocab json', stats));
    assert.ok(stats.loaded > 0 && stats.rejected > 100);
  });
});
