// Mini-batch k-means (Sculley 2010) with scikit-learn 1.2's MiniBatchKMeans semantics, for data
// too large for full Lloyd iterations. Legend: n points, d features, k centres, b batch size.
//
// Each step draws b points (with replacement), assigns them to the current centres and moves
// every centre that received batch weight W_j towards the batch mean of its points:
//   c_j <- (N_j c_j + sum_{i in batch, j} w_i x_i) / (N_j + W_j),   N_j <- N_j + W_j,
// i.e. a per-centre learning rate W_j / N_j that decays as the centre accumulates points
// (N_j = total weight the centre has ever received). Centres that receive almost nothing
// (N_j < reassignmentRatio * max N) are moved onto random batch points every ~10k points, so
// none stays stranded. Stopping: after maxIter epochs (n / b steps each), or earlier when the
// exponentially weighted average of the batch inertia has not improved for maxNoImprovement
// steps, or (tol > 0) when the squared centre movement of a step is <= tol * mean variance.
// Drawing the rows and seeding the centres (scikit-learn's init_size scheme) are in
// minibatch-kmeans-init.ts.

import { ArgumentError, fmtShape, intOption, nonNegative, ShapeError } from '../errors.js';
import { type CenterSums, lloydAssign, lloydScratch } from '../kernels/kmeans.js';
import { withDefaults } from '../options.js';
import { type Generator, type RandomSource, toGenerator } from '../random.js';
import { keep } from '../tensor/memory.js';
import { Tensor } from '../tensor/tensor.js';
import {
  columnMeans,
  initKind,
  type KMeansInit,
  type Matrix,
  type MatrixLike,
  subtractRows,
  toleranceOf,
  toMatrix,
  toWeights,
} from './kmeans-init.js';
import { assignAll, CentersModel, type SampleWeightOption } from './kmeans-model.js';
import { drawRows, seedCenters } from './minibatch-kmeans-init.js';

/** Options of MiniBatchKMeans (scikit-learn's MiniBatchKMeans parameters). */
export interface MiniBatchKMeansOptions {
  /** Points per step (default 1024, as scikit-learn 1.2). */
  batchSize?: number;
  /** Epochs: passes' worth of steps over the data (default 100). */
  maxIter?: number;
  /** 'k-means++' (default), 'random', or the initial centres [k, d]. */
  init?: KMeansInit;
  /** Seedings tried on a subsample, the best by inertia on a validation subsample kept (default 3). */
  nInit?: number;
  /** Points the seeding sees; null = 3 * batchSize (at least 3k, at most n). */
  initSize?: number | null;
  /** Centres with fewer than this fraction of the largest count are reassigned (default 0.01). */
  reassignmentRatio?: number;
  /** Steps without improvement of the smoothed batch inertia before stopping; null = never (default 10). */
  maxNoImprovement?: number | null;
  /** Stop when a step moves the centres by <= tol * mean feature variance (default 0: off). */
  tol?: number;
  /** Seed or Generator; null = the global generator. */
  seed?: RandomSource | null;
}

const OP = 'MiniBatchKMeans';

/** scikit-learn 1.2's defaults. */
export const MINIBATCH_KMEANS_DEFAULTS = {
  batchSize: 1024,
  maxIter: 100,
  init: 'k-means++',
  nInit: 3,
  initSize: null,
  reassignmentRatio: 0.01,
  maxNoImprovement: 10,
  tol: 0,
  seed: null,
} satisfies Required<MiniBatchKMeansOptions>;

/** Mini-batch k-means estimator: fit (or partialFit batch by batch), then predict / transform / score. */
export class MiniBatchKMeans extends CentersModel {
  readonly options: Required<MiniBatchKMeansOptions>;
  /** Total weight each centre has received, [k]. */
  counts: Float64Array | null = null;
  /** Mini-batch steps taken by the last fit. */
  nSteps = 0;
  private gen: Generator | null = null;
  private sinceReassign = 0;
  // a step's scratch, kept across steps: the centre sums [k, d] and weights [k], and the batch
  // labels [b] (grown to the largest batch seen)
  private acc: CenterSums | null = null;
  private batchLabels = new Int32Array(0);

