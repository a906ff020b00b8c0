// F.pad against torch's definitions written another way (each padded axis as the list of input
// indices it reads, built from slices: reversed for reflect, repeated for replicate, wrapped for
// circular), hand-derived values, gradients through every mode, nn.Conv2d's paddingMode against
// a naive convolution of the padded input, and bad input.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError, arange, F, gradcheck, nn, ShapeError, Tensor, tensor } from '../src/index.js';
import { leaf64, randn64 } from './helpers.js';
import { ravel, unravel } from './naive.js';

type Mode = 'constant' | 'reflect' | 'replicate' | 'circular';
const range = (a: number, b: number) => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);

/** The input indices one axis of size n reads after [before, after] padding; -1 is the fill. */
function axisSources(mode: Mode, n: number, before: number, after: number): number[] {
  if (mode === 'constant') {
    const mid = range(Math.max(0, -before), n - Math.max(0, -after)); // negative pads crop
    return [...Array(Math.max(0, before)).fill(-1), ...mid, ...Array(Math.max(0, after)).fill(-1)];
  }
  const mid = range(0, n);
  if (mode === 'reflect')
    return [...range(1, before + 1).reverse(), ...mid, ...range(n - 1 - after, n - 1).reverse()];
  if (mode === 'replicate') return [...Array(before).fill(0), ...mid, ...Array(after).fill(n - 1)];
  return [...range(n - before, n), ...mid, ...range(0, after)]; // circular
}

function naivePad(x: Tensor, padding: number[], mode: Mode, value: number): number[][] {
  const k = padding.length / 2;
  const sources = x.shape.map((n, d) => {
    const j = x.ndim - 1 - d;
    return j < k ? axisSources(mode, n, padding[2 * j], padding[2 * j + 1]) : range(0, n);
  });
  const shape = sources.map((s) => s.length);
  const size = shape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let o = 0; o < size; o++) {
    const idx = unravel(o, shape).map((i, d) => sources[d][i]);
    out.push(idx.some((i) => i < 0) ? value : x.data[ravel(idx, x.shape)]);
  }
  return [shape, out];
}

const MODES: Mode[] = ['constant', 'reflect', 'replicate', 'circular'];

describe('F.pad', () => {
  it('matches the definitions on random shapes, pads and modes (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...MODES),
        fc.array(fc.integer({ min: -2, max: 4 }), { minLength: 8, maxLength: 8 }),
        fc.integer({ min: 1, max: 4 }),
        (shape, mode, raw, kRaw) => {
          const k = Math.min(kRaw, shape.length);
          // keep each pad inside its mode's bounds (the bounds themselves are tested below)
          const padding = raw.slice(0, 2 * k).map((p, i) => {
            const n = shape[shape.length - 1 - (i >> 1)];
            if (mode === 'constant') return Math.max(p, -Math.floor(n / 2));
            const q = Math.max(p, 0);
            return mode === 'reflect' ? Math.min(q, n - 1) : mode === 'circular' ? Math.min(q, n) : q;
          });
          const x = randn64(shape, shape.length * 7 + k);
          const y = F.pad(x, padding, { mode, value: mode === 'constant' ? 2.5 : undefined });
          const [wantShape, want] = naivePad(x, padding, mode, 2.5);
          expect(y.shape).toEqual(wantShape);
          expect(Array.from(y.data)).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the hand-derived values of each mode on a 2x3 grid', () => {
    const x = arange(0, 6, 1, { dtype: 'float64' }).reshape([2, 3]); // [[0, 1, 2], [3, 4, 5]]
    const pad = [2, 1, 1, 0]; // left 2, right 1, top 1, bottom 0
    expect(F.pad(x, pad, { mode: 'reflect' }).toArray()).toEqual([
      [5, 4, 3, 4, 5, 4],
      [2, 1, 0, 1, 2, 1],
      [5, 4, 3, 4, 5, 4],
    ]);
    expect(F.pad(x, pad, { mode: 'replicate' }).toArray()).toEqual([
      [0, 0, 0, 1, 2, 2],
      [0, 0, 0, 1, 2, 2],
      [3, 3, 3, 4, 5, 5],
    ]);
    expect(F.pad(x, pad, { mode: 'circular' }).toArray()).toEqual([
      [4, 5, 3, 4, 5, 3],
      [1, 2, 0, 1, 2, 0],
      [4, 5, 3, 4, 5, 3],
    ]);
    expect(F.pad(x, pad, { value: -1 }).toArray()).toEqual([
      [-1, -1, -1, -1, -1, -1],
      [-1, -1, 0, 1, 2, -1],
      [-1, -1, 3, 4, 5, -1],
    ]);
    expect(F.pad(x, [-1, 0]).toArray()).toEqual([
      [1, 2],
      [4, 5],
    ]); // a negative constant pad crops
  });

  it('keeps int32 and bool tensors in their dtype', () => {
    expect(F.pad(tensor([1, 2], { dtype: 'int32' }), [1, 1], { value: 7 }).toArray()).toEqual([7, 1, 2, 7]);
    const b = F.pad(tensor([true, false], { dtype: 'bool' }), [0, 2], { mode: 'circular' });
    expect(b.dtype).toBe('bool');
    expect(b.toArray()).toEqual([true, false, true, false]);
  });

  it.each(MODES)(
    'backpropagates in %s mode: each input gets the sum over the outputs that read it',
    (mode) => {
      const pads = mode === 'constant' ? [2, -1, 1, 1] : [2, 1, 1, 2];
      expect(gradcheck((x) => F.pad(x, pads, { mode }), [leaf64([2, 3, 4], 5)])).toBe(true);
      // replicate: an edge element is read once plus once per padded position beside it
      const x = leaf64([3], 1);
      F.pad(x, [2, 1], { mode: 'replicate' }).sum().backward();
      expect(Array.from(x.grad!.data)).toEqual([3, 1, 2]);
    },
  );

  it('rejects what torch rejects, naming the dim and the bound', () => {
    const x = randn64([2, 3, 4], 1);
    const cases: [() => unknown, RegExp][] = [
      [
        () => F.pad(x, [4, 0], { mode: 'reflect' }),
        /reflect padding \[4, 0\] must be smaller than dim 2 of size 4/,
      ],
      [
        () => F.pad(x, [0, 0, 0, 4], { mode: 'circular' }),
        /circular padding \[0, 4\] wraps more than once around dim 1 of size 3/,
      ],
      [() => F.pad(x, [-1, 0], { mode: 'replicate' }), /mode 'replicate' needs padding >= 0/],
      [() => F.pad(x, [1, 2, 3]), /integer \[before, after\] pairs/],
      [() => F.pad(x, [0.5, 1]), /integer \[before, after\] pairs/],
      [() => F.pad(x, [-3, -2]), /crops more than dim 2 of size 4/],
      [
        () => F.pad(x, [1, 1], { mode: 'mirror' as Mode }),
        /mode must be 'constant', 'reflect', 'replicate' or 'circular', got mirror/,
      ],
      [() => F.pad(x, [1, 1], { mode: 'reflect', value: 3 }), /mode 'reflect' takes no fill value, got 3/],
    ];
    for (const [f, msg] of cases) expect(f).toThrow(msg);
    expect(() => F.pad(x, [0, 0, 0, 0, 0, 0, 1, 1])).toThrow(ShapeError);
    expect(() => F.pad(x, [0, 0, 0, 0, 0, 0, 1, 1])).toThrow(
      /4 padded dims given for a 3-d tensor \[2,3,4\]/,
    );
    expect(() => F.pad(x, [4, 0], { mode: 'reflect' })).toThrow(ArgumentError);
  });
});

