/**
 * A validated combination of lstm-ts's global forecaster with R's Theta and ETS on M3 (issue 15,
 * item 6): the weights (w_lstm, w_theta, w_ets), tenths summing to 1, and the intervals' spread
 * factors are chosen on the validation windows (each series' training part minus its last h
 * points) and then applied unchanged to the test parts. The combined point forecast is
 * Σ w·forecast; its quantiles are lstm-ts's, moved to that point (movePoint) and spread by the
 * factors calibrated on validation (calibrateSpread). Reads the forecasts `npm run bench:m3`
 * wrote (with and without --validation) and R's forecasts (validation: out/m3/r-validation-SET.csv
 * from r-forecasts.R; test: ../shared/data/m3/forecasts-SET.csv).
 *
 *   node --import tsx bench/m3/combine.ts [--set monthly] [--validation-tag base] [--test-tag e1]
 *                                          [--results] [--note TEXT ...]
 *
 * A tag list (`--test-tag a,b`) averages those runs' quantiles level by level (then sorts them),
 * as the forecaster's own ensemble does: runs with seeds 0 and 1000 are the members of an
 * ensemble of 2 with seed 0, trained in separate processes.
 *
 * --results also writes results/bench-m3-SET.md (copied into RESULTS.md by `npm run results`):
 * the test-part table, the settings and time of the lstm-ts runs (from their JSON) and the notes.
 *
 * The choice is by the mean over series of sMAPE/sMAPE_theta + MASE/MASE_theta (as M4's OWA,
 * relative to Theta). Results go to out/m3/m3-SET-combined[-TAG].md and .json.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { calibrateSpread, centralInterval, movePoint, sortQuantiles, spreadQuantiles, writeFileAtomicSync, type QuantileForecast } from '../../src/index.js';
import { M3_INFO, loadForecasts, loadM3, validationSplit, type M3Series, type M3Set } from './data.js';
import { covered, mase, mean, smape } from './score.js';

const { values: args } = parseArgs({
  options: {
    set: { type: 'string', default: 'monthly' },
    data: { type: 'string', default: join('..', 'shared', 'data', 'm3') },
    out: { type: 'string', default: join('out', 'm3') },
    'validation-tag': { type: 'string', default: 'base' },
    'test-tag': { type: 'string', default: 'e1' },
    results: { type: 'boolean', default: false },
    note: { type: 'string', multiple: true, default: [] },
  },
});
const set = args.set as M3Set;
if (!(set in M3_INFO)) throw new RangeError(`--set must be monthly, quarterly, yearly or other, got ${args.set}`);
const { horizon: H, period } = M3_INFO[set];

/** lstm-ts's quantile forecasts as bench:m3 writes them (id,h,q<level>...). */
function readQuantiles(file: string): Map<string, QuantileForecast> {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l !== '');
  const levels = lines[0]!.split(',').slice(2).map((c) => Number(c.slice(1)));
  const Q = levels.length, by = new Map<string, Float64Array>();
  for (const l of lines.slice(1)) {
    const c = l.split(','), id = c[0]!, h = Number(c[1]) - 1;
    if (!by.has(id)) by.set(id, new Float64Array(H * Q));
    for (let q = 0; q < Q; q++) by.get(id)![h * Q + q] = Number(c[2 + q]);
  }
  const mid = levels.indexOf(0.5), out = new Map<string, QuantileForecast>();
  for (const [id, quantiles] of by) {
    if (quantiles.some((v) => !Number.isFinite(v))) throw new RangeError(`${file}: series ${id} has a missing or non-finite quantile`);
    out.set(id, { levels, log: quantiles.every((v) => v > 0), point: Float64Array.from({ length: H }, (_, h) => quantiles[h * Q + mid]!), quantiles });
  }
  return out;
}

