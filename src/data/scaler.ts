// StandardScaler, as scikit-learn's: z = (x - mean) / scale per column, with the POPULATION
// standard deviation (ddof = 0) and scale 1 for a constant column (so it maps to 0 instead of
// NaN). Fit on the training rows only, then transform train and test with the same numbers.
// Statistics are computed in float64 in two passes (mean first, then squared deviations),
// which stays exact where E[x^2] - E[x]^2 cancels.
// Legend: n rows, d features.

import { ArgumentError, fmtShape, ShapeError } from '../errors.js';
import { withDefaults } from '../options.js';
import { allocate } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { assertFinite, checkXy } from './rows.js';

/** Options of StandardScaler. */
export interface ScalerOptions {
  /** Subtract the mean (default true). */
  withMean?: boolean;
  /** Divide by the standard deviation (default true). */
  withStd?: boolean;
}

const DEFAULTS = { withMean: true, withStd: true } satisfies Required<ScalerOptions>;

/** Standardises features to zero mean and unit variance, column by column. */
export class StandardScaler {
  readonly withMean: boolean;
  readonly withStd: boolean;
  /** Column means [d] (float64), set by fit. */
  mean: Tensor | null = null;
  /** Column population variances [d] (float64). */
  var: Tensor | null = null;
  /** What each column is divided by [d] (float64): the std, or 1 for constant columns. */
  scale: Tensor | null = null;
  nSamplesSeen = 0;

  constructor(opts: ScalerOptions = {}) {
    const o = withDefaults(DEFAULTS, opts, 'StandardScaler');
    this.withMean = o.withMean;
    this.withStd = o.withStd;
  }

  /** Learns mean and scale from X: [n, d]. */
  fit(X: Tensor): this {
    const n = checkXy('StandardScaler.fit', X);
    if (n === 0) throw new ShapeError(`StandardScaler.fit: X has no rows (${fmtShape(X.shape)})`);
    assertFinite('StandardScaler.fit', 'X', X);
    const d = X.shape[1];
    const x = X.data;
    const mean = new Float64Array(d);
    const variance = new Float64Array(d);
    const scale = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
    for (let j = 0; j < d; j++) mean[j] /= n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const dev = x[i * d + j] - mean[j];
        variance[j] += dev * dev;
      }
    }
    for (let j = 0; j < d; j++) {
      variance[j] /= n;
      const std = Math.sqrt(variance[j]);
      // constant column (up to rounding of the mean): scale 1, as scikit-learn
      scale[j] = std <= 10 * Number.EPSILON * Math.max(1, Math.abs(mean[j])) ? 1 : std;
    }
    this.mean = new Tensor(mean, [d]);
    this.var = new Tensor(variance, [d]);
    this.scale = new Tensor(scale, [d]);
    this.nSamplesSeen = n;
    return this;
  }

  /** (X - mean) / scale. X: [n, d] -> [n, d], same dtype. */
  transform(X: Tensor): Tensor {
    return this.apply('transform', X, (v, m, s) => (v - m) / s);
  }

  /** X * scale + mean, undoing transform. X: [n, d] -> [n, d]. */
  inverseTransform(X: Tensor): Tensor {
    return this.apply('inverseTransform', X, (v, m, s) => v * s + m);
  }

  /** fit(X) then transform(X). X: [n, d] -> [n, d]. */
  fitTransform(X: Tensor): Tensor {
    return this.fit(X).transform(X);
  }

  private apply(op: string, X: Tensor, f: (v: number, m: number, s: number) => number): Tensor {
    if (this.mean === null || this.scale === null) {
      throw new ArgumentError(`StandardScaler.${op}: call fit first (the scaler is not fitted)`);
    }
    const n = checkXy(`StandardScaler.${op}`, X);
    const d = this.mean.size;
    if (X.shape[1] !== d) {
      throw new ShapeError(
        `StandardScaler.${op}: X ${fmtShape(X.shape)} has ${X.shape[1]} features, the scaler was fit on ${d}`,
      );
    }
    const mean = this.mean.data;
    const scale = this.scale.data;
    const out = allocate(X.dtype === 'float64' ? 'float64' : 'float32', n * d);
    const x = X.data;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        out[i * d + j] = f(x[i * d + j], this.withMean ? mean[j] : 0, this.withStd ? scale[j] : 1);
      }
    }
    return new Tensor(out, [n, d]);
  }
}
