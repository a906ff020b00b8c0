// Linear regression y ~ X coef + intercept, fit two ways so one can watch the first converge
// to the second:
//   'lstsq' — the exact least-squares (or ridge) solution by Householder QR, float64.
//   'sgd'   — minibatch gradient descent on J = 0.5 mean((X w + b - y)^2), the textbook
//             objective, through the shared training loop (train.ts).
// Legend: n rows, d features, b rows in a batch.
//
// Why QR on centred, scaled columns: raw California housing has cond(X^T X) ~ 6e10 with an
// intercept column, so forming the normal equations squares an already large condition
// number and loses most of the digits. Centring removes the intercept from the system
// (intercept = mean(y) - mean(x) . coef), scaling each column by its std equilibrates it,
// and QR works on X itself (error ~ cond(X), not cond(X)^2). Ridge appends sqrt(alpha) rows:
//   min |y_c - X_c w|^2 + alpha |w|^2  =  min |[y_c; 0] - [X_c; sqrt(alpha) I] w|^2.

import { assertFinite, checkXy } from '../data/rows.js';
import { ArgumentError, fmtShape, ShapeError } from '../errors.js';
import { Adam } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { CosineAnnealingLR } from '../optim/scheduler.js';
import { SGD } from '../optim/sgd.js';
import { withDefaults } from '../options.js';
import type { Storage } from '../tensor/dtype.js';
import { keep } from '../tensor/memory.js';
import { Tensor } from '../tensor/tensor.js';
import { lstsq } from './least-squares.js';
import { r2 } from './metrics.js';
import {
  drain,
  pickTrainOptions,
  TRAIN_DEFAULTS,
  type TrainEvent,
  type TrainOptions,
  type TrainResult,
  trainSteps,
} from './train.js';

export interface LinearRegressionOptions extends Omit<TrainOptions, 'scheduler'> {
  /** 'lstsq' (default): exact least squares by QR; 'sgd': minibatch gradient descent. */
  solver?: 'lstsq' | 'sgd';
  /** Ridge penalty: adds alpha |coef|^2 to the SUM of squared residuals; the intercept is not penalised (default 0). */
  alpha?: number;
  /** Fit an intercept (default true); false forces the line through the origin. */
  fitIntercept?: boolean;
  /** SGD: the optimizer (default 'sgd', with momentum). */
  optimizer?: 'sgd' | 'adam';
  /**
   * SGD: learning rate (default 0.001). With momentum 0.9 the steady step is lr / (1 - 0.9) =
   * 0.01 along flat directions, while a batch holding an outlier row (standardised California
   * housing has rows of squared norm ~15,750, batch curvature ~250) stays inside heavy-ball's
   * stability bound lr * curvature < 2 (1 + momentum). lr 0.01 with momentum 0.9 diverges.
   */
  lr?: number;
  /** SGD: heavy-ball momentum of optim.SGD (default 0.9). */
  momentum?: number;
  /** SGD: 'cosine' anneals lr to 0 over the epochs (default), 'constant' keeps it. */
  schedule?: 'cosine' | 'constant';
}

const DEFAULTS = {
  ...TRAIN_DEFAULTS,
  epochs: 100,
  batchSize: 64,
  solver: 'lstsq',
  alpha: 0,
  fitIntercept: true,
  optimizer: 'sgd',
  lr: 0.001,
  momentum: 0.9,
  schedule: 'cosine',
} satisfies Required<LinearRegressionOptions>;

/** Ordinary least squares / ridge, solved exactly or by SGD. */
export class LinearRegression {
  readonly options: Required<LinearRegressionOptions>;
  /** Coefficients [d] (float64), after fit. */
  coef: Tensor | null = null;
  intercept = 0;
  /** SGD only: the training history and epochs run. */
  history: TrainResult['history'] = [];
  nIter = 0;

