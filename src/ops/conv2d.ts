// 2-D convolution (torch.nn.functional.conv2d), fused forward and backward over im2col + GEMM
// (src/kernels/conv.ts). Cross-correlation: the kernel is not flipped.
// Dims: x [N, C, H, W], weight [O, C/G, kh, kw], bias [O] -> y [N, O, OH, OW]; G groups,
// P = OH*OW, K = (C/G)*kh*kw; per axis OH = floor((H + pt + pb - dh*(kh-1) - 1) / sh) + 1.
//
// Forward, per image n and group g (cols_n = im2col(x_n), [C*kh*kw, P], group g's K rows):
//   (1) cols_n[q, p] = x[n, c(q), ih(p, q), iw(p, q)]  or 0 in the padding
//   (2) y_ng = W_g cols_ng + b_g                        [Og, K] x [K, P]
// Backward, with dy [N, O, P]:
//   from (2): db[o]   = sum_n sum_p dy[n, o, p]
//             dW_g    = sum_n dy_ng cols_ng^T          [Og, P] x [P, K]
//             dcols_ng = W_g^T dy_ng                   [K, Og] x [Og, P]
//   from (1): each cols entry is a copy of one input pixel (or a constant 0), so its gradient
//             adds back to that pixel: dx_n = col2im(dcols_n), a scatter-add (one pixel feeds
//             up to kh*kw columns; padding entries are dropped).
// cols are recomputed in the backward rather than kept: one more im2col, N times less memory.

import { record } from '../autograd/engine.js';
import { ArgumentError, fmtShape, positiveInt, ShapeError } from '../errors.js';
import { type ConvGeometry, conv2dBackward, conv2dForward } from '../kernels/conv.js';
import { withDefaults } from '../options.js';
import { allocate, assertFloat, promote } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { reshape } from './shape.js';

/** An int for both axes or an [h, w] pair. */
export type Pair = number | readonly [number, number];
/** Zero padding: per axis on both sides, or 'valid' (none), or 'same' (output size = input size, stride 1). */
export type Padding = Pair | 'same' | 'valid';

/** Options of F.conv2d (torch's keyword arguments). */
export interface Conv2dOptions {
  /** Additive bias [O] (default none). */
  bias?: Tensor | null;
  /** Step between output pixels (default 1). */
  stride?: Pair;
  /** Zeros around the input (default 0). */
  padding?: Padding;
  /** Spacing between kernel taps (default 1). */
  dilation?: Pair;
  /** Split channels into independent groups; groups = C is depthwise (default 1). */
  groups?: number;
}

const DEFAULTS = {
  bias: null,
  stride: 1,
  padding: 0,
  dilation: 1,
  groups: 1,
} satisfies Required<Conv2dOptions>;

/** Validates an int-or-pair option as [h, w] integers >= min. */
export function toPair(op: string, name: string, v: Pair, min: number): [number, number] {
  if (!Array.isArray(v) && typeof v !== 'number') {
    throw new ArgumentError(`${op}: ${name} must be an int or an [h, w] pair, got ${JSON.stringify(v)}`);
  }
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if ((Array.isArray(v) && v.length !== 2) || p.some((d) => !Number.isInteger(d) || d < min)) {
    throw new ArgumentError(`${op}: ${name} must be integers >= ${min}, got ${JSON.stringify(v)}`);
  }
  return p;
}

/** [top, bottom, left, right] zero padding; 'same' puts the odd extra at the bottom/right, as torch. */
export function resolvePadding(
  op: string,
  padding: Padding,
  stride: readonly number[],
  dil: readonly number[],
  k: readonly number[],
): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) {
      throw new ArgumentError(`${op}: padding 'same' needs stride 1, got stride [${stride.join(',')}]`);
    }
    const out: number[] = [];
    for (let a = 0; a < 2; a++) {
      const total = dil[a] * (k[a] - 1);
      out.push(Math.floor(total / 2), total - Math.floor(total / 2));
    }
    return out;
  }
  if (typeof padding === 'string') {
    throw new ArgumentError(
      `${op}: padding must be an int, an [h, w] pair, 'same' or 'valid', got ${JSON.stringify(padding)}`,
    );
  }
  const [ph, pw] = toPair(op, 'padding', padding, 0);
  return [ph, ph, pw, pw];
}

