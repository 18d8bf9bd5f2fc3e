/**
 * LSTM, GRU and RNN layers side by side: one layer's forward + backward (Tensor API:
 * `layer.forward(x)`, `layer.backward({ dOutput })`, the input gradient included) on lstm-ts's
 * WebAssembly backend and on PyTorch CPU (bench/kernels/torch_modes.py: `out, _ = layer(x);
 * out.backward(g)`), at the adding demo's shape and the W3 and W4 shapes of bench/workloads.ts.
 * Issue 16's target: GRU and RNN within 1.2× of PyTorch on W3 and W4 (2 threads).
 *
 * This module holds the shapes, the timing child (`--child`: time every case in the lstm-ts
 * checkout `--root` with `--threads` threads) and the functions that run it and PyTorch's
 * script in their own processes; `npm run bench -- --only modes` (bench/run.ts, the "GRU and
 * RNN layers" section of BENCHMARKS.md) and bench/kernels/modes.ts (any shape, 1 and 2 threads,
 * an older checkout beside this one) both use them.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** B, T, I, H, L of each shape. */
export const MODE_SHAPES: Record<string, { B: number; T: number; I: number; H: number; L: number }> = {
  adding: { B: 32, T: 100, I: 2, H: 32, L: 1 }, // demos/adding.ts at T = 100
  W3: { B: 32, T: 50, I: 32, H: 128, L: 1 },
  W4: { B: 64, T: 100, I: 64, H: 256, L: 2 },
};
export const MODES = ['lstm', 'gru', 'rnn'] as const;
export type Mode = (typeof MODES)[number];

/** One timed case: a layer kind at a shape; `name` is "<shape> <mode>". */
export interface ModeCase { name: string; shape: string; mode: Mode; B: number; T: number; I: number; H: number; L: number }

/** What a timing child prints: per case, the wall-clock ms and the process's CPU ms of each call (PyTorch's also its BLAS). */
export interface ModeSamples { samples: Record<string, number[]>; cpu: Record<string, number[]>; blas?: string; torch?: string }

const MARK = '@@RESULT ';
const HERE = resolve(import.meta.dirname, '..');

/** Every (shape, mode) pair, shapes outermost; throws on an unknown name. */
export function modeCases(shapes: string[], modes: string[]): ModeCase[] {
  const cases: ModeCase[] = [];
  for (const s of shapes) {
    const shape = MODE_SHAPES[s];
    if (!shape) throw new Error(`unknown shape '${s}' (known: ${Object.keys(MODE_SHAPES).join(', ')})`);
    for (const m of modes) {
      if (!(MODES as readonly string[]).includes(m)) throw new Error(`unknown mode '${m}' (known: ${MODES.join(', ')})`);
      cases.push({ name: `${s} ${m}`, shape: s, mode: m as Mode, ...shape });
    }
  }
  return cases;
}

function run(cmd: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<ModeSamples> {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith(MARK));
      if (!line) return rej(new Error(`${cmd} ${args.slice(0, 3).join(' ')} … ${signal ? `killed (${signal})` : `exited ${code}`} without a result`));
      res(JSON.parse(line.slice(MARK.length)) as ModeSamples);
    });
  });
}

/** Time every case on lstm-ts in checkout `root` (its src/index.ts) with `threads` threads, `budget` seconds per case. */
export function timeLstmTs(root: string, threads: number, cases: ModeCase[], budget: number, timeoutMs = 600_000): Promise<ModeSamples> {
  return run(process.execPath, ['--import', 'tsx', resolve(HERE, 'bench/layer-modes.ts'), '--child', '--root', root,
    '--threads', String(threads), '--cases', JSON.stringify(cases), '--budget', String(budget)], {}, timeoutMs);
}

/** Time every case on PyTorch (bench/kernels/torch_modes.py) with `threads` threads; env: the BLAS and OpenMP settings. */
export function timeTorch(python: string, threads: number, cases: ModeCase[], budget: number, env: Record<string, string>, timeoutMs = 600_000): Promise<ModeSamples> {
  return run(python, [resolve(HERE, 'bench/kernels/torch_modes.py'), '--cases', JSON.stringify(cases), '--threads', String(threads),
    '--budget', String(budget)], env, timeoutMs);
}

/** The child: time every case on lstm-ts; print the samples after MARK. */
async function child(): Promise<void> {
  const { values } = parseArgs({
    options: { child: { type: 'boolean' }, root: { type: 'string' }, threads: { type: 'string' }, cases: { type: 'string' }, budget: { type: 'string' } },
  });
  const lib = await import(resolve(values.root!, 'src/index.ts'));
  const threads = Number(values.threads), budget = Number(values.budget) * 1000;
  await lib.wasmThreadsReady(threads);
  const backend = threads === 1 ? 'wasm-1t' : 'wasm';
  const out: ModeSamples = { samples: {}, cpu: {} };
  for (const c of JSON.parse(values.cases!) as ModeCase[]) {
    const rng = new lib.Rng(1);
    const rand = (n: number, shape: number[]) => new lib.Tensor(Float32Array.from({ length: n }, () => rng.uniform(-1, 1)), shape);
    const Layer = { lstm: lib.LSTM, gru: lib.GRU, rnn: lib.RNN }[c.mode];
    const layer = new Layer({ inputSize: c.I, hiddenSize: c.H, numLayers: c.L, batchFirst: true, seed: 1, backend });
    const x = rand(c.B * c.T * c.I, [c.B, c.T, c.I]), dOutput = rand(c.B * c.T * c.H, [c.B, c.T, c.H]);
    const call = (): void => {
      layer.forward(x);
      layer.backward({ dOutput });
    };
    for (let i = 0; i < 3; i++) call();
    const times: number[] = [], cpu: number[] = [], end = performance.now() + budget;
    while (times.length < 3 || performance.now() < end) {
      const t0 = performance.now(), c0 = process.cpuUsage();
      call();
      const dc = process.cpuUsage(c0);
      times.push(performance.now() - t0);
      cpu.push((dc.user + dc.system) / 1000);
    }
    out.samples[c.name] = times;
    out.cpu[c.name] = cpu;
  }
  console.log(MARK + JSON.stringify(out));
  process.exit(0); // the worker threads are unref'd, but leave no doubt
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv.includes('--child')) await child();
