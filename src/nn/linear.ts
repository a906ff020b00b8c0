// nn.Linear: y = x W^T + b. weight [out, in], bias [out], initialised as torch:
// U(-1/sqrt(in), 1/sqrt(in)) for both (kaiming_uniform with a = sqrt(5) reduces to that).

import { ArgumentError } from '../errors.js';
import { toGenerator } from '../random.js';
import { zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { linear } from '../ops/linear.js';
import { uniform_ } from './init.js';
import { Module, type ModuleOptions } from './module.js';

export interface LinearOptions extends ModuleOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    for (const [name, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`Linear: ${name} must be a positive integer, got ${v}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const dtype = opts.dtype ?? 'float32';
    const g = toGenerator(opts.generator);
    const bound = 1 / Math.sqrt(inFeatures);
    this.registerParameter('weight', uniform_(zeros([outFeatures, inFeatures], { dtype }), -bound, bound, g));
    this.registerParameter('bias', opts.bias === false ? null : uniform_(zeros([outFeatures], { dtype }), -bound, bound, g));
  }

  get weight(): Tensor {
    return this.param('weight');
  }
  get bias(): Tensor | null {
    return this.optionalParam('bias');
  }

  /** x: [..., in] -> [..., out]. */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
