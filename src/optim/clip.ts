/**
 * Gradient clipping over the model's one flat gradient buffer, as torch.nn.utils does:
 * clipGradNorm rescales ALL gradients together when their global L2 norm exceeds maxNorm
 * (the direction is kept, the step is bounded); clipGradValue clamps each element.
 * Exploding gradients are the classic failure of recurrent nets trained by BPTT (Pascanu et
 * al., 2013); clipping by global norm is their standard remedy.
 */
import type { FloatArray } from '../tensor/tensor.js';

/** Anything with a flat gradient buffer (a Module, or an optimizer's target). */
export interface GradTarget {
  flatGrad: FloatArray;
}

/** Global L2 norm √(Σ g²) of the gradient buffer (NaN/Inf if any gradient is). */
export function gradNorm(target: GradTarget): number {
  const g = target.flatGrad;
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  return Math.sqrt(s);
}

/**
 * torch.nn.utils.clip_grad_norm_: if the global norm n exceeds maxNorm, multiply every gradient
 * by maxNorm / (n + 1e-6). Returns n (before clipping). A non-finite n is returned unchanged
 * and the gradients are left alone (the trainer stops on it).
 */
export function clipGradNorm(target: GradTarget, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new RangeError(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  const n = gradNorm(target);
  if (!Number.isFinite(n)) return n;
  const coef = maxNorm / (n + 1e-6);
  if (coef < 1) {
    const g = target.flatGrad;
    for (let i = 0; i < g.length; i++) g[i] = g[i]! * coef;
  }
  return n;
}

/** torch.nn.utils.clip_grad_value_: clamp every gradient to [−clipValue, clipValue]. */
export function clipGradValue(target: GradTarget, clipValue: number): void {
  if (!(clipValue > 0)) throw new RangeError(`clipGradValue: clipValue must be > 0, got ${clipValue}`);
  const g = target.flatGrad;
  for (let i = 0; i < g.length; i++) {
    if (g[i]! > clipValue) g[i] = clipValue;
    else if (g[i]! < -clipValue) g[i] = -clipValue;
  }
}
