// k-means input handling and seeding: X and given centres as float64 matrices (validated),
// sample weights, scikit-learn's tolerance scale, and the two random initialisations
// ('k-means++' greedy with local trials, and 'random' distinct rows).
// Legend: n points, d features, k centres.

import { ArgumentError, DTypeError, fmtShape, ShapeError } from '../errors.js';
import { sqDist } from '../kernels/kmeans.js';
import type { Generator } from '../random.js';
import { allocateUninit } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/** A matrix as k-means takes it: a 2-D float tensor or nested number arrays. */
export type MatrixLike = Tensor | readonly (readonly number[])[];

/** How to seed the centres: greedy k-means++, k distinct random rows, or given centres [k, d]. */
export type KMeansInit = 'k-means++' | 'random' | MatrixLike;

/** A validated row-major float64 copy of a matrix. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** X or centres as float64 [rows, cols]; rejects non-2-D, non-float, ragged and non-finite input. */
// x: [rows, cols] -> Matrix (a copy)
export function toMatrix(op: string, what: string, x: MatrixLike): Matrix {
  let data: Float64Array;
  let rows: number;
  let cols: number;
  if (x instanceof Tensor) {
    if (x.ndim !== 2) throw new ShapeError(`${op}: ${what} must be 2-D [n, d], got ${fmtShape(x.shape)}`);
    if (x.dtype !== 'float32' && x.dtype !== 'float64') {
      throw new DTypeError(`${op}: ${what} must be float32 or float64, got ${x.dtype}`);
    }
    [rows, cols] = x.shape;
    // large data lives in wasm memory (the k-means kernel reads it in place); every value is set below
    data = allocateUninit('float64', x.size) as Float64Array;
    // an explicit loop: V8's Float32Array -> Float64Array constructor runs ~10x slower than this;
    // the finiteness check rides along (v - v is NaN for NaN and +-inf), saving a pass over X
    const src = x.data;
    for (let p = 0; p < data.length; p++) {
      const v = src[p];
      data[p] = v;
      if (v - v !== 0) throw nonFinite(op, what, v, p, cols);
    }
  } else {
    if (!Array.isArray(x))
      throw new ArgumentError(`${op}: ${what} must be a Tensor or number[][], got ${typeof x}`);
    rows = x.length;
    cols = rows > 0 && Array.isArray(x[0]) ? x[0].length : 0;
    data = allocateUninit('float64', rows * cols) as Float64Array;
    for (let i = 0; i < rows; i++) {
      const row = x[i];
      if (!Array.isArray(row) || row.length !== cols) {
        throw new ShapeError(
          `${op}: ${what} is ragged: row ${i} has length ${Array.isArray(row) ? row.length : 'none'} (vs ${cols})`,
        );
      }
      for (let j = 0; j < cols; j++) data[i * cols + j] = row[j];
    }
    for (let p = 0; p < data.length; p++)
      if (!Number.isFinite(data[p])) throw nonFinite(op, what, data[p], p, cols);
  }
  if (rows === 0 || cols === 0) throw new ShapeError(`${op}: ${what} is empty ${fmtShape([rows, cols])}`);
  return { data, rows, cols };
}

function nonFinite(op: string, what: string, v: number, p: number, cols: number): ArgumentError {
  const i = Math.floor(p / cols);
  return new ArgumentError(
    `${op}: ${what} has a non-finite value ${v} at [${i},${p - i * cols}] (expected finite numbers)`,
  );
}

/** Checks an init option: a seeding name is returned as is, given centres as 'given'. */
export function initKind(op: string, init: KMeansInit): 'k-means++' | 'random' | 'given' {
  if (typeof init !== 'string') return 'given';
  if (init !== 'k-means++' && init !== 'random') {
    throw new ArgumentError(
      `${op}: unknown init '${String(init)}' (expected 'k-means++', 'random' or centres [k, d])`,
    );
  }
  return init;
}

/** Given initial centres as a validated float64 copy. init: [k, d] -> Matrix. */
export function givenCenters(op: string, init: MatrixLike, k: number, d: number): Matrix {
  const c = toMatrix(op, 'init', init);
  if (c.rows !== k || c.cols !== d) {
    throw new ShapeError(
      `${op}: init centres must have shape [${k},${d}], got ${fmtShape([c.rows, c.cols])}`,
    );
  }
  return c;
}

