// Linear regression demo: California housing (20,640 block groups, scikit-learn's 8 features),
// an 80/20 split, features standardised on the training rows, the seed's minibatch SGD on
// 0.5 mean((Xw + b - y)^2) with a live progress bar and validation every N epochs, and the exact
// least-squares answer beside it. --raw runs the seed's own setup (unscaled features, plain SGD,
// lr 0.001) and shows the divergence error it ends in: that error is the point of that demo, so
// it prints it and exits 0.

import {
  CALIFORNIA_FEATURES,
  DivergenceError,
  LinearRegression,
  loadCaliforniaHousing,
  mae,
  mse,
  r2,
  rmse,
  StandardScaler,
  type Tensor,
  trainTestSplit,
} from '../../index.js';
import type { DemoIO, DemoOptions, DemoSummary } from '../demo.js';
import { fmtNum, fmtTable } from '../format.js';

const EPOCHS = 100;
const BATCH = 64;
const LR = 0.001;

interface Fitted {
  model: LinearRegression;
  name: string;
}

function metrics(m: LinearRegression, Xtr: Tensor, ytr: Tensor, Xte: Tensor, yte: Tensor) {
  const pTr = m.predict(Xtr);
  const pTe = m.predict(Xte);
  return {
    trainHalfMse: 0.5 * mse(ytr, pTr),
    testR2: r2(yte, pTe),
    testRmse: rmse(yte, pTe),
    testMae: mae(yte, pTe),
  };
}

/** The seed's setup: raw features, plain SGD (no momentum, constant lr), batch 64. */
function runRaw(opts: DemoOptions, io: DemoIO, X: Tensor, y: Tensor): DemoSummary {
  const lr = opts.lr ?? LR;
  io.section(`the seed's setup: unscaled features, plain SGD, lr ${lr}, batch ${opts.batchSize ?? BATCH}`);
  const model = new LinearRegression({
    solver: 'sgd',
    lr,
    momentum: 0,
    schedule: 'constant',
    batchSize: opts.batchSize ?? BATCH,
    epochs: opts.epochs ?? EPOCHS,
    seed: opts.seed,
  });
  try {
    model.fit(X, y);
  } catch (e) {
    if (!(e instanceof DivergenceError)) throw e;
    io.log(`${e.name}: ${e.message}`);
    const [n, d] = X.shape;
    const colMax = Array.from({ length: d }, (_, j) =>
      Math.max(...Array.from({ length: n }, (_, i) => X.data[i * d + j])),
    );
    const big = colMax
      .map((v, j) => [v, j])
      .sort((a, b) => b[0] - a[0])
      .slice(0, 2);
    io.log(
      `(unscaled, ${big.map(([v, j]) => `${CALIFORNIA_FEATURES[j]} reaches ${fmtNum(v)}`).join(' and ')}: ` +
        'the gradient of one such row is that large times its residual)',
    );
    return io.finish(`the seed's unscaled SGD diverged, as expected: ${e.message.split(';')[0]}`, {
      diverged: true,
      error: e.message,
    });
  }
  return io.finish('the unscaled SGD did not diverge with these settings', { diverged: false });
}

