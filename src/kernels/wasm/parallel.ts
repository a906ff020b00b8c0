// Splitting one kernel call across the worker pool (src/kernels/pool.ts).

import { getNumThreads } from '../backend.js';
import { ensureWorkers } from '../pool.js';
import type { WasmRuntime } from './loader.js';

/**
 * Threads for a call of `work` units: at most getNumThreads(), at least `minPerThread` units
 * each (below that the handover costs more than it saves), at most `maxParts`. Starts workers.
 */
export function threadsFor(rt: WasmRuntime, work: number, minPerThread: number, maxParts: number): number {
  const t = Math.min(getNumThreads(), Math.floor(work / minPerThread), maxParts);
  return t > 1 ? ensureWorkers(rt, t - 1) + 1 : 1;
}

/** [start, count] ranges covering [0, extent) in at most `parts` pieces, starts multiples of `unit`. */
export function split(extent: number, parts: number, unit: number): [number, number][] {
  const per = Math.ceil(extent / parts / unit) * unit;
  const out: [number, number][] = [];
  for (let s = 0; s < extent; s += per) out.push([s, Math.min(per, extent - s)]);
  return out;
}
