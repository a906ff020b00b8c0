// Layer normalisation (torch.nn.functional.layer_norm), fused forward and backward.
// Dims: x [..., *S] where S = normalizedShape; R = number of rows (product of the leading
// dims), D = prod(S) values normalised together. weight, bias: S.
//
// Forward, per row of D values:
//   (1) mu    = (1/D) sum_j x_j
//   (2) var   = (1/D) sum_j (x_j - mu)^2          biased; two passes (see kernels/norm.ts)
//   (3) rstd  = (var + eps)^(-1/2)
//   (4) xhat  = (x - mu) * rstd
//   (5) y     = xhat * w + b
// Backward, with dy the upstream gradient:
//   from (5): db = sum_rows dy,  dw = sum_rows dy * xhat,  dxhat = dy * w =: g
//   from (2)-(3): d rstd / d x_i = -rstd^3 (x_i - mu) / D = -rstd^2 xhat_i / D
//       (d var / d x_i = 2 (x_i - mu) / D: the mu term drops out because sum_j (x_j - mu) = 0)
//   from (1),(4): d xhat_j / d x_i = rstd (delta_ij - 1/D) + (x_j - mu) d rstd / d x_i
//                                  = rstd (delta_ij - 1/D - xhat_j xhat_i / D)
//   so  dx_i = sum_j g_j d xhat_j / d x_i = rstd (g_i - mean(g) - xhat_i mean(g * xhat)).
// The backward keeps x, mu and rstd (not xhat: recomputing it is one multiply).

import { record } from '../autograd/engine.js';
import { ArgumentError, fmtShape, ShapeError } from '../errors.js';
import { layerNormBackward, layerNormForward } from '../kernels/norm.js';
import { withDefaults } from '../options.js';
import { allocate, allocateUninit, assertFloat, type DType, promote } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/** Options of F.layerNorm. */
export interface LayerNormOptions {
  /** Elementwise scale, shaped normalizedShape (default none). */
  weight?: Tensor | null;
  /** Elementwise shift, shaped normalizedShape (default none). */
  bias?: Tensor | null;
  /** Added to the variance (default 1e-5, as torch). */
  eps?: number;
}

const DEFAULTS = { weight: null, bias: null, eps: 1e-5 } satisfies Required<LayerNormOptions>;

/** Normalises the trailing dims. x: [..., *normalizedShape], weight/bias: normalizedShape -> x's shape. */
export function layerNorm(
  x: Tensor,
  normalizedShape: number | readonly number[],
  options: LayerNormOptions = {},
): Tensor {
  const { weight, bias, eps } = withDefaults(DEFAULTS, options, 'layerNorm');
  const S = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  assertFloat('layerNorm', x.dtype);
  if (S.length === 0 || S.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ArgumentError(
      `layerNorm: normalizedShape must be a non-empty list of positive integers, got ${fmtShape(S)}`,
    );
  }
  const lead = x.ndim - S.length;
  if (lead < 0 || S.some((d, i) => x.shape[lead + i] !== d)) {
    throw new ShapeError(
      `layerNorm: trailing dims of ${fmtShape(x.shape)} must equal normalizedShape ${fmtShape(S)}`,
    );
  }
  for (const [name, t] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (!t) continue;
    assertFloat(`layerNorm ${name}`, t.dtype);
    if (t.ndim !== S.length || t.shape.some((d, i) => d !== S[i])) {
      throw new ShapeError(
        `layerNorm: ${name} ${fmtShape(t.shape)} must have normalizedShape ${fmtShape(S)}`,
      );
    }
  }
  if (!(eps >= 0)) throw new ArgumentError(`layerNorm: eps must be >= 0, got ${eps}`);

  const D = S.reduce((a, b) => a * b, 1);
  const R = x.size / D;
  let dtype: DType = x.dtype;
  if (weight) dtype = promote(dtype, weight.dtype);
  if (bias) dtype = promote(dtype, bias.dtype);
  const out = allocateUninit(dtype, x.size);
  const mean = new Float64Array(R);
  const rstd = new Float64Array(R);
  layerNormForward(x.data, R, D, weight?.data ?? null, bias?.data ?? null, eps, out, mean, rstd);
  const y = new Tensor(out, x.shape);

  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return record(y, 'layerNorm', inputs, (g) => {
    const dx = x.requiresGrad ? allocate(x.dtype, x.size) : null;
    const dw = weight?.requiresGrad ? new Float64Array(D) : null;
    const db = bias?.requiresGrad ? new Float64Array(D) : null;
    layerNormBackward(x.data, g.data, R, D, weight?.data ?? null, mean, rstd, dx, dw, db);
    const grads: (Tensor | null)[] = [dx && new Tensor(dx, x.shape)];
    if (weight) grads.push(dw && new Tensor(dw, weight.shape).to(weight.dtype));
    if (bias) grads.push(db && new Tensor(db, bias.shape).to(bias.dtype));
    return grads;
  });
}
