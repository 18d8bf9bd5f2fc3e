/**
 * Gate order of every weight format, in one table, and the one helper that moves gate blocks
 * from one order to another. Each format stacks a recurrent layer's gates as blocks of H rows
 * (G·H rows in all) and they differ only in the order of the blocks. Gates are named here by
 * what they compute, with PyTorch's letters (g = ONNX/Keras c, the LSTM candidate; n = ONNX/Keras
 * h, the GRU candidate):
 *
 *   format             LSTM        GRU       RNN   LSTM peepholes
 *   torch (this code)  i, f, g, o  r, z, n   h     p_i, p_f, p_o (weight_ph rows)
 *   ONNX               i, o, f, c  z, r, h   h     P_i, P_o, P_f
 *   Keras / TF.js      i, f, c, o  z, r, h   h     (none)
 *
 * Sources: torch.nn.LSTM/GRU docs, onnx/docs/Operators.md (LSTM, GRU, RNN), keras LSTMCell/GRUCell.
 */
import type { RecurrentMode } from '../nn/recurrent.js';

export type GateFormat = 'torch' | 'onnx' | 'keras';

/** Gate blocks top to bottom, one letter each, in PyTorch's letters (see the file header). */
const GATES: Record<GateFormat, Record<RecurrentMode, string>> = {
  torch: { lstm: 'ifgo', gru: 'rzn', rnn: 'h' },
  onnx: { lstm: 'iofg', gru: 'zrn', rnn: 'h' },
  keras: { lstm: 'ifgo', gru: 'zrn', rnn: 'h' },
};

/** LSTM peephole vectors (the gates that have one), top to bottom. */
const PEEPHOLES: Record<'torch' | 'onnx', string> = { torch: 'ifo', onnx: 'iof' };

/** perm[k] = index in `from` of the k-th letter of `to`. */
function permutation(from: string, to: string): number[] {
  return [...to].map((g) => from.indexOf(g));
}

/**
 * The permutation from one format's gate order to another's, in reorderGates' form: block k
 * of `to` is block perm[k] of `from` (ONNX → torch LSTM: [0, 2, 3, 1]).
 */
export function gatePermutation(mode: RecurrentMode, from: GateFormat, to: GateFormat): number[] {
  return permutation(GATES[from][mode], GATES[to][mode]);
}

/** The same for an LSTM's peephole vectors (torch ↔ ONNX: [0, 2, 1], a swap). */
export function peepholePermutation(from: 'torch' | 'onnx', to: 'torch' | 'onnx'): number[] {
  return permutation(PEEPHOLES[from], PEEPHOLES[to]);
}

/**
 * dst block k ← src block perm[k], for a (G·H, cols) matrix (or a (G·H) vector with cols = 1)
 * starting at src[sOff]. dst is fresh, (G·H·cols).
 */
export function reorderGates(src: ArrayLike<number>, sOff: number, G: number, H: number, cols: number, perm: number[]): Float64Array {
  const block = H * cols;
  const dst = new Float64Array(G * block);
  for (let k = 0; k < G; k++) for (let i = 0; i < block; i++) dst[k * block + i] = src[sOff + perm[k]! * block + i]!;
  return dst;
}
