// The float32 large-offset experiment shared by the layernorm and batchnorm demos: data with
// mean `offset` and std 1, normalised in float32 by the textbook one-pass variance
// var = E[x^2] - E[x]^2 and by shousi's op (two-pass variance), each compared with the op in
// float64 on the same float32-rounded input (so only the algorithm's error is measured).
// At offset 1e4, E[x^2] ~ 1e8 where a float32 ulp is 8: the one-pass variance of a unit-variance
// row is rounding noise, often negative, and the normalised output is garbage or NaN.

import { F, type Generator, randn, type Tensor } from '../index.js';
import { maxAbsDiff } from './helpers.js';
import type { LineSeries } from './plot.js';

export type NormKind = 'layer' | 'batch';

export interface PrecisionRow {
  offset: number;
  /** Max abs error of the naive float32 output (Infinity when it has NaN/inf). */
  naive: number;
  /** Max abs error of shousi's float32 output. */
  ours: number;
}

const EPS = 1e-5;

function normalise(kind: NormKind, x: Tensor): Tensor {
  return kind === 'layer' ? F.layerNorm(x, [x.shape[1]]) : F.batchNorm(x, null, null, { training: true });
}

/** The textbook normalisation with the one-pass variance, over dim 1 (layer) or dim 0 (batch). */
export function naiveNormalise(kind: NormKind, x: Tensor): Tensor {
  const dim = kind === 'layer' ? 1 : 0;
  const mean = x.mean(dim, { keepdim: true });
  const variance = x.square().mean(dim, { keepdim: true }).sub(mean.square());
  return x.sub(mean).div(variance.add(EPS).sqrt());
}

/** One row per offset: naive and shousi float32 errors against float64. */
export function precisionSweep(kind: NormKind, offsets: readonly number[], gen: Generator): PrecisionRow[] {
  const shape = kind === 'layer' ? [8, 16] : [64, 4];
  const noise = randn(shape, { dtype: 'float64', generator: gen });
  return offsets.map((offset) => {
    const x32 = noise.add(offset).to('float32');
    const ref = normalise(kind, x32.to('float64'));
    return {
      offset,
      naive: maxAbsDiff(naiveNormalise(kind, x32).data, ref.data),
      ours: maxAbsDiff(normalise(kind, x32).data, ref.data),
    };
  });
}

/** The sweep as plot series; a NaN/inf error is drawn at `cap` (the subtitle says so). */
export function precisionSeries(rows: readonly PrecisionRow[], cap = 10): LineSeries[] {
  const x = rows.map((r) => r.offset);
  const clip = (e: number) => Math.max(Math.min(e, cap), 1e-9);
  return [
    { name: 'textbook E[x²] − E[x]² (float32)', x, y: rows.map((r) => clip(r.naive)) },
    { name: 'shousi two-pass (float32)', x, y: rows.map((r) => clip(r.ours)) },
  ];
}
