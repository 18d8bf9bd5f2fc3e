/**
 * The shared demo runner. A demo is a `Demo` spec: a name, its own command-line options and a
 * `run(ctx)` that trains, measures and returns a `DemoResult` (a table of rows plus notes and
 * plot paths). This file turns a spec into a commander command with the common flags
 * (--quick, --seed, --json, --out), prints the result as a table, or with --json as exactly ONE
 * JSON object on stdout, progress going to stderr. The same command object serves
 * `tsx demos/NAME.ts ...`, `npm run demo:NAME` and `lstm demo NAME ...`.
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, Option } from 'commander';
import { getBackend } from '../src/index.js';

/** One column of a result table. */
export interface Column {
  key: string;
  label: string;
  /** Significant decimals for numbers (default 4). */
  digits?: number;
}

export type Row = Record<string, string | number | boolean | null>;

export interface DemoResult {
  demo: string;
  title: string;
  seed: number;
  quick: boolean;
  /** Kernel backend the models ran on. */
  backend: string;
  /** Wall time of the whole demo, seconds. */
  seconds: number;
  columns: Column[];
  rows: Row[];
  /** Facts worth reading next to the table (data handling, what the baseline is, ...). */
  notes: string[];
  /** Files written (plots), relative to the working directory. */
  plots: string[];
  /** Demo-specific extras (samples, curves summaries); kept JSON-able. */
  extra?: Record<string, unknown>;
}

/** What `run` receives. */
export interface DemoContext {
  quick: boolean;
  seed: number;
  /** Directory for plots, created before `run`; null with --no-plots. */
  out: string | null;
  /** The demo's own options, parsed. */
  opts: Record<string, unknown>;
  /** Progress line to stderr. */
  log(msg: string): void;
}

/** A demo-specific option, e.g. `{ flags: '--lengths <list>', description, parse: intList, default: [50,100,200] }`. */
export interface DemoOption {
  flags: string;
  description: string;
  default?: unknown;
  parse?: (value: string) => unknown;
}

export interface Demo {
  name: string;
  title: string;
  summary: string;
  options?: DemoOption[];
  run(ctx: DemoContext): Promise<Omit<DemoResult, 'demo' | 'title' | 'seed' | 'quick' | 'backend' | 'seconds'>>;
}

/** Parse "a,b,c" into a list of names, each from `allowed`. */
export function nameList(allowed: readonly string[]): (v: string) => string[] {
  return (v) => {
    const names = v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    for (const n of names) if (!allowed.includes(n)) throw new Error(`unknown name '${n}': expected some of ${allowed.join(', ')}`);
    if (names.length === 0) throw new Error(`expected a comma-separated list of ${allowed.join(', ')}`);
    return names;
  };
}

/** Parse "50,100" into positive integers. */
export function intList(v: string): number[] {
  const out = v.split(',').map((s) => Number(s.trim()));
  for (const n of out) if (!Number.isInteger(n) || n < 1) throw new Error(`expected a comma-separated list of positive integers, got '${v}'`);
  return out;
}

