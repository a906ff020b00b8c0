// Unary math, forward loop and derivative side by side. Math functions of int/bool
// tensors compute in float32, as torch does.

import { record } from '../autograd/engine.js';
import { ArgumentError, DTypeError } from '../errors.js';
import { allocate, allocateUninit, checkDType, type DType, isFloat, type Storage } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { where } from './compare.js';

function floatInput(x: Tensor): Tensor {
  return isFloat(x.dtype) ? x : cast(x, 'float32');
}

// every op below writes each element of its output
function like(x: Tensor): Storage {
  return allocateUninit(x.dtype, x.size);
}

/** A copy of x in `dtype` (x itself when the dtype matches, unless `copy`); float->float is differentiable. */
export function cast(x: Tensor, dtype: DType, copy = false): Tensor {
  if (dtype === x.dtype && !copy) return x;
  checkDType('to', dtype);
  const out = allocate(dtype, x.size);
  const src = x.data;
  if (dtype === 'bool') for (let i = 0; i < src.length; i++) out[i] = src[i] !== 0 ? 1 : 0;
  else if (dtype === 'int32' && isFloat(x.dtype))
    for (let i = 0; i < src.length; i++) out[i] = Math.trunc(src[i]);
  else out.set(src);
  const y = new Tensor(out, x.shape);
  if (!isFloat(dtype) || !isFloat(x.dtype)) return y;
  return record(y, 'cast', [x], (g) => [cast(g, x.dtype)]);
}

/** -x. */
export function neg(x: Tensor): Tensor {
  if (x.dtype === 'bool')
    throw new DTypeError('neg: negating a bool tensor is not supported (use logicalNot)');
  const a = x.data;
  const o = like(x);
  for (let i = 0; i < a.length; i++) o[i] = -a[i];
  return record(new Tensor(o, x.shape), 'neg', [x], (g) => [neg(g)]);
}

/** x^2 (cheaper and exact compared with pow(x, 2)). */
export function square(x: Tensor): Tensor {
  const a = x.data;
  const o = like(x);
  for (let i = 0; i < a.length; i++) o[i] = a[i] * a[i];
  return record(new Tensor(o, x.shape), 'square', [x], (g) => [g.mul(x).mul(2)]);
}

/** |x|. abs'(0) = 0, as torch. */
export function abs(x: Tensor): Tensor {
  const a = x.data;
  const o = like(x);
  for (let i = 0; i < a.length; i++) o[i] = Math.abs(a[i]);
  return record(new Tensor(o, x.shape), 'abs', [x], (g) => [g.mul(sign(x))]);
}

/** -1, 0 or 1 per element (not differentiable). */
export function sign(x: Tensor): Tensor {
  const a = x.data;
  const o = like(x);
  for (let i = 0; i < a.length; i++) o[i] = a[i] > 0 ? 1 : a[i] < 0 ? -1 : a[i];
  return new Tensor(o, x.shape);
}

/** e^x. d/dx = e^x = y, so the output is what backward keeps. */
export function exp(x0: Tensor): Tensor {
  const x = floatInput(x0);
  const a = x.data;
  const o = like(x);
  for (let i = 0; i < a.length; i++) o[i] = Math.exp(a[i]);
  const y = new Tensor(o, x.shape);
  return record(y, 'exp', [x], (g) => [g.mul(y)]);
}

/** Natural log. d/dx = 1/x. */
export function log(x0: Tensor): Tensor {
  const x = floatInput(x0);
  const a = x.data;
  const o = like(x);
  for (let i = 0; i < a.length; i++) o[i] = Math.log(a[i]);
  return record(new Tensor(o, x.shape), 'log', [x], (g) => [g.div(x)]);
}

/** sqrt(x). d/dx = 1 / (2 y). */
export function sqrt(x0: Tensor): Tensor {
  const x = floatInput(x0);
  const a = x.data;
  const o = like(x);
  for (let i = 0; i < a.length; i++) o[i] = Math.sqrt(a[i]);
  const y = new Tensor(o, x.shape);
  return record(y, 'sqrt', [x], (g) => [g.div(y.mul(2))]);
}

