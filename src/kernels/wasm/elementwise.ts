// The JavaScript side of the elementwise kernels (assembly/elementwise.ts): binary arithmetic
// over a [rows, n] layout with per-operand strides, and row sums. Same contracts as the
// TypeScript loops in ../elementwise.ts and sumAxis in ../reduce.ts (bit for bit), which call
// these first and run their own loops on false.

import type { FloatStorage, Storage } from '../../tensor/dtype.js';
import { wasmRuntime } from '../backend.js';
import { runJobs } from '../pool.js';
import { Frame, floatKind } from './frame.js';
import { split, threadsFor } from './parallel.js';

// Measured on the 2-core dev machine (float32, resident operands): the wasm call overtakes
// V8's loop from a few hundred elements; staged operands cost a copy each, still less than
// the TypeScript loop from ~4K elements (V8 does not vectorise it).
const BINARY_MIN = 4096;
const SUM_MIN = 4096;
// The loops are memory bound: a second thread adds bandwidth, worth its hand-over from ~256K
// elements per thread.
const THREAD_MIN = 1 << 18;

/**
 * o[r*ors + i] = a[r*ars + i*acs] op b[r*brs + i*bcs] for r < rows, i < n, in wasm; op as in
 * assembly/elementwise.ts; column strides 0 or 1. False when not applicable.
 */
export function binaryWasm(
  op: number,
  rows: number,
  n: number,
  o: Storage,
  ors: number,
  a: Storage,
  ars: number,
  acs: number,
  b: Storage,
  brs: number,
  bcs: number,
): boolean {
  if (rows * n < BINARY_MIN || acs > 1 || bcs > 1) return false;
  const kind = floatKind(o, a, b);
  const rt = kind && wasmRuntime();
  if (!kind || !rt) return false;
  const frame = new Frame(rt);
  const ap = frame.input(a as FloatStorage, 0, a.length);
  const bp = a === b ? ap : frame.input(b as FloatStorage, 0, b.length);
  const outp = frame.output(o as FloatStorage, 0, rows * ors);
  if (!frame.commit()) return false;
  const fn = `binary${kind}`;
  const sz = kind === 'F32' ? 4 : 8;
  // split the rows, or one row's columns (in whole vectors): a part starting at s moves each
  // operand by s of its strides along the split dim
  const byRows = rows > 1;
  const [extent, unit, os, as, bs] = byRows ? [rows, 1, ors, ars, brs] : [n, 4, 1, acs, bcs];
  const threads = threadsFor(rt, rows * n, THREAD_MIN, Math.ceil(extent / unit));
  const jobs = split(extent, threads, unit).map(([s, c]) => {
    const [r, m] = byRows ? [c, n] : [1, c];
    return {
      fn,
      args: [op, r, m, outp + s * os * sz, ors, ap + s * as * sz, ars, acs, bp + s * bs * sz, brs, bcs],
    };
  });
  runJobs(rt, jobs);
  frame.finish();
  return true;
}

/** out[r] = sum of row r of x [rows, n] in wasm (float64 accumulation, in order); false when not applicable. */
export function sumRowsWasm(x: Storage, rows: number, n: number, out: Storage): boolean {
  if (rows * n < SUM_MIN) return false;
  const kind = floatKind(x, out);
  const rt = kind && wasmRuntime();
  if (!kind || !rt) return false;
  const frame = new Frame(rt);
  const xp = frame.input(x as FloatStorage, 0, rows * n);
  const op = frame.output(out as FloatStorage, 0, rows);
  if (!frame.commit()) return false;
  const fn = `sumRows${kind}`;
  const sz = kind === 'F32' ? 4 : 8;
  const threads = threadsFor(rt, rows * n, THREAD_MIN, rows);
  runJobs(
    rt,
    split(rows, threads, 4).map(([s, r]) => ({ fn, args: [xp + s * n * sz, r, n, op + s * sz] })),
  );
  frame.finish();
  return true;
}
