// Property tests (fast-check, fixed seeds, bounded runs): softmax, topk, sort and argsort along a
// random dim, against naive per-slice loops (test/naive.ts).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DType } from '../src/index.js';
import { expectClose, fill, numel, rng, run, same, type ValueKind } from './naive.js';

// ---- softmax, topk, sort: along a random dim ----
const alongCase = (maxDim: number) =>
  fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: 1, maxLength: 3 }).chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      dim: fc.integer({ min: -shape.length, max: shape.length - 1 }),
      seed: fc.integer(),
    }),
  );

/** Calls `f` with the values of every slice along `dim` and a writer for the same positions. */
function forEachSlice(shape: readonly number[], dim: number, f: (pos: number[]) => void): void {
  const d = dim < 0 ? dim + shape.length : dim;
  const n = shape[d];
  const inner = numel(shape.slice(d + 1));
  const outer = numel(shape.slice(0, d));
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) f(Array.from({ length: n }, (_, r) => (o * n + r) * inner + i));
}

describe('property: softmax', () => {
  it('rows sum to 1 and equal the naive softmax, even for large values and -inf entries', () => {
    run(
      fc.property(
        alongCase(6),
        fc.double({ min: 0.1, max: 1000, noNaN: true }),
        ({ shape, dim, seed }, scale) => {
          const x = fill(shape, 'float64', seed);
          const r = rng(seed + 3);
          for (let i = 0; i < x.size; i++) {
            x.data[i] *= scale;
            if (r() < 0.2) x.data[i] = Number.NEGATIVE_INFINITY;
          }
          const p = x.softmax(dim);
          const lp = x.logSoftmax(dim);
          forEachSlice(shape, dim, (pos) => {
            const v = pos.map((k) => x.data[k]);
            const m = Math.max(...v);
            if (m === Number.NEGATIVE_INFINITY) {
              for (const k of pos) expect(p.data[k]).toBe(0); // fully masked: zeros, not NaN
              return;
            }
            const e = v.map((t) => Math.exp(t - m));
            const z = e.reduce((a, b) => a + b, 0);
            expectClose(
              pos.map((k) => p.data[k]),
              e.map((t) => t / z),
              1e-12,
            );
            expect(Math.abs(pos.reduce((s, k) => s + p.data[k], 0) - 1)).toBeLessThan(1e-12);
            expectClose(
              pos.map((k) => lp.data[k]),
              v.map((t) => t - m - Math.log(z)),
              1e-12,
            );
          });
        },
      ),
      200,
    );
  });
});

/** Indices of a slice in the order torch's stable sort gives: NaN largest, ties by index. */
function naiveOrder(v: number[], descending: boolean): number[] {
  const key = (x: number) => (Number.isNaN(x) ? Number.POSITIVE_INFINITY : x);
  const rank = (x: number) => (Number.isNaN(x) ? 1 : 0); // NaN above +inf
  return v
    .map((_, i) => i)
    .sort((i, j) => {
      const a = v[i];
      const b = v[j];
      let c = rank(a) - rank(b) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
      if (descending) c = -c;
      return c || i - j;
    });
}

describe('property: topk, sort, argsort', () => {
  const topkCase = fc.record({
    base: alongCase(6),
    long: fc.boolean(), // a long last dim exercises the k-buffer path (k * 8 <= n, n > 64)
    kFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    largest: fc.boolean(),
    dtype: fc.constantFrom<DType>('float32', 'float64', 'int32'),
  });

  it('topk equals a naive stable sort (ties to the lower index, NaN largest)', () => {
    run(
      fc.property(topkCase, ({ base, long, kFrac, largest, dtype }) => {
        const shape = long ? [2, 100 + (base.seed & 63)] : base.shape;
        const dim = long ? -1 : base.dim;
        const x = fill(shape, dtype, base.seed, 'ties', 0.1);
        const n = shape[dim < 0 ? dim + shape.length : dim];
        const k = long ? Math.floor(kFrac * (n / 8)) : Math.round(kFrac * n);
        const { values, indices } = x.topk(k, { dim, largest });
        const outShape = shape.map((s, d) => (d === (dim < 0 ? dim + shape.length : dim) ? k : s));
        expect(values.shape).toEqual(outShape);
        forEachSlice(shape, dim, (pos) => {
          const order = naiveOrder(
            pos.map((p) => x.data[p]),
            largest,
          ).slice(0, k);
          forEachSliceOut(outShape, dim, pos[0], shape, (outPos) => {
            expect(outPos.map((p) => indices.data[p])).toEqual(order);
            expect(outPos.every((p, j) => same(values.data[p], x.data[pos[order[j]]]))).toBe(true);
          });
        });
      }),
      200,
    );
  });

  it('sort and argsort equal a naive stable sort, both directions', () => {
    run(
      fc.property(
        alongCase(8),
        fc.option(fc.integer({ min: 33, max: 300 }), { nil: undefined }), // long rows reach the merge passes
        fc.boolean(),
        fc.constantFrom<DType>('float32', 'float64', 'int32'),
        fc.constantFrom<ValueKind>('ties', 'wide'),
        (base, long, descending, dtype, kind) => {
          const shape = long ? [2, long] : base.shape;
          const dim = long ? 1 : base.dim;
          const seed = base.seed;
          const x = fill(shape, dtype, seed, kind, 0.1);
          const { values, indices } = x.sort({ dim, descending });
          const arg = x.argsort({ dim, descending });
          expect(values.shape).toEqual(shape);
          expect(Array.from(arg.data)).toEqual(Array.from(indices.data));
          forEachSlice(shape, dim, (pos) => {
            const order = naiveOrder(
              pos.map((p) => x.data[p]),
              descending,
            );
            expect(pos.map((p) => indices.data[p])).toEqual(order);
            expect(pos.every((p, j) => same(values.data[p], x.data[pos[order[j]]]))).toBe(true);
          });
        },
      ),
      200,
    );
  });
});

// positions in a [.., k, ..] output of the slice whose first input position is `first`
function forEachSliceOut(
  outShape: number[],
  dim: number,
  first: number,
  inShape: readonly number[],
  f: (pos: number[]) => void,
) {
  const d = dim < 0 ? dim + inShape.length : dim;
  const inner = numel(inShape.slice(d + 1));
  const n = inShape[d];
  const o = Math.floor(first / (n * inner));
  const i = first % inner;
  const k = outShape[d];
  f(Array.from({ length: k }, (_, r) => (o * k + r) * inner + i));
}
