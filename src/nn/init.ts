// Parameter initialisation, in place, seeded. Fan-in/fan-out as torch: for a weight of shape
// [out, in, ...kernel], fanIn = in * prod(kernel), fanOut = out * prod(kernel). Each function
// fills t (any shape; the fan-based ones [out, in, ...]) in place and returns it.

import { ArgumentError, fmtShape } from '../errors.js';
import { type RandomSource, toGenerator } from '../random.js';
import { fillStorage } from '../tensor/memory.js';
import type { Tensor } from '../tensor/tensor.js';

/** [fanIn, fanOut] of a weight tensor. */
export function fans(t: Tensor): [number, number] {
  if (t.ndim < 2) throw new ArgumentError(`init: fan in/out need at least 2 dims, got ${fmtShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

/** Fills t with U(low, high). */
export function uniform_(t: Tensor, low: number, high: number, gen?: RandomSource): Tensor {
  const g = toGenerator(gen);
  for (let i = 0; i < t.size; i++) t.data[i] = g.uniform(low, high);
  return t;
}

/** Fills t with N(mean, std^2). */
export function normal_(t: Tensor, mean: number, std: number, gen?: RandomSource): Tensor {
  const g = toGenerator(gen);
  for (let i = 0; i < t.size; i++) t.data[i] = g.normal(mean, std);
  return t;
}

/** Fills t with a constant. */
export function constant_(t: Tensor, value: number): Tensor {
  fillStorage(t.data, value);
  return t;
}

/** Xavier/Glorot uniform: U(-a, a), a = gain sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain = 1, gen?: RandomSource): Tensor {
  const [fi, fo] = fans(t);
  const a = gain * Math.sqrt(6 / (fi + fo));
  return uniform_(t, -a, a, gen);
}

/** Xavier/Glorot normal: N(0, gain^2 2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain = 1, gen?: RandomSource): Tensor {
  const [fi, fo] = fans(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fi + fo)), gen);
}

/** He/Kaiming uniform for ReLU-like layers: U(-b, b), b = gain sqrt(3 / fanIn), gain = sqrt(2 / (1 + a^2)). */
export function kaimingUniform_(t: Tensor, a = 0, gen?: RandomSource): Tensor {
  const [fi] = fans(t);
  const bound = Math.sqrt(2 / (1 + a * a)) * Math.sqrt(3 / fi);
  return uniform_(t, -bound, bound, gen);
}

/** He/Kaiming normal: N(0, 2 / ((1 + a^2) fanIn)). */
export function kaimingNormal_(t: Tensor, a = 0, gen?: RandomSource): Tensor {
  const [fi] = fans(t);
  return normal_(t, 0, Math.sqrt(2 / (1 + a * a)) / Math.sqrt(fi), gen);
}
