// nn.LayerNorm: normalises the trailing dims given by normalizedShape (F.layerNorm);
// weight [*normalizedShape] starts at ones, bias at zeros, as torch.
// Dims: "..." any leading dims, normalizedShape the trailing dims normalised together.

import { ArgumentError, fmtShape } from '../errors.js';
import { layerNorm } from '../ops/layer-norm.js';
import { withDefaults } from '../options.js';
import { ones, zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module, type ModuleOptions } from './module.js';

/** Options of nn.LayerNorm (torch's keyword arguments). */
export interface LayerNormOptions extends Omit<ModuleOptions, 'generator'> {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a per-element weight (and bias, see `bias`) (default true). */
  elementwiseAffine?: boolean;
  /** Learn a bias when elementwiseAffine (default true). */
  bias?: boolean;
}

const DEFAULTS = {
  eps: 1e-5,
  elementwiseAffine: true,
  bias: true,
  dtype: 'float32',
} satisfies Required<LayerNormOptions>;

/** Layer normalisation over the trailing normalizedShape dims (torch.nn.LayerNorm). */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    const opts = withDefaults(DEFAULTS, options, 'LayerNorm');
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new ArgumentError(
        `LayerNorm: normalizedShape must be a non-empty list of positive integers, got ${fmtShape(shape)}`,
      );
    }
    if (!(opts.eps >= 0)) throw new ArgumentError(`LayerNorm: eps must be >= 0, got ${opts.eps}`);
    this.normalizedShape = Object.freeze(shape);
    this.eps = opts.eps;
    const affine = opts.elementwiseAffine;
    this.registerParameter('weight', affine ? ones(shape, { dtype: opts.dtype }) : null);
    this.registerParameter('bias', affine && opts.bias ? zeros(shape, { dtype: opts.dtype }) : null);
  }

  get weight(): Tensor | null {
    return this.optionalParam('weight');
  }
  get bias(): Tensor | null {
    return this.optionalParam('bias');
  }

  /** x: [..., *normalizedShape] -> x's shape. */
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
}
