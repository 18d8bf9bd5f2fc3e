/**
 * saveTfjsModel: write a native Sequential as a TF.js Layers model (model.json + one weight
 * shard next to it) that `tf.loadLayersModel` reads, computing the same function:
 *   LSTM → Keras LSTM (recurrent_activation "sigmoid", kernel = weight_ihᵀ, recurrent_kernel =
 *   weight_hhᵀ, bias = bias_ih + bias_hh), one Keras layer per stacked layer, Bidirectional
 *   (concat) for bidirectional layers; RNN → SimpleRNN; LastStep → return_sequences = false on
 *   the preceding unidirectional layer; Dense, Embedding, Dropout as themselves.
 * Refused with the reason: GRU (TF.js' GRU only has reset_after = false, a different formula),
 * projSize, LastStep after a bidirectional layer (Keras would take the backward output at step
 * 0) or after a non-recurrent layer.
 */
import { basename, dirname, join } from 'node:path';
import { Dense, Dropout, Embedding, LastStep } from '../../nn/layers.js';
import { RecurrentBase } from '../../nn/recurrent.js';
import type { Sequential } from '../../nn/sequential.js';
import { writeFileAtomicSync } from '../atomic.js';
import { transpose2d } from '../../tensor/tensor.js';

interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
}

/** The model.json object and weight bytes for `model`; the shard is referenced as `shardName`. */
export function encodeTfjsModel(model: Sequential, shardName: string): { json: Record<string, unknown>; weights: Uint8Array } {
  const layers: KerasLayer[] = [];
  const specs: Array<{ name: string; shape: number[]; dtype: 'float32' }> = [];
  const chunks: Float32Array[] = [];
  const add = (name: string, shape: number[], data: Float32Array): void => {
    specs.push({ name, shape, dtype: 'float32' });
    chunks.push(data);
  };
  const problems: string[] = [];
  model.layers.forEach((layer, i) => {
    const name = model.layerNames[i]!;
    const first = layers.length === 0;
    const inputShape = first ? { batch_input_shape: model.inputKind === 'ids' ? [null, null] : [null, null, model.inputSize] } : {};
    if (layer instanceof Embedding) {
      layers.push({ class_name: 'Embedding', config: { name, input_dim: layer.numEmbeddings, output_dim: layer.embeddingDim, mask_zero: false, ...inputShape } });
      add(`${name}/embeddings`, [layer.numEmbeddings, layer.embeddingDim], Float32Array.from(layer.stateDict().weight!.data));
    } else if (layer instanceof Dense) {
      layers.push({ class_name: 'Dense', config: { name, units: layer.outputSize, activation: layer.activation, use_bias: layer.hasBias, ...inputShape } });
      add(`${name}/kernel`, [layer.inputSize, layer.outputSize], transpose2d(layer.stateDict().weight!.data, layer.outputSize, layer.inputSize));
      if (layer.hasBias) add(`${name}/bias`, [layer.outputSize], Float32Array.from(layer.stateDict().bias!.data));
    } else if (layer instanceof Dropout) {
      layers.push({ class_name: 'Dropout', config: { name, rate: layer.p, ...inputShape } });
    } else if (layer instanceof LastStep) {
      const prev = layers[layers.length - 1];
      if (!prev || !['LSTM', 'SimpleRNN'].includes(prev.class_name)) {
        problems.push(`${name}: LastStep must follow a unidirectional LSTM/RNN layer to become return_sequences = false`);
      } else prev.config.return_sequences = false;
    } else if (layer instanceof RecurrentBase) {
      if (layer.mode === 'gru') problems.push(`${name}: GRU (TF.js GRU layers only implement reset_after = false, which is a different formula)`);
      if (layer.projSize > 0) problems.push(`${name}: projSize (Keras LSTM has no projection)`);
      if (problems.length > 0) return;
      const cls = layer.mode === 'lstm' ? 'LSTM' : 'SimpleRNN';
      const G = layer.mode === 'lstm' ? 4 : 1, H = layer.hiddenSize, D = layer.numDirections;
      const sd = layer.stateDict();
      for (let l = 0; l < layer.numLayers; l++) {
        const lname = layer.numLayers > 1 ? `${name}_l${l}` : name;
        const I = l === 0 ? layer.inputSize : D * H;
        const cellConfig: Record<string, unknown> = {
          name: D === 2 ? `${lname}_cell` : lname, units: H, activation: layer.mode === 'rnn' ? layer.nonlinearity : 'tanh', use_bias: layer.bias,
          return_sequences: true, go_backwards: false, stateful: false, return_state: false,
          ...(layer.mode === 'lstm' ? { recurrent_activation: 'sigmoid', unit_forget_bias: false } : {}),
        };
        const kerasWeights = (sfx: string): Array<[string, number[], Float32Array]> => {
          const out: Array<[string, number[], Float32Array]> = [
            ['kernel', [I, G * H], transpose2d(sd[`weight_ih${sfx}`]!.data, G * H, I)],
            ['recurrent_kernel', [H, G * H], transpose2d(sd[`weight_hh${sfx}`]!.data, G * H, H)],
          ];
          if (layer.bias) {
            // Keras has one bias: the sum of PyTorch's two.
            const b = Float32Array.from(sd[`bias_ih${sfx}`]!.data);
            const bh = sd[`bias_hh${sfx}`]!.data;
            for (let k = 0; k < b.length; k++) b[k] = b[k]! + bh[k]!;
            out.push(['bias', [G * H], b]);
          }
          return out;
        };
        const withShape = l === 0 ? inputShape : {};
        if (D === 1) {
          layers.push({ class_name: cls, config: { ...cellConfig, ...withShape } });
          for (const [p, shape, data] of kerasWeights(`_l${l}`)) add(`${lname}/${p}`, shape, data);
        } else {
          layers.push({ class_name: 'Bidirectional', config: { name: lname, merge_mode: 'concat', layer: { class_name: cls, config: cellConfig }, ...withShape } });
          for (const [d, sfx] of [['forward', `_l${l}`], ['backward', `_l${l}_reverse`]] as const) {
            for (const [p, shape, data] of kerasWeights(sfx)) add(`${lname}/${d}_${cellConfig.name as string}/${p}`, shape, data);
          }
        }
      }
    } else {
      problems.push(`${name}: ${layer.constructor.name} has no TF.js equivalent`);
    }
  });
  if (problems.length > 0) throw new Error(`saveTfjsModel: the model cannot be written as TF.js: ${problems.join('; ')}`);
  const total = chunks.reduce((s, c) => s + c.length, 0);
  const all = new Float32Array(total);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  const json = {
    format: 'layers-model',
    generatedBy: 'lstm-ts',
    convertedBy: null,
    modelTopology: { class_name: 'Sequential', config: { name: 'lstm_ts', layers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
    weightsManifest: [{ paths: [shardName], weights: specs }],
  };
  return { json, weights: new Uint8Array(all.buffer) };
}

/**
 * Write model.json at `path` and its weight shard (`<name>.weights.bin`) next to it, atomically.
 * `userDefinedMetadata` goes into model.json as TF.js keeps it (`model.getUserDefinedMetadata()`).
 */
export function saveTfjsModel(model: Sequential, path: string, opts: { userDefinedMetadata?: Record<string, unknown> } = {}): void {
  const shard = `${basename(path).replace(/\.json$/i, '')}.weights.bin`;
  const { json, weights } = encodeTfjsModel(model, shard);
  if (opts.userDefinedMetadata) json.userDefinedMetadata = opts.userDefinedMetadata;
  writeFileAtomicSync(join(dirname(path), shard), weights);
  writeFileAtomicSync(path, JSON.stringify(json));
}
