/**
 * PyTorch state_dicts through safetensors: loading the files PyTorch saved (with a prefix, a key
 * map, F16/BF16/F64 storage, into float32 and float64 modules, into a container with a Dense
 * head), clear errors on mismatches, and saving files whose bytes equal PyTorch's own.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LSTM, Module, Tensor, loadTorchStateDict, readSafetensors, saveTorchStateDict } from '../../src/index.js';
import { Dense } from '../../src/nn/layers.js';
import { TORCH_FIXTURE_DIR } from '../core/torch-fixture-loader.js';

const fx = (name: string) => join(TORCH_FIXTURE_DIR, `${name}.state.safetensors`);
const tmp = () => mkdtempSync(join(tmpdir(), 'torch-'));

/** torch's `class Wrapper(nn.Module): lstm = nn.LSTM(3, 4, 2); fc = nn.Linear(4, 1)` (the lstm_prefix fixture). */
class Wrapper extends Module {
  readonly lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
  readonly fc = new Dense({ inputSize: 4, outputSize: 1 });
  override children(): Module[] {
    return [this.lstm, this.fc];
  }
  override childName(i: number): string {
    return ['lstm', 'fc'][i]!;
  }
}

function same(a: Record<string, Tensor>, b: Record<string, Tensor>, keys: string[]): void {
  for (const k of keys) {
    assert.ok(a[k] && b[k], `missing ${k}`);
    assert.deepEqual(a[k]!.shape, b[k]!.shape, k);
    assert.deepEqual(Array.from(a[k]!.data), Array.from(b[k]!.data), k);
  }
}

describe('loadTorchStateDict', () => {
  test('a submodule prefix ("lstm.") is stripped and the head\'s keys are ignored', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
    const r = loadTorchStateDict(lstm, fx('lstm_prefix'), { prefix: 'lstm.' });
    assert.deepEqual(r.ignored.sort(), ['fc.bias', 'fc.weight']);
    assert.equal(r.metadata!.format, 'pt');
    const file = readSafetensors(fx('lstm_prefix')).tensors;
    for (const [name, value] of Object.entries(lstm.stateDict())) assert.deepEqual(Array.from(value.data), Array.from(file[`lstm.${name}`]!.data));
  });

  test('a whole PyTorch model loads into a container with the same child names, Dense head included', () => {
    const w = new Wrapper();
    const r = loadTorchStateDict(w, fx('lstm_prefix'));
    assert.deepEqual(r.ignored, []);
    assert.equal(r.loaded.length, 10);
    same(w.stateDict(), readSafetensors(fx('lstm_prefix')).tensors, Object.keys(w.stateDict()));
    assert.deepEqual(Object.keys(w.stateDict()).filter((k) => k.startsWith('fc.')), ['fc.weight', 'fc.bias']);
  });

  test('a key map renames or drops keys', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
    const r = loadTorchStateDict(lstm, fx('lstm_prefix'), { map: (k) => (k.startsWith('lstm.') ? k.slice(5) : null) });
    assert.deepEqual(r.ignored.sort(), ['fc.bias', 'fc.weight']);
  });

  test('without the prefix the error names the file, lists the mismatches and suggests the prefix', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
    assert.throws(() => loadTorchStateDict(lstm, fx('lstm_prefix')), (e: Error) => {
      assert.match(e.message, /lstm_prefix\.state\.safetensors: loadStateDict: missing: weight_ih_l0, weight_hh_l0/);
      assert.match(e.message, /unexpected: .*fc\.weight/);
      assert.match(e.message, /try prefix "lstm\."/);
      return true;
    });
  });

  test('mis-shaped entries name the file, the entry, and both shapes', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5 });
    assert.throws(() => loadTorchStateDict(lstm, fx('lstm_1l')), /lstm_1l\.state\.safetensors: loadStateDict: wrong shape: weight_ih_l0 \(expected \[20, 3\], found \[16, 3\]\)/);
  });

  test('strict: false ignores unknown keys but still requires every parameter', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4 });
    const r = loadTorchStateDict(lstm, fx('lstm_2l_h0'), { strict: false });
    assert.deepEqual(r.ignored.sort(), ['bias_hh_l1', 'bias_ih_l1', 'weight_hh_l1', 'weight_ih_l1']);
    const two = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 3 });
    assert.throws(() => loadTorchStateDict(two, fx('lstm_2l_h0'), { strict: false }), /missing: weight_ih_l2/);
  });

  test('F16, BF16 and F64 storage converts to float32, and to float64 modules', () => {
    for (const [name, opts] of [['lstm_f16', { numLayers: 2, bidirectional: true }], ['lstm_bf16', { projSize: 2 }]] as const) {
      const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, ...opts });
      loadTorchStateDict(lstm, fx(name));
      same(lstm.stateDict(), readSafetensors(fx(name)).tensors, Object.keys(lstm.stateDict()));
    }
    const l64 = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, projSize: 2, dtype: 'float64' });
    loadTorchStateDict(l64, fx('lstm_f64_2l_bidir_proj'));
    const file = readSafetensors(fx('lstm_f64_2l_bidir_proj'), { dtype: 'float64' }).tensors;
    same(l64.stateDict(), file, Object.keys(l64.stateDict()));
    assert.ok(l64.flat instanceof Float64Array);
    // and F64 values that float32 cannot hold arrive unrounded
    const src = new LSTM({ inputSize: 3, hiddenSize: 4, dtype: 'float64', seed: 9 });
    assert.notEqual(src.flat[0], Math.fround(src.flat[0]!));
    const p = join(tmp(), 'f64.safetensors');
    saveTorchStateDict(src, p, { dtype: 'F64' });
    const dst = new LSTM({ inputSize: 3, hiddenSize: 4, dtype: 'float64' });
    loadTorchStateDict(dst, p);
    assert.deepEqual(Array.from(dst.flat), Array.from(src.flat));
  });
});

