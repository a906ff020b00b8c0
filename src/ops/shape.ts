// Shape ops. reshape shares storage (tensors are always contiguous); the others copy through
// the strided kernel. Backward: reshape back, inverse permutation, sum over expanded dims,
// and scatter-add into zeros for narrow/slice.

import { record } from '../autograd/engine.js';
import { ArgumentError, fmtShape, ShapeError } from '../errors.js';
import { stridedAddInto, stridedCopy } from '../kernels/strided.js';
import { allocate } from '../tensor/dtype.js';
import {
  broadcastStrides,
  checkShape,
  dims,
  normDim,
  numel,
  numelOf,
  type Shape,
  sameShape,
  stridesOf,
} from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { sumTo } from './util.js';

/** x with a new shape of the same size; one entry may be -1 (inferred). Shares storage. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const s = [...shape];
  const infer = s.indexOf(-1);
  if (infer !== s.lastIndexOf(-1))
    throw new ShapeError(`reshape: only one dim can be -1, got ${fmtShape(shape)}`);
  if (infer >= 0) {
    s[infer] = 1;
    const rest = numel(s);
    if (rest === 0 || x.size % rest !== 0) {
      throw new ShapeError(
        `reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`,
      );
    }
    s[infer] = x.size / rest;
  }
  checkShape('reshape', s);
  if (numel(s) !== x.size) {
    throw new ShapeError(
      `reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)} (${numel(s)})`,
    );
  }
  if (sameShape(s, x.shape)) return x;
  return record(new Tensor(x.data, s), 'reshape', [x], (g) => [reshape(g, x.shape)]);
}

/** Merges dims startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const a = normDim('flatten', startDim, x.ndim);
  const b = normDim('flatten', endDim, x.ndim);
  if (a > b) throw new ArgumentError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  return reshape(x, [...dims(x.shape, 0, a), numelOf(x.shape, a, b + 1), ...dims(x.shape, b + 1)]);
}

/** Removes size-1 dims (all of them, or the given ones that have size 1). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const dims =
    dim === undefined
      ? x.shape.map((_, i) => i)
      : (typeof dim === 'number' ? [dim] : dim).map((d) => normDim('squeeze', d, x.ndim));
  return reshape(
    x,
    x.shape.filter((n, i) => !(n === 1 && dims.includes(i))),
  );
}

/** Inserts a size-1 dim at `dim` (in [-ndim-1, ndim]). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim('unsqueeze', dim, x.ndim + 1);
  return reshape(x, [...dims(x.shape, 0, d), 1, ...dims(x.shape, d)]);
}

/** x broadcast to `shape` (-1 keeps a dim); a copy. Backward sums over the expanded dims. */
export function expand(x: Tensor, shape: Shape): Tensor {
  const lead = shape.length - x.ndim;
  if (lead < 0)
    throw new ShapeError(`expand: cannot expand ${fmtShape(x.shape)} to fewer dims ${fmtShape(shape)}`);
  const target = shape.map((n, i) => (n === -1 && i >= lead ? x.shape[i - lead] : n));
  checkShape('expand', target);
  for (let i = 0; i < x.ndim; i++) {
    if (x.shape[i] !== 1 && x.shape[i] !== target[lead + i]) {
      throw new ShapeError(
        `expand: cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)} (dim ${lead + i}: ${x.shape[i]} vs ${target[lead + i]})`,
      );
    }
  }
  if (sameShape(target, x.shape)) return x;
  const out = allocate(x.dtype, numel(target));
  stridedCopy(x.data, 0, broadcastStrides(x.shape, target), target, out);
  return record(new Tensor(out, target), 'expand', [x], (g) => [sumTo(g, x.shape)]);
}

/** x with its dims reordered: out.shape[i] = x.shape[dims[i]]. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new ShapeError(
      `permute: dims ${fmtShape(dims)} must list all ${x.ndim} dims of ${fmtShape(x.shape)}`,
    );
  }
  const p = dims.map((d) => normDim('permute', d, x.ndim));
  if (new Set(p).size !== p.length) throw new ArgumentError(`permute: dims ${fmtShape(dims)} repeat a dim`);
  if (p.every((d, i) => d === i)) return x;
  const st = stridesOf(x.shape);
  const shape = p.map((d) => x.shape[d]);
  const out = allocate(x.dtype, x.size);
  stridedCopy(
    x.data,
    0,
    p.map((d) => st[d]),
    shape,
    out,
  );
  const inv = new Array<number>(p.length);
  for (const [i, d] of p.entries()) inv[d] = i;
  return record(new Tensor(out, shape), 'permute', [x], (g) => [permute(g, inv)]);
}

/** Swaps two dims. */
export function transpose(x: Tensor, d0: number, d1: number): Tensor {
  const a = normDim('transpose', d0, x.ndim);
  const b = normDim('transpose', d1, x.ndim);
  if (x.ndim === 0) return x;
  const p = x.shape.map((_, i) => i);
  p[a] = b;
  p[b] = a;
  return permute(x, p);
}

export interface SliceOptions {
  /** First index (default 0; negative counts from the end). */
  start?: number;
  /** One past the last index (default the dim's size; clipped like Python slices). */
  end?: number;
  /** Step, positive (default 1). */
  step?: number;
}

/** x[..., start:end:step, ...] along `dim`. Backward scatters the gradient into zeros. */
export function slice(x: Tensor, dim: number, opts: SliceOptions = {}): Tensor {
  if (x.ndim === 0) throw new ShapeError('slice: cannot slice a 0-d tensor');
  const d = normDim('slice', dim, x.ndim);
  const n = x.shape[d];
  const step = opts.step ?? 1;
  if (!Number.isInteger(step) || step < 1)
    throw new ArgumentError(`slice: step must be a positive integer, got ${step}`);
  const clip = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const start = clip(opts.start ?? 0);
  const end = Math.max(clip(opts.end ?? n), start);
  const len = Math.ceil((end - start) / step);
  const st = stridesOf(x.shape);
  const shape = x.shape.map((s, i) => (i === d ? len : s));
  const strides = st.map((s, i) => (i === d ? s * step : s));
  const offset = start * st[d];
  const out = allocate(x.dtype, numel(shape));
  stridedCopy(x.data, offset, strides, shape, out);
  return record(new Tensor(out, shape), 'slice', [x], (g) => {
    const gx = allocate(g.dtype, x.size);
    stridedAddInto(g.data, shape, gx, offset, strides);
    return [new Tensor(gx, x.shape)];
  });
}

/** Elements start..start+length-1 along `dim`. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  if (x.ndim === 0) throw new ShapeError('narrow: cannot narrow a 0-d tensor');
  const d = normDim('narrow', dim, x.ndim);
  const n = x.shape[d];
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > n) {
    throw new ArgumentError(
      `narrow: start ${start} and length ${length} out of range for dim ${dim} of size ${n}`,
    );
  }
  return slice(x, d, { start: s, end: s + length });
}
