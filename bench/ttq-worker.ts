/**
 * Time to quality, the JavaScript implementations, one per process (bench/ttq.ts runs them):
 *   node --import tsx bench/ttq-worker.ts --impl lstm-ts|tfjs --dir TASK --seconds S --eval-every E
 * trains the task of bench/ttq-data.ts for S seconds of training time and prints the learning
 * curve as `@@BENCH {json}`.
 *
 * lstm-ts: Sequential(Embedding, LSTM×2, Dense) on the WebAssembly backend (every core), the
 * loop a user writes: zeroGrad, forward, crossEntropy, backward, Adam step. TF.js: tf.sequential
 * (the embedding as a bias-free dense layer on one-hot input, two lstm layers with sigmoid
 * recurrent activation, dense) on its wasm backend (SIMD, one thread: its threaded build needs
 * web workers), trainOnBatch with tf.train.adam and softmax cross-entropy on one-hot targets;
 * TF.js keeps one bias per LSTM layer (b_ih + b_hh).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Adam, Tensor, crossEntropy, wasmInfo, wasmThreadsReady } from '../src/index.js';
import { RESULT_MARK } from './harness.js';
import { chunkBatch, readTtq, trainForTime, ttqModel, type TtqResult } from './ttq-data.js';
import { transpose } from './data.js';

const require = createRequire(import.meta.url);
type Task = ReturnType<typeof readTtq>;

/** A parameter of the initial weights, by PyTorch name. */
function weight(task: Task, name: string): Float32Array {
  const w = task.meta.weights.find((e) => e.name === name);
  if (!w) throw new Error(`weights.f32 has no ${name}`);
  return task.weights.subarray(w.offset, w.offset + w.shape.reduce((a, b) => a * b, 1));
}

async function lstmTs(task: Task, seconds: number, evalEvery: number): Promise<Omit<TtqResult, 'maxRssKB'>> {
  await wasmThreadsReady();
  const { plan, vocabSize: V, evalChunks } = task.meta;
  const T = plan.seqLen, B = plan.batchSize;
  const model = ttqModel(V);
  model.loadStateDict(Object.fromEntries(task.meta.weights.map((w) => [w.name, { shape: w.shape, data: weight(task, w.name) }])));
  const opt = new Adam(model, { lr: plan.lr, betas: [plan.beta1, plan.beta2], eps: plan.eps });
  const loss = crossEntropy();
  const evalIdx = Array.from({ length: evalChunks }, (_, i) => i);
  const evaluate = (): number => {
    model.eval();
    let sum = 0, n = 0;
    for (let s = 0; s < evalIdx.length; s += 64) {
      const idx = evalIdx.slice(s, s + 64);
      const { x, y } = chunkBatch(task.val, idx, T);
      sum += loss.forward(model.forward(new Tensor(x, [idx.length, T])), new Tensor(y, [idx.length, T])) * idx.length * T;
      n += idx.length * T;
    }
    model.train();
    return sum / n / Math.LN2;
  };
  const r = await trainForTime(task.meta.steps, seconds, evalEvery, (s) => {
    const { x, y } = chunkBatch(task.train, task.order.subarray(s * B, (s + 1) * B), T);
    model.zeroGrad();
    loss.forward(model.forward(new Tensor(x, [B, T])), new Tensor(y, [B, T]));
    model.backward(loss.backward());
    opt.step();
  }, evaluate);
  const wi = wasmInfo();
  return { impl: 'lstm-ts', label: 'lstm-ts (WebAssembly)', threads: wi ? wi.workersReady + 1 : 1, ...r, info: { wasm: wi ? `${wi.variant} build, ${wi.workersReady} worker thread(s)` : 'reference kernels' } };
}

