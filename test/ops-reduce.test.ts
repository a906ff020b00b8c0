// Reductions and softmax with hand-computed values, and the numerically hard cases: variance
// far from zero, softmax of large values, rows that are entirely -inf.

import { describe, expect, it } from 'vitest';
import { logsumexp, type NestedArray, softmax, type Tensor, tensor } from '../src/index.js';

const f64 = (v: NestedArray) => tensor(v, { dtype: 'float64' });
const close = (t: Tensor, v: number[] | number, digits = 6) => {
  const got = t.toArray();
  if (typeof v === 'number') expect(got as number).toBeCloseTo(v, digits);
  else for (const [i, g] of (got as number[]).entries()) expect(g).toBeCloseTo(v[i], digits);
};

describe('reductions', () => {
  const x = f64([
    [1, 2, 3],
    [4, 5, 9],
  ]);
  it('sum / mean over dims, keepdim', () => {
    expect(x.sum().item()).toBe(24);
    expect(x.sum(0).toArray()).toEqual([5, 7, 12]);
    expect(x.sum(1, { keepdim: true }).toArray()).toEqual([[6], [18]]);
    expect(x.sum([0, 1]).item()).toBe(24);
    expect(x.mean(-1).toArray()).toEqual([2, 6]);
    expect(x.mean(0, { keepdim: true }).shape).toEqual([1, 3]);
  });
  it('var / std: unbiased by default, correction and unbiased options', () => {
    // row 2: mean 6, squared deviations 4 + 1 + 9 = 14
    expect(x.var(1).toArray()).toEqual([1, 7]);
    expect(x.var(1, { unbiased: false }).toArray()).toEqual([2 / 3, 14 / 3]);
    expect(x.var(1, { correction: 0 }).toArray()).toEqual([2 / 3, 14 / 3]);
    expect(x.var(1, { correction: 2 }).toArray()).toEqual([2, 14]);
    close(x.std(1), [1, Math.sqrt(7)], 12);
    close(x.std(), Math.sqrt(x.var().item()), 12);
    expect(x.var(0, { keepdim: true }).toArray()).toEqual([[4.5, 4.5, 18]]);
  });
  it('amax / amin / max / min / argmax / argmin, first index on ties', () => {
    const t = f64([
      [3, 1, 3],
      [0, 2, 2],
    ]);
    expect(t.amax(1).toArray()).toEqual([3, 2]);
    expect(t.amin(0).toArray()).toEqual([0, 1, 2]);
    expect(t.amax().item()).toBe(3);
    const m = t.max(1);
    expect(m.values.toArray()).toEqual([3, 2]);
    expect(m.indices.toArray()).toEqual([0, 1]);
    expect(m.indices.dtype).toBe('int32');
    expect(t.min(0, { keepdim: true }).indices.toArray()).toEqual([[1, 0, 1]]);
    expect(t.argmax().item()).toBe(0);
    expect(t.argmin().item()).toBe(3);
    expect(t.argmax(1, { keepdim: true }).toArray()).toEqual([[0], [1]]);
  });
  it('logsumexp over several dims', () => {
    const t = f64([
      [0, Math.log(2)],
      [Math.log(3), Math.log(4)],
    ]);
    close(t.logsumexp([0, 1]), Math.log(10), 12);
    close(t.logsumexp(1), [Math.log(3), Math.log(7)], 12);
    expect(t.logsumexp(0, { keepdim: true }).shape).toEqual([1, 2]);
  });
  it('empty reductions: sum 0, mean NaN (0/0 as torch)', () => {
    const e = tensor([[], []]);
    expect(e.sum(1).toArray()).toEqual([0, 0]);
    expect(e.mean().item()).toBeNaN();
  });
});

