/**
 * Conversions between formats (src/io/convert.ts and `lstm convert` / `lstm info`):
 * native → TF.js model.json read by @tensorflow/tfjs' own loader; TF.js → ONNX through the CLI
 * and run in onnxruntime-node; native → ONNX → native; a PyTorch state_dict (architecture
 * inferred from names and shapes) → model file; every conversion predicts the same numbers.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Dense, Dropout, Embedding, GRU, LSTM, LastStep, RNN, Sequential } from '../../src/nn/index.js';
import {
  Tensor, configFromStateDict, convertModel, describeModelFile, loadModel, loadTfjsModel, saveModel, saveTfjsModel,
  saveTorchStateDict, sequentialFromOnnx, exportOnnx, loadTorchStateDict,
} from '../../src/index.js';
import { buildProgram } from '../../src/cli/main.js';
import { Rng } from '../../src/tensor/rng.js';
import { maxDiff, randn, runOrt } from './onnx-util.js';
import { saveTfjs } from './tfjs-util.js';

const TOL = 2e-6;
const FIX = new URL('../fixtures/torch/', import.meta.url).pathname;

/** tf.loadLayersModel from model.json + shards on disk (tfjs-node's file:// is not installed). */
async function tfLoad(path: string): Promise<tf.LayersModel> {
  const dir = path.slice(0, path.lastIndexOf('/'));
  return tf.loadLayersModel({
    load: async () => {
      const j = JSON.parse(readFileSync(path, 'utf8'));
      const g = j.weightsManifest[0];
      const w = Buffer.concat(g.paths.map((p: string) => readFileSync(join(dir, p))));
      return { modelTopology: j.modelTopology, weightSpecs: g.weights, weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) };
    },
  });
}

async function cli(...args: string[]): Promise<string> {
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => { out += s; return true; }) as typeof process.stdout.write;
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'lstm', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

