// Row kernels over a contiguous [rows, n] block: softmax / log-softmax and LayerNorm forward.
// Same semantics as the TypeScript kernels (softmaxAxis in src/kernels/reduce.ts with inner = 1,
// layerNormForward in src/kernels/norm.ts), which the tests compare against:
//   softmax:  m = max (NaN ignored, as `if (x > m)`), y = exp(x - m) / sum exp(x - m);
//             a row of all -inf gives 0 (log: -inf), never 0/0.
//   layerNorm: mean and biased variance in float64 (one pass over values shifted by the row's
//             first value, see below), (x - mean) * rstd in float64, then * w + b in storage
//             precision (float32: within an ulp of the TypeScript kernel's one rounding).
// Vector loops take 4 (f32) or 2 (f64) lanes; a scalar tail finishes the row.

import { expF64, expF64x2, expNonPosF32x4, logF64 } from './math';

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
      const e0 = expNonPosF32x4(f32x4.sub(v128.load(p), ms));
      const e1 = expNonPosF32x4(f32x4.sub(v128.load(p, 16), ms));
      if (!log) {
        v128.store(yr + <usize>j * 4, e0);
        v128.store(yr + <usize>j * 4, e1, 16);
      }
      sv = f32x4.add(sv, f32x4.add(e0, e1));
    }
    for (; j < n4; j += 4) {
      const e = expNonPosF32x4(f32x4.sub(v128.load(xr + <usize>j * 4), ms));
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
// Rows go 4 values at a time as two f64x2 (`lo4`/`hi4`: promoted from one f32x4, or two f64x2
// loads) with independent accumulators. The sums are reordered against the TypeScript loop,
// which moves them by ~1e-16 relative: far below the float32 output's rounding, and within the
// tests' 1e-13 for float64.
// @ts-ignore: decorator
@inline
function lo4<T>(p: usize): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(p));
  return v128.load(p);
}
// @ts-ignore: decorator
@inline
function hi4<T>(p: usize): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(p, 8));
  return v128.load(p, 16);
}
// @ts-ignore: decorator
@inline
function layerNormRows<T>(x: usize, rows: i32, D: i32, w: usize, b: usize, eps: f64, y: usize, mean: usize, rstd: usize): void {
  const sz = <usize>sizeof<T>();
  const D4 = D & ~3;
  const Df = <f64>D;
  const zero = f64x2.splat(0);
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * <usize>D * sz;
    const yr = y + <usize>r * <usize>D * sz;
    // One pass over shifted values u = x - K, K = the row's first value:
    //   mean = K + sum u / D,   D var = sum u^2 - (sum u)^2 / D
    // The subtraction loses (1 + ((K - mean) / sd)^2) in relative precision, at most D (K an
    // outlier): ~1e-13 in float64 at worst, where one pass over the raw values could lose all.
    const K = <f64>load<T>(xr);
    const kv = f64x2.splat(K);
    let u0 = zero, u1 = zero, q0 = zero, q1 = zero;
    for (let j = 0; j < D4; j += 4) {
      const p = xr + <usize>j * sz;
      const a = f64x2.sub(lo4<T>(p), kv);
      const c = f64x2.sub(hi4<T>(p), kv);
      u0 = f64x2.add(u0, a);
      u1 = f64x2.add(u1, c);
      q0 = f64x2.add(q0, f64x2.mul(a, a));
      q1 = f64x2.add(q1, f64x2.mul(c, c));
    }
    const uv = f64x2.add(u0, u1);
    const qv = f64x2.add(q0, q1);
    let su = f64x2.extract_lane(uv, 0) + f64x2.extract_lane(uv, 1);
    let sq = f64x2.extract_lane(qv, 0) + f64x2.extract_lane(qv, 1);
    for (let t = D4; t < D; t++) {
      const u = <f64>load<T>(xr + <usize>t * sz) - K;
      su += u;
      sq += u * u;
    }
    const mu = K + su / Df;
    const rs = 1 / Math.sqrt((sq - (su * su) / Df) / Df + eps);
    store<f64>(mean + <usize>r * 8, mu);
    store<f64>(rstd + <usize>r * 8, rs);
    // y = (x - mean) rstd w + b: the normalised value in float64 (x - mean is where precision
    // is lost); for float32 storage the affine w, b then runs in float32, as torch's float32
    // kernel does (<= 1 ulp more than one rounding), for float64 all of it in float64
    const muv = f64x2.splat(mu);
    const rsv = f64x2.splat(rs);
    for (let j = 0; j < D4; j += 4) {
      const o = <usize>j * sz;
      const lo = f64x2.mul(f64x2.sub(lo4<T>(xr + o), muv), rsv);
      const hi = f64x2.mul(f64x2.sub(hi4<T>(xr + o), muv), rsv);
      if (sizeof<T>() == 4) {
        let v = v128.shuffle<i32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
        if (w) v = f32x4.mul(v, v128.load(w + o));
        if (b) v = f32x4.add(v, v128.load(b + o));
        v128.store(yr + o, v);
      } else {
        let l = lo, h = hi;
        if (w) {
          l = f64x2.mul(l, v128.load(w + o));
          h = f64x2.mul(h, v128.load(w + o, 16));
        }
        if (b) {
          l = f64x2.add(l, v128.load(b + o));
          h = f64x2.add(h, v128.load(b + o, 16));
        }
        v128.store(yr + o, l);
        v128.store(yr + o, h, 16);
      }
    }
    for (let t = D4; t < D; t++) {
      const v = (<f64>load<T>(xr + <usize>t * sz) - mu) * rs;
      let o = <T>v;
      if (w) o *= load<T>(w + <usize>t * sz);
      if (b) o += load<T>(b + <usize>t * sz);
      store<T>(yr + <usize>t * sz, o);
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
