// The training loop every model here uses: epochs of shuffled minibatches, one optimisation
// step per batch, validation every N epochs, a history of train/validation loss, early
// stopping with patience, a scheduler stepped per epoch, and divergence detection.
// `trainSteps` is a generator of batch and epoch events; `train` drains it. A CLI iterates
// the generator (or passes onProgress) to draw a progress bar from the same loop; the
// library itself prints nothing.
// Legend: n rows, d features, k targets, b rows in a batch.

import { noGrad } from '../autograd/engine.js';
import { checkBatchSize, numBatches } from '../data/batches.js';
import { assertFinite, checkXy, gatherRows } from '../data/rows.js';
import { ArgumentError, DivergenceError } from '../errors.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRScheduler } from '../optim/scheduler.js';
import { withDefaults } from '../options.js';
import { type RandomSource, toGenerator } from '../random.js';
import { allocate } from '../tensor/dtype.js';
import { dims } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** What the loop trains: a batch step and a full-set loss. */
export interface TrainTask {
  /**
   * One optimisation step on x [b, d], y [b] or [b, k]; returns the batch loss before the
   * update. x and y are views of a buffer the loop reuses: valid during the call only.
   */
  step(x: Tensor, y: Tensor): number;
  /** The loss on a whole set, no update (validation). */
  evaluate(X: Tensor, y: Tensor): number;
  /** The optimizer, when there is one: its lr is reported in the history and in errors. */
  optimizer?: Optimizer | null;
}

export interface TrainOptions {
  /** Passes over the training rows (default 10). */
  epochs?: number;
  /** Rows per step, in [1, n] (default 32). */
  batchSize?: number;
  /** Reshuffle the rows every epoch (default true). */
  shuffle?: boolean;
  /** Seed or generator of the shuffles (default: the global generator). */
  seed?: RandomSource | null;
  /** Drop a last partial batch (default false). */
  dropLast?: boolean;
  /** Held-out rows evaluated every `validateEvery` epochs (default none). */
  validation?: { X: Tensor; y: Tensor } | null;
  /** Validate every this many epochs, and after the last (default 1). */
  validateEvery?: number;
  /** Stop after this many checks without improvement of the monitored loss (default null: never). */
  patience?: number | null;
  /** An improvement must lower the monitored loss by more than this (default 0). */
  minDelta?: number;
  /** Stepped once after every epoch (default none). */
  scheduler?: LRScheduler | null;
  /** A batch loss above this multiple of the first batch loss counts as divergence (default 1e4; Infinity: off). */
  divergenceFactor?: number;
  /** Called with every event (default none). */
  onProgress?: ((e: TrainEvent) => void) | null;
}

export const TRAIN_DEFAULTS = {
  epochs: 10,
  batchSize: 32,
  shuffle: true,
  seed: null,
  dropLast: false,
  validation: null,
  validateEvery: 1,
  patience: null,
  minDelta: 0,
  scheduler: null,
  divergenceFactor: 1e4,
  onProgress: null,
} satisfies Required<TrainOptions>;

/** The training-loop options among a wider options object (an estimator's own are left out). */
export function pickTrainOptions(o: { [K in keyof TrainOptions]?: TrainOptions[K] }): TrainOptions {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(TRAIN_DEFAULTS) as (keyof TrainOptions)[]) out[k] = o[k];
  return out as TrainOptions;
}

/** One entry of the history; valLoss is null on epochs without validation. */
export interface EpochRecord {
  epoch: number;
  /** Mean of the epoch's batch losses, weighted by batch size (each taken before its update). */
  trainLoss: number;
  valLoss: number | null;
  /** lr of the first parameter group during the epoch (null without an optimizer). */
  lr: number | null;
}

export type TrainEvent =
  | { kind: 'batch'; epoch: number; batch: number; batches: number; loss: number }
  | ({ kind: 'epoch'; epochs: number; improved: boolean } & EpochRecord);

