/**
 * Converting between model formats, and describing any model file, for `lstm convert` and
 * `lstm info` (the CLI only parses arguments and calls these):
 *   model  — this project's model file (.safetensors with lstm-ts metadata; loadModel/saveModel)
 *   torch  — a PyTorch state_dict in safetensors (pytorch.ts); the architecture is inferred
 *            from the parameter names and shapes (see configFromStateDict)
 *   onnx   — .onnx (exportOnnx; only files written by lstm-ts convert back to a native model,
 *            any supported ONNX file can be described and run with loadOnnx)
 *   tfjs   — a TF.js Layers model.json (loadTfjsModel(...).toSequential(); saveTfjsModel)
 * Every conversion goes through a native Sequential, so a conversion that cannot be exact
 * fails with the reason instead of producing a different model.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { SequentialConfig } from '../nn/sequential.js';
import { Sequential } from '../nn/sequential.js';
import { FormatError } from './errors.js';
import { checkLimit, type Limits } from './limits.js';
import { configParameterCount, encodeModel, loadModel } from './model-file.js';
import { readFileChecked, systemReason } from './read-file.js';
import { exportOnnx } from './onnx/export.js';
import { loadOnnx, readModelProto } from './onnx/import.js';
import { sequentialFromOnnx } from './onnx/to-model.js';
import { loadTorchStateDict, saveTorchStateDict } from './pytorch.js';
import { parseSafetensorsHeader } from './safetensors.js';
import { sizeOf, type Tensor } from '../tensor/tensor.js';
import { loadTfjsModel } from './tfjs/model.js';
import { readTfjsUserMetadata } from './tfjs/artifacts.js';
import { saveTfjsModel } from './tfjs/save.js';
import { encodeTfjsAsOnnx } from './tfjs/to-onnx.js';
import { writeFileAtomicSync } from './atomic.js';

export type ModelFormat = 'model' | 'torch' | 'onnx' | 'tfjs';
export const MODEL_FORMATS: readonly ModelFormat[] = ['model', 'torch', 'onnx', 'tfjs'];

export interface ReadAnyOptions {
  backend?: string;
  /** Budgets (io/limits.ts) for the file and the model it declares. */
  limits?: Partial<Limits>;
  /** torch: the architecture, when the inference from names and shapes is not what you want. */
  config?: SequentialConfig;
  /** torch: add LastStep after the last recurrent layer (PyTorch's `out[:, -1]`). Default false. */
  lastStep?: boolean;
  /** torch: nonlinearity of nn.RNN layers (not stored in a state_dict). Default 'tanh'. */
  nonlinearity?: 'tanh' | 'relu';
}

/** The format of a file: from `explicit`, else the extension (and, for .safetensors, the metadata). */
export function detectFormat(path: string, explicit?: string, forWriting = false): ModelFormat {
  if (explicit) {
    if (!(MODEL_FORMATS as readonly string[]).includes(explicit)) throw new RangeError(`unknown format "${explicit}" (formats: ${MODEL_FORMATS.join(', ')})`);
    return explicit as ModelFormat;
  }
  const name = basename(path).toLowerCase();
  if (name.endsWith('.onnx')) return 'onnx';
  if (name.endsWith('.json')) return 'tfjs';
  if (name.endsWith('.safetensors')) {
    if (forWriting || !existsSync(path)) return 'model';
    // A model file says so in its metadata; any other safetensors file is taken as a state_dict.
    const head = readFileChecked(path);
    const meta = parseSafetensorsHeader(head, path).metadata;
    return meta && meta.format === 'lstm-ts' ? 'model' : 'torch';
  }
  throw new RangeError(`${path}: cannot tell the format from the name; give it (${MODEL_FORMATS.join(', ')})`);
}

interface Group {
  name: string;
  params: Map<string, number[]>;
}

/**
 * Infer a Sequential config from a PyTorch state_dict's names and shapes. Parameters are grouped
 * by submodule (`lstm.weight_ih_l0` → `lstm`); a group with weight_ih_l0 is an LSTM, GRU or RNN
 * (weight_ih rows / hidden size = 4, 3 or 1; layers, bidirectional, bias and proj_size from the
 * names present); a group with a 2-D `weight` is an Embedding if its name contains "emb" and it
 * has no bias, else a linear Dense (activations are not stored in a state_dict). Layers are
 * ordered Embedding, recurrent, Dense, chained by matching sizes.
 */
