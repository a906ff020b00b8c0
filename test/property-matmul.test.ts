// Property tests (fast-check, fixed seeds, bounded runs): matmul in every torch.matmul case and
// at sizes that cross the gemm blocking, against a naive triple loop (test/naive.ts).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DType, matmul, Tensor } from '../src/index.js';
import { gemm, gemmJs, type MatView } from '../src/kernels/matmul.js';
import {
  broadcastPair,
  expectClose,
  fill,
  naiveBroadcast,
  numel,
  ravel,
  rng,
  run,
  unravel,
} from './naive.js';

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
