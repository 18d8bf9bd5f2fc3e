/**
 * The metadata the CLI trusts after loadModel: `forecast` (plan, scaler, ensemble size),
 * `languageModel` + `vocab`, `classifier` + `vocab`. One JSON node replaced by a hostile value
 * (or a `__proto__` / `constructor` member added); opening the file (openModel, as `lstm
 * predict` does) and using it (forecast / generate / classify) must succeed with finite
 * output or fail with FormatError, CliError or a RangeError that says what is wrong, quickly:
 * never a TypeError, a hang (e.g. `members: 1e9` once reloaded the same file forever) or
 * a silently wrong result from a plan that does not match the model.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Dense, Embedding, FormatError, LSTM, LastStep, Sequential, encodeModel } from '../../src/index.js';
import { CharVocab, WordVocab } from '../../src/data/text.js';
import { runForecast } from '../../src/recipes/forecast/index.js';
import { generateText } from '../../src/recipes/language-model.js';
import { openModel } from '../../src/recipes/open-model.js';
import { CliError } from '../../src/cli/util.js';
import { frac, hostileKey, hostileValue, mutateJson, newStats, assertNoPollution } from '../helpers/fuzz.js';

const be = { backend: 'reference' };
const series = Float64Array.from({ length: 80 }, (_, i) => 100 + 10 * Math.sin(i / 3) + i);

/** A real (tiny, one-epoch) forecaster from the library's own recipe, so its metadata has the current layout. */
async function forecastFile(): Promise<{ model: Sequential; meta: Record<string, unknown> }> {
  const r = await runForecast(series, { lookback: 8, horizon: 3, holdoutBlocks: 2, epochs: 1, hidden: 4, ensemble: 1, mode: 'delta', transform: 'log', season: null, progress: false });
  const models = r.forecaster.models;
  assert.equal(models.length, 1);
  return { model: models[0]!, meta: { forecast: { ...r.forecaster.toJSON(), column: 'v', file: 'x.csv', dateColumn: null, members: 1 } } };
}
function lmFile(): { model: Sequential; meta: Record<string, unknown> } {
  const vocab = new CharVocab().fit('hello world. ');
  const model = new Sequential([['emb', new Embedding({ numEmbeddings: vocab.size, embeddingDim: 3, ...be })], ['lstm', new LSTM({ inputSize: 3, hiddenSize: 4, batchFirst: true, ...be })], ['fc', new Dense({ inputSize: 4, outputSize: vocab.size, ...be })]], { task: 'language-model' });
  return { model, meta: { languageModel: { level: 'char', seqLen: 8 }, vocab: vocab.toJSON() } };
}
function classifierFile(): { model: Sequential; meta: Record<string, unknown> } {
  const vocab = new WordVocab().fit('good movie bad movie great plot awful plot');
  const model = new Sequential([['emb', new Embedding({ numEmbeddings: vocab.size, embeddingDim: 3, ...be })], ['lstm', new LSTM({ inputSize: 3, hiddenSize: 4, batchFirst: true, ...be })], ['last', new LastStep(be)], ['fc', new Dense({ inputSize: 4, outputSize: 2, ...be })]], { task: 'classification' });
  return { model, meta: { classifier: { classes: ['neg', 'pos'], maxLen: 20, textColumn: 'text', labelColumn: 'label' }, vocab: vocab.toJSON() } };
}

/** Open and use the model; returns normally on success or an accepted error. */
function openAndUse(path: string): 'ok' | 'refused' {
  try {
    const m = openModel(path);
    if (m.kind === 'forecast') {
      const out = m.forecaster.forecast(series);
      assert.equal(out.length, m.forecaster.plan.horizon);
      assert.ok(out.every(Number.isFinite), 'forecast must be finite');
    } else if (m.kind === 'language-model') {
      const text = generateText(m.loaded.model, m.vocab, { prompt: 'hello', length: 5, temperature: 0 });
      assert.equal(typeof text, 'string');
    } else if (m.kind === 'classifier') {
      const p = m.classifier.probabilities(['good plot', 'awful movie']);
      assert.equal(p.shape[1], m.classifier.classes.length, 'one probability per class');
      assert.ok(Array.from(p.data).every((v) => v >= 0 && v <= 1), 'probabilities in [0, 1]');
    }
    return 'ok';
  } catch (e) {
    if (e instanceof FormatError || e instanceof CliError || (e instanceof RangeError && e.message.length > 10)) return 'refused';
    throw e;
  }
}

describe('recipe metadata in model files (what lstm predict trusts)', () => {
  test('hostile forecast / language-model / classifier metadata: works with sane output or refuses, fast', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meta-fuzz-'));
    const seeds = [await forecastFile(), lmFile(), classifierFile()];
    const stats = newStats();
    try {
      fc.assert(
        fc.property(fc.nat(seeds.length - 1), frac, hostileValue, fc.option(hostileKey, { nil: null, freq: 5 }), fc.constantFrom('model.safetensors', 'model.bin'), (s, pick, value, key, name) => {
          const { model, meta } = seeds[s]!;
          const path = join(dir, name);
          writeFileSync(path, encodeModel(model, mutateJson(meta, pick, value, key) as Record<string, unknown>));
          const t0 = performance.now();
          const r = openAndUse(path);
          if (r === 'ok') stats.loaded++; else stats.rejected++;
          const ms = performance.now() - t0;
          stats.slowest = Math.max(stats.slowest, ms);
          assert.ok(ms < 2000, `took ${ms} ms`);
          assertNoPollution();
          return true;
        }),
        { numRuns: 600, seed: 851 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(`recipe metadata: ${stats.loaded} opened and used, ${stats.rejected} refused (FormatError, CliError or RangeError), slowest ${stats.slowest.toFixed(1)} ms`);
    assert.ok(stats.loaded > 50 && stats.rejected > 50);
  });

  test('forecast members: 1e9, or more members than the file holds, is refused at once (it used to reload the same file forever)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meta-members-'));
    try {
      const { model, meta } = await forecastFile();
      const path = join(dir, 'evil.bin');
      writeFileSync(path, encodeModel(model, { forecast: { ...(meta.forecast as object), members: 1e9 } }));
      assert.throws(() => openModel(path), (e: Error) => e instanceof FormatError && /forecast\.members must be an integer/.test(e.message));
      writeFileSync(path, encodeModel(model, { forecast: { ...(meta.forecast as object), members: 3 } }));
      assert.throws(() => openModel(path), (e: Error) => e instanceof FormatError && /declares an ensemble of 3 models stored as separate files/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