export interface TrainResult {
  history: EpochRecord[];
  /** Epochs run. */
  nIter: number;
  /** Epoch with the lowest monitored loss (validation loss when validating, else train loss). */
  bestEpoch: number;
  bestLoss: number;
  stoppedEarly: boolean;
}

function checkOptions(o: Required<TrainOptions>, n: number): void {
  const posInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1)
      throw new ArgumentError(`train: ${name} must be a positive integer, got ${v}`);
  };
  posInt('epochs', o.epochs);
  posInt('validateEvery', o.validateEvery);
  if (o.patience !== null) posInt('patience', o.patience);
  checkBatchSize('train', o.batchSize, n);
  if (!(o.minDelta >= 0)) throw new ArgumentError(`train: minDelta must be >= 0, got ${o.minDelta}`);
  if (!(o.divergenceFactor > 1))
    throw new ArgumentError(`train: divergenceFactor must be > 1, got ${o.divergenceFactor}`);
}

const ADVICE = 'standardise the features (data.StandardScaler), lower the learning rate, or use optim.Adam';

/** Runs the loop as a generator of batch and epoch events; returns the result when done. X: [n, d], y: [n] or [n, k]. */
export function* trainSteps(
  task: TrainTask,
  X: Tensor,
  y: Tensor,
  opts: TrainOptions = {},
): Generator<TrainEvent, TrainResult, undefined> {
  const o = withDefaults(TRAIN_DEFAULTS, opts, 'train');
  const n = checkXy('train', X, y);
  checkOptions(o, n);
  assertFinite('train', 'X', X);
  assertFinite('train', 'y', y);
  if (o.validation) {
    checkXy('train (validation)', o.validation.X, o.validation.y);
    assertFinite('train', 'validation X', o.validation.X);
    assertFinite('train', 'validation y', o.validation.y);
  }
  const gen = toGenerator(o.seed ?? undefined);
  // The loops read locals, not `o`: option objects built by spreading others (as
  // LinearRegression's) can get a fresh hidden class per call, and every lookup in a loop
  // would then throw V8's optimised code away at the next fit.
  const { epochs, batchSize, shuffle, validation, validateEvery, patience, minDelta, scheduler } = o;
  const { divergenceFactor, onProgress } = o;
  const lr = () => (task.optimizer ? (task.optimizer.paramGroups[0].lr as number) : null);
  const lrNote = () => (task.optimizer ? `; lr ${lr()}` : '');
  const emit = (e: TrainEvent) => onProgress?.(e);
  const count = numBatches(n, batchSize, o.dropLast);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i; // Int32Array.from with a map function is ~50x slower
  const xBatch = batcher(X, n, batchSize, shuffle);
  const yBatch = batcher(y, n, batchSize, shuffle);
  const history: EpochRecord[] = [];
  let firstLoss = Number.NaN;
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let sinceBest = 0;
  let stoppedEarly = false;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    if (shuffle) gen.shuffle(order);
    const epochLr = lr();
    let sum = 0;
    let seen = 0;
    for (let b = 0; b < count; b++) {
      const start = b * batchSize;
      const end = Math.min(start + batchSize, n);
      const loss = task.step(xBatch(order, start, end), yBatch(order, start, end));
      // Divergence: a non-finite loss, or one that grew by orders of magnitude since the start.
      if (!Number.isFinite(loss)) {
        throw new DivergenceError(
          `train: the loss became ${loss} at epoch ${epoch}, batch ${b + 1} of ${count} (first batch loss ${fmt(firstLoss)}${lrNote()}); the optimisation diverged: ${ADVICE}`,
        );
      }
      if (!(firstLoss > 0) && loss > 0) firstLoss = loss;
      else if (loss > divergenceFactor * firstLoss) {
        throw new DivergenceError(
          `train: the loss grew from ${fmt(firstLoss)} (first batch) to ${fmt(loss)} at epoch ${epoch}, batch ${b + 1} of ${count}, over ${divergenceFactor} times${lrNote()}; the optimisation is diverging: ${ADVICE}`,
        );
      }
      sum += loss * (end - start);
      seen += end - start;
      const e: TrainEvent = { kind: 'batch', epoch, batch: b + 1, batches: count, loss };
      emit(e);
      yield e;
    }
    scheduler?.step();
    const validate = validation !== null && (epoch % validateEvery === 0 || epoch === epochs);
    const valLoss = validate && validation ? task.evaluate(validation.X, validation.y) : null;
    if (valLoss !== null && !Number.isFinite(valLoss)) {
      throw new DivergenceError(
        `train: the validation loss became ${valLoss} after epoch ${epoch}${lrNote()}: ${ADVICE}`,
      );
    }
    const record: EpochRecord = { epoch, trainLoss: sum / seen, valLoss, lr: epochLr };
    history.push(record);
    // Early stopping watches the validation loss when there is one, else the train loss.
    const monitored = validation === null ? record.trainLoss : valLoss;
    let improved = false;
    if (monitored !== null) {
      improved = monitored < bestLoss - minDelta;
      if (improved) {
        bestLoss = monitored;
        bestEpoch = epoch;
        sinceBest = 0;
      } else sinceBest++;
    }
    const e: TrainEvent = { kind: 'epoch', epochs, improved, ...record };
    emit(e);
    yield e;
    if (patience !== null && sinceBest >= patience) {
      stoppedEarly = epoch < epochs;
      break;
    }
  }
  return { history, nIter: history.length, bestEpoch, bestLoss, stoppedEarly };
}

