/**
 * bench/m3/r-baselines.ts on small hand-made files: r-forecasts.R's output read back (a later
 * file replacing a series, bad rows named by file and line, incomplete series refused), the
 * shared point forecasts completed by it, comb as the mean of ets, arima and theta (worked by
 * hand), and the agreement count between a rerun and the shared forecasts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agreement, mergeForecasts, readRForecasts, rForecastFiles, withComb } from '../../bench/m3/r-baselines.js';
import { FormatError } from '../../src/index.js';

const HEAD = 'id,method,h,value,lo80,hi80,lo95,hi95';

function withDir(files: Record<string, string>, body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'm3-r-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('readRForecasts: points and intervals per method and series; a later file replaces a series', () => {
  withDir({
    'r-test-monthly-0.csv': [HEAD, 'A,arima,1,10,9,11,8,12', 'A,arima,2,20,18,22,16,24', 'B,arima,1,5,4,6,3,7', 'B,arima,2,6,5,7,4,8'].join('\n') + '\n',
    'r-test-monthly-1.csv': [HEAD, 'B,arima,1,50,40,60,30,70', 'B,arima,2,60,50,70,40,80'].join('\n') + '\n',
    'r-test-quarterly-0.csv': HEAD + '\n',
    'r-validation-monthly.csv': HEAD + '\n',
  }, (dir) => {
    const files = rForecastFiles(dir, 'test', 'monthly');
    assert.deepEqual(files.map((f) => f.slice(dir.length + 1)), ['r-test-monthly-0.csv', 'r-test-monthly-1.csv']);
    const by = readRForecasts(files, 2);
    assert.deepEqual([...by.get('arima')!.get('A')!.point], [10, 20]);
    assert.deepEqual([...by.get('arima')!.get('A')!.bounds!.hi95], [12, 24]);
    assert.deepEqual([...by.get('arima')!.get('B')!.point], [50, 60]);
    assert.deepEqual([...by.get('arima')!.get('B')!.bounds!.lo80], [40, 50]);
  });
});

test('readRForecasts: a bad row or an incomplete series is a FormatError naming the file and line or series', () => {
  const cases: [string, RegExp][] = [
    [[HEAD, 'A,arima,1,NA,9,11,8,12', 'A,arima,2,20,18,22,16,24'].join('\n'), /bad\.csv.*line 2: expected id, method, h in 1\.\.2 and five finite numbers, found "A,arima,1,NA/],
    [[HEAD, 'A,arima,3,10,9,11,8,12'].join('\n'), /line 2: expected id, method, h in 1\.\.2/],
    [[HEAD, 'A,arima,1,10,9,11'].join('\n'), /line 2: expected/],
    [[HEAD, 'A,arima,1,10,9,11,8,12'].join('\n'), /the arima forecast of A lacks some of its 2 steps/],
    ['id,method,h,value', /header must be "id,method,h,value,lo80,hi80,lo95,hi95", found "id,method,h,value"/],
  ];
  for (const [text, message] of cases) {
    withDir({ 'bad.csv': text + '\n' }, (dir) => {
      assert.throws(() => readRForecasts([join(dir, 'bad.csv')], 2), (e: unknown) => e instanceof FormatError && message.test(e.message));
    });
  }
});

test('mergeForecasts and withComb: the shared points completed by the rerun, comb = (ets + arima + theta) / 3 where all three exist', () => {
  const shared = new Map([
    ['ets', new Map([['A', Float64Array.of(3, 6)], ['B', Float64Array.of(1, 1)]])],
    ['theta', new Map([['A', Float64Array.of(6, 9)], ['B', Float64Array.of(2, 2)]])],
    ['arima', new Map([['A', Float64Array.of(0, 0)]])],
    ['comb', new Map([['A', Float64Array.of(3, 5)]])],
  ]);
  const rerun = new Map([['arima', new Map([['B', { point: Float64Array.of(3, 6) }]])]]);
  const by = withComb(mergeForecasts(shared, rerun));
  // A: (3 + 0 + 6) / 3 = 3, (6 + 0 + 9) / 3 = 5; B: (1 + 3 + 2) / 3 = 2, (1 + 6 + 2) / 3 = 3.
  assert.deepEqual([...by.get('comb')!.get('A')!.point], [3, 5]);
  assert.deepEqual([...by.get('comb')!.get('B')!.point], [2, 3]);
  assert.deepEqual([...by.get('arima')!.keys()].sort(), ['A', 'B']);
  // The shared maps are not changed.
  assert.equal(shared.get('arima')!.has('B'), false);
});

test('agreement: series in both, those equal to the tolerance, the largest relative difference', () => {
  const shared = new Map([['arima', new Map([['A', Float64Array.of(100, 200)], ['B', Float64Array.of(10, 10)]])]]);
  const rerun = new Map([['arima', new Map([
    ['A', { point: Float64Array.of(100, 200) }],
    ['B', { point: Float64Array.of(10, 10.5) }],
    ['C', { point: Float64Array.of(1, 1) }],
  ])]]);
  assert.deepEqual(agreement(shared, rerun), [{ method: 'arima', series: 3, both: 2, equal: 1, largest: 0.05 }]);
});
