/**
 * The numbers behind the lesson (web/src/lesson.ts), in one place so that the page, the
 * generator of its trained weights (scripts/gen-lesson-model.ts) and the tests compute the
 * same things:
 *   - the model of steps 2–6: the adding-problem LSTM of tasks.ts, trained by the generator
 *     (weights in lesson-weights.ts), read on one example sequence with two marked values;
 *   - the "marker unit": the unit whose input gate opens most at the marked steps, which the
 *     lesson shows by default, and how clearly its gates behave (measured on held-out data);
 *   - step 1's comparison: an untrained plain RNN and LSTM (forget-gate bias 1) of the same
 *     size on one random sequence of length T, traced with a loss on the last step only, so
 *     ‖∂L/∂h_t‖ shows how far back each can learn from.
 */
import { Adam, LSTM, RNN, Rng, fit, Sequential, Tensor, sliceRows, trace, type DirectionTrace } from '../../src/index.js';
import { ADD_T, HIDDEN, buildTask, regressionModel, type Task } from './tasks.js';
import { LESSON_WEIGHTS } from './lesson-weights.js';

/** The example of steps 2–6: 30 steps of the adding problem, values 0.70 (step 5) and 0.50 (step 19) marked. */
export const LESSON_INPUT =
  '0.23 0.81 0.45 0.12 0.70* 0.36 0.92 0.18 0.55 0.64 0.07 0.39 0.88 0.27 0.61 0.15 0.94 0.33 0.50* 0.76 0.09 0.42 0.68 0.21 0.85 0.30 0.58 0.14 0.97 0.46';
/** How the lesson's model was trained (scripts/gen-lesson-model.ts): the worker's procedure, on the reference kernels. */
export const LESSON_TRAINING = { task: 'adding' as const, seed: 1, epochs: 60 };

/**
 * Train a task's model as the page's worker does (Adam, one fit epoch at a time with the epoch
 * number as the shuffle seed), for `epochs` epochs: how the lesson's weights were made, and
 * what step 7 runs in the browser.
 */
export async function trainLikeTheWorker(task: Task, epochs: number): Promise<void> {
  const optimizer = new Adam(task.model, { lr: task.lr });
  for (let epoch = 1; epoch <= epochs; epoch++) {
    await fit(task.model, { x: task.x, y: task.y, epochs: 1, batchSize: task.batchSize, loss: task.loss, optimizer, seed: epoch, progress: false });
  }
}

/** The trained adding-problem LSTM of steps 2–6. */
export function lessonModel(): Sequential {
  const model = regressionModel('lstm', 2, LESSON_TRAINING.seed);
  if (LESSON_WEIGHTS.length !== model.flat.length) throw new Error(`lesson weights: ${LESSON_WEIGHTS.length} values for ${model.flat.length} parameters (run scripts/gen-lesson-model.ts)`);
  model.flat.set(LESSON_WEIGHTS);
  return model;
}

export interface MarkerUnit {
  unit: number;
  /** Mean input gate of that unit at marked steps, and at the other steps. */
  inputMarked: number;
  inputOther: number;
  /** Mean forget gate of that unit at the unmarked steps (how well it holds what it stored). */
  forgetOther: number;
}

/**
 * The unit whose input gate separates marked from unmarked steps most (mean over 64 held-out
 * adding-problem sequences, seed 2): the unit that stores the marked values.
 */
export function markerUnit(model: Sequential): MarkerUnit {
  const data = buildTask('adding', 2);
  const B = 64, T = ADD_T;
  const x = sliceRows(data.x, 0, B);
  const d = trace(model, x).directions[0]!;
  const H = d.units;
  let best: MarkerUnit | null = null;
  for (let u = 0; u < H; u++) {
    let im = 0, nm = 0, io = 0, fo = 0, no = 0;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const k = (t * B + b) * H + u;
        if (x.data[(b * T + t) * 2 + 1] === 1) { im += d.gates.input!.data[k]!; nm++; } else { io += d.gates.input!.data[k]!; fo += d.gates.forget!.data[k]!; no++; }
      }
    }
    const m: MarkerUnit = { unit: u, inputMarked: im / nm, inputOther: io / no, forgetOther: fo / no };
    if (!best || m.inputMarked - m.inputOther > best.inputMarked - best.inputOther) best = m;
  }
  return best!;
}

/** Step 1: an untrained RNN and LSTM of the lesson's size, traced on one random sequence of length T. */
export interface Vanishing {
  x: Tensor;
  rnn: { model: RNN; dir: DirectionTrace };
  lstm: { model: LSTM; dir: DirectionTrace };
}

export function vanishing(T: number, seed = 0): Vanishing {
  const rng = new Rng(seed);
  const x = Tensor.zeros([T, 1, 1]);
  for (let i = 0; i < T; i++) x.data[i] = rng.normal();
  const rnn = new RNN({ inputSize: 1, hiddenSize: HIDDEN, seed, backend: 'reference' });
  const lstm = new LSTM({ inputSize: 1, hiddenSize: HIDDEN, seed, backend: 'reference', init: { unitForgetBias: true } });
  return {
    x,
    rnn: { model: rnn, dir: trace(rnn, x, { loss: 'last' }).directions[0]! },
    lstm: { model: lstm, dir: trace(lstm, x, { loss: 'last' }).directions[0]! },
  };
}

/** ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖: how much of a loss at the last step reaches the first. */
export function reach(dir: DirectionTrace): number {
  const g = dir.gradNorm!;
  return g[0]! / g[g.length - 1]!;
}
