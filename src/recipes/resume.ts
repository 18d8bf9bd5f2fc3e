/**
 * Checkpoint and resume for the training recipes (forecast, language model): the fit options
 * that write a checkpoint file every N epochs and, with `resume`, continue from it. A checkpoint
 * carries a fingerprint of the data and the options that shape training (`resumeKey`), so
 * resuming with other data or options is a clear error instead of a silently different model.
 * fit() itself makes a resumed run end bit for bit where an uninterrupted one would.
 *
 * Training that stops on NaN/Inf (TrainingError) leaves the model holding its best weights; the
 * recipes attach that model and its metadata to the error (`PartialModel`) so the CLI can save it.
 */
// Namespace import: a browser bundle can alias node:fs to an empty module.
import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { fileCheckpoint } from '../io/checkpoint.js';
import { loadModel } from '../io/model-file.js';
import type { Sequential } from '../nn/sequential.js';
import type { FitOptions } from '../train/fit.js';

/** How a recipe checkpoints: file path (none = no checkpoint), every N epochs, resume from it. */
export interface CheckpointOptions {
  checkpoint?: string;
  checkpointEvery?: number;
  resume?: boolean;
}

/** FNV-1a (32 bit, hex) of the JSON of `parts`: cheap fingerprint of data and options. */
export function fingerprint(...parts: unknown[]): string {
  const s = JSON.stringify(parts, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v));
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * fit() hooks that checkpoint `model` to `path` (with `extra` and the fingerprint `key` in its
 * metadata) and, when `resume` is set, resume from it. Resuming without a checkpoint, or from
 * one written for other data/options, is a RangeError naming the file.
 */
export function checkpointFitOptions(
  model: Sequential,
  path: string | undefined,
  key: string,
  extra: Record<string, unknown>,
  opts: CheckpointOptions,
): Pick<FitOptions, 'checkpoint' | 'resume'> {
  if (!path) {
    if (opts.resume) throw new RangeError('resume: no checkpoint file given');
    return {};
  }
  const file = { every: opts.checkpointEvery ?? 1, extra: { ...extra, resumeKey: key } };
  if (!opts.resume) {
    // Created only now, after the recipe has checked its input, so bad input writes nothing.
    fs.mkdirSync(dirname(path), { recursive: true });
    return fileCheckpoint(model, path, file);
  }
  if (!fs.existsSync(path)) throw new RangeError(`resume: no checkpoint at ${path} (run once without --resume first)`);
  const found = loadModel(path).metadata.resumeKey;
  if (found !== key) throw new RangeError(`resume: ${path} was written for different data or options (fingerprint ${String(found)}, now ${key}); use the same file and flags, or run without --resume`);
  return fileCheckpoint(model, path, { ...file, resume: true });
}

/** Whether a checkpoint file exists at `path`. */
export function checkpointExists(path: string | undefined): boolean {
  return !!path && fs.existsSync(path);
}

/** A model (best weights so far) and the metadata to save it with, attached to a TrainingError. */
export interface PartialModel {
  model: Sequential;
  extra: Record<string, unknown>;
}

/** Attach `partial` to a TrainingError (as `err.partial`) and rethrow it. */
export function withPartial(err: unknown, partial: () => PartialModel): never {
  if (err instanceof Error && err.name === 'TrainingError') (err as Error & { partial?: PartialModel }).partial = partial();
  throw err;
}

/** The PartialModel attached to a TrainingError by withPartial, if any. */
export function partialOf(err: unknown): PartialModel | undefined {
  return err instanceof Error ? (err as Error & { partial?: PartialModel }).partial : undefined;
}

/** Delete checkpoint files once the finished model is saved (missing files are fine). */
export function removeCheckpoints(paths: string[]): void {
  for (const p of paths) fs.rmSync(p, { force: true });
}
