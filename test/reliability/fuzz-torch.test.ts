/**
 * PyTorch state_dicts (safetensors) read as models (readAnyModel 'torch', what `lstm convert`
 * and `lstm info` do): the architecture is inferred from the tensor names and shapes, so a
 * damaged file is one whose names or shapes disagree. Tensors renamed (other layer numbers,
 * `_reverse`, `__proto__` / `constructor` prefixes), dropped, duplicated, transposed or
 * flattened must give a model or a FormatError naming the file, never another error.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { Tensor, encodeSafetensors, readAnyModel, readSafetensors } from '../../src/index.js';
import { loadsOrFormatError, newStats, summary } from '../helpers/fuzz.js';

const fixtures = fileURLToPath(new URL('../fixtures/torch/', import.meta.url));
const seeds = ['lstm_2l_bidir_proj', 'gru_2l_bidir_h0', 'lstm_1l', 'gru_nobias'].map((n) => readSafetensors(join(fixtures, `${n}.state.safetensors`), { dtype: 'float32' }).tensors);

describe('PyTorch state_dict fuzzing', () => {
  test('renamed, dropped, duplicated, transposed, flattened tensors: a model or FormatError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'torch-fuzz-'));
    const path = join(dir, 'state.safetensors');
    const stats = newStats();
    try {
      fc.assert(
        fc.property(
          fc.nat(seeds.length - 1),
          fc.array(fc.tuple(fc.nat(40), fc.constantFrom('rename', 'drop', 'transpose', 'flatten', 'dup', 'prefix')), { minLength: 1, maxLength: 3 }),
          fc.constantFrom('l0', 'l1', 'l7', '_reverse', 'weight_hr_l0', '__proto__', 'constructor', 'fc.weight', 'lstm.', '0.'),
          (s, edits, token) => {
            const ts: Record<string, Tensor> = Object.create(null);
            Object.assign(ts, seeds[s]!);
            for (const [i, how] of edits) {
              const names = Object.keys(ts);
              if (names.length === 0) break;
              const n = names[i % names.length]!;
              const t = ts[n]!;
              if (how === 'rename') { delete ts[n]; ts[n.replace(/l\d|_reverse/, token)] = t; }
              else if (how === 'drop') delete ts[n];
              else if (how === 'transpose' && t.shape.length === 2) ts[n] = new Tensor(t.data, [t.shape[1]!, t.shape[0]!]);
              else if (how === 'flatten') ts[n] = new Tensor(t.data, [t.size]);
              else if (how === 'dup') ts[`${n}_copy`] = t;
              else if (how === 'prefix') { delete ts[n]; ts[token + n] = t; }
            }
            writeFileSync(path, encodeSafetensors(ts));
            return loadsOrFormatError(stats, () => readAnyModel(path, 'torch', { backend: 'reference' }), { file: path, maxMs: 1000 });
          },
        ),
        { numRuns: 600, seed: 861 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(summary('torch state_dict', stats));
    assert.ok(stats.loaded > 10 && stats.rejected > 100);
  });
});
