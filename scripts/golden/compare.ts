// Comparing one actual tensor with one fixture tensor, and the tolerance rule per dtype.
//
// float64 runs use the case's own tol. float32 runs use rtol = max(case rtol, 1e-4) and
//   atol_eff = max(case atol, 1e-5) * max(1, max|expected| over that tensor)
// because float32 carries ~7 significant digits: an element of a tensor whose largest entry is
// 1e3 inherits rounding of order 1e3 * 6e-8 from the operations that mixed it with that entry
// (a sum, a matmul, a normalization), however small the element itself is. Scaling atol by the
// tensor's magnitude tolerates exactly that and nothing more; the float32 run is never
// stricter than the float64 one. int32 and bool outputs must match exactly in every dtype.

import { fmtShape } from '../../src/errors.js';
import { type Tensor, zeros } from '../../src/index.js';
import type { GoldenTensor } from './types.js';

/** One reason a run failed, with the error figures when it is a comparison. */
export interface Failure {
  /** What was compared: `output y`, `grad weight`, `check inertia`, `run`, `op`. */
  key: string;
  message: string;
  maxAbs?: number;
  maxRel?: number;
  /** Multi-index of the worst element (largest error relative to its allowance). */
  worst?: number[];
}

/** The floor of float32 runs' tolerances (see the rule above). */
export const FLOAT32_TOL = { rtol: 1e-4, atol: 1e-5 } as const;

/** The tolerance a run uses for one expected tensor (rule in the file comment). */
export function tolerance(
  dtype: 'float32' | 'float64',
  caseTol: { rtol: number; atol: number },
  expected: ArrayLike<number>,
): { rtol: number; atol: number } {
  if (dtype === 'float64') return caseTol;
  let mag = 1;
  for (let i = 0; i < expected.length; i++) mag = Math.max(mag, Math.abs(expected[i]));
  return {
    rtol: Math.max(caseTol.rtol, FLOAT32_TOL.rtol),
    atol: Math.max(caseTol.atol, FLOAT32_TOL.atol) * mag,
  };
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}

/** Zero failures when `actual` matches `expected` within tolerance, else one describing the worst element. */
export function compareTensor(
  key: string,
  actual: Tensor,
  expected: GoldenTensor,
  caseTol: { rtol: number; atol: number },
  dtype: 'float32' | 'float64',
): Failure[] {
  if (fmtShape(actual.shape) !== fmtShape(expected.shape)) {
    return [{ key, message: `shape ${fmtShape(actual.shape)} vs expected ${fmtShape(expected.shape)}` }];
  }
  const exact = expected.dtype !== 'float64';
  // Float outputs must come out in the run's dtype (else the float32 run would not test float32);
  // int32 and bool ones in their own.
  const wantDtype = exact ? expected.dtype : dtype;
  if (actual.dtype !== wantDtype) return [{ key, message: `dtype ${actual.dtype} vs expected ${wantDtype}` }];
  const a = actual.data;
  const e = expected.data;
  const tol = exact ? { rtol: 0, atol: 0 } : tolerance(dtype, caseTol, e);
  let maxAbs = 0;
  let maxRel = 0;
  let worst = -1;
  let worstExcess = 0;
  let bad = 0;
  for (let i = 0; i < e.length; i++) {
    const raw = Math.abs(a[i] - e[i]);
    const err = Number.isNaN(raw) ? Number.POSITIVE_INFINITY : raw; // NaN is as wrong as it gets
    const allowed = tol.atol + tol.rtol * Math.abs(e[i]);
    maxAbs = Math.max(maxAbs, err);
    if (e[i] !== 0) maxRel = Math.max(maxRel, err / Math.abs(e[i]));
    if (err <= allowed) continue;
    bad++;
    const excess = allowed > 0 ? err / allowed : Number.POSITIVE_INFINITY;
    if (worst < 0 || excess > worstExcess) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (bad === 0) return [];
  const idx = unravel(worst, expected.shape);
  const allowed = tol.atol + tol.rtol * Math.abs(e[worst]);
  const message = exact
    ? `${bad} of ${e.length} elements differ; first worst at [${idx}]: got ${a[worst]}, expected ${e[worst]} (exact match required)`
    : `${bad} of ${e.length} elements out of tolerance; worst at [${idx}]: got ${a[worst]}, expected ${e[worst]}, ` +
      `allowed ${allowed.toExponential(2)} (rtol ${tol.rtol}, atol ${tol.atol.toExponential(2)})`;
  return [{ key, message, maxAbs, maxRel, worst: idx }];
}

/** `grad weight: max abs err 1.2e-3, max rel err 4.0e-2, 3 of 12 elements ...`. */
export function formatFailure(f: Failure): string {
  const errs =
    f.maxAbs === undefined
      ? ''
      : `max abs err ${f.maxAbs.toExponential(2)}, max rel err ${(f.maxRel ?? 0).toExponential(2)}, `;
  return `${f.key}: ${errs}${f.message}`;
}

/** Zeros shaped and typed like `t` (the gradient of an input no path reached). */
export function zerosFor(t: Tensor): Tensor {
  return zeros([...t.shape], { dtype: t.dtype });
}
