// Strided gather: the one kernel behind transpose, permute, expand, narrow and friends.
// Reads `src` through (offset, strides) as a tensor of `shape` and writes it contiguously.

import type { Storage } from '../tensor/dtype.js';

/** out[i0..ik] = src[offset + sum_j i_j * strides[j]], out contiguous of `shape`. */
export function stridedCopy(
  src: Storage,
  offset: number,
  strides: readonly number[],
  shape: readonly number[],
  out: Storage,
): void {
  const rank = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  if (rank === 0) {
    out[0] = src[offset];
    return;
  }
  const inner = shape[rank - 1];
  const innerStride = strides[rank - 1];
  const idx = new Array<number>(rank - 1).fill(0);
  let base = offset;
  let o = 0;
  const rows = total / inner;
  for (let r = 0; r < rows; r++) {
    if (innerStride === 1) {
      for (let i = 0; i < inner; i++) out[o + i] = src[base + i];
    } else {
      let p = base;
      for (let i = 0; i < inner; i++, p += innerStride) out[o + i] = src[p];
    }
    o += inner;
    // odometer increment over the outer dims
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      base += strides[d];
      if (idx[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/** Adds `src` (contiguous, of `shape`) into `dst` at (offset, strides): the scatter-add dual of stridedCopy. */
export function stridedAddInto(
  src: Storage,
  shape: readonly number[],
  dst: Storage,
  offset: number,
  strides: readonly number[],
): void {
  const rank = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  if (rank === 0) {
    dst[offset] += src[0];
    return;
  }
  const inner = shape[rank - 1];
  const innerStride = strides[rank - 1];
  const idx = new Array<number>(rank - 1).fill(0);
  let base = offset;
  let o = 0;
  const rows = total / inner;
  for (let r = 0; r < rows; r++) {
    let p = base;
    for (let i = 0; i < inner; i++, p += innerStride) dst[p] += src[o + i];
    o += inner;
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      base += strides[d];
      if (idx[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}
