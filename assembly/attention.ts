// Fused scaled dot-product attention forward, one generic body for f32 (f32x4) and f64
// (f64x2) (flash-style: the scores of one block of query rows at a time, never the whole
// [Lq, Lk] unless the weights are asked for). Same semantics as attentionForward in
// src/kernels/attention.ts, which calls this first:
//
//   s_ij = scale q_i.k_j, then the mask: block (s = -inf where set), keep (-inf where unset)
//          or bias (s += b_ij); causal hides keys j > i (top-left aligned)
//   p_ij = exp(s_ij - m_i) / sum_j exp(s_ij - m_i),  m_i = max_j s_ij  (two-pass, stable)
//   o_i  = sum_j p_ij v_j
//   a row whose every key is masked (m_i = -inf) gets p = 0 and o = 0, never 0/0; NaN scores
//   stay NaN (they are not a mask), and such a row is NaN across, hidden keys included.
// Everything (dot products, sums, exp) is computed in the element type.
//
// Legend: N heads, Lq queries, Lk keys, D query/key size, Dv value size; QB query rows per
// block, two v128 of them: 8 f32 or 4 f64 (L = 4 or 2 lanes per v128). One work item =
// (head n, block of QB rows); a thread runs a range of items.
//
// Rows in lanes: a block's scores are kept transposed, S^T [Lk, QB] (two v128 per key: rows
// 0 .. L-1 and L .. QB-1, 32 bytes either way), so the softmax statistics of all QB rows are
// plain lane-wise vector ops (max, exp, sum: no horizontal reductions), and the causal mask
// is a lane compare j <= i0 + r. Both products use the 4 x 32-byte register tile of gemm.ts
// (attention-tiles.ts):
//   S^T[j0:j0+4, :] = K[j0:j0+4, :] Q_blk^T   splat of packed K (4 keys per d), Q^T rows loaded
//   O^T[c0:c0+4, :] = V[:, c0:c0+4]^T E^T     splat of V[j, c0+m] (read in place), E^T rows loaded
// K is packed once per head per thread (4-key panels, d-major), Q^T once per block; the O^T
// and weight tiles are transposed in registers on the way out.
// Passes over a block's scores: the row max is taken as the score tiles are written (without
// a mask; a mask is applied first, then one max pass), then one pass of exp and sums. The
// 1 / sum is never applied to the scores: O^T's accumulators are scaled by it (rows are its
// lanes), and the weights, when wanted, are normalised as they are transposed out.
//
// Operands arrive as per-head tables of byte addresses (row 0 of each head) plus row strides,
// so split heads of a [B, L, H*D] projection and broadcast heads need no copies.

import { ROW, rowLanes, scores, storeTransposed, values, visible } from './attention-tiles';
import { expF64x2, expNonPosF32x4 } from './math';

// Descriptor, i32 words at `desc` (the scale is an f64 at words 18-19).
const LQ = 0; // Lq, Lk, D, Dv
const Q_TAB = 4; // per-head byte-address tables: q, k, v, out, mask (i32 [N] each)
const Q_RS = 9; // row strides in elements: q, k, v, out
const M_KIND = 13; // 0 none, 1 block (u8), 2 keep (u8), 3 bias (the element type)
const M_RS = 14; // mask row and column strides in elements
const CAUSAL = 16;
const WEIGHTS = 17; // byte address of weights [N, Lq, Lk], 0 = not wanted
const SCALE = 18;

// Per-block row statistics after S^T, v128 each (rows a then b): max, 1/sum, fill.
const STATS_BYTES: i32 = 6 * 16;

/**
 * Scratch bytes one thread needs, elements of `bytes` (4 or 8): packed K [Lk4, D], Q^T [D, QB],
 * S^T [Lk4, QB] (Lk4 = Lk rounded to 4), and the block's row statistics.
 */
