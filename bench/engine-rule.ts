/**
 * The measurements behind compile's 'auto' engine (AUTO_RULE in src/io/onnx/engine.ts): for each
 * kind of layer that can dominate a model's cost (LSTM, GRU, RNN, Dense), a grid of shapes is
 * timed on the model's own WebAssembly kernels and on the onnxruntime engine, in one process,
 * both on every core, the two interleaved. Per kind, the rule is a FLOP threshold (calls at or
 * above it go to onnxruntime); the one fitted here is the threshold with the smallest mean
 * slowdown against always picking the faster engine, over the grid (ruleCost). The section also says how the
 * thresholds in the code do on the same points. Run by `npm run bench` (section "engine");
 * alone: `node --import tsx bench/engine-rule.ts [--budget MS]`.
 */
import { parseArgs } from 'node:util';
import {
  AUTO_RULE, Dense, GRU, LSTM, RNN, Rng, Sequential, Tensor, compile, forwardFlops, wasmThreadsReady,
  type InferenceEngine, type LayerEntry,
} from '../src/index.js';
import { RESULT_MARK } from './harness.js';

type Kind = keyof typeof AUTO_RULE;
const KINDS: Kind[] = ['lstm', 'gru', 'rnn', 'dense'];
const HIDDEN = [16, 64, 256], BATCH = [1, 8, 64], STEPS = [10, 100];
const INPUT = 16;

export interface RulePoint {
  kind: Kind;
  H: number;
  B: number;
  T: number;
  flops: number;
  /** Fastest call, ms: the kernels, and the onnxruntime engine. */
  wasm: number;
  onnxruntime: number;
}

function model(kind: Kind, H: number): Sequential {
  const layer: LayerEntry = kind === 'dense' ? ['fc', new Dense({ inputSize: H, outputSize: H, seed: 1 })]
    : [kind, new (kind === 'lstm' ? LSTM : kind === 'gru' ? GRU : RNN)({ inputSize: INPUT, hiddenSize: H, batchFirst: true, seed: 1 })];
  return new Sequential([layer]);
}

/** Fastest of repeated calls of each function, alternating between them in short turns until each had `budget` ms. */
function fastest(fns: Array<() => unknown>, budget: number): number[] {
  const best = fns.map(() => Infinity), spent = fns.map(() => 0);
  for (const f of fns) f(); // warm-up
  while (spent.some((s) => s < budget)) {
    fns.forEach((f, i) => {
      const turn = performance.now();
      do {
        const t0 = performance.now();
        f();
        best[i] = Math.min(best[i]!, performance.now() - t0);
      } while (performance.now() - turn < Math.min(20, budget / 5));
      spent[i]! += performance.now() - turn;
    });
  }
  return best;
}

/** Measure every kind over the grid (budget: ms of calls per engine and point). */
export async function measureRule(budget: number): Promise<RulePoint[]> {
  await wasmThreadsReady();
  const points: RulePoint[] = [];
  for (const kind of KINDS) {
    for (const H of HIDDEN) {
      const m = model(kind, H);
      await compile(m, { engine: 'onnxruntime' });
      const onnx = m.engine as InferenceEngine;
      for (const B of BATCH) {
        for (const T of STEPS) {
          // Dense: B·T rows of H features; recurrent: B sequences of T steps of INPUT features.
          const shape = kind === 'dense' ? [B * T, H] : [B, T, INPUT];
          const rng = new Rng(B * 1000 + T);
          const x = new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)), shape);
          const [wasm, onnxruntime] = fastest([
            () => { m.setEngine(null); m.forward(x); },
            () => onnx.run(x, null),
          ], budget);
          points.push({ kind, H, B, T, flops: forwardFlops(m, shape[0]!, kind === 'dense' ? 1 : T).flops, wasm: wasm!, onnxruntime: onnxruntime! });
        }
      }
      onnx.dispose();
    }
  }
  return points;
}

