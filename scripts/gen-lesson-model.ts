#!/usr/bin/env node
// Trains the model that steps 2–6 of the explorer's lesson read (web/src/lesson-setup.ts):
// the adding-problem LSTM of web/src/tasks.ts, with the training worker's procedure (Adam,
// one fit epoch at a time with the epoch as shuffle seed) for LESSON_TRAINING.epochs epochs,
// on the reference kernels so the result is the same on every machine. Writes
// web/src/lesson-weights.ts (the flat parameter buffer, float32 values to 9 digits) and
// prints the held-out MSE and the marker unit's gates.
// Usage: node --import tsx scripts/gen-lesson-model.ts
import { Tensor, setBackend, sliceRows } from '../src/index.ts';
import { writeFileAtomicSync } from '../src/io/atomic.ts';
import { buildTask } from '../web/src/tasks.ts';
import { LESSON_TRAINING, markerUnit, trainLikeTheWorker } from '../web/src/lesson-setup.ts';

setBackend('reference');
const task = buildTask(LESSON_TRAINING.task, LESSON_TRAINING.seed);
const { model } = task;
const t0 = performance.now();
await trainLikeTheWorker(task, LESSON_TRAINING.epochs);
const held = buildTask(LESSON_TRAINING.task, 2);
const x: Tensor = sliceRows(held.x, 0, 256), pred = model.forward(x);
let mse = 0;
for (let n = 0; n < 256; n++) mse += (pred.data[n]! - held.y.data[n]!) ** 2 / 256;
const m = markerUnit(model);
const values = Array.from(model.flat, (v) => Number(v.toPrecision(9)));
const lines: string[] = [];
for (let i = 0; i < values.length; i += 8) lines.push('  ' + values.slice(i, i + 8).join(', ') + ',');
writeFileAtomicSync('web/src/lesson-weights.ts', `/**
 * The trained weights of the lesson's adding-problem LSTM (steps 2–6), the model's flat
 * parameter buffer in its own order. Written by scripts/gen-lesson-model.ts (${LESSON_TRAINING.epochs} epochs,
 * seed ${LESSON_TRAINING.seed}, reference kernels): held-out MSE ${mse.toFixed(4)} (predicting 1 scores about 0.17);
 * unit ${m.unit}'s input gate ${m.inputMarked.toFixed(2)} at marked steps, ${m.inputOther.toFixed(2)} elsewhere; its forget gate ${m.forgetOther.toFixed(2)} elsewhere.
 */
export const LESSON_WEIGHTS = new Float32Array([
${lines.join('\n')}
]);
`);
console.log(`trained ${LESSON_TRAINING.epochs} epochs in ${((performance.now() - t0) / 1000).toFixed(1)} s; held-out MSE ${mse.toFixed(4)}; ` +
  `marker unit ${m.unit}: input gate ${m.inputMarked.toFixed(3)} marked / ${m.inputOther.toFixed(3)} other, forget ${m.forgetOther.toFixed(3)}`);
