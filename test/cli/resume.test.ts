// `--resume` on the CLI: a training run killed with SIGKILL after its first checkpoint, then
// resumed, must end with bit-for-bit the weights of a run that was never interrupted
// (train-text, classify, and forecast with an ensemble). Also: the one-line errors for a missing or
// mismatched checkpoint, and a NaN stop that still leaves a model on disk.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors } from '../../src/io/safetensors.js';
import { Rng } from '../../src/tensor/rng.js';
import { BIN, lstm } from './helpers.js';

let dir = '';
const republic = new URL('../../data/republic_clean.txt', import.meta.url).pathname;
const sunspots = new URL('../../data/monthly-sunspots.csv', import.meta.url).pathname;

/** Start `lstm args`, SIGKILL it as soon as `file` exists; resolves with how it ended. */
function killWhenExists(args: string[], file: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setInterval(() => {
      if (existsSync(file)) child.kill('SIGKILL');
    }, 10);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal, stderr });
    });
  });
}

/** Every tensor of two safetensors files, compared byte for byte. */
function assertSameWeights(a: string, b: string): void {
  const ta = readSafetensors(a).tensors, tb = readSafetensors(b).tensors;
  assert.deepEqual(Object.keys(ta), Object.keys(tb));
  for (const name of Object.keys(ta)) {
    const x = ta[name]!.data, y = tb[name]!.data;
    const bx = Buffer.from(x.buffer, x.byteOffset, x.byteLength), by = Buffer.from(y.buffer, y.byteOffset, y.byteLength);
    assert.ok(bx.equals(by), `${name} differs between ${a} and ${b}`);
  }
}

