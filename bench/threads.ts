// The thread counts shousi rows are timed on: 1 and 2 (the targets are quoted at 2
// threads on its 2-core machine) and every core where there are more; only 1 where worker
// threads cannot run. Each row records the count in effect (getNumThreads()), so a row says
// how many threads its kernels were allowed to split across.

import { getNumThreads, setNumThreads, threadsSupported } from '../src/kernels/backend.js';

/** Runs `body` once per thread count (setNumThreads), then restores the default; concatenates the results. */
export async function forThreads<T>(body: (threads: number) => Promise<T[]>): Promise<T[]> {
  const all = getNumThreads();
  const counts = threadsSupported() ? [...new Set([1, 2, all])].sort((a, b) => a - b) : [1];
  const out: T[] = [];
  try {
    for (const t of counts) {
      setNumThreads(t);
      out.push(...(await body(getNumThreads())));
    }
  } finally {
    setNumThreads(all);
  }
  return out;
}
