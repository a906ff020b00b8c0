// k-means: hand-checked small cases, the golden fixtures run through Lloyd and Elkan (which must
// agree exactly), seeded property tests (inertia never rises, Elkan == Lloyd, weights ==
// duplicated rows), empty-cluster relocation, the estimator classes, and bad input.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import adapter, { kmeansData, sameRun } from '../scripts/golden/adapters/kmeans.js';
import { fromGolden } from '../scripts/golden/util.js';
import {
  ArgumentError,
  adjustedRandIndex,
  DTypeError,
  Generator,
  KMeans,
  kmeans,
  kmeansSteps,
  MiniBatchKMeans,
  ShapeError,
  Tensor,
  tensor,
} from '../src/index.js';
import { loadFixture, ROOT } from './helpers.js';

const fixture = loadFixture('kmeans');
const ctx = { dtype: 'float64' as const, dataRoot: ROOT };

/** n points around `centers` (normal noise, sd) in float64, seeded. */
function blobs(n: number, centers: number[][], sd: number, seed: number): number[][] {
  const g = new Generator(seed);
  return Array.from({ length: n }, (_, i) => centers[i % centers.length].map((c) => c + g.normal(0, sd)));
}

function uniform(n: number, d: number, seed: number): Tensor {
  const g = new Generator(seed);
  return new Tensor(
    Float64Array.from({ length: n * d }, () => g.random()),
    [n, d],
  );
}

describe('kmeans: small cases', () => {
  it('finds two obvious clusters from given centres, in the order of the init', () => {
    const X = [
      [0, 0],
      [0, 1],
      [1, 0],
      [10, 10],
      [10, 11],
      [11, 10],
    ];
    const r = kmeans(X, 2, {
      init: [
        [9, 9],
        [1, 1],
      ],
    });
    expect(Array.from(r.labels.data)).toEqual([1, 1, 1, 0, 0, 0]);
    const want = [31 / 3, 31 / 3, 1 / 3, 1 / 3];
    for (let i = 0; i < 4; i++) expect(r.centers.data[i]).toBeCloseTo(want[i], 13);
    expect(r.inertia).toBeCloseTo(8 / 3, 12); // per cluster: 2 * (1/9 + 1/9) + 1/9 + 1/9 + ... = 4/3
    expect(r.nIter).toBe(2); // iteration 2 repeats iteration 1's labels
    expect(r.labels.dtype).toBe('int32');
    expect(r.centers.dtype).toBe('float64');
  });

  it('keeps the float32 dtype of a float32 X for the centres', () => {
    const X = tensor(
      [
        [0, 0],
        [0, 1],
        [5, 5],
        [5, 6],
      ],
      { dtype: 'float32' },
    );
    const r = kmeans(X, 2, { seed: 1 });
    expect(r.centers.dtype).toBe('float32');
    expect(r.inertia).toBeCloseTo(1, 6);
  });

  it('k = n puts every point in its own cluster with zero inertia', () => {
    const X = [[0], [1], [3], [7]];
    const r = kmeans(X, 4, { seed: 0 });
    expect(r.inertia).toBe(0);
    expect(new Set(r.labels.data).size).toBe(4);
  });

  it('is reproducible for a seed, and nInit keeps the best of its restarts', () => {
    const X = blobs(
      200,
      [
        [0, 0],
        [4, 0],
        [0, 4],
        [4, 4],
        [2, 2],
      ],
      1.2,
      3,
    );
    const a = kmeans(X, 5, { seed: 7, nInit: 1 });
    const b = kmeans(X, 5, { seed: 7, nInit: 1 });
    expect(Array.from(a.labels.data)).toEqual(Array.from(b.labels.data));
    // the first of 8 restarts is the single run above (same generator stream): the best is no worse
    const best = kmeans(X, 5, { seed: 7, nInit: 8 });
    expect(best.inertia).toBeLessThanOrEqual(a.inertia);
    for (const init of ['random', 'k-means++'] as const) {
      expect(kmeans(X, 5, { seed: 1, init }).inertia).toBeGreaterThan(0);
    }
  });

  it('a larger tol stops earlier (relative to the mean feature variance)', () => {
    const X = uniform(400, 3, 5);
    const exact = kmeans(X, 8, { seed: 2, nInit: 1, tol: 0 });
    const loose = kmeans(X, 8, { seed: 2, nInit: 1, tol: 1e-2 });
    expect(loose.nIter).toBeLessThan(exact.nIter);
    // and scaling the data does not change when it stops
    const scaled = kmeans(X.mul(1000), 8, { seed: 2, nInit: 1, tol: 1e-2 });
    expect(scaled.nIter).toBe(loose.nIter);
  });
});

