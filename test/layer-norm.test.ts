// F.layerNorm / nn.LayerNorm: hand-computed values, the large-offset precision test against
// the naive one-pass variance, gradcheck, fused vs composed, the module, and bad input.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  DTypeError,
  F,
  Generator,
  gradcheck,
  nn,
  randn,
  ShapeError,
  Tensor,
  tensor,
  zeros,
} from '../src/index.js';
import { leaf64, loadFixture, maxAbsDiff, randn64 } from './helpers.js';

/** The same computation from primitive ops (one graph node per step). */
function composed(x: Tensor, S: number[], w: Tensor | null, b: Tensor | null, eps = 1e-5): Tensor {
  const dims = S.map((_, i) => x.ndim - S.length + i);
  const mu = x.mean(dims, { keepdim: true });
  const xc = x.sub(mu);
  const v = xc.square().mean(dims, { keepdim: true });
  let y = xc.mul(v.add(eps).rsqrt());
  if (w) y = y.mul(w);
  if (b) y = y.add(b);
  return y;
}

describe('F.layerNorm values', () => {
  it('normalises a row by hand: [1,2,3,4] has mean 2.5 and biased variance 1.25', () => {
    const y = F.layerNorm(tensor([[1, 2, 3, 4]], { dtype: 'float64' }), [4]);
    const s = Math.sqrt(1.25 + 1e-5);
    expect(Array.from(y.data)).toEqual(
      [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s].map((v) => expect.closeTo(v, 14)),
    );
  });

  it('applies weight and bias elementwise over several trailing dims', () => {
    const x = randn64([2, 3, 4], 1);
    const w = randn64([3, 4], 2);
    const b = randn64([3, 4], 3);
    const y = F.layerNorm(x, [3, 4], { weight: w, bias: b, eps: 1e-3 });
    expect(maxAbsDiff(y, composed(x, [3, 4], w, b, 1e-3))).toBeLessThan(1e-12);
    // [3,4] normalises the same 12 values as a flat [12]
    const flat = F.layerNorm(x.reshape([2, 12]), 12, { eps: 1e-3 });
    const plain = F.layerNorm(x, [3, 4], { eps: 1e-3 });
    expect(maxAbsDiff(flat.reshape([2, 3, 4]), plain)).toBeLessThan(1e-14);
  });

  it('keeps float32 in float32 and accepts a scalar normalizedShape', () => {
    const y = F.layerNorm(randn([3, 5], { generator: 4 }), 5);
    expect(y.dtype).toBe('float32');
    expect(y.shape).toEqual([3, 5]);
  });

  it('maps a constant row to ~zeros with finite gradients (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 1, max: 9 }), (c, n) => {
        const x = new Tensor(new Float64Array(n).fill(c), [1, n]).requiresGrad_();
        const y = F.layerNorm(x, [n]);
        y.backward(y.onesLike());
        // not exactly 0: the mean of n equal doubles can round one ulp off the value itself
        return y.data.every((v) => Math.abs(v) < 1e-6) && x.grad!.data.every(Number.isFinite);
      }),
      { seed: 7, numRuns: 50 },
    );
  });
});

describe('LayerNorm with a large offset (mean 1e4, std 1) in float32', () => {
  // The naive one-pass variance, written as a float32 program: every step rounds to float32.
  function naiveFloat32(x: Float32Array, D: number): Float32Array {
    const r = Math.fround;
    const y = new Float32Array(x.length);
    for (let row = 0; row < x.length / D; row++) {
      let s = 0;
      let s2 = 0;
      for (let j = 0; j < D; j++) {
        const v = x[row * D + j];
        s = r(s + v);
        s2 = r(s2 + r(v * v));
      }
      const mean = r(s / D);
      const variance = r(r(s2 / D) - r(mean * mean)); // E[x^2] - E[x]^2
      const rstd = r(1 / r(Math.sqrt(r(variance + 1e-5))));
      for (let j = 0; j < D; j++) y[row * D + j] = r(r(x[row * D + j] - mean) * rstd);
    }
    return y;
  }
  // ||a - ref|| / ||ref||; NaN (a negative variance) counts as infinitely wrong
  function relError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
    let num = 0;
    let den = 0;
    for (let i = 0; i < ref.length; i++) {
      num += (a[i] - ref[i]) ** 2;
      den += ref[i] ** 2;
    }
    return Number.isNaN(num) ? Number.POSITIVE_INFINITY : Math.sqrt(num / den);
  }

  // the reference: float64 layer norm of the same values (x rounded to float32 once)
  function check(x32: Float32Array, D: number) {
    const ref = F.layerNorm(new Tensor(Float64Array.from(x32), [x32.length / D, D]), [D]);
    const ours = F.layerNorm(new Tensor(x32, [x32.length / D, D]), [D]);
    return { naive: relError(naiveFloat32(x32, D), ref.data), ours: relError(ours.data, ref.data) };
  }

  it('fails naively and passes ours on the fixture case', () => {
    const file = loadFixture('layer_norm');
    const c = file.cases.find((k) => k.name.startsWith('large_offset'))!;
    const x32 = Float32Array.from(c.inputs.x.data);
    const D = c.inputs.x.shape.at(-1)!;
    const { naive, ours } = check(x32, D);
    expect(naive).toBeGreaterThan(1e-1);
    expect(ours).toBeLessThan(1e-3);
    // and against the fixture's own output (float64 from the unrounded inputs), without affine parts
    const plain = F.layerNorm(new Tensor(x32, c.inputs.x.shape), [D]);
    const ref = F.layerNorm(tensor(c.inputs.x.data, { dtype: 'float64', shape: c.inputs.x.shape }), [D]);
    expect(relError(plain.data, ref.data)).toBeLessThan(1e-3);
  });

  it('fails naively and passes ours on x = 1e4 + N(0, 1), [64, 256]', () => {
    const g = new Generator(11);
    const x32 = Float32Array.from({ length: 64 * 256 }, () => 1e4 + g.normal());
    const { naive, ours } = check(x32, 256);
    expect(naive).toBeGreaterThan(1e-1);
    expect(ours).toBeLessThan(1e-6);
  });
});

