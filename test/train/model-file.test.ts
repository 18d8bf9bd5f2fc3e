/**
 * Model files: save → load gives bit-identical predictions (float32 and float64, several
 * architectures) and the metadata back; malformed or foreign files raise FormatError naming
 * the file; progress lines when stderr is not a TTY.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Dense, Dropout, Embedding, FormatError, GRU, LSTM, LastStep, Rng, Sequential, Tensor,
  createProgress, decodeModel, encodeModel, encodeSafetensors, formatEpochLine, loadModel, saveModel,
} from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { randomTensor } from '../helpers/gradcheck.js';

const dir = mkdtempSync(join(tmpdir(), 'lstm-ts-model-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

for (const backend of BACKENDS) {
  describe(`model files on ${backend}`, () => {
    test('forecaster (stacked LSTM with projection): save/load round trip is exact, metadata returned', () => {
      const m = new Sequential([
        ['lstm', new LSTM({ inputSize: 2, hiddenSize: 6, numLayers: 2, projSize: 3, batchFirst: true, seed: 4, backend })],
        ['last', new LastStep({ backend })],
        ['fc', new Dense({ inputSize: 3, outputSize: 2, activation: 'tanh', seed: 5, backend })],
      ]);
      const path = join(dir, `f-${backend}.safetensors`);
      const scaler = { kind: 'minmax', min: [1], max: [600] };
      saveModel(m, path, { scaler, history: { loss: [0.5, 0.25] } });
      const { model, metadata } = loadModel(path, { backend });
      const x = randomTensor([3, 7, 2], new Rng(2));
      const lengths = [7, 3, 5];
      assert.deepEqual(Array.from(model.predict(x, { lengths }).data), Array.from(m.predict(x, { lengths }).data));
      assert.deepEqual(metadata.scaler, scaler);
      assert.deepEqual(metadata.config, m.config());
      assert.equal(metadata.format, 'lstm-ts');
      assert.equal(metadata.version, '1');
    });

    test('language model in float64 (Embedding, bidirectional GRU, Dropout) round trips exactly', () => {
      const m = new Sequential([
        ['emb', new Embedding({ numEmbeddings: 7, embeddingDim: 3, paddingIdx: 0, dtype: 'float64', backend })],
        ['gru', new GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true, dtype: 'float64', backend })],
        ['drop', new Dropout({ p: 0.2, dtype: 'float64', backend })],
        ['fc', new Dense({ inputSize: 8, outputSize: 7, dtype: 'float64', backend })],
      ], { task: 'language-model' });
      const { model, metadata } = decodeModel(encodeModel(m, { vocab: { tokens: ['<pad>', 'a', 'b'] } }), { backend });
      assert.equal(model.dtype, 'float64');
      assert.equal(model.task, 'language-model');
      const ids = Tensor.from([[1, 2, 3], [4, 0, 0]]);
      assert.deepEqual(Array.from(model.predict(ids, { lengths: [3, 1] }).data), Array.from(m.predict(ids, { lengths: [3, 1] }).data));
      assert.deepEqual((metadata.vocab as { tokens: string[] }).tokens, ['<pad>', 'a', 'b']);
    });
  });
}

describe('model files: bad input', () => {
  const m = new Sequential([new Dense({ inputSize: 2, outputSize: 1 })]);
  const good = encodeModel(m);
  const withMeta = (meta: Record<string, string>, tensors = m.stateDict()): Uint8Array => encodeSafetensors(tensors, meta);
  const cfg = JSON.stringify(m.config());

  test('unknown version, foreign format, missing metadata', () => {
    assert.throws(() => decodeModel(withMeta({ format: 'lstm-ts', version: '2', config: cfg }), { name: 'm.st' }),
      (e: unknown) => e instanceof FormatError && /m\.st: unsupported model file version "2"/.test(e.message));
    assert.throws(() => decodeModel(withMeta({ format: 'keras', version: '1', config: cfg })), /not an lstm-ts model file/);
    assert.throws(() => decodeModel(encodeSafetensors(m.stateDict())), /no __metadata__/);
    assert.throws(() => decodeModel(withMeta({ format: 'lstm-ts', version: '1', config: '{oops' })), /metadata "config" is not valid JSON/);
  });

  test('an architecture larger than the weights in the file is refused before allocating it', () => {
    const huge = JSON.stringify({ task: 'regression', dtype: 'float32', layers: [{ name: 'fc', type: 'Dense', options: { inputSize: 2, outputSize: 1e9 } }] });
    assert.throws(() => decodeModel(withMeta({ format: 'lstm-ts', version: '1', config: huge })), /needs 3000000000 weights but the file holds 3/);
    const unknown = JSON.stringify({ task: 'regression', dtype: 'float32', layers: [{ name: 'x', type: 'Conv2d', options: {} }] });
    assert.throws(() => decodeModel(withMeta({ format: 'lstm-ts', version: '1', config: unknown })), (e: unknown) => e instanceof FormatError && /unknown layer type "Conv2d"/.test(e.message));
  });

  test('wrong weight names are named; a truncated file is a FormatError', () => {
    const renamed = { 'fc.weight': m.stateDict()['0.weight']!, '0.bias': m.stateDict()['0.bias']! };
    assert.throws(() => decodeModel(withMeta({ format: 'lstm-ts', version: '1', config: cfg }, renamed)), /missing: 0\.weight; unexpected: fc\.weight/);
    const path = join(dir, 'trunc.safetensors');
    writeFileSync(path, good.subarray(0, good.length - 3));
    assert.throws(() => loadModel(path), (e: unknown) => e instanceof FormatError && e.message.startsWith(path));
    writeFileSync(path, good);
    assert.deepEqual(Array.from(readFileSync(path)), Array.from(good));
    assert.ok(loadModel(path).model instanceof Sequential);
  });
});

describe('progress display', () => {
  test('plain lines (epoch, loss, val loss, seq/s, ETA) when the stream is not a TTY; silent when off', async () => {
    const lines: string[] = [];
    const p = await createProgress('auto', { write: (s: string) => lines.push(s), isTTY: false });
    const st = { epoch: 2, epochs: 10, step: 20, totalSteps: 100, loss: 0.01234, valLoss: 0.02, seqPerSec: 812.4, eta: 75 };
    p.batch(st);
    p.epoch(st);
    p.stop();
    assert.deepEqual(lines, ['epoch  2/10  loss 0.0123  val_loss 0.0200  812 seq/s  ETA 1m15s\n']);
    assert.equal(formatEpochLine({ ...st, valLoss: NaN }), 'epoch  2/10  loss 0.0123  812 seq/s  ETA 1m15s');
    const off = await createProgress(false, { write: (s: string) => lines.push(s), isTTY: false });
    off.epoch(st);
    assert.equal(lines.length, 1);
  });
});
