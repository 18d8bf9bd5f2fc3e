import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  planForecast, minimumLength, fitScaler, SeriesForecaster, ModeForecaster, buildForecastModel, extendDates, futureLabels,
  nextTokenChunks, unigramLoss, sampleLogits, classificationMetrics, TextClassifier, WordVocab, CharVocab, PAD_ID,
  buildLanguageModel, evaluateLanguageModel, LM_DEFAULTS,
} from '../../src/index.js';
import { Dense, Embedding, LastStep, LSTM, Sequential } from '../../src/nn/index.js';
import { Rng } from '../../src/tensor/rng.js';

const seasonal = Array.from({ length: 144 }, (_, t) => 100 + 2 * t + 20 * Math.sin((2 * Math.PI * t) / 12));

test('planForecast: defaults follow the detected season and trend', () => {
  const p = planForecast(seasonal);
  assert.equal(p.season, 12);
  assert.equal(p.horizon, 12);
  assert.equal(p.lookback, 12);
  assert.equal(p.holdoutBlocks, 2); // 10% of 144 is one block; at least 2
  assert.equal(p.transform, 'log'); // positive and trending
  assert.equal(p.mode, 'delta');
  assert.equal(p.ensemble, 3); // short series: cheap ensemble
  assert.equal(minimumLength(p), 12 + 12 * 3 + 8);
  const flat = planForecast(Array.from({ length: 300 }, (_, t) => Math.sin(t) - 2), { season: null, horizon: 5 });
  assert.deepEqual([flat.season, flat.horizon, flat.lookback, flat.transform, flat.mode], [null, 5, 24, 'none', 'both']);
});

test('SeriesForecaster: windows in model units, JSON round trip gives the same forecast', () => {
  const plan = { ...planForecast(seasonal), hidden: 4, ensemble: 1 };
  const scaler = fitScaler(plan, 'delta', seasonal);
  const part = new ModeForecaster(plan, 'delta', [buildForecastModel(plan, 3)], scaler);
  const level = new ModeForecaster(plan, 'level', [buildForecastModel(plan, 4)], fitScaler(plan, 'level', seasonal));
  const f = new SeriesForecaster({ ...plan, mode: 'both' }, [part, level]);
  const w = f.windows(seasonal);
  assert.deepEqual(w.x.shape, [144 - 12 - 12 + 1, 12, 1]);
  // delta mode: the last input step is the anchor itself, so it is exactly 0.
  assert.equal(w.x.data[11], 0);
  // target h of window 0 is (log x[12+h] − log x[11]) / std.
  const std = scaler.std[0]!;
  assert.ok(Math.abs(w.y.data[0]! - (Math.log(seasonal[12]!) - Math.log(seasonal[11]!)) / std) < 1e-6);
  const back = SeriesForecaster.fromJSON(JSON.parse(JSON.stringify(f.toJSON())), f.models);
  assert.deepEqual([...back.forecast(seasonal)], [...f.forecast(seasonal)]);
  // The combined forecast is the mean of the parts' forecasts.
  const a = part.forecast(seasonal), b = level.forecast(seasonal), c = f.forecast(seasonal);
  for (let i = 0; i < 12; i++) assert.ok(Math.abs(c[i]! - (a[i]! + b[i]!) / 2) < 1e-9);
  assert.throws(() => SeriesForecaster.fromJSON(f.toJSON(), [...f.models, ...f.models]), /the parts name 2 models, 4 were given/);
  assert.equal(f.forecast(seasonal).length, 12);
  assert.throws(() => f.predictAt(seasonal, [5]), /origin 5 needs 12 earlier points/);
  // Rolling origins every 12 steps from 12 (lookback and season) while 12 values follow: 12, 24, …, 132.
  const ev = f.evaluate(seasonal);
  assert.deepEqual(ev.origins, Array.from({ length: 11 }, (_, k) => 12 * (k + 1)));
  assert.equal(ev.points, 132);
  // Seasonal naive on sine + 2t: the sine repeats, the trend adds 2·12 = 24 per season, so every error is 24.
  assert.ok(Math.abs(ev.baselines.seasonal!.rmse - 24) < 1e-9 && Math.abs(ev.baselines.seasonal!.mae - 24) < 1e-9);
  assert.ok(Math.abs(ev.metrics.rmse - Math.sqrt(f.predictAt(seasonal, ev.origins).reduce((a, p, i) => a + (p - seasonal[12 + i]!) ** 2, 0) / 132)) < 1e-9);
  assert.throws(() => f.evaluate(seasonal.slice(0, 23)), /^RangeError: too few rows: 23, need at least 24 \(lookback\/season \+ horizon\)$/);
});

