// The masks nn.MultiheadAttention takes, as torch takes them, turned into the one mask operand
// of the attention op. Bool masks: true = this key may not be attended; float masks are added
// to the scores. Dims: B batch, H heads, Lq / Lk query / key lengths.

import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import { where } from '../ops/compare.js';
import { pad } from '../ops/pad.js';
import { reshape } from '../ops/shape.js';
import { zeros } from '../tensor/create.js';
import { type DType, isFloat } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/** The mask options of one forward call. */
export interface MaskInputs {
  keyPaddingMask: Tensor | null;
  attnMask: Tensor | null;
  isCausal: boolean;
}

/** One mask operand of the attention op, or null, and whether its causal flag still applies. */
export interface AttentionMask {
  mask: { blockMask: Tensor } | { bias: Tensor } | null;
  causal: boolean;
}

/**
 * keyPaddingMask [B, Lk] ([Lk] unbatched) and attnMask [Lq, Lk] or [B*H, Lq, Lk], checked and
 * combined over [B, H, Lq, Lk + extra]: the `extra` key positions appended after the projection
 * (bias_k / bias_v, zeros) get unmasked columns, as torch pads its masks for them.
 */
export function attentionMask(
  name: string,
  o: MaskInputs,
  dims: { B: number; H: number; Lq: number; Lk: number; unbatched: boolean },
  extra: number,
  dtype: DType,
): AttentionMask {
  const { B, H, Lq, Lk, unbatched } = dims;
  const widen = (t: Tensor) => (extra > 0 ? pad(t, [0, extra]) : t); // false / 0 columns
  const parts: Tensor[] = [];
  const kpm = o.keyPaddingMask;
  if (kpm) {
    checkMask(name, 'keyPaddingMask', kpm, [unbatched ? [Lk] : [B, Lk]]);
    parts.push(widen(reshape(kpm, [B, 1, 1, Lk])));
  }
  const am = o.attnMask;
  if (am) {
    checkMask(name, 'attnMask', am, [
      [Lq, Lk],
      [B * H, Lq, Lk],
    ]);
    parts.push(widen(reshape(am, am.ndim === 2 ? [1, 1, Lq, Lk] : [B, H, Lq, Lk])));
  }
  // the kernel's causal flag would also hide the appended keys: spell the mask out instead
  if (o.isCausal && extra > 0) parts.push(widen(causalMask(Lq, Lk)));
  const causal = o.isCausal && extra === 0;
  if (parts.length === 0) return { mask: null, causal };
  // all-bool masks are OR-ed into one blockMask; with any float mask, bool ones become -inf and all are added
  if (parts.every((t) => t.dtype === 'bool'))
    return { mask: { blockMask: parts.reduce((a, b) => a.logicalOr(b)) }, causal };
  const add = parts.map((t) =>
    t.dtype === 'bool' ? where(t, Number.NEGATIVE_INFINITY, 0).to(dtype) : t.to(dtype),
  );
  return { mask: { bias: add.reduce((a, b) => a.add(b)) }, causal };
}

// [1, 1, Lq, Lk] bool: key j hidden from query i when j > i.
function causalMask(Lq: number, Lk: number): Tensor {
  const m = zeros([1, 1, Lq, Lk], { dtype: 'bool' });
  for (let i = 0; i < Lq; i++) for (let j = i + 1; j < Lk; j++) m.data[i * Lk + j] = 1;
  return m;
}

function checkMask(name: string, arg: string, t: Tensor, shapes: number[][]): void {
  if (t.dtype !== 'bool' && !isFloat(t.dtype))
    throw new DTypeError(`${name}: ${arg} must be bool or float, got ${t.dtype}`);
  if (!shapes.some((s) => s.length === t.ndim && s.every((d, i) => d === t.shape[i]))) {
    throw new ShapeError(
      `${name}: ${arg} has shape ${fmtShape(t.shape)}, expected ${shapes.map(fmtShape).join(' or ')}`,
    );
  }
}
