// Fused scaled dot-product attention forward, f32 (flash-style: the scores of one block of
// query rows at a time, never the whole [Lq, Lk] unless the weights are asked for). Same
// semantics as attentionForward in src/kernels/attention.ts, which calls this first:
//
//   s_ij = scale q_i.k_j, then the mask: block (s = -inf where set), keep (-inf where unset)
//          or bias (s += b_ij); causal hides keys j > i (top-left aligned)
//   p_ij = exp(s_ij - m_i) / sum_j exp(s_ij - m_i),  m_i = max_j s_ij  (two-pass, stable)
//   o_i  = sum_j p_ij v_j
//   a row whose every key is masked (m_i = -inf) gets p = 0 and o = 0, never 0/0; NaN scores
//   stay NaN (they are not a mask), and such a row is NaN across, hidden keys included.
//
// Legend: N heads, Lq queries, Lk keys, D query/key size, Dv value size; QB = 8 query rows per
// block. One work item = (head n, block of QB rows); a thread runs a range of items.
//
// Rows in lanes: a block's scores are kept transposed, S^T [Lk, QB] (two f32x4 per key: rows
// 0-3 and 4-7), so the softmax statistics of all 8 rows are plain lane-wise vector ops (max,
// exp, sum: no horizontal reductions), and the causal mask is a lane compare j <= i0 + r.
// Both products use the 4 x 8 register tile of gemm.ts (attention-tiles.ts):
//   S^T[j0:j0+4, :] = K[j0:j0+4, :] Q_blk^T   splat of packed K (4 keys per d), Q^T rows loaded
//   O^T[c0:c0+4, :] = V[:, c0:c0+4]^T E^T     splat of V[j, c0+m] (read in place), E^T rows loaded
// K is packed once per head per thread (4-key panels, d-major), Q^T once per block; the O^T
// and weight tiles are transposed 4 x 4 in registers on the way out.
// Passes over a block's scores: the row max is taken as the score tiles are written (without
// a mask; a mask is applied first, then one max pass), then one pass of exp and sums. The
// 1 / sum is never applied to the scores: O^T's accumulators are scaled by it (rows are its
// lanes), and the weights, when wanted, are normalised as they are transposed out.
//
// Operands arrive as per-head tables of byte addresses (row 0 of each head) plus row strides,
// so split heads of a [B, L, H*D] projection and broadcast heads need no copies.

import { scores, storeTransposed, values, visible } from './attention-tiles';
import { expF32x4 } from './math';

const QB: i32 = 8;

// Descriptor, i32 words at `desc` (scale is an f32 at word 19).
const LQ = 0; // Lq, Lk, D, Dv
const Q_TAB = 4; // per-head byte-address tables: q, k, v, out, mask (i32 [N] each)
const Q_RS = 9; // row strides in elements: q, k, v, out
const M_KIND = 13; // 0 none, 1 block (u8), 2 keep (u8), 3 bias (f32)
const M_RS = 14; // mask row and column strides in elements
const CAUSAL = 16;
const WEIGHTS = 17; // byte address of weights [N, Lq, Lk], 0 = not wanted
const SCALE = 19;

// Per-block row statistics after S^T, v128 each (rows 0-3 then 4-7): max, 1/sum, fill.
const STATS_BYTES: i32 = 6 * 16;

/**
 * Scratch bytes one thread needs: packed K [Lk4, D], Q^T [D, 8], S^T [Lk4, 8] (Lk4 = Lk
 * rounded to 4), and the block's row statistics.
 */
export function attentionScratchBytes(Lk: i32, D: i32): i32 {
  const lk4 = (Lk + 3) & ~3;
  return (lk4 * D + D * QB + lk4 * QB) * 4 + STATS_BYTES;
}