const checkpointEpoch = (path: string): number => JSON.parse(readSafetensors(path).metadata!.checkpoint!).epoch;
/** The epoch numbers a --progress run printed on stderr (proves a resumed run skipped the done ones). */
const epochsRun = (stderr: string): number[] => [...stderr.matchAll(/^epoch +(\d+)\//gm)].map((m) => Number(m[1]));

describe('lstm --resume', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lstm-resume-'));
    writeFileSync(join(dir, 'text.txt'), readFileSync(republic, 'utf8').slice(0, 40_000));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('train-text killed after its first checkpoint and resumed ends with the uninterrupted weights', async () => {
    const text = join(dir, 'text.txt');
    const flags = ['--hidden', '128', '--embedding', '16', '--seq-len', '32', '--batch-size', '16', '--epochs', '4', '--seed', '3', '--json'];
    const full = lstm(['train-text', text, ...flags, '--out', join(dir, 'lm-full')]);
    assert.equal(full.code, 0, full.stderr);

    const out = join(dir, 'lm-cut');
    const ckpt = join(out, 'checkpoint.safetensors');
    const cut = await killWhenExists(['train-text', text, ...flags, '--out', out], ckpt);
    assert.equal(cut.signal, 'SIGKILL', `the run finished before it could be killed: ${cut.stderr}`);
    assert.ok(!existsSync(join(out, 'model.safetensors')), 'killed run must not have written its model');
    const done = checkpointEpoch(ckpt);
    assert.ok(done >= 1 && done < 4, `checkpoint after epoch ${done}`);

    // Other options than the checkpoint's, or no checkpoint at all: one-line errors.
    const other = lstm(['train-text', text, ...flags.map((f) => (f === '3' ? '4' : f)), '--out', out, '--resume']);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /^lstm: error: .*resume: .*checkpoint\.safetensors was written for different data or options/m);
    const none = lstm(['train-text', text, ...flags, '--out', join(dir, 'nowhere'), '--resume']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^lstm: error: .*resume: no checkpoint at .*nowhere/m);
    assert.ok(!existsSync(join(dir, 'nowhere')), 'a failed --resume creates nothing');

    const resumed = lstm(['train-text', text, ...flags, '--out', out, '--resume', '--progress']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(epochsRun(resumed.stderr), Array.from({ length: 4 - done }, (_, i) => done + 1 + i));
    assert.ok(!existsSync(ckpt), 'checkpoint deleted once the model is saved');
    assertSameWeights(join(dir, 'lm-full', 'model.safetensors'), join(out, 'model.safetensors'));
  });

  test('forecast: an ensemble killed in its second member resumes (first reloaded, second continued) to the same weights', async () => {
    const flags = ['--epochs', '16', '--ensemble', '2', '--mode', 'delta', '--hidden', '48', '--patience', '100', '--json'];
    const full = lstm(['forecast', sunspots, ...flags, '--out', join(dir, 'fc-full')]);
    assert.equal(full.code, 0, full.stderr);

    const out = join(dir, 'fc-cut');
    const cut = await killWhenExists(['forecast', sunspots, ...flags, '--out', out], join(out, 'checkpoint.delta.2.safetensors'));
    assert.equal(cut.signal, 'SIGKILL', `the run finished before it could be killed: ${cut.stderr}`);
    assert.equal(checkpointEpoch(join(out, 'checkpoint.delta.1.safetensors')), 16);
    const done = checkpointEpoch(join(out, 'checkpoint.delta.2.safetensors'));
    assert.ok(done < 16);

    const resumed = lstm(['forecast', sunspots, ...flags, '--out', out, '--resume', '--progress']);
    assert.equal(resumed.code, 0, resumed.stderr);
    // Member 1 is only reloaded; member 2 continues after its checkpointed epoch.
    assert.deepEqual(epochsRun(resumed.stderr), Array.from({ length: 16 - done }, (_, i) => done + 1 + i));
    assertSameWeights(join(dir, 'fc-full', 'model.safetensors'), join(out, 'model.safetensors')); // both members: one file
    assert.equal(readFileSync(join(out, 'forecast.csv'), 'utf8'), readFileSync(join(dir, 'fc-full', 'forecast.csv'), 'utf8'));
    assert.ok(!existsSync(join(out, 'checkpoint.delta.1.safetensors')) && !existsSync(join(out, 'checkpoint.delta.2.safetensors')), 'checkpoints deleted');
  });

  test('classify killed after its first checkpoint and resumed ends with the uninterrupted weights', async () => {
    const rng = new Rng(2);
    const words = { pos: ['good', 'great', 'nice'], neg: ['bad', 'awful', 'sad'], filler: ['the', 'a', 'was', 'it', 'day', 'food'] };
    const rows = ['text,label'];
    for (let i = 0; i < 2000; i++) {
      const label = i % 2 ? 'pos' : 'neg';
      const pool = () => (rng.random() < 0.3 ? words[label] : words.filler);
      rows.push(`${Array.from({ length: 10 + rng.int(20) }, () => { const p = pool(); return p[rng.int(p.length)]; }).join(' ')},${label}`);
    }
    const csv = join(dir, 'reviews.csv');
    writeFileSync(csv, rows.join('\n') + '\n');
    const flags = ['--text', 'text', '--label', 'label', '--hidden', '64', '--epochs', '4', '--json'];
    const full = lstm(['classify', csv, ...flags, '--out', join(dir, 'clf-full')]);
    assert.equal(full.code, 0, full.stderr);
    const out = join(dir, 'clf-cut');
    const ckpt = join(out, 'checkpoint.safetensors');
    const cut = await killWhenExists(['classify', csv, ...flags, '--out', out], ckpt);
    assert.equal(cut.signal, 'SIGKILL', `the run finished before it could be killed: ${cut.stderr}`);
    const done = checkpointEpoch(ckpt);
    const resumed = lstm(['classify', csv, ...flags, '--out', out, '--resume', '--progress']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(epochsRun(resumed.stderr), Array.from({ length: 4 - done }, (_, i) => done + 1 + i));
    assertSameWeights(join(dir, 'clf-full', 'model.safetensors'), join(out, 'model.safetensors'));
  });

  test('a NaN stop still saves the best weights so far, and says so in one line', () => {
    const out = join(dir, 'nan');
    const r = lstm(['train-text', join(dir, 'text.txt'), '--max-bytes', '6000', '--hidden', '8', '--embedding', '4', '--epochs', '2', '--lr', '1e38', '--out', out]);
    assert.equal(r.code, 1);
    const line = r.stderr.trim().split('\n').at(-1)!;
    assert.match(line, /^lstm: error: training stopped at step \d+ .*is NaN.*Saved the best weights so far to .*model\.safetensors\.$/);
    const saved = readSafetensors(join(out, 'model.safetensors'));
    assert.ok(Object.values(saved.tensors).every((t) => t.data.every(Number.isFinite)), 'saved weights are finite');
    // With lr 1e38 the weights kept may still be too large to compute with: then generate says so
    // in one line instead of sampling from NaN scores (which used to print garbage with exit 0).
    const g = lstm(['generate', join(out, 'model.safetensors'), '--length', '10']);
    if (g.code !== 0) assert.match(g.stderr, /^lstm: error: the model's next-token scores are NaN: its outputs overflow \(a diverged model\)\n$/);
  });
});
