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
// Both products use the 4 x 8 register tile of gemm.ts (8 accumulators):
//   S^T[j0:j0+4, :] = K[j0:j0+4, :] Q_blk^T   splat of packed K (4 keys per d), Q^T rows loaded
//   O^T[c0:c0+4, :] = V[:, c0:c0+4]^T P^T     splat of V[j, c0+m] (read in place), P^T rows loaded
// K is packed once per head per thread (4-key panels, d-major), Q^T once per block; the O^T
// and weight tiles are transposed 4 x 4 in registers on the way out.
//
// Operands arrive as per-head tables of byte addresses (row 0 of each head) plus row strides,
// so split heads of a [B, L, H*D] projection and broadcast heads need no copies.

import { expF32x4, madd } from './math';

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

/** Scratch bytes one thread needs: packed K [Lk4, D], Q^T [D, 8], S^T [Lk4, 8] (Lk4 = Lk rounded to 4). */
export function attentionScratchBytes(Lk: i32, D: i32): i32 {
  const lk4 = (Lk + 3) & ~3;
  return (lk4 * D + D * QB + lk4 * QB) * 4;
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
    scores(pk, qt, D, (jEnd + 3) & ~3, scale, st);
    if (load<i32>(desc + M_KIND * 4)) applyMask(desc, n, i0, R, jEnd, st);
    softmax(st, jEnd, Lk, causal, i0);
    if (weights) storeWeights(st, Lk, R, weights + <usize>(((n * Lq + i0) * Lk) * 4));
    const vrs = load<i32>(desc + (Q_RS + 2) * 4);
    const ors = load<i32>(desc + (Q_RS + 3) * 4);
    const out = tab(desc, Q_TAB + 3, n) + <usize>(i0 * ors * 4);
    values(st, tab(desc, Q_TAB + 2, n), vrs, Lk, Dv, R, out, ors);
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

// st[j, :] = scale * K[j, :] Q_blk^T for j < jn (a multiple of 4), one 4-key tile at a time.
function scores(pk: usize, qt: usize, D: i32, jn: i32, scale: v128, st: usize): void {
  for (let j0 = 0; j0 < jn; j0 += 4) {
    let pa = pk + <usize>(j0 * D * 4);
    let pb = qt;
    let c0a = f32x4.splat(0), c0b = c0a, c1a = c0a, c1b = c0a;
    let c2a = c0a, c2b = c0a, c3a = c0a, c3b = c0a;
    for (let d = 0; d < D; d++) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      let x = v128.load32_splat(pa);
      c0a = madd<f32>(x, b0, c0a);
      c0b = madd<f32>(x, b1, c0b);
      x = v128.load32_splat(pa, 4);
      c1a = madd<f32>(x, b0, c1a);
      c1b = madd<f32>(x, b1, c1b);
      x = v128.load32_splat(pa, 8);
      c2a = madd<f32>(x, b0, c2a);
      c2b = madd<f32>(x, b1, c2b);
      x = v128.load32_splat(pa, 12);
      c3a = madd<f32>(x, b0, c3a);
      c3b = madd<f32>(x, b1, c3b);
      pa += 16;
      pb += 32;
    }
    const s = st + <usize>(j0 * QB * 4);
    v128.store(s, f32x4.mul(c0a, scale));
    v128.store(s, f32x4.mul(c0b, scale), 16);
    v128.store(s, f32x4.mul(c1a, scale), 32);
    v128.store(s, f32x4.mul(c1b, scale), 48);
    v128.store(s, f32x4.mul(c2a, scale), 64);
    v128.store(s, f32x4.mul(c2b, scale), 80);
    v128.store(s, f32x4.mul(c3a, scale), 96);
    v128.store(s, f32x4.mul(c3b, scale), 112);
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

// Softmax down each lane of st over keys j < jEnd, in place; keys jEnd .. Lk get the fill.
// Under causal, lane r hides keys j > i0 + r: -inf before the max, so they weigh exactly 0.
// The fill of hidden keys is 0, except on a NaN row with every visible key masked (m = -inf,
// sum NaN), which is NaN across, as in the TypeScript kernel.
function softmax(st: usize, jEnd: i32, Lk: i32, causal: i32, i0: i32): void {
  const ninf = f32x4.splat(-Infinity);
  const zero = f32x4.splat(0);
  const rowA = i32x4(i0, i0 + 1, i0 + 2, i0 + 3);
  const rowB = i32x4.add(rowA, i32x4.splat(4));
  let ma = ninf, mb = ninf;
  for (let j = 0; j < jEnd; j++) {
    const p = st + <usize>(j * QB * 4);
    let a = v128.load(p);
    let b = v128.load(p, 16);
    if (causal) {
      const jv = i32x4.splat(j);
      a = v128.bitselect(a, ninf, i32x4.le_s(jv, rowA));
      b = v128.bitselect(b, ninf, i32x4.le_s(jv, rowB));
      v128.store(p, a);
      v128.store(p, b, 16);
    }
    // pmax keeps m when the score is NaN (m < NaN is false): NaN is left to the exp below
    ma = f32x4.pmax(ma, a);
    mb = f32x4.pmax(mb, b);
  }
  // a fully masked lane subtracts 0 instead of -inf, so its exps are 0 (or NaN), never -inf+inf
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
  const ia = v128.bitselect(zero, f32x4.div(one, sa), f32x4.eq(sa, zero));
  const ib = v128.bitselect(zero, f32x4.div(one, sb), f32x4.eq(sb, zero));
  const nan = f32x4.splat(NaN);
  const fa = v128.and(v128.and(deadA, f32x4.ne(sa, sa)), nan);
  const fb = v128.and(v128.and(deadB, f32x4.ne(sb, sb)), nan);
  for (let j = 0; j < jEnd; j++) {
    const p = st + <usize>(j * QB * 4);
    let a = f32x4.mul(v128.load(p), ia);
    let b = f32x4.mul(v128.load(p, 16), ib);
    if (causal) {
      // a hidden key weighs 0 even on a NaN row (NaN * 0 would say otherwise), as in TypeScript
      const jv = i32x4.splat(j);
      a = v128.bitselect(a, fa, i32x4.le_s(jv, rowA));
      b = v128.bitselect(b, fb, i32x4.le_s(jv, rowB));
    }
    v128.store(p, a);
    v128.store(p, b, 16);
  }
  for (let j = jEnd; j < Lk; j++) {
    const p = st + <usize>(j * QB * 4);
    v128.store(p, fa);
    v128.store(p, fb, 16);
  }
}

// 4 x 4 transpose: lanes of a0..a3 are rows r, the vectors columns; returns rows.
// @ts-ignore: decorator
@inline
function unpackLo(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(a, b, 0, 4, 1, 5);
}
// @ts-ignore: decorator
@inline
function unpackHi(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(a, b, 2, 6, 3, 7);
}

// Stores the 4 rows of the 4 x 4 block whose columns are a0..a3 (lanes = rows) at dst,
// dst + ld, ...: `rows` rows (<= 4) of `cols` values (<= 4; full v128 stores when 4).
// @ts-ignore: decorator
@inline
function storeTransposed(a0: v128, a1: v128, a2: v128, a3: v128, dst: usize, ld: usize, rows: i32, cols: i32): void {
  const t0 = unpackLo(a0, a1);
  const t1 = unpackHi(a0, a1);
  const t2 = unpackLo(a2, a3);
  const t3 = unpackHi(a2, a3);
  const r0 = v128.shuffle<f32>(t0, t2, 0, 1, 4, 5);
  const r1 = v128.shuffle<f32>(t0, t2, 2, 3, 6, 7);
  const r2 = v128.shuffle<f32>(t1, t3, 0, 1, 4, 5);
  const r3 = v128.shuffle<f32>(t1, t3, 2, 3, 6, 7);
  if (rows == 4 && cols == 4) {
    v128.store(dst, r0);
    v128.store(dst + ld, r1);
    v128.store(dst + 2 * ld, r2);
    v128.store(dst + 3 * ld, r3);
    return;
  }
  storeRow(r0, dst, cols);
  if (rows > 1) storeRow(r1, dst + ld, cols);
  if (rows > 2) storeRow(r2, dst + 2 * ld, cols);
  if (rows > 3) storeRow(r3, dst + 3 * ld, cols);
}

// The first `cols` (<= 4) lanes of v at dst.
// @ts-ignore: decorator
@inline
function storeRow(v: v128, dst: usize, cols: i32): void {
  if (cols == 4) {
    v128.store(dst, v);
    return;
  }
  store<f32>(dst, f32x4.extract_lane(v, 0));
  if (cols > 1) store<f32>(dst, f32x4.extract_lane(v, 1), 4);
  if (cols > 2) store<f32>(dst, f32x4.extract_lane(v, 2), 8);
}

// weights[r, j] = st[j, r] for the R rows of the block: w is row i0 of the head, stride Lk.
function storeWeights(st: usize, Lk: i32, R: i32, w: usize): void {
  const ld = <usize>Lk * 4;
  for (let h = 0; h < R; h += 4) {
    const rows = min(4, R - h);
    const dst = w + <usize>h * ld;
    for (let j0 = 0; j0 < Lk; j0 += 4) {
      const cols = min(4, Lk - j0);
      const p = st + <usize>((j0 * QB + h) * 4);
      // keys past Lk are scratch rows (finite or NaN), never stored
      storeTransposed(v128.load(p), v128.load(p, 32), v128.load(p, 64), v128.load(p, 96), dst + <usize>j0 * 4, ld, rows, cols);
    }
  }
}

// out[r, c] = sum_j P[r, j] V[j, c] for the R rows: O^T tiles of 4 columns x 8 rows, V[j, c0..c0+3]
// splat in place (past Dv these read neighbouring values or the staging pad: computed, never stored).
function values(st: usize, v: usize, vrs: i32, Lk: i32, Dv: i32, R: i32, out: usize, ors: i32): void {
  const vstep = <usize>vrs * 4;
  const ld = <usize>ors * 4;
  for (let c0 = 0; c0 < Dv; c0 += 4) {
    let pv = v + <usize>c0 * 4;
    let pp = st;
    let c0a = f32x4.splat(0), c0b = c0a, c1a = c0a, c1b = c0a;
    let c2a = c0a, c2b = c0a, c3a = c0a, c3b = c0a;
    for (let j = 0; j < Lk; j++) {
      const b0 = v128.load(pp);
      const b1 = v128.load(pp, 16);
      let x = v128.load32_splat(pv);
      c0a = madd<f32>(x, b0, c0a);
      c0b = madd<f32>(x, b1, c0b);
      x = v128.load32_splat(pv, 4);
      c1a = madd<f32>(x, b0, c1a);
      c1b = madd<f32>(x, b1, c1b);
      x = v128.load32_splat(pv, 8);
      c2a = madd<f32>(x, b0, c2a);
      c2b = madd<f32>(x, b1, c2b);
      x = v128.load32_splat(pv, 12);
      c3a = madd<f32>(x, b0, c3a);
      c3b = madd<f32>(x, b1, c3b);
      pv += vstep;
      pp += 32;
    }
    const cols = min(4, Dv - c0);
    const dst = out + <usize>c0 * 4;
    storeTransposed(c0a, c1a, c2a, c3a, dst, ld, min(4, R), cols);
    if (R > 4) storeTransposed(c0b, c1b, c2b, c3b, dst + 4 * ld, ld, R - 4, cols);
  }
}
