// The JavaScript side of the fused attention forward (assembly/attention.ts): stages q, k, v,
// the mask and the per-head address tables into linear memory, splits the (head, 8-query block)
// work items across threads, and copies the output (and the weights) back. Same contract as
// attentionForward in ../attention.ts, which calls this first and runs its gemm-based path on
// false: float64, mixed dtypes, a bias of another dtype, and tiny problems stay there.
//
// Dims: N heads, Lq queries, Lk keys, D query/key size, Dv value size.

import type { FloatStorage, Storage } from '../../tensor/dtype.js';
import type { AttentionProblem, HeadOperand } from '../attention.js';
import { wasmRuntime } from '../backend.js';
import { runJobs } from '../pool.js';
import { Frame, type Numbers } from './frame.js';
import { split, threadsFor } from './parallel.js';

// Work = N Lq Lk (D + Dv) multiply-adds. Below ~16^4 the staging copies cost more than the
// TypeScript path's few gemm calls; a thread pays off from ~2^20 per thread (as gemm's 96^3).
const WASM_MIN = 1 << 14;
const THREAD_MIN = 1 << 20;
const QB = 8; // query rows per work item (assembly/attention.ts)
const DESC_WORDS = 20; // the descriptor's layout is documented in assembly/attention.ts

/** attentionForward for float32 in wasm; false when not applicable (the caller runs TypeScript). */
export function attentionForwardWasm(
  p: AttentionProblem,
  out: HeadOperand,
  weights: FloatStorage | null,
): boolean {
  const { N, Lq, Lk, D, Dv, q, k, v, mask } = p;
  const work = N * Lq * Lk * (D + Dv);
  if (work < WASM_MIN || Lk === 0 || D === 0 || Dv === 0) return false;
  const f32 = (x: Storage | null) => x === null || x instanceof Float32Array;
  if (!(f32(q.data) && f32(k.data) && f32(v.data) && f32(out.data) && f32(weights))) return false;
  if (mask && !(mask.kind === 'bias' ? mask.data instanceof Float32Array : mask.data instanceof Uint8Array))
    return false;
  const rt = wasmRuntime();
  if (!rt) return false;

  const items = N * Math.ceil(Lq / QB);
  const threads = threadsFor(rt, work, THREAD_MIN, items);
  const frame = new Frame(rt);
  const desc = frame.alloc(DESC_WORDS * 4);
  const tables = frame.alloc(5 * N * 4);
  // each distinct input array once (self-attention passes one projection as q, k and v); the
  // 16 bytes after each let a 4-column tile of V read past the last row's end
  const staged = new Map<Storage, number>();
  for (const x of [q.data, k.data, v.data, mask?.data ?? null]) {
    if (x !== null && !staged.has(x)) staged.set(x, frame.alloc(x.byteLength + 16));
  }
  const op = frame.alloc(out.data.byteLength);
  const wp = weights ? frame.alloc(weights.byteLength) : 0;
  const scratchBytes = rt.exports.attentionScratchBytes(Lk, D);
  const scratch = frame.alloc(threads * scratchBytes);
  if (!frame.commit()) return false;

  for (const [x, ptr] of staged) frame.put(x as Numbers, 0, x.length, ptr);
  // heads that do not cover the output (never, from the ops) must keep what lies between them
  if (N * Lq * Dv < out.data.length) frame.put(out.data as Numbers, 0, out.data.length, op);
  const tab = frame.view(new Int32Array(0), tables, 5 * N);
  const heads: [readonly number[], number, number][] = [
    [q.offsets, staged.get(q.data)!, 4],
    [k.offsets, staged.get(k.data)!, 4],
    [v.offsets, staged.get(v.data)!, 4],
    [out.offsets, op, 4],
    [mask?.offsets ?? [], mask ? staged.get(mask.data)! : 0, mask?.kind === 'bias' ? 4 : 1],
  ];
  heads.forEach(([offsets, base, esz], t) => {
    for (let n = 0; n < N; n++) tab[t * N + n] = mask || t < 4 ? base + offsets[n] * esz : 0;
  });
  const d = frame.view(new Int32Array(0), desc, DESC_WORDS);
  d.set([Lq, Lk, D, Dv]);
  for (let t = 0; t < 5; t++) d[4 + t] = tables + t * N * 4;
  d.set([q.rs, k.rs, v.rs, out.rs], 9);
  d[13] = mask === null ? 0 : mask.kind === 'block' ? 1 : mask.kind === 'keep' ? 2 : 3;
  d[14] = mask?.rs ?? 0;
  d[15] = mask?.cs ?? 0;
  d[16] = p.causal ? 1 : 0;
  d[17] = wp;
  frame.view(new Float32Array(0), desc + 19 * 4, 1)[0] = p.scale;

  runJobs(
    rt,
    split(items, threads, 1).map(([s, count], t) => ({
      fn: 'attentionF32',
      args: [desc, s, count, scratch + t * scratchBytes],
    })),
  );
  frame.get(out.data as Numbers, 0, out.data.length, op);
  if (weights) frame.get(weights, 0, weights.length, wp);
  return true;
}
