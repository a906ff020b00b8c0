// What KMeans and MiniBatchKMeans share once fitted: k centres, and predict / transform /
// score on new points. Legend: m points, d features, k centres.

import { ArgumentError, fmtShape, intOption, ShapeError } from '../errors.js';
import { lloydAssign, lloydScratch, sqDist } from '../kernels/kmeans.js';
import { keep } from '../tensor/memory.js';
import { Tensor } from '../tensor/tensor.js';
import { type Matrix, type MatrixLike, toMatrix, toWeights } from './kmeans-init.js';

/**
 * Nearest centre of every row and the (weighted) inertia, with no centre statistics: what
 * predict, score and a fit's final labels need. x: [m, d], c: [k, d], w: [m] | null -> labels [m].
 */
export function assignAll(
  x: Matrix,
  c: Float64Array,
  k: number,
  w: Float64Array | null,
): { labels: Int32Array; inertia: number } {
  const labels = new Int32Array(x.rows);
  const inertia = lloydAssign(x.data, x.rows, x.cols, c, k, w, labels, null, null, lloydScratch(k, x.cols));
  return { labels, inertia };
}

/** Per-point weights as fit/score take them. */
export interface SampleWeightOption {
  /** Weight of each point [n] (default all 1). */
  sampleWeight?: Tensor | readonly number[] | null;
}

/** A fitted set of k centres (the base of KMeans and MiniBatchKMeans). */
export abstract class CentersModel {
  readonly k: number;
  /** Fitted centres [k, d] (X's float dtype); null before fit. */
  centers: Tensor | null = null;
  /** Labels of the training points, int32 [n]; null before fit. */
  labels: Tensor | null = null;
  /** Inertia of the training points against the fitted centres. */
  inertia = Number.NaN;
  /** Iterations (KMeans) or epochs over the data (MiniBatchKMeans). */
  nIter = 0;
  /** The centres in float64, as the kernels read them. */
  protected c64: Float64Array | null = null;

  constructor(
    protected readonly opName: string,
    k: number,
  ) {
    this.k = intOption(opName, 'k', k, 1);
  }

  /** Fits the model to X. X: [n, d]. */
  abstract fit(X: MatrixLike, opts?: SampleWeightOption): this;

  /** Fits, then returns the training labels, int32 [n]. */
  fitPredict(X: MatrixLike, opts: SampleWeightOption = {}): Tensor {
    return this.fit(X, opts).labels as Tensor;
  }

  /** Nearest fitted centre of each row. X: [m, d] -> int32 [m]. */
  predict(X: MatrixLike): Tensor {
    return this.assign('predict', X, null).labels;
  }

  /** Euclidean distance of each row to each centre (as scikit-learn's transform). X: [m, d] -> [m, k], X's float dtype. */
  transform(X: MatrixLike): Tensor {
    const c = this.fitted('transform');
    const x = this.matrix('transform', X);
    const { k } = this;
    const d = x.cols;
    const out =
      X instanceof Tensor && X.dtype === 'float32'
        ? new Float32Array(x.rows * k)
        : new Float64Array(x.rows * k);
    for (let i = 0; i < x.rows; i++) {
      for (let j = 0; j < k; j++) out[i * k + j] = Math.sqrt(sqDist(x.data, i, c, j, d));
    }
    return new Tensor(out, [x.rows, k]);
  }

  /** Minus the (weighted) inertia of X against the fitted centres: higher is better, as scikit-learn. X: [m, d]. */
  score(X: MatrixLike, opts: SampleWeightOption = {}): number {
    return -this.assign('score', X, opts.sampleWeight ?? null).inertia;
  }

  /** Stores fitted centres (a float64 copy is kept for the kernels). centers: [k, d]. */
  protected setCenters(centers: Tensor): void {
    this.centers = keep(centers); // a fitted model outlives any tidy() it was fitted in
    this.c64 = Float64Array.from(centers.data);
  }

  protected fitted(op: string): Float64Array {
    if (this.c64 === null)
      throw new ArgumentError(`${this.opName}.${op}: the model is not fitted (call fit(X) first)`);
    return this.c64;
  }

  private matrix(op: string, X: MatrixLike): Matrix {
    const x = toMatrix(`${this.opName}.${op}`, 'X', X);
    const d = (this.centers as Tensor).shape[1];
    if (x.cols !== d) {
      throw new ShapeError(
        `${this.opName}.${op}: X must have ${d} columns like the fitted data, got ${fmtShape([x.rows, x.cols])}`,
      );
    }
    return x;
  }

  private assign(op: string, X: MatrixLike, sampleWeight: Tensor | readonly number[] | null) {
    const c = this.fitted(op);
    const x = this.matrix(op, X);
    const w = toWeights(`${this.opName}.${op}`, sampleWeight, x.rows);
    const { labels, inertia } = assignAll(x, c, this.k, w);
    return { labels: new Tensor(labels, [x.rows]), inertia };
  }
}