export function configFromStateDict(shapes: Record<string, number[]>, opts: ReadAnyOptions = {}): { config: SequentialConfig; rename: Map<string, string> } {
  const groups = new Map<string, Group>();
  for (const key of Object.keys(shapes)) {
    const cut = key.lastIndexOf('.');
    const g = cut < 0 ? '' : key.slice(0, cut);
    if (!groups.has(g)) groups.set(g, { name: g, params: new Map() });
    groups.get(g)!.params.set(key.slice(cut + 1), shapes[key]!);
  }
  type L = { rank: number; name: string; type: string; options: Record<string, unknown>; inF: number; outF: number; group: string };
  const layers: L[] = [];
  for (const g of groups.values()) {
    const p = g.params;
    const name = (g.name || 'rnn').replace(/\./g, '_');
    const wih = p.get('weight_ih_l0');
    if (wih) {
      const whr = p.get('weight_hr_l0'), whh = p.get('weight_hh_l0');
      if (!whh || wih.length !== 2 || whh.length !== 2) throw new RangeError(`${g.name}: weight_ih_l0 without a matching 2-D weight_hh_l0`);
      const H = whr ? whr[1]! : whh[1]!;
      const G = wih[0]! / H;
      const type = G === 4 ? 'LSTM' : G === 3 ? 'GRU' : G === 1 ? 'RNN' : null;
      if (!type) throw new RangeError(`${g.name}: weight_ih_l0 has ${wih[0]} rows, not 4, 3 or 1 times the hidden size ${H}`);
      let L = 0;
      while (p.has(`weight_ih_l${L}`)) L++;
      const bidirectional = p.has('weight_ih_l0_reverse');
      const options: Record<string, unknown> = { inputSize: wih[1], hiddenSize: H, numLayers: L, bias: p.has('bias_ih_l0'), bidirectional, batchFirst: true };
      if (whr) options.projSize = whr[0];
      if (type === 'RNN') options.nonlinearity = opts.nonlinearity ?? 'tanh';
      layers.push({ rank: 1, name, type, options, inF: wih[1]!, outF: (bidirectional ? 2 : 1) * (whr ? whr[0]! : H), group: g.name });
      continue;
    }
    const w = p.get('weight');
    const extra = [...p.keys()].filter((k) => k !== 'weight' && k !== 'bias');
    if (!w || w.length !== 2 || extra.length > 0) throw new RangeError(`${g.name || '(top level)'}: parameters ${[...p.keys()].join(', ')} are not an LSTM/GRU/RNN, Linear or Embedding`);
    if (/emb/i.test(g.name) && !p.has('bias')) {
      layers.push({ rank: 0, name, type: 'Embedding', options: { numEmbeddings: w[0], embeddingDim: w[1] }, inF: 1, outF: w[1]!, group: g.name });
    } else {
      layers.push({ rank: 2, name, type: 'Dense', options: { inputSize: w[1], outputSize: w[0], bias: p.has('bias'), activation: 'linear' }, inF: w[1]!, outF: w[0]!, group: g.name });
    }
  }
  // Order by kind, then chain by sizes (name order breaks ties).
  layers.sort((a, b) => a.rank - b.rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const ordered: L[] = [];
  const left = [...layers];
  while (left.length > 0) {
    const prev = ordered[ordered.length - 1];
    const rank = Math.min(...left.map((l) => l.rank));
    const same = left.filter((l) => l.rank === rank);
    const next = (prev && same.find((l) => l.inF === prev.outF)) ?? same[0]!;
    ordered.push(next);
    left.splice(left.indexOf(next), 1);
  }
  const out: SequentialConfig['layers'] = [];
  const lastRec = ordered.map((l) => l.rank).lastIndexOf(1);
  ordered.forEach((l, i) => {
    out.push({ name: l.name, type: l.type, options: l.options });
    if (opts.lastStep && i === lastRec) out.push({ name: `${l.name}_last`, type: 'LastStep', options: {} });
  });
  const rename = new Map(ordered.map((l) => [l.group, l.name]));
  const task = ordered[0]?.type === 'Embedding' ? 'classification' : 'regression';
  return { config: { task, dtype: 'float32', layers: out }, rename };
}

/** Name → shape of every tensor in a safetensors state_dict, from the (fully validated) header alone. */
function stateDictShapes(path: string, limits?: Partial<Limits>): { shapes: Record<string, number[]>; metadata: Record<string, string> | null } {
  const header = parseSafetensorsHeader(readFileChecked(path, { limits }), path);
  const shapes: Record<string, number[]> = Object.create(null);
  for (const k of Object.keys(header.entries)) shapes[k] = header.entries[k]!.shape;
  return { shapes, metadata: header.metadata };
}

/**
 * Where the other formats carry a model file's extras (scaler, transform, vocabulary, classes,
 * task: what `lstm predict` needs besides the network): ONNX metadata_props and a PyTorch
 * state_dict's `__metadata__` under this key, TF.js model.json under userDefinedMetadata["lstm-ts"].
 */
export const CARRIED_METADATA_KEY = 'lstm-ts.metadata';
/** A state_dict written by lstm-ts also carries its architecture (PyTorch needs none; converting back does). */
const CARRIED_CONFIG_KEY = 'lstm-ts.config';

/** A model read from any format: the network, the model-file extras it carries, and (model files) the other ensemble members' tensors. */
export interface AnyModel {
  model: Sequential;
  extra: Record<string, unknown>;
  /** `__member<k>__.` tensors of a forecast ensemble (model files only). */
  extraTensors: Record<string, Tensor>;
}

/** The extras carried in JSON text `text` (FormatError if it is not a JSON object). */
function carriedExtra(text: string | undefined, file: string, where: string): Record<string, unknown> {
  if (text === undefined) return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new FormatError(file, `${where} is not valid JSON`, { cause: e });
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new FormatError(file, `${where} must be a JSON object`);
  const out: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(v)) if (!['format', 'version', 'config'].includes(k)) out[k] = (v as Record<string, unknown>)[k];
  return out;
}