describe('model conversions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lstm-convert-'));
  const rng = new Rng(3);

  test('native → TF.js model.json: @tensorflow/tfjs loads it and predicts the same', async () => {
    await tf.setBackend('cpu');
    const models: Sequential[] = [
      new Sequential([
        ['lstm', new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: true, seed: 1 })],
        ['rnn', new RNN({ inputSize: 8, hiddenSize: 3, nonlinearity: 'relu', batchFirst: true, seed: 2 })],
        ['last', new LastStep()], ['drop', new Dropout({ p: 0.2 })], ['fc', new Dense({ inputSize: 3, outputSize: 2, activation: 'tanh', seed: 3 })],
      ]),
      new Sequential([
        ['emb', new Embedding({ numEmbeddings: 6, embeddingDim: 3, seed: 4 })],
        ['lstm', new LSTM({ inputSize: 3, hiddenSize: 5, batchFirst: true, seed: 5 })],
        ['fc', new Dense({ inputSize: 5, outputSize: 6, seed: 6 })],
      ], { task: 'language-model' }),
    ];
    for (const [k, model] of models.entries()) {
      model.eval();
      const path = join(dir, `native${k}.json`);
      saveTfjsModel(model, path);
      const x = k === 1 ? Tensor.from([[1, 2, 3, 4], [5, 0, 2, 1]]) : randn(rng, [2, 5, 3]);
      const want = model.predict(x);
      const got = (await tfLoad(path)).predict(tf.tensor(Array.from(x.data), x.shape)) as tf.Tensor;
      const d = maxDiff(want.data, got.dataSync());
      assert.ok(d < 2e-5, `model ${k}: max |native − tfjs| ${d}`);
      assert.ok(maxDiff(want.data, loadTfjsModel(path).predict(x).data) < TOL, 'and loadTfjsModel reads it back');
    }
    assert.throws(() => saveTfjsModel(new Sequential([new GRU({ inputSize: 2, hiddenSize: 2, batchFirst: true })]), join(dir, 'gru.json')), /reset_after = false/);
  });

  test('lstm convert model.json → .onnx runs in onnxruntime like TF.js; lstm info describes both', async () => {
    const m = tf.sequential();
    m.add(tf.layers.lstm({ units: 4, recurrentActivation: 'sigmoid', returnSequences: true, inputShape: [null, 2] }));
    m.add(tf.layers.dense({ units: 3, activation: 'relu' }));
    const r = new Rng(9);
    m.setWeights(m.getWeights().map((w) => tf.tensor(Array.from({ length: w.size }, () => 0.5 * r.normal()), w.shape)));
    const sub = join(dir, 'tf');
    (await import('node:fs')).mkdirSync(sub);
    const json = await saveTfjs(m, sub);
    const onnx = join(dir, 'from-tfjs.onnx');
    const res = JSON.parse(await cli('convert', json, onnx, '--json'));
    assert.equal(res.from, 'tfjs');
    assert.equal(res.to, 'onnx');
    const x = randn(rng, [3, 6, 2]);
    const want = (m.predict(tf.tensor(Array.from(x.data), x.shape)) as tf.Tensor).dataSync();
    const ort = await runOrt(onnx, { x: { tensor: x } });
    const d = maxDiff(ort.y!.data, want);
    assert.ok(d < 2e-5, `onnxruntime vs tfjs ${d}`);
    const infoOnnx = JSON.parse(await cli('info', onnx, '--json'));
    assert.equal(infoOnnx.format, 'onnx');
    assert.match(infoOnnx.convertibleToNative, /^yes/);
    assert.equal(infoOnnx.operators.LSTM, 1);
    const infoTf = JSON.parse(await cli('info', json, '--json'));
    assert.equal(infoTf.format, 'tfjs');
    assert.match(infoTf.layers[0], /LSTM units=4/);
  });

  test('native → ONNX → native (sequentialFromOnnx) and → model file keep every weight', () => {
    const model = new Sequential([
      ['gru', new GRU({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, batchFirst: true, seed: 7 })],
      ['last', new LastStep()], ['fc', new Dense({ inputSize: 6, outputSize: 1, activation: 'sigmoid', seed: 8 })],
    ]);
    const onnx = join(dir, 'gru.onnx');
    exportOnnx(model, onnx);
    const back = sequentialFromOnnx(onnx);
    const a = model.stateDict(), b = back.stateDict();
    assert.deepEqual(Object.keys(b), Object.keys(a));
    for (const k of Object.keys(a)) assert.equal(maxDiff(a[k]!.data, b[k]!.data), 0, k);
    const file = join(dir, 'gru.safetensors');
    convertModel(onnx, file);
    const x = randn(rng, [2, 4, 2]);
    assert.equal(maxDiff(loadModel(file).model.predict(x).data, model.eval().predict(x).data), 0);
    const info = describeModelFile(file);
    assert.equal(info.format, 'model');
  });

  test('a PyTorch state_dict converts with its architecture inferred; foreign ONNX does not convert', () => {
    const native = new Sequential([
      ['lstm', new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, batchFirst: true, seed: 9 })],
      ['last', new LastStep()], ['fc', new Dense({ inputSize: 4, outputSize: 2, seed: 10 })],
    ]).eval() as Sequential;
    const sd = join(dir, 'state.safetensors');
    saveTorchStateDict(native, sd);
    const shapes = Object.fromEntries(Object.entries(native.stateDict()).map(([k, v]) => [k, v.shape]));
    assert.deepEqual(configFromStateDict(shapes, { lastStep: true }).config.layers.map((l) => l.type), ['LSTM', 'LastStep', 'Dense']);
    const out = join(dir, 'from-torch.safetensors');
    const r = convertModel(sd, out, { lastStep: true });
    assert.equal(r.from, 'torch');
    const x = randn(rng, [3, 5, 3]);
    assert.equal(maxDiff(loadModel(out).model.predict(x).data, native.predict(x).data), 0);
    // A lone nn.LSTM state_dict saved by PyTorch (helper fixtures): names without a prefix.
    const lone = join(FIX, 'lstm_1l.state.safetensors');
    const conv = join(dir, 'lone.onnx');
    const res = convertModel(lone, conv);
    assert.deepEqual(res.layers, ['rnn: LSTM']);
    const ref = new LSTM({ ...(sequentialFromOnnx(conv).layers[0] as LSTM).config() as { inputSize: number; hiddenSize: number } });
    loadTorchStateDict(ref, lone);
    assert.equal(maxDiff(ref.stateDict().weight_ih_l0!.data, sequentialFromOnnx(conv).stateDict()['rnn.weight_ih_l0']!.data), 0);
    assert.throws(() => convertModel(new URL('../fixtures/onnx/lstm1.onnx', import.meta.url).pathname, join(dir, 'x.safetensors')), /was not written by lstm-ts/);
    // lstm info on a state_dict and on a foreign ONNX file.
    const dSd = describeModelFile(sd);
    assert.equal(dSd.format, 'torch');
    assert.deepEqual((dSd.inferredLayers as Array<{ type: string }>).map((l) => l.type), ['LSTM', 'Dense']);
    const dOnnx = describeModelFile(new URL('../fixtures/onnx/lstm2_bi_bf.onnx', import.meta.url).pathname);
    assert.equal(dOnnx.producer, 'pytorch 1.13.0');
    assert.match(String(dOnnx.convertibleToNative), /^no: .*not written by lstm-ts/);
    saveModel(native, join(dir, 'n.safetensors'));
    assert.equal(describeModelFile(join(dir, 'n.safetensors')).format, 'model');
  });

  test('cleanup', () => rmSync(dir, { recursive: true, force: true }));
});
