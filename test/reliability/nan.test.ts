/**
 * Bad numbers never reach the weights.
 *   - A CSV cell that is NaN, ±Inf, out of float64 range or not a number is a FormatError
 *     naming file, line and column, from readCsv and from the `lstm forecast` command, before
 *     any training (the command exits 1 with one line and writes nothing).
 *   - NaN/Inf in tensors given to fit is refused before the first step (row and element named).
 *   - A learning rate that blows up mid-run stops training with a TrainingError naming the
 *     step and suggesting a lower learning rate or clipping; the model is left holding the
 *     best weights so far, and the checkpoint on disk is the last good epoch, holding the same
 *     best weights. The CLI reports the step and the hint the same way.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Adam, Dense, FormatError, LSTM, LastStep, Sequential, Tensor, TrainingError, fileCheckpoint, fit, loadModel, numericColumn, readCsv } from '../../src/index.js';
import { lstm } from '../cli/helpers.js';

const be = { backend: 'reference' };
const dir = mkdtempSync(join(tmpdir(), 'nan-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** A two-column CSV of 80 rows with `bad` put at data row `row` of column `col`. */
function csvWith(bad: string, row: number, col: 'a' | 'b'): string {
  const lines = ['t,a,b'];
  for (let i = 0; i < 80; i++) lines.push(`${i},${i === row && col === 'a' ? bad : Math.sin(i).toFixed(4)},${i === row && col === 'b' ? bad : Math.cos(i).toFixed(4)}`);
  return lines.join('\n') + '\n';
}

const BAD_CELLS: Array<[string, RegExp]> = [
  ['inf', /expected a finite number, found "inf"/],
  ['-Infinity', /expected a finite number, found "-Infinity"/],
  ['1e999', /expected a finite number, found "1e999"/],
  ['abc', /expected a number, found "abc"/],
  ['NaN', /missing value \("NaN"\)/],
  ['', /missing value \(""\)/],
];

describe('NaN and Inf in CSV data: named by file, line and column before training', () => {
  test('readCsv', async () => {
    for (const [cell, re] of BAD_CELLS) {
      for (const [row, col] of [[0, 'a'], [41, 'b'], [79, 'a']] as const) {
        const path = join(dir, 'lib.csv');
        writeFileSync(path, csvWith(cell, row, col));
        // Line = data row + 2 (1-based, after the header).
        const named = (e: Error): boolean => e instanceof FormatError && e.message.startsWith(`${path}: line ${row + 2}, column "${col}": `) && re.test(e.message);
        await assert.rejects(readCsv(path, { columns: ['a', 'b'] }), named, `${cell} at ${row},${col}`);
        // Without explicit columns the first data row decides each column's type: a bad cell
        // there makes a string column, which numericColumn then refuses by name.
        if (row > 0) await assert.rejects(readCsv(path), named, `${cell} at ${row},${col} (detected columns)`);
        else {
          const t = await readCsv(path).catch((e: Error) => e);
          if (!(t instanceof Error)) assert.throws(() => numericColumn(t, col), (e: Error) => e instanceof FormatError && e.message.startsWith(`${path}: column "${col}" is not numeric`));
          else assert.ok(named(t), t.message);
        }
      }
    }
  });

  test('lstm forecast exits 1 with one line naming file, line and column, and writes nothing', () => {
    for (const [cell, re] of BAD_CELLS.slice(0, 4)) {
      const path = join(dir, `cli-${cell.replace(/\W/g, '')}.csv`);
      writeFileSync(path, csvWith(cell, 57, 'b'));
      const out = join(dir, `out-${cell.replace(/\W/g, '')}`);
      const t0 = performance.now();
      const r = lstm(['forecast', path, '--column', 'b', '--out', out]);
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0]!.startsWith(`lstm: error: ${path}: line 59, column "b": `) && re.test(lines[0]!), lines[0]);
      assert.equal(existsSync(out), false, 'nothing may be written for bad data');
      assert.ok(performance.now() - t0 < 20000);
    }
  });

  test('fit refuses NaN/Inf tensors before the first step, naming row and element', async () => {
    const m = new Sequential([['lstm', new LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: true, ...be })], ['last', new LastStep(be)], ['fc', new Dense({ inputSize: 3, outputSize: 1, ...be })]]);
    const before = m.flat.slice();
    const x = new Tensor(new Float32Array(5 * 4 * 2), [5, 4, 2]);
    x.data[3 * 8 + 5] = NaN;
    await assert.rejects(fit(m, { x, y: new Tensor(new Float32Array(5), [5, 1]), epochs: 1, progress: false }), /x contains NaN at row 3, element 5/);
    const y = new Tensor(new Float32Array(5), [5, 1]);
    y.data[4] = -Infinity;
    await assert.rejects(fit(m, { x: new Tensor(new Float32Array(40), [5, 4, 2]), y, epochs: 1, progress: false }), /y contains -Infinity at row 4, element 0/);
    assert.deepEqual(m.flat, before, 'no step was taken');
  });
});