export function attentionScratchBytes(Lk: i32, D: i32, bytes: i32): i32 {
  const lk4 = (Lk + 3) & ~3;
  return lk4 * D * bytes + (D + lk4) * ROW + STATS_BYTES;
}

/** f32: runs items [item0, item0 + items) of the attention described at `desc` (layout above). */
export function attentionF32(desc: usize, item0: i32, items: i32, scratch: usize): void {
  attention<f32>(desc, item0, items, scratch);
}

/** f64: runs items [item0, item0 + items) of the attention described at `desc` (layout above). */
export function attentionF64(desc: usize, item0: i32, items: i32, scratch: usize): void {
  attention<f64>(desc, item0, items, scratch);
}

// @ts-ignore: decorator
@inline
function attention<T>(desc: usize, item0: i32, items: i32, scratch: usize): void {
  const sz = <i32>sizeof<T>();
  const QB = ROW / sz;
  const Lq = load<i32>(desc + LQ * 4);
  const Lk = load<i32>(desc + (LQ + 1) * 4);
  const D = load<i32>(desc + (LQ + 2) * 4);
  const Dv = load<i32>(desc + (LQ + 3) * 4);
  const causal = load<i32>(desc + CAUSAL * 4);
  const weights = <usize>load<i32>(desc + WEIGHTS * 4);
  const scale = v128.splat<T>(<T>load<f64>(desc + SCALE * 4));
  const lk4 = (Lk + 3) & ~3;
  const pk = scratch;
  const qt = pk + <usize>(lk4 * D * sz);
  const st = qt + <usize>(D * ROW);
  const nb = (Lq + QB - 1) / QB;
  let head = -1;
  for (let it = item0; it < item0 + items; it++) {
    const n = it / nb;
    const i0 = (it % nb) * QB;
    const R = min(QB, Lq - i0);
    if (n != head) {
      packK<T>(tab(desc, Q_TAB + 1, n), load<i32>(desc + (Q_RS + 1) * 4), Lk, D, pk);
      head = n;
    }
    const qrs = load<i32>(desc + Q_RS * 4);
    packQT<T>(tab(desc, Q_TAB, n) + <usize>(i0 * qrs * sz), qrs, R, D, qt);
    // keys a causal block can see end at its last row; the rest are hidden for every row
    const jEnd = causal ? min(Lk, i0 + R) : Lk;
    const masked = load<i32>(desc + M_KIND * 4) != 0;
    const stats = st + <usize>(lk4 * ROW);
    // without a mask the max and the causal mask come with the scores; a mask goes first
    scores<T>(pk, qt, D, jEnd, scale, st, masked ? 0 : causal, i0, stats);
    if (masked) {
      applyMask<T>(desc, n, i0, R, jEnd, st);
      rowMax<T>(st, jEnd, causal, i0, stats);
    }
    softmax<T>(st, jEnd, Lk, stats);
    if (weights) storeWeights<T>(st, Lk, R, weights + <usize>(((n * Lq + i0) * Lk) * sz), stats, causal, i0);
    const vrs = load<i32>(desc + (Q_RS + 2) * 4);
    const ors = load<i32>(desc + (Q_RS + 3) * 4);
    const out = tab(desc, Q_TAB + 3, n) + <usize>(i0 * ors * sz);
    values<T>(st, tab(desc, Q_TAB + 2, n), vrs, Lk, Dv, R, out, ors, stats);
  }
}

// Byte address of row 0 of head n in table `word`.
// @ts-ignore: decorator
@inline
function tab(desc: usize, word: i32, n: i32): usize {
  return <usize>load<i32>(<usize>load<i32>(desc + <usize>word * 4) + <usize>n * 4);
}

// e^x lane-wise in the element type.
// @ts-ignore: decorator
@inline
function expV<T>(x: v128): v128 {
  if (sizeof<T>() == 4) return expNonPosF32x4(x);
  return expF64x2(x);
}

