// Indexing and joining: indexSelect, gather, cat, stack, split, chunk. Each gathering op's
// backward is the matching scatter-add into zeros.

import { record } from '../autograd/engine.js';
import { ArgumentError, DTypeError, fmtShape, ShapeError } from '../errors.js';
import { allocate, promote } from '../tensor/dtype.js';
import { dims, normDim, numel, numelOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { narrow, unsqueeze } from './shape.js';

function checkIndex(op: string, index: Tensor): void {
  if (index.dtype !== 'int32')
    throw new DTypeError(`${op}: index must be an int32 tensor, got ${index.dtype}`);
}

/** Entries of x along `dim` at the positions in `index` (int32, 1-D). */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndex('indexSelect', index);
  if (index.ndim > 1) throw new ShapeError(`indexSelect: index must be 1-D, got ${fmtShape(index.shape)}`);
  const d = normDim('indexSelect', dim, x.ndim);
  const n = x.shape[d] ?? 1;
  const outer = numelOf(x.shape, 0, d);
  const inner = numelOf(x.shape, d + 1);
  const idx = index.data;
  for (let j = 0; j < idx.length; j++) {
    if (idx[j] < -n || idx[j] >= n)
      throw new ArgumentError(`indexSelect: index ${idx[j]} out of range for dim ${dim} of size ${n}`);
  }
  const m = idx.length;
  const shape = x.ndim === 0 ? [] : x.shape.map((s, i) => (i === d ? m : s));
  const out = allocate(x.dtype, outer * m * inner);
  const src = x.data;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const r = idx[j] < 0 ? idx[j] + n : idx[j];
      const from = (o * n + r) * inner;
      out.set(src.subarray(from, from + inner), (o * m + j) * inner);
    }
  }
  return record(new Tensor(out, shape), 'indexSelect', [x], (g) => {
    const gx = allocate(g.dtype, x.size);
    const gd = g.data;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < m; j++) {
        const r = idx[j] < 0 ? idx[j] + n : idx[j];
        const to = (o * n + r) * inner;
        const from = (o * m + j) * inner;
        for (let i = 0; i < inner; i++) gx[to + i] += gd[from + i];
      }
    }
    return [new Tensor(gx, x.shape)];
  });
}

/** out[..i, j, k..] = x[..i, index[..i, j, k..], k..] along `dim` (torch.gather). */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndex('gather', index);
  const d = normDim('gather', dim, x.ndim);
  if (index.ndim !== x.ndim) {
    throw new ShapeError(
      `gather: index ${fmtShape(index.shape)} must have the same rank as the input ${fmtShape(x.shape)}`,
    );
  }
  for (let i = 0; i < x.ndim; i++) {
    if (i !== d && index.shape[i] > x.shape[i]) {
      throw new ShapeError(
        `gather: index ${fmtShape(index.shape)} is larger than the input ${fmtShape(x.shape)} at dim ${i}`,
      );
    }
  }
  const n = x.shape[d];
  const m = index.shape[d];
  const ishape = index.shape;
  const outer = numelOf(ishape, 0, d);
  const inner = numelOf(ishape, d + 1);
  const xInner = numelOf(x.shape, d + 1);
  // offset of index position (o, j, i) in x, with o and i unravelled against x's own strides
  const positions = allocate('int32', index.size);
  const idx = index.data;
  const outerShape = dims(ishape, 0, d);
  const innerShape = dims(ishape, d + 1);
  const xOuterShape = dims(x.shape, 0, d);
  const xInnerShape = dims(x.shape, d + 1);
  // x offset of each inner index position, computed once rather than per element
  const innerOff = allocate('int32', inner);
  for (let i = 0; i < inner; i++) innerOff[i] = unravelOffset(i, innerShape, xInnerShape);
  const xOuterStride = n * xInner;
  for (let o = 0; o < outer; o++) {
    const ox = unravelOffset(o, outerShape, xOuterShape) * xOuterStride;
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < inner; i++) {
        const p = (o * m + j) * inner + i;
        const r = idx[p];
        if (r < -n || r >= n)
          throw new ArgumentError(`gather: index ${r} out of range for dim ${dim} of size ${n}`);
        positions[p] = ox + (r < 0 ? r + n : r) * xInner + innerOff[i];
      }
    }
  }
  const out = allocate(x.dtype, index.size);
  const src = x.data;
  for (let p = 0; p < positions.length; p++) out[p] = src[positions[p]];
  return record(new Tensor(out, ishape), 'gather', [x], (g) => {
    const gx = allocate(g.dtype, x.size);
    const gd = g.data;
    for (let p = 0; p < positions.length; p++) gx[positions[p]] += gd[p];
    return [new Tensor(gx, x.shape)];
  });
}