/** The architecture a state_dict written by lstm-ts carries in `__metadata__` (undefined if none). */
function carriedConfig(text: string | undefined, file: string): SequentialConfig | undefined {
  if (text === undefined) return undefined;
  try {
    const c = JSON.parse(text) as SequentialConfig;
    if (c && typeof c === 'object' && Array.isArray(c.layers)) return c;
  } catch {
    // reported below
  }
  throw new FormatError(file, `__metadata__ "${CARRIED_CONFIG_KEY}" is not a model config (an object with a layers array)`);
}

/** The extras a TF.js model.json carries in userDefinedMetadata["lstm-ts"]. */
function tfjsExtra(path: string, limits?: Partial<Limits>): Record<string, unknown> {
  const user = readTfjsUserMetadata(path, limits);
  return carriedExtra(user && Object.hasOwn(user, 'lstm-ts') ? JSON.stringify(user['lstm-ts']) : undefined, path, 'userDefinedMetadata "lstm-ts"');
}

/** Read a model in any format as a native Sequential, with the extras it carries. */
export function readAnyModel(path: string, format: ModelFormat, opts: ReadAnyOptions = {}): AnyModel {
  const be = opts.backend ? { backend: opts.backend } : {};
  switch (format) {
    case 'model': {
      const { model, metadata, extraTensors } = loadModel(path, { ...be, limits: opts.limits });
      const extra: Record<string, unknown> = {};
      for (const k of Object.keys(metadata)) if (!['format', 'version', 'config'].includes(k)) extra[k] = metadata[k];
      const members: Record<string, Tensor> = Object.create(null);
      for (const k of Object.keys(extraTensors)) if (k.startsWith('__member')) members[k] = extraTensors[k]!;
      return { model, extra, extraTensors: members };
    }
    case 'torch': {
      const { shapes, metadata } = stateDictShapes(path, opts.limits);
      // A state_dict written by lstm-ts carries its architecture (names match 1:1): use it.
      let config = opts.config ?? carriedConfig(metadata?.[CARRIED_CONFIG_KEY], path), rename = new Map<string, string>();
      if (!config) {
        try {
          ({ config, rename } = configFromStateDict(shapes, opts));
        } catch (e) {
          throw new FormatError(path, `cannot infer the architecture from the state_dict: ${(e as Error).message}`, { cause: e });
        }
      }
      // Zero-size tensors can declare a huge architecture: compare its size with the weights
      // present before anything is allocated (as loadModel does).
      let expected: number;
      try {
        expected = configParameterCount(config);
      } catch (e) {
        throw new FormatError(path, `cannot build the architecture of this state_dict: ${(e as Error).message}`, { cause: e });
      }
      const stored = Object.values(shapes).reduce((n, shape) => n + sizeOf(shape), 0);
      if (expected > stored) throw new FormatError(path, `the architecture inferred from the names and shapes needs ${expected} weights but the state_dict holds ${stored}`);
      checkLimit('parameters', expected, `the architecture has ${expected} parameters`, path, opts.limits);
      let model: Sequential;
      try {
        model = Sequential.fromConfig(config, be);
      } catch (e) {
        throw new FormatError(path, `cannot build the architecture of this state_dict: ${(e as Error).message}`, { cause: e });
      }
      const map = (key: string): string => {
        const cut = key.lastIndexOf('.');
        const g = cut < 0 ? '' : key.slice(0, cut);
        return rename.has(g) ? `${rename.get(g)}.${key.slice(cut + 1)}` : key;
      };
      loadTorchStateDict(model, path, { map });
      return { model: model.eval() as Sequential, extra: carriedExtra(metadata?.[CARRIED_METADATA_KEY], path, `__metadata__ "${CARRIED_METADATA_KEY}"`), extraTensors: {} };
    }
    case 'onnx': {
      const props = readModelProto(path, undefined, opts.limits).model.metadataProps ?? [];
      const carried = props.find((p) => p.key === CARRIED_METADATA_KEY)?.value ?? undefined;
      return { model: sequentialFromOnnx(path, { ...be, limits: opts.limits }), extra: carriedExtra(carried, path, `metadata_props "${CARRIED_METADATA_KEY}"`), extraTensors: {} };
    }
    case 'tfjs': return { model: loadTfjsModel(path, { ...be, limits: opts.limits }).toSequential(), extra: tfjsExtra(path, opts.limits), extraTensors: {} };
  }
}