/**
 * The batches of t: [n, ...] as tensors of rows order[start:end]. Shuffled rows are gathered
 * into one batch-sized buffer reused by every batch (the task gets views valid during its call
 * only); unshuffled batches are views of t itself. Gathering a whole epoch into a fresh n-row
 * buffer instead cost more in page faults than the epoch's arithmetic on California housing.
 */
function batcher(t: Tensor, n: number, batchSize: number, shuffled: boolean) {
  const width = t.size / n;
  const rest = dims(t.shape, 1);
  const full = Object.freeze([batchSize, ...rest]); // frozen: every full batch shares it
  const buf = shuffled ? allocate(t.dtype, batchSize * width) : t.data;
  return (order: Int32Array, start: number, end: number): Tensor => {
    const m = end - start;
    const shape = m === batchSize ? full : [m, ...rest];
    if (!shuffled) return new Tensor(buf.subarray(start * width, end * width), shape);
    gatherRows(t.data, width, order, start, end, buf);
    return new Tensor(m === batchSize ? buf : buf.subarray(0, m * width), shape);
  };
}

/** Trains to the end (draining trainSteps) and returns the history. X: [n, d], y: [n] or [n, k]. */
export function train(task: TrainTask, X: Tensor, y: Tensor, opts: TrainOptions = {}): TrainResult {
  return drain(trainSteps(task, X, y, opts));
}

/** Runs a generator to its end and returns its result. */
export function drain<T, R>(it: Generator<T, R, undefined>): R {
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

function fmt(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v);
}

/** A module that maps a batch to predictions (nn.Sequential, nn.Linear, ...). */
export interface Predictor extends Module {
  forward(x: Tensor): Tensor;
}

/** The task for an nn model trained by autograd: zeroGrad, loss(model(x), y), backward, step. */
export function supervisedTask(
  model: Predictor,
  lossFn: (pred: Tensor, y: Tensor) => Tensor,
  optimizer: Optimizer,
): TrainTask {
  return {
    optimizer,
    step(x, y) {
      model.train();
      optimizer.zeroGrad();
      const loss = lossFn(model.forward(x), y);
      loss.backward();
      optimizer.step();
      return loss.item();
    },
    evaluate(X, y) {
      model.eval();
      const loss = noGrad(() => lossFn(model.forward(X), y).item());
      model.train();
      return loss;
    },
  };
}
