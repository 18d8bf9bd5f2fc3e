/**
 * The sum inside each gate at one time step and unit, term by term: what the deck writes as
 * F_t = σ(X_t W_xf + H_{t−1} W_hf + b_f), with the actual numbers. A lesson shows these next
 * to the traced gate values; the terms are recomputed here from the layer's weights in float64
 * (the traced value of the gate is what the layer's kernels computed, so the two agree to
 * float32 rounding: test/trace/gate-terms.test.ts).
 *
 * PyTorch's layout, for gate block k of weight_ih (Gc, I) and weight_hh (Gc, Hout), row
 * r = k·H + unit:
 *   LSTM  i, f, o = σ(xW + b_ih + hW + b_hh);   g (C̃) = tanh(xW + b_ih + hW + b_hh)
 *   GRU   r, z = σ(xW + b_ih + hW + b_hh);      n = tanh(xW + b_ih + r ⊙ (hW + b_hh))
 *   RNN   h = tanh(xW + b_ih + hW + b_hh) (or relu)
 * where xW = W_ih[r,:]·x_t and hW = W_hh[r,:]·h_{t−1}. The deck's single bias b is b_ih + b_hh.
 */
import { RecurrentBase } from '../nn/recurrent.js';
import { GATE_NAMES, type GateName } from './trace.js';

export interface GateTerms {
  /** W_ih[row]·x_t: what the input contributes. */
  xW: number;
  /** W_hh[row]·h_{t−1}: what the previous hidden state contributes. */
  hW: number;
  /** b_ih[row] and b_hh[row] (0 for a layer without bias). */
  bIh: number;
  bHh: number;
  /** The activation's argument: xW + bIh + hW + bHh (GRU candidate: xW + bIh + r·(hW + bHh)). */
  pre: number;
  /** σ(pre), or tanh(pre) for the candidate and the RNN (relu for a relu RNN). */
  value: number;
}

/** Which layer and direction of a (possibly stacked, bidirectional) recurrent layer. */
export interface GateTermsAt {
  /** Stacked layer index (default 0). Its x_t is the layer below's output for layers above 0. */
  layer?: number;
  reverse?: boolean;
}

/**
 * The terms of every gate of `layer` at one step for one unit: x_t is what that layer and
 * direction received at the step (I values), hPrev the hidden state it started from (Hout).
 * Keys: LSTM input, forget, candidate, output; GRU reset, update, new; RNN 'hidden'.
 */
export function gateTerms(
  layer: RecurrentBase, xt: ArrayLike<number>, hPrev: ArrayLike<number>, unit: number, at: GateTermsAt = {},
): Partial<Record<GateName | 'hidden', GateTerms>> {
  const l = at.layer ?? 0, H = layer.hiddenSize;
  if (!Number.isInteger(l) || l < 0 || l >= layer.numLayers) throw new RangeError(`gateTerms: layer ${l} is out of range 0..${layer.numLayers - 1}`);
  if (at.reverse && !layer.bidirectional) throw new RangeError('gateTerms: the layer has no reverse direction');
  if (!Number.isInteger(unit) || unit < 0 || unit >= H) throw new RangeError(`gateTerms: unit ${unit} is out of range 0..${H - 1}`);
  const sfx = `_l${l}${at.reverse ? '_reverse' : ''}`;
  const sd = layer.stateDict();
  const wIh = sd[`weight_ih${sfx}`]!, wHh = sd[`weight_hh${sfx}`]!;
  const I = wIh.shape[1]!, Hout = wHh.shape[1]!;
  if (xt.length !== I) throw new RangeError(`gateTerms: x_t has ${xt.length} values, layer ${l} takes ${I}`);
  if (hPrev.length !== Hout) throw new RangeError(`gateTerms: h_{t−1} has ${hPrev.length} values, the layer's hidden state has ${Hout}`);
  const bIh = sd[`bias_ih${sfx}`], bHh = sd[`bias_hh${sfx}`];

  const raw = (block: number): Omit<GateTerms, 'pre' | 'value'> => {
    const row = block * H + unit;
    let xW = 0, hW = 0;
    for (let j = 0; j < I; j++) xW += wIh.data[row * I + j]! * xt[j]!;
    for (let j = 0; j < Hout; j++) hW += wHh.data[row * Hout + j]! * hPrev[j]!;
    return { xW, hW, bIh: bIh ? bIh.data[row]! : 0, bHh: bHh ? bHh.data[row]! : 0 };
  };
  const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
  const sum = (t: Omit<GateTerms, 'pre' | 'value'>): number => t.xW + t.bIh + t.hW + t.bHh;
  const out: Partial<Record<GateName | 'hidden', GateTerms>> = {};

  if (layer.mode === 'rnn') {
    const t = raw(0), pre = sum(t);
    out.hidden = { ...t, pre, value: layer.nonlinearity === 'relu' ? Math.max(0, pre) : Math.tanh(pre) };
    return out;
  }
  GATE_NAMES[layer.mode].forEach((name, k) => {
    const t = raw(k);
    if (name === 'new') {
      const r = out.reset!.value;
      const pre = t.xW + t.bIh + r * (t.hW + t.bHh);
      out.new = { ...t, pre, value: Math.tanh(pre) };
    } else {
      const pre = sum(t);
      out[name] = { ...t, pre, value: name === 'candidate' ? Math.tanh(pre) : sigmoid(pre) };
    }
  });
  return out;
}
