// Train/test split, as scikit-learn's train_test_split: nTest = ceil(testSize * n), the rest
// trains. Shuffled by default with a seeded generator, so the same seed gives the same split.
// Legend: n rows, d features, k targets.

import { ArgumentError } from '../errors.js';
import { withDefaults } from '../options.js';
import { type RandomSource, toGenerator } from '../random.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkXy, takeRows } from './rows.js';

/** Options of trainTestSplit (scikit-learn's train_test_split). */
export interface SplitOptions {
  /** Fraction of rows in the test set, in (0, 1) (default 0.25, as scikit-learn). */
  testSize?: number;
  /** Shuffle before splitting (default true); false keeps the first rows for training. */
  shuffle?: boolean;
  /** Seed or generator of the shuffle (default: the global generator). */
  seed?: RandomSource | null;
}

const DEFAULTS = { testSize: 0.25, shuffle: true, seed: null } satisfies Required<SplitOptions>;

/** The four parts of a split. */
export interface Split {
  XTrain: Tensor;
  XTest: Tensor;
  yTrain: Tensor;
  yTest: Tensor;
}

/** X: [n, d], y: [n] or [n, k] -> XTrain [n - nTest, d], XTest [nTest, d], yTrain, yTest. */
export function trainTestSplit(X: Tensor, y: Tensor, opts: SplitOptions = {}): Split {
  const o = withDefaults(DEFAULTS, opts, 'trainTestSplit');
  const n = checkXy('trainTestSplit', X, y);
  if (typeof o.testSize !== 'number' || !(o.testSize > 0 && o.testSize < 1)) {
    throw new ArgumentError(`trainTestSplit: testSize must be a fraction in (0, 1), got ${o.testSize}`);
  }
  const nTest = Math.ceil(o.testSize * n);
  const nTrain = n - nTest;
  if (nTrain < 1) {
    throw new ArgumentError(
      `trainTestSplit: testSize ${o.testSize} of ${n} rows leaves no training rows (${nTest} test rows)`,
    );
  }
  let order: Int32Array;
  if (o.shuffle) order = toGenerator(o.seed ?? undefined).permutation(n);
  else {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  // scikit-learn's layout: unshuffled keeps the first rows for training; shuffled, the test
  // rows are the head of the permutation.
  const [trainStart, testStart] = o.shuffle ? [nTest, 0] : [0, nTrain];
  return {
    XTrain: takeRows(X, order, trainStart, trainStart + nTrain),
    XTest: takeRows(X, order, testStart, testStart + nTest),
    yTrain: takeRows(y, order, trainStart, trainStart + nTrain),
    yTest: takeRows(y, order, testStart, testStart + nTest),
  };
}
