/**
 * exportOnnx: write a model (Sequential of Embedding / LSTM / GRU / RNN / Dropout / LastStep /
 * Dense, or a lone recurrent layer) as an ONNX file that onnxruntime and other ONNX runtimes
 * execute, opset 17, with dynamic batch and sequence axes.
 *
 * Graph of a Sequential (boundary batch-first, as the model's own forward):
 *   x (batch, seq, F) float, or token ids (batch, seq) int64 when Embedding comes first
 *   [lengths (batch) int64, with { lengths: true }]
 *   Embedding → Gather(weight, ids)
 *   LSTM/GRU/RNN → Transpose to (seq, batch, F) once, then per stacked layer one ONNX
 *     LSTM/GRU/RNN node (W, R, B from weight_ih, weight_hh, bias_ih ++ bias_hh with the gate
 *     blocks reordered: LSTM i,f,g,o → i,o,f,c; GRU r,z,n → z,r,h with linear_before_reset=1;
 *     an LSTM's peepholes weight_ph rows p_i, p_f, p_o → P = [P_i; P_o; P_f]),
 *     its Y (seq, D, batch, H) squeezed or transposed+reshaped to (seq, batch, D·H)
 *   Dropout → nothing (inference)
 *   LastStep → Gather of the last step, or with lengths a one-hot mask over time and ReduceSum
 *   Dense → MatMul(x, Wᵀ) + b, then Relu/Tanh/Sigmoid
 *   y: the model's output, (batch, O) or (batch, seq, O)
 * A lone LSTM/GRU/RNN exports as PyTorch's module: inputs x [h0, c0], outputs output, h_n [c_n].
 * A projected LSTM (projSize > 0), which ONNX's LSTM operator cannot express, exports as one
 * ONNX Scan loop per layer and direction (see addProjectedLstm), with the same inputs, outputs
 * and dynamic axes.
 */
import { Dense, Dropout, Embedding, LastStep } from '../../nn/layers.js';
import type { Module } from '../../nn/module.js';
import { GATE_COUNT, RecurrentBase } from '../../nn/recurrent.js';
import type { Sequential } from '../../nn/sequential.js';
import { transpose2d } from '../../tensor/tensor.js';
import { writeFileAtomicSync } from '../atomic.js';
import { gatePermutation, peepholePermutation, reorderGates } from '../gate-order.js';
import { AttrType, DataType, encodeModelProto, type AttributeProto, type NodeProto, type TensorProto, type ValueInfoProto } from './schema.js';
import { tensorProtoFrom } from './tensor-proto.js';

/** metadata_props key holding a Sequential's config in files written by exportOnnx. */
export const ONNX_CONFIG_KEY = 'lstm-ts.config';

/** The opset exported files import. */
export const EXPORT_OPSET = 17;

export interface ExportOnnxOptions {
  /** Add an int64 input `lengths` (batch) for padded batches, as the model's `lengths` option. Default false. */
  lengths?: boolean;
  /** Lone recurrent layer only: add inputs h0 (and c0) for the initial state. Default false. */
  initialState?: boolean;
  /**
   * Sequential with a time axis only: x is (seq, batch, F) (token ids (seq, batch)) and a
   * per-step output (seq, batch, O), so the graph has no Transpose around its recurrent layers.
   * The onnxruntime engine uses it for a batch of one, whose data is the same in either layout.
   * Default false (batch-first, as the model's forward).
   */
  timeMajor?: boolean;
  /** Written to the file's doc_string. */
  doc?: string;
  /** More metadata_props (key → string), e.g. the `lstm-ts.metadata` that `lstm convert` carries (scaler, vocabulary, ...). */
  metadata?: Record<string, string>;
}

type AttrValue = number | number[] | string | { float: number };

