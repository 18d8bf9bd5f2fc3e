/**
 * Whole PyTorch models against their fixtures (scripts/gen_torch_fixtures.py MODEL_CASES, every
 * `*.model.safetensors` in test/fixtures/torch/): Embedding → LSTM/GRU/RNN → Linear, saved as one
 * state_dict (`embed.weight`, `rnn.weight_ih_l0`, `fc.weight`, ...) and loaded here into Embedding,
 * the recurrent layer and Dense under the same child names. Outputs and the gradients of
 * Σ output⊙R w.r.t. every parameter (and the float input) must agree to 1e-5 + 1e-4·|torch|.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Module, RecurrentBase, Tensor, loadTorchStateDict, readSafetensors } from '../../src/index.js';
import { Dense, Embedding } from '../../src/nn/layers.js';
import { BACKENDS } from '../helpers/backends.js';
import { TORCH_FIXTURE_DIR, buildRecurrent, compare } from './torch-fixture-loader.js';

const ATOL = 1e-5, RTOL = 1e-4;
const files = readdirSync(TORCH_FIXTURE_DIR).filter((f) => f.endsWith('.model.safetensors')).sort();

/** Named children in order, like a torch.nn.Module with attributes. */
class Stack extends Module {
  constructor(readonly layers: Array<[string, Module]>) {
    super();
  }
  override children(): Module[] {
    return this.layers.map(([, m]) => m);
  }
  override childName(i: number): string {
    return this.layers[i]![0];
  }
}

function build(desc: Array<Record<string, unknown>>, backend: string, where: string): Stack {
  return new Stack(desc.map((d): [string, Module] => {
    const { name, type, ...kw } = d as { name: string; type: string } & Record<string, unknown>;
    const known = (keys: string[]) => {
      for (const k of Object.keys(kw)) if (!keys.includes(k)) throw new Error(`${where}: ${type} option ${k} is not supported by the loader`);
    };
    if (type === 'Embedding') {
      known(['num_embeddings', 'embedding_dim', 'padding_idx']);
      return [name, new Embedding({ numEmbeddings: kw.num_embeddings as number, embeddingDim: kw.embedding_dim as number,
        ...(kw.padding_idx !== undefined && kw.padding_idx !== null ? { paddingIdx: kw.padding_idx as number } : {}), backend })];
    }
    if (type === 'Linear') {
      known(['in_features', 'out_features', 'bias']);
      return [name, new Dense({ inputSize: kw.in_features as number, outputSize: kw.out_features as number, bias: (kw.bias ?? true) as boolean, backend })];
    }
    return [name, buildRecurrent(type, kw, { backend }, where)];
  }));
}

test('the fixture folder holds whole-model cases', () => assert.ok(files.length >= 3));

for (const backend of BACKENDS) {
  describe(`PyTorch models on ${backend}`, () => {
    for (const file of files) {
      test(file.replace(/\.model\.safetensors$/, ''), (t) => {
        const { tensors: d, metadata } = readSafetensors(join(TORCH_FIXTURE_DIR, file));
        const desc = JSON.parse(metadata!.model!) as Array<Record<string, unknown>>;
        const model = build(desc, backend, file);
        model.eval();
        loadTorchStateDict(model, join(TORCH_FIXTURE_DIR, metadata!.state_file!));
        // forward through the stack; a recurrent layer hands on its output sequence
        let y = d.ids ?? d.x!;
        for (const [, m] of model.layers) y = m instanceof RecurrentBase ? m.forward(y).output : (m as Dense | Embedding).forward(y);
        model.zeroGrad();
        let dy: Tensor | undefined = d.R_output!;
        for (const [, m] of [...model.layers].reverse()) {
          if (m instanceof Embedding) {
            m.backward(dy!); // ids get no gradient
            dy = undefined;
          } else if (m instanceof Dense) dy = m.backward(dy!);
          else dy = (m as RecurrentBase).backward({ dOutput: dy! }).dInput;
        }
        const diffs = [compare('output', y, d.output!, ATOL, RTOL)];
        if (d.x) diffs.push(compare('grad.x', dy!, d['grad.x']!, ATOL, RTOL));
        const grads = model.grads;
        assert.deepEqual(Object.keys(d).filter((k) => k.startsWith('grad.') && k !== 'grad.x').sort(), Object.keys(grads).map((k) => `grad.${k}`).sort());
        for (const [k, g] of Object.entries(grads)) diffs.push(compare(`grad.${k}`, g, d[`grad.${k}`]!, ATOL, RTOL));
        const worst = diffs.reduce((a, b) => (b.worstRatio > a.worstRatio ? b : a));
        t.diagnostic(`max |diff| output ${diffs[0]!.maxAbs.toExponential(2)}, all ${Math.max(...diffs.map((x) => x.maxAbs)).toExponential(2)}; worst/tolerance ${worst.worstRatio.toFixed(3)} at ${worst.where}`);
        for (const x of diffs) assert.ok(x.worstRatio <= 1, `${file}: ${x.where} (max |diff| ${x.maxAbs})`);
      });
    }
  });
}