/** Where each single-network format carries the extras (for warnings). */
const CARRIED_WHERE: Record<Exclude<ModelFormat, 'model'>, string> = {
  onnx: `ONNX metadata_props "${CARRIED_METADATA_KEY}"`,
  torch: `the state_dict's __metadata__ "${CARRIED_METADATA_KEY}"`,
  tfjs: 'model.json userDefinedMetadata "lstm-ts"',
};

/**
 * The extras a single-network format can carry, and what it cannot, as warnings: a forecast
 * ensemble keeps member 1 only (its metadata rewritten to a one-model forecaster of member 1's
 * part); scaling, transforms and vocabularies travel as metadata, not as graph operations.
 */
function forOneNetwork(extra: Record<string, unknown>, format: Exclude<ModelFormat, 'model'>): { extra: Record<string, unknown>; warnings: string[] } {
  const warnings: string[] = [];
  const out: Record<string, unknown> = { ...extra };
  const f = extra.forecast as { members?: number; parts?: Array<Record<string, unknown>>; plan?: Record<string, unknown> } | undefined;
  if (f && typeof f === 'object') {
    const members = Number.isInteger(f.members) ? f.members! : 1;
    if (members > 1 && Array.isArray(f.parts) && f.parts.length > 0) {
      const first = f.parts[0]!;
      out.forecast = { ...f, members: 1, parts: [{ ...first, models: 1 }], plan: { ...f.plan, mode: first.mode } };
      warnings.push(`${format} holds one network: wrote ensemble member 1 of ${members} (its ${String(first.mode)} model); forecasts from the converted file are that model's alone, not the average of ${members}`);
    }
    warnings.push(`the network works in model units: the scaling${(f.plan as { transform?: string } | undefined)?.transform === 'log' ? ', log transform' : ''} and window-relative inputs that lstm predict applies travel in ${CARRIED_WHERE[format]} for lstm-ts; another runtime must apply them itself`);
  } else if (extra.vocab !== undefined) {
    warnings.push(`the network takes token ids and returns logits: the vocabulary${extra.classifier ? ' and class names' : ''} travel in ${CARRIED_WHERE[format]} for lstm-ts; another runtime must map text to ids itself`);
  }
  return { extra: out, warnings };
}

/**
 * Write a native model in `format`, with the extras it carries (see CARRIED_METADATA_KEY) and,
 * for model files, the other ensemble members. Returns warnings about what the format cannot hold.
 */
export function writeAnyModel(model: Sequential, path: string, format: ModelFormat, extra: Record<string, unknown> = {}, opts: { lengths?: boolean; extraTensors?: Record<string, Tensor> } = {}): string[] {
  if (format === 'model') {
    writeFileAtomicSync(path, encodeModel(model, extra, opts.extraTensors ?? {}));
    return [];
  }
  const { extra: carried, warnings } = forOneNetwork(extra, format);
  const json = Object.keys(carried).length > 0 ? JSON.stringify(carried) : null;
  switch (format) {
    case 'torch': saveTorchStateDict(model, path, { metadata: { [CARRIED_CONFIG_KEY]: JSON.stringify(model.config()), ...(json ? { [CARRIED_METADATA_KEY]: json } : {}) } }); break;
    case 'onnx': exportOnnx(model, path, { lengths: opts.lengths ?? false, ...(json ? { metadata: { [CARRIED_METADATA_KEY]: json } } : {}) }); break;
    case 'tfjs': saveTfjsModel(model, path, json ? { userDefinedMetadata: { 'lstm-ts': JSON.parse(json) } } : {}); break;
  }
  return warnings;
}

