/**
 * The report's arithmetic on made-up rows: which row counts as lstm-ts's best, the direction of
 * the ratios, and when a target is reached. No measurement here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateTargets, fastest, renderReport, type Row, type RunInfo } from '../../bench/report.js';

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
  const md = renderReport(info, rows);
  assert.match(md, /\| W1 \| lstm-ts\/wasm-1t, 1 thread: 1\.00 ms \| 36\.0× \| 20\.0× \| 0\.400× \| 1\.50× \| 1\.20× \|/);
  for (const r of rows) assert.ok(md.includes(`| ${r.label}, ${r.threads} thread`), r.label);
});

test('the matmul target is read from the kernel micro-benchmark\'s "% of peak" column', () => {
  const info = {
    date: 'd', command: 'c', cpu: 'cpu', cores: 2, memGB: 1, node: '20', v8: '11', packages: {}, python: 'p',
    torchVersion: null, commit: 'abc', dirty: false, lstmTsBackends: ['reference'], loadStart: [0, 0, 0], loadEnd: [0, 0, 0],
    budget: 1, skipSlow: false,
  };
  const kernels = 'f32x4 SIMD peak, one core (CPU time): 54.4 GFLOP/s\n| a | b | 10.8 | 40.0 | 73% | 10.3 | 0.95× |\n| c | d | 25.2 | 25.1 | 45% | 26.8 | 1.07× |';
  assert.match(renderReport(info, rows, kernels), /≥ 70% of the f32x4 SIMD peak of one core \| reached on 1 of 2 shapes \| 73%, 45% of a 54\.4 GFLOP\/s peak/);
  assert.match(renderReport(info, rows, null), /SIMD peak of one core \| not measured/);
});
