// k-means (Lloyd and Elkan) with scikit-learn 1.2's semantics: k-means++ seeding, best of
// nInit restarts, tolerance relative to the data's variance, empty clusters relocated to the
// farthest points. Legend: n points, d features, k centres.
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
//
// The data are centred first (as scikit-learn does): ||x||^2 - 2 x.c + ||c||^2 loses digits to
// cancellation when ||x|| is large next to the distances between points.

import { ArgumentError, intOption, nonNegative } from '../errors.js';
import {
  type CenterSums,
  labelledInertia,
  lloydAssign,
  lloydScratch,
  relocateEmptyClusters,
  updateCenters,
} from '../kernels/kmeans.js';
import { centerHalfDistances, elkanAssign, elkanShiftBounds } from '../kernels/kmeans-elkan.js';
import { withDefaults } from '../options.js';
import { type RandomSource, toGenerator } from '../random.js';
import { Tensor } from '../tensor/tensor.js';
import {
  absoluteTol,
  columnMeans,
  givenCenters,
  initKind,
  type KMeansInit,
  kmeansPlusPlus,
  type MatrixLike,
  randomRows,
  sameClustering,
  subtractRows,
  toMatrix,
  toWeights,
} from './kmeans-init.js';
import { CentersModel, type SampleWeightOption } from './kmeans-model.js';

export type { KMeansInit, MatrixLike } from './kmeans-init.js';
export type { SampleWeightOption } from './kmeans-model.js';

/** Options of kmeans, kmeansSteps and KMeans (scikit-learn's KMeans parameters). */
export interface KMeansOptions {
  /** 'k-means++' (default), 'random', or the initial centres [k, d]. */
  init?: KMeansInit;
  /** Restarts, best inertia kept; null = 10 for random seeding, 1 for given centres (which are deterministic). */
  nInit?: number | null;
  /** Iterations per run (default 300). */
  maxIter?: number;
  /** Stop when the total squared centre shift <= tol * mean feature variance (default 1e-4). */
  tol?: number;
  /** 'lloyd' (default) or 'elkan' (same result, fewer distances). */
  algorithm?: 'lloyd' | 'elkan';
  /** Weight of each point [n] (default all 1). */
  sampleWeight?: Tensor | readonly number[] | null;
  /** Seed or Generator; null = the global generator. */
  seed?: RandomSource | null;
}

/** scikit-learn 1.2's defaults. */
export const KMEANS_DEFAULTS = {
  init: 'k-means++',
  nInit: null,
  maxIter: 300,
  tol: 1e-4,
  algorithm: 'lloyd',
  sampleWeight: null,
  seed: null,
} satisfies Required<KMeansOptions>;

/** What kmeans returns, with scikit-learn's names. */
export interface KMeansResult {
  /** Cluster of each point, int32 [n]. */
  labels: Tensor;
  /** Centres [k, d], in X's float dtype (float64 for arrays). */
  centers: Tensor;
  /** sum_i w_i ||x_i - c_{labels_i}||^2. */
  inertia: number;
  /** Iterations of the best run. */
  nIter: number;
  /** Point-centre distances computed over all runs (Lloyd: n*k per assignment). */
  nDistances: number;
}

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

interface Problem {
  x: Float64Array; // centred [n, d]
  n: number;
  d: number;
  k: number;
  w: Float64Array | null;
  mean: Float64Array;
  tolAbs: number;
  maxIter: number;
  elkan: boolean;
}

interface RunOut {
  centers: Float64Array;
  labels: Int32Array;
  inertia: number;
  nIter: number;
  nDistances: number;
}