/** Cross-correlates x with weight. x: [N, C, H, W] (or unbatched [C, H, W]), weight: [O, C/groups, kh, kw] -> [N, O, OH, OW]. */
export function conv2d(x: Tensor, weight: Tensor, options: Conv2dOptions = {}): Tensor {
  const opts = withDefaults(DEFAULTS, options, 'conv2d');
  assertFloat('conv2d', x.dtype);
  assertFloat('conv2d weight', weight.dtype);
  if (x.ndim === 3) {
    // unbatched [C, H, W], as torch: run as a batch of one
    const y = conv2d(reshape(x, [1, ...x.shape]), weight, options);
    return reshape(y, y.shape.slice(1));
  }
  if (x.ndim !== 4)
    throw new ShapeError(`conv2d: input must be [N, C, H, W] or [C, H, W], got ${fmtShape(x.shape)}`);
  if (weight.ndim !== 4)
    throw new ShapeError(`conv2d: weight must be [O, C/groups, kh, kw], got ${fmtShape(weight.shape)}`);
  const { bias, groups: G } = opts;
  const [N, C, H, W] = x.shape;
  const [O, Cg, kh, kw] = weight.shape;
  positiveInt('conv2d', 'groups', G);
  if (C % G !== 0) throw new ShapeError(`conv2d: input channels ${C} are not divisible by groups ${G}`);
  if (O % G !== 0)
    throw new ShapeError(
      `conv2d: output channels ${O} (dim 0 of weight ${fmtShape(weight.shape)}) are not divisible by groups ${G}`,
    );
  if (Cg * G !== C) {
    throw new ShapeError(
      `conv2d: input ${fmtShape(x.shape)} has ${C} channels, weight ${fmtShape(weight.shape)} expects ${Cg * G} (${Cg} per group x ${G} groups)`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== O)) {
    throw new ShapeError(
      `conv2d: bias ${fmtShape(bias.shape)} must be [${O}] to match weight ${fmtShape(weight.shape)}`,
    );
  }
  const [sh, sw] = toPair('conv2d', 'stride', opts.stride, 1);
  const [dh, dw] = toPair('conv2d', 'dilation', opts.dilation, 1);
  const [pt, pb, pl, pr] = resolvePadding('conv2d', opts.padding, [sh, sw], [dh, dw], [kh, kw]);
  const ekh = dh * (kh - 1) + 1;
  const ekw = dw * (kw - 1) + 1;
  if (ekh > H + pt + pb || ekw > W + pl + pr) {
    throw new ShapeError(
      `conv2d: kernel [${ekh},${ekw}] (dilated) is larger than the padded input [${H + pt + pb},${W + pl + pr}]`,
    );
  }
  const g: ConvGeometry = {
    N,
    C,
    H,
    W,
    O,
    G,
    kh,
    kw,
    sh,
    sw,
    pt,
    pl,
    dh,
    dw,
    OH: Math.floor((H + pt + pb - ekh) / sh) + 1,
    OW: Math.floor((W + pl + pr - ekw) / sw) + 1,
  };
  let dtype = promote(x.dtype, weight.dtype);
  if (bias) dtype = promote(dtype, bias.dtype);
  const out = allocate(dtype, N * O * g.OH * g.OW);
  conv2dForward(x.data, weight.data, bias?.data ?? null, g, out);
  const y = new Tensor(out, [N, O, g.OH, g.OW]);

  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(y, 'conv2d', inputs, (dy) => {
    const dx = x.requiresGrad ? allocate(x.dtype, x.size) : null;
    const dW = weight.requiresGrad ? allocate(weight.dtype, weight.size) : null;
    const db = bias?.requiresGrad ? new Float64Array(O) : null;
    conv2dBackward(x.data, weight.data, dy.data, g, dx, dW, db);
    const grads = [dx && new Tensor(dx, x.shape), dW && new Tensor(dW, weight.shape)];
    if (bias) grads.push(db && new Tensor(db, [O]).to(bias.dtype));
    return grads;
  });
}
