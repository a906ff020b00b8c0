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
// width. Geometry words at `geo`: conv-geometry.ts.
// The backward's two explicit layouts of the same matrix (im2colT, col2im) follow packIm2col.

import { ConvShape } from './conv-geometry';
import { TILE_BYTES } from './gemm';

/** Packs rows [pc, pc + kc) and columns [j, j + nc) of the im2col matrix of image x into dst. */
// @ts-ignore: decorator
@inline
export function packIm2col<T>(geo: usize, x: usize, pc: i32, j: i32, kc: i32, nc: i32, dst: usize): void {
  const sz = <i32>sizeof<T>();
  const NR = TILE_BYTES / sz;
  const geom = changetype<ConvShape>(geo);
  const H = geom.H, W = geom.W, kh = geom.kh, kw = geom.kw, sh = geom.sh, sw = geom.sw;
  const pt = geom.pt, pl = geom.pl, dh = geom.dh, dw = geom.dw, OW = geom.OW;
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

// The backward's layouts, over blocks of output columns [p0, p0 + pb): im2colT writes the block
// transposed, row p - p0 holding all C kh kw entries of column p (the B operand of
// dW = dy cols^T, which gemm.ts packs with whole-v128 copies); col2im is im2col's adjoint, adding
// each entry of a dcols block back onto the input pixel it was read from. Both walk the block
// as segments of output rows: columns [a, b) of output row oh, of which those in [lo, hi) read
// inside the input row (validLo / validHi, as validRange in src/kernels/conv.ts).

// @ts-ignore: decorator
@inline
function validLo(shift: i32, s: i32, OW: i32): i32 {
  // first ow with ow*s + shift >= 0
  return shift >= 0 ? 0 : min((-shift + s - 1) / s, OW);
}

// @ts-ignore: decorator
@inline
function validHi(shift: i32, s: i32, W: i32, OW: i32, lo: i32): i32 {
  // first ow with ow*s + shift >= W (at least lo)
  return W - shift <= 0 ? lo : max(min((W - shift + s - 1) / s, OW), lo);
}

/** Writes dst[p - p0, k] = im2col(x)[k, p] for p in [p0, p0 + pb) and all C kh kw rows k. */
export function im2colT<T>(geo: usize, x: usize, p0: i32, pb: i32, dst: usize): void {
  const sz = <i32>sizeof<T>();
  const geom = changetype<ConvShape>(geo);
  const C = geom.C, H = geom.H, W = geom.W, kh = geom.kh, kw = geom.kw, sh = geom.sh, sw = geom.sw;
  const pt = geom.pt, pl = geom.pl, dh = geom.dh, dw = geom.dw, OW = geom.OW;
  // one column of the block per row k: stores stride a whole row, but the pb rows they touch
  // stay in L1 across the consecutive k that fill them
  const ld = <usize>(C * kh * kw * sz);
  const end = p0 + pb;
  let col = dst;
  for (let c = 0; c < C; c++) {
    const plane = x + <usize>(c * H * W * sz);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const shift = kj * dw - pl;
        const lo = validLo(shift, sw, OW);
        const hi = validHi(shift, sw, W, OW, lo);
        let q = col;
        for (let p = p0, oh = p0 / OW, a = p0 % OW; p < end; oh++, a = 0) {
          const b = min(OW, a + end - p);
          p += b - a;
          const ih = oh * sh - pt + ki * dh;
          const inRow = ih >= 0 && ih < H;
          const va = inRow ? max(a, lo) : b;
          const vb = inRow ? max(min(b, hi), va) : b;
          for (let ow = a; ow < va; ow++, q += ld) store<T>(q, <T>0);
          let src = plane + <usize>((ih * W + va * sw + shift) * sz);
          for (let ow = va; ow < vb; ow++, q += ld, src += <usize>(sw * sz)) store<T>(q, load<T>(src));
          for (let ow = vb; ow < b; ow++, q += ld) store<T>(q, <T>0);
        }
        col += <usize>sz;
      }
    }
  }
}

/**
 * dx[c, ...] += the entries of block src [(c - c0) kh kw + ki kw + kj, p - p0] (row stride pb)
 * at the pixels im2col read them from, for channels [c0, c1) and columns [p0, p0 + pb).
 */
export function col2im<T>(geo: usize, src: usize, c0: i32, c1: i32, p0: i32, pb: i32, dx: usize): void {
  const sz = <i32>sizeof<T>();
  const L = 16 / sz; // lanes
  const geom = changetype<ConvShape>(geo);
  const H = geom.H, W = geom.W, kh = geom.kh, kw = geom.kw, sh = geom.sh, sw = geom.sw;
  const pt = geom.pt, pl = geom.pl, dh = geom.dh, dw = geom.dw, OW = geom.OW;
  const end = p0 + pb;
  let row = src;
  for (let c = c0; c < c1; c++) {
    const plane = dx + <usize>(c * H * W * sz);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const shift = kj * dw - pl;
        const lo = validLo(shift, sw, OW);
        const hi = validHi(shift, sw, W, OW, lo);
        for (let p = p0, oh = p0 / OW, a = p0 % OW; p < end; oh++, a = 0) {
          const b = min(OW, a + end - p);
          const s = row + <usize>((p - a - p0) * sz); // where output column 0 of row oh would sit
          p += b - a;
          const ih = oh * sh - pt + ki * dh;
          if (ih < 0 || ih >= H) continue;
          const va = max(a, lo);
          const vb = max(min(b, hi), va);
          const d = plane + <usize>((ih * W + shift) * sz);
          let ow = va;
          if (sw == 1) {
            // unit stride: both runs contiguous, L lanes at a time
            for (; ow + L <= vb; ow += L) {
              const q = d + <usize>(ow * sz);
              v128.store(q, v128.add<T>(v128.load(q), v128.load(s + <usize>(ow * sz))));
            }
          }
          for (; ow < vb; ow++) {
            const q = d + <usize>(ow * sw * sz);
            store<T>(q, load<T>(q) + load<T>(s + <usize>(ow * sz)));
          }
        }
        row += <usize>(pb * sz);
      }
    }
  }
}
