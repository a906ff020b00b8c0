// Implicit im2col: the B panels of the convolution GEMM gathered straight from the image, so the
// [Cg*kh*kw, P] column matrix is never written out (one pass over memory fewer than im2col +
// gemm, and no scratch of its size). Column j = (oh, ow) and row k = (c, ki, kj) of B hold
//
//   x[c, oh*sh - pt + ki*dh, ow*sw - pl + kj*dw]    (0 where that falls in the padding)
//
// as im2col in src/kernels/conv.ts. Panels have gemm.ts's layout: NR = TILE_BYTES / sizeof<T>
// columns, k-major, zero padded past the last column.
//
// Legend: H x W input, kh x kw kernel, s stride, pt/pl top/left padding, d dilation, OW output
// width. Geometry words at `geo` (i32): see GEO_* below and src/kernels/wasm/conv.ts.

import { TILE_BYTES } from './gemm';

export const GEO_H = 2;
export const GEO_W = 3;
export const GEO_KH = 6;
export const GEO_KW = 7;
export const GEO_SH = 8;
export const GEO_SW = 9;
export const GEO_PT = 10;
export const GEO_PL = 11;
export const GEO_DH = 12;
export const GEO_DW = 13;
export const GEO_OW = 15;

// @ts-ignore: decorator
@inline
function word(geo: usize, i: i32): i32 {
  return load<i32>(geo + <usize>i * 4);
}

/** Packs rows [pc, pc + kc) and columns [j, j + nc) of the im2col matrix of image x into dst. */
// @ts-ignore: decorator
@inline
export function packIm2col<T>(geo: usize, x: usize, pc: i32, j: i32, kc: i32, nc: i32, dst: usize): void {
  const sz = <i32>sizeof<T>();
  const NR = TILE_BYTES / sz;
  const H = word(geo, GEO_H), W = word(geo, GEO_W);
  const kh = word(geo, GEO_KH), kw = word(geo, GEO_KW);
  const sh = word(geo, GEO_SH), sw = word(geo, GEO_SW);
  const pt = word(geo, GEO_PT), pl = word(geo, GEO_PL);
  const dh = word(geo, GEO_DH), dw = word(geo, GEO_DW);
  const OW = word(geo, GEO_OW);
  const kk = kh * kw;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const oh = (j + jr) / OW;
    const ow = (j + jr) % OW;
    // the common case: a full panel within one output row, read as runs of the input row
    const oneRow = nr == NR && ow + NR <= OW;
    let c = pc / kk;
    let ki = (pc % kk) / kw;
    let kj = pc % kw;
    for (let k = 0; k < kc; k++) {
      const plane = x + <usize>(c * H * W * sz);
      if (oneRow) {
        const ih = oh * sh - pt + ki * dh;
        const iw = ow * sw - pl + kj * dw;
        if (ih < 0 || ih >= H) {
          v128.store(dst, v128.splat<i32>(0));
          v128.store(dst, v128.splat<i32>(0), 16);
        } else if (sw == 1 && iw >= 0 && iw + NR <= W) {
          const p = plane + <usize>((ih * W + iw) * sz);
          v128.store(dst, v128.load(p));
          v128.store(dst, v128.load(p, 16), 16);
        } else if (sizeof<T>() == 4 && sw == 1 && iw > -NR && iw < W) {
          // a run cut by the left or right padding: load all 8 lanes (the ones outside the row
          // read the neighbouring row or operand, never outside memory) and zero them
          const p = plane + <usize>((ih * W + iw) * sz);
          const lo = i32x4.add(i32x4.splat(iw), i32x4(0, 1, 2, 3));
          const hi = i32x4.add(lo, i32x4.splat(4));
          const w4 = i32x4.splat(W);
          const z = i32x4.splat(-1);
          v128.store(dst, v128.and(v128.load(p), v128.and(i32x4.gt_s(lo, z), i32x4.lt_s(lo, w4))));
          v128.store(dst, v128.and(v128.load(p, 16), v128.and(i32x4.gt_s(hi, z), i32x4.lt_s(hi, w4))), 16);
        } else {
          const row = plane + <usize>(ih * W * sz);
          for (let t = 0; t < NR; t++) {
            const w = iw + t * sw;
            store<T>(dst + <usize>(t * sz), w >= 0 && w < W ? load<T>(row + <usize>(w * sz)) : <T>0);
          }
        }
      } else {
        // a panel across output rows, or the last, partial one: element by element
        let o = ow;
        let r = oh;
        for (let t = 0; t < NR; t++) {
          let v = <T>0;
          if (t < nr) {
            const ih = r * sh - pt + ki * dh;
            const iw = o * sw - pl + kj * dw;
            if (ih >= 0 && ih < H && iw >= 0 && iw < W) v = load<T>(plane + <usize>((ih * W + iw) * sz));
            if (++o == OW) {
              o = 0;
              r++;
            }
          }
          store<T>(dst + <usize>(t * sz), v);
        }
      }
      dst += TILE_BYTES;
      if (++kj == kw) {
        kj = 0;
        if (++ki == kh) {
          ki = 0;
          c++;
        }
      }
    }
  }
}
