// Minibatch SGD epochs on California housing (issue 4): linear regression on the 8
// standardised features, batch 64, plain SGD (lr 0.005), loss 0.5 mean((X w + b - y)^2),
// the rows reshuffled every epoch. One timed call = one epoch over all 20,640 rows (323 steps).
//   shousi-autograd   nn.Linear + F.mseLoss + backward + optim.SGD through train()
//   shousi-linreg     LinearRegression.fit with solver 'sgd' (hand-written gradient, same loop)
//   tfjs-cpu / -wasm  tf.variable + tf.train.sgd: optimizer.minimize per batch, slices of a
//                     tf.gather-shuffled copy per epoch
// All float32. The epochs/s column is 1000 / median ms.

import type { Scalar } from '@tensorflow/tfjs';
import {
  F,
  Generator,
  LinearRegression,
  loadCaliforniaHousing,
  nn,
  optim,
  StandardScaler,
  supervisedTask,
  train,
} from '../../src/index.js';
import { makeRecord } from '../measure.js';
import { benchTf } from '../peers.js';
import type { BenchRecord, BenchSuite } from '../types.js';

const LR = 0.005;
const BATCH = 64;
const WORKLOAD = 'california sgd epoch b64';

const suite: BenchSuite = {
  name: 'sgd',
  async run(ctx) {
    const { X: raw, y } = loadCaliforniaHousing();
    const X = new StandardScaler().fitTransform(raw);
    const [n, d] = X.shape;
    const y2 = y.reshape([n, 1]);
    const records: BenchRecord[] = [];
    const rec = (impl: string, ms: number) => {
      const r = makeRecord(WORKLOAD, impl, 1, ms);
      r.extra = { 'epochs/s': 1000 / ms };
      records.push(r);
    };

    const lin = new nn.Linear(d, 1, { generator: 0 });
    const task = supervisedTask(
      lin,
      (p, t) => F.mseLoss(p, t).mul(0.5),
      new optim.SGD(lin.parameters(), { lr: LR }),
    );
    const g1 = new Generator(1);
    rec(
      'shousi-autograd',
      await ctx.measure(() => train(task, X, y2, { epochs: 1, batchSize: BATCH, seed: g1 })),
    );

    const g2 = new Generator(2);
    const opts = {
      solver: 'sgd',
      epochs: 1,
      batchSize: BATCH,
      lr: LR,
      momentum: 0,
      schedule: 'constant',
      seed: g2,
    } as const;
    rec('shousi-linreg', await ctx.measure(() => new LinearRegression(opts).fit(X, y)));

    const xData = Float32Array.from(X.data);
    const yData = Float32Array.from(y.data);
    const tf = await benchTf(ctx, WORKLOAD, (tf) => {
      const Xt = tf.tensor2d(xData, [n, d]);
      const Yt = tf.tensor2d(yData, [n, 1]);
      const w = tf.variable(tf.zeros([d, 1]));
      const b = tf.variable(tf.zeros([1]));
      const opt = tf.train.sgd(LR);
      const gen = new Generator(3);
      return () => {
        const idx = tf.tensor1d(gen.permutation(n), 'int32');
        const Xs = tf.gather(Xt, idx);
        const Ys = tf.gather(Yt, idx);
        for (let s = 0; s < n; s += BATCH) {
          const m = Math.min(BATCH, n - s);
          tf.tidy(() => {
            opt.minimize(() =>
              Xs.slice([s, 0], [m, d])
                .matMul(w)
                .add(b)
                .sub(Ys.slice([s, 0], [m, 1]))
                .square()
                .mean()
                .mul<Scalar>(0.5),
            );
          });
        }
        return [idx, Xs, Ys];
      };
    });
    for (const r of tf) rec(r.impl, r.medianMs);
    return records;
  },
};

export default suite;
