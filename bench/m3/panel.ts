/**
 * Panel timing and accuracy for the global forecaster (issue 15: "1,000 series × 200 points in
 * under 5 minutes on 2 cores"), through the command line's own code path: a seeded synthetic
 * panel of monthly-like series (per-series level, growth, seasonal amplitude and phase, noise;
 * positive) is written as a long-format CSV, and `lstm forecast FILE --id id --column value
 * --date month --horizon H` runs as its own process (timed by GNU time, /usr/bin/time) with its
 * defaults plus the flags given after `--`. Each series has `--test` more points that the CSV leaves
 * out: the forecasts are scored on them (sMAPE, MASE, 80 % coverage), so runs with different
 * flags can be compared on data none of them saw. Prints wall time, this process's CPU time and
 * the load average (timings on a shared machine are noisy: CPU time is the steadier figure).
 *
 *   node --import tsx bench/m3/panel.ts [--series 1000] [--length 200] [--test 12] [--horizon 12] [--seed 0] [--tag NAME] [--results] [--profile] [-- CLI FLAGS]
 *   node --import tsx bench/m3/panel.ts --stats     # CPU time of ets and theta (src/stats) on every series
 *   node --import tsx bench/m3/panel.ts --write-only # rebuild results/bench-panel.md from the kept runs
 *   node --import tsx bench/m3/panel.ts --refit [--series 300] # ETS on the full series: searched again, or the hold-out's form refitted
 *
 * --profile also prints each of the CLI's progress lines with the wall and CPU seconds (its
 * process's, every thread included, from /proc/PID/stat) at which it came: the differences
 * between lines are the phases' costs (CSV read, hold-out training, baseline fits, fine-tuning,
 * pool refits, writing).
 *
 * --results keeps the run as results/bench-panel/NAME.json and rewrites results/bench-panel.md
 * from every kept run (copied into RESULTS.md by `npm run results`).
 */
import { cpus, loadavg, tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, ets, etsForm, theta, mase, smape, writeFileAtomicSync } from '../../src/index.js';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    series: { type: 'string', default: '1000' },
    length: { type: 'string', default: '200' },
    test: { type: 'string', default: '12' },
    horizon: { type: 'string', default: '12' },
    seed: { type: 'string', default: '0' },
    tag: { type: 'string', default: 'default' },
    stats: { type: 'boolean', default: false },
    'write-only': { type: 'boolean', default: false },
    results: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    refit: { type: 'boolean', default: false },
  },
});
const count = Number(args.series), n = Number(args.length), test = Number(args.test), horizon = Number(args.horizon);
if (test > horizon) throw new Error(`--test ${test} must not exceed --horizon ${horizon}`);

/** The synthetic panel: `count` positive series of n + test values, seasonal with period 12 (amplitude 0..0.3 in log units). */
function makePanel(): Float64Array[] {
  const rng = new Rng(Number(args.seed));
  return Array.from({ length: count }, () => {
    const L = Math.exp(rng.uniform(Math.log(10), Math.log(10_000)));
    const g = rng.uniform(-0.003, 0.01), a = rng.uniform(0, 0.3), phi = rng.uniform(0, 2 * Math.PI), s = rng.uniform(0.02, 0.1);
    return Float64Array.from({ length: n + test }, (_, t) => L * Math.exp(g * t + a * Math.sin((2 * Math.PI * t) / 12 + phi) + s * rng.normal()));
  });
}

const cpuSeconds = (c: NodeJS.CpuUsage): number => +((c.user + c.system) / 1e6).toFixed(1);
const panel = makePanel();

interface Run {
  tag: string; series: number; length: number; flags: string; wallSeconds: number; cpuSeconds: number;
  loadAverage1m: { start: number; end: number }; smape: number; mase: number; coverage80: number; date: string;
}

/**
 * Run /usr/bin/time with `argv` (the CLI under GNU time); with `stamp`, print each line the CLI
 * writes to stderr (its progress) with the wall seconds since the start and the CPU seconds the
 * CLI's process has used by then (utime + stime of /proc/PID/stat, every thread included; clock
 * ticks of 1/100 s as on Linux), else let its output through. Resolves to the exit code.
 */
async function timed(argv: string[], stamp: boolean): Promise<number | null> {
  const t0 = performance.now();
  const child = spawn('/usr/bin/time', argv, { stdio: ['ignore', 'inherit', stamp ? 'pipe' : 'inherit'] });
  if (stamp) {
    let cli = 0, cpu = 0, rest = '';
    const print = (line: string): void => {
      try {
        if (!cli) cli = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0]);
        const f = readFileSync(`/proc/${cli}/stat`, 'utf8').split(') ')[1]!.split(' ');
        cpu = (Number(f[11]) + Number(f[12])) / 100; // fields 14 and 15 of stat(5), counted after "pid (comm)"
      } catch {
        // The CLI has exited: keep the last reading.
      }
      console.log(`${((performance.now() - t0) / 1000).toFixed(1).padStart(7)} s wall ${cpu.toFixed(1).padStart(7)} s CPU  ${line}`);
    };
    child.stderr!.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop()!;
      for (const line of lines) print(line);
    });
    child.on('exit', () => rest && print(rest));
  }
  return new Promise((resolve) => child.on('exit', resolve));
}

