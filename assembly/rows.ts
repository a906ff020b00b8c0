// Row kernels over a contiguous [rows, n] block: softmax / log-softmax and LayerNorm forward.
// Same semantics as the TypeScript kernels (softmaxAxis in src/kernels/reduce.ts with inner = 1,
// layerNormForward in src/kernels/norm.ts), which the tests compare against:
//   softmax:  m = max (NaN ignored, as `if (x > m)`), y = exp(x - m) / sum exp(x - m);
//             a row of all -inf gives 0 (log: -inf), never 0/0.
//   layerNorm: mean and biased variance in float64 (two passes, the second corrected by
//             (sum d)^2 / n), y = (x - mean) * rstd * w + b in float64, rounded once to storage.
// Vector loops take 4 (f32) or 2 (f64) lanes; a scalar tail finishes the row.

import { expF32x4, expF64, expF64x2, logF64 } from './math';

/** Softmax (log = 0) or log-softmax (log = 1) of each f32 row: x, out [rows, n]. */
export function softmaxRowsF32(x: usize, rows: i32, n: i32, out: usize, log: i32): void {
  const n4 = n & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * <usize>n * 4;
    const yr = out + <usize>r * <usize>n * 4;
    // pmax(m, v) = m < v ? v : m keeps m when v is NaN, like the TypeScript loop
    let mv = f32x4.splat(-Infinity);
    for (let j = 0; j < n4; j += 4) mv = f32x4.pmax(mv, v128.load(xr + <usize>j * 4));
    let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (let j = n4; j < n; j++) {
      const v = load<f32>(xr + <usize>j * 4);
      if (v > m) m = v;
    }
    if (m == -Infinity) {
      const fill: f32 = log ? -Infinity : 0;
      for (let j = 0; j < n; j++) store<f32>(yr + <usize>j * 4, fill);
      continue;
    }
    const ms = f32x4.splat(m);
    let sv = f32x4.splat(0);
    let j = 0;
    // two independent exps per step: the out-of-order core overlaps their dependency chains
    for (; j + 8 <= n; j += 8) {
      const p = xr + <usize>j * 4;
      const e0 = expF32x4(f32x4.sub(v128.load(p), ms));
      const e1 = expF32x4(f32x4.sub(v128.load(p, 16), ms));
      if (!log) {
        v128.store(yr + <usize>j * 4, e0);
        v128.store(yr + <usize>j * 4, e1, 16);
      }
      sv = f32x4.add(sv, f32x4.add(e0, e1));
    }
    for (; j < n4; j += 4) {
      const e = expF32x4(f32x4.sub(v128.load(xr + <usize>j * 4), ms));
      if (!log) v128.store(yr + <usize>j * 4, e);
      sv = f32x4.add(sv, e);
    }
    let s: f64 = <f64>f32x4.extract_lane(sv, 0) + <f64>f32x4.extract_lane(sv, 1) + <f64>f32x4.extract_lane(sv, 2) + <f64>f32x4.extract_lane(sv, 3);
    for (let j = n4; j < n; j++) {
      const e = <f32>expF64(<f64>(load<f32>(xr + <usize>j * 4) - m));
      if (!log) store<f32>(yr + <usize>j * 4, e);
      s += e;
    }
    if (log) {
      // (x - m) - log(s): x - m is exact near the max (Sterbenz), where cancellation would bite
      const ls = f32x4.splat(<f32>logF64(s));
      for (let j = 0; j < n4; j += 4) {
        const p = xr + <usize>j * 4;
        v128.store(yr + <usize>j * 4, f32x4.sub(f32x4.sub(v128.load(p), ms), ls));
      }
      for (let j = n4; j < n; j++) {
        store<f32>(yr + <usize>j * 4, load<f32>(xr + <usize>j * 4) - m - f32x4.extract_lane(ls, 0));
      }
    } else {
      const inv = f32x4.splat(<f32>(1 / s));
      for (let j = 0; j < n4; j += 4) v128.store(yr + <usize>j * 4, f32x4.mul(v128.load(yr + <usize>j * 4), inv));
      for (let j = n4; j < n; j++) store<f32>(yr + <usize>j * 4, load<f32>(yr + <usize>j * 4) * f32x4.extract_lane(inv, 0));
    }
  }
}

