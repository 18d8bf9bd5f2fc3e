/**
 * Training checkpoints: everything fit() needs to continue a run so that it ends with exactly
 * the weights an uninterrupted run would have. A checkpoint is a model file (loadModel opens
 * it) with, in addition,
 *   tensors  `__optimizer__.<buffer>`  optimizer state mirroring the flat parameters (Adam m, v, ...)
 *            `__best__`                best-so-far flat weights (if any epoch was scored)
 *   metadata `checkpoint`              JSON: epochs done, optimizer steps, lr and hyperparameters,
 *                                      schedule state, the shuffle RNG and every layer's RNG
 *                                      (dropout masks), early-stopping counters, history
 * Values are stored in the model's own dtype (F32 or F64), so they round-trip bit for bit.
 * Written atomically, so a crash mid-write leaves the previous checkpoint intact.
 * fileCheckpoint(model, path) gives fit() the hooks that write and read this file.
 */
// Namespace import: a browser bundle can alias node:fs to an empty module (only paths need it).
import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomicSync } from './atomic.js';
import { FormatError } from './errors.js';
import { decodeModel, encodeModel, type ModelExtra } from './model-file.js';
import type { Sequential } from '../nn/sequential.js';
import type { OptimizerState } from '../optim/optimizers.js';
import { Tensor, allocArray, type FloatArray } from '../tensor/tensor.js';
import type { FitOptions, TrainState } from '../train/fit.js';

/** Options of fileCheckpoint. */
export interface FileCheckpointOptions {
  /** Epochs between checkpoints (default 1); one is also written when training ends. */
  every?: number;
  /** Metadata stored as saveModel stores it (scaler, vocabulary, ...), so the checkpoint is also a usable model file. */
  extra?: ModelExtra;
  /** Continue from the checkpoint at `path`, written by an earlier fit with the same data and options. */
  resume?: boolean;
}

/**
 * The fit() hooks that keep a run's checkpoint in one file: written to `path` every `every`
 * epochs and when training ends (atomic), and with `resume` read back before training starts.
 *
 * ```ts
 * await fit(model, { x, y, epochs: 40, ...fileCheckpoint(model, 'run.ckpt.safetensors', { every: 5 }) });
 * ```
 * Its directory must exist: checked now, so a bad path fails before training, not after an epoch.
 */
export function fileCheckpoint(model: Sequential, path: string, opts: FileCheckpointOptions = {}): Pick<FitOptions, 'checkpoint' | 'resume'> {
  checkCheckpointPath(path);
  const checkpoint = { every: opts.every ?? 1, save: (state: TrainState): void => saveCheckpoint(path, model, state, opts.extra) };
  return opts.resume ? { checkpoint, resume: () => loadCheckpoint(path, model) } : { checkpoint };
}

// JSON has no NaN or ±Infinity (RNG spare slots, an unset best loss): store them as strings.
const replacer = (_k: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);
const reviver = (_k: string, v: unknown): unknown => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);

/** Fail before training, not after the first epoch, if a checkpoint cannot be written at `path`. */
export function checkCheckpointPath(path: string): void {
  const dir = dirname(path);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new RangeError(`checkpoint: directory ${dir} of ${path} does not exist`);
}

/**
 * Write a checkpoint of `model` and `state` to `path` (atomic). `extra` entries (scaler,
 * vocabulary, ...) are stored in the metadata as in saveModel, so a checkpoint can be used
 * as a model file.
 */
export function saveCheckpoint(path: string, model: Sequential, state: TrainState, extra: ModelExtra = {}): void {
  const { optimizer, best, ...rest } = state;
  const tensors: Record<string, Tensor> = Object.create(null);
  for (const [k, buf] of Object.entries(optimizer.buffers)) tensors[`__optimizer__.${k}`] = new Tensor(buf, [buf.length]);
  if (best.weights) tensors.__best__ = new Tensor(best.weights, [best.weights.length]);
  // Non-finite numbers become strings ("NaN", "Infinity") so the JSON keeps them.
  const checkpoint = JSON.parse(JSON.stringify({
    ...rest,
    optimizer: { name: optimizer.name, lr: optimizer.lr, step: optimizer.step, hyper: optimizer.hyper },
    best: { loss: best.loss, epoch: best.epoch },
  }, replacer));
  writeFileAtomicSync(path, encodeModel(model, { ...extra, checkpoint }, tensors));
}

