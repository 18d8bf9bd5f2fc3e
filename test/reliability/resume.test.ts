/**
 * Kill and resume with real processes: a training run (LSTM + Dropout, Adam, StepLR schedule,
 * validation split, best-weights tracking, checkpoint every epoch) is killed with SIGKILL at
 * random moments three times and restarted from its last checkpoint each time; the final
 * weights and loss history must be bit-for-bit those of a run that was never interrupted.
 * Runs on the reference backend and on the default backend (wasm where it loads).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/index.js';
import { SRC_INDEX, bundleChild, exited, runChild, sleep, startChild } from './child.js';

const EPOCHS = 12;
const CHILD = `
import { existsSync, writeFileSync } from 'node:fs';
import { Dense, Dropout, LSTM, LastStep, Sequential, Tensor, fileCheckpoint, fit, getBackend, initWasm, listBackends } from ${JSON.stringify(SRC_INDEX)};
const [path, backendArg] = process.argv.slice(2);
if (backendArg !== 'reference') { try { await initWasm(); } catch {} }
const backend = backendArg === 'reference' ? 'reference' : getBackend().name;
const be = { backend };
const model = new Sequential([
  ['lstm', new LSTM({ inputSize: 3, hiddenSize: 32, batchFirst: true, seed: 11, ...be })],
  ['last', new LastStep(be)],
  ['drop', new Dropout({ p: 0.25, seed: 12, ...be })],
  ['fc', new Dense({ inputSize: 32, outputSize: 2, seed: 13, ...be })],
]);
const N = 96, T = 12;
const x = new Tensor(Float32Array.from({ length: N * T * 3 }, (_, i) => Math.sin(i * 0.37) + 0.1 * Math.cos(i * 1.7)), [N, T, 3]);
const y = new Tensor(Float32Array.from({ length: N * 2 }, (_, i) => Math.sin(i * 0.11)), [N, 2]);
const h = await fit(model, {
  x, y, epochs: ${EPOCHS}, batchSize: 8, seed: 5, progress: false,
  optimizer: { name: 'adam', lr: 0.01 }, schedule: { name: 'step', stepSize: 3, gamma: 0.5 },
  validation: { split: 0.2 }, earlyStopping: { patience: 100, restoreBest: true },
  ...fileCheckpoint(model, path, { resume: existsSync(path) }),
  callbacks: { onEpochEnd: (e) => console.log('epoch ' + e.epoch) },
});
writeFileSync(path + '.final', Buffer.from(model.flat.buffer, model.flat.byteOffset, model.flat.byteLength));
console.log('done ' + backend + ' ' + JSON.stringify({ loss: h.loss, valLoss: h.valLoss, lr: h.lr, bestEpoch: h.bestEpoch }));
`;

async function uninterrupted(script: string, dir: string, backend: string): Promise<{ weights: Buffer; history: string; backend: string }> {
  const path = join(dir, `straight-${backend}.safetensors`);
  const r = await runChild(script, [path, backend]);
  assert.equal(r.code, 0, r.stderr);
  const done = r.lines.find((l) => l.startsWith('done '))!.split(' ');
  return { weights: readFileSync(path + '.final'), backend: done[1]!, history: done.slice(2).join(' ') };
}

async function killedThreeTimes(script: string, dir: string, backend: string, seed: number): Promise<{ weights: Buffer; history: string; kills: string[] }> {
  const path = join(dir, `killed-${backend}.safetensors`);
  const rng = new Rng(seed);
  const kills: string[] = [];
  for (let k = 0; k < 3; k++) {
    let epochsSeen = 0;
    const times: number[] = [];
    const proc = startChild(script, [path, backend], (l) => {
      if (l.startsWith('epoch ')) { epochsSeen = Number(l.slice(6)); times.push(performance.now()); }
    });
    // Let this process finish two epochs of its own (so its first checkpoint is on disk), then
    // kill it at a random moment within the next epoch (or while it writes its checkpoint).
    while (proc.exitCode === null && times.length < 2) await sleep(1);
    await sleep(Math.floor(rng.random() * (times[1]! - times[0]!)));
    assert.equal(proc.exitCode, null, 'the run finished before it could be killed');
    proc.kill('SIGKILL');
    await exited(proc);
    kills.push(`after epoch ${epochsSeen}`);
  }
  const r = await runChild(script, [path, backend]);
  assert.equal(r.code, 0, r.stderr);
  const done = r.lines.find((l) => l.startsWith('done '))!.split(' ');
  return { weights: readFileSync(path + '.final'), history: done.slice(2).join(' '), kills };
}

describe('kill and resume in child processes', () => {
  for (const backend of ['reference', 'default']) {
    test(`${backend} backend: three SIGKILLs and resumes end bit-for-bit at the uninterrupted weights`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'resume-'));
      try {
        const script = await bundleChild(CHILD);
        const [a, b] = await Promise.all([uninterrupted(script, dir, backend), killedThreeTimes(script, dir, backend, backend === 'reference' ? 3 : 4)]);
        assert.ok(a.weights.length > 4000);
        assert.ok(a.weights.equals(b.weights), `final weights differ (backend ${a.backend}; kills ${b.kills.join(', ')})`);
        assert.equal(b.history, a.history);
        console.log(`resume on ${a.backend}: killed ${b.kills.join(', ')}; ${a.weights.length / 4} weights identical`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
