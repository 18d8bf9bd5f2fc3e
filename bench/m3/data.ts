/**
 * The M3 competition data as laid out in ../shared/data/m3 (see its README): long-format series
 * files (`id,t,value,split`), R's baseline forecasts and scores, and the original submissions'
 * scores. The benchmark reads them from there; nothing here is committed into the project.
 * Every reader checks what it parses and names the file and line of anything unexpected.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from '../../src/index.js';

/** The four M3 subsets. */
export type M3Set = 'monthly' | 'quarterly' | 'yearly' | 'other';
export const M3_SETS: readonly M3Set[] = ['monthly', 'quarterly', 'yearly', 'other'];

/** Horizon h and seasonal period (MASE lag; 1 for yearly and other) of each subset. */
export const M3_INFO: Record<M3Set, { horizon: number; period: number; sample: string | null }> = {
  monthly: { horizon: 18, period: 12, sample: 'sample-monthly-200.txt' },
  quarterly: { horizon: 8, period: 4, sample: 'sample-quarterly-100.txt' },
  yearly: { horizon: 6, period: 1, sample: 'sample-yearly-100.txt' },
  other: { horizon: 8, period: 1, sample: null },
};

/** One series: its training part and the test part (the last `horizon` points). */
export interface M3Series {
  id: string;
  train: Float64Array;
  test: Float64Array;
}

/** Lines of a CSV file split on commas, with the header checked against `expect`. */
function rows(file: string, expect: string): string[][] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FormatError(file, `cannot read (${(e as Error).message}); the M3 files live in ../shared/data/m3 (see its README)`);
  }
  const lines = text.split(/\r?\n/);
  if (lines[0] !== expect) throw new FormatError(file, `header must be "${expect}", found "${lines[0]}"`);
  const out: string[][] = [];
  const width = expect.split(',').length;
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const cells = lines[i]!.split(',');
    if (cells.length !== width) throw new FormatError(file, `line ${i + 1}: expected ${width} fields, found ${cells.length}`);
    out.push(cells);
  }
  return out;
}

function number(file: string, line: number, field: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new FormatError(file, `line ${line}: ${field} must be a finite number, found "${text}"`);
  return v;
}

/** The ids of the fixed random sample of a subset (monthly 200, quarterly 100, yearly 100). */
export function sampleIds(dir: string, set: M3Set): Set<string> {
  const name = M3_INFO[set].sample;
  if (!name) throw new RangeError(`the ${set} set has no sample file`);
  return new Set(readFileSync(join(dir, name), 'utf8').split(/\r?\n/).filter((l) => l !== ''));
}

/** Every series of a subset in file order (or only those in `only`), train and test parts. */
export function loadM3(dir: string, set: M3Set, only?: Set<string>): M3Series[] {
  const file = join(dir, `${set}.csv`);
  const parts = new Map<string, { train: number[]; test: number[] }>();
  rows(file, 'id,t,value,split').forEach(([id, t, value, split], i) => {
    if (only && !only.has(id!)) return;
    const line = i + 2;
    let p = parts.get(id!);
    if (!p) parts.set(id!, (p = { train: [], test: [] }));
    if (split !== 'train' && split !== 'test') throw new FormatError(file, `line ${line}: split must be "train" or "test", found "${split}"`);
    const part = split === 'train' ? p.train : p.test;
    const step = number(file, line, 't', t!);
    const expected = split === 'train' ? p.train.length + 1 : p.train.length + p.test.length + 1;
    if (step !== expected) throw new FormatError(file, `line ${line}: series ${id} should have t = ${expected} here, found ${t}`);
    part.push(number(file, line, 'value', value!));
  });
  const h = M3_INFO[set].horizon;
  const out: M3Series[] = [];
  for (const [id, p] of parts) {
    if (p.test.length !== h) throw new FormatError(file, `series ${id} has ${p.test.length} test points, expected ${h}`);
    out.push({ id, train: Float64Array.from(p.train), test: Float64Array.from(p.test) });
  }
  if (only && out.length !== only.size) throw new FormatError(file, `found ${out.length} of the ${only.size} requested series`);
  return out;
}

/** Per-series scores of a scores file (`baselines-*.csv`, `m3-original-*.csv`): method → id → { smape, mase }. */
export function loadScores(file: string): Map<string, Map<string, { smape: number; mase: number }>> {
  const out = new Map<string, Map<string, { smape: number; mase: number }>>();
  rows(file, 'id,method,smape,mase').forEach(([id, method, smape, mase], i) => {
    let m = out.get(method!);
    if (!m) out.set(method!, (m = new Map()));
    m.set(id!, { smape: number(file, i + 2, 'smape', smape!), mase: number(file, i + 2, 'mase', mase!) });
  });
  return out;
}

/** R's point forecasts (`forecasts-*.csv`): method → id → the h values. */
export function loadForecasts(file: string, horizon: number): Map<string, Map<string, Float64Array>> {
  const out = new Map<string, Map<string, Float64Array>>();
  rows(file, 'id,method,h,value').forEach(([id, method, h, value], i) => {
    let m = out.get(method!);
    if (!m) out.set(method!, (m = new Map()));
    let f = m.get(id!);
    if (!f) m.set(id!, (f = new Float64Array(horizon).fill(NaN)));
    const step = number(file, i + 2, 'h', h!);
    if (!Number.isInteger(step) || step < 1 || step > horizon) throw new FormatError(file, `line ${i + 2}: h must be in 1..${horizon}, found ${h}`);
    f[step - 1] = number(file, i + 2, 'value', value!);
  });
  return out;
}

/**
 * Validation windows cut from the training parts: each series' last `horizon` training points
 * become its "test" part and the rest its "train" part. Development runs score on these so the
 * real test parts stay untouched until the final score.
 */
export function validationSplit(series: readonly M3Series[], horizon: number): M3Series[] {
  return series.map((s) => ({ id: s.id, train: s.train.slice(0, s.train.length - horizon), test: s.train.slice(s.train.length - horizon) }));
}