describe('F.layerNorm gradients', () => {
  const cases: [string, number[], number[], boolean, boolean][] = [
    ['affine, last dim', [3, 5], [5], true, true],
    ['affine, last two dims', [2, 3, 4], [3, 4], true, true],
    ['no affine, last dim', [2, 2, 6], [6], false, false],
    ['weight only, all dims', [3, 4], [3, 4], true, false],
    ['bias only, last dim', [4, 3], [3], false, true],
  ];
  it.each(cases)('gradcheck: %s', (_name, shape, S, hasW, hasB) => {
    const inputs = [leaf64(shape, 1), ...(hasW ? [leaf64(S, 2)] : []), ...(hasB ? [leaf64(S, 3)] : [])];
    const fn = (x: Tensor, ...p: Tensor[]) =>
      F.layerNorm(x, S, { weight: hasW ? p[0] : null, bias: hasB ? p[hasW ? 1 : 0] : null });
    expect(gradcheck(fn, inputs)).toBe(true);
  });

  it('fused equals the composition of primitive ops, values and gradients', () => {
    const S = [3, 4];
    const run = (f: (x: Tensor, w: Tensor, b: Tensor) => Tensor) => {
      const [x, w, b] = [leaf64([2, 3, 4], 5), leaf64(S, 6), leaf64(S, 7)];
      const y = f(x, w, b);
      y.backward(randn64([2, 3, 4], 8));
      return [y, x.grad!, w.grad!, b.grad!];
    };
    const fused = run((x, w, b) => F.layerNorm(x, S, { weight: w, bias: b }));
    const prim = run((x, w, b) => composed(x, S, w, b));
    for (const [i, t] of fused.entries()) expect(maxAbsDiff(t, prim[i])).toBeLessThan(1e-12);
    expect(fused[0].gradFn?.name).toBe('layerNorm'); // one node, not a decomposition
  });
});

describe('nn.LayerNorm', () => {
  it('has torch parameter names and initial values', () => {
    const m = new nn.LayerNorm([2, 3]);
    expect(Object.keys(m.stateDict())).toEqual(['weight', 'bias']);
    expect(Array.from(m.weight!.data)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Array.from(m.bias!.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(m.forward(randn([4, 2, 3], { generator: 1 })).shape).toEqual([4, 2, 3]);
  });

  it('without elementwiseAffine or bias has fewer parameters', () => {
    expect(new nn.LayerNorm(4, { elementwiseAffine: false }).parameters()).toEqual([]);
    expect(Object.keys(new nn.LayerNorm(4, { bias: false }).stateDict())).toEqual(['weight']);
  });

  it('trains its parameters in float64', () => {
    const m = new nn.LayerNorm(3, { dtype: 'float64', eps: 1e-3 });
    const x = randn64([5, 3], 1);
    m.forward(x)
      .mul(randn64([5, 3], 2))
      .sum()
      .backward();
    expect(m.weight!.grad!.shape).toEqual([3]);
    expect(m.bias!.grad!.dtype).toBe('float64');
    expect(maxAbsDiff(m.forward(x), F.layerNorm(x, [3], { eps: 1e-3 }))).toBe(0);
  });
});

describe('layerNorm bad input', () => {
  const x = zeros([8, 10, 16]);
  // biome-ignore format: one case per line reads as a table
  const bad: [string, () => unknown, new (...a: never[]) => Error, RegExp][] = [
    ['trailing dims differ', () => F.layerNorm(x, [32]), ShapeError, /^layerNorm: trailing dims of \[8,10,16\] must equal normalizedShape \[32\]$/],
    ['more dims than x', () => F.layerNorm(zeros([4]), [2, 4]), ShapeError, /^layerNorm: trailing dims of \[4\] must equal normalizedShape \[2,4\]$/],
    ['weight shape', () => F.layerNorm(x, 16, { weight: zeros([10, 16]) }), ShapeError, /^layerNorm: weight \[10,16\] must have normalizedShape \[16\]$/],
    ['bias shape', () => F.layerNorm(x, 16, { bias: zeros([15]) }), ShapeError, /^layerNorm: bias \[15\] must have normalizedShape \[16\]$/],
    ['int input', () => F.layerNorm(zeros([2, 3], { dtype: 'int32' }), 3), DTypeError, /^layerNorm: expected a float32 or float64 tensor, got int32$/],
    ['empty normalizedShape', () => F.layerNorm(x, []), ArgumentError, /^layerNorm: normalizedShape must be a non-empty list of positive integers, got \[\]$/],
    ['negative eps', () => F.layerNorm(x, 16, { eps: -1 }), ArgumentError, /^layerNorm: eps must be >= 0, got -1$/],
    ['module shape', () => new nn.LayerNorm([0]), ArgumentError, /^LayerNorm: normalizedShape must be .* got \[0\]$/],
    ['module input', () => new nn.LayerNorm(32).forward(x), ShapeError, /^layerNorm: trailing dims of \[8,10,16\] must equal normalizedShape \[32\]$/],
  ];
  it.each(bad)('%s', (_name, fn, cls, msg) => {
    expect(fn).toThrow(cls);
    expect(fn).toThrow(msg);
  });
});