/**
 * Read a checkpoint into `model` (weights) and return the training state. The model must have
 * the checkpoint's architecture (same parameter names and shapes); otherwise a FormatError.
 */
export function loadCheckpoint(path: string, model: Sequential): TrainState {
  const { model: saved, metadata, extraTensors } = decodeModel(fs.readFileSync(path), { name: path, backend: model.backend.name });
  if (!metadata.checkpoint || typeof metadata.checkpoint !== 'object') throw new FormatError(path, 'not a training checkpoint (no "checkpoint" metadata)');
  let s: Omit<TrainState, 'optimizer' | 'best'> & {
    optimizer: Omit<OptimizerState, 'buffers'>;
    best: { loss: number; epoch: number };
  };
  try {
    s = JSON.parse(JSON.stringify(metadata.checkpoint), reviver);
  } catch {
    throw new FormatError(path, 'checkpoint metadata is not valid');
  }
  if (!s || typeof s.epoch !== 'number' || !Array.isArray(s.rng) || !s.optimizer || !s.history) throw new FormatError(path, 'checkpoint metadata is missing fields (epoch, rng, optimizer, history)');
  checkTrainState(s, path);
  try {
    model.loadStateDict(saved.stateDict());
  } catch (e) {
    throw new FormatError(path, `checkpoint does not fit this model: ${(e as Error).message}`);
  }
  const n = model.flat.length;
  const toFlat = (t: Tensor, what: string): FloatArray => {
    if (t.size !== n) throw new FormatError(path, `${what} has ${t.size} values, the model ${n}`);
    const a = allocArray(n, model.dtype);
    a.set(t.data);
    return a;
  };
  const buffers: Record<string, FloatArray> = Object.create(null);
  for (const [k, t] of Object.entries(extraTensors)) {
    if (k.startsWith('__optimizer__.')) buffers[k.slice('__optimizer__.'.length)] = toFlat(t, k);
  }
  return {
    ...s,
    optimizer: { ...s.optimizer, buffers },
    best: { ...s.best, weights: extraTensors.__best__ ? toFlat(extraTensors.__best__, '__best__') : null },
  };
}

/**
 * Check the checkpoint JSON field by field (types and ranges), so a damaged or hostile file is
 * a FormatError before training resumes, never a crash or a silently wrong run halfway through.
 */
function checkTrainState(s: unknown, path: string): void {
  const bad = (what: string): never => { throw new FormatError(path, `checkpoint metadata: ${what}`); };
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const count = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
  const numbers = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'number');
  const rngState = (v: unknown): boolean => numbers(v) && (v as number[]).length === 5;
  if (!isObj(s)) return bad('not an object');
  if (!count(s.epoch) || !count(s.step) || !count(s.wait)) bad('epoch, step and wait must be non-negative integers');
  if (!rngState(s.rng)) bad('rng must be 5 numbers');
  if (!isObj(s.layerRngs) || !Object.values(s.layerRngs).every(rngState)) bad('layerRngs must map layer names to 5 numbers each');
  const o = s.optimizer;
  if (!isObj(o) || typeof o.name !== 'string' || typeof o.lr !== 'number' || !Number.isFinite(o.lr) || !count(o.step)) bad('optimizer needs a name, a finite lr and a step count');
  const h = s.history;
  if (!isObj(h) || !numbers(h.loss) || !numbers(h.valLoss) || !numbers(h.lr) || !count(h.epochs) || !count(h.bestEpoch) || typeof h.bestLoss !== 'number'
    || typeof h.stoppedEarly !== 'boolean' || typeof h.aborted !== 'boolean' || typeof h.seconds !== 'number') {
    bad('history must hold loss/valLoss/lr arrays of numbers, epochs, bestEpoch, bestLoss, stoppedEarly, aborted and seconds');
  }
  const b = s.best;
  if (!isObj(b) || typeof b.loss !== 'number' || !count(b.epoch)) bad('best needs a loss and an epoch');
  if (s.schedule !== null && (!isObj(s.schedule) || !Object.values(s.schedule).every((v) => v === null || typeof v === 'number'))) bad('schedule must be null or an object of numbers');
}