// flat index `k` within `shape`, re-linearised with the row-major strides of `within`
function unravelOffset(k: number, shape: readonly number[], within: readonly number[]): number {
  let off = 0;
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const c = k % shape[i];
    k = (k - c) / shape[i];
    off += c * stride;
    stride *= within[i];
  }
  return off;
}

/** Joins tensors along an existing dim; all other dims must match. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ArgumentError('cat: expected a non-empty list of tensors');
  const first = tensors[0];
  if (first.ndim === 0) throw new ShapeError('cat: 0-d tensors cannot be concatenated (use stack)');
  const d = normDim('cat', dim, first.ndim);
  let dt = first.dtype;
  let total = 0;
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new ShapeError(
        `cat: shapes ${tensors.map((x) => fmtShape(x.shape)).join(', ')} differ outside dim ${dim}`,
      );
    }
    dt = promote(dt, t.dtype);
    total += t.shape[d];
  }
  const shape = first.shape.map((s, i) => (i === d ? total : s));
  const outer = numelOf(first.shape, 0, d);
  const inner = numelOf(first.shape, d + 1);
  const out = allocate(dt, numel(shape));
  let off = 0;
  for (const t of tensors) {
    const w = t.shape[d] * inner;
    for (let o = 0; o < outer; o++) {
      const src = t.data.subarray(o * w, (o + 1) * w);
      if (t.dtype === dt) out.set(src, o * total * inner + off);
      else for (let i = 0; i < w; i++) out[o * total * inner + off + i] = src[i];
    }
    off += w;
  }
  return record(new Tensor(out, shape), 'cat', tensors, (g) => {
    let start = 0;
    return tensors.map((t) => {
      const part = narrow(g, d, start, t.shape[d]);
      start += t.shape[d];
      return part;
    });
  });
}

/** Joins same-shape tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ArgumentError('stack: expected a non-empty list of tensors');
  const d = normDim('stack', dim, tensors[0].ndim + 1);
  for (const t of tensors) {
    if (t.shape.length !== tensors[0].ndim || t.shape.some((s, i) => s !== tensors[0].shape[i])) {
      throw new ShapeError(
        `stack: all tensors must have the same shape, got ${tensors.map((x) => fmtShape(x.shape)).join(', ')}`,
      );
    }
  }
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}

/** Pieces of x along `dim`: of size `sizes` each (last one smaller), or of the listed sizes. */
export function split(x: Tensor, sizes: number | readonly number[], dim = 0): Tensor[] {
  const d = normDim('split', dim, x.ndim);
  const n = x.shape[d];
  let list: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes < 1)
      throw new ArgumentError(`split: size must be a positive integer, got ${sizes}`);
    list = [];
    for (let s = 0; s < n; s += sizes) list.push(Math.min(sizes, n - s));
  } else {
    list = [...sizes];
    const total = list.reduce((a, b) => a + b, 0);
    if (total !== n || list.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new ShapeError(
        `split: sizes ${fmtShape(list)} must be non-negative and sum to dim ${dim}'s size ${n}`,
      );
    }
  }
  let start = 0;
  return list.map((len) => {
    const part = narrow(x, d, start, len);
    start += len;
    return part;
  });
}

/** x split into `chunks` pieces of ceil(n / chunks) (the last may be smaller, fewer if n is small). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks < 1)
    throw new ArgumentError(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = normDim('chunk', dim, x.ndim);
  return split(x, Math.max(1, Math.ceil(x.shape[d] / chunks)), d);
}
