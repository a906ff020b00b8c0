// MLP demo: the seed's experiment — x = 0, 0.01, ..., 0.99, y = 20 sin(2 pi x), layers [1, 25, 1],
// sigmoid, full-batch gradient descent, lr 0.3, 4000 steps, the seed's uniform [0, 1) init —
// with the hand-written backprop MLP and the same network as nn.Sequential + autograd +
// optim.SGD side by side (float64: they agree to rounding), then Xavier init with Adam.

import {
  arange,
  Generator,
  MLP,
  mlpObjective,
  optim,
  supervisedTask,
  type Tensor,
  type TrainEvent,
  tensor,
  trainSteps,
} from '../../index.js';
import type { DemoIO, DemoOptions, DemoSummary } from '../demo.js';
import { fmtNum, fmtSeconds, fmtTable } from '../format.js';
import { maxAbsDiff } from '../helpers.js';
import type { LineSeries } from '../plot.js';

const STEPS = 4000;
const LR = 0.3;
const ADAM_LR = 0.01;
const LAYERS = [1, 25, 1];

/** Drains a training generator into a progress bar; returns the per-step losses (times `scale`). */
function drive(
  io: DemoIO,
  label: string,
  steps: number,
  it: Iterator<TrainEvent, unknown>,
  scale = 1,
): number[] {
  const bar = io.progress(label, steps);
  const losses: number[] = [];
  try {
    for (let e = it.next(); !e.done; e = it.next()) {
      if (e.value.kind !== 'epoch') continue;
      const loss = e.value.trainLoss * scale;
      losses.push(loss);
      if (losses.length % 50 === 0) bar.update(losses.length, { loss: fmtNum(loss) });
    }
  } finally {
    bar.stop();
  }
  return losses;
}

