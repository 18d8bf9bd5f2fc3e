/**
 * The onnxruntime engine (Node only): a Sequential's inference run by onnxruntime-node, from a
 * session built on the model's own ONNX export (encodeOnnx, in memory: no file is written).
 * `compile` (engine.ts) loads this module with a dynamic import, so nothing here is loaded
 * unless asked, and the browser builds replace it with a stub (scripts/browser-stub.mjs).
 *
 * onnxruntime-node is an optional peer dependency: it is found from this package (or the
 * caller's project) with require, and a missing one is a clear error naming the package.
 * Sessions are driven through onnxruntime-node's native binding, whose `run` is synchronous
 * (the package's public `InferenceSession.run` wraps the same call in a Promise), so that
 * `predict` and every recipe on top of it stay synchronous whichever engine runs them.
 *
 * Up to three sessions per model, each built on first use: one without and one with the
 * `lengths` input (padded batches), because sequence_lens makes ONNX's recurrent operators
 * take a slower path even when every row is full; and for a batch of one (no lengths) of a
 * model with a time axis, one on the time-major export (encodeOnnx's timeMajor): a (1,T,F)
 * input holds the same data as (T,1,F), so it is fed as is and the graph has no Transpose
 * around the recurrent layers to run (about 2 % of a W1 call, measured against onnxruntime's
 * own one-node LSTM).
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type { InferenceEngine } from '../../nn/engine.js';
import type { Sequential } from '../../nn/sequential.js';
import { shapeStr, Tensor } from '../../tensor/tensor.js';
import { checkInt } from '../../tensor/check.js';
import { encodeOnnx } from './export.js';

/** The onnxruntime-node versions this engine was tested with (package.json's peerDependencies says the same). */
export const ONNXRUNTIME_NODE_RANGE = '^1.30.0';

/** An onnxruntime tensor as the native binding takes and returns it. */
interface OrtTensor {
  readonly type: string;
  readonly data: ArrayLike<number | bigint>;
  readonly dims: readonly number[];
}

/** The native session of onnxruntime-node (its onnxruntime_binding.node). */
interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: SessionOptions): void;
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, null>, options: object): Record<string, OrtTensor>;
  dispose(): void;
}

interface SessionOptions {
  intraOpNumThreads: number;
  interOpNumThreads: number;
  executionMode: 'sequential';
  graphOptimizationLevel: 'all';
}

/** What this engine needs from onnxruntime-node: the Tensor class and the native session. */
export interface Onnxruntime {
  version: string;
  Tensor: new (type: string, data: ArrayLike<number | bigint>, dims: readonly number[]) => OrtTensor;
  Session: new () => NativeSession;
}

/**
 * Load onnxruntime-node as seen from `from` (a file URL or path; default this module). Throws
 * an Error that says what to install when it is missing, and names the version when its
 * native binding is not where this engine expects it.
 */
export function loadOnnxruntime(from: string = import.meta.url): Onnxruntime {
  const require = createRequire(from);
  let version: string;
  try {
    version = String((require('onnxruntime-node/package.json') as { version: unknown }).version);
  } catch {
    throw new Error(`the onnxruntime engine needs the npm package onnxruntime-node, an optional peer dependency of lstm-ts ` +
      `that is not installed: npm install onnxruntime-node@${ONNXRUNTIME_NODE_RANGE} (or use the engine 'wasm')`);
  }
  try {
    const ort = require('onnxruntime-node') as { Tensor: Onnxruntime['Tensor'] };
    const { binding, initOrt } = require('onnxruntime-node/dist/binding.js') as { binding: { InferenceSession: Onnxruntime['Session'] }; initOrt: () => void };
    if (typeof initOrt !== 'function' || typeof binding?.InferenceSession !== 'function' || typeof ort.Tensor !== 'function') throw new Error('unexpected exports');
    initOrt();
    return { version, Tensor: ort.Tensor, Session: binding.InferenceSession };
  } catch (e) {
    throw new Error(`onnxruntime-node ${version} could not be loaded the way the onnxruntime engine loads it ` +
      `(its native session binding, dist/binding.js; tested with ${ONNXRUNTIME_NODE_RANGE}): ${(e as Error).message}`, { cause: e });
  }
}

