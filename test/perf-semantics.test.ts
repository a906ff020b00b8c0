// The fast paths behind small-tensor speed (issue 7) keep the semantics of the plain ones:
// slab-carved storage, shared frozen shapes, shape slicing helpers, binary-op fast paths,
// the fused mseLoss and linear bias gradient, the engine's per-tensor bookkeeping, and the
// reused row orders and batch buffers of data.batches and trainSteps. No timings here.

import { describe, expect, it } from 'vitest';
import {
  AutogradError,
  batches,
  F,
  Generator,
  randn,
  Tensor,
  tensor,
  trainSteps,
  zeros,
} from '../src/index.js';
import { allocate, type DType } from '../src/tensor/dtype.js';
import { dims, numel, numelOf } from '../src/tensor/shape.js';

const DTYPES: DType[] = ['float32', 'float64', 'int32', 'bool'];

describe('allocate (slab-carved small arrays)', () => {
  it('returns zeroed arrays that never overlap, across many slabs and every size class', () => {
    const live: { a: ReturnType<typeof allocate>; v: number }[] = [];
    let v = 1;
    for (let round = 0; round < 40; round++) {
      for (const dtype of DTYPES) {
        for (const n of [0, 1, 15, 16, 17, 63, 64, 65, 200, 511, 512, 513, 1024, 1025, 5000]) {
          const a = allocate(dtype, n);
          expect(a.length).toBe(n);
          expect(a.every((x) => x === 0)).toBe(true);
          a.fill(v % 2 === 0 || dtype !== 'bool' ? v % 100 : 1);
          live.push({ a, v: dtype === 'bool' ? (v % 2 === 0 ? v % 100 : 1) : v % 100 });
          v++;
        }
      }
    }
    // every array still holds its own fill: no region was handed out twice
    for (const { a, v: want } of live) expect(a.every((x) => x === want)).toBe(true);
  });

  it('gives each dtype its typed array', () => {
    expect(allocate('float32', 100)).toBeInstanceOf(Float32Array);
    expect(allocate('float64', 100)).toBeInstanceOf(Float64Array);
    expect(allocate('int32', 100)).toBeInstanceOf(Int32Array);
    expect(allocate('bool', 100)).toBeInstanceOf(Uint8Array);
  });
});

describe('Tensor shapes', () => {
  it('shares a frozen shape and copies (then freezes) a plain one', () => {
    const frozen = Object.freeze([2, 3]);
    const t = new Tensor(new Float32Array(6), frozen);
    expect(t.shape).toBe(frozen);
    const plain = [2, 3];
    const u = new Tensor(new Float32Array(6), plain);
    plain[0] = 99;
    expect(u.shape).toEqual([2, 3]);
    expect(Object.isFrozen(u.shape)).toBe(true);
  });

  it('dims and numelOf agree with slice and numel(slice), negative indices included', () => {
    const s = Object.freeze([2, 3, 4, 5]);
    for (let a = -6; a <= 6; a++) {
      expect(dims(s, a)).toEqual(s.slice(a));
      for (let b = -6; b <= 6; b++) expect(dims(s, a, b)).toEqual(s.slice(a, b));
    }
    for (let a = 0; a <= 5; a++) {
      expect(numelOf(s, a)).toBe(numel(s.slice(a)));
      for (let b = a; b <= 5; b++) expect(numelOf(s, a, b)).toBe(numel(s.slice(a, b)));
    }
  });
});

// Reference: NumPy broadcasting by explicit index arithmetic. For each output element, the
// offsets of the elements of a and b it reads.
function broadcastPairs(sa: readonly number[], sb: readonly number[]): [number, number][] {
  const r = Math.max(sa.length, sb.length);
  const pad = (s: readonly number[]) => [...Array(r - s.length).fill(1), ...s];
  const pa = pad(sa);
  const pb = pad(sb);
  const out = pa.map((d, i) => (d === 1 ? pb[i] : d));
  const idx = new Array(r).fill(0);
  const at = (s: number[]) => {
    let off = 0;
    for (let i = 0; i < r; i++) off = off * s[i] + (s[i] === 1 ? 0 : idx[i]);
    return off;
  };
  const pairs: [number, number][] = [];
  for (let k = 0; k < numel(out); k++) {
    let rem = k;
    for (let i = r - 1; i >= 0; i--) {
      idx[i] = rem % out[i];
      rem = Math.floor(rem / out[i]);
    }
    pairs.push([at(pa), at(pb)]);
  }
  return pairs;
}

