// Scaled dot-product attention over many heads, forward and backward, on the gemm kernel.
// Dims: N heads (the flattened batch), Lq queries, Lk keys, D query/key size, Dv value size,
// R the rows of one query block.
//
// Each head's operands are read in place through an offset and a row stride, so a [B, L, H*D]
// projection is split into heads without a transposed copy, and a broadcast batch dim is just
// two heads sharing an offset. Queries go in blocks of R rows (about BLOCK elements of scores):
// a block's scores S [R, Lk] live in a scratch, so memory beyond the outputs is O(BLOCK), not
// O(Lq * Lk), unless the caller asks for the weights (then S is written straight into them).
// Scratch has the inputs' dtype so gemm stays on one fast path (the wasm kernel takes float32
// or float64 products, not mixed ones); row sums are still accumulated in doubles.
// The math (the backward's derivation) is in src/ops/attention.ts, next to the graph node.

import type { FloatStorage, Storage } from '../tensor/dtype.js';
import { gemm } from './matmul.js';
import { attentionForwardWasm } from './wasm/attention.js';

const BLOCK = 1 << 16;

/** Row r, column c of head n is data[offsets[n] + r * rs + c]. */
export interface HeadOperand {
  data: Storage;
  offsets: readonly number[];
  rs: number;
}

/** A mask or bias read as [Lq, Lk] per head: element (i, j) of head n at offsets[n] + i*rs + j*cs. */
export interface MaskOperand {
  /** block: nonzero = may not attend; keep: nonzero = may attend; bias: added to the scores. */
  kind: 'block' | 'keep' | 'bias';
  data: Storage;
  offsets: readonly number[];
  rs: number;
  cs: number;
}

export interface AttentionProblem {
  N: number;
  Lq: number;
  Lk: number;
  D: number;
  Dv: number;
  q: HeadOperand;
  k: HeadOperand;
  v: HeadOperand;
  mask: MaskOperand | null;
  /** Hide key j from query i when j > i (top-left aligned). */
  causal: boolean;
  scale: number;
}

/** Where the backward writes: each is added into (layout of the matching input), null = not needed. */
export interface AttentionGrads {
  dq: HeadOperand | null;
  dk: HeadOperand | null;
  dv: HeadOperand | null;
  /** Same layout as the bias operand; broadcast positions accumulate, which is sumTo for free. */
  dbias: MaskOperand | null;
}

/**
 * out (head layout, overwritten) = softmax(scale q k^T + mask) v per head; when `weights`
 * ([N, Lq, Lk] contiguous) is given, the probabilities are stored there too.
 */
export function attentionForward(p: AttentionProblem, out: HeadOperand, weights: FloatStorage | null): void {
  if (attentionForwardWasm(p, out, weights)) return; // float32 or float64: the fused wasm kernel, threads
  const { N, Lq, Lk, Dv, v } = p;
  const QB = blockRows(p);
  const scratch = weights ? null : like(p, QB * Lk);
  const O = like(p, QB * Dv);
  for (let n = 0; n < N; n++) {
    for (let i0 = 0; i0 < Lq; i0 += QB) {
      const R = Math.min(QB, Lq - i0);
      const w0 = (n * Lq + i0) * Lk;
      const S = scratch ?? (weights as FloatStorage).subarray(w0, w0 + R * Lk);
      probs(p, n, i0, R, S);
      gemm(
        R,
        Dv,
        Lk,
        { data: S, off: 0, rs: Lk, cs: 1 },
        { data: v.data, off: v.offsets[n], rs: v.rs, cs: 1 },
        O,
        0,
        false,
      );
      scatter(O, R, Dv, out, n, i0, false);
    }
  }
}

/**
 * Adds the gradients of L = <dOut, output> + <dWeights, weights> into `grads`. P comes from
 * `weights` when the forward kept them, else it is recomputed block by block (same code, same
 * values). The formulas, derived in src/ops/attention.ts:
 *   dV = P^T dO,  dP = dO V^T + dW,  dS = P * (dP - rowsum(dP * P)),  dQ = scale dS K,  dK = scale dS^T Q
 */
