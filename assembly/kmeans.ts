// k-means (Lloyd) assignment: distances, argmin and the exact distance of the winner fused in
// one pass over the points (split across threads), then the centre accumulation in a second
// pass, one partial per fixed chunk of points (whole chunks split across threads; the caller
// adds the partials in chunk order). Same semantics as lloydAssign in src/kernels/kmeans.ts,
// which calls this first:
//
//   label_i = argmin_j ||c_j||^2 - 2 x_i.c_j    (||x_i||^2 is common to every j; ties -> lower j)
//   dist_i  = sum_t (x_it - c_label,t)^2         (recomputed exactly: no cancellation)
//   sums[label] += w_i x_i, weights[label] += w_i, inertia += w_i dist_i   (per chunk, in order)
//
// The centres come transposed and padded, cT [d, kp] (kp = k rounded up to 2) with
// cn[j] = ||c_j||^2 (+inf for padding, so a pad never wins), so one v128 load fetches feature t
// of two neighbouring centres. Two points at a time against eight centres at a time: 8
// accumulators, 4 loads of cT shared by both points. Each dot product is summed over t in order,
// exactly as the TypeScript kernel does, so (without FMA) the labels are bit-for-bit its labels.
//
// Legend: n points, d features, k centres; x [n, d] row-major; labels i32 [n]; all else f64.

import { madd } from './math';

// @ts-ignore: decorator
@inline
function score(cn: usize, j: i32, acc: v128): v128 {
  return f64x2.sub(v128.load(cn + <usize>j * 8), f64x2.add(acc, acc)); // ||c||^2 - 2 x.c
}

// vals[j] = ||c_j||^2 - 2 x.c_j for j < kp, for the points at px and py.
// @ts-ignore: decorator
@inline
function scores(px: usize, py: usize, d: i32, cT: usize, cn: usize, kp: i32, vx: usize, vy: usize): void {
  const row = <usize>kp * 8;
  let j = 0;
  for (; j + 8 <= kp; j += 8) {
    let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, e0 = a0, e1 = a0, e2 = a0, e3 = a0;
    let q = cT + <usize>j * 8;
    for (let t = 0; t < d; t++, q += row) {
      const c0 = v128.load(q);
      const c1 = v128.load(q, 16);
      const c2 = v128.load(q, 32);
      const c3 = v128.load(q, 48);
      const xs = v128.load64_splat(px + <usize>t * 8);
      const ys = v128.load64_splat(py + <usize>t * 8);
      a0 = madd<f64>(xs, c0, a0);
      a1 = madd<f64>(xs, c1, a1);
      a2 = madd<f64>(xs, c2, a2);
      a3 = madd<f64>(xs, c3, a3);
      e0 = madd<f64>(ys, c0, e0);
      e1 = madd<f64>(ys, c1, e1);
      e2 = madd<f64>(ys, c2, e2);
      e3 = madd<f64>(ys, c3, e3);
    }
    const o = <usize>j * 8;
    v128.store(vx + o, score(cn, j, a0));
    v128.store(vx + o, score(cn, j + 2, a1), 16);
    v128.store(vx + o, score(cn, j + 4, a2), 32);
    v128.store(vx + o, score(cn, j + 6, a3), 48);
    v128.store(vy + o, score(cn, j, e0));
    v128.store(vy + o, score(cn, j + 2, e1), 16);
    v128.store(vy + o, score(cn, j + 4, e2), 32);
    v128.store(vy + o, score(cn, j + 6, e3), 48);
  }
  for (; j < kp; j += 2) {
    let a = f64x2.splat(0), e = a;
    let q = cT + <usize>j * 8;
    for (let t = 0; t < d; t++, q += row) {
      const c = v128.load(q);
      a = madd<f64>(v128.load64_splat(px + <usize>t * 8), c, a);
      e = madd<f64>(v128.load64_splat(py + <usize>t * 8), c, e);
    }
    v128.store(vx + <usize>j * 8, score(cn, j, a));
    v128.store(vy + <usize>j * 8, score(cn, j, e));
  }
}

// The first index of the smallest score (strict <, from +inf, as the TypeScript loop), without
// branches: lane 0 runs over the even centres, lane 1 over the odd ones, each keeping its first
// minimum; then the smaller of the two, the lower index on a tie. NaN scores never win.
// @ts-ignore: decorator
@inline
function argmin(v: usize, kp: i32): i32 {
  let m = f64x2.splat(Infinity);
  let idx = i64x2.splat(0);
  let jv = i64x2(0, 1);
  const two = i64x2.splat(2);
  for (let j = 0; j < kp; j += 2) {
    const s = v128.load(v + <usize>j * 8);
    const lt = f64x2.lt(s, m);
    m = v128.bitselect(s, m, lt);
    idx = v128.bitselect(jv, idx, lt);
    jv = i64x2.add(jv, two);
  }
  const m0 = f64x2.extract_lane(m, 0), m1 = f64x2.extract_lane(m, 1);
  const i0 = <i32>i64x2.extract_lane(idx, 0), i1 = <i32>i64x2.extract_lane(idx, 1);
  return m1 < m0 || (m1 == m0 && i1 < i0) ? i1 : i0;
}

