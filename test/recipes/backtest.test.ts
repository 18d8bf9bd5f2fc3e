// The backtest recipe's own pieces: the naive baselines with their intervals (worked by hand),
// the interval levels a set of quantiles gives, and a small rolling-origin backtest whose
// bookkeeping (origins, unscored series, ranks) is checked against the scores it reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backtestPanel, intervalLevels, naiveWithIntervals, smape, weightedPoint } from '../../src/index.js';

test('seasonal naive repeats the last season, also past one season ahead; intervals widen with √k', () => {
  // y = 1..6, m = 2: steps 1..5 are y5, y6, y5, y6, y5 (k = 1, 1, 2, 2, 3). Lag-2 residuals all 2: σ = 2.
  const f = naiveWithIntervals([1, 2, 3, 4, 5, 6], 5, 2, [0.8]);
  assert.deepEqual(Array.from(f.mean), [5, 6, 5, 6, 5]);
  const z = 1.2815515655446004; // Φ⁻¹(0.9)
  const half = [1, 1, Math.SQRT2, Math.SQRT2, Math.sqrt(3)].map((k) => z * 2 * k);
  f.lower[0]!.forEach((v, h) => assert.ok(Math.abs(v - (f.mean[h]! - half[h]!)) < 1e-6, `lower ${h}: ${v}`));
  f.upper[0]!.forEach((v, h) => assert.ok(Math.abs(v - (f.mean[h]! + half[h]!)) < 1e-6, `upper ${h}: ${v}`));
  // Last value (m = 1): residuals all 1, σ = 1, intervals ± z·√h.
  const g = naiveWithIntervals([1, 2, 3, 4], 2, 1, [0.8]);
  assert.deepEqual(Array.from(g.mean), [4, 4]);
  assert.ok(Math.abs(g.upper[0]![1]! - (4 + z * Math.SQRT2)) < 1e-6);
});

test('interval levels from quantile pairs', () => {
  assert.deepEqual(intervalLevels([0.025, 0.1, 0.5, 0.9, 0.975]), [0.8, 0.95]);
  assert.deepEqual(intervalLevels([0.1, 0.5, 0.9]), [0.8]);
  assert.deepEqual(intervalLevels([0.1, 0.5]), []);
});

test('backtestPanel: origins, unscored series, naive scores as computed here, ranks consistent with the scores', async () => {
  const wave = (n: number, a: number): number[] => Array.from({ length: n }, (_, t) => a + 5 * Math.sin(t / 2) + 0.3 * t);
  const series = [{ id: 'a', values: wave(40, 20) }, { id: 'b', values: wave(30, 50) }, { id: 'short', values: wave(8, 9) }];
  const H = 3, K = 2;
  const r = await backtestPanel(series, { horizon: H, origins: K, baselines: ['naive'], epochs: 2, ensemble: 1, hidden: 8, windowsPerSeries: 8 });
  // No classical method to combine with among the baselines: lstm-ts is the LSTM alone.
  assert.deepEqual(r.methods, ['lstm-ts', 'naive']);
  assert.equal(r.method, 'lstm');
  // 'short' (8 values) cannot give 4 training values plus 3 + 3 held back at the first origin, but can at the second.
  assert.deepEqual(r.series.map((s) => [s.id, s.origins]), [['a', 2], ['b', 2], ['short', 1]]);
  assert.deepEqual(r.unscored, []);
  const naive = (y: number[], k: number): number => {
    const c = y.length - H * (K - k + 1);
    return smape(y.slice(c, c + H), Array(H).fill(y[c - 1]));
  };
  const a = series[0]!.values;
  assert.ok(Math.abs(r.series[0]!.scores.naive!.smape - (naive(a, 1) + naive(a, 2)) / 2) < 1e-9);
  for (const s of r.series) assert.equal(s.rank, s.scores['lstm-ts']!.smape < s.scores.naive!.smape ? 1 : s.scores['lstm-ts']!.smape > s.scores.naive!.smape ? 2 : 1.5);
  assert.equal(r.ranks.smape['lstm-ts'], r.overall['lstm-ts']!.smape <= r.overall.naive!.smape ? (r.overall['lstm-ts']!.smape < r.overall.naive!.smape ? 1 : 1.5) : 2);
  await assert.rejects(backtestPanel([{ id: 'x', values: wave(5, 1) }], { horizon: 3, baselines: ['naive'], epochs: 1, ensemble: 1 }), /no series is long enough to score/);
});

