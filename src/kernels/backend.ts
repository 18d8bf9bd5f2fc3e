/**
 * The kernel interface. Every layer computes through these few operations and nothing else,
 * so a faster backend (WebAssembly SIMD, threads) plugs in without touching the layers.
 *
 * Buffers are typed arrays handed out by the backend itself (`alloc`), so a WebAssembly backend
 * can return views of its own linear memory and run every kernel there with no copy per call.
 * Kernels address buffers as (array, offset) pairs, offsets counted in elements, so the time
 * loop never creates subarray objects. All matrices are contiguous and row-major.
 *
 * Letters used in shape comments: B batch, H hidden size, G = gates·H (4H for LSTM, 3H for GRU,
 * H for RNN), Hout output size of the recurrent state (H, or projSize), m,n,k matmul sizes.
 *
 * Lengths: the cell kernels take `lengths` (per batch item, Int32Array allocated by `allocInt`)
 * and the time index `t`; batch row b is active iff t < lengths[b]. An inactive row keeps its
 * state (c_next = c_prev) and contributes no gradient to the parameters. `lengths = null` means
 * every row is active.
 */
import type { DType, FloatArray } from '../tensor/tensor.js';

export type { DType, FloatArray };

/** RNN nonlinearity (torch.nn.RNN `nonlinearity`). */
export type RnnActivation = 'tanh' | 'relu';

/**
 * One layer direction of a recurrent layer, as the whole-sequence kernels see it: the cell
 * (mode, and act for an RNN), the sizes (Hout = projSize or H; I this layer's input size), the
 * parameters as offsets into the flat buffer W in PyTorch's layout (W_ih (G,I), W_hh (G,Hout),
 * b_ih, b_hh (G), W_hr (Hout,H); −1: absent), the lengths and the direction.
 */
export interface SequenceLayer {
  mode: 'lstm' | 'gru' | 'rnn';
  act: RnnActivation;
  T: number; B: number; I: number; H: number; Hout: number;
  W: FloatArray;
  wIh: number; wHh: number; bIh: number; bHh: number; wHr: number;
  lengths: Int32Array | null;
  reverse: boolean;
}

/**
 * What one layer direction's forward keeps for its backward (recurrent.ts's BPTT cache; null
 * where the mode has none): gates (T,B,G) activated; h ((T+1),B,Hout) and c ((T+1),B,H, LSTM)
 * by state slot (the state before time t in slot t forward, t+1 reverse); m (T,B,H) a projected
 * LSTM's o⊙tanh(c); hn (T,B,H) and hg (B,3H) the GRU's W_hn·h + b_hn and its step scratch.
 */
export interface SequenceCache {
  gates: FloatArray; h: FloatArray; c: FloatArray | null; m: FloatArray | null; hn: FloatArray | null; hg: FloatArray | null;
}

/** What a layer direction's backward computes: dGates (T,B,G), dHg (T,B,3H) GRU only, dh (T,B,Hout). */
export interface SequenceGrads {
  dGates: FloatArray; dHg: FloatArray | null; dh: FloatArray;
}

/** The gradients carried from step to step: dhRun (B,Hout), dcRun (B,H) LSTM, dm (B,H) projected LSTM's scratch. */
export interface SequenceRunningGrads {
  dhRun: FloatArray; dcRun: FloatArray | null; dm: FloatArray | null;
}

export interface Backend {
  readonly name: string;

  /** A zero-filled buffer of n elements owned by this backend; valid until `free`. */
  alloc(n: number, dtype: DType): FloatArray;
  /** A zero-filled int32 buffer (sequence lengths, token ids). */
  allocInt(n: number): Int32Array;
  /** Give a buffer back (a no-op for garbage-collected backends). */
  free(buf: FloatArray | Int32Array): void;
  /** True when `buf` is a buffer this backend's kernels can address. */
  owns(buf: FloatArray | Int32Array): boolean;

  /**
   * C = (accumulate ? C : 0) + op(A)·op(B).
   * C is (m,n). op(A) is (m,k): A is stored (m,k), or (k,m) when transA.
   * op(B) is (k,n): B is stored (k,n), or (n,k) when transB.
   */
  matmul(
    C: FloatArray, cOff: number,
    A: FloatArray, aOff: number,
    B: FloatArray, bOff: number,
    m: number, n: number, k: number,
    transA: boolean, transB: boolean, accumulate: boolean,
  ): void;

