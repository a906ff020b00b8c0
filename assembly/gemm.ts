// GEMM in WebAssembly SIMD, one generic body for f32 (f32x4) and f64 (f64x2).
//
//   C[M,N] (row stride ldc) = A[M,K] B[K,N] (+ C when accumulate)
//
// The GotoBLAS / BLIS layout, as the TypeScript kernel in src/kernels/matmul.ts:
//
//   for each NC-wide column block of B, for each KC-deep slice:
//     for each MC-tall row block of A:
//       pack A[ic:ic+MC, pc:pc+KC] into MR-tall panels (k-major, zero padded)    -> L2
//       for each NR-wide panel of B (one KC x NR panel stays in L1):
//         (first row block only) pack B[pc:pc+KC, panel] (k-major, zero padded) -> L1, kept
//         for each MR-tall panel of A: the MR x NR register tile
//
// Packing each B panel just before its first use (rather than the whole KC x NC block up front)
// means the first row block reads it from L1 instead of L2/L3; later row blocks reuse the
// packed block. For the implicit im2col of conv.ts that first use is usually the only one.
//
// The register tile is MR = 4 rows by 32 bytes of columns (two v128: 8 f32 or 4 f64), so 8
// v128 accumulators + 2 of B + 1 splat of A live in registers (x64 has 16). Measured on the
// issue's machine, 4 x 8 was the best baseline-SIMD tile; wider tiles spill under V8.
// With relaxed SIMD each multiply-add is one f32x4.relaxed_madd (an FMA where the CPU has one),
// which halves the arithmetic instructions of the inner loop.
//
// Operands come with any element strides (rs, cs), so A^T and B^T need no copies: packing reads
// through the strides once, and the micro-kernel only ever reads contiguous panels.
//
// Dims: M rows of A and C, N columns of B and C, K the inner dim. Pointers are byte addresses
// in linear memory; strides and ldc count elements.

import { packIm2col } from './im2col';
import { madd } from './math';

const MR: i32 = 4;
export const TILE_BYTES: i32 = 32; // one tile row: two v128
const KC: i32 = 256;
const MC: i32 = 96;
const NC_BYTES: i32 = 4096; // 1024 f32 or 512 f64 columns per packed B block

/** Bytes of scratch one call needs (packed A block, packed B block, one spill tile). */
export function gemmScratchBytes(): i32 {
  return MC * KC * 8 + KC * NC_BYTES + MR * TILE_BYTES;
}

/** f32 C = A B (+ C): see the header for the layout. */
export function gemmF32(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, ldc: i32, accumulate: i32, scratch: usize,
): void {
  gemm<f32>(M, N, K, a, ars, acs, b, brs, bcs, c, ldc, accumulate, scratch, 0, 0);
}

/** f64 C = A B (+ C): see the header for the layout. */
export function gemmF64(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, ldc: i32, accumulate: i32, scratch: usize,
): void {
  gemm<f64>(M, N, K, a, ars, acs, b, brs, bcs, c, ldc, accumulate, scratch, 0, 0);
}

// The blocked driver. With `conv` (a geometry address, see conv.ts) B is not in memory: it is
// the im2col matrix of the image at b, columns from j0 on, gathered while packing its panels.
// @ts-ignore: decorator
@inline
export function gemm<T>(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, ldc: i32, accumulate: i32, scratch: usize,
  conv: usize, j0: i32,
): void {
  const sz = <i32>sizeof<T>();
  const NR = TILE_BYTES / sz;
  const NC = NC_BYTES / sz;
  const packA = scratch;
  const packB = scratch + <usize>(MC * KC * 8);
  const tile = packB + <usize>(KC * NC_BYTES);
  if (K == 0) {
    if (!accumulate) for (let i = 0; i < M; i++) memory.fill(c + <usize>(i * ldc * sz), 0, <usize>(N * sz));
    return;
  }
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    // K in equal slices of at most KC (576 = 3 x 192, not 256 + 256 + 64: a short last slice
    // pays a full write-back of C for little work)
    const ks = (K + KC - 1) / KC;
    const kstep = (K + ks - 1) / ks;
    for (let pc = 0; pc < K; pc += kstep) {
      const kc = min(kstep, K - pc);
      // the first slice overwrites C unless accumulating, so C needs no zeroing pass
      const first = pc == 0 && !accumulate;
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packPanelsA<T>(a + <usize>((ic * ars + pc * acs) * sz), ars, acs, mc, kc, packA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const pb = packB + <usize>(jr * kc * sz);
          // each B panel is packed just before its first use, so that use reads it from L1
          if (ic == 0) {
            if (conv) packIm2col<T>(conv, b, pc, j0 + jc + jr, kc, nr, pb);
            else packPanelsB<T>(b + <usize>((pc * brs + (jc + jr) * bcs) * sz), brs, bcs, kc, nr, pb);
          }
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const cp = c + <usize>(((ic + ir) * ldc + jc + jr) * sz);
            micro<T>(kc, packA + <usize>(ir * kc * sz), pb, cp, ldc, mr, nr, first, tile);
          }
        }
      }
    }
  }
}

