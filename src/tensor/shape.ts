// Shape arithmetic: sizes, strides, broadcasting, dim normalisation. Pure functions.

import { ArgumentError, fmtShape, ShapeError } from '../errors.js';

export type Shape = readonly number[];

/** The shape of a 0-d tensor, frozen so tensors share it (the Tensor constructor copies unfrozen shapes). */
export const SCALAR_SHAPE: Shape = Object.freeze([]);

export function numel(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

// Tensor shapes are frozen arrays, and V8's Array.prototype.slice takes a slow path on frozen
// arrays (about 5x slower than on plain ones, measured): hot code slices shapes with these loops.

/** shape[start:end] as a new plain array; negative indices count from the end, as slice. */
export function dims(shape: Shape, start = 0, end = shape.length): number[] {
  const n = shape.length;
  const a = start < 0 ? Math.max(n + start, 0) : Math.min(start, n);
  const b = end < 0 ? Math.max(n + end, 0) : Math.min(end, n);
  const out: number[] = [];
  for (let i = a; i < b; i++) out.push(shape[i]);
  return out;
}

/** The product of shape[start:end] (numel of that slice), without building it. */
export function numelOf(shape: Shape, start = 0, end = shape.length): number {
  let n = 1;
  for (let i = Math.max(start, 0); i < Math.min(end, shape.length); i++) n *= shape[i];
  return n;
}

/** Row-major strides of a contiguous tensor. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting of two shapes; throws naming `op` when they do not broadcast. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast (dim ${i - n}: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides to read a tensor of `shape` as if it had the broadcast shape `to` (0 on broadcast dims). */
export function broadcastStrides(shape: Shape, to: Shape): number[] {
  const strides = stridesOf(shape);
  const out = new Array<number>(to.length).fill(0);
  const off = to.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[off + i] = shape[i] === 1 ? 0 : strides[i];
  return out;
}

/** Maps a possibly negative dim into [0, rank); throws naming `op`. */
export function normDim(op: string, dim: number, rank: number): number {
  const lo = -Math.max(rank, 1);
  const hi = Math.max(rank, 1) - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new ArgumentError(
      `${op}: dim ${dim} out of range for a tensor of rank ${rank} (expected [${lo}, ${hi}])`,
    );
  }
  return dim < 0 ? dim + Math.max(rank, 1) : dim;
}

/** Normalised, sorted, de-duplicated dims; `undefined` means all dims. */
export function normDims(op: string, dims: number | readonly number[] | undefined, rank: number): number[] {
  // plain loops: reductions of small tensors call this on every op
  if (typeof dims === 'number') return [normDim(op, dims, rank)];
  const out: number[] = [];
  if (dims === undefined) {
    for (let i = 0; i < rank; i++) out.push(i);
    return out;
  }
  for (const d of dims) out.push(normDim(op, d, rank));
  out.sort((x, y) => x - y);
  for (let i = 1; i < out.length; i++) {
    if (out[i] === out[i - 1]) throw new ArgumentError(`${op}: dim ${fmtShape(dims)} repeats a dim`);
  }
  return out;
}

/** Checks that every entry is a non-negative integer. */
export function checkShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid shape ${fmtShape(shape)} (sizes must be non-negative integers)`);
    }
  }
}
