// The JavaScript side of the row kernels (assembly/rows.ts): softmax / log-softmax over the last
// axis and LayerNorm forward. Same signatures as the TypeScript kernels they stand in for
// (softmaxAxis in ../reduce.ts, layerNormForward in ../norm.ts), which call these first and
// run their own loops when these return false. Rows are split across threads.
//
// Legend: R (or outer) rows of n (or D) contiguous values.

import type { FloatStorage, Storage } from '../../tensor/dtype.js';
import { wasmRuntime } from '../backend.js';
import { runJobs } from '../pool.js';
import { Frame, floatKind } from './frame.js';
import { split, threadsFor } from './parallel.js';

// Measured on the 2-core dev machine: the copies in and out plus the call cost about as much
// as TypeScript's Math.exp loop takes for ~256 values; a thread hand-over pays off from ~64K.
const ROWS_MIN = 256;
const THREAD_MIN = 1 << 16;

/** softmaxAxis for inner = 1 (rows contiguous) in wasm; false when not applicable. x, out: [outer, n]. */
export function softmaxRowsWasm(
  x: Storage,
  outer: number,
  n: number,
  inner: number,
  out: Storage,
  log: boolean,
): boolean {
  const total = outer * n;
  if (inner !== 1 || total < ROWS_MIN) return false;
  const kind = floatKind(x, out);
  const rt = kind && wasmRuntime();
  if (!kind || !rt) return false;
  const sz = kind === 'F32' ? 4 : 8;
  const frame = new Frame(rt);
  const xp = frame.alloc(total * sz); // in place: each row is read before its values are written
  if (!frame.commit()) return false;
  frame.put(x as FloatStorage, 0, total, xp);
  const threads = threadsFor(rt, total, THREAD_MIN, outer);
  const fn = `softmaxRows${kind}`;
  runJobs(
    rt,
    split(outer, threads, 1).map(([s, r]) => ({
      fn,
      args: [xp + s * n * sz, r, n, xp + s * n * sz, log ? 1 : 0],
    })),
  );
  frame.get(out as FloatStorage, 0, total, xp);
  return true;
}

/** layerNormForward in wasm; false when not applicable. x, y: [R, D], w, b: [D] | null, mean, rstd: [R]. */
export function layerNormForwardWasm(
  x: Storage,
  R: number,
  D: number,
  w: Storage | null,
  b: Storage | null,
  eps: number,
  y: Storage,
  mean: Float64Array,
  rstd: Float64Array,
): boolean {
  const total = R * D;
  if (total < ROWS_MIN) return false;
  const kind = floatKind(x, y, w, b);
  const rt = kind && wasmRuntime();
  if (!kind || !rt) return false;
  const sz = kind === 'F32' ? 4 : 8;
  const frame = new Frame(rt);
  const xp = frame.alloc(total * sz); // y overwrites x in place, row by row
  const wp = w ? frame.alloc(D * sz) : 0;
  const bp = b ? frame.alloc(D * sz) : 0;
  const mp = frame.alloc(R * 8);
  const rp = frame.alloc(R * 8);
  if (!frame.commit()) return false;
  frame.put(x as FloatStorage, 0, total, xp);
  if (w) frame.put(w as FloatStorage, 0, D, wp);
  if (b) frame.put(b as FloatStorage, 0, D, bp);
  const threads = threadsFor(rt, total, THREAD_MIN, R);
  const fn = `layerNormRows${kind}`;
  runJobs(
    rt,
    split(R, threads, 1).map(([s, r]) => ({
      fn,
      args: [xp + s * D * sz, r, D, wp, bp, eps, xp + s * D * sz, mp + s * 8, rp + s * 8],
    })),
  );
  frame.get(y as FloatStorage, 0, total, xp);
  frame.get(mean, 0, R, mp);
  frame.get(rstd, 0, R, rp);
  return true;
}
