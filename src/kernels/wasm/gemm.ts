// The JavaScript side of the wasm GEMM (assembly/gemm.ts): stages operands into linear memory
// (unless resident there), splits large products across threads, and copies C back. Same contract as gemm in
// src/kernels/matmul.ts, which calls this first and falls back to TypeScript when it returns false.
//
// Dims: M rows of A and C, N columns of B and C, K the inner dim.

import type { FloatStorage, Storage } from '../../tensor/dtype.js';
import { wasmRuntime } from '../backend.js';
import type { MatView } from '../matmul.js';
import { type Job, runJobs } from '../pool.js';
import { Frame, floatKind } from './frame.js';
import { split, threadsFor } from './parallel.js';

// Measured on the 2-core dev machine: wasm (copies included) overtakes the TypeScript kernel
// between 8^3 (1.0 us vs 2.7 us) and 12^3 multiply-adds (2.9 us vs 2.0 us).
const WASM_MIN_MNK = 12 * 12 * 12;
// Below ~96^3 per thread the handover (notify, wake, wait: ~20-50 us) outweighs the split.
const THREAD_MIN_MNK = 96 * 96 * 96;

// An operand's address and element strides in wasm memory. A resident view is read in place,
// strides and all. Otherwise the view is copied as its whole span (one memcpy, strides kept:
// transposes stay free), unless the span is much larger than the matrix (a narrow slice of a
// wide tensor): then it is gathered densely.
function operand(
  view: MatView,
  rows: number,
  cols: number,
  frame: Frame,
  sz: number,
): () => [number, number, number] {
  const { data, off, rs, cs } = view;
  const src = data as FloatStorage;
  if (frame.resident(src)) {
    const p = frame.input(src, off, 0);
    return () => [p, rs, cs];
  }
  const r = (rows - 1) * rs;
  const c = (cols - 1) * cs;
  const lo = Math.min(0, r) + Math.min(0, c);
  const span = Math.max(0, r) + Math.max(0, c) - lo + 1;
  if (span <= 2 * rows * cols + 4096) {
    const p = frame.input(src, off + lo, span);
    return () => [p - lo * sz, rs, cs];
  }
  const p = frame.alloc(rows * cols * sz);
  return () => {
    const dst = frame.view(src, p, rows * cols);
    for (let i = 0, q = 0; i < rows; i++) {
      for (let j = 0, at = off + i * rs; j < cols; j++, at += cs) dst[q++] = src[at];
    }
    return [p, cols, 1];
  };
}

/** C[M,N] (contiguous at cOff) = A B (+ C) in wasm; false when not applicable (caller runs TS). */
export function gemmWasm(
  M: number,
  N: number,
  K: number,
  A: MatView,
  B: MatView,
  c: Storage,
  cOff: number,
  accumulate: boolean,
): boolean {
  const mnk = M * N * K;
  if (mnk < WASM_MIN_MNK) return false;
  const kind = floatKind(c, A.data, B.data);
  if (!kind) return false; // int32 and mixed dtypes stay in TypeScript
  const rt = wasmRuntime();
  if (!rt) return false;
  const sz = kind === 'F32' ? 4 : 8;
  const fn = `gemm${kind}`;

  // Split the longer of M and N across threads: rows in multiples of the 4-row tile, columns in
  // multiples of the 32-byte tile width. Each thread packs its own panels in its own scratch.
  const byRows = M >= N;
  const unit = byRows ? 4 : 32 / sz;
  const extent = byRows ? M : N;
  const threads = threadsFor(rt, mnk, THREAD_MIN_MNK, Math.ceil(extent / unit));

  const frame = new Frame(rt);
  const scratchBytes = rt.exports.gemmScratchBytes();
  const scratch = frame.alloc(threads * scratchBytes);
  const stageA = operand(A, M, K, frame, sz);
  const stageB = operand(B, K, N, frame, sz);
  const cData = c as FloatStorage;
  const cp = accumulate ? frame.inout(cData, cOff, M * N) : frame.output(cData, cOff, M * N);
  if (!frame.commit()) return false;
  const [ap, ars, acs] = stageA();
  const [bp, brs, bcs] = stageB();

  const jobs = split(extent, threads, unit).map(([s, n], t): Job => {
    const args = byRows
      ? [n, N, K, ap + s * ars * sz, ars, acs, bp, brs, bcs, cp + s * N * sz]
      : [M, n, K, ap, ars, acs, bp + s * bcs * sz, brs, bcs, cp + s * sz];
    return { fn, args: [...args, N, accumulate ? 1 : 0, scratch + t * scratchBytes] };
  });
  runJobs(rt, jobs);
  frame.finish();
  return true;
}
