// General matrix multiply in plain TypeScript, cache-aware (the GotoBLAS/BLIS layout):
//
//   for each NC-wide column block of B, for each KC-deep slice:
//     pack B[pc:pc+KC, jc:jc+NC] into NR-wide panels (k-major, zero padded)
//     for each MC-tall row block of A:
//       pack A[ic:ic+MC, pc:pc+KC] into MR-tall panels (k-major, zero padded)
//       for each (MR x NR) tile: micro-kernel, MR*NR accumulators in locals
//
// Packing makes every read of the micro-kernel contiguous and lets A and B come in with any
// strides (so A^T B and A B^T need no transposed copies). Panels are packed into float64
// scratch: V8 computes in doubles anyway, so the float32 -> float64 conversion happens once
// per element at packing instead of once per multiply-add.
//
// Dims: M rows of A and C, N columns of B and C, K the shared inner dim.

import type { Storage } from '../tensor/dtype.js';
import { fillStorage } from '../tensor/memory.js';
import { gemmWasm } from './wasm/gemm.js';

const MR = 4;
const NR = 4;
const MC = 64;
const KC = 256;
const NC = 1024;

let packA = new Float64Array(MC * KC);
let packB = new Float64Array(KC * NC);

/** A matrix operand: element (i, j) is at data[off + i*rs + j*cs]. */
export interface MatView {
  data: Storage;
  off: number;
  rs: number;
  cs: number;
}

/** C[M,N] (contiguous at cOff, row stride N) = A[M,K] B[K,N] (+ C when accumulate). */
export function gemm(
  M: number,
  N: number,
  K: number,
  A: MatView,
  B: MatView,
  c: Storage,
  cOff: number,
  accumulate: boolean,
): void {
  // the wasm backend takes float products large enough to pay for copying into its memory
  if (!gemmWasm(M, N, K, A, B, c, cOff, accumulate)) gemmJs(M, N, K, A, B, c, cOff, accumulate);
}

/** gemm in TypeScript: the reference the wasm kernel is tested against, and the fallback. */
export function gemmJs(
  M: number,
  N: number,
  K: number,
  A: MatView,
  B: MatView,
  c: Storage,
  cOff: number,
  accumulate: boolean,
): void {
  if (!accumulate) fillStorage(c, 0, cOff, cOff + M * N);
  if (M === 0 || N === 0 || K === 0) return;
  if (M * N * K <= 4096) {
    smallGemm(M, N, K, A, B, c, cOff);
    return;
  }
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      packPanelsB(B, pc, jc, kc, nc);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        packPanelsA(A, ic, pc, mc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          const pbOff = jr * kc;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            micro4x4(kc, packA, ir * kc, packB, pbOff, c, cOff + (ic + ir) * N + jc + jr, N, mr, nr);
          }
        }
      }
    }
  }
}

// Tiny products: packing costs more than it saves.
function smallGemm(M: number, N: number, K: number, A: MatView, B: MatView, c: Storage, cOff: number): void {
  // Four outputs at a time, each with its own accumulator: four dependency chains run side by
  // side instead of one after another. Every output still sums over k in order, so the result
  // is the same bits as one output at a time.
  const a = A.data;
  const b = B.data;
  const { rs: ars, cs: acs } = A;
  const { rs: brs, cs: bcs } = B;
  let i = 0;
  if (N < 4) {
    // narrow C (a matrix-vector product): four rows of one column at a time
    for (; i + 4 <= M; i += 4) {
      for (let j = 0; j < N; j++) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let pa = A.off + i * ars;
        let pb = B.off + j * bcs;
        for (let k = 0; k < K; k++, pa += acs, pb += brs) {
          const bv = b[pb];
          s0 += a[pa] * bv;
          s1 += a[pa + ars] * bv;
          s2 += a[pa + 2 * ars] * bv;
          s3 += a[pa + 3 * ars] * bv;
        }
        const ci = cOff + i * N + j;
        c[ci] += s0;
        c[ci + N] += s1;
        c[ci + 2 * N] += s2;
        c[ci + 3 * N] += s3;
      }
    }
  }
  for (; i < M; i++) {
    const ai = A.off + i * ars;
    const ci = cOff + i * N;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let pa = ai;
      let pb = B.off + j * bcs;
      for (let k = 0; k < K; k++, pa += acs, pb += brs) {
        const av = a[pa];
        s0 += av * b[pb];
        s1 += av * b[pb + bcs];
        s2 += av * b[pb + 2 * bcs];
        s3 += av * b[pb + 3 * bcs];
      }
      c[ci + j] += s0;
      c[ci + j + 1] += s1;
      c[ci + j + 2] += s2;
      c[ci + j + 3] += s3;
    }
    for (; j < N; j++) {
      let s = 0;
      let pa = ai;
      let pb = B.off + j * bcs;
      for (let k = 0; k < K; k++, pa += acs, pb += brs) s += a[pa] * b[pb];
      c[ci + j] += s;
    }
  }
}

