// Stable argsort of one row, over typed arrays (the kernel behind sort, argsort and topk).
//
// torch's order: NaN counts as larger than every number, ties keep the lower index first.
// Rather than a comparator that tests for NaN on every comparison, the row is split once:
// NaN positions go to the end (ascending) or the front (descending) in index order, and the
// numbers are merge-sorted by a plain `<` on keys that are negated for descending order
// (-x ascending is x descending, and ties stay ties, so stability is kept).
//
// Dims: n the row length.

const RUN = 32; // insertion-sorted run length before merging

/**
 * order[0..n) = the indices of row[0..n) in sorted order. `keys` (Float64Array) and `tmp`
 * (Int32Array) are scratch of length >= n.
 */
export function argsortRow(
  row: ArrayLike<number>,
  n: number,
  descending: boolean,
  order: Int32Array,
  keys: Float64Array,
  tmp: Int32Array,
): void {
  let m = 0; // numbers
  let nans = 0;
  for (let i = 0; i < n; i++) {
    const v = row[i];
    if (Number.isNaN(v)) tmp[nans++] = i;
    else {
      keys[i] = descending ? -v : v;
      order[m++] = i;
    }
  }
  mergeSortByKey(order, m, keys, tmp, nans);
  if (nans === 0) return;
  if (descending) {
    order.copyWithin(nans, 0, m);
    for (let i = 0; i < nans; i++) order[i] = tmp[i];
  } else for (let i = 0; i < nans; i++) order[m + i] = tmp[i];
}

// Stable bottom-up merge sort of order[0..m) by keys[order[i]]; tmp[0..reserved) is in use
// (the NaN positions), so the merge buffer starts after it.
function mergeSortByKey(
  order: Int32Array,
  m: number,
  keys: Float64Array,
  tmp: Int32Array,
  reserved: number,
): void {
  for (let s = 0; s < m; s += RUN) {
    const e = Math.min(s + RUN, m);
    for (let i = s + 1; i < e; i++) {
      const x = order[i];
      const kx = keys[x];
      let j = i - 1;
      while (j >= s && kx < keys[order[j]]) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = x;
    }
  }
  if (m <= RUN) return;
  let src = order.subarray(0, m);
  let dst = tmp.subarray(reserved, reserved + m);
  let inOrder = true; // whether src is `order` itself
  for (let w = RUN; w < m; w *= 2) {
    for (let s = 0; s < m; s += 2 * w) {
      const mid = Math.min(s + w, m);
      const end = Math.min(s + 2 * w, m);
      let i = s;
      let j = mid;
      let o = s;
      // take from the right only when strictly smaller: equal keys keep their order
      while (i < mid && j < end) dst[o++] = keys[src[j]] < keys[src[i]] ? src[j++] : src[i++];
      while (i < mid) dst[o++] = src[i++];
      while (j < end) dst[o++] = src[j++];
    }
    const t = src;
    src = dst;
    dst = t;
    inOrder = !inOrder;
  }
  if (!inOrder) order.set(src);
}
