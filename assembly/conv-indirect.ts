// Conv2d forward in f32 as an indirect GEMM (the layout XNNPACK uses), an alternative to
// conv.ts's implicit im2col for float32:
//
//   y^T [P, Og] = sum over taps t = (ki, kj) and channels c of  x_t [P, c] W_t [c, Og]
//
// With the image transposed to channels-last (xt [H, W, C]), the Cg channels one output pixel
// reads at one tap are contiguous, so the register tile (4 pixels x 8 output channels, as
// gemm.ts's 4 x 32-byte tile) reads its A operand straight from xt through a table of row
// pointers, one per pixel and tap (a zero row where the tap falls in the padding): nothing is
// packed per pixel. The weights are packed once per call into 8-channel panels that stay in
// L1 while the tile sweeps the pixels. The short side of the product is now the 8-channel
// panel, not the 64-row block of conv.ts, whose im2col panels fed only 16 tiles each.
//
// The tile's accumulators hold, per pixel, 8 channels in lanes; they are stored transposed
// (attention-tiles.ts's storeTransposed), straight into y in NCHW. Its multiply-add loop is
// written out, as in gemm.ts (attention-tiles.ts says why it is not shared).
//
// Same semantics and geometry words as conv.ts (forward), same split: images [n0, n1), output
// columns [p0, p1). Scratch: conv2dIndirectScratchBytes.

import { storeTransposed } from './attention-tiles';
import { ConvForwardGeo } from './conv-geometry';
import { madd } from './math';

// @ts-ignore: decorator
@inline
function align16(n: i32): i32 {
  return (n + 15) & ~15;
}

/** Bytes of scratch one thread needs: xt, the zero row, the pointer table, the packed weights. */
export function conv2dIndirectScratchBytes(C: i32, H: i32, W: i32, O: i32, G: i32, kk: i32, P: i32): i32 {
  const panels = (O / G + 7) / 8;
  return align16(H * W * C * 4) + align16(C * 4) + align16((P + 3) * kk * 4) + G * panels * kk * (C / G) * 32;
}

