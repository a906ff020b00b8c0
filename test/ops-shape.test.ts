// Shape and indexing ops with hand-computed values.

import { describe, expect, it } from 'vitest';
import {
  arange,
  cat,
  chunk,
  gather,
  indexSelect,
  type NestedArray,
  split,
  stack,
  tensor,
  zeros,
} from '../src/index.js';

const a23 = arange(6).reshape([2, 3]); // [[0,1,2],[3,4,5]]
const i32 = (v: NestedArray) => tensor(v, { dtype: 'int32' });

describe('shape ops', () => {
  it('reshape / view infer -1 and share storage', () => {
    const r = a23.reshape([3, -1]);
    expect(r.shape).toEqual([3, 2]);
    expect(r.data).toBe(a23.data);
    expect(a23.view([-1]).toArray()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(zeros([0, 3]).reshape([-1]).shape).toEqual([0]);
  });
  it('flatten, squeeze, unsqueeze', () => {
    expect(zeros([2, 3, 4]).flatten(1).shape).toEqual([2, 12]);
    expect(zeros([2, 3, 4]).flatten(0, 1).shape).toEqual([6, 4]);
    expect(zeros([1, 2, 1]).squeeze().shape).toEqual([2]);
    expect(zeros([1, 2, 1]).squeeze(0).shape).toEqual([2, 1]);
    expect(zeros([1, 2, 1]).squeeze([0, -1]).shape).toEqual([2]);
    expect(zeros([2, 3]).squeeze(0).shape).toEqual([2, 3]); // not size 1: unchanged, as torch
    expect(zeros([2, 3]).unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(zeros([2, 3]).unsqueeze(1).shape).toEqual([2, 1, 3]);
  });
  it('expand / broadcastTo', () => {
    expect(
      tensor([[1], [2]])
        .expand([2, 2, 3])
        .toArray(),
    ).toEqual([
      [
        [1, 1, 1],
        [2, 2, 2],
      ],
      [
        [1, 1, 1],
        [2, 2, 2],
      ],
    ]);
    expect(tensor([1, 2]).broadcastTo([2, -1]).toArray()).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });
  it('transpose, mT, permute', () => {
    expect(a23.transpose(0, 1).toArray()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(a23.mT.toArray()).toEqual(a23.transpose(-1, -2).toArray());
    const p = arange(24).reshape([2, 3, 4]).permute([2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.toArray()).toEqual(
      [0, 1, 2, 3].map((k) => [0, 1].map((i) => [0, 1, 2].map((j) => i * 12 + j * 4 + k))),
    );
  });
  it('narrow and slice', () => {
    expect(a23.narrow(1, 1, 2).toArray()).toEqual([
      [1, 2],
      [4, 5],
    ]);
    expect(a23.narrow(1, -1, 1).toArray()).toEqual([[2], [5]]);
    const r = arange(10);
    expect(r.slice(0, { start: 1, step: 3 }).toArray()).toEqual([1, 4, 7]);
    expect(r.slice(0, { start: -3 }).toArray()).toEqual([7, 8, 9]);
    expect(r.slice(0, { start: 2, end: -5, step: 2 }).toArray()).toEqual([2, 4]);
    expect(r.slice(0, { start: 20 }).shape).toEqual([0]); // clipped like Python slices
    expect(r.slice(0, { start: 5, end: 2 }).shape).toEqual([0]);
    expect(a23.slice(1, { step: 2 }).toArray()).toEqual([
      [0, 2],
      [3, 5],
    ]);
  });
});

describe('indexing and joining', () => {
  it('indexSelect with repeated and negative indices', () => {
    expect(indexSelect(a23, 1, i32([2, 0, -1])).toArray()).toEqual([
      [2, 0, 2],
      [5, 3, 5],
    ]);
    expect(a23.indexSelect(0, i32([1, 1])).toArray()).toEqual([
      [3, 4, 5],
      [3, 4, 5],
    ]);
  });
  it('gather along dims 0 and 1, index smaller than the input', () => {
    expect(
      gather(
        a23,
        1,
        i32([
          [2, 0],
          [1, 1],
        ]),
      ).toArray(),
    ).toEqual([
      [2, 0],
      [4, 4],
    ]);
    expect(a23.gather(0, i32([[1, 0, 1]])).toArray()).toEqual([[3, 1, 5]]);
    const x = arange(24).reshape([2, 3, 4]);
    // out[i][j][k] = x[i][j][idx[i][j][k]]
    expect(x.gather(2, i32([[[3, 0]], [[1, 1]]])).toArray()).toEqual([[[3, 0]], [[13, 13]]]);
  });
  it('cat along a dim, with dtype promotion', () => {
    expect(cat([a23, arange(3).reshape([1, 3])], 0).toArray()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [0, 1, 2],
    ]);
    expect(cat([a23, tensor([[9], [9]])], 1).toArray()).toEqual([
      [0, 1, 2, 9],
      [3, 4, 5, 9],
    ]);
    expect(cat([a23, tensor([[9], [9]])], 1).dtype).toBe('float32');
    expect(cat([zeros([0, 2]), zeros([1, 2])]).shape).toEqual([1, 2]);
  });
  it('stack adds a dim', () => {
    const s = stack([tensor([1, 2]), tensor([3, 4])], 1);
    expect(s.toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(stack([tensor(1), tensor(2)]).toArray()).toEqual([1, 2]);
  });
  it('split by size and by sizes, chunk', () => {
    expect(split(arange(5), 2).map((t) => t.toArray())).toEqual([[0, 1], [2, 3], [4]]);
    expect(split(a23, [1, 2], 1).map((t) => t.shape)).toEqual([
      [2, 1],
      [2, 2],
    ]);
    expect(chunk(arange(5), 3).map((t) => t.toArray())).toEqual([[0, 1], [2, 3], [4]]);
    expect(
      arange(6)
        .chunk(4)
        .map((t) => t.toArray()),
    ).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
  });
});
