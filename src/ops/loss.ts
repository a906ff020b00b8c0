// Losses, fused: one node each, derivative beside the forward.

import { record } from '../autograd/engine.js';
import { ArgumentError, DTypeError, fmtShape, ShapeError } from '../errors.js';
import { allocate, isFloat, promote } from '../tensor/dtype.js';
import { SCALAR_SHAPE, sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

export type Reduction = 'mean' | 'sum' | 'none';

export interface MseOptions {
  /** 'mean' (default) over all elements, 'sum', or 'none' (elementwise). */
  reduction?: Reduction;
}

/**
 * Mean squared error, as torch.nn.functional.mse_loss. input, target: same shape.
 *   loss = sum_i (x_i - t_i)^2 / n   =>   dloss/dx_i = 2 (x_i - t_i) / n,  dloss/dt_i = -that
 * ('sum' drops the 1/n; 'none' keeps the elementwise squares).
 */
export function mseLoss(input: Tensor, target: Tensor, opts: MseOptions = {}): Tensor {
  const reduction = opts.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new ArgumentError(`mseLoss: reduction must be 'mean', 'sum' or 'none', got ${String(reduction)}`);
  }
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(
      `mseLoss: input ${fmtShape(input.shape)} and target ${fmtShape(target.shape)} must have the same shape`,
    );
  }
  if (!isFloat(input.dtype))
    throw new DTypeError(`mseLoss: input must be a float tensor, got ${input.dtype}`);
  const dtype = promote(input.dtype, target.dtype);
  const x = input.data;
  const t = target.data;
  const d = allocate(dtype, x.length);
  for (let i = 0; i < d.length; i++) d[i] = x[i] - t[i];
  if (reduction === 'none') {
    const diff = new Tensor(d, input.shape);
    const sq = diff.square();
    return record(sq, 'mseLoss', [input, target], (g) => {
      const gx = g.mul(diff).mul(2);
      return [gx, target.requiresGrad ? gx.neg() : null];
    });
  }
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i] * d[i]; // d rounded to dtype, as torch squares it
  const n = reduction === 'mean' ? d.length : 1;
  const out = allocate(dtype, 1);
  out[0] = s / n;
  return record(new Tensor(out, SCALAR_SHAPE), 'mseLoss', [input, target], (g) => {
    // the scalar g * 2/n is rounded to dtype once, then multiplies each d_i (as g.mul(2/n) then diff.mul)
    const k = dtype === 'float32' ? Math.fround(g.data[0] * (2 / n)) : g.data[0] * (2 / n);
    const gx = allocate(dtype, d.length);
    for (let i = 0; i < d.length; i++) gx[i] = d[i] * k;
    let gt: Tensor | null = null;
    if (target.requiresGrad) {
      const gtd = allocate(dtype, d.length);
      for (let i = 0; i < d.length; i++) gtd[i] = -gx[i];
      gt = new Tensor(gtd, target.shape);
    }
    return [new Tensor(gx, input.shape), gt];
  });
}