/** Validated options and data for one call. */
function setup(op: string, X: MatrixLike, k: number, options: KMeansOptions) {
  const o = withDefaults(KMEANS_DEFAULTS, options);
  const xm = toMatrix(op, 'X', X);
  const { rows: n, cols: d } = xm;
  intOption(op, 'k', k, 1, n);
  intOption(op, 'maxIter', o.maxIter, 1);
  nonNegative(op, 'tol', o.tol);
  if (o.algorithm !== 'lloyd' && o.algorithm !== 'elkan') {
    throw new ArgumentError(
      `${op}: unknown algorithm '${String(o.algorithm)}' (expected 'lloyd' or 'elkan')`,
    );
  }
  const kind = initKind(op, o.init);
  const given = typeof o.init === 'string' ? null : givenCenters(op, o.init, k, d);
  if (o.nInit !== null) intOption(op, 'nInit', o.nInit, 1);
  // given centres are deterministic: restarts would repeat the same run (scikit-learn warns and runs once)
  const nInit = given !== null ? 1 : (o.nInit ?? 10);
  const w = toWeights(op, o.sampleWeight, n);
  const mean = columnMeans(xm);
  subtractRows(xm.data, d, mean);
  if (given !== null) subtractRows(given.data, d, mean);
  const problem: Problem = {
    x: xm.data,
    n,
    d,
    k,
    w,
    mean,
    tolAbs: absoluteTol(xm, o.tol),
    maxIter: o.maxIter,
    elkan: o.algorithm === 'elkan',
  };
  const seedCenters = (gen: ReturnType<typeof toGenerator>): Float64Array => {
    if (given !== null) return Float64Array.from(given.data);
    return kind === 'random' ? randomRows(xm, k, gen) : kmeansPlusPlus(xm, k, w, gen);
  };
  return {
    problem,
    nInit,
    seed: o.seed,
    seedCenters,
    floatDType: (X instanceof Tensor ? X.dtype : 'float64') as 'float32' | 'float64',
  };
}

// centred float64 centres -> a Tensor in the caller's coordinates
function uncenter(c: Float64Array, p: Problem, dtype: 'float32' | 'float64'): Tensor {
  const out = dtype === 'float32' ? new Float32Array(c.length) : new Float64Array(c.length);
  for (let i = 0; i < c.length; i++) out[i] = c[i] + p.mean[i % p.d];
  return new Tensor(out, [p.k, p.d]);
}

// a plain function, not inline in the generator: V8 optimises generator bodies less eagerly
function sameLabels(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One run from the given (centred) centres; yields every iteration. */
function* runOnce(p: Problem, init: Float64Array, run: number): Generator<KMeansStep, RunOut, void> {
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
    nDistances += elkanAssign(x, n, d, c, k, w, half, nextHalf, labels, bounds, first, into);
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

/**
 * k-means as a generator: yields every iteration of every restart ({run, iter, inertia, labels,
 * centers, ...}) and returns the best run's result. kmeans() drains it; the CLI shows progress.
 */
// X: [n, d] -> labels: [n] int32, centers: [k, d]
export function* kmeansSteps(
  X: MatrixLike,
  k: number,
  options: KMeansOptions = {},
): Generator<KMeansStep, KMeansResult, void> {
  const { problem, nInit, seed, seedCenters, floatDType } = setup('kmeans', X, k, options);
  const gen = toGenerator(seed ?? undefined);
  let best: RunOut | null = null;
  let nDistances = 0;
  for (let run = 0; run < nInit; run++) {
    const out: RunOut = yield* runOnce(problem, seedCenters(gen), run);
    nDistances += out.nDistances;
    // scikit-learn 1.2: a lower inertia replaces the best only if it is a different partition
    if (best === null || (out.inertia < best.inertia && !sameClustering(out.labels, best.labels, k)))
      best = out;
  }
  const b = best as RunOut;
  return {
    labels: new Tensor(b.labels, [problem.n]),
    centers: uncenter(b.centers, problem, floatDType),
    inertia: b.inertia,
    nIter: b.nIter,
    nDistances,
  };
}

/** k-means clustering of the rows of X (scikit-learn's KMeans semantics). */
// X: [n, d] -> labels: [n] int32, centers: [k, d]
export function kmeans(X: MatrixLike, k: number, options: KMeansOptions = {}): KMeansResult {
  const steps = kmeansSteps(X, k, options);
  let r = steps.next();
  while (!r.done) r = steps.next();
  return r.value;
}

/** k-means as an estimator: fit, then predict / transform / score new points. */
export class KMeans extends CentersModel {
  readonly options: Omit<KMeansOptions, 'sampleWeight'>;
  /** Point-centre distances computed by the last fit. */
  nDistances = 0;

  constructor(k: number, options: Omit<KMeansOptions, 'sampleWeight'> = {}) {
    super('KMeans', k);
    this.options = options;
  }

  /** Fits the centres to X. X: [n, d]. */
  fit(X: MatrixLike, opts: SampleWeightOption = {}): this {
    const r = kmeans(X, this.k, { ...this.options, sampleWeight: opts.sampleWeight ?? null });
    this.setCenters(r.centers);
    this.labels = r.labels;
    this.inertia = r.inertia;
    this.nIter = r.nIter;
    this.nDistances = r.nDistances;
    return this;
  }
}