  constructor(opts: LinearRegressionOptions = {}) {
    const o = withDefaults(DEFAULTS, opts, 'LinearRegression');
    if (o.solver !== 'lstsq' && o.solver !== 'sgd')
      throw new ArgumentError(`LinearRegression: solver must be 'lstsq' or 'sgd', got ${String(o.solver)}`);
    if (o.optimizer !== 'sgd' && o.optimizer !== 'adam')
      throw new ArgumentError(
        `LinearRegression: optimizer must be 'sgd' or 'adam', got ${String(o.optimizer)}`,
      );
    if (o.schedule !== 'cosine' && o.schedule !== 'constant')
      throw new ArgumentError(
        `LinearRegression: schedule must be 'cosine' or 'constant', got ${String(o.schedule)}`,
      );
    if (!(o.alpha >= 0)) throw new ArgumentError(`LinearRegression: alpha must be >= 0, got ${o.alpha}`);
    this.options = o;
  }

  /** Fits to X: [n, d], y: [n] or [n, 1]. */
  fit(X: Tensor, y: Tensor): this {
    drain(this.fitSteps(X, y));
    return this;
  }

  /** fit as a generator of training events (none for 'lstsq'). X: [n, d], y: [n] or [n, 1]. */
  *fitSteps(X: Tensor, y: Tensor): Generator<TrainEvent, TrainResult | null, undefined> {
    const n = checkXy('LinearRegression.fit', X, y);
    if (y.ndim === 2 && y.shape[1] !== 1)
      throw new ShapeError(`LinearRegression.fit: y must be [n] or [n, 1], got ${fmtShape(y.shape)}`);
    assertFinite('LinearRegression.fit', 'X', X);
    assertFinite('LinearRegression.fit', 'y', y);
    const d = X.shape[1];
    if (this.options.solver === 'lstsq') {
      const { coef, intercept } = lstsq(X.data, y.data, n, d, {
        alpha: this.options.alpha,
        fitIntercept: this.options.fitIntercept,
      });
      this.coef = keep(new Tensor(coef, [d])); // outlives any tidy() it was fitted in
      this.intercept = intercept;
      return null;
    }
    const result = yield* this.sgd(X, y.ndim === 2 ? y.reshape([n]) : y, n, d);
    return result;
  }

  private *sgd(X: Tensor, y: Tensor, n: number, d: number): Generator<TrainEvent, TrainResult, undefined> {
    const o = this.options;
    const wd = new Float64Array(d);
    const w = new Tensor(wd, [d]);
    const b = new Tensor(new Float64Array(1), [1]);
    const gw = new Float64Array(d);
    const gb = new Float64Array(1);
    w.grad = new Tensor(gw, [d]);
    b.grad = new Tensor(gb, [1]);
    const params = o.fitIntercept ? [w, b] : [w];
    const optimizer: Optimizer =
      o.optimizer === 'adam'
        ? new Adam(params, { lr: o.lr })
        : new SGD(params, { lr: o.lr, momentum: o.momentum });
    const decay = o.alpha / n; // alpha |w|^2 on the sum is (alpha / n) |w|^2 / 2 on the half mean
    let res = new Float64Array(0); // residuals, grown to the largest set seen (a batch, or a validation set)
    // J = 0.5/m sum_i r_i^2, r_i = x_i . w + b - y_i   =>   dJ/dw = X^T r / m,  dJ/db = mean(r)
    const halfMse = (x: Tensor, t: Tensor, grad: boolean): number => {
      const xs = x.data;
      const m = t.size;
      if (res.length < m) res = new Float64Array(m);
      const r = res;
      residuals(xs, t.data, wd, b.data[0], m, d, r);
      let sr = 0;
      let loss = 0;
      for (let i = 0; i < m; i++) {
        loss += r[i] * r[i];
        sr += r[i];
      }
      if (grad) {
        gw.fill(0);
        addXtR(xs, r, m, d, gw);
        for (let j = 0; j < d; j++) gw[j] = gw[j] / m + decay * wd[j];
        gb[0] = sr / m;
      }
      return (0.5 * loss) / m;
    };
    const task = {
      optimizer,
      step: (x: Tensor, t: Tensor) => {
        const loss = halfMse(x, t, true);
        optimizer.step();
        return loss;
      },
      evaluate: (Xv: Tensor, yv: Tensor) => halfMse(Xv, yv.ndim === 2 ? yv.reshape([yv.size]) : yv, false),
    };
    const scheduler = o.schedule === 'cosine' ? new CosineAnnealingLR(optimizer, o.epochs) : null;
    const result = yield* trainSteps(task, X, y, { ...pickTrainOptions(o), scheduler });
    this.coef = keep(new Tensor(Float64Array.from(wd), [d]));
    this.intercept = b.data[0];
    this.history = result.history;
    this.nIter = result.nIter;
    return result;
  }

