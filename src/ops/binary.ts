// Arithmetic with broadcasting: forward through one row kernel each, backward beside it.
// Every backward returns gradients in the broadcast shape and lets `sumTo` fold them back.

import { record } from '../autograd/engine.js';
import { DTypeError } from '../errors.js';
import {
  addRow,
  applyRow,
  type BinaryRow,
  broadcastBinary,
  divRow,
  maxRow,
  minRow,
  mulRow,
  powRow,
  subRow,
} from '../kernels/elementwise.js';
import { allocateUninit, type DType } from '../tensor/dtype.js';
import { broadcastShapes, broadcastStrides, numel, sameShape, stridesOf } from '../tensor/shape.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { eq, gt, lt, where } from './compare.js';
import { log } from './unary.js';
import { operands, sumTo } from './util.js';

/** Broadcasts a and b and applies `row` into a new tensor of `dtype`. No autograd. */
export function broadcastApply(op: string, row: BinaryRow, a: Tensor, b: Tensor, dtype: DType): Tensor {
  // Fast paths, one row call and no stride arrays: same shapes, or a one-element operand
  // (a scalar) of no higher rank than the other, which then gives the output its shape.
  if (sameShape(a.shape, b.shape) || (b.size === 1 && b.ndim <= a.ndim)) {
    const out = allocateUninit(dtype, a.size);
    applyRow(row, out, a.data, 1, b.data, b.size === a.size ? 1 : 0, a.size);
    return new Tensor(out, a.shape);
  }
  if (a.size === 1 && a.ndim <= b.ndim) {
    const out = allocateUninit(dtype, b.size);
    applyRow(row, out, a.data, 0, b.data, 1, b.size);
    return new Tensor(out, b.shape);
  }
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = allocateUninit(dtype, numel(shape));
  const sa = sameShape(a.shape, shape) ? stridesOf(shape) : broadcastStrides(a.shape, shape);
  const sb = sameShape(b.shape, shape) ? stridesOf(shape) : broadcastStrides(b.shape, shape);
  broadcastBinary(row, a.data, sa, b.data, sb, out, shape);
  return new Tensor(out, shape);
}

/** a + b, broadcast; bool + bool is logical or, as torch. */
export function add(a: TensorLike, b: TensorLike): Tensor {
  const [x, y, dt] = operands(a, b);
  const out = broadcastApply('add', addRow, x, y, dt);
  if (dt === 'bool') for (let i = 0, o = out.data; i < o.length; i++) o[i] = o[i] > 0 ? 1 : 0; // 1 + 1 = true
  return record(out, 'add', [x, y], (g) => [sumTo(g, x.shape), sumTo(g, y.shape)]);
}

/** a - b, broadcast. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const [x, y, dt] = operands(a, b);
  if (dt === 'bool')
    throw new DTypeError('sub: subtracting bool tensors is not supported (use ne for exclusive or)');
  const out = broadcastApply('sub', subRow, x, y, dt);
  return record(out, 'sub', [x, y], (g) => [
    sumTo(g, x.shape),
    y.requiresGrad ? sumTo(g.neg(), y.shape) : null,
  ]);
}

/** a * b, broadcast. d(ab)/da = b, d(ab)/db = a. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [x, y, dt] = operands(a, b);
  const out = broadcastApply('mul', mulRow, x, y, dt);
  return record(out, 'mul', [x, y], (g) => [
    x.requiresGrad ? sumTo(g.mul(y), x.shape) : null,
    y.requiresGrad ? sumTo(g.mul(x), y.shape) : null,
  ]);
}

/** a / b, broadcast; true division (ints give float32, as torch). d/da = 1/b, d/db = -a/b^2 = -out/b. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const [x, y, dt0] = operands(a, b);
  const dt = dt0 === 'int32' || dt0 === 'bool' ? 'float32' : dt0;
  const out = broadcastApply('div', divRow, x, y, dt);
  return record(out, 'div', [x, y], (g) => [
    x.requiresGrad ? sumTo(g.div(y), x.shape) : null,
    y.requiresGrad ? sumTo(g.mul(out).div(y).neg(), y.shape) : null,
  ]);
}

/**
 * a ** b, broadcast. d/da = b a^(b-1), taken as 0 where b = 0 (x ** 0 is constant; b a^(b-1)
 * would be 0 * inf at a = 0); d/db = a^b log a, taken as 0 where a = 0 and b >= 0 (the limit
 * torch uses), so x ** 2 at x = 0 has a finite exponent gradient. Integer tensors to negative
 * integer powers are refused, as torch does (the result is not an integer).
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  const [x, y, dt] = operands(a, b);
  if ((dt === 'int32' || dt === 'bool') && y.data.some((v) => v < 0)) {
    throw new DTypeError(
      `pow: integer tensors to negative integer powers are not allowed (cast to float first)`,
    );
  }
  const out = broadcastApply('pow', powRow, x, y, dt);
  return record(out, 'pow', [x, y], (g) => [
    x.requiresGrad ? sumTo(where(eq(y, 0), 0, g.mul(y).mul(x.pow(y.sub(1)))), x.shape) : null,
    y.requiresGrad ? sumTo(where(eq(x, 0).logicalAnd(y.ge(0)), 0, g.mul(out).mul(log(x))), y.shape) : null,
  ]);
}

// Ties split the gradient evenly, as torch.maximum/minimum do.
function extremum(op: 'maximum' | 'minimum', a: TensorLike, b: TensorLike): Tensor {
  const [x, y, dt] = operands(a, b);
  const out = broadcastApply(op, op === 'maximum' ? maxRow : minRow, x, y, dt);
  return record(out, op, [x, y], (g) => {
    const xWins = op === 'maximum' ? gt(x, y) : lt(x, y);
    const tie = eq(x, y);
    const half = g.mul(0.5);
    return [
      x.requiresGrad ? sumTo(where(tie, half, where(xWins, g, 0)), x.shape) : null,
      y.requiresGrad ? sumTo(where(tie, half, where(xWins, 0, g)), y.shape) : null,
    ];
  });
}

/** Elementwise max of a and b, broadcast (NaN propagates). */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return extremum('maximum', a, b);
}

/** Elementwise min of a and b, broadcast (NaN propagates). */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return extremum('minimum', a, b);
}
