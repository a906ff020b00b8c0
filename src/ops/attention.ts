// Scaled dot-product attention as ONE graph node for q, k and v, with a hand-derived backward,
// plus the multi-head entry nn.MultiheadAttention runs on (heads read in place through strides).
// Dims: B batch, H heads, Lq queries, Lk keys, D query/key size, Dv value size, "..." any
// leading batch/head dims (broadcast between q, k and v as torch.matmul's batch dims).
//
// Masks are named by what they mean, because PyTorch's two attention APIs use opposite
// boolean conventions: blockMask true = may NOT attend (masked_fill(mask, -inf), the
// nn.MultiheadAttention convention), keepMask true = may attend (F.scaled_dot_product_attention's
// bool mask), bias = an additive float mask (-inf allowed). One of them per call.
//
// Forward, per head (row i = a query, column j = a key):
//   (1) S = scale Q K^T + M            M: 0 / -inf from a mask and isCausal, or the bias
//   (2) P_ij = exp(S_ij - m_i) / sum_j' exp(S_ij' - m_i),  m_i = max_j S_ij   (stable)
//       a row with every S_ij = -inf gets P_i = 0 by definition (not 0/0 = NaN)
//   (3) O = P V
// Backward, given dO = dL/dO (and dW = dL/dP when the returned weights are used downstream):
//   from (3): dV = P^T dO              O_ic = sum_j P_ij V_jc  =>  dL/dV_jc = sum_i P_ij dO_ic
//             dP = dO V^T + dW         dL/dP_ij = sum_c dO_ic V_jc
//   from (2): dP_ij'/dS_ij = P_ij' (delta_jj' - P_ij), so
//             dS_ij = sum_j' dP_ij' P_ij' (delta_jj' - P_ij) = P_ij (dP_ij - sum_j' dP_ij' P_ij')
//             one dot product per row; masked entries have P_ij = 0, hence dS_ij = 0, and a fully
//             masked row has dS_i = 0: its queries get a finite zero gradient
//   from (1): dQ = scale dS K,  dK = scale dS^T Q,  dM = dS (the bias gradient, summed where
//             the bias was broadcast)
// The kernels (src/kernels/attention.ts) run these per head on gemm, block by block of queries.

import { record } from '../autograd/engine.js';
import { ArgumentError, DTypeError, fmtShape, ShapeError } from '../errors.js';
import {
  type AttentionProblem,
  attentionBackward,
  attentionForward,
  type HeadOperand,
  type MaskOperand,
} from '../kernels/attention.js';
import { withDefaults } from '../options.js';
import { allocate, type FloatStorage, isFloat, type Storage } from '../tensor/dtype.js';
import { broadcastShapes, broadcastStrides, numel } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** Options of F.scaledDotProductAttention (one mask kind at most). */
export interface SdpaOptions {
  /** Bool, broadcastable to [..., Lq, Lk]: true = this key may NOT be attended (default none). */
  blockMask?: Tensor | null;
  /** Bool, broadcastable to [..., Lq, Lk]: true = this key MAY be attended (default none). */
  keepMask?: Tensor | null;
  /** Float, broadcastable to [..., Lq, Lk], added to the scaled scores; differentiable (default none). */
  bias?: Tensor | null;
  /** Hide key j from query i when j > i, top-left aligned; OR-ed with the mask (default false). */
  isCausal?: boolean;
  /** Score scale (default null = 1/sqrt(D)). */
  scale?: number | null;
  /** Return the attention probabilities (default true); false saves the [..., Lq, Lk] buffer. */
  needWeights?: boolean;
}

const DEFAULTS = {
  blockMask: null,
  keepMask: null,
  bias: null,
  isCausal: false,
  scale: null,
  needWeights: true,
} satisfies Required<SdpaOptions>;

/** output [..., Lq, Dv] and weights [..., Lq, Lk] (null when needWeights is false). */
export interface AttentionResult<W extends Tensor | null = Tensor> {
  output: Tensor;
  weights: W;
}