/** 1/sqrt(x). d/dx = -y^3 / 2. */
export function rsqrt(x0: Tensor): Tensor {
  const x = floatInput(x0);
  const a = x.data;
  const o = like(x);
  for (let i = 0; i < a.length; i++) o[i] = 1 / Math.sqrt(a[i]);
  const y = new Tensor(o, x.shape);
  return record(y, 'rsqrt', [x], (g) => [g.mul(y.mul(y).mul(y)).mul(-0.5)]);
}

/** tanh(x). d/dx = 1 - y^2. */
export function tanh(x0: Tensor): Tensor {
  const x = floatInput(x0);
  const a = x.data;
  const o = like(x);
  for (let i = 0; i < a.length; i++) o[i] = Math.tanh(a[i]);
  const y = new Tensor(o, x.shape);
  return record(y, 'tanh', [x], (g) => [g.mul(y.square().neg().add(1))]);
}

/** 1 / (1 + e^-x), evaluated without overflow for large |x|. d/dx = y (1 - y). */
export function sigmoid(x0: Tensor): Tensor {
  const x = floatInput(x0);
  const a = x.data;
  const o = like(x);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v >= 0) o[i] = 1 / (1 + Math.exp(-v));
    else {
      const e = Math.exp(v);
      o[i] = e / (1 + e);
    }
  }
  const y = new Tensor(o, x.shape);
  return record(y, 'sigmoid', [x], (g) => [g.mul(y).mul(y.neg().add(1))]);
}

/** max(x, 0). relu'(0) = 0, as torch. */
export function relu(x: Tensor): Tensor {
  const a = x.data;
  const o = like(x);
  for (let i = 0; i < a.length; i++) o[i] = a[i] > 0 || Number.isNaN(a[i]) ? a[i] : 0;
  return record(new Tensor(o, x.shape), 'relu', [x], (g) => [where(x.gt(0), g, 0)]);
}

export interface GeluOptions {
  /** 'none' (default): x * Phi(x) with the exact erf; 'tanh': the tanh approximation. */
  approximate?: 'none' | 'tanh';
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU. Exact: y = x Phi(x), dy/dx = Phi(x) + x phi(x). Tanh form: y = x/2 (1 + tanh u),
 * u = c (x + 0.044715 x^3), dy/dx = (1 + tanh u)/2 + x/2 (1 - tanh^2 u) c (1 + 3*0.044715 x^2).
 */
export function gelu(x0: Tensor, opts: GeluOptions = {}): Tensor {
  const approximate = opts.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new ArgumentError(`gelu: approximate must be 'none' or 'tanh', got ${String(approximate)}`);
  }
  const x = floatInput(x0);
  const a = x.data;
  const o = like(x);
  const d = like(x); // dy/dx, computed alongside (rounded to x's dtype, as backward uses it)
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
      // the limits (y -> x and dy/dx -> 1 at +inf, both -> 0 at -inf); the formulas give inf * 0 = NaN
      o[i] = Math.max(v, 0);
      d[i] = v > 0 ? 1 : 0;
    } else if (approximate === 'tanh') {
      const t = Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v));
      o[i] = 0.5 * v * (1 + t);
      d[i] = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * v * v);
    } else {
      const cdf = 0.5 * (1 + erf(v / Math.SQRT2));
      o[i] = v * cdf;
      d[i] = cdf + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI);
    }
  }
  const dydx = new Tensor(d, x.shape);
  return record(new Tensor(o, x.shape), 'gelu', [x], (g) => [g.mul(dydx)]);
}

/**
 * erf to double precision: erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1*3*...*(2n+1)).
 * Every term is positive (no cancellation, unlike the Taylor series); erf(|x| >= 6) = 1 to
 * the last bit.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  const x2 = ax * ax;
  let term = ax;
  let s = ax;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    s += term;
    if (term < s * 1e-17) break;
  }
  const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * s;
  return x < 0 ? -r : r;
}
