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
  const xp = frame.input(x as FloatStorage, 0, total);
  const op = frame.output(out as FloatStorage, 0, total);
  if (!frame.commit()) return false;
  const threads = threadsFor(rt, total, THREAD_MIN, outer);
  const fn = `softmaxRows${kind}`;
  runJobs(
    rt,
    split(outer, threads, 1).map(([s, r]) => ({
      fn,
      args: [xp + s * n * sz, r, n, op + s * n * sz, log ? 1 : 0],
    })),
  );
  frame.finish();
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
  const xp = frame.input(x as FloatStorage, 0, total);
  const wp = w ? frame.input(w as FloatStorage, 0, D) : 0;
  const bp = b ? frame.input(b as FloatStorage, 0, D) : 0;
  const yp = frame.output(y as FloatStorage, 0, total);
  const mp = frame.output(mean, 0, R);
  const rp = frame.output(rstd, 0, R);
  if (!frame.commit()) return false;
  const threads = threadsFor(rt, total, THREAD_MIN, R);
  const fn = `layerNormRows${kind}`;
  runJobs(
    rt,
    split(R, threads, 1).map(([s, r]) => ({
      fn,
      args: [xp + s * D * sz, r, D, wp, bp, eps, yp + s * D * sz, mp + s * 8, rp + s * 8],
    })),
  );
  frame.finish();
  return true;
}
