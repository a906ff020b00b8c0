// k-means (Lloyd) assignment, one pass over the points: for every point its label (distances and
// argmin fused, the argmin kept in registers), its exact distance to that centre, and its share of
// the centre sums, accumulated at once while its row is in cache. One partial per fixed chunk of
// points (threads claim whole chunks; the caller adds the partials in chunk order). Same
// semantics as lloydAssign in src/kernels/kmeans.ts, which calls this first:
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

// ||c_j||^2 - 2 x.c_j for the two centres j, j + 1 of one accumulator
// @ts-ignore: decorator
@inline
function score(cn: usize, j: i32, acc: v128): v128 {
  return f64x2.sub(v128.load(cn + <usize>j * 8), f64x2.add(acc, acc));
}

// The running argmin over one more score vector s (centres `ids`, which are above every index
// seen so far). Lane 0 runs over the even centres, lane 1 over the odd ones. pmin(m, s) is
// s < m ? s : m, so the first minimum stays on a tie and a NaN score never gets in; the index
// moves up where s < m, and since indices only grow an and + max does that in two instructions
// (v128.bitselect takes three in V8). Indices sit in the low 32 bits of each 64-bit lane.
// @ts-ignore: decorator
@inline
function better(m: v128, s: v128, idx: v128, ids: v128): v128 {
  return i32x4.max_s(idx, v128.and(f64x2.lt(s, m), ids));
}

// The smaller of the two lanes' minima, the lower index on a tie (the first index overall of the
// smallest score, as the TypeScript loop's strict < from +inf gives), without branches.
// @ts-ignore: decorator
@inline
function lanesArgmin(m: v128, idx: v128): i32 {
  const sm = v128.shuffle<f64>(m, m, 1, 0);
  const si = v128.shuffle<i64>(idx, idx, 1, 0);
  const take = v128.or(f64x2.lt(sm, m), v128.and(f64x2.eq(sm, m), i64x2.lt_s(si, idx)));
  return <i32>i64x2.extract_lane(v128.bitselect(si, idx, take), 0);
}

// The labels of the points at px and py, as lx | ly << 32.
// @ts-ignore: decorator
@inline
function pairLabels(px: usize, py: usize, d: i32, cT: usize, cn: usize, kp: i32): i64 {
  const row = <usize>kp * 8;
  let mx = f64x2.splat(Infinity), my = mx;
  let ix = i64x2.splat(0), iy = ix;
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
    const i0 = i64x2(j, j + 1);
    const i1 = i64x2.add(i0, i64x2.splat(2));
    const i2 = i64x2.add(i0, i64x2.splat(4));
    const i3 = i64x2.add(i0, i64x2.splat(6));
    // biome-ignore format: one centre pair per line
    {
      a0 = score(cn, j, a0); ix = better(mx, a0, ix, i0); mx = f64x2.pmin(mx, a0);
      a1 = score(cn, j + 2, a1); ix = better(mx, a1, ix, i1); mx = f64x2.pmin(mx, a1);
      a2 = score(cn, j + 4, a2); ix = better(mx, a2, ix, i2); mx = f64x2.pmin(mx, a2);
      a3 = score(cn, j + 6, a3); ix = better(mx, a3, ix, i3); mx = f64x2.pmin(mx, a3);
      e0 = score(cn, j, e0); iy = better(my, e0, iy, i0); my = f64x2.pmin(my, e0);
      e1 = score(cn, j + 2, e1); iy = better(my, e1, iy, i1); my = f64x2.pmin(my, e1);
      e2 = score(cn, j + 4, e2); iy = better(my, e2, iy, i2); my = f64x2.pmin(my, e2);
      e3 = score(cn, j + 6, e3); iy = better(my, e3, iy, i3); my = f64x2.pmin(my, e3);
    }
  }
  for (; j < kp; j += 2) {
    let a = f64x2.splat(0), e = a;
    let q = cT + <usize>j * 8;
    for (let t = 0; t < d; t++, q += row) {
      const c = v128.load(q);
      a = madd<f64>(v128.load64_splat(px + <usize>t * 8), c, a);
      e = madd<f64>(v128.load64_splat(py + <usize>t * 8), c, e);
    }
    const i0 = i64x2(j, j + 1);
    a = score(cn, j, a);
    ix = better(mx, a, ix, i0);
    mx = f64x2.pmin(mx, a);
    e = score(cn, j, e);
    iy = better(my, e, iy, i0);
    my = f64x2.pmin(my, e);
  }
  return <i64>(<u32>lanesArgmin(mx, ix)) | (<i64>lanesArgmin(my, iy) << 32);
}

