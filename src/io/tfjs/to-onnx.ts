/**
 * A TF.js / Keras model straight to ONNX, for models with no native equivalent (TF.js' default
 * hard_sigmoid, TF.js' GRU with reset_after = false, Bidirectional sum/mul/ave or without
 * return_sequences, go_backwards, softmax heads). ONNX's LSTM/GRU/RNN operators take these
 * activations (HardSigmoid with alpha 0.2, beta 0.5 is Keras' hard_sigmoid) and GRU's
 * linear_before_reset = 0 is Keras' reset_after = false, so the file computes exactly what TF.js
 * does. Weights go from Keras layout to ONNX's: W = kernelᵀ with gate blocks i,f,c,o → i,o,f,c
 * (GRU z,r,h stays), R = recurrent_kernelᵀ, B = [bias; 0] (GRU reset_after: [bias[0]; bias[1]]).
 * go_backwards outputs come in processing order, so the reverse node's Y is flipped in time.
 * Masks (Masking, mask_zero) are not exported: a masked Keras layer repeats its last output at
 * padded steps, which ONNX's sequence_lens does not do.
 */
import { AttrType, DataType, encodeModelProto, type AttributeProto, type ValueInfoProto } from '../onnx/schema.js';
import { EXPORT_OPSET, GraphBuilder, valueInfo } from '../onnx/export.js';
import { gatePermutation } from '../gate-order.js';
import { directionInputSize, type Direction, type MergeMode, type TfjsModel } from './model.js';
import { transpose2d } from '../../tensor/tensor.js';
import { GATE_COUNT } from '../../nn/recurrent.js';

const ONNX_ACT: Record<string, string> = {
  sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu', hard_sigmoid: 'HardSigmoid', softsign: 'Softsign', softplus: 'Softplus', elu: 'Elu', linear: 'Affine',
};

function onnxAct(name: string, where: string): string {
  const a = ONNX_ACT[name];
  if (!a) throw new Error(`${where}: activation ${name} has no ONNX recurrent-activation equivalent`);
  return a;
}

/** ONNX W, R, B of one Keras direction (see the file header). */
function directionWeights(d: Direction, I: number): { W: Float32Array; R: Float32Array; B: Float32Array } {
  const H = d.spec.units, G = GATE_COUNT[d.spec.kind], GH = G * H;
  const perm = gatePermutation(d.spec.kind, 'onnx', 'keras'); // Keras block k is ONNX block perm[k]
  const W = new Float32Array(GH * I), R = new Float32Array(GH * H), B = new Float32Array(2 * GH);
  const { kernel, recurrent, bias } = d.weights;
  for (let k = 0; k < G; k++) for (let j = 0; j < H; j++) {
    const row = perm[k]! * H + j, col = k * H + j;
    for (let i = 0; i < I; i++) W[row * I + i] = kernel[i * GH + col]!;
    for (let i = 0; i < H; i++) R[row * H + i] = recurrent[i * GH + col]!;
    if (bias) {
      B[row] = bias[col]!;
      if (bias.length === 2 * GH) B[GH + row] = bias[GH + col]!;
    }
  }
  return { W, R, B };
}

/** Merge the two directions stacked on axis `axis` of `y` (and drop that axis). */
function merge(g: GraphBuilder, y: string, axis: number, rank: number, mode: MergeMode): string {
  if (mode === 'concat') {
    // Move D next to the feature axis, then fold it in: [..., D, H] → [..., D·H], forward first.
    const perm = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== axis);
    perm.splice(rank - 2, 0, axis);
    return g.one('Reshape', [g.one('Transpose', [y], { perm }), g.ints([...Array(rank - 2).fill(0), -1])]);
  }
  if (mode === 'mul') return g.one('Mul', [g.one('Gather', [y, g.ints([0], [])], { axis }), g.one('Gather', [y, g.ints([1], [])], { axis })]);
  const sum = g.one('ReduceSum', [y, g.ints([axis])], { keepdims: 0 });
  return mode === 'sum' ? sum : g.one('Mul', [sum, g.floats([0.5], [])]);
}