/** Parse a positive integer. */
export function posInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got '${v}'`);
  return n;
}

/** Run a demo with parsed options; the result carries seed, backend and wall time. */
export async function runDemo(demo: Demo, ctx: Omit<DemoContext, 'log'> & { log?: (m: string) => void }): Promise<DemoResult> {
  const log = ctx.log ?? ((m: string) => process.stderr.write(`[${demo.name}] ${m}\n`));
  if (ctx.out) mkdirSync(ctx.out, { recursive: true });
  const t0 = performance.now();
  const r = await demo.run({ ...ctx, log });
  const seconds = (performance.now() - t0) / 1000;
  return { demo: demo.name, title: demo.title, seed: ctx.seed, quick: ctx.quick, backend: getBackend().name, seconds: round(seconds, 1), ...r };
}

/** A commander command for one demo (used standalone and by `lstm demo NAME`). */
export function demoCommand(demo: Demo): Command {
  const cmd = new Command(demo.name)
    .description(`${demo.title}: ${demo.summary}`)
    .option('--quick', 'a small run that finishes in seconds (for CI)', false)
    .option('--seed <n>', 'random seed for data, initialisation and batches', (v) => Number.parseInt(v, 10), 1)
    .option('--json', 'print the result as one JSON object on stdout (progress on stderr)', false)
    .option('--out <dir>', 'directory for the plots', join('out', 'demos', demo.name))
    .option('--no-plots', 'do not write plots');
  for (const o of demo.options ?? []) {
    const opt = new Option(o.flags, o.description);
    if (o.parse) {
      const parse = o.parse;
      opt.argParser((v: string) => {
        try {
          return parse(v);
        } catch (e) {
          throw new Error(`${o.flags.split(' ')[0]}: ${(e as Error).message}`);
        }
      });
    }
    if (o.default !== undefined) opt.default(o.default);
    cmd.addOption(opt);
  }
  cmd.action(async (raw: Record<string, unknown>) => {
    const seed = raw.seed as number;
    if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got ${String(raw.seed)}`);
    const { quick, json, out, plots, ...opts } = raw;
    delete opts.seed;
    const result = await runDemo(demo, { quick: quick as boolean, seed, out: plots ? (out as string) : null, opts });
    process.stdout.write(json ? `${JSON.stringify(result)}\n` : `${formatResult(result)}\n`);
  });
  return cmd;
}

/** Run `demo` as a program when its module is the entry point (`tsx demos/NAME.ts`). */
export async function mainIfEntry(demo: Demo, metaUrl: string): Promise<void> {
  if (!process.argv[1] || pathToFileURL(realpathSync(process.argv[1])).href !== metaUrl) return;
  try {
    await demoCommand(demo).parseAsync(process.argv);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}

/** The table, then notes and plots, as plain text. */
export function formatResult(r: DemoResult): string {
  const lines = [`${r.title} (seed ${r.seed}${r.quick ? ', quick' : ''}, backend ${r.backend}, ${r.seconds} s)`, '', formatTable(r.columns, r.rows, false)];
  if (r.notes.length) lines.push('', ...r.notes.map((n) => `- ${n}`));
  if (r.plots.length) lines.push('', `plots: ${r.plots.join(', ')}`);
  return lines.join('\n');
}

/** Render rows as an aligned text table, or a GitHub markdown table. */
export function formatTable(columns: Column[], rows: Row[], markdown: boolean): string {
  const cells = rows.map((r) => columns.map((c) => formatCell(r[c.key], c.digits)));
  const head = columns.map((c) => c.label);
  const widths = head.map((h, j) => Math.max(h.length, ...cells.map((r) => r[j]!.length)));
  const numeric = columns.map((c) => rows.some((r) => typeof r[c.key] === 'number'));
  const pad = (s: string, j: number): string => (numeric[j] ? s.padStart(widths[j]!) : s.padEnd(widths[j]!));
  if (markdown) {
    const line = (r: string[]): string => `| ${r.map(pad).join(' | ')} |`;
    const rule = `|${widths.map((w, j) => (numeric[j] ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
    return [line(head), rule, ...cells.map(line)].join('\n');
  }
  const line = (r: string[]): string => r.map(pad).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

function formatCell(v: Row[string] | undefined, digits = 4): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v)) return String(v);
    return Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(digits) : v.toExponential(2);
  }
  return String(v);
}

/** Round to d decimals (for JSON that reads well). */
export function round(x: number, d: number): number {
  const s = 10 ** d;
  return Math.round(x * s) / s;
}

/** "Intel Xeon ... (2 cores), 24 GB, Node v20.x": what RESULTS.md records as the machine. */
export function machine(): string {
  const c = cpus();
  return `${c[0]?.model.trim() ?? 'unknown CPU'} (${c.length} cores), ${Math.round(totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, ${process.platform}-${process.arch}`;
}