/** results/bench-panel.md from every run kept in results/bench-panel/. */
function writeReport(): void {
  const runs = readdirSync('results/bench-panel').filter((f) => f.endsWith('.json') && f !== 'stats.json' && f !== 'refit.json').sort().map((f) => JSON.parse(readFileSync(`results/bench-panel/${f}`, 'utf8')) as Run);
  const statsFile = 'results/bench-panel/stats.json';
  const refitFile = 'results/bench-panel/refit.json';
  const refit = readdirSync('results/bench-panel').includes('refit.json') ? (JSON.parse(readFileSync(refitFile, 'utf8')) as RefitStats) : null;
  const stats = readdirSync('results/bench-panel').includes('stats.json') ? (JSON.parse(readFileSync(statsFile, 'utf8')) as { series: number; length: number; etsCpuSeconds: number; thetaCpuSeconds: number; loadAverage1m: number; date: string }) : null;
  writeFileAtomicSync('results/bench-panel.md', [
    '## Global forecaster panel timing (bench/m3/panel.ts)', '',
    'Command: `node --import tsx bench/m3/panel.ts --series N --length 200 --test 12 --horizon 12 --seed 0 --tag NAME --results -- FLAGS`: a seeded synthetic panel of monthly-like positive series written as a long-format CSV, then `lstm forecast panel.csv --id id --column value --date month --horizon 12` run with its defaults plus FLAGS (its wall and CPU time by GNU time) (hold-out scored against the baselines, final model, forecast.csv and model file written). Each series has 12 more values the CSV leaves out; the forecasts are scored on them.', '',
    '| run | flags | series × points | wall time (s) | CPU time (s) | load average (start → end) | sMAPE | MASE | coverage 80 % | date |',
    '|---|---|---|---:|---:|---|---:|---:|---:|---|',
    ...runs.map((x) => `| ${x.tag} | ${x.flags ? `\`${x.flags}\`` : '(defaults)'} | ${x.series} × ${x.length} | ${x.wallSeconds} | ${x.cpuSeconds} | ${x.loadAverage1m.start} → ${x.loadAverage1m.end} | ${x.smape} | ${x.mase} | ${(100 * x.coverage80).toFixed(1)} | ${x.date} |`), '',
    ...(stats ? [`Per-series statistical fits on the same kind of panel (\`bench/m3/panel.ts --stats --series ${stats.series} --results\`, ${stats.series} × ${stats.length}, season 12): ETS (model selected by AICc) ${stats.etsCpuSeconds} s of CPU, Theta ${stats.thetaCpuSeconds} s (load average ${stats.loadAverage1m}, ${stats.date}).`, ''] : []),
    ...(refit ? [`ETS on the full series (the combination's refit), \`bench/m3/panel.ts --refit --series ${refit.series} --results\` (${refit.series} × ${refit.length}, season 12, scored on the ${refit.test} values after): searching every form again takes ${refit.searchCpuSeconds} s of CPU, refitting the form each series chose on its hold-out's training part (the first ${refit.length - refit.horizon} values; ${refit.formsChanged} of ${refit.series} series would choose another form on all ${refit.length}) ${refit.formCpuSeconds} s; sMAPE ${refit.search.smape} → ${refit.form.smape}, MASE ${refit.search.mase} → ${refit.form.mase} (load average ${refit.loadAverage1m}, ${refit.date}).`, ''] : []),
    `A load average above ${cpus().length} (the core count) means other processes shared the machine: the wall time is then inflated, the CPU time much less so.`, '',
  ].join('\n'));
}

if (args['write-only']) {
  writeReport();
  process.exit(0);
}

/** Print a measurement; with --results keep it as results/bench-panel/NAME.json and rewrite the report. Ends the process. */
function finish(name: string, record: object): never {
  console.log(JSON.stringify(record));
  if (args.results) {
    mkdirSync('results/bench-panel', { recursive: true });
    writeFileAtomicSync(`results/bench-panel/${name}.json`, JSON.stringify(record) + '\n');
    writeReport();
  }
  process.exit(0);
}

/** What --refit measures. */
interface RefitStats {
  series: number; length: number; horizon: number; test: number; searchCpuSeconds: number; formCpuSeconds: number; formsChanged: number;
  search: { smape: number; mase: number }; form: { smape: number; mase: number }; loadAverage1m: number; date: string;
}

