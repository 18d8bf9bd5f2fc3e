/**
 * Long-format panel CSV loading for many-series forecasting: one row per series and time step
 * (`id,date,value[,covariates…]`), read as a stream (csv-parse) straight into one growable
 * typed array per series and column, so a file of thousands of series is never held as text.
 * Series may have different lengths and start times and may be interleaved in the file.
 *
 * Rules (every violation a FormatError naming the file, line and column):
 * - the value cell is a plain decimal number, or missing (empty, `NA`, …); a missing value is
 *   allowed only at a series' end: those rows are its *future* rows, whose known covariates
 *   are the values for the forecast horizon. A value after a missing one (a gap) is an error:
 *   gaps are not filled silently.
 * - with a date column, dates within a series must strictly increase: an equal date is a
 *   duplicate time step, an earlier one an unsorted series. Dates are compared as numbers when
 *   numeric, as instants when `Date.parse` reads them (`YYYY-MM` counts as its first day),
 *   else as text (ISO-like labels sort as text); one file may not mix those kinds. Without a
 *   date column the file's row order is the time order.
 * - known covariates (`covariates`) must be numbers on every row, future rows included; past
 *   covariates (`pastCovariates`) on every observed row (future rows may leave them empty).
 * - a series with fewer than `minLength` observed values is skipped with its reason in
 *   `skipped` (one short series among thousands should not stop a run); if every series is
 *   skipped, that is an error.
 */
import { FormatError, listNames, quote } from '../io/errors.js';
import type { Limits } from '../io/limits.js';
import { checkRegularFile } from '../io/read-file.js';
import { atLeast, checkInt } from '../tensor/check.js';
import { DEFAULT_MISSING, FIRST_CAPACITY, Growable, csvParser, csvSyntaxError, parseCell } from './csv.js';

export interface ReadPanelOptions {
  /** Column naming the series. Default: none, every row belongs to one series named after `column`. */
  id?: string;
  /** Numeric column to forecast. */
  column: string;
  /** Column of time labels (checked for order and duplicates within each series). */
  date?: string;
  /** Known-future covariate columns: numeric on every row, including the future rows. */
  covariates?: readonly string[];
  /** Past covariate columns: numeric on every observed row. */
  pastCovariates?: readonly string[];
  /** Fewest observed values a series needs to be kept (else it is skipped, see the header). Default 1. */
  minLength?: number;
  /** Field delimiter. Default ','. */
  delimiter?: string;
  /** Budgets (io/limits.ts): `fileBytes`. */
  limits?: Partial<Limits>;
}

/** One series of a panel, in time order. */
export interface PanelSeries {
  id: string;
  /** Observed values (n). */
  values: Float64Array;
  /** Time labels of the observed rows (n), when a date column was given. */
  dates: string[] | null;
  /** Time labels of the future rows (rows past the end with no value). */
  futureDates: string[] | null;
  /** Rows past the end with no value (their known covariates are the horizon's). */
  future: number;
  /** Known covariates by name, (n + future) each. */
  covariates: Record<string, Float64Array>;
  /** Past covariates by name, (n) each. */
  pastCovariates: Record<string, Float64Array>;
  /** 1-based file line of the series' first row. */
  firstLine: number;
}

export interface Panel {
  file: string;
  /** Kept series, in order of first appearance in the file. */
  series: PanelSeries[];
  /** Series left out, with the reason. */
  skipped: Array<{ id: string; reason: string }>;
  /** Data rows read. */
  rows: number;
}

/** A date cell as something that orders: a number (numeric or parsed instant) or the text itself. */
function timeKey(s: string): { kind: 'number' | 'text'; key: number | string } {
  const t = s.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(t)) return { kind: 'number', key: Number(t) };
  const iso = /^\d{4}-\d{2}$/.test(t) ? `${t}-01T00:00:00Z` : /^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : t;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? { kind: 'number', key: ms } : { kind: 'text', key: t };
}

/** A series while it is being read. */
interface Building {
  id: string;
  values: Growable<Float64Array>;
  dates: string[] | null;
  futureDates: string[];
  future: number;
  covariates: Growable<Float64Array>[];
  past: Growable<Float64Array>[];
  lastKey: number | string | null;
  lastDate: string;
  lastLine: number;
  firstLine: number;
}

const grow = (): Growable<Float64Array> => new Growable(new Float64Array(FIRST_CAPACITY));

/**
 * Read a long-format panel CSV (see the file header for the rules). Errors read like
 * `sales.csv: line 9, column "date": series "B" has "2020-03" after "2020-04" (dates must increase within a series)`.
 */
