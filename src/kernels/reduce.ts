// Reductions over the middle axis of a contiguous [outer, n, inner] view. Any reduction
// over a set of dims becomes this layout: adjacent reduced dims merge into n, and a set
// that is not adjacent is first permuted to the end by the op (inner = 1).
// Accumulators are float64 locals whatever the storage, so float32 sums do not drift.

import { allocate, type Storage } from '../tensor/dtype.js';
import { sumRowsWasm } from './wasm/elementwise.js';
import { softmaxRowsWasm } from './wasm/rows.js';

/** out[o, i] = sum_r x[o, r, i]. */
export function sumAxis(x: Storage, outer: number, n: number, inner: number, out: Storage): void {
  if (inner === 1) {
    if (sumRowsWasm(x, outer, n, out)) return;
    for (let o = 0; o < outer; o++) {
      let s = 0;
      const base = o * n;
      for (let r = 0; r < n; r++) s += x[base + r];
      out[o] = s;
    }
    return;
  }
  const acc = allocate('float64', inner); // a slab view when small: no backing store of its own
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    const base = o * n * inner;
    for (let r = 0; r < n; r++) {
      const row = base + r * inner;
      for (let i = 0; i < inner; i++) acc[i] += x[row + i];
    }
    for (let i = 0; i < inner; i++) out[o * inner + i] = acc[i];
  }
}

/**
 * out[o, i] = sum_r (x[o, r, i] - mean[o, i])^2 / max(n - correction, 0): two passes, the
 * mean first, so no cancellation (E[x^2] - E[x]^2 loses every digit when |mean| >> std).
 */
export function varAxis(
  x: Storage,
  outer: number,
  n: number,
  inner: number,
  correction: number,
  out: Storage,
  meanOut?: Storage,
): void {
  const denom = Math.max(n - correction, 0);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s = 0;
      for (let r = 0, p = base; r < n; r++, p += inner) s += x[p];
      const mean = s / n;
      // second pass also sums the deviations: adding (sum d)^2/n is the "corrected two-pass"
      // formula of Chan, Golub & LeVeque, exact up to rounding of the mean.
      let ss = 0;
      let sd = 0;
      for (let r = 0, p = base; r < n; r++, p += inner) {
        const d = x[p] - mean;
        ss += d * d;
        sd += d;
      }
      out[o * inner + i] = (ss - (sd * sd) / n) / denom;
      if (meanOut) meanOut[o * inner + i] = mean;
    }
  }
}

/** out = max (or min) over the axis, idx = the first index attaining it; NaN wins, as torch. */
export function argExtremeAxis(
  x: Storage,
  outer: number,
  n: number,
  inner: number,
  wantMax: boolean,
  out: Storage | null,
  idx: Int32Array | null,
): void {
  const sign = wantMax ? 1 : -1;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = x[base];
      let bi = 0;
      if (!Number.isNaN(best)) {
        for (let r = 1, p = base + inner; r < n; r++, p += inner) {
          const v = x[p];
          if (Number.isNaN(v)) {
            best = v;
            bi = r;
            break;
          }
          if (sign * v > sign * best) {
            best = v;
            bi = r;
          }
        }
      }
      if (out) out[o * inner + i] = best;
      if (idx) idx[o * inner + i] = bi;
    }
  }
}

/** out[o, i] = log sum_r exp(x[o, r, i]), shifted by the max so nothing overflows. */
export function logSumExpAxis(x: Storage, outer: number, n: number, inner: number, out: Storage): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m = Number.NEGATIVE_INFINITY;
      for (let r = 0, p = base; r < n; r++, p += inner) if (x[p] > m) m = x[p];
      if (m === Number.NEGATIVE_INFINITY || m === Number.POSITIVE_INFINITY || Number.isNaN(m)) {
        out[o * inner + i] = m; // all -inf (log 0), or an inf/NaN that dominates anyway
        continue;
      }
      let s = 0;
      for (let r = 0, p = base; r < n; r++, p += inner) s += Math.exp(x[p] - m);
      out[o * inner + i] = m + Math.log(s);
    }
  }
}

/**
 * Softmax along the axis, stable: y = exp(x - max) / sum exp(x - max). A row that is all
 * -inf (every position masked) gets all zeros instead of 0/0 = NaN; attention relies on it.
 * With `log`, writes log-softmax instead (-inf for an all -inf row).
 */
export function softmaxAxis(
  x: Storage,
  outer: number,
  n: number,
  inner: number,
  out: Storage,
  log: boolean,
): void {
  if (softmaxRowsWasm(x, outer, n, inner, out, log)) return; // rows (inner = 1) in wasm SIMD
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m = Number.NEGATIVE_INFINITY;
      for (let r = 0, p = base; r < n; r++, p += inner) if (x[p] > m) m = x[p];
      if (m === Number.NEGATIVE_INFINITY) {
        const fill = log ? Number.NEGATIVE_INFINITY : 0;
        for (let r = 0, p = base; r < n; r++, p += inner) out[p] = fill;
        continue;
      }
      let s = 0;
      if (log) {
        for (let r = 0, p = base; r < n; r++, p += inner) s += Math.exp(x[p] - m);
        const lse = m + Math.log(s);
        for (let r = 0, p = base; r < n; r++, p += inner) out[p] = x[p] - lse;
      } else {
        for (let r = 0, p = base; r < n; r++, p += inner) {
          const e = Math.exp(x[p] - m);
          out[p] = e;
          s += e;
        }
        const inv = 1 / s;
        for (let r = 0, p = base; r < n; r++, p += inner) out[p] *= inv;
      }
    }
  }
}
