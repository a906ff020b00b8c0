// Helpers shared by the ops: scalar wrapping and undoing broadcasting in backward passes.

import { fmtShape, ShapeError } from '../errors.js';
import { allocate, type DType, promote, promoteScalar } from '../tensor/dtype.js';
import { SCALAR_SHAPE, sameShape } from '../tensor/shape.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';

/** A 0-d tensor holding `v`. */
export function scalarTensor(v: number, dtype: DType): Tensor {
  const d = allocate(dtype, 1);
  d[0] = v;
  return new Tensor(d, SCALAR_SHAPE);
}

/** Both operands as tensors plus the result dtype, with torch's promotion rules for plain numbers. */
export function operands(a: TensorLike, b: TensorLike): [Tensor, Tensor, DType] {
  if (a instanceof Tensor && b instanceof Tensor) return [a, b, promote(a.dtype, b.dtype)];
  if (a instanceof Tensor) {
    const dt = promoteScalar(a.dtype, b as number | boolean);
    return [a, scalarTensor(Number(b), dt), dt];
  }
  if (b instanceof Tensor) {
    const dt = promoteScalar(b.dtype, a);
    return [scalarTensor(Number(a), dt), b, dt];
  }
  const dt = Number.isInteger(a) && Number.isInteger(b) ? 'int32' : 'float32';
  return [scalarTensor(Number(a), dt), scalarTensor(Number(b), dt), dt];
}

/**
 * Sums a broadcast gradient back to `shape`: the leading dims broadcasting added, and the
 * dims where `shape` has 1 but `g` does not. The one place backward passes undo broadcasting.
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  if (lead < 0) throw new ShapeError(`sumTo: cannot reduce ${fmtShape(g.shape)} to ${fmtShape(shape)}`);
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead) dims.push(i);
    else if (shape[i - lead] === 1 && g.shape[i] !== 1) dims.push(i);
    else if (shape[i - lead] !== g.shape[i]) {
      throw new ShapeError(`sumTo: cannot reduce ${fmtShape(g.shape)} to ${fmtShape(shape)}`);
    }
  }
  const s = dims.length > 0 ? sum(g, dims, { keepdim: true }) : g;
  return reshape(s, shape);
}