  constructor(k: number, options: MiniBatchKMeansOptions = {}) {
    super(OP, k);
    const o = withDefaults(MINIBATCH_KMEANS_DEFAULTS, options, OP);
    intOption(OP, 'batchSize', o.batchSize, 1);
    intOption(OP, 'maxIter', o.maxIter, 1);
    intOption(OP, 'nInit', o.nInit, 1);
    if (o.initSize !== null) intOption(OP, 'initSize', o.initSize, 1);
    if (o.maxNoImprovement !== null) intOption(OP, 'maxNoImprovement', o.maxNoImprovement, 1);
    if (!(o.reassignmentRatio >= 0))
      throw new ArgumentError(`${OP}: reassignmentRatio must be >= 0, got ${o.reassignmentRatio}`);
    nonNegative(OP, 'tol', o.tol);
    initKind(OP, o.init);
    this.options = o;
  }

  /** Fits the centres by mini-batch steps over X. X: [n, d]. */
  fit(X: MatrixLike, opts: SampleWeightOption = {}): this {
    const o = this.options;
    const x = toMatrix(OP, 'X', X);
    const { rows: n, cols: d } = x;
    const { k } = this;
    intOption(OP, 'k', k, 1, n);
    const w = toWeights(OP, opts.sampleWeight ?? null, n);
    const gen = this.freshGenerator();
    const b = Math.min(o.batchSize, n);
    const tolAbs = o.tol > 0 ? toleranceOf(centredSquares(x), n, d, o.tol) : 0;
    const c = seedCenters(OP, x, w, k, o, gen);
    const counts = new Float64Array(k);
    this.counts = counts;
    this.sinceReassign = 0;
    const batch = new Float64Array(b * d);
    const bw = w === null ? null : new Float64Array(b);
    const steps = Math.floor((o.maxIter * n) / b);
    const alpha = Math.min(1, (b * 2) / (n + 1)); // smoothing of the batch inertia
    let ewa = Number.NaN;
    let ewaMin = Number.POSITIVE_INFINITY;
    let noImprovement = 0;
    let step = 0;
    while (step < steps) {
      drawRows(x, w, gen, batch, bw);
      const { inertia, moved } = this.step(batch, b, d, bw, c, counts, gen);
      step++;
      if (step === 1) continue; // the first step moves the centres from their seeds: not informative
      const batchInertia = inertia / b;
      ewa = Number.isNaN(ewa) ? batchInertia : ewa * (1 - alpha) + batchInertia * alpha;
      if (o.tol > 0 && moved <= tolAbs) break;
      if (ewa < ewaMin) {
        ewaMin = ewa;
        noImprovement = 0;
      } else noImprovement++;
      if (o.maxNoImprovement !== null && noImprovement >= o.maxNoImprovement) break;
    }
    this.nSteps = step;
    this.nIter = Math.ceil((step * b) / n);
    this.finish(x, w, c, X);
    return this;
  }

  /** One mini-batch step on the rows of X (seeding the centres from X on the first call). X: [b, d]. */
  partialFit(X: MatrixLike, opts: SampleWeightOption = {}): this {
    const op = `${OP}.partialFit`;
    const x = toMatrix(op, 'X', X);
    const w = toWeights(op, opts.sampleWeight ?? null, x.rows);
    let c = this.c64;
    if (c === null || this.counts === null) {
      if (this.k > x.rows)
        throw new ArgumentError(`${op}: the first batch needs at least k = ${this.k} rows, got ${x.rows}`);
      c = seedCenters(OP, x, w, this.k, this.options, this.freshGenerator());
      this.counts = new Float64Array(this.k);
      this.sinceReassign = 0;
      this.nSteps = 0;
    } else if (x.cols * this.k !== c.length) {
      const d = c.length / this.k;
      throw new ShapeError(
        `${op}: X must have ${d} columns like the fitted data, got ${fmtShape([x.rows, x.cols])}`,
      );
    }
    this.step(x.data, x.rows, x.cols, w, c, this.counts, this.gen as Generator);
    this.nSteps++;
    this.finish(x, w, c, X);
    return this;
  }

  // fit restarts from the seed; partialFit continues with the generator of its first call
  private freshGenerator(): Generator {
    this.gen = toGenerator(this.options.seed ?? undefined);
    return this.gen;
  }

