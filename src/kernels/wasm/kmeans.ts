// The JavaScript side of the k-means assignment (assembly/kmeans.ts). Same contract as
// lloydAssign in ../kmeans.ts, which calls this first and runs its own loop on null.
// Threads claim whole chunks of ACC_CHUNK points, one at a time: the labels and distances of
// their points and each chunk's centre sums and inertia, in point order within the chunk; this
// thread then adds the chunks' partials in chunk order. The TypeScript loop sums in the same chunks, so every
// result is the same bit for bit on any number of threads and on either backend.
//
// Legend: n points, d features, k centres (kp = k rounded up to even); x [n, d], c [k, d].

import { wasmRuntime } from '../backend.js';
import type { CenterSums } from '../kmeans.js';
import { runJobs } from '../pool.js';
import { Frame, pin } from './frame.js';
import { threadsFor } from './parallel.js';

// n k d multiply-adds. Below ~4K the copies cost more than TypeScript's loop (measured on the
// 2-core dev machine); a thread hand-over pays off from ~256K per thread.
const WASM_MIN = 1 << 12;
const THREAD_MIN = 1 << 18;

/** Points per partial of the centre sums and inertia (lloydAssign in ../kmeans.ts sums in the same chunks). */
export const ACC_CHUNK = 2048;

/** acc += one chunk's partial: sums [k, d] then weights [k] (both kernels add them in chunk order). */
export function addPartial(acc: CenterSums, part: Float64Array, k: number, d: number): void {
  for (let j = 0; j < k * d; j++) acc.sums[j] += part[j];
  for (let j = 0; j < k; j++) acc.weights[j] += part[k * d + j];
}

/**
 * lloydAssign in wasm: labels, dist (optional), acc (optional, added to), returns the inertia;
 * null when the wasm backend is off or the problem is too small. `owner` (lloydAssign's scratch)
 * pins x in wasm memory while the same owner passes the same x, which must not change meanwhile.
 */
export function lloydAssignWasm(
  x: Float64Array,
  n: number,
  d: number,
  c: Float64Array,
  k: number,
  w: Float64Array | null,
  labels: Int32Array,
  dist: Float64Array | null,
  acc: CenterSums | null,
  owner: object | null = null,
): number | null {
  const work = n * k * d;
  if (work < WASM_MIN) return null;
  const rt = wasmRuntime();
  if (!rt) return null;
  const kp = (k + 1) & ~1;
  const chunks = Math.ceil(n / ACC_CHUNK);
  const threads = threadsFor(rt, work, THREAD_MIN, chunks);
  // with an owner, x stays resident across its calls (Lloyd's iterations): one copy per fit
  const resident = owner && n * d === x.length ? pin(rt, owner, x) : null;
  const f = new Frame(rt);
  const xp = resident ?? f.input(x, 0, n * d);
  const cTp = f.alloc(d * kp * 8);
  const cnp = f.alloc(kp * 8);
  const cp = f.input(c, 0, k * d);
  const wp = w ? f.input(w, 0, n) : 0;
  const lp = f.output(labels, 0, n);
  const dp = dist ? f.output(dist, 0, n) : f.alloc(n * 8);
  // one partial per chunk of points: sums [k, d], weights [k]; and its inertia
  const partBytes = (k * d + k) * 8;
  const pp = f.alloc(acc ? chunks * partBytes : 0);
  const tp = f.alloc(chunks * 8);
  const counter = f.alloc(8); // the next chunk to claim, shared by the threads
  if (!f.commit()) return null;
  // cT[t, j] = c[j, t]; cn[j] = ||c_j||^2 summed in order (as the TypeScript kernel), +inf pads
  const cT = f.view(c, cTp, d * kp);
  const cn = f.view(c, cnp, kp);
  for (let j = 0; j < kp; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) {
      const v = j < k ? c[j * d + t] : 0;
      cT[t * kp + j] = v;
      s += v * v;
    }
    cn[j] = j < k ? s : Number.POSITIVE_INFINITY;
  }
  f.view(c, counter, 1)[0] = 0;
  // every thread the same job: claim chunks until none is left, their labels and partials
  // biome-ignore format: the kernel's argument list, in its order
  const args = [xp, n, d, k, kp, cTp, cnp, cp, wp, lp, dp, ACC_CHUNK, chunks, counter, acc ? 1 : 0, pp, tp];
  runJobs(
    rt,
    Array.from({ length: threads }, () => ({ fn: 'kmeansAssignF64', args })),
  );
  f.finish();
  // the partials in chunk order, as the TypeScript loop adds them
  const totals = f.view(c, tp, chunks);
  let inertia = 0;
  for (let q = 0; q < chunks; q++) {
    inertia += totals[q];
    if (!acc) continue;
    addPartial(acc, f.view(c, pp + q * partBytes, k * d + k), k, d);
  }
  return inertia;
}
