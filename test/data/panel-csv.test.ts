// readPanelCsv: long-format panels (series of different lengths and start times, interleaved),
// future rows and covariates, and every kind of bad input as a FormatError naming file, line
// and column.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError, readPanelCsv } from '../../src/index.js';

let dir = '';
let n = 0;
const file = (text: string): string => {
  const p = join(dir, `p${n++}.csv`);
  writeFileSync(p, text);
  return p;
};

describe('readPanelCsv', () => {
  before(() => (dir = mkdtempSync(join(tmpdir(), 'lstm-panel-csv-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('groups interleaved rows by id in time order; future rows carry the known covariates', async () => {
    const p = file('id,t,v,price,temp\nA,2000-01,1,5,20\nB,2000-02,10,6,21\nA,2000-02,2,5,22\nB,2000-03,11,7,23\nA,2000-03,,9,\nA,2000-04,NA,8,\n');
    const panel = await readPanelCsv(p, { id: 'id', column: 'v', date: 't', covariates: ['price'], pastCovariates: ['temp'] });
    assert.equal(panel.rows, 6);
    assert.deepEqual(panel.series.map((s) => s.id), ['A', 'B']);
    const [a, b] = panel.series;
    assert.deepEqual(Array.from(a!.values), [1, 2]);
    assert.equal(a!.future, 2);
    assert.deepEqual(a!.futureDates, ['2000-03', '2000-04']);
    assert.deepEqual(Array.from(a!.covariates.price!), [5, 5, 9, 8]);
    assert.deepEqual(Array.from(a!.pastCovariates.temp!), [20, 22]);
    assert.deepEqual(Array.from(b!.values), [10, 11]);
    assert.deepEqual(b!.dates, ['2000-02', '2000-03']);
    assert.equal(b!.future, 0);
  });

  test('without --id every row is one series named after the column; a series below minLength is skipped with its reason', async () => {
    const one = await readPanelCsv(file('v\n1\n2\n3\n'), { column: 'v' });
    assert.deepEqual(one.series.map((s) => [s.id, Array.from(s.values)]), [['v', [1, 2, 3]]]);
    const p = await readPanelCsv(file('id,v\nA,1\nA,2\nA,3\nB,1\n'), { id: 'id', column: 'v', minLength: 2 });
    assert.deepEqual(p.series.map((s) => s.id), ['A']);
    assert.deepEqual(p.skipped, [{ id: 'B', reason: '1 observed value(s), fewer than the 2 needed' }]);
  });

  test('bad input: a FormatError naming file, line and column', async () => {
    const cases: Array<[string, Partial<Parameters<typeof readPanelCsv>[1]>, RegExp]> = [
      ['id,t,v\nA,2000-01,1\nA,2000-03,2\nA,2000-02,3\n', {}, /line 4, column "t": series "A" has "2000-02" after "2000-03" \(line 3\); dates must increase within a series/],
      ['id,t,v\nA,1,1\nB,1,5\nA,1,2\n', {}, /line 4, column "t": series "A" has "1" twice \(lines 2 and 4\): duplicate time step/],
      ['id,t,v\nA,1,1\nA,2,abc\n', {}, /line 3, column "v": expected a number, found "abc"/],
      ['id,t,v\nA,1,1\nA,2,1e999\n', {}, /line 3, column "v": expected a finite number/],
      ['id,t,v\nA,1,1\nA,2,\nA,3,4\n', {}, /line 4, column "v": series "A" has a value after 1 row\(s\) without one \(a gap/],
      ['id,t,v\nA,1,\n', {}, /line 2, column "v": series "A" starts with a missing value/],
      ['id,t,v\n,1,1\n', {}, /line 2, column "id": empty series id/],
      ['id,t,v\nA,1,1\nA,x,2\n', {}, /line 3, column "t": "x" is not read as a number or date like the dates before it/],
      ['id,t,v,c\nA,1,1,2\nA,2,,\n', { covariates: ['c'] }, /line 3, column "c": missing covariate value in series "A" \(a known covariate needs values on the future rows too\)/],
      ['id,t,v\nA,1,1\n', { covariates: ['nope'] }, /no covariate column "nope" \(columns: id, t, v\)/],
      ['id,t,v\nA,1,1\nA,2\n', {}, /CSV syntax error/],
      ['', {}, /empty file/],
      ['id,t,v\n', {}, /no data rows/],
      ['id,t,v\nA,1,1\n', { minLength: 3 }, /every one of the 1 series is too short \(fewest values needed: 3; e\.g\. "A": 1 observed value/],
    ];
    for (const [i, [text, extra, re]] of cases.entries()) {
      const p = file(text);
      await assert.rejects(readPanelCsv(p, { id: 'id', column: 'v', date: 't', ...extra }), (e: unknown) => {
        assert.ok(e instanceof FormatError, `case ${i}: ${String(e)}`);
        assert.ok(e.message.startsWith(p), `case ${i}: ${e.message}`);
        assert.match(e.message, re, `case ${i}`);
        return true;
      });
    }
  });
});
