// Elementwise arithmetic and row sums, bit for bit the TypeScript kernels (src/kernels/elementwise.ts,
// sumAxis in src/kernels/reduce.ts):
//   binary   o = a op b over `rows` rows of n; each operand steps 1 or 0 (broadcast) along a row
//            and by its own row stride between rows. op: 0 add, 1 sub, 2 mul, 3 div, 4 max,
//            5 min. TypeScript computes in float64 and rounds once to float32, which for + - * /
//            equals the float32 operation (float64 has more than 2 x 24 + 2 bits); max and min
//            propagate NaN and order -0 below +0 in both.
//   sumRows  out[r] = sum of row r in float64, left to right as the TypeScript loop. The order
//            is fixed, so one row cannot use SIMD lanes; instead 4 rows run side by side, four
//            independent dependency chains where one would wait on each add's latency.

/** o = a op b in f32 (see the header). */
export function binaryF32(
  op: i32, rows: i32, n: i32,
  o: usize, ors: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
): void {
  binary<f32>(op, rows, n, o, ors, a, ars, acs, b, brs, bcs);
}

/** o = a op b in f64 (see the header). */
export function binaryF64(
  op: i32, rows: i32, n: i32,
  o: usize, ors: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
): void {
  binary<f64>(op, rows, n, o, ors, a, ars, acs, b, brs, bcs);
}

// One loop per op: the op is a constant inside each, so the compiler folds vop/sop to one instruction.
// @ts-ignore: decorator
@inline
function binary<T>(
  op: i32, rows: i32, n: i32,
  o: usize, ors: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
): void {
  const sz = <usize>sizeof<T>();
  for (let r = 0; r < rows; r++) {
    const orow = o + <usize>r * <usize>ors * sz;
    const arow = a + <usize>r * <usize>ars * sz;
    const brow = b + <usize>r * <usize>brs * sz;
    switch (op) {
      case 0: row<T>(0, n, orow, arow, acs, brow, bcs); break;
      case 1: row<T>(1, n, orow, arow, acs, brow, bcs); break;
      case 2: row<T>(2, n, orow, arow, acs, brow, bcs); break;
      case 3: row<T>(3, n, orow, arow, acs, brow, bcs); break;
      case 4: row<T>(4, n, orow, arow, acs, brow, bcs); break;
      default: row<T>(5, n, orow, arow, acs, brow, bcs);
    }
  }
}

// @ts-ignore: decorator
@inline
function row<T>(op: i32, n: i32, o: usize, a: usize, acs: i32, b: usize, bcs: i32): void {
  const sz = <usize>sizeof<T>();
  const lanes = 16 / <i32>sz;
  let i = 0;
  if (acs && bcs) {
    for (; i + lanes <= n; i += lanes) {
      const at = <usize>i * sz;
      v128.store(o + at, vop<T>(op, v128.load(a + at), v128.load(b + at)));
    }
  } else if (acs) {
    const y = v128.load_splat<T>(b);
    for (; i + lanes <= n; i += lanes) {
      const at = <usize>i * sz;
      v128.store(o + at, vop<T>(op, v128.load(a + at), y));
    }
  } else if (bcs) {
    const x = v128.load_splat<T>(a);
    for (; i + lanes <= n; i += lanes) {
      const at = <usize>i * sz;
      v128.store(o + at, vop<T>(op, x, v128.load(b + at)));
    }
  }
  for (; i < n; i++) {
    const x = load<T>(a + <usize>(i * acs) * sz);
    const y = load<T>(b + <usize>(i * bcs) * sz);
    store<T>(o + <usize>i * sz, sop<T>(op, x, y));
  }
}

// @ts-ignore: decorator
@inline
function vop<T>(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return v128.add<T>(x, y);
  if (op == 1) return v128.sub<T>(x, y);
  if (op == 2) return v128.mul<T>(x, y);
  if (op == 3) return v128.div<T>(x, y);
  if (op == 4) return v128.max<T>(x, y);
  return v128.min<T>(x, y);
}

// @ts-ignore: decorator
@inline
function sop<T>(op: i32, x: T, y: T): T {
  if (op == 0) return x + y;
  if (op == 1) return x - y;
  if (op == 2) return x * y;
  if (op == 3) return x / y;
  if (op == 4) return max<T>(x, y);
  return min<T>(x, y);
}

/** out[r] = sum of f32 row r (n contiguous values, rows n apart), in float64 (see the header). */
export function sumRowsF32(x: usize, rows: i32, n: i32, out: usize): void {
  sumRows<f32>(x, rows, n, out);
}

/** out[r] = sum of f64 row r, as sumRowsF32. */
export function sumRowsF64(x: usize, rows: i32, n: i32, out: usize): void {
  sumRows<f64>(x, rows, n, out);
}

// @ts-ignore: decorator
@inline
function sumRows<T>(x: usize, rows: i32, n: i32, out: usize): void {
  const sz = <usize>sizeof<T>();
  const stride = <usize>n * sz;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const p = x + <usize>r * stride;
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (let j = 0; j < n; j++) {
      const at = p + <usize>j * sz;
      s0 += <f64>load<T>(at);
      s1 += <f64>load<T>(at + stride);
      s2 += <f64>load<T>(at + 2 * stride);
      s3 += <f64>load<T>(at + 3 * stride);
    }
    const q = out + <usize>r * sz;
    store<T>(q, <T>s0);
    store<T>(q + sz, <T>s1);
    store<T>(q + 2 * sz, <T>s2);
    store<T>(q + 3 * sz, <T>s3);
  }
  for (; r < rows; r++) {
    const p = x + <usize>r * stride;
    let s: f64 = 0;
    for (let j = 0; j < n; j++) s += <f64>load<T>(p + <usize>j * sz);
    store<T>(out + <usize>r * sz, <T>s);
  }
}