test('extendDates continues monthly and daily ISO dates', () => {
  assert.deepEqual(extendDates(['1960-11', '1960-12'], 2), ['1961-01', '1961-02']);
  assert.deepEqual(extendDates(['1990-12-30', '1990-12-31'], 2), ['1991-01-01', '1991-01-02']);
  assert.deepEqual(extendDates(['a', 'b'], 2), ['+1', '+2']);
  assert.deepEqual(futureLabels(2, 2, ['1960-11', '1960-12']), ['1961-01', '1961-02']);
  assert.deepEqual(futureLabels(144, 2), ['144', '145']);
});

test('language-model helpers: chunks, unigram loss, sampling', () => {
  const { x, y } = nextTokenChunks(Int32Array.from([2, 3, 4, 5, 6, 7, 8]), 3);
  assert.deepEqual([...x.data], [2, 3, 4, 5, 6, 7]);
  assert.deepEqual([...y.data], [3, 4, 5, 6, 7, 8]);
  // Counts with add-one over V=4: id 2 seen 3×, id 3 once → p(2)=4/8, p(3)=2/8.
  const loss = unigramLoss(Int32Array.from([2, 2, 2, 3]), Int32Array.from([2, 3]), 4);
  assert.ok(Math.abs(loss - -(Math.log(0.5) + Math.log(0.25)) / 2) < 1e-12);
  assert.equal(sampleLogits([0.1, 3, 0.2], 0, new Rng(1)), 1);
  const counts = [0, 0, 0];
  const rng = new Rng(7);
  for (let i = 0; i < 2000; i++) counts[sampleLogits([0, Math.log(3), -Infinity], 1, rng)]!++;
  assert.equal(counts[2], 0);
  assert.ok(Math.abs(counts[1]! / 2000 - 0.75) < 0.04);
});

test('classificationMetrics: accuracy and per-class F1 worked by hand', () => {
  // true [0,0,1,1,1], pred [0,1,1,1,0]: class 0 TP1 FP1 FN1 → F1 0.5; class 1 TP2 FP1 FN1 → 2·2/(4+2) = 2/3.
  const m = classificationMetrics([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], 2);
  assert.equal(m.accuracy, 0.6);
  assert.deepEqual(m.f1, [0.5, 2 / 3]);
  assert.equal(m.macroF1, (0.5 + 2 / 3) / 2);
});

test('TextClassifier: predict takes the most probable class; evaluate names the row of an unseen label', () => {
  const vocab = new WordVocab().fit('good bad fine awful');
  const model = new Sequential(
    [
      ['emb', new Embedding({ numEmbeddings: vocab.size, embeddingDim: 4, paddingIdx: PAD_ID, seed: 1 })],
      ['lstm', new LSTM({ inputSize: 4, hiddenSize: 5, batchFirst: true, seed: 2 })],
      ['last', new LastStep()],
      ['fc', new Dense({ inputSize: 5, outputSize: 3, seed: 3 })],
    ],
    { task: 'classification' },
  );
  const clf = new TextClassifier(model, vocab, ['a', 'b', 'c'], 10);
  const texts = ['good fine', 'bad', 'awful good bad', ''];
  const p = clf.probabilities(texts);
  const pred = clf.predict(texts);
  pred.forEach((r, i) => {
    const row = Array.from(p.data.subarray(3 * i, 3 * i + 3));
    assert.equal(r.probability, Math.max(...row));
    assert.equal(r.id, row.indexOf(r.probability));
    assert.equal(r.label, clf.classes[r.id]);
  });
  assert.deepEqual(Array.from(clf.predictIds(texts)), pred.map((r) => r.id));
  assert.equal(clf.evaluate({ texts, labels: pred.map((r) => r.label) }).accuracy, 1);
  assert.throws(() => clf.evaluate({ texts, labels: ['a', 'b', 'zz', 'a'] }), /^RangeError: row 3: label "zz" was not seen in training \(classes: a, b, c\)$/);
});

test('evaluateLanguageModel: a model with all-zero weights predicts uniformly, ln V nats = log2 V bits per character', () => {
  const text = 'the cat sat on the mat. '.repeat(10); // 240 characters, V = 11 + pad + unknown = 13
  const vocab = new CharVocab().fit(text);
  const model = buildLanguageModel({ ...LM_DEFAULTS, hidden: 8, embedding: 4 }, vocab.size);
  model.flat.fill(0); // h = 0 and zero logits: softmax is uniform
  const ev = evaluateLanguageModel(model, vocab, text, 16);
  assert.equal(ev.tokens, 14 * 16); // ⌊239 / 16⌋ chunks
  assert.ok(Math.abs(ev.loss - Math.log(13)) < 1e-6, `${ev.loss}`);
  assert.ok(Math.abs(ev.bitsPerChar - Math.log2(13)) < 1e-6, `${ev.bitsPerChar}`);
  assert.throws(() => evaluateLanguageModel(model, vocab, 'the cat', 16), /text too short: 7 tokens, need more than 16/);
});
