// Golden adapter for `linreg_california` (golden/linreg_california.json): the closed-form
// LinearRegression (Householder QR on centred, scaled columns) on California housing, raw and
// standardised, OLS and ridge, plus the data pipeline (loader, StandardScaler) and metrics.
// Data: params.dataFile (see dataPath), rows[start:stop:step]. float64-only (README).

import {
  LinearRegression,
  loadCaliforniaHousing,
  mse,
  r2,
  rmse,
  StandardScaler,
  Tensor,
} from '../../../src/index.js';
import type { OpAdapter } from '../types.js';
import { dataPath, floats, param } from '../util.js';

const scalar = (v: number) => floats('float64', [v]);

const adapter: OpAdapter = {
  op: 'linreg_california',
  float64Only: () => true,
  run(c, ctx) {
    // rows is a Python slice (a null or absent stop runs to the end); absent params take the
    // fixture's file, scikit-learn's feature order and Ridge's default alpha = 1
    const rows = (c.params.rows ?? {}) as {
      start?: number | null;
      stop?: number | null;
      step?: number | null;
    };
    const ds = loadCaliforniaHousing({
      path: dataPath('linreg_california', ctx, param(c, 'dataFile', 'string', 'data/cal_housing.data')),
      features: c.params.featureNames === undefined ? undefined : param(c, 'featureNames', 'string[]'),
      dtype: 'float64',
    });
    const range = { start: rows.start ?? 0, end: rows.stop ?? undefined, step: rows.step ?? 1 };
    const X = ds.X.slice(0, range);
    const y = ds.y.slice(0, range);
    const alpha = param(c, 'ridgeAlpha', 'number', 1);
    const scaler = new StandardScaler().fit(X);
    const Xs = scaler.transform(X);
    const ols = new LinearRegression().fit(X, y);
    const std = new LinearRegression().fit(Xs, y);
    const ridge = new LinearRegression({ alpha }).fit(X, y);
    const stdRidge = new LinearRegression({ alpha }).fit(Xs, y);
    const pred = ols.predict(X);
    return {
      outputs: {
        nRows: new Tensor(Int32Array.of(X.shape[0]), []),
        featureMean: scaler.mean!,
        featureStd: scaler.scale!,
        firstRowsX: X.narrow(0, 0, 3),
        firstRowsY: y.narrow(0, 0, 3),
        coef: ols.coef!,
        intercept: scalar(ols.intercept),
        r2: scalar(r2(y, pred)),
        rmse: scalar(rmse(y, pred)),
        halfMse: scalar(0.5 * mse(y, pred)),
        stdCoef: std.coef!,
        stdIntercept: scalar(std.intercept),
        ridgeCoef: ridge.coef!,
        ridgeIntercept: scalar(ridge.intercept),
        stdRidgeCoef: stdRidge.coef!,
        stdRidgeIntercept: scalar(stdRidge.intercept),
      },
    };
  },
};

export default adapter;
