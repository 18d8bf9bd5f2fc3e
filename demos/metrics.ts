/**
 * Metrics the demos report, each a plain function of targets and predictions: mean squared
 * and absolute error, binary-classification accuracy / precision / recall / F1, and the
 * conversion from a summed natural-log likelihood to bits per character.
 */

/** Mean squared error over all elements. */
export function mse(y: ArrayLike<number>, p: ArrayLike<number>): number {
  checkSame(y, p, 'mse');
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i]! - p[i]!) ** 2;
  return s / y.length;
}

/** Mean absolute error over all elements. */
export function mae(y: ArrayLike<number>, p: ArrayLike<number>): number {
  checkSame(y, p, 'mae');
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.abs(y[i]! - p[i]!);
  return s / y.length;
}

export interface BinaryScores {
  accuracy: number;
  precision: number;
  recall: number;
  /** Harmonic mean of precision and recall for the positive class (0 when both are 0). */
  f1: number;
}

/** Scores of 0/1 predictions against 0/1 labels, class 1 positive. */
export function binaryScores(labels: ArrayLike<number>, preds: ArrayLike<number>): BinaryScores {
  checkSame(labels, preds, 'binaryScores');
  let tp = 0, fp = 0, fn = 0, correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!, p = preds[i]!;
    if (y === p) correct++;
    if (p === 1 && y === 1) tp++;
    else if (p === 1) fp++;
    else if (y === 1) fn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { accuracy: correct / labels.length, precision, recall, f1 };
}

/** Bits per character from the summed negative natural-log likelihood of n characters. */
export function bitsPerChar(nllNats: number, n: number): number {
  return nllNats / n / Math.LN2;
}

function checkSame(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length || a.length === 0) throw new RangeError(`${what}: targets and predictions must be non-empty and equally long, got ${a.length} and ${b.length}`);
}
