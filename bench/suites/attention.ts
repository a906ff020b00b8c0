// Attention forward, float32, B=8, H=8, L=256, D=64, against tfjs-cpu and tfjs-wasm (issue 3):
//   shousi: F.scaledDotProductAttention(q, k, v) (the fused op: one wasm kernel per block of 8
//           queries, QK^T, softmax and PV without the [L, L] scores), with and without the
//           [B, H, L, L] weights returned; the same in float64 (rows `... f64`: the f64x2 kernel,
//           blocks of 4 queries; tfjs has no float64, so these rows have no peer);
//   tfjs:   matMul(softmax(matMul(q, k, false, true) * scale), v), the textbook composition.
// Work: two products per head, 2 * 2 * B*H * L*L*D flops (the softmax's exp is not counted).
// shousi is timed on one thread (as the tfjs peers run in Node) and on two (bench/threads.ts: the
// kernel splits (head, query block) items across threads).

import { F, randn } from '../../src/index.js';
import { makeRecord } from '../measure.js';
import { benchTf } from '../peers.js';
import { forThreads } from '../threads.js';
import type { BenchRecord, BenchSuite } from '../types.js';

const [B, H, L, D] = [8, 8, 256, 64];

const suite: BenchSuite = {
  name: 'attention',
  async run(ctx) {
    const records: BenchRecord[] = [];
    const workload = `attention B${B} H${H} L${L} D${D}`;
    const work = { flops: 4 * B * H * L * L * D };
    const shape = [B, H, L, D];
    for (const dtype of ['float32', 'float64'] as const) {
      const [q, k, v] = [1, 2, 3].map((seed) => randn(shape, { generator: seed, dtype }));
      const name = dtype === 'float32' ? workload : `${workload} f64`;
      records.push(
        ...(await forThreads(async (t) => {
          const full = () => F.scaledDotProductAttention(q, k, v);
          const lite = () => F.scaledDotProductAttention(q, k, v, { needWeights: false });
          return [
            makeRecord(name, 'shousi', t, await ctx.measure(full), work),
            makeRecord(`${name} (no weights)`, 'shousi', t, await ctx.measure(lite), work),
          ];
        })),
      );
    }
    records.push(
      ...(await benchTf(
        ctx,
        workload,
        (tf) => {
          const [tq, tk, tv] = [1, 2, 3].map((seed) => tf.randomNormal(shape, 0, 1, 'float32', seed));
          const scale = 1 / Math.sqrt(D);
          return () => tf.matMul(tf.softmax(tf.mul(tf.matMul(tq, tk, false, true), scale)), tv);
        },
        work,
      )),
    );
    return records;
  },
};

export default suite;
