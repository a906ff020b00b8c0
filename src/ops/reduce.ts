// Reductions and softmax. Each reduction maps its dims onto the [outer, n, inner] layout of
// the kernels (permuting first when the reduced dims are not adjacent), then records a
// backward that broadcasts the gradient back over the reduced dims.

import { record } from '../autograd/engine.js';
import { ArgumentError, fmtShape, ShapeError } from '../errors.js';
import { argExtremeAxis, logSumExpAxis, softmaxAxis, sumAxis, varAxis } from '../kernels/reduce.js';
import { allocate, allocateUninit, isFloat, type Storage } from '../tensor/dtype.js';
import { fillStorage } from '../tensor/memory.js';
import { normDim, normDims, numelOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { where } from './compare.js';
import { permute, reshape } from './shape.js';

export type Dims = number | readonly number[];
export interface KeepDim {
  /** Keep reduced dims with size 1 (default false). */
  keepdim?: boolean;
}
export interface VarOptions extends KeepDim {
  /** Subtracted from n in the divisor: 1 = unbiased (default), 0 = biased. */
  correction?: number;
  /** Shorthand for correction 1 (true) or 0 (false). */
  unbiased?: boolean;
}
export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

interface Layout {
  data: Storage;
  outer: number;
  n: number;
  inner: number;
  keptShape: number[]; // reduced dims as 1
  outShape: number[]; // as the caller asked (keepdim or not)
}

function layout(op: string, x: Tensor, dim: Dims | undefined, keepdim: boolean): Layout {
  // a 0-d tensor accepts dim 0 / -1 (as torch) and reduces over nothing
  const asked = normDims(op, dim, x.ndim);
  const rank = x.ndim;
  const reduced: boolean[] = [];
  for (let i = 0; i < rank; i++) reduced.push(false);
  for (const d of asked) if (d < rank) reduced[d] = true;
  const keptShape: number[] = [];
  const outShape: number[] = [];
  let n = 1;
  let first = -1;
  let last = -1;
  for (let i = 0; i < rank; i++) {
    if (reduced[i]) {
      n *= x.shape[i];
      if (first < 0) first = i;
      last = i;
      keptShape.push(1);
      if (keepdim) outShape.push(1);
    } else {
      keptShape.push(x.shape[i]);
      outShape.push(x.shape[i]);
    }
  }
  if (first < 0) return { data: x.data, outer: x.size, n: 1, inner: 1, keptShape, outShape };
  let contiguous = true; // the reduced dims form one block [first, last]
  for (let i = first; i <= last; i++) contiguous &&= reduced[i];
  if (contiguous) {
    return {
      data: x.data,
      outer: numelOf(x.shape, 0, first),
      n,
      inner: numelOf(x.shape, last + 1),
      keptShape,
      outShape,
    };
  }
  const keep: number[] = [];
  const moved: number[] = [];
  for (let i = 0; i < rank; i++) (reduced[i] ? moved : keep).push(i);
  const permuted = permute(x.detach(), [...keep, ...moved]);
  return { data: permuted.data, outer: x.size / n, n, inner: 1, keptShape, outShape };
}

/** The gradient of a reduction to one element, g (one element), spread over `shape` and divided by `n`. */
function spread(g: Tensor, shape: readonly number[], size: number, n: number): Tensor {
  return new Tensor(fillStorage(allocate(g.dtype, size), g.data[0] / n), shape);
}

function accDtype(x: Tensor) {
  return isFloat(x.dtype) ? x.dtype : x.dtype === 'bool' ? 'int32' : x.dtype;
}

/** Sum over `dim` (all dims by default). */
export function sum(x: Tensor, dim?: Dims, opts: KeepDim = {}): Tensor {
  const L = layout('sum', x, dim, opts.keepdim ?? false);
  const out = allocate(accDtype(x), L.outer * L.inner);
  sumAxis(L.data, L.outer, L.n, L.inner, out);
  return record(new Tensor(out, L.outShape), 'sum', [x], (g) => [
    out.length === 1 ? spread(g, x.shape, x.size, 1) : reshape(g, L.keptShape).expand(x.shape),
  ]);
}

/** Mean over `dim` (all dims by default). Float only. */
export function mean(x: Tensor, dim?: Dims, opts: KeepDim = {}): Tensor {
  const xf = isFloat(x.dtype) ? x : x.to('float32');
  const L = layout('mean', xf, dim, opts.keepdim ?? false);
  const out = allocate(xf.dtype, L.outer * L.inner);
  sumAxis(L.data, L.outer, L.n, L.inner, out);
  for (let i = 0; i < out.length; i++) out[i] /= L.n;
  return record(new Tensor(out, L.outShape), 'mean', [xf], (g) => [
    out.length === 1 ? spread(g, x.shape, x.size, L.n) : reshape(g, L.keptShape).expand(x.shape).div(L.n),
  ]);
}

function correctionOf(op: string, opts: VarOptions): number {
  if (opts.correction !== undefined && opts.unbiased !== undefined) {
    throw new ArgumentError(`${op}: give correction or unbiased, not both`);
  }
  const c = opts.correction ?? (opts.unbiased === false ? 0 : 1);
  if (!(c >= 0)) throw new ArgumentError(`${op}: correction must be >= 0, got ${c}`);
  return c;
}

function varianceImpl(op: 'var' | 'std', x: Tensor, dim: Dims | undefined, opts: VarOptions): Tensor {
  const xf = isFloat(x.dtype) ? x : x.to('float32');
  const corr = correctionOf(op, opts);
  const L = layout(op, xf, dim, opts.keepdim ?? false);
  const v = allocate(xf.dtype, L.outer * L.inner);
  const m = allocate(xf.dtype, L.outer * L.inner);
  varAxis(L.data, L.outer, L.n, L.inner, corr, v, m);
  const meanT = new Tensor(m, L.keptShape);
  const denom = Math.max(L.n - corr, 0);
  if (op === 'var') {
    // d var / dx_i = 2 (x_i - mean) / (n - correction); the mean's own dependence cancels.
    return record(new Tensor(v, L.outShape), 'var', [xf], (g) => [
      reshape(g, L.keptShape)
        .mul(xf.sub(meanT))
        .mul(2 / denom),
    ]);
  }
  for (let i = 0; i < v.length; i++) v[i] = Math.sqrt(v[i]);
  const s = new Tensor(v, L.outShape);
  // d std / dx_i = (x_i - mean) / ((n - correction) std); 0 where std = 0 (a kink, like |x| at 0).
  return record(s, 'std', [xf], (g) => {
    const sk = reshape(s, L.keptShape);
    const gk = reshape(g, L.keptShape);
    return [where(sk.eq(0), 0, gk.mul(xf.sub(meanT)).div(sk.mul(denom)))];
  });
}

/** Variance over `dim`, two-pass (stable); correction 1 by default, as torch.var. */
export function variance(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  return varianceImpl('var', x, dim, opts);
}

/** Standard deviation over `dim` (sqrt of `variance`). */
export function std(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  return varianceImpl('std', x, dim, opts);
}

/**
 * log(sum(exp(x))) over `dim`, stable. d/dx_i = exp(x_i - out) = softmax(x)_i, taken as 0 on
 * a slice that is all -inf (out = -inf), as softmax is: no -inf - -inf = NaN.
 */
export function logsumexp(x: Tensor, dim: Dims, opts: KeepDim = {}): Tensor {
  const xf = isFloat(x.dtype) ? x : x.to('float32');
  const L = layout('logsumexp', xf, dim, opts.keepdim ?? false);
  const out = allocate(xf.dtype, L.outer * L.inner);
  logSumExpAxis(L.data, L.outer, L.n, L.inner, out);
  const y = new Tensor(out, L.outShape);
  return record(y, 'logsumexp', [xf], (g) => {
    const yk = reshape(y, L.keptShape);
    const p = xf.sub(yk).exp();
    return [reshape(g, L.keptShape).mul(where(yk.eq(Number.NEGATIVE_INFINITY), 0, p))];
  });
}

// amax/amin: the gradient is shared evenly among the elements that attain the extreme (torch).
function aext(op: 'amax' | 'amin', x: Tensor, dim: Dims | undefined, opts: KeepDim): Tensor {
  const L = layout(op, x, dim, opts.keepdim ?? false);
  if (L.n === 0) throw new ShapeError(`${op}: cannot reduce over an empty dim of ${fmtShape(x.shape)}`);
  const out = allocate(x.dtype, L.outer * L.inner);
  argExtremeAxis(L.data, L.outer, L.n, L.inner, op === 'amax', out, null);
  const y = new Tensor(out, L.outShape);
  return record(y, op, [x], (g) => {
    const hit = x.eq(reshape(y, L.keptShape)).to(g.dtype);
    const count = sum(hit, dim, { keepdim: true });
    return [hit.div(count).mul(reshape(g, L.keptShape))];
  });
}

/** Max over `dim` (all by default), values only. */
export function amax(x: Tensor, dim?: Dims, opts: KeepDim = {}): Tensor {
  return aext('amax', x, dim, opts);
}

/** Min over `dim` (all by default), values only. */
export function amin(x: Tensor, dim?: Dims, opts: KeepDim = {}): Tensor {
  return aext('amin', x, dim, opts);
}

// max/min along one dim with indices (first occurrence); the gradient goes to that index.
function extWithIndex(
  op: 'max' | 'min' | 'argmax' | 'argmin',
  x: Tensor,
  dim: number,
  opts: KeepDim,
): ValuesIndices {
  const d = normDim(op, dim, x.ndim);
  const L = layout(op, x, d, opts.keepdim ?? false);
  if (L.n === 0) throw new ShapeError(`${op}: cannot reduce over an empty dim of ${fmtShape(x.shape)}`);
  const out = allocate(x.dtype, L.outer * L.inner);
  const idx = allocate('int32', L.outer * L.inner);
  argExtremeAxis(L.data, L.outer, L.n, L.inner, op === 'max' || op === 'argmax', out, idx);
  const indices = new Tensor(idx, L.outShape);
  const values = record(new Tensor(out, L.outShape), op, [x], (g) => {
    const gx = allocate(g.dtype, x.size);
    const gd = g.data;
    for (let o = 0; o < L.outer; o++) {
      for (let i = 0; i < L.inner; i++)
        gx[(o * L.n + idx[o * L.inner + i]) * L.inner + i] = gd[o * L.inner + i];
    }
    return [new Tensor(gx, x.shape)];
  });
  return { values, indices };
}

/** Max along `dim` with the index of its first occurrence. */
export function max(x: Tensor, dim: number, opts: KeepDim = {}): ValuesIndices {
  return extWithIndex('max', x, dim, opts);
}

/** Min along `dim` with the index of its first occurrence. */
export function min(x: Tensor, dim: number, opts: KeepDim = {}): ValuesIndices {
  return extWithIndex('min', x, dim, opts);
}

function argext(op: 'argmax' | 'argmin', x: Tensor, dim: number | undefined, opts: KeepDim): Tensor {
  if (dim === undefined) return extWithIndex(op, reshape(x.detach(), [-1]), 0, {}).indices;
  return extWithIndex(op, x.detach(), dim, opts).indices;
}

/** Index of the max along `dim` (of the flattened tensor when omitted); int32. */
export function argmax(x: Tensor, dim?: number, opts: KeepDim = {}): Tensor {
  return argext('argmax', x, dim, opts);
}

/** Index of the min along `dim` (of the flattened tensor when omitted); int32. */
export function argmin(x: Tensor, dim?: number, opts: KeepDim = {}): Tensor {
  return argext('argmin', x, dim, opts);
}

function softmaxImpl(op: 'softmax' | 'logSoftmax', x0: Tensor, dim: number): Tensor {
  const x = isFloat(x0.dtype) ? x0 : x0.to('float32');
  const d = normDim(op, dim, x.ndim);
  const outer = numelOf(x.shape, 0, d);
  const n = x.ndim === 0 ? 1 : x.shape[d];
  const inner = numelOf(x.shape, d + 1);
  const out = allocateUninit(x.dtype, x.size);
  softmaxAxis(x.data, outer, n, inner, out, op === 'logSoftmax');
  const y = new Tensor(out, x.shape);
  if (op === 'softmax') {
    // y_i = e^{x_i} / sum_j e^{x_j}  =>  dx_i = y_i (g_i - sum_j g_j y_j)
    return record(y, op, [x], (g) => {
      const gy = g.mul(y);
      return [gy.sub(y.mul(sum(gy, d, { keepdim: true })))];
    });
  }
  // y_i = x_i - lse(x)  =>  dx_i = g_i - softmax(x)_i sum_j g_j
  return record(y, op, [x], (g) => [g.sub(y.exp().mul(sum(g, d, { keepdim: true })))]);
}

/** Softmax along `dim`, stable; an all -inf slice gives zeros, not NaN. */
export function softmax(x: Tensor, dim: number): Tensor {
  return softmaxImpl('softmax', x, dim);
}

/** log(softmax(x)) along `dim`, computed directly (x - logsumexp), stable. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return softmaxImpl('logSoftmax', x, dim);
}
