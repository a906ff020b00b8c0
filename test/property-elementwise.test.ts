// Property tests (fast-check, fixed seeds, bounded runs): elementwise ops under broadcasting
// and reductions over random dim sets, against naive loops (test/naive.ts).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DType, Tensor } from '../src/index.js';
import {
  broadcastPair,
  dimSize,
  expectClose,
  fill,
  naiveBroadcast,
  numel,
  ravel,
  run,
  storage,
  unravel,
} from './naive.js';

/** The element of `t` read at out-index `idx` under broadcasting. */
function readBroadcast(t: Tensor, idx: readonly number[]): number {
  const off = idx.length - t.ndim;
  return t.data[
    ravel(
      t.shape.map((s, d) => (s === 1 ? 0 : idx[off + d])),
      t.shape,
    )
  ];
}

const BINARY: Record<string, { f: (a: number, b: number) => number; result?: (dt: DType) => DType }> = {
  add: { f: (a, b) => a + b },
  sub: { f: (a, b) => a - b },
  mul: { f: (a, b) => a * b },
  div: { f: (a, b) => a / b, result: (dt) => (dt === 'int32' ? 'float32' : dt) },
  maximum: { f: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.max(a, b)) },
  minimum: { f: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.min(a, b)) },
  eq: { f: (a, b) => Number(a === b), result: () => 'bool' },
  ne: { f: (a, b) => Number(a !== b), result: () => 'bool' },
  lt: { f: (a, b) => Number(a < b), result: () => 'bool' },
  ge: { f: (a, b) => Number(a >= b), result: () => 'bool' },
};

describe('property: elementwise broadcasting', () => {
  it('add sub mul div maximum minimum and comparisons equal a naive loop', () => {
    run(
      fc.property(
        broadcastPair,
        fc.constantFrom(...Object.keys(BINARY)),
        fc.constantFrom<DType>('float32', 'float64', 'int32'),
        fc.integer(),
        ({ a, b }, op, dtype, seed) => {
          const x = fill(a, dtype, seed, 'normal', 0.05);
          const y = fill(b, dtype, seed + 1, 'normal', 0.05);
          const out = (x as unknown as Record<string, (o: Tensor) => Tensor>)[op](y);
          const shape = naiveBroadcast(a, b);
          const { f, result } = BINARY[op];
          const dt = result ? result(dtype) : dtype;
          expect(out.shape).toEqual(shape);
          expect(out.dtype).toBe(dt);
          const want = storage(dt, numel(shape));
          for (let k = 0; k < want.length; k++) {
            const idx = unravel(k, shape);
            want[k] = f(readBroadcast(x, idx), readBroadcast(y, idx));
          }
          expectClose(out.data, want, 0);
        },
      ),
      300,
    );
  });
});

// ---- reductions ----
const reduceCase = fc.array(dimSize, { minLength: 1, maxLength: 4 }).chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    dims: fc.option(
      fc.subarray(
        shape.map((_, i) => i),
        { minLength: 1 },
      ),
      { nil: undefined },
    ),
    negate: fc.boolean(),
    keepdim: fc.boolean(),
    seed: fc.integer(),
  }),
);

const REDUCERS: Record<string, (v: number[]) => number> = {
  sum: (v) => v.reduce((a, b) => a + b, 0),
  mean: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  var0: (v) => naiveVar(v, 0),
  var1: (v) => naiveVar(v, 1),
  std1: (v) => Math.sqrt(naiveVar(v, 1)),
  amax: (v) => Math.max(...v),
  amin: (v) => Math.min(...v),
  logsumexp: (v) => {
    const m = Math.max(...v);
    return m + Math.log(v.reduce((a, b) => a + Math.exp(b - m), 0));
  },
};
function naiveVar(v: number[], correction: number): number {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - correction);
}
function applyReducer(name: string, x: Tensor, dims: number[] | undefined, keepdim: boolean): Tensor {
  switch (name) {
    case 'sum':
      return x.sum(dims, { keepdim });
    case 'mean':
      return x.mean(dims, { keepdim });
    case 'var0':
      return x.var(dims, { keepdim, correction: 0 });
    case 'var1':
      return x.var(dims, { keepdim });
    case 'std1':
      return x.std(dims, { keepdim, unbiased: true });
    case 'amax':
      return x.amax(dims, { keepdim });
    case 'amin':
      return x.amin(dims, { keepdim });
    default:
      return x.logsumexp(dims ?? x.shape.map((_, i) => i), { keepdim });
  }
}

describe('property: reductions over random dim sets', () => {
  it('sum mean var std amax amin logsumexp equal naive loops (keepdim, negative dims)', () => {
    run(
      fc.property(
        reduceCase,
        fc.constantFrom(...Object.keys(REDUCERS)),
        ({ shape, dims, negate, keepdim, seed }, name) => {
          const x = fill(shape, 'float64', seed);
          const asked = dims && negate ? dims.map((d) => d - shape.length) : dims;
          const out = applyReducer(name, x, asked, keepdim);
          const reduced = new Set(dims ?? shape.map((_, i) => i));
          const kept = shape.map((s, d) => (reduced.has(d) ? 1 : s));
          const outShape = keepdim ? kept : shape.filter((_, d) => !reduced.has(d));
          expect(out.shape).toEqual(outShape);
          const groups: number[][] = Array.from({ length: numel(kept) }, () => []);
          for (let k = 0; k < x.size; k++) {
            const idx = unravel(k, shape).map((i, d) => (reduced.has(d) ? 0 : i));
            groups[ravel(idx, kept)].push(x.data[k]);
          }
          const want = groups.map(REDUCERS[name]);
          expectClose(out.data, want, 1e-12);
        },
      ),
      300,
    );
  });

  it('float32 sums accumulate in float64 (no drift over long rows)', () => {
    run(
      fc.property(fc.integer({ min: 1000, max: 5000 }), fc.integer(), (n, seed) => {
        const x = fill([n], 'float32', seed);
        let s = 0;
        for (let i = 0; i < n; i++) s += x.data[i];
        expect(x.sum().item()).toBe(Math.fround(s));
      }),
      20,
    );
  });
});
