// F.scaledDotProductAttention: hand-computed values, the three mask kinds and causal masking,
// fully masked rows (zeros, never NaN, zero gradients), the fused node against the same math
// composed from primitive ops (values and gradients), broadcasting, blocks of queries,
// gradchecks, a property test against naive loops, and bad input.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  DTypeError,
  F,
  gradcheck,
  matmul,
  ones,
  ShapeError,
  softmax,
  type Tensor,
  tensor,
  where,
  zeros,
} from '../src/index.js';
import { expectAllClose, F64, leaf64, randn64 } from './helpers.js';

const bool = (v: boolean[][] | boolean[][][] | boolean[]) => tensor(v, { dtype: 'bool' });
/** true above the diagonal: key j > query i. */
const triu = (Lq: number, Lk: number) =>
  tensor(
    Array.from({ length: Lq }, (_, i) => Array.from({ length: Lk }, (_, j) => j > i)),
    { dtype: 'bool' },
  );

/** The textbook composition from primitive ops: softmax(q k^T * scale, masked) v. */
function composed(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  blockMask: Tensor | null,
  scale = 1 / Math.sqrt(q.shape[q.ndim - 1]),
) {
  let s = matmul(q, k.mT).mul(scale);
  if (blockMask) s = s.maskedFill(blockMask, Number.NEGATIVE_INFINITY);
  const weights = softmax(s, -1);
  return { output: matmul(weights, v), weights };
}

/** Gradients of sum(output * u) for each input. */
function grads(fn: () => Tensor, inputs: Tensor[], u: Tensor): Tensor[] {
  for (const t of inputs) t.grad = null;
  fn().mul(u).sum().backward();
  return inputs.map((t) => t.grad!);
}

