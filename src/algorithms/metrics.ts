// Regression metrics with scikit-learn's definitions and argument order (yTrue, yPred).
// Multi-output targets [n, k] are scored per column and averaged ('uniform_average').
// Computed in float64 whatever the input dtype.
// Legend: n samples, k outputs.

import { fmtShape, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

// [n] and [n, 1] score alike; anything else must match exactly. Returns [n, k].
function columns(op: string, yTrue: Tensor, yPred: Tensor): [number, number] {
  const dims = (t: Tensor): [number, number] | null =>
    t.ndim === 1 ? [t.shape[0], 1] : t.ndim === 2 ? [t.shape[0], t.shape[1]] : null;
  const a = dims(yTrue);
  const b = dims(yPred);
  if (a === null || b === null || a[0] !== b[0] || a[1] !== b[1]) {
    throw new ShapeError(
      `${op}: yTrue ${fmtShape(yTrue.shape)} and yPred ${fmtShape(yPred.shape)} must have the same [n] or [n, k] shape`,
    );
  }
  if (a[0] === 0) throw new ShapeError(`${op}: no samples (${fmtShape(yTrue.shape)})`);
  return a;
}

/** A score of column j of t, p: [n, k]. */
type ColumnScore = (t: ArrayLike<number>, p: ArrayLike<number>, n: number, k: number, j: number) => number;

// Average over the k columns of f(column j).
function perColumn(op: string, yTrue: Tensor, yPred: Tensor, f: ColumnScore): number {
  const [n, k] = columns(op, yTrue, yPred);
  let total = 0;
  for (let j = 0; j < k; j++) total += f(yTrue.data, yPred.data, n, k, j);
  return total / k;
}

const columnMse: ColumnScore = (t, p, n, k, j) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += (t[i * k + j] - p[i * k + j]) ** 2;
  return s / n;
};

/** Mean squared error. yTrue, yPred: [n] or [n, k]. */
export function mse(yTrue: Tensor, yPred: Tensor): number {
  return perColumn('mse', yTrue, yPred, columnMse);
}

/** Root mean squared error (per output, then averaged, as scikit-learn). yTrue, yPred: [n] or [n, k]. */
export function rmse(yTrue: Tensor, yPred: Tensor): number {
  return perColumn('rmse', yTrue, yPred, (...column) => Math.sqrt(columnMse(...column)));
}

/** Mean absolute error. yTrue, yPred: [n] or [n, k]. */
export function mae(yTrue: Tensor, yPred: Tensor): number {
  return perColumn('mae', yTrue, yPred, (t, p, n, k, j) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(t[i * k + j] - p[i * k + j]);
    return s / n;
  });
}

/**
 * Coefficient of determination R^2 = 1 - SS_res / SS_tot. yTrue, yPred: [n] or [n, k].
 * A constant yTrue scores 1 when predicted exactly and 0 otherwise (scikit-learn's
 * force_finite), never NaN or -infinity.
 */
export function r2(yTrue: Tensor, yPred: Tensor): number {
  return perColumn('r2', yTrue, yPred, (t, p, n, k, j) => {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += t[i * k + j];
    mean /= n;
    let res = 0;
    let tot = 0;
    for (let i = 0; i < n; i++) {
      res += (t[i * k + j] - p[i * k + j]) ** 2;
      tot += (t[i * k + j] - mean) ** 2;
    }
    if (tot === 0) return res === 0 ? 1 : 0;
    return 1 - res / tot;
  });
}
