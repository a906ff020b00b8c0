// What many test files need: the repo root, the golden fixtures, seeded float64 tensors, and
// element-wise comparisons with numpy.allclose's rule and a message naming the first bad element.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { GoldenFile } from '../scripts/golden/types.js';
import { randn, Tensor } from '../src/index.js';

/** The repository root (fixture data paths such as `data/iris.csv` are relative to it). */
export const ROOT = path.resolve(import.meta.dirname, '..');

/** `{ dtype: 'float64' }`, for creation calls. */
export const F64 = { dtype: 'float64' } as const;

/** golden/<name>.json, parsed; pass a narrower type for fixtures whose params a test reads directly. */
export function loadFixture<T = GoldenFile>(name: string): T {
  return JSON.parse(readFileSync(path.join(ROOT, 'golden', `${name}.json`), 'utf8')) as T;
}

/** Seeded N(0, 1) float64 values of `shape`, not requiring grad. */
export function randn64(shape: readonly number[], seed: number): Tensor {
  return randn([...shape], { ...F64, generator: seed });
}

/** Seeded N(0, 1) float64 values of `shape` as a leaf that requires grad (gradcheck inputs). */
export function leaf64(shape: readonly number[], seed: number): Tensor {
  return randn([...shape], { ...F64, generator: seed, requiresGrad: true });
}

/** max |a_i - b_i| over two tensors of the same shape (asserted). */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/** Tolerances of expectAllClose: |got - want| <= atol + rtol |want|, as numpy.allclose. */
export interface CloseOptions {
  /** Relative tolerance (default 1e-12). */
  rtol?: number;
  /** Absolute tolerance (default 1e-12). */
  atol?: number;
  /** NaN matches NaN (default false, as numpy's equal_nan). */
  equalNaN?: boolean;
}

const CLOSE_DEFAULTS = { rtol: 1e-12, atol: 1e-12, equalNaN: false } satisfies Required<CloseOptions>;

/**
 * Asserts `got` equals `want` element by element within the tolerances; two tensors must also
 * have the same shape. Fails once, at the first bad element, with its index and both values.
 */
export function expectAllClose(
  got: Tensor | ArrayLike<number>,
  want: Tensor | ArrayLike<number>,
  options: CloseOptions = {},
): void {
  const { rtol, atol, equalNaN } = { ...CLOSE_DEFAULTS, ...options };
  if (got instanceof Tensor && want instanceof Tensor) expect(got.shape).toEqual(want.shape);
  const g = got instanceof Tensor ? got.data : got;
  const w = want instanceof Tensor ? want.data : want;
  expect(g.length).toBe(w.length);
  for (let i = 0; i < w.length; i++) {
    // equal infinities match (their difference is NaN); any other NaN fails unless equalNaN
    const ok =
      g[i] === w[i] ||
      (equalNaN && Number.isNaN(g[i]) && Number.isNaN(w[i])) ||
      Math.abs(g[i] - w[i]) <= atol + rtol * Math.abs(w[i]);
    if (!ok) expect.fail(`element ${i}: got ${g[i]}, want ${w[i]} (rtol ${rtol}, atol ${atol})`);
  }
}
