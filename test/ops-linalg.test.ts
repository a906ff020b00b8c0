// matmul, bmm, sort / topk, and the fused F ops (linear, mseLoss, dropout) with small
// hand-computed values.

import { describe, expect, it } from 'vitest';
import { bmm, F, matmul, ones, Tensor, tensor } from '../src/index.js';

const f64 = (v: number[] | number[][] | number[][][]) => tensor(v, { dtype: 'float64' });

describe('matmul (torch.matmul cases)', () => {
  const A = f64([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const B = f64([
    [1, 0],
    [0, 1],
    [2, -1],
  ]);
  it('2-D x 2-D', () => {
    expect(matmul(A, B).toArray()).toEqual([
      [7, -1],
      [16, -1],
    ]);
  });
  it('1-D x 1-D is a dot product (0-d)', () => {
    const d = matmul(f64([1, 2, 3]), f64([4, 5, 6]));
    expect(d.shape).toEqual([]);
    expect(d.item()).toBe(32);
  });
  it('2-D x 1-D and 1-D x 2-D drop the lifted dim', () => {
    expect(matmul(A, f64([1, 1, 1])).toArray()).toEqual([6, 15]);
    expect(matmul(f64([1, -1]), A).toArray()).toEqual([-3, -3, -3]);
  });
  it('batched with broadcasting of the batch dims', () => {
    const a = f64([[[1, 2]], [[3, 4]]]); // [2, 1, 2]
    const b = f64([
      [1, 0],
      [0, 2],
    ]); // [2, 2]
    expect(matmul(a, b).toArray()).toEqual([[[1, 4]], [[3, 8]]]);
    const c = matmul(ones([3, 1, 2, 4]), ones([5, 4, 2]));
    expect(c.shape).toEqual([3, 5, 2, 2]);
    expect(c.data.every((v) => v === 4)).toBe(true);
    expect(matmul(ones([4]), ones([2, 4, 3])).shape).toEqual([2, 3]);
    expect(matmul(ones([2, 3, 4]), ones([4])).shape).toEqual([2, 3]);
  });
  it('empty inner dim gives zeros; empty outer dims give empty results', () => {
    expect(matmul(ones([2, 0]), ones([0, 3])).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(matmul(ones([0, 2]), ones([2, 3])).shape).toEqual([0, 3]);
  });
  it('float32 x float64 promotes', () => {
    expect(matmul(ones([1, 2]), ones([2, 1], { dtype: 'float64' })).dtype).toBe('float64');
  });
  it('bmm', () => {
    const a = f64([[[1, 2]], [[3, 4]]]);
    const b = f64([
      [[1], [1]],
      [[2], [0]],
    ]);
    expect(bmm(a, b).toArray()).toEqual([[[3]], [[6]]]);
  });
});

describe('sort, argsort, topk', () => {
  const x = tensor([
    [3, 1, 2, 1],
    [0, 5, 5, -1],
  ]);
  it('sort is stable: ties keep the lower index first', () => {
    const s = x.sort();
    expect(s.values.toArray()).toEqual([
      [1, 1, 2, 3],
      [-1, 0, 5, 5],
    ]);
    expect(s.indices.toArray()).toEqual([
      [1, 3, 2, 0],
      [3, 0, 1, 2],
    ]);
    expect(x.sort({ descending: true }).indices.toArray()).toEqual([
      [0, 2, 1, 3],
      [1, 2, 0, 3],
    ]);
    expect(x.argsort({ dim: 0 }).toArray()).toEqual([
      [1, 0, 0, 1],
      [0, 1, 1, 0],
    ]);
  });
  it('topk: sorted, ties to the lower index, largest or smallest, any dim', () => {
    const t = x.topk(2);
    expect(t.values.toArray()).toEqual([
      [3, 2],
      [5, 5],
    ]);
    expect(t.indices.toArray()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(x.topk(2, { largest: false }).indices.toArray()).toEqual([
      [1, 3],
      [3, 0],
    ]);
    expect(x.topk(1, { dim: 0 }).indices.toArray()).toEqual([[0, 1, 1, 0]]);
    expect(x.topk(0).values.shape).toEqual([2, 0]);
  });
  it('topk with k much smaller than n (the k-buffer path) agrees with sort', () => {
    const big = new Tensor(
      Float32Array.from({ length: 200 }, (_, i) => (i * 7919) % 13),
      [200],
    );
    const t = big.topk(5);
    const s = big.sort({ descending: true });
    expect(t.values.toArray()).toEqual(s.values.narrow(0, 0, 5).toArray());
    expect(t.indices.toArray()).toEqual(s.indices.narrow(0, 0, 5).toArray());
  });
});

describe('F.linear, F.mseLoss, F.dropout', () => {
  it('linear: x W^T + b, for 1-D, 2-D and 3-D inputs', () => {
    const w = f64([
      [1, 0, -1],
      [2, 1, 0],
    ]);
    const b = f64([0.5, -0.5]);
    expect(F.linear(f64([1, 2, 3]), w, b).toArray()).toEqual([-1.5, 3.5]);
    expect(F.linear(f64([[1, 2, 3]]), w).toArray()).toEqual([[-2, 4]]);
    expect(F.linear(f64([[[1, 2, 3]], [[0, 0, 1]]]), w, b).toArray()).toEqual([
      [[-1.5, 3.5]],
      [[-0.5, -0.5]],
    ]);
  });
  it('linear equals matmul with the transposed weight', () => {
    const x = tensor([
      [0.5, -1],
      [2, 3],
    ]);
    const w = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(F.linear(x, w).toArray()).toEqual(x.matmul(w.mT).toArray());
  });
  it('mseLoss: mean, sum, none', () => {
    const x = f64([1, 2, 4]);
    const t = f64([1, 0, 1]);
    expect(F.mseLoss(x, t).item()).toBeCloseTo(13 / 3, 14);
    expect(F.mseLoss(x, t, { reduction: 'sum' }).item()).toBe(13);
    expect(F.mseLoss(x, t, { reduction: 'none' }).toArray()).toEqual([0, 4, 9]);
    expect(F.mseLoss(tensor([1]), tensor([3])).dtype).toBe('float32');
  });
  it('mseLoss gradient: 2 (x - t) / n', () => {
    const x = f64([1, 2, 4]).requiresGrad_();
    F.mseLoss(x, f64([1, 0, 1])).backward();
    expect(x.grad?.toArray()).toEqual([0, 4 / 3, 2]);
  });
  it('dropout: zeros at rate p, scales the rest by 1/(1-p), seeded, identity in eval', () => {
    const x = ones([10000], { dtype: 'float64' });
    const y = F.dropout(x, { p: 0.25, generator: 3 });
    const kept = y.data.filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([1 / 0.75]));
    expect(kept.length / 10000).toBeGreaterThan(0.73);
    expect(kept.length / 10000).toBeLessThan(0.77);
    expect(y.toArray()).toEqual(F.dropout(x, { p: 0.25, generator: 3 }).toArray());
    expect(F.dropout(x, { p: 0.25, training: false })).toBe(x);
    expect(F.dropout(x, { p: 1, generator: 1 }).sum().item()).toBe(0);
  });
});
