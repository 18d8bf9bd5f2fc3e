/**
 * A browser app's entry, as a user would write it: imports 'lstm-ts' (esbuild picks the
 * package's `browser` export), loads the WebAssembly kernels, trains a few epochs on a 2-thread
 * backend (one thread when the page is not cross-origin isolated) and on the reference backend,
 * and predicts. The result is left in `window.result` for the test. Also type-checked (strict,
 * moduleResolution bundler, no Node types) against the shipped declarations.
 */
import {
  Dense, LastStep, LSTM, Sequential, Tensor, createWasmBackend, decodeModel, encodeModel, fit, initWasm, loadModel, registerBackend, setBackend,
  wasmInfo, wasmThreadsReady,
  type History,
} from 'lstm-ts';

export interface PageResult {
  crossOriginIsolated: boolean;
  shared: boolean;
  variant: string;
  threads: number;
  workersReady: number;
  runs: Record<string, { first: number; last: number; predictions: number[] }>;
  /** What loadModel(path), a Node-only function, throws here. */
  nodeOnlyError: string;
  /** encodeModel → decodeModel in the page predicts the same. */
  bytesRoundTrip: boolean;
}

// @ts-expect-error hiddenSize is a number: the declarations are real types, not `any`
void (() => new LSTM({ inputSize: 1, hiddenSize: 'twelve' }));

async function run(): Promise<PageResult> {
  const info = await initWasm();
  const wasm2 = createWasmBackend({ threads: 2, name: 'wasm-2' });
  registerBackend('wasm-2', () => wasm2);
  if (info.shared) await wasmThreadsReady(2);
  const N = 48, T = 10;
  const xs = new Float32Array(N * T), ys = new Float32Array(N);
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < T; t++) xs[n * T + t] = Math.sin((n + t) / 3);
    ys[n] = Math.sin((n + T) / 3);
  }
  const x = Tensor.from(xs, [N, T, 1]), y = Tensor.from(ys, [N, 1]);
  const runs: PageResult['runs'] = {};
  let bytesRoundTrip = true;
  for (const name of ['wasm-2', 'reference']) {
    setBackend(name);
    const model = new Sequential([
      ['lstm', new LSTM({ inputSize: 1, hiddenSize: 12, batchFirst: true, seed: 1 })],
      ['last', new LastStep()],
      ['fc', new Dense({ inputSize: 12, outputSize: 1, seed: 2 })],
    ]);
    const history: History = await fit(model, { x, y, epochs: 15, batchSize: 8, seed: 0, loss: 'mse', optimizer: { name: 'adam', lr: 0.02 }, progress: false });
    runs[name] = { first: history.loss[0] ?? NaN, last: history.loss.at(-1) ?? NaN, predictions: Array.from(model.predict(x).data) };
    const again = decodeModel(encodeModel(model)).model.predict(x).data;
    bytesRoundTrip &&= runs[name]!.predictions.every((v, i) => v === again[i]);
  }
  let nodeOnlyError = 'loadModel did not throw';
  try {
    loadModel('model.safetensors');
  } catch (e) {
    nodeOnlyError = (e as Error).message;
  }
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated, shared: info.shared, variant: info.variant, threads: wasm2.threads,
    workersReady: wasmInfo()?.workersReady ?? -1, runs, nodeOnlyError, bytesRoundTrip,
  };
}

(window as unknown as { result: Promise<PageResult | string> }).result = run().catch((e: Error) => `${e.name}: ${e.message}`);
