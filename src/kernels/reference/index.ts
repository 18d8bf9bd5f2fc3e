/**
 * The reference backend: every kernel in plain TypeScript, written for clarity first.
 * It is the definition of correct that every faster backend is tested against, and the
 * fallback where WebAssembly does not load. Works in float32 and float64.
 */
import type { Backend, FloatArray, RnnActivation } from '../backend.js';
import { allocArray, type DType } from '../../tensor/tensor.js';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export function createReferenceBackend(): Backend {
  return {
    name: 'reference',

    alloc(n: number, dtype: DType): FloatArray {
      return allocArray(n, dtype);
    },
    allocInt(n: number): Int32Array {
      return new Int32Array(n);
    },
    free(): void {},
    owns(buf): boolean {
      return buf instanceof Float32Array || buf instanceof Float64Array || buf instanceof Int32Array;
    },

    // C (m,n) = [C +] op(A) (m,k) · op(B) (k,n)
    matmul(C, cOff, A, aOff, B, bOff, m, n, k, transA, transB, accumulate) {
      // Row-major strides of the stored A and B.
      const aRow = transA ? 1 : k, aCol = transA ? m : 1;
      const bRow = transB ? 1 : n, bCol = transB ? k : 1;
      if (!accumulate) C.fill(0, cOff, cOff + m * n);
      for (let i = 0; i < m; i++) {
        const ci = cOff + i * n;
        for (let p = 0; p < k; p++) {
          const a = A[aOff + i * aRow + p * aCol]!;
          if (a === 0) continue;
          const bp = bOff + p * bRow;
          for (let j = 0; j < n; j++) C[ci + j]! += a * B[bp + j * bCol]!;
        }
      }
    },

    fillRows(dst, dOff, rows, cols, a, aOff, b, bOff) {
      for (let r = 0; r < rows; r++) {
        const d = dOff + r * cols;
        if (b) for (let j = 0; j < cols; j++) dst[d + j] = a[aOff + j]! + b[bOff + j]!;
        else for (let j = 0; j < cols; j++) dst[d + j] = a[aOff + j]!;
      }
    },

    sumRows(dst, dOff, src, sOff, rows, cols, accumulate) {
      if (!accumulate) dst.fill(0, dOff, dOff + cols);
      for (let r = 0; r < rows; r++) {
        const s = sOff + r * cols;
        for (let j = 0; j < cols; j++) dst[dOff + j]! += src[s + j]!;
      }
    },

    copy(dst, dOff, src, sOff, n) {
      dst.set(src.subarray(sOff, sOff + n), dOff);
    },

    add(dst, dOff, a, aOff, b, bOff, n) {
      for (let i = 0; i < n; i++) dst[dOff + i] = a[aOff + i]! + b[bOff + i]!;
    },

    mul(dst, dOff, a, aOff, b, bOff, n) {
      for (let i = 0; i < n; i++) dst[dOff + i] = a[aOff + i]! * b[bOff + i]!;
    },

    keepInactiveRows(dst, dOff, src, sOff, rows, cols, lengths, t) {
      if (!lengths) return;
      for (let b = 0; b < rows; b++) {
        if (t < lengths[b]!) continue;
        const d = dOff + b * cols;
        if (src) for (let j = 0; j < cols; j++) dst[d + j] = src[sOff + b * cols + j]!;
        else dst.fill(0, d, d + cols);
      }
    },

    lstmCellForward(gates, gOff, cPrev, cpOff, cNext, cnOff, m, mOff, B, H, lengths, t, peep = null, pOff = 0) {
      for (let b = 0; b < B; b++) {
        const g = gOff + b * 4 * H, cp = cpOff + b * H, cn = cnOff + b * H, mo = mOff + b * H;
        const active = !lengths || t < lengths[b]!;
        for (let j = 0; j < H; j++) {
          // i, f, o through σ (with peepholes, i and f also look at c_prev); the candidate g through tanh.
          const c0 = cPrev[cp + j]!;
          const i = sigmoid(gates[g + j]! + (peep ? peep[pOff + j]! * c0 : 0));
          const f = sigmoid(gates[g + H + j]! + (peep ? peep[pOff + H + j]! * c0 : 0));
          const gg = Math.tanh(gates[g + 2 * H + j]!);
          const c = active ? f * c0 + i * gg : c0; // the conveyor belt: keep some, add some
          const o = sigmoid(gates[g + 3 * H + j]! + (peep ? peep[pOff + 2 * H + j]! * c : 0)); // o looks at the NEW cell
          gates[g + j] = i;
          gates[g + H + j] = f;
          gates[g + 2 * H + j] = gg;
          gates[g + 3 * H + j] = o;
          cNext[cn + j] = c;
          m[mo + j] = active ? o * Math.tanh(c) : 0;
        }
      }
    },

    lstmCellBackward(gates, gOff, cPrev, cpOff, cNext, cnOff, dm, dmOff, dc, dcOff, dGates, dgOff, B, H, lengths, t, peep = null, pOff = 0) {
      for (let b = 0; b < B; b++) {
        const g = gOff + b * 4 * H, dg = dgOff + b * 4 * H;
        const cp = cpOff + b * H, cn = cnOff + b * H, dmo = dmOff + b * H, dco = dcOff + b * H;
        if (lengths && t >= lengths[b]!) {
          dGates.fill(0, dg, dg + 4 * H); // dc passes through to c_prev untouched
          continue;
        }
        for (let j = 0; j < H; j++) {
          const i = gates[g + j]!, f = gates[g + H + j]!, gg = gates[g + 2 * H + j]!, o = gates[g + 3 * H + j]!;
          const tc = Math.tanh(cNext[cn + j]!);
          const dmj = dm[dmo + j]!;
          // backprop through m = o ⊙ tanh(c) (σ' = s(1−s)), then c = f ⊙ c_prev + i ⊙ g;
          // with peepholes the output gate's pre-activation holds p_o ⊙ c as well.
          const dO = (dmj * tc) * (o * (1 - o));
          const dcj = dc[dco + j]! + dmj * o * (1 - tc * tc) + (peep ? dO * peep[pOff + 2 * H + j]! : 0);
          const dI = (dcj * gg) * (i * (1 - i));
          const dF = (dcj * cPrev[cp + j]!) * (f * (1 - f));
          // c_prev feeds c through f, and the i and f gates through their peepholes.
          dc[dco + j] = dcj * f + (peep ? dI * peep[pOff + j]! + dF * peep[pOff + H + j]! : 0);
          dGates[dg + j] = dI;
          dGates[dg + H + j] = dF;
          dGates[dg + 2 * H + j] = (dcj * i) * (1 - gg * gg); // tanh' = 1−g²
          dGates[dg + 3 * H + j] = dO;
        }
      }
    },

    lstmPeepholeGrad(dP, dpOff, dG, dgOff, cPrev, cpOff, cNext, cnOff, rows, H) {
      for (let r = 0; r < rows; r++) {
        const g = dgOff + r * 4 * H, cp = cpOff + r * H, cn = cnOff + r * H;
        for (let j = 0; j < H; j++) {
          dP[dpOff + j]! += dG[g + j]! * cPrev[cp + j]!; // p_i saw c_prev
          dP[dpOff + H + j]! += dG[g + H + j]! * cPrev[cp + j]!; // p_f saw c_prev
          dP[dpOff + 2 * H + j]! += dG[g + 3 * H + j]! * cNext[cn + j]!; // p_o saw c_next
        }
      }
    },

    gruCellForward(xg, xOff, hg, hgOff, hn, hnOff, hPrev, hpOff, hNext, hnxOff, B, H, lengths, t) {
      for (let b = 0; b < B; b++) {
        const x = xOff + b * 3 * H, h = hgOff + b * 3 * H, hp = hpOff + b * H, hx = hnxOff + b * H, hno = hnOff + b * H;
        const active = !lengths || t < lengths[b]!;
        for (let j = 0; j < H; j++) {
          const r = sigmoid(xg[x + j]! + hg[h + j]!);
          const z = sigmoid(xg[x + H + j]! + hg[h + H + j]!);
          const hnj = hg[h + 2 * H + j]!;
          const n = Math.tanh(xg[x + 2 * H + j]! + r * hnj);
          xg[x + j] = r;
          xg[x + H + j] = z;
          xg[x + 2 * H + j] = n;
          hn[hno + j] = hnj;
          hNext[hx + j] = active ? (1 - z) * n + z * hPrev[hp + j]! : hPrev[hp + j]!;
        }
      }
    },

    gruCellBackward(gates, gOff, hn, hnOff, hPrev, hpOff, dh, dhOff, dXg, dxOff, dHg, dhgOff, dhPrev, dhpOff, B, H, lengths, t) {
      for (let b = 0; b < B; b++) {
        const g = gOff + b * 3 * H, dx = dxOff + b * 3 * H, dhg = dhgOff + b * 3 * H;
        const hp = hpOff + b * H, dho = dhOff + b * H, dhp = dhpOff + b * H, hno = hnOff + b * H;
        if (lengths && t >= lengths[b]!) {
          dXg.fill(0, dx, dx + 3 * H);
          dHg.fill(0, dhg, dhg + 3 * H);
          for (let j = 0; j < H; j++) dhPrev[dhp + j] = dh[dho + j]!;
          continue;
        }
        for (let j = 0; j < H; j++) {
          const r = gates[g + j]!, z = gates[g + H + j]!, n = gates[g + 2 * H + j]!;
          const d = dh[dho + j]!;
          // h' = (1−z)⊙n + z⊙h
          const dn = d * (1 - z);
          const dz = d * (hPrev[hp + j]! - n);
          dhPrev[dhp + j] = d * z;
          // n = tanh(xn + r⊙hn)
          const dnPre = dn * (1 - n * n);
          const dr = dnPre * hn[hno + j]!;
          const drPre = dr * r * (1 - r);
          const dzPre = dz * z * (1 - z);
          dXg[dx + j] = drPre;
          dXg[dx + H + j] = dzPre;
          dXg[dx + 2 * H + j] = dnPre;
          dHg[dhg + j] = drPre;
          dHg[dhg + H + j] = dzPre;
          dHg[dhg + 2 * H + j] = dnPre * r;
        }
      }
    },

    rnnCellForward(pre, pOff, B, H, act: RnnActivation) {
      const end = pOff + B * H;
      if (act === 'tanh') for (let i = pOff; i < end; i++) pre[i] = Math.tanh(pre[i]!);
      else for (let i = pOff; i < end; i++) pre[i] = pre[i]! > 0 ? pre[i]! : 0;
    },

    rnnCellBackward(h, hOff, dh, dhOff, dPre, dpOff, B, H, act, lengths, t) {
      for (let b = 0; b < B; b++) {
        const ho = hOff + b * H, d = dhOff + b * H, dp = dpOff + b * H;
        if (lengths && t >= lengths[b]!) {
          dPre.fill(0, dp, dp + H);
          continue;
        }
        for (let j = 0; j < H; j++) {
          const y = h[ho + j]!;
          dPre[dp + j] = act === 'tanh' ? dh[d + j]! * (1 - y * y) : y > 0 ? dh[d + j]! : 0;
        }
      }
    },
  };
}