describe('scaledDotProductAttention values', () => {
  it('matches a hand computation', () => {
    // scores [1, 0] -> weights [e, 1] / (e + 1); output = weights @ [[1, 2], [3, 4]]
    const q = tensor([[1, 0]], F64);
    const k = tensor(
      [
        [1, 0],
        [0, 1],
      ],
      F64,
    );
    const v = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      F64,
    );
    const { output, weights } = F.scaledDotProductAttention(q, k, v, { scale: 1 });
    const a = Math.E / (Math.E + 1);
    expectAllClose(weights, tensor([[a, 1 - a]], F64));
    expectAllClose(output, tensor([[a + 3 * (1 - a), 2 * a + 4 * (1 - a)]], F64));
  });

  it('gives uniform weights for zero queries and the default scale is 1/sqrt(D)', () => {
    const k = randn64([5, 4], 1);
    const v = randn64([5, 3], 2);
    const { output, weights } = F.scaledDotProductAttention(zeros([2, 4], F64), k, v);
    expectAllClose(weights, ones([2, 5], F64).div(5));
    expectAllClose(output, v.mean(0, { keepdim: true }).expand([2, 3]));
    const q = randn64([3, 4], 3);
    expectAllClose(
      F.scaledDotProductAttention(q, k, v).output,
      F.scaledDotProductAttention(q, k, v, { scale: 0.5 }).output,
    );
  });

  it('blockMask, keepMask (its negation), a -inf bias and isCausal all mean the same', () => {
    const [q, k, v] = [randn64([2, 4, 3], 4), randn64([2, 4, 3], 5), randn64([2, 4, 2], 6)];
    const m = triu(4, 4);
    const ref = F.scaledDotProductAttention(q, k, v, { blockMask: m });
    for (const opts of [
      { keepMask: m.logicalNot() },
      { bias: where(m, Number.NEGATIVE_INFINITY, 0).double() },
      { isCausal: true },
    ]) {
      const r = F.scaledDotProductAttention(q, k, v, opts);
      expectAllClose(r.output, ref.output);
      expectAllClose(r.weights, ref.weights);
    }
    expect(ref.weights.data[1]).toBe(0); // query 0 may not see key 1: exactly 0
  });

  it('ORs isCausal with the mask', () => {
    const [q, k, v] = [randn64([3, 3], 7), randn64([3, 3], 8), randn64([3, 2], 9)];
    const pad = bool([false, true, false]); // key 1 is padding
    const r = F.scaledDotProductAttention(q, k, v, { blockMask: pad, isCausal: true });
    const ref = F.scaledDotProductAttention(q, k, v, { blockMask: triu(3, 3).logicalOr(pad) });
    expectAllClose(r.weights, ref.weights);
    expect(Array.from(r.weights.data.slice(0, 3))).toEqual([1, 0, 0]);
  });

  it('a fully masked query row gives zero weights, zero output and zero finite gradients', () => {
    const [q, k, v] = [leaf64([3, 4], 10), leaf64([5, 4], 11), leaf64([5, 2], 12)];
    const mask = bool([
      [false, true, false, false, true],
      [true, true, true, true, true],
      [false, false, false, false, false],
    ]);
    const { output, weights } = F.scaledDotProductAttention(q, k, v, { blockMask: mask });
    expect(Array.from(weights.data.slice(5, 10))).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(output.data.slice(2, 4))).toEqual([0, 0]);
    expect([...output.data, ...weights.data].every(Number.isFinite)).toBe(true);
    output.sum().backward();
    for (const t of [q, k, v]) expect(Array.from(t.grad!.data).every(Number.isFinite)).toBe(true);
    expect(Array.from(q.grad!.data.slice(4, 8))).toEqual([0, 0, 0, 0]);
    // and every query fully masked, through a -inf bias
    const all = F.scaledDotProductAttention(q, k, v, {
      bias: zeros([3, 5], F64).add(Number.NEGATIVE_INFINITY),
    });
    expect(Array.from(all.output.data).every((x) => x === 0)).toBe(true);
  });

  it('keeps NaN inputs visible instead of hiding them as a masked row', () => {
    const q = tensor(
      [
        [Number.NaN, 0],
        [1, 0],
      ],
      F64,
    );
    const { output } = F.scaledDotProductAttention(q, randn64([3, 2], 13), randn64([3, 2], 14));
    expect(Number.isNaN(output.data[0])).toBe(true);
    expect(Number.isFinite(output.data[2])).toBe(true);
  });

  it('is stable for huge scores', () => {
    const q = tensor([[1000, 0]], F64);
    const k = tensor(
      [
        [1, 0],
        [0.9, 0],
      ],
      F64,
    );
    const { weights } = F.scaledDotProductAttention(q, k, tensor([[1], [2]], F64), { scale: 1 });
    expectAllClose(weights, tensor([[1 / (1 + Math.exp(-100)), Math.exp(-100) / (1 + Math.exp(-100))]], F64));
  });

  it('computes float32 in float32', () => {
    const f32 = (t: Tensor) => t.detach().to('float32');
    const [q, k, v] = [randn64([2, 3, 4], 15), randn64([2, 5, 4], 16), randn64([2, 5, 3], 17)];
    const r = F.scaledDotProductAttention(f32(q), f32(k), f32(v));
    expect(r.output.dtype).toBe('float32');
    expect(r.weights.dtype).toBe('float32');
    expectAllClose(r.output.to('float64'), F.scaledDotProductAttention(q, k, v).output, {
      rtol: 1e-5,
      atol: 1e-5,
    });
  });

  it('float32 stays within 1e-4 of float64 on sizes the fast gemm path takes, gradients too', () => {
    const [q, k, v] = [leaf64([2, 2, 90, 16], 18), leaf64([2, 2, 70, 16], 19), leaf64([2, 2, 70, 16], 20)];
    const u = randn64([2, 2, 90, 16], 21);
    const [q32, k32, v32] = [q, k, v].map((t) => t.detach().to('float32').requiresGrad_());
    const run = (a: Tensor, b: Tensor, c: Tensor) =>
      F.scaledDotProductAttention(a, b, c, { isCausal: true }).output;
    const g64 = grads(() => run(q, k, v), [q, k, v], u);
    const g32 = grads(() => run(q32, k32, v32), [q32, k32, v32], u.to('float32'));
    expectAllClose(run(q32, k32, v32).to('float64'), run(q, k, v).detach(), { rtol: 1e-4, atol: 1e-4 });
    g32.forEach((g, i) => {
      expectAllClose(g.to('float64'), g64[i], { rtol: 1e-4, atol: 1e-4 });
    });
  });
});

