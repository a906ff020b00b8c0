// Vector math shared by the kernels: the multiply-add of each build, exp over SIMD lanes (wasm
// has no vector exp) and a scalar log. Written here rather than taken from AssemblyScript's
// Math, whose table-driven exp/log put lookup tables in data segments, which every thread's
// instance would rewrite into the shared memory as it starts.
//
// exp: Cody-Waite range reduction and a polynomial, one version per lane type (f64: a Taylor
// series, over the whole range; f32: a fitted polynomial, for x <= 0, see expNonPosF32x4).
//
//   x = k ln2 + r,  k = round(x / ln2),  |r| <= ln2/2 = 0.347
//   e^x = 2^k e^r,  e^r = sum_{i<=D} r^i / i!  (truncation error r^(D+1)/(D+1)! relative)
//
// ln2 is split into a short high part (k * ln2hi is exact) and a low part, so r keeps full
// precision. 2^k is built in the exponent bits, as two factors 2^(k>>1) 2^(k-(k>>1)) so that
// results near overflow and in the subnormal range are still right. The input is clamped
// first: below the clamp e^x rounds to 0 (so exp(-inf) = 0 exactly, which masked softmax
// relies on), above it to +inf; NaN passes through the clamp and stays NaN.

// acc + x * y: fused (one rounding) under relaxed SIMD where the CPU has FMA, else two roundings.
// ASC_FEATURE_RELAXED_SIMD is a compile-time constant, so each build keeps one branch.
// @ts-ignore: decorator
@inline
export function madd<T>(x: v128, y: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<T>(x, y, acc);
  return v128.add<T>(v128.mul<T>(x, y), acc);
}

// k = round(x / ln2) without a rounding instruction or a float -> int conversion (V8 expands
// both into long sequences): adding the shifter 1.5 * 2^52 (f64) or 1.5 * 2^23 (f32) leaves k
// in the low mantissa bits, so (t - shifter) is k as a float and bits(t) - bits(shifter) is k
// as an integer. The clamp uses pmin/pmax (one instruction each; NaN in x passes through).
// The polynomial is evaluated by Estrin's scheme: independent pairs c_i + c_{i+1} r combined
// with r^2, r^4, r^8, a dependency chain of depth ~log2(D) instead of Horner's D.

// f64: D = 13 gives 0.347^14 / 14! = 4e-18 truncation, under half an ulp.
// @ts-ignore: decorator
@inline
export function expF64x2(x: v128): v128 {
  x = f64x2.pmax(f64x2.pmin(x, f64x2.splat(709.8)), f64x2.splat(-746.0));
  const shifter = f64x2.splat(6755399441055744.0);
  const t = madd<f64>(x, f64x2.splat(1.4426950408889634), shifter);
  const k = f64x2.sub(t, shifter);
  const ki = i64x2.sub(t, shifter);
  let r = f64x2.sub(x, f64x2.mul(k, f64x2.splat(0.6931471803691238)));
  r = f64x2.sub(r, f64x2.mul(k, f64x2.splat(1.9082149292705877e-10)));
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  const q0 = madd<f64>(r, f64x2.splat(1.0), f64x2.splat(1.0));
  const q1 = madd<f64>(r, f64x2.splat(1.0 / 6.0), f64x2.splat(0.5));
  const q2 = madd<f64>(r, f64x2.splat(1.0 / 120.0), f64x2.splat(1.0 / 24.0));
  const q3 = madd<f64>(r, f64x2.splat(1.0 / 5040.0), f64x2.splat(1.0 / 720.0));
  const q4 = madd<f64>(r, f64x2.splat(1.0 / 362880.0), f64x2.splat(1.0 / 40320.0));
  const q5 = madd<f64>(r, f64x2.splat(1.0 / 39916800.0), f64x2.splat(1.0 / 3628800.0));
  const q6 = madd<f64>(r, f64x2.splat(1.0 / 6227020800.0), f64x2.splat(1.0 / 479001600.0));
  const lo = madd<f64>(r4, madd<f64>(r2, q3, q2), madd<f64>(r2, q1, q0));
  const hi = madd<f64>(r4, q6, madd<f64>(r2, q5, q4));
  const p = madd<f64>(r8, hi, lo);
  // 2^k as two factors (k up to 1078 in magnitude), each built in the exponent bits
  const k1 = i64x2.shr_s(ki, 1);
  const k2 = i64x2.sub(ki, k1);
  const bias = i64x2.splat(1023);
  return f64x2.mul(f64x2.mul(p, i64x2.shl(i64x2.add(k1, bias), 52)), i64x2.shl(i64x2.add(k2, bias), 52));
}

