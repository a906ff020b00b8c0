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
// extra "ms/iter" = median / 20. The second workload, "one iteration", is the marginal cost of
// a Lloyd iteration, (fit(20 iter) - fit(10 iter)) / 10, for shousi and ml-kmeans: the fit's
// fixed costs (input conversion, centring, the final assignment) cancel out.

import { Generator, kmeans, Tensor } from '../../src/index.js';
import { backend, setBackend } from '../../src/kernels/backend.js';
import { makeRecord } from '../measure.js';
import { ensurePeers } from '../peers.js';
import { forThreads } from '../threads.js';
import type { BenchRecord, BenchSuite } from '../types.js';

const N = 100_000;
const D = 16;
const K = 16;
const ITERS = 20;
const HALF = ITERS / 2;
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
    // the whole fit of ITERS iterations, and one iteration from the difference with HALF
    const recBoth = async (
      impl: string,
      threads: number,
      solve: (iters: number) => unknown,
      runs?: number,
    ) => {
      const o = runs === undefined ? {} : { runs, warmup: 1 };
      const full = await ctx.measure(() => solve(ITERS), o);
      const half = await ctx.measure(() => solve(HALF), o);
      rec(impl, threads, full);
      records.push(makeRecord(ONE, impl, threads, (full - half) / (ITERS - HALF)));
    };

    const lloyd = kmeans(X, K, { ...opts, algorithm: 'lloyd' });
    if (lloyd.nIter !== ITERS)
      throw new Error(`bench kmeans: converged after ${lloyd.nIter} iterations, expected ${ITERS}`);
    const lloydFit = (maxIter: number) => kmeans(X, K, { ...opts, maxIter, algorithm: 'lloyd' });
    if (backend() === 'js') await recBoth('shousi', 1, lloydFit);
    else
      await forThreads(async (t) => {
        await recBoth('shousi', t, lloydFit);
        return [];
      });
    const elkan = kmeans(X, K, { ...opts, algorithm: 'elkan' });
    rec('shousi-elkan', 1, await ctx.measure(() => kmeans(X, K, { ...opts, algorithm: 'elkan' })), {
      'distances %': (100 * elkan.nDistances) / lloyd.nDistances,
    });
    if (backend() !== 'js') {
      setBackend('js');
      try {
        rec('shousi-js', 1, await ctx.measure(() => kmeans(X, K, { ...opts, algorithm: 'lloyd' })));
      } finally {
        setBackend('auto');
      }
    }

    if ((await ensurePeers()).mlKmeans) {
      const { kmeans: mlKmeans } = await import('ml-kmeans');
      const rows = Array.from({ length: N }, (_, i) => Array.from(x.subarray(i * D, i * D + D)));
      const initRows = rows.slice(0, K).map((r) => r.slice());
      const run = (maxIterations: number) =>
        mlKmeans(rows, K, {
          initialization: initRows.map((r) => r.slice()),
          maxIterations,
          tolerance: 0,
        });
      if (run(ITERS).iterations !== ITERS) throw new Error('bench kmeans: ml-kmeans stopped early');
      await recBoth('ml-kmeans', 1, run, ctx.quick ? 1 : 5);
    }
    return records;
  },
};

export default suite;
