// k-means kernels over float64 typed arrays (no Tensor). Legend: n points, d features,
// k centres; X is row-major [n, d], C is [k, d], labels [n], weights w [n] (null = all 1).
//
// Lloyd assignment uses ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2; ||x||^2 is the same for every
// centre, so the argmin only needs ||c||^2 - 2 x.c. The x.c products run in a fused,
// register-blocked loop (2 points x 4 centres, 8 accumulators in locals) instead of gemm plus
// an argmin pass over a [n, k] block: for the short inner dims of clustering (d ~ 2..64),
// measured on n=100k, d=16, k=16, the fused loop (~16 ms) beats TypeScript gemm + argmin
// (~25 ms) and matches WebAssembly gemm + argmin (~16 ms: there the argmin pass, not the
// products, dominates). The chosen centre's distance is then recomputed exactly as
// sum (x - c)^2, so the inertia carries no cancellation error (no clamping at 0 needed), and
// the centre sums are accumulated in the same pass while the rows are in cache.
//
// Elkan's pruned assignment is in kmeans-elkan.ts.

import { ACC_CHUNK, addPartial, lloydAssignWasm } from './wasm/kmeans.js';

/** out[i] = ||x_i||^2. x: [n, d] -> out: [n]. */
export function rowSqNorms(x: Float64Array, n: number, d: number, out: Float64Array): void {
  for (let i = 0, p = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++, p++) s += x[p] * x[p];
    out[i] = s;
  }
}

/** Squared distance between row a of A and row b of B (both [*, d]). */
export function sqDist(A: Float64Array, a: number, B: Float64Array, b: number, d: number): number {
  let s = 0;
  const pa = a * d;
  const pb = b * d;
  for (let j = 0; j < d; j++) {
    const t = A[pa + j] - B[pb + j];
    s += t * t;
  }
  return s;
}

/** Scratch for lloydAssign: the centres transposed and padded to a multiple of 4 ([d, kp]) and ||c||^2 [kp]. */
export function lloydScratch(k: number, d: number): Float64Array {
  const kp = (k + 3) & ~3;
  return new Float64Array(d * kp + kp);
}

/** Where lloydAssign accumulates centre statistics (omit for a pure assignment). */
export interface CenterSums {
  /** [k, d] sum of w_i x_i per centre (zeroed by the caller). */
  sums: Float64Array;
  /** [k] sum of w_i per centre (zeroed by the caller). */
  weights: Float64Array;
}

/**
 * Assigns each row of x to its nearest centre (ties to the lower index), writes labels and the
 * exact squared distance to that centre into `dist` (optional), accumulates `acc`, and returns
 * the weighted inertia sum_i w_i ||x_i - c_label||^2.
 * x: [n, d], c: [k, d], w: [n] | null -> labels: [n], dist: [n] | null. Calls that pass the same
 * `scratch` must pass an unchanged x (the wasm backend keeps its copy of x between them).
 */
export function lloydAssign(
  x: Float64Array,
  n: number,
  d: number,
  c: Float64Array,
  k: number,
  w: Float64Array | null,
  labels: Int32Array,
  dist: Float64Array | null,
  acc: CenterSums | null,
  scratch: Float64Array,
): number {
  const fused = lloydAssignWasm(x, n, d, c, k, w, labels, dist, acc, scratch); // wasm SIMD, threads
  if (fused !== null) return fused;
  // cT[t, j] = c[j, t]: the 4 centres of a block sit next to each other for each feature t.
  // Padding centres get ||c||^2 = +inf so they never win.
  const kp = (k + 3) & ~3;
  const cT = scratch;
  const cn = scratch.subarray(d * kp, d * kp + kp);
  for (let j = 0; j < kp; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) {
      const v = j < k ? c[j * d + t] : 0;
      cT[t * kp + j] = v;
      s += v * v;
    }
    cn[j] = j < k ? s : Number.POSITIVE_INFINITY;
  }
  // The centre sums and inertia are summed per chunk of ACC_CHUNK points (in point order), and
  // the chunks' partials added in chunk order: in the wasm kernel threads claim whole chunks,
  // and their partials are added the same way, so both give the same bits on any number of threads.
  const part = acc === null ? null : new Float64Array(k * d + k); // sums [k, d], then weights [k]
  let inertia = 0;
  let chunkInertia = 0;
  // Two points at a time against four centres at a time: 8 products per 6 loads, all in locals.
  // argmin_j ||x - c_j||^2 = argmin_j ||c_j||^2 - 2 x.c_j (||x||^2 is common to all j).
  for (let i = 0; i < n; i += 2) {
    const px = i * d;
    const py = i + 1 < n ? px + d : px; // odd n: the last point is paired with itself
    let b0 = 0;
    let b1 = 0;
    let v0 = Number.POSITIVE_INFINITY;
    let v1 = Number.POSITIVE_INFINITY;
    // biome-ignore format: the 2 x 4 tile reads as a tile, one point per line
    for (let j = 0; j < kp; j += 4) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      let e0 = 0, e1 = 0, e2 = 0, e3 = 0;
      for (let t = 0, q = j; t < d; t++, q += kp) {
        const xv = x[px + t];
        const yv = x[py + t];
        const c0 = cT[q], c1 = cT[q + 1], c2 = cT[q + 2], c3 = cT[q + 3];
        a0 += xv * c0; a1 += xv * c1; a2 += xv * c2; a3 += xv * c3;
        e0 += yv * c0; e1 += yv * c1; e2 += yv * c2; e3 += yv * c3;
      }
      const n0 = cn[j], n1 = cn[j + 1], n2 = cn[j + 2], n3 = cn[j + 3];
      let v = n0 - 2 * a0;
      if (v < v0) { v0 = v; b0 = j; }
      v = n1 - 2 * a1;
      if (v < v0) { v0 = v; b0 = j + 1; }
      v = n2 - 2 * a2;
      if (v < v0) { v0 = v; b0 = j + 2; }
      v = n3 - 2 * a3;
      if (v < v0) { v0 = v; b0 = j + 3; }
      v = n0 - 2 * e0;
      if (v < v1) { v1 = v; b1 = j; }
      v = n1 - 2 * e1;
      if (v < v1) { v1 = v; b1 = j + 1; }
      v = n2 - 2 * e2;
      if (v < v1) { v1 = v; b1 = j + 2; }
      v = n3 - 2 * e3;
      if (v < v1) { v1 = v; b1 = j + 3; }
    }
    // the winner's distance again, exactly as sum (x - c)^2 (no cancellation), and its sums
    for (let r = 0; r < 2 && i + r < n; r++) {
      const ii = i + r;
      const best = r === 0 ? b0 : b1;
      labels[ii] = best;
      const wi = w === null ? 1 : w[ii];
      const pi = ii * d;
      const pc = best * d;
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = x[pi + t] - c[pc + t];
        s += diff * diff;
      }
      if (part !== null) {
        for (let t = 0; t < d; t++) part[pc + t] += wi * x[pi + t];
        part[k * d + best] += wi;
      }
      if (dist !== null) dist[ii] = s;
      chunkInertia += wi * s;
    }
    if ((i + 2) % ACC_CHUNK === 0 || i + 2 >= n) {
      inertia += chunkInertia;
      chunkInertia = 0;
      if (acc !== null && part !== null) {
        addPartial(acc, part, k, d);
        part.fill(0);
      }
    }
  }
  return inertia;
}

