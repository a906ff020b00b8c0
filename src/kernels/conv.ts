// 2-D convolution as im2col + GEMM, over typed arrays (NCHW, cross-correlation as torch).
// Dims: N images, C input channels, H x W input, O output channels, G groups (Cg = C/G,
// Og = O/G), kh x kw kernel, OH x OW output, P = OH*OW output pixels, K = Cg*kh*kw.
//
// im2col lays one image out as cols [C*kh*kw, P]: row (c, ki, kj), column (oh, ow) holds
//   x[c, oh*sh - pt + ki*dh, ow*sw - pl + kj*dw]   (0 where that falls in the padding)
// so that for each group g, with weight viewed as W_g [Og, K] and cols_g the group's K rows,
//   y_g [Og, P] = W_g cols_g (+ bias).
// One image's cols are built at a time into a scratch buffer reused across images and calls.

import type { Storage } from '../tensor/dtype.js';
import { fillStorage } from '../tensor/memory.js';
import { gemm } from './matmul.js';
import { conv2dBackwardWasm, conv2dForwardWasm } from './wasm/conv.js';

/** Sizes of one convolution; pt/pl are the top/left padding (bottom/right follow from OH/OW). */
export interface ConvGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
  G: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  pt: number;
  pl: number;
  dh: number;
  dw: number;
  OH: number;
  OW: number;
}

let scratch32 = new Float32Array(0);
let scratch64 = new Float64Array(0);

// A reused buffer of at least n elements (float32 for float32 data: half the memory traffic).
function scratch(like: Storage, n: number): Float32Array | Float64Array {
  if (like instanceof Float32Array) {
    if (scratch32.length < n) scratch32 = new Float32Array(n);
    return scratch32;
  }
  if (scratch64.length < n) scratch64 = new Float64Array(n);
  return scratch64;
}

// The output columns whose input column ow*sw + shift lies in [0, W): [lo, hi).
function validRange(shift: number, s: number, W: number, OW: number): [number, number] {
  const lo = Math.min(Math.max(Math.ceil(-shift / s), 0), OW);
  const hi = Math.min(Math.max(Math.ceil((W - shift) / s), lo), OW);
  return [lo, hi];
}

/** Writes cols [C*kh*kw, P] of the image at x[xOff ..]. */
export function im2col(x: Storage, xOff: number, g: ConvGeometry, cols: Storage): void {
  const { C, H, W, kh, kw, sh, sw, pt, pl, dh, dw, OH, OW } = g;
  const P = OH * OW;
  let row = 0;
  for (let c = 0; c < C; c++) {
    const xc = xOff + c * H * W;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++, row++) {
        const shift = kj * dw - pl;
        const [lo, hi] = validRange(shift, sw, W, OW);
        for (let oh = 0; oh < OH; oh++) {
          const o = row * P + oh * OW;
          const ih = oh * sh - pt + ki * dh;
          if (ih < 0 || ih >= H) {
            cols.fill(0, o, o + OW);
            continue;
          }
          for (let ow = 0; ow < lo; ow++) cols[o + ow] = 0;
          let src = xc + ih * W + lo * sw + shift;
          for (let ow = lo; ow < hi; ow++, src += sw) cols[o + ow] = x[src];
          for (let ow = hi; ow < OW; ow++) cols[o + ow] = 0;
        }
      }
    }
  }
}

/** The adjoint of im2col: dx[dxOff ..] += every column entry back at the pixel it was read from. */
export function col2im(cols: Storage, g: ConvGeometry, dx: Storage, dxOff: number): void {
  const { C, H, W, kh, kw, sh, sw, pt, pl, dh, dw, OH, OW } = g;
  const P = OH * OW;
  let row = 0;
  for (let c = 0; c < C; c++) {
    const xc = dxOff + c * H * W;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++, row++) {
        const shift = kj * dw - pl;
        const [lo, hi] = validRange(shift, sw, W, OW);
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * sh - pt + ki * dh;
          if (ih < 0 || ih >= H) continue;
          const o = row * P + oh * OW;
          let dst = xc + ih * W + lo * sw + shift;
          for (let ow = lo; ow < hi; ow++, dst += sw) dx[dst] += cols[o + ow];
        }
      }
    }
  }
}

