// F.conv2d / nn.Conv2d: hand-computed values, a seeded property test against a naive loop,
// 'same' padding with even kernels, gradcheck across the options, fused vs composed, the
// module, and bad input.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  cat,
  DTypeError,
  F,
  gradcheck,
  nn,
  randn,
  ShapeError,
  Tensor,
  tensor,
  zeros,
} from '../src/index.js';
import { leaf64, maxAbsDiff, randn64 } from './helpers.js';

interface Geo {
  stride: [number, number];
  pad: [number, number, number, number]; // top, bottom, left, right
  dil: [number, number];
  groups: number;
}

/** The definition, one output element at a time. */
function naiveConv(x: Tensor, w: Tensor, b: Tensor | null, g: Geo): Tensor {
  const [N, C, H, W] = x.shape;
  const [O, Cg, kh, kw] = w.shape;
  const OH = Math.floor((H + g.pad[0] + g.pad[1] - g.dil[0] * (kh - 1) - 1) / g.stride[0]) + 1;
  const OW = Math.floor((W + g.pad[2] + g.pad[3] - g.dil[1] * (kw - 1) - 1) / g.stride[1]) + 1;
  const Og = O / g.groups;
  const y = new Float64Array(N * O * OH * OW);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++) {
          let s = b ? b.data[o] : 0;
          for (let cg = 0; cg < Cg; cg++) {
            const c = Math.floor(o / Og) * Cg + cg;
            for (let p = 0; p < kh; p++)
              for (let q = 0; q < kw; q++) {
                const ih = i * g.stride[0] - g.pad[0] + p * g.dil[0];
                const iw = j * g.stride[1] - g.pad[2] + q * g.dil[1];
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                s += x.data[((n * C + c) * H + ih) * W + iw] * w.data[((o * Cg + cg) * kh + p) * kw + q];
              }
          }
          y[((n * O + o) * OH + i) * OW + j] = s;
        }
  return new Tensor(y, [N, O, OH, OW]);
}

/** Convolution from primitive ops: pad with cat, one strided slice per kernel tap, matmul per group. */
function composedConv(x: Tensor, w: Tensor, b: Tensor | null, g: Geo): Tensor {
  const [N, C, H, W] = x.shape;
  const [O, Cg, kh, kw] = w.shape;
  const G = g.groups;
  const z = (shape: number[]) => zeros(shape, { dtype: 'float64' });
  let xp = cat([z([N, C, g.pad[0], W]), x, z([N, C, g.pad[1], W])], 2);
  const Hp = H + g.pad[0] + g.pad[1];
  xp = cat([z([N, C, Hp, g.pad[2]]), xp, z([N, C, Hp, g.pad[3]])], 3);
  const OH = Math.floor((Hp - g.dil[0] * (kh - 1) - 1) / g.stride[0]) + 1;
  const OW = Math.floor((W + g.pad[2] + g.pad[3] - g.dil[1] * (kw - 1) - 1) / g.stride[1]) + 1;
  let y: Tensor | null = null;
  for (let p = 0; p < kh; p++)
    for (let q = 0; q < kw; q++) {
      const r0 = p * g.dil[0];
      const c0 = q * g.dil[1];
      const patch = xp
        .slice(2, { start: r0, end: r0 + (OH - 1) * g.stride[0] + 1, step: g.stride[0] })
        .slice(3, { start: c0, end: c0 + (OW - 1) * g.stride[1] + 1, step: g.stride[1] })
        .reshape([N, G, Cg, OH * OW]);
      const tap = w
        .slice(2, { start: p, end: p + 1 })
        .slice(3, { start: q, end: q + 1 })
        .reshape([G, O / G, Cg]);
      const t = tap.matmul(patch); // [N, G, Og, P]
      y = y === null ? t : y.add(t);
    }
  let out = y!.reshape([N, O, OH, OW]);
  if (b) out = out.add(b.reshape([1, O, 1, 1]));
  return out;
}

