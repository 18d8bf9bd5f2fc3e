/**
 * The numerical helpers behind the classical models, against R (fixtures from
 * scripts/gen_stats_fixtures.R): qnorm, the F distribution's tail, decompose(), acf(),
 * optim(method = "Nelder-Mead") on Rosenbrock's function (same algorithm, so the same path and
 * evaluation count); the root test and least squares on cases worked by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autocorrelation, decompose, nelderMead } from '../../src/index.js';
import { fDistributionUpper, leastSquares, qnorm, rootsWithin } from '../../src/stats/numeric.js';
import { assertClose, fixture } from './helpers.js';

const fx = fixture('numeric.json');

test('qnorm matches R to 1e-14; the F upper tail matches pf(lower.tail = FALSE)', () => {
  for (const { p, q } of fx.qnorm) assertClose([qnorm(p)], [q], 1e-14, `qnorm(${p})`);
  for (const { f, d1, d2, upper } of fx.pf) assertClose([fDistributionUpper(f, d1, d2)], [upper], 1e-9, `pf(${f}, ${d1}, ${d2})`);
});

test('decompose matches stats::decompose (trend and seasonal figure)', () => {
  for (const c of fx.decompose) {
    const d = decompose(c.y, c.period, c.type);
    assertClose(d.figure, c.figure, 1e-12, `${c.name} figure`);
    const trend = (c.trend as (number | null)[]).map((v) => (v === null ? NaN : v));
    trend.forEach((v, i) => assert.equal(Number.isNaN(v), Number.isNaN(d.trend[i]!), `${c.name} trend NaN at ${i}`));
    assertClose(d.trend.filter((v) => !Number.isNaN(v)), trend.filter((v) => !Number.isNaN(v)), 1e-12, `${c.name} trend`);
  }
});

test('autocorrelation matches acf(); alternating series worked by hand', () => {
  assertClose(autocorrelation(fx.acf.y, fx.acf.lag), fx.acf.r, 1e-12, 'acf');
  // x = [1,-1,1,-1]: mean 0, var0 = 4; r1 = (−1·3)/4 = −0.75, r2 = (1·2)/4 = 0.5.
  assert.deepEqual([...autocorrelation([1, -1, 1, -1], 2)], [1, -0.75, 0.5]);
});

test('nelderMead takes the same path as R optim() on Rosenbrock: same optimum, same evaluation count', () => {
  const rosen = (x: Float64Array): number => 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2;
  const r = nelderMead(rosen, fx.nelderMead.start, { maxEvaluations: 500 });
  assertClose(r.x, fx.nelderMead.par, 1e-12, 'par');
  assertClose([r.value], [fx.nelderMead.value], 1e-12, 'value');
  assert.equal(r.evaluations, fx.nelderMead.evaluations);
});

test('rootsWithin: roots of (z − 0.5)(z + 0.9) are inside radius 1, those of (z − 1.1)(z − 0.2) are not', () => {
  assert.equal(rootsWithin([-0.45, 0.4, 1], 1), true); // z² + 0.4z − 0.45
  assert.equal(rootsWithin([0.22, -1.3, 1], 1), false); // z² − 1.3z + 0.22
  assert.equal(rootsWithin([0.22, -1.3, 1], 1.2), true);
  assert.equal(rootsWithin([1, 0, 0, 1], 1 + 1e-10), true); // z³ + 1: roots on the unit circle
  assert.equal(rootsWithin([1, 0, 0, 1], 1 - 1e-6), false);
});

test('leastSquares fits a plane exactly and drops a duplicated column as lm() does (NA)', () => {
  // y = 1 + 2a − b on four points; the third column repeats the second.
  const rows = [[1, 0, 0, 0], [1, 1, 1, 0], [1, 2, 2, 1], [1, 3, 3, 5]];
  const X = Float64Array.from(rows.flatMap((r) => [r[0]!, r[1]!, r[2]!, r[3]!]));
  const y = rows.map((r) => 1 + 2 * r[1]! - r[3]!);
  const { coef, rank, residuals } = leastSquares(X, 4, 4, y);
  assert.equal(rank, 3);
  assertClose([coef[0]!, coef[1]!, coef[3]!], [1, 2, -1], 1e-12, 'coef');
  assert.ok(Number.isNaN(coef[2]!));
  assertClose(residuals, [0, 0, 0, 0], 1e-12, 'residuals');
});
