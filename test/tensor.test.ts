// Tensor basics with small hand-computed values: creation, dtypes and promotion, 0-d
// tensors, high rank, NaN, integer ops, toArray / item.

import { describe, expect, it } from 'vitest';
import {
  arange,
  eye,
  full,
  fullLike,
  linspace,
  ones,
  onesLike,
  rand,
  randint,
  randintLike,
  randn,
  Tensor,
  tensor,
  where,
  zeros,
  zerosLike,
} from '../src/index.js';

describe('creation', () => {
  it('tensor() infers shape and dtype from nested arrays', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(tensor([true, false]).dtype).toBe('bool');
    expect(tensor(5).shape).toEqual([]);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[]]).shape).toEqual([1, 0]);
  });

  it('tensor() copies typed arrays, keeping their dtype unless told', () => {
    const src = new Int32Array([1, 2, 3, 4]);
    const t = tensor(src, { shape: [2, 2] });
    expect(t.dtype).toBe('int32');
    src[0] = 9;
    expect(t.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(tensor(new Float64Array([1.5]), { dtype: 'float32' }).dtype).toBe('float32');
    expect(tensor([1.7, -1.7], { dtype: 'int32' }).toArray()).toEqual([1, -1]);
    // bool storage only ever holds 0 and 1
    expect(Array.from(tensor([2, 0, -1, Number.NaN], { dtype: 'bool' }).data)).toEqual([1, 0, 1, 1]);
    expect(Array.from(tensor(new Float32Array([3, 0]), { dtype: 'bool' }).data)).toEqual([1, 0]);
    expect(Array.from(full([2], 5, { dtype: 'bool' }).data)).toEqual([1, 1]);
  });

  it('the Tensor constructor wraps without copying and freezes the shape', () => {
    const data = new Float64Array([1, 2]);
    const t = new Tensor(data, [2]);
    data[0] = 7;
    expect(t.toArray()).toEqual([7, 2]);
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect(t.dtype).toBe('float64');
  });

  it('zeros, ones, full and the *Like variants', () => {
    expect(zeros([2, 2]).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(ones([3], { dtype: 'int32' }).toArray()).toEqual([1, 1, 1]);
    expect(full([2], 2.5, { dtype: 'float64' }).toArray()).toEqual([2.5, 2.5]);
    const x = tensor([[1, 2]], { dtype: 'float64' });
    expect(zerosLike(x).dtype).toBe('float64');
    expect(onesLike(x).shape).toEqual([1, 2]);
    expect(fullLike(x, 3, { dtype: 'int32' }).toArray()).toEqual([[3, 3]]);
    expect(zeros([]).shape).toEqual([]);
    expect(zeros([]).size).toBe(1);
    expect(zeros([3, 0]).size).toBe(0);
  });

  it('arange: int32 for integer arguments, float32 otherwise, like Python ranges', () => {
    expect(arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(5).dtype).toBe('int32');
    expect(arange(2, 5).toArray()).toEqual([2, 3, 4]);
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(arange(0, 1, 0.25).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(arange(0, 1, 0.25).dtype).toBe('float32');
    expect(arange(3, 3).shape).toEqual([0]);
    expect(arange(0, 3, 1, { dtype: 'float64' }).dtype).toBe('float64');
  });

  it('linspace includes both ends exactly', () => {
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const t = linspace(-1, 0.3, 7, { dtype: 'float64' });
    expect(t.data[0]).toBe(-1);
    expect(t.data[6]).toBe(0.3);
    expect(linspace(2, 3, 1).toArray()).toEqual([2]);
    expect(linspace(2, 3, 0).shape).toEqual([0]);
  });

  it('eye, square and rectangular', () => {
    expect(eye(2).toArray()).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it('random creators: seeded, right shape, dtype and range', () => {
    const a = rand([100], { generator: 3 });
    expect(a.toArray()).toEqual(rand([100], { generator: 3 }).toArray());
    expect(Math.min(...a.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a.data)).toBeLessThan(1);
    expect(randn([2, 3], { dtype: 'float64', generator: 1 }).dtype).toBe('float64');
    const r = randint(-2, 3, [200], { generator: 5 });
    expect(r.dtype).toBe('int32');
    expect(new Set(r.data)).toEqual(new Set([-2, -1, 0, 1, 2]));
    expect(randintLike(zeros([2, 2]), 0, 2, { generator: 1 }).dtype).toBe('int32');
    expect(randn([3], { requiresGrad: true }).requiresGrad).toBe(true);
  });
});

describe('dtype promotion (torch rules)', () => {
  const i32 = (v: number[]) => tensor(v, { dtype: 'int32' });
  it.each([
    ['int32 + int scalar', () => i32([1, 2]).add(3), 'int32', [4, 5]],
    ['int32 + float scalar', () => i32([1, 2]).add(2.5), 'float32', [3.5, 4.5]],
    ['int32 / int32 is true division', () => i32([1, 3]).div(i32([2, 4])), 'float32', [0.5, 0.75]],
    ['int32 * float32 tensor', () => i32([2]).mul(tensor([1.5])), 'float32', [3]],
    ['float32 + float64', () => tensor([1]).add(tensor([2], { dtype: 'float64' })), 'float64', [3]],
    ['float32 + int scalar keeps float32', () => tensor([1]).add(2), 'float32', [3]],
    [
      'bool + bool is or',
      () => tensor([true, false, false]).add(tensor([true, true, false])),
      'bool',
      [true, true, false],
    ],
    ['bool * bool is and', () => tensor([true, false]).mul(tensor([true, true])), 'bool', [true, false]],
    ['bool + int scalar', () => tensor([true, false]).add(1), 'int32', [2, 1]],
    ['bool + float scalar', () => tensor([true, false]).add(0.5), 'float32', [1.5, 0.5]],
    ['bool * int32', () => tensor([true, false]).mul(i32([5, 5])), 'int32', [5, 0]],
    ['int32 ** int scalar', () => i32([2]).pow(3), 'int32', [8]],
    ['comparisons give bool', () => i32([1, 2]).lt(1.5), 'bool', [true, false]],
    ['exp of int32 computes in float32', () => i32([0]).exp(), 'float32', [1]],
    ['mean of int32 is float32', () => i32([1, 2]).mean(), 'float32', 1.5],
    ['sum of int32 stays int32', () => i32([1, 2]).sum(), 'int32', 3],
    ['sum of bool counts', () => tensor([true, true, false]).sum(), 'int32', 2],
    ['int clamp with a fractional bound', () => i32([-2, 1, 3]).clamp({ max: 1.5 }), 'float32', [-2, 1, 1.5]],
    ['where with int scalars', () => where(tensor([true, false]), 1, 0), 'int32', [1, 0]],
    [
      'where float64 and scalar',
      () => where(tensor([true, false]), tensor([1.5, 2.5], { dtype: 'float64' }), 0),
      'float64',
      [1.5, 0],
    ],
  ])('%s', (_name, f, dtype, value) => {
    const t = f() as Tensor;
    expect(t.dtype).toBe(dtype);
    expect(t.toArray()).toEqual(value);
  });
});

describe('0-d tensors', () => {
  const s = tensor(3);
  it('behave as scalars in ops and reductions', () => {
    expect(s.item()).toBe(3);
    expect(s.toArray()).toBe(3);
    expect(s.add(tensor([1, 2])).toArray()).toEqual([4, 5]);
    expect(s.mul(2).shape).toEqual([]);
    expect(s.sum().item()).toBe(3);
    expect(s.sum(0).item()).toBe(3);
    expect(s.mean(-1).item()).toBe(3);
    expect(s.max(0).values.item()).toBe(3);
    expect(s.max(0).indices.item()).toBe(0);
    expect(s.argmax().item()).toBe(0);
    expect(s.amax().item()).toBe(3);
    expect(s.softmax(0).item()).toBe(1);
    expect(s.logsumexp(0).item()).toBe(3);
    expect(s.topk(1).values.item()).toBe(3);
    expect(s.sort().values.item()).toBe(3);
    expect(s.var(undefined, { correction: 0 }).item()).toBe(0);
  });
  it('reshape to and from 0-d', () => {
    expect(s.unsqueeze(0).shape).toEqual([1]);
    expect(s.flatten().shape).toEqual([1]);
    expect(s.reshape([1, 1]).shape).toEqual([1, 1]);
    expect(tensor([[7]]).reshape([]).shape).toEqual([]);
    expect(
      tensor([[7]])
        .squeeze()
        .item(),
    ).toBe(7);
    expect(s.expand([2, 2]).toArray()).toEqual([
      [3, 3],
      [3, 3],
    ]);
    expect(s.transpose(0, -1).item()).toBe(3);
  });
  it('a 0-d index selects along a dim and drops nothing else', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(x.indexSelect(0, tensor([1], { dtype: 'int32' })).toArray()).toEqual([[3, 4]]);
  });
});

describe('high rank', () => {
  // x[a,b,c,d,e] = a*10000 + b*1000 + c*100 + d*10 + e
  const shape = [2, 3, 2, 2, 3];
  const x = new Tensor(new Float64Array(72), shape);
  let k = 0;
  for (let a = 0; a < 2; a++)
    for (let b = 0; b < 3; b++)
      for (let c = 0; c < 2; c++)
        for (let d = 0; d < 2; d++)
          for (let e = 0; e < 3; e++) x.data[k++] = a * 10000 + b * 1000 + c * 100 + d * 10 + e;
  const at = (t: Tensor, idx: number[]) => {
    let off = 0;
    for (let i = 0; i < idx.length; i++) off = off * t.shape[i] + idx[i];
    return t.data[off];
  };
  it('permute moves every coordinate', () => {
    const p = x.permute([4, 2, 0, 3, 1]);
    expect(p.shape).toEqual([3, 2, 2, 2, 3]);
    expect(at(p, [2, 1, 1, 0, 2])).toBe(12102); // x[1, 2, 1, 0, 2]
  });
  it('sum over non-adjacent dims with keepdim', () => {
    const s = x.sum([1, 3], { keepdim: true });
    expect(s.shape).toEqual([2, 1, 2, 1, 3]);
    // sum over b in 0..2 and d in 0..1 of x[1, b, 0, d, 2] = 6*10000 + 1000*(0+1+2)*2 + 10*(0+1)*3 + 2*6
    expect(at(s, [1, 0, 0, 0, 2])).toBe(60000 + 6000 + 30 + 12);
  });
  it('max along a middle dim', () => {
    const m = x.max(2);
    expect(m.values.shape).toEqual([2, 3, 2, 3]);
    expect(at(m.values, [0, 1, 1, 2])).toBe(1112);
    expect(m.indices.data.every((v) => v === 1)).toBe(true);
  });
  it('broadcast add of rank 5 and rank 2', () => {
    const y = x.add(tensor([[0.5], [0.25]], { dtype: 'float64' }));
    expect(y.shape).toEqual(shape);
    expect(at(y, [1, 1, 1, 0, 2])).toBe(11102.5);
    expect(at(y, [1, 1, 1, 1, 2])).toBe(11112.25);
  });
});

describe('NaN propagation', () => {
  const x = tensor([1, Number.NaN, 3]);
  it('max / argmax / amax: NaN wins, as torch', () => {
    expect(x.max(0).values.item()).toBeNaN();
    expect(x.max(0).indices.item()).toBe(1);
    expect(x.argmax().item()).toBe(1);
    expect(x.argmin().item()).toBe(1);
    expect(x.amax().item()).toBeNaN();
    expect(x.amin().item()).toBeNaN();
  });
  it('sums and elementwise ops carry NaN', () => {
    expect(x.sum().item()).toBeNaN();
    expect(x.exp().isnan().toArray()).toEqual([false, true, false]);
    expect(
      tensor([1, Number.NaN])
        .maximum(tensor([Number.NaN, 2]))
        .isnan()
        .toArray(),
    ).toEqual([true, true]);
    expect(tensor([Number.NaN, -1]).relu().isnan().toArray()).toEqual([true, false]);
    expect(tensor([Number.NaN, -1]).clamp({ min: 0 }).isnan().toArray()).toEqual([true, false]);
  });
  it('sort puts NaN last (first when descending); topk counts NaN as largest', () => {
    const y = tensor([3, Number.NaN, 1, 2]);
    expect(Array.from(y.sort().indices.data)).toEqual([2, 3, 0, 1]);
    expect(Array.from(y.sort({ descending: true }).indices.data)).toEqual([1, 0, 3, 2]);
    expect(Array.from(y.topk(2).indices.data)).toEqual([1, 0]);
    expect(Array.from(y.topk(2, { largest: false }).indices.data)).toEqual([2, 3]);
  });
  it('comparisons with NaN are false, ne is true', () => {
    expect(x.eq(x).toArray()).toEqual([true, false, true]);
    expect(x.ne(x).toArray()).toEqual([false, true, false]);
    expect(x.isfinite().toArray()).toEqual([true, false, true]);
  });
});

describe('integer ops', () => {
  const a = tensor([7, -7, 2], { dtype: 'int32' });
  it('arithmetic stays exact in int32', () => {
    expect(a.add(a).toArray()).toEqual([14, -14, 4]);
    expect(a.mul(3).toArray()).toEqual([21, -21, 6]);
    expect(a.sub(1).toArray()).toEqual([6, -8, 1]);
    expect(a.pow(2).toArray()).toEqual([49, 49, 4]);
    expect(a.abs().toArray()).toEqual([7, 7, 2]);
    expect(a.neg().toArray()).toEqual([-7, 7, -2]);
    expect(a.maximum(0).toArray()).toEqual([7, 0, 2]);
    expect(a.div(2).toArray()).toEqual([3.5, -3.5, 1]);
  });
  it('reductions and indices', () => {
    expect(a.sum().item()).toBe(2);
    expect(a.amax().item()).toBe(7);
    expect(a.argmin().item()).toBe(1);
    expect(a.sort().values.toArray()).toEqual([-7, 2, 7]);
    expect(a.sort().values.dtype).toBe('int32');
    expect(a.topk(1).values.toArray()).toEqual([7]);
  });
  it('casts truncate toward zero, bool casts test non-zero', () => {
    expect(tensor([1.9, -1.9, 0.2]).to('int32').toArray()).toEqual([1, -1, 0]);
    expect(tensor([0, 2, -1]).to('bool').toArray()).toEqual([false, true, true]);
    expect(tensor([true, false]).to('float64').toArray()).toEqual([1, 0]);
  });
});

describe('toArray and item', () => {
  it('nests by shape, booleans for bool', () => {
    expect(arange(6).reshape([3, 1, 2]).toArray()).toEqual([[[0, 1]], [[2, 3]], [[4, 5]]]);
    expect(tensor([[true], [false]]).toArray()).toEqual([[true], [false]]);
    expect(zeros([2, 0]).toArray()).toEqual([[], []]);
  });
  it('item of any one-element tensor', () => {
    expect(tensor([[4.5]]).item()).toBe(4.5);
    expect(tensor([true]).item()).toBe(1);
  });
  it('float32 values are stored rounded', () => {
    expect(tensor([0.1]).item()).toBe(Math.fround(0.1));
    expect(tensor([0.1], { dtype: 'float64' }).item()).toBe(0.1);
  });
});
