// Clustering agreement: the adjusted Rand index (Hubert & Arabie 1985), as scikit-learn's
// adjusted_rand_score. Legend: n points.
//
// Over all n(n-1) ordered pairs of distinct points, count the pairs both labelings put together
// (tp), both separate (tn), and the two kinds of disagreement (fp, fn). With the contingency
// table n_ij, row sums a_i and column sums b_j:
//   tp = sum n_ij^2 - n,  fp = sum_j b_j^2 - sum n_ij^2,  fn = sum_i a_i^2 - sum n_ij^2,
//   tn = n^2 - tp - fp - fn - n,
//   ARI = 2 (tp tn - fn fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)),
// which is (RI - E[RI]) / (max RI - E[RI]) under the permutation model: 1 for identical
// partitions (up to renaming), ~0 for independent ones, negative when worse than chance.

import { ArgumentError, fmtShape, ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

/** Labels as a 1-D tensor, a number array or a typed array. */
export type Labels = Tensor | ArrayLike<number>;

function toInts(what: string, l: Labels): ArrayLike<number> {
  if (l instanceof Tensor) {
    if (l.ndim !== 1)
      throw new ShapeError(`adjustedRandIndex: ${what} must be 1-D, got ${fmtShape(l.shape)}`);
    return l.data;
  }
  if (!Array.isArray(l) && !ArrayBuffer.isView(l)) {
    throw new ArgumentError(
      `adjustedRandIndex: ${what} must be a Tensor, number[] or typed array, got ${typeof l}`,
    );
  }
  return l;
}

// labels -> dense ids 0..m-1 (any integer or float values; NaN rejected)
function dense(what: string, v: ArrayLike<number>): { ids: Int32Array; m: number } {
  const map = new Map<number, number>();
  const ids = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    if (Number.isNaN(v[i]))
      throw new ArgumentError(`adjustedRandIndex: ${what}[${i}] is NaN (expected a label)`);
    let id = map.get(v[i]);
    if (id === undefined) {
      id = map.size;
      map.set(v[i], id);
    }
    ids[i] = id;
  }
  return { ids, m: map.size };
}

/** Adjusted Rand index between two labelings of the same points (1 = same partition). labelsTrue, labelsPred: [n] -> scalar. */
export function adjustedRandIndex(labelsTrue: Labels, labelsPred: Labels): number {
  const a = toInts('labelsTrue', labelsTrue);
  const b = toInts('labelsPred', labelsPred);
  if (a.length !== b.length) {
    throw new ShapeError(`adjustedRandIndex: labelings differ in length (${a.length} vs ${b.length})`);
  }
  const n = a.length;
  const ta = dense('labelsTrue', a);
  const tb = dense('labelsPred', b);
  // sparse contingency counts keyed by (i, j)
  const cells = new Map<number, number>();
  const rows = new Float64Array(ta.m);
  const cols = new Float64Array(tb.m);
  for (let p = 0; p < n; p++) {
    const key = ta.ids[p] * tb.m + tb.ids[p];
    cells.set(key, (cells.get(key) ?? 0) + 1);
    rows[ta.ids[p]]++;
    cols[tb.ids[p]]++;
  }
  let sumSq = 0;
  for (const c of cells.values()) sumSq += c * c;
  let rowSq = 0;
  for (const r of rows) rowSq += r * r;
  let colSq = 0;
  for (const c of cols) colSq += c * c;
  const tp = sumSq - n;
  const fp = colSq - sumSq;
  const fn = rowSq - sumSq;
  const tn = n * n - tp - fp - fn - n;
  if (fn === 0 && fp === 0) return 1; // identical partitions (also: n <= 1, or one cluster each)
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}