/** The quantile forecasts of one or more runs (a comma-separated tag list), averaged level by level. */
function readRuns(split: string, tags: string): Map<string, QuantileForecast> {
  const runs = tags.split(',').map((t) => readQuantiles(join(args.out!, `m3-${set}-${split}${t}-forecasts.csv`)));
  if (runs.length === 1) return runs[0]!;
  const out = new Map<string, QuantileForecast>();
  for (const [id, f] of runs[0]!) {
    const Q = f.levels.length, quantiles = new Float64Array(f.quantiles.length);
    for (const r of runs) {
      const g = r.get(id);
      if (!g) throw new RangeError(`run ${tags}: series ${id} is missing from one of the runs`);
      for (let i = 0; i < quantiles.length; i++) quantiles[i]! += g.quantiles[i]! / runs.length;
    }
    sortQuantiles(quantiles, Q);
    const mid = f.levels.indexOf(0.5);
    out.set(id, { levels: f.levels, log: f.log, point: Float64Array.from({ length: H }, (_, h) => quantiles[h * Q + mid]!), quantiles });
  }
  return out;
}

/** R's point forecasts in r-forecasts.R's long format (id,method,h,value,...): method → id → values. */
function readR(file: string): Map<string, Map<string, Float64Array>> {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l !== '');
  const head = lines[0]!.split(','), at = (n: string): number => head.indexOf(n);
  const out = new Map<string, Map<string, Float64Array>>();
  for (const l of lines.slice(1)) {
    const c = l.split(','), method = c[at('method')]!, id = c[at('id')]!;
    if (!out.has(method)) out.set(method, new Map());
    const m = out.get(method)!;
    if (!m.has(id)) m.set(id, new Float64Array(H));
    m.get(id)![Number(c[at('h')]) - 1] = Number(c[at('value')]);
  }
  return out;
}

/** Everything needed to score on one split. */
interface Split {
  series: M3Series[];
  lstm: Map<string, QuantileForecast>;
  r: Map<string, Map<string, Float64Array>>;
}

const WEIGHTS: Array<[number, number, number]> = [];
for (let a = 0; a <= 10; a++) for (let b = 0; a + b <= 10; b++) WEIGHTS.push([a / 10, b / 10, (10 - a - b) / 10]);

/** The combined point forecast of one series. */
function combine(s: Split, id: string, [wl, wt, we]: readonly number[]): Float64Array {
  const l = s.lstm.get(id)!.point, t = s.r.get('theta')!.get(id)!, e = s.r.get('ets')!.get(id)!;
  return Float64Array.from({ length: H }, (_, h) => wl! * l[h]! + wt! * t[h]! + we! * e[h]!);
}

/** Mean sMAPE and MASE of point forecasts over the series. */
function score(s: Split, point: (id: string) => ArrayLike<number>, ids = s.series): { smape: number; mase: number } {
  return { smape: mean(ids.map((x) => smape(x.test, point(x.id)))), mase: mean(ids.map((x) => mase(x.train, x.test, point(x.id), period))) };
}

/** Pooled 80 % and 95 % coverage of quantile forecasts. */
function coverage(s: Split, f: (id: string) => QuantileForecast, ids = s.series): { c80: number; c95: number } {
  const acc = { 0.8: [0, 0], 0.95: [0, 0] } as Record<number, [number, number]>;
  for (const x of ids) {
    for (const level of [0.8, 0.95]) {
      const { lo, hi } = centralInterval(f(x.id), level);
      const c = covered(x.test, lo, hi);
      acc[level]![0] += c.inside;
      acc[level]![1] += c.count;
    }
  }
  return { c80: acc[0.8]![0] / acc[0.8]![1], c95: acc[0.95]![0] / acc[0.95]![1] };
}