describe('saveTorchStateDict', () => {
  test('re-saving what PyTorch saved gives PyTorch\'s own bytes (names, order, shapes, header)', () => {
    for (const [name, make] of [
      ['lstm_2l_bidir_proj', () => new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, projSize: 3 })],
      ['lstm_nobias', () => new LSTM({ inputSize: 3, hiddenSize: 4, bias: false })],
      ['lstm_prefix', () => new Wrapper()],
    ] as const) {
      const m = make();
      loadTorchStateDict(m, fx(name));
      const p = join(tmp(), 'out.safetensors');
      saveTorchStateDict(m, p);
      assert.ok(readFileSync(p).equals(readFileSync(fx(name))), `${name}: bytes differ from PyTorch's file`);
    }
  });

  test('prefix and dtype options', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, seed: 3 });
    const p = join(tmp(), 'm.safetensors');
    saveTorchStateDict(lstm, p, { prefix: 'encoder.rnn.', dtype: 'F16', metadata: { epochs: '3' } });
    const back = readSafetensors(p);
    assert.deepEqual(Object.keys(back.tensors), ['encoder.rnn.bias_hh_l0', 'encoder.rnn.bias_ih_l0', 'encoder.rnn.weight_hh_l0', 'encoder.rnn.weight_ih_l0']);
    assert.deepEqual({ ...back.metadata }, { epochs: '3', format: 'pt' });
    const w = lstm.stateDict().weight_ih_l0!.data, r = back.tensors['encoder.rnn.weight_ih_l0']!.data;
    for (let i = 0; i < w.length; i++) assert.ok(Math.abs(w[i]! - r[i]!) <= 2 ** -11 * Math.abs(w[i]!) + 1e-7, 'F16 rounding');
    const again = new LSTM({ inputSize: 3, hiddenSize: 4 });
    loadTorchStateDict(again, p, { prefix: 'encoder.rnn.' });
    assert.deepEqual(Array.from(again.stateDict().weight_ih_l0!.data), Array.from(r));
  });
});
