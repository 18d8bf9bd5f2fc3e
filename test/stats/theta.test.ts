/**
 * The Theta method against R's forecast::thetaf() 8.20 (fixtures from
 * scripts/gen_stats_fixtures.R): seasonality decision, SES parameter, drift, forecasts,
 * intervals and fitted values on 25 series; a hand-worked non-seasonal case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { theta } from '../../src/index.js';
import { assertClose, fixture } from './helpers.js';

interface Case {
  name: string; y: number[]; period: number; h: number;
  r: { alpha: number; drift: number; sigma2: number; mean: number[]; lower80: number[]; upper80: number[]; lower95: number[]; upper95: number[]; fitted: number[] };
}
const fx = fixture<{ cases: Case[] }>('theta.json');

test('theta() matches R thetaf(): alpha, drift, σ², forecasts, intervals, fitted values', () => {
  assert.ok(fx.cases.length >= 20);
  for (const c of fx.cases) {
    const f = theta(c.y, { period: c.period, horizon: c.h });
    assertClose([f.model.alpha, f.model.drift, f.sigma2], [c.r.alpha, c.r.drift, c.r.sigma2], 1e-6, `${c.name} parameters`);
    assertClose(f.mean, c.r.mean, 1e-8, `${c.name} mean`);
    assertClose(f.lower[0]!, c.r.lower80, 1e-8, `${c.name} lower 80`);
    assertClose(f.upper[1]!, c.r.upper95, 1e-8, `${c.name} upper 95`);
    assertClose(f.fitted, c.r.fitted, 1e-8, `${c.name} fitted`);
  }
});

test('theta on a straight line y = 2t: SES follows the line, drift is half the slope', () => {
  // The line is fitted exactly by lsfit: slope 2, so b = 1. SES on a line keeps a lag, and the
  // forecast is ℓ_n + b(h − 1 + (1 − (1 − α)^n)/α) with intervals around it.
  const y = Array.from({ length: 20 }, (_, t) => 2 * t);
  const f = theta(y, { horizon: 3 });
  assert.equal(f.method, 'Theta');
  assert.ok(Math.abs(f.model.drift - 1) < 1e-12);
  assert.equal(f.model.seasonal, false);
  const a = f.model.alpha;
  const carry = (1 - (1 - a) ** 20) / a;
  const level = f.mean[0]! - carry; // ℓ_n
  for (let h = 1; h <= 3; h++) assert.ok(Math.abs(f.mean[h - 1]! - (level + h - 1 + carry)) < 1e-9);
});
