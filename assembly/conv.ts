// Conv2d forward and backward (NCHW, cross-correlation as torch) as GEMMs per (image, group)
// on gemm.ts's blocked kernel. Forward, with B = the im2col matrix gathered while packing
// (im2col.ts):
//
//   y_g [Og, P] = W_g [Og, K] cols_g [K, P] (+ bias),   K = Cg kh kw,  P = OH OW
//
// Backward, given dy: y_g is linear in W_g and in cols_g, so
//
//   dW_g [Og, K] += dy_g [Og, P] cols_g^T [P, K]     (cols_g rebuilt from x, not stored)
//   dcols_g [K, P] = W_g^T [K, Og] dy_g [Og, P],      dx = col2im(dcols)  (im2col's adjoint)
//   db [O] += sum over images and P of dy
//
// both over blocks of pb output columns, so that the transposed cols block (im2colT) or the
// dcols block stays in cache between its writing and its reading.
//
// Same semantics as conv2dForward / conv2dBackward in src/kernels/conv.ts, which call these
// first. A forward thread takes a range of images (all columns) or, with fewer images than
// threads, a range of the output columns of every image. A backward thread sums dW and db over
// its images x columns into a partial of its own (src/kernels/wasm/conv.ts adds them up) and
// writes dx for its images x input channels: disjoint between threads, so no races.
//
// Legend: N images, C channels (Cg = C / G per group), H x W input, O output channels
// (Og = O / G), kh x kw kernel, OH x OW output. Geometry at `geo`: conv-geometry.ts
// (ConvForwardGeo, ConvBackwardGeo).

import { ConvBackwardGeo, ConvForwardGeo } from './conv-geometry';
import { gemm, gemmScratchBytes } from './gemm';
import { col2im, im2colT } from './im2col';

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
  const geom = changetype<ConvForwardGeo>(geo);
  const C = geom.C, H = geom.H, W = geom.W, O = geom.O, G = geom.G;
  const kk = geom.kh * geom.kw, P = geom.OH * geom.OW;
  const x = <usize>geom.x, w = <usize>geom.w, b = <usize>geom.b, y = <usize>geom.y;
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

/**
 * f32 conv2d backward: dW and db partials (zeroed here) over images [n0, n1) x output columns
 * [p0, p1) into dwPart [O, K] and dbPart [O] (f64); dx for images [n0, n1) x channels [c0, c1).
 * scratch: gemmScratchBytes() then a block of pb C kh kw values.
 */
export function conv2dBackwardF32(
  geo: usize, n0: i32, n1: i32, p0: i32, p1: i32, c0: i32, c1: i32,
  dwPart: usize, dbPart: usize, scratch: usize,
): void {
  conv2dBackward<f32>(geo, n0, n1, p0, p1, c0, c1, dwPart, dbPart, scratch);
}

/** f64 conv2d backward: as conv2dBackwardF32. */
export function conv2dBackwardF64(
  geo: usize, n0: i32, n1: i32, p0: i32, p1: i32, c0: i32, c1: i32,
  dwPart: usize, dbPart: usize, scratch: usize,
): void {
  conv2dBackward<f64>(geo, n0, n1, p0, p1, c0, c1, dwPart, dbPart, scratch);
}

// @ts-ignore: decorator
@inline
function conv2dBackward<T>(
  geo: usize, n0: i32, n1: i32, p0: i32, p1: i32, c0: i32, c1: i32,
  dwPart: usize, dbPart: usize, scratch: usize,
): void {
  const sz = <i32>sizeof<T>();
  const geom = changetype<ConvBackwardGeo>(geo);
  const C = geom.C, H = geom.H, W = geom.W, O = geom.O, G = geom.G, kk = geom.kh * geom.kw;
  const OH = geom.OH, OW = geom.OW, P = OH * OW;
  const x = <usize>geom.x, w = <usize>geom.w, dy = <usize>geom.dy, dx = <usize>geom.dx;
  const wantDw = geom.wantDw, wantDb = geom.wantDb, pb = geom.pb;
  const Cg = C / G, Og = O / G, K = Cg * kk, CKK = C * kk;
  const block = scratch + <usize>gemmScratchBytes();

  if (wantDb) {
    for (let o = 0; o < O; o++) {
      let s = 0.0;
      for (let n = n0; n < n1; n++) s += sum<T>(dy + <usize>(((n * O + o) * P + p0) * sz), p1 - p0);
      store<f64>(dbPart + <usize>(o * 8), s);
    }
  }
  if (wantDw) {
    memory.fill(dwPart, 0, <usize>(O * K * sz));
    for (let n = n0; n < n1; n++) {
      const xn = x + <usize>(n * C * H * W * sz);
      for (let pa = p0; pa < p1; pa += pb) {
        const np = min(pb, p1 - pa);
        im2colT<T>(geo, xn, pa, np, block);
        for (let g = 0; g < G; g++) {
          const dyg = dy + <usize>(((n * O + g * Og) * P + pa) * sz);
          const colsT = block + <usize>(g * K * sz);
          gemm<T>(Og, K, np, dyg, P, 1, colsT, CKK, 1, dwPart + <usize>(g * Og * K * sz), K, 1, scratch, 0, 0);
        }
      }
    }
  }
  if (dx && c1 > c0) {
    // a 1x1 kernel with unit stride and no padding: dcols is dx itself (no scatter)
    const pointwise =
      kk == 1 && geom.sh == 1 && geom.sw == 1 && geom.pt == 0 && geom.pl == 0 && OH == H && OW == W;
    for (let n = n0; n < n1; n++) {
      const dxn = dx + <usize>(n * C * H * W * sz);
      if (!pointwise) memory.fill(dxn + <usize>(c0 * H * W * sz), 0, <usize>((c1 - c0) * H * W * sz));
      for (let pa = 0; pa < P; pa += pb) {
        const np = min(pb, P - pa);
        // the groups met by channels [c0, c1): W_g^T's rows of those channels
        for (let g = c0 / Cg; g * Cg < c1; g++) {
          const ca = max(c0, g * Cg), cb = min(c1, (g + 1) * Cg);
          const wT = w + <usize>((g * Og * K + (ca - g * Cg) * kk) * sz);
          const dyg = dy + <usize>(((n * O + g * Og) * P + pa) * sz);
          if (pointwise) {
            gemm<T>(cb - ca, np, Og, wT, 1, K, dyg, P, 1, dxn + <usize>((ca * P + pa) * sz), P, 0, scratch, 0, 0);
          } else {
            const dcols = block + <usize>((ca - c0) * kk * np * sz);
            gemm<T>((cb - ca) * kk, np, Og, wT, 1, K, dyg, P, 1, dcols, np, 0, scratch, 0, 0);
          }
        }
        if (!pointwise) col2im<T>(geo, block, c0, c1, pa, np, dxn);
      }
    }
  }
}

// The sum of n values at p, in f64 (dy's float32 values sum exactly as in TypeScript's doubles).
// @ts-ignore: decorator
@inline
function sum<T>(p: usize, n: i32): f64 {
  const sz = <i32>sizeof<T>();
  let s0 = 0.0, s1 = 0.0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += <f64>load<T>(p + <usize>(i * sz));
    s1 += <f64>load<T>(p + <usize>((i + 1) * sz));
  }
  if (i < n) s0 += <f64>load<T>(p + <usize>(i * sz));
  return s0 + s1;
}
