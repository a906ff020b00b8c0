// Layers, float32, against tfjs-cpu and tfjs-wasm in the same run (issue 3):
//   conv2d forward  x [8, 64, 32, 32], weight [64, 64, 3, 3], bias, padding 1
//                   2 N O OH OW C kh kw flops; tfjs gets its native NHWC layout (same work)
//   conv2d forward + backward (dx, dW, db), shousi only: what a training step pays
//   layerNorm forward [4096, 1024] over the last dim, with weight and bias
//                   tfjs has no layer-norm op: tf.moments + tf.batchNorm, as tf.layers.layerNormalization
//   BatchNorm2d training forward [8, 64, 32, 32]; tfjs: tf.moments over [0, 1, 2] + tf.batchNorm (NHWC)
// shousi runs its public functional API (what a user calls), with fresh output tensors; conv2d
// forward, conv2d forward + backward and layerNorm are timed on 1 and 2 threads (bench/threads.ts:
// their wasm kernels split across threads); batchNorm runs TypeScript loops (1).

import { F, randn } from '../../src/index.js';
import { makeRecord } from '../measure.js';
import { benchTf } from '../peers.js';
import { forThreads } from '../threads.js';
import type { BenchRecord, BenchSuite } from '../types.js';

const [N, C, H, W, O, K] = [8, 64, 32, 32, 64, 3];
const CONV = `conv2d N${N} C${C} ${H}x${W} O${O} ${K}x${K} pad 1`;
const CONV_FLOPS = 2 * N * O * H * W * C * K * K;
const [R, D] = [4096, 1024];
const LN = `layerNorm ${R}x${D}`;
const BN = `batchNorm2d train N${N} C${C} ${H}x${W}`;

const suite: BenchSuite = {
  name: 'layers',
  async run(ctx) {
    const records: BenchRecord[] = [];

    const x = randn([N, C, H, W], { generator: 1 });
    const w = randn([O, C, K, K], { generator: 2 }).mul(0.05);
    const b = randn([O], { generator: 3 });
    const convWork = { flops: CONV_FLOPS };
    const conv = () => F.conv2d(x, w, { bias: b, padding: 1 });
    // one thread is the like-for-like row against the (single-threaded) peers
    records.push(
      ...(await forThreads(async (t) => [makeRecord(CONV, 'shousi', t, await ctx.measure(conv), convWork)])),
    );
    records.push(
      ...(await benchTf(
        ctx,
        CONV,
        (tf) => {
          const tx = tf.randomNormal([N, H, W, C], 0, 1, 'float32', 1);
          const tw = tf.randomNormal([K, K, C, O], 0, 0.05, 'float32', 2);
          const tb = tf.randomNormal([O], 0, 1, 'float32', 3);
          return () => tf.add(tf.conv2d(tx as never, tw as never, 1, 'same'), tb);
        },
        convWork,
      )),
    );

    const xg = x.detach().requiresGrad_();
    const wg = w.detach().requiresGrad_();
    const bg = b.detach().requiresGrad_();
    const step = () => {
      const y = F.conv2d(xg, wg, { bias: bg, padding: 1 });
      y.backward(y.onesLike());
    };
    records.push(
      ...(await forThreads(async (t) => [
        makeRecord(`${CONV} fwd+bwd`, 'shousi', t, await ctx.measure(step), { flops: 3 * CONV_FLOPS }),
      ])),
    );

    const xl = randn([R, D], { generator: 4 });
    const gamma = randn([D], { generator: 5 });
    const beta = randn([D], { generator: 6 });
    const lnWork = { bytes: 8 * R * D };
    const ln = () => F.layerNorm(xl, D, { weight: gamma, bias: beta });
    records.push(
      ...(await forThreads(async (t) => [makeRecord(LN, 'shousi', t, await ctx.measure(ln), lnWork)])),
    );
    records.push(
      ...(await benchTf(
        ctx,
        LN,
        (tf) => {
          const tx = tf.randomNormal([R, D], 0, 1, 'float32', 4);
          const tg = tf.randomNormal([1, D], 0, 1, 'float32', 5); // batchNorm wants equal ranks
          const tb = tf.randomNormal([1, D], 0, 1, 'float32', 6);
          return () => {
            const { mean, variance } = tf.moments(tx, -1, true);
            return tf.batchNorm(tx, mean, variance, tb, tg, 1e-5);
          };
        },
        lnWork,
      )),
    );

    const bnWork = { bytes: 8 * N * C * H * W };
    const bn = () =>
      F.batchNorm(x, null, null, {
        weight: gamma.narrow(0, 0, C),
        bias: beta.narrow(0, 0, C),
        training: true,
      });
    records.push(makeRecord(BN, 'shousi', 1, await ctx.measure(bn), bnWork));
    records.push(
      ...(await benchTf(
        ctx,
        BN,
        (tf) => {
          const tx = tf.randomNormal([N, H, W, C], 0, 1, 'float32', 1);
          const tg = tf.randomNormal([C], 0, 1, 'float32', 5);
          const tb = tf.randomNormal([C], 0, 1, 'float32', 6);
          return () => {
            const { mean, variance } = tf.moments(tx, [0, 1, 2]);
            return tf.batchNorm(tx, mean, variance, tb, tg, 1e-5);
          };
        },
        bnWork,
      )),
    );
    return records;
  },
};

export default suite;
