// A Node user's script, run from the installed tarball (plain Node ESM, no tsx, no src/): trains
// a small LSTM → last step → Dense model on a sine wave with the WebAssembly and the reference
// backends, saves and reloads it, asks for the onnxruntime engine (onnxruntime-node, an optional
// peer dependency, is not installed here), and prints one JSON object for the test to check.
// Also type-checked (checkJs, strict, moduleResolution node16) against the shipped declarations.
import { mkdirSync } from 'node:fs';
import { Dense, LastStep, LSTM, Sequential, Tensor, compile, fit, getBackend, listBackends, loadModel, saveModel, setBackend } from 'lstm-ts';

const N = 48, T = 10;
const xs = new Float32Array(N * T), ys = new Float32Array(N);
for (let n = 0; n < N; n++) {
  for (let t = 0; t < T; t++) xs[n * T + t] = Math.sin((n + t) / 3);
  ys[n] = Math.sin((n + T) / 3);
}
const x = Tensor.from(xs, [N, T, 1]), y = Tensor.from(ys, [N, 1]);
mkdirSync('out', { recursive: true });

/** @type {Record<string, { backend: string; first: number; last: number; reloadedSame: boolean; predictions: number[] }>} */
const runs = {};
for (const name of ['wasm', 'reference']) {
  setBackend(name);
  const model = new Sequential([
    ['lstm', new LSTM({ inputSize: 1, hiddenSize: 12, batchFirst: true, seed: 1 })],
    ['last', new LastStep()],
    ['fc', new Dense({ inputSize: 12, outputSize: 1, seed: 2 })],
  ]);
  const history = await fit(model, { x, y, epochs: 15, batchSize: 8, seed: 0, loss: 'mse', optimizer: { name: 'adam', lr: 0.02 }, progress: false });
  saveModel(model, `out/${name}.safetensors`, { history });
  const { model: again } = loadModel(`out/${name}.safetensors`);
  const p = Array.from(model.predict(x).data), q = Array.from(again.predict(x).data);
  runs[name] = {
    backend: getBackend().name, first: history.loss[0] ?? NaN, last: history.loss.at(-1) ?? NaN,
    reloadedSame: p.every((v, i) => v === q[i]), predictions: p,
  };
}
// Without onnxruntime-node: 'onnxruntime' is an error saying what to install, 'auto' keeps the kernels.
const { model: served } = loadModel('out/wasm.safetensors');
const engine = {
  onnxruntime: await compile(served, { engine: 'onnxruntime' }).then(() => 'compiled', (/** @type {Error} */ e) => e.message),
  auto: await compile(served, { engine: 'auto' }),
};
console.log(JSON.stringify({ backends: listBackends(), runs, engine }));
