/**
 * The page's side of the training worker (worker.ts): starts and stops a run, keeps the page's
 * copy of the model in step with the worker's weights (sent at most every 250 ms), and
 * collects the loss of every batch. Used by the explorer's Train button and by the lesson's
 * demo step. ?backend=reference in the page's URL trains with the TypeScript kernels.
 */
import { Sequential, vocabFromJSON, type CharVocab, type WordVocab } from '../../src/index.js';
import type { CellType, TaskName } from './tasks.js';

export interface TrainerListener {
  /** The model the worker built (before the first batch). */
  onModel(model: Sequential, vocab: CharVocab | WordVocab | null): void;
  /** After every batch; `weights` is true when the model's weights were updated. */
  onProgress(weights: boolean): void;
  onError(message: string): void;
  /** Called when a run starts or stops. */
  onRunning(running: boolean): void;
}

export class Trainer {
  model: Sequential | null = null;
  losses: number[] = [];
  backend = '–';
  private worker: Worker | null = null;

  constructor(private readonly listener: TrainerListener) {}

  get running(): boolean {
    return this.worker !== null;
  }

  start(task: TaskName, cell: CellType, seed = 1): void {
    this.stop();
    this.losses = [];
    const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent) => this.receive(e.data);
    w.onerror = (e) => {
      this.listener.onError(e.message);
      this.stop();
    };
    const backend = new URLSearchParams(location.search).get('backend') === 'reference' ? 'reference' : 'wasm';
    w.postMessage({ type: 'start', task, cell, seed, backend });
    this.worker = w;
    this.listener.onRunning(true);
  }

  stop(): void {
    if (!this.worker) return;
    this.worker.terminate();
    this.worker = null;
    this.listener.onRunning(false);
  }

  private receive(msg: { type: string; [k: string]: unknown }): void {
    if (msg.type === 'model') {
      const model = Sequential.fromConfig(msg.config as Parameters<typeof Sequential.fromConfig>[0]);
      model.flat.set(msg.weights as Float32Array);
      this.model = model;
      this.backend = String(msg.backend);
      this.listener.onModel(model, msg.vocab ? vocabFromJSON(msg.vocab) : null);
    } else if (msg.type === 'progress') {
      this.losses.push(msg.loss as number);
      if (msg.weights) this.model?.flat.set(msg.weights as Float32Array);
      this.listener.onProgress(Boolean(msg.weights));
    } else if (msg.type === 'error') {
      this.listener.onError(String(msg.message));
      this.stop();
    }
  }
}

/** Mean of the first and of the latest ten losses (single batches are noisy). */
export function lossSummary(losses: number[]): { initial: number; current: number } | null {
  if (losses.length === 0) return null;
  const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
  return { initial: mean(losses.slice(0, 10)), current: mean(losses.slice(-10)) };
}

/** A loss for the status line: 4 decimals, or 3 significant digits in exponent form below 0.001. */
export function formatLoss(v: number): string {
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toFixed(4);
}
