/**
 * CSV loading for time series: a streaming parse (csv-parse) straight into growable typed
 * arrays, so a million-row file is never held as a whole string plus a copy per cell. Columns
 * are picked by header name; numeric cells must be plain decimal numbers, anything else is a
 * FormatError naming the file, line, column and the value found. Missing cells (empty, `NA`,
 * `NaN`, `null`, `?`) are handled by one policy: 'error' (default), 'drop', 'ffill' or
 * 'interpolate'; the report says which lines were affected. Infinite values are always an error.
 * Lines may end in CRLF, LF or CR, mixed. The file must be a regular file within the fileBytes
 * budget, and at most csvColumns columns are loaded unless they are named (io/limits.ts).
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { parse } from 'csv-parse';
import { FormatError, listNames, quote } from '../io/errors.js';
import { checkLimit, type Limits } from '../io/limits.js';
import { checkRegularFile } from '../io/read-file.js';

/** What to do with missing numeric cells. */
export type MissingPolicy = 'error' | 'drop' | 'ffill' | 'interpolate';

export interface ReadCsvOptions {
  /**
   * Columns to load, by header name. Default: every column except `dateColumn`, numeric or
   * string as decided by the first data row (string columns must be listed in `categorical`
   * to be kept when `columns` is given explicitly).
   */
  columns?: string[];
  /** Columns kept as strings (e.g. a wind direction `cbwd`); see {@link oneHot}. */
  categorical?: string[];
  /** A column kept as strings in `dates` (e.g. `Month`). */
  dateColumn?: string;
  /** Missing numeric cells: 'error' (default) names the first one, 'drop' removes the row, 'ffill' repeats the last value, 'interpolate' draws a straight line. */
  missing?: MissingPolicy;
  /** Cell texts that mean "missing" (compared after trimming). Default `['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?']`. */
  missingValues?: string[];
  /** Field delimiter. Default ','. */
  delimiter?: string;
  /** Stop after this many data rows (for previews). Default: all. */
  maxRows?: number;
  /** Budgets (io/limits.ts): `fileBytes` for the file, `csvColumns` for the columns loaded when none are named. */
  limits?: Partial<Limits>;
}

/** Which lines had missing cells and what was done about them. */
export interface CsvReport {
  /** Data rows kept. */
  rows: number;
  /** Per column: the 1-based file lines whose cell was missing. */
  missing: Record<string, number[]>;
  /** The policy applied. */
  policy: MissingPolicy;
  /** Lines removed ('drop'). */
  dropped: number[];
}

export interface CsvTable {
  /** The file (as given). */
  file: string;
  /** Header names in file order. */
  header: string[];
  /** Loaded columns: numeric ones as Float64Array, categorical ones as string[]. */
  columns: Record<string, Float64Array | string[]>;
  /** Number of data rows kept. */
  rows: number;
  /** The date column's values, if `dateColumn` was given. */
  dates?: string[];
  /** 1-based file line of each kept row (for error messages downstream). */
  lines: Int32Array;
  report: CsvReport;
}

/** Cell texts read as "missing" unless told otherwise. */
export const DEFAULT_MISSING: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?'];
// Unambiguous, so a long run of digits followed by a letter is rejected in linear time (the
// older /(\d+\.?\d*)/ tried every split of the digits: minutes for one 120 KB cell).
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** First capacity of a column's buffer (it doubles as rows arrive), small so a wide file costs little per column. */
export const FIRST_CAPACITY = 64;
const INFINITE = /^[+-]?(inf|infinity)$/i;