/** Collects nodes and initializers with unique names. */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private count = 0;

  private fresh(prefix: string): string {
    return `${prefix}_${this.count++}`;
  }

  /** A float32 initializer (PyTorch-style names are kept as given). */
  weight(name: string, shape: number[], data: ArrayLike<number>): string {
    this.initializers.push(tensorProtoFrom(name, DataType.FLOAT, shape, data));
    return name;
  }

  /** An int64 constant (1-D unless shape is given). */
  ints(values: number[], shape: number[] = [values.length]): string {
    const name = this.fresh('const');
    this.initializers.push(tensorProtoFrom(name, DataType.INT64, shape, values));
    return name;
  }

  /** A float32 constant with a fresh name. */
  floats(values: number[], shape: number[] = [values.length]): string {
    const name = this.fresh('const');
    this.initializers.push(tensorProtoFrom(name, DataType.FLOAT, shape, values));
    return name;
  }

  /** Add a node with nOut fresh output names; returns them. */
  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, nOut = 1): string[] {
    const outputs = Array.from({ length: nOut }, () => this.fresh(op.toLowerCase()));
    this.nodes.push({ opType: op, name: this.fresh(`${op}_node`), input: inputs, output: outputs, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return outputs;
  }

  one(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    return this.node(op, inputs, attrs, 1)[0]!;
  }
}

function attribute(name: string, v: AttrValue): AttributeProto {
  if (typeof v === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: AttrType.INTS, ints: v };
  if (typeof v === 'object') return { name, type: AttrType.FLOAT, f: v.float };
  return { name, type: AttrType.INT, i: v };
}

/** A tensor graph input/output declaration; string dims are dynamic (dim_param). */
export function valueInfo(name: string, elemType: number, dims: Array<number | string>): ValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  };
}

/**
 * ONNX W (D, G·H, I), R (D, G·H, Hout), B (D, 2·G·H) and, for an LSTM with peepholes, P (D, 3·H)
 * of stacked layer l of a recurrent module, gate blocks reordered from PyTorch's order to
 * ONNX's (P: i, o, f). Throws for projSize (ONNX's LSTM has no projection).
 */
export function onnxRecurrentWeights(layer: RecurrentBase, l: number): {
  W: Float64Array; R: Float64Array; B: Float64Array; P: Float64Array | null;
  wShape: number[]; rShape: number[]; bShape: number[]; pShape: number[];
} {
  if (layer.projSize > 0) throw new RangeError(`exportOnnx: ${layer.kind} with projSize has no ONNX equivalent (the ONNX LSTM operator has no projection)`);
  const sd = layer.stateDict();
  const G = GATE_COUNT[layer.mode], H = layer.hiddenSize, D = layer.numDirections;
  const I = l === 0 ? layer.inputSize : D * H;
  const perm = gatePermutation(layer.mode, 'torch', 'onnx'), pPerm = peepholePermutation('torch', 'onnx');
  const W = new Float64Array(D * G * H * I), R = new Float64Array(D * G * H * H), B = new Float64Array(D * 2 * G * H);
  const P = layer.peephole ? new Float64Array(D * 3 * H) : null;
  for (let d = 0; d < D; d++) {
    const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
    W.set(reorderGates(sd[`weight_ih${sfx}`]!.data, 0, G, H, I, perm), d * G * H * I);
    R.set(reorderGates(sd[`weight_hh${sfx}`]!.data, 0, G, H, H, perm), d * G * H * H);
    if (layer.bias) {
      B.set(reorderGates(sd[`bias_ih${sfx}`]!.data, 0, G, H, 1, perm), d * 2 * G * H);
      B.set(reorderGates(sd[`bias_hh${sfx}`]!.data, 0, G, H, 1, perm), d * 2 * G * H + G * H);
    }
    if (P) P.set(reorderGates(sd[`weight_ph${sfx}`]!.data, 0, 3, H, 1, pPerm), d * 3 * H);
  }
  return { W, R, B, P, wShape: [D, G * H, I], rShape: [D, G * H, H], bShape: [D, 2 * G * H], pShape: [D, 3 * H] };
}

/** The ONNX node attributes of a recurrent module. */
function recurrentAttrs(layer: RecurrentBase): Record<string, AttrValue> {
  const attrs: Record<string, AttrValue> = { hidden_size: layer.hiddenSize, direction: layer.bidirectional ? 'bidirectional' : 'forward' };
  if (layer.mode === 'gru') attrs.linear_before_reset = 1;
  if (layer.mode === 'rnn') attrs.activations = layer.nonlinearity === 'relu' ? 'Relu' : 'Tanh';
  return attrs;
}