/** The mlp demo. */
export async function run(opts: DemoOptions, io: DemoIO): Promise<DemoSummary> {
  const steps = opts.epochs ?? STEPS;
  const lr = opts.lr ?? LR;
  const x = arange(0, 100, 1, { dtype: 'float64' }).div(100).reshape([1, 100]); // [features, samples], the seed's layout
  const y = tensor(
    Array.from(x.data, (v) => 20 * Math.sin(2 * Math.PI * v)),
    { dtype: 'float64', shape: [1, 100] },
  );
  const m = x.shape[1];

  io.section(
    `the seed's network [${LAYERS.join(', ')}], sigmoid, uniform [0, 1) init, full-batch GD, lr ${lr}, ${steps} steps`,
  );
  const hand = new MLP(LAYERS, { init: 'uniform', dtype: 'float64', generator: new Generator(opts.seed) });
  const seq = hand.toSequential(); // the same initial parameters, as nn.Linear / nn.Sigmoid layers
  // one gradient, both ways: the seed's formulas vs autograd through nn.Sequential
  hand.forward(x);
  const { dw, db } = hand.backward(y);
  mlpObjective(seq.forward(x.mT), y.mT).backward();
  const handGrads = dw.flatMap((w, i) => [w, db[i]]);
  const gradDiff = Math.max(...seq.parameters().map((p, i) => maxAbsDiff(p.grad!.data, handGrads[i].data)));
  seq.zeroGrad();
  io.log(`first gradient, hand-written backprop vs autograd: max diff ${fmtNum(gradDiff, 3)} (float64)`);
  let t0 = performance.now();
  const handLoss = drive(io, 'hand-written', steps, hand.fitSteps(x, y, { steps, lr }));
  const handSeconds = (performance.now() - t0) / 1000;

  const sgd = new optim.SGD(seq.parameters(), { lr });
  const task = supervisedTask(seq, mlpObjective, sgd);
  // J = 0.5 sum((pred - y)^2) / m is the objective; the seed's loss mean((pred - y)^2) is 2 J for one output
  t0 = performance.now();
  const autoLoss = drive(
    io,
    'autograd    ',
    steps,
    trainSteps(task, x.mT, y.mT, { epochs: steps, batchSize: m, shuffle: false }),
    2,
  );
  const autoSeconds = (performance.now() - t0) / 1000;

  // the seed printed the loss every 100 iterations; longer runs print 40 rows at most
  const every = Math.max(100, Math.ceil(steps / 40 / 100) * 100);
  const rows = handLoss
    .map((l, i) => [i + 1, l, autoLoss[i]] as const)
    .filter(([s]) => s === 1 || s % every === 0 || s === steps)
    .map(([s, a, b]) => [String(s), fmtNum(a, 6), fmtNum(b, 6)]);
  io.log(fmtTable(['step', 'hand-written loss', 'autograd loss'], rows));
  const grid = arange(0, 200, 1, { dtype: 'float64' }).div(200).reshape([1, 200]);
  const fitHand = hand.forward(grid);
  const fitAuto = seq.forward(grid.mT).mT;
  const paramDiff = Math.max(
    ...hand.parameters().map((p, i) => maxAbsDiff(p.data, seq.parameters()[i].data)),
  );
  const predDiff = maxAbsDiff(fitHand.data, fitAuto.data);
  io.log(
    `after ${steps} steps, max |hand-written - autograd|: parameters ${fmtNum(paramDiff, 3)}, predictions ${fmtNum(predDiff, 3)}`,
  );
  io.log(
    '(the same arithmetic in a different order rounds differently; GD at lr 0.3 oscillates and amplifies it)',
  );
  io.log(`time: hand-written ${fmtSeconds(handSeconds)}, autograd ${fmtSeconds(autoSeconds)}`);

  io.section(`default init (Xavier) with Adam, lr ${ADAM_LR}, ${steps} steps`);
  const adamNet = new MLP(LAYERS, { dtype: 'float64', generator: new Generator(opts.seed) });
  const adam = new optim.Adam(adamNet.parameters(), { lr: ADAM_LR });
  const adamLoss = drive(io, 'adam        ', steps, adamNet.fitSteps(x, y, { steps, optimizer: adam }));
  const fitAdam = adamNet.forward(grid);
  const finalHand = hand.loss(x, y);
  const finalAdam = adamNet.loss(x, y);
  io.log(`final MSE: seed setup ${fmtNum(finalHand)}, Xavier + Adam ${fmtNum(finalAdam)}`);

  const stepsX = handLoss.map((_, i) => i + 1);
  const lossSeries: LineSeries[] = [
    { name: 'seed: uniform init + GD (hand-written ≈ autograd)', x: stepsX, y: handLoss },
    { name: 'Xavier init + Adam', x: stepsX, y: adamLoss },
  ];
  io.chart('loss per step', lossSeries);
  const gx = Array.from(grid.data);
  const curve = (t: Tensor) => Array.from(t.data);
  await io.plot('mlp-fit', {
    kind: 'line',
    title: 'MLP [1, 25, 1] fitting y = 20 sin(2πx)',
    subtitle: `hand-written backprop and autograd: first gradients agree to ${fmtNum(gradDiff, 2)}`,
    xLabel: 'x',
    yLabel: 'y',
    series: [
      { name: 'data', x: Array.from(x.data), y: Array.from(y.data), mark: 'point' },
      { name: `seed setup (MSE ${fmtNum(finalHand, 3)})`, x: gx, y: curve(fitHand) },
      { name: `Xavier + Adam (MSE ${fmtNum(finalAdam, 3)})`, x: gx, y: curve(fitAdam) },
    ],
  });
  await io.plot('mlp-loss', {
    kind: 'line',
    title: 'MLP training loss (mean squared error)',
    subtitle: `full batch of ${m} points, ${steps} steps`,
    xLabel: 'step',
    yLabel: 'MSE',
    logY: true,
    series: lossSeries,
  });

  return io.finish(
    `MLP sine fit: MSE ${fmtNum(finalHand)} (seed setup), ${fmtNum(finalAdam)} (Xavier + Adam); ` +
      `hand-written vs autograd gradient diff ${fmtNum(gradDiff, 2)}`,
    {
      steps,
      finalMseSeed: finalHand,
      finalMseAdam: finalAdam,
      handVsAutogradGradDiff: gradDiff,
      handVsAutogradParamDiff: paramDiff,
      handVsAutogradPredDiff: predDiff,
      lossEvery100: handLoss.filter((_, i) => (i + 1) % 100 === 0),
    },
  );
}
