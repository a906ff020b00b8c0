// Timing and records, shared by bench/main.ts and every suite.
//
// measure(): `warmup` untimed calls (V8 and WebAssembly compile in tiers: the first calls of a
// kernel run slower), then `runs` timed samples; the result is the median sample. A call
// shorter than MIN_SAMPLE_MS is repeated inside one sample (the sample's time divided by the
// repeats), so timer resolution and one-off pauses do not dominate fast workloads. A call slower
// than SLOW_CALL_MS gets one warm-up and at most 3 samples: its noise is small next to its length,
// and a slow peer (tfjs-cpu matmul 1024 takes seconds) must not make the whole run take minutes.

import { tidy } from '../src/index.js';
import type { BenchContext, BenchRecord } from './types.js';

const MIN_SAMPLE_MS = 5;
const SLOW_CALL_MS = 1000;

export interface MeasureDefaults {
  runs: number;
  warmup: number;
  /** Run each call inside tidy() (default true). */
  tidy?: boolean;
}

/** A BenchContext whose measure() uses `defaults` unless a call overrides them. */
export function makeContext(opts: { quick: boolean }): BenchContext {
  const defaults: MeasureDefaults = opts.quick ? { runs: 3, warmup: 1 } : { runs: 7, warmup: 2 };
  return { quick: opts.quick, measure: (fn, o) => measure(fn, { ...defaults, ...o }) };
}

// Each call runs inside shousi's tidy(), as the tfjs rows run in tf.tidy() and dispose the
// result: the call's tensors go back to shousi's buffer pool instead of waiting for the GC
// (src/tensor/memory.ts). `tidy: false` times a call that leaves its tensors to the GC.
async function call(fn: () => unknown, scoped: boolean): Promise<void> {
  let r: unknown;
  if (scoped)
    tidy(() => {
      r = fn(); // not returned: the result is disposed too
    });
  else r = fn();
  if (r && typeof (r as Promise<unknown>).then === 'function') await r;
}

// A full collection before each measurement (bench/main.ts starts suites with --expose-gc), then
// a pause while V8's background threads sweep and free what it found: otherwise the garbage of
// the previous measurement (a peer's, or a no-tidy row's 4 MB results) is swept and unmapped
// during this one, on the core a worker needs (measured: 2-thread matmul 1024 ~25 -> ~30 ms).
const collectGarbage = (globalThis as { gc?: () => void }).gc;
const SETTLE_MS = 200;

async function settle(): Promise<void> {
  if (!collectGarbage) return;
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

/** Median wall time in ms of one call of `fn` (see the file comment for the protocol). */
export async function measure(fn: () => unknown, opts: MeasureDefaults): Promise<number> {
  await settle();
  let last = 0;
  for (let i = 0; i < Math.max(1, opts.warmup); i++) {
    const t0 = performance.now();
    await call(fn, opts.tidy ?? true);
    last = performance.now() - t0;
    if (last > SLOW_CALL_MS) break; // one slow call has warmed everything a later one would use
  }
  const repeats =
    last >= MIN_SAMPLE_MS ? 1 : Math.min(10_000, Math.ceil(MIN_SAMPLE_MS / Math.max(last, 1e-3)));
  const runs = last > SLOW_CALL_MS ? Math.min(opts.runs, 3) : opts.runs;
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let k = 0; k < repeats; k++) await call(fn, opts.tidy ?? true);
    samples.push((performance.now() - t0) / repeats);
  }
  return median(samples);
}

/** The median of a non-empty list (the mean of the middle two for an even length). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export interface Work {
  /** Floating-point operations of one call (fills `gflops`). */
  flops?: number;
  /** Bytes one call must read and write at least (fills `extra["GB/s"]`). */
  bytes?: number;
}

/** A record with GFLOP/s and GB/s derived from the work of one call. */
export function makeRecord(
  workload: string,
  impl: string,
  threads: number,
  medianMs: number,
  work: Work = {},
): BenchRecord {
  const rec: BenchRecord = { workload, impl, threads, medianMs };
  if (work.flops !== undefined) rec.gflops = work.flops / (medianMs * 1e6);
  if (work.bytes !== undefined) rec.extra = { 'GB/s': work.bytes / (medianMs * 1e6) };
  return rec;
}
