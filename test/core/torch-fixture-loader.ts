/**
 * Loader for the PyTorch reference fixtures in test/fixtures/torch/ (made by
 * scripts/gen_torch_fixtures.py). Every `*.data.safetensors` file in the folder is one case, so
 * fixtures generated later with other configurations are picked up without touching the tests.
 * A case's `config` metadata uses torch.nn argument names; any name we do not know fails the
 * case rather than being ignored.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GRU, LSTM, RNN, Tensor, readSafetensors, type RecurrentBase, type DType } from '../../src/index.js';

export const TORCH_FIXTURE_DIR = fileURLToPath(new URL('../fixtures/torch/', import.meta.url));

export interface TorchCase {
  name: string;
  kind: 'LSTM' | 'GRU' | 'RNN';
  config: Record<string, unknown>;
  /** Precision PyTorch computed in. */
  dtype: DType;
  statePath: string;
  statePrefix: string;
  stateDtype: string;
  data: Record<string, Tensor>;
}

/** File names of all cases, sorted. */
export function torchFixtureNames(dir = TORCH_FIXTURE_DIR): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.data.safetensors')).sort();
}

export function loadTorchCase(file: string, dir = TORCH_FIXTURE_DIR): TorchCase {
  const { tensors, metadata } = readSafetensors(join(dir, file), { dtype: 'float64' });
  if (!metadata?.config || !metadata.state_file) throw new Error(`${file}: metadata needs config and state_file`);
  const config = JSON.parse(metadata.config) as Record<string, unknown>;
  const kind = config.kind as TorchCase['kind'];
  if (!['LSTM', 'GRU', 'RNN'].includes(kind)) throw new Error(`${file}: unknown kind ${String(kind)}`);
  const dtype: DType = metadata.dtype === 'float64' ? 'float64' : 'float32';
  return {
    name: file.replace(/\.data\.safetensors$/, ''), kind, config, dtype,
    statePath: join(dir, metadata.state_file), statePrefix: metadata.state_prefix ?? '', stateDtype: metadata.state_dtype ?? 'F32',
    data: tensors,
  };
}

/** torch.nn argument name → our option name. */
const OPTION_NAMES: Record<string, string> = {
  input_size: 'inputSize', hidden_size: 'hiddenSize', num_layers: 'numLayers', bias: 'bias', batch_first: 'batchFirst',
  dropout: 'dropout', bidirectional: 'bidirectional', proj_size: 'projSize', nonlinearity: 'nonlinearity',
};

/** Build the layer a case describes (weights still random; load the state next). */
export function buildLayer(c: TorchCase, backend: string): RecurrentBase {
  return buildRecurrent(c.kind, c.config, { backend, dtype: c.dtype }, c.name);
}

/** A recurrent layer from torch.nn arguments (`kind`, `name`, `type` keys are skipped). */
export function buildRecurrent(kind: string, config: Record<string, unknown>, base: Record<string, unknown>, where: string): RecurrentBase {
  const opts: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(config)) {
    if (k === 'kind' || k === 'name' || k === 'type') continue;
    const ours = OPTION_NAMES[k];
    if (!ours) throw new Error(`${where}: config option ${k} is not supported by the loader`);
    opts[ours] = v;
  }
  const Ctor = kind === 'LSTM' ? LSTM : kind === 'GRU' ? GRU : kind === 'RNN' ? RNN : null;
  if (!Ctor) throw new Error(`${where}: unknown recurrent kind ${kind}`);
  return new Ctor(opts as never);
}

/** Cast a float64 fixture tensor to the layer's dtype. */
export function asDtype(t: Tensor, dtype: DType): Tensor {
  return Tensor.from(t.data, t.shape, dtype);
}

export interface Diff {
  maxAbs: number;
  /** max over entries of |a−b| / (atol + rtol·|b|); ≤ 1 passes. */
  worstRatio: number;
  where: string;
}

/** Compare `got` with `want` entry by entry under |a−b| ≤ atol + rtol·|b|. */
export function compare(what: string, got: Tensor, want: Tensor, atol: number, rtol: number): Diff {
  if (got.shape.join(',') !== want.shape.join(',')) {
    throw new Error(`${what}: shape [${got.shape}] differs from PyTorch's [${want.shape}]`);
  }
  let maxAbs = 0, worstRatio = 0, where = '';
  for (let i = 0; i < want.size; i++) {
    const a = got.data[i]!, b = want.data[i]!;
    const d = Math.abs(a - b);
    const r = Number.isNaN(d) ? Infinity : d / (atol + rtol * Math.abs(b));
    if (d > maxAbs) maxAbs = d;
    if (r > worstRatio) {
      worstRatio = r;
      where = `${what}[${i}]: got ${a}, PyTorch ${b}`;
    }
  }
  return { maxAbs, worstRatio, where };
}
