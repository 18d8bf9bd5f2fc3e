/**
 * Model files from untrusted sources: thousands of mutated files (random byte edits,
 * truncations, and hostile architecture JSON: huge or negative sizes, wrong types, unknown
 * layers, `__proto__` keys) either load or throw FormatError, quickly, and never pollute
 * Object.prototype.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Dense, Dropout, Embedding, FormatError, LSTM, LastStep, Sequential, decodeModel, encodeModel, encodeSafetensors, readSafetensors } from '../../src/index.js';

const model = new Sequential([
  ['emb', new Embedding({ numEmbeddings: 5, embeddingDim: 2, backend: 'reference' })],
  ['lstm', new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, backend: 'reference' })],
  ['drop', new Dropout({ p: 0.1, backend: 'reference' })],
  ['last', new LastStep({ backend: 'reference' })],
  ['fc', new Dense({ inputSize: 3, outputSize: 2, backend: 'reference' })],
], { task: 'classification' });
const valid = encodeModel(model, { vocab: { tokens: ['a', 'b'] } });
const { tensors, metadata } = readSafetensors(valid);

/** Load `bytes`; only success or FormatError is acceptable. Returns false on a wrong error type. */
function loadsOrFormatError(bytes: Uint8Array): boolean {
  try {
    decodeModel(bytes, { backend: 'reference' });
    return true;
  } catch (e) {
    if (e instanceof FormatError) return true;
    throw e;
  }
}

describe('model file fuzzing', () => {
  test('random byte edits and truncations: load or FormatError, fast', () => {
    const t0 = performance.now();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.option(fc.nat(valid.length), { nil: undefined }),
        (edits, cut) => {
          const b = valid.slice(0, cut ?? valid.length);
          for (const [i, v] of edits) if (i < b.length) b[i] = v;
          return loadsOrFormatError(b);
        },
      ),
      { numRuns: 1500, seed: 1 },
    );
    assert.ok(performance.now() - t0 < 30000);
  });

  test('hostile architecture JSON: load or FormatError, no huge allocation, no prototype pollution', () => {
    const hostile = fc.oneof(
      fc.constantFrom<unknown>(-1, 0, 2.5, 1e9, 2 ** 53, NaN, 'x', null, true, [], {}, { __proto__: { polluted: 1 } }, 'LSTM', 'Conv2d'),
      fc.integer(), fc.string({ maxLength: 4 }),
    );
    const config = JSON.parse(metadata!.config!);
    const layerCount = config.layers.length;
    const key = fc.constantFrom('type', 'name', 'inputSize', 'hiddenSize', 'outputSize', 'numLayers', 'numEmbeddings', 'embeddingDim',
      'projSize', 'bidirectional', 'bias', 'p', 'dropout', 'paddingIdx', 'activation', '__proto__', 'constructor');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(layerCount - 1), key, hostile), { minLength: 1, maxLength: 3 }), (edits) => {
        const c = JSON.parse(metadata!.config!);
        for (const [i, k, v] of edits) {
          if (k === 'type' || k === 'name') c.layers[i][k] = v;
          else c.layers[i].options[k] = v;
        }
        const raw = JSON.parse(JSON.stringify(c).replace('"constructor"', '"__proto__"'));
        const bytes = encodeSafetensors(tensors, { ...metadata!, config: JSON.stringify(raw) });
        const t0 = performance.now();
        const ok = loadsOrFormatError(bytes);
        assert.ok(performance.now() - t0 < 1000, 'one load took over a second');
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
        return ok;
      }),
      { numRuns: 1000, seed: 2 },
    );
  });
});
