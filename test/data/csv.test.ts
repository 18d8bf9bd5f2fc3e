import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv, assertFinite, fillMissing, oneHot, numericColumn } from '../../src/data/index.js';
import { FormatError } from '../../src/io/errors.js';

let dir = '';
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('readCsv', () => {
  before(() => (dir = mkdtempSync(join(tmpdir(), 'lstm-csv-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('reads numeric, date and categorical columns by name', async () => {
    const p = file('a.csv', 'Month,Passengers,Wind\n"1949-01",112,NW\n1949-02,118.5,SE\n1949-03,-1e2,NW\n');
    const t = await readCsv(p, { dateColumn: 'Month' });
    assert.deepEqual(t.header, ['Month', 'Passengers', 'Wind']);
    assert.equal(t.rows, 3);
    assert.deepEqual([...(t.columns.Passengers as Float64Array)], [112, 118.5, -100]);
    assert.deepEqual(t.columns.Wind, ['NW', 'SE', 'NW']);
    assert.deepEqual(t.dates, ['1949-01', '1949-02', '1949-03']);
    assert.deepEqual([...t.lines], [2, 3, 4]);
    const only = await readCsv(p, { columns: ['Passengers'] });
    assert.deepEqual(Object.keys(only.columns), ['Passengers']);
  });

  test('a non-numeric cell names file, line, column and value', async () => {
    const p = file('b.csv', 'x,y\n1,2\n3,abc\n');
    await assert.rejects(readCsv(p), (e: unknown) => {
      assert.ok(e instanceof FormatError);
      assert.match(e.message, /b\.csv: line 3, column "y": expected a number, found "abc"/);
      return true;
    });
  });

  test('missing values: error names the line; drop/ffill/interpolate report which lines', async () => {
    const p = file('c.csv', 'x,y\n1,10\nNA,20\n,30\n4,NaN\n5,50\n');
    await assert.rejects(readCsv(p), /c\.csv: line 3, column "x": missing value \("NA"\)/);
    const dropped = await readCsv(p, { missing: 'drop' });
    assert.deepEqual([...(dropped.columns.x as Float64Array)], [1, 5]);
    assert.deepEqual([...(dropped.columns.y as Float64Array)], [10, 50]);
    assert.deepEqual(dropped.report.dropped, [3, 4, 5]);
    assert.deepEqual([...dropped.lines], [2, 6]);
    const dated = await readCsv(file('c2.csv', 'd,x\na,1\nb,NA\nc,3\n'), { dateColumn: 'd', missing: 'drop' });
    assert.deepEqual(dated.dates, ['a', 'c']);
    assert.deepEqual([...(dated.columns.x as Float64Array)], [1, 3]);
    const ff = await readCsv(p, { missing: 'ffill' });
    assert.deepEqual([...(ff.columns.x as Float64Array)], [1, 1, 1, 4, 5]);
    assert.deepEqual({ ...ff.report.missing }, { x: [3, 4], y: [5] });
    const lin = await readCsv(p, { missing: 'interpolate' });
    assert.deepEqual([...(lin.columns.x as Float64Array)], [1, 2, 3, 4, 5]);
    assert.deepEqual([...(lin.columns.y as Float64Array)], [10, 20, 30, 40, 50]);
  });

  test('infinite values, missing columns, empty and absent files are errors', async () => {
    await assert.rejects(readCsv(file('d.csv', 'x\n1\nInf\n')), /d\.csv: line 3, column "x": expected a finite number, found "Inf"/);
    await assert.rejects(readCsv(file('e.csv', 'x\n1\n'), { columns: ['nope'] }), /e\.csv: no column "nope" \(columns: x\)/);
    await assert.rejects(readCsv(file('f.csv', '')), /f\.csv: empty file/);
    await assert.rejects(readCsv(join(dir, 'absent.csv')), (e: unknown) => e instanceof FormatError && /absent\.csv: cannot read \(no such file\)/.test(e.message));
    await assert.rejects(readCsv(file('g.csv', 'x,y\n1,2\n3\n')), /g\.csv: CSV syntax error/);
  });

  test('numericColumn and assertFinite name the problem', async () => {
    const t = await readCsv(file('h.csv', 'x,s\n1,a\n2,b\n'));
    assert.throws(() => numericColumn(t, 's'), /h\.csv: column "s" is not numeric/);
    assert.throws(() => numericColumn(t, 'q'), /no column "q"/);
    (t.columns.x as Float64Array)[1] = Number.POSITIVE_INFINITY;
    assert.throws(() => assertFinite(t), /h\.csv: line 3, column "x": value is Infinity/);
  });
});

test('fillMissing fills leading and trailing gaps with the nearest value', () => {
  const v = Float64Array.from([NaN, 2, NaN, NaN, 8, NaN]);
  fillMissing(v, 'interpolate');
  assert.deepEqual([...v], [2, 2, 4, 6, 8, 8]);
});

test('oneHot encodes sorted categories, unseen values as zeros', () => {
  const { data, categories } = oneHot(['NW', 'SE', 'NW', 'cv']);
  assert.deepEqual(categories, ['NW', 'SE', 'cv']);
  assert.deepEqual([...data], [1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1]);
  assert.deepEqual([...oneHot(['x', 'SE'], categories).data], [0, 0, 0, 0, 1, 0]);
});
