// nn.BatchNorm1d ([N, C] or [N, C, L]), nn.BatchNorm2d ([N, C, H, W]) and nn.BatchNorm3d
// ([N, C, D, H, W]) over F.batchNorm.
// State as torch: parameters weight (ones) and bias (zeros); buffers running_mean (zeros),
// running_var (ones) and num_batches_tracked (int32, shape []), updated in place on every
// training forward. Training normalises with the batch statistics; eval with the running ones;
// without trackRunningStats both use the batch statistics and there are no buffers.
// Dims: N batch, C channels (numFeatures), L length, H x W image, D depth.

import { ArgumentError, fmtShape, positiveInt, ShapeError } from '../errors.js';
import { batchNorm } from '../ops/batch-norm.js';
import { withDefaults } from '../options.js';
import { ones, zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module, type ModuleOptions } from './module.js';

/** Options of nn.BatchNorm1d / 2d / 3d (torch's keyword arguments). */
export interface BatchNormOptions extends Omit<ModuleOptions, 'generator'> {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of each new batch in the running statistics; null = cumulative average (default 0.1). */
  momentum?: number | null;
  /** Learn a per-channel weight and bias (default true). */
  affine?: boolean;
  /** Keep running statistics for eval mode (default true). */
  trackRunningStats?: boolean;
}

const DEFAULTS = {
  eps: 1e-5,
  momentum: 0.1,
  affine: true,
  trackRunningStats: true,
  dtype: 'float32',
} satisfies Required<BatchNormOptions>;

/** The shared implementation; subclasses only say which input ranks they take. */
abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  protected abstract readonly ranks: readonly number[];

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super();
    const opts = withDefaults(DEFAULTS, options, new.target.name);
    const name = new.target.name;
    positiveInt(name, 'numFeatures', numFeatures);
    if (!(opts.eps >= 0)) throw new ArgumentError(`${name}: eps must be >= 0, got ${opts.eps}`);
    if (opts.momentum !== null && !Number.isFinite(opts.momentum)) {
      throw new ArgumentError(`${name}: momentum must be a number or null, got ${opts.momentum}`);
    }
    this.numFeatures = numFeatures;
    this.eps = opts.eps;
    this.momentum = opts.momentum;
    const dtype = opts.dtype;
    this.registerParameter('weight', opts.affine ? ones([numFeatures], { dtype }) : null);
    this.registerParameter('bias', opts.affine ? zeros([numFeatures], { dtype }) : null);
    const track = opts.trackRunningStats;
    this.registerBuffer('running_mean', track ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer('running_var', track ? ones([numFeatures], { dtype }) : null);
    this.registerBuffer('num_batches_tracked', track ? zeros([], { dtype: 'int32' }) : null);
  }

  get weight(): Tensor | null {
    return this.optionalParam('weight');
  }
  get bias(): Tensor | null {
    return this.optionalParam('bias');
  }
  get runningMean(): Tensor | null {
    return this.buffer('running_mean');
  }
  get runningVar(): Tensor | null {
    return this.buffer('running_var');
  }
  get numBatchesTracked(): Tensor | null {
    return this.buffer('num_batches_tracked');
  }

  /** x: [N, C, ...] (rank per subclass) -> x's shape. */
  forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.ndim)) {
      const want = this.ranks.map((r) => `${r}D`).join(' or ');
      throw new ShapeError(
        `${this.constructor.name}: expected ${want} input, got ${x.ndim}D input ${fmtShape(x.shape)}`,
      );
    }
    const rm = this.runningMean;
    const rv = this.runningVar;
    const nbt = this.numBatchesTracked;
    const updating = this.training && nbt !== null;
    // momentum null: the k-th tracked batch gets weight 1/k (cumulative moving average)
    const factor = this.momentum ?? (updating ? 1 / (nbt.data[0] + 1) : 0);
    const y = batchNorm(x, rm, rv, {
      weight: this.weight,
      bias: this.bias,
      training: this.training || rm === null || rv === null, // no running stats: batch stats always
      momentum: factor,
      eps: this.eps,
    });
    if (updating) nbt.data[0] += 1; // after the op validated x, so a bad input leaves the state alone
    return y;
  }
}

/** Batch normalisation over [N, C] or [N, C, L] (torch.nn.BatchNorm1d). */
export class BatchNorm1d extends BatchNormBase {
  protected readonly ranks = [2, 3] as const;
}

/** Batch normalisation over [N, C, H, W] (torch.nn.BatchNorm2d). */
export class BatchNorm2d extends BatchNormBase {
  protected readonly ranks = [4] as const;
}

/** Batch normalisation over [N, C, D, H, W] volumes (torch.nn.BatchNorm3d). */
export class BatchNorm3d extends BatchNormBase {
  protected readonly ranks = [5] as const;
}
