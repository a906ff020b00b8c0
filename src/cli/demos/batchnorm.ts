// BatchNorm demo: the seed's per-channel normalisation of a batch, the running statistics over
// training steps (momentum 0.1 and the cumulative average), train vs eval output, BatchNorm2d,
// the one-sample batch torch refuses, and the float32 large-offset case.

import { Generator, nn, noGrad, randn, ShousiError, type Tensor, tensor } from '../../index.js';
import type { DemoIO, DemoOptions, DemoSummary } from '../demo.js';
import { fmtList, fmtNum, fmtTable, indent } from '../format.js';
import { maxAbsDiff } from '../helpers.js';
import { precisionExperiment } from '../norm-precision.js';

const TRUE_MEAN = [2, -1, 0.5, 5];
const TRUE_STD = [1, 3, 0.5, 2];
const STEPS = 30;

/** A [n, 4] batch with channel c ~ N(TRUE_MEAN[c], TRUE_STD[c]^2). */
function batch(n: number, gen: Generator): Tensor {
  return randn([n, 4], { generator: gen }).mul(tensor(TRUE_STD)).add(tensor(TRUE_MEAN));
}

/** The batchnorm demo. */
export async function run(opts: DemoOptions, io: DemoIO): Promise<DemoSummary> {
  const gen = new Generator(opts.seed);

  io.section("BatchNorm1d over a batch, the seed's setting: x [8, 4], training mode");
  const x = randn([8, 4], { generator: gen }).mul(3).add(1);
  const bn0 = new nn.BatchNorm1d(4);
  const y = noGrad(() => bn0.forward(x));
  io.log(`x =\n${indent(x.toString())}`);
  io.log(`y = nn.BatchNorm1d(4)(x) =\n${indent(y.toString())}`);
  const chMean = y.mean(0);
  const chVar = y.var(0, { correction: 0 });
  io.log(`per-channel mean after normalisation: ${fmtList(chMean.data, 3)}`);
  io.log(`per-channel variance (biased):        ${fmtList(chVar.data, 6)}`);
  io.log(`running_mean after one step: ${fmtList(bn0.runningMean!.data)} (0.9 * 0 + 0.1 * batch mean)`);
  io.log(
    `running_var  after one step: ${fmtList(bn0.runningVar!.data)} (0.9 * 1 + 0.1 * UNBIASED batch var)`,
  );

  io.section(
    `running statistics over ${STEPS} steps of 16 samples (true means ${fmtList(TRUE_MEAN)}, variances ${fmtList(TRUE_STD.map((s) => s * s))})`,
  );
  const bn = new nn.BatchNorm1d(4);
  const cma = new nn.BatchNorm1d(4, { momentum: null });
  const means: number[][] = [];
  const vars: number[][] = [];
  const batchMeans: number[][] = [];
  noGrad(() => {
    for (let s = 0; s < STEPS; s++) {
      const xb = batch(16, gen);
      bn.forward(xb);
      cma.forward(xb);
      means.push(Array.from(bn.runningMean!.data));
      vars.push(Array.from(bn.runningVar!.data));
      batchMeans.push(Array.from(xb.mean(0).data));
    }
  });
  const shown = [0, 4, 9, 19, STEPS - 1];
  io.log(
    fmtTable(
      ['step', ...TRUE_MEAN.map((_, c) => `mean c${c}`), ...TRUE_STD.map((_, c) => `var c${c}`)],
      shown.map((s) => [
        String(s + 1),
        ...means[s].map((v) => fmtNum(v, 3)),
        ...vars[s].map((v) => fmtNum(v, 3)),
      ]),
    ),
  );
  const avgOfBatchMeans = TRUE_MEAN.map((_, c) => batchMeans.reduce((a, m) => a + m[c], 0) / STEPS);
  const cmaDiff = maxAbsDiff(cma.runningMean!.data, avgOfBatchMeans);
  io.log(
    `momentum null (cumulative average): running_mean = plain average of the ${STEPS} batch means ` +
      `(max diff ${fmtNum(cmaDiff, 2)}), num_batches_tracked = ${cma.numBatchesTracked!.item()}`,
  );
  const steps = means.map((_, s) => s + 1);
  await io.plot('batchnorm-running-stats', {
    kind: 'line',
    title: 'BatchNorm1d running_mean over training steps',
    subtitle: `momentum 0.1; true channel means ${TRUE_MEAN.join(', ')}`,
    xLabel: 'training step',
    yLabel: 'running_mean',
    series: TRUE_MEAN.map((mu, c) => ({
      name: `channel ${c} (true ${mu})`,
      x: steps,
      y: means.map((m) => m[c]),
    })),
  });

  io.section('train vs eval on a new batch');
  const xt = batch(16, gen);
  const yTrain = noGrad(() => bn.train().forward(xt.clone()));
  const yEval = noGrad(() => bn.eval().forward(xt));
  io.log(`train (batch statistics) per-channel mean: ${fmtList(yTrain.mean(0).data, 3)}`);
  io.log(`eval (running statistics) per-channel mean: ${fmtList(yEval.mean(0).data, 3)}`);
  const trainEvalDiff = maxAbsDiff(yTrain.data, yEval.data);
  io.log(
    `max |train - eval| = ${fmtNum(trainEvalDiff)}; eval works on one sample: ${fmtList(bn.forward(xt.narrow(0, 0, 1)).data, 3)}`,
  );
  let oneSample = 'accepted';
  try {
    new nn.BatchNorm1d(4).forward(xt.narrow(0, 0, 1));
  } catch (e) {
    if (!(e instanceof ShousiError)) throw e;
    oneSample = e.message;
  }
  io.log(`training on one sample: ${oneSample}`);

  io.section('BatchNorm2d: per channel over N, H, W of x [2, 3, 4, 4]');
  const x2 = randn([2, 3, 4, 4], { generator: gen }).mul(2).add(3);
  const y2 = noGrad(() => new nn.BatchNorm2d(3).forward(x2));
  io.log(
    `per-channel mean: ${fmtList(y2.mean([0, 2, 3]).data, 3)}, variance: ${fmtList(y2.var([0, 2, 3], { correction: 0 }).data, 6)}`,
  );

  io.section('float32, channels with mean = offset and std 1 (64 samples): textbook E[x²] − E[x]² vs shousi');
  const precision = precisionExperiment('batch', gen);
  io.log(precision.table);
  await io.plot('batchnorm-precision', {
    kind: 'line',
    title: 'BatchNorm in float32: error vs mean offset',
    subtitle: '64 samples x 4 channels, std 1; NaN/inf drawn at 10',
    xLabel: 'mean of the channel (offset)',
    yLabel: 'max abs error vs float64',
    logX: true,
    logY: true,
    series: precision.series,
  });

  const final = means[STEPS - 1];
  return io.finish(
    `BatchNorm running_mean after ${STEPS} steps ${fmtList(final, 3)} (true ${fmtList(TRUE_MEAN)}); ` +
      precision.summary,
    {
      channelMean: Array.from(chMean.data),
      channelVar: Array.from(chVar.data),
      runningMean: final,
      runningVar: vars[STEPS - 1],
      cumulativeAverageDiff: cmaDiff,
      trainEvalMaxDiff: trainEvalDiff,
      precision: precision.json,
    },
  );
}