/** The sessions an engine may hold: unpadded batch-first input, padded, and a batch of one time-major. */
type SessionKind = 'plain' | 'lengths' | 'timeMajor';

export interface OnnxruntimeEngineOptions {
  /** Threads onnxruntime may use inside an operator. Default: every core, as the 'wasm' backend. */
  threads?: number;
}

/**
 * A Sequential's eval-mode forward on onnxruntime. Building it exports the model and opens the
 * session for unpadded input, so a model that cannot be exported fails here, not on first use.
 */
export class OnnxruntimeEngine implements InferenceEngine {
  readonly name = 'onnxruntime';
  readonly threads: number;
  private readonly sessions: Record<SessionKind, NativeSession | null> = { plain: null, lengths: null, timeMajor: null };
  /** True when the model has a time axis (its time-major export exists). */
  private readonly sequenced: boolean;

  constructor(private readonly ort: Onnxruntime, private readonly model: Sequential, opts: OnnxruntimeEngineOptions = {}) {
    if (model.dtype !== 'float32') throw new RangeError(`the onnxruntime engine runs float32 models; this one is ${model.dtype}`);
    this.threads = opts.threads ?? availableParallelism();
    checkInt('onnxruntime engine: threads', this.threads);
    this.sequenced = model.inputKind !== 'any';
    this.session('plain');
  }

  /** The session of one kind (see the file header), built on first use. */
  private session(key: SessionKind): NativeSession {
    const existing = this.sessions[key];
    if (existing) return existing;
    const bytes = encodeOnnx(this.model, { lengths: key === 'lengths', timeMajor: key === 'timeMajor' });
    const s = new this.ort.Session();
    s.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, {
      intraOpNumThreads: this.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
    });
    this.sessions[key] = s;
    return s;
  }

  run(x: Tensor, lengths: Int32Array | null): Tensor {
    const m = this.model;
    const feeds: Record<string, OrtTensor> = {};
    // A batch of one runs on the time-major graph: the same data, its leading two dims swapped.
    const one = lengths === null && this.sequenced && x.shape[0] === 1;
    const dims = one ? [x.shape[1]!, 1, ...x.shape.slice(2)] : x.shape;
    if (m.inputKind === 'ids') {
      // Token ids travel as floats; ONNX's Gather wants int64. Checked as Embedding checks them.
      const V = (m.layers[0] as unknown as { numEmbeddings: number }).numEmbeddings;
      const ids = new BigInt64Array(x.size);
      for (let n = 0; n < x.size; n++) {
        const id = x.data[n]!;
        if (!Number.isInteger(id) || id < 0 || id >= V) throw new RangeError(`Embedding: token id ${id} at position ${n} is out of range 0..${V - 1}`);
        ids[n] = BigInt(id);
      }
      feeds.x = new this.ort.Tensor('int64', ids, dims);
    } else {
      if (m.inputKind === 'any' && x.shape.length !== 2) throw new RangeError(`the onnxruntime engine runs a model without recurrent layers on rows (B,${m.inputSize}), got ${shapeStr(x.shape)}`);
      feeds.x = new this.ort.Tensor('float32', x.data instanceof Float32Array ? x.data : Float32Array.from(x.data), dims);
    }
    if (lengths) feeds.lengths = new this.ort.Tensor('int64', BigInt64Array.from(lengths, (v) => BigInt(v)), [lengths.length]);
    const y = this.session(lengths ? 'lengths' : one ? 'timeMajor' : 'plain').run(feeds, { y: null }, {}).y!;
    const yDims = one && y.dims.length === 3 ? [1, y.dims[0]!, y.dims[2]!] : y.dims; // (T,1,O) → (1,T,O)
    return new Tensor(y.data instanceof Float32Array ? y.data : Float32Array.from(y.data as ArrayLike<number>), yDims);
  }

  dispose(): void {
    for (const key of ['plain', 'lengths', 'timeMajor'] as const) {
      this.sessions[key]?.dispose();
      this.sessions[key] = null;
    }
  }
}

/** Build the engine for `model` (loads onnxruntime-node; throws a clear error without it). */
export function createOnnxruntimeEngine(model: Sequential, opts: OnnxruntimeEngineOptions = {}): OnnxruntimeEngine {
  return new OnnxruntimeEngine(loadOnnxruntime(), model, opts);
}