/** A typed array that doubles when full (amortised O(1) push, one copy at the end). */
export class Growable<A extends Float64Array | Int32Array> {
  n = 0;
  constructor(private buf: A) {}
  push(v: number): void {
    if (this.n === this.buf.length) {
      const next = new (this.buf.constructor as new (length: number) => A)(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = v;
  }
  /** The filled part, trimmed to its length (one copy). */
  finish(): A {
    return this.buf.slice(0, this.n) as A;
  }
}

/**
 * Parse one numeric cell. Returns the number, NaN for a missing cell, or for anything else
 * the complaint as a string (the caller adds file/line/column).
 */
export function parseCell(raw: string, missing: ReadonlySet<string>): number | string {
  const s = raw.trim();
  if (missing.has(s)) return Number.NaN;
  if (DECIMAL.test(s)) {
    // "1e999" is decimal syntax but overflows to Infinity: refuse it like "inf".
    const v = Number(s);
    return Number.isFinite(v) ? v : `expected a finite number, found ${quote(raw, 40)} (beyond the float64 range)`;
  }
  if (INFINITE.test(s)) return `expected a finite number, found ${quote(raw, 40)}`;
  return `expected a number, found ${quote(raw, 40)}`;
}

/** A csv-parse stream over `path`: records with their line numbers, destroyed by the reader when done. */
export interface CsvRecords extends AsyncIterable<{ record: string[]; info: { lines: number } }> {
  destroy(): void;
}

/** Stream the records of a CSV file (header included) with the project's settings. */
export function csvParser(path: string, delimiter = ','): CsvRecords {
  return createReadStream(path).pipe(
    // Line endings given, not detected: any mix of CRLF, LF and CR is read, and csv-parse's
    // detection costs seconds on a very wide first line.
    parse({ delimiter, record_delimiter: ['\r\n', '\n', '\r'], bom: true, info: true, relax_column_count: false, skip_empty_lines: true }),
  ) as unknown as CsvRecords;
}

/** What a CSV reader throws for `err`: a FormatError as it is; a csv-parse error (it carries the line) as a FormatError naming the file. */
export function csvSyntaxError(path: string, err: unknown): FormatError {
  if (err instanceof FormatError) return err;
  const e = err as Error & { lines?: number };
  return new FormatError(path, `CSV syntax error${e.lines ? ` near line ${e.lines}` : ''}: ${e.message}${lineEndingHint(path)}`, { cause: err });
}

/**
 * Read a CSV file with a header row into numeric (Float64Array) and string columns.
 * Errors are {@link FormatError}s such as
 * `data.csv: line 7, column "Passengers": expected a number, found "abc"`.
 */
export async function readCsv(path: string, opts: ReadCsvOptions = {}): Promise<CsvTable> {
  const policy = opts.missing ?? 'error';
  if (!['error', 'drop', 'ffill', 'interpolate'].includes(policy)) {
    throw new RangeError(`readCsv: missing must be 'error', 'drop', 'ffill' or 'interpolate', got "${policy}"`);
  }
  // A regular file within the fileBytes budget (a FIFO or /dev/zero would never end).
  checkRegularFile(path, opts.limits);
  const missingSet = new Set(opts.missingValues ?? DEFAULT_MISSING);
  const parser = csvParser(path, opts.delimiter);

  let header: string[] | null = null;
  // Per loaded column: its header index and its storage.
  let numeric: Array<{ name: string; idx: number; values: Growable<Float64Array>; missingLines: number[] }> = [];
  let strings: Array<{ name: string; idx: number; values: string[] }> = [];
  let dateIdx = -1;
  const dates: string[] = [];
  const lines = new Growable(new Int32Array(FIRST_CAPACITY));
  const maxRows = opts.maxRows ?? Infinity;

  try {
    for await (const { record, info } of parser) {
      const line = info.lines;
      if (header === null) {
        header = record.map((h) => h.trim());
        if (opts.dateColumn !== undefined) {
          dateIdx = header.indexOf(opts.dateColumn);
          if (dateIdx < 0) throw new FormatError(path, `no date column ${quote(opts.dateColumn)} (columns: ${listNames(header)})`);
        }
        const wanted = opts.columns ?? null;
        if (!wanted) checkLimit('csvColumns', header.length, `the header has ${header.length} columns and none were named (name the ones to load)`, path, opts.limits);
        const cats = new Set(opts.categorical ?? []);
        for (const name of [...(wanted ?? []), ...cats]) {
          if (!header.includes(name)) throw new FormatError(path, `no column ${quote(name)} (columns: ${listNames(header)})`);
        }
        if (wanted) {
          numeric = wanted.filter((n) => !cats.has(n)).map((name) => ({ name, idx: header!.indexOf(name), values: new Growable(new Float64Array(FIRST_CAPACITY)), missingLines: [] }));
          strings = [...cats].map((name) => ({ name, idx: header!.indexOf(name), values: [] }));
        }
        continue;
      }
      if (lines.n >= maxRows) break;
      if (opts.columns === undefined && numeric.length === 0 && strings.length === 0) {
        // Decide column types from the first data row: numeric if it parses or is missing.
        const cats = new Set(opts.categorical ?? []);
        header.forEach((name, idx) => {
          if (idx === dateIdx) return;
          if (cats.has(name) || typeof parseCell(record[idx] ?? '', missingSet) === 'string') strings.push({ name, idx, values: [] });
          else numeric.push({ name, idx, values: new Growable(new Float64Array(FIRST_CAPACITY)), missingLines: [] });
        });
      }
      for (const col of numeric) {
        const v = parseCell(record[col.idx]!, missingSet);
        if (typeof v === 'string') throw new FormatError(path, `line ${line}, column ${quote(col.name)}: ${v}`);
        if (Number.isNaN(v)) {
          if (policy === 'error') {
            throw new FormatError(
              path,
              `line ${line}, column ${quote(col.name)}: missing value (${quote(record[col.idx]!)}); choose a missing-value policy (drop, ffill, interpolate)`,
            );
          }
          col.missingLines.push(line);
        }
        col.values.push(v);
      }
      for (const col of strings) col.values.push(record[col.idx]!);
      if (dateIdx >= 0) dates.push(record[dateIdx]!);
      lines.push(line);
    }
  } catch (err) {
    throw csvSyntaxError(path, err);
  } finally {
    parser.destroy();
  }
  if (header === null) throw new FormatError(path, 'empty file (no header row)');

  // Null prototype: a column named "__proto__" is an ordinary key here.
  const report: CsvReport = { rows: 0, missing: Object.create(null), policy, dropped: [] };
  for (const col of numeric) if (col.missingLines.length > 0) report.missing[col.name] = col.missingLines;

  let cols: Record<string, Float64Array | string[]> = Object.create(null);
  for (const col of numeric) cols[col.name] = col.values.finish();
  for (const col of strings) cols[col.name] = col.values;
  let lineArr = lines.finish();
  let dateArr = dateIdx >= 0 ? dates : undefined;

  if (policy === 'drop' && Object.keys(report.missing).length > 0) {
    const keep = new Uint8Array(lineArr.length).fill(1);
    for (const col of numeric) {
      const v = cols[col.name] as Float64Array;
      for (let i = 0; i < v.length; i++) if (Number.isNaN(v[i]!)) keep[i] = 0;
    }
    const idx: number[] = [];
    keep.forEach((k, i) => (k ? idx.push(i) : report.dropped.push(lineArr[i]!)));
    const next: Record<string, Float64Array | string[]> = Object.create(null);
    for (const [name, v] of Object.entries(cols)) {
      next[name] = v instanceof Float64Array ? Float64Array.from(idx, (i) => v[i]!) : idx.map((i) => v[i]!);
    }
    cols = next;
    lineArr = Int32Array.from(idx, (i) => lineArr[i]!);
    if (dateArr) dateArr = idx.map((i) => dateArr![i]!);
  } else if (policy === 'ffill' || policy === 'interpolate') {
    for (const col of numeric) {
      const v = cols[col.name] as Float64Array;
      if (col.missingLines.length === v.length && v.length > 0) {
        throw new FormatError(path, `column ${quote(col.name)}: every value is missing, nothing to fill from`);
      }
      fillMissing(v, policy);
    }
  }
  report.rows = lineArr.length;
  const table: CsvTable = { file: path, header, columns: cols, rows: lineArr.length, lines: lineArr, report };
  if (dateArr) table.dates = dateArr;
  return table;
}

/**
 * ' (note: the file mixes CRLF and LF line endings)' when it does, for a syntax error's
 * message: such a file was often edited on two systems, which is a clue to what broke it.
 * Reads the file once more, in chunks (it is within the fileBytes budget).
 */
function lineEndingHint(path: string): string {
  let crlf = 0, lf = 0, prevCR = false;
  const buf = Buffer.allocUnsafe(1 << 16);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) {
      for (let i = 0; i < n; i++) {
        if (buf[i] === 0x0a) {
          if (prevCR) crlf++;
          else lf++;
        }
        prevCR = buf[i] === 0x0d;
      }
      if (crlf > 0 && lf > 0) break;
    }
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return crlf > 0 && lf > 0 ? ' (note: the file mixes CRLF and LF line endings)' : '';
}

/**
 * Fill NaN gaps in place: 'ffill' repeats the previous value, 'interpolate' draws a straight
 * line between the neighbours. Leading gaps take the first valid value, trailing gaps the last.
 */
export function fillMissing(v: Float64Array, how: 'ffill' | 'interpolate'): void {
  const n = v.length;
  let first = 0;
  while (first < n && Number.isNaN(v[first]!)) first++;
  if (first === n) return;
  for (let i = 0; i < first; i++) v[i] = v[first]!;
  let prev = first; // last valid index
  for (let i = first + 1; i < n; i++) {
    if (Number.isNaN(v[i]!)) continue;
    if (i > prev + 1) {
      for (let j = prev + 1; j < i; j++) {
        v[j] = how === 'ffill' ? v[prev]! : v[prev]! + ((v[i]! - v[prev]!) * (j - prev)) / (i - prev);
      }
    }
    prev = i;
  }
  for (let j = prev + 1; j < n; j++) v[j] = v[prev]!;
}

/** The numeric column `name` of a table, or a FormatError naming the file and the available columns. */
export function numericColumn(table: CsvTable, name: string): Float64Array {
  const v = table.columns[name];
  if (v === undefined) throw new FormatError(table.file, `no column ${quote(name)} (columns: ${listNames(table.header)})`);
  if (!(v instanceof Float64Array)) throw new FormatError(table.file, `column ${quote(name)} is not numeric (first value ${quote(v[0] ?? '')})`);
  return v;
}

/**
 * Throw a FormatError naming the first NaN or infinite value (by file line) in the given
 * columns. Run before training so a bad cell never turns into NaN weights.
 */
export function assertFinite(table: CsvTable, names: string[] = Object.keys(table.columns)): void {
  for (const name of names) {
    const v = table.columns[name];
    if (!(v instanceof Float64Array)) continue;
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i]!)) throw new FormatError(table.file, `line ${table.lines[i]}, column ${quote(name)}: value is ${v[i]}, expected a finite number`);
    }
  }
}

/**
 * One-hot encode a categorical column: (N) strings → (N,K) row-major 0/1 values, with the
 * categories sorted (or as given, so a trained model's encoding can be reused; unseen values
 * get an all-zero row).
 */
export function oneHot(values: readonly string[], categories?: readonly string[]): { data: Float64Array; categories: string[] } {
  const cats = categories ? [...categories] : [...new Set(values)].sort();
  const index = new Map(cats.map((c, i) => [c, i]));
  const k = cats.length;
  const data = new Float64Array(values.length * k);
  values.forEach((v, i) => {
    const j = index.get(v);
    if (j !== undefined) data[i * k + j] = 1;
  });
  return { data, categories: cats };
}
