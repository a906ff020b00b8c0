// Dropout: zero each element with probability p and scale the rest by 1/(1-p), so the
// expectation is unchanged; identity when not training. dx = dy * mask / (1-p).

import { record } from '../autograd/engine.js';
import { ArgumentError } from '../errors.js';
import { type RandomSource, toGenerator } from '../random.js';
import { allocate, assertFloat } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

export interface DropoutOptions {
  /** Probability of zeroing an element (default 0.5). */
  p?: number;
  /** Apply dropout (default true); false returns x unchanged. */
  training?: boolean;
  /** Seed or generator of the mask. */
  generator?: RandomSource;
}

/** x with elements zeroed at rate p and the rest scaled by 1/(1-p). */
export function dropout(x: Tensor, opts: DropoutOptions = {}): Tensor {
  const p = opts.p ?? 0.5;
  if (!(p >= 0 && p <= 1)) throw new ArgumentError(`dropout: p must be in [0, 1], got ${p}`);
  assertFloat('dropout', x.dtype);
  if (opts.training === false || p === 0) return x;
  const g = toGenerator(opts.generator);
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const mask = allocate(x.dtype, x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = g.random() < p ? 0 : scale;
  const m = new Tensor(mask, x.shape);
  const out = x.detach().mul(m);
  return record(out, 'dropout', [x], (dy) => [dy.mul(m)]);
}
