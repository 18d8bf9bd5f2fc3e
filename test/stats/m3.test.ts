/**
 * ETS and Theta on the 200 M3 monthly series of ../shared/data/m3/sample-monthly-200.txt
 * (skipped when that folder, which lives outside the repository, is absent): our mean sMAPE and MASE on the test parts
 * equal R forecast 8.20's (baselines-monthly.csv) to within 0.05 sMAPE points for ETS and 0.01
 * for Theta. Measured: ETS 11.3847 vs R 11.3843 (198 of 200 series identical; two differ where
 * Nelder–Mead's path parts from R's in the last bits), Theta 11.5303 vs 11.5303; about 17 s of
 * CPU on this machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { loadM3, loadM3Baselines, M3_DIR as dir } from './helpers.js';
import { ets, mase, smape, theta } from '../../src/index.js';

const present = existsSync(new URL('sample-monthly-200.txt', dir));

test('M3 monthly sample (200 series): ETS and Theta score as R does', { skip: !present && 'no ../shared/data/m3' }, () => {
  const { train, test: hold } = loadM3('monthly');
  const r = loadM3Baselines('monthly');
  const ids = readFileSync(new URL('sample-monthly-200.txt', dir), 'utf8').trim().split('\n');
  assert.equal(ids.length, 200);
  const sum = { ets: 0, theta: 0, rEts: 0, rTheta: 0, etsMase: 0, thetaMase: 0, rEtsMase: 0, rThetaMase: 0 };
  for (const id of ids) {
    const y = train.get(id)!, actual = hold.get(id)!;
    const fe = ets(y, { period: 12, horizon: 18 }).mean, ft = theta(y, { period: 12, horizon: 18 }).mean;
    sum.ets += smape(actual, fe) / 200;
    sum.theta += smape(actual, ft) / 200;
    sum.etsMase += mase(actual, fe, y, 12) / 200;
    sum.thetaMase += mase(actual, ft, y, 12) / 200;
    sum.rEts += r.get(`${id}/ets`)!.smape / 200;
    sum.rTheta += r.get(`${id}/theta`)!.smape / 200;
    sum.rEtsMase += r.get(`${id}/ets`)!.mase / 200;
    sum.rThetaMase += r.get(`${id}/theta`)!.mase / 200;
  }
  const line = `ETS ${sum.ets.toFixed(4)} (R ${sum.rEts.toFixed(4)}), Theta ${sum.theta.toFixed(4)} (R ${sum.rTheta.toFixed(4)})`;
  assert.ok(Math.abs(sum.ets - sum.rEts) < 0.05, line);
  assert.ok(Math.abs(sum.etsMase - sum.rEtsMase) < 0.005, line);
  assert.ok(Math.abs(sum.theta - sum.rTheta) < 0.01, line);
  assert.ok(Math.abs(sum.thetaMase - sum.rThetaMase) < 0.001, line);
});