// The MR x NR register tile: C[0:mr, 0:nr] (+)= packedA[:, 0:kc] packedB[0:kc, :].
// Packed A holds MR values per k, packed B holds NR; both are zero padded, so the loop is
// branch-free and only the write-back looks at mr, nr.
// @ts-ignore: decorator
@inline
function micro<T>(
  kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, first: bool, tile: usize,
): void {
  const sz = sizeof<T>();
  let c0a = v128.splat<T>(<T>0), c0b = c0a, c1a = c0a, c1b = c0a;
  let c2a = c0a, c2b = c0a, c3a = c0a, c3b = c0a;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load_splat<T>(pa);
    c0a = madd<T>(x, b0, c0a);
    c0b = madd<T>(x, b1, c0b);
    x = v128.load_splat<T>(pa, sz);
    c1a = madd<T>(x, b0, c1a);
    c1b = madd<T>(x, b1, c1b);
    x = v128.load_splat<T>(pa, 2 * sz);
    c2a = madd<T>(x, b0, c2a);
    c2b = madd<T>(x, b1, c2b);
    x = v128.load_splat<T>(pa, 3 * sz);
    c3a = madd<T>(x, b0, c3a);
    c3b = madd<T>(x, b1, c3b);
    pa += 4 * sz;
    pb += 32;
  }
  const NR = TILE_BYTES / <i32>sz;
  const ldb = <usize>ldc * sz;
  if (mr == MR && nr == NR) {
    writeRow<T>(c, c0a, c0b, first);
    writeRow<T>(c + ldb, c1a, c1b, first);
    writeRow<T>(c + 2 * ldb, c2a, c2b, first);
    writeRow<T>(c + 3 * ldb, c3a, c3b, first);
    return;
  }
  // edge tile: spill the accumulators, then write back only the mr x nr valid part
  v128.store(tile, c0a);
  v128.store(tile, c0b, 16);
  v128.store(tile, c1a, 32);
  v128.store(tile, c1b, 48);
  v128.store(tile, c2a, 64);
  v128.store(tile, c2b, 80);
  v128.store(tile, c3a, 96);
  v128.store(tile, c3b, 112);
  for (let i = 0; i < mr; i++) {
    const row = c + <usize>i * ldb;
    const t = tile + <usize>(i * TILE_BYTES);
    for (let j = 0; j < nr; j++) {
      const p = row + <usize>j * sz;
      const v = load<T>(t + <usize>j * sz);
      store<T>(p, first ? v : load<T>(p) + v);
    }
  }
}

// One full tile row: C row = [lo, hi], or C row += [lo, hi] in T's lanes.
// @ts-ignore: decorator
@inline
function writeRow<T>(p: usize, lo: v128, hi: v128, first: bool): void {
  if (first) {
    v128.store(p, lo);
    v128.store(p, hi, 16);
  } else {
    v128.store(p, v128.add<T>(v128.load(p), lo));
    v128.store(p, v128.add<T>(v128.load(p, 16), hi), 16);
  }
}

// Packed B: panel q (columns q*NR ..) is kc*NR contiguous values, k-major, zero padded.
// A row-major B (cs = 1) copies whole v128s; any other stride gathers element by element.
// @ts-ignore: decorator
@inline
function packPanelsB<T>(src: usize, rs: i32, cs: i32, kc: i32, nc: i32, dst: usize): void {
  const sz = <i32>sizeof<T>();
  const NR = TILE_BYTES / sz;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const col = src + <usize>(jr * cs * sz);
    if (nr == NR && cs == 1) {
      for (let k = 0; k < kc; k++) {
        const p = col + <usize>(k * rs * sz);
        v128.store(dst, v128.load(p));
        v128.store(dst, v128.load(p, 16), 16);
        dst += TILE_BYTES;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const p = col + <usize>(k * rs * sz);
        for (let j = 0; j < nr; j++) store<T>(dst + <usize>(j * sz), load<T>(p + <usize>(j * cs * sz)));
        for (let j = nr; j < NR; j++) store<T>(dst + <usize>(j * sz), <T>0);
        dst += TILE_BYTES;
      }
    }
  }
}

// Packed A: panel q (rows q*MR ..) is kc*MR contiguous values, k-major, zero padded.
// @ts-ignore: decorator
@inline
function packPanelsA<T>(src: usize, rs: i32, cs: i32, mc: i32, kc: i32, dst: usize): void {
  const sz = <i32>sizeof<T>();
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    const row = src + <usize>(ir * rs * sz);
    if (mr == MR) {
      const r1 = <usize>(rs * sz);
      for (let k = 0; k < kc; k++) {
        const p = row + <usize>(k * cs * sz);
        store<T>(dst, load<T>(p));
        store<T>(dst, load<T>(p + r1), sz);
        store<T>(dst, load<T>(p + 2 * r1), 2 * sz);
        store<T>(dst, load<T>(p + 3 * r1), 3 * sz);
        dst += <usize>(MR * sz);
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const p = row + <usize>(k * cs * sz);
        for (let i = 0; i < mr; i++) store<T>(dst + <usize>(i * sz), load<T>(p + <usize>(i * rs * sz)));
        for (let i = mr; i < MR; i++) store<T>(dst + <usize>(i * sz), <T>0);
        dst += <usize>(MR * sz);
      }
    }
  }
}
