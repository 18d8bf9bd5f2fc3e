/**
 * Budgets for untrusted input. A small hostile file can declare a huge tensor, a graph with
 * endless work, thousands of columns or classes; every loader and interpreter checks what the
 * input declares against these limits BEFORE it allocates or computes, and refuses with a
 * LimitError that names the limit and how to raise it.
 *
 * A limit is raised (or lowered) in three ways, the first that gives it wins:
 *   1. the `limits` option of the call (`loadOnnx(f, { limits: { onnxWork: 2 ** 40 } })`);
 *   2. `setLimits({ ... })`, process-wide (the CLI's `--limit name=value` calls it);
 *   3. the environment variable `LSTM_LIMITS="onnxWork=1e12,steps=5e6"` (read once).
 * The defaults are sized so that an ordinary model, data set or report fits with room to
 * spare, and so that the worst input under every default costs seconds and at most a few GB.
 */
import { FormatError } from './errors.js';

export interface Limits {
  /** Bytes of one file read by a loader (model, safetensors, ONNX, TF.js model.json plus all its shards, CSV, JSON lines, text, JSON input). Default 1 GiB. */
  fileBytes: number;
  /** Columns `readCsv` loads when no columns are named (name them to read a wider file). Default 10,000. */
  csvColumns: number;
  /** Distinct symbols in a vocabulary, fitted on a text or loaded from a model file. Default 30,000. */
  vocabulary: number;
  /** Distinct labels a classifier is trained on. Default 1,000. */
  classes: number;
  /** Parameters of any model or layer built, from options or from a file. Default 2^28 (1 GiB of float32 weights). */
  parameters: number;
  /** Time steps of one generated text (`generateText`, `lstm generate -n`, `lstm predict -n`) or one inspected input. Default 1,000,000. */
  steps: number;
  /** Heatmap cells (steps × units × maps) of one inspect report, which sets its size (about 200 bytes a cell: at most ~100 MB). Default 500,000. */
  reportCells: number;
  /**
   * Work one ONNX run may do, in units of one multiply-add of an LSTM/GRU/RNN node; a
   * multiply-add of MatMul/Gemm counts 64 and each element another operator writes (or
   * reduces) counts 512, because the interpreter's general loops are that much slower than the
   * recurrent kernels (so the budget is about the same time whatever the graph spends it on).
   * Default 2^35 (an LSTM of hidden size 256 over 1000 steps × 100 sequences fits).
   */
  onnxWork: number;
  /** Bytes of tensors alive at once in one ONNX run. Default 2 GiB. */
  onnxMemory: number;
}

export type LimitName = keyof Limits;

/** The defaults (see {@link Limits} for what each bounds). */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  fileBytes: 2 ** 30,
  csvColumns: 10_000,
  vocabulary: 30_000,
  classes: 1_000,
  parameters: 2 ** 28,
  steps: 1_000_000,
  reportCells: 500_000,
  onnxWork: 2 ** 35,
  onnxMemory: 2 ** 31,
});

export const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as LimitName[];

/** A budget was exceeded: which limit, the amount asked for, and the limit in force. */
export class LimitError extends FormatError {
  constructor(
    file: string | undefined,
    /** What was over the limit, e.g. `the header has 700000 columns`. */
    what: string,
    readonly limit: LimitName,
    readonly requested: number,
    readonly max: number,
  ) {
    super(file, `${what}, over the limit ${limit} = ${fmt(max)} (raise it with --limit ${limit}=N, LSTM_LIMITS="${limit}=N" or the limits option)`);
    this.name = 'LimitError';
  }
}

let processWide: Partial<Limits> = {};
let fromEnv: Partial<Limits> | null = null;

/** Parse `name=value,name=value` (values may be written 1e9, 2**30 or 1_000_000). Throws RangeError naming a bad entry. */
export function parseLimits(text: string, where = 'limits'): Partial<Limits> {
  const out: Partial<Limits> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^([A-Za-z]+)\s*=\s*(.+)$/.exec(part);
    if (!m) throw new RangeError(`${where}: expected name=value, got "${part}" (names: ${LIMIT_NAMES.join(', ')})`);
    const name = m[1] as LimitName;
    if (!(LIMIT_NAMES as string[]).includes(name)) throw new RangeError(`${where}: unknown limit "${name}" (names: ${LIMIT_NAMES.join(', ')})`);
    out[name] = parseAmount(m[2]!, `${where}: ${name}`);
  }
  return out;
}

function parseAmount(s: string, where: string): number {
  const t = s.trim().replace(/_/g, '');
  const pow = /^(\d+)\s*\*\*\s*(\d+)$/.exec(t);
  const v = pow ? Number(pow[1]) ** Number(pow[2]) : /^\d+(\.\d+)?([eE]\+?\d+)?$/.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(v) || v < 1) throw new RangeError(`${where}: expected a positive number, got "${s}"`);
  return Math.floor(v);
}

function envLimits(): Partial<Limits> {
  if (fromEnv === null) {
    const text = typeof process !== 'undefined' ? process.env?.LSTM_LIMITS : undefined;
    fromEnv = text ? parseLimits(text, 'LSTM_LIMITS') : {};
  }
  return fromEnv;
}

/** Set limits for the whole process (merged over the earlier ones; `setLimits(null)` restores the defaults and LSTM_LIMITS). */
export function setLimits(limits: Partial<Limits> | null): void {
  if (limits === null) {
    processWide = {};
    return;
  }
  for (const [k, v] of Object.entries(limits)) {
    if (!(LIMIT_NAMES as string[]).includes(k)) throw new RangeError(`setLimits: unknown limit "${k}" (names: ${LIMIT_NAMES.join(', ')})`);
    if (typeof v !== 'number' || !(v >= 1)) throw new RangeError(`setLimits: ${k} must be a number ≥ 1, got ${String(v)}`);
  }
  processWide = { ...processWide, ...limits };
}

/** The limits in force: `given` over setLimits() over LSTM_LIMITS over the defaults. */
export function resolveLimits(given?: Partial<Limits>): Limits {
  return { ...DEFAULT_LIMITS, ...envLimits(), ...processWide, ...(given ?? {}) };
}

/**
 * Throw a LimitError if `requested` exceeds the limit `name` (from `given` or the process-wide
 * settings). `what` says what was counted: "the header has 700000 columns".
 */
export function checkLimit(name: LimitName, requested: number, what: string, file?: string, given?: Partial<Limits>): void {
  const max = resolveLimits(given)[name];
  if (!(requested <= max)) throw new LimitError(file, what, name, requested, max);
}

/** 1073741824 → "1073741824 (2^30)"; other numbers with thousands separators. */
function fmt(n: number): string {
  const p = Math.log2(n);
  if (Number.isInteger(p) && p >= 10) return `2^${p}`;
  return n.toLocaleString('en-US');
}