/** sum_i w_i ||x_i - c_{labels_i}||^2 for given labels. x: [n, d], c: [k, d], labels: [n]. */
export function labelledInertia(
  x: Float64Array,
  n: number,
  d: number,
  c: Float64Array,
  w: Float64Array | null,
  labels: Int32Array,
): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += (w === null ? 1 : w[i]) * sqDist(x, i, c, labels[i], d);
  return s;
}

/**
 * Empty clusters (zero weight after an assignment) take the points farthest from the centres
 * they were assigned to, as scikit-learn: the j-th empty cluster (increasing index) moves onto
 * the point with the j-th largest ||x_i - c_{labels_i}||^2 (ties to the lower index; only
 * points of positive weight, since a zero-weight point adds nothing to the objective), and
 * that point leaves its old cluster's sums for this update. Its label is not changed here:
 * the next assignment moves it. Returns how many clusters were relocated.
 * x: [n, d], c: [k, d] (the centres of this assignment), labels: [n].
 */
export function relocateEmptyClusters(
  x: Float64Array,
  n: number,
  d: number,
  c: Float64Array,
  k: number,
  w: Float64Array | null,
  labels: Int32Array,
  acc: CenterSums,
): number {
  const { sums, weights } = acc;
  let nEmpty = 0;
  for (let j = 0; j < k; j++) if (weights[j] === 0) nEmpty++;
  if (nEmpty === 0) return 0;
  const dist = new Float64Array(n); // rare path: an allocation here costs nothing overall
  for (let i = 0; i < n; i++) dist[i] = w !== null && w[i] === 0 ? -1 : sqDist(x, i, c, labels[i], d);
  let moved = 0;
  for (let j = 0; j < k && moved < nEmpty; j++) {
    if (weights[j] !== 0) continue;
    let far = -1;
    for (let i = 0; i < n; i++) if (dist[i] >= 0 && (far < 0 || dist[i] > dist[far])) far = i;
    if (far < 0) break; // fewer positive-weight points than empty clusters: keep the old centres
    dist[far] = -1;
    const wi = w === null ? 1 : w[far];
    const old = labels[far];
    for (let t = 0; t < d; t++) {
      const v = wi * x[far * d + t];
      sums[old * d + t] -= v;
      sums[j * d + t] = v;
    }
    weights[j] = wi;
    weights[old] -= wi;
    moved++;
  }
  return moved;
}

/**
 * The centre update: next[j] = sums[j] / weights[j]; a cluster left with no weight (only after
 * giving its single point to an empty cluster) keeps its previous centre instead of becoming
 * NaN. shift[j] = ||next_j - prev_j||; returns sum_j shift[j]^2 (the convergence measure).
 * prev, next: [k, d], sums: [k, d], weights: [k] -> shift: [k].
 */
export function updateCenters(
  prev: Float64Array,
  next: Float64Array,
  k: number,
  d: number,
  acc: CenterSums,
  shift: Float64Array,
): number {
  let total = 0;
  for (let j = 0; j < k; j++) {
    const wj = acc.weights[j];
    const alpha = 1 / wj; // multiply by the reciprocal, as scikit-learn's _average_centers
    let s = 0;
    for (let t = 0; t < d; t++) {
      const p = j * d + t;
      const v = wj > 0 ? acc.sums[p] * alpha : prev[p];
      next[p] = v;
      const diff = v - prev[p];
      s += diff * diff;
    }
    shift[j] = Math.sqrt(s);
    total += s;
  }
  return total;
}