// sums[label] += w x, weights[label] += w, for the point at px
// @ts-ignore: decorator
@inline
function accumulate(sums: usize, weights: usize, px: usize, label: i32, wi: f64, d: i32): void {
  const ps = sums + <usize>label * <usize>d * 8;
  const wv = f64x2.splat(wi);
  const d2 = d & ~1;
  for (let t = 0; t < d2; t += 2) {
    const o = <usize>t * 8;
    v128.store(ps + o, f64x2.add(v128.load(ps + o), f64x2.mul(wv, v128.load(px + o))));
  }
  if (d2 < d) store<f64>(ps + <usize>d2 * 8, load<f64>(ps + <usize>d2 * 8) + wi * load<f64>(px + <usize>d2 * 8));
  store<f64>(weights + <usize>label * 8, load<f64>(weights + <usize>label * 8) + wi);
}

// The next unclaimed chunk. Threads take chunks one at a time from a counter in shared memory,
// so a thread on a busier core (or one that woke later) simply takes fewer; the result does not
// depend on who took which. The build without threads runs on one thread: a plain increment.
// @ts-ignore: decorator
@inline
function claim(counter: usize): i32 {
  if (ASC_FEATURE_THREADS) return atomic.add<i32>(counter, 1);
  const ch = load<i32>(counter);
  store<i32>(counter, ch + 1);
  return ch;
}

/**
 * One thread's part of an assignment: chunks of `chunk` points (of n) claimed from `counter`
 * (an i32 starting at 0, shared by every thread of the call) until all `chunks` are taken.
 * Labels and distances of their points, and per chunk c one partial: the centre sums [k, d] then
 * weights [k] at parts + c (k d + k) 8 (zeroed here; only when `withSums`), and sum_i w_i dist_i
 * at totals + c 8. Within a chunk the points are added in order, as the TypeScript loop does, so
 * the result does not depend on which thread took which chunk. w = 0: all weights 1.
 */
export function kmeansAssignF64(
  x: usize, n: i32, d: i32, k: i32, kp: i32, cT: usize, cn: usize, c: usize, w: usize,
  labels: usize, dist: usize,
  chunk: i32, chunks: i32, counter: usize, withSums: i32, parts: usize, totals: usize,
): void {
  const row = <usize>d * 8;
  const partBytes = <usize>(k * d + k) * 8;
  for (let ch = claim(counter); ch < chunks; ch = claim(counter)) {
    const sums = parts + <usize>ch * partBytes;
    const weights = sums + <usize>(k * d) * 8;
    if (withSums) memory.fill(sums, 0, partBytes);
    let total: f64 = 0;
    const start = ch * chunk;
    const end = min(n, start + chunk);
    const last = x + <usize>(end - 1) * row;
    for (let i = start; i < end; i += 4) {
      // four points (the chunk's last one repeated past its end), labelled in two pairs
      const pa = x + <usize>i * row;
      const pb = min(pa + row, last);
      const pc = min(pa + 2 * row, last);
      const pd = min(pa + 3 * row, last);
      const first = pairLabels(pa, pb, d, cT, cn, kp);
      const second = pairLabels(pc, pd, d, cT, cn, kp);
      const la = <i32>first, lb = <i32>(first >>> 32), lc = <i32>second, ld = <i32>(second >>> 32);
      // the winners' distances sum_t (x_t - c_t)^2, one point per lane, each lane in t order
      // with a separate multiply and add (so it rounds as the scalar loop does); two pairs side
      // by side, since each lane's sum is one long chain of dependent adds
      const ca = c + <usize>la * row;
      const cb = c + <usize>lb * row;
      const cc = c + <usize>lc * row;
      const cd = c + <usize>ld * row;
      let s = f64x2.splat(0), u = s;
      for (let t: usize = 0; t < row; t += 8) {
        const xv = v128.load64_lane(pb + t, v128.load64_zero(pa + t), 1);
        const cv = v128.load64_lane(cb + t, v128.load64_zero(ca + t), 1);
        const yv = v128.load64_lane(pd + t, v128.load64_zero(pc + t), 1);
        const dv = v128.load64_lane(cd + t, v128.load64_zero(cc + t), 1);
        const p = f64x2.sub(xv, cv);
        const q = f64x2.sub(yv, dv);
        s = f64x2.add(s, f64x2.mul(p, p));
        u = f64x2.add(u, f64x2.mul(q, q));
      }
      // then, in point order, each point's outputs and its share of the chunk's partial
      const m = min(4, end - i);
      const lo = labels + <usize>i * 4;
      const dq = dist + <usize>i * 8;
      const wq = w + <usize>i * 8;
      for (let p = 0; p < m; p++) {
        const label = p == 0 ? la : p == 1 ? lb : p == 2 ? lc : ld;
        const dp = p == 0 ? f64x2.extract_lane(s, 0) : p == 1 ? f64x2.extract_lane(s, 1) : p == 2 ? f64x2.extract_lane(u, 0) : f64x2.extract_lane(u, 1);
        const wi: f64 = w ? load<f64>(wq + <usize>p * 8) : 1;
        store<i32>(lo + <usize>p * 4, label);
        store<f64>(dq + <usize>p * 8, dp);
        total += wi * dp;
        if (withSums) accumulate(sums, weights, pa + <usize>p * row, label, wi, d);
      }
    }
    store<f64>(totals + <usize>ch * 8, total);
  }
}
