/**
 * Season detection: synthetic series with known seasons (7, 12, 24, 52 and 365.25 steps, with
 * trend and autocorrelated noise) are found; white noise, random walks, AR(1) and trends are
 * not seasonal; the bundled data get their calendar season (and the cases the old
 * autocorrelation-peak rule got wrong: 367 days for Melbourne temperatures, ~127 months for
 * sunspots, a spurious 4 on a 36-point series).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Rng, detectSeason, samplingInterval, seasonScores } from '../../src/index.js';

const dataFile = (name: string): string[][] =>
  readFileSync(new URL(`../../data/${name}`, import.meta.url), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));

function seasonal(rng: Rng, n: number, period: number, amp = 2): number[] {
  let a = 0;
  return Array.from({ length: n }, (_, t) => 10 + 0.02 * t + amp * Math.sin((2 * Math.PI * t) / period) + 0.5 * amp * Math.cos((4 * Math.PI * t) / period) + (a = 0.5 * a + rng.normal()));
}

test('finds 7, 12, 24, 52 and 365-step seasons in noisy trending series (10 seeds each)', () => {
  const rng = new Rng(11);
  for (const [m, period] of [[7, 7], [12, 12], [24, 24], [52, 365.25 / 7], [365, 365.25]] as const) {
    for (let s = 0; s < 10; s++) assert.equal(detectSeason(seasonal(rng, Math.max(4 * m, 72), period)), m, `m = ${m}, seed ${s}`);
  }
});

test('finds none in white noise, random walks, AR(1) and trends (at most 1 in 50 of each)', () => {
  const rng = new Rng(5);
  const kinds: Record<string, (n: number) => number[]> = {
    'white noise': (n) => Array.from({ length: n }, () => rng.normal()),
    'random walk': (n) => { let s = 0; return Array.from({ length: n }, () => (s += rng.normal())); },
    'AR(1) 0.9': (n) => { let a = 0; return Array.from({ length: n }, () => (a = 0.9 * a + rng.normal())); },
    'trend + noise': (n) => Array.from({ length: n }, (_, t) => 0.1 * t + rng.normal()),
  };
  for (const [kind, make] of Object.entries(kinds)) {
    for (const n of [36, 144, 1500]) {
      let found = 0;
      for (let i = 0; i < 50; i++) if (detectSeason(make(n)) !== null) found++;
      assert.ok(found <= 1, `${kind}, n = ${n}: a season in ${found} of 50`);
    }
  }
  assert.equal(detectSeason(Array.from({ length: 100 }, (_, t) => t)), null);
  assert.equal(detectSeason(new Array(100).fill(3)), null);
});

test('bundled data: airline 12, Melbourne temperatures 365, sunspots none, hourly PM2.5 and temperature 24 (on the first 80 %)', () => {
  const head = (x: number[]): number[] => x.slice(0, Math.floor(0.8 * x.length));
  assert.equal(detectSeason(head(dataFile('airline-passengers.csv').map((r) => Number(r[1])))), 12);
  assert.equal(detectSeason(head(dataFile('daily-min-temperatures.csv').map((r) => Number(r[1])))), 365); // old rule: 367
  assert.equal(detectSeason(head(dataFile('monthly-sunspots.csv').map((r) => Number(r[1])))), null); // old rule: 127
  const pollution = dataFile('pollution.csv');
  let last = 0;
  const pm = pollution.map((r) => (r[5] === 'NA' ? last : (last = Number(r[5]))));
  assert.equal(detectSeason(head(pm)), 24);
  assert.equal(detectSeason(head(pollution.map((r) => Number(r[7])))), 24);
  assert.equal(detectSeason(head(pollution.map((r) => Number(r[8]))), { interval: 'hour' }), 24);
});

test('no season in a 36-point trending monthly series (shampoo sales; the old rule said 4 on the 28-point head lstm forecast judges, 2 on all 36)', () => {
  const shampoo = [266.0, 145.9, 183.1, 119.3, 180.3, 168.5, 231.8, 224.5, 192.8, 122.9, 336.5, 185.9, 194.3, 149.5, 210.1, 273.3, 191.4, 287.0,
    226.0, 303.6, 289.9, 421.6, 264.5, 342.3, 339.7, 440.4, 315.9, 439.3, 401.3, 437.4, 575.5, 407.6, 682.0, 475.3, 581.3, 646.9];
  assert.equal(detectSeason(shampoo), null);
  assert.equal(detectSeason(shampoo.slice(0, 28)), null);
  assert.equal(detectSeason(shampoo, { interval: 'month' }), null);
});

test('a monthly season is reported as 12, not its multiple 24', () => {
  const rng = new Rng(3);
  const x = seasonal(rng, 240, 12, 3);
  const scores = seasonScores(x);
  assert.ok(scores.find((s) => s.period === 24)!.accepted, '24 is accepted too');
  assert.equal(detectSeason(x), 12);
});

test('samplingInterval reads the calendar step of ISO dates', () => {
  assert.equal(samplingInterval(['1949-01', '1949-02', '1949-03']), 'month');
  assert.equal(samplingInterval(['1981-01-01', '1981-01-02']), 'day');
  assert.equal(samplingInterval(['2010-01-01 00:00', '2010-01-01 01:00', '2010-01-01 02:00']), 'hour');
  assert.equal(samplingInterval(['2020-01-06', '2020-01-13']), 'week');
  assert.equal(samplingInterval(['2001-01-01', '2001-04-01', '2001-07-01']), 'quarter');
  assert.equal(samplingInterval(['a', 'b']), null);
  assert.throws(() => detectSeason([1, 2, NaN]), /x\[2\] is NaN/);
});
