// Small helpers the demos share: largest magnitudes and differences, a matrix slice for a
// heatmap, JSON-safe numbers, the causal and padding masks.

import { arange, type Tensor, tensor } from '../index.js';

/** max |x_i| (Infinity if any value is NaN or infinite). */
export function maxAbs(xs: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < xs.length; i++) {
    const a = Math.abs(xs[i]);
    if (!Number.isFinite(a)) return Number.POSITIVE_INFINITY;
    if (a > m) m = a;
  }
  return m;
}

/** max |a_i - b_i| over two equally long arrays (Infinity if any difference is not finite). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!Number.isFinite(d)) return Number.POSITIVE_INFINITY;
    if (d > m) m = d;
  }
  return m;
}

/** The trailing 2-D matrix of `t` at the leading indices `lead`, as nested arrays. t: [..., R, C] -> R x C. */
export function toMatrix(t: Tensor, ...lead: number[]): number[][] {
  const [R, C] = t.shape.slice(-2);
  let off = 0;
  for (let d = 0; d < lead.length; d++) off = off * t.shape[d] + lead[d];
  off *= R * C;
  return Array.from({ length: R }, (_, r) => Array.from(t.data.subarray(off + r * C, off + (r + 1) * C)));
}

/** A finite number, or null (JSON has no NaN or infinity). */
export function jsonNum(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** [L, L] bool, true above the diagonal: key j hidden from query i when j > i. */
export function causalMask(L: number): Tensor {
  const i = arange(0, L, 1, { dtype: 'int32' });
  return i.reshape([1, L]).gt(i.reshape([L, 1]));
}

/** [B, L] bool, true at the padding: position j of item b is padding when j >= lengths[b]. */
export function paddingMask(lengths: readonly number[], L: number): Tensor {
  const len = tensor(lengths, { dtype: 'int32' }).reshape([lengths.length, 1]);
  return arange(0, L, 1, { dtype: 'int32' }).reshape([1, L]).ge(len);
}
