/**
 * loadOnnx: read an ONNX model and run it with this project's kernels. The graph is checked
 * once when loaded (protobuf well-formed, opset present, every operator supported, every node
 * input produced before it is used, initializer sizes matching the bytes present) and then
 * interpreted node by node on each `run`, like onnxruntime's InferenceSession but for the
 * operators recurrent models need: LSTM, GRU, RNN (recurrent-ops.ts), Scan loops (scan.ts) and
 * the plumbing and head operators around them (ops.ts). Values are freed after their last use.
 */
import type { RecurrentMode } from '../../nn/recurrent.js';
import { Tensor } from '../../tensor/tensor.js';
import { FormatError, quote } from '../errors.js';
import { RunBudget, withRunBudget } from './budget.js';
import { resolveLimits, type Limits } from '../limits.js';
import { readFileChecked } from '../read-file.js';
import { Attrs, OPS, OpError, type OpFn } from './ops.js';
import { recurrentOp } from './recurrent-ops.js';
import { nodeInputs, scanOp } from './scan.js';
import { DataType, decodeModelProto, int64ToNumber, type ModelProto, type NodeProto, type ValueInfoProto } from './schema.js';
import { dtypeName, isFloat, storageType, valueFromTensorProto, withElementLimit, type Value } from './tensor-proto.js';

/** A graph input or output as declared in the file: dims are numbers, names (dynamic) or null. */
export interface OnnxValueInfo {
  name: string;
  /** ONNX element type name ('float', 'int64', ...). */
  type: string;
  shape: Array<number | string | null> | null;
}

export interface OnnxModel {
  /** The graph's inputs that are not initializers, in file order (the feed names for `run`). */
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly inputs: OnnxValueInfo[];
  readonly outputs: OnnxValueInfo[];
  /** The default-domain opset the model imports. */
  readonly opset: number;
  readonly producer: string;
  readonly irVersion: number;
  /** Operator types used, with counts. */
  readonly operators: Record<string, number>;
  /** Initializer (weight) names with their shapes. */
  readonly initializers: Array<{ name: string; shape: number[]; type: string }>;
  /**
   * Run the graph. `feeds` is keyed by input name; integer inputs (token ids, sequence_lens)
   * are given as Tensors holding whole numbers. Returns every graph output by name.
   */
  run(feeds: Record<string, Tensor>): Record<string, Tensor>;
}

export interface LoadOnnxOptions {
  /** Kernel backend for the recurrent operators. Default: the current backend. */
  backend?: string;
  /** Name used in error messages when bytes are given. Default '<bytes>'. */
  name?: string;
  /**
   * Budgets (io/limits.ts): `fileBytes` for the file; `onnxWork` and `onnxMemory` for each
   * `run`, checked before each node computes (a LimitError names the node).
   */
  limits?: Partial<Limits>;
}

const RECURRENT: Record<string, RecurrentMode> = { LSTM: 'lstm', GRU: 'gru', RNN: 'rnn' };

/** Operator types loadOnnx can run. */
export const SUPPORTED_ONNX_OPERATORS: readonly string[] = [...Object.keys(OPS), ...Object.keys(RECURRENT), 'Scan'].sort();

function describe(v: ValueInfoProto): OnnxValueInfo {
  const tt = v.type?.tensorType;
  const dims = tt?.shape?.dim;
  return {
    name: v.name ?? '',
    type: dtypeName(tt?.elemType ?? 0),
    shape: dims ? dims.map((d) => (d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null ? safeDim(d.dimValue) : null)) : null,
  };
}

function safeDim(v: Parameters<typeof int64ToNumber>[0]): number | null {
  try { return int64ToNumber(v); } catch { return null; }
}

/**
 * Decode the ModelProto of an ONNX file (path or bytes); `file` is the name errors use (the
 * path, else `name`, else '<bytes>'). Throws FormatError if the protobuf does not decode.
 */
export function readModelProto(bytesOrPath: Uint8Array | string, name?: string, limits?: Partial<Limits>): { file: string; model: ModelProto } {
  const file = typeof bytesOrPath === 'string' ? bytesOrPath : name ?? '<bytes>';
  const bytes = typeof bytesOrPath === 'string' ? readFileChecked(bytesOrPath, { limits }) : bytesOrPath;
  try {
    return { file, model: decodeModelProto(bytes) };
  } catch (e) {
    throw new FormatError(file, `not a valid ONNX model (protobuf decoding failed: ${(e as Error).message})`, { cause: e });
  }
}

