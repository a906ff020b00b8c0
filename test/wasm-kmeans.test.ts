// The wasm k-means assignment (assembly/kmeans.ts) against lloydAssign in TypeScript: labels,
// exact distances, centre sums and inertia, on every wasm flavour and 1 and 2 threads, with odd n,
// d and k (vector tails and centre padding), with and without weights and accumulators. Without
// FMA (wasm-simd) every number is bit-for-bit the TypeScript one on any number of threads (the
// golden check elkan == lloyd compares inertias exactly); with relaxed-SIMD FMA, within 1e-12.

import { afterAll, describe, expect, it } from 'vitest';
import { getNumThreads, setBackend, setNumThreads } from '../src/kernels/backend.js';
import { type CenterSums, lloydAssign, lloydScratch } from '../src/kernels/kmeans.js';
import { lloydAssignWasm } from '../src/kernels/wasm/kmeans.js';
import { loadRuntime } from '../src/kernels/wasm/loader.js';
import { Generator } from '../src/random.js';

const defaultThreads = getNumThreads();
afterAll(() => {
  setBackend('auto');
  setNumThreads(defaultThreads);
});

const FLAVOURS = (['wasm-simd', 'wasm-relaxed-simd'] as const).filter((v) => loadRuntime(v, true) !== null);

interface Result {
  labels: Int32Array;
  dist: Float64Array;
  acc: CenterSums;
  inertia: number;
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, rtol: number, what: string): void {
  for (let i = 0; i < b.length; i++) {
    if (!(Math.abs(a[i] - b[i]) <= rtol * (1 + Math.abs(b[i]))))
      expect.fail(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

describe.each(FLAVOURS)('k-means assignment on %s', (flavour) => {
  it.each([1, 2])('equals lloydAssign on %i thread(s)', (threads) => {
    const g = new Generator(threads);
    for (const [n, d, k] of [
      [1001, 16, 16],
      [777, 3, 5],
      [2049, 7, 9],
      [301, 33, 2],
      // several chunks of ACC_CHUNK points: the partials split across threads, added in order
      [8 * 2048 + 1001, 5, 4],
      [2049, 3, 3],
      // every n mod 4 (points go four at a time), k past a multiple of 8 (centres 8 at a time)
      [1002, 16, 17],
      [1003, 4, 8],
      [6 * 1024 + 2, 6, 12],
      [4096 + 3, 2, 24],
    ]) {
      // blobs around k random centres, so the assignment is not trivial
      const c = new Float64Array(k * d).map(() => g.normal(0, 3));
      const x = new Float64Array(n * d).map(
        (_, i) => c[(Math.floor(i / d) % k) * d + (i % d)] + g.normal(0, 2),
      );
      for (const w of [null, new Float64Array(n).map(() => g.uniform(0.5, 2))]) {
        const run = (fn: (r: Result) => number): Result => {
          const r: Result = {
            labels: new Int32Array(n),
            dist: new Float64Array(n),
            acc: { sums: new Float64Array(k * d).fill(1), weights: new Float64Array(k).fill(1) },
            inertia: 0,
          };
          r.inertia = fn(r);
          return r;
        };
        setBackend('js');
        const want = run((r) => lloydAssign(x, n, d, c, k, w, r.labels, r.dist, r.acc, lloydScratch(k, d)));
        setBackend(flavour);
        setNumThreads(threads);
        const got = run((r) => lloydAssignWasm(x, n, d, c, k, w, r.labels, r.dist, r.acc) ?? Number.NaN);
        const what = `n=${n} d=${d} k=${k} w=${w !== null}`;
        const tol = flavour === 'wasm-simd' ? 0 : 1e-12;
        expect(Array.from(got.labels), what).toEqual(Array.from(want.labels));
        close(got.dist, want.dist, tol, `${what} dist`);
        close(got.acc.sums, want.acc.sums, tol, `${what} sums`);
        close(got.acc.weights, want.acc.weights, tol, `${what} weights`);
        close([got.inertia], [want.inertia], tol, `${what} inertia`);
        // without accumulators or distances
        const bare = new Int32Array(n);
        const inertia = lloydAssignWasm(x, n, d, c, k, w, bare, null, null);
        expect(Array.from(bare)).toEqual(Array.from(want.labels));
        close([inertia ?? Number.NaN], [want.inertia], tol, `${what} bare inertia`);
      }
    }
  });
});

it.each(FLAVOURS)(
  'ties go to the lower centre on %s, in the same lane, across lanes and across blocks of 8',
  (flavour) => {
    const g = new Generator(7);
    const [n, d, k] = [3001, 5, 19];
    const c = new Float64Array(k * d).map(() => g.normal(0, 3));
    // duplicates: 1 = 0 (the other lane), 4 = 2 (the same lane), 12 = 3 (the next block), 18 = 9
    for (const [hi, lo] of [
      [1, 0],
      [4, 2],
      [12, 3],
      [18, 9],
    ])
      c.copyWithin(hi * d, lo * d, lo * d + d);
    const x = new Float64Array(n * d).map(
      (_, i) => c[(Math.floor(i / d) % k) * d + (i % d)] + g.normal(0, 1),
    );
    setBackend('js');
    const want = new Int32Array(n);
    lloydAssign(x, n, d, c, k, null, want, null, null, lloydScratch(k, d));
    for (const hi of [1, 4, 12, 18]) expect(want.includes(hi)).toBe(false);
    setBackend(flavour);
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      const got = new Int32Array(n);
      lloydAssignWasm(x, n, d, c, k, null, got, null, null);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  },
);

it('small problems and the js backend stay in TypeScript', () => {
  setBackend('wasm-simd');
  const x = new Float64Array(20);
  expect(lloydAssignWasm(x, 10, 2, new Float64Array(4), 2, null, new Int32Array(10), null, null)).toBeNull();
  setBackend('js');
  const big = new Float64Array(1000 * 8);
  expect(
    lloydAssignWasm(big, 1000, 8, new Float64Array(64), 8, null, new Int32Array(1000), null, null),
  ).toBeNull();
});
