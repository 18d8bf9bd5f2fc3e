/**
 * @tensorflow/tfjs with its pure-JavaScript "cpu" backend or its "wasm" backend (SIMD build;
 * the .wasm files are read from node_modules through setWasmPaths with file paths). The model
 * is what a TF.js user writes: tf.sequential with tf.layers.lstm (recurrentActivation 'sigmoid',
 * since TF.js defaults to hard-sigmoid and would compute something else) and tf.layers.dense;
 * inference is model.predict, a training step is model.trainOnBatch with tf.train.adam.
 * Weights: kernel = weight_ihᵀ, recurrentKernel = weight_hhᵀ, bias = bias_ih + bias_hh (TF.js
 * has one bias; gate order i, f, c, o is PyTorch's i, f, g, o).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { transpose, type BenchData } from '../data.js';
import { ADAM, layerInput, type Workload } from '../workloads.js';
import type { Impl, Runner, RunnerOptions } from './types.js';

type TF = typeof import('@tensorflow/tfjs');
const require = createRequire(import.meta.url);

async function loadTf(backend: 'cpu' | 'wasm'): Promise<TF> {
  const tf = await import('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
    wasm.setWasmPaths(dist);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
  await tf.ready();
  return tf;
}

export function tfjsImpl(backend: 'cpu' | 'wasm'): Impl {
  return {
    id: `tfjs/${backend}`,
    async info() {
      const tf = await loadTf(backend);
      const out: Record<string, string> = { '@tensorflow/tfjs': tf.version.tfjs };
      if (backend === 'wasm') {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        out['@tensorflow/tfjs-backend-wasm'] = wasm.version_wasm;
        out['tfjs wasm SIMD'] = String(tf.env().getBool('WASM_HAS_SIMD_SUPPORT'));
        out['tfjs wasm threads'] = String(wasm.getThreadsCount());
      }
      return out;
    },
    async create(w: Workload, d: BenchData, _opts: RunnerOptions): Promise<Runner> {
      const tf = await loadTf(backend);
      const { batch: B, steps: T, input: I, hidden: H, layers: L } = w;
      const train = w.kind === 'train';
      const model = tf.sequential();
      const lstms: Array<ReturnType<typeof tf.layers.lstm>> = [];
      for (let l = 0; l < L; l++) {
        const layer = tf.layers.lstm({
          units: H, recurrentActivation: 'sigmoid', returnSequences: !train || l < L - 1,
          // The shared weights replace these; TF.js's default orthogonal init is a slow QR in JS.
          kernelInitializer: 'zeros', recurrentInitializer: 'zeros',
          ...(l === 0 ? { inputShape: [T, I] } : {}),
        });
        model.add(layer);
        lstms.push(layer);
      }
      d.layers.forEach((Lw, l) => {
        const Il = layerInput(w, l);
        const bias = new Float32Array(4 * H);
        for (let j = 0; j < 4 * H; j++) bias[j] = Lw.bIh[j]! + Lw.bHh[j]!;
        lstms[l]!.setWeights([
          tf.tensor2d(transpose(Lw.wIh, 4 * H, Il), [Il, 4 * H]),
          tf.tensor2d(transpose(Lw.wHh, 4 * H, H), [H, 4 * H]),
          tf.tensor1d(bias),
        ]);
      });
      const x = tf.tensor3d(d.x, [B, T, I]);
      if (!train) {
        const predict = async (input: typeof x): Promise<Float32Array> => {
          const y = model.predict(input) as typeof x;
          const out = (await y.data()) as Float32Array;
          y.dispose();
          return out;
        };
        const x1 = x.slice([0, 0, 0], [1, T, I]);
        return { run: () => predict(x), warmup: () => predict(x1) };
      }
      const fc = tf.layers.dense({ units: 1 });
      model.add(fc);
      fc.setWeights([tf.tensor2d(d.fcW, [H, 1]), tf.tensor1d(d.fcB)]);
      model.compile({ optimizer: tf.train.adam(ADAM.lr, ADAM.beta1, ADAM.beta2, ADAM.eps), loss: 'meanSquaredError' });
      const y = tf.tensor2d(d.y, [B, 1]);
      const x1 = x.slice([0, 0, 0], [1, T, I]), y1 = y.slice([0, 0], [1, 1]);
      return {
        run: async () => (await model.trainOnBatch(x, y)) as number,
        warmup: () => model.trainOnBatch(x1, y1),
      };
    },
  };
}