/**
 * Add the nodes of a recurrent module. x is (seq, batch, I), seqLens an int32 (batch) value or
 * ''; h0/c0 (L·D, batch, H) or ''. Returns output (seq, batch, D·H) and per-layer Y_h / Y_c.
 */
function addRecurrent(g: GraphBuilder, layer: RecurrentBase, prefix: string, x: string, seqLens: string, h0: string, c0: string): { y: string; hs: string[]; cs: string[] } {
  const D = layer.numDirections, L = layer.numLayers;
  const hs: string[] = [], cs: string[] = [];
  let cur = x;
  for (let l = 0; l < L; l++) {
    const w = onnxRecurrentWeights(layer, l);
    const W = g.weight(`${prefix}.W_l${l}`, w.wShape, w.W);
    const R = g.weight(`${prefix}.R_l${l}`, w.rShape, w.R);
    const B = g.weight(`${prefix}.B_l${l}`, w.bShape, w.B);
    // This layer's slice of the stacked initial state: rows l·D .. (l+1)·D.
    const part = (s: string): string => (s === '' || L === 1 ? s : g.one('Slice', [s, g.ints([l * D]), g.ints([(l + 1) * D]), g.ints([0])]));
    const inputs = [cur, W, R, B, seqLens, part(h0)];
    if (layer.mode === 'lstm') inputs.push(part(c0), w.P ? g.weight(`${prefix}.P_l${l}`, w.pShape, w.P) : '');
    while (inputs.length > 0 && inputs[inputs.length - 1] === '') inputs.pop();
    const op = layer.kind;
    const node: NodeProto = {
      opType: op, name: `${prefix}_${op}_l${l}`, input: inputs,
      output: [`${prefix}_Y_l${l}`, `${prefix}_Yh_l${l}`, ...(layer.mode === 'lstm' ? [`${prefix}_Yc_l${l}`] : [])],
      attribute: Object.entries(recurrentAttrs(layer)).map(([k, v]) =>
        k === 'activations' ? { name: k, type: AttrType.STRINGS, strings: Array.from({ length: D }, () => new TextEncoder().encode(v as string)) } : attribute(k, v)),
    };
    g.nodes.push(node);
    hs.push(node.output![1]!);
    if (layer.mode === 'lstm') cs.push(node.output![2]!);
    // Y (seq, D, batch, H) → (seq, batch, D·H).
    const Y = node.output![0]!;
    cur = D === 1 ? g.one('Squeeze', [Y, g.ints([1])]) : g.one('Reshape', [g.one('Transpose', [Y], { perm: [0, 2, 1, 3] }), g.ints([0, 0, -1])]);
  }
  return { y: cur, hs, cs };
}

/**
 * A projected LSTM as ONNX Scan loops, one per layer and direction; x is (seq, batch, I),
 * `lengths` whether the graph has the int64 input "lengths" (batch); h0 (L·D, batch, Hout) and
 * c0 (L·D, batch, H) or ''. Per direction, XW = x·W_ihᵀ + b_ih + b_hh for all steps (one
 * MatMul), then a Scan over time carrying h (batch, Hout) and c (batch, H) with the body
 *   G = XW_t + h·W_hhᵀ;  i, f, g, o = Split(G);  c' = σ(f)⊙c + σ(i)⊙tanh(g);  h' = (σ(o)⊙tanh(c'))·W_hrᵀ
 * (with peepholes, p_i⊙c and p_f⊙c added to i and f, and p_o⊙c' to o, before their σ).
 * With lengths, a step at or past a row's length keeps the state and outputs 0 (Where on a bool
 * mask (seq, batch, 1)), and the reverse direction runs on ReverseSequence(XW) and reverses its
 * output back, so that each row starts at its own last step (PyTorch's packed sequences);
 * without lengths the reverse direction is a reverse Scan. Weights keep their PyTorch names and
 * layouts (`${prefix}.weight_ih_l0`, ...), read back by sequentialFromOnnx.
 */
