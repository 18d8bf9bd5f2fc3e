/**
 * The report's arithmetic on made-up rows: which row counts as lstm-ts's best, the direction of
 * the ratios, and when a target is reached. No measurement here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateTargets, evaluateTargets16, fastest, renderReport, type ModeRow, type Row, type RunInfo } from '../../bench/report.js';
import { crossovers, type SweepRow } from '../../bench/sweep.js';
import { fitThreshold, ruleCost, type RulePoint } from '../../bench/engine-rule.js';
import { bitsAt, renderTtq, type TtqRun } from '../../bench/ttq.js';
import { loadVerdict } from '../../bench/harness.js';
import { syncReadme } from '../../bench/readme-sync.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const row = (id: string, group: Row['group'], workload: Row['workload'], median: number, threads = 1): Row =>
  ({ id, label: id, group, workload, threads, median, min: median, runs: 5, load: 0 });

const rows: Row[] = [
  row('lstm-ts/reference', 'lstm-ts', 'W1', 10),
  row('lstm-ts/wasm-1t', 'lstm-ts', 'W1', 1.0),
  row('tfjs/cpu', 'tfjs', 'W1', 36),
  row('tfjs/wasm', 'tfjs', 'W1', 20),
  row('onnxruntime-node', 'onnxruntime', 'W1', 0.4),
  row('torch', 'pytorch', 'W1', 1.5),
  row('torch', 'pytorch', 'W1', 1.2, 2),
  row('lstm-ts/wasm-1t', 'lstm-ts', 'W4', 900),
  row('lstm-ts/wasm', 'lstm-ts', 'W4', 500, 2),
  row('torch', 'pytorch', 'W4', 400, 2),
];

test('fastest picks the smallest median and ignores rows that did not run', () => {
  assert.equal(fastest([...rows.slice(0, 3), { ...row('x', 'lstm-ts', 'W1', 0), median: undefined, skipped: 'no' }])!.median, 1.0);
});

test('targets compare lstm-ts\'s best WebAssembly row with each peer\'s best row', () => {
  const t = Object.fromEntries(evaluateTargets(rows).map((x) => [x.text, x]));
  const get = (prefix: string) => Object.entries(t).find(([k]) => k.startsWith(prefix))![1];
  assert.equal(get('W1: ≥ 25×').status, 'not reached'); // 20 / 1.0 = 20×
  assert.match(get('W1: ≥ 25×').detail, /20\.0× faster/);
  assert.equal(get('W1: faster than PyTorch').status, 'reached'); // 1.2 (2 threads) / 1.0
  assert.equal(get('W1: within 2×').status, 'not reached'); // 0.4 / 1.0 = 0.4 < 0.5
  assert.equal(get('W4: within 1.5×').status, 'reached'); // 400 / 500 = 0.8 ≥ 0.667
  assert.equal(get('W4: two threads').status, 'reached'); // 900 / 500 = 1.8
  assert.equal(get('W2: two threads').status, 'not measured');
  assert.equal(get('W3: ≥ 15×').status, 'not measured');
});

test('the report lists every row and the ratio of each peer to lstm-ts\'s best', () => {
  const info: RunInfo = {
    date: 'd', command: 'c', cpu: 'cpu', cores: 2, memGB: 1, node: '20', v8: '11', packages: {}, python: 'p',
    torchVersion: null, commit: 'abc', dirty: false, lstmTsBackends: ['reference'], loadStart: [0, 0, 0], loadEnd: [0, 0, 0],
    budget: 1, skipSlow: false,
  };
  const { md } = renderReport({ info, rows, kernels: null });
  assert.match(md, /\| W1 \| lstm-ts\/wasm-1t, 1 thread: 1\.00 ms \| 36\.0× \| 20\.0× \| 0\.400× \| 1\.50× \| 1\.20× \|/);
  for (const r of rows) assert.ok(md.includes(`| ${r.label}, ${r.threads} thread`), r.label);
  assert.doesNotMatch(md, /Preliminary/);
  // One row measured while the load average was above the core count makes the whole report preliminary.
  const busy = renderReport({ info, rows: rows.map((r, i) => (i === 3 ? { ...r, load: 2.5 } : r)), kernels: null }).md;
  assert.match(busy, /\*\*Preliminary figures\*\*: the 1-minute load average reached 2\.5 on 2 cores.*`npm run bench` on a quiet machine/);
});

test('the matmul target is read from the kernel micro-benchmark\'s "% of peak" column', () => {
  const info = {
    date: 'd', command: 'c', cpu: 'cpu', cores: 2, memGB: 1, node: '20', v8: '11', packages: {}, python: 'p',
    torchVersion: null, commit: 'abc', dirty: false, lstmTsBackends: ['reference'], loadStart: [0, 0, 0], loadEnd: [0, 0, 0],
    budget: 1, skipSlow: false,
  };
  const kernels = 'f32x4 SIMD peak, one core (CPU time): 54.4 GFLOP/s\n| a | b | 10.8 | 40.0 | 73% | 10.3 | 0.95× |\n| c | d | 25.2 | 25.1 | 45% | 26.8 | 1.07× |';
  assert.match(renderReport({ info, rows, kernels }).md, /≥ 70% of the f32x4 SIMD peak of one core \| reached on 1 of 2 shapes \| 73%, 45% of a 54\.4 GFLOP\/s peak/);
  assert.match(renderReport({ info, rows, kernels: null }).md, /SIMD peak of one core \| not measured/);
});

test('issue 16 targets: the engine row counts only there, against onnxruntime at every core', () => {
  const r16: Row[] = [
    row('lstm-ts/wasm', 'lstm-ts', 'W1', 0.40, 2),
    { ...row('lstm-ts/engine-onnxruntime', 'lstm-ts', 'W1', 0.28, 2) },
    row('onnxruntime-node', 'onnxruntime', 'W1', 0.30, 2),
    row('onnxruntime-node', 'onnxruntime', 'W1', 0.20, 1), // one thread: not the target's peer
    row('lstm-ts/wasm', 'lstm-ts', 'W4', 500, 2),
    row('torch', 'pytorch', 'W4', 400, 2),
  ];
  const t = Object.fromEntries(evaluateTargets16(r16, 2).map((x) => [x.text.slice(0, 30), x]));
  const get = (p: string) => Object.entries(t).find(([k]) => k.startsWith(p))![1];
  assert.equal(get('W1 ≤ 1.1× onnxruntime-node (2 ').status, 'not reached'); // 0.40 / 0.30 = 1.33
  assert.match(get('W1 ≤ 1.1× onnxruntime-node (2 ').detail, /1\.33× its time/);
  assert.equal(get('W1 ≤ 1.0× onnxruntime-node (2 ').status, 'reached'); // engine 0.28 / 0.30
  assert.equal(get('W4 ≤ 1.2×').status, 'not reached'); // 1.25
  assert.equal(get('W3 ≤ 0.8×').status, 'not measured');
  // The engine row is not lstm-ts's best in issue 4's targets (those are about the kernels).
  assert.match(evaluateTargets(r16).find((x) => x.text.startsWith('W1: within 2×'))!.detail, /lstm-ts\/wasm, 2 threads 0\.400 ms/);
});

test('issue 16 targets: GRU and RNN layers against PyTorch at every core, from the modes section', () => {
  const m = (shape: string, mode: ModeRow['mode'], impl: ModeRow['impl'], median: number, threads = 2): ModeRow =>
    ({ shape, mode, impl, threads, median, min: median, runs: 3, load: 0, B: 1, T: 1, I: 1, H: 1, L: 1 });
  const modes = [
    m('W3', 'gru', 'lstm-ts', 12), m('W3', 'gru', 'torch', 10), // 1.2×: reached (at most 1.2×)
    m('W3', 'rnn', 'lstm-ts', 13), m('W3', 'rnn', 'torch', 10), // 1.3×
    m('W4', 'gru', 'lstm-ts', 100), m('W4', 'gru', 'torch', 200, 1), // PyTorch only on 1 thread: not the peer
    m('W3', 'lstm', 'lstm-ts', 5), m('W3', 'lstm', 'torch', 50), // LSTM rows are context, not a target
  ];
  const t = evaluateTargets16([], 2, modes).filter((x) => / layer forward/.test(x.text));
  assert.deepEqual(t.map((x) => [x.text.slice(0, 6), x.status]), [['W3 GRU', 'reached'], ['W3 RNN', 'not reached'], ['W4 GRU', 'not measured'], ['W4 RNN', 'not measured']]);
  assert.match(t[1]!.detail, /13\.0 ms vs PyTorch 10\.0 ms: 1\.30× its time/);
  assert.match(evaluateTargets16([], 2)[6]!.detail, /--only modes/);
  const info: RunInfo = {
    date: 'd', command: 'c', cpu: 'cpu', cores: 2, memGB: 1, node: '20', v8: '11', packages: {}, python: 'p',
    torchVersion: null, commit: 'abc', dirty: false, lstmTsBackends: ['reference'], loadStart: [0, 0, 0], loadEnd: [0, 0, 0],
    budget: 1, skipSlow: false,
  };
  const { md } = renderReport({ info, rows: [], kernels: null, modes });
  assert.match(md, /## LSTM, GRU and RNN layers against PyTorch/);
  assert.match(md, /\| W3 \(B 1, T 1, I 1, H 1, 1 layer\) \| RNN \| 13\.0 \| 13\.0 \| {2}\| 3 \| 10\.0 \| 10\.0 \| {2}\| 3 \| 1\.30× \|/);
  assert.match(md, /\| W3 GRU layer forward \+ backward ≤ 1\.2× PyTorch \(2 threads\) \| \*\*reached\*\* \|/);
});

test('sweep crossovers: found by the sign change of log(lstm-ts / PyTorch), placed in log space', () => {
  const sr = (value: number, impl: SweepRow['impl'], median: number): SweepRow => ({ axis: 'batch', value, kind: 'inference', impl, median });
  // lstm-ts faster at B 1 and 4 (ratio 0.5), slower from 16 (ratio 2): the crossing is halfway in log B between 4 and 16, i.e. 8.
  const rows = [sr(1, 'lstm-ts', 1), sr(1, 'torch', 2), sr(4, 'lstm-ts', 1), sr(4, 'torch', 2), sr(16, 'lstm-ts', 4), sr(16, 'torch', 2), sr(64, 'lstm-ts', 8), sr(64, 'torch', 4)];
  assert.equal(crossovers(rows, 'batch', 'inference'), 'lstm-ts faster at B = 1; PyTorch ahead from about B = 8.00 (lstm-ts\'s time ÷ PyTorch\'s: 1 0.500×, 4 0.500×, 16 2.00×, 64 2.00×)');
  assert.match(crossovers(rows.filter((r) => r.value < 16), 'batch', 'inference'), /^lstm-ts faster at every point \(/);
  assert.equal(crossovers(rows, 'batch', 'train'), 'not measured');
});

test('engine rule: the threshold with the smallest mean slowdown, never onnxruntime when it is never faster', () => {
  const p = (flops: number, wasm: number, onnxruntime: number): RulePoint => ({ kind: 'lstm', H: 1, B: 1, T: 1, flops, wasm, onnxruntime });
  const pts = [p(1e3, 1, 2), p(1e4, 1, 1.5), p(1e5, 2, 1), p(1e6, 10, 5)];
  assert.equal(fitThreshold(pts), 1e5);
  assert.equal(ruleCost(pts, 1e5), 0);
  assert.equal(ruleCost(pts, 0), (1 + 0.5) / 4); // everything on onnxruntime: the two small points 2× and 1.5× slower
  assert.equal(fitThreshold([p(1e3, 1, 2), p(1e6, 1, 3)]), Infinity);
});

test('time to quality: bits/char at t is the first evaluation at or after t', () => {
  const curve = [{ seconds: 0, steps: 0, bitsPerChar: 6 }, { seconds: 59.5, steps: 10, bitsPerChar: 3 }, { seconds: 61, steps: 11, bitsPerChar: 2.9 }];
  assert.equal(bitsAt(curve, 60)!.bitsPerChar, 2.9);
  assert.equal(bitsAt(curve, 300), null);
});

test('load verdict: preliminary only above the core count, naming the command for final figures', () => {
  assert.match(loadVerdict([0.3, 2, 1.9], 2, 'npm run bench'), /^The 1-minute load average stayed at or below the core count \(highest 2\.00 on 2 cores\)\.$/);
  assert.match(loadVerdict([0.3, 2.01], 2, 'npm run bench:ttq'), /^\*\*Preliminary figures\*\*: .*reached 2\.0 on 2 cores.*`npm run bench:ttq` on a quiet machine\.$/);
});

test('time to quality: a figure first evaluated well past its mark says when, and a loaded run is preliminary', () => {
  const result = (impl: string, curve: Array<[number, number]>) => ({
    impl, label: impl, threads: 1, stepSeconds: 1, maxRssKB: 1024, info: {},
    curve: curve.map(([seconds, bitsPerChar], steps) => ({ seconds, steps, bitsPerChar })),
  });
  const run: TtqRun = {
    date: 'd', commit: 'c', command: 'npm run bench:ttq', cores: 2, loadStart: [3, 0, 0], loadEnd: [1, 0, 0],
    seconds: 300, tfjsSeconds: 60, evalEvery: 15, vocabSize: 5, trainChars: 10, evalChars: 10,
    results: [result('lstm-ts', [[0, 6], [60.2, 2.5], [300.4, 2]]), result('torch', [[0, 6], [60.1, 2.6], [300.3, 2.1]]), result('tfjs', [[0, 6], [75, 5.5]])],
  };
  const md = renderTtq(run).md.join('\n');
  assert.match(md, /\| lstm-ts \| 1 \| 2\.500 \| 2\.000 \|/);
  assert.match(md, /\| tfjs \| 1 \| 5\.500 \(at 75 s\) \| — \|/);
  assert.match(md, /\*\*Preliminary figures\*\*: the 1-minute load average reached 3\.0 on 2 cores/);
  assert.match(md, /at 60 s lstm-ts 2\.500 vs PyTorch 2\.600 bits\/char: \*\*reached\*\*/);
});