  /** X coef + intercept. X: [n, d] -> [n], in X's float dtype. */
  predict(X: Tensor): Tensor {
    const coef = this.coef;
    if (coef === null)
      throw new ArgumentError('LinearRegression.predict: call fit first (the model is not fitted)');
    const n = checkXy('LinearRegression.predict', X);
    const d = coef.size;
    if (X.shape[1] !== d)
      throw new ShapeError(
        `LinearRegression.predict: X ${fmtShape(X.shape)} has ${X.shape[1]} features, the model was fit on ${d}`,
      );
    const out = X.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = this.intercept;
      for (let j = 0; j < d; j++) s += X.data[i * d + j] * coef.data[j];
      out[i] = s;
    }
    return new Tensor(out, [n]);
  }

  /** R^2 of the predictions on X: [n, d] against y: [n] or [n, 1]. */
  score(X: Tensor, y: Tensor): number {
    return r2(y.ndim === 2 ? y.reshape([y.size]) : y, this.predict(X));
  }
}

/**
 * r_i = x_i . w + b - t_i for the m rows of x: [m, d] into r. Four rows at a time: a row's dot
 * product is a serial chain of adds, and four independent chains run side by side instead of
 * one after another; within a row the order is unchanged, so the residuals are the same bits.
 */
function residuals(
  x: Storage,
  t: Storage,
  w: Float64Array,
  b: number,
  m: number,
  d: number,
  r: Float64Array,
): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const p = i * d;
    let r0 = b - t[i];
    let r1 = b - t[i + 1];
    let r2 = b - t[i + 2];
    let r3 = b - t[i + 3];
    for (let j = 0; j < d; j++) {
      const wj = w[j];
      r0 += x[p + j] * wj;
      r1 += x[p + d + j] * wj;
      r2 += x[p + 2 * d + j] * wj;
      r3 += x[p + 3 * d + j] * wj;
    }
    r[i] = r0;
    r[i + 1] = r1;
    r[i + 2] = r2;
    r[i + 3] = r3;
  }
  for (; i < m; i++) {
    let ri = b - t[i];
    for (let j = 0; j < d; j++) ri += x[i * d + j] * w[j];
    r[i] = ri;
  }
}

/**
 * g += x^T r for x: [m, d], r: [m], g: [d]. Four rows per pass over g: g_j + a + b + c + d
 * adds in the same order as four passes, so the sum is the same bits, with a quarter of the
 * loads and stores of g (each was a round trip through memory on the add chain).
 */
function addXtR(x: Storage, r: Float64Array, m: number, d: number, g: Float64Array): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const p = i * d;
    const r0 = r[i];
    const r1 = r[i + 1];
    const r2 = r[i + 2];
    const r3 = r[i + 3];
    for (let j = 0; j < d; j++) {
      g[j] = g[j] + x[p + j] * r0 + x[p + d + j] * r1 + x[p + 2 * d + j] * r2 + x[p + 3 * d + j] * r3;
    }
  }
  for (; i < m; i++) for (let j = 0; j < d; j++) g[j] += x[i * d + j] * r[i];
}