describe('kmeans: empty clusters', () => {
  it('relocates an empty cluster to the farthest point instead of producing NaN', () => {
    // the centre at (100, 100) attracts nothing in iteration 1
    const X = [
      [0, 0],
      [0, 1],
      [1, 0],
      [10, 0],
      [10, 1],
      [30, 0],
    ];
    const r = kmeans(X, 3, {
      init: [
        [0, 0],
        [10, 0],
        [100, 100],
      ],
    });
    expect(r.centers.data.every(Number.isFinite)).toBe(true);
    expect(new Set(r.labels.data).size).toBe(3);
    const steps = [
      ...kmeansSteps(X, 3, {
        init: [
          [0, 0],
          [10, 0],
          [100, 100],
        ],
      }),
    ];
    expect(steps[0].relocated).toBe(1);
    // the farthest point from its own centre in iteration 1 is (30, 0): it becomes a centre
    expect(Array.from(steps[0].centers.data.slice(4))).toEqual([30, 0]);
  });

  it('handles the duplicates fixture with two empty clusters and stops when nothing moves', () => {
    const c = fixture.cases.find((k) => k.name === 'duplicates_empty_cluster_relocated_k4');
    const X = fromGolden(c!.inputs.X, 'float64');
    const r = kmeans(X, 4, { init: fromGolden(c!.inputs.initCenters, 'float64'), tol: 0 });
    expect(Array.from(r.labels.data)).toEqual(c!.outputs.labels.data);
    expect(r.nIter).toBe(2);
    expect(r.centers.data.every(Number.isFinite)).toBe(true);
  });
});

describe('kmeans: golden fixtures through Lloyd and Elkan', () => {
  for (const c of fixture.cases.filter((k) => k.params.init === 'given')) {
    it(`${c.name}: Elkan follows Lloyd exactly with fewer distances`, () => {
      const res = adapter.run(c, ctx);
      for (const chk of res.checks ?? []) expect(chk.ok, chk.detail).toBe(true);
      const X = kmeansData(c, ctx);
      const opts = {
        init: fromGolden(c.inputs.initCenters, 'float64'),
        maxIter: c.params.maxIter as number,
        tol: 0,
      };
      const lloyd = kmeans(X, c.params.k as number, { ...opts, algorithm: 'lloyd' });
      const elkan = kmeans(X, c.params.k as number, { ...opts, algorithm: 'elkan' });
      expect(sameRun(lloyd, elkan)).toBe(true);
      expect(Array.from(lloyd.labels.data)).toEqual(c.outputs.labels.data);
      expect(lloyd.nIter).toBe(c.outputs.nIter.data[0]);
      if (X.shape[0] > 100) expect(elkan.nDistances).toBeLessThan(lloyd.nDistances);
    });
  }
});

