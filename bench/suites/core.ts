// Core kernels, float32, against tfjs-cpu and tfjs-wasm (issue 2, section 7):
//   matmul N x N @ N x N for N = 256, 512, 1024       2 N^3 flops
//   add of two [1024, 1024]                           reads 2, writes 1 float: 12 bytes/element
//   sum over the last dim of [1024, 1024]             reads 4 bytes/element
// `shousi` rows time the public Tensor ops (what a user calls, on whichever kernel backend is
// active, output allocation included, inside tidy() as the tfjs rows are) on 1 and 2 threads
// (bench/threads.ts). Their operands are resident in wasm memory (src/kernels/wasm/heap.ts), as
// any large tensor is. `shousi-ts` times the pure-TypeScript gemm kernel directly (the
// reference and fallback, and the figure issue 2's target is about), output allocation included.

import { randn } from '../../src/index.js';
import { gemmJs } from '../../src/kernels/matmul.js';
import { makeRecord } from '../measure.js';
import { benchTf, benchTfMatmul } from '../peers.js';
import { forThreads } from '../threads.js';
import type { BenchRecord, BenchSuite } from '../types.js';

const ELEMS = 1024 * 1024;
// the same call with its result left to the garbage collector (no tidy): a fresh output buffer
// each time, whose first write costs page faults (src/tensor/memory.ts)
const NO_TIDY = 'shousi (no tidy)';

const suite: BenchSuite = {
  name: 'core',
  async run(ctx) {
    const records: BenchRecord[] = [];
    for (const n of [256, 512, 1024]) {
      const workload = `matmul ${n}`;
      const work = { flops: 2 * n ** 3 };
      const a = randn([n, n], { generator: 1 });
      const b = randn([n, n], { generator: 2 });
      records.push(
        ...(await forThreads(async (t) => [
          makeRecord(workload, 'shousi', t, await ctx.measure(() => a.matmul(b)), work),
        ])),
      );
      // after all the tidy rows: the no-tidy garbage (4 MB results) slowed the rows that followed
      if (n === 1024) {
        records.push(
          ...(await forThreads(async (t) => [
            makeRecord(workload, NO_TIDY, t, await ctx.measure(() => a.matmul(b), { tidy: false }), work),
          ])),
        );
      }
      const [av, bv] = [
        { data: a.data, off: 0, rs: n, cs: 1 },
        { data: b.data, off: 0, rs: n, cs: 1 },
      ];
      const ts = await ctx.measure(() => gemmJs(n, n, n, av, bv, new Float32Array(n * n), 0, false));
      records.push(makeRecord(workload, 'shousi-ts', 1, ts, work));
      records.push(...(await benchTfMatmul(ctx, workload, n, work)));
    }

    const x = randn([1024, 1024], { generator: 3 });
    const y = randn([1024, 1024], { generator: 4 });
    const addWork = { bytes: 12 * ELEMS };
    records.push(
      ...(await forThreads(async (t) => [
        makeRecord('add 1024x1024', 'shousi', t, await ctx.measure(() => x.add(y)), addWork),
      ])),
    );
    records.push(
      ...(await forThreads(async (t) => [
        makeRecord('add 1024x1024', NO_TIDY, t, await ctx.measure(() => x.add(y), { tidy: false }), addWork),
      ])),
    );
    records.push(
      ...(await benchTf(
        ctx,
        'add 1024x1024',
        (tf) => {
          const [tx, ty] = [
            tf.randomNormal([1024, 1024], 0, 1, 'float32', 3),
            tf.randomNormal([1024, 1024], 0, 1, 'float32', 4),
          ];
          return () => tf.add(tx, ty);
        },
        addWork,
      )),
    );

    const sumWork = { bytes: 4 * ELEMS };
    records.push(
      ...(await forThreads(async (t) => [
        makeRecord('sum(-1) 1024x1024', 'shousi', t, await ctx.measure(() => x.sum(-1)), sumWork),
      ])),
    );
    records.push(
      ...(await benchTf(
        ctx,
        'sum(-1) 1024x1024',
        (tf) => {
          const tx = tf.randomNormal([1024, 1024], 0, 1, 'float32', 3);
          return () => tf.sum(tx, -1);
        },
        sumWork,
      )),
    );
    return records;
  },
};

export default suite;