  // One step on b rows: assign, move the centres that got weight, reassign starved centres.
  // batch: [b, d], c: [k, d] (updated in place), counts: [k] (updated). Returns the batch inertia
  // (against the centres before the step) and the squared centre movement.
  private step(
    batch: Float64Array,
    b: number,
    d: number,
    bw: Float64Array | null,
    c: Float64Array,
    counts: Float64Array,
    gen: Generator,
  ) {
    const { k } = this;
    const acc = this.stepScratch(b, d);
    // a fresh lloydScratch: lloydAssign's wasm path keeps x resident per scratch, and fit
    // refills one batch buffer in place
    const inertia = lloydAssign(batch, b, d, c, k, bw, this.batchLabels, null, acc, lloydScratch(k, d));
    let moved = 0;
    for (let j = 0; j < k; j++) {
      const wj = acc.weights[j];
      if (wj === 0) continue;
      const total = counts[j] + wj;
      for (let t = 0; t < d; t++) {
        const p = j * d + t;
        const v = (c[p] * counts[j] + acc.sums[p]) / total;
        moved += (v - c[p]) ** 2;
        c[p] = v;
      }
      counts[j] = total;
    }
    // every ~10 k points (or as soon as a centre has no weight at all), reassign starved centres
    this.sinceReassign += b;
    let anyZero = false;
    for (let j = 0; j < k; j++) if (counts[j] === 0) anyZero = true;
    if (this.options.reassignmentRatio > 0 && (anyZero || this.sinceReassign >= 10 * k)) {
      this.sinceReassign = 0;
      reassignStarved(batch, b, d, c, counts, k, this.options.reassignmentRatio, gen);
    }
    return { inertia, moved };
  }

  // the step's centre sums (zeroed) for k centres of d features; batchLabels holds >= b labels
  private stepScratch(b: number, d: number): CenterSums {
    const { k } = this;
    if (this.acc === null || this.acc.sums.length !== k * d) {
      this.acc = { sums: new Float64Array(k * d), weights: new Float64Array(k) };
    } else {
      this.acc.sums.fill(0);
      this.acc.weights.fill(0);
    }
    if (this.batchLabels.length < b) this.batchLabels = new Int32Array(b);
    return this.acc;
  }

  // labels and inertia of the training rows against the final centres
  private finish(x: Matrix, w: Float64Array | null, c: Float64Array, X: MatrixLike): void {
    const { labels, inertia } = assignAll(x, c, this.k, w);
    this.inertia = inertia;
    this.labels = keep(new Tensor(labels, [x.rows]));
    const out = X instanceof Tensor && X.dtype === 'float32' ? Float32Array.from(c) : Float64Array.from(c);
    this.setCenters(new Tensor(out, [this.k, x.cols]));
    this.c64 = c; // keep full precision for later partialFit / predict calls
  }
}

// Centres whose count is below ratio * max count move onto distinct random batch points (at
// most half the batch), and get the smallest remaining count so they are not reassigned
// again at once. batch: [b, d], c: [k, d], counts: [k].
function reassignStarved(
  batch: Float64Array,
  b: number,
  d: number,
  c: Float64Array,
  counts: Float64Array,
  k: number,
  ratio: number,
  gen: Generator,
): void {
  let max = 0;
  for (let j = 0; j < k; j++) max = Math.max(max, counts[j]);
  const starved: number[] = [];
  for (let j = 0; j < k; j++) if (counts[j] < ratio * max) starved.push(j);
  if (starved.length === 0) return;
  if (starved.length > 0.5 * b) {
    starved.sort((p, q) => counts[p] - counts[q] || p - q);
    starved.length = Math.floor(0.5 * b);
  }
  const picks = gen.sampleWithoutReplacement(b, starved.length);
  let minKept = Number.POSITIVE_INFINITY;
  const isStarved = new Uint8Array(k);
  for (const j of starved) isStarved[j] = 1;
  for (let j = 0; j < k; j++) if (!isStarved[j]) minKept = Math.min(minKept, counts[j]);
  starved.forEach((j, r) => {
    c.set(batch.subarray(picks[r] * d, picks[r] * d + d), j * d);
    counts[j] = minKept;
  });
}

// the sum of squares of X centred (on a copy), for the variance-relative tolerance
function centredSquares(x: Matrix): number {
  return subtractRows(Float64Array.from(x.data), x.cols, columnMeans(x));
}
