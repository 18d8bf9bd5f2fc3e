/**
 * Optimizers, schedules and clipping: one step of each optimizer worked by hand, every
 * optimizer against PyTorch 1.13 over four steps (fixtures from scripts/gen-optim-fixtures.py,
 * float64), schedules against PyTorch's learning rates, clipping against torch.nn.utils, and
 * state save/restore. Run on every backend (the parameters live in backend buffers).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  Adam, AdamW, CosineAnnealingLR, Dense, ReduceLROnPlateau, RMSprop, SGD, StepLR,
  clipGradNorm, clipGradValue, makeOptimizer, makeSchedule, type OptimizerSpec, type ScheduleSpec,
} from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';

const fx = JSON.parse(readFileSync(new URL('../fixtures/optim/torch-optim.json', import.meta.url), 'utf8'));

/** A float64 model with exactly `w.length` parameters set to `w` (a bias-free Dense (1,n)). */
function params(w: number[], backend: string): Dense {
  const d = new Dense({ inputSize: w.length, outputSize: 1, bias: false, dtype: 'float64', backend });
  d.flat.set(w);
  return d;
}

const camel = (o: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
};

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    assert.ok(d <= tol * Math.max(1, Math.abs(b[i]!)), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

for (const backend of BACKENDS) {
  describe(`optimizers on ${backend}`, () => {
    test('one step of each optimizer, by hand (w = 1, g = 0.5)', () => {
      const run = (make: (p: Dense) => { step(): void }, steps = 1): number => {
        const p = params([1], backend);
        const opt = make(p);
        for (let s = 0; s < steps; s++) {
          p.flatGrad[0] = 0.5;
          opt.step();
        }
        return p.flat[0]!;
      };
      // SGD: w = 1 − 0.1·0.5 = 0.95.
      assert.equal(run((p) => new SGD(p, { lr: 0.1 })), 1 - 0.1 * 0.5);
      // Momentum 0.9, two steps: b1 = 0.5, w1 = 0.95; b2 = 0.9·0.5 + 0.5 = 0.95, w2 = 0.95 − 0.1·0.95 = 0.855.
      assert.ok(Math.abs(run((p) => new SGD(p, { lr: 0.1, momentum: 0.9 }), 2) - 0.855) < 1e-15);
      // Nesterov: b1 = 0.5, d = 0.5 + 0.9·0.5 = 0.95, w = 1 − 0.095 = 0.905.
      assert.ok(Math.abs(run((p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true })) - 0.905) < 1e-15);
      // RMSprop: v = (1 − 0.99)·0.25 = 0.0025, √v = 0.05, w = 1 − 0.01·0.5/(0.05 + 1e-8) ≈ 0.9.
      assert.ok(Math.abs(run((p) => new RMSprop(p, { lr: 0.01 })) - (1 - 0.005 / (0.05 + 1e-8))) < 1e-15);
      // Adam, step 1: m̂ = 0.5, v̂ = 0.25 after bias correction, so w = 1 − 0.1·0.5/(0.5 + 1e-8) ≈ 0.9.
      assert.ok(Math.abs(run((p) => new Adam(p, { lr: 0.1 })) - (1 - 0.1 * 0.5 / (0.5 + 1e-8))) < 1e-12);
      // AdamW, λ = 0.1: w = 1·(1 − 0.1·0.1) = 0.99, then the Adam step −0.1 → ≈ 0.89.
      assert.ok(Math.abs(run((p) => new AdamW(p, { lr: 0.1, weightDecay: 0.1 })) - (0.99 - 0.1 * 0.5 / (0.5 + 1e-8))) < 1e-12);
    });

    for (const c of fx.optimizers as Array<{ name: string; options: Record<string, unknown>; steps: number[][] }>) {
      test(`${c.name} ${JSON.stringify(c.options)} matches PyTorch over ${c.steps.length} steps`, () => {
        const p = params(fx.w0, backend);
        const opt = makeOptimizer({ name: c.name, ...camel(c.options) } as OptimizerSpec, p);
        c.steps.forEach((want, s) => {
          p.flatGrad.set(fx.grads[s]);
          opt.step();
          close(p.flat, want, 1e-13, `step ${s + 1}`);
        });
      });
    }

    test('state dict round trip continues exactly', () => {
      const a = params(fx.w0, backend), b = params(fx.w0, backend);
      const oa = new Adam(a, { lr: 0.05 }), ob = new Adam(b, { lr: 0.05 });
      for (const g of fx.grads.slice(0, 2)) {
        a.flatGrad.set(g);
        oa.step();
      }
      b.flat.set(a.flat);
      ob.loadStateDict(oa.stateDict());
      for (const g of fx.grads.slice(2)) {
        a.flatGrad.set(g);
        b.flatGrad.set(g);
        oa.step();
        ob.step();
      }
      assert.deepEqual(Array.from(b.flat), Array.from(a.flat));
      assert.throws(() => new SGD(b).loadStateDict(oa.stateDict()), /state is for adam/);
    });

    test('clipGradNorm and clipGradValue match torch.nn.utils', () => {
      const p = params([0, 0, 0, 0, 0], backend);
      p.flatGrad.set(fx.clipNorm.grad);
      const n = clipGradNorm(p, fx.clipNorm.maxNorm);
      assert.ok(Math.abs(n - fx.clipNorm.norm) < 1e-15);
      close(p.flatGrad, fx.clipNorm.clipped, 1e-15, 'clipNorm');
      p.flatGrad.set(fx.clipValue.grad);
      clipGradValue(p, fx.clipValue.clipValue);
      assert.deepEqual(Array.from(p.flatGrad), fx.clipValue.clipped);
      // Below the threshold nothing changes.
      p.flatGrad.set([0.1, 0, 0, 0, 0]);
      clipGradNorm(p, 1);
      assert.equal(p.flatGrad[0], 0.1);
    });
  });
}

describe('learning-rate schedules', () => {
  for (const s of fx.schedules as Array<{ name: string; options: Record<string, unknown>; lrs: number[]; metrics?: number[] }>) {
    test(`${s.name} ${JSON.stringify(s.options)} gives PyTorch's learning rates`, () => {
      const opt = new SGD(params([0], 'reference'), { lr: 0.1 });
      const sched = makeSchedule({ name: s.name, ...s.options } as ScheduleSpec, opt);
      const got = s.lrs.map((_, e) => {
        sched.step(s.metrics?.[e]);
        return opt.lr;
      });
      close(got, s.lrs, 1e-15, s.name);
    });
  }

  test('schedule state round trip', () => {
    const o1 = new SGD(params([0], 'reference'), { lr: 0.1 });
    const r1 = new ReduceLROnPlateau(o1, { patience: 1 });
    for (const m of [1, 1, 1]) r1.step(m);
    const o2 = new SGD(params([0], 'reference'), { lr: o1.lr });
    const r2 = new ReduceLROnPlateau(o2, { patience: 1 });
    r2.loadStateDict(JSON.parse(JSON.stringify(r1.stateDict())));
    for (const m of [1, 1]) {
      r1.step(m);
      r2.step(m);
    }
    assert.equal(o2.lr, o1.lr);
    assert.ok(new StepLR(o1, { stepSize: 2 }) && new CosineAnnealingLR(o1, { tMax: 3 }));
    assert.throws(() => new StepLR(o1, { stepSize: 0 }), /stepSize must be a positive integer/);
    assert.equal(makeSchedule(r1, o1), r1);
    assert.throws(() => makeSchedule(r1, o2), /schedule was created for another optimizer/);
  });
});
