// Elkan's k-means assignment (Elkan 2003, "Using the triangle inequality to accelerate
// k-means"). Legend: n points, d features, k centres; x [n, d], c [k, d].
//
// Per point we keep an upper bound u >= ||x - c_a|| on the distance to its own centre a and
// lower bounds l[j] <= ||x - c_j|| for every centre. Centre j cannot beat a when
//   u <= l[j]                       (it is at least l[j] away), or
//   u <= ||c_a - c_j|| / 2          (triangle inequality: ||x - c_j|| >= ||c_a - c_j|| - ||x - c_a||),
// and no centre can when u <= s(a) = min_j ||c_a - c_j|| / 2. After the centres move by
// shift[j], u += shift[a] and l[j] -= shift[j] keep the bounds valid. The labels are the same
// as Lloyd's (up to exact ties); only the number of distances computed changes.

import { type CenterSums, sqDist } from './kmeans.js';

/**
 * half[a, b] = ||c_a - c_b|| / 2 and next[a] = min_{b != a} half[a, b] (Elkan's s(a)).
 * c: [k, d] -> half: [k, k], next: [k].
 */
export function centerHalfDistances(
  c: Float64Array,
  k: number,
  d: number,
  half: Float64Array,
  next: Float64Array,
): void {
  for (let a = 0; a < k; a++) {
    half[a * k + a] = 0;
    for (let b = a + 1; b < k; b++) {
      const h = Math.sqrt(sqDist(c, a, c, b, d)) / 2;
      half[a * k + b] = h;
      half[b * k + a] = h;
    }
  }
  for (let a = 0; a < k; a++) {
    let m = Number.POSITIVE_INFINITY;
    for (let b = 0; b < k; b++) if (b !== a && half[a * k + b] < m) m = half[a * k + b];
    next[a] = m;
  }
}

/** Elkan's per-point bounds: upper [n] (distance to own centre), lower [n, k]. */
export interface ElkanBounds {
  upper: Float64Array;
  lower: Float64Array;
}

/**
 * Where an Elkan assignment starts. 'scan': labels unknown (the first iteration), every point
 * scans the centres from 0, skipping j when d(x, c_best) <= half[best, j], and sets its bounds.
 * 'bounds': labels and bounds from the previous iteration (already moved by elkanShiftBounds).
 */
export type ElkanStart = 'scan' | 'bounds';

/**
 * Elkan assignment against centres c, from `start`. Returns the number of point-centre
 * distances computed. Accumulates `acc` like lloydAssign.
 * x: [n, d], c: [k, d], half: [k, k], next: [k] -> labels: [n], bounds updated.
 */
export function elkanAssign(
  x: Float64Array,
  n: number,
  d: number,
  c: Float64Array,
  k: number,
  w: Float64Array | null,
  half: Float64Array,
  next: Float64Array,
  labels: Int32Array,
  bounds: ElkanBounds,
  start: ElkanStart,
  acc: CenterSums | null,
): number {
  const { upper, lower } = bounds;
  const scan = start === 'scan';
  let count = 0;
  for (let i = 0; i < n; i++) {
    const lo = i * k;
    let a: number;
    let u: number;
    if (scan) {
      a = 0;
      u = Math.sqrt(sqDist(x, i, c, 0, d));
      lower[lo] = u;
      count++;
      for (let j = 1; j < k; j++) {
        lower[lo + j] = 0; // a bound never computed stays 0: no pruning from it
        if (u > half[a * k + j]) {
          const dj = Math.sqrt(sqDist(x, i, c, j, d));
          lower[lo + j] = dj;
          count++;
          if (dj < u) {
            a = j;
            u = dj;
          }
        }
      }
    } else {
      a = labels[i];
      u = upper[i];
      // Lemma 1: if u <= s(a) no other centre is closer than half the gap to the nearest one
      if (u > next[a]) {
        let tight = false;
        for (let j = 0; j < k; j++) {
          if (j === a || u <= lower[lo + j] || u <= half[a * k + j]) continue;
          if (!tight) {
            // the bound drifted with the centre shifts: tighten it once, then re-test
            u = Math.sqrt(sqDist(x, i, c, a, d));
            lower[lo + a] = u;
            tight = true;
            count++;
            if (u <= lower[lo + j] || u <= half[a * k + j]) continue;
          }
          const dj = Math.sqrt(sqDist(x, i, c, j, d));
          lower[lo + j] = dj;
          count++;
          if (dj < u) {
            a = j;
            u = dj;
          }
        }
      }
    }
    labels[i] = a;
    upper[i] = u;
    if (acc !== null) {
      const wi = w === null ? 1 : w[i];
      const px = i * d;
      const pc = a * d;
      for (let t = 0; t < d; t++) acc.sums[pc + t] += wi * x[px + t];
      acc.weights[a] += wi;
    }
  }
  return count;
}

/**
 * After the centres moved by shift[j] = ||c_j(new) - c_j(old)||: u grows by its centre's
 * shift, every l[j] shrinks by shift[j] (triangle inequality), clamped at 0.
 */
export function elkanShiftBounds(
  n: number,
  k: number,
  labels: Int32Array,
  shift: Float64Array,
  bounds: ElkanBounds,
): void {
  const { upper, lower } = bounds;
  for (let i = 0; i < n; i++) {
    upper[i] += shift[labels[i]];
    const lo = i * k;
    for (let j = 0; j < k; j++) {
      lower[lo + j] = Math.max(lower[lo + j] - shift[j], 0);
    }
  }
}
