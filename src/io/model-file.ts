/**
 * Model files: ONE .safetensors file per model, readable by any safetensors reader. Tensors are
 * the weights under the model's PyTorch-style parameter names (`lstm.weight_ih_l0`,
 * `fc.bias`); `__metadata__` holds JSON strings: `format` = "lstm-ts", `version` = "1",
 * `config` (Sequential.config(): the architecture), and one entry per extra key given to
 * saveModel (scaler, vocab, history, training, ...). Training checkpoints are model files too,
 * with extra tensors whose names start with `__` (optimizer state, best weights) that loadModel
 * skips. Writes are atomic (temporary file, fsync, rename).
 *
 * Loading treats the file as untrusted: the metadata must parse, the format and version must
 * be known, the architecture's parameter count must equal the weights in the file before
 * anything is built, and the weights must match by name and shape. Any failure is a
 * FormatError naming the file.
 */
import { Sequential, type SequentialConfig } from '../nn/sequential.js';
import { Tensor } from '../tensor/tensor.js';
import { writeFileAtomicSync } from './atomic.js';
import { FormatError } from './errors.js';
import { assertFiniteWeights } from './finite.js';
import { checkLimit, type Limits } from './limits.js';
import { readFileChecked } from './read-file.js';
import { NOT_SAFETENSORS, encodeSafetensors, readSafetensors } from './safetensors.js';

/** The `format` value of lstm-ts model files. */
export const MODEL_FORMAT = 'lstm-ts';
/** The model file version this build writes and reads. */
export const MODEL_VERSION = '1';

/** Parsed metadata of a model file: format, version, config, plus every extra key. */
export interface ModelMetadata {
  format: string;
  version: string;
  config: SequentialConfig;
  [key: string]: unknown;
}

/** Extra JSON-able entries stored with the weights (each key becomes one metadata string). */
export type ModelExtra = Record<string, unknown>;

/**
 * Encode a model as safetensors bytes. `extra` values are stored as JSON strings under their
 * keys (`format`, `version` and `config` are reserved); `extraTensors` names must start with `__`.
 */
export function encodeModel(model: Sequential, extra: ModelExtra = {}, extraTensors: Record<string, Tensor> = {}): Uint8Array {
  const metadata: Record<string, string> = Object.create(null);
  metadata.format = MODEL_FORMAT;
  metadata.version = MODEL_VERSION;
  metadata.config = JSON.stringify(model.config());
  for (const k of Object.keys(extra)) {
    if (k === 'format' || k === 'version' || k === 'config') throw new RangeError(`saveModel: "${k}" is reserved in the metadata`);
    if (extra[k] === undefined) continue;
    metadata[k] = JSON.stringify(extra[k], finiteOnly(k));
  }
  const tensors: Record<string, Tensor> = Object.create(null);
  for (const [name, t] of Object.entries(model.stateDict())) tensors[name] = t;
  for (const [name, t] of Object.entries(extraTensors)) {
    if (!name.startsWith('__')) throw new RangeError(`saveModel: extra tensor names must start with "__", got "${name}"`);
    tensors[name] = t;
  }
  return encodeSafetensors(tensors, metadata);
}

/**
 * A JSON.stringify replacer that refuses NaN and ±Infinity: JSON would store them as null and
 * the file could not be read back (a scaler whose std is null is no scaler). Names the path.
 */
function finiteOnly(key: string): (k: string, v: unknown) => unknown {
  return (k, v) => {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new RangeError(`saveModel: metadata "${key}" holds ${v}${k ? ` at "${k}"` : ''}; JSON cannot store it (it would read back as null)`);
    }
    return v;
  };
}

/** Save a model (and extra metadata) to `path` atomically. */
export function saveModel(model: Sequential, path: string, extra: ModelExtra = {}): void {
  writeFileAtomicSync(path, encodeModel(model, extra));
}

/** Options for loading. */
export interface LoadModelOptions {
  /** Kernel backend for the rebuilt model. Default: the current backend. */
  backend?: string;
  /** Name used in errors when decoding bytes. Default '<bytes>'. */
  name?: string;
  /** Budgets (io/limits.ts): `fileBytes` for the file, `parameters` for the architecture it declares. */
  limits?: Partial<Limits>;
}

/** Result of loading: the model (weights loaded, training mode off) and parsed metadata. */
export interface LoadedModel {
  model: Sequential;
  metadata: ModelMetadata;
  /** Tensors whose names start with `__` (checkpoint state), by name. */
  extraTensors: Record<string, Tensor>;
}

