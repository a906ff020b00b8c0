// Property tests (fast-check, fixed seeds, bounded runs): ops against naive reference loops
// written here, on random shapes and values — broadcasting, reductions over dim sets,
// matmul (all torch.matmul cases, sizes crossing the gemm blocking), softmax, topk, sort.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DType, matmul, Tensor } from '../src/index.js';
import { gemm, gemmJs, type MatView } from '../src/kernels/matmul.js';

const SEED = 20240611;
const run = (p: fc.IProperty<never> | fc.IProperty<unknown>, numRuns: number) =>
  fc.assert(p as fc.IProperty<unknown>, { seed: SEED, numRuns });

// ---- naive helpers (independent of src) ----

/** mulberry32: test data only. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
function unravel(k: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = k % shape[d];
    k = Math.floor(k / shape[d]);
  }
  return idx;
}
function ravel(idx: readonly number[], shape: readonly number[]): number {
  let k = 0;
  for (let d = 0; d < shape.length; d++) k = k * shape[d] + idx[d];
  return k;
}
const storage = (dtype: DType, n: number) =>
  dtype === 'float32'
    ? new Float32Array(n)
    : dtype === 'float64'
      ? new Float64Array(n)
      : dtype === 'int32'
        ? new Int32Array(n)
        : new Uint8Array(n);

type ValueKind = 'normal' | 'ties' | 'wide';
/** Random values: normal-ish, few distinct values (ties), or a wide range; NaN with `nanRate`. */
function fill(
  shape: readonly number[],
  dtype: DType,
  seed: number,
  kind: ValueKind = 'normal',
  nanRate = 0,
): Tensor {
  const r = rng(seed);
  const data = storage(dtype, numel(shape));
  for (let i = 0; i < data.length; i++) {
    let v =
      kind === 'ties' ? Math.floor(r() * 5) - 2 : kind === 'wide' ? (r() - 0.5) * 2000 : (r() - 0.5) * 6;
    if (dtype === 'float32' || dtype === 'float64') {
      if (kind === 'normal' && r() < 0.1) v = Math.round(v); // some exact ties in comparisons
      if (r() < nanRate) v = Number.NaN;
    } else v = Math.round(v);
    data[i] = v;
  }
  return new Tensor(data, shape);
}
const same = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || a === b;
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol = rtol) {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const ok = same(got[i], want[i]) || Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i]);
    if (!ok) expect.fail(`element ${i}: got ${got[i]}, want ${want[i]}`);
  }
}

// shapes: an output shape, and two inputs that broadcast to it (leading dims dropped, some dims 1)
const dimSize = fc.integer({ min: 1, max: 4 });
const broadcastPair = fc
  .array(dimSize, { minLength: 0, maxLength: 4 })
  .chain((out) =>
    fc.tuple(
      fc.constant(out),
      fc.integer({ min: 0, max: out.length }),
      fc.integer({ min: 0, max: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
    ),
  )
  .map(([out, dropA, dropB, onesA, onesB]) => ({
    a: out.slice(dropA).map((n, i) => (onesA[i + dropA] ? 1 : n)),
    b: out.slice(dropB).map((n, i) => (onesB[i + dropB] ? 1 : n)),
  }));

function naiveBroadcast(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    return Math.max(da, db);
  });
}
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

// ---- matmul ----
/** Naive torch.matmul: lift 1-D operands, broadcast batch dims, triple loop. */
function naiveMatmul(a: Tensor, b: Tensor): { shape: number[]; data: Float64Array } {
  const as = a.ndim === 1 ? [1, a.shape[0]] : [...a.shape];
  const bs = b.ndim === 1 ? [b.shape[0], 1] : [...b.shape];
  const [M, K] = as.slice(-2);
  const N = bs[bs.length - 1];
  const batch = naiveBroadcast(as.slice(0, -2), bs.slice(0, -2));
  const data = new Float64Array(numel(batch) * M * N);
  const aBatch = as.slice(0, -2);
  const bBatch = bs.slice(0, -2);
  for (let t = 0; t < numel(batch); t++) {
    const bi = unravel(t, batch);
    const pick = (own: number[]) =>
      ravel(
        own.map((s, d) => (s === 1 ? 0 : bi[bi.length - own.length + d])),
        own,
      );
    const ao = pick(aBatch) * M * K;
    const bo = pick(bBatch) * K * N;
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a.data[ao + i * K + k] * b.data[bo + k * N + j];
        data[(t * M + i) * N + j] = s;
      }
  }
  const shape = [...batch, ...(a.ndim === 1 ? [] : [M]), ...(b.ndim === 1 ? [] : [N])];
  return { shape, data };
}

const small = fc.integer({ min: 1, max: 6 });
const matmulCase = fc
  .record({
    rankA: fc.integer({ min: 1, max: 4 }),
    rankB: fc.integer({ min: 1, max: 4 }),
    M: small,
    K: small,
    N: small,
    batch: broadcastPair,
    seed: fc.integer(),
  })
  .map(({ rankA, rankB, M, K, N, batch, seed }) => ({
    a: rankA === 1 ? [K] : [...batch.a.slice(Math.max(0, batch.a.length - (rankA - 2))), M, K],
    b: rankB === 1 ? [K] : [...batch.b.slice(Math.max(0, batch.b.length - (rankB - 2))), K, N],
    seed,
  }));