/** Runs items [item0, item0 + items) of the attention described at `desc` (layout above). */
export function attentionF32(desc: usize, item0: i32, items: i32, scratch: usize): void {
  const Lq = load<i32>(desc + LQ * 4);
  const Lk = load<i32>(desc + (LQ + 1) * 4);
  const D = load<i32>(desc + (LQ + 2) * 4);
  const Dv = load<i32>(desc + (LQ + 3) * 4);
  const causal = load<i32>(desc + CAUSAL * 4);
  const weights = <usize>load<i32>(desc + WEIGHTS * 4);
  const scale = f32x4.splat(load<f32>(desc + SCALE * 4));
  const lk4 = (Lk + 3) & ~3;
  const pk = scratch;
  const qt = pk + <usize>(lk4 * D * 4);
  const st = qt + <usize>(D * QB * 4);
  const nb = (Lq + QB - 1) / QB;
  let head = -1;
  for (let it = item0; it < item0 + items; it++) {
    const n = it / nb;
    const i0 = (it % nb) * QB;
    const R = min(QB, Lq - i0);
    if (n != head) {
      packK(tab(desc, Q_TAB + 1, n), load<i32>(desc + (Q_RS + 1) * 4), Lk, D, pk);
      head = n;
    }
    const qrs = load<i32>(desc + Q_RS * 4);
    packQT(tab(desc, Q_TAB, n) + <usize>(i0 * qrs * 4), qrs, R, D, qt);
    // keys a causal block can see end at its last row; the rest are hidden for every row
    const jEnd = causal ? min(Lk, i0 + R) : Lk;
    const masked = load<i32>(desc + M_KIND * 4) != 0;
    const stats = st + <usize>(lk4 * QB * 4);
    // without a mask the max and the causal mask come with the scores; a mask goes first
    scores(pk, qt, D, jEnd, scale, st, masked ? 0 : causal, i0, stats);
    if (masked) {
      applyMask(desc, n, i0, R, jEnd, st);
      rowMax(st, jEnd, causal, i0, stats);
    }
    softmax(st, jEnd, Lk, stats);
    if (weights) storeWeights(st, Lk, R, weights + <usize>(((n * Lq + i0) * Lk) * 4), stats, causal, i0);
    const vrs = load<i32>(desc + (Q_RS + 2) * 4);
    const ors = load<i32>(desc + (Q_RS + 3) * 4);
    const out = tab(desc, Q_TAB + 3, n) + <usize>(i0 * ors * 4);
    values(st, tab(desc, Q_TAB + 2, n), vrs, Lk, Dv, R, out, ors, stats);
  }
}

// Byte address of row 0 of head n in table `word`.
// @ts-ignore: decorator
@inline
function tab(desc: usize, word: i32, n: i32): usize {
  return <usize>load<i32>(<usize>load<i32>(desc + <usize>word * 4) + <usize>n * 4);
}

// pk: panel p (keys 4p .. 4p+3) holds, for each d, K[4p+m, d] for m = 0..3 (zero past Lk).
function packK(k: usize, rs: i32, Lk: i32, D: i32, pk: usize): void {
  for (let j0 = 0; j0 < Lk; j0 += 4) {
    const m = min(4, Lk - j0);
    const row = k + <usize>(j0 * rs * 4);
    for (let d = 0; d < D; d++) {
      const p = row + <usize>d * 4;
      for (let i = 0; i < m; i++) store<f32>(pk + <usize>i * 4, load<f32>(p + <usize>(i * rs * 4)));
      for (let i = m; i < 4; i++) store<f32>(pk + <usize>i * 4, 0);
      pk += 16;
    }
  }
}

// qt[d, r] = q[r, d] for the R rows of the block (zero lanes past R: their scores are 0, unused).
function packQT(q: usize, rs: i32, R: i32, D: i32, qt: usize): void {
  if (R < QB) memory.fill(qt, 0, <usize>(D * QB * 4));
  for (let r = 0; r < R; r++) {
    const row = q + <usize>(r * rs * 4);
    for (let d = 0; d < D; d++) store<f32>(qt + <usize>((d * QB + r) * 4), load<f32>(row + <usize>d * 4));
  }
}

// The boolean mask or float bias, element by element: (i, j) of head n is at
// mTab[n] + (i * rs + j * cs) * (1 byte | 4 bytes). Only the block's R real rows are read.
function applyMask(desc: usize, n: i32, i0: i32, R: i32, jEnd: i32, st: usize): void {
  const kind = load<i32>(desc + M_KIND * 4);
  const rs = load<i32>(desc + M_RS * 4);
  const cs = load<i32>(desc + (M_RS + 1) * 4);
  const base = tab(desc, Q_TAB + 4, n);
  for (let r = 0; r < R; r++) {
    const i = i0 + r;
    for (let j = 0; j < jEnd; j++) {
      const p = st + <usize>((j * QB + r) * 4);
      const e = i * rs + j * cs;
      if (kind == 3) store<f32>(p, load<f32>(p) + load<f32>(base + <usize>e * 4));
      else {
        const set = load<u8>(base + <usize>e) != 0;
        if (set == (kind == 1)) store<f32>(p, -Infinity);
      }
    }
  }
}

