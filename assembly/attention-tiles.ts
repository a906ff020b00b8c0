// The register tiles of the fused attention (attention.ts), f32: both products of a block of
// QB = 8 query rows with rows in lanes, on the 4 x 8 tile of gemm.ts (8 accumulators):
//   scores:  S^T[j0:j0+4, :] = K[j0:j0+4, :] Q_blk^T   splat of packed K, Q^T rows loaded
//   values:  O^T[c0:c0+4, :] = V[:, c0:c0+4]^T E^T     splat of V[j, c0+m] in place, E^T loaded
// and the 4 x 4 register transpose that turns a tile of columns (lanes = rows) into rows.
// Legend as attention.ts: Lk keys, D query/key size, Dv value size, R rows of the block.

import { madd } from './math';

const QB: i32 = 8;

// Lanes r of the causal mask: key j is visible to row i0 + r when j <= i0 + r.
// @ts-ignore: decorator
@inline
export function visible(j: i32, row: v128): v128 {
  return i32x4.le_s(i32x4.splat(j), row);
}

// st[j, :] = scale * K[j, :] Q_blk^T for keys j < jEnd (in tiles of 4: up to 3 more are
// computed and left out of the max). With `causal`, hidden keys become -inf here. The row
// maxima over keys < jEnd go to stats[0..1] (lanes: rows).
export function scores(pk: usize, qt: usize, D: i32, jEnd: i32, scale: v128, st: usize, causal: i32, i0: i32, stats: usize): void {
  const ninf = f32x4.splat(-Infinity);
  const rowA = i32x4(i0, i0 + 1, i0 + 2, i0 + 3);
  const rowB = i32x4.add(rowA, i32x4.splat(4));
  let ma = ninf, mb = ninf;
  for (let j0 = 0; j0 < jEnd; j0 += 4) {
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
    c0a = f32x4.mul(c0a, scale);
    c0b = f32x4.mul(c0b, scale);
    c1a = f32x4.mul(c1a, scale);
    c1b = f32x4.mul(c1b, scale);
    c2a = f32x4.mul(c2a, scale);
    c2b = f32x4.mul(c2b, scale);
    c3a = f32x4.mul(c3a, scale);
    c3b = f32x4.mul(c3b, scale);
    // a tile reaching past row i0's diagonal hides keys per lane (tiles below it see all)
    if (causal && j0 + 3 > i0) {
      c0a = v128.bitselect(c0a, ninf, visible(j0, rowA));
      c0b = v128.bitselect(c0b, ninf, visible(j0, rowB));
      c1a = v128.bitselect(c1a, ninf, visible(j0 + 1, rowA));
      c1b = v128.bitselect(c1b, ninf, visible(j0 + 1, rowB));
      c2a = v128.bitselect(c2a, ninf, visible(j0 + 2, rowA));
      c2b = v128.bitselect(c2b, ninf, visible(j0 + 2, rowB));
      c3a = v128.bitselect(c3a, ninf, visible(j0 + 3, rowA));
      c3b = v128.bitselect(c3b, ninf, visible(j0 + 3, rowB));
    }
    const s = st + <usize>(j0 * QB * 4);
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
    ma = f32x4.pmax(ma, c0a);
    mb = f32x4.pmax(mb, c0b);
    if (left > 1) {
      ma = f32x4.pmax(ma, c1a);
      mb = f32x4.pmax(mb, c1b);
    }
    if (left > 2) {
      ma = f32x4.pmax(ma, c2a);
      mb = f32x4.pmax(mb, c2b);
    }
    if (left > 3) {
      ma = f32x4.pmax(ma, c3a);
      mb = f32x4.pmax(mb, c3b);
    }
  }
  v128.store(stats, ma);
  v128.store(stats, mb, 16);
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
export function storeTransposed(a0: v128, a1: v128, a2: v128, a3: v128, dst: usize, ld: usize, rows: i32, cols: i32): void {
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

// out[r, c] = (sum_j e[j, r] V[j, c]) / sum_r for the R rows: O^T tiles of 4 columns x 8 rows,
// V[j, c0..c0+3] splat in place (past Dv these read neighbouring values or the staging pad:
// computed, never stored); 1/sum scales the accumulators, whose lanes are the rows.
export function values(st: usize, v: usize, vrs: i32, Lk: i32, Dv: i32, R: i32, out: usize, ors: i32, stats: usize): void {
  const vstep = <usize>vrs * 4;
  const ld = <usize>ors * 4;
  const ia = v128.load(stats, 32);
  const ib = v128.load(stats, 48);
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
    c0a = f32x4.mul(c0a, ia);
    c1a = f32x4.mul(c1a, ia);
    c2a = f32x4.mul(c2a, ia);
    c3a = f32x4.mul(c3a, ia);
    storeTransposed(c0a, c1a, c2a, c3a, dst, ld, min(4, R), cols);
    if (R > 4) {
      c0b = f32x4.mul(c0b, ib);
      c1b = f32x4.mul(c1b, ib);
      c2b = f32x4.mul(c2b, ib);
      c3b = f32x4.mul(c3b, ib);
      storeTransposed(c0b, c1b, c2b, c3b, dst + 4 * ld, ld, R - 4, cols);
    }
  }
}
