// nn.Linear: y = x W^T + b. weight [out, in], bias [out], initialised as torch:
// U(-1/sqrt(in), 1/sqrt(in)) for both (kaiming_uniform with a = sqrt(5) reduces to that).
// Dims: in inFeatures, out outFeatures, "..." any leading dims.

import { positiveInt } from '../errors.js';
import { linear } from '../ops/linear.js';
import { withDefaults } from '../options.js';
import { toGenerator } from '../random.js';
import { zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { uniform_ } from './init.js';
import { MODULE_OPTIONS, Module, type ModuleOptions } from './module.js';

/** Options of nn.Linear. */
export interface LinearOptions extends ModuleOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

const DEFAULTS = { bias: true } satisfies Required<Omit<LinearOptions, keyof ModuleOptions>>;

/** A fully connected layer (torch.nn.Linear). */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    const opts = withDefaults(DEFAULTS, options, 'Linear', MODULE_OPTIONS);
    this.inFeatures = positiveInt('Linear', 'inFeatures', inFeatures);
    this.outFeatures = positiveInt('Linear', 'outFeatures', outFeatures);
    const dtype = opts.dtype ?? 'float32';
    const g = toGenerator(opts.generator);
    const bound = 1 / Math.sqrt(inFeatures);
    const init = (shape: number[]) => uniform_(zeros(shape, { dtype }), -bound, bound, g);
    this.registerParameter('weight', init([outFeatures, inFeatures]));
    // `=== false`: an explicit `bias: undefined` means the default (a bias), not none
    this.registerParameter('bias', opts.bias === false ? null : init([outFeatures]));
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
