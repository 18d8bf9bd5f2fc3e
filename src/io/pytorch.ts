/**
 * PyTorch checkpoints through safetensors. Our parameter names are PyTorch's own
 * (`weight_ih_l0`, `bias_hh_l1_reverse`, `weight_hr_l0`, `weight`, `bias`), so a state_dict
 * saved by `safetensors.torch.save_file(model.state_dict(), path)` loads into any Module after
 * stripping the submodule prefix (`lstm.`) or renaming keys with a user map; and a Module saved
 * here loads in PyTorch with `model.load_state_dict(safetensors.torch.load_file(path))`.
 * F64/F16/BF16 tensors are converted to the module's dtype on load; NaN or infinite weights
 * (also a float64 value beyond the float32 range) are refused with a FormatError.
 */
import { FormatError } from './errors.js';
import { assertFiniteWeights } from './finite.js';
import type { Limits } from './limits.js';
import { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import { readSafetensors, writeSafetensors, type SafetensorsWriteDType } from './safetensors.js';

export interface LoadTorchOptions {
  /**
   * Prefix to strip from the file's keys, e.g. `'lstm.'` for the `lstm` submodule of a PyTorch
   * model. Keys without it are ignored. Default '' (every key must be one of ours).
   */
  prefix?: string;
  /**
   * Rename each key of the file first: return the new name (then matched after `prefix` is
   * stripped), or null to ignore the key.
   */
  map?: (name: string) => string | null;
  /**
   * true (default): every parameter must be present, and no key carrying the prefix may be left
   * over. false: unknown keys are ignored (missing and mis-shaped parameters still fail).
   */
  strict?: boolean;
  /** Budgets (io/limits.ts): a path is read only if it is a regular file within `fileBytes`. */
  limits?: Partial<Limits>;
}

export interface LoadTorchResult {
  /** The module's parameter names that were filled. */
  loaded: string[];
  /** Keys of the file that were not used (dropped by `map`, outside `prefix`, or unknown with strict false). */
  ignored: string[];
  /** The file's `__metadata__`, if any. */
  metadata: Record<string, string> | null;
}

/**
 * Load a PyTorch state_dict stored as safetensors (a path or its bytes) into `module`. The error
 * for a mismatch lists every missing, unexpected and mis-shaped entry, and suggests a prefix if
 * the file's names carry one.
 */
export function loadTorchStateDict(module: Module, pathOrBytes: string | Uint8Array, opts: LoadTorchOptions = {}): LoadTorchResult {
  const file = typeof pathOrBytes === 'string' ? pathOrBytes : '<bytes>';
  // Read as float64 (exact for every float dtype) so a value that overflows float32 is named as it is in the file.
  const { tensors, metadata } = readSafetensors(pathOrBytes, { dtype: 'float64', name: file, limits: opts.limits });
  const prefix = opts.prefix ?? '';
  const strict = opts.strict ?? true;
  const record = Object.create(null) as Record<string, Tensor>;
  const ignored: string[] = [];
  for (const key of Object.keys(tensors)) {
    const name = opts.map ? opts.map(key) : key;
    if (name === null) ignored.push(key);
    else if (Object.prototype.hasOwnProperty.call(record, name)) throw new FormatError(file, `two keys map to ${JSON.stringify(name)}`);
    else Object.defineProperty(record, name, { value: tensors[key], enumerable: true });
  }
  const wanted = Object.create(null) as Record<string, Tensor>;
  for (const k of Object.keys(record)) if (k.startsWith(prefix)) wanted[k] = record[k]!;
  assertFiniteWeights(wanted, file, module.dtype === 'float64' ? 'float64' : 'float32');
  try {
    module.loadStateDict(record, { prefix, strict });
  } catch (err) {
    throw new FormatError(file, `${(err as Error).message}${prefixHint(module, Object.keys(record), prefix)}`, { cause: err });
  }
  const known = new Set(module.namedParameters().map(([n]) => prefix + n));
  for (const k of Object.keys(record)) if (!known.has(k)) ignored.push(k);
  return { loaded: module.namedParameters().map(([n]) => n), ignored, metadata };
}

/** ' (the file's names look like "lstm.weight_ih_l0": try prefix "lstm.")' when that would match. */
function prefixHint(module: Module, keys: string[], prefix: string): string {
  const first = module.namedParameters()[0]?.[0];
  if (!first) return '';
  for (const k of keys) {
    if (k.endsWith(first) && k !== prefix + first) {
      const p = k.slice(0, k.length - first.length);
      if (p.endsWith('.')) return ` (the file's names look like ${JSON.stringify(k)}: try prefix ${JSON.stringify(p)})`;
    }
  }
  return '';
}

export interface SaveTorchOptions {
  /** Prepended to every name, e.g. `'lstm.'` to match a PyTorch model with an `lstm` submodule. */
  prefix?: string;
  /** Stored dtype. Default F32 (PyTorch's default), whatever the module's dtype. */
  dtype?: SafetensorsWriteDType;
  /** Extra `__metadata__` entries; `format: 'pt'` is always written, as transformers does. */
  metadata?: Record<string, string>;
}

/**
 * Save `module`'s parameters as a safetensors state_dict that PyTorch's `load_state_dict`
 * accepts (`safetensors.torch.load_file(path)`), written atomically.
 */
export function saveTorchStateDict(module: Module, path: string, opts: SaveTorchOptions = {}): void {
  const prefix = opts.prefix ?? '';
  const out = Object.create(null) as Record<string, Tensor>;
  const sd = module.stateDict();
  for (const name of Object.keys(sd)) Object.defineProperty(out, prefix + name, { value: sd[name], enumerable: true });
  writeSafetensors(path, out, { ...opts.metadata, format: 'pt' }, { dtype: opts.dtype ?? 'F32' });
}