describe('kmeans: properties', () => {
  const arb = fc.record({
    n: fc.integer({ min: 8, max: 60 }),
    d: fc.integer({ min: 1, max: 5 }),
    k: fc.integer({ min: 1, max: 7 }),
    seed: fc.integer({ min: 0, max: 1e6 }),
  });

  it('the objective never rises across Lloyd iterations', () => {
    fc.assert(
      fc.property(arb, ({ n, d, k, seed }) => {
        const X = uniform(n, d, seed);
        let last = Number.POSITIVE_INFINITY;
        for (const s of kmeansSteps(X, Math.min(k, n), { seed, nInit: 1, init: 'random', tol: 0 })) {
          expect(s.inertia).toBeLessThanOrEqual(last * (1 + 1e-12));
          last = s.inertia;
        }
      }),
      { numRuns: 60 },
    );
  });

  it('Elkan gives the same labels, centres and nIter as Lloyd', () => {
    fc.assert(
      fc.property(arb, ({ n, d, k, seed }) => {
        const X = uniform(n, d, seed);
        const o = { seed, nInit: 2, tol: 0 } as const;
        const a = kmeans(X, k, { ...o, algorithm: 'lloyd' });
        const b = kmeans(X, k, { ...o, algorithm: 'elkan' });
        expect(sameRun(a, b)).toBe(true);
        expect(b.inertia).toBeCloseTo(a.inertia, 10);
      }),
      { numRuns: 60 },
    );
  });

  it('integer sample weights equal duplicated rows', () => {
    fc.assert(
      fc.property(arb, ({ n, d, k, seed }) => {
        const X = uniform(n, d, seed);
        const g = new Generator(seed);
        const w = Array.from({ length: n }, () => g.randint(0, 4));
        w[0] = 1; // a positive total
        const rows: number[][] = [];
        const xs = X.toArray() as number[][];
        xs.forEach((row, i) => {
          for (let r = 0; r < w[i]; r++) rows.push(row);
        });
        const kk = Math.min(k, rows.length);
        const init = xs.slice(0, kk).map((r) => r.map((v) => v + 0.01));
        // an empty-cluster relocation picks points, not weight: duplicates then differ (ties)
        fc.pre([...kmeansSteps(rows, kk, { init, tol: 0 })].every((s) => s.relocated === 0));
        const a = kmeans(X, kk, { init, sampleWeight: w, tol: 0 });
        const b = kmeans(rows, kk, { init, tol: 0 });
        expect(a.nIter).toBe(b.nIter);
        expect(a.inertia).toBeCloseTo(b.inertia, 9);
        for (let i = 0; i < a.centers.size; i++) expect(a.centers.data[i]).toBeCloseTo(b.centers.data[i], 9);
      }),
      { numRuns: 40 },
    );
  });
});

describe('KMeans and MiniBatchKMeans estimators', () => {
  const X = blobs(
    600,
    [
      [0, 0, 0],
      [6, 0, 0],
      [0, 6, 0],
      [0, 0, 6],
    ],
    1,
    11,
  );
  const truth = Array.from({ length: 600 }, (_, i) => i % 4);

  it('KMeans fit / predict / transform / score / fitPredict agree', () => {
    const m = new KMeans(4, { seed: 0, algorithm: 'elkan' });
    const labels = m.fitPredict(X);
    expect(adjustedRandIndex(truth, labels)).toBeGreaterThan(0.99);
    expect(Array.from(m.predict(X).data)).toEqual(Array.from(labels.data));
    expect(m.score(X)).toBeCloseTo(-m.inertia, 6);
    const D = m.transform(X.slice(0, 5));
    expect(D.shape).toEqual([5, 4]);
    const d0 = D.toArray() as number[][];
    for (let i = 0; i < 5; i++) expect(d0[i].indexOf(Math.min(...d0[i]))).toBe(labels.data[i]);
    expect(m.nDistances).toBeGreaterThan(0);
  });

  it('MiniBatchKMeans finds the same clusters, reproducibly, and learns with partialFit', () => {
    const a = new MiniBatchKMeans(4, { batchSize: 64, seed: 3 }).fit(X);
    const b = new MiniBatchKMeans(4, { batchSize: 64, seed: 3 }).fit(X);
    expect(Array.from(a.centers!.data)).toEqual(Array.from(b.centers!.data));
    expect(adjustedRandIndex(truth, a.labels!)).toBeGreaterThan(0.99);
    const full = new KMeans(4, { seed: 0 }).fit(X);
    expect(a.inertia).toBeLessThan(full.inertia * 1.02);
    const p = new MiniBatchKMeans(4, { seed: 5 });
    for (let s = 0; s < 600; s += 100) p.partialFit(X.slice(s, s + 100));
    expect(adjustedRandIndex(truth, p.predict(X))).toBeGreaterThan(0.95);
    expect(p.counts!.reduce((s, v) => s + v, 0)).toBe(600);
  });
});

describe('adjustedRandIndex', () => {
  it('matches scikit-learn on small labelings', () => {
    expect(adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0])).toBe(1);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(0.5714285714285715, 15);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 15);
    expect(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
    expect(adjustedRandIndex(new Int32Array([3, 3, 7]), tensor([1, 1, 2], { dtype: 'int32' }))).toBe(1);
    expect(() => adjustedRandIndex([0, 1], [0])).toThrow(ShapeError);
  });
});