async function tfjs(task: Task, seconds: number, evalEvery: number): Promise<Omit<TtqResult, 'maxRssKB'>> {
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') failed");
  await tf.ready();
  const { plan, vocabSize: V, evalChunks } = task.meta;
  const T = plan.seqLen, B = plan.batchSize, H = plan.hidden, E = plan.embedding;
  const model = tf.sequential();
  // TF.js's embedding gradient (UnsortedSegmentSum) has no kernel on its wasm backend: the
  // embedding is a bias-free dense layer on one-hot input instead (the same function and gradient).
  const emb = tf.layers.dense({ units: E, useBias: false, inputShape: [T, V] });
  model.add(emb);
  const lstms = Array.from({ length: plan.layers }, () => tf.layers.lstm({ units: H, returnSequences: true, recurrentActivation: 'sigmoid', kernelInitializer: 'zeros', recurrentInitializer: 'zeros' }));
  for (const l of lstms) model.add(l);
  const fc = tf.layers.dense({ units: V });
  model.add(fc);
  // The shared initial weights: kernels are PyTorch's matrices transposed, one bias b_ih + b_hh.
  emb.setWeights([tf.tensor2d(weight(task, 'emb.weight'), [V, E])]);
  lstms.forEach((layer, l) => {
    const I = l === 0 ? E : H;
    const bIh = weight(task, `lstm.bias_ih_l${l}`), bHh = weight(task, `lstm.bias_hh_l${l}`);
    layer.setWeights([
      tf.tensor2d(transpose(weight(task, `lstm.weight_ih_l${l}`), 4 * H, I), [I, 4 * H]),
      tf.tensor2d(transpose(weight(task, `lstm.weight_hh_l${l}`), 4 * H, H), [H, 4 * H]),
      tf.tensor1d(bIh.map((v, j) => v + bHh[j]!)),
    ]);
  });
  fc.setWeights([tf.tensor2d(transpose(weight(task, 'fc.weight'), V, H), [H, V]), tf.tensor1d(weight(task, 'fc.bias'))]);
  model.compile({ optimizer: tf.train.adam(plan.lr, plan.beta1, plan.beta2, plan.eps), loss: (yTrue: any, yPred: any) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
  const batch = (ids: Int32Array, idx: ArrayLike<number>) => {
    const { x, y } = chunkBatch(ids, idx, T);
    const oneHot = (a: Float32Array) => tf.oneHot(tf.tensor2d(Int32Array.from(a), [idx.length, T], 'int32'), V).toFloat();
    return { x: oneHot(x), y: oneHot(y) };
  };
  const evaluate = (): number => {
    let sum = 0, n = 0;
    for (let s = 0; s < evalChunks; s += 64) {
      const idx = Array.from({ length: Math.min(64, evalChunks - s) }, (_, i) => s + i);
      const { x, y } = batch(task.val, idx);
      const l = tf.tidy(() => tf.losses.softmaxCrossEntropy(y, model.predict(x) as any).dataSync()[0]!);
      sum += l * idx.length * T;
      n += idx.length * T;
      tf.dispose([x, y]);
    }
    return sum / n / Math.LN2;
  };
  const r = await trainForTime(task.meta.steps, seconds, evalEvery, async (s) => {
    const { x, y } = batch(task.train, task.order.subarray(s * B, (s + 1) * B));
    await model.trainOnBatch(x, y);
    tf.dispose([x, y]);
  }, evaluate);
  return { impl: 'tfjs', label: 'TF.js wasm (SIMD)', threads: wasm.getThreadsCount(), ...r, info: { '@tensorflow/tfjs': tf.version.tfjs } };
}

const { values } = parseArgs({
  options: { impl: { type: 'string' }, dir: { type: 'string' }, seconds: { type: 'string' }, 'eval-every': { type: 'string' } },
});
try {
  const task = readTtq(values.dir!);
  const run = values.impl === 'tfjs' ? tfjs : values.impl === 'lstm-ts' ? lstmTs : null;
  if (!run) throw new Error(`--impl must be lstm-ts or tfjs, got ${values.impl}`);
  const r = await run(task, Number(values.seconds), Number(values['eval-every']));
  process.stdout.write(`\n${RESULT_MARK}${JSON.stringify({ ok: true, ...r, maxRssKB: process.resourceUsage().maxRSS })}\n`);
  process.exit(0);
} catch (err) {
  process.stdout.write(`\n${RESULT_MARK}${JSON.stringify({ ok: false, error: err instanceof Error ? err.message : String(err) })}\n`);
  process.exit(1);
}
