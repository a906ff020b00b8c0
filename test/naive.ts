// Naive reference helpers for the property tests, independent of src (so a bug there cannot
// hide in the reference): the fast-check runner with the suite's fixed seed, a seeded test-data
// generator, index arithmetic, random fills, broadcasting shapes, and the NaN-aware comparison.

import fc from 'fast-check';
import { type DType, Tensor } from '../src/index.js';
import { expectAllClose } from './helpers.js';

const SEED = 20240611;

/** fc.assert with the suite's fixed seed and a bounded number of runs. */
export const run = (p: fc.IProperty<never> | fc.IProperty<unknown>, numRuns: number) =>
  fc.assert(p as fc.IProperty<unknown>, { seed: SEED, numRuns });

/** mulberry32: test data only. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** Number of elements of a shape. */
export const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
/** Row-major flat index k -> multi-index in `shape`. */
export function unravel(k: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = k % shape[d];
    k = Math.floor(k / shape[d]);
  }
  return idx;
}
/** Multi-index in `shape` -> row-major flat index. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let k = 0;
  for (let d = 0; d < shape.length; d++) k = k * shape[d] + idx[d];
  return k;
}
/** A zeroed typed array of `dtype` holding n values. */
export const storage = (dtype: DType, n: number) =>
  dtype === 'float32'
    ? new Float32Array(n)
    : dtype === 'float64'
      ? new Float64Array(n)
      : dtype === 'int32'
        ? new Int32Array(n)
        : new Uint8Array(n);

/** What fill draws: values near 0 with some ties, few distinct values, or a wide range. */
export type ValueKind = 'normal' | 'ties' | 'wide';
/** Random values: normal-ish, few distinct values (ties), or a wide range; NaN with `nanRate`. */
export function fill(
  shape: readonly number[],
  dtype: DType,
  seed: number,
  kind: ValueKind = 'normal',
  nanRate = 0,
): Tensor {
  const r = rng(seed);
  const data = storage(dtype, numel(shape));
  for (let i = 0; i < data.length; i++) {
    let v =
      kind === 'ties' ? Math.floor(r() * 5) - 2 : kind === 'wide' ? (r() - 0.5) * 2000 : (r() - 0.5) * 6;
    if (dtype === 'float32' || dtype === 'float64') {
      if (kind === 'normal' && r() < 0.1) v = Math.round(v); // some exact ties in comparisons
      if (r() < nanRate) v = Number.NaN;
    } else v = Math.round(v);
    data[i] = v;
  }
  return new Tensor(data, shape);
}
/** Equal, or both NaN. */
export const same = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || a === b;
/** got == want within rtol / atol; NaN where the naive loop has NaN counts as agreement. */
export const expectClose = (got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol = rtol) =>
  expectAllClose(got, want, { rtol, atol, equalNaN: true });

/** A small dimension size. */
export const dimSize = fc.integer({ min: 1, max: 4 });
/** Two shapes that broadcast together: an output shape with leading dims dropped and some dims set to 1. */
export const broadcastPair = fc
  .array(dimSize, { minLength: 0, maxLength: 4 })
  .chain((out) =>
    fc.tuple(
      fc.constant(out),
      fc.integer({ min: 0, max: out.length }),
      fc.integer({ min: 0, max: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
    ),
  )
  .map(([out, dropA, dropB, onesA, onesB]) => ({
    a: out.slice(dropA).map((n, i) => (onesA[i + dropA] ? 1 : n)),
    b: out.slice(dropB).map((n, i) => (onesB[i + dropB] ? 1 : n)),
  }));

/** The broadcast shape of a and b, by NumPy's rule. */
export function naiveBroadcast(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    return Math.max(da, db);
  });
}
