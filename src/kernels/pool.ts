// A pool of worker threads that run WebAssembly kernels over the main thread's shared memory.
//
// Each worker instantiates the same compiled module over the same shared WebAssembly.Memory,
// so a job is only a kernel index and its numeric arguments (byte addresses, sizes): nothing is
// copied between threads. The ops API is synchronous, so the caller blocks while the workers
// compute: it writes each worker's job into that worker's slot of a small SharedArrayBuffer,
// bumps the slot's sequence number and Atomics.notify()s it, runs job 0 itself, then
// Atomics.wait()s on each slot's done counter. Atomics.wait is allowed on Node's main thread,
// not on a browser's main thread, which is why threads are Node-only (backend.ts).
//
// The pool never keeps the process alive: workers are unref()'d and spend their idle time in
// Atomics.wait, which the process exit interrupts (test/wasm-pool.test.ts spawns a script that
// uses threads and checks that it exits by itself).

import { ShousiError } from '../errors.js';
import { nodeBuiltin, type WasmRuntime } from './wasm/loader.js';

/** A job: the kernel's export name and its numeric arguments. */
export interface Job {
  fn: string;
  args: readonly number[];
}

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
}
type WorkerCtor = new (
  code: string,
  opts: { eval: true; execArgv: string[]; workerData: unknown },
) => NodeWorker;

// Control block: one 256-byte slot per worker (slot 0 is the header: the ready counter).
// Int32 words of slot s start at s*64: [seq, done, fn, nargs, failed]; float64 args at s*32 + 4.
const SLOT_BYTES = 256;
const MAX_ARGS = 24;
const MAX_WORKERS = 255;
const READY_TIMEOUT_MS = 10_000;

// The worker body, evaluated as a CommonJS script so it runs from src/ (tsx, vitest) and dist/
// alike without a file of its own.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, slot, names } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map((n) => instance.exports[n]);
const i32 = new Int32Array(ctrl);
const f64 = new Float64Array(ctrl);
const w = slot * 64;
const a = slot * 32 + 4;
let seq = Atomics.load(i32, w); // a reused slot keeps its last job's number: not a new job
Atomics.add(i32, 0, 1);
Atomics.notify(i32, 0);
for (;;) {
  Atomics.wait(i32, w, seq);
  const s = Atomics.load(i32, w);
  if (s === seq) continue;
  seq = s;
  const args = [];
  for (let k = 0, n = i32[w + 3]; k < n; k++) args.push(f64[a + k]);
  let failed = 0;
  try { fns[i32[w + 2]](...args); } catch { failed = 1; }
  i32[w + 4] = failed;
  Atomics.store(i32, w + 1, seq);
  Atomics.notify(i32, w + 1);
}
`;

interface Pool {
  rt: WasmRuntime;
  names: string[];
  ctrl: SharedArrayBuffer;
  i32: Int32Array;
  f64: Float64Array;
  workers: NodeWorker[];
  seq: number;
}

let pool: Pool | null = null;

function exportNames(rt: WasmRuntime): string[] {
  return WebAssembly.Module.exports(rt.module)
    .filter((e) => e.kind === 'function')
    .map((e) => e.name);
}

/**
 * Makes sure `count` workers are running for this runtime (spawning and waiting for new ones)
 * and returns how many are ready; fewer when threads cannot start here.
 */
export function ensureWorkers(rt: WasmRuntime, count: number): number {
  count = Math.min(count, MAX_WORKERS);
  if (pool && pool.rt !== rt) shutdownPool();
  if (count <= 0 || !rt.shared) return 0;
  const Worker = nodeBuiltin<{ Worker: WorkerCtor }>('node:worker_threads')?.Worker;
  if (!Worker) return 0;
  if (!pool) {
    const ctrl = new SharedArrayBuffer((MAX_WORKERS + 1) * SLOT_BYTES);
    pool = {
      rt,
      names: exportNames(rt),
      ctrl,
      i32: new Int32Array(ctrl),
      f64: new Float64Array(ctrl),
      workers: [],
      seq: 0,
    };
  }
  const p = pool;
  if (p.workers.length >= count) return count;
  while (p.workers.length < count) {
    const slot = p.workers.length + 1;
    const workerData = { module: rt.module, memory: rt.memory, ctrl: p.ctrl, slot, names: p.names };
    // execArgv: [] so a parent's --input-type=module cannot turn the script into ESM (V8 flags
    // such as --experimental-wasm-relaxed-simd are process-wide and need no inheriting)
    const w = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData });
    w.unref();
    p.workers.push(w);
  }
  // a worker starts on its own thread, so waiting here does not stop it from starting
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (;;) {
    const ready = Atomics.load(p.i32, 0);
    if (ready >= p.workers.length) break;
    const left = deadline - performance.now();
    if (left <= 0) {
      shutdownPool(); // a worker that cannot start in 10 s will not help: run single-threaded
      return 0;
    }
    Atomics.wait(p.i32, 0, ready, left);
  }
  return count;
}

/**
 * Runs jobs[0] on the calling thread and jobs[1..] on workers 1.., returning when all are done.
 * Call ensureWorkers(rt, jobs.length - 1) first.
 */
export function runJobs(rt: WasmRuntime, jobs: readonly Job[]): void {
  const p = pool;
  if (jobs.length > 1 && (!p || p.rt !== rt || p.workers.length < jobs.length - 1)) {
    throw new ShousiError(`runJobs: ${jobs.length - 1} workers needed, pool has ${p?.workers.length ?? 0}`);
  }
  const exports = rt.exports as unknown as Record<string, (...a: number[]) => void>;
  if (!p || jobs.length === 1) {
    exports[jobs[0].fn](...jobs[0].args);
    return;
  }
  const seq = (p.seq = (p.seq + 1) | 0 || 1); // never 0, the value of a fresh slot
  for (let s = 1; s < jobs.length; s++) {
    const { fn, args } = jobs[s];
    const index = p.names.indexOf(fn);
    if (index < 0 || args.length > MAX_ARGS) {
      throw new ShousiError(
        `runJobs: no kernel '${fn}' taking ${args.length} arguments (at most ${MAX_ARGS})`,
      );
    }
    const w = s * 64;
    p.i32[w + 2] = index;
    p.i32[w + 3] = args.length;
    p.f64.set(args, s * 32 + 4);
    Atomics.store(p.i32, w, seq);
    Atomics.notify(p.i32, w);
  }
  // the workers write into the same memory: wait for them even if this thread's part throws,
  // or the next call would lay out its operands under their feet
  let error: unknown = null;
  try {
    exports[jobs[0].fn](...jobs[0].args);
  } catch (e) {
    error = e;
  }
  let failed = 0;
  for (let s = 1; s < jobs.length; s++) {
    const w = s * 64;
    for (let d = Atomics.load(p.i32, w + 1); d !== seq; d = Atomics.load(p.i32, w + 1)) {
      Atomics.wait(p.i32, w + 1, d);
    }
    failed += p.i32[w + 4];
  }
  if (error !== null) throw error;
  if (failed > 0) throw new ShousiError(`runJobs: a kernel failed on ${failed} worker thread(s)`);
}

/** Worker threads running now (the calling thread not counted). */
export function poolSize(): number {
  return pool?.workers.length ?? 0;
}

/** Terminates workers beyond the first `keep` (they are unref()'d: never needed to exit). */
export function shutdownPool(keep = 0): void {
  if (!pool) return;
  const gone = pool.workers.splice(keep);
  for (const w of gone) void w.terminate();
  Atomics.sub(pool.i32, 0, gone.length); // the ready counter counts live workers
  if (pool.workers.length === 0) pool = null;
}