  /** dst[r, :] = a[:] + (b ? b[:] : 0) for r < rows. dst is (rows, cols), a and b are (cols). */
  fillRows(dst: FloatArray, dOff: number, rows: number, cols: number,
    a: FloatArray, aOff: number, b: FloatArray | null, bOff: number): void;

  /** dst[:] = (accumulate ? dst : 0) + Σ_r src[r, :]. src is (rows, cols), dst is (cols). */
  sumRows(dst: FloatArray, dOff: number, src: FloatArray, sOff: number,
    rows: number, cols: number, accumulate: boolean): void;

  /** dst[i] = src[i] for i < n. */
  copy(dst: FloatArray, dOff: number, src: FloatArray, sOff: number, n: number): void;

  /** dst[i] = a[i] + b[i] for i < n (dst may alias a or b). */
  add(dst: FloatArray, dOff: number, a: FloatArray, aOff: number, b: FloatArray, bOff: number, n: number): void;

  /** dst[i] = a[i] · b[i] for i < n (dst may alias a or b). */
  mul(dst: FloatArray, dOff: number, a: FloatArray, aOff: number, b: FloatArray, bOff: number, n: number): void;

  /** For each row b of (rows, cols) with lengths[b] <= t (inactive): dst[b,:] = src ? src[b,:] : 0. */
  keepInactiveRows(dst: FloatArray, dOff: number, src: FloatArray | null, sOff: number,
    rows: number, cols: number, lengths: Int32Array | null, t: number): void;

  /**
   * LSTM cell forward, in place on the gates. gates (B,4H) holds the pre-activations
   * x·W_ihᵀ + h·W_hhᵀ + b_ih + b_hh in gate order i, f, g, o and is overwritten with
   * i = σ, f = σ, g = tanh, o = σ (the cache backward needs).
   * c_next = f⊙c_prev + i⊙g; m = o⊙tanh(c_next) (the hidden state before any projection).
   * Inactive rows: c_next = c_prev, m = 0.
   * cPrev, cNext, m are (B,H).
   * Peepholes (Gers & Schmidhuber 2000, ONNX's P): `peep` (3H) at pOff holds p_i, p_f, p_o and
   * the gates look at the cell: i = σ(… + p_i⊙c_prev), f = σ(… + p_f⊙c_prev), o = σ(… + p_o⊙c_next),
   * the output gate at the NEW cell. null (default): none.
   */
  lstmCellForward(gates: FloatArray, gOff: number, cPrev: FloatArray, cpOff: number,
    cNext: FloatArray, cnOff: number, m: FloatArray, mOff: number,
    B: number, H: number, lengths: Int32Array | null, t: number,
    peep?: FloatArray | null, pOff?: number): void;

  /**
   * LSTM cell backward. gates (B,4H) activated (from forward); cPrev, cNext (B,H);
   * dm (B,H) gradient w.r.t. m = o⊙tanh(c_next); dc (B,H) holds dL/dc_next on entry and
   * dL/dc_prev on exit; dGates (B,4H) receives dL/d(pre-activations).
   * Inactive rows: dGates = 0 and dc passes through unchanged.
   * With peepholes (`peep` as in forward) the cell's gradient also flows through them:
   * dL/dc_next += dô⊙p_o, dL/dc_prev = dc⊙f + dî⊙p_i + df̂⊙p_f (ˆ: pre-activation). Their own
   * gradients are summed over all steps afterwards by lstmPeepholeGrad.
   */
  lstmCellBackward(gates: FloatArray, gOff: number, cPrev: FloatArray, cpOff: number,
    cNext: FloatArray, cnOff: number, dm: FloatArray, dmOff: number,
    dc: FloatArray, dcOff: number, dGates: FloatArray, dgOff: number,
    B: number, H: number, lengths: Int32Array | null, t: number,
    peep?: FloatArray | null, pOff?: number): void;

  /**
   * The peephole weights' gradient over many steps at once (after the time loop, so a backend
   * that splits the cell kernels by batch rows never sums into one vector from two threads):
   * dP (3H) += Σ_r [dG_i[r]⊙cPrev[r], dG_f[r]⊙cPrev[r], dG_o[r]⊙cNext[r]].
   * dG (rows,4H) dL/d(gate pre-activations), gate order i, f, g, o; cPrev, cNext (rows,H) the
   * cells each row's gates looked at (zero dG rows, e.g. past a sequence's end, add nothing).
   */
  lstmPeepholeGrad(dP: FloatArray, dpOff: number, dG: FloatArray, dgOff: number,
    cPrev: FloatArray, cpOff: number, cNext: FloatArray, cnOff: number, rows: number, H: number): void;

