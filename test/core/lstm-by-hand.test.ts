/**
 * One LSTM worked by hand: input size 1, hidden size 1, two time steps, on every backend.
 *
 * Weights (PyTorch layout, gate order i, f, g, o):
 *   weight_ih = [0.5, −0.3, 0.8, 0.1]ᵀ     weight_hh = [0.2, 0.4, −0.6, 0.7]ᵀ
 *   bias_ih   = [0.1, 0.2, −0.1, 0.05]     bias_hh   = [0.05, −0.05, 0.1, 0]
 *   so the summed biases are b = [0.15, 0.15, 0, 0.05].
 * Input x = [1, −2] (T = 2, B = 1), h0 = c0 = 0.
 *
 * Step 1 (x = 1, h = 0, c = 0):
 *   z_i = 0.5·1 + 0.15 = 0.65       i = σ(0.65)  = 0.6570105
 *   z_f = −0.3·1 + 0.15 = −0.15     f = σ(−0.15) = 0.4625702
 *   z_g = 0.8·1 + 0 = 0.8           g = tanh(0.8) = 0.6640368
 *   z_o = 0.1·1 + 0.05 = 0.15       o = σ(0.15)  = 0.5374298
 *   c1 = f·0 + i·g = 0.6570105·0.6640368 = 0.4362791
 *   h1 = o·tanh(c1) = 0.5374298·0.4105555 = 0.2206448
 * Step 2 (x = −2, h = 0.2206448, c = 0.4362791):
 *   z_i = 0.5·(−2) + 0.2·0.2206448 + 0.15 = −0.8058710     i = 0.3087710
 *   z_f = −0.3·(−2) + 0.4·0.2206448 + 0.15 = 0.8382579     f = 0.6980982
 *   z_g = 0.8·(−2) − 0.6·0.2206448 + 0 = −1.7323869        g = tanh(−1.7323869) = −0.9393374
 *   z_o = 0.1·(−2) + 0.7·0.2206448 + 0.05 = 0.0044513      o = 0.5011128
 *   c2 = f·c1 + i·g = 0.6980982·0.4362791 + 0.3087710·(−0.9393374) = 0.0145255
 *   h2 = o·tanh(c2) = 0.5011128·0.0145244 = 0.0072784
 *
 * Backward, L = h2 (dh = 1 on the final state, no output gradient); dL/dx2, through step 2 only:
 *   dL/do2 = tanh(c2) = 0.0145244            dL/dc2 = o·(1 − tanh²c2) = 0.5010071
 *   do2/dx2 = o(1−o)·0.1 = 0.0249999
 *   dc2/dx2 = c1·f(1−f)·(−0.3) + g·i(1−i)·0.5 + i·(1−g²)·0.8 = −0.0987664
 *   dL/dx2 = 0.0145244·0.0249999 + 0.5010071·(−0.0987664) = −0.0491196
 *
 * The same cell with peepholes weight_ph = [p_i, p_f, p_o] = [0.3, −0.5, 0.4], one step from
 * x = 1, h0 = 0, c0 = 0.5 (i and f look at c0, o at the new cell c1):
 *   z_i = 0.5 + 0.15 + 0.3·0.5 = 0.8          i = σ(0.8)  = 0.6899745
 *   z_f = −0.3 + 0.15 − 0.5·0.5 = −0.4        f = σ(−0.4) = 0.4013123
 *   g = tanh(0.8) = 0.6640368
 *   c1 = f·c0 + i·g = 0.2006562 + 0.4581684 = 0.6588246
 *   z_o = 0.1 + 0.05 + 0.4·c1 = 0.4135298    o = σ(z_o)   = 0.6019340
 *   h1 = o·tanh(c1) = 0.6019340·0.5775807 = 0.3476654
 * Backward, L = h1:
 *   dL/dz_o = tanh(c1)·o(1−o) = 0.1383938    dL/dp_o = dL/dz_o·c1 = 0.0911772
 *   dL/dc1 = o·(1 − tanh²c1) + dL/dz_o·p_o = 0.4011292 + 0.0553575 = 0.4564867
 *   dL/dz_i = dL/dc1·g·i(1−i) = 0.0648411    dL/dp_i = dL/dz_i·c0 = 0.0324206
 *   dL/dz_f = dL/dc1·c0·f(1−f) = 0.0548379   dL/dp_f = dL/dz_f·c0 = 0.0274190
 *   dL/dc0 = dL/dc1·f + dL/dz_i·p_i + dL/dz_f·p_f = 0.1831937 + 0.0194523 − 0.0274190 = 0.1752271
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LSTM, Tensor } from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';

const close = (got: number, want: number, what: string): void =>
  assert.ok(Math.abs(got - want) <= 2e-7 + 1e-6 * Math.abs(want), `${what}: got ${got}, by hand ${want}`);

for (const backend of BACKENDS) {
  describe(`LSTM 1×1 by hand on ${backend}`, () => {
    for (const dtype of ['float32', 'float64'] as const) {
      test(dtype, () => {
        const lstm = new LSTM({ inputSize: 1, hiddenSize: 1, backend, dtype });
        lstm.loadStateDict({
          weight_ih_l0: Tensor.from([[0.5], [-0.3], [0.8], [0.1]]),
          weight_hh_l0: Tensor.from([[0.2], [0.4], [-0.6], [0.7]]),
          bias_ih_l0: Tensor.from([0.1, 0.2, -0.1, 0.05]),
          bias_hh_l0: Tensor.from([0.05, -0.05, 0.1, 0]),
        });
        const x = Tensor.from([[[1]], [[-2]]], undefined, dtype);
        const { output, h, c } = lstm.forward(x);
        close(output.data[0]!, 0.2206448, 'h1');
        close(output.data[1]!, 0.0072784, 'h2');
        close(h.data[0]!, 0.0072784, 'h_n');
        close(c!.data[0]!, 0.0145255, 'c_n');
        // The cached gates of step 2 (inspect gives the activated i, f, g, o).
        const gates = lstm.inspect().directions[0]!.gates;
        [0.3087710, 0.6980982, -0.9393374, 0.5011128].forEach((v, k) => close(gates[4 + k]!, v, `step 2 gate ${'ifgo'[k]}`));
        const g = lstm.backward({ dh: Tensor.from([[[1]]], undefined, dtype) });
        close(g.dInput.data[1]!, -0.0491196, 'dL/dx2');
      });

      test(`${dtype}, peepholes`, () => {
        const lstm = new LSTM({ inputSize: 1, hiddenSize: 1, peephole: true, backend, dtype });
        lstm.loadStateDict({
          weight_ih_l0: Tensor.from([[0.5], [-0.3], [0.8], [0.1]]),
          weight_hh_l0: Tensor.from([[0.2], [0.4], [-0.6], [0.7]]),
          bias_ih_l0: Tensor.from([0.1, 0.2, -0.1, 0.05]),
          bias_hh_l0: Tensor.from([0.05, -0.05, 0.1, 0]),
          weight_ph_l0: Tensor.from([[0.3], [-0.5], [0.4]]),
        });
        const { output, c } = lstm.forward(Tensor.from([[[1]]], undefined, dtype), { c0: Tensor.from([[[0.5]]], undefined, dtype) });
        close(output.data[0]!, 0.3476654, 'h1');
        close(c!.data[0]!, 0.6588246, 'c1');
        const gates = lstm.inspect().directions[0]!.gates;
        [0.6899745, 0.4013123, 0.6640368, 0.6019340].forEach((v, k) => close(gates[k]!, v, `gate ${'ifgo'[k]}`));
        lstm.zeroGrad();
        const g = lstm.backward({ dh: Tensor.from([[[1]]], undefined, dtype) });
        const dP = lstm.grads.weight_ph_l0!.data;
        close(dP[0]!, 0.0324206, 'dL/dp_i');
        close(dP[1]!, 0.0274190, 'dL/dp_f');
        close(dP[2]!, 0.0911772, 'dL/dp_o');
        close(g.dc0!.data[0]!, 0.1752271, 'dL/dc0');
      });
    }
  });
}