describe('binary ops: the same-shape and one-element fast paths', () => {
  const cases: [number[], number[]][] = [
    [
      [3, 4],
      [3, 4],
    ],
    [[3, 4], []],
    [[], [3, 4]],
    [[3, 4], [1]],
    [[1], [3, 4]],
    [[1, 1], [3]],
    [[3], [1, 1]],
    [
      [2, 1],
      [1, 3],
    ],
    [[], []],
    [[0, 2], [1]],
  ];
  it.each(cases)('%j with %j: shape, values and gradients as the broadcast rule gives', (sa, sb) => {
    const a = randn(sa, { dtype: 'float64', generator: 1, requiresGrad: true });
    const b = randn(sb, { dtype: 'float64', generator: 2, requiresGrad: true });
    const y = a.mul(b).add(a).sub(b);
    const pairs = broadcastPairs(sa, sb);
    expect(y.ndim).toBe(Math.max(sa.length, sb.length));
    expect([...y.data]).toEqual(pairs.map(([i, j]) => a.data[i] * b.data[j] + a.data[i] - b.data[j]));
    y.sum().backward();
    // d/da_i = sum of (b_j + 1) over the outputs reading a_i; d/db_j = sum of (a_i - 1)
    const ga = new Array(a.size).fill(0);
    const gb = new Array(b.size).fill(0);
    for (const [i, j] of pairs) {
      ga[i] += b.data[j] + 1;
      gb[j] += a.data[i] - 1;
    }
    expect(a.grad?.shape).toEqual(sa);
    expect(b.grad?.shape).toEqual(sb);
    for (const [i, v] of (a.grad?.data ?? []).entries()) expect(v).toBeCloseTo(ga[i], 12);
    for (const [j, v] of (b.grad?.data ?? []).entries()) expect(v).toBeCloseTo(gb[j], 12);
  });

  it('a plain number operand keeps the tensor dtype and shape', () => {
    const x = tensor([[1, 2, 3]], { dtype: 'float32' });
    const y = x.mul(0.5);
    expect(y.dtype).toBe('float32');
    expect(y.shape).toEqual([1, 3]);
    expect([...y.data]).toEqual([0.5, 1, 1.5]);
    expect(tensor([1, 2], { dtype: 'int32' }).mul(2).dtype).toBe('int32');
  });
});

describe('fused mseLoss and linear', () => {
  it.each(['float32', 'float64'] as const)(
    'mseLoss (%s) matches the composed formula bit for bit',
    (dtype) => {
      const x = randn([7, 3], { dtype, generator: 3, requiresGrad: true });
      const t = randn([7, 3], { dtype, generator: 4, requiresGrad: true });
      for (const reduction of ['mean', 'sum'] as const) {
        x.zeroGrad();
        t.zeroGrad();
        const loss = F.mseLoss(x, t, { reduction });
        const diff = x.detach().sub(t.detach());
        let s = 0;
        for (const v of diff.data) s += v * v;
        const n = reduction === 'mean' ? diff.size : 1;
        expect(loss.item()).toBe(dtype === 'float32' ? Math.fround(s / n) : s / n);
        loss.mul(3).backward();
        const gx = diff.mul(tensor(3, { dtype }).mul(2 / n));
        expect([...(x.grad?.data ?? [])]).toEqual([...gx.data]);
        expect([...(t.grad?.data ?? [])]).toEqual([...gx.neg().data]);
      }
    },
  );

  it('linear: the bias gradient is the sum of dy over rows, as sum(dy, 0)', () => {
    const x = randn([5, 4, 3], { generator: 5 });
    const w = randn([6, 3], { generator: 6, requiresGrad: true });
    const b = randn([6], { generator: 7, requiresGrad: true });
    const dy = randn([5, 4, 6], { generator: 8 });
    F.linear(x, w, b).backward(dy);
    expect([...(b.grad?.data ?? [])]).toEqual([...dy.reshape([20, 6]).sum(0).data]);
  });
});

