// Elementwise kernels. A binary op is a "row kernel" — one tight loop over n elements with
// an input stride each (0 = broadcast) — and one shared driver walks the outer dims of the
// broadcast shape. Each op has its own loop so V8 keeps every loop monomorphic; no closure
// is called per element.

import type { Storage } from '../tensor/dtype.js';
import { binaryWasm } from './wasm/elementwise.js';

/** o[oi + i] = f(a[ai + i*as], b[bi + i*bs]) for i < n. */
export type BinaryRow = (
  o: Storage,
  oi: number,
  a: Storage,
  ai: number,
  as: number,
  b: Storage,
  bi: number,
  bs: number,
  n: number,
) => void;

export const addRow: BinaryRow = (o, oi, a, ai, as, b, bi, bs, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] + b[bi];
};
export const subRow: BinaryRow = (o, oi, a, ai, as, b, bi, bs, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] - b[bi];
};
export const mulRow: BinaryRow = (o, oi, a, ai, as, b, bi, bs, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] * b[bi];
};
export const divRow: BinaryRow = (o, oi, a, ai, as, b, bi, bs, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] / b[bi];
};
export const powRow: BinaryRow = (o, oi, a, ai, as, b, bi, bs, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] ** b[bi];
};
// maximum/minimum propagate NaN, as torch.maximum does (Math.max also does).
export const maxRow: BinaryRow = (o, oi, a, ai, as, b, bi, bs, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = Math.max(a[ai], b[bi]);
};
export const minRow: BinaryRow = (o, oi, a, ai, as, b, bi, bs, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = Math.min(a[ai], b[bi]);
};
export const eqRow: BinaryRow = (o, oi, a, ai, as, b, bi, bs, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] === b[bi] ? 1 : 0;
};
export const neRow: BinaryRow = (o, oi, a, ai, as, b, bi, bs, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] !== b[bi] ? 1 : 0;
};
export const ltRow: BinaryRow = (o, oi, a, ai, as, b, bi, bs, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] < b[bi] ? 1 : 0;
};
export const leRow: BinaryRow = (o, oi, a, ai, as, b, bi, bs, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] <= b[bi] ? 1 : 0;
};
export const gtRow: BinaryRow = (o, oi, a, ai, as, b, bi, bs, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] > b[bi] ? 1 : 0;
};
export const geRow: BinaryRow = (o, oi, a, ai, as, b, bi, bs, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] >= b[bi] ? 1 : 0;
};
export const andRow: BinaryRow = (o, oi, a, ai, as, b, bi, bs, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] && b[bi] ? 1 : 0;
};
export const orRow: BinaryRow = (o, oi, a, ai, as, b, bi, bs, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] || b[bi] ? 1 : 0;
};

// The rows that have a wasm twin (assembly/elementwise.ts), by its op code.
const WASM_OPS = new Map<BinaryRow, number>([
  [addRow, 0],
  [subRow, 1],
  [mulRow, 2],
  [divRow, 3],
  [maxRow, 4],
  [minRow, 5],
]);

/** row(o, 0, a, 0, as, b, 0, bs, n): in wasm when it has the op and the arrays are large enough float storage. */
export function applyRow(
  row: BinaryRow,
  o: Storage,
  a: Storage,
  as: number,
  b: Storage,
  bs: number,
  n: number,
): void {
  const op = WASM_OPS.get(row);
  if (op !== undefined && binaryWasm(op, 1, n, o, n, a, 0, as, b, 0, bs)) return;
  row(o, 0, a, 0, as, b, 0, bs, n);
}

/**
 * Runs `row` over the broadcast of a (aShape) and b (bShape) into contiguous `out` of
 * `outShape`. Adjacent dims that are contiguous in both inputs are merged first, so a
 * same-shape or scalar operation is a single row call.
 */
export function broadcastBinary(
  row: BinaryRow,
  a: Storage,
  aStrides: readonly number[],
  b: Storage,
  bStrides: readonly number[],
  out: Storage,
  outShape: readonly number[],
): void {
  // coalesce dims: (shape, sa, sb) triples merged when both inputs step uniformly across them
  const shape: number[] = [];
  const sa: number[] = [];
  const sb: number[] = [];
  for (let d = 0; d < outShape.length; d++) {
    const n = outShape[d];
    if (n === 1) continue;
    const last = shape.length - 1;
    if (last >= 0 && sa[last] === aStrides[d] * n && sb[last] === bStrides[d] * n) {
      shape[last] *= n;
      sa[last] = aStrides[d];
      sb[last] = bStrides[d];
    } else {
      shape.push(n);
      sa.push(aStrides[d]);
      sb.push(bStrides[d]);
    }
  }
  let total = 1;
  for (const n of outShape) total *= n;
  if (total === 0) return;
  if (shape.length === 0) {
    row(out, 0, a, 0, 0, b, 0, 0, 1);
    return;
  }
  const rank = shape.length;
  const inner = shape[rank - 1];
  const ias = sa[rank - 1];
  const ibs = sb[rank - 1];
  const op = WASM_OPS.get(row);
  // two dims (a bias over rows, a column over columns): one wasm call
  if (
    rank === 2 &&
    op !== undefined &&
    binaryWasm(op, shape[0], inner, out, inner, a, sa[0], ias, b, sb[0], ibs)
  )
    return;
  const idx = new Array<number>(rank).fill(0);
  let ai = 0;
  let bi = 0;
  for (let o = 0; o < total; o += inner) {
    row(out, o, a, ai, ias, b, bi, ibs, inner);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      ai += sa[d];
      bi += sb[d];
      if (idx[d] < shape[d]) break;
      ai -= sa[d] * shape[d];
      bi -= sb[d] * shape[d];
      idx[d] = 0;
    }
  }
}
