/**
 * `npm run bench:ttq`: time to quality, the measure a user feels. The character language model
 * of bench/ttq-data.ts (2-layer LSTM, hidden 256, on Plato's Republic) trained by lstm-ts and by
 * PyTorch for 300 s of training time each on every core, and by TF.js (wasm backend) for 60 s;
 * held-out bits per character along the way. Each implementation runs in its own process, one
 * after the other. Writes results/bench/ttq.json and results/bench/ttq-curves.svg and puts the
 * section into BENCHMARKS.md (between `<!-- ttq:start -->` and `<!-- ttq:end -->`; `npm run
 * bench` renders the same section from ttq.json). Not part of CI: it takes about 13 minutes
 * (`--seconds 30 --tfjs-seconds 10 --no-write`: a shorter trial that writes nothing).
 *
 * Flags: --seconds S (default 300)  --tfjs-seconds S (default 60)  --eval-every S (default 15)
 *        --impl lstm-ts,torch,tfjs   --no-write (print only)
 *        --from-json FILE   re-render a saved run (results/bench/ttq.json) without measuring
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { lineChart, writeFileAtomic } from '../src/index.js';
import { childResult, loadVerdict } from './harness.js';
import { prepareTtq, TTQ_PLAN, type CurvePoint, type TtqResult } from './ttq-data.js';

export const TTQ_JSON = 'results/bench/ttq.json';
export const TTQ_SVG = 'results/bench/ttq-curves.svg';

/** A saved time-to-quality run. */
export interface TtqRun {
  date: string;
  commit: string;
  command: string;
  cores: number;
  loadStart: number[];
  loadEnd: number[];
  seconds: number;
  tfjsSeconds: number;
  evalEvery: number;
  vocabSize: number;
  trainChars: number;
  evalChars: number;
  results: Array<TtqResult | { impl: string; label: string; error: string }>;
  /** Wall-clock seconds of the whole run (runs saved before it was recorded lack it). */
  wallSeconds?: number;
}

/** Held-out bits/char at the first evaluation at or after `t` seconds of training (null if the run stopped before). */
export function bitsAt(curve: CurvePoint[], t: number): CurvePoint | null {
  return curve.find((p) => p.seconds >= t) ?? null;
}

/** BENCHMARKS.md's time-to-quality section and its chart. */
export function renderTtq(run: TtqRun | null, figPath = TTQ_SVG): { md: string[]; svg: string | null } {
  const md = ['<!-- ttq:start -->', '## Time to quality: character language model', ''];
  if (!run) {
    md.push('Not measured yet: `npm run bench:ttq` (about 13 minutes) writes this section.', '', '<!-- ttq:end -->');
    return { md, svg: null };
  }
  const p = TTQ_PLAN;
  md.push(
    `From \`${run.command}\` (bench/ttq.ts) on ${run.date}, commit ${run.commit}${run.wallSeconds ? ` (${(run.wallSeconds / 60).toFixed(1)} minutes in all)` : ''}; ${run.cores} cores, load average ${run.loadStart.map((x) => x.toFixed(2)).join(' / ')} at the start and ${run.loadEnd.map((x) => x.toFixed(2)).join(' / ')} at the end.`, '',
    loadVerdict([run.loadStart[0]!, run.loadEnd[0]!], run.cores, 'npm run bench:ttq'), '',
    `The task (bench/ttq-data.ts): Plato's Republic (data/republic_clean.txt), first 90 % for training (${run.trainChars} characters, vocabulary ${run.vocabSize}), held-out bits per character on the first ${run.evalChars} characters of the last 10 %. ` +
      `Embedding(V, ${p.embedding}) → LSTM(${p.hidden}, ${p.layers} layers) → Dense(V), cross-entropy, Adam lr ${p.lr}, batch ${p.batchSize} × ${p.seqLen} characters, no clipping, no dropout; ` +
      'every implementation starts from the same initial weights and sees the same batches in the same order. Each figure is the first evaluation at or after the time named. The clock counts training only (evaluations, every ' +
      `${run.evalEvery} s, are not counted). lstm-ts on its WebAssembly backend with every core; PyTorch with torch.set_num_threads(${run.cores}) on Debian's OpenBLAS; TF.js on its wasm backend, which runs one thread in Node, for ${run.tfjsSeconds} s only.`, '',
    '| implementation | threads | bits/char after 60 s | after 300 s | steps by 60 s / 300 s | median s per step | peak RSS MB |',
    '|---|---|---|---|---|---|---|',
  );
  for (const r of run.results) {
    if ('error' in r) {
      md.push(`| ${r.label} | | failed: ${r.error.replace(/\|/g, '/').slice(0, 120)} | | | | |`);
      continue;
    }
    const a = bitsAt(r.curve, 60), b = bitsAt(r.curve, 300);
    // A step longer than the evaluation interval puts the first evaluation past the mark: say when it was.
    const cell = (p: CurvePoint | null, t: number): string => (!p ? '—' : `${p.bitsPerChar.toFixed(3)}${p.seconds >= t + 1 ? ` (at ${p.seconds.toFixed(0)} s)` : ''}`);
    md.push(`| ${r.label} | ${r.threads} | ${cell(a, 60)} | ${cell(b, 300)} | ${a?.steps ?? '—'} / ${b?.steps ?? '—'} | ${r.stepSeconds.toFixed(3)} | ${(r.maxRssKB / 1024).toFixed(0)} |`);
  }
  const lts = run.results.find((r): r is TtqResult => r.impl === 'lstm-ts' && !('error' in r));
  const torch = run.results.find((r): r is TtqResult => r.impl === 'torch' && !('error' in r));
  md.push('');
  if (lts && torch) {
    const verdict = (t: number): string => {
      const a = bitsAt(lts.curve, t), b = bitsAt(torch.curve, t);
      if (!a || !b) return `at ${t} s: not measured`;
      return `at ${t} s lstm-ts ${a.bitsPerChar.toFixed(3)} vs PyTorch ${b.bitsPerChar.toFixed(3)} bits/char: **${a.bitsPerChar <= b.bitsPerChar ? 'reached' : 'not reached'}**`;
    };
    md.push(`Target (issue 16: bits/char no worse than PyTorch's): ${verdict(60)}; ${verdict(300)}.`, '');
  }
  const ok = run.results.filter((r): r is TtqResult => !('error' in r));
  const svg = ok.length
    ? lineChart({
      title: 'Held-out bits per character against training time',
      xLabel: 'training time, s', yLabel: 'bits per character (held out)',
      series: ok.map((r) => ({ name: r.label, x: r.curve.map((c) => c.seconds), y: r.curve.map((c) => c.bitsPerChar) })),
      markers: [{ x: 60, label: '60 s' }, { x: 300, label: '300 s' }].filter((m) => m.x <= Math.max(...ok.flatMap((r) => r.curve.map((c) => c.seconds)))),
      width: 720, height: 400,
    })
    : null;
  if (svg) md.push(`![learning curves](${figPath})`, '');
  md.push('<!-- ttq:end -->');
  return { md, svg };
}

