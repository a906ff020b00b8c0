// LinearRegression: the closed form against the scikit-learn fixture, SGD converging to it on
// standardised California housing, metrics, and bad input.

import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  DataError,
  LinearRegression,
  loadCaliforniaHousing,
  mae,
  mse,
  r2,
  rmse,
  ShapeError,
  StandardScaler,
  type Tensor,
  tensor,
  trainTestSplit,
} from '../src/index.js';
import { expectAllClose, loadFixture } from './helpers.js';

interface Case {
  name: string;
  params: { rows: { start: number; stop: number; step: number }; ridgeAlpha: number };
  outputs: Record<string, { data: number[] }>;
}
const fixture = loadFixture<{ cases: Case[] }>('linreg_california');
const cal = loadCaliforniaHousing({ dtype: 'float64' });

describe('LinearRegression, closed form', () => {
  for (const c of fixture.cases) {
    it(`reproduces scikit-learn on ${c.name}: raw, standardised and ridge to 1e-6 relative`, () => {
      const { start, stop, step } = c.params.rows;
      const X = cal.X.slice(0, { start, end: stop, step });
      const y = cal.y.slice(0, { start, end: stop, step });
      const Xs = new StandardScaler().fitTransform(X);
      const fits: [string, string, Tensor, number][] = [
        ['coef', 'intercept', X, 0],
        ['stdCoef', 'stdIntercept', Xs, 0],
        ['ridgeCoef', 'ridgeIntercept', X, c.params.ridgeAlpha],
        ['stdRidgeCoef', 'stdRidgeIntercept', Xs, c.params.ridgeAlpha],
      ];
      for (const [coefKey, interceptKey, data, alpha] of fits) {
        const m = new LinearRegression({ alpha }).fit(data, y);
        expectAllClose(m.coef!.data, c.outputs[coefKey].data, { rtol: 1e-6, atol: 0 });
        expectAllClose([m.intercept], c.outputs[interceptKey].data, { rtol: 1e-6, atol: 0 });
      }
      const ols = new LinearRegression().fit(X, y);
      const pred = ols.predict(X);
      expectAllClose(
        [r2(y, pred), rmse(y, pred), 0.5 * mse(y, pred), ols.score(X, y)],
        [c.outputs.r2.data[0], c.outputs.rmse.data[0], c.outputs.halfMse.data[0], c.outputs.r2.data[0]],
        { rtol: 1e-6, atol: 0 },
      );
    });
  }

  it('recovers an exact linear relation; fitIntercept false goes through the origin', () => {
    const X = tensor(
      [
        [1, 2],
        [2, 0],
        [3, 5],
        [4, 1],
      ],
      { dtype: 'float64' },
    );
    const y = tensor([4, 9, 0, 9], { dtype: 'float64' }); // y = x1 - 2 x2 + 7
    const m = new LinearRegression().fit(X, y);
    expect(m.coef!.data[0]).toBeCloseTo(1, 12);
    expect(m.coef!.data[1]).toBeCloseTo(-2, 12);
    expect(m.intercept).toBeCloseTo(7, 12);
    const o = new LinearRegression({ fitIntercept: false }).fit(
      X,
      tensor([2, 4, 6, 8], { dtype: 'float64' }),
    );
    expect(o.intercept).toBe(0);
    expect(o.coef!.data[0]).toBeCloseTo(2, 12);
    expect(o.coef!.data[1]).toBeCloseTo(0, 12);
  });

  it('reports a constant column as rank deficient unless alpha > 0', () => {
    const X = tensor(
      [
        [1, 3],
        [2, 3],
        [3, 3],
      ],
      { dtype: 'float64' },
    );
    const y = tensor([1, 2, 3], { dtype: 'float64' });
    expect(() => new LinearRegression().fit(X, y)).toThrow(/rank deficient \(column 1/);
    const ridge = new LinearRegression({ alpha: 1 }).fit(X, y);
    expect(ridge.coef!.data[1]).toBe(0);
    expect(ridge.coef!.data[0]).toBeCloseTo(2 / 3, 12); // sum x_c^2 = 2: 2 / (2 + 1)
  });
});

describe('LinearRegression, SGD', () => {
  it('converges to the closed form on standardised features (80/20 split, batch 64, 100 epochs)', () => {
    const s = trainTestSplit(cal.X, cal.y, { testSize: 0.2, seed: 42 });
    const scaler = new StandardScaler().fit(s.XTrain);
    const XTrain = scaler.transform(s.XTrain);
    const XTest = scaler.transform(s.XTest);
    const exact = new LinearRegression().fit(XTrain, s.yTrain);
    const sgd = new LinearRegression({ solver: 'sgd', batchSize: 64, epochs: 100, seed: 0 }).fit(
      XTrain,
      s.yTrain,
    );
    const loss = (m: LinearRegression) => 0.5 * mse(s.yTrain, m.predict(XTrain));
    expect(sgd.nIter).toBe(100);
    expect(loss(sgd)).toBeLessThan(1.01 * loss(exact));
    expect(Math.abs(sgd.score(XTest, s.yTest) - exact.score(XTest, s.yTest))).toBeLessThan(0.01);
    // the history is the running batch loss, each measured before its update: near the optimum too
    expect(sgd.history[99].trainLoss).toBeLessThan(1.05 * loss(exact));
  });
});

describe('metrics', () => {
  const t = tensor([3, -0.5, 2, 7], { dtype: 'float64' });
  const p = tensor([2.5, 0, 2, 8], { dtype: 'float64' });

  it("match scikit-learn's documented examples", () => {
    expect(mse(t, p)).toBeCloseTo(0.375, 14);
    expect(rmse(t, p)).toBeCloseTo(Math.sqrt(0.375), 14);
    expect(mae(t, p)).toBeCloseTo(0.5, 14);
    expect(r2(t, p)).toBeCloseTo(0.9486081370449679, 14);
    // multi-output: per column, then averaged
    const t2 = tensor(
      [
        [0.5, 1],
        [-1, 1],
        [7, -6],
      ],
      { dtype: 'float64' },
    );
    const p2 = tensor(
      [
        [0, 2],
        [-1, 2],
        [8, -5],
      ],
      { dtype: 'float64' },
    );
    expect(mse(t2, p2)).toBeCloseTo(0.7083333333333334, 14);
    expect(r2(t2, p2)).toBeCloseTo(0.9368005266622779, 14);
  });

  it('score a constant target 1 when exact, else 0 (never NaN); reject mismatched shapes', () => {
    const c = tensor([2, 2, 2]);
    expect(r2(c, c)).toBe(1);
    expect(r2(c, tensor([2, 2, 3]))).toBe(0);
    expect(() => r2(t, tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(r2(t, p.reshape([4, 1]))).toBeCloseTo(r2(t, p), 15);
  });
});

describe('LinearRegression, bad input', () => {
  const X = tensor([[1], [2], [3]], { dtype: 'float64' });
  it('rejects row mismatch, NaN, bad options and use before fit', () => {
    expect(() => new LinearRegression().fit(X, tensor([1, 2]))).toThrow(ShapeError);
    expect(() => new LinearRegression().fit(X, tensor([1, Number.NaN, 2]))).toThrow(DataError);
    expect(() => new LinearRegression().fit(X, tensor([1, Number.NaN, 2]))).toThrow(
      /y contains NaN at element 1/,
    );
    expect(() => new LinearRegression({ alpha: -1 })).toThrow(ArgumentError);
    expect(() => new LinearRegression({ solver: 'sgd', lr: 0 }).fit(X, tensor([1, 2, 3]))).toThrow(
      /lr must be a finite number > 0/,
    );
    expect(() => new LinearRegression({ solver: 'sgd', batchSize: 4 }).fit(X, tensor([1, 2, 3]))).toThrow(
      /batchSize must be an integer in \[1, 3\]/,
    );
    expect(() => new LinearRegression().predict(X)).toThrow(/call fit first/);
    expect(() => new LinearRegression().fit(X, tensor([1, 2, 3])).predict(tensor([[1, 2]]))).toThrow(
      ShapeError,
    );
  });
});