describe('variance is computed stably (two-pass, never E[x^2] - E[x]^2)', () => {
  it('float64 around 1e8', () => {
    expect(
      f64([1e8 + 1, 1e8 + 2, 1e8 + 3])
        .var()
        .item(),
    ).toBe(1);
    expect(
      f64([1e8 + 1, 1e8 + 2, 1e8 + 3])
        .std(0, { correction: 0 })
        .item(),
    ).toBeCloseTo(Math.sqrt(2 / 3), 12);
  });
  it('float64 around 1e12 with a tiny spread', () => {
    const v = [1e12 + 0.25, 1e12 + 0.5, 1e12 + 0.75, 1e12 + 1];
    expect(f64(v).var(0, { correction: 0 }).item()).toBeCloseTo(0.078125, 12);
  });
  it('float32 around 1e4 (E[x^2] would lose every digit)', () => {
    expect(
      tensor([1e4 + 1, 1e4 + 2, 1e4 + 3])
        .var()
        .item(),
    ).toBe(1);
    expect(
      tensor([[1e4 + 1, 1e4 + 2, 1e4 + 3]])
        .var(1, { correction: 0 })
        .item(),
    ).toBeCloseTo(2 / 3, 6);
  });
  it('a constant row has variance exactly 0 and a finite std gradient', () => {
    const c = f64([[5, 5, 5]]).requiresGrad_();
    const s = c.std(1);
    expect(s.item()).toBe(0);
    s.sum().backward();
    expect(c.grad?.toArray()).toEqual([[0, 0, 0]]);
  });
});

describe('softmax and logSoftmax', () => {
  it('small hand-computed values', () => {
    const p = softmax(f64([0, Math.log(3)]), 0);
    close(p, [0.25, 0.75], 14);
    close(f64([0, Math.log(3)]).logSoftmax(0), [Math.log(0.25), Math.log(0.75)], 14);
  });
  it('large values do not overflow', () => {
    close(tensor([1000, 1001]).softmax(0), [1 / (1 + Math.E), Math.E / (1 + Math.E)], 6);
    close(tensor([-1000, -1001]).softmax(0), [Math.E / (1 + Math.E), 1 / (1 + Math.E)], 6);
    close(tensor([1000, 1001]).logSoftmax(0), [-Math.log1p(Math.E), -Math.log1p(1 / Math.E)], 5);
    close(logsumexp(tensor([1000, 1000]), 0), 1000 + Math.log(2), 3);
  });
  it('along any dim of a 3-D tensor', () => {
    const x = f64([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 9],
      ],
    ]);
    const p = x.softmax(1);
    // softmax over [2, 4] (dim 1 at [0, :, 1]) = [1/(1+e^2), e^2/(1+e^2)]
    expect(p.data[1]).toBeCloseTo(1 / (1 + Math.exp(2)), 14);
    expect(p.data[3]).toBeCloseTo(Math.exp(2) / (1 + Math.exp(2)), 14);
    close(x.softmax(0).sum(0).reshape([-1]), [1, 1, 1, 1], 14);
  });
  it('an all -inf row gives zeros, not NaN, and a zero, finite gradient', () => {
    const x = f64([
      [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY],
      [0, Number.NEGATIVE_INFINITY, 0],
    ]).requiresGrad_();
    const p = x.softmax(1);
    expect(p.toArray()).toEqual([
      [0, 0, 0],
      [0.5, 0, 0.5],
    ]);
    p.mul(
      f64([
        [1, 2, 3],
        [4, 5, 7],
      ]),
    )
      .sum()
      .backward();
    const g = x.grad!;
    expect(g.isfinite().logicalNot().sum().item()).toBe(0);
    expect(g.toArray()).toEqual([
      [0, 0, 0],
      [-0.75, 0, 0.75],
    ]);
  });
  it('logsumexp of an all -inf row is -inf with a zero gradient', () => {
    const x = f64([[Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]]).requiresGrad_();
    const y = x.logsumexp(1);
    expect(y.item()).toBe(Number.NEGATIVE_INFINITY);
    y.mul(0).sum().backward();
    expect(x.grad?.toArray()).toEqual([[0, 0]]);
  });
});
