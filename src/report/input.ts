/**
 * Turning what a user points `lstm inspect` at into one model input sequence, using what the
 * model file stores about its data:
 *   - a forecasting model (metadata.forecast, from `lstm forecast`) and a CSV: the series
 *     column is windowed and scaled exactly as in training, and the last window is used;
 *   - a text model (metadata.vocab): the text (any file but .json, or the argument itself) is encoded;
 *   - a .json file: a nested array of numbers, (T), (T,F) or (1,T,F), taken as model units
 *     (its last 200 steps unless `last` says otherwise);
 *   - any other CSV: the numeric columns given (or all), the last `last` rows, as they are.
 * Also returns how to draw the input above the heatmaps (numbers, or one box per character)
 * and the training history stored with the model.
 */
// Namespace imports: a browser bundle can alias node:fs and node:path away (only file paths use them).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { numericColumn, readCsv } from '../data/csv.js';
import { FormatError } from '../io/errors.js';
import { checkLimit, type Limits } from '../io/limits.js';
import { readFileChecked } from '../io/read-file.js';
import { SeriesForecaster } from '../recipes/forecast/index.js';
import { vocabFromJSON } from '../data/text.js';
import type { Sequential } from '../nn/sequential.js';
import { Tensor } from '../tensor/tensor.js';

export interface InspectInput {
  /** The model input: (1,T,F) numbers or (1,T) token ids. */
  x: Tensor;
  display: { label: string; values: number[] | number[][] | string[] };
}

export interface InspectInputOptions {
  /** CSV columns to use (default: the forecast column, or every numeric column). */
  columns?: string[];
  /**
   * Use only the last N rows, steps or characters. Default: at most 200 (CSV rows, JSON steps or
   * characters of text). A forecast model reads one window of its lookback, so N must be that
   * lookback if given. At most the `steps` budget (io/limits.ts).
   */
  last?: number;
  /** Budgets (io/limits.ts): `fileBytes` for the input file, `steps` for `last`. */
  limits?: Partial<Limits>;
}

/** Steps shown when `last` is not given. */
const DEFAULT_STEPS = 200;

export async function inspectInput(source: string, model: Sequential, metadata: Record<string, unknown>, opts: InspectInputOptions = {}): Promise<InspectInput> {
  const isFile = fs.existsSync(source);
  const ext = path.extname(source).toLowerCase();
  const last = opts.last ?? DEFAULT_STEPS;
  if (opts.last !== undefined) checkLimit('steps', opts.last, `--last ${opts.last} steps`, undefined, opts.limits);
  const read = (): string => new TextDecoder().decode(readFileChecked(source, { limits: opts.limits }));
  if (metadata.vocab !== undefined && (!isFile || ext !== '.json')) {
    const vocab = vocabFromJSON(metadata.vocab, opts.limits);
    const text = isFile ? read() : source;
    const chars = Array.from(text).slice(-last);
    const ids = vocab.encode(chars.join(''));
    if (ids.length === 0) throw new RangeError(`inspect: the input text is empty`);
    return { x: new Tensor(Float32Array.from(ids), [1, ids.length]), display: { label: 'text', values: chars } };
  }
  if (!isFile) throw new FormatError(source, 'cannot read (no such file)');
  if (ext === '.json') {
    let v: unknown;
    const text = read();
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw new RangeError(`${source}: not valid JSON (${(e as Error).message})`);
    }
    let t: Tensor;
    try {
      t = Tensor.from(v as number[]);
    } catch (e) {
      throw new RangeError(`${source}: ${(e as Error).message}`);
    }
    if (t.shape.length === 1) t = t.reshape([1, t.shape[0]!, 1]);
    else if (t.shape.length === 2) t = t.reshape([1, ...t.shape]);
    if (t.shape.length !== 3 || t.shape[0] !== 1) throw new RangeError(`${source}: expected a sequence (T), (T,F) or (1,T,F), found shape [${t.shape.join(', ')}]`);
    const F = t.shape[2]!;
    if (F !== model.inputSize) throw new RangeError(`${source}: the model takes ${model.inputSize} feature(s) per step, found ${F}`);
    const T = Math.min(t.shape[1]!, last);
    if (T < t.shape[1]!) t = new Tensor(t.data.slice((t.shape[1]! - T) * F), [1, T, F]);
    return { x: t, display: { label: 'x', values: seriesOf(t.data, T, F) } };
  }
  const forecast = metadata.forecast as { column?: string; plan?: { lookback: number } } | undefined;
  if (forecast?.plan) {
    if (opts.columns && opts.columns.length > 1) throw new RangeError(`${source}: a forecast model reads one column, ${opts.columns.length} were given (${opts.columns.join(', ')})`);
    const column = opts.columns?.[0] ?? forecast.column!;
    const values = numericColumn(await readCsv(source, { columns: [column], limits: opts.limits }), column);
    const f = SeriesForecaster.fromJSON(forecast, [model]);
    const w = f.windows(values).x; // (M, lookback, 1) in model units
    const M = w.shape[0]!, Lb = w.shape[1]!;
    if (opts.last !== undefined && opts.last !== Lb) throw new RangeError(`${source}: a forecast model reads one window of its lookback, ${Lb} steps; last = ${opts.last} does not apply`);
    if (M < 1) throw new RangeError(`${source}: column "${column}" is too short for a window of ${Lb} steps`);
    const x = new Tensor(w.data.slice((M - 1) * Lb, M * Lb), [1, Lb, 1]);
    return { x, display: { label: `${column} (scaled)`, values: Array.from(x.data) } };
  }
  const table = await readCsv(source, { ...(opts.columns ? { columns: opts.columns } : {}), limits: opts.limits });
  const names = opts.columns ?? Object.keys(table.columns).filter((c) => table.columns[c] instanceof Float64Array);
  if (names.length === 0) throw new RangeError(`${source}: no numeric columns`);
  if (names.length !== model.inputSize) {
    throw new RangeError(`${source}: the model takes ${model.inputSize} feature(s) per step, columns given: ${names.join(', ')} (choose with --column)`);
  }
  const cols = names.map((c) => numericColumn(table, c));
  const n = cols[0]!.length, T = Math.min(n, last), F = cols.length;
  const x = Tensor.zeros([1, T, F]);
  for (let t = 0; t < T; t++) for (let j = 0; j < F; j++) x.data[t * F + j] = cols[j]![n - T + t]!;
  return { x, display: { label: names.join(', '), values: seriesOf(x.data, T, F) } };
}

/**
 * The training history stored with a model: metadata.history, metadata.training (train-text,
 * classify), or the member's entry of metadata.training.histories (forecast ensembles).
 */
export function storedHistory(metadata: Record<string, unknown>): { loss?: number[]; valLoss?: number[] } | undefined {
  type H = { loss?: number[]; valLoss?: number[] };
  const h = metadata.history as H | undefined;
  if (h && Array.isArray(h.loss)) return h;
  const training = metadata.training as (H & { histories?: H[] }) | undefined;
  if (training && Array.isArray(training.loss)) return training;
  const member = typeof metadata.member === 'number' ? metadata.member : 0;
  return training?.histories?.[member];
}

function seriesOf(data: ArrayLike<number>, T: number, F: number): number[] | number[][] {
  const s = Array.from({ length: Math.min(F, 4) }, (_, j) => Array.from({ length: T }, (_, t) => data[t * F + j]!));
  return s.length === 1 ? s[0]! : s;
}