/** softmax(scale q k^T + mask) v. q: [..., Lq, D], k: [..., Lk, D], v: [..., Lk, Dv] -> output [..., Lq, Dv], weights [..., Lq, Lk]. */
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts?: SdpaOptions & { needWeights?: true },
): AttentionResult;
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts: SdpaOptions,
): AttentionResult<Tensor | null>;
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts: SdpaOptions = {},
): AttentionResult<Tensor | null> {
  const op = 'scaledDotProductAttention';
  checkQkv(op, q, k, v);
  if (q.ndim < 2 || k.ndim < 2 || v.ndim < 2) {
    const got = `${fmtShape(q.shape)}, ${fmtShape(k.shape)}, ${fmtShape(v.shape)}`;
    throw new ShapeError(`${op}: q, k and v must be [..., L, D], got ${got}`);
  }
  const [Lq, D] = q.shape.slice(-2);
  const [Lk, Dk] = k.shape.slice(-2);
  const [Lv, Dv] = v.shape.slice(-2);
  if (D !== Dk)
    throw new ShapeError(
      `${op}: q and k must end in the same size D (q ${fmtShape(q.shape)} vs k ${fmtShape(k.shape)})`,
    );
  if (Lk !== Lv)
    throw new ShapeError(
      `${op}: k and v must have the same length Lk (k ${fmtShape(k.shape)} vs v ${fmtShape(v.shape)})`,
    );
  let batch: number[];
  try {
    batch = broadcastShapes(
      op,
      broadcastShapes(op, q.shape.slice(0, -2), k.shape.slice(0, -2)),
      v.shape.slice(0, -2),
    );
  } catch {
    throw new ShapeError(
      `${op}: leading dims of q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)} and v ${fmtShape(v.shape)} do not broadcast`,
    );
  }
  // a contiguous [..., R, C] operand: matrix stride R*C per batch index, 0 where broadcast
  const lay = (t: Tensor) => ({
    strides: broadcastStrides(t.shape.slice(0, -2), batch).map(
      (s) => s * t.shape[t.ndim - 2] * t.shape[t.ndim - 1],
    ),
    rs: t.shape[t.ndim - 1],
  });
  const out = { strides: broadcastStrides(batch, batch).map((s) => s * Lq * Dv), rs: Dv };
  const layout = { batch, Lq, Lk, D, Dv, q: lay(q), k: lay(k), v: lay(v), out, outShape: [...batch, Lq, Dv] };
  return attend(op, q, k, v, layout, opts);
}

/**
 * The multi-head core of nn.MultiheadAttention: heads are column groups, read in place.
 * q: [B, Lq, H*D], k: [B, Lk, H*D], v: [B, Lk, H*Dv] -> output [B, Lq, H*Dv] (heads concatenated),
 * weights [B, H, Lq, Lk]; masks broadcast to [B, H, Lq, Lk].
 */
export function multiHeadAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  numHeads: number,
  opts: SdpaOptions,
): AttentionResult<Tensor | null> {
  const op = 'multiHeadAttention';
  checkQkv(op, q, k, v);
  const H = numHeads;
  const [B, Lq, HD] = q.shape;
  const [, Lk, HDv] = v.shape;
  const fits = [q, k, v].every((t) => t.ndim === 3 && t.shape[0] === B) && k.shape[1] === Lk;
  if (!fits || k.shape[2] !== HD || HD % H !== 0 || HDv % H !== 0) {
    const got = `${fmtShape(q.shape)}, ${fmtShape(k.shape)}, ${fmtShape(v.shape)}`;
    throw new ShapeError(
      `${op}: expected q [B,Lq,H*D], k [B,Lk,H*D], v [B,Lk,H*Dv] with H = ${H}, got ${got}`,
    );
  }
  // head h of batch b: columns h*W/H .. of rows b*L .. (row stride W): no transposed copies
  const heads = (L: number, W: number) => ({ strides: [L * W, W / H], rs: W });
  const [qh, kh, vh, out] = [heads(Lq, HD), heads(Lk, HD), heads(Lk, HDv), heads(Lq, HDv)];
  const layout = {
    batch: [B, H],
    Lq,
    Lk,
    D: HD / H,
    Dv: HDv / H,
    q: qh,
    k: kh,
    v: vh,
    out,
    outShape: [B, Lq, HDv],
  };
  return attend(op, q, k, v, layout, opts);
}

function checkQkv(op: string, q: Tensor, k: Tensor, v: Tensor): void {
  if (!isFloat(q.dtype) || q.dtype !== k.dtype || q.dtype !== v.dtype) {
    throw new DTypeError(
      `${op}: q, k and v must share one float dtype (got ${q.dtype}, ${k.dtype}, ${v.dtype})`,
    );
  }
}

/** Per-head matrix strides over the batch dims and the row stride (columns are contiguous). */
interface OperandLayout {
  strides: readonly number[];
  rs: number;
}

interface Layout {
  batch: readonly number[];
  Lq: number;
  Lk: number;
  D: number;
  Dv: number;
  q: OperandLayout;
  k: OperandLayout;
  v: OperandLayout;
  out: OperandLayout;
  outShape: readonly number[];
}

