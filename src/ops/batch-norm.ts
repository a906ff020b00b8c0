// Batch normalisation (torch.nn.functional.batch_norm), fused forward and backward.
// Dims: x [N, C, *spatial] seen as [N, C, S], S = prod(spatial) (1 for [N, C]); statistics
// are per channel over n = N * S values. weight, bias, runningMean, runningVar: [C].
//
// Forward, per channel c (training: batch statistics; eval: the running ones):
//   (1) mu    = (1/n) sum x                   (eval: runningMean)
//   (2) var   = (1/n) sum (x - mu)^2          BIASED (eval: runningVar)
//   (3) rstd  = (var + eps)^(-1/2)
//   (4) xhat  = (x - mu) * rstd
//   (5) y     = xhat * w + b
// Training also updates the running statistics in place (not part of the graph), as torch:
//   runningMean = (1 - m) runningMean + m mu,   runningVar = (1 - m) runningVar + m var * n/(n-1)
// (the UNBIASED variance: the running estimate is of the population variance).
// Backward, with dy the upstream gradient:
//   from (5): db = sum dy,  dw = sum dy * xhat,  dxhat = dy * w  (w constant over the channel)
//   training, from (1)-(4) exactly as LayerNorm (ops/layer-norm.ts) with the reduction over
//   the channel's n values instead of a row:
//     dx = w rstd (dy - mean(dy) - xhat mean(dy xhat)) = (w rstd / n)(n dy - sum dy - xhat sum(dy xhat))
//   eval: mu and rstd are constants, (5)(4) is an affine map: dx = w rstd dy.

import { record } from '../autograd/engine.js';
import { ArgumentError, fmtShape, ShapeError } from '../errors.js';
import { channelMoments, normalizeChannels, normalizeChannelsBackward } from '../kernels/norm.js';
import { withDefaults } from '../options.js';
import { allocate, assertFloat, type DType, promote } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/** Options of F.batchNorm. */
export interface BatchNormOptions {
  /** Per-channel scale [C] (default none). */
  weight?: Tensor | null;
  /** Per-channel shift [C] (default none). */
  bias?: Tensor | null;
  /** Normalise with batch statistics and update the running ones (default false, as torch). */
  training?: boolean;
  /** Weight of the new batch in the running statistics (default 0.1). */
  momentum?: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

const DEFAULTS = {
  weight: null,
  bias: null,
  training: false,
  momentum: 0.1,
  eps: 1e-5,
} satisfies Required<BatchNormOptions>;

/**
 * Normalises each channel. x: [N, C, ...], runningMean/runningVar: [C] or null (then
 * training must be true), updated in place when training -> x's shape.
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  options: BatchNormOptions = {},
): Tensor {
  const { weight, bias, training, momentum, eps } = withDefaults(DEFAULTS, options, 'batchNorm');
  assertFloat('batchNorm', x.dtype);
  if (x.ndim < 2) throw new ShapeError(`batchNorm: input must be [N, C, ...], got ${fmtShape(x.shape)}`);
  const [N, C] = x.shape;
  const S = x.size / Math.max(N * C, 1);
  const named = [
    ['runningMean', runningMean],
    ['runningVar', runningVar],
    ['weight', weight],
    ['bias', bias],
  ] as const;
  for (const [name, t] of named) {
    if (!t) continue;
    assertFloat(`batchNorm ${name}`, t.dtype);
    if (t.ndim !== 1) throw new ShapeError(`batchNorm: ${name} must be 1-D [C], got ${fmtShape(t.shape)}`);
    if (t.shape[0] !== C) {
      throw new ShapeError(
        `batchNorm: expected ${t.shape[0]} channels (dim 1 of ${fmtShape(x.shape)}), got ${C}`,
      );
    }
  }
  if (!training && (!runningMean || !runningVar)) {
    throw new ArgumentError('batchNorm: runningMean and runningVar are required when training is false');
  }
  if (training && N * S <= 1) {
    throw new ArgumentError(
      `batchNorm: expected more than 1 value per channel when training, got input size ${fmtShape(x.shape)}`,
    );
  }
  if (!Number.isFinite(momentum))
    throw new ArgumentError(`batchNorm: momentum must be a finite number, got ${momentum}`);
  if (!(eps >= 0)) throw new ArgumentError(`batchNorm: eps must be >= 0, got ${eps}`);

  const n = N * S;
  const mean = new Float64Array(C);
  const rstd = new Float64Array(C);
  if (training) {
    const bvar = new Float64Array(C);
    channelMoments(x.data, N, C, S, mean, bvar);
    for (let c = 0; c < C; c++) rstd[c] = 1 / Math.sqrt(bvar[c] + eps);
    const rm = runningMean?.data;
    const rv = runningVar?.data;
    for (let c = 0; c < C; c++) {
      if (rm) rm[c] = (1 - momentum) * rm[c] + momentum * mean[c];
      if (rv) rv[c] = (1 - momentum) * rv[c] + momentum * ((bvar[c] * n) / (n - 1));
    }
  } else {
    // copied: the running statistics change in place on later training steps
    mean.set(runningMean!.data);
    for (let c = 0; c < C; c++) rstd[c] = 1 / Math.sqrt(runningVar!.data[c] + eps);
  }
  let dtype: DType = x.dtype;
  if (weight) dtype = promote(dtype, weight.dtype);
  if (bias) dtype = promote(dtype, bias.dtype);
  const out = allocate(dtype, x.size);
  normalizeChannels(x.data, N, C, S, mean, rstd, weight?.data ?? null, bias?.data ?? null, out);
  const y = new Tensor(out, x.shape);

  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return record(y, training ? 'batchNorm' : 'batchNorm(eval)', inputs, (g) => {
    const dx = x.requiresGrad ? allocate(x.dtype, x.size) : null;
    const dw = new Float64Array(C);
    const db = new Float64Array(C);
    normalizeChannelsBackward(
      x.data,
      g.data,
      N,
      C,
      S,
      mean,
      rstd,
      weight?.data ?? null,
      training ? 'batch' : 'running',
      dx,
      dw,
      db,
    );
    const grads: (Tensor | null)[] = [dx && new Tensor(dx, x.shape)];
    if (weight) grads.push(new Tensor(dw, [C]).to(weight.dtype));
    if (bias) grads.push(new Tensor(db, [C]).to(bias.dtype));
    return grads;
  });
}