test('readme sync: the tables and, for a run on a loaded machine, its preliminary line (not the time-to-quality one)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'readme-sync-'));
  try {
    const bench = join(dir, 'BENCHMARKS.md'), readme = join(dir, 'README.md');
    const md = (header: string) => ['# Benchmarks', '', 'Generated by `npm run bench` on d.', '', header, '', '## Ratios', '', '| a |', '|---|', '| 1× |', '',
      '## Targets (issue 4)', '', '| target | status |', '', '## Time to quality', '', '**Preliminary figures**: ttq line', ''].join('\n');
    writeFileSync(readme, 'intro\n<!-- bench:targets:start -->\nold\n<!-- bench:targets:end -->\nrest\n');
    writeFileSync(bench, md(loadVerdict([5], 2, 'npm run bench')));
    assert.equal(syncReadme(bench, readme), true);
    const r = readFileSync(readme, 'utf8');
    assert.match(r, /\| target \| status \|[\s\S]*\| 1× \|[\s\S]*From BENCHMARKS.md, generated by `npm run bench` on d\.\)\n\n\*\*Preliminary figures\*\*: the 1-minute load average reached 5\.0/);
    assert.doesNotMatch(r, /ttq line|old/);
    writeFileSync(bench, md(loadVerdict([1], 2, 'npm run bench')));
    syncReadme(bench, readme);
    assert.doesNotMatch(readFileSync(readme, 'utf8'), /Preliminary/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