describe('backward bookkeeping on the tensors', () => {
  it('leaves nothing behind after an error, so the next pass is clean', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const loss = w.mul(w).sum();
    loss.backward();
    expect(() => loss.backward()).toThrow(AutogradError);
    w.zeroGrad();
    w.mul(2).sum().backward();
    expect([...(w.grad?.data ?? [])]).toEqual([2, 2, 2]);
  });

  it('sums gradients over shared subgraphs and accumulates into leaves across passes', () => {
    const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const h = x.mul(x); // used twice below: a diamond
    const y = h.add(h.mul(3)).sum(); // = 4 x^2, dy/dx = 8 x
    y.backward();
    expect([...(x.grad?.data ?? [])]).toEqual([8, 16]);
    x.mul(x).sum().backward(); // accumulates 2 x
    expect([...(x.grad?.data ?? [])]).toEqual([10, 20]);
  });
});

describe('batches and trainSteps reuse buffers without sharing data', () => {
  const X = tensor(
    Array.from({ length: 10 }, (_, i) => [i, 10 + i]),
    { dtype: 'float32' },
  );
  const y = tensor(
    Array.from({ length: 10 }, (_, i) => i),
    { dtype: 'float32' },
  );

  it('a seeded pass visits the rows in Generator.permutation order, each batch its own storage', () => {
    const perm = new Generator(9).permutation(10);
    const kept = [...batches(X, y, { batchSize: 4, seed: 9 })];
    expect(kept.flatMap((b) => [...b.y.data])).toEqual([...perm]);
    expect(kept.map((b) => b.x.shape)).toEqual([
      [4, 2],
      [4, 2],
      [2, 2],
    ]);
    kept[0].x.data[0] = -1; // writing a batch touches neither the data nor another batch
    expect(X.data[perm[0] * 2]).toBe(perm[0]);
    expect([...kept[1].x.data]).toEqual([...perm.slice(4, 8)].flatMap((r) => [r, 10 + r]));
  });

  it('interleaved and abandoned passes each see their own order', () => {
    const a = batches(X, y, { batchSize: 5, seed: 1 });
    const b = batches(X, y, { batchSize: 5, seed: 2 });
    const firstA = a.next().value?.y.data;
    const firstB = b.next().value?.y.data;
    const restA = a.next().value?.y.data;
    a.return(undefined); // abandoned: its order goes back for reuse
    const c = [...batches(X, y, { batchSize: 10, seed: 1 })][0].y.data;
    expect([...(firstA ?? []), ...(restA ?? [])]).toEqual([...new Generator(1).permutation(10)]);
    expect([...(firstB ?? [])]).toEqual([...new Generator(2).permutation(10).slice(0, 5)]);
    expect([...c]).toEqual([...new Generator(1).permutation(10)]);
  });

  it('trainSteps hands out views valid during the step: the rows of each epoch in shuffle order', () => {
    const seen: number[][] = [];
    const task = {
      step: (xb: Tensor, yb: Tensor) => {
        seen.push([...yb.data]);
        expect([...xb.data]).toEqual([...yb.data].flatMap((r) => [r, 10 + r]));
        return 1;
      },
      evaluate: () => 1,
    };
    const gen = new Generator(4);
    for (const _ of trainSteps(task, X, y, { epochs: 2, batchSize: 4, seed: 4 })) {
      // drained
    }
    const order = Int32Array.from({ length: 10 }, (_, i) => i);
    const want: number[][] = [];
    for (let e = 0; e < 2; e++) {
      gen.shuffle(order);
      want.push([...order.slice(0, 4)], [...order.slice(4, 8)], [...order.slice(8)]);
    }
    expect(seen).toEqual(want);
    const unshuffled: number[][] = [];
    const record = {
      step: (_x: Tensor, yb: Tensor) => {
        unshuffled.push([...yb.data]);
        return 1;
      },
      evaluate: () => 1,
    };
    for (const _ of trainSteps(record, X, y, { epochs: 1, batchSize: 6, shuffle: false })) {
      // drained
    }
    expect(unshuffled).toEqual([
      [0, 1, 2, 3, 4, 5],
      [6, 7, 8, 9],
    ]);
  });

  it('zeros and a fresh tensor after many small allocations are still zero', () => {
    for (let i = 0; i < 2000; i++) randn([70], { generator: i });
    expect([...zeros([300]).data].every((v) => v === 0)).toBe(true);
  });
});
