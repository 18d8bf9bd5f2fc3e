// `lstm forecast --id` and `lstm backtest` end to end on small generated panels: the shape of
// forecast.csv, quantiles, ids, the backtest table and a baseline recomputed here by hand, and
// bad input. Models are tiny (a few epochs, 8 hidden units) so each run takes seconds.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lstm, json } from './helpers.js';
import { buildProgram } from '../../src/cli/main.js';
import { loadGlobalForecaster, theta, ets, etsForm, type QuantileForecast } from '../../src/index.js';

let dir = '';
const TINY = ['--epochs', '2', '--ensemble', '1', '--hidden', '8', '--windows-per-series', '16'];

/** Month label of month index m (0 = 2000-01). */
const month = (m: number): string => `${2000 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;

/** A seasonal series (period 12) of n values starting at month `start`, level `level`, deterministic noise. */
function seasonal(n: number, start: number, level: number): number[] {
  return Array.from({ length: n }, (_, t) => level + 0.2 * t + 8 * Math.sin((2 * Math.PI * (start + t)) / 12) + Math.sin(7.3 * t + level));
}

/** Four series of different lengths and start times, rows interleaved by month as an export would be. */
function panel(): { csv: string; series: Map<string, { start: number; values: number[] }> } {
  const series = new Map<string, { start: number; values: number[] }>();
  [['A', 0, 60], ['B,x', 5, 48], ['C', 12, 40], ['D', 2, 55]].forEach(([id, start, n], k) =>
    series.set(id as string, { start: start as number, values: seasonal(n as number, start as number, 40 + 25 * k) }));
  const rows: Array<[number, string]> = [];
  for (const [id, s] of series) s.values.forEach((v, t) => rows.push([s.start + t, `${id.includes(',') ? `"${id}"` : id},${month(s.start + t)},${v.toFixed(4)}`]));
  rows.sort((a, b) => a[0] - b[0]);
  return { csv: 'store,month,sales\n' + rows.map((r) => r[1]).join('\n') + '\n', series };
}

/** Parse a CSV written by the commands (quoted fields only around ids). */
function readCsvRows(path: string): string[][] {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => {
    const out: string[] = [];
    for (const m of line.matchAll(/("([^"]|"")*"|[^,]*)(,|$)/g)) {
      if (m.index === line.length && m[0] === '') break;
      out.push(m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!);
    }
    return out;
  });
}

describe('lstm forecast --id / lstm backtest', () => {
  let file = '';
  let data: ReturnType<typeof panel>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lstm-panel-'));
    data = panel();
    file = join(dir, 'panel.csv');
    writeFileSync(file, data.csv);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('forecast.csv: one row per series and step, every id, monotone quantiles, dates past each end; hold-out rank printed', () => {
    const out = join(dir, 'fc');
    const r = lstm(['forecast', file, '--id', 'store', '--date', 'month', '--column', 'sales', '--horizon', '6', '--season', '12', ...TINY,
      '--baselines', 'naive,snaive,theta', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = json(r);
    assert.equal(j.series, 4);
    assert.deepEqual(j.holdout.methods, ['lstm-ts', 'naive', 'snaive', 'theta']);
    assert.ok(j.rank >= 1 && j.rank <= 4);
    assert.deepEqual(j.holdout.levels, [0.8]);
    const rows = readCsvRows(join(out, 'forecast.csv'));
    assert.deepEqual(rows[0], ['id', 'step', 'date', 'forecast', 'q0.1', 'q0.5', 'q0.9']);
    assert.equal(rows.length, 1 + 4 * 6);
    for (const [id, s] of data.series) {
      const mine = rows.slice(1).filter((row) => row[0] === id);
      assert.deepEqual(mine.map((row) => row[1]), ['1', '2', '3', '4', '5', '6'], id);
      const end = s.start + s.values.length;
      assert.deepEqual(mine.map((row) => row[2]), [0, 1, 2, 3, 4, 5].map((h) => month(end + h)), id);
      for (const row of mine) {
        const [f, q1, q5, q9] = row.slice(3).map(Number);
        assert.ok(Number.isFinite(f!) && q1! <= q5! && q5! <= q9!, `${id}: ${row.join(',')}`);
        assert.equal(f, q5); // the point forecast is the median
      }
    }
    assert.ok(existsSync(join(out, 'model.safetensors')) && existsSync(join(out, 'holdout.csv')));

    // The table on stdout without --json names lstm-ts's rank.
    const text = lstm(['forecast', file, '--id', 'store', '--column', 'sales', '--horizon', '6', '--season', '12', ...TINY, '--baselines', 'naive', '--out', join(dir, 'fc2')]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /lstm-ts ranks [12] of 2 by sMAPE/);
  });

  test('forecast --id defaults to the combination (Σ w·member with the weights it reports); --method lstm gives the LSTM alone', () => {
    // The values as the CSV holds them (4 decimals).
    const written = (id: string): number[] => data.series.get(id)!.values.map((v) => Number(v.toFixed(4)));
    const H = 6, args = ['forecast', file, '--id', 'store', '--column', 'sales', '--horizon', String(H), '--season', '12', ...TINY, '--baselines', 'naive,theta,ets', '--json'];
    const points = (out: string): Map<string, number[]> => {
      const m = new Map<string, number[]>();
      for (const row of readCsvRows(join(out, 'forecast.csv')).slice(1)) m.set(row[0]!, [...(m.get(row[0]!) ?? []), Number(row[2])]);
      return m;
    };
    const lstmPoints = (out: string): Map<string, Float64Array> => {
      const model = loadGlobalForecaster(join(out, 'model.safetensors'));
      const ids = [...data.series.keys()];
      const f: QuantileForecast[] = model.forecast(ids.map((id) => written(id)));
      return new Map(ids.map((id, i) => [id, f[i]!.point]));
    };
    const out = join(dir, 'comb');
    const r = lstm([...args, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const j = json(r);
    assert.equal(j.method, 'combined');
    const w = j.combination.weights as Record<string, number>;
    assert.deepEqual(Object.keys(w), ['lstm-ts', 'theta', 'ets']);
    assert.ok(Math.abs(w['lstm-ts']! + w.theta! + w.ets! - 1) < 1e-9);
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'combination.json'), 'utf8')).weights, w);
    const lstmAlone = lstmPoints(out);
    for (const [id, got] of points(out)) {
      const y = written(id);
      // ETS refitted in the form it chose on the hold-out's training part (the last H values held back).
      const form = ets(y.slice(0, y.length - H), { horizon: H, period: 12 }).model.components;
      const th = theta(y, { horizon: H, period: 12 }).mean, et = ets(y, { horizon: H, period: 12, ...etsForm(form) }).mean, l = lstmAlone.get(id)!;
      got.forEach((v, h) => {
        const want = w['lstm-ts']! * l[h]! + w.theta! * th[h]! + w.ets! * et[h]!;
        assert.ok(Math.abs(v - want) < 1e-6 * Math.abs(want), `${id} step ${h + 1}: ${v} vs ${want}`);
      });
    }
    const text = lstm([...args.filter((a) => a !== '--json'), '--out', join(dir, 'comb-text')]);
    assert.match(text.stdout, /combined: weights lstm-ts [0-9.]+, theta [0-9.]+, ets [0-9.]+, chosen on this hold-out/);

    const outL = join(dir, 'lstm-alone');
    const rl = lstm([...args, '--method', 'lstm', '--out', outL]);
    assert.equal(rl.code, 0, rl.stderr);
    assert.equal(json(rl).method, 'lstm');
    assert.equal(json(rl).combination, null);
    assert.equal(existsSync(join(outL, 'combination.json')), false);
    const alone = lstmPoints(outL);
    for (const [id, got] of points(outL)) assert.deepEqual(got, Array.from(alone.get(id)!), id);
  });

  test('one series without --id but with --quantiles goes through the global forecaster', () => {
    const one = join(dir, 'one.csv');
    writeFileSync(one, 'v\n' + seasonal(50, 0, 30).map((v) => v.toFixed(3)).join('\n') + '\n');
    const out = join(dir, 'one');
    const r = lstm(['forecast', one, '--column', 'v', '--horizon', '4', '--season', '12', '--quantiles', '0.05,0.5,0.95', ...TINY, '--baselines', 'naive', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rows = readCsvRows(join(out, 'forecast.csv'));
    assert.deepEqual(rows[0], ['id', 'step', 'forecast', 'q0.05', 'q0.5', 'q0.95']);
    assert.deepEqual(rows.slice(1).map((row) => row[0]), ['v', 'v', 'v', 'v']);
    assert.deepEqual(json(r).holdout.levels, [0.9]);
  });

  test('the single-series forecast prints the LSTM\'s rank by RMSE among itself and the two naive baselines', () => {
    const one = join(dir, 'single.csv');
    writeFileSync(one, 'v\n' + seasonal(72, 0, 30).map((v) => v.toFixed(3)).join('\n') + '\n');
    const r = lstm(['forecast', one, '--column', 'v', '--season', '12', '--epochs', '2', '--ensemble', '1', '--hidden', '8', '--out', join(dir, 'single')]);
    assert.equal(r.code, 0, r.stderr);
    const rmse = (name: string): number => Number(new RegExp(`^  ${name}\\s.*?RMSE\\s+([0-9.e+-]+)`, 'm').exec(r.stdout)![1]);
    const mine = rmse('LSTM'), others = [rmse('last value'), rmse('seasonal \\(12\\)')];
    const rank = 1 + others.filter((v) => v < mine).length + others.filter((v) => v === mine).length / 2;
    assert.match(r.stdout, new RegExp(`rank of the LSTM by RMSE: ${rank} of 3`));
  });

  test('covariates: the future rows\' known values reach the forecast, the model records both kinds (learning the effect: test/recipes/global.test.ts)', () => {
    // Same history, same seed; only the promotion flags on the future rows differ (all off, all on).
    const run = (flag: number): number[] => {
      const rows = ['id,t,y,promo,temp'];
      for (const [k, id] of ['a', 'b'].entries()) {
        const n = 30 + 5 * k;
        for (let t = 0; t < n; t++) {
          const promo = Math.sin(12.9898 * t + 78.233 * k) > 0.4 ? 1 : 0;
          rows.push(`${id},${t},${(50 + 10 * k + 10 * promo + Math.sin(3.7 * t + k)).toFixed(3)},${promo},${(20 + Math.sin(t / 5)).toFixed(3)}`);
        }
        for (let h = 0; h < 4; h++) rows.push(`${id},${n + h},,${flag},`); // past covariate left empty on future rows
      }
      const p = join(dir, `promo${flag}.csv`), out = join(dir, `promo${flag}`);
      writeFileSync(p, rows.join('\n') + '\n');
      const r = lstm(['forecast', p, '--id', 'id', '--column', 'y', '--horizon', '4', '--season', 'none', '--covariates', 'promo', '--past-covariates', 'temp',
        ...TINY, '--no-holdout', '--out', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /1 known and 1 past covariate\(s\)/);
      const plan = loadGlobalForecaster(join(out, 'model.safetensors')).plan;
      assert.deepEqual([plan.knownCovariates, plan.pastCovariates], [1, 1]);
      const fc = readCsvRows(join(out, 'forecast.csv')).slice(1);
      assert.deepEqual(fc.map((row) => row[0]), ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b']);
      return fc.map((row) => Number(row[2]));
    };
    const off = run(0), on = run(1);
    assert.ok(off.some((v, i) => Math.abs(v - on[i]!) > 1e-3), `forecasts did not move with the covariate: ${off} vs ${on}`);
  });

  test('backtest: table columns, and the seasonal-naive row equals sMAPE recomputed here over the same origins', () => {
    const out = join(dir, 'bt');
    const H = 4, K = 2;
    const r = lstm(['backtest', file, '--id', 'store', '--date', 'month', '--column', 'sales', '--horizon', String(H), '--origins', String(K), '--season', '12', ...TINY,
      '--baselines', 'naive,snaive', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = json(r);
    const overall = readCsvRows(join(out, 'backtest.csv'));
    assert.deepEqual(overall[0], ['method', 'smape', 'mase', 'rmse', 'coverage80', 'rank_smape', 'rank_mase']);
    assert.deepEqual(overall.slice(1).map((row) => row[0]), ['lstm-ts', 'naive', 'snaive']);
    const perSeries = readCsvRows(join(out, 'backtest-series.csv'));
    assert.deepEqual(perSeries[0], ['id', 'method', 'origins', 'smape', 'mase', 'rmse', 'coverage80', 'lstm_rank']);
    assert.deepEqual([...new Set(perSeries.slice(1).map((row) => row[0]))].sort(), [...data.series.keys()].sort());

    // Seasonal naive by hand: origin k forecasts y[c + h] by y[c + h − 12], c = n − H·(K − k + 1).
    let total = 0;
    for (const [, s] of data.series) {
      const y = s.values, n = y.length;
      let sum = 0;
      for (let k = 1; k <= K; k++) {
        const c = n - H * (K - k + 1);
        for (let h = 0; h < H; h++) sum += (200 * Math.abs(y[c + h]! - y[c + h - 12]!)) / (Math.abs(y[c + h]!) + Math.abs(y[c + h - 12]!)) / H;
      }
      total += sum / K;
    }
    const snaive = total / data.series.size;
    assert.ok(Math.abs(j.overall.snaive.smape - snaive) < 1e-4 * snaive, `snaive sMAPE ${j.overall.snaive.smape} vs ${snaive} by hand`);
    // lstm-ts's rank agrees with the scores: 1 + the methods strictly better.
    const better = j.methods.filter((m: string) => j.overall[m].smape < j.overall['lstm-ts'].smape).length;
    assert.equal(j.rank, 1 + better);
    assert.equal(Number(overall[1]![5]), j.rank);
  });

  test('backtest scores the default (combined) forecaster as lstm-ts, the LSTM alone as the row lstm; --method lstm scores the LSTM alone', () => {
    const args = ['backtest', file, '--id', 'store', '--column', 'sales', '--horizon', '4', '--origins', '2', '--season', '12', ...TINY, '--baselines', 'naive,theta'];
    const r = lstm([...args, '--out', join(dir, 'bt-comb'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = json(r);
    assert.equal(j.method, 'combined');
    assert.deepEqual(j.pool, ['theta']);
    assert.deepEqual(j.methods, ['lstm-ts', 'lstm', 'naive', 'theta']);
    assert.equal(j.combinations.length, 2);
    for (const c of j.combinations) assert.deepEqual(Object.keys(c.weights), ['lstm-ts', 'theta']);
    // lstm-ts is ranked among itself and the baselines only.
    assert.equal(j.rank, 1 + ['naive', 'theta'].filter((m) => j.overall[m].smape < j.overall['lstm-ts'].smape).length);
    const alone = lstm([...args, '--method', 'lstm', '--out', join(dir, 'bt-alone')]);
    assert.equal(alone.code, 0, alone.stderr);
    assert.match(alone.stdout, /backtest of the LSTM alone: 2 origin\(s\)/);
    assert.match(alone.stdout, /lstm-ts ranks [123] of 3 by sMAPE/);
    assert.doesNotMatch(alone.stdout, /row lstm/);
  });

  test('bad input (the reader\'s cases are in test/data/panel-csv.test.ts): one line, exit 1, nothing written', async () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['id,t,v\nA,2000-01,1\nA,2000-03,2\nA,2000-02,3\n', [], /line 4, column "t": series "A" has "2000-02" after "2000-03" \(line 3\); dates must increase/],
      ['id,t,v\nA,1,1\nA,2,2\n', [], /every series has fewer than the 6 values needed/],
      ['id,t,v,c\nA,1,1,0\nA,2,2,1\nA,3,3,0\nA,4,4,1\nA,5,5,0\nA,6,6,1\nA,7,,0\n', ['--covariates', 'c'], /series "A": known covariate 1 has 1 value\(s\) past the series' end; forecasting 2 steps needs 2/],
      ['id,t,v\nA,1,1\n', ['--mode', 'delta'], /--mode is for the single-series forecaster; it cannot be used with --id/],
      ['id,t,v\nA,1,1\nA,2,2\nA,3,3\nA,4,4\nA,5,5\nA,6,6\nA,7,7\n', ['--method', 'combined', '--no-holdout'], /--method combined: the combination's weights are chosen on the hold-out; it cannot be used with --no-holdout/],
    ];
    const args = (i: number, extra: string[]): string[] =>
      ['forecast', join(dir, `bad${i}.csv`), '--column', 'v', '--date', 't', '--horizon', '2', '--season', 'none', '--id', 'id', ...extra, '--out', join(dir, `bad-out${i}`)];
    // In process (a spawn costs seconds on a loaded machine): the error each case throws ...
    for (const [i, [csv, extra, re]] of cases.entries()) {
      writeFileSync(join(dir, `bad${i}.csv`), csv);
      await assert.rejects(buildProgram().exitOverride().parseAsync(['node', 'lstm', ...args(i, extra)]), re, `case ${i}`);
      assert.equal(existsSync(join(dir, `bad-out${i}`)), false, `case ${i}`);
    }
    // ... and, once through the real command, as one line on stderr with exit code 1.
    const r = lstm(args(0, []));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^lstm: error: .*bad0\.csv: line 4, column "t"/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  test('a series too short for the hold-out is skipped with a warning; the others are forecast', () => {
    const short = join(dir, 'short.csv');
    writeFileSync(short, data.csv + 'E,2004-01,3\nE,2004-02,4\n');
    const out = join(dir, 'short');
    const r = lstm(['forecast', short, '--id', 'store', '--column', 'sales', '--horizon', '3', '--season', '12', ...TINY, '--baselines', 'naive', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: skipped 1 series: "E" \(2 value\(s\), fewer than the 16 needed\)/);
    assert.deepEqual(json(r).skipped.map((s: { id: string }) => s.id), ['E']);
    const ids = new Set(readCsvRows(join(out, 'forecast.csv')).slice(1).map((row) => row[0]));
    assert.deepEqual([...ids].sort(), ['A', 'B,x', 'C', 'D']);
  });
});
