// A pool of worker threads that run WebAssembly kernels over the main thread's shared memory.
//
// Each worker instantiates the same compiled module over the same shared WebAssembly.Memory,
// so a job is only a kernel index and its numeric arguments (byte addresses, sizes): nothing is
// copied between threads. The ops API is synchronous, so the caller blocks while the workers
// compute: it writes each worker's job into that worker's slot of a small SharedArrayBuffer,
// bumps the slot's sequence number and Atomics.notify()s it, runs job 0 itself, then waits on
// each slot's done counter.
//
// Workers are Node's worker_threads, or Web Workers in browsers (pool-web.ts). Node's start on
// their own threads, so an op spawns them and waits until they are ready; Web Workers boot only
// after the page yields, so they are started ahead (initBackend, setNumThreads) and an op uses
// the ones ready by then. Waiting for a done counter: Atomics.wait where this thread may block
// (Node, Web Workers), a spin on Atomics.load where it may not (a page's main thread).
//
// The pool never keeps a Node process alive: workers are unref()'d and spend their idle time
// in Atomics.wait, which the process exit interrupts (test/wasm-pool.test.ts spawns a script
// that uses threads and checks that it exits by itself).

import { ShousiError } from '../errors.js';
import {
  allReady,
  blobSpawn,
  setBlocking,
  spawnWebWorker,
  type WebSpawn,
  type WorkerInit,
  waitFor,
  webWorkerSource,
  webWorkersAvailable,
} from './pool-web.js';
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
  opts: { eval: true; execArgv: string[]; workerData: WorkerInit },
) => NodeWorker;

// Control block: one 256-byte slot per worker. Slot 0 is the header: word 0 rings when a worker
// becomes ready. Int32 words of slot s start at s*64:
// [seq, done, fn, nargs, failed, owner, ready]; float64 args at s*32 + 4. `owner` is the id of
// the slot's worker and `ready` becomes that id once the worker takes jobs: a worker replaced
// while it was still starting can neither look ready nor take its successor's jobs.
const SLOT_BYTES = 256;
const MAX_ARGS = 24;
const MAX_WORKERS = 255;
const READY_TIMEOUT_MS = 10_000;
const OWNER = 5;
const READY = 6;

