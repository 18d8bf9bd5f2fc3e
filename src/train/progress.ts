/**
 * Training progress on stderr. In a terminal (stderr is a TTY) a cli-progress bar over all
 * steps shows epoch, loss, validation loss, sequences per second and the ETA; otherwise (a
 * pipe, a log file, CI) one plain line per epoch. `progress: false` turns both off; in a
 * browser there is no stderr and nothing is printed.
 */

/** Everything a progress display needs to know at one moment. */
export interface ProgressState {
  epoch: number;
  epochs: number;
  /** Steps done in the whole run and in total. */
  step: number;
  totalSteps: number;
  /** Running mean training loss of the current epoch. */
  loss: number;
  /** Validation loss of the last finished epoch (NaN if none). */
  valLoss: number;
  /** Training sequences per second over the run so far. */
  seqPerSec: number;
  /** Estimated seconds left. */
  eta: number;
}

/** A progress display (the trainer calls batch() often and epoch() once per epoch). */
export interface ProgressReporter {
  batch(s: ProgressState): void;
  epoch(s: ProgressState): void;
  stop(): void;
}

const fmt = (v: number): string => (Number.isFinite(v) ? (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(4) : v.toExponential(3)) : String(v));
const fmtTime = (s: number): string => {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
};

/** One line per epoch: `epoch 3/20  loss 0.0123  val_loss 0.0145  1234 seq/s  ETA 12s`. */
export function formatEpochLine(s: ProgressState): string {
  const w = String(s.epochs).length;
  const parts = [`epoch ${String(s.epoch).padStart(w)}/${s.epochs}`, `loss ${fmt(s.loss)}`];
  if (!Number.isNaN(s.valLoss)) parts.push(`val_loss ${fmt(s.valLoss)}`);
  parts.push(`${Math.round(s.seqPerSec)} seq/s`, `ETA ${fmtTime(s.eta)}`);
  return parts.join('  ');
}

class LineReporter implements ProgressReporter {
  constructor(private readonly out: { write(s: string): unknown }) {}
  batch(): void {}
  epoch(s: ProgressState): void {
    this.out.write(formatEpochLine(s) + '\n');
  }
  stop(): void {}
}

interface BarLike {
  start(total: number, value: number, payload: object): void;
  update(value: number, payload: object): void;
  stop(): void;
}

class BarReporter implements ProgressReporter {
  private started = false;
  constructor(private readonly bar: BarLike) {}
  private payload(s: ProgressState): object {
    return {
      ep: `${s.epoch}/${s.epochs}`, loss: fmt(s.loss), val: Number.isNaN(s.valLoss) ? '-' : fmt(s.valLoss),
      sps: Math.round(s.seqPerSec), etaf: fmtTime(s.eta),
    };
  }
  batch(s: ProgressState): void {
    if (!this.started) {
      this.bar.start(s.totalSteps, s.step, this.payload(s));
      this.started = true;
    } else {
      this.bar.update(s.step, this.payload(s));
    }
  }
  epoch(s: ProgressState): void {
    this.batch(s);
  }
  stop(): void {
    if (this.started) this.bar.stop();
  }
}

const silent: ProgressReporter = { batch() {}, epoch() {}, stop() {} };

/**
 * Where progress goes: process.stderr or anything with write(). Declared structurally (not as
 * NodeJS.WriteStream) so the package's declarations type-check without Node's types.
 */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

/**
 * A reporter for `mode`: false → silent; true and 'auto' (the same) → a bar if the stream is a
 * TTY, else one plain line per epoch. `stream` defaults to process.stderr.
 */
export async function createProgress(mode: boolean | 'auto', stream?: ProgressStream): Promise<ProgressReporter> {
  if (mode === false) return silent;
  const out = stream ?? (typeof process !== 'undefined' ? process.stderr : undefined);
  if (!out) return silent;
  if (out.isTTY) {
    const { default: cliProgress } = await import('cli-progress');
    const bar = new cliProgress.SingleBar({
      format: 'epoch {ep} [{bar}] {percentage}% | loss {loss} | val {val} | {sps} seq/s | ETA {etaf}',
      stream: out as NodeJS.WriteStream, hideCursor: true, clearOnComplete: false, fps: 10,
    }, cliProgress.Presets.shades_classic);
    return new BarReporter(bar);
  }
  return new LineReporter(out);
}
