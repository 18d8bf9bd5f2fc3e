/**
 * The explorer's training worker: builds a task's model and trains it with the library's own
 * fit (Adam, gradient clipping), one epoch per call so a 'stop' or new 'start' message is seen
 * between epochs. After every batch it reports the loss; at most every 250 ms it also sends a
 * copy of the flat parameter buffer, which the page loads into its own copy of the model to
 * trace the gates. The page never waits on training.
 *
 * Backend: the WebAssembly SIMD kernels (single-threaded: a page that is not cross-origin
 * isolated cannot share memory with threads) when they load, else the plain TypeScript
 * reference kernels; 'start' may ask for 'reference'. The page traces with the reference backend.
 *
 * Messages in:  { type: 'start', task, cell?, seed, backend? } | { type: 'stop' }
 * Messages out: { type: 'model', task, config, vocab?, weights, backend } then
 *               { type: 'progress', step, epoch, loss, weights? }* | { type: 'error', message }
 */
import { Adam, fit, initWasm, setBackend } from '../../src/index.js';
import { buildTask, type CellType, type TaskName } from './tasks.js';

interface Start {
  type: 'start';
  task: TaskName;
  cell?: CellType;
  seed: number;
  backend?: 'wasm' | 'reference';
}

/** The wasm-1t backend's label (e.g. "wasm-1t (SIMD)") if the kernels load here, else null (train on the reference kernels). */
const wasm: Promise<string | null> = initWasm().then(
  (info) => `wasm-1t (${info.variant === 'relaxed' ? 'relaxed ' : ''}SIMD)`,
  (e: Error) => {
    console.warn(`WebAssembly kernels unavailable, training with the reference kernels: ${e.message}`);
    return null;
  },
);

let run = 0; // id of the current training run; a new start or a stop ends the old one

const ctx = self as unknown as { postMessage(m: unknown, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent) => void) | null };

ctx.onmessage = (e: MessageEvent<Start | { type: 'stop' }>) => {
  const msg = e.data;
  run++;
  if (msg.type === 'start') train(msg, run).catch((err: Error) => ctx.postMessage({ type: 'error', message: err.message }));
};

async function train(msg: Start, id: number): Promise<void> {
  const wasmName = msg.backend === 'reference' ? null : await wasm;
  setBackend(wasmName ? 'wasm-1t' : 'reference');
  const task = buildTask(msg.task, msg.seed, msg.cell ?? 'lstm');
  const { model } = task;
  ctx.postMessage({
    type: 'model', task: msg.task, config: model.config(), vocab: task.vocab?.toJSON() ?? null,
    weights: model.flat.slice(), backend: wasmName ?? 'reference',
  });
  const optimizer = new Adam(model, { lr: task.lr });
  let step = 0, lastSent = 0;
  for (let epoch = 1; id === run; epoch++) {
    await fit(model, {
      x: task.x, y: task.y, epochs: 1, batchSize: task.batchSize, loss: task.loss, optimizer, seed: epoch, progress: false,
      callbacks: {
        onBatchEnd: (info) => {
          step++;
          const now = performance.now();
          const send = now - lastSent > 250;
          if (send) lastSent = now;
          const weights = send ? model.flat.slice() : undefined;
          ctx.postMessage({ type: 'progress', step, epoch, loss: info.loss, weights }, weights ? [weights.buffer] : []);
        },
      },
    });
    // Let queued messages (stop, restart) run before the next epoch.
    await new Promise((r) => setTimeout(r, 0));
  }
}
