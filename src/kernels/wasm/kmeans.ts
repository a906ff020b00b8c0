// The JavaScript side of the k-means assignment (assembly/kmeans.ts). Same contract as
// lloydAssign in ../kmeans.ts, which calls this first and runs its own loop on null.
// Labels and distances are computed with the points split across threads; the centre sums
// and the inertia are then accumulated on this thread in point order, so every result is the
// same bit for bit on any number of threads (and, without FMA, equal to the TypeScript loop's).
//
// Legend: n points, d features, k centres (kp = k rounded up to even); x [n, d], c [k, d].

import { wasmRuntime } from '../backend.js';
import type { CenterSums } from '../kmeans.js';
import { runJobs } from '../pool.js';
import { Frame, pin } from './frame.js';
import { split, threadsFor } from './parallel.js';

// n k d multiply-adds. Below ~4K the copies cost more than TypeScript's loop (measured on the
// 2-core dev machine); a thread hand-over pays off from ~256K per thread.
const WASM_MIN = 1 << 12;
const THREAD_MIN = 1 << 18;

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
  const threads = threadsFor(rt, work, THREAD_MIN, Math.ceil(n / 2));
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
  // sums [k, d] then weights [k], in one block: the kernel takes one address
  const sp = acc ? f.alloc((k * d + k) * 8) : 0;
  const vp = f.alloc(threads * 2 * kp * 8); // per thread: the scores of two points
  if (!f.commit()) return null;
  if (acc) {
    f.put(acc.sums, 0, k * d, sp);
    f.put(acc.weights, 0, k, sp + k * d * 8);
  }
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
  runJobs(
    rt,
    split(n, threads, 2).map(([s, m], t) => ({
      fn: 'kmeansLabelsF64',
      args: [xp + s * d * 8, m, d, cTp, cnp, kp, cp, lp + s * 4, dp + s * 8, vp + t * 2 * kp * 8],
    })),
  );
  const inertia = rt.exports.kmeansAccumulateF64(xp, n, d, wp, lp, dp, sp, acc ? sp + k * d * 8 : 0);
  f.finish();
  if (acc) {
    f.get(acc.sums, 0, k * d, sp);
    f.get(acc.weights, 0, k, sp + k * d * 8);
  }
  return inertia;
}
