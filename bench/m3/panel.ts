/**
 * Panel timing for the global forecaster (issue 15: "1,000 series × 200 points in under 5
 * minutes on 2 cores"): a seeded synthetic panel of monthly-like series (per-series level,
 * growth, seasonal amplitude and phase, noise; positive), one global model trained on all of
 * them and every series forecast. Prints wall time, this process's CPU time and the machine's
 * load average (timings on a shared machine are noisy: the CPU time is the steadier figure).
 *
 *   node --import tsx bench/m3/panel.ts [--series 1000] [--length 200] [--horizon 12] [--ensemble 1] [--epochs 40] [--seed 0] [--results]
 *
 * --results also writes results/bench-panel.md (copied into RESULTS.md by `npm run results`).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import { Rng, fitGlobalForecaster, writeFileAtomicSync } from '../../src/index.js';

const { values: args } = parseArgs({
  options: {
    series: { type: 'string', default: '1000' },
    length: { type: 'string', default: '200' },
    horizon: { type: 'string', default: '12' },
    ensemble: { type: 'string', default: '1' },
    epochs: { type: 'string', default: '40' },
    seed: { type: 'string', default: '0' },
    results: { type: 'boolean', default: false },
  },
});
const count = Number(args.series), n = Number(args.length), horizon = Number(args.horizon);

const rng = new Rng(Number(args.seed));
const panel = Array.from({ length: count }, () => {
  const L = Math.exp(rng.uniform(Math.log(10), Math.log(10_000)));
  const g = rng.uniform(-0.003, 0.01), a = rng.uniform(0, 0.3), phi = rng.uniform(0, 2 * Math.PI), s = rng.uniform(0.02, 0.1);
  return Float64Array.from({ length: n }, (_, t) => L * Math.exp(g * t + a * Math.sin((2 * Math.PI * t) / 12 + phi) + s * rng.normal()));
});

const load0 = loadavg()[0]!, cpu0 = process.cpuUsage(), t0 = performance.now();
const model = await fitGlobalForecaster(panel, { horizon, period: 12, ensemble: Number(args.ensemble), epochs: Number(args.epochs), seed: Number(args.seed), log: (m) => console.error(m) });
const forecasts = model.forecast(panel);
const wall = (performance.now() - t0) / 1000, cpu = process.cpuUsage(cpu0);
if (forecasts.length !== count || forecasts.some((f) => f.point.some((v) => !Number.isFinite(v)))) throw new Error('panel: a forecast is missing or not finite');
const r = {
  series: count, length: n, horizon, ensemble: model.plan.ensemble, epochs: model.plan.epochs, hidden: model.plan.hidden,
  wallSeconds: +wall.toFixed(1), cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(1), loadAverage1m: { start: +load0.toFixed(1), end: +loadavg()[0]!.toFixed(1) },
};
console.log(JSON.stringify(r));
if (args.results) {
  mkdirSync('results', { recursive: true });
  writeFileAtomicSync('results/bench-panel.md', [
    '## Global forecaster panel timing (bench/m3/panel.ts)', '',
    `Command: \`node --import tsx bench/m3/panel.ts --series ${count} --length ${n} --horizon ${horizon} --ensemble ${r.ensemble} --epochs ${r.epochs} --seed ${args.seed} --results\` (a seeded synthetic panel of monthly-like positive series; one LSTM(${r.hidden}) trained on ${r.epochs} epochs of 8 windows per series, then every series forecast).`, '',
    `| series × points | horizon | ensemble | wall time (s) | CPU time (s) | load average (start → end) | date |`, '|---|---:|---:|---:|---:|---|---|',
    `| ${count} × ${n} | ${horizon} | ${r.ensemble} | ${r.wallSeconds} | ${r.cpuSeconds} | ${r.loadAverage1m.start} → ${r.loadAverage1m.end} | ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC |`, '',
    'A load average above 2 (the core count) means other processes shared the machine: the wall time is then inflated, the CPU time much less so.', '',
  ].join('\n'));
}