function addProjectedLstm(g: GraphBuilder, layer: RecurrentBase, prefix: string, x: string, lengths: boolean, h0: string, c0: string): { y: string; hs: string[]; cs: string[] } {
  const D = layer.numDirections, L = layer.numLayers, H = layer.hiddenSize, P = layer.hOut;
  const sd = layer.stateDict();
  const batch = g.one('Gather', [g.one('Shape', [x]), g.ints([1])], { axis: 0 }); // (1) int64
  const zeros = (n: number): string => g.one('ConstantOfShape', [g.one('Concat', [batch, g.ints([n])], { axis: 0 })]); // float 0 by default
  // (seq, batch, 1) bool: step t is inside row b.
  let mask = '';
  if (lengths) {
    const T = g.one('Gather', [g.one('Shape', [x]), g.ints([0], [])], { axis: 0 });
    const steps = g.one('Unsqueeze', [g.one('Range', [g.ints([0], []), T, g.ints([1], [])]), g.ints([1])]);
    mask = g.one('Unsqueeze', [g.one('Less', [steps, g.one('Unsqueeze', ['lengths', g.ints([0])])]), g.ints([2])]);
  }
  const zero = lengths ? g.floats([0], []) : '', quarters = g.ints([H, H, H, H]); // zero: the output past a row's end
  const hs: string[] = [], cs: string[] = [];
  let cur = x;
  for (let l = 0; l < L; l++) {
    const I = l === 0 ? layer.inputSize : D * P;
    const ys: string[] = [], hN: string[] = [], cN: string[] = [];
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`, rev = d === 1;
      const param = (n: string, shape: number[]): string => g.weight(`${prefix}.${n}${sfx}`, shape, sd[`${n}${sfx}`]!.data);
      const wIh = param('weight_ih', [4 * H, I]), wHh = param('weight_hh', [4 * H, P]), wHr = param('weight_hr', [P, H]);
      // Peepholes p_i, p_f, p_o (H), rows of weight_ph (3, H).
      const wPh = layer.peephole ? param('weight_ph', [3, H]) : '';
      const [pI, pF, pO] = [0, 1, 2].map((k) => (wPh ? g.one('Gather', [wPh, g.ints([k], [])], { axis: 0 }) : ''));
      let xw = g.one('MatMul', [cur, g.one('Transpose', [wIh], { perm: [1, 0] })]); // (seq, batch, 4H)
      if (layer.bias) xw = g.one('Add', [xw, g.one('Add', [param('bias_ih', [4 * H]), param('bias_hh', [4 * H])])]);
      if (rev && lengths) xw = g.one('ReverseSequence', [xw, 'lengths'], { batch_axis: 1, time_axis: 0 });
      const whhT = g.one('Transpose', [wHh], { perm: [1, 0] }), whrT = g.one('Transpose', [wHr], { perm: [1, 0] });
      const state = (s: string, n: number): string => (s === '' ? zeros(n) : g.one('Gather', [s, g.ints([l * D + d], [])], { axis: 0 }));
      // The loop body: (h, c, XW_t [, mask_t]) → (h', c', y_t).
      const b = `${prefix}${sfx}_step`;
      const n = (op: string, inputs: string[], out: string, attrs: Record<string, AttrValue> = {}): NodeProto =>
        ({ opType: op, name: `${b}_${out}`, input: inputs, output: [`${b}_${out}`], attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
      const v = (s: string): string => `${b}_${s}`;
      const body: NodeProto[] = [
        n('MatMul', [v('h'), whhT], 'hw'),
        n('Add', [v('xw'), v('hw')], 'g'),
        { opType: 'Split', name: `${b}_split`, input: [v('g'), quarters], output: ['i', 'f', 'c', 'o'].map((k) => v(`${k}_pre`)), attribute: [attribute('axis', 1)] },
        ...(wPh ? [n('Mul', [pI!, v('c')], 'pi_c'), n('Add', [v('i_pre'), v('pi_c')], 'i_in'), n('Mul', [pF!, v('c')], 'pf_c'), n('Add', [v('f_pre'), v('pf_c')], 'f_in')] : []),
        n('Sigmoid', [v(wPh ? 'i_in' : 'i_pre')], 'i'), n('Sigmoid', [v(wPh ? 'f_in' : 'f_pre')], 'f'), n('Tanh', [v('c_pre')], 'cand'),
        n('Mul', [v('f'), v('c')], 'fc'), n('Mul', [v('i'), v('cand')], 'ic'), n('Add', [v('fc'), v('ic')], 'c_new'),
        // The output gate looks at the new cell.
        ...(wPh ? [n('Mul', [pO!, v('c_new')], 'po_c'), n('Add', [v('o_pre'), v('po_c')], 'o_in')] : []),
        n('Sigmoid', [v(wPh ? 'o_in' : 'o_pre')], 'o'),
        n('Tanh', [v('c_new')], 'tc'), n('Mul', [v('o'), v('tc')], 'm'), n('MatMul', [v('m'), whrT], 'h_new'),
        ...(lengths
          ? [n('Where', [v('mask'), v('h_new'), v('h')], 'h_out'), n('Where', [v('mask'), v('c_new'), v('c')], 'c_out'), n('Where', [v('mask'), v('h_new'), zero], 'y')]
          : [n('Identity', [v('h_new')], 'h_out'), n('Identity', [v('c_new')], 'c_out'), n('Identity', [v('h_new')], 'y')]),
      ];
      const f = (name: string, dims: Array<number | string>, type: number = DataType.FLOAT): ValueInfoProto => valueInfo(v(name), type, dims);
      const graph = {
        name: b, node: body,
        input: [f('h', ['batch', P]), f('c', ['batch', H]), f('xw', ['batch', 4 * H]), ...(lengths ? [f('mask', ['batch', 1], DataType.BOOL)] : [])],
        output: [f('h_out', ['batch', P]), f('c_out', ['batch', H]), f('y', ['batch', P])],
      };
      const outs = g.node('Scan', [state(h0, P), state(c0, H), xw, ...(lengths ? [mask] : [])], {}, 3);
      const scan = g.nodes[g.nodes.length - 1]!;
      scan.attribute = [
        { name: 'body', type: AttrType.GRAPH, g: graph },
        attribute('num_scan_inputs', lengths ? 2 : 1),
        ...(rev && !lengths ? [attribute('scan_input_directions', [1]), attribute('scan_output_directions', [1])] : []),
      ];
      const [hOut, cOut, yd] = outs as [string, string, string];
      ys.push(rev && lengths ? g.one('ReverseSequence', [yd, 'lengths'], { batch_axis: 1, time_axis: 0 }) : yd);
      hN.push(g.one('Unsqueeze', [hOut, g.ints([0])]));
      cN.push(g.one('Unsqueeze', [cOut, g.ints([0])]));
    }
    cur = D === 1 ? ys[0]! : g.one('Concat', ys, { axis: 2 });
    hs.push(D === 1 ? hN[0]! : g.one('Concat', hN, { axis: 0 }));
    cs.push(D === 1 ? cN[0]! : g.one('Concat', cN, { axis: 0 }));
  }
  return { y: cur, hs, cs };
}

/** Build the ModelProto bytes of a model. */
export function encodeOnnx(model: Module, opts: ExportOnnxOptions = {}): Uint8Array {
  const g = new GraphBuilder();
  const inputs: ValueInfoProto[] = [], outputs: ValueInfoProto[] = [];
  if (model instanceof RecurrentBase) {
    // A lone layer, as PyTorch's module: (x [, h0, c0]) → (output, h_n [, c_n]).
    if (opts.timeMajor) throw new RangeError('exportOnnx: timeMajor is for a Sequential; a lone layer is exported in its own layout (batchFirst)');
    const bf = model.batchFirst;
    const I = model.inputSize, LD = model.numLayers * model.numDirections, H = model.hiddenSize, P = model.hOut;
    inputs.push(valueInfo('x', DataType.FLOAT, bf ? ['batch', 'seq', I] : ['seq', 'batch', I]));
    let h0 = '', c0 = '';
    if (opts.initialState) {
      inputs.push(valueInfo('h0', DataType.FLOAT, [LD, 'batch', P]));
      h0 = 'h0';
      if (model.mode === 'lstm') {
        inputs.push(valueInfo('c0', DataType.FLOAT, [LD, 'batch', H]));
        c0 = 'c0';
      }
    }
    const seqLens = lengthsInput(g, inputs, opts);
    const x = bf ? g.one('Transpose', ['x'], { perm: [1, 0, 2] }) : 'x';
    const r = model.projSize > 0 ? addProjectedLstm(g, model, 'rnn', x, opts.lengths ?? false, h0, c0) : addRecurrent(g, model, 'rnn', x, seqLens, h0, c0);
    g.nodes.push({ opType: 'Identity', name: 'out_output', input: [bf ? g.one('Transpose', [r.y], { perm: [1, 0, 2] }) : r.y], output: ['output'] });
    g.nodes.push({ opType: r.hs.length > 1 ? 'Concat' : 'Identity', name: 'out_h', input: r.hs, output: ['h_n'], attribute: r.hs.length > 1 ? [attribute('axis', 0)] : [] });
    outputs.push(valueInfo('output', DataType.FLOAT, bf ? ['batch', 'seq', model.outputSize] : ['seq', 'batch', model.outputSize]));
    outputs.push(valueInfo('h_n', DataType.FLOAT, [LD, 'batch', P]));
    if (model.mode === 'lstm') {
      g.nodes.push({ opType: r.cs.length > 1 ? 'Concat' : 'Identity', name: 'out_c', input: r.cs, output: ['c_n'], attribute: r.cs.length > 1 ? [attribute('axis', 0)] : [] });
      outputs.push(valueInfo('c_n', DataType.FLOAT, [LD, 'batch', H]));
    }
  } else if (isSequential(model)) {
    exportSequential(g, model, inputs, outputs, opts);
  } else {
    throw new TypeError(`exportOnnx: expected a Sequential model or an LSTM/GRU/RNN layer, got ${model.constructor.name}`);
  }
  if (model.dtype !== 'float32') throw new RangeError(`exportOnnx: only float32 models can be exported, this one is ${model.dtype}`);
  return encodeModelProto({
    irVersion: 8,
    opsetImport: [{ domain: '', version: EXPORT_OPSET }],
    producerName: 'lstm-ts',
    producerVersion: '0.1.0',
    ...(opts.doc ? { docString: opts.doc } : {}),
    // The architecture, so that sequentialFromOnnx can rebuild the native model from this file.
    metadataProps: [
      ...(isSequential(model) ? [{ key: ONNX_CONFIG_KEY, value: JSON.stringify(model.config()) }] : []),
      ...Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    ],
    graph: { name: 'lstm-ts', node: g.nodes, initializer: g.initializers, input: inputs, output: outputs },
  });
}

/** A Sequential, recognised by shape (a type-only import keeps the training code out of this module's imports). */
function isSequential(m: Module): m is Sequential {
  const s = m as unknown as Partial<Sequential>;
  return Array.isArray(s.layers) && Array.isArray(s.layerNames) && typeof s.inputKind === 'string';
}

/** The optional `lengths` input, cast to the int32 ONNX's sequence_lens needs ('' if absent). */
function lengthsInput(g: GraphBuilder, inputs: ValueInfoProto[], opts: ExportOnnxOptions): string {
  if (!opts.lengths) return '';
  inputs.push(valueInfo('lengths', DataType.INT64, ['batch']));
  return g.one('Cast', ['lengths'], { to: DataType.INT32 });
}

function exportSequential(g: GraphBuilder, model: Sequential, inputs: ValueInfoProto[], outputs: ValueInfoProto[], opts: ExportOnnxOptions): void {
  const hasSeq = model.layers.some((l) => l instanceof RecurrentBase || l instanceof LastStep || l instanceof Embedding);
  const tmIo = opts.timeMajor ?? false;
  if (tmIo && !hasSeq) throw new RangeError('exportOnnx: timeMajor needs a model with a time axis (a recurrent layer, LastStep or Embedding)');
  const seqDims = tmIo ? ['seq', 'batch'] : ['batch', 'seq'];
  if (model.inputKind === 'ids') inputs.push(valueInfo('x', DataType.INT64, seqDims));
  else inputs.push(valueInfo('x', DataType.FLOAT, hasSeq ? [...seqDims, model.inputSize] : ['batch', model.inputSize]));
  const seqLens = lengthsInput(g, inputs, opts);
  let cur = 'x';
  let timeMajor = tmIo; // cur is (seq, batch, F) rather than (batch, seq, F)
  let seq = hasSeq; // cur still has a time axis
  model.layers.forEach((layer, i) => {
    const name = model.layerNames[i]!;
    if (layer instanceof Embedding) {
      cur = g.one('Gather', [g.weight(`${name}.weight`, [layer.numEmbeddings, layer.embeddingDim], layer.stateDict().weight!.data), cur], { axis: 0 });
    } else if (layer instanceof RecurrentBase) {
      if (!timeMajor) cur = g.one('Transpose', [cur], { perm: [1, 0, 2] });
      timeMajor = true;
      cur = (layer.projSize > 0 ? addProjectedLstm(g, layer, name, cur, opts.lengths ?? false, '', '') : addRecurrent(g, layer, name, cur, seqLens, '', '')).y;
    } else if (layer instanceof Dropout) {
      // Identity at inference.
    } else if (layer instanceof LastStep) {
      const axis = timeMajor ? 0 : 1;
      if (!opts.lengths) {
        cur = g.one('Squeeze', [g.one('Gather', [cur, g.ints([-1])], { axis }), g.ints([axis])]);
      } else {
        // One-hot over time picks step lengths[b]−1 of each row: Σ_t [t = len_b − 1] · x[t, b, :].
        if (!timeMajor) cur = g.one('Transpose', [cur], { perm: [1, 0, 2] });
        const T = g.one('Gather', [g.one('Shape', [cur]), g.ints([0], [])], { axis: 0 });
        const steps = g.one('Unsqueeze', [g.one('Range', [g.ints([0], []), T, g.ints([1], [])]), g.ints([1])]); // (seq, 1)
        const last = g.one('Sub', ['lengths', g.ints([1], [])]); // (batch)
        const mask = g.one('Cast', [g.one('Equal', [steps, last])], { to: DataType.FLOAT }); // (seq, batch)
        cur = g.one('ReduceSum', [g.one('Mul', [cur, g.one('Unsqueeze', [mask, g.ints([2])])]), g.ints([0])], { keepdims: 0 });
      }
      seq = false;
      timeMajor = false;
    } else if (layer instanceof Dense) {
      const sd = layer.stateDict();
      const O = layer.outputSize, I = layer.inputSize;
      const wt = transpose2d(sd.weight!.data, O, I, new Float64Array(I * O)); // Wᵀ (I,O) so that MatMul(x, Wᵀ) works for any rank
      cur = g.one('MatMul', [cur, g.weight(`${name}.weight_t`, [I, O], wt)]);
      if (layer.hasBias) cur = g.one('Add', [cur, g.weight(`${name}.bias`, [O], sd.bias!.data)]);
      const act = { linear: '', relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid' }[layer.activation];
      if (act) cur = g.one(act, [cur]);
    } else {
      throw new TypeError(`exportOnnx: layer "${name}" (${layer.constructor.name}) has no ONNX export`);
    }
  });
  if (timeMajor && !tmIo) cur = g.one('Transpose', [cur], { perm: [1, 0, 2] });
  // The node that computes the output names it y; an Identity (a copy onnxruntime makes on
  // every run) only where there is no such node (the input itself, say).
  const last = g.nodes.find((n) => n.output?.includes(cur));
  const readers = g.nodes.filter((n) => n.input?.includes(cur)).length;
  if (last && readers === 0) last.output = last.output!.map((o) => (o === cur ? 'y' : o));
  else g.nodes.push({ opType: 'Identity', name: 'output', input: [cur], output: ['y'] });
  outputs.push(valueInfo('y', DataType.FLOAT, seq ? [...seqDims, model.outputSize] : ['batch', model.outputSize]));
}

/** Write `model` to `path` as ONNX (atomically). See encodeOnnx for the graph. */
export function exportOnnx(model: Module, path: string, opts: ExportOnnxOptions = {}): void {
  writeFileAtomicSync(path, encodeOnnx(model, opts));
}