export interface ConvertOptions extends ReadAnyOptions {
  from?: string;
  to?: string;
  /** ONNX output: add a `lengths` input for padded batches. */
  lengths?: boolean;
}

/** Create the folder `path` goes into (an output path in a new folder is written, not refused). */
function makeParentFolder(path: string): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new Error(`${path}: cannot create the folder ${dir} (${systemReason(e)})`, { cause: e });
  }
}

/** Convert IN to OUT (creating OUT's folder if needed); returns what was done. */
export function convertModel(inPath: string, outPath: string, opts: ConvertOptions = {}): { from: ModelFormat; to: ModelFormat; parameters: number; layers: string[]; warnings: string[] } {
  if (!existsSync(inPath)) throw new FormatError(inPath, 'no such file');
  const from = detectFormat(inPath, opts.from);
  const to = detectFormat(outPath, opts.to, true);
  if (from === 'tfjs' && to === 'onnx') {
    // Models without a native equivalent (hard_sigmoid, TF.js GRUs, ...) still map to ONNX exactly.
    const tfjs = loadTfjsModel(inPath, { ...(opts.backend ? { backend: opts.backend } : {}), limits: opts.limits });
    let native: Sequential | null = null;
    try {
      native = tfjs.toSequential();
    } catch {
      native = null;
    }
    makeParentFolder(outPath);
    let warnings: string[] = [];
    if (native) warnings = writeAnyModel(native, outPath, 'onnx', tfjsExtra(inPath, opts.limits), { lengths: opts.lengths ?? false });
    else writeFileAtomicSync(outPath, encodeTfjsAsOnnx(tfjs));
    return { from, to, parameters: native ? native.numParameters() : tfjs.parameterCount, layers: tfjs.summary().split('\n'), warnings };
  }
  const { model, extra, extraTensors } = readAnyModel(inPath, from, opts);
  makeParentFolder(outPath);
  const warnings = writeAnyModel(model, outPath, to, extra, { lengths: opts.lengths ?? false, extraTensors });
  return { from, to, parameters: model.numParameters(), layers: model.config().layers.map((l) => `${l.name}: ${l.type}`), warnings };
}

/** A JSON-able description of any model file (for `lstm info`). */
export function describeModelFile(path: string, explicit?: string): Record<string, unknown> {
  if (!existsSync(path)) throw new FormatError(path, 'no such file');
  const format = detectFormat(path, explicit);
  const base = { file: path, bytes: statSync(path).size, format };
  switch (format) {
    case 'model': {
      const { model, metadata } = loadModel(path);
      return { ...base, task: model.task, parameters: model.numParameters(), layers: model.config().layers, metadataKeys: Object.keys(metadata) };
    }
    case 'torch': {
      const { shapes, metadata } = stateDictShapes(path);
      let inferred: unknown;
      try {
        inferred = configFromStateDict(shapes).config.layers;
      } catch (e) {
        inferred = `not inferable: ${(e as Error).message}`;
      }
      const parameters = Object.values(shapes).reduce((s, shape) => s + sizeOf(shape), 0);
      return { ...base, parameters, tensors: shapes, metadata, inferredLayers: inferred };
    }
    case 'onnx': {
      const m = loadOnnx(path);
      let native: string;
      try {
        sequentialFromOnnx(path);
        native = 'yes (written by lstm-ts)';
      } catch (e) {
        native = `no: ${(e as FormatError).detail ?? (e as Error).message}`;
      }
      const parameters = m.initializers.reduce((s, t) => s + t.shape.reduce((p, d) => p * d, 1), 0);
      return { ...base, producer: m.producer, irVersion: m.irVersion, opset: m.opset, inputs: m.inputs, outputs: m.outputs, operators: m.operators, parameters, convertibleToNative: native };
    }
    case 'tfjs': {
      const m = loadTfjsModel(path);
      let native: string;
      try {
        native = `yes (${m.toSequential().numParameters()} parameters)`;
      } catch (e) {
        native = `no: ${(e as Error).message}`;
      }
      return { ...base, name: m.name, input: m.inputKind, layers: m.summary().split('\n'), convertibleToNative: native };
    }
  }
}