// Validates the options, runs the kernels and records the nodes (output, and weights when kept).
function attend(
  op: string,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  L: Layout,
  options: SdpaOptions,
): AttentionResult<Tensor | null> {
  const o = withDefaults(DEFAULTS, options, op);
  const given = (['blockMask', 'keepMask', 'bias'] as const).filter((name) => o[name] != null);
  if (given.length > 1)
    throw new ArgumentError(
      `${op}: pass at most one of blockMask, keepMask and bias (got ${given.join(' and ')})`,
    );
  if (typeof o.isCausal !== 'boolean')
    throw new ArgumentError(`${op}: isCausal must be a boolean, got ${String(o.isCausal)}`);
  if (o.scale !== null && !Number.isFinite(o.scale))
    throw new ArgumentError(`${op}: scale must be a finite number or null, got ${o.scale}`);
  const scoresShape = [...L.batch, L.Lq, L.Lk];
  let mask: MaskOperand | null = null;
  let bias: Tensor | null = null;
  if (given.length === 1) {
    const name = given[0];
    const t = o[name] as Tensor;
    if (name === 'bias' ? !isFloat(t.dtype) : t.dtype !== 'bool') {
      const want =
        name === 'bias'
          ? 'a float tensor (use blockMask or keepMask for a boolean mask)'
          : 'a bool tensor (use bias for an additive float mask)';
      throw new DTypeError(`${op}: ${name} must be ${want}, got ${t.dtype}`);
    }
    const fits =
      t.ndim <= scoresShape.length &&
      t.shape.every((d, i) => d === 1 || d === scoresShape[scoresShape.length - t.ndim + i]);
    if (!fits)
      throw new ShapeError(
        `${op}: ${name} ${fmtShape(t.shape)} does not broadcast to the scores ${fmtShape(scoresShape)} ([..., Lq, Lk])`,
      );
    const st = broadcastStrides(t.shape, scoresShape);
    const kind = name === 'blockMask' ? 'block' : name === 'keepMask' ? 'keep' : 'bias';
    const [rs, cs] = st.slice(-2);
    mask = { kind, data: t.data, offsets: headOffsets(L.batch, st.slice(0, -2)), rs, cs };
    if (name === 'bias') bias = t;
  }
  const view = (data: Storage, l: OperandLayout): HeadOperand => ({
    data,
    offsets: headOffsets(L.batch, l.strides),
    rs: l.rs,
  });
  const N = numel(L.batch);
  const [qv, kv, vv] = [view(q.data, L.q), view(k.data, L.k), view(v.data, L.v)];
  const scale = o.scale ?? 1 / Math.sqrt(L.D);
  const p: AttentionProblem = { ...L, N, q: qv, k: kv, v: vv, mask, causal: o.isCausal, scale };
  const out = allocate(q.dtype, numel(L.outShape));
  const w = o.needWeights ? (allocate(q.dtype, N * L.Lq * L.Lk) as FloatStorage) : null;
  attentionForward(p, view(out, L.out), w);

  const inputs = bias ? [q, k, v, bias] : [q, k, v];
  // one backward for both nodes: output's (dO given) and weights' (dW given)
  const backward = (dOut: HeadOperand | null, dW: Storage | null): (Tensor | null)[] => {
    const grad = (t: Tensor) => (t.requiresGrad ? allocate(t.dtype, t.size) : null);
    const dq = grad(q);
    const dk = grad(k);
    const dv = dOut !== null ? grad(v) : null; // the weights alone do not depend on v
    const db = bias ? grad(bias) : null;
    const dbias = db && mask && { ...mask, data: db };
    attentionBackward(p, dOut, dW, w, {
      dq: dq && view(dq, L.q),
      dk: dk && view(dk, L.k),
      dv: dv && view(dv, L.v),
      dbias,
    });
    const wrap = (d: Storage | null, t: Tensor) => (d ? new Tensor(d, t.shape) : null);
    const grads = [wrap(dq, q), wrap(dk, k), wrap(dv, v)];
    return bias ? [...grads, wrap(db, bias)] : grads;
  };
  const output = record(new Tensor(out, L.outShape), op, inputs, (g) => backward(view(g.data, L.out), null));
  const weights =
    w && record(new Tensor(w, scoresShape), `${op}Weights`, inputs, (g) => backward(null, g.data));
  return { output, weights };
}

// Flat offset of each batch index (row-major over `batch`), given per-dim strides.
function headOffsets(batch: readonly number[], strides: readonly number[]): number[] {
  let offs = [0];
  for (let d = 0; d < batch.length; d++) {
    const next: number[] = [];
    for (const t of offs) for (let c = 0; c < batch[d]; c++) next.push(t + c * strides[d]);
    offs = next;
  }
  return offs;
}
