/**
 * compile: choose where a Sequential's inference runs.
 *
 *   'wasm'         the model's own kernels (its backend: WebAssembly unless setBackend chose
 *                  another). Always available; the only engine training uses.
 *   'onnxruntime'  onnxruntime-node (Node only; an optional peer dependency) running a session
 *                  built from the model's own ONNX export, in memory. Same results within
 *                  float32 rounding (test/io/onnx-engine.test.ts).
 *   'auto'         per call, the one measured faster for that call's size (AUTO_RULE): small
 *                  calls on the kernels, whose per-call cost is a few microseconds, large ones on
 *                  onnxruntime, whose 256-bit native kernels win once the work is big enough.
 *                  Falls back to 'wasm', saying why, where onnxruntime-node is missing or the
 *                  model has no ONNX export.
 *
 * The onnxruntime engine module is loaded with a dynamic import, so it (and onnxruntime-node)
 * is loaded only when asked for, and browser builds replace it with a stub: in a page,
 * 'onnxruntime' is an error and 'auto' picks 'wasm'.
 */
import type { InferenceEngine } from '../../nn/engine.js';
import { Dense, Embedding, LastStep } from '../../nn/layers.js';
import { GATE_COUNT, RecurrentBase, type RecurrentMode } from '../../nn/recurrent.js';
import type { Sequential } from '../../nn/sequential.js';
import type { Tensor } from '../../tensor/tensor.js';

/** Where inference runs: see the file header. */
export type EngineName = 'wasm' | 'onnxruntime' | 'auto';
export const ENGINE_NAMES: readonly EngineName[] = ['wasm', 'onnxruntime', 'auto'];

export interface CompileOptions {
  /** Default 'auto'. */
  engine?: EngineName;
  /** onnxruntime's threads inside an operator. Default: every core, as the 'wasm' backend uses. */
  threads?: number;
}

/** What compile did, for the caller to show. */
export interface EngineChoice {
  requested: EngineName;
  /** What the model runs on now ('auto': per call, by AUTO_RULE). */
  engine: EngineName;
  /** One sentence: why. */
  reason: string;
}

/**
 * Calls of at least this many nominal FLOPs (forwardFlops) run on onnxruntime under 'auto',
 * by the kind of the layer that costs most; smaller ones on the kernels (Infinity: always the
 * kernels). Fitted by `node --import tsx bench/engine-rule.ts` (also `npm run bench -- --only
 * engine`: the threshold with the smallest mean slowdown against always picking the faster
 * engine, over a grid of H 16–256, B 1–64, T 10–100) on the benchmark machine (2-core AMD
 * EPYC, Node 20, onnxruntime-node 1.30, both engines on 2 threads), after the whole-sequence
 * kernels for GRU and RNN and the batch-one time-major onnxruntime graph: the full `npm run
 * bench` of 2026-12-03 (load 2–3) and a rerun on this code (load 20, fastest calls) fitted the
 * same LSTM (0.41 MFLOP), GRU (1.97 MFLOP) and Dense (0.33 MFLOP) thresholds. Below them a call
 * is too small for onnxruntime's fixed cost per run. Plain RNNs: onnxruntime was faster at none
 * of the 18 points of the quiet run (up to 0.9 GFLOP) and at 4 of 18, scattered, in the
 * loaded one, so they stay on the kernels.
 */
export const AUTO_RULE: Record<RecurrentMode | 'dense', number> = {
  lstm: 4e5,
  gru: 1.9e6,
  rnn: Infinity,
  dense: 3e5,
};

/**
 * Nominal FLOPs of one eval-mode forward of `model` on B rows of T steps: per step, row and
 * direction a recurrent layer costs 2·G·H·(I + Hout) (G gates: LSTM 4, GRU 3, RNN 1), plus
 * 2·P·H for an LSTM projection; a Dense layer 2·I·O per row it sees. Also returns the kind of
 * the layer that costs most (what AUTO_RULE is keyed by).
 */
export function forwardFlops(model: Sequential, B: number, T: number): { flops: number; dominant: RecurrentMode | 'dense' } {
  let flops = 0, top = 0;
  let dominant: RecurrentMode | 'dense' = 'dense';
  let rows = model.inputKind === 'any' ? B : B * T; // rows the next Dense sees (T·B until LastStep)
  for (const layer of model.layers) {
    let f = 0;
    if (layer instanceof RecurrentBase) {
      const H = layer.hiddenSize, P = layer.projSize, Hout = layer.hOut, D = layer.numDirections, G = GATE_COUNT[layer.mode];
      for (let l = 0; l < layer.numLayers; l++) {
        const I = l === 0 ? layer.inputSize : D * Hout;
        f += D * B * T * (2 * G * H * (I + Hout) + 2 * P * H);
      }
    } else if (layer instanceof Dense) {
      f = 2 * layer.inputSize * layer.outputSize * rows;
    } else if (layer instanceof Embedding) {
      continue;
    } else if (layer instanceof LastStep) {
      rows = B;
    }
    flops += f;
    if (f > top) {
      top = f;
      dominant = layer instanceof RecurrentBase ? layer.mode : 'dense';
    }
  }
  return { flops, dominant };
}