test('README "Many series" library example: the same calls on a small panel', async () => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { readPanelCsv, forecastPanel, panelForecastCsv, detectPanelSeason } = await import('../../src/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'lstm-readme-panel-'));
  try {
    const rows = ['store,month,sales'];
    for (const [k, store] of ['north', 'south'].entries()) {
      for (let t = 0; t < 48; t++) rows.push(`${store},${2000 + Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')},${(30 + 10 * k + 6 * Math.sin((2 * Math.PI * t) / 12) + 0.1 * t).toFixed(3)}`);
    }
    writeFileSync(join(dir, 'sales.csv'), rows.join('\n') + '\n');
    const tiny = { epochs: 2, ensemble: 1, hidden: 8 };
    const panel = await readPanelCsv(join(dir, 'sales.csv'), { id: 'store', column: 'sales', date: 'month' });
    const period = detectPanelSeason(panel.series);
    assert.equal(period, 12);
    const r = await forecastPanel(panel.series, { horizon: 6, period, quantiles: [0.1, 0.5, 0.9], baselines: ['naive', 'theta'], ...tiny });
    assert.ok([1, 2, 3].includes(r.holdout!.ranks.smape['lstm-ts']!));
    const csv = panelForecastCsv(panel.series, r.forecasts);
    assert.equal(csv.trim().split('\n').length, 1 + 2 * 6);
    assert.match(csv, /^id,step,date,forecast,q0\.1,q0\.5,q0\.9\nnorth,1,2004-01,/);
    const bt = await backtestPanel(panel.series, { horizon: 6, period, origins: 3, baselines: ['snaive', 'theta'], ...tiny });
    assert.deepEqual(bt.series.map((s) => s.origins), [3, 3]);
    assert.ok(bt.overall['lstm-ts']!.smape > 0 && bt.overall.theta!.smape > 0);
    assert.ok(bt.overall.lstm!.smape > 0 && bt.combinations.length === 3); // the LSTM alone; the weights per origin
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cutSeries: values and past covariates up to the cut, known ones on over the horizon', async () => {
  const { cutSeries } = await import('../../src/index.js');
  const s = cutSeries({ id: 'x', values: [1, 2, 3, 4, 5], known: [[10, 11, 12, 13, 14, 15, 16]], past: [[20, 21, 22, 23, 24]] }, 3, 2);
  assert.deepEqual(Array.from(s.values), [1, 2, 3]);
  assert.deepEqual(s.known!.map((k) => Array.from(k)), [[10, 11, 12, 13, 14]]);
  assert.deepEqual(s.past!.map((p) => Array.from(p)), [[20, 21, 22]]);
  assert.equal('known' in cutSeries({ id: 'y', values: [1, 2] }, 1, 1), false);
});

test('backtestPanel (method combined): lstm-ts is Σ w·member with the weights chosen inside the training part; the hold-out cannot change them', async () => {
  const wave = (n: number): number[] => Array.from({ length: n }, (_, t) => 30 + 5 * Math.sin(t / 2) + 0.2 * t + Math.cos(t * 1.7));
  const H = 4, y = wave(64);
  const opts = { horizon: H, origins: 1, baselines: ['naive', 'theta'], quantiles: [0.1, 0.5, 0.9], epochs: 2, ensemble: 1, hidden: 8, windowsPerSeries: 8, seed: 3 } as const;
  const r = await backtestPanel([{ id: 'a', values: y }], opts);
  assert.deepEqual(r.methods, ['lstm-ts', 'lstm', 'naive', 'theta']);
  assert.equal(r.method, 'combined');
  assert.deepEqual(r.pool, ['theta']);
  const c = r.combinations[0]!;
  assert.ok(c, 'a combination was chosen');
  assert.deepEqual(c.methods, ['lstm-ts', 'theta']);
  // The lstm-ts row scores exactly the weighted point of the LSTM alone and Theta at this origin.
  const f = r.final!, actual = f.actual[0]!;
  const point = weightedPoint([f.lstm[0]!.point, f.baselines.theta![0]!], c.weights);
  assert.ok(Math.abs(r.overall['lstm-ts']!.smape - smape(actual, point)) < 1e-9, `${r.overall['lstm-ts']!.smape} vs ${smape(actual, point)}`);
  assert.ok(Math.abs(r.overall.lstm!.smape - smape(actual, f.lstm[0]!.point)) < 1e-9);
  // lstm-ts ranks among itself and the baselines, the LSTM-alone row among itself and the baselines.
  const rank = (m: string): number => 1 + ['naive', 'theta'].filter((b) => r.overall[b]!.smape < r.overall[m]!.smape).length;
  assert.equal(r.ranks.smape['lstm-ts'], rank('lstm-ts'));
  assert.equal(r.ranks.smape.lstm, rank('lstm'));
  // The origin's own hold-out (the last H values) changed: same weights and spread, other scores.
  const changed = [...y.slice(0, -H), ...y.slice(-H).map((v) => v * 3)];
  const r2 = await backtestPanel([{ id: 'a', values: changed }], opts);
  assert.deepEqual(r2.combinations[0]!.weights, c.weights);
  assert.deepEqual(r2.combinations[0]!.spread, c.spread);
  assert.notEqual(r2.overall['lstm-ts']!.smape, r.overall['lstm-ts']!.smape);
  // --method lstm: the LSTM alone, no second row; the same LSTM scores as the combined run's 'lstm' row.
  const alone = await backtestPanel([{ id: 'a', values: y }], { ...opts, method: 'lstm' });
  assert.deepEqual(alone.methods, ['lstm-ts', 'naive', 'theta']);
  assert.deepEqual(alone.combinations, []);
  assert.equal(alone.overall['lstm-ts']!.smape, r.overall.lstm!.smape);
});
