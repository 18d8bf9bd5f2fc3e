/**
 * LSTM, GRU and RNN side by side at the W4 shape (B 64, T 100, I 64, H 256, 2 layers): one
 * layer's forward + backward, as bench/kernels/modes.ts times it, split by backend call, with
 * the GFLOP per CPU second of each product. It answers whether a GRU or an RNN is slower per
 * FLOP than the LSTM inside our kernels (issue 16's GRU/RNN target), which a ratio against
 * PyTorch alone cannot say. Every backend method is wrapped with a CPU timer (outermost calls
 * only); matmuls are named by shape (m×n×k, tA/tB for the transposed operand); "outside" is
 * the rest of the call (layout copies, fresh tensors, JS). FLOPs counted: the fused forward
 * 2·T·B·G·H·(I + H) per layer, the fused backward 2·T·B·G·H·H (the products inside them; G
 * gate blocks: 4, 3, 1), 2·m·n·k per matmul. Medians of 7 calls after 3 warm-ups, CPU time of
 * the whole process (so a second thread's time counts).
 *
 *   npx tsx bench/kernels/mode-phases.ts [threads = 1] [modes = lstm,gru,rnn]
 */
import { GRU, LSTM, RNN, Rng, Tensor, backendByName, wasmThreadsReady } from '../../src/index.js';

const threads = Number(process.argv[2] ?? 1);
const modes = (process.argv[3] ?? 'lstm,gru,rnn').split(',');
await wasmThreadsReady(threads);
const backend = threads === 1 ? 'wasm-1t' : 'wasm';
const be = backendByName(backend) as unknown as Record<string, unknown>;
const B = 64, T = 100, I = 64, H = 256, L = 2;
const GATES: Record<string, number> = { lstm: 4, gru: 3, rnn: 1 };

/** CPU ms of the process so far (user + system, every thread). */
const cpuNow = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
let tally = new Map<string, { ms: number; flops: number }>();
let depth = 0;
/** The call's name in the table and its FLOPs. */
function classify(name: string, a: unknown[]): { key: string; flops: number } {
  if (name === 'matmul') {
    const [m, n, k, tA, tB] = a.slice(6, 11) as [number, number, number, boolean, boolean];
    return { key: `matmul ${m}×${n}×${k}${tA ? ' tA' : ''}${tB ? ' tB' : ''}`, flops: 2 * m * n * k };
  }
  const l = a[0] as { T: number; B: number; I: number; H: number; mode: string };
  if (name === 'sequenceForward') return { key: 'fused forward', flops: 2 * l.T * l.B * GATES[l.mode]! * l.H * (l.I + l.H) };
  if (name === 'sequenceBackward') return { key: 'fused backward', flops: 2 * l.T * l.B * GATES[l.mode]! * l.H * l.H };
  return { key: name, flops: 0 };
}
for (const name of Object.keys(be)) {
  const f = be[name];
  if (typeof f !== 'function' || ['alloc', 'allocInt', 'free', 'owns'].includes(name)) continue;
  const fn = (f as (...a: unknown[]) => unknown).bind(be);
  be[name] = (...a: unknown[]): unknown => {
    if (depth > 0) return fn(...a);
    depth++;
    const c0 = cpuNow();
    try {
      return fn(...a);
    } finally {
      depth--;
      const { key, flops } = classify(name, a), t = tally.get(key) ?? { ms: 0, flops: 0 };
      tally.set(key, { ms: t.ms + cpuNow() - c0, flops: t.flops + flops });
    }
  };
}

const median = (v: number[]): number => [...v].sort((p, q) => p - q)[v.length >> 1]!;
console.log(`| mode | call | CPU ms | GFLOP/CPU-s |\n|---|---|---:|---:|`);
for (const mode of modes) {
  const Layer = { lstm: LSTM, gru: GRU, rnn: RNN }[mode];
  if (!Layer) throw new Error(`unknown mode '${mode}' (lstm, gru, rnn)`);
  const rng = new Rng(1);
  const rand = (n: number, shape: number[]) => new Tensor(Float32Array.from({ length: n }, () => rng.uniform(-1, 1)), shape);
  const layer = new Layer({ inputSize: I, hiddenSize: H, numLayers: L, batchFirst: true, seed: 1, backend });
  const x = rand(B * T * I, [B, T, I]), dOutput = rand(B * T * H, [B, T, H]);
  const call = (): void => { layer.forward(x); layer.backward({ dOutput }); };
  for (let i = 0; i < 3; i++) call();
  const totals: number[] = [], runs: Map<string, { ms: number; flops: number }>[] = [];
  for (let r = 0; r < 7; r++) {
    tally = new Map();
    const c0 = cpuNow();
    call();
    totals.push(cpuNow() - c0);
    runs.push(tally);
  }
  let inside = 0, flops = 0;
  for (const key of new Set(runs.flatMap((m) => [...m.keys()]))) {
    const ms = median(runs.map((m) => m.get(key)?.ms ?? 0)), f = runs[0]!.get(key)?.flops ?? 0;
    inside += ms;
    flops += f;
    console.log(`| ${mode.toUpperCase()} | ${key} | ${ms.toFixed(1)} | ${f ? (f / ms / 1e6).toFixed(1) : ''} |`);
  }
  const total = median(totals);
  console.log(`| ${mode.toUpperCase()} | outside the backend | ${(total - inside).toFixed(1)} | |`);
  console.log(`| ${mode.toUpperCase()} | **total** | **${total.toFixed(1)}** | ${(flops / total / 1e6).toFixed(1)} |`);
}