// f32, for x <= 0 only (what softmax and attention exponentiate: x - max, -inf when masked;
// NaN passes through): e^r by a degree-5 polynomial fitted for least maximum relative error on
// |r| <= ln2/2 (a Remez fit, its coefficients scaled so that e^0 = 1 exactly), instead of the
// degree-7 Taylor series: at most 3.3 ulp from e^x, 1 ulp on average, measured over 3 million
// points in (-87, 0] against exp in float64 (the Taylor version: 1.7 and 0.4), for ~25% fewer
// vector instructions. 2^k is one factor, built in the exponent bits. The input is only clamped
// below, at -88: from about -87.68 down (-inf included) k rounds to -127, whose biased exponent
// is 0, so the factor is +0 and the result exactly 0 without a flush mask; no clamp above, as
// every caller passes x - max. Three instructions fewer than clamping to [-87, 0] and masking
// the flush: softmax rows ~10% faster (and results in (-87.68, -87] are e^x, not 0).
// @ts-ignore: decorator
@inline
export function expNonPosF32x4(x: v128): v128 {
  x = f32x4.pmax(x, f32x4.splat(-88.0));
  const shifter = f32x4.splat(12582912.0);
  const t = madd<f32>(x, f32x4.splat(1.44269504), shifter);
  const k = f32x4.sub(t, shifter);
  const ki = i32x4.sub(t, shifter);
  let r = f32x4.sub(x, f32x4.mul(k, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(k, f32x4.splat(-2.1219444e-4)));
  const r2 = f32x4.mul(r, r);
  const q0 = madd<f32>(r, f32x4.splat(0.9999996192035862), f32x4.splat(1.0));
  const q1 = madd<f32>(r, f32x4.splat(0.1666757534397042), f32x4.splat(0.4999888906795329));
  const q2 = madd<f32>(r, f32x4.splat(0.008297618869960752), f32x4.splat(0.04191562623824265));
  const p = madd<f32>(r2, madd<f32>(r2, q2, q1), q0);
  return f32x4.mul(p, i32x4.shl(i32x4.add(ki, i32x4.splat(127)), 23));
}

/** Scalar exp in f64 (through lane 0 of the vector version). */
// @ts-ignore: decorator
@inline
export function expF64(x: f64): f64 {
  return f64x2.extract_lane(expF64x2(f64x2.splat(x)), 0);
}

// log (softmax sums lie in [1, n] or are NaN): x = 2^e m with m in [sqrt(1/2), sqrt(2)),
// log m = 2 atanh(z) = 2 (z + z^3/3 + z^5/5 + ...), z = (m - 1) / (m + 1), |z| <= 0.172;
// terms to z^23 leave 0.172^25 / 25 = 3e-21 relative.
export function logF64(x: f64): f64 {
  if (!(x > 0 && x < Infinity)) return x == 0 ? -Infinity : x == Infinity ? x : NaN; // NaN sums stay NaN
  const bits = reinterpret<i64>(x);
  let e = <i32>((bits >> 52) & 0x7ff) - 1023;
  let m = reinterpret<f64>((bits & 0x000fffffffffffff) | 0x3ff0000000000000);
  if (m >= 1.4142135623730951) {
    m *= 0.5;
    e += 1;
  }
  const z = (m - 1) / (m + 1);
  const z2 = z * z;
  let p = 1.0 / 23.0;
  for (let i = 21; i >= 1; i -= 2) p = p * z2 + 1.0 / <f64>i;
  return 2 * z * p + <f64>e * 0.6931471805599453;
}
