/**
 * Hostile ONNX files: thousands of mutated, truncated and spliced versions of a torch-exported
 * model. Each must either load or throw FormatError (naming the file), quickly; a file that
 * loads must then run or throw an Error, never hang or crash the process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { FormatError, Tensor, loadOnnx } from '../../src/index.js';

const DIR = new URL('../fixtures/onnx/', import.meta.url).pathname;
const BYTES = readFileSync(`${DIR}lstm2_bf.onnx`);
const FX = JSON.parse(readFileSync(`${DIR}lstm2_bf.json`, 'utf8')) as { inputs: { x: { shape: number[]; data: number[] } } };
const X = new Tensor(Float32Array.from(FX.inputs.x.data), FX.inputs.x.shape);

/** Load and run one candidate; returns what happened. Fails the test on anything but FormatError at load. */
function attempt(bytes: Uint8Array): 'rejected' | 'ran' | 'run-error' {
  const t0 = performance.now();
  let model;
  try {
    model = loadOnnx(bytes, { name: 'fuzz.onnx' });
  } catch (e) {
    assert.ok(e instanceof FormatError, `load threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.match(e.message, /^fuzz\.onnx: /);
    return 'rejected';
  } finally {
    assert.ok(performance.now() - t0 < 2000, 'loading took over 2 s');
  }
  const t1 = performance.now();
  try {
    model.run(Object.fromEntries(model.inputNames.map((n) => [n, X])));
    return 'ran';
  } catch (e) {
    assert.ok(e instanceof Error, 'run threw a non-Error');
    return 'run-error';
  } finally {
    assert.ok(performance.now() - t1 < 2000, 'running took over 2 s');
  }
}

test('mutated, truncated and spliced ONNX files load or throw FormatError', (t) => {
  const seen = { rejected: 0, ran: 0, 'run-error': 0 };
  const mutation = fc.oneof(
    // Change 1–3 random bytes.
    fc.array(fc.tuple(fc.nat(BYTES.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }).map((flips) => {
      const b = Uint8Array.from(BYTES);
      for (const [i, v] of flips) b[i] = v;
      return b;
    }),
    // Truncate.
    fc.nat(BYTES.length - 1).map((n) => BYTES.subarray(0, n)),
    // Splice a random chunk (duplicated fields, broken lengths).
    fc.tuple(fc.nat(BYTES.length - 1), fc.nat(BYTES.length - 1), fc.uint8Array({ maxLength: 16 })).map(([a, b, ins]) => {
      const [s, e] = a < b ? [a, b] : [b, a];
      return Uint8Array.from([...BYTES.subarray(0, s), ...ins, ...BYTES.subarray(e)]);
    }),
    // Varint-heavy garbage.
    fc.uint8Array({ minLength: 0, maxLength: 64 }),
  );
  fc.assert(fc.property(mutation, (bytes) => {
    seen[attempt(bytes)]++;
  }), { numRuns: 2000, seed: 42 });
  t.diagnostic(`outcomes: ${JSON.stringify(seen)}`);
  // The fuzzer must exercise both paths, or it tests nothing.
  assert.ok(seen.rejected > 100 && seen.ran + seen['run-error'] > 50, JSON.stringify(seen));
});
