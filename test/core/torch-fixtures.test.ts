/**
 * Agreement with PyTorch: every fixture in test/fixtures/torch/ (scripts/gen_torch_fixtures.py)
 * is loaded through loadTorchStateDict exactly as PyTorch saved it, run forward and backward on
 * every backend, and compared with PyTorch's outputs, final states and the gradients of the
 * fixture's loss w.r.t. the input, the initial states and every parameter.
 * Tolerance |ours − torch| ≤ atol + rtol·|torch|: float32 cases 1e-5 + 1e-4 (outputs and
 * gradients alike), float64 cases 1e-12 + 1e-10. The largest differences are printed per case.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTorchStateDict } from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { asDtype, buildLayer, compare, loadTorchCase, torchFixtureNames, type Diff } from './torch-fixture-loader.js';

const TOL = { float32: { atol: 1e-5, rtol: 1e-4 }, float64: { atol: 1e-12, rtol: 1e-10 } };
const files = torchFixtureNames();
const summary: string[] = [];

test('the PyTorch fixture folder holds LSTM, GRU and RNN cases', () => {
  const cases = files.map((f) => loadTorchCase(f));
  for (const kind of ['LSTM', 'GRU', 'RNN']) assert.ok(cases.some((c) => c.kind === kind), `no ${kind} fixture`);
});

for (const backend of BACKENDS) {
  describe(`PyTorch fixtures on ${backend}`, () => {
    for (const file of files) {
      test(file.replace(/\.data\.safetensors$/, ''), (t) => {
        const c = loadTorchCase(file);
        const { atol, rtol } = TOL[c.dtype];
        const layer = buildLayer(c, backend);
        layer.eval(); // the fixtures ran PyTorch in eval mode (dropout off)
        const res = loadTorchStateDict(layer, c.statePath, { prefix: c.statePrefix });
        assert.equal(res.loaded.length, layer.namedParameters().length);
        const d = c.data, cast = (k: string) => asDtype(d[k]!, c.dtype);
        const fwd = {
          ...(d.h0 ? { h0: cast('h0') } : {}),
          ...(d.c0 ? { c0: cast('c0') } : {}),
          ...(d.lengths ? { lengths: Array.from(d.lengths.data) } : {}),
        };
        const out = layer.forward(cast('x'), fwd);
        layer.zeroGrad();
        const g = layer.backward({ dOutput: cast('R_output'), dh: cast('R_h'), ...(d.R_c ? { dc: cast('R_c') } : {}) });

        const diffs: Array<[string, Diff]> = [];
        const cmp = (what: string, got: unknown, key: string): void => {
          assert.ok(d[key], `${c.name}: fixture lacks ${key}`);
          assert.ok(got, `${c.name}: we produced no ${what}`);
          diffs.push([what, compare(what, got as never, d[key]!, atol, rtol)]);
        };
        cmp('output', out.output, 'output');
        cmp('h_n', out.h, 'h_n');
        if (c.kind === 'LSTM') cmp('c_n', out.c, 'c_n');
        cmp('grad.x', g.dInput, 'grad.x');
        cmp('grad.h0', g.dh0, 'grad.h0');
        if (c.kind === 'LSTM') cmp('grad.c0', g.dc0, 'grad.c0');
        const grads = layer.grads;
        const names = Object.keys(grads);
        // Every parameter gradient is in the fixture, and nothing else is.
        const fixtureParams = Object.keys(d).filter((k) => k.startsWith('grad.') && !['grad.x', 'grad.h0', 'grad.c0'].includes(k));
        assert.deepEqual(fixtureParams.map((k) => k.slice(5)).sort(), [...names].sort());
        for (const n of names) cmp(`grad.${n}`, grads[n], `grad.${n}`);

        const fwdMax = Math.max(...diffs.filter(([w]) => !w.startsWith('grad')).map(([, x]) => x.maxAbs));
        const gradMax = Math.max(...diffs.filter(([w]) => w.startsWith('grad')).map(([, x]) => x.maxAbs));
        const worst = diffs.reduce((a, b) => (b[1].worstRatio > a[1].worstRatio ? b : a));
        const line = `${backend} ${c.name} (${c.dtype}, state ${c.stateDtype}): max |diff| forward ${fwdMax.toExponential(2)}, gradients ${gradMax.toExponential(2)}; worst/tolerance ${worst[1].worstRatio.toFixed(3)} at ${worst[1].where}`;
        t.diagnostic(line);
        summary.push(line);
        for (const [what, x] of diffs) {
          assert.ok(x.worstRatio <= 1, `${c.name} ${what}: beyond |diff| ≤ ${atol} + ${rtol}·|torch|: ${x.where} (max |diff| ${x.maxAbs})`);
        }
      });
    }
  });
}

after(() => {
  if (process.env.TORCH_FIXTURE_SUMMARY) console.log(summary.join('\n'));
});