function main(): void {
  const dir = args.data!, out = args.out!;
  const full = loadM3(dir, set);
  const val: Split = {
    series: validationSplit(full, H),
    lstm: readRuns('validation-', args['validation-tag']!),
    r: readR(join(out, `r-validation-${set}.csv`)),
  };
  const test: Split = {
    series: full,
    lstm: readRuns('', args['test-tag']!),
    r: loadForecasts(join(dir, `forecasts-${set}.csv`), H),
  };
  for (const s of [val, test]) {
    for (const x of s.series) {
      if (!s.lstm.has(x.id) || !s.r.get('theta')?.has(x.id) || !s.r.get('ets')?.has(x.id)) throw new RangeError(`series ${x.id}: a forecast (lstm-ts, theta or ets) is missing`);
    }
  }

  // 1. Weights by relative sMAPE + MASE on validation.
  const relative = (s: Split, w: readonly number[]): number => {
    let sum = 0;
    for (const x of s.series) {
      const t = s.r.get('theta')!.get(x.id)!, f = combine(s, x.id, w);
      sum += smape(x.test, f) / Math.max(1e-9, smape(x.test, t)) + mase(x.train, x.test, f, period) / Math.max(1e-9, mase(x.train, x.test, t, period));
    }
    return sum / (2 * s.series.length);
  };
  let best = WEIGHTS[0]!, bestScore = Infinity;
  for (const w of WEIGHTS) {
    const r = relative(val, w);
    if (r < bestScore - 1e-12) [best, bestScore] = [w, r];
  }
  // 2. Spread factors of the moved quantiles, calibrated on validation.
  const moved = (s: Split, id: string): QuantileForecast => movePoint(s.lstm.get(id)!, combine(s, id, best));
  const k = calibrateSpread(val.series.map((x) => moved(val, x.id)), val.series.map((x) => x.test));
  const final = (s: Split, id: string): QuantileForecast => spreadQuantiles(moved(s, id), k);

  // 3. Scores on validation (where the choice was made) and on test (untouched by it).
  const rows: Array<Record<string, string | number>> = [];
  const sample = test.r.get('arima') ? full.filter((x) => test.r.get('arima')!.has(x.id)) : [];
  for (const [split, s] of [['validation', val], ['test', test]] as const) {
    for (const [subset, ids] of [['all', s.series], ...(split === 'test' && sample.length ? [[`R's arima sample`, sample] as const] : [])] as const) {
      const add = (method: string, point: (id: string) => ArrayLike<number>, q?: (id: string) => QuantileForecast): void => {
        const sc = score(s, point, [...ids]);
        const cv = q ? coverage(s, q, [...ids]) : undefined;
        rows.push({ split, subset, series: ids.length, method, smape: sc.smape, mase: sc.mase, ...(cv ? { coverage80: cv.c80, coverage95: cv.c95 } : {}) });
      };
      add('lstm-ts global', (id) => s.lstm.get(id)!.point, (id) => s.lstm.get(id)!);
      add(`combination ${best.join('/')} (lstm/theta/ets), calibrated intervals`, (id) => combine(s, id, best), (id) => final(s, id));
      for (const m of ['theta', 'ets', 'arima', 'comb']) {
        const byId = s.r.get(m);
        if (byId && ids.every((x) => byId.has(x.id))) add(m, (id) => byId.get(id)!);
      }
    }
  }
  const pct = (v: unknown): string => (typeof v === 'number' ? (100 * v).toFixed(1) : '');
  const md = ['| split | series | method | sMAPE | MASE | coverage 80 % | coverage 95 % |', '|---|---|---|---|---|---|---|'];
  for (const r of rows) md.push(`| ${r.split} (${r.subset}) | ${r.series} | ${r.method} | ${(r.smape as number).toFixed(2)} | ${(r.mase as number).toFixed(3)} | ${pct(r.coverage80)} | ${pct(r.coverage95)} |`);
  const text = md.join('\n') + '\n';
  const name = `m3-${set}-combined-${args['test-tag']}`;
  writeFileAtomicSync(join(out, `${name}.md`), text);
  writeFileAtomicSync(join(out, `${name}.json`), JSON.stringify({ set, weights: { lstm: best[0], theta: best[1], ets: best[2] }, validationScore: bestScore, spread: Array.from(k), rows, date: new Date().toISOString() }, null, 2) + '\n');
  if (args.results) writeResults(rows, best, bestScore, k);
  console.log(`weights lstm/theta/ets ${best.join('/')} (validation relative score ${bestScore.toFixed(4)}), spread factors ${Array.from(k, (v) => v.toFixed(3)).join(', ')}`);
  console.log(text);
}

