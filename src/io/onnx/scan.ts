/**
 * The ONNX Scan operator (opset 9 and later): run a body graph once per step along axis 0 of
 * the scan inputs, carrying state variables from step to step, and stack what each step
 * outputs along a new axis 0 (the reverse directions read and write from the last step). The
 * body's nodes run with the interpreter's own operators. A body may read values of the graph
 * around it by name (its implicit inputs): the loader appends them to the Scan node's inputs,
 * in the order nodeInputs gives, so data flow is checked and values are freed as for any input.
 * exportOnnx writes projected LSTMs as Scan loops (export.ts), which this runs.
 */
import { FormatError } from '../errors.js';
import { Attrs, OpError, type OpFn } from './ops.js';
import type { GraphProto, NodeProto } from './schema.js';
import { makeValue, valueFromTensorProto, type Value } from './tensor-proto.js';

/** Names a graph reads that it does not define itself (inputs, initializers, node outputs), its subgraphs' included. */
export function outerScopeNames(g: GraphProto): string[] {
  const own = new Set<string>([...(g.input ?? []).map((v) => v.name ?? ''), ...(g.initializer ?? []).map((t) => t.name ?? '')]);
  const outer = new Set<string>();
  for (const node of g.node ?? []) {
    for (const name of nodeInputs(node)) if (name !== '' && !own.has(name)) outer.add(name);
    for (const name of node.output ?? []) own.add(name);
  }
  return [...outer];
}

/** A node's inputs followed by the implicit ones its graph attributes (Scan's body) read from outside. */
export function nodeInputs(node: NodeProto): string[] {
  const implicit = (node.attribute ?? []).flatMap((a) => (a.g ? outerScopeNames(a.g) : []));
  return [...(node.input ?? []), ...implicit.filter((n, i) => implicit.indexOf(n) === i && !(node.input ?? []).includes(n))];
}

/** Resolves an operator of a node (null: not supported); used for the body's nodes. */
export type OpResolver = (node: NodeProto, label: string) => OpFn | null;

/**
 * The Scan operator of `node`: its body is checked now (operators supported, data flow) and
 * run on each call. Throws FormatError naming the file and node for a body it cannot run.
 */
export function scanOp(node: NodeProto, file: string, label: string, resolve: OpResolver): OpFn {
  const a = new Attrs(node.attribute, label, file);
  const body = a.graph('body');
  if (!body) throw new FormatError(file, `${label}: Scan needs a body graph`);
  const M = a.int('num_scan_inputs', -1);
  const bodyIn = (body.input ?? []).map((v) => v.name ?? ''), bodyOut = (body.output ?? []).map((v) => v.name ?? '');
  const N = bodyIn.length - M, K = bodyOut.length - N;
  if (M < 1 || N < 0 || K < 0) throw new FormatError(file, `${label}: num_scan_inputs ${M} does not fit a body with ${bodyIn.length} inputs and ${bodyOut.length} outputs`);
  for (const attr of ['scan_input_axes', 'scan_output_axes']) {
    if ((a.ints(attr) ?? []).some((v) => v !== 0)) throw new FormatError(file, `${label}: ${attr} other than 0 is not supported`);
  }
  const inDir = a.ints('scan_input_directions') ?? new Array<number>(M).fill(0);
  const outDir = a.ints('scan_output_directions') ?? new Array<number>(K).fill(0);
  if (inDir.length !== M || outDir.length !== K || [...inDir, ...outDir].some((v) => v !== 0 && v !== 1)) {
    throw new FormatError(file, `${label}: scan_input_directions / scan_output_directions must list 0 or 1 for each of the ${M} scan inputs and ${K} scan outputs`);
  }
  const outer = nodeInputs(node).slice((node.input ?? []).length); // implicit inputs, in the loader's order
  const inits = new Map<string, Value>();
  for (const t of body.initializer ?? []) inits.set(t.name ?? '', valueFromTensorProto(t, file, `${label} body initializer`));
  // The body's nodes, checked like the main graph's.
  const defined = new Set<string>([...bodyIn, ...inits.keys(), ...outer]);
  const steps = (body.node ?? []).map((n, k) => {
    const where = `${label} body node ${k}${n.name ? ` "${n.name}"` : ''} (${n.opType ?? 'no op_type'})`;
    const fn = n.domain && n.domain !== 'ai.onnx' ? null : resolve(n, where);
    if (!fn) throw new FormatError(file, `${where}: operator ${n.domain ? `${n.domain}.` : ''}${n.opType} is not supported in a Scan body`);
    const inputs = nodeInputs(n);
    for (const name of inputs) if (name !== '' && !defined.has(name)) throw new FormatError(file, `${where} uses "${name}", which nothing before it defines`);
    for (const name of n.output ?? []) if (name !== '') defined.add(name);
    return { node: n, fn, inputs, attrs: new Attrs(n.attribute, where, file), where };
  });
  for (const name of bodyOut) if (!defined.has(name)) throw new FormatError(file, `${label}: body output "${name}" is not produced by the body`);

  return (ins, _attrs, opset) => {
    const states = ins.slice(0, N), scans = ins.slice(N, N + M), implicit = ins.slice(N + M);
    if (states.some((v) => !v) || scans.some((v) => !v)) throw new OpError('every state and scan input is required');
    const T = scans[0]!.shape[0];
    if (T === undefined || T < 1 || scans.some((v) => v!.shape[0] !== T)) throw new OpError(`scan inputs must share a first axis of at least 1 step, got ${scans.map((v) => `[${v!.shape.join(', ')}]`).join(', ')}`);
    const slice = (v: Value, t: number): Value => {
      const inner = v.data.length / T;
      return { dtype: v.dtype, shape: v.shape.slice(1), data: v.data.subarray(t * inner, (t + 1) * inner) };
    };
    let carried = states as Value[];
    const stepOuts: Value[][] = Array.from({ length: K }, () => []);
    for (let s = 0; s < T; s++) {
      const env = new Map<string, Value>(inits);
      outer.forEach((name, i) => env.set(name, implicit[i]!));
      bodyIn.forEach((name, i) => env.set(name, i < N ? carried[i]! : slice(scans[i - N]!, inDir[i - N] ? T - 1 - s : s)));
      for (const st of steps) {
        let outs: Value[];
        try {
          outs = st.fn(st.inputs.map((n) => (n === '' ? undefined : env.get(n))), st.attrs, opset);
        } catch (e) {
          if (e instanceof OpError || e instanceof RangeError) throw new OpError(`${st.where}: ${(e as Error).message}`);
          throw e;
        }
        (st.node.output ?? []).forEach((name, i) => { if (name !== '' && outs[i]) env.set(name, outs[i]!); });
      }
      carried = bodyOut.slice(0, N).map((n) => env.get(n)!);
      bodyOut.slice(N).forEach((n, k) => stepOuts[k]!.push(env.get(n)!));
    }
    // Each scan output stacks its steps (reverse direction: the last step first).
    const stacked = stepOuts.map((list, k) => {
      const first = list[0]!;
      if (list.some((v) => v.data.length !== first.data.length || v.dtype !== first.dtype)) throw new OpError(`scan output ${k} changes shape or type between steps`);
      const out = makeValue(first.dtype, [T, ...first.shape], 'Scan output');
      list.forEach((v, s) => out.data.set(v.data, (outDir[k] ? T - 1 - s : s) * first.data.length));
      return out;
    });
    return [...carried, ...stacked];
  };
}
