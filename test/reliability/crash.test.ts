/**
 * Crash safety: child processes that keep writing a model are killed with SIGKILL at random
 * moments, many times.
 *   - saveModel: the child rewrites a ~1.3 MB model file in a loop, every weight set to the
 *     version number it also stores in the metadata;
 *   - fit checkpoints: the child trains with a checkpoint every epoch, resuming from the
 *     previous child's checkpoint.
 * After every kill the file must exist, load without error, be one complete version (weights
 * agree with the metadata) and never go back to an older version; temporary files
 * (`.<name>.<pid>.<hex>.tmp`) of killed writers must not pile up (writeFileAtomic removes
 * those whose process is gone after each successful write).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, Tensor, fit, loadCheckpoint, loadModel } from '../../src/index.js';
import { SRC_INDEX, bundleChild, exited, sleep, startChild } from './child.js';

const CHILD = `
import { existsSync } from 'node:fs';
import { Dense, LSTM, LastStep, Sequential, Tensor, fileCheckpoint, fit, loadModel, saveModel } from ${JSON.stringify(SRC_INDEX)};
const [mode, path] = process.argv.slice(2);
const be = { backend: 'reference' };
if (mode === 'save') {
  const model = new Sequential([['lstm', new LSTM({ inputSize: 64, hiddenSize: 256, batchFirst: true, ...be })], ['last', new LastStep(be)], ['fc', new Dense({ inputSize: 256, outputSize: 1, ...be })]]);
  let v = existsSync(path) ? Number(loadModel(path, be).metadata.version_counter) : 0;
  for (;;) {
    v++;
    model.flat.fill(v);
    saveModel(model, path, { version_counter: v });
    console.log('saved ' + v);
  }
} else {
  const model = new Sequential([['lstm', new LSTM({ inputSize: 8, hiddenSize: 96, batchFirst: true, seed: 1, ...be })], ['last', new LastStep(be)], ['fc', new Dense({ inputSize: 96, outputSize: 1, seed: 2, ...be })]]);
  const x = new Tensor(Float32Array.from({ length: 16 * 6 * 8 }, (_, i) => Math.sin(i)), [16, 6, 8]);
  const y = new Tensor(Float32Array.from({ length: 16 }, (_, i) => Math.cos(i)), [16, 1]);
  await fit(model, {
    x, y, epochs: 1000000, batchSize: 8, progress: false, optimizer: { name: 'adam', lr: 1e-3 },
    ...fileCheckpoint(model, path, { resume: existsSync(path) }),
    callbacks: { onEpochEnd: (e) => console.log('epoch ' + e.epoch) },
  });
}
`;

/** Temp files the atomic writer left next to `name` in `dir`. */
const temps = (dir: string, name: string): string[] => readdirSync(dir).filter((f) => f.startsWith(`.${name}.`) && f.endsWith('.tmp'));

/** Run `lanes` independent kill loops at once (separate folders), `kills` each, to use both cores. */
async function lanes<T>(n: number, lane: (k: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, k) => lane(k)));
}

describe('SIGKILL during saves', () => {
  test('saveModel killed at random moments (3 × 10 kills): the file is always one complete version, never older; temp files do not pile up', async () => {
    const script = await bundleChild(CHILD);
    const results = await lanes(3, async (k) => {
      const dir = mkdtempSync(join(tmpdir(), 'kill-save-'));
      const path = join(dir, 'model.safetensors');
      const rng = new Rng(70 + k);
      let last = 0, midWrite = 0, maxTemps = 0;
      try {
        for (let run = 0; run < 10; run++) {
          let saves = 0;
          const proc = startChild(script, ['save', path], (l) => { if (l.startsWith('saved')) saves++; });
          // Wait for the first complete save, then kill after a random 0-40 ms.
          while (saves === 0 && proc.exitCode === null) await sleep(2);
          assert.equal(proc.exitCode, null, 'the child died on its own');
          await sleep(Math.floor(rng.random() * 40));
          proc.kill('SIGKILL');
          await exited(proc);
          const left = temps(dir, 'model.safetensors');
          if (left.length > 0) midWrite++;
          maxTemps = Math.max(maxTemps, left.length);
          const { model, metadata } = loadModel(path, { backend: 'reference' });
          const v = Number(metadata.version_counter);
          assert.ok(Number.isInteger(v) && v >= last, `lane ${k} run ${run}: version ${v} after ${last}`);
          assert.ok(model.flat.every((w) => w === v), `lane ${k} run ${run}: weights do not all equal version ${v}`);
          last = v;
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return { last, midWrite, maxTemps };
    });
    // Only the last killed writer's temp file (if it died inside a write) may remain.
    const maxTemps = Math.max(...results.map((r) => r.maxTemps));
    assert.ok(maxTemps <= 1, `temp files piled up: ${maxTemps}`);
    const mid = results.reduce((s, r) => s + r.midWrite, 0);
    console.log(`saveModel: 30 kills, ${mid} landed inside a write, ${results.map((r) => r.last).join('+')} versions written, at most ${maxTemps} temp file left`);
    assert.ok(mid > 0, 'no kill landed inside a write: the test would not see a torn file');
  });

  test('fit checkpoints killed at random moments (2 × 6 kills): the checkpoint always loads and resumes, epochs never go back', async () => {
    const script = await bundleChild(CHILD);
    const results = await lanes(2, async (k) => {
      const dir = mkdtempSync(join(tmpdir(), 'kill-fit-'));
      const path = join(dir, 'ckpt.safetensors');
      const rng = new Rng(80 + k);
      let lastEpoch = 0, midWrite = 0;
      try {
        for (let run = 0; run < 6; run++) {
          let epochs = 0;
          const proc = startChild(script, ['fit', path], (l) => { if (l.startsWith('epoch')) epochs++; });
          while (epochs < 2 && proc.exitCode === null) await sleep(2);
          assert.equal(proc.exitCode, null, `the child died on its own: ${(proc as unknown as { stderrTail(): string }).stderrTail()}`);
          await sleep(Math.floor(rng.random() * 30));
          proc.kill('SIGKILL');
          await exited(proc);
          if (temps(dir, 'ckpt.safetensors').length > 0) midWrite++;
          assert.ok(temps(dir, 'ckpt.safetensors').length <= 1);
          assert.ok(existsSync(path));
          const { model, metadata } = loadModel(path, { backend: 'reference' });
          const epoch = (metadata.checkpoint as { epoch: number }).epoch;
          assert.ok(epoch >= lastEpoch + 1, `lane ${k} run ${run}: checkpoint epoch ${epoch} after ${lastEpoch}`);
          lastEpoch = epoch;
          // Resuming with epochs = the stored epoch validates every piece of state and trains nothing.
          const x = new Tensor(new Float32Array(16 * 6 * 8), [16, 6, 8]);
          const h = await fit(model, { x, y: new Tensor(new Float32Array(16), [16, 1]), epochs: epoch, batchSize: 8, progress: false, optimizer: { name: 'adam', lr: 1e-3 }, resume: () => loadCheckpoint(path, model) });
          assert.equal(h.epochs, epoch);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return { lastEpoch, midWrite };
    });
    console.log(`fit checkpoints: 12 kills, ${results.reduce((s, r) => s + r.midWrite, 0)} inside a checkpoint write, reached epochs ${results.map((r) => r.lastEpoch).join(', ')}`);
  });
});