/** The saved run, or null. */
export function readTtqRun(path = TTQ_JSON): TtqRun | null {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as TtqRun) : null;
}

/** Save the run (ttq.json), its chart, and its section of BENCHMARKS.md; print the section. */
async function writeTtq(run: TtqRun): Promise<void> {
  const { md, svg } = renderTtq(run);
  process.stdout.write(md.join('\n') + '\n');
  mkdirSync('results/bench', { recursive: true });
  await writeFileAtomic(TTQ_JSON, JSON.stringify(run, null, 1) + '\n');
  if (svg) await writeFileAtomic(TTQ_SVG, svg);
  const bench = existsSync('BENCHMARKS.md') ? readFileSync('BENCHMARKS.md', 'utf8') : '';
  const re = /<!-- ttq:start -->[\s\S]*?<!-- ttq:end -->/;
  await writeFileAtomic('BENCHMARKS.md', re.test(bench) ? bench.replace(re, md.join('\n')) : `${bench.trimEnd()}\n\n${md.join('\n')}\n`);
  console.error(`wrote ${TTQ_JSON}, ${TTQ_SVG} and the section of BENCHMARKS.md`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '300' }, 'tfjs-seconds': { type: 'string', default: '60' },
      'eval-every': { type: 'string', default: '15' }, impl: { type: 'string', default: 'lstm-ts,torch,tfjs' },
      'no-write': { type: 'boolean', default: false }, 'from-json': { type: 'string' },
    },
  });
  if (values['from-json']) {
    // Re-render a saved run (after a change to the section's wording), no measuring.
    await writeTtq(JSON.parse(readFileSync(values['from-json'], 'utf8')) as TtqRun);
    return;
  }
  const t0 = performance.now();
  const seconds = Number(values.seconds), tfjsSeconds = Number(values['tfjs-seconds']), evalEvery = Number(values['eval-every']);
  const impls = values.impl!.split(',').map((s) => s.trim());
  const cores = cpus().length;
  const dir = mkdtempSync(join(tmpdir(), 'lstm-ttq-'));
  try {
    // At most one step per 20 ms of training: more than any implementation here manages.
    const meta = prepareTtq('data/republic_clean.txt', dir, Math.ceil(Math.max(seconds, tfjsSeconds) / 0.02));
    const run: TtqRun = {
      date: new Date().toISOString(),
      commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
      command: `npm run bench:ttq${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
      cores, loadStart: loadavg(), loadEnd: [], seconds, tfjsSeconds, evalEvery,
      vocabSize: meta.vocabSize, trainChars: meta.trainChars, evalChars: meta.evalChunks * meta.plan.seqLen, results: [],
    };
    for (const impl of impls) {
      console.error(`time to quality: ${impl} (${impl === 'tfjs' ? tfjsSeconds : seconds} s of training)`);
      const s = String(impl === 'tfjs' ? tfjsSeconds : seconds);
      // Training time plus evaluations and start-up: generous, but a hung child cannot stall the run.
      const timeout = (4 * Number(s) + 600) * 1000;
      const res = impl === 'torch'
        ? await childResult('/usr/bin/python3', ['bench/torch_charlm.py', '--dir', dir, '--seconds', s, '--eval-every', String(evalEvery), '--threads', String(cores)],
          timeout, { OMP_WAIT_POLICY: 'PASSIVE', OPENBLAS_NUM_THREADS: String(cores) })
        : await childResult(process.execPath, ['--import', 'tsx', 'bench/ttq-worker.ts', '--impl', impl, '--dir', dir, '--seconds', s, '--eval-every', String(evalEvery)], timeout);
      const label = impl === 'torch' ? 'PyTorch' : impl === 'tfjs' ? 'TF.js wasm (SIMD)' : 'lstm-ts (WebAssembly)';
      if (res.ok) {
        const r = res as unknown as TtqResult;
        run.results.push(r);
        console.error(`  ${r.curve.map((c) => `${c.seconds.toFixed(0)} s: ${c.bitsPerChar.toFixed(3)}`).join(', ')}`);
      } else {
        run.results.push({ impl, label, error: String(res.error) });
        console.error(`  failed: ${res.error}`);
      }
    }
    run.loadEnd = loadavg();
    run.wallSeconds = (performance.now() - t0) / 1000;
    if (values['no-write']) process.stdout.write(renderTtq(run).md.join('\n') + '\n');
    else await writeTtq(run);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