describe('property: matmul', () => {
  it('every torch.matmul case (1-D, 2-D, batched with broadcasting) equals the naive product', () => {
    run(
      fc.property(matmulCase, ({ a, b, seed }) => {
        const x = fill(a, 'float64', seed);
        const y = fill(b, 'float64', seed + 7);
        const out = matmul(x, y);
        const want = naiveMatmul(x, y);
        expect(out.shape).toEqual(want.shape);
        expectClose(out.data, want.data, 1e-12);
      }),
      300,
    );
  });

  it('gradients: f(A) = <G, A B> is linear in A, so f(A + V) - f(A) = <dA, V> (and for B)', () => {
    run(
      fc.property(matmulCase, ({ a, b, seed }) => {
        const x = fill(a, 'float64', seed).requiresGrad_();
        const y = fill(b, 'float64', seed + 7).requiresGrad_();
        const out = matmul(x, y);
        const G = fill(out.shape, 'float64', seed + 11);
        out.mul(G).sum().backward();
        const f = (p: Tensor, q: Tensor) => naiveMatmul(p, q).data.reduce((s, v, i) => s + v * G.data[i], 0);
        for (const [t, other, first] of [
          [x, y, true],
          [y, x, false],
        ] as const) {
          const V = fill(t.shape, 'float64', seed + 13);
          const moved = new Tensor(
            Float64Array.from(t.data, (v, i) => v + V.data[i]),
            t.shape,
          );
          const delta = first ? f(moved, other) - f(t, other) : f(other, moved) - f(other, t);
          const dot = Array.from(t.grad!.data).reduce((s, g, i) => s + g * V.data[i], 0);
          expect(Math.abs(delta - dot)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(delta)));
        }
      }),
      150,
    );
  });

  it('sizes that cross the gemm blocking (MR=NR=4, MC=64, KC=256, NC=1024), float32 and float64', () => {
    const edge = fc.constantFrom(1, 3, 4, 5, 63, 64, 65, 127, 255, 256, 257);
    run(
      fc.property(
        fc
          .record({
            M: edge,
            K: edge,
            N: fc.constantFrom(1, 4, 5, 7, 65, 1023, 1025),
            dtype: fc.constantFrom<DType>('float32', 'float64'),
            seed: fc.integer(),
          })
          .filter(({ M, N, K }) => M * N * K <= 3_000_000),
        ({ M, K, N, dtype, seed }) => {
          const x = fill([M, K], dtype, seed);
          const y = fill([K, N], dtype, seed + 1);
          const want = naiveMatmul(x, y);
          const rtol = dtype === 'float32' ? 1e-5 : 1e-12;
          const wantD = dtype === 'float32' ? Float32Array.from(want.data) : want.data;
          expectClose(matmul(x, y).data, wantD, rtol, 1e-4);
          // and the TypeScript kernel itself, whichever backend matmul dispatched to
          const c = dtype === 'float32' ? new Float32Array(M * N) : new Float64Array(M * N);
          gemmJs(
            M,
            N,
            K,
            { data: x.data, off: 0, rs: K, cs: 1 },
            { data: y.data, off: 0, rs: N, cs: 1 },
            c,
            0,
            false,
          );
          expectClose(c, wantD, rtol, 1e-4);
        },
      ),
      40,
    );
  });

  it.each([
    ['gemm', gemm],
    ['gemmJs', gemmJs],
  ])('the %s kernel: any strides and offsets (transposed operands), accumulate', (_name, kernel) => {
    run(
      fc.property(
        fc.record({
          M: fc.integer({ min: 1, max: 70 }),
          N: fc.integer({ min: 1, max: 70 }),
          K: fc.integer({ min: 1, max: 70 }),
        }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer(),
        ({ M, N, K }, transA, transB, accumulate, seed) => {
          const r = rng(seed);
          const offA = 3;
          const offB = 5;
          const aBuf = Float64Array.from({ length: offA + M * K }, () => r() - 0.5);
          const bBuf = Float64Array.from({ length: offB + K * N }, () => r() - 0.5);
          const A: MatView = { data: aBuf, off: offA, rs: transA ? 1 : K, cs: transA ? M : 1 };
          const B: MatView = { data: bBuf, off: offB, rs: transB ? 1 : N, cs: transB ? K : 1 };
          const c = Float64Array.from({ length: 2 + M * N }, () => r());
          const want = Float64Array.from(c);
          for (let i = 0; i < M; i++)
            for (let j = 0; j < N; j++) {
              let s = accumulate ? want[2 + i * N + j] : 0;
              for (let k = 0; k < K; k++)
                s += aBuf[offA + i * A.rs + k * A.cs] * bBuf[offB + k * B.rs + j * B.cs];
              want[2 + i * N + j] = s;
            }
          kernel(M, N, K, A, B, c, 2, accumulate);
          expectClose(c, want, 1e-12);
        },
      ),
      100,
    );
  });
});

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