/** Load an ONNX model from a path or its bytes. Throws FormatError for a malformed or unsupported file. */
export function loadOnnx(bytesOrPath: Uint8Array | string, opts: LoadOnnxOptions = {}): OnnxModel {
  const { file, model } = readModelProto(bytesOrPath, opts.name, opts.limits);
  const g = model.graph;
  if (!g || !g.node || g.node.length === 0) throw new FormatError(file, 'not an ONNX model: it has no graph or the graph has no nodes');
  let opset = -1;
  for (const o of model.opsetImport ?? []) {
    if (!o.domain || o.domain === 'ai.onnx') opset = safeDim(o.version) ?? -1;
  }
  if (opset < 1) throw new FormatError(file, 'the model imports no default-domain (ai.onnx) opset');

  // Initializers: decoded now; sizes are checked against the bytes present.
  const inits = new Map<string, Value>();
  const initInfo: OnnxModel['initializers'] = [];
  for (const t of g.initializer ?? []) {
    const name = t.name ?? '';
    if (!name) throw new FormatError(file, 'an initializer has no name');
    if (inits.has(name)) throw new FormatError(file, `initializer "${name}" is defined twice`);
    const v = valueFromTensorProto(t, file, 'initializer');
    // NaN has no use in a weight or constant; it would only come out as NaN predictions.
    if (isFloat(v.dtype)) {
      const at = v.data.findIndex((x) => Number.isNaN(x));
      if (at >= 0) throw new FormatError(file, `initializer ${quote(name)} holds NaN at index ${at}`);
    }
    inits.set(name, v);
    initInfo.push({ name, shape: v.shape, type: dtypeName(t.dataType ?? 0) });
  }
  const inputs = (g.input ?? []).filter((v) => !inits.has(v.name ?? '')).map(describe);
  const inputTypes = new Map((g.input ?? []).map((v) => [v.name ?? '', v.type?.tensorType?.elemType ?? DataType.FLOAT]));
  const outputs = (g.output ?? []).map(describe);
  if (outputs.length === 0) throw new FormatError(file, 'the graph declares no outputs');

  // An operator for a node: one op instance per recurrent or Scan node, so each keeps its own state.
  const opFor = (node: NodeProto, label: string): OpFn | null => {
    const type = node.opType ?? '';
    if (Object.hasOwn(OPS, type)) return OPS[type]!;
    if (Object.hasOwn(RECURRENT, type)) return recurrentOp(RECURRENT[type]!, opts.backend);
    if (type === 'Scan') return scanOp(node, file, label, opFor);
    return null;
  };
  // Check operators and data flow, and find each value's last use.
  const ops: Array<{ node: NodeProto; fn: OpFn; attrs: Attrs; label: string; inputs: string[] }> = [];
  const unsupported = new Set<string>();
  const counts: Record<string, number> = Object.create(null);
  const defined = new Set<string>([...inits.keys(), ...inputs.map((i) => i.name)]);
  const lastUse = new Map<string, number>();
  g.node.forEach((node, k) => {
    const type = node.opType ?? '';
    const label = `node ${k}${node.name ? ` "${node.name}"` : ''} (${type || 'no op_type'})`;
    counts[type] = (counts[type] ?? 0) + 1;
    if (node.domain && node.domain !== 'ai.onnx') {
      unsupported.add(`${node.domain}.${type}`);
      for (const name of node.output ?? []) defined.add(name);
      return;
    }
    const fn = opFor(node, label);
    if (!fn) {
      unsupported.add(type);
      for (const name of node.output ?? []) defined.add(name); // so that the error names the operator, not a missing value
      return;
    }
    const inputs = nodeInputs(node); // with the values a Scan body reads from this graph
    inputs.forEach((name, i) => {
      if (name === '') return;
      if (!defined.has(name)) throw new FormatError(file, `${label} uses ${quote(name)}, which no earlier node, input or initializer defines`);
      lastUse.set(name, k);
      // Weights (W, R, B, P of a recurrent node, the operands of a product) must be finite too.
      const v = inits.get(name);
      if (v && isFloat(v.dtype) && (RECURRENT[type] ? i <= 3 || i === 7 : type === 'MatMul' || type === 'Gemm')) {
        const at = v.data.findIndex((x) => !Number.isFinite(x));
        if (at >= 0) throw new FormatError(file, `${label}: weight ${quote(name)} holds ${v.data[at]} at index ${at}`);
      }
    });
    for (const name of node.output ?? []) if (name !== '') defined.add(name);
    ops.push({ node, fn, attrs: new Attrs(node.attribute, label, file), label, inputs });
  });
  if (unsupported.size > 0) {
    throw new FormatError(file, `uses ONNX operators this interpreter does not support: ${[...unsupported].join(', ')} (supported: ${SUPPORTED_ONNX_OPERATORS.join(', ')})`);
  }
  for (const o of outputs) {
    if (!defined.has(o.name)) throw new FormatError(file, `graph output "${o.name}" is not produced by any node`);
    lastUse.set(o.name, Infinity);
  }

  const limits = resolveLimits(opts.limits);
  const run = (feeds: Record<string, Tensor>): Record<string, Tensor> => {
    const env = new Map<string, Value>(inits);
    for (const info of inputs) {
      const t = Object.hasOwn(feeds, info.name) ? feeds[info.name] : undefined;
      if (!(t instanceof Tensor)) throw new RangeError(`loadOnnx run: missing input "${info.name}" (inputs: ${inputs.map((i) => i.name).join(', ')})`);
      if (info.shape) {
        const ok = t.shape.length === info.shape.length && info.shape.every((d, i) => typeof d !== 'number' || d === t.shape[i]);
        if (!ok) throw new RangeError(`loadOnnx run: input "${info.name}" must have shape [${info.shape.map((d) => d ?? '?').join(', ')}], got [${t.shape.join(', ')}]`);
      }
      const dtype = storageType(inputTypes.get(info.name)!);
      const data = dtype === DataType.FLOAT ? Float32Array.from(t.data) : Float64Array.from(t.data);
      if (!isFloat(dtype) && data.some((v) => !Number.isInteger(v))) throw new RangeError(`loadOnnx run: input "${info.name}" is ${info.type} and must hold whole numbers`);
      env.set(info.name, { dtype, shape: [...t.shape], data });
    }
    // No intermediate may exceed 64× what the model and its feeds hold (at least 2^22 elements),
    // and the run as a whole stays within its work and memory budget.
    let held = 0;
    for (const v of env.values()) held += v.data.length;
    const budget = new RunBudget(file, limits.onnxWork, limits.onnxMemory);
    withRunBudget(budget, () => withElementLimit(Math.max(1 << 22, 64 * held), () => runNodes(env, budget)));
    const result = Object.create(null) as Record<string, Tensor>;
    for (const o of outputs) {
      const v = env.get(o.name)!;
      const data = v.dtype === DataType.FLOAT ? Float32Array.from(v.data) : Float64Array.from(v.data);
      result[o.name] = new Tensor(data, v.shape);
    }
    return result;
  };

  const runNodes = (env: Map<string, Value>, budget: RunBudget): void => {
    // Bytes of the values the run has computed and still holds (views share their data;
    // initializers and feeds are not the run's).
    const external = new Set<Value['data']>([...env.values()].map((v) => v.data));
    const refs = new Map<Value['data'], number>();
    let live = 0;
    const hold = (v: Value): void => {
      if (external.has(v.data)) return;
      const n = refs.get(v.data) ?? 0;
      if (n === 0) live += v.data.byteLength;
      refs.set(v.data, n + 1);
    };
    const drop = (v: Value): void => {
      const n = refs.get(v.data);
      if (n === undefined) return;
      if (n === 1) {
        refs.delete(v.data);
        live -= v.data.byteLength;
      } else refs.set(v.data, n - 1);
    };
    ops.forEach(({ node, fn, attrs, label, inputs }, k) => {
      const ins = inputs.map((n) => (n === '' ? undefined : env.get(n)));
      budget.at = label;
      budget.setLive(live);
      let outs: Value[];
      try {
        outs = fn(ins, attrs, opset);
      } catch (e) {
        if (e instanceof OpError || e instanceof RangeError) throw new Error(`${file}: ${label}: ${(e as Error).message}`, { cause: e });
        throw e;
      }
      (node.output ?? []).forEach((name, i) => {
        if (name === '' || !outs[i]) return;
        const old = env.get(name);
        if (old) drop(old);
        env.set(name, outs[i]!);
        hold(outs[i]!);
      });
      for (const n of inputs) {
        if (lastUse.get(n) === k && !inits.has(n)) {
          const v = env.get(n);
          if (v) drop(v);
          env.delete(n);
        }
      }
    });
  };

  return {
    inputNames: inputs.map((i) => i.name),
    outputNames: outputs.map((o) => o.name),
    inputs, outputs, opset,
    producer: `${model.producerName ?? ''}${model.producerVersion ? ` ${model.producerVersion}` : ''}`.trim(),
    irVersion: safeDim(model.irVersion) ?? 0,
    operators: counts,
    initializers: initInfo,
    run,
  };
}