// The job loop, shared by both kinds of worker, with module, memory, ctrl, slot, id, names and
// ready() in scope.
const JOB_LOOP = `
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map((n) => instance.exports[n]);
const i32 = new Int32Array(ctrl);
const f64 = new Float64Array(ctrl);
const w = slot * 64;
const a = slot * 32 + 4;
let seq = Atomics.load(i32, w); // a reused slot keeps its last job's number: not a new job
Atomics.store(i32, w + ${READY}, id);
Atomics.add(i32, 0, 1);
Atomics.notify(i32, 0);
ready();
for (;;) {
  Atomics.wait(i32, w, seq);
  if (Atomics.load(i32, w + ${OWNER}) !== id) break; // shut down or replaced
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

// Node's worker is evaluated as a CommonJS script so it runs from src/ (tsx, vitest) and dist/
// alike without a file of its own; the Web Worker's source goes through a Blob URL.
const NODE_SOURCE = `
const { module, memory, ctrl, slot, id, names } = require('node:worker_threads').workerData;
const ready = () => {};
${JOB_LOOP}`;
const WEB_SOURCE = webWorkerSource(JOB_LOOP);

type Host = { kind: 'node'; Worker: WorkerCtor } | { kind: 'web'; spawn: WebSpawn };

interface Member {
  id: number;
  terminate(): void;
  /** Web Workers: settles true once the worker takes jobs, false if it failed to start. */
  ready: Promise<boolean> | null;
}

interface Pool {
  rt: WasmRuntime;
  names: string[];
  ctrl: SharedArrayBuffer;
  i32: Int32Array;
  f64: Float64Array;
  workers: Member[];
  seq: number;
}

let pool: Pool | null = null;
let nextId = 1;
let found: Host | null | undefined;
let forcedSpawn: WebSpawn | null = null;
let broken = false; // a Web Worker failed to start: threads stay off for this page

function host(): Host | null {
  if (forcedSpawn) return { kind: 'web', spawn: forcedSpawn };
  if (found === undefined) {
    const Worker = nodeBuiltin<{ Worker: WorkerCtor }>('node:worker_threads')?.Worker;
    if (Worker) found = { kind: 'node', Worker };
    else found = webWorkersAvailable() ? { kind: 'web', spawn: blobSpawn } : null;
  }
  return found;
}

/** Whether workers can start here: Node's worker_threads, or Web Workers on an isolated page. */
export function workersAvailable(): boolean {
  return !broken && host() !== null;
}

function exportNames(rt: WasmRuntime): string[] {
  return WebAssembly.Module.exports(rt.module)
    .filter((e) => e.kind === 'function')
    .map((e) => e.name);
}

// Workers 1..n whose slots report them ready (a prefix, since job s goes to worker s).
function readyCount(p: Pool): number {
  let n = 0;
  while (n < p.workers.length && Atomics.load(p.i32, (n + 1) * 64 + READY) === p.workers[n].id) n++;
  return n;
}

// Starts workers until the pool has `count` (or a Web Worker fails to start).
function spawn(p: Pool, h: Host, count: number): void {
  while (p.workers.length < count && !broken) {
    const slot = p.workers.length + 1;
    const id = nextId++;
    Atomics.store(p.i32, slot * 64 + READY, 0);
    Atomics.store(p.i32, slot * 64 + OWNER, id);
    const init: WorkerInit = {
      module: p.rt.module,
      memory: p.rt.memory,
      ctrl: p.ctrl,
      slot,
      id,
      names: p.names,
    };
    if (h.kind === 'node') {
      // execArgv: [] so a parent's --input-type=module cannot turn the script into ESM (V8 flags
      // such as --experimental-wasm-relaxed-simd are process-wide and need no inheriting)
      const w = new h.Worker(NODE_SOURCE, { eval: true, execArgv: [], workerData: init });
      w.unref();
      p.workers.push({ id, terminate: () => void w.terminate(), ready: null });
      continue;
    }
    const { worker, ready } = spawnWebWorker(h.spawn, WEB_SOURCE, init);
    if (!worker) {
      giveUp(p);
      return;
    }
    // a worker shut down before it started is no failure: nobody waits for it any more
    let stop = () => {};
    const stopped = new Promise<true>((settle) => (stop = () => settle(true)));
    const settled = Promise.race([ready, stopped]).then((ok) => ok || giveUp(p));
    const terminate = () => {
      stop();
      worker.terminate();
    };
    p.workers.push({ id, terminate, ready: settled });
  }
}

// A Web Worker that cannot start (blocked by CSP, failed to instantiate) will not start on a
// retry either: run single-threaded from now on rather than respawn on every op.
function giveUp(p: Pool): false {
  broken = true;
  if (pool === p) shutdownPool();
  return false;
}

/**
 * Makes sure `count` workers exist for this runtime and returns how many take jobs now; fewer
 * when threads cannot start here. Node: spawns and waits for them. Browsers: spawns without
 * waiting (Web Workers boot after the page yields) and counts those already ready.
 */
export function ensureWorkers(rt: WasmRuntime, count: number): number {
  count = Math.min(count, MAX_WORKERS);
  if (pool && pool.rt !== rt) shutdownPool();
  const h = host();
  if (count <= 0 || !rt.shared || !h || broken) return 0;
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
  spawn(p, h, count);
  if (h.kind === 'web') return Math.min(count, pool === p ? readyCount(p) : 0);
  // a worker starts on its own thread, so waiting here does not stop it from starting
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (;;) {
    const bell = Atomics.load(p.i32, 0);
    if (readyCount(p) >= count) return count;
    const left = deadline - performance.now();
    if (left <= 0) {
      shutdownPool(); // a worker that cannot start in 10 s will not help: run single-threaded
      return 0;
    }
    Atomics.wait(p.i32, 0, bell, left);
  }
}

/**
 * Starts `count` workers ahead of use where they boot asynchronously (Web Workers) and resolves
 * to how many are ready once all are, failed, or 10 s passed. In Node, where an op starts its
 * workers synchronously, it starts none and resolves to the pool's size.
 */
export async function prestartWorkers(rt: WasmRuntime, count: number): Promise<number> {
  if (host()?.kind !== 'web') return poolSize();
  ensureWorkers(rt, count);
  const p = pool;
  if (!p) return 0;
  const ok = await allReady(
    p.workers.slice(0, count).map((m) => m.ready),
    READY_TIMEOUT_MS,
  );
  if (!ok) giveUp(p);
  return pool === p ? readyCount(p) : 0;
}

/**
 * Runs jobs[0] on the calling thread and jobs[1..] on workers 1.., returning when all are done.
 * Call ensureWorkers(rt, jobs.length - 1) first: it says how many jobs workers can take.
 */
export function runJobs(rt: WasmRuntime, jobs: readonly Job[]): void {
  const p = pool;
  if (jobs.length > 1 && (!p || p.rt !== rt || readyCount(p) < jobs.length - 1)) {
    throw new ShousiError(
      `runJobs: ${jobs.length - 1} workers needed, pool has ${p ? readyCount(p) : 0} ready`,
    );
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
    waitFor(p.i32, s * 64 + 1, seq);
    failed += p.i32[s * 64 + 4];
  }
  if (error !== null) throw error;
  if (failed > 0) throw new ShousiError(`runJobs: a kernel failed on ${failed} worker thread(s)`);
}

/** Worker threads taking jobs now (the calling thread not counted). */
export function poolSize(): number {
  return pool ? readyCount(pool) : 0;
}

/** Terminates workers beyond the first `keep` (Node's are unref()'d: never needed to exit). */
export function shutdownPool(keep = 0): void {
  if (!pool) return;
  const p = pool;
  const gone = p.workers.splice(keep);
  gone.forEach((m, i) => {
    const w = (keep + 1 + i) * 64;
    Atomics.store(p.i32, w + OWNER, 0); // should it outlive terminate(), it stops at its next wake
    Atomics.store(p.i32, w + READY, 0);
    Atomics.notify(p.i32, w);
    m.terminate();
  });
  if (p.workers.length === 0) pool = null;
}

/**
 * Test hook. `spawn`: run the pool on Web Workers made by it (a Node shim stands in for the
 * browser's Worker); `block: false` forces the spin wait of a page's main thread. null restores
 * the automatic choice. Shuts the pool down and forgets a failed start.
 */
export function configurePool(opts: { spawn?: WebSpawn | null; block?: boolean | null }): void {
  shutdownPool();
  if (opts.spawn !== undefined) forcedSpawn = opts.spawn;
  if (opts.block !== undefined) setBlocking(opts.block);
  broken = false;
}