// pk: panel p (keys 4p .. 4p+3) holds, for each d, K[4p+m, d] for m = 0..3 (zero past Lk).
function packK<T>(k: usize, rs: i32, Lk: i32, D: i32, pk: usize): void {
  const sz = <i32>sizeof<T>();
  for (let j0 = 0; j0 < Lk; j0 += 4) {
    const m = min(4, Lk - j0);
    const row = k + <usize>(j0 * rs * sz);
    for (let d = 0; d < D; d++) {
      const p = row + <usize>(d * sz);
      for (let i = 0; i < m; i++) store<T>(pk + <usize>(i * sz), load<T>(p + <usize>(i * rs * sz)));
      for (let i = m; i < 4; i++) store<T>(pk + <usize>(i * sz), <T>0);
      pk += <usize>(4 * sz);
    }
  }
}

// qt[d, r] = q[r, d] for the R rows of the block (zero lanes past R: their scores are 0, unused).
function packQT<T>(q: usize, rs: i32, R: i32, D: i32, qt: usize): void {
  const sz = <i32>sizeof<T>();
  if (R < ROW / sz) memory.fill(qt, 0, <usize>(D * ROW));
  for (let r = 0; r < R; r++) {
    const row = q + <usize>(r * rs * sz);
    for (let d = 0; d < D; d++) store<T>(qt + <usize>(d * ROW + r * sz), load<T>(row + <usize>(d * sz)));
  }
}

// The boolean mask or float bias, element by element: (i, j) of head n is at
// mTab[n] + (i * rs + j * cs) * (1 byte | element size). Only the block's R real rows are read.
function applyMask<T>(desc: usize, n: i32, i0: i32, R: i32, jEnd: i32, st: usize): void {
  const sz = <i32>sizeof<T>();
  const kind = load<i32>(desc + M_KIND * 4);
  const rs = load<i32>(desc + M_RS * 4);
  const cs = load<i32>(desc + (M_RS + 1) * 4);
  const base = tab(desc, Q_TAB + 4, n);
  for (let r = 0; r < R; r++) {
    const i = i0 + r;
    for (let j = 0; j < jEnd; j++) {
      const p = st + <usize>(j * ROW + r * sz);
      const e = i * rs + j * cs;
      if (kind == 3) store<T>(p, load<T>(p) + load<T>(base + <usize>(e * sz)));
      else {
        const set = load<u8>(base + <usize>e) != 0;
        if (set == (kind == 1)) store<T>(p, <T>-Infinity);
      }
    }
  }
}

// The row maxima over keys < jEnd after a mask was applied (under causal, hidden keys become
// -inf first, so a mask's +inf bias or NaN on them is never seen, as in TypeScript).
function rowMax<T>(st: usize, jEnd: i32, causal: i32, i0: i32, stats: usize): void {
  const ninf = v128.splat<T>(<T>-Infinity);
  const rowA = rowLanes<T>(i0);
  const rowB = rowLanes<T>(i0 + <i32>(16 / sizeof<T>()));
  let ma = ninf, mb = ninf;
  for (let j = 0; j < jEnd; j++) {
    const p = st + <usize>(j * ROW);
    let a = v128.load(p);
    let b = v128.load(p, 16);
    if (causal) {
      a = v128.bitselect(a, ninf, visible<T>(j, rowA));
      b = v128.bitselect(b, ninf, visible<T>(j, rowB));
      v128.store(p, a);
      v128.store(p, b, 16);
    }
    ma = v128.pmax<T>(ma, a);
    mb = v128.pmax<T>(mb, b);
  }
  v128.store(stats, ma);
  v128.store(stats, mb, 16);
}