describe('F.conv2d values', () => {
  it('cross-correlates by hand (the kernel is not flipped)', () => {
    const x = tensor([
      [
        [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ],
      ],
    ]);
    const w = tensor([
      [
        [
          [1, 0],
          [0, -1],
        ],
      ],
    ]);
    expect(F.conv2d(x, w).toArray()).toEqual([
      [
        [
          [-4, -4],
          [-4, -4],
        ],
      ],
    ]);
    expect(F.conv2d(x, w, { bias: tensor([10]), padding: 1 }).toArray()).toEqual([
      [
        [
          [9, 8, 7, 10],
          [6, 6, 6, 13],
          [3, 6, 6, 16],
          [10, 17, 18, 19],
        ],
      ],
    ]);
  });

  it('matches the naive loop across stride, padding, dilation and groups (seeded property)', () => {
    const arb = fc.record({
      N: fc.integer({ min: 1, max: 2 }),
      G: fc.integer({ min: 1, max: 3 }),
      cg: fc.integer({ min: 1, max: 2 }),
      og: fc.integer({ min: 1, max: 2 }),
      k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
      p: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
      seed: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(
      fc.property(arb, ({ N, G, cg, og, k, s, d, p, seed }) => {
        const x = randn64([N, G * cg, 7, 6], seed);
        const w = randn64([G * og, cg, k[0], k[1]], seed + 1);
        const b = randn64([G * og], seed + 2);
        const y = F.conv2d(x, w, { bias: b, stride: s, padding: p, dilation: d, groups: G });
        const ref = naiveConv(x, w, b, { stride: s, pad: [p[0], p[0], p[1], p[1]], dil: d, groups: G });
        return maxAbsDiff(y, ref) < 1e-12;
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it("'same' keeps H x W and puts the odd padding at the bottom/right (even kernel 2x4, dilation 2)", () => {
    const x = randn64([1, 2, 5, 6], 1);
    const w = randn64([3, 2, 2, 4], 2);
    const y = F.conv2d(x, w, { padding: 'same', dilation: [1, 2] });
    expect(y.shape).toEqual([1, 3, 5, 6]);
    // total = dilation*(k-1): rows 1 -> top 0, bottom 1; cols 2*3 = 6 -> left 3, right 3
    expect(
      maxAbsDiff(y, naiveConv(x, w, null, { stride: [1, 1], pad: [0, 1, 3, 3], dil: [1, 2], groups: 1 })),
    ).toBeLessThan(1e-12);
    expect(F.conv2d(x, w, { padding: 'valid' }).shape).toEqual([1, 3, 4, 3]);
  });

  it('matches the naive loop at a size that takes the large (packed, threaded) GEMM path', () => {
    const x = randn64([2, 32, 16, 16], 11);
    const w = randn64([32, 32, 3, 3], 12);
    const geo: Geo = { stride: [1, 1], pad: [1, 1, 1, 1], dil: [1, 1], groups: 1 };
    const ref = naiveConv(x, w, null, geo);
    expect(maxAbsDiff(F.conv2d(x, w, { padding: 1 }), ref)).toBeLessThan(1e-11);
    const y32 = F.conv2d(x.to('float32'), w.to('float32'), { padding: 1 });
    expect(maxAbsDiff(y32, ref)).toBeLessThan(1e-3);
  });

  it('takes an unbatched [C, H, W] input, as torch', () => {
    const x = randn64([2, 4, 4], 3);
    const w = randn64([3, 2, 3, 3], 4);
    const y = F.conv2d(x, w, { padding: 1 });
    expect(y.shape).toEqual([3, 4, 4]);
    expect(maxAbsDiff(y, F.conv2d(x.reshape([1, 2, 4, 4]), w, { padding: 1 }).reshape([3, 4, 4]))).toBe(0);
  });

  it('computes in float32 for float32 inputs', () => {
    const y = F.conv2d(randn([2, 3, 5, 5], { generator: 5 }), randn([4, 3, 3, 3], { generator: 6 }));
    expect(y.dtype).toBe('float32');
    expect(y.shape).toEqual([2, 4, 3, 3]);
  });
});

describe('F.conv2d gradients', () => {
  const cases: [string, number[], number[], F.Conv2dOptions, boolean][] = [
    ['3x3 pad 1', [2, 2, 4, 4], [3, 2, 3, 3], { padding: 1 }, true],
    ['stride 2, pad 1', [1, 2, 5, 5], [2, 2, 3, 3], { stride: 2, padding: 1 }, true],
    [
      'mixed stride [2,1], pad [1,0], dilation [1,2]',
      [1, 2, 5, 6],
      [2, 2, 2, 3],
      { stride: [2, 1], padding: [1, 0], dilation: [1, 2] },
      true,
    ],
    ['dilation 2', [1, 1, 6, 6], [2, 1, 3, 3], { dilation: 2, padding: 2 }, true],
    ['groups 2', [1, 4, 4, 4], [4, 2, 3, 3], { groups: 2, padding: 1 }, true],
    ['depthwise (groups = C)', [2, 3, 4, 4], [3, 1, 3, 3], { groups: 3, padding: 1 }, true],
    ["'same' even kernel 2x4", [1, 2, 4, 5], [2, 2, 2, 4], { padding: 'same' }, true],
    ['no bias, 1x1', [2, 3, 3, 3], [2, 3, 1, 1], {}, false],
  ];
  it.each(cases)('gradcheck: %s', (_name, xs, ws, opts, hasBias) => {
    const inputs = [leaf64(xs, 1), leaf64(ws, 2), ...(hasBias ? [leaf64([ws[0]], 3)] : [])];
    const fn = (x: Tensor, w: Tensor, b?: Tensor) => F.conv2d(x, w, { ...opts, bias: b ?? null });
    expect(gradcheck(fn, inputs)).toBe(true);
  });

  it.each([
    ['small', [2, 4, 6, 7], [6, 2, 3, 2]],
    ['large GEMM path', [2, 16, 12, 12], [24, 8, 3, 3]],
  ])('fused equals the composition of primitive ops, values and gradients (%s)', (_name, xs, ws) => {
    const geo: Geo = { stride: [2, 1], pad: [1, 1, 0, 0], dil: [1, 2], groups: 2 };
    const run = (f: (x: Tensor, w: Tensor, b: Tensor) => Tensor) => {
      const [x, w, b] = [leaf64(xs, 5), leaf64(ws, 6), leaf64([ws[0]], 7)];
      const y = f(x, w, b);
      y.backward(randn64(y.shape as number[], 8));
      return [y, x.grad!, w.grad!, b.grad!];
    };
    const fused = run((x, w, b) =>
      F.conv2d(x, w, { bias: b, stride: geo.stride, padding: [1, 0], dilation: geo.dil, groups: 2 }),
    );
    const prim = run((x, w, b) => composedConv(x, w, b, geo));
    for (const [i, t] of fused.entries()) expect(maxAbsDiff(t, prim[i])).toBeLessThan(1e-12);
    expect(fused[0].gradFn?.name).toBe('conv2d');
  });
});

describe('nn.Conv2d', () => {
  it('has torch shapes, names and init bounds U(-1/sqrt(fanIn), 1/sqrt(fanIn)), seeded', () => {
    const m = new nn.Conv2d(4, 6, [3, 2], { groups: 2, generator: 3 });
    expect(m.weight.shape).toEqual([6, 2, 3, 2]);
    expect(m.bias!.shape).toEqual([6]);
    expect(Object.keys(m.stateDict())).toEqual(['weight', 'bias']);
    const bound = 1 / Math.sqrt(2 * 3 * 2);
    for (const v of [...m.weight.data, ...m.bias!.data]) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(Math.max(...m.weight.data.map(Math.abs))).toBeGreaterThan(0.8 * bound);
    expect(Array.from(new nn.Conv2d(4, 6, [3, 2], { groups: 2, generator: 3 }).weight.data)).toEqual(
      Array.from(m.weight.data),
    );
  });

  it("runs 'same' and strided forwards; bias false has no bias", () => {
    const x = randn([2, 3, 8, 8], { generator: 1 });
    expect(new nn.Conv2d(3, 5, 4, { padding: 'same', generator: 1 }).forward(x).shape).toEqual([2, 5, 8, 8]);
    const m = new nn.Conv2d(3, 5, 3, { stride: 2, bias: false, generator: 2 });
    expect(m.bias).toBeNull();
    expect(m.forward(x).shape).toEqual([2, 5, 3, 3]);
    expect(Object.keys(m.stateDict())).toEqual(['weight']);
  });

  it('backpropagates into its parameters', () => {
    const m = new nn.Conv2d(2, 3, 3, { padding: 1, dtype: 'float64', generator: 4 });
    expect(gradcheck((x) => m.forward(x), [leaf64([1, 2, 4, 4], 9), m.weight, m.bias!])).toBe(true);
  });
});

describe('conv2d bad input', () => {
  const x = zeros([1, 4, 5, 5]);
  // biome-ignore format: one case per line reads as a table
  const bad: [string, () => unknown, new (...a: never[]) => Error, RegExp][] = [
    ['C not divisible by groups', () => F.conv2d(x, zeros([3, 1, 3, 3]), { groups: 3 }), ShapeError, /^conv2d: input channels 4 are not divisible by groups 3$/],
    ['O not divisible by groups', () => F.conv2d(x, zeros([3, 2, 3, 3]), { groups: 2 }), ShapeError, /^conv2d: output channels 3 \(dim 0 of weight \[3,2,3,3\]\) are not divisible by groups 2$/],
    ['input channels vs weight', () => F.conv2d(x, zeros([2, 3, 3, 3])), ShapeError, /^conv2d: input \[1,4,5,5\] has 4 channels, weight \[2,3,3,3\] expects 3 \(3 per group x 1 groups\)$/],
    ['input channels vs weight, groups', () => F.conv2d(x, zeros([2, 1, 3, 3]), { groups: 2 }), ShapeError, /^conv2d: input \[1,4,5,5\] has 4 channels, weight \[2,1,3,3\] expects 2 /],
    ['kernel larger than padded input', () => F.conv2d(x, zeros([2, 4, 7, 3]), { padding: [0, 1] }), ShapeError, /^conv2d: kernel \[7,3\] \(dilated\) is larger than the padded input \[5,7\]$/],
    ['dilated kernel too large', () => F.conv2d(x, zeros([2, 4, 3, 3]), { dilation: 3 }), ShapeError, /^conv2d: kernel \[7,7\] \(dilated\) is larger than the padded input \[5,5\]$/],
    ["'same' with stride 2", () => F.conv2d(x, zeros([2, 4, 3, 3]), { padding: 'same', stride: 2 }), ArgumentError, /^conv2d: padding 'same' needs stride 1, got stride \[2,2\]$/],
    ['stride 0', () => F.conv2d(x, zeros([2, 4, 3, 3]), { stride: [1, 0] }), ArgumentError, /^conv2d: stride must be integers >= 1, got \[1,0\]$/],
    ['negative dilation', () => F.conv2d(x, zeros([2, 4, 3, 3]), { dilation: -1 }), ArgumentError, /^conv2d: dilation must be integers >= 1, got -1$/],
    ['negative padding', () => F.conv2d(x, zeros([2, 4, 3, 3]), { padding: -1 }), ArgumentError, /^conv2d: padding must be integers >= 0, got -1$/],
    ['input rank 2', () => F.conv2d(zeros([5, 5]), zeros([2, 4, 3, 3])), ShapeError, /^conv2d: input must be \[N, C, H, W\] or \[C, H, W\], got \[5,5\]$/],
    ['weight rank 3', () => F.conv2d(x, zeros([2, 4, 3])), ShapeError, /^conv2d: weight must be \[O, C\/groups, kh, kw\], got \[2,4,3\]$/],
    ['bias shape', () => F.conv2d(x, zeros([2, 4, 3, 3]), { bias: zeros([3]) }), ShapeError, /^conv2d: bias \[3\] must be \[2\] to match weight \[2,4,3,3\]$/],
    ['int input', () => F.conv2d(zeros([1, 4, 5, 5], { dtype: 'int32' }), zeros([2, 4, 3, 3])), DTypeError, /^conv2d: expected a float32 or float64 tensor, got int32$/],
    ['groups 0', () => F.conv2d(x, zeros([2, 4, 3, 3]), { groups: 0 }), ArgumentError, /^conv2d: groups must be a positive integer, got 0$/],
    ['module groups', () => new nn.Conv2d(4, 6, 3, { groups: 4 }), ArgumentError, /^Conv2d: inChannels 4 and outChannels 6 must be divisible by groups 4$/],
    ["module 'same' strided", () => new nn.Conv2d(4, 6, 3, { padding: 'same', stride: 2 }), ArgumentError, /^Conv2d: padding 'same' needs stride 1/],
    ['module input channels', () => new nn.Conv2d(3, 2, 3).forward(x), ShapeError, /^conv2d: input \[1,4,5,5\] has 4 channels, weight \[2,3,3,3\] expects 3/],
  ];
  it.each(bad)('%s', (_name, fn, cls, msg) => {
    expect(fn).toThrow(cls);
    expect(fn).toThrow(msg);
  });
});
