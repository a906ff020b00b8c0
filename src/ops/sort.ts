// Sorting along a dim: sort, argsort and topk. Orders are stable (ties keep the lower index
// first) and NaN counts as larger than every number, as in torch. Rows are sorted by the
// merge-sort kernel (kernels/sort.ts); topk with k much smaller than n keeps a k-long sorted
// buffer instead of sorting the whole row.

import { record } from '../autograd/engine.js';
import { ArgumentError } from '../errors.js';
import { argsortRow } from '../kernels/sort.js';
import { allocate } from '../tensor/dtype.js';
import { normDim, numelOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { ValuesIndices } from './reduce.js';

export interface SortOptions {
  /** Dim to sort along (default -1). */
  dim?: number;
  /** Largest first (default false). */
  descending?: boolean;
}

export interface TopkOptions {
  /** Dim to select along (default -1). */
  dim?: number;
  /** The k largest (default true) or the k smallest. */
  largest?: boolean;
}

// ascending total order with NaN last
function before(a: number, b: number): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return a < b;
}

function selectAlong(op: string, x: Tensor, dim: number, k: number, desc: boolean): ValuesIndices {
  const d = normDim(op, dim, x.ndim);
  const n = x.ndim === 0 ? 1 : x.shape[d];
  if (!Number.isInteger(k) || k < 0 || k > n)
    throw new ArgumentError(`${op}: k must be an integer in [0, ${n}], got ${k}`);
  const outer = numelOf(x.shape, 0, d);
  const inner = numelOf(x.shape, d + 1);
  const shape = x.ndim === 0 ? [] : x.shape.map((s, i) => (i === d ? k : s));
  const values = allocate(x.dtype, outer * k * inner);
  const indices = new Int32Array(outer * k * inner);
  const src = x.data;
  const row = new Float64Array(n);
  const order = new Int32Array(n);
  const keys = new Float64Array(n);
  const tmp = new Int32Array(n);
  // "a goes before b": strictly better in the requested direction
  const better = desc ? (a: number, b: number) => before(b, a) : before;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      for (let r = 0; r < n; r++) row[r] = src[base + r * inner];
      let count: number;
      if (k * 8 <= n && n > 64) {
        // insertion into a sorted k-buffer; a value enters only if strictly better than the last
        count = 0;
        for (let r = 0; r < n; r++) {
          const v = row[r];
          if (count === k && !better(v, row[order[k - 1]])) continue;
          let p = count < k ? count++ : k - 1;
          while (p > 0 && better(v, row[order[p - 1]])) {
            order[p] = order[p - 1];
            p--;
          }
          order[p] = r;
        }
      } else {
        argsortRow(row, n, desc, order, keys, tmp);
        count = k;
      }
      for (let j = 0; j < count; j++) {
        const p = (o * k + j) * inner + i;
        indices[p] = order[j];
        values[p] = row[order[j]];
      }
    }
  }
  const idxT = new Tensor(indices, shape);
  const valT = record(new Tensor(values, shape), op, [x], (g) => {
    const gx = allocate(g.dtype, x.size);
    const gd = g.data;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < inner; i++) {
          const p = (o * k + j) * inner + i;
          gx[(o * n + indices[p]) * inner + i] += gd[p];
        }
      }
    }
    return [new Tensor(gx, x.shape)];
  });
  return { values: valT, indices: idxT };
}

/** The k largest (or smallest) entries along a dim, sorted, with their indices; ties to the lower index. */
export function topk(x: Tensor, k: number, opts: TopkOptions = {}): ValuesIndices {
  return selectAlong('topk', x, opts.dim ?? -1, k, opts.largest ?? true);
}

/** Sorted values along a dim and the indices they came from (stable). */
export function sort(x: Tensor, opts: SortOptions = {}): ValuesIndices {
  const dim = opts.dim ?? -1;
  const n = x.ndim === 0 ? 1 : x.shape[normDim('sort', dim, x.ndim)];
  return selectAlong('sort', x, dim, n, opts.descending ?? false);
}

/** The indices that sort x along a dim (stable). */
export function argsort(x: Tensor, opts: SortOptions = {}): Tensor {
  return sort(x.detach(), opts).indices;
}