describe('the fused node against the composition of primitive ops', () => {
  it('matches values and gradients with a mask, over [B, H] heads', () => {
    const [q, k, v] = [leaf64([2, 3, 5, 4], 20), leaf64([2, 3, 6, 4], 21), leaf64([2, 3, 6, 3], 22)];
    const mask = tensor(
      Array.from({ length: 2 * 5 * 6 }, (_, i) => i % 7 === 3),
      { dtype: 'bool', shape: [2, 1, 5, 6] },
    );
    const fused = F.scaledDotProductAttention(q, k, v, { blockMask: mask });
    const ref = composed(q, k, v, mask);
    expectAllClose(fused.output, ref.output);
    expectAllClose(fused.weights, ref.weights);
    const u = randn64([2, 3, 5, 3], 23);
    const gf = grads(() => F.scaledDotProductAttention(q, k, v, { blockMask: mask }).output, [q, k, v], u);
    const gr = grads(() => composed(q, k, v, mask).output, [q, k, v], u);
    gf.forEach((g, i) => {
      expectAllClose(g, gr[i], { rtol: 1e-11, atol: 1e-11 });
    });
  });

  it('is one graph node for q, k and v', () => {
    const [q, k, v] = [leaf64([2, 3, 4], 24), leaf64([2, 3, 4], 25), leaf64([2, 3, 4], 26)];
    const { output } = F.scaledDotProductAttention(q, k, v);
    expect(output.gradFn?.name).toBe('scaledDotProductAttention');
    expect(output.gradFn?.inputs).toEqual([q, k, v]);
  });

  it('handles more queries than one block (and no weights kept) exactly like the composition', () => {
    const [q, k, v] = [leaf64([150, 8], 27), leaf64([70, 8], 28), leaf64([70, 5], 29)];
    const u = randn64([150, 5], 30);
    const ref = composed(q, k, v, null);
    const lite = F.scaledDotProductAttention(q, k, v, { needWeights: false });
    expect(lite.weights).toBeNull();
    expectAllClose(lite.output, ref.output);
    const gf = grads(() => F.scaledDotProductAttention(q, k, v, { needWeights: false }).output, [q, k, v], u);
    const gr = grads(() => composed(q, k, v, null).output, [q, k, v], u);
    gf.forEach((g, i) => {
      expectAllClose(g, gr[i], { rtol: 1e-11, atol: 1e-11 });
    });
  });

  it('broadcasts leading dims of q, k, v like matmul (k, v shared by the batch)', () => {
    const [q, k, v] = [leaf64([2, 3, 4, 5], 31), leaf64([3, 6, 5], 32), leaf64([1, 6, 2], 33)];
    const u = randn64([2, 3, 4, 2], 34);
    const fused = F.scaledDotProductAttention(q, k, v);
    expect(fused.output.shape).toEqual([2, 3, 4, 2]);
    expect(fused.weights.shape).toEqual([2, 3, 4, 6]);
    expectAllClose(fused.output, composed(q, k, v, null).output);
    const gf = grads(() => F.scaledDotProductAttention(q, k, v).output, [q, k, v], u);
    const gr = grads(() => composed(q, k, v, null).output, [q, k, v], u);
    gf.forEach((g, i) => {
      expectAllClose(g, gr[i], { rtol: 1e-11, atol: 1e-11 });
    });
  });
});

describe('scaledDotProductAttention gradcheck (float64)', () => {
  const [Lq, Lk] = [3, 4];
  const cases: [string, (q: Tensor, k: Tensor, v: Tensor, b: Tensor) => Tensor | Tensor[]][] = [
    [
      'no mask, output and weights',
      (q, k, v) => {
        const r = F.scaledDotProductAttention(q, k, v);
        return [r.output, r.weights];
      },
    ],
    [
      'blockMask',
      (q, k, v) =>
        F.scaledDotProductAttention(q, k, v, { blockMask: bool([false, true, false, false]) }).output,
    ],
    [
      'keepMask [Lq, Lk]',
      (q, k, v) => F.scaledDotProductAttention(q, k, v, { keepMask: triu(Lq, Lk).logicalNot() }).output,
    ],
    ['bias (and its gradient)', (q, k, v, b) => F.scaledDotProductAttention(q, k, v, { bias: b }).output],
    ['causal, weights only', (q, k, v) => F.scaledDotProductAttention(q, k, v, { isCausal: true }).weights],
    [
      'a fully masked row',
      (q, k, v) => {
        const r = F.scaledDotProductAttention(q, k, v, {
          blockMask: bool([
            [false, true, false, false],
            [true, true, true, true],
            [false, false, false, true],
          ]),
        });
        return [r.output, r.weights];
      },
    ],
    [
      'needWeights false, custom scale',
      (q, k, v) => F.scaledDotProductAttention(q, k, v, { needWeights: false, scale: 0.7 }).output,
    ],
  ];
  it.each(cases)('%s', (_name, fn) => {
    const inputs = [
      leaf64([2, Lq, 5], 40),
      leaf64([2, Lk, 5], 41),
      leaf64([2, Lk, 3], 42),
      leaf64([Lq, Lk], 43),
    ];
    expect(gradcheck(fn, inputs)).toBe(true);
  });

  it('gives finite zero gradients on a fully masked row', () => {
    const [q, k, v] = [leaf64([2, 3], 44), leaf64([2, 3], 45), leaf64([2, 3], 46)];
    const r = F.scaledDotProductAttention(q, k, v, {
      blockMask: bool([
        [true, true],
        [false, true],
      ]),
    });
    r.output
      .mul(randn64([2, 3], 47))
      .sum()
      .add(r.weights.mul(randn64([2, 2], 48)).sum())
      .backward();
    expect(Array.from(q.grad!.data.slice(0, 3))).toEqual([0, 0, 0]);
    expect([...q.grad!.data, ...k.grad!.data, ...v.grad!.data].every(Number.isFinite)).toBe(true);
  });
});

