/**
 * Every file loader of the library in one table, each with a way to write a small valid file
 * and a way to load one: the hostile-input suite (test/reliability/hostile.test.ts) runs every
 * class of hostile input (special files, oversized files, control characters in paths) against
 * every entry, so a new loader added here is tested against all of them for free.
 *
 * Also imported by the bounded child process of test/helpers/hostile.ts, which runs one
 * `load` (or one named scenario) in isolation.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Dense, Embedding, LSTM, LastStep, Sequential, Tensor, describeModelFile, exportOnnx, inspectInput, loadModel, loadOnnx,
  loadTfjsModel, readAnyModel, readCsv, readLabelledTexts, readSafetensors, readTextHead, saveModel, saveTfjsModel,
  saveTorchStateDict, sequentialFromOnnx, writeSafetensors,
} from '../../src/index.js';

const be = { backend: 'reference' };

/** A small regression model: LSTM(1→3) → last step → Dense(3→1). */
export function tinyModel(): Sequential {
  return new Sequential([
    ['lstm', new LSTM({ inputSize: 1, hiddenSize: 3, batchFirst: true, seed: 0, ...be })],
    ['last', new LastStep(be)],
    ['fc', new Dense({ inputSize: 3, outputSize: 1, seed: 1, ...be })],
  ]);
}

/** A small character language model with the given vocabulary tokens (after <pad>, <unk>). */
export function tinyLanguageModel(tokens: string[], layerName = 'lstm'): { model: Sequential; vocab: { type: 'char'; tokens: string[] } } {
  const V = tokens.length + 2;
  const model = new Sequential([
    ['emb', new Embedding({ numEmbeddings: V, embeddingDim: 2, seed: 0, ...be })],
    [layerName, new LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: true, seed: 1, ...be })],
    ['fc', new Dense({ inputSize: 3, outputSize: V, seed: 2, ...be })],
  ], { task: 'language-model' });
  return { model, vocab: { type: 'char', tokens: ['<pad>', '<unk>', ...tokens] } };
}

export interface LoaderCase {
  /** Name in test titles (and the child's argument). */
  name: string;
  /** File name extension its files have (a hostile file gets the same). */
  ext: string;
  /** Write a small valid file into `dir`; returns its path. */
  write(dir: string): string;
  /** Load the file at `path` (a malformed one throws FormatError naming `path`). */
  load(path: string): unknown;
  /** Reads only a bounded head of the file (so the fileBytes budget does not apply). */
  readsHead?: boolean;
}

export const LOADERS: LoaderCase[] = [
  {
    name: 'model file (loadModel)', ext: '.safetensors',
    write: (dir) => { const p = join(dir, 'model.safetensors'); saveModel(tinyModel(), p); return p; },
    load: (p) => loadModel(p, be),
  },
  {
    name: 'safetensors (readSafetensors)', ext: '.safetensors',
    write: (dir) => { const p = join(dir, 't.safetensors'); writeSafetensors(p, { a: Tensor.from([1, 2, 3]) }); return p; },
    load: (p) => readSafetensors(p),
  },
  {
    name: 'PyTorch state_dict (readAnyModel torch)', ext: '.safetensors',
    write: (dir) => { const p = join(dir, 'sd.safetensors'); saveTorchStateDict(tinyModel(), p); return p; },
    load: (p) => readAnyModel(p, 'torch', be),
  },
  {
    name: 'ONNX (loadOnnx + run)', ext: '.onnx',
    write: (dir) => { const p = join(dir, 'm.onnx'); exportOnnx(tinyModel(), p); return p; },
    load: (p) => {
      const m = loadOnnx(p, be);
      return m.run({ [m.inputNames[0]!]: new Tensor(Float32Array.from([0.1, 0.2, 0.3, 0.4]), [1, 4, 1]) });
    },
  },
  {
    name: 'ONNX to native (sequentialFromOnnx)', ext: '.onnx',
    write: (dir) => { const p = join(dir, 'n.onnx'); exportOnnx(tinyModel(), p); return p; },
    load: (p) => sequentialFromOnnx(p, be),
  },
  {
    name: 'TF.js model.json (loadTfjsModel)', ext: '.json',
    write: (dir) => { const d = join(dir, 'tfjs'); mkdirSync(d, { recursive: true }); const p = join(d, 'model.json'); saveTfjsModel(tinyModel(), p); return p; },
    load: (p) => loadTfjsModel(p, be),
  },
  {
    name: 'any model file (describeModelFile, lstm info)', ext: '.onnx',
    write: (dir) => { const p = join(dir, 'd.onnx'); exportOnnx(tinyModel(), p); return p; },
    load: (p) => describeModelFile(p),
  },
  {
    name: 'CSV (readCsv)', ext: '.csv',
    write: (dir) => { const p = join(dir, 's.csv'); writeFileSync(p, 'x,y\n1,2\n3,4\n'); return p; },
    load: (p) => readCsv(p),
  },
  {
    name: 'JSON lines (readLabelledTexts)', ext: '.jsonl',
    write: (dir) => { const p = join(dir, 't.jsonl'); writeFileSync(p, '{"text":"a b","label":"x"}\n{"text":"c","label":"y"}\n'); return p; },
    load: (p) => readLabelledTexts(p, 'text', 'label'),
  },
  {
    name: 'text (readTextHead)', ext: '.txt',
    write: (dir) => { const p = join(dir, 't.txt'); writeFileSync(p, 'some text\n'); return p; },
    load: (p) => readTextHead(p, 1 << 20),
    readsHead: true,
  },
  {
    name: 'inspect input (.json sequence)', ext: '.json',
    write: (dir) => { const p = join(dir, 'seq.json'); writeFileSync(p, JSON.stringify([0.1, 0.2, 0.3])); return p; },
    load: (p) => inspectInput(p, tinyModel(), {}),
  },
];

/** Look a loader up by name (the child process gets names, not functions). */
export function loaderByName(name: string): LoaderCase {
  const l = LOADERS.find((x) => x.name === name);
  if (!l) throw new Error(`no loader "${name}"`);
  return l;
}
