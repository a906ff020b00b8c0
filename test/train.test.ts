// The training loop: history, validation, early stopping, progress events, divergence.

import { describe, expect, it, vi } from 'vitest';
import {
  ArgumentError,
  DataError,
  DivergenceError,
  F,
  LinearRegression,
  loadCaliforniaHousing,
  nn,
  optim,
  ShapeError,
  supervisedTask,
  type Tensor,
  type TrainEvent,
  type TrainTask,
  tensor,
  train,
  trainSteps,
} from '../src/index.js';

const X = tensor(
  Array.from({ length: 20 }, (_, i) => [i / 20]),
  { dtype: 'float64' },
);
const y = tensor(
  Array.from({ length: 20 }, (_, i) => [3 * (i / 20) - 1]),
  { dtype: 'float64' },
);

// A task whose batch losses come from a script (to drive early stopping and divergence).
function scripted(
  losses: (epochCall: number) => number,
  val: (call: number) => number = () => 1,
): TrainTask & { steps: number } {
  let calls = 0;
  let vals = 0;
  return {
    steps: 0,
    step() {
      this.steps++;
      return losses(calls++);
    },
    evaluate: () => val(vals++),
  };
}

describe('train', () => {
  it('fits an nn model through autograd and records one history entry per epoch', () => {
    const lin = new nn.Linear(1, 1, { dtype: 'float64', generator: 0 });
    const opt = new optim.SGD(lin.parameters(), { lr: 0.5, momentum: 0.5 });
    const r = train(
      supervisedTask(lin, (p, t) => F.mseLoss(p, t), opt),
      X,
      y,
      { epochs: 60, batchSize: 5, seed: 0 },
    );
    expect(r.nIter).toBe(60);
    expect(r.history.map((h) => h.epoch)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(r.history[59].trainLoss).toBeLessThan(1e-4 * r.history[0].trainLoss);
    expect(r.history[0].lr).toBe(0.5);
    expect(lin.weight.data[0]).toBeCloseTo(3, 3);
  });

  it('validates every N epochs and after the last; the generator yields what onProgress gets', () => {
    const events: TrainEvent[] = [];
    const task = scripted(() => 1);
    const it = trainSteps(task, X, y, {
      epochs: 5,
      batchSize: 8,
      validation: { X, y },
      validateEvery: 2,
      onProgress: (e) => events.push(e),
    });
    const yielded: TrainEvent[] = [];
    let r = it.next();
    while (!r.done) {
      yielded.push(r.value);
      r = it.next();
    }
    expect(yielded).toEqual(events);
    // 20 rows in batches of 8: 3 batches (the last has 4 rows), per epoch
    expect(events.filter((e) => e.kind === 'batch').length).toBe(15);
    expect(events.find((e) => e.kind === 'batch')).toMatchObject({ epoch: 1, batch: 1, batches: 3 });
    expect(r.value.history.map((h) => h.valLoss)).toEqual([null, 1, null, 1, 1]);
  });

  it('stops early after `patience` checks without improvement, and prints nothing', () => {
    const log = vi.spyOn(console, 'log');
    const val = [5, 4, 3, 3.5, 3.2, 3.1, 0];
    const r = train(
      scripted(
        () => 1,
        (i) => val[i],
      ),
      X,
      y,
      { epochs: 7, batchSize: 20, validation: { X, y }, patience: 3 },
    );
    expect(r.nIter).toBe(6);
    expect(r.stoppedEarly).toBe(true);
    expect(r.bestEpoch).toBe(3);
    expect(r.bestLoss).toBe(3);
    expect(log).not.toHaveBeenCalled();
    log.mockRestore();
  });

  it('steps the scheduler once per epoch', () => {
    const w = tensor([0], { dtype: 'float64' });
    const opt = new optim.SGD([w], { lr: 1 });
    const task: TrainTask = { optimizer: opt, step: () => 1, evaluate: () => 1 };
    const r = train(task, X, y, {
      epochs: 4,
      batchSize: 10,
      scheduler: new optim.StepLR(opt, 1, { gamma: 0.5 }),
    });
    expect(r.history.map((h) => h.lr)).toEqual([1, 0.5, 0.25, 0.125]);
  });

  it('stops with a DivergenceError on a non-finite loss, saying where and what to try', () => {
    const task = scripted((i) => (i === 4 ? Number.NaN : 1));
    const run = () => train(task, X, y, { epochs: 3, batchSize: 5 });
    expect(run).toThrow(DivergenceError);
    expect(() =>
      train(
        scripted((i) => (i === 4 ? Number.NaN : 1)),
        X,
        y,
        { epochs: 3, batchSize: 5 },
      ),
    ).toThrow(
      /loss became NaN at epoch 2, batch 1 of 4 .*standardise the features.*lower the learning rate.*Adam/,
    );
  });

  it('stops when the loss grows by orders of magnitude before it is even infinite', () => {
    const run = () =>
      train(
        scripted((i) => 2 * 10 ** i),
        X,
        y,
        { epochs: 2, batchSize: 5 },
      );
    // batch losses 2, 20, ..., 2e4 (= 1e4 x the first: not yet), 2e5: caught at the 6th batch
    expect(run).toThrow(/grew from 2 \(first batch\) to 200000 at epoch 2, batch 2 of 4, over 10000 times/);
  });

  it("catches the seed's raw setup within the first epoch: unscaled California housing, lr 0.001, batch 64, plain SGD", () => {
    const { X: Xr, y: yr } = loadCaliforniaHousing({ dtype: 'float64' });
    // (a) LinearRegression's SGD solver, no momentum, constant lr, the file's order
    const lr = new LinearRegression({
      solver: 'sgd',
      lr: 0.001,
      momentum: 0,
      schedule: 'constant',
      batchSize: 64,
      shuffle: false,
    });
    expect(() => lr.fit(Xr, yr)).toThrow(DivergenceError);
    expect(() => lr.fit(Xr, yr)).toThrow(
      /at epoch 1, batch \d+ of 323, .*lr 0\.001.*standardise the features/,
    );
    // (b) the same with nn.Linear + autograd + optim.SGD on J = 0.5 mean(r^2)
    const lin = new nn.Linear(8, 1, { dtype: 'float64', generator: 0 });
    const task = supervisedTask(
      lin,
      (p: Tensor, t: Tensor) => F.mseLoss(p, t).mul(0.5),
      new optim.SGD(lin.parameters(), { lr: 0.001 }),
    );
    expect(() => train(task, Xr, yr.reshape([-1, 1]), { epochs: 1, batchSize: 64, shuffle: false })).toThrow(
      /at epoch 1, batch/,
    );
  });

  it('rejects bad data and options', () => {
    const task = scripted(() => 1);
    expect(() => train(task, X, y.narrow(0, 0, 19))).toThrow(ShapeError);
    expect(() => train(task, X, y, { batchSize: 0 })).toThrow(ArgumentError);
    expect(() => train(task, X, y, { batchSize: 21 })).toThrow(/batchSize must be an integer in \[1, 20\]/);
    expect(() => train(task, X, y, { epochs: 0 })).toThrow(/epochs must be a positive integer/);
    const bad = X.clone();
    bad.data[7] = Number.NaN;
    expect(() => train(task, bad, y, { batchSize: 4 })).toThrow(DataError);
    expect(() => train(task, bad, y, { batchSize: 4 })).toThrow(/X contains NaN at row 7, column 0/);
  });
});