/** Rebuild a model from model-file bytes (see loadModel). */
export function decodeModel(bytes: Uint8Array, opts: LoadModelOptions = {}): LoadedModel {
  const file = opts.name ?? '<bytes>';
  // Read once as float64 (exact for F32 and F64), then copy into the model's dtype.
  let read: ReturnType<typeof readSafetensors>;
  try {
    read = readSafetensors(bytes, { dtype: 'float64', name: file });
  } catch (e) {
    // A text file or an image has no safetensors frame: say what it is not, then why.
    if (e instanceof FormatError && e.detail.startsWith(NOT_SAFETENSORS)) throw new FormatError(file, `not an lstm-ts model file (${e.detail})`, { cause: e });
    throw e;
  }
  const { tensors, metadata: raw } = read;
  if (!raw) throw new FormatError(file, 'no __metadata__: not an lstm-ts model file');
  if (raw.format !== MODEL_FORMAT) throw new FormatError(file, `metadata format is ${JSON.stringify(raw.format)}, expected "${MODEL_FORMAT}": not an lstm-ts model file`);
  if (raw.version !== MODEL_VERSION) throw new FormatError(file, `unsupported model file version ${JSON.stringify(raw.version)} (this build reads version ${MODEL_VERSION})`);
  const metadata = Object.create(null) as ModelMetadata;
  for (const k of Object.keys(raw)) {
    if (k === 'format' || k === 'version') {
      metadata[k] = raw[k]!;
      continue;
    }
    try {
      metadata[k] = JSON.parse(raw[k]!);
    } catch {
      throw new FormatError(file, `metadata "${k}" is not valid JSON`);
    }
  }
  const config = metadata.config;
  if (!config || typeof config !== 'object' || !Array.isArray(config.layers)) throw new FormatError(file, 'metadata "config" must be an object with a "layers" array');
  const weights: Record<string, Tensor> = Object.create(null);
  const extraTensors: Record<string, Tensor> = Object.create(null);
  let stored = 0;
  for (const name of Object.keys(tensors)) {
    if (name.startsWith('__')) extraTensors[name] = tensors[name]!;
    else {
      weights[name] = tensors[name]!;
      stored += tensors[name]!.size;
    }
  }
  // Refuse an architecture bigger than the weights present before allocating it.
  let expected: number;
  try {
    expected = configParameterCount(config);
  } catch (e) {
    throw new FormatError(file, `bad architecture in metadata: ${(e as Error).message}`);
  }
  if (expected !== stored) throw new FormatError(file, `the architecture needs ${expected} weights but the file holds ${stored}`);
  checkLimit('parameters', expected, `the model has ${expected} parameters`, file, opts.limits);
  // NaN or ±Inf in a weight would only show up later as NaN predictions (float64 → float32 can overflow too).
  assertFiniteWeights(weights, file, config.dtype === 'float64' ? 'float64' : 'float32');
  let model: Sequential;
  try {
    model = Sequential.fromConfig(config, opts.backend ? { backend: opts.backend } : {});
    model.loadStateDict(weights);
  } catch (e) {
    throw new FormatError(file, `cannot rebuild the model: ${(e as Error).message}`, { cause: e });
  }
  model.eval();
  return { model, metadata, extraTensors };
}

/**
 * Load a model file written by saveModel: rebuilds the architecture, loads the weights exactly
 * and returns the parsed metadata. Throws FormatError naming the file if anything is wrong.
 */
export function loadModel(path: string, opts: LoadModelOptions = {}): LoadedModel {
  return decodeModel(readFileChecked(path, { limits: opts.limits }), { ...opts, name: path });
}


const nonNegInt = (v: unknown, what: string): number => {
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 2 ** 31) throw new RangeError(`${what} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return v as number;
};

/**
 * The number of parameters a Sequential config describes, computed from the numbers alone
 * (no allocation), so a hostile file cannot make the loader allocate more than it holds.
 */
export function configParameterCount(config: SequentialConfig): number {
  let total = 0;
  config.layers.forEach((l, i) => {
    const o = (l?.options ?? {}) as Record<string, unknown>;
    const at = `layer ${i}`;
    switch (l?.type) {
      case 'Dense': {
        const I = nonNegInt(o.inputSize, `${at} inputSize`), O = nonNegInt(o.outputSize, `${at} outputSize`);
        total += O * I + (o.bias === false ? 0 : O);
        break;
      }
      case 'Embedding':
        total += nonNegInt(o.numEmbeddings, `${at} numEmbeddings`) * nonNegInt(o.embeddingDim, `${at} embeddingDim`);
        break;
      case 'Dropout': case 'LastStep':
        break;
      case 'LSTM': case 'GRU': case 'RNN': {
        const G = l.type === 'LSTM' ? 4 : l.type === 'GRU' ? 3 : 1;
        const H = nonNegInt(o.hiddenSize, `${at} hiddenSize`), I0 = nonNegInt(o.inputSize, `${at} inputSize`);
        const L = nonNegInt(o.numLayers ?? 1, `${at} numLayers`), P = nonNegInt(o.projSize ?? 0, `${at} projSize`);
        const D = o.bidirectional ? 2 : 1, Hout = P > 0 ? P : H;
        // Per layer and direction: W_ih (G·H, I_k), W_hh (G·H, Hout), two biases, W_hr (P, H);
        // I_0 = inputSize, I_k = D·Hout above. Closed form, so a huge numLayers costs nothing.
        const perDir = (I: number): number => G * H * I + G * H * Hout + (o.bias === false ? 0 : 2 * G * H) + (P > 0 ? P * H : 0);
        if (L < 1) throw new RangeError(`${at} numLayers must be ≥ 1`);
        total += D * (perDir(I0) + (L - 1) * perDir(D * Hout));
        break;
      }
      default:
        throw new RangeError(`${at}: unknown layer type ${JSON.stringify(l?.type)}`);
    }
    if (total > 2 ** 40) throw new RangeError(`${at}: absurd parameter count`);
  });
  return total;
}
