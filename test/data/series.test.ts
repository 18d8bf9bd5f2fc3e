import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forecastMetrics, naiveForecast, trendStrength } from '../../src/data/series.js';
import { detectSeason } from '../../src/stats/season.js';
import { lineChart, niceTicks } from '../../src/plot/index.js';

test('detectSeason finds a 12-step cycle under a trend and none in a straight line', () => {
  const x = Array.from({ length: 144 }, (_, t) => 100 + 2 * t + 20 * Math.sin((2 * Math.PI * t) / 12));
  assert.equal(detectSeason(x), 12);
  assert.ok(trendStrength(x) > 0.5);
  assert.equal(detectSeason(Array.from({ length: 100 }, (_, t) => t)), null);
});

test('forecastMetrics and naive baselines, exact values', () => {
  const m = forecastMetrics([2, 4], [3, 1]);
  assert.equal(m.rmse, Math.sqrt(5));
  assert.equal(m.mae, 2);
  assert.equal(m.mape, 100 * (0.5 + 0.75) / 2);
  assert.equal(forecastMetrics([0], [1]).mape, null);
  const x = [1, 2, 3, 4, 5, 6, 7, 8];
  assert.deepEqual([...naiveForecast(x, [4, 6], 2, 'last')], [4, 4, 6, 6]);
  // season 3: origin 4 → h0 uses x[1], h1 x[2]; origin 6 → x[3], x[4].
  assert.deepEqual([...naiveForecast(x, [4, 6], 2, 'seasonal', 3)], [2, 3, 4, 5]);
  assert.throws(() => naiveForecast(x, [1], 2, 'seasonal', 3), /too little history/);
});

test('lineChart draws axes, ticks, legend and one path per series', () => {
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(3, 97, 5), [20, 40, 60, 80]);
  const svg = lineChart({ title: 'T & <x>', xLabel: 'step', yLabel: 'value', series: [{ name: 'a', x: [0, 1, 2], y: [1, 3, 2] }, { name: 'b', x: [0, 2], y: [2, NaN], dashed: true }] });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /T &amp; &lt;x&gt;/);
  assert.equal((svg.match(/<path d="M/g) ?? []).length, 3); // frame + 2 series
  assert.match(svg, /stroke-dasharray="6,4"/);
  assert.match(svg, />step</);
  assert.throws(() => lineChart({ series: [{ name: 'bad', x: [1, 2], y: [1] }] }), /series "bad" has 2 x values but 1 y values/);
});