/** results/bench-m3-SET.md: what RESULTS.md shows of this benchmark. */
function writeResults(rows: Array<Record<string, string | number>>, w: readonly number[], score: number, k: Float64Array): void {
  const run = (tag: string): { plan: Record<string, unknown>; rows: Array<{ method: string; seconds?: number }>; date: string; cpuSeconds?: number; loadAverage1m?: unknown } =>
    JSON.parse(readFileSync(join(args.out!, `m3-${set}-${tag}.json`), 'utf8'));
  const vals = args['validation-tag']!.split(',').map((t) => run(`validation-${t}`)), tests = args['test-tag']!.split(',').map((t) => run(t));
  const secs = (runs: typeof vals): string => runs.map((r) => {
    const s = r.rows.find((x) => x.method === 'lstm-ts global')?.seconds;
    return `${s?.toFixed(0) ?? '?'} s wall${r.cpuSeconds ? `, ${r.cpuSeconds.toFixed(0)} s CPU` : ''}${r.loadAverage1m ? `, load average ${JSON.stringify(r.loadAverage1m)}` : ''} (seed ${r.plan.seed})`;
  }).join('; ');
  const p = tests[0]!.plan, members = tests.length * (p.ensemble as number);
  const commands = (tags: string, runs: typeof vals): string => tags.split(',').map((t, i) => `\`npm run bench:m3 --${runs === vals ? ' --validation' : ''} --ensemble ${p.ensemble} --seed ${runs[i]!.plan.seed} --tag ${t}\``).join(', ');
  const pct = (v: unknown): string => (typeof v === 'number' ? (100 * v).toFixed(1) : '');
  const lines = [
    `## M3 ${set} (npm run bench:m3)`, '',
    `lstm-ts's global forecaster on the M3 competition's ${set} series, horizon ${H}, scored on the test parts as ../shared/data/m3/README.md defines sMAPE and MASE (mean over series), against R forecast 8.20's baselines on the same series (theta = thetaf, ets, arima = auto.arima, comb = their mean; R's arima and comb exist for a fixed sample of 200 series only, so they are compared on that sample). Every setting was chosen on validation windows cut from the training parts (each series' last ${H} training points); the test parts were read once, for this table.`, '',
    `Commands: ${commands(args['validation-tag']!, vals)}, ${commands(args['test-tag']!, tests)}, \`node --import tsx bench/m3/combine.ts --validation-tag ${args['validation-tag']} --test-tag ${args['test-tag']} --results\`.`, '',
    '| series | method | sMAPE | MASE | coverage 80 % | coverage 95 % |', '|---|---|---:|---:|---:|---:|',
    ...rows.filter((r) => r.split === 'test').map((r) => `| ${r.subset === 'all' ? `all ${r.series}` : `${r.subset} (${r.series})`} | ${r.method} | ${(r.smape as number).toFixed(2)} | ${(r.mase as number).toFixed(3)} | ${pct(r.coverage80)} | ${pct(r.coverage95)} |`),
    '',
    `- lstm-ts: one LSTM(${p.hidden}×${p.layers}) over windows of all ${set} series (lookback ${p.lookback}, log, seasonal adjustment where R's thetaf test finds a season, anchor '${p.anchor}'), ${p.epochs} epochs of ${p.windowsPerSeries} windows per series, ensemble of ${members} (${tests.length > 1 ? 'separate runs, quantiles averaged' : 'one run'}), pinball loss on quantiles ${JSON.stringify(p.quantiles)}. Test runs: ${secs(tests)}, last ${tests.at(-1)!.date.slice(0, 16).replace('T', ' ')} UTC; validation runs: ${secs(vals)}. The machine (2 cores) was shared with other jobs throughout (load average 15–35), so wall times are inflated several-fold.`,
    `- Combination: weights lstm/theta/ets ${w.join('/')} chosen among tenths on the validation windows by mean sMAPE/sMAPE_theta + MASE/MASE_theta (${score.toFixed(4)}, Theta alone 1); its intervals are lstm-ts's quantiles moved to the combined point and spread by factors calibrated on validation (${Array.from(k, (v) => v.toFixed(3)).join(', ')} for levels ${JSON.stringify(p.quantiles)}).`,
    ...args.note!.map((n) => `- ${n}`),
  ];
  mkdirSync('results', { recursive: true });
  writeFileAtomicSync(join('results', `bench-m3-${set}.md`), lines.join('\n') + '\n');
}

main();