// A 1x1 kernel with stride 1 and no padding reads every pixel once, in place: cols_n is x_n
// itself and im2col / col2im would be plain copies, so the GEMMs use x (and dx) directly.
function isPointwise(g: ConvGeometry): boolean {
  return (
    g.kh === 1 &&
    g.kw === 1 &&
    g.sh === 1 &&
    g.sw === 1 &&
    g.pt === 0 &&
    g.pl === 0 &&
    g.OH === g.H &&
    g.OW === g.W
  );
}

/** y [N, O, P] = conv(x [N, C, H, W], w [O, Cg, kh, kw]) + b [O]. */
export function conv2dForward(x: Storage, w: Storage, b: Storage | null, g: ConvGeometry, y: Storage): void {
  if (conv2dForwardWasm(x, w, b, g, y)) return; // implicit-im2col GEMM in wasm SIMD, threads
  const { N, C, H, W, O, G, kh, kw, OH, OW } = g;
  const P = OH * OW;
  const Og = O / G;
  const K = (C / G) * kh * kw;
  const direct = isPointwise(g);
  const cols = direct ? x : scratch(x, C * kh * kw * P);
  for (let n = 0; n < N; n++) {
    const yn = n * O * P;
    if (b) for (let o = 0; o < O; o++) fillStorage(y, b[o], yn + o * P, yn + (o + 1) * P);
    if (!direct) im2col(x, n * C * H * W, g, cols);
    const colsOff = direct ? n * C * H * W : 0;
    for (let gi = 0; gi < G; gi++) {
      const wv = { data: w, off: gi * Og * K, rs: K, cs: 1 };
      const cv = { data: cols, off: colsOff + gi * K * P, rs: P, cs: 1 };
      gemm(Og, P, K, wv, cv, y, yn + gi * Og * P, b !== null);
    }
  }
}

/**
 * Backward of conv2dForward given dy [N, O, P]: dx = col2im(W_g^T dy_g) when dx (zeros) is
 * given; dw [O, K] += dy_g cols_g^T (cols recomputed, not stored); db [O] += sum dy. dw should
 * share x's dtype: a GEMM over one dtype takes the fast path (src/kernels/matmul.ts).
 */
export function conv2dBackward(
  x: Storage,
  w: Storage,
  dy: Storage,
  g: ConvGeometry,
  dx: Storage | null,
  dw: Storage | null,
  db: Float64Array | null,
): void {
  if (conv2dBackwardWasm(x, w, dy, g, dx, dw, db)) return; // the same products in wasm, threads
  const { N, C, H, W, O, G, kh, kw, OH, OW } = g;
  const P = OH * OW;
  const Og = O / G;
  const K = (C / G) * kh * kw;
  const direct = isPointwise(g);
  const cols = direct ? null : scratch(x, C * kh * kw * P);
  for (let n = 0; n < N; n++) {
    const yn = n * O * P;
    const xn = n * C * H * W;
    if (db) {
      for (let o = 0; o < O; o++) {
        let s = 0;
        for (let p = yn + o * P, end = p + P; p < end; p++) s += dy[p];
        db[o] += s;
      }
    }
    if (dw) {
      if (cols) im2col(x, xn, g, cols);
      for (let gi = 0; gi < G; gi++) {
        const dyv = { data: dy, off: yn + gi * Og * P, rs: P, cs: 1 };
        const colsT = cols
          ? { data: cols, off: gi * K * P, rs: 1, cs: P }
          : { data: x, off: xn + gi * K * P, rs: 1, cs: P };
        gemm(Og, K, P, dyv, colsT, dw, gi * Og * K, true);
      }
    }
    if (dx) {
      // dcols into the scratch (then scattered back), or straight into dx when pointwise
      for (let gi = 0; gi < G; gi++) {
        const wT = { data: w, off: gi * Og * K, rs: 1, cs: K };
        const dyv = { data: dy, off: yn + gi * Og * P, rs: P, cs: 1 };
        if (cols) gemm(K, P, Og, wT, dyv, cols, gi * K * P, false);
        else gemm(K, P, Og, wT, dyv, dx, xn + gi * K * P, false);
      }
      if (cols) col2im(cols, g, dx, xn);
    }
  }
}
