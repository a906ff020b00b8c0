// Where MiniBatchKMeans gets its rows and its first centres: rows drawn uniformly with
// replacement (the mini-batches and the seeding subsamples), and scikit-learn 1.2's init_size
// scheme: nInit seedings, each on its own random subsample of initSize rows, the best by
// inertia on one more subsample kept. Legend: n points, d features, k centres, m drawn rows.

import type { Generator } from '../random.js';
import { givenCenters, type KMeansInit, kmeansPlusPlus, type Matrix, randomRows } from './kmeans-init.js';
import { assignAll } from './kmeans-model.js';

/**
 * Fills rows: [m, d] with m rows of x drawn uniformly with replacement, and rowW: [m] with their
 * weights (when weighted): the mini-batches and the seeding subsamples.
 */
export function drawRows(
  x: Matrix,
  w: Float64Array | null,
  gen: Generator,
  rows: Float64Array,
  rowW: Float64Array | null,
): void {
  const { rows: n, cols: d } = x;
  const m = rows.length / d;
  for (let r = 0; r < m; r++) {
    const i = gen.randint(0, n);
    for (let t = 0; t < d; t++) rows[r * d + t] = x.data[i * d + t]; // no subarray view per row
    if (rowW !== null && w !== null) rowW[r] = w[i];
  }
}

/** The MiniBatchKMeans options the seeding reads. */
export interface SeedingOptions {
  init: KMeansInit;
  nInit: number;
  initSize: number | null;
  batchSize: number;
}

/**
 * k centres: the given ones, or the best of nInit seedings on random subsamples, judged by
 * inertia on one validation subsample. x: [n, d], w: [n] | null -> [k, d].
 */
export function seedCenters(
  op: string,
  x: Matrix,
  w: Float64Array | null,
  k: number,
  o: SeedingOptions,
  gen: Generator,
): Float64Array {
  const { rows: n, cols: d } = x;
  const init = o.init;
  if (typeof init !== 'string') return givenCenters(op, init, k, d).data;
  let size = o.initSize ?? 3 * o.batchSize;
  size = Math.min(n, Math.max(size, 3 * k));
  const sub = () => {
    const rows: Matrix = { data: new Float64Array(size * d), rows: size, cols: d };
    const rowW = w === null ? null : new Float64Array(size);
    drawRows(x, w, gen, rows.data, rowW);
    return { rows, w: rowW };
  };
  const valid = sub();
  let best: Float64Array | null = null;
  let bestInertia = Number.POSITIVE_INFINITY;
  for (let r = 0; r < o.nInit; r++) {
    const s = sub();
    const c = init === 'random' ? randomRows(s.rows, k, gen) : kmeansPlusPlus(s.rows, k, s.w, gen);
    const { inertia } = assignAll(valid.rows, c, k, valid.w);
    if (inertia < bestInertia) {
      bestInertia = inertia;
      best = c;
    }
  }
  return best as Float64Array;
}
