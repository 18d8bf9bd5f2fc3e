/**
 * sequentialFromOnnx: rebuild the native Sequential model from an ONNX file written by
 * exportOnnx. Such files carry the model's config in metadata_props (`lstm-ts.config`) and name
 * their initializers after the layers (`lstm.W_l0`, `fc.weight_t`, ...), so the weights map
 * back exactly (gate blocks returned to PyTorch's order, Wᵀ transposed back). ONNX files from
 * other producers are run with loadOnnx; they are not converted to native models.
 */
import { Dense, Embedding } from '../../nn/layers.js';
import { GATE_COUNT, RecurrentBase } from '../../nn/recurrent.js';
import { Sequential, type SequentialConfig } from '../../nn/sequential.js';
import { transpose2d } from '../../tensor/tensor.js';
import { FormatError } from '../errors.js';
import { assertFiniteWeights } from '../finite.js';
import { checkLimit, type Limits } from '../limits.js';
import { configParameterCount } from '../model-file.js';
import { ONNX_CONFIG_KEY } from './export.js';
import { gatePermutation, peepholePermutation, reorderGates } from '../gate-order.js';
import { readModelProto } from './import.js';
import { valueFromTensorProto, type Value } from './tensor-proto.js';

/** Rebuild a native model from an exportOnnx file (path or bytes). */
export function sequentialFromOnnx(bytesOrPath: Uint8Array | string, opts: { backend?: string; name?: string; limits?: Partial<Limits> } = {}): Sequential {
  const { file, model: m } = readModelProto(bytesOrPath, opts.name, opts.limits);
  const entry = (m.metadataProps ?? []).find((p) => p.key === ONNX_CONFIG_KEY);
  if (!entry?.value) {
    throw new FormatError(file, `was not written by lstm-ts (no "${ONNX_CONFIG_KEY}" metadata), so it cannot be converted to a native model; run it with loadOnnx instead`);
  }
  let config: SequentialConfig;
  try {
    config = JSON.parse(entry.value) as SequentialConfig;
  } catch (e) {
    throw new FormatError(file, `metadata "${ONNX_CONFIG_KEY}" is not valid JSON`, { cause: e });
  }
  const inits = new Map<string, Value>();
  for (const t of m.graph?.initializer ?? []) if (t.name) inits.set(t.name, valueFromTensorProto(t, file, 'initializer'));
  // Refuse an architecture bigger than the weights present before allocating it (a 1.5 KB file
  // could otherwise make us allocate gigabytes).
  let need: number;
  try {
    need = configParameterCount(config);
  } catch (e) {
    throw new FormatError(file, `metadata "${ONNX_CONFIG_KEY}" does not describe a model: ${(e as Error).message}`, { cause: e });
  }
  let have = 0;
  for (const v of inits.values()) have += v.data.length;
  if (need > have) throw new FormatError(file, `metadata "${ONNX_CONFIG_KEY}" describes ${need} parameters but the file holds only ${have} initializer values`);
  checkLimit('parameters', need, `the model has ${need} parameters`, file, opts.limits);
  let model: Sequential;
  try {
    model = Sequential.fromConfig(config, opts.backend ? { backend: opts.backend } : {});
  } catch (e) {
    throw new FormatError(file, `metadata "${ONNX_CONFIG_KEY}" does not describe a model: ${(e as Error).message}`, { cause: e });
  }
  const get = (name: string, size: number): Value => {
    const v = inits.get(name);
    if (!v) throw new FormatError(file, `initializer "${name}" is missing`);
    if (v.data.length !== size) throw new FormatError(file, `initializer "${name}" has ${v.data.length} values, expected ${size}`);
    return v;
  };
  model.layers.forEach((layer, i) => {
    const name = model.layerNames[i]!;
    const sd = layer.stateDict();
    if (layer instanceof Embedding) sd.weight!.data.set(get(`${name}.weight`, sd.weight!.size).data);
    else if (layer instanceof Dense) {
      const I = layer.inputSize, O = layer.outputSize;
      transpose2d(get(`${name}.weight_t`, I * O).data, I, O, sd.weight!.data); // stored as Wᵀ (I,O)
      if (layer.hasBias) sd.bias!.data.set(get(`${name}.bias`, O).data);
    } else if (layer instanceof RecurrentBase && layer.projSize > 0) {
      // A projected LSTM was written as Scan loops with its PyTorch-named weights.
      for (const [k, p] of Object.entries(sd)) p.data.set(get(`${name}.${k}`, p.size).data);
    } else if (layer instanceof RecurrentBase) {
      const G = GATE_COUNT[layer.mode], H = layer.hiddenSize, D = layer.numDirections, perm = gatePermutation(layer.mode, 'onnx', 'torch');
      for (let l = 0; l < layer.numLayers; l++) {
        const I = l === 0 ? layer.inputSize : D * H;
        const W = get(`${name}.W_l${l}`, D * G * H * I).data, R = get(`${name}.R_l${l}`, D * G * H * H).data, B = get(`${name}.B_l${l}`, D * 2 * G * H).data;
        const P = layer.peephole ? get(`${name}.P_l${l}`, D * 3 * H).data : null;
        for (let d = 0; d < D; d++) {
          const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
          sd[`weight_ih${sfx}`]!.data.set(reorderGates(W, d * G * H * I, G, H, I, perm));
          sd[`weight_hh${sfx}`]!.data.set(reorderGates(R, d * G * H * H, G, H, H, perm));
          if (layer.bias) {
            sd[`bias_ih${sfx}`]!.data.set(reorderGates(B, d * 2 * G * H, G, H, 1, perm));
            sd[`bias_hh${sfx}`]!.data.set(reorderGates(B, d * 2 * G * H + G * H, G, H, 1, perm));
          }
          if (P) sd[`weight_ph${sfx}`]!.data.set(reorderGates(P, d * 3 * H, 3, H, 1, peepholePermutation('onnx', 'torch')));
        }
      }
    }
  });
  assertFiniteWeights(model.stateDict(), file, model.dtype === 'float64' ? 'float64' : 'float32');
  return model.eval() as Sequential;
}
