// The benchmark contract: one suite per file in bench/suites/<name>.ts, default-exporting a
// BenchSuite; bench/main.ts discovers them, runs them, prints one table with ratio columns
// and (with --json FILE) writes every record.

export interface BenchRecord {
  /** What was measured, e.g. "matmul 512" or "conv2d N8 C64 32x32 O64 3x3". */
  workload: string;
  /** Who: "shousi", "tfjs-cpu", "tfjs-wasm", "ml-kmeans", ... */
  impl: string;
  threads: number;
  medianMs: number;
  gflops?: number;
  /** Other throughput figures, e.g. {"epochs/s": 612}. */
  extra?: Record<string, number>;
}

export interface BenchContext {
  /** Median wall time in ms of `runs` timed calls after `warmup` untimed ones. */
  measure(fn: () => unknown, opts?: { runs?: number; warmup?: number; tidy?: boolean }): Promise<number>;
  /** Fewer/smaller runs (set by --quick). */
  quick: boolean;
}

export interface BenchSuite {
  name: string;
  run(ctx: BenchContext): Promise<BenchRecord[]>;
}
