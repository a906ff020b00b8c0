// Minibatches for training. Unlike the textbook helper this honours batchSize, keeps the last
// partial batch (dropLast = false, as torch's DataLoader), works for any n, and reshuffles
// on every call when given a Generator (a number seed repeats the same order each call).
// Legend: n rows, d features, k targets, b rows in a batch (batchSize, or fewer for the last).

import { ArgumentError } from '../errors.js';
import { withDefaults } from '../options.js';
import { type RandomSource, toGenerator } from '../random.js';
import { allocate } from '../tensor/dtype.js';
import { dims } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { checkXy, gatherRows } from './rows.js';

export interface BatchOptions {
  /** Rows per batch, an integer in [1, n] (default 32). */
  batchSize?: number;
  /** Visit the rows in a random order (default true: the iterator is for training). */
  shuffle?: boolean;
  /** Seed or generator of the order; pass one Generator to reshuffle every epoch (default: global). */
  seed?: RandomSource | null;
  /** Drop the last batch when it has fewer than batchSize rows (default false). */
  dropLast?: boolean;
}

export const BATCH_DEFAULTS = {
  batchSize: 32,
  shuffle: true,
  seed: null,
  dropLast: false,
} satisfies Required<BatchOptions>;

/** One minibatch: x [b, d], y [b] or [b, k], and its position in the epoch. */
export interface Batch {
  x: Tensor;
  y: Tensor;
  /** 0-based batch number within the epoch. */
  index: number;
}

/** Number of batches one pass over n rows gives. */
export function numBatches(n: number, batchSize: number, dropLast: boolean): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/** Validates batchSize against n rows (shared with the training loop). */
export function checkBatchSize(op: string, batchSize: number, n: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > n) {
    throw new ArgumentError(
      `${op}: batchSize must be an integer in [1, ${n}] (the number of rows), got ${batchSize}`,
    );
  }
}

// The row order of the last finished pass, reused by the next one over as many rows: a fresh
// order every epoch (80 KiB for California housing) cost more in page faults than shuffling it.
let spareOrder: Int32Array | null = null;

/** Yields minibatches of X: [n, d] and y: [n] or [n, k]: x [b, d], y [b] or [b, k]. */
export function* batches(X: Tensor, y: Tensor, opts: BatchOptions = {}): Generator<Batch, void, undefined> {
  const o = withDefaults(BATCH_DEFAULTS, opts, 'batches');
  const n = checkXy('batches', X, y);
  checkBatchSize('batches', o.batchSize, n);
  let order = spareOrder?.length === n ? spareOrder : new Int32Array(n);
  spareOrder = null; // ours until this pass ends (passes may interleave)
  for (let i = 0; i < n; i++) order[i] = i;
  if (o.shuffle) order = toGenerator(o.seed ?? undefined).shuffle(order); // = permutation(n)
  const count = numBatches(n, o.batchSize, o.dropLast);
  const takeX = rowTaker(X, n, o.batchSize);
  const takeY = rowTaker(y, n, o.batchSize);
  try {
    for (let b = 0; b < count; b++) {
      const start = b * o.batchSize;
      const end = Math.min(start + o.batchSize, n);
      yield { x: takeX(order, start, end), y: takeY(order, start, end), index: b };
    }
  } finally {
    spareOrder = order;
  }
}

/**
 * Copies rows order[start:end] of t: [n, ...] into a fresh tensor (the caller may keep it).
 * Full batches share one frozen shape, which the Tensor constructor takes without copying.
 */
function rowTaker(t: Tensor, n: number, batchSize: number) {
  const width = t.size / n;
  const rest = dims(t.shape, 1);
  const full = Object.freeze([batchSize, ...rest]);
  return (order: Int32Array, start: number, end: number): Tensor => {
    const m = end - start;
    const out = allocate(t.dtype, m * width);
    gatherRows(t.data, width, order, start, end, out);
    return new Tensor(out, m === batchSize ? full : [m, ...rest]);
  };
}
