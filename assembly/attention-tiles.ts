// The register tiles of the fused attention (attention.ts), one generic body for f32 (f32x4)
// and f64 (f64x2): both products of a block of QB query rows with rows in lanes, on the
// 4 x 32-byte tile of gemm.ts (8 accumulators; QB = 8 f32 or 4 f64 rows, L = 4 or 2 per v128):
//   scores:  S^T[j0:j0+4, :] = K[j0:j0+4, :] Q_blk^T   splat of packed K, Q^T rows loaded
//   values:  O^T[c0:c0+4, :] = V[:, c0:c0+4]^T E^T     splat of V[j, c0+m] in place, E^T loaded
// and the register transpose that turns a tile of columns (lanes = rows) into rows.
// Legend as attention.ts: Lk keys, D query/key size, Dv value size, R rows of the block.
// One key's row of S^T (QB values) is 32 bytes for either type: "a" is its first v128 (rows
// 0 .. L-1), "b" the second (rows L .. QB-1).
// The multiply-add loop of the tile is written out here as in gemm.ts's micro-kernel rather
// than shared: a function cannot hand back 8 v128 accumulators (AssemblyScript has no multiple
// returns), and passing them through memory would spill the registers the tile exists to keep.

import { madd } from './math';

/** Bytes of one key's row of S^T / E^T (QB values, two v128) and of one d's row of Q^T. */
export const ROW: i32 = 32;

// Lane indices i, i+1, .. (i32x4 for f32, i64x2 for f64: masks as wide as T's lanes).
// @ts-ignore: decorator
@inline
export function rowLanes<T>(i: i32): v128 {
  if (sizeof<T>() == 4) return i32x4(i, i + 1, i + 2, i + 3);
  return i64x2(<i64>i, <i64>(i + 1));
}

// Lanes r of the causal mask: key j is visible to row `row`[r] when j <= row[r].
// @ts-ignore: decorator
@inline
export function visible<T>(j: i32, row: v128): v128 {
  if (sizeof<T>() == 4) return i32x4.le_s(i32x4.splat(j), row);
  return i64x2.le_s(i64x2.splat(<i64>j), row);
}

// st[j, :] = scale * K[j, :] Q_blk^T for keys j < jEnd (in tiles of 4: up to 3 more are
// computed and left out of the max). With `causal`, hidden keys become -inf here. The row
// maxima over keys < jEnd go to stats[0..1] (lanes: rows).
export function scores<T>(pk: usize, qt: usize, D: i32, jEnd: i32, scale: v128, st: usize, causal: i32, i0: i32, stats: usize): void {
  const sz = sizeof<T>();
  const L = <i32>(16 / sz);
  const ninf = v128.splat<T>(<T>-Infinity);
  const rowA = rowLanes<T>(i0);
  const rowB = rowLanes<T>(i0 + L);
  let ma = ninf, mb = ninf;
  for (let j0 = 0; j0 < jEnd; j0 += 4) {
    let pa = pk + <usize>j0 * <usize>D * sz;
    let pb = qt;
    let c0a = v128.splat<T>(<T>0), c0b = c0a, c1a = c0a, c1b = c0a;
    let c2a = c0a, c2b = c0a, c3a = c0a, c3b = c0a;
    for (let d = 0; d < D; d++) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      let x = v128.load_splat<T>(pa);
      c0a = madd<T>(x, b0, c0a);
      c0b = madd<T>(x, b1, c0b);
      x = v128.load_splat<T>(pa, sz);
      c1a = madd<T>(x, b0, c1a);
      c1b = madd<T>(x, b1, c1b);
      x = v128.load_splat<T>(pa, 2 * sz);
      c2a = madd<T>(x, b0, c2a);
      c2b = madd<T>(x, b1, c2b);
      x = v128.load_splat<T>(pa, 3 * sz);
      c3a = madd<T>(x, b0, c3a);
      c3b = madd<T>(x, b1, c3b);
      pa += 4 * sz;
      pb += <usize>ROW;
    }
    c0a = v128.mul<T>(c0a, scale);
    c0b = v128.mul<T>(c0b, scale);
    c1a = v128.mul<T>(c1a, scale);
    c1b = v128.mul<T>(c1b, scale);
    c2a = v128.mul<T>(c2a, scale);
    c2b = v128.mul<T>(c2b, scale);
    c3a = v128.mul<T>(c3a, scale);
    c3b = v128.mul<T>(c3b, scale);
    // a tile reaching past row i0's diagonal hides keys per lane (tiles below it see all)
    if (causal && j0 + 3 > i0) {
      c0a = v128.bitselect(c0a, ninf, visible<T>(j0, rowA));
      c0b = v128.bitselect(c0b, ninf, visible<T>(j0, rowB));
      c1a = v128.bitselect(c1a, ninf, visible<T>(j0 + 1, rowA));
      c1b = v128.bitselect(c1b, ninf, visible<T>(j0 + 1, rowB));
      c2a = v128.bitselect(c2a, ninf, visible<T>(j0 + 2, rowA));
      c2b = v128.bitselect(c2b, ninf, visible<T>(j0 + 2, rowB));
      c3a = v128.bitselect(c3a, ninf, visible<T>(j0 + 3, rowA));
      c3b = v128.bitselect(c3b, ninf, visible<T>(j0 + 3, rowB));
    }
    const s = st + <usize>(j0 * ROW);
    v128.store(s, c0a);
    v128.store(s, c0b, 16);
    v128.store(s, c1a, 32);
    v128.store(s, c1b, 48);
    v128.store(s, c2a, 64);
    v128.store(s, c2b, 80);
    v128.store(s, c3a, 96);
    v128.store(s, c3b, 112);
    // pmax keeps m when the score is NaN (m < NaN is false): NaN is left to the exp
    const left = jEnd - j0;
    ma = v128.pmax<T>(ma, c0a);
    mb = v128.pmax<T>(mb, c0b);
    if (left > 1) {
      ma = v128.pmax<T>(ma, c1a);
      mb = v128.pmax<T>(mb, c1b);
    }
    if (left > 2) {
      ma = v128.pmax<T>(ma, c2a);
      mb = v128.pmax<T>(mb, c2b);
    }
    if (left > 3) {
      ma = v128.pmax<T>(ma, c3a);
      mb = v128.pmax<T>(mb, c3b);
    }
  }
  v128.store(stats, ma);
  v128.store(stats, mb, 16);
}