/** The linreg demo. */
export async function run(opts: DemoOptions, io: DemoIO): Promise<DemoSummary> {
  const ds = loadCaliforniaHousing({ dtype: 'float64' });
  const split = trainTestSplit(ds.X, ds.y, { testSize: 0.2, seed: opts.seed });
  io.log(
    `California housing: ${ds.X.shape[0]} rows x ${ds.X.shape[1]} features (${ds.featureNames.join(', ')})`,
  );
  io.log(
    `target: median house value in $100,000; split 80/20: ${split.XTrain.shape[0]} train, ${split.XTest.shape[0]} test`,
  );
  if (opts.raw) return runRaw(opts, io, split.XTrain, split.yTrain);

  const scaler = new StandardScaler().fit(split.XTrain); // statistics of the training rows only
  const Xtr = scaler.transform(split.XTrain);
  const Xte = scaler.transform(split.XTest);
  const epochs = opts.epochs ?? EPOCHS;
  const batchSize = opts.batchSize ?? BATCH;
  const lr = opts.lr ?? LR;
  const every = Math.max(1, Math.min(10, Math.floor(epochs / 5)));

  io.section(`minibatch SGD: ${epochs} epochs, batch ${batchSize}, lr ${lr}, momentum 0.9, cosine schedule`);
  const sgd = new LinearRegression({
    solver: 'sgd',
    epochs,
    batchSize,
    lr,
    seed: opts.seed,
    validation: { X: Xte, y: split.yTest },
    validateEvery: every,
  });
  const bar = io.progress('epoch', epochs);
  const steps = sgd.fitSteps(Xtr, split.yTrain);
  try {
    for (let e = steps.next(); !e.done; e = steps.next()) {
      if (e.value.kind !== 'epoch') continue;
      const fields: Record<string, string> = { loss: fmtNum(e.value.trainLoss) };
      if (e.value.valLoss !== null) fields.val = fmtNum(e.value.valLoss);
      bar.update(e.value.epoch, fields);
    }
  } finally {
    bar.stop();
  }
  const hist = sgd.history;
  const validated = hist.filter((h) => h.valLoss !== null);
  io.log(
    fmtTable(
      ['epoch', 'train loss', 'validation loss', 'lr'],
      validated.map((h) => [
        String(h.epoch),
        fmtNum(h.trainLoss),
        fmtNum(h.valLoss!),
        fmtNum(h.lr ?? Number.NaN, 3),
      ]),
    ),
  );

  io.section('the exact least-squares solution (Householder QR) on the same standardised rows');
  const exact = new LinearRegression({ solver: 'lstsq' }).fit(Xtr, split.yTrain);
  const fits: Fitted[] = [
    { model: sgd, name: 'SGD' },
    { model: exact, name: 'closed form' },
  ];
  const ms = fits.map((f) => metrics(f.model, Xtr, split.yTrain, Xte, split.yTest));
  io.log(
    fmtTable(
      ['', 'train 0.5*MSE', 'test R^2', 'test RMSE', 'test MAE'],
      fits.map((f, i) => [
        f.name,
        fmtNum(ms[i].trainHalfMse, 5),
        fmtNum(ms[i].testR2, 5),
        fmtNum(ms[i].testRmse),
        fmtNum(ms[i].testMae),
      ]),
    ),
  );
  io.log(
    fmtTable(
      ['coefficient', 'SGD', 'closed form'],
      [
        ...ds.featureNames.map((name, j) => [name, fmtNum(sgd.coef!.data[j]), fmtNum(exact.coef!.data[j])]),
        ['(intercept)', fmtNum(sgd.intercept), fmtNum(exact.intercept)],
      ],
    ),
  );
  const gap = ms[0].trainHalfMse / ms[1].trainHalfMse - 1;
  io.log(`SGD's train loss is ${fmtNum(gap * 100, 3)}% above the minimum`);

  const x = hist.map((h) => h.epoch);
  const series = [
    { name: 'train (mean batch loss)', x, y: hist.map((h) => h.trainLoss) },
    { name: 'validation', x: validated.map((h) => h.epoch), y: validated.map((h) => h.valLoss!) },
    {
      name: 'closed-form train minimum',
      x: [x[0], x[x.length - 1]],
      y: [ms[1].trainHalfMse, ms[1].trainHalfMse],
    },
  ];
  io.chart('loss per epoch', series.slice(0, 2));
  await io.plot('linreg-loss', {
    kind: 'line',
    title: 'Linear regression on California housing: SGD loss',
    subtitle: `standardised features, batch ${batchSize}, lr ${lr}, momentum 0.9, cosine schedule`,
    xLabel: 'epoch',
    yLabel: '0.5 * MSE',
    logY: true,
    series,
  });

  return io.finish(
    `SGD on California housing: test R^2 ${fmtNum(ms[0].testR2)} (closed form ${fmtNum(ms[1].testR2)}), ` +
      `train loss ${fmtNum(gap * 100, 2)}% above the minimum after ${hist.length} epochs`,
    {
      epochs: hist.length,
      sgd: { ...ms[0] },
      closedForm: { ...ms[1] },
      trainLossGap: gap,
      history: hist.map((h) => ({ epoch: h.epoch, trainLoss: h.trainLoss, valLoss: h.valLoss })),
    },
  );
}