export function attentionBackward(
  p: AttentionProblem,
  dOut: HeadOperand | null,
  dWeights: Storage | null,
  weights: FloatStorage | null,
  grads: AttentionGrads,
): void {
  const { N, Lq, Lk, D, Dv, q, k, v, scale } = p;
  const QB = blockRows(p);
  const S = weights ? null : like(p, QB * Lk);
  const G = like(p, QB * Lk); // dP, then dS in place
  const T = like(p, QB * D); // one block of dQ
  const dKh = like(p, Lk * D);
  const dVh = like(p, Lk * Dv);
  for (let n = 0; n < N; n++) {
    dKh.fill(0);
    dVh.fill(0);
    for (let i0 = 0; i0 < Lq; i0 += QB) {
      const R = Math.min(QB, Lq - i0);
      if (S) probs(p, n, i0, R, S);
      const P = S ? { data: S, off: 0 } : { data: weights as FloatStorage, off: (n * Lq + i0) * Lk };
      if (dOut) {
        const dO = { data: dOut.data, off: dOut.offsets[n] + i0 * dOut.rs, rs: dOut.rs, cs: 1 };
        // dV_h += P^T dO (the block's share of the sum over queries)
        if (grads.dv) gemm(Lk, Dv, R, { ...P, rs: 1, cs: Lk }, dO, dVh, 0, true);
        // dP = dO V^T
        gemm(R, Lk, Dv, dO, { data: v.data, off: v.offsets[n], rs: 1, cs: v.rs }, G, 0, false);
      } else G.fill(0);
      if (dWeights) {
        const w0 = (n * Lq + i0) * Lk;
        for (let t = 0; t < R * Lk; t++) G[t] += dWeights[w0 + t];
      }
      // dS = P * (dP - rowsum(dP * P)); a fully masked row has P = 0, so dS = 0 there
      const pd = P.data;
      const db = grads.dbias;
      for (let r = 0; r < R; r++) {
        const g0 = r * Lk;
        const p0 = P.off + r * Lk;
        let dot = 0;
        for (let j = 0; j < Lk; j++) dot += G[g0 + j] * pd[p0 + j];
        for (let j = 0; j < Lk; j++) {
          const ds = pd[p0 + j] * (G[g0 + j] - dot);
          if (db) db.data[db.offsets[n] + (i0 + r) * db.rs + j * db.cs] += ds; // dBias = dS
          G[g0 + j] = ds * scale; // S = scale q k^T: the chain rule's factor, applied once here
        }
      }
      const dS = { data: G, off: 0, rs: Lk, cs: 1 };
      if (grads.dq) {
        // dQ = scale dS K
        gemm(R, D, Lk, dS, { data: k.data, off: k.offsets[n], rs: k.rs, cs: 1 }, T, 0, false);
        scatter(T, R, D, grads.dq, n, i0, true);
      }
      // dK_h += scale dS^T Q (this block's queries)
      if (grads.dk)
        gemm(
          Lk,
          D,
          R,
          { ...dS, rs: 1, cs: Lk },
          { data: q.data, off: q.offsets[n] + i0 * q.rs, rs: q.rs, cs: 1 },
          dKh,
          0,
          true,
        );
    }
    if (grads.dk) scatter(dKh, Lk, D, grads.dk, n, 0, true);
    if (grads.dv) scatter(dVh, Lk, Dv, grads.dv, n, 0, true);
  }
}

// Query rows per block: the whole head when its scores fit in BLOCK elements (fewer, larger
// gemm calls), else as many rows as fit, at least 16.
function blockRows(p: AttentionProblem): number {
  return Math.max(1, Math.min(p.Lq, Math.max(16, Math.floor(BLOCK / Math.max(p.Lk, 1)))));
}

// A zeroed scratch array in the dtype of the inputs.
function like(p: AttentionProblem, n: number): FloatStorage {
  return p.q.data instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

// S[R, Lk] = softmax over keys of (scale q_i k^T + mask) for queries i0 .. i0+R-1 of head n.
// Stable (the row max is subtracted); a row with every key masked becomes zeros, not 0/0.
function probs(p: AttentionProblem, n: number, i0: number, R: number, S: FloatStorage): void {
  const { Lk, D, q, k, mask, causal, scale } = p;
  // S = Q_blk K^T; K^T is K read with swapped strides
  gemm(
    R,
    Lk,
    D,
    { data: q.data, off: q.offsets[n] + i0 * q.rs, rs: q.rs, cs: 1 },
    { data: k.data, off: k.offsets[n], rs: 1, cs: k.rs },
    S,
    0,
    false,
  );
  const kind = mask === null ? 0 : mask.kind === 'block' ? 1 : mask.kind === 'keep' ? 2 : 3;
  const md = mask?.data;
  const cs = mask?.cs ?? 0;
  for (let r = 0; r < R; r++) {
    const i = i0 + r;
    const base = r * Lk;
    const end = base + (causal ? Math.min(i + 1, Lk) : Lk); // keys past `end` are causally hidden
    let mo = mask ? mask.offsets[n] + i * mask.rs : 0;
    let m = Number.NEGATIVE_INFINITY;
    for (let t = base; t < end; t++, mo += cs) {
      let s = S[t] * scale;
      if (kind === 1) s = md![mo] ? Number.NEGATIVE_INFINITY : s;
      else if (kind === 2) s = md![mo] ? s : Number.NEGATIVE_INFINITY;
      else if (kind === 3) s += md![mo];
      S[t] = s;
      if (s > m) m = s;
    }
    const rowEnd = base + Lk;
    if (m === Number.NEGATIVE_INFINITY) {
      // every key masked (or NaN scores, which must stay visible): weights 0, output 0
      let nan = false;
      for (let t = base; t < end; t++) if (Number.isNaN(S[t])) nan = true;
      S.fill(nan ? Number.NaN : 0, base, rowEnd);
      continue;
    }
    let sum = 0;
    for (let t = base; t < end; t++) {
      const e = Math.exp(S[t] - m);
      S[t] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let t = base; t < end; t++) S[t] *= inv;
    S.fill(0, end, rowEnd);
  }
}

// Writes (or adds) a contiguous [R, C] block into rows i0.. of head n of `dst`.
function scatter(
  src: FloatStorage,
  R: number,
  C: number,
  dst: HeadOperand,
  n: number,
  i0: number,
  add: boolean,
): void {
  const d = dst.data;
  for (let r = 0; r < R; r++) {
    const o = dst.offsets[n] + (i0 + r) * dst.rs;
    const s = r * C;
    if (add) for (let c = 0; c < C; c++) d[o + c] += src[s + c];
    else for (let c = 0; c < C; c++) d[o + c] = src[s + c];
  }
}