/** Softmax (log = 0) or log-softmax (log = 1) of each f64 row: x, out [rows, n]. */
export function softmaxRowsF64(x: usize, rows: i32, n: i32, out: usize, log: i32): void {
  const n2 = n & ~1;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * <usize>n * 8;
    const yr = out + <usize>r * <usize>n * 8;
    let mv = f64x2.splat(-Infinity);
    for (let j = 0; j < n2; j += 2) mv = f64x2.pmax(mv, v128.load(xr + <usize>j * 8));
    let m = max(f64x2.extract_lane(mv, 0), f64x2.extract_lane(mv, 1));
    if (n2 < n) {
      const v = load<f64>(xr + <usize>n2 * 8);
      if (v > m) m = v;
    }
    if (m == -Infinity) {
      const fill: f64 = log ? -Infinity : 0;
      for (let j = 0; j < n; j++) store<f64>(yr + <usize>j * 8, fill);
      continue;
    }
    const ms = f64x2.splat(m);
    let sv = f64x2.splat(0);
    for (let j = 0; j < n2; j += 2) {
      const e = expF64x2(f64x2.sub(v128.load(xr + <usize>j * 8), ms));
      if (!log) v128.store(yr + <usize>j * 8, e);
      sv = f64x2.add(sv, e);
    }
    let s = f64x2.extract_lane(sv, 0) + f64x2.extract_lane(sv, 1);
    if (n2 < n) {
      const e = expF64(load<f64>(xr + <usize>n2 * 8) - m);
      if (!log) store<f64>(yr + <usize>n2 * 8, e);
      s += e;
    }
    if (log) {
      const lse = m + logF64(s);
      for (let j = 0; j < n; j++) store<f64>(yr + <usize>j * 8, load<f64>(xr + <usize>j * 8) - lse);
    } else {
      const inv = f64x2.splat(1 / s);
      for (let j = 0; j < n2; j += 2) v128.store(yr + <usize>j * 8, f64x2.mul(v128.load(yr + <usize>j * 8), inv));
      if (n2 < n) store<f64>(yr + <usize>n2 * 8, load<f64>(yr + <usize>n2 * 8) * (1 / s));
    }
  }
}

// Row statistics in float64: mean, then the corrected two-pass variance -> rstd.
// `pair` loads two row values of row values as f64x2 from f32 (promote) or f64 storage.
// @ts-ignore: decorator
@inline
function pair<T>(p: usize): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(p));
  return v128.load(p);
}

// @ts-ignore: decorator
@inline
function layerNormRows<T>(x: usize, rows: i32, D: i32, w: usize, b: usize, eps: f64, y: usize, mean: usize, rstd: usize): void {
  const sz = <usize>sizeof<T>();
  const D2 = D & ~1;
  const Df = <f64>D;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * <usize>D * sz;
    const yr = y + <usize>r * <usize>D * sz;
    let sv = f64x2.splat(0);
    for (let j = 0; j < D2; j += 2) sv = f64x2.add(sv, pair<T>(xr + <usize>j * sz));
    let s = f64x2.extract_lane(sv, 0) + f64x2.extract_lane(sv, 1);
    if (D2 < D) s += <f64>load<T>(xr + <usize>D2 * sz);
    const mu = s / Df;
    const muv = f64x2.splat(mu);
    let ssv = f64x2.splat(0);
    let sdv = f64x2.splat(0);
    for (let j = 0; j < D2; j += 2) {
      const d = f64x2.sub(pair<T>(xr + <usize>j * sz), muv);
      ssv = f64x2.add(ssv, f64x2.mul(d, d));
      sdv = f64x2.add(sdv, d);
    }
    let ss = f64x2.extract_lane(ssv, 0) + f64x2.extract_lane(ssv, 1);
    let sd = f64x2.extract_lane(sdv, 0) + f64x2.extract_lane(sdv, 1);
    if (D2 < D) {
      const d = <f64>load<T>(xr + <usize>D2 * sz) - mu;
      ss += d * d;
      sd += d;
    }
    const rs = 1 / Math.sqrt((ss - (sd * sd) / Df) / Df + eps);
    store<f64>(mean + <usize>r * 8, mu);
    store<f64>(rstd + <usize>r * 8, rs);
    const rsv = f64x2.splat(rs);
    for (let j = 0; j < D2; j += 2) {
      let v = f64x2.mul(f64x2.sub(pair<T>(xr + <usize>j * sz), muv), rsv);
      if (w) v = f64x2.mul(v, pair<T>(w + <usize>j * sz));
      if (b) v = f64x2.add(v, pair<T>(b + <usize>j * sz));
      if (sizeof<T>() == 4) v128.store64_lane(yr + <usize>j * sz, f32x4.demote_f64x2_zero(v), 0);
      else v128.store(yr + <usize>j * sz, v);
    }
    if (D2 < D) {
      let v = (<f64>load<T>(xr + <usize>D2 * sz) - mu) * rs;
      if (w) v *= <f64>load<T>(w + <usize>D2 * sz);
      if (b) v += <f64>load<T>(b + <usize>D2 * sz);
      store<T>(yr + <usize>D2 * sz, <T>v);
    }
  }
}

/**
 * LayerNorm forward of each f32 row of x [rows, D]: mean, rstd (f64 [rows]) and
 * y = (x - mean) * rstd * w + b (w, b [D]; address 0 = absent).
 */
export function layerNormRowsF32(x: usize, rows: i32, D: i32, w: usize, b: usize, eps: f64, y: usize, mean: usize, rstd: usize): void {
  layerNormRows<f32>(x, rows, D, w, b, eps, y, mean, rstd);
}

/** LayerNorm forward of each f64 row: as layerNormRowsF32. */
export function layerNormRowsF64(x: usize, rows: i32, D: i32, w: usize, b: usize, eps: f64, y: usize, mean: usize, rstd: usize): void {
  layerNormRows<f64>(x, rows, D, w, b, eps, y, mean, rstd);
}
