// Row-level helpers shared by the data pipeline and the fit functions: the X/y checks every
// entry point makes, and copying a set of rows out of a tensor.
// Legend: n rows (samples), d features, k targets.

import { DataError, fmtShape, ShapeError } from '../errors.js';
import { allocate, type Storage } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/** Checks X: [n, d] and, when given, y: [n] or [n, k] (same n); returns n. */
export function checkXy(op: string, X: Tensor, y?: Tensor | null): number {
  if (X.ndim !== 2) throw new ShapeError(`${op}: X must be [n, d], got ${fmtShape(X.shape)}`);
  const n = X.shape[0];
  if (y) {
    if (y.ndim !== 1 && y.ndim !== 2)
      throw new ShapeError(`${op}: y must be [n] or [n, k], got ${fmtShape(y.shape)}`);
    if (y.shape[0] !== n) {
      throw new ShapeError(
        `${op}: X and y have different numbers of rows (X ${fmtShape(X.shape)} vs y ${fmtShape(y.shape)})`,
      );
    }
  }
  return n;
}

/** Throws a DataError at the first NaN or infinity, naming its row and column. t: [n, ...]. */
export function assertFinite(op: string, name: string, t: Tensor): void {
  const data = t.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0) {
      // v - v is NaN exactly for NaN and +-Infinity: one test in the hot loop
      const width = t.ndim >= 2 ? t.size / t.shape[0] : 1;
      const where = t.ndim >= 2 ? `row ${Math.floor(i / width)}, column ${i % width}` : `element ${i}`;
      throw new DataError(
        `${op}: ${name} contains ${v} at ${where} (expected finite values; drop or impute missing data first)`,
      );
    }
  }
}

/** The rows idx[start:end] of t: [n, ...] -> [end - start, ...] (a copy, no autograd). */
export function takeRows(t: Tensor, idx: ArrayLike<number>, start = 0, end = idx.length): Tensor {
  const width = t.ndim === 0 ? 1 : t.size / t.shape[0];
  const out = allocate(t.dtype, (end - start) * width);
  gatherRows(t.data, width, idx, start, end, out);
  return new Tensor(out, [end - start, ...t.shape.slice(1)]);
}

/** Copies rows idx[start:end] of src (rows of `width` values) into out, in order. */
export function gatherRows(
  src: Storage,
  width: number,
  idx: ArrayLike<number>,
  start: number,
  end: number,
  out: Storage,
): void {
  const m = end - start;
  // Plain loops: subarray() would allocate a view object per row, which dominated minibatch
  // SGD on narrow data (8 features). With rows that narrow the copy is loop overhead, not
  // memory: a one-column target gets its own loop, and four rows share each pass over the
  // columns (~40% less time per California-housing epoch than one row at a time).
  if (width === 1) {
    for (let r = 0; r < m; r++) out[r] = src[idx[start + r]];
    return;
  }
  let r = 0;
  for (; r + 4 <= m; r += 4) {
    const f0 = idx[start + r] * width;
    const f1 = idx[start + r + 1] * width;
    const f2 = idx[start + r + 2] * width;
    const f3 = idx[start + r + 3] * width;
    const to = r * width;
    for (let j = 0; j < width; j++) {
      out[to + j] = src[f0 + j];
      out[to + width + j] = src[f1 + j];
      out[to + 2 * width + j] = src[f2 + j];
      out[to + 3 * width + j] = src[f3 + j];
    }
  }
  for (; r < m; r++) {
    const from = idx[start + r] * width;
    const to = r * width;
    for (let j = 0; j < width; j++) out[to + j] = src[from + j];
  }
}