/** ONNX bytes computing what the TF.js model computes (throws naming what cannot be exported). */
export function encodeTfjsAsOnnx(model: TfjsModel): Uint8Array {
  if (!model.graph.sequential) throw new Error(`TF.js model "${model.name}": only Sequential TF.js models can be written to ONNX (this one is a Functional graph)`);
  const g = new GraphBuilder();
  const stages = model.stages;
  const hasSeq = stages.some((s) => s.kind === 'recurrent' || s.kind === 'embedding');
  const inputs: ValueInfoProto[] = [];
  let features = 0;
  let cur = 'x', timeMajor = false, seq = hasSeq;
  stages.forEach((s, k) => {
    const where = `layer "${s.name}"`;
    switch (s.kind) {
      case 'embedding':
        if (s.maskZero) throw new Error(`${where}: mask_zero masks cannot be exported to ONNX`);
        inputs.push(valueInfo('x', DataType.INT64, ['batch', 'seq']));
        cur = g.one('Gather', [g.weight(`${s.name}.embeddings`, [s.layer.numEmbeddings, s.layer.embeddingDim], s.layer.stateDict().weight!.data), cur], { axis: 0 });
        features = s.layer.embeddingDim;
        return;
      case 'masking': throw new Error(`${where}: Masking cannot be exported to ONNX (masked Keras layers repeat their last output)`);
      case 'dropout': return;
      case 'merge': case 'repeatVector': case 'reshape': case 'flatten':
        throw new Error(`${where}: ${s.kind} layers are not written to ONNX`);
      case 'activation':
        cur = s.activation === 'softmax' ? g.one('Softmax', [cur], { axis: -1 }) : g.one(onnxAct(s.activation, where), [cur]);
        return;
      case 'dense': {
        const { inputSize: I, outputSize: O } = s.layer;
        if (k === 0) inputs.push(valueInfo('x', DataType.FLOAT, hasSeq ? ['batch', 'seq', I] : ['batch', I]));
        const sd = s.layer.stateDict();
        const wt = transpose2d(sd.weight!.data, O, I);
        cur = g.one('MatMul', [cur, g.weight(`${s.name}.kernel`, [I, O], wt)]);
        if (s.layer.hasBias) cur = g.one('Add', [cur, g.weight(`${s.name}.bias`, [O], sd.bias!.data)]);
        const act = s.post ?? s.layer.activation;
        if (act === 'softmax') cur = g.one('Softmax', [cur], { axis: -1 });
        else if (act !== 'linear') cur = g.one(onnxAct(act, where), [cur]);
        features = O;
        return;
      }
      case 'recurrent': {
        if (s.stateful) throw new Error(`${where}: a stateful layer cannot be written to ONNX (its state lives between predict calls)`);
        const d0 = s.dirs[0]!, H = d0.spec.units, G = GATE_COUNT[d0.spec.kind], D = s.dirs.length;
        const I = directionInputSize(d0);
        if (k === 0) inputs.push(valueInfo('x', DataType.FLOAT, ['batch', 'seq', I]));
        if (!timeMajor) cur = g.one('Transpose', [cur], { perm: [1, 0, 2] });
        timeMajor = true;
        const ws = s.dirs.map((d) => directionWeights(d, I));
        const cat = (f: (w: { W: Float32Array; R: Float32Array; B: Float32Array }) => Float32Array): Float32Array => {
          const parts = ws.map(f);
          const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
          parts.reduce((off, p) => (out.set(p, off), off + p.length), 0);
          return out;
        };
        const W = g.weight(`${s.name}.W`, [D, G * H, I], cat((w) => w.W));
        const R = g.weight(`${s.name}.R`, [D, G * H, H], cat((w) => w.R));
        const B = g.weight(`${s.name}.B`, [D, 2 * G * H], cat((w) => w.B));
        const acts = s.dirs.flatMap((d) => {
          const a = onnxAct(d.spec.activation, where);
          return d.spec.kind === 'rnn' ? [a] : d.spec.kind === 'lstm' ? [onnxAct(d.spec.recurrentActivation, where), a, a] : [onnxAct(d.spec.recurrentActivation, where), a];
        });
        const direction = D === 2 ? 'bidirectional' : d0.spec.goBackwards ? 'reverse' : 'forward';
        const attrs: AttributeProto[] = [
          { name: 'hidden_size', type: AttrType.INT, i: H },
          { name: 'direction', type: AttrType.STRING, s: new TextEncoder().encode(direction) },
          { name: 'activations', type: AttrType.STRINGS, strings: acts.map((a) => new TextEncoder().encode(a)) },
          ...(d0.spec.kind === 'gru' ? [{ name: 'linear_before_reset', type: AttrType.INT, i: d0.spec.resetAfter ? 1 : 0 }] : []),
        ];
        const op = d0.spec.kind === 'lstm' ? 'LSTM' : d0.spec.kind === 'gru' ? 'GRU' : 'RNN';
        const outs = [`${s.name}_Y`, `${s.name}_Y_h`];
        g.nodes.push({ opType: op, name: s.name, input: [cur, W, R, B], output: outs, attribute: attrs });
        if (s.returnSequences) {
          // Y (seq, D, batch, H); a go_backwards layer lists its outputs in processing order.
          cur = D === 2 ? merge(g, outs[0]!, 1, 4, s.merge) : g.one('Squeeze', [outs[0]!, g.ints([1])]);
          if (D === 1 && d0.spec.goBackwards) cur = g.one('Slice', [cur, g.ints([-1]), g.ints([-Number.MAX_SAFE_INTEGER]), g.ints([0]), g.ints([-1])]);
        } else {
          cur = D === 2 ? merge(g, outs[1]!, 0, 3, s.merge) : g.one('Squeeze', [outs[1]!, g.ints([0])]);
          timeMajor = false;
          seq = false;
        }
        features = D === 2 && s.merge === 'concat' ? 2 * H : H;
        return;
      }
    }
  });
  if (inputs.length === 0) throw new Error('the model must start with Embedding, Dense or a recurrent layer to be exported to ONNX');
  if (timeMajor) cur = g.one('Transpose', [cur], { perm: [1, 0, 2] });
  g.nodes.push({ opType: 'Identity', name: 'output', input: [cur], output: ['y'] });
  return encodeModelProto({
    irVersion: 8,
    opsetImport: [{ domain: '', version: EXPORT_OPSET }],
    producerName: 'lstm-ts (from TF.js)',
    graph: { name: model.name, node: g.nodes, initializer: g.initializers, input: inputs, output: [valueInfo('y', DataType.FLOAT, seq ? ['batch', 'seq', features] : ['batch', features])] },
  });
}
