/**
 * Each demo's --quick run (fixed seed, no plots) must beat its baseline: the adding-problem
 * LSTM well below the predict-the-mean MSE, the airline forecaster below both naive
 * baselines, the PM2.5 LSTM below persistence, the character LSTM below the add-one unigram
 * and bigram models' bits per character, the spam LSTM above the majority class. Runs on the default
 * backend (the fastest registered one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMOS, runDemo, type DemoResult } from '../../demos/index.js';

async function quick(name: string): Promise<DemoResult> {
  const demo = DEMOS.find((d) => d.name === name)!;
  return runDemo(demo, { quick: true, seed: 1, out: null, opts: {}, log: () => {} });
}

const num = (r: DemoResult, match: (row: DemoResult['rows'][number]) => boolean, key: string): number => {
  const row = r.rows.find(match);
  assert.ok(row, `${r.demo}: no matching row in ${JSON.stringify(r.rows)}`);
  return row[key] as number;
};

test('adding --quick: the LSTM gets far below the predict-the-mean baseline', async () => {
  const r = await quick('adding');
  const lstm = r.rows.find((x) => x.model === 'lstm')!;
  assert.ok((lstm.mse as number) < 0.25 * (lstm.baselineMse as number), JSON.stringify(r.rows));
  // The JSON contract: one row per model and length with these fields.
  for (const k of ['model', 'T', 'mse', 'baselineMse', 'seconds', 'msPerStep']) assert.ok(k in lstm, `row lacks ${k}`);
});

test('airline --quick: the LSTM beats last-value and seasonal-naive', async () => {
  const r = await quick('airline');
  const lstm = num(r, (x) => String(x.model).startsWith('LSTM'), 'rmse');
  assert.ok(lstm < num(r, (x) => String(x.model).startsWith('seasonal'), 'rmse'), JSON.stringify(r.rows));
  assert.ok(lstm < num(r, (x) => x.model === 'last value', 'rmse'), JSON.stringify(r.rows));
});

test('pm25 --quick: the LSTM beats persistence and reports the missing values', async () => {
  const r = await quick('pm25');
  const lstm = num(r, (x) => String(x.model).startsWith('LSTM'), 'rmse');
  assert.ok(lstm < num(r, (x) => String(x.model).startsWith('persistence'), 'rmse'), JSON.stringify(r.rows));
  assert.ok((r.extra!.missingPm25 as number) > 0);
  assert.match(r.notes.join(' '), /Missing PM2\.5: \d+ of \d+/);
});

test('charlm --quick: the LSTM beats the add-one unigram and bigram models in bits per character', async () => {
  const r = await quick('charlm');
  const lstm = num(r, (x) => String(x.model).startsWith('LSTM'), 'bpc');
  const uni = num(r, (x) => String(x.model).startsWith('unigram'), 'bpc');
  const bi = num(r, (x) => String(x.model).startsWith('bigram'), 'bpc');
  assert.ok(Number.isFinite(uni) && bi < uni && lstm < bi, JSON.stringify(r.rows));
});

test('spam --quick: the LSTM beats the majority class', async () => {
  const r = await quick('spam');
  const lstm = r.rows.find((x) => String(x.model).includes('LSTM'))!;
  const major = r.rows.find((x) => String(x.model).startsWith('majority'))!;
  assert.ok((lstm.accuracy as number) > (major.accuracy as number) + 0.05, JSON.stringify(r.rows));
  assert.ok((lstm.f1 as number) > 0.3, JSON.stringify(r.rows));
});