describe('property: matches naive loops', () => {
  it('random shapes, masks and causal flags', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1e6 }),
        (Lq, Lk, D, Dv, causal, seed) => {
          const [q, k, v] = [randn64([Lq, D], seed), randn64([Lk, D], seed + 1), randn64([Lk, Dv], seed + 2)];
          const m = tensor(
            Array.from({ length: Lq * Lk }, (_, i) => ((seed >> (i % 20)) & 1) === 1),
            { dtype: 'bool', shape: [Lq, Lk] },
          );
          const { output, weights } = F.scaledDotProductAttention(q, k, v, {
            blockMask: m,
            isCausal: causal,
          });
          for (let i = 0; i < Lq; i++) {
            const s: number[] = [];
            for (let j = 0; j < Lk; j++) {
              let d = 0;
              for (let c = 0; c < D; c++) d += q.data[i * D + c] * k.data[j * D + c];
              s.push(m.data[i * Lk + j] || (causal && j > i) ? Number.NEGATIVE_INFINITY : d / Math.sqrt(D));
            }
            const mx = Math.max(...s);
            const e = s.map((x) => (mx === Number.NEGATIVE_INFINITY ? 0 : Math.exp(x - mx)));
            const z = e.reduce((a, b) => a + b, 0) || 1;
            for (let j = 0; j < Lk; j++) expect(weights.data[i * Lk + j]).toBeCloseTo(e[j] / z, 12);
            for (let c = 0; c < Dv; c++) {
              let o = 0;
              for (let j = 0; j < Lk; j++) o += (e[j] / z) * v.data[j * Dv + c];
              expect(output.data[i * Dv + c]).toBeCloseTo(o, 12);
            }
          }
        },
      ),
      { numRuns: 60, seed: 7 },
    );
  });
});

describe('scaledDotProductAttention bad input', () => {
  const [q, k, v] = [randn64([2, 3, 4], 50), randn64([2, 5, 4], 51), randn64([2, 5, 6], 52)];
  const sdpa = F.scaledDotProductAttention;
  it.each([
    [
      'two masks',
      () => sdpa(q, k, v, { blockMask: triu(3, 5), bias: zeros([3, 5], F64) }),
      ArgumentError,
      /at most one of blockMask, keepMask and bias \(got blockMask and bias\)/,
    ],
    [
      'mask not broadcastable',
      () => sdpa(q, k, v, { blockMask: triu(3, 4) }),
      ShapeError,
      /blockMask \[3,4\] does not broadcast to the scores \[2,3,5\]/,
    ],
    [
      'mask with extra leading dims',
      () => sdpa(q, k, v, { keepMask: zeros([4, 2, 3, 5], { dtype: 'bool' }) }),
      ShapeError,
      /keepMask \[4,2,3,5\] does not broadcast/,
    ],
    [
      'float blockMask',
      () => sdpa(q, k, v, { blockMask: zeros([3, 5]) }),
      DTypeError,
      /blockMask must be a bool tensor .*got float32/,
    ],
    [
      'bool bias',
      () => sdpa(q, k, v, { bias: triu(3, 5) }),
      DTypeError,
      /bias must be a float tensor .*got bool/,
    ],
    [
      'q and k sizes differ',
      () => sdpa(q, randn64([2, 5, 3], 53), v),
      ShapeError,
      /q and k must end in the same size D \(q \[2,3,4\] vs k \[2,5,3\]\)/,
    ],
    [
      'k and v lengths differ',
      () => sdpa(q, k, randn64([2, 4, 6], 54)),
      ShapeError,
      /k and v must have the same length Lk \(k \[2,5,4\] vs v \[2,4,6\]\)/,
    ],
    [
      'leading dims do not broadcast',
      () => sdpa(q, randn64([3, 5, 4], 55), randn64([3, 5, 6], 56)),
      ShapeError,
      /leading dims of q \[2,3,4\], k \[3,5,4\] and v \[3,5,6\] do not broadcast/,
    ],
    [
      'mixed dtypes',
      () => sdpa(q.to('float32'), k, v),
      DTypeError,
      /must share one float dtype \(got float32, float64, float64\)/,
    ],
    [
      '1-D q',
      () => sdpa(tensor([1, 2, 3, 4], F64), k, v),
      ShapeError,
      /q, k and v must be \[\.\.\., L, D\], got \[4\], \[2,5,4\], \[2,5,6\]/,
    ],
    [
      'non-finite scale',
      () => sdpa(q, k, v, { scale: Number.NaN }),
      ArgumentError,
      /scale must be a finite number/,
    ],
  ])('%s', (_name, fn, cls, msg) => {
    expect(fn).toThrow(cls);
    expect(fn).toThrow(msg);
  });
});