/** f32 conv2d forward of images [n0, n1), output columns [p0, p1) (see the header). */
export function conv2dIndirectF32(geo: usize, n0: i32, n1: i32, p0: i32, p1: i32, scratch: usize): void {
  const geom = changetype<ConvForwardGeo>(geo);
  const C = geom.C, H = geom.H, W = geom.W, O = geom.O, G = geom.G;
  const kh = geom.kh, kw = geom.kw, kk = kh * kw;
  const sh = geom.sh, sw = geom.sw, pt = geom.pt, pl = geom.pl, dh = geom.dh, dw = geom.dw;
  const OW = geom.OW, P = geom.OH * OW;
  const x = <usize>geom.x, w = <usize>geom.w, b = <usize>geom.b, y = <usize>geom.y;
  const Cg = C / G, Og = O / G, K = Cg * kk, panels = (Og + 7) / 8;
  const xt = scratch;
  const zero = xt + <usize>align16(H * W * C * 4);
  const table = zero + <usize>align16(C * 4);
  const packed = table + <usize>align16((P + 3) * kk * 4);
  memory.fill(zero, 0, <usize>(C * 4));
  packWeights(w, G, Og, Cg, kk, K, panels, packed);
  const ldy = <usize>(P * 4);
  for (let n = n0; n < n1; n++) {
    toChannelsLast(x + <usize>(n * C * H * W * 4), C, H * W, xt);
    const yn = y + <usize>(n * O * P * 4);
    for (let g = 0; g < G; g++) {
      // row pointers of every pixel in [p0, p1) (rounded up to whole tiles: the extra pixels
      // read the zero row) and tap, at this group's first channel
      const cg = <usize>(g * Cg * 4);
      let q = table;
      for (let p = p0; p < p1 + 3; p++) {
        const oh = p / OW, ow = p % OW;
        for (let ki = 0; ki < kh; ki++) {
          const ih = oh * sh - pt + ki * dh;
          for (let kj = 0; kj < kw; kj++) {
            const iw = ow * sw - pl + kj * dw;
            const inside = p < p1 && ih >= 0 && ih < H && iw >= 0 && iw < W;
            store<i32>(q, inside ? <i32>(xt + <usize>((ih * W + iw) * C * 4) + cg) : <i32>zero);
            q += 4;
          }
        }
      }
      for (let qp = 0; qp < panels; qp++) {
        const o0 = g * Og + qp * 8; // the panel's first output channel
        const rows = min(8, Og - qp * 8);
        const pw = packed + <usize>((g * panels + qp) * kk * Cg * 32);
        let ba = f32x4.splat(0), bb = ba;
        if (b) {
          // the bias in the accumulators' lanes (channels); lanes past Og read a neighbour, never stored
          ba = v128.load(b + <usize>(o0 * 4));
          bb = v128.load(b + <usize>((o0 + 4) * 4));
        }
        for (let p = p0; p < p1; p += 4) {
          let c0a = ba, c0b = bb, c1a = ba, c1b = bb, c2a = ba, c2b = bb, c3a = ba, c3b = bb;
          let pb = pw;
          let row = table + <usize>((p - p0) * kk * 4);
          const rk = <usize>(kk * 4);
          for (let t = 0; t < kk; t++) {
            let a0 = <usize>load<i32>(row);
            let a1 = <usize>load<i32>(row + rk);
            let a2 = <usize>load<i32>(row + 2 * rk);
            let a3 = <usize>load<i32>(row + 3 * rk);
            row += 4;
            for (let c = 0; c < Cg; c++) {
              const b0 = v128.load(pb);
              const b1 = v128.load(pb, 16);
              let v = v128.load_splat<f32>(a0);
              c0a = madd<f32>(v, b0, c0a);
              c0b = madd<f32>(v, b1, c0b);
              v = v128.load_splat<f32>(a1);
              c1a = madd<f32>(v, b0, c1a);
              c1b = madd<f32>(v, b1, c1b);
              v = v128.load_splat<f32>(a2);
              c2a = madd<f32>(v, b0, c2a);
              c2b = madd<f32>(v, b1, c2b);
              v = v128.load_splat<f32>(a3);
              c3a = madd<f32>(v, b0, c3a);
              c3b = madd<f32>(v, b1, c3b);
              a0 += 4;
              a1 += 4;
              a2 += 4;
              a3 += 4;
              pb += 32;
            }
          }
          const cols = min(4, p1 - p);
          const dst = yn + <usize>(o0 * P + p) * 4;
          storeTransposed<f32>(c0a, c1a, c2a, c3a, dst, ldy, min(4, rows), cols);
          if (rows > 4) storeTransposed<f32>(c0b, c1b, c2b, c3b, dst + 4 * ldy, ldy, rows - 4, cols);
        }
      }
    }
  }
}

// packed[g][panel][t][c][j] = w[g Og + 8 panel + j, c, t] (zero past Og): per tap and channel,
// the 8 output channels of a panel side by side, as the tile reads them.
function packWeights(w: usize, G: i32, Og: i32, Cg: i32, kk: i32, K: i32, panels: i32, dst: usize): void {
  for (let g = 0; g < G; g++) {
    for (let qp = 0; qp < panels; qp++) {
      for (let t = 0; t < kk; t++) {
        for (let c = 0; c < Cg; c++) {
          for (let j = 0; j < 8; j++) {
            const o = qp * 8 + j;
            const v: f32 = o < Og ? load<f32>(w + <usize>(((g * Og + o) * K + c * kk + t) * 4)) : 0;
            store<f32>(dst, v);
            dst += 4;
          }
        }
      }
    }
  }
}

// xt [HW, C] = x [C, HW] (one image), 4 x 4 blocks through registers where they fit.
function toChannelsLast(x: usize, C: i32, HW: i32, xt: usize): void {
  const ldx = <usize>(HW * 4), ldt = <usize>(C * 4);
  const C4 = C & ~3, HW4 = HW & ~3;
  for (let c = 0; c < C4; c += 4) {
    for (let s = 0; s < HW4; s += 4) {
      const src = x + <usize>(c * HW + s) * 4;
      // columns of the destination block are the 4 channels: storeTransposed turns them into rows
      storeTransposed<f32>(
        v128.load(src), v128.load(src + ldx), v128.load(src + 2 * ldx), v128.load(src + 3 * ldx),
        xt + <usize>(s * C + c) * 4, ldt, 4, 4,
      );
    }
  }
  for (let c = 0; c < C; c++) {
    const s0 = c < C4 ? HW4 : 0; // the columns the blocks above did not cover
    for (let s = s0; s < HW; s++) store<f32>(xt + <usize>(s * C + c) * 4, load<f32>(x + <usize>(c * HW + s) * 4));
  }
}
