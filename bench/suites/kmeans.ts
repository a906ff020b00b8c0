// k-means (issue 5): Lloyd on n=100,000 points, d=16, k=16, 20 iterations from fixed given
// centres (the first k points), float32 data, tol 0 so every implementation runs all 20
// iterations. One timed call = one whole fit, input conversion included.
//   shousi          kmeans(..., {algorithm: 'lloyd'}) on the default backend (wasm kernel if built),
//                   on 1 and 2 threads (bench/threads.ts; the js backend runs on 1)
//   shousi-js       the same on the TypeScript kernels (setBackend('js')), 1 thread
//   shousi-elkan    algorithm 'elkan' (TypeScript, 1 thread): same result, fewer distances
//                   (extra: distances % of Lloyd's)
//   ml-kmeans       ml-kmeans 7 on number[][] (built once, outside the timing), initialization = the
//                   same centres, maxIterations 20, tolerance 0 (its convergence test is strict <)
// extra "ms/iter" = median / 20.
// The second workload, "one iteration", times each Lloyd iteration on its own through the
// implementations' step generators (shousi's kmeansSteps, which kmeans() drains, and ml-kmeans'
// kmeansGenerator, whose step is its kmeans() loop body): the time of each next() call, the
// first (setup) and last of each fit left out, median over every step of every fit. The fits
// of all rows take turns, round by round, so that each row samples the same stretches of a noisy
// host; a difference of two whole fits carried both fits' noise (per run 6.7x to 22x).

import { Generator, kmeans, kmeansSteps, Tensor } from '../../src/index.js';
import {
  backend,
  getNumThreads,
  setBackend,
  setNumThreads,
  threadsSupported,
} from '../../src/kernels/backend.js';
import { makeRecord, median } from '../measure.js';
import { ensurePeers } from '../peers.js';
import { forThreads } from '../threads.js';
import type { BenchRecord, BenchSuite } from '../types.js';

const N = 100_000;
const D = 16;
const K = 16;
const ITERS = 20;
const WORKLOAD = `kmeans lloyd n=${N} d=${D} k=${K} ${ITERS} iter`;
const ONE = `kmeans lloyd n=${N} d=${D} k=${K} one iteration`;

const suite: BenchSuite = {
  name: 'kmeans',
  async run(ctx) {
    // 16 overlapping gaussian blobs: the labels keep changing for more than 20 iterations
    const g = new Generator(5);
    const means = Array.from({ length: K }, () => Array.from({ length: D }, () => g.normal(0, 1)));
    const x = new Float32Array(N * D);
    for (let i = 0; i < N; i++) for (let j = 0; j < D; j++) x[i * D + j] = means[i % K][j] + g.normal(0, 1.5);
    const X = new Tensor(x, [N, D]);
    const init = new Tensor(x.slice(0, K * D), [K, D]);
    const records: BenchRecord[] = [];
    const opts = { init, maxIter: ITERS, tol: 0 };
    const rec = (impl: string, threads: number, ms: number, extra: Record<string, number> = {}) => {
      const r = makeRecord(WORKLOAD, impl, threads, ms);
      r.extra = { 'ms/iter': ms / ITERS, ...extra };
      records.push(r);
    };
    const lloydFit = () => kmeans(X, K, { ...opts, algorithm: 'lloyd' });
    const lloyd = lloydFit();
    if (lloyd.nIter !== ITERS)
      throw new Error(`bench kmeans: converged after ${lloyd.nIter} iterations, expected ${ITERS}`);
    if (backend() === 'js') rec('shousi', 1, await ctx.measure(lloydFit));
    else
      await forThreads(async (t) => {
        rec('shousi', t, await ctx.measure(lloydFit));
        return [];
      });
    const elkan = kmeans(X, K, { ...opts, algorithm: 'elkan' });
    rec('shousi-elkan', 1, await ctx.measure(() => kmeans(X, K, { ...opts, algorithm: 'elkan' })), {
      'distances %': (100 * elkan.nDistances) / lloyd.nDistances,
    });
    if (backend() !== 'js') {
      setBackend('js');
      try {
        rec('shousi-js', 1, await ctx.measure(lloydFit));
      } finally {
        setBackend('auto');
      }
    }

    // one iteration: every row's step times, the rows taking turns round by round
    type Row = { impl: string; threads: number; steps: () => Iterator<unknown>; times: number[] };
    const rows: Row[] = [];
    const threadCounts = backend() === 'js' || !threadsSupported() ? [1] : [1, 2];
    for (const threads of threadCounts)
      rows.push({
        impl: 'shousi',
        threads,
        steps: () => kmeansSteps(X, K, { ...opts, algorithm: 'lloyd' }),
        times: [],
      });
    let mlFit: (() => { iterations: number }) | null = null;
    if ((await ensurePeers()).mlKmeans) {
      const { kmeans: mlKmeans, kmeansGenerator } = await import('ml-kmeans');
      const points = Array.from({ length: N }, (_, i) => Array.from(x.subarray(i * D, i * D + D)));
      const initRows = points.slice(0, K).map((r) => r.slice());
      // fresh copies of the initial centres for every fit
      const mlOpts = () => ({
        initialization: initRows.map((r) => r.slice()),
        maxIterations: ITERS,
        tolerance: 0,
      });
      mlFit = () => mlKmeans(points, K, mlOpts());
      if (mlFit().iterations !== ITERS) throw new Error('bench kmeans: ml-kmeans stopped early');
      rows.push({
        impl: 'ml-kmeans',
        threads: 1,
        steps: () => kmeansGenerator(points, K, mlOpts()),
        times: [],
      });
    }
    const all = getNumThreads();
    try {
      for (let round = 0; round < (ctx.quick ? 2 : 6); round++) {
        for (const row of rows) {
          setNumThreads(row.threads);
          (globalThis as { gc?: () => void }).gc?.();
          const it = row.steps();
          const times: number[] = [];
          let t0 = performance.now();
          while (!it.next().done) {
            const t1 = performance.now();
            times.push(t1 - t0);
            t0 = t1;
          }
          if (times.length !== ITERS) throw new Error(`bench kmeans: ${row.impl} ran ${times.length} steps`);
          if (round > 0) row.times.push(...times.slice(1, -1)); // round 0 warms up
        }
      }
    } finally {
      setNumThreads(all);
    }
    for (const row of rows) records.push(makeRecord(ONE, row.impl, row.threads, median(row.times)));
    if (mlFit !== null) rec('ml-kmeans', 1, await ctx.measure(mlFit, { runs: ctx.quick ? 1 : 5, warmup: 1 }));
    return records;
  },
};

export default suite;
