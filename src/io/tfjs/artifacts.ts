/**
 * Reading a TF.js Layers model from disk: model.json (`modelTopology` + `weightsManifest`) and
 * its binary weight shards, as written by `model.save('file://...')` in TF.js or by the TF.js
 * converter from Keras. Everything is validated before use and every problem is a FormatError
 * naming the file: JSON that is not an object, a manifest entry with a bad shape or dtype,
 * shard paths that leave the model's folder, shards whose total size differs from what the
 * manifest declares, shards that are links to files outside the folder, that are not regular
 * files or that are listed twice, NaN or infinite weights. Shard sizes are checked against the
 * fileBytes budget and with stat before reading, so nothing larger than the files themselves
 * is allocated. Keys are read with own-property checks only, so
 * `__proto__` or `constructor` in the JSON are plain (ignored) names.
 */
import { realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { FormatError, quote } from '../errors.js';
import { assertFiniteWeights } from '../finite.js';
import { checkLimit, type Limits } from '../limits.js';
import { checkRegularFile, readFileChecked, systemReason } from '../read-file.js';

/** One weight tensor, float32, in manifest order. */
export interface TfjsWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** What TF.js' `model.save(tf.io.withSaveHandler(...))` hands over, also accepted in memory. */
export interface TfjsArtifacts {
  modelTopology: unknown;
  weightSpecs?: unknown;
  weightData?: ArrayBuffer | Uint8Array;
}

export interface LoadedArtifacts {
  /** The Keras model config ({ class_name, config }). */
  topology: Record<string, unknown>;
  weights: TfjsWeight[];
  /** Label for error messages (the model.json path or '<artifacts>'). */
  file: string;
}

/** Largest model.json read (weights live in the shards): 64 MB. */
const MAX_JSON_BYTES = 64 << 20;

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property, or undefined (never reaches Object.prototype). */
export function own(o: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

interface Spec {
  name: string;
  shape: number[];
  bytes: number;
}

/** Validate a weight spec list; returns the specs with their byte sizes. */
function parseSpecs(list: unknown, file: string, where: string): Spec[] {
  if (!Array.isArray(list)) throw new FormatError(file, `${where} must be an array of weight specs`);
  return list.map((w, i) => {
    if (!isObject(w)) throw new FormatError(file, `${where}[${i}] is not an object`);
    const name = own(w, 'name');
    const shape = own(w, 'shape');
    const dtype = own(w, 'dtype');
    if (typeof name !== 'string') throw new FormatError(file, `${where}[${i}] has no name`);
    if (!Array.isArray(shape) || shape.length > 8 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new FormatError(file, `weight "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    }
    if (own(w, 'quantization') !== undefined) throw new FormatError(file, `weight "${name}" is quantized, which is not supported (save the model without quantization)`);
    if (dtype !== 'float32') throw new FormatError(file, `weight "${name}" has dtype ${JSON.stringify(dtype)}; only float32 weights are supported`);
    const n = (shape as number[]).reduce((p, d) => p * d, 1);
    if (!Number.isSafeInteger(n * 4)) throw new FormatError(file, `weight "${name}" has an absurd size ${JSON.stringify(shape)}`);
    return { name, shape: shape as number[], bytes: n * 4 };
  });
}

/** Cut a byte buffer into float32 weights following specs (sizes already checked). */
function cut(specs: Spec[], bytes: Uint8Array, file: string, where: string): TfjsWeight[] {
  const total = specs.reduce((s, w) => s + w.bytes, 0);
  if (total !== bytes.length) throw new FormatError(file, `${where} holds ${bytes.length} bytes but the manifest declares ${total}`);
  let off = 0;
  const weights = specs.map((s) => {
    const data = new Float32Array(s.bytes / 4);
    new Uint8Array(data.buffer).set(bytes.subarray(off, off + s.bytes)); // copy realigns; TF.js shards are little-endian
    off += s.bytes;
    return { name: s.name, shape: s.shape, data };
  });
  assertFiniteWeights(Object.fromEntries(weights.map((w) => [w.name, w])), file);
  return weights;
}

function parseJson(text: string, file: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FormatError(file, `is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (!isObject(json)) throw new FormatError(file, 'must hold a JSON object');
  return json;
}

/** The Keras model config inside a modelTopology (TF.js puts it at the top, Keras under model_config). */
function topologyOf(t: unknown, file: string): Record<string, unknown> {
  if (!isObject(t)) throw new FormatError(file, 'modelTopology is missing or not an object (is this a TF.js graph model? only Layers models are supported)');
  const inner = own(t, 'model_config');
  const topo = inner !== undefined ? inner : t;
  if (!isObject(topo) || typeof own(topo, 'class_name') !== 'string') throw new FormatError(file, 'modelTopology has no class_name');
  return topo;
}

/**
 * The real path of weight shard `p` of a model whose folder is really `realDir`: refused if the
 * text leaves the folder, if it does not exist, or if it resolves (through symbolic links) to
 * anything outside the folder or to anything but a regular file. The message never says what
 * an outside target is or how big.
 */
function shardPath(p: string, dir: string, realDir: string, file: string): string {
  const n = normalize(p);
  if (p === '' || isAbsolute(p) || n.startsWith('..') || n.split(sep).includes('..')) throw new FormatError(file, `weight shard path ${quote(p)} leaves the model's folder`);
  let real: string;
  try {
    real = realpathSync(join(dir, n));
  } catch (e) {
    throw new FormatError(file, `weight shard ${quote(p)} cannot be read (${systemReason(e)})`, { cause: e });
  }
  if (!real.startsWith(realDir.endsWith(sep) ? realDir : realDir + sep)) throw new FormatError(file, `weight shard ${quote(p)} is a link to a file outside the model's folder, which is not read`);
  if (!statSync(real).isFile()) throw new FormatError(file, `weight shard ${quote(p)} is not a regular file`);
  return real;
}

/**
 * Read model.json and its shards from disk. Shards are read only if they are regular files
 * inside the model's folder (after following links), each listed once, and only after the
 * sizes the manifest declares add up, within the fileBytes budget, to what is on disk.
 */
export function readTfjsFiles(modelJsonPath: string, limits?: Partial<Limits>): LoadedArtifacts {
  const file = modelJsonPath;
  const size = checkRegularFile(file, limits);
  if (size > MAX_JSON_BYTES) throw new FormatError(file, `is ${size} bytes; a model.json larger than ${MAX_JSON_BYTES} bytes is not accepted`);
  const json = parseJson(new TextDecoder().decode(readFileChecked(file, { limits })), file);
  const format = own(json, 'format');
  if (format !== undefined && format !== 'layers-model') throw new FormatError(file, `format is ${quote(String(format))}; only TF.js Layers models ("layers-model") are supported`);
  const topology = topologyOf(own(json, 'modelTopology'), file);
  const manifest = own(json, 'weightsManifest') ?? [];
  if (!Array.isArray(manifest)) throw new FormatError(file, 'weightsManifest must be an array');
  const dir = dirname(file);
  let realDir: string;
  try {
    realDir = realpathSync(dir);
  } catch (e) {
    throw new FormatError(file, `cannot resolve the model's folder (${systemReason(e)})`, { cause: e });
  }
  // Everything the manifest declares, checked before any shard is touched.
  const groups = manifest.map((group, g) => {
    if (!isObject(group)) throw new FormatError(file, `weightsManifest[${g}] is not an object`);
    const specs = parseSpecs(own(group, 'weights'), file, `weightsManifest[${g}].weights`);
    const paths = own(group, 'paths');
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) throw new FormatError(file, `weightsManifest[${g}].paths must be an array of file names`);
    return { specs, paths: paths as string[], declared: specs.reduce((s, w) => s + w.bytes, 0) };
  });
  const total = groups.reduce((s, g) => s + g.declared, size);
  checkLimit('fileBytes', total, `model.json and the weights it declares come to ${total} bytes`, file, limits);
  const seen = new Map<string, string>();
  const shards = groups.map((group, g) => group.paths.map((p) => {
    const real = shardPath(p, dir, realDir, file);
    // One file listed many times would be read (and allocated) many times.
    const first = seen.get(real);
    if (first !== undefined) throw new FormatError(file, `weight shard ${quote(p)} is the same file as ${quote(first)}, listed earlier; each shard may be listed once`);
    seen.set(real, p);
    return real;
  }));
  const weights: TfjsWeight[] = [];
  groups.forEach(({ specs, declared }, g) => {
    let onDisk = 0;
    for (const p of shards[g]!) onDisk += statSync(p).size;
    if (onDisk !== declared) throw new FormatError(file, `weight shards of group ${g} hold ${onDisk} bytes but the manifest declares ${declared}`);
    const bytes = new Uint8Array(declared);
    let off = 0;
    shards[g]!.forEach((p, i) => {
      const b = readFileChecked(p, { maxBytes: declared - off + 1 });
      if (off + b.length > declared) throw new FormatError(file, `weight shard ${quote(groups[g]!.paths[i]!)} changed size while being read`);
      bytes.set(b, off);
      off += b.length;
    });
    weights.push(...cut(specs, bytes, file, `weight group ${g}`));
  });
  return { topology, weights, file };
}

/** The `userDefinedMetadata` object of a model.json (null if it has none), read within the fileBytes budget. */
export function readTfjsUserMetadata(modelJsonPath: string, limits?: Partial<Limits>): Record<string, unknown> | null {
  const json = parseJson(new TextDecoder().decode(readFileChecked(modelJsonPath, { limits })), modelJsonPath);
  const m = own(json, 'userDefinedMetadata');
  if (m === undefined) return null;
  if (!isObject(m)) throw new FormatError(modelJsonPath, 'userDefinedMetadata must be a JSON object');
  return m;
}

/** Validate in-memory artifacts (as from tf.io.withSaveHandler). */
export function readTfjsArtifacts(a: TfjsArtifacts, file = '<artifacts>'): LoadedArtifacts {
  if (!isObject(a)) throw new FormatError(file, 'artifacts must be an object');
  const topology = topologyOf(a.modelTopology, file);
  const specs = parseSpecs(a.weightSpecs ?? [], file, 'weightSpecs');
  const wd = a.weightData;
  const bytes = wd === undefined ? new Uint8Array(0) : wd instanceof Uint8Array ? wd : new Uint8Array(wd);
  return { topology, weights: cut(specs, bytes, file, 'weightData'), file };
}