/** Under 'auto', whether a call of B rows × T steps runs on onnxruntime, and why. */
export function autoChoice(model: Sequential, B: number, T: number): { engine: 'onnxruntime' | 'wasm'; reason: string } {
  if (!model.backend.name.startsWith('wasm')) {
    return { engine: 'onnxruntime', reason: `the model runs on the ${model.backend.name} kernels, which onnxruntime beats at every size` };
  }
  const { flops, dominant } = forwardFlops(model, B, T);
  const limit = AUTO_RULE[dominant];
  const size = `batch ${B}${model.inputKind === 'any' ? '' : ` × ${T} steps`}, ${fmtFlops(flops)}`;
  if (limit === Infinity) return { engine: 'wasm', reason: `${size}: the WebAssembly kernels were measured faster for ${dominant.toUpperCase()} at every size` };
  return flops >= limit
    ? { engine: 'onnxruntime', reason: `${size}: at or above the ${fmtFlops(limit)} per call from which onnxruntime was measured faster for ${dominant.toUpperCase()}` }
    : { engine: 'wasm', reason: `${size}: below the ${fmtFlops(limit)} per call under which the WebAssembly kernels were measured faster for ${dominant.toUpperCase()}` };
}

function fmtFlops(f: number): string {
  return f >= 1e9 ? `${(f / 1e9).toPrecision(3)} GFLOP` : f >= 1e6 ? `${(f / 1e6).toPrecision(3)} MFLOP` : `${(f / 1e3).toPrecision(3)} kFLOP`;
}

/** 'auto': each call on onnxruntime or on the model's kernels (run returns null), by autoChoice; counts what it did. */
export class AutoEngine implements InferenceEngine {
  readonly name = 'auto';
  /** Calls run on each engine, with the reason of the last one. */
  readonly used: Record<'onnxruntime' | 'wasm', { calls: number; reason: string }> = {
    onnxruntime: { calls: 0, reason: '' },
    wasm: { calls: 0, reason: '' },
  };

  constructor(private readonly model: Sequential, private readonly onnx: InferenceEngine) {}

  run(x: Tensor, lengths: Int32Array | null): Tensor | null {
    const B = x.shape[0]!, T = this.model.inputKind === 'any' && x.shape.length === 2 ? 1 : x.shape[1]!;
    const c = autoChoice(this.model, B, T);
    this.used[c.engine].calls++;
    this.used[c.engine].reason = c.reason;
    return c.engine === 'onnxruntime' ? this.onnx.run(x, lengths) : null;
  }

  dispose(): void {
    this.onnx.dispose();
  }
}

/**
 * For models compiled with 'auto': one line saying how many calls ran on each engine, with the
 * last call's reason for each (null when none of `models` runs under 'auto').
 */
export function engineSummary(models: readonly Sequential[]): string | null {
  const autos = models.map((m) => m.engine).filter((e): e is AutoEngine => e instanceof AutoEngine);
  if (autos.length === 0) return null;
  const parts = (['onnxruntime', 'wasm'] as const).map((k) => {
    const calls = autos.reduce((n, a) => n + a.used[k].calls, 0);
    const reason = autos.map((a) => a.used[k].reason).filter(Boolean).at(-1);
    return calls ? `${calls} call${calls === 1 ? '' : 's'} on ${k} (${reason})` : '';
  }).filter(Boolean);
  return `engine auto: ${parts.length ? parts.join('; ') : 'no calls'}`;
}

/**
 * Choose where `model`'s inference runs (see the file header) and put it in eval mode. Returns
 * what was chosen and why. 'onnxruntime' rejects with a clear error when onnxruntime-node is
 * not installed, in a browser, or when the model has no ONNX export (a float64
 * model); 'auto' then picks 'wasm' and says why. The engine holds the weights of this moment:
 * training mode (fit) or loadStateDict detaches it; compile again after training.
 */
export async function compile(model: Sequential, opts: CompileOptions = {}): Promise<EngineChoice> {
  const requested = opts.engine ?? 'auto';
  if (!ENGINE_NAMES.includes(requested)) throw new RangeError(`compile: engine must be one of ${ENGINE_NAMES.join(', ')}, got ${JSON.stringify(opts.engine)}`);
  model.eval();
  if (requested === 'wasm') {
    model.setEngine(null);
    return { requested, engine: 'wasm', reason: `the model's own kernels (${model.backend.name} backend)` };
  }
  let onnx: InferenceEngine;
  try {
    const { createOnnxruntimeEngine } = await import('./onnxruntime-engine.js');
    onnx = createOnnxruntimeEngine(model, opts.threads === undefined ? {} : { threads: opts.threads });
  } catch (e) {
    const why = (e as Error).message;
    if (requested === 'onnxruntime') throw new Error(`compile: cannot run this model on onnxruntime: ${why}`, { cause: e });
    model.setEngine(null);
    return { requested, engine: 'wasm', reason: `onnxruntime is not usable here (${why}); the model's own kernels (${model.backend.name} backend) run it` };
  }
  if (requested === 'onnxruntime') {
    model.setEngine(onnx);
    return { requested, engine: 'onnxruntime', reason: 'onnxruntime-node session on the model\'s ONNX export' };
  }
  model.setEngine(new AutoEngine(model, onnx));
  return { requested, engine: 'auto', reason: 'per call: onnxruntime for calls large enough to be faster there, the WebAssembly kernels below (AUTO_RULE)' };
}
