import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lstm, json } from './helpers.js';
import { buildProgram } from '../../src/cli/main.js';
import { readSafetensors } from '../../src/index.js';

let dir = '';
const airline = new URL('../../data/airline-passengers.csv', import.meta.url).pathname;

describe('lstm forecast', () => {
  before(() => (dir = mkdtempSync(join(tmpdir(), 'lstm-cli-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('beats the last-value baseline on the airline hold-out, reproducibly, and writes model, CSV and plot', () => {
    const out = join(dir, 'airline');
    const args = ['forecast', airline, '--column', 'Passengers', '--date', 'Month', '--season', '12', '--out', out, '--json'];
    const r = lstm(args);
    assert.equal(r.code, 0, r.stderr);
    const j = json(r);
    assert.deepEqual(Object.keys(j.metrics).sort(), ['mae', 'mape', 'rmse']);
    assert.ok(j.baselines.seasonal && j.baselines.seasonal.rmse > 0);
    // A clear margin: at least 40% lower RMSE than repeating the last value.
    assert.ok(j.metrics.rmse < 0.6 * j.baselines.last.rmse, `rmse ${j.metrics.rmse} vs last ${j.baselines.last.rmse}`);
    assert.equal(j.forecast.length, 12);
    assert.equal(j.dates[0], '1961-01');
    assert.ok(j.forecast.every((v: number) => Number.isFinite(v) && v > 200 && v < 900));
    assert.equal(j.model, join(out, 'model.safetensors'));
    // A short series gets an ensemble of 3 models by default, all in the one model file.
    assert.deepEqual(readdirSync(out).sort(), ['forecast.csv', 'forecast.svg', 'model.safetensors']);
    assert.deepEqual(Object.keys(readSafetensors(join(out, 'model.safetensors')).tensors).filter((n) => n.startsWith('__member')).map((n) => n.split('.')[0]).filter((v, i, a) => a.indexOf(v) === i), ['__member2__', '__member3__']);
    const csv = readFileSync(join(out, 'forecast.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, 1 + 24 + 12);
    assert.match(readFileSync(join(out, 'forecast.svg'), 'utf8'), /^<svg[\s\S]*hold-out forecast[\s\S]*<\/svg>\n$/);
    assert.match(r.stderr, /plan: season 12, horizon 12/); // progress on stderr, not stdout
    // It says what it is: the single-series recipe, not the default (combined) forecaster lstm backtest scores.
    assert.equal(j.recipe, 'single-series');
    assert.match(j.note, /not combined with Theta\/ETS, no intervals\)\. The default forecaster, the global LSTM combined with Theta\/ETS .* runs with --method combined/);

    // Same seed, same numbers.
    const again = json(lstm([...args.slice(0, -3), '--out', join(dir, 'again'), '--json']));
    assert.deepEqual(again.forecast, j.forecast);
    assert.deepEqual(again.metrics, j.metrics);

    // The saved model: info, predict and eval.
    const info = json(lstm(['info', j.model, '--json']));
    assert.equal(info.kind, 'forecast');
    assert.ok(info.parameters > 1000);
    assert.equal(info.forecast.plan.horizon, 12);
    const pred = json(lstm(['predict', j.model, airline, '--json']));
    assert.deepEqual(pred.forecast, j.forecast);
    const ev = json(lstm(['eval', j.model, airline, '--json']));
    assert.equal(ev.horizon, 12);
    assert.ok(ev.metrics.rmse < ev.baselines.last.rmse);
  });

  test('bad input: one-line errors naming file, line and column; exit 1; nothing written', () => {
    const out = join(dir, 'bad-out');
    const cases: Array<[string, string[], RegExp]> = [
      ['x,y\n1,2\n3,abc\n', ['--column', 'y'], /bad0\.csv: line 3, column "y": expected a number, found "abc"/],
      ['x,y\n1,2\n', ['--column', 'nope'], /bad1\.csv: no column "nope" \(columns: x, y\)/],
      ['x\n' + Array.from({ length: 12 }, (_, i) => i).join('\n') + '\n', ['--column', 'x'], /bad2\.csv: column "x": too few rows: 12, need at least 15 for lookback 4 \+ horizon 1/],
      ['x\n1\n2\nInf\n', ['--column', 'x'], /bad3\.csv: line 4, column "x": expected a finite number, found "Inf"/],
      ['x\n1\n\n2\nNA\n', ['--column', 'x'], /bad4\.csv: line 5, column "x": missing value \("NA"\)/],
    ];
    cases.forEach(([text, flags, re], i) => {
      const p = join(dir, `bad${i}.csv`);
      writeFileSync(p, text);
      const r = lstm(['forecast', p, ...flags, '--out', out, '--json']);
      assert.equal(r.code, 1, `case ${i}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^lstm: error: /);
      assert.match(lines[0]!, re);
    });
    const missingFile = lstm(['forecast', join(dir, 'absent.csv'), '--column', 'x', '--out', out]);
    assert.equal(missingFile.code, 1);
    assert.match(missingFile.stderr, /absent\.csv: cannot read \(no such file\)/);
    const badFlag = lstm(['forecast', airline, '--column', 'Passengers', '--horizon', 'zero', '--out', out]);
    assert.equal(badFlag.code, 1);
    assert.match(badFlag.stderr, /--horizon <n>' argument 'zero' is invalid. expected an integer ≥ 1/);
    assert.equal(existsSync(out), false);
  });

  test('bad model files are one-line errors', () => {
    const junk = join(dir, 'junk.safetensors');
    writeFileSync(junk, 'not a model');
    for (const cmd of [['info', junk], ['predict', junk, airline], ['generate', junk]]) {
      const r = lstm(cmd);
      assert.equal(r.code, 1);
      assert.match(r.stderr.trim(), /^lstm: error: .*junk\.safetensors/);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
    const none = lstm(['info', join(dir, 'none.safetensors')]);
    assert.match(none.stderr, /none\.safetensors: no such model file/);
  });

  test('a number option given a word is an error naming the option', () => {
    const r = lstm(['eval', 'model.safetensors', 'data.txt', '--max-bytes', 'abc']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--max-bytes.*"abc"/);
  });

  test('--help works on every command (in process)', async () => {
    for (const cmd of ['forecast', 'train-text', 'generate', 'classify', 'predict', 'eval', 'info', 'inspect', 'convert']) {
      let text = '';
      const program = buildProgram().exitOverride().configureOutput({ writeOut: (t) => (text += t), writeErr: (t) => (text += t) });
      for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: (t) => (text += t), writeErr: (t) => (text += t) });
      await assert.rejects(program.parseAsync(['node', 'lstm', cmd, '--help']), (e: any) => e.code === 'commander.helpDisplayed' && e.exitCode === 0);
      assert.match(text, new RegExp(`Usage: lstm ${cmd}`));
      assert.match(text, /--help/);
    }
  });
});
