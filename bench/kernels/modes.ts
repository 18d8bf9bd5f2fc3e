/**
 * LSTM, GRU and RNN layers side by side: one layer's forward + backward (Tensor API:
 * `layer.forward(x)`, `layer.backward({ dOutput })`, the input gradient included) on lstm-ts's
 * WebAssembly backend (1 thread, 2 threads) and on PyTorch CPU (1 and 2 threads,
 * bench/kernels/torch_modes.py: `out, _ = layer(x); out.backward(g)`), at the adding demo's
 * shape and the W3 and W4 shapes of bench/workloads.ts. Issue 16's targets: GRU and RNN within
 * 1.2× of PyTorch on W3 and W4 (2 threads), and the adding demo's GRU and RNN at least as fast
 * per step as its LSTM.
 *
 * The shapes and the timing children are bench/layer-modes.ts's (`npm run bench -- --only
 * modes` runs the W3 and W4 rows at every core into BENCHMARKS.md). Every implementation runs
 * in its own process, once per round; rounds alternate between them and the samples are
 * pooled, so a busy spell of a shared machine hits every row a little.
 * Prints a Markdown table: median ms per call (wall), and lstm-ts ÷ PyTorch at equal threads.
 *
 *   npx tsx bench/kernels/modes.ts [--rounds 3] [--budget 1.5] [--shapes adding,W3,W4] [--modes lstm,gru,rnn]
 *                                  [--base DIR]   (also time the lstm-ts checkout in DIR, e.g. main, as "before")
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { MODES, modeCases, timeLstmTs, timeTorch, type ModeCase, type ModeSamples } from '../layer-modes.js';

const { values } = parseArgs({
  options: {
    budget: { type: 'string', default: '1.5' }, rounds: { type: 'string', default: '3' },
    shapes: { type: 'string', default: 'adding,W3,W4' }, modes: { type: 'string', default: MODES.join(',') }, base: { type: 'string' },
  },
});

await parent();

async function parent(): Promise<void> {
  const here = resolve(import.meta.dirname, '../..');
  const cases = modeCases(values.shapes!.split(','), values.modes!.split(',')), budget = Number(values.budget);
  const node = (root: string, threads: number) => () => timeLstmTs(root, threads, cases, budget);
  const torch = (threads: number) => () => timeTorch('/usr/bin/python3', threads, cases, budget, { OMP_WAIT_POLICY: 'PASSIVE', OPENBLAS_NUM_THREADS: String(threads) });
  const rows: { label: string; threads: number; who: 'lstm-ts' | 'base' | 'torch'; go: () => Promise<ModeSamples> }[] = [
    { label: 'lstm-ts wasm, 1 thread', threads: 1, who: 'lstm-ts', go: node(here, 1) },
    { label: 'lstm-ts wasm, 2 threads', threads: 2, who: 'lstm-ts', go: node(here, 2) },
    { label: 'PyTorch, 1 thread', threads: 1, who: 'torch', go: torch(1) },
    { label: 'PyTorch, 2 threads', threads: 2, who: 'torch', go: torch(2) },
  ];
  if (values.base) {
    const base = resolve(values.base);
    rows.splice(2, 0, { label: `before (${base}), 1 thread`, threads: 1, who: 'base', go: node(base, 1) },
      { label: `before (${base}), 2 threads`, threads: 2, who: 'base', go: node(base, 2) });
  }
  const pooled = rows.map(() => ({} as Record<string, number[]>)), pooledCpu = rows.map(() => ({} as Record<string, number[]>));
  const load0 = loadavg();
  let blas = '';
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const [i, row] of rows.entries()) {
      const res = await row.go();
      if (res.blas) blas = `torch ${res.torch}, BLAS ${res.blas}`;
      for (const [k, v] of Object.entries(res.samples)) (pooled[i]![k] ??= []).push(...v);
      for (const [k, v] of Object.entries(res.cpu)) (pooledCpu[i]![k] ??= []).push(...v);
      process.stderr.write(`round ${r + 1}: ${row.label} done\n`);
    }
  }
  const med = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]!; };
  const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const load1 = loadavg();
  console.log(`Layer forward + backward, median ms per call (wall), ${values.rounds} rounds pooled; ${blas}.`);
  console.log(`Load average (1/5/15 min) ${load0.map((v) => v.toFixed(1)).join(' / ')} at the start, ${load1.map((v) => v.toFixed(1)).join(' / ')} at the end, on ${(await import('node:os')).availableParallelism()} cores.\n`);
  const torchAt = (t: number) => rows.findIndex((r) => r.who === 'torch' && r.threads === t);
  const oursAt = (t: number) => rows.findIndex((r) => r.who === 'lstm-ts' && r.threads === t);
  const shapeOf = (c: ModeCase) => `${c.name.split(' ')[0]} (B ${c.B}, T ${c.T}, I ${c.I}, H ${c.H}, ${c.L} layer${c.L > 1 ? 's' : ''})`;
  console.log(`| shape | mode | ${rows.map((r) => r.label).join(' | ')} | lstm-ts ÷ PyTorch, 1 thread | lstm-ts ÷ PyTorch, 2 threads |`);
  console.log(`|---|---|${rows.map(() => '---|').join('')}---|---|`);
  for (const c of cases) {
    const m = pooled.map((p) => med(p[c.name]!));
    const ratio = (t: number) => (m[oursAt(t)]! / m[torchAt(t)]!).toFixed(2) + '×';
    console.log(`| ${shapeOf(c)} | ${c.mode.toUpperCase()} | ${m.map(fmt).join(' | ')} | ${ratio(1)} | ${ratio(2)} |`);
  }
  // One-thread rows by CPU time: what the call costs on a core of its own, which a busy machine disturbs much less.
  const one = rows.map((r, i) => [r, i] as const).filter(([r]) => r.threads === 1);
  console.log(`\nThe one-thread rows by CPU time of their process (median ms per call):\n`);
  console.log(`| shape | mode | ${one.map(([r]) => r.label).join(' | ')} | lstm-ts ÷ PyTorch |`);
  console.log(`|---|---|${one.map(() => '---|').join('')}---|`);
  for (const c of cases) {
    const m = one.map(([, i]) => med(pooledCpu[i]![c.name]!));
    const ours = m[one.findIndex(([r]) => r.who === 'lstm-ts')]!, theirs = m[one.findIndex(([r]) => r.who === 'torch')]!;
    console.log(`| ${shapeOf(c)} | ${c.mode.toUpperCase()} | ${m.map(fmt).join(' | ')} | ${(ours / theirs).toFixed(2)}× |`);
  }
}