export async function readPanelCsv(path: string, opts: ReadPanelOptions): Promise<Panel> {
  checkRegularFile(path, opts.limits);
  const known = [...(opts.covariates ?? [])], past = [...(opts.pastCovariates ?? [])];
  const minLength = opts.minLength ?? 1;
  checkInt('readPanelCsv: minLength', minLength, atLeast(1));
  const missing = new Set(DEFAULT_MISSING);
  const parser = csvParser(path, opts.delimiter);
  const byId = new Map<string, Building>();
  let header: string[] | null = null;
  let idIdx = -1, valueIdx = -1, dateIdx = -1, knownIdx: number[] = [], pastIdx: number[] = [];
  let dateKind: 'number' | 'text' | null = null;
  let rows = 0;
  try {
    for await (const { record, info } of parser) {
      const line = info.lines;
      if (header === null) {
        header = record.map((h) => h.trim());
        const col = (name: string, what: string): number => {
          const i = header!.indexOf(name);
          if (i < 0) throw new FormatError(path, `no ${what} column ${quote(name)} (columns: ${listNames(header!)})`);
          return i;
        };
        if (opts.id !== undefined) idIdx = col(opts.id, 'id');
        valueIdx = col(opts.column, 'value');
        if (opts.date !== undefined) dateIdx = col(opts.date, 'date');
        knownIdx = known.map((c) => col(c, 'covariate'));
        pastIdx = past.map((c) => col(c, 'past covariate'));
        continue;
      }
      rows++;
      const id = idIdx >= 0 ? record[idIdx]!.trim() : opts.column;
      if (id === '') throw new FormatError(path, `line ${line}, column ${quote(opts.id!)}: empty series id`);
      let s = byId.get(id);
      if (!s) {
        s = {
          id, values: grow(), dates: dateIdx >= 0 ? [] : null, futureDates: [], future: 0,
          covariates: known.map(grow), past: past.map(grow), lastKey: null, lastDate: '', lastLine: 0, firstLine: line,
        };
        byId.set(id, s);
      }
      const where = (c: string): string => `line ${line}, column ${quote(c)}`;
      if (dateIdx >= 0) {
        const raw = record[dateIdx]!;
        const { kind, key } = timeKey(raw);
        if (raw.trim() === '') throw new FormatError(path, `${where(opts.date!)}: empty date in series ${quote(id)}`);
        if (dateKind !== null && kind !== dateKind) {
          throw new FormatError(path, `${where(opts.date!)}: ${quote(raw)} is not read as a ${dateKind === 'number' ? 'number or date' : 'text label'} like the dates before it`);
        }
        dateKind = kind;
        if (s.lastKey !== null) {
          if (key === s.lastKey) throw new FormatError(path, `${where(opts.date!)}: series ${quote(id)} has ${quote(raw)} twice (lines ${s.lastLine} and ${line}): duplicate time step`);
          if (key < s.lastKey) throw new FormatError(path, `${where(opts.date!)}: series ${quote(id)} has ${quote(raw)} after ${quote(s.lastDate)} (line ${s.lastLine}); dates must increase within a series (sort the file)`);
        }
        s.lastKey = key;
        s.lastDate = raw;
      }
      s.lastLine = line;
      const v = parseCell(record[valueIdx]!, missing);
      if (typeof v === 'string') throw new FormatError(path, `${where(opts.column)}: ${v}`);
      if (Number.isNaN(v)) {
        if (s.values.n === 0) throw new FormatError(path, `${where(opts.column)}: series ${quote(id)} starts with a missing value (only rows after a series' last value may leave it empty: they are its future rows)`);
        s.future++;
        if (dateIdx >= 0) s.futureDates.push(record[dateIdx]!);
      } else {
        if (s.future > 0) throw new FormatError(path, `${where(opts.column)}: series ${quote(id)} has a value after ${s.future} row(s) without one (a gap; fill it, or drop the rows)`);
        s.values.push(v);
        if (s.dates) s.dates.push(record[dateIdx]!);
      }
      const numeric = (idx: number, name: string, store: Growable<Float64Array>): void => {
        const c = parseCell(record[idx]!, missing);
        if (typeof c === 'string') throw new FormatError(path, `${where(name)}: ${c}`);
        if (Number.isNaN(c)) {
          throw new FormatError(path, `${where(name)}: missing covariate value in series ${quote(id)}${s!.future > 0 ? ' (a known covariate needs values on the future rows too)' : ''}`);
        }
        store.push(c);
      };
      knownIdx.forEach((idx, k) => numeric(idx, known[k]!, s!.covariates[k]!));
      // Past covariates are not known on future rows: whatever they hold there is ignored.
      if (s.future === 0) pastIdx.forEach((idx, k) => numeric(idx, past[k]!, s!.past[k]!));
    }
  } catch (err) {
    throw csvSyntaxError(path, err);
  } finally {
    parser.destroy();
  }
  if (header === null) throw new FormatError(path, 'empty file (no header row)');
  if (byId.size === 0) throw new FormatError(path, 'no data rows');
  const series: PanelSeries[] = [];
  const skipped: Panel['skipped'] = [];
  for (const b of byId.values()) {
    if (b.values.n < minLength) {
      skipped.push({ id: b.id, reason: `${b.values.n} observed value(s), fewer than the ${minLength} needed` });
      continue;
    }
    const record = (names: string[], stores: Growable<Float64Array>[]): Record<string, Float64Array> => {
      const out: Record<string, Float64Array> = Object.create(null);
      names.forEach((n, k) => (out[n] = stores[k]!.finish()));
      return out;
    };
    series.push({
      id: b.id, values: b.values.finish(), dates: b.dates, futureDates: b.dates ? b.futureDates : null, future: b.future,
      covariates: record(known, b.covariates), pastCovariates: record(past, b.past), firstLine: b.firstLine,
    });
  }
  if (series.length === 0) throw new FormatError(path, `every one of the ${byId.size} series is too short (fewest values needed: ${minLength}; e.g. ${quote(skipped[0]!.id)}: ${skipped[0]!.reason})`);
  return { file: path, series, skipped, rows };
}