// e = exp(s - m) down each lane of st over keys < jEnd, in place, and the sums; keys jEnd .. Lk
// get the fill. stats: [max a, max b] in, [.., .., 1/sum a, 1/sum b, fill a, fill b] out.
// A fully masked lane (m = -inf) subtracts 0 instead, so its exps are 0 (or NaN), never
// -inf + inf; its 1/sum is 0, so its weights and output are 0. The fill is 0, except on a NaN
// row with every visible key masked (m = -inf, sum NaN), which is NaN across, as in TypeScript.
function softmax<T>(st: usize, jEnd: i32, Lk: i32, stats: usize): void {
  const ninf = v128.splat<T>(<T>-Infinity);
  const zero = v128.splat<T>(<T>0);
  let ma = v128.load(stats);
  let mb = v128.load(stats, 16);
  const deadA = v128.eq<T>(ma, ninf);
  const deadB = v128.eq<T>(mb, ninf);
  ma = v128.bitselect(zero, ma, deadA);
  mb = v128.bitselect(zero, mb, deadB);
  let sa = zero, sb = zero;
  for (let j = 0; j < jEnd; j++) {
    const p = st + <usize>(j * ROW);
    const ea = expV<T>(v128.sub<T>(v128.load(p), ma));
    const eb = expV<T>(v128.sub<T>(v128.load(p, 16), mb));
    v128.store(p, ea);
    v128.store(p, eb, 16);
    sa = v128.add<T>(sa, ea);
    sb = v128.add<T>(sb, eb);
  }
  // the sum is >= 1 (the max's own term) unless the lane is fully masked (0) or NaN
  const one = v128.splat<T>(<T>1);
  v128.store(stats, v128.bitselect(zero, v128.div<T>(one, sa), v128.eq<T>(sa, zero)), 32);
  v128.store(stats, v128.bitselect(zero, v128.div<T>(one, sb), v128.eq<T>(sb, zero)), 48);
  const nan = v128.splat<T>(<T>NaN);
  const fa = v128.and(v128.and(deadA, v128.ne<T>(sa, sa)), nan);
  const fb = v128.and(v128.and(deadB, v128.ne<T>(sb, sb)), nan);
  v128.store(stats, fa, 64);
  v128.store(stats, fb, 80);
  for (let j = jEnd; j < Lk; j++) {
    const p = st + <usize>(j * ROW);
    v128.store(p, fa);
    v128.store(p, fb, 16);
  }
}

// weights[r, j] = e[j, r] / sum_r for the R rows of the block (w is row i0 of the head, stride
// Lk), L rows (one v128 of lanes) at a time. Under causal a hidden key weighs the fill (0) even
// on a NaN row, where e / sum is NaN.
function storeWeights<T>(st: usize, Lk: i32, R: i32, w: usize, stats: usize, causal: i32, i0: i32): void {
  const sz = <i32>sizeof<T>();
  const L = 16 / sz;
  const ld = <usize>(Lk * sz);
  for (let h = 0; h < R; h += L) {
    const rows = min(L, R - h);
    const dst = w + <usize>h * ld;
    const inv = v128.load(stats + <usize>(32 + h * sz));
    const fill = v128.load(stats + <usize>(64 + h * sz));
    const row = rowLanes<T>(i0 + h);
    for (let j0 = 0; j0 < Lk; j0 += 4) {
      const cols = min(4, Lk - j0);
      const p = st + <usize>(j0 * ROW + h * sz);
      // keys past Lk are scratch rows (finite or NaN), never stored
      let a0 = v128.mul<T>(v128.load(p), inv);
      let a1 = v128.mul<T>(v128.load(p, 32), inv);
      let a2 = v128.mul<T>(v128.load(p, 64), inv);
      let a3 = v128.mul<T>(v128.load(p, 96), inv);
      if (causal) {
        a0 = v128.bitselect(a0, fill, visible<T>(j0, row));
        a1 = v128.bitselect(a1, fill, visible<T>(j0 + 1, row));
        a2 = v128.bitselect(a2, fill, visible<T>(j0 + 2, row));
        a3 = v128.bitselect(a3, fill, visible<T>(j0 + 3, row));
      }
      storeTransposed<T>(a0, a1, a2, a3, dst + <usize>(j0 * sz), ld, rows, cols);
    }
  }
}