/** Cross-correlation of xp [N, C, H, W] (already padded) with w [O, C, kh, kw], one element at a time. */
function naiveConvValid(xp: Tensor, w: Tensor, b: Tensor): number[] {
  const [N, C, H, W] = xp.shape;
  const [O, , kh, kw] = w.shape;
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i + kh <= H; i++)
        for (let j = 0; j + kw <= W; j++) {
          let s = b.data[o];
          for (let c = 0; c < C; c++)
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++)
                s += xp.data[((n * C + c) * H + i + u) * W + j + v] * w.data[((o * C + c) * kh + u) * kw + v];
          out.push(s);
        }
  return out;
}

describe('nn.Conv2d paddingMode', () => {
  it.each(['reflect', 'replicate', 'circular'] as const)(
    '%s pads the input as F.pad does, then convolves with no padding (as torch)',
    (mode) => {
      const x = randn64([2, 3, 5, 6], 2);
      const m = new nn.Conv2d(3, 4, [3, 2], {
        padding: [1, 2],
        paddingMode: mode,
        dtype: 'float64',
        generator: 3,
      });
      const y = m.forward(x);
      expect(y.shape).toEqual([2, 4, 5, 9]);
      const [, padded] = naivePad(x, [2, 2, 1, 1], mode, 0);
      const want = naiveConvValid(new Tensor(Float64Array.from(padded), [2, 3, 7, 10]), m.weight, m.bias!);
      const got = Array.from(y.data);
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 12);
    },
  );

  it("takes 'same' with an even kernel (the extra row and column at the bottom and right) and backpropagates", () => {
    const m = new nn.Conv2d(2, 2, 4, {
      padding: 'same',
      paddingMode: 'circular',
      dtype: 'float64',
      generator: 5,
    });
    const x = leaf64([1, 2, 5, 5], 6);
    expect(m.forward(x).shape).toEqual([1, 2, 5, 5]);
    const [, padded] = naivePad(x, [1, 2, 1, 2], 'circular', 0);
    const want = naiveConvValid(new Tensor(Float64Array.from(padded), [1, 2, 8, 8]), m.weight, m.bias!);
    const got = Array.from(m.forward(x).data);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 12);
    expect(gradcheck((t) => m.forward(t), [x, m.weight, m.bias!])).toBe(true);
  });

  it('defaults to zeros, and names a paddingMode it does not know', () => {
    expect(new nn.Conv2d(1, 1, 3).paddingMode).toBe('zeros');
    expect(() => new nn.Conv2d(1, 1, 3, { paddingMode: 'mirror' as 'zeros' })).toThrow(
      /Conv2d: paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular', got mirror/,
    );
    // reflect needs the padding smaller than the input: torch's bound, reported by F.pad
    expect(() =>
      new nn.Conv2d(1, 1, 3, { padding: 2, paddingMode: 'reflect' }).forward(randn64([1, 1, 2, 2], 1)),
    ).toThrow(/reflect padding \[2, 2\] must be smaller than dim 2 of size 2 in \[1,1,2,2\]/);
  });
});