// packB layout: panel p (columns jc+p*NR ..) is kc*NR contiguous values, k-major.
function packPanelsB(B: MatView, pc: number, jc: number, kc: number, nc: number): void {
  if (packB.length < kc * (nc + NR)) packB = new Float64Array(kc * (nc + NR));
  const src = B.data;
  const { rs, cs } = B;
  let p = 0;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = Math.min(NR, nc - jr);
    for (let k = 0; k < kc; k++) {
      const base = B.off + (pc + k) * rs + (jc + jr) * cs;
      for (let j = 0; j < nr; j++) packB[p + j] = src[base + j * cs];
      for (let j = nr; j < NR; j++) packB[p + j] = 0;
      p += NR;
    }
  }
}

// packA layout: panel p (rows ic+p*MR ..) is kc*MR contiguous values, k-major.
function packPanelsA(A: MatView, ic: number, pc: number, mc: number, kc: number): void {
  if (packA.length < kc * (mc + MR)) packA = new Float64Array(kc * (mc + MR));
  const src = A.data;
  const { rs, cs } = A;
  let p = 0;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = Math.min(MR, mc - ir);
    for (let k = 0; k < kc; k++) {
      const base = A.off + (ic + ir) * rs + (pc + k) * cs;
      for (let i = 0; i < mr; i++) packA[p + i] = src[base + i * rs];
      for (let i = mr; i < MR; i++) packA[p + i] = 0;
      p += MR;
    }
  }
}

// 4x4 register tile: 16 accumulators live in locals across the k loop.
// biome-ignore format: one row of the tile per line reads as the 4x4 tile it is
function micro4x4(
  kc: number,
  pa: Float64Array,
  ia: number,
  pb: Float64Array,
  ib: number,
  c: Storage,
  ic: number,
  ldc: number,
  mr: number,
  nr: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let k = 0; k < kc; k++, ia += 4, ib += 4) {
    const a0 = pa[ia], a1 = pa[ia + 1], a2 = pa[ia + 2], a3 = pa[ia + 3];
    const b0 = pb[ib], b1 = pb[ib + 1], b2 = pb[ib + 2], b3 = pb[ib + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  if (mr === 4 && nr === 4) {
    c[ic] += c00; c[ic + 1] += c01; c[ic + 2] += c02; c[ic + 3] += c03;
    ic += ldc;
    c[ic] += c10; c[ic + 1] += c11; c[ic + 2] += c12; c[ic + 3] += c13;
    ic += ldc;
    c[ic] += c20; c[ic + 1] += c21; c[ic + 2] += c22; c[ic + 3] += c23;
    ic += ldc;
    c[ic] += c30; c[ic + 1] += c31; c[ic + 2] += c32; c[ic + 3] += c33;
    return;
  }
  // edge tile: spill to a scratch tile (no allocation per call), add the valid mr x nr part
  const t = edgeTile;
  t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03;
  t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
  t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23;
  t[12] = c30; t[13] = c31; t[14] = c32; t[15] = c33;
  for (let i = 0; i < mr; i++) for (let j = 0; j < nr; j++) c[ic + i * ldc + j] += t[i * 4 + j];
}

const edgeTile = new Float64Array(MR * NR);