describe('kmeans: bad input', () => {
  const X = [
    [0, 0],
    [1, 1],
    [2, 2],
  ];
  const cases: [string, () => unknown, new (...a: never[]) => Error, RegExp][] = [
    ['k < 1', () => kmeans(X, 0), ArgumentError, /k must be an integer in \[1, 3\], got 0/],
    ['k > n', () => kmeans(X, 4), ArgumentError, /k must be an integer in \[1, 3\], got 4/],
    ['k not an integer', () => kmeans(X, 1.5), ArgumentError, /got 1.5/],
    [
      'NaN in X',
      () =>
        kmeans(
          [
            [0, 0],
            [Number.NaN, 1],
          ],
          1,
        ),
      ArgumentError,
      /non-finite value NaN at \[1,0\]/,
    ],
    ['Infinity in X', () => kmeans([[0, Number.POSITIVE_INFINITY]], 1), ArgumentError, /non-finite/],
    ['ragged X', () => kmeans([[0, 0], [1]], 1), ShapeError, /ragged: row 1 has length 1 \(vs 2\)/],
    ['1-D X', () => kmeans(tensor([1, 2, 3]), 1), ShapeError, /must be 2-D \[n, d\], got \[3\]/],
    [
      'int X',
      () => kmeans(tensor([[1], [2]], { dtype: 'int32' }), 1),
      DTypeError,
      /float32 or float64, got int32/,
    ],
    [
      'init of the wrong shape',
      () =>
        kmeans(X, 2, {
          init: [
            [0, 0, 0],
            [1, 1, 1],
          ],
        }),
      ShapeError,
      /init centres must have shape \[2,2\], got \[2,3\]/,
    ],
    ['ragged init', () => kmeans(X, 2, { init: [[0, 0], [1]] }), ShapeError, /init is ragged/],
    ['NaN init', () => kmeans(X, 1, { init: [[0, Number.NaN]] }), ArgumentError, /init has a non-finite/],
    ['nInit < 1', () => kmeans(X, 2, { nInit: 0 }), ArgumentError, /nInit must be an integer >= 1, got 0/],
    [
      'maxIter < 1',
      () => kmeans(X, 2, { maxIter: 0 }),
      ArgumentError,
      /maxIter must be an integer >= 1, got 0/,
    ],
    ['negative tol', () => kmeans(X, 2, { tol: -1 }), ArgumentError, /tol must be a finite number >= 0/],
    [
      'unknown init',
      () => kmeans(X, 2, { init: 'kmeans++' as 'random' }),
      ArgumentError,
      /unknown init 'kmeans\+\+'/,
    ],
    [
      'unknown algorithm',
      () => kmeans(X, 2, { algorithm: 'full' as 'lloyd' }),
      ArgumentError,
      /unknown algorithm 'full'/,
    ],
    [
      'sampleWeight length',
      () => kmeans(X, 2, { sampleWeight: [1, 1] }),
      ShapeError,
      /sampleWeight must have shape \[3\], got \[2\]/,
    ],
    [
      'negative sampleWeight',
      () => kmeans(X, 2, { sampleWeight: [1, -1, 1] }),
      ArgumentError,
      /sampleWeight\[1\] must be a finite number >= 0, got -1/,
    ],
    ['zero total weight', () => kmeans(X, 2, { sampleWeight: [0, 0, 0] }), ArgumentError, /positive sum/],
    ['predict before fit', () => new KMeans(2).predict(X), ArgumentError, /not fitted/],
    [
      'predict with other columns',
      () => new KMeans(2, { seed: 0 }).fit(X).predict([[1, 2, 3]]),
      ShapeError,
      /must have 2 columns/,
    ],
    ['KMeans k < 1', () => new KMeans(0), ArgumentError, /k must be an integer >= 1, got 0/],
    [
      'MiniBatch batchSize',
      () => new MiniBatchKMeans(2, { batchSize: 0 }),
      ArgumentError,
      /batchSize must be an integer >= 1/,
    ],
    [
      'MiniBatch k > n',
      () => new MiniBatchKMeans(5).fit(X),
      ArgumentError,
      /k must be an integer in \[1, 3\], got 5/,
    ],
  ];
  for (const [what, fn, cls, msg] of cases) {
    it(what, () => {
      expect(fn).toThrow(cls);
      expect(fn).toThrow(msg);
    });
  }
});