/** Sample weights as float64 [n] (null = all ones); must be finite, >= 0, with a positive sum. */
export function toWeights(op: string, w: Tensor | readonly number[] | null, n: number): Float64Array | null {
  if (w === null) return null;
  const src = w instanceof Tensor ? w.data : w;
  const shape = w instanceof Tensor ? w.shape : [w.length];
  if (shape.length !== 1 || src.length !== n) {
    throw new ShapeError(`${op}: sampleWeight must have shape [${n}], got ${fmtShape(shape)}`);
  }
  const out = Float64Array.from(src);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (!(out[i] >= 0) || !Number.isFinite(out[i])) {
      throw new ArgumentError(`${op}: sampleWeight[${i}] must be a finite number >= 0, got ${out[i]}`);
    }
    total += out[i];
  }
  if (!(total > 0)) throw new ArgumentError(`${op}: sampleWeight must have a positive sum, got ${total}`);
  return out;
}

/** Column means of x: [n, d] -> [d]. */
export function columnMeans(x: Matrix): Float64Array {
  const { data, rows, cols } = x;
  const m = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m[j] += data[i * cols + j];
  for (let j = 0; j < cols; j++) m[j] /= rows;
  return m;
}

/**
 * Subtracts `mean` from every row in place and returns the sum of squares of the result, in
 * element order (toleranceOf's input, in the same pass). x: [n, d], mean: [d] -> scalar.
 */
export function subtractRows(x: Float64Array, d: number, mean: Float64Array): number {
  let s = 0;
  for (let p = 0; p < x.length; p += d) {
    for (let j = 0; j < d; j++) {
      const v = x[p + j] - mean[j];
      x[p + j] = v;
      s += v * v;
    }
  }
  return s;
}

/**
 * scikit-learn's `_tolerance`: tol times the mean of the per-feature (population) variances,
 * so the stopping rule does not depend on the data's scale. s: the sum of squares of the
 * centred data [rows, cols] (as subtractRows returns it) -> scalar.
 */
export function toleranceOf(s: number, rows: number, cols: number, tol: number): number {
  return (s / rows / cols) * tol;
}

/**
 * Greedy k-means++ (Arthur & Vassilvitskii 2007, with scikit-learn's local trials): the first
 * centre is a row drawn with probability proportional to its weight; each further centre is
 * the best of 2 + floor(ln k) candidates drawn proportionally to w * D^2 (D = distance to the
 * nearest centre so far), "best" meaning the candidate that leaves the smallest potential
 * sum_i w_i D_i^2. Returns the chosen centres [k, d].
 */
// x: [n, d], w: [n] | null -> [k, d]
export function kmeansPlusPlus(x: Matrix, k: number, w: Float64Array | null, gen: Generator): Float64Array {
  const { data, rows: n, cols: d } = x;
  const centers = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const weight = (i: number) => (w === null ? 1 : w[i]);
  const first = w === null ? gen.randint(0, n) : gen.choice(w);
  centers.set(data.subarray(first * d, first * d + d), 0);
  let closest = new Float64Array(n); // D_i^2 to the nearest chosen centre
  for (let i = 0; i < n; i++) closest[i] = sqDist(data, i, data, first, d);
  let cand = new Float64Array(n);
  let bestCand = new Float64Array(n);
  const cum = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let acc = 0;
    for (let i = 0; i < n; i++) cum[i] = acc += weight(i) * closest[i];
    let bestPot = Number.POSITIVE_INFINITY;
    let bestId = -1;
    for (let t = 0; t < trials; t++) {
      const id = searchSorted(cum, gen.random() * acc);
      let p = 0;
      for (let i = 0; i < n; i++) {
        const v = Math.min(closest[i], sqDist(data, i, data, id, d));
        cand[i] = v;
        p += weight(i) * v;
      }
      if (p < bestPot) {
        bestPot = p;
        bestId = id;
        [cand, bestCand] = [bestCand, cand];
      }
    }
    [closest, bestCand] = [bestCand, closest];
    centers.set(data.subarray(bestId * d, bestId * d + d), c * d);
  }
  return centers;
}

// First index whose cumulative sum is >= v (numpy searchsorted 'left'), clipped to n - 1.
function searchSorted(cum: Float64Array, v: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** k distinct rows drawn uniformly (scikit-learn's init='random'). x: [n, d] -> [k, d]. */
export function randomRows(x: Matrix, k: number, gen: Generator): Float64Array {
  const { data, cols: d } = x;
  const idx = gen.sampleWithoutReplacement(x.rows, k);
  const out = new Float64Array(k * d);
  for (let c = 0; c < k; c++) out.set(data.subarray(idx[c] * d, idx[c] * d + d), c * d);
  return out;
}

/** Whether two labelings a, b: [n] are the same partition up to renaming (scikit-learn's _is_same_clustering). */
export function sameClustering(a: Int32Array, b: Int32Array, k: number): boolean {
  const map = new Int32Array(k).fill(-1);
  for (let i = 0; i < a.length; i++) {
    if (map[a[i]] === -1) map[a[i]] = b[i];
    else if (map[a[i]] !== b[i]) return false;
  }
  return true;
}
