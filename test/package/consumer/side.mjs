// The smallest import a user's Node bundle may make. esbuild bundles it with package.json's
// "sideEffects" honoured, so a module that registers a backend when imported must be listed
// there, or the bundle runs with no kernels.
import { LSTM, Tensor, getBackend } from 'lstm-ts';

const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, seed: 0 });
const { output } = lstm.forward(Tensor.from(new Float32Array(4 * 1 * 2).fill(0.5), [4, 1, 2]));
console.log(JSON.stringify({ backend: getBackend().name, shape: output.shape, finite: Array.from(output.data).every(Number.isFinite) }));