// The row maxima over keys < jEnd after a mask was applied (under causal, hidden keys become
// -inf first, so a mask's +inf bias or NaN on them is never seen, as in TypeScript).
function rowMax(st: usize, jEnd: i32, causal: i32, i0: i32, stats: usize): void {
  const ninf = f32x4.splat(-Infinity);
  const rowA = i32x4(i0, i0 + 1, i0 + 2, i0 + 3);
  const rowB = i32x4.add(rowA, i32x4.splat(4));
  let ma = ninf, mb = ninf;
  for (let j = 0; j < jEnd; j++) {
    const p = st + <usize>(j * QB * 4);
    let a = v128.load(p);
    let b = v128.load(p, 16);
    if (causal) {
      a = v128.bitselect(a, ninf, visible(j, rowA));
      b = v128.bitselect(b, ninf, visible(j, rowB));
      v128.store(p, a);
      v128.store(p, b, 16);
    }
    ma = f32x4.pmax(ma, a);
    mb = f32x4.pmax(mb, b);
  }
  v128.store(stats, ma);
  v128.store(stats, mb, 16);
}

// e = exp(s - m) down each lane of st over keys < jEnd, in place, and the sums; keys jEnd .. Lk
// get the fill. stats: [max a, max b] in, [.., .., 1/sum a, 1/sum b, fill a, fill b] out.
// A fully masked lane (m = -inf) subtracts 0 instead, so its exps are 0 (or NaN), never
// -inf + inf; its 1/sum is 0, so its weights and output are 0. The fill is 0, except on a NaN
// row with every visible key masked (m = -inf, sum NaN), which is NaN across, as in TypeScript.
function softmax(st: usize, jEnd: i32, Lk: i32, stats: usize): void {
  const ninf = f32x4.splat(-Infinity);
  const zero = f32x4.splat(0);
  let ma = v128.load(stats);
  let mb = v128.load(stats, 16);
  const deadA = f32x4.eq(ma, ninf);
  const deadB = f32x4.eq(mb, ninf);
  ma = v128.bitselect(zero, ma, deadA);
  mb = v128.bitselect(zero, mb, deadB);
  let sa = zero, sb = zero;
  for (let j = 0; j < jEnd; j++) {
    const p = st + <usize>(j * QB * 4);
    const ea = expF32x4(f32x4.sub(v128.load(p), ma));
    const eb = expF32x4(f32x4.sub(v128.load(p, 16), mb));
    v128.store(p, ea);
    v128.store(p, eb, 16);
    sa = f32x4.add(sa, ea);
    sb = f32x4.add(sb, eb);
  }
  // the sum is >= 1 (the max's own term) unless the lane is fully masked (0) or NaN
  const one = f32x4.splat(1);
  v128.store(stats, v128.bitselect(zero, f32x4.div(one, sa), f32x4.eq(sa, zero)), 32);
  v128.store(stats, v128.bitselect(zero, f32x4.div(one, sb), f32x4.eq(sb, zero)), 48);
  const nan = f32x4.splat(NaN);
  const fa = v128.and(v128.and(deadA, f32x4.ne(sa, sa)), nan);
  const fb = v128.and(v128.and(deadB, f32x4.ne(sb, sb)), nan);
  v128.store(stats, fa, 64);
  v128.store(stats, fb, 80);
  for (let j = jEnd; j < Lk; j++) {
    const p = st + <usize>(j * QB * 4);
    v128.store(p, fa);
    v128.store(p, fb, 16);
  }
}

// weights[r, j] = e[j, r] / sum_r for the R rows of the block (w is row i0 of the head, stride
// Lk). Under causal a hidden key weighs the fill (0) even on a NaN row, where e / sum is NaN.
function storeWeights(st: usize, Lk: i32, R: i32, w: usize, stats: usize, causal: i32, i0: i32): void {
  const ld = <usize>Lk * 4;
  for (let h = 0; h < R; h += 4) {
    const rows = min(4, R - h);
    const dst = w + <usize>h * ld;
    const inv = v128.load(stats + <usize>(32 + h * 4));
    const fill = v128.load(stats + <usize>(64 + h * 4));
    const row = i32x4(i0 + h, i0 + h + 1, i0 + h + 2, i0 + h + 3);
    for (let j0 = 0; j0 < Lk; j0 += 4) {
      const cols = min(4, Lk - j0);
      const p = st + <usize>((j0 * QB + h) * 4);
      // keys past Lk are scratch rows (finite or NaN), never stored
      let a0 = f32x4.mul(v128.load(p), inv);
      let a1 = f32x4.mul(v128.load(p, 32), inv);
      let a2 = f32x4.mul(v128.load(p, 64), inv);
      let a3 = f32x4.mul(v128.load(p, 96), inv);
      if (causal) {
        a0 = v128.bitselect(a0, fill, visible(j0, row));
        a1 = v128.bitselect(a1, fill, visible(j0 + 1, row));
        a2 = v128.bitselect(a2, fill, visible(j0 + 2, row));
        a3 = v128.bitselect(a3, fill, visible(j0 + 3, row));
      }
      storeTransposed(a0, a1, a2, a3, dst + <usize>j0 * 4, ld, rows, cols);
    }
  }
}