/**
 * One thread's share of an assignment: labels and distances of the points of chunks c0 .. c1 - 1
 * (`chunk` points each, of n), then those chunks' partials (kmeansPartials). `vals` is scratch
 * for 2 * kp f64.
 */
export function kmeansAssignF64(
  x: usize, n: i32, d: i32, k: i32, kp: i32, cT: usize, cn: usize, c: usize, w: usize,
  labels: usize, dist: usize, vals: usize,
  chunk: i32, c0: i32, c1: i32, withSums: i32, parts: usize, totals: usize,
): void {
  const s = c0 * chunk;
  const e = min(n, c1 * chunk);
  const off = <usize>s;
  kmeansLabels(x + off * <usize>d * 8, e - s, d, cT, cn, kp, c, labels + off * 4, dist + off * 8, vals);
  kmeansPartials(x, n, d, k, w, labels, dist, chunk, c0, c1, withSums, parts, totals);
}

// Labels and exact distances of the points x [n, d] (see the header).
function kmeansLabels(
  x: usize, n: i32, d: i32,
  cT: usize, cn: usize, kp: i32, c: usize,
  labels: usize, dist: usize, vals: usize,
): void {
  const vy = vals + <usize>kp * 8;
  const row = <usize>d * 8;
  for (let i = 0; i < n; i += 2) {
    const px = x + <usize>i * row;
    const two = i + 1 < n;
    const py = two ? px + row : px; // odd n: the last point is paired with itself
    scores(px, py, d, cT, cn, kp, vals, vy);
    const bx = argmin(vals, kp);
    const by = argmin(vy, kp);
    // the winners' distances sum_t (x_t - c_t)^2, the two points in the two lanes: each lane
    // adds in t order with a separate multiply and add, so it rounds as the scalar loop does
    const cx = c + <usize>bx * row;
    const cy = c + <usize>by * row;
    let s = f64x2.splat(0);
    for (let t: usize = 0; t < row; t += 8) {
      const xv = v128.load64_lane(py + t, v128.load64_zero(px + t), 1);
      const cv = v128.load64_lane(cy + t, v128.load64_zero(cx + t), 1);
      const diff = f64x2.sub(xv, cv);
      s = f64x2.add(s, f64x2.mul(diff, diff));
    }
    store<i32>(labels + <usize>i * 4, bx);
    store<f64>(dist + <usize>i * 8, f64x2.extract_lane(s, 0));
    if (two) {
      store<i32>(labels + <usize>i * 4, by, 4);
      store<f64>(dist + <usize>i * 8, f64x2.extract_lane(s, 1), 8);
    }
  }
}

/**
 * The centre sums and inertia of chunks c0 .. c1 - 1 of `chunk` points each, one partial per
 * chunk: sums [k, d] then weights [k] at parts + c (k d + k) 8 (zeroed here; only when
 * `withSums`), and sum_i w_i dist_i at totals + c 8. Within a chunk the points are added in
 * order, as the TypeScript loop does; the caller adds the partials in chunk order. So the
 * result does not depend on how chunks are split across threads.
 */
function kmeansPartials(
  x: usize, n: i32, d: i32, k: i32, w: usize, labels: usize, dist: usize,
  chunk: i32, c0: i32, c1: i32, withSums: i32, parts: usize, totals: usize,
): void {
  const d2 = d & ~1;
  const partBytes = <usize>(k * d + k) * 8;
  for (let c = c0; c < c1; c++) {
    const sums = parts + <usize>c * partBytes;
    const weights = sums + <usize>(k * d) * 8;
    if (withSums) memory.fill(sums, 0, partBytes);
    let total: f64 = 0;
    const end = min(n, (c + 1) * chunk);
    for (let i = c * chunk; i < end; i++) {
      const wi: f64 = w ? load<f64>(w + <usize>i * 8) : 1;
      if (withSums) {
        const best = load<i32>(labels + <usize>i * 4);
        const pi = x + <usize>i * <usize>d * 8;
        const ps = sums + <usize>best * <usize>d * 8;
        const wv = f64x2.splat(wi);
        for (let t = 0; t < d2; t += 2) {
          const o = <usize>t * 8;
          v128.store(ps + o, f64x2.add(v128.load(ps + o), f64x2.mul(wv, v128.load(pi + o))));
        }
        if (d2 < d) store<f64>(ps + <usize>d2 * 8, load<f64>(ps + <usize>d2 * 8) + wi * load<f64>(pi + <usize>d2 * 8));
        store<f64>(weights + <usize>best * 8, load<f64>(weights + <usize>best * 8) + wi);
      }
      total += wi * load<f64>(dist + <usize>i * 8);
    }
    store<f64>(totals + <usize>c * 8, total);
  }
}
