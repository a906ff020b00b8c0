// Conv2d forward (NCHW, cross-correlation as torch) as one GEMM per (image, group) on gemm.ts's
// blocked kernel, with B = the im2col matrix gathered while packing (im2col.ts):
//
//   y_g [Og, P] = W_g [Og, K] cols_g [K, P] (+ bias),   K = Cg kh kw,  P = OH OW
//
// Same semantics as conv2dForward in src/kernels/conv.ts, which calls this first. A thread
// takes a range of images (all columns) or, with fewer images than threads, a range of the
// output columns of every image.
//
// Legend: N images, C channels (Cg = C / G per group), H x W input, O output channels
// (Og = O / G), kh x kw kernel, OH x OW output. Geometry: i32 words at `geo`:
//   0 N, 1 C, 2 H, 3 W, 4 O, 5 G, 6 kh, 7 kw, 8 sh, 9 sw, 10 pt, 11 pl, 12 dh, 13 dw, 14 OH, 15 OW,
//   16 x, 17 w, 18 b (0 = no bias), 19 y   (byte addresses)

import { gemm } from './gemm';

/** f32 conv2d forward of images [n0, n1), output columns [p0, p1). */
export function conv2dForwardF32(geo: usize, n0: i32, n1: i32, p0: i32, p1: i32, scratch: usize): void {
  conv2dForward<f32>(geo, n0, n1, p0, p1, scratch);
}

/** f64 conv2d forward: as conv2dForwardF32. */
export function conv2dForwardF64(geo: usize, n0: i32, n1: i32, p0: i32, p1: i32, scratch: usize): void {
  conv2dForward<f64>(geo, n0, n1, p0, p1, scratch);
}

// @ts-ignore: decorator
@inline
function conv2dForward<T>(geo: usize, n0: i32, n1: i32, p0: i32, p1: i32, scratch: usize): void {
  const sz = <i32>sizeof<T>();
  const C = load<i32>(geo, 4), H = load<i32>(geo, 8), W = load<i32>(geo, 12);
  const O = load<i32>(geo, 16), G = load<i32>(geo, 20);
  const kk = load<i32>(geo, 24) * load<i32>(geo, 28);
  const P = load<i32>(geo, 56) * load<i32>(geo, 60);
  const x = <usize>load<i32>(geo, 64), w = <usize>load<i32>(geo, 68);
  const b = <usize>load<i32>(geo, 72), y = <usize>load<i32>(geo, 76);
  const Cg = C / G, Og = O / G, K = Cg * kk, np = p1 - p0;
  for (let n = n0; n < n1; n++) {
    const yn = y + <usize>(n * O * P * sz);
    // the bias first, then the products accumulate onto it
    if (b) {
      for (let o = 0; o < O; o++) {
        const bo = load<T>(b + <usize>(o * sz));
        const row = yn + <usize>((o * P + p0) * sz);
        for (let p = 0; p < np; p++) store<T>(row + <usize>(p * sz), bo);
      }
    }
    for (let g = 0; g < G; g++) {
      const xg = x + <usize>((n * C + g * Cg) * H * W * sz);
      const wg = w + <usize>(g * Og * K * sz);
      const yg = yn + <usize>((g * Og * P + p0) * sz);
      gemm<T>(Og, np, K, wg, K, 1, xg, 0, 0, yg, P, b ? 1 : 0, scratch, geo, p0);
    }
  }
}