  /**
   * Optional: one whole layer direction's forward in one call (a backend that can run it faster
   * than the per-step kernels; recurrent.ts runs those when this is absent or returns false,
   * having done nothing). Equivalent to recurrent.ts forwardRaw's per-step path for one layer
   * direction: the input projection G = X·W_ihᵀ + b_ih (+ b_hh, not for GRU), then for each
   * step t (T−1 down to 0 when reverse) the recurrent product, the cell kernel of the mode,
   * the projection of a projected LSTM, and inactive rows keeping their state. `x` (T,B,I) is
   * the layer input; `cache` receives what the backward needs, its initial-state slots filled.
   */
  sequenceForward?(layer: SequenceLayer, x: FloatArray, cache: SequenceCache): boolean;

  /**
   * Optional: the matching backward time loop (recurrent.ts backwardRaw's per-step path), in
   * one call, for the last sequenceForward's `cache`: grads.dh (T,B,Hout) holds dL/dh_t from
   * above and receives the total; run.dhRun (B,Hout) and run.dcRun (B,H) hold the gradients from
   * beyond the sequence and leave with dL/dh0, dL/dc0; grads.dGates (and dHg) receive the
   * gradients of the gates. Parameter gradients are left to the caller (one matmul each over
   * all steps). Returns false, having done nothing, when it cannot run this layer.
   */
  sequenceBackward?(layer: SequenceLayer, cache: SequenceCache, grads: SequenceGrads, run: SequenceRunningGrads): boolean;

  /**
   * GRU cell forward (PyTorch): xg (B,3H) = x·W_ihᵀ + b_ih, hg (B,3H) = h·W_hhᵀ + b_hh, order r, z, n.
   * r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r⊙hn), h_next = (1−z)⊙n + z⊙h_prev.
   * xg is overwritten with the activated r, z, n; hn (B,H) receives hg's n part (the cache).
   * Inactive rows: h_next = h_prev.
   */
  gruCellForward(xg: FloatArray, xOff: number, hg: FloatArray, hgOff: number,
    hn: FloatArray, hnOff: number, hPrev: FloatArray, hpOff: number,
    hNext: FloatArray, hnxOff: number,
    B: number, H: number, lengths: Int32Array | null, t: number): void;

  /**
   * GRU cell backward. gates (B,3H) activated r, z, n and hn (B,H) from forward; hPrev (B,H);
   * dh (B,H) dL/dh_next. Writes dXg (B,3H) = dL/d(xg), dHg (B,3H) = dL/d(hg), and
   * dhPrev (B,H) = the direct part z⊙dh (the part through W_hh is added by the layer).
   * Inactive rows: dXg = dHg = 0, dhPrev = dh.
   */
  gruCellBackward(gates: FloatArray, gOff: number, hn: FloatArray, hnOff: number,
    hPrev: FloatArray, hpOff: number, dh: FloatArray, dhOff: number,
    dXg: FloatArray, dxOff: number, dHg: FloatArray, dhgOff: number,
    dhPrev: FloatArray, dhpOff: number,
    B: number, H: number, lengths: Int32Array | null, t: number): void;

  /**
   * RNN cell forward: pre (B,H) holds x·W_ihᵀ + h·W_hhᵀ + b_ih + b_hh and is overwritten with
   * h_next = act(pre). Inactive rows: the layer restores h_prev with keepInactiveRows.
   */
  rnnCellForward(pre: FloatArray, pOff: number, B: number, H: number, act: RnnActivation): void;

  /**
   * RNN cell backward: h (B,H) = act(pre) from forward, dh (B,H) = dL/dh_next;
   * dPre (B,H) = dh ⊙ act'(pre). Inactive rows: dPre = 0.
   */
  rnnCellBackward(h: FloatArray, hOff: number, dh: FloatArray, dhOff: number,
    dPre: FloatArray, dpOff: number, B: number, H: number, act: RnnActivation,
    lengths: Int32Array | null, t: number): void;
}