/**
 * Mean slowdown over the points when calls of at least `threshold` FLOPs go to onnxruntime:
 * the average of (time of the engine chosen ÷ time of the faster one) − 1. Every call counts
 * alike, small or large (a total of milliseconds would let the few largest points decide).
 */
export function ruleCost(points: RulePoint[], threshold: number): number {
  return points.reduce((s, p) => s + (p.flops >= threshold ? p.onnxruntime : p.wasm) / Math.min(p.wasm, p.onnxruntime) - 1, 0) / points.length;
}

/** The threshold (one of the points' FLOP counts, or Infinity: never onnxruntime) that costs least. */
export function fitThreshold(points: RulePoint[]): number {
  const candidates = [...new Set(points.map((p) => p.flops))].sort((a, b) => a - b).concat(Infinity);
  let best = Infinity, cost = Infinity;
  for (const c of candidates) {
    const k = ruleCost(points, c);
    if (k < cost - 1e-12) [best, cost] = [c, k];
  }
  return best;
}

const mflop = (f: number): string => (f === Infinity ? 'never' : f >= 1e9 ? `${(f / 1e9).toPrecision(3)} GFLOP` : `${(f / 1e6).toPrecision(3)} MFLOP`);
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** BENCHMARKS.md's section on the rule. */
export function renderRule(points: RulePoint[]): string[] {
  const md = [
    '## Engine choice: the rule behind `engine: \'auto\'`', '',
    `Each point: the fastest of repeated calls (ms) of one eval-mode forward on lstm-ts's WebAssembly kernels and on the onnxruntime engine (\`compile(model, { engine: 'onnxruntime' })\`), both on every core, in one process, interleaved. Recurrent models: one layer, input ${INPUT}, B sequences of T steps; Dense: B·T rows of H features. Per kind, the fitted threshold sends calls of at least that many nominal FLOPs to onnxruntime and has the smallest mean slowdown over the grid against always picking the faster engine (each point's time ÷ the faster one's, minus 1, averaged); AUTO_RULE in src/io/onnx/engine.ts is what 'auto' applies.`, '',
    '| layer | fitted threshold | mean slowdown (fitted) | AUTO_RULE in the code | mean slowdown (code) | onnxruntime faster at |',
    '|---|---|---|---|---|---|',
  ];
  for (const kind of KINDS) {
    const ps = points.filter((p) => p.kind === kind);
    if (!ps.length) continue;
    const fitted = fitThreshold(ps);
    const faster = ps.filter((p) => p.onnxruntime < p.wasm).length;
    md.push(`| ${kind.toUpperCase()} | ${mflop(fitted)} | ${pct(ruleCost(ps, fitted))} | ${mflop(AUTO_RULE[kind])} | ${pct(ruleCost(ps, AUTO_RULE[kind]))} | ${faster} of ${ps.length} points |`);
  }
  md.push('', '<details><summary>Every point (ms)</summary>', '', '| layer | H | B | T | MFLOP | WebAssembly | onnxruntime | faster |', '|---|---|---|---|---|---|---|---|');
  for (const p of points) {
    md.push(`| ${p.kind.toUpperCase()} | ${p.H} | ${p.B} | ${p.T} | ${(p.flops / 1e6).toPrecision(3)} | ${p.wasm.toPrecision(3)} | ${p.onnxruntime.toPrecision(3)} | ${p.onnxruntime < p.wasm ? 'onnxruntime' : 'wasm'} |`);
  }
  md.push('', '</details>', '');
  return md;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { budget: { type: 'string', default: '150' } } });
  const points = await measureRule(Number(values.budget));
  process.stdout.write(renderRule(points).join('\n') + '\n');
  process.stdout.write(`\n${RESULT_MARK}${JSON.stringify({ ok: true, points })}\n`);
  process.exit(0); // worker threads and onnxruntime's pool keep the process alive
}
