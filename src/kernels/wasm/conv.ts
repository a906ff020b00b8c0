// The JavaScript side of the conv2d forward (assembly/conv.ts): stages x, the weight and the
// bias into linear memory, splits the images (or, with fewer images than threads, the output
// columns) across threads, and copies y back. Same contract as conv2dForward in ../conv.ts,
// which calls this first and runs im2col + gemm in TypeScript on false.
//
// Dims: N images, C channels, H x W input, O output channels, G groups, kh x kw kernel,
// P = OH*OW output pixels, K = C/G*kh*kw.

import type { FloatStorage, Storage } from '../../tensor/dtype.js';
import { getNumThreads, wasmRuntime } from '../backend.js';
import type { ConvGeometry } from '../conv.js';
import { type Job, runJobs } from '../pool.js';
import { Frame, floatKind } from './frame.js';
import { split, threadsFor } from './parallel.js';

// Multiply-adds N O P K: as the wasm gemm (src/kernels/wasm/gemm.ts), wasm from 12^3 and a
// thread from 96^3 per thread.
const WASM_MIN = 12 * 12 * 12;
const THREAD_MIN = 96 * 96 * 96;
const GEO_WORDS = 20; // the geometry's layout is documented in assembly/conv.ts

/** y [N, O, P] = conv(x, w) + b in wasm; false when not applicable (the caller runs TypeScript). */
export function conv2dForwardWasm(
  x: Storage,
  w: Storage,
  b: Storage | null,
  g: ConvGeometry,
  y: Storage,
): boolean {
  const { N, C, H, W, O, G, kh, kw, OH, OW } = g;
  const P = OH * OW;
  const work = N * O * P * (C / G) * kh * kw;
  if (work < WASM_MIN) return false;
  const kind = floatKind(x, w, b, y);
  const rt = kind && wasmRuntime();
  if (!kind || !rt) return false;
  const sz = kind === 'F32' ? 4 : 8;

  // whole images per thread when they divide evenly (or images are small), else a slice of
  // every image's columns: balanced, and each thread still runs a wide product
  const t = getNumThreads();
  const byImages = N % t === 0 || P < 64 * t;
  const threads = threadsFor(rt, work, THREAD_MIN, byImages ? N : Math.ceil(P / 8));
  const frame = new Frame(rt);
  // x sits between the geometry and the weight: im2col's masked 8-lane loads that overhang a
  // padded row's ends by a few values read staged data, never past the memory
  const geo = frame.alloc(GEO_WORDS * 4);
  const xp = frame.alloc(N * C * H * W * sz);
  const wp = frame.alloc(w.length * sz);
  const bp = b ? frame.alloc(O * sz) : 0;
  const yp = frame.alloc(N * O * P * sz);
  const scratchBytes = rt.exports.gemmScratchBytes();
  const scratch = frame.alloc(threads * scratchBytes);
  if (!frame.commit()) return false;
  frame.put(x as FloatStorage, 0, N * C * H * W, xp);
  frame.put(w as FloatStorage, 0, w.length, wp);
  if (b) frame.put(b as FloatStorage, 0, O, bp);
  const geom = [N, C, H, W, O, G, kh, kw, g.sh, g.sw, g.pt, g.pl, g.dh, g.dw, OH, OW, xp, wp, bp, yp];
  frame.view(new Int32Array(0), geo, GEO_WORDS).set(geom);

  const fn = `conv2dForward${kind}`;
  const jobs = (byImages ? split(N, threads, 1) : split(P, threads, 8)).map(
    ([s, count], t): Job => ({
      fn,
      args: byImages
        ? [geo, s, s + count, 0, P, scratch + t * scratchBytes]
        : [geo, 0, N, s, s + count, scratch + t * scratchBytes],
    }),
  );
  runJobs(rt, jobs);
  frame.get(y as FloatStorage, 0, N * O * P, yp);
  return true;
}
