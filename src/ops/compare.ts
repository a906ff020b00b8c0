// Comparisons (bool results, no gradient), selection (where, maskedFill) and clamp.

import { record } from '../autograd/engine.js';
import { ArgumentError, DTypeError, fmtShape, ShapeError } from '../errors.js';
import { andRow, eqRow, geRow, gtRow, leRow, ltRow, neRow, orRow } from '../kernels/elementwise.js';
import { stridedCopy } from '../kernels/strided.js';
import { allocate, promoteScalar } from '../tensor/dtype.js';
import { broadcastShapes, broadcastStrides, numel, sameShape } from '../tensor/shape.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { broadcastApply } from './binary.js';
import { operands, scalarTensor, sumTo } from './util.js';

const cmp =
  (op: string, row: typeof eqRow) =>
  (a: TensorLike, b: TensorLike): Tensor => {
    const [x, y] = operands(a, b);
    return broadcastApply(op, row, x, y, 'bool');
  };

/** a == b (bool). */
export const eq = cmp('eq', eqRow);
/** a != b (bool). */
export const ne = cmp('ne', neRow);
/** a < b (bool). */
export const lt = cmp('lt', ltRow);
/** a <= b (bool). */
export const le = cmp('le', leRow);
/** a > b (bool). */
export const gt = cmp('gt', gtRow);
/** a >= b (bool). */
export const ge = cmp('ge', geRow);
/** a && b (bool). */
export const logicalAnd = cmp('logicalAnd', andRow);
/** a || b (bool). */
export const logicalOr = cmp('logicalOr', orRow);

/** !x (bool). */
export function logicalNot(x: Tensor): Tensor {
  const o = allocate('bool', x.size);
  const a = x.data;
  for (let i = 0; i < a.length; i++) o[i] = a[i] ? 0 : 1;
  return new Tensor(o, x.shape);
}

/** x is NaN (bool). */
export function isnan(x: Tensor): Tensor {
  const o = allocate('bool', x.size);
  const a = x.data;
  for (let i = 0; i < a.length; i++) o[i] = Number.isNaN(a[i]) ? 1 : 0;
  return new Tensor(o, x.shape);
}

/** x is finite (bool). */
export function isfinite(x: Tensor): Tensor {
  const o = allocate('bool', x.size);
  const a = x.data;
  for (let i = 0; i < a.length; i++) o[i] = Number.isFinite(a[i]) ? 1 : 0;
  return new Tensor(o, x.shape);
}

function expandedData(t: Tensor, shape: readonly number[]) {
  if (sameShape(t.shape, shape)) return t.data;
  const out = allocate(t.dtype, numel(shape));
  stridedCopy(t.data, 0, broadcastStrides(t.shape, shape), shape, out);
  return out;
}

/** cond ? a : b elementwise, all three broadcast. Gradients flow to the chosen side only. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (cond.dtype !== 'bool')
    throw new DTypeError(`where: condition must be a bool tensor, got ${cond.dtype}`);
  const [x, y, dt] = operands(a, b);
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, x.shape), y.shape);
  const c = expandedData(cond, shape);
  const xd = expandedData(x, shape);
  const yd = expandedData(y, shape);
  const o = allocate(dt, c.length);
  for (let i = 0; i < o.length; i++) o[i] = c[i] ? xd[i] : yd[i];
  return record(new Tensor(o, shape), 'where', [x, y], (g) => [
    x.requiresGrad ? sumTo(where(cond, g, 0), x.shape) : null,
    y.requiresGrad ? sumTo(where(cond, 0, g), y.shape) : null,
  ]);
}

/** x with `value` written where `mask` (bool, broadcastable to x) is true. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  if (mask.dtype !== 'bool')
    throw new DTypeError(`maskedFill: mask must be a bool tensor, got ${mask.dtype}`);
  const shape = broadcastShapes('maskedFill', x.shape, mask.shape);
  if (!sameShape(shape, x.shape)) {
    throw new ShapeError(
      `maskedFill: mask ${fmtShape(mask.shape)} must broadcast to the input ${fmtShape(x.shape)}`,
    );
  }
  return where(mask, scalarTensor(value, x.dtype), x);
}

export interface ClampOptions {
  min?: number | null;
  max?: number | null;
}

/**
 * min(max(x, min), max); NaN stays NaN. Gradient 1 inside [min, max] (bounds included, as
 * torch), else 0. A fractional bound promotes an int tensor to float32, as torch does.
 */
export function clamp(x: Tensor, opts: ClampOptions): Tensor {
  const lo = opts.min ?? Number.NEGATIVE_INFINITY;
  const hi = opts.max ?? Number.POSITIVE_INFINITY;
  if (opts.min == null && opts.max == null)
    throw new ArgumentError('clamp: at least one of min and max must be given');
  if (Number.isNaN(lo) || Number.isNaN(hi))
    throw new ArgumentError(`clamp: bounds must not be NaN, got [${lo}, ${hi}]`);
  const dtype = promoteScalar(promoteScalar(x.dtype, opts.min ?? 0), opts.max ?? 0);
  const a = x.data;
  const o = allocate(dtype, x.size);
  for (let i = 0; i < a.length; i++) o[i] = Math.min(Math.max(a[i], lo), hi);
  return record(new Tensor(o, x.shape), 'clamp', [x], (g) => [where(x.ge(lo).logicalAnd(x.le(hi)), g, 0)]);
}
