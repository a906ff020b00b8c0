// k-means (Lloyd and Elkan) with scikit-learn 1.2's semantics: k-means++ seeding, best of
// nInit restarts, tolerance relative to the data's variance, empty clusters relocated to the
// farthest points. Legend: n points, d features, k centres. This file validates, centres the
// data and runs the restarts; one run's iterations and stopping rules are in kmeans-run.ts.
//
// The data are centred first (as scikit-learn does): ||x||^2 - 2 x.c + ||c||^2 loses digits to
// cancellation when ||x|| is large next to the distances between points.

import { ArgumentError, intOption, nonNegative } from '../errors.js';
import { withDefaults } from '../options.js';
import { type RandomSource, toGenerator } from '../random.js';
import { keep, releaseStorage } from '../tensor/memory.js';
import { Tensor } from '../tensor/tensor.js';
import {
  columnMeans,
  givenCenters,
  initKind,
  type KMeansInit,
  kmeansPlusPlus,
  type MatrixLike,
  randomRows,
  sameClustering,
  subtractRows,
  toleranceOf,
  toMatrix,
  toWeights,
} from './kmeans-init.js';
import { CentersModel, type SampleWeightOption } from './kmeans-model.js';
import { type KMeansStep, type Problem, type RunOut, runOnce, uncenter } from './kmeans-run.js';

export type { KMeansInit, MatrixLike } from './kmeans-init.js';
export type { SampleWeightOption } from './kmeans-model.js';
export type { KMeansStep } from './kmeans-run.js';

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

/** Validated options and data for one call. */
function setup(op: string, X: MatrixLike, k: number, options: KMeansOptions) {
  const o = withDefaults(KMEANS_DEFAULTS, options, op);
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
  const squares = subtractRows(xm.data, d, mean);
  if (given !== null) subtractRows(given.data, d, mean);
  const problem: Problem = {
    x: xm.data,
    n,
    d,
    k,
    w,
    mean,
    tolAbs: toleranceOf(squares, n, d, o.tol),
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
  try {
    for (let run = 0; run < nInit; run++) {
      const out: RunOut = yield* runOnce(problem, seedCenters(gen), run);
      nDistances += out.nDistances;
      // scikit-learn 1.2: a lower inertia replaces the best only if it is a different partition
      if (best === null || (out.inertia < best.inertia && !sameClustering(out.labels, best.labels, k)))
        best = out;
    }
  } finally {
    // the centred copy of X is ours alone: its block (large X) goes straight back for the next
    // fit instead of waiting for the garbage collector (fresh pages cost ~12 us per 4 KiB here)
    releaseStorage(problem.x);
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
    this.labels = keep(r.labels); // outlives any tidy() it was fitted in
    this.inertia = r.inertia;
    this.nIter = r.nIter;
    this.nDistances = r.nDistances;
    return this;
  }
}
