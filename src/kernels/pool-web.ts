// The browser side of the worker pool (src/kernels/pool.ts): Web Workers instead of Node's
// worker_threads, and waiting without Atomics.wait on a page's main thread.
//
// A Web Worker boots asynchronously: its script is fetched and run, and its first message
// handled, only after the page's main thread yields. A synchronous op therefore cannot spawn one
// and wait for it; the pool spawns them ahead (initBackend(), setNumThreads()) and an op uses
// only the workers that have reported ready, running on fewer threads (or one) until then.
//
// The script comes from a Blob URL built from source text, as Node's worker is eval'd source, so
// nothing besides the wasm binaries has to be served or bundled. The compiled WebAssembly.Module
// and the shared WebAssembly.Memory arrive by postMessage, which browsers allow only on
// cross-origin isolated pages (COOP same-origin + COEP require-corp): elsewhere the loader
// builds unshared memory and threads stay off (webWorkersAvailable).

/** What the pool needs of a Web Worker (the DOM's Worker has it; tests pass a Node shim). */
export interface WebWorkerLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message' | 'error', listener: (event: { data?: unknown }) => void): void;
  terminate(): void;
}

/** Starts a classic worker running `source`. */
export type WebSpawn = (source: string) => WebWorkerLike;

/** What a worker is told at start: see pool.ts for the control block layout. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: SharedArrayBuffer;
  slot: number;
  id: number;
  names: string[];
}

interface WebGlobals {
  Worker?: new (url: string) => WebWorkerLike;
  Blob?: typeof Blob;
  URL?: { createObjectURL?(blob: Blob): string };
  crossOriginIsolated?: boolean;
}
const web = globalThis as WebGlobals;

/** Whether this page can run pool workers: Worker and Blob URLs, and cross-origin isolation. */
export function webWorkersAvailable(): boolean {
  return (
    typeof web.Worker === 'function' &&
    typeof web.Blob === 'function' &&
    typeof web.URL?.createObjectURL === 'function' &&
    web.crossOriginIsolated !== false
  );
}

// One Blob URL for every worker: never revoked (a worker may still be fetching it), a few KB.
let blobUrl: { source: string; url: string } | null = null;

/** The default spawn: the DOM's Worker on a Blob URL of the source. */
export const blobSpawn: WebSpawn = (source) => {
  if (blobUrl?.source !== source) {
    const blob = new web.Blob!([source], { type: 'text/javascript' });
    blobUrl = { source, url: web.URL!.createObjectURL!(blob) };
  }
  return new web.Worker!(blobUrl.url);
};

/**
 * The worker script: waits for its WorkerInit, then runs `body` (pool.ts's job loop, which
 * calls ready() once it takes jobs). An exception (e.g. instantiation) reaches the page as the
 * worker's 'error' event.
 */
export function webWorkerSource(body: string): string {
  return `self.onmessage = (event) => {
  self.onmessage = null;
  const { module, memory, ctrl, slot, id, names } = event.data;
  const ready = () => self.postMessage('ready');
${body}
};
`;
}

/**
 * Spawns a worker and sends it its start data. `ready` settles true once the worker takes jobs,
 * false if it fails first (spawning or posting throws, e.g. a CSP without blob: workers, or a
 * DataCloneError on a page that is not cross-origin isolated).
 */
export function spawnWebWorker(
  spawn: WebSpawn,
  source: string,
  init: WorkerInit,
): { worker: WebWorkerLike | null; ready: Promise<boolean> } {
  let worker: WebWorkerLike | null = null;
  try {
    worker = spawn(source);
    const w = worker;
    const ready = new Promise<boolean>((settle) => {
      w.addEventListener('message', (e) => settle(e.data === 'ready'));
      w.addEventListener('error', () => settle(false));
    });
    w.postMessage(init);
    return { worker: w, ready };
  } catch {
    worker?.terminate();
    return { worker: null, ready: Promise.resolve(false) };
  }
}

/** Whether every worker started (each `ready` settled true) within `ms`. */
export async function allReady(readies: (Promise<boolean> | null)[], ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((settle) => {
    timer = setTimeout(() => settle(false), ms);
  });
  const all = Promise.all(readies).then((r) => !r.includes(false));
  const ok = await Promise.race([all, timeout]);
  clearTimeout(timer);
  return ok;
}

let blocking: boolean | null = null;

// Atomics.wait throws a TypeError on a thread that may not block (a page's main thread). Asking
// the engine once is exact where guessing from globals (window, document) is not: Web Workers,
// Node's threads, Deno and Electron all differ. The probe's word is 0, so where blocking is
// allowed the wait returns 'not-equal' at once.
function canBlock(): boolean {
  if (blocking === null) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      blocking = true;
    } catch {
      blocking = false;
    }
  }
  return blocking;
}

/** Test hook: false forces the spin wait of a page's main thread, null probes again. */
export function setBlocking(block: boolean | null): void {
  blocking = block;
}

/**
 * Returns once i32[index] === value: Atomics.wait where this thread may block, else a spin on
 * Atomics.load. Spinning costs the page nothing blocking would not: the synchronous op holds the
 * main thread either way, and the workers finish within the op.
 */
export function waitFor(i32: Int32Array, index: number, value: number): void {
  if (canBlock()) {
    for (let d = Atomics.load(i32, index); d !== value; d = Atomics.load(i32, index)) {
      Atomics.wait(i32, index, d);
    }
  } else {
    while (Atomics.load(i32, index) !== value);
  }
}