if (args.refit) {
  // ETS refitted on the full series: the search over every form again, or the form chosen on the hold-out's training part.
  const usedSeconds = (c0: NodeJS.CpuUsage): number => {
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1e6;
  };
  let searchCpu = 0, formCpu = 0, changed = 0;
  const sc = { search: { smape: 0, mase: 0 }, form: { smape: 0, mase: 0 } };
  for (const y of panel) {
    const full = y.subarray(0, n), actual = y.subarray(n, n + test);
    const form = ets(y.subarray(0, n - horizon), { horizon, period: 12, levels: [] }).model.components;
    let c0 = process.cpuUsage();
    const searched = ets(full, { horizon, period: 12, levels: [] });
    searchCpu += usedSeconds(c0);
    c0 = process.cpuUsage();
    const refitted = ets(full, { horizon, period: 12, levels: [], ...etsForm(form) });
    formCpu += usedSeconds(c0);
    if (searched.method !== refitted.method) changed++;
    for (const [key, f] of [['search', searched], ['form', refitted]] as const) {
      sc[key].smape += smape(actual, f.mean.subarray(0, test)) / count;
      sc[key].mase += mase(actual, f.mean.subarray(0, test), full, 12) / count;
    }
  }
  const round = (x: { smape: number; mase: number }): { smape: number; mase: number } => ({ smape: +x.smape.toFixed(3), mase: +x.mase.toFixed(4) });
  const r: RefitStats = {
    series: count, length: n, horizon, test, searchCpuSeconds: +searchCpu.toFixed(1), formCpuSeconds: +formCpu.toFixed(1), formsChanged: changed,
    search: round(sc.search), form: round(sc.form), loadAverage1m: +loadavg()[0]!.toFixed(1), date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  };
  finish('refit', r);
}

if (args.stats) {
  // What a per-series statistical fit costs on this panel (the combination with ETS/Theta adds one per series).
  const out: Record<string, number> = {};
  for (const [name, f] of [['ets', ets], ['theta', theta]] as const) {
    const c0 = process.cpuUsage();
    for (const y of panel) f(y.subarray(0, n), { horizon, period: 12, levels: [80, 95] });
    out[`${name}CpuSeconds`] = cpuSeconds(process.cpuUsage(c0));
  }
  const stats = { series: count, length: n, horizon, period: 12, ...out, loadAverage1m: +loadavg()[0]!.toFixed(1), date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC' };
  finish('stats', stats);
}

const dir = mkdtempSync(join(tmpdir(), 'lstm-panel-bench-'));
const csv = join(dir, 'panel.csv'), out = join(dir, 'out');
const rows = ['id,month,value'];
panel.forEach((y, i) => {
  for (let t = 0; t < n; t++) rows.push(`s${i},${2000 + Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')},${y[t]!.toPrecision(6)}`);
});
writeFileSync(csv, rows.join('\n') + '\n');

const flags = positionals;
// The CLI in a process of its own, timed by GNU time (wall, user + system CPU of the process and its threads).
const times = join(dir, 'time.txt');
const argv = ['-f', '%e %U %S', '-o', times, process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'forecast', csv, '--id', 'id', '--column', 'value', '--date', 'month', '--horizon', String(horizon), '--seed', args.seed!, '--out', out, ...flags];
const load0 = loadavg()[0]!;
const status = await timed(argv, args.profile);
if (status !== 0) throw new Error(`lstm forecast failed (exit code ${status}): /usr/bin/time ${argv.join(' ')}`);
const [wall, user, system] = readFileSync(times, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) as [number, number, number];
const load1 = loadavg()[0]!;

// Score forecast.csv (id,step,date,forecast,q…) on the values the CSV left out.
const lines = readFileSync(join(out, 'forecast.csv'), 'utf8').trim().split('\n');
const head = lines[0]!.split(',');
const col = (name: string): number => head.indexOf(name);
const fc = new Map<string, number[][]>();
for (const line of lines.slice(1)) {
  const c = line.split(',');
  if (!fc.has(c[0]!)) fc.set(c[0]!, []);
  fc.get(c[0]!)!.push(c.map(Number));
}
let sm = 0, ms = 0, inside = 0, points = 0;
panel.forEach((y, i) => {
  const f = fc.get(`s${i}`)!.slice(0, test);
  const actual = y.subarray(n, n + test);
  sm += smape(actual, f.map((r) => r[col('forecast')]!)) / count;
  ms += mase(actual, f.map((r) => r[col('forecast')]!), y.subarray(0, n), 12) / count;
  f.forEach((r, h) => {
    points++;
    if (actual[h]! >= r[col('q0.1')]! && actual[h]! <= r[col('q0.9')]!) inside++;
  });
});
const holdout = join(out, 'holdout.json');
const holdoutRank = readdirSync(out).includes('holdout.json') ? (JSON.parse(readFileSync(holdout, 'utf8')) as { rank: number }).rank : null;
rmSync(dir, { recursive: true, force: true });
const r = {
  tag: args.tag, series: count, length: n, horizon, test, flags: flags.join(' '),
  wallSeconds: +wall.toFixed(1), cpuSeconds: +(user + system).toFixed(1), loadAverage1m: { start: +load0.toFixed(1), end: +load1.toFixed(1) },
  smape: +sm.toFixed(3), mase: +ms.toFixed(4), coverage80: +(inside / points).toFixed(4),
  holdoutRank,
  cores: cpus().length, date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
};
console.log(JSON.stringify(r));
if (args.results) {
  mkdirSync('results/bench-panel', { recursive: true });
  writeFileAtomicSync(`results/bench-panel/${args.tag}.json`, JSON.stringify(r) + '\n');
  writeReport();
}
