/**
 * The peephole LSTM (`new LSTM({ ..., peephole: true })`) outside its gradient checks
 * (test/core/gradcheck), the case by hand (test/core/lstm-by-hand) and the onnxruntime
 * comparisons (test/io/onnx-core, onnx-export): its parameters and their names, its config
 * through model files, Sequential.fromConfig and state_dict inference, the formats that refuse
 * it by name (PyTorch state_dicts, TF.js), the traced gates against the peephole equations
 * recomputed here in float64, and the WebAssembly backend against the reference one in float32
 * at a batch that would take the whole-sequence kernel (which has no peepholes, so the layer
 * must not use it).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Dense, GRU, LSTM, LastStep, RNN, Rng, Sequential, Tensor, configParameterCount, convertModel, decodeModel, encodeModel,
  readAnyModel, saveModel, saveTfjsModel, saveTorchStateDict, trace, writeSafetensors,
} from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { maxDiff } from '../helpers/compare.js';

function rand(shape: number[], seed: number, scale = 1, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const r = new Rng(seed), t = Tensor.zeros(shape, dtype);
  for (let i = 0; i < t.size; i++) t.data[i] = r.uniform(-scale, scale);
  return t;
}

const model = (peephole = true): Sequential => new Sequential([
  ['lstm', new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, peephole, batchFirst: true, seed: 1 })],
  ['last', new LastStep()],
  ['fc', new Dense({ inputSize: 6, outputSize: 1, seed: 2 })],
]).eval() as Sequential;

describe('peephole LSTM: parameters, config, formats', () => {
  test('weight_ph_l{k}[_reverse] of shape (3, H) after each direction\'s PyTorch parameters; only with peephole: true', () => {
    const l = new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, projSize: 2, peephole: true });
    const names = l.namedParameters().map(([n, p]) => `${n} ${p.shape.join('x')}`);
    assert.deepEqual(names.slice(0, 6), ['weight_ih_l0 12x2', 'weight_hh_l0 12x2', 'bias_ih_l0 12', 'bias_hh_l0 12', 'weight_hr_l0 2x3', 'weight_ph_l0 3x3']);
    assert.ok(names.includes('weight_ph_l1_reverse 3x3'), names.join(', '));
    assert.equal(l.numParameters(), new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, projSize: 2 }).numParameters() + 4 * 3 * 3);
    assert.equal(l.config().peephole, true);
    assert.equal('peephole' in new LSTM({ inputSize: 2, hiddenSize: 3 }).config(), false, 'a plain LSTM\'s config is as before');
    // Initialised like every other parameter: U(−1/√H, 1/√H), not zero.
    const p = l.stateDict().weight_ph_l0!.data, k = 1 / Math.sqrt(3);
    assert.ok(p.every((v) => Math.abs(v) <= k) && p.some((v) => v !== 0), `weight_ph_l0 = ${Array.from(p).join(', ')}`);
  });

  test('peephole is refused for GRU and RNN, and must be a boolean', () => {
    assert.throws(() => new GRU({ inputSize: 2, hiddenSize: 3, peephole: true } as never), /GRU: peephole is only supported by LSTM/);
    assert.throws(() => new RNN({ inputSize: 2, hiddenSize: 3, peephole: true } as never), /RNN: peephole is only supported by LSTM/);
    assert.throws(() => new LSTM({ inputSize: 2, hiddenSize: 3, peephole: 1 as never }), /LSTM: peephole must be true or false, got 1/);
  });

  test('the config travels with the model: model files, Sequential.fromConfig, configParameterCount', () => {
    const m = model();
    const x = rand([3, 5, 2], 3);
    const { model: back } = decodeModel(encodeModel(m));
    assert.deepEqual(back.config(), m.config());
    assert.equal(maxDiff(back.predict(x).data, m.predict(x).data), 0);
    const fresh = Sequential.fromConfig(m.config());
    assert.equal((fresh.layers[0] as LSTM).peephole, true);
    assert.equal(configParameterCount(m.config()), m.numParameters());
    assert.equal(configParameterCount(model(false).config()) + 4 * 3 * 3, m.numParameters());
  });

  test('saveTorchStateDict refuses it by name (torch.nn.LSTM has no peepholes), and so does lstm convert to a state_dict', () => {
    const dir = mkdtempSync(join(tmpdir(), 'peephole-'));
    try {
      const m = model();
      assert.throws(() => saveTorchStateDict(m, join(dir, 'm.safetensors')),
        /saveTorchStateDict: lstm\.weight_ph_l0 is a peephole weight .*torch\.nn\.LSTM has no peepholes.*exportOnnx/);
      assert.throws(() => saveTorchStateDict(m.layers[0]!, join(dir, 'l.safetensors'), { prefix: 'rnn.' }), /weight_ph_l0 is a peephole weight/);
      saveModel(m, join(dir, 'model.safetensors'));
      assert.throws(() => convertModel(join(dir, 'model.safetensors'), join(dir, 'torch.safetensors'), { to: 'torch' }), /weight_ph_l0 is a peephole weight/);
      assert.doesNotThrow(() => saveTorchStateDict(model(false), join(dir, 'plain.safetensors')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('saveTfjsModel refuses it by name (Keras\' LSTM has no peepholes)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'peephole-'));
    try {
      assert.throws(() => saveTfjsModel(model(), join(dir, 'model.json')), /saveTfjsModel: .*lstm: peephole \(Keras' LSTM layer has no peepholes\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a state_dict with weight_ph_l0 is read as a peephole LSTM (architecture inferred from the names)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'peephole-'));
    try {
      const m = model();
      const sd = m.stateDict();
      const path = join(dir, 'sd.safetensors');
      writeSafetensors(path, sd);
      const { model: back } = readAnyModel(path, 'torch', { lastStep: true });
      const lstm = back.layers[0] as LSTM;
      assert.equal(lstm.peephole, true);
      assert.equal(lstm.numParameters(), (m.layers[0] as LSTM).numParameters());
      const x = rand([2, 4, 2], 5);
      assert.equal(maxDiff(back.predict(x).data, m.predict(x).data), 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const backend of BACKENDS) {
  test(`trace() of a peephole LSTM (${backend}): i and f saw c_{t−1}, o saw c_t (recomputed in float64)`, () => {
    const H = 3, I = 2, T = 5, B = 2;
    const lstm = new LSTM({ inputSize: I, hiddenSize: H, bidirectional: true, peephole: true, dtype: 'float64', seed: 9, backend });
    const x = rand([T, B, I], 10, 1, 'float64');
    const lengths = [5, 3];
    const tr = trace(lstm, x, { lengths });
    const sd = lstm.stateDict();
    const sig = (v: number): number => 1 / (1 + Math.exp(-v));
    let checked = 0;
    for (const d of tr.directions) {
      const sfx = `_l0${d.reverse ? '_reverse' : ''}`;
      const wIh = sd[`weight_ih${sfx}`]!.data, wHh = sd[`weight_hh${sfx}`]!.data, bIh = sd[`bias_ih${sfx}`]!.data, bHh = sd[`bias_hh${sfx}`]!.data;
      const p = sd[`weight_ph${sfx}`]!.data;
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
        if (t >= lengths[b]!) continue;
        for (let j = 0; j < H; j++) {
          // Pre-activation of gate k (PyTorch order i, f, g, o) for unit j.
          const pre = (k: number): number => {
            const row = k * H + j;
            let s = bIh[row]! + bHh[row]!;
            for (let i = 0; i < I; i++) s += wIh[row * I + i]! * x.data[(t * B + b) * I + i]!;
            for (let i = 0; i < H; i++) s += wHh[row * H + i]! * d.hiddenPrev.data[(t * B + b) * H + i]!;
            return s;
          };
          const at = (t * B + b) * H + j, cPrev = d.cellPrev!.data[at]!, c = d.cell!.data[at]!;
          assert.ok(Math.abs(d.gates.input!.data[at]! - sig(pre(0) + p[j]! * cPrev)) < 1e-12, 'input gate');
          assert.ok(Math.abs(d.gates.forget!.data[at]! - sig(pre(1) + p[H + j]! * cPrev)) < 1e-12, 'forget gate');
          assert.ok(Math.abs(d.gates.output!.data[at]! - sig(pre(3) + p[2 * H + j]! * c)) < 1e-12, 'output gate');
          checked++;
        }
      }
    }
    assert.equal(checked, 2 * (5 + 3) * H);
  });
}

if (BACKENDS.includes('wasm')) {
  test('float32 on wasm equals the reference backend at a batch the whole-sequence kernel would take (forward and BPTT)', () => {
    const opts = { inputSize: 8, hiddenSize: 40, numLayers: 2, bidirectional: true, peephole: true, seed: 11 };
    const ref = new LSTM({ ...opts, backend: 'reference' }), wasm = new LSTM({ ...opts, backend: 'wasm' });
    const T = 12, B = 8, x = rand([T, B, 8], 12), lengths = [12, 3, 7, 12, 1, 9, 11, 5];
    const a = ref.forward(x, { lengths }), b = wasm.forward(x, { lengths });
    assert.ok(maxDiff(a.output.data, b.output.data) < 2e-6, `output ${maxDiff(a.output.data, b.output.data)}`);
    assert.ok(maxDiff(a.c!.data, b.c!.data) < 2e-6, 'c_n');
    const dOutput = rand(a.output.shape, 13);
    ref.zeroGrad(); wasm.zeroGrad();
    const ga = ref.backward({ dOutput }), gb = wasm.backward({ dOutput });
    assert.ok(maxDiff(ga.dInput.data, gb.dInput.data) < 1e-5, 'dInput');
    for (const [name, g] of Object.entries(ref.grads)) {
      const d = maxDiff(g.data, wasm.grads[name]!.data);
      const scale = Math.max(1, ...Array.from(g.data, Math.abs));
      assert.ok(d < 2e-5 * scale, `${name}: ${d}`);
    }
    // Without peepholes the same layer differs: the test would see a kernel that ignored them.
    const plain = new LSTM({ ...opts, peephole: false, backend: 'wasm' });
    plain.loadStateDict(Object.fromEntries(Object.entries(wasm.stateDict()).filter(([k]) => !k.startsWith('weight_ph'))));
    const off = maxDiff(plain.forward(x, { lengths }).output.data, b.output.data);
    assert.ok(off > 1e-2, `without peepholes the output moved by only ${off}`);
  });
}