// Stores the L x 4 block whose columns are a0..a3 (lanes = rows) as rows at dst, dst + ld, ..:
// `rows` rows (<= L) of `cols` values (<= 4; whole v128 stores where they fit).
// f32: a 4 x 4 transpose (unpack pairs, then halves); f64: row r is (a0[r], a1[r]) (a2[r], a3[r]).
// @ts-ignore: decorator
@inline
export function storeTransposed<T>(a0: v128, a1: v128, a2: v128, a3: v128, dst: usize, ld: usize, rows: i32, cols: i32): void {
  if (sizeof<T>() == 8) {
    storeRowF64(v128.shuffle<f64>(a0, a1, 0, 2), v128.shuffle<f64>(a2, a3, 0, 2), dst, cols);
    if (rows > 1) storeRowF64(v128.shuffle<f64>(a0, a1, 1, 3), v128.shuffle<f64>(a2, a3, 1, 3), dst + ld, cols);
    return;
  }
  const t0 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
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
  storeRowF32(r0, dst, cols);
  if (rows > 1) storeRowF32(r1, dst + ld, cols);
  if (rows > 2) storeRowF32(r2, dst + 2 * ld, cols);
  if (rows > 3) storeRowF32(r3, dst + 3 * ld, cols);
}

// The first `cols` (<= 4) lanes of v at dst.
// @ts-ignore: decorator
@inline
function storeRowF32(v: v128, dst: usize, cols: i32): void {
  if (cols == 4) {
    v128.store(dst, v);
    return;
  }
  store<f32>(dst, f32x4.extract_lane(v, 0));
  if (cols > 1) store<f32>(dst, f32x4.extract_lane(v, 1), 4);
  if (cols > 2) store<f32>(dst, f32x4.extract_lane(v, 2), 8);
}

// The first `cols` (<= 4) of the four f64 lanes lo, hi at dst.
// @ts-ignore: decorator
@inline
function storeRowF64(lo: v128, hi: v128, dst: usize, cols: i32): void {
  if (cols == 1) {
    store<f64>(dst, f64x2.extract_lane(lo, 0));
    return;
  }
  v128.store(dst, lo);
  if (cols == 4) v128.store(dst, hi, 16);
  else if (cols == 3) store<f64>(dst, f64x2.extract_lane(hi, 0), 16);
}

// out[r, c] = (sum_j e[j, r] V[j, c]) / sum_r for the R rows: O^T tiles of 4 columns x QB rows,
// V[j, c0..c0+3] splat in place (past Dv these read neighbouring values or the staging pad:
// computed, never stored); 1/sum scales the accumulators, whose lanes are the rows.
export function values<T>(st: usize, v: usize, vrs: i32, Lk: i32, Dv: i32, R: i32, out: usize, ors: i32, stats: usize): void {
  const sz = sizeof<T>();
  const L = <i32>(16 / sz);
  const vstep = <usize>vrs * sz;
  const ld = <usize>ors * sz;
  const ia = v128.load(stats, 32);
  const ib = v128.load(stats, 48);
  for (let c0 = 0; c0 < Dv; c0 += 4) {
    let pv = v + <usize>c0 * sz;
    let pp = st;
    let c0a = v128.splat<T>(<T>0), c0b = c0a, c1a = c0a, c1b = c0a;
    let c2a = c0a, c2b = c0a, c3a = c0a, c3b = c0a;
    for (let j = 0; j < Lk; j++) {
      const b0 = v128.load(pp);
      const b1 = v128.load(pp, 16);
      let x = v128.load_splat<T>(pv);
      c0a = madd<T>(x, b0, c0a);
      c0b = madd<T>(x, b1, c0b);
      x = v128.load_splat<T>(pv, sz);
      c1a = madd<T>(x, b0, c1a);
      c1b = madd<T>(x, b1, c1b);
      x = v128.load_splat<T>(pv, 2 * sz);
      c2a = madd<T>(x, b0, c2a);
      c2b = madd<T>(x, b1, c2b);
      x = v128.load_splat<T>(pv, 3 * sz);
      c3a = madd<T>(x, b0, c3a);
      c3b = madd<T>(x, b1, c3b);
      pv += vstep;
      pp += <usize>ROW;
    }
    const cols = min(4, Dv - c0);
    const dst = out + <usize>c0 * sz;
    c0a = v128.mul<T>(c0a, ia);
    c1a = v128.mul<T>(c1a, ia);
    c2a = v128.mul<T>(c2a, ia);
    c3a = v128.mul<T>(c3a, ia);
    storeTransposed<T>(c0a, c1a, c2a, c3a, dst, ld, min(L, R), cols);
    if (R > L) {
      c0b = v128.mul<T>(c0b, ib);
      c1b = v128.mul<T>(c1b, ib);
      c2b = v128.mul<T>(c2b, ib);
      c3b = v128.mul<T>(c3b, ib);
      storeTransposed<T>(c0b, c1b, c2b, c3b, dst + <usize>L * ld, ld, R - L, cols);
    }
  }
}