describe('a loss that becomes NaN or Inf stops training and keeps the best weights', () => {
  test('library: lr raised to 1e30 after epoch 2 → TrainingError with step and hint; model and checkpoint hold the best weights', async () => {
    const m = new Sequential([['lstm', new LSTM({ inputSize: 2, hiddenSize: 8, batchFirst: true, seed: 3, ...be })], ['last', new LastStep(be)], ['fc', new Dense({ inputSize: 8, outputSize: 1, seed: 4, ...be })]]);
    const N = 40;
    const x = new Tensor(Float32Array.from({ length: N * 6 * 2 }, (_, i) => Math.sin(i * 0.3)), [N, 6, 2]);
    const y = new Tensor(Float32Array.from({ length: N }, (_, i) => Math.cos(i * 0.5)), [N, 1]);
    const opt = new Adam(m, { lr: 0.01 });
    const ckpt = join(dir, 'nan-ckpt.safetensors');
    let err: unknown;
    try {
      await fit(m, {
        x, y, epochs: 10, batchSize: 8, progress: false, optimizer: opt, clipNorm: null, ...fileCheckpoint(m, ckpt),
        callbacks: { onEpochEnd: (e) => { if (e.epoch === 2) opt.lr = 1e30; } },
      });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof TrainingError, `expected a TrainingError, got ${err}`);
    const batches = N / 8;
    assert.ok(err.step > 2 * batches && err.epoch === 3, `step ${err.step}, epoch ${err.epoch}`);
    assert.match(err.message, new RegExp(`training stopped at step ${err.step} \\(epoch 3, batch ${err.batch} of ${batches}\\): (loss|gradient norm) is (NaN|Infinity|-Infinity)`));
    assert.match(err.message, /Try a lower learning rate \(now 1e\+30\) or gradient clipping/);
    assert.match(err.message, /holds the best weights so far \(epoch [12],/);
    assert.equal(err.history.epochs, 2);
    assert.ok(m.flat.every(Number.isFinite), 'the model holds finite weights');
    // The checkpoint on disk is epoch 2's and its best weights are the ones the model holds.
    const saved = loadModel(ckpt, be);
    assert.equal((saved.metadata.checkpoint as { epoch: number }).epoch, 2);
    const best = saved.extraTensors.__best__!;
    assert.deepEqual(Array.from(best.data), Array.from(m.flat));
    assert.equal(err.history.bestEpoch, (saved.metadata.checkpoint as { best: { epoch: number } }).best.epoch);
  });

  test('CLI: lstm forecast --lr 1e30 stops with the step number and the hint, exit 1', () => {
    const out = join(dir, 'cli-nan');
    const r = lstm(['forecast', 'data/airline-passengers.csv', '--column', 'Passengers', '--lr', '1e30', '--epochs', '5', '--out', out]);
    assert.equal(r.code, 1, r.stderr);
    const last = r.stderr.trim().split('\n').at(-1)!;
    assert.match(last, /^lstm: error: training stopped at step \d+ \(epoch \d+, batch \d+ of \d+\): (loss|gradient norm) is (NaN|Infinity)/);
    assert.match(last, /lower learning rate \(now 1e\+30\)/);
    // The best weights so far (or those from before the bad step) are saved, and the message says so.
    assert.match(last, /Saved the best weights so far to .*model\.safetensors\.$/);
    assert.equal(existsSync(join(out, 'model.safetensors')), true, 'a diverged run still leaves its last good weights');
  });
});
