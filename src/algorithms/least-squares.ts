// Least squares by Householder QR on centred, column-scaled data (see linear-regression.ts for
// why not the normal equations). Legend: n rows, d features.

import { ArgumentError } from '../errors.js';
import { withDefaults } from '../options.js';

export interface LstsqOptions {
  /** Ridge penalty alpha |w|^2 (default 0); the intercept is not penalised, as scikit-learn's Ridge. */
  alpha?: number;
  /** Fit an intercept by centring (default true). */
  fitIntercept?: boolean;
}

const LSTSQ_DEFAULTS = { alpha: 0, fitIntercept: true } satisfies Required<LstsqOptions>;

/**
 * Least squares with optional ridge, by Householder QR on centred, column-scaled data.
 * x: [n, d] row-major, y: [n] -> coef [d] (float64), intercept.
 */
export function lstsq(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  d: number,
  opts: LstsqOptions = {},
): { coef: Float64Array; intercept: number } {
  const { alpha, fitIntercept } = withDefaults(LSTSQ_DEFAULTS, opts, 'lstsq');
  const mean = new Float64Array(d);
  const scale = new Float64Array(d).fill(1);
  let yMean = 0;
  if (fitIntercept) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
      yMean += y[i];
    }
    for (let j = 0; j < d; j++) mean[j] /= n;
    yMean /= n;
  }
  for (let j = 0; j < d; j++) {
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[i * d + j] - mean[j]) ** 2;
    if (ss > 0) scale[j] = Math.sqrt(ss / n);
  }
  // A = [X_c / s; sqrt(alpha) diag(1/s)] column-major (rows = n, plus d when ridge), b = [y_c; 0].
  // Scaling column j by 1/s_j turns the penalty alpha w_j^2 into (sqrt(alpha)/s_j)^2 v_j^2 for v_j = s_j w_j.
  const rows = alpha > 0 ? n + d : n;
  const A = new Float64Array(rows * d);
  const rhs = new Float64Array(rows);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) A[j * rows + i] = (x[i * d + j] - mean[j]) / scale[j];
    if (alpha > 0) A[j * rows + n + j] = Math.sqrt(alpha) / scale[j];
  }
  for (let i = 0; i < n; i++) rhs[i] = y[i] - yMean;
  const v = solveQR(A, rhs, rows, d);
  const coef = new Float64Array(d);
  let intercept = yMean;
  for (let j = 0; j < d; j++) {
    coef[j] = v[j] / scale[j];
    intercept -= mean[j] * coef[j];
  }
  return { coef, intercept };
}

/**
 * min |b - A v| for A: [rows, d] column-major (overwritten with R), b: [rows] (overwritten).
 * Householder: for each column k, the reflector H = I - 2 u u^T / (u^T u) with
 * u = a_k - (-sign(a_kk) |a_k|) e_k maps a_k[k:] onto the axis; applying it to the later
 * columns and to b leaves R upper triangular and Q^T b, then R v = (Q^T b)[0:d].
 */
function solveQR(A: Float64Array, b: Float64Array, rows: number, d: number): Float64Array {
  if (rows < d)
    throw new ArgumentError(
      `LinearRegression: ${rows} rows cannot determine ${d} coefficients; use alpha > 0`,
    );
  const diag = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    const ck = k * rows;
    let norm = 0;
    for (let i = k; i < rows; i++) norm += A[ck + i] * A[ck + i];
    norm = Math.sqrt(norm);
    // the sign choice avoids cancellation in u_k = a_kk - r_kk
    const rkk = A[ck + k] > 0 ? -norm : norm;
    diag[k] = rkk;
    if (norm === 0) continue;
    A[ck + k] -= rkk; // A[k:, k] now holds u
    const uu = -2 * rkk * A[ck + k]; // u^T u = 2 |a|^2 - 2 a_kk r_kk = -2 r_kk u_k
    const reflect = (vec: Float64Array, off: number) => {
      let dot = 0;
      for (let i = k; i < rows; i++) dot += A[ck + i] * vec[off + i];
      const f = (2 * dot) / uu;
      for (let i = k; i < rows; i++) vec[off + i] -= f * A[ck + i];
    };
    for (let j = k + 1; j < d; j++) reflect(A, j * rows);
    reflect(b, 0);
  }
  // Rank check: a pivot tiny against the largest means a constant or collinear column.
  let maxDiag = 0;
  for (let k = 0; k < d; k++) maxDiag = Math.max(maxDiag, Math.abs(diag[k]));
  const v = new Float64Array(d);
  for (let k = d - 1; k >= 0; k--) {
    if (Math.abs(diag[k]) <= 1e-12 * maxDiag || maxDiag === 0) {
      throw new ArgumentError(
        `LinearRegression: the design matrix is rank deficient (column ${k} is constant or collinear with others); use alpha > 0`,
      );
    }
    let s = b[k];
    for (let j = k + 1; j < d; j++) s -= A[j * rows + k] * v[j];
    v[k] = s / diag[k];
  }
  return v;
}
