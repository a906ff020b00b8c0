// One k-means run (Lloyd or Elkan) from given centres, as a generator of its iterations; the
// restarts, validation and public API are in kmeans.ts. Legend: n points, d features, k centres.
//
// One Lloyd iteration t: assign every point to its nearest centre (labels_t, against
// centres_{t-1}), then move each centre to the weighted mean of its points. Stop after
// iteration t at the first of
//   (1) labels_t == labels_{t-1}       strict convergence (t counts this idle iteration);
//   (2) sum_j ||c_j,t - c_j,t-1||^2 <= tol * mean_f var(X[:, f]);
//   (3) t == maxIter.
// After (2) or (3) the labels are assigned once more to the final centres, so labels and
// centres always agree. Elkan's variant prunes distances with the triangle inequality and
// follows exactly the same sequence of labels and centres.

import {
  type CenterSums,
  labelledInertia,
  lloydAssign,
  lloydScratch,
  relocateEmptyClusters,
  updateCenters,
} from '../kernels/kmeans.js';
import { centerHalfDistances, elkanAssign, elkanShiftBounds } from '../kernels/kmeans-elkan.js';
import { Tensor } from '../tensor/tensor.js';

/** One iteration of one run, as the step generator yields it. */
export interface KMeansStep {
  /** Restart index, from 0. */
  run: number;
  /** Iteration within the run, from 1. */
  iter: number;
  /** Objective of this iteration's assignment (against the centres before the update); never rises. */
  inertia: number;
  /**
   * Labels of this iteration's assignment, int32 [n]. A view of the run's working buffer, valid
   * until the generator resumes (clone() to keep it): copying n labels every iteration would
   * cost more than the centre update.
   */
  labels: Tensor;
  /** Centres after the update, float64 [k, d]. */
  centers: Tensor;
  /** sum_j ||c_j(new) - c_j(old)||^2. */
  shift: number;
  /** Empty clusters relocated in this update. */
  relocated: number;
}

/** The validated, centred problem one run solves. */
export interface Problem {
  /** The points minus their column means, [n, d]. */
  x: Float64Array;
  n: number;
  d: number;
  k: number;
  /** Point weights [n]; null = all 1. */
  w: Float64Array | null;
  /** The column means [d] taken off x (uncenter adds them back). */
  mean: Float64Array;
  /** Stopping rule (2): tol * mean feature variance. */
  tolAbs: number;
  maxIter: number;
  /** Elkan's pruned assignment instead of Lloyd's. */
  elkan: boolean;
}

/** What one run ends with (centred centres). */
export interface RunOut {
  centers: Float64Array;
  labels: Int32Array;
  inertia: number;
  nIter: number;
  nDistances: number;
}

/** Centred float64 centres -> a Tensor in the caller's coordinates. c: [k, d] -> [k, d]. */
export function uncenter(c: Float64Array, p: Problem, dtype: 'float32' | 'float64'): Tensor {
  const out = dtype === 'float32' ? new Float32Array(c.length) : new Float64Array(c.length);
  for (let i = 0; i < c.length; i++) out[i] = c[i] + p.mean[i % p.d];
  return new Tensor(out, [p.k, p.d]);
}

// a plain function, not inline in the generator: V8 optimises generator bodies less eagerly
function sameLabels(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One run from the given (centred) centres; yields every iteration. init: [k, d]. */
export function* runOnce(p: Problem, init: Float64Array, run: number): Generator<KMeansStep, RunOut, void> {
  const { x, n, d, k, w } = p;
  let c: Float64Array = init;
  let next: Float64Array = new Float64Array(k * d);
  const labels = new Int32Array(n);
  const labelsView = new Tensor(labels, [n]);
  const prev = new Int32Array(n).fill(-1);
  const acc: CenterSums = { sums: new Float64Array(k * d), weights: new Float64Array(k) };
  const shift = new Float64Array(k);
  const scratch = p.elkan ? new Float64Array(0) : lloydScratch(k, d);
  const half = new Float64Array(k * k);
  const nextHalf = new Float64Array(k);
  const bounds = p.elkan ? { upper: new Float64Array(n), lower: new Float64Array(n * k) } : null;
  let nDistances = 0;
  let strict = false;
  let nIter = 0;
  // accumulate: also sum the points into acc (for the update); first: Elkan has no bounds yet
  const assign = ({ accumulate, first }: { accumulate: boolean; first: boolean }): number => {
    const into = accumulate ? acc : null;
    if (bounds === null) {
      nDistances += n * k;
      return lloydAssign(x, n, d, c, k, w, labels, null, into, scratch);
    }
    if (first) centerHalfDistances(c, k, d, half, nextHalf);
    const start = first ? 'scan' : 'bounds';
    nDistances += elkanAssign(x, n, d, c, k, w, half, nextHalf, labels, bounds, start, into);
    return labelledInertia(x, n, d, c, w, labels);
  };
  for (let t = 1; t <= p.maxIter; t++) {
    nIter = t;
    acc.sums.fill(0);
    acc.weights.fill(0);
    const inertia = assign({ accumulate: true, first: t === 1 });
    const relocated = relocateEmptyClusters(x, n, d, c, k, w, labels, acc);
    const moved = updateCenters(c, next, k, d, acc, shift);
    [c, next] = [next, c];
    if (bounds !== null) {
      centerHalfDistances(c, k, d, half, nextHalf);
      elkanShiftBounds(n, k, labels, shift, bounds);
    }
    yield {
      run,
      iter: t,
      inertia,
      shift: moved,
      relocated,
      labels: labelsView,
      centers: uncenter(c, p, 'float64'),
    };
    if (sameLabels(labels, prev)) {
      strict = true;
      break;
    }
    if (moved <= p.tolAbs) break;
    prev.set(labels);
  }
  if (!strict) assign({ accumulate: false, first: false }); // labels for the final centres
  return { centers: c, labels, inertia: labelledInertia(x, n, d, c, w, labels), nIter, nDistances };
}
