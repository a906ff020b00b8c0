// The JavaScript side of the fused attention forward (assembly/attention.ts): stages q, k, v,
// the mask and the per-head address tables into linear memory (unless resident there), splits the (head, query block)
// work items across threads, and copies the output (and the weights) back. Same contract as
// attentionForward in ../attention.ts, which calls this first and runs its gemm-based path on
// false: mixed dtypes, a bias of another dtype, and tiny problems stay there.
//
// Dims: N heads, Lq queries, Lk keys, D query/key size, Dv value size.

import type { FloatStorage, Storage } from '../../tensor/dtype.js';
import type { AttentionProblem, HeadOperand } from '../attention.js';
import { wasmRuntime } from '../backend.js';
import { runJobs } from '../pool.js';
import { Frame, floatKind, type Numbers } from './frame.js';
import { split, threadsFor } from './parallel.js';

// Work = N Lq Lk (D + Dv) multiply-adds. Below ~16^4 the staging copies cost more than the
// TypeScript path's few gemm calls; a thread pays off from ~2^20 per thread (as gemm's 96^3).
// The same counts serve float64: it copies twice the bytes per unit, but its TypeScript path
// is slower too (measured at 2^14: ~7 us in wasm against ~12 us), and 2^20 units take ~0.2 ms
// on one thread, well above a thread's handover.
const WASM_MIN = 1 << 14;
const THREAD_MIN = 1 << 20;
const ROW_BYTES = 32; // a work item's query rows: 8 float32 or 4 float64 (assembly/attention.ts)
const DESC_WORDS = 20; // the descriptor's layout is documented in assembly/attention.ts

/** attentionForward for float32 or float64 in wasm; false when not applicable (the caller runs TypeScript). */
export function attentionForwardWasm(
  p: AttentionProblem,
  out: HeadOperand,
  weights: FloatStorage | null,
): boolean {
  const { N, Lq, Lk, D, Dv, q, k, v, mask } = p;
  const work = N * Lq * Lk * (D + Dv);
  if (work < WASM_MIN || Lk === 0 || D === 0 || Dv === 0) return false;
  // one element type throughout, the bias included: the kernel has no mixed products
  const bias = mask?.kind === 'bias' ? mask.data : null;
  const kind = floatKind(q.data, k.data, v.data, out.data, weights, bias);
  if (kind === null || (mask && !bias && !(mask.data instanceof Uint8Array))) return false;
  const rt = wasmRuntime();
  if (!rt) return false;

  const esz = kind === 'F32' ? 4 : 8;
  const items = N * Math.ceil(Lq / (ROW_BYTES / esz));
  const threads = threadsFor(rt, work, THREAD_MIN, items);
  const frame = new Frame(rt);
  const desc = frame.alloc(DESC_WORDS * 4);
  const tables = frame.alloc(5 * N * 4);
  // each distinct input array once (self-attention passes one projection as q, k and v); a
  // 4-column tile of V may read up to 32 bytes past the last row's end (frame blocks and
  // resident arrays keep 64 readable bytes past theirs)
  const staged = new Map<Storage, number>();
  for (const x of [q.data, k.data, v.data, mask?.data ?? null]) {
    if (x !== null && !staged.has(x)) staged.set(x, frame.input(x as Numbers, 0, x.length));
  }
  // heads that do not cover the output (never, from the ops) must keep what lies between them
  const op =
    N * Lq * Dv < out.data.length
      ? frame.inout(out.data as Numbers, 0, out.data.length)
      : frame.output(out.data as Numbers, 0, out.data.length);
  const wp = weights ? frame.output(weights, 0, weights.length) : 0;
  const scratchBytes = rt.exports.attentionScratchBytes(Lk, D, esz);
  const scratch = frame.alloc(threads * scratchBytes);
  if (!frame.commit()) return false;

  const tab = frame.view(new Int32Array(0), tables, 5 * N);
  const heads: [readonly number[], number, number][] = [
    [q.offsets, staged.get(q.data)!, esz],
    [k.offsets, staged.get(k.data)!, esz],
    [v.offsets, staged.get(v.data)!, esz],
    [out.offsets, op, esz],
    [mask?.offsets ?? [], mask ? staged.get(mask.data)! : 0, mask?.kind === 'bias' ? esz : 1],
  ];
  heads.forEach(([offsets, base, size], t) => {
    for (let n = 0; n < N; n++) tab[t * N + n] = mask || t < 4 ? base + offsets[n] * size : 0;
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
  frame.view(new Float64Array(0), desc + 18 * 4, 1)[0] = p.scale; // the float32 kernel rounds it

  runJobs(
    rt,
    split(items, threads, 1).map(([s, count], t) => ({
      fn: `attention${kind}`,
      args: [desc, s, count, scratch + t * scratchBytes],
    })),
  );
  frame.finish();
  return true;
}
