// The JavaScript side of the conv2d forward and backward (assembly/conv.ts, and for the float32
// forward with enough channels assembly/conv-indirect.ts): stages the operands
// into linear memory (unless resident there), splits the images (or, with fewer images than threads, the output columns
// and, for dx, the input channels) across threads, and copies the results back. Same contracts
// as conv2dForward / conv2dBackward in ../conv.ts, which call these first and run im2col + gemm
// in TypeScript on false.
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
const GEO_WORDS = 20; // the geometry's layout: assembly/conv-geometry.ts (ConvForwardGeo)
const BWD_GEO_WORDS = 23; // ConvBackwardGeo
// float32 with at least this many channels per group runs the indirect GEMM
// (assembly/conv-indirect.ts); with fewer its per-tap loop is too short. Measured here, 1
// thread, N8 32x32 O64 3x3: C 1-3 implicit im2col 2x faster, C 4 equal, C 8 indirect 1.2x,
// C 16-64 indirect 1.3x.
const INDIRECT_MIN_CHANNELS = 4;
// The backward's block of output columns: its transposed im2col (or dcols) block, pb C kh kw
// values, stays within about this many bytes (in L2 between being written and read).
const BLOCK_BYTES = 256 * 1024;

// Whole images per thread when they divide evenly (or images are small), else a slice of every
// image's columns: balanced, and each thread still runs a wide product.
function byImages(N: number, P: number): boolean {
  const t = getNumThreads();
  return N % t === 0 || P < 64 * t;
}

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

  const whole = byImages(N, P);
  const threads = threadsFor(rt, work, THREAD_MIN, whole ? N : Math.ceil(P / 8));
  const indirect = kind === 'F32' && C / G >= INDIRECT_MIN_CHANNELS;
  const frame = new Frame(rt);
  // im2col's masked 8-lane loads may overhang a padded row's ends by a few values, and the
  // indirect tile loads 8 lanes of bias: frame blocks and resident arrays have readable slack
  const geo = frame.alloc(GEO_WORDS * 4);
  const xp = frame.input(x as FloatStorage, 0, N * C * H * W);
  const wp = frame.input(w as FloatStorage, 0, w.length);
  const bp = b ? frame.input(b as FloatStorage, 0, O) : 0;
  const yp = frame.output(y as FloatStorage, 0, N * O * P);
  const scratchBytes = indirect
    ? rt.exports.conv2dIndirectScratchBytes(C, H, W, O, G, kh * kw, P)
    : rt.exports.gemmScratchBytes();
  const scratch = frame.alloc(threads * scratchBytes);
  if (!frame.commit()) return false;
  const geom = [N, C, H, W, O, G, kh, kw, g.sh, g.sw, g.pt, g.pl, g.dh, g.dw, OH, OW, xp, wp, bp, yp];
  frame.view(new Int32Array(0), geo, GEO_WORDS).set(geom);

  const fn = indirect ? 'conv2dIndirectF32' : `conv2dForward${kind}`;
  const jobs = (whole ? split(N, threads, 1) : split(P, threads, 8)).map(
    ([s, count], t): Job => ({
      fn,
      args: whole
        ? [geo, s, s + count, 0, P, scratch + t * scratchBytes]
        : [geo, 0, N, s, s + count, scratch + t * scratchBytes],
    }),
  );
  runJobs(rt, jobs);
  frame.finish();
  return true;
}

/**
 * conv2dBackward (../conv.ts) in wasm, from dy [N, O, P]: dx [N, C, H, W] (given as zeros,
 * overwritten), dw [O, K] += and db [O] += ; false when not applicable (the caller runs TypeScript).
 */
export function conv2dBackwardWasm(
  x: Storage,
  w: Storage,
  dy: Storage,
  g: ConvGeometry,
  dx: Storage | null,
  dw: Storage | null,
  db: Float64Array | null,
): boolean {
  const { N, C, H, W, O, G, kh, kw, OH, OW } = g;
  const P = OH * OW;
  const K = (C / G) * kh * kw;
  const work = N * O * P * K;
  if (work < WASM_MIN || !(dx || dw || db)) return false;
  // db is float64 whatever the data: only the arrays the kernel reads and writes as T count
  const kind = floatKind(x, w, dy, dx, dw);
  const rt = kind && wasmRuntime();
  if (!kind || !rt) return false;
  const sz = kind === 'F32' ? 4 : 8;
  const xSize = N * C * H * W;

  const whole = byImages(N, P);
  const products = (dx ? 1 : 0) + (dw ? 1 : 0);
  const threads = threadsFor(rt, products * work, THREAD_MIN, whole ? N : Math.ceil(P / 8));
  const pb = Math.min(P, Math.max(8, Math.floor(BLOCK_BYTES / (C * kh * kw * sz) / 8) * 8));
  const frame = new Frame(rt);
  const geo = frame.alloc(BWD_GEO_WORDS * 4);
  const xp = dw ? frame.input(x as FloatStorage, 0, xSize) : 0;
  const wp = dx ? frame.input(w as FloatStorage, 0, O * K) : 0;
  const dyp = frame.input(dy as FloatStorage, 0, N * O * P);
  const dxp = dx ? frame.output(dx as FloatStorage, 0, xSize) : 0;
  // per thread: dW and db partials, then the gemm scratch and the column block
  const dwBytes = dw ? O * K * sz : 0;
  const dbAt = Math.ceil(dwBytes / 16) * 16; // db's partial, after dW's, in each thread's part
  const partBytes = dbAt + O * 8;
  const parts = frame.alloc(threads * partBytes);
  const scratchBytes = rt.exports.gemmScratchBytes() + pb * C * kh * kw * sz;
  const scratch = frame.alloc(threads * scratchBytes);
  if (!frame.commit()) return false;
  const geom = [N, C, H, W, O, G, kh, kw, g.sh, g.sw, g.pt, g.pl, g.dh, g.dw, OH, OW];
  geom.push(xp, wp, dyp, dxp, dw ? 1 : 0, db ? 1 : 0, pb);
  frame.view(new Int32Array(0), geo, BWD_GEO_WORDS).set(geom);

  // by images: each thread all columns and channels of its images; else every image, each
  // thread a slice of the columns (dW, db) and of the input channels (dx)
  const fn = `conv2dBackward${kind}`;
  const images = split(N, threads, 1);
  const cols = split(P, threads, 8);
  const chans = split(C, threads, 1);
  const jobs: Job[] = [];
  for (let t = 0; t < threads; t++) {
    const [n0, nn] = whole ? (images[t] ?? [0, 0]) : [0, N];
    const [p0, np] = whole ? [0, P] : (cols[t] ?? [0, 0]);
    const [c0, nc] = whole ? [0, C] : (chans[t] ?? [0, 0]);
    const part = parts + t * partBytes;
    jobs.push({
      fn,
      args: [geo, n0, n0 + nn, p0, p0 + np, c0, c0 + nc, part, part + dbAt, scratch + t * scratchBytes],
    });
  }
  runJobs(rt, jobs);

  frame.finish();
  for (let t = 0; t < threads; t++) {
    const part = parts + t * partBytes;
    if (dw) {
      const v = frame.view(dw as FloatStorage, part, O * K);
      for (let i = 0; i < O * K; i++) dw[i] += v[i];
    }
    if (db) {
      const v = frame.view(db, part + dbAt, O);
      for (let o = 0; o < O; o++) db[o] += v[o];
    }
  }
  return true;
}
