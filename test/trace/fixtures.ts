/** A small LSTM trained for a few epochs on a sine wave and saved with its history (for report tests). */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Dense, LastStep, LSTM, Sequential, Tensor, fit, saveModel } from '../../src/index.js';

export async function makeTrainedModel(dir: string): Promise<{ path: string; inputPath: string }> {
  const T = 16, N = 48;
  const x = Tensor.zeros([N, T, 1]), y = Tensor.zeros([N, 1]);
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < T; t++) x.data[n * T + t] = Math.sin((n + t) * 0.4);
    y.data[n] = Math.sin((n + T) * 0.4);
  }
  const model = new Sequential([
    ['lstm', new LSTM({ inputSize: 1, hiddenSize: 8, batchFirst: true, seed: 1 })],
    ['last', new LastStep()],
    ['fc', new Dense({ inputSize: 8, outputSize: 1, seed: 2 })],
  ]);
  const history = await fit(model, { x, y, epochs: 8, batchSize: 16, loss: 'mse', optimizer: { name: 'adam', lr: 0.02 }, progress: false, validation: { split: 0.25 } });
  const path = join(dir, 'model.safetensors');
  saveModel(model, path, { history: { loss: history.loss, valLoss: history.valLoss } });
  const inputPath = join(dir, 'input.json');
  writeFileSync(inputPath, JSON.stringify(Array.from({ length: T }, (_, t) => [Math.sin(t * 0.4)])));
  return { path, inputPath };
}
