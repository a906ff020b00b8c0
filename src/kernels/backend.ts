// Which kernels run: WebAssembly with relaxed SIMD, WebAssembly with baseline SIMD, or the
// TypeScript loops in src/kernels/*.ts; and on how many threads.
//
// Chosen lazily on the first kernel call (or `backend()`), fastest available first:
//   wasm-relaxed-simd  where WebAssembly.validate accepts relaxed SIMD as the engine ships
//                      (Node >= 22, current browsers); Node 20 only when asked for by name
//   wasm-simd          128-bit SIMD (Node 16.4+, every current browser)
//   js                 no binary (not built, or a browser before `await initBackend()`), or forced
// SHOUSI_BACKEND and SHOUSI_NUM_THREADS in the environment override the defaults, so a whole
// run (e.g. `SHOUSI_BACKEND=js npm run golden`) can be pinned without code changes.

import { ArgumentError } from '../errors.js';
import { setResidentStore } from '../tensor/memory.js';
import { prestartWorkers, shutdownPool, workersAvailable } from './pool.js';
import { fillResident, releaseResidentArray, residentArray, residentBytes } from './wasm/heap.js';
import {
  canShareMemory,
  compileAll,
  loadRuntime,
  nodeBuiltin,
  setWasmBase,
  type WasmRuntime,
  type WasmVariant,
} from './wasm/loader.js';

export type BackendName = WasmVariant | 'js';

const ORDER: readonly WasmVariant[] = ['wasm-relaxed-simd', 'wasm-simd'];
const NAMES: readonly string[] = [...ORDER, 'js', 'auto'];

let chosen: BackendName | null = null;
let runtime: WasmRuntime | null = null;
let threads: number | null = null;

// Large float tensors are allocated inside the active runtime's memory (src/kernels/wasm/heap.ts),
// where its kernels use them without copies; on the 'js' backend they are ordinary arrays.
setResidentStore({
  alloc: (dtype, n, limit, zero) => {
    const rt = wasmRuntime();
    return rt ? residentArray(rt, dtype, n, limit, zero) : null;
  },
  free: releaseResidentArray,
  fill: fillResident,
  bytes: () => residentBytes(runtime),
});

function env(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

function resolve(): void {
  if (chosen !== null) return;
  const forced = env('SHOUSI_BACKEND');
  if (forced && forced !== 'auto') {
    if (!NAMES.includes(forced)) {
      throw new ArgumentError(
        `SHOUSI_BACKEND: unknown backend '${forced}' (expected one of ${NAMES.join(', ')})`,
      );
    }
    setBackend(forced as BackendName);
    return;
  }
  for (const v of ORDER) {
    runtime = loadRuntime(v, false);
    if (runtime) {
      chosen = v;
      return;
    }
  }
  chosen = 'js';
}

/** The backend the kernels run on now: 'wasm-relaxed-simd' | 'wasm-simd' | 'js'. */
export function backend(): BackendName {
  resolve();
  return chosen!;
}

/**
 * Forces a backend ('auto' restores the automatic choice). Asking for 'wasm-relaxed-simd' by
 * name on Node 20 switches on V8's --experimental-wasm-relaxed-simd. Throws ArgumentError when
 * the backend cannot run here.
 */
export function setBackend(name: BackendName | 'auto'): void {
  if (!NAMES.includes(name)) {
    throw new ArgumentError(`setBackend: unknown backend '${name}' (expected one of ${NAMES.join(', ')})`);
  }
  shutdownPool(); // workers run one runtime's module
  if (name === 'auto') {
    chosen = null;
    runtime = null;
    resolve();
    return;
  }
  if (name === 'js') {
    chosen = 'js';
    runtime = null;
    return;
  }
  const rt = loadRuntime(name, true);
  if (!rt) {
    throw new ArgumentError(
      `setBackend: '${name}' is not available here (WebAssembly binary missing, rejected by the engine, or not initialised: run \`npm run build:wasm\`, or \`await initBackend()\` in browsers)`,
    );
  }
  chosen = name;
  runtime = rt;
  void prestart();
}

/** The active WebAssembly runtime, or null on the 'js' backend. */
export function wasmRuntime(): WasmRuntime | null {
  resolve();
  return runtime;
}

/** Options of initBackend. */
export interface InitOptions {
  /**
   * The folder the `.wasm` files are served from, when a bundle does not keep the package's
   * `wasm/` folder beside its modules: an absolute URL, or a path resolved against the page
   * (`'/assets/wasm/'`). Default: the package's own `wasm/`.
   */
  wasmBase?: string | URL;
}

// A folder URL: relative paths resolve against the page (browsers); a trailing slash is added
// so that file names resolve inside the folder, not beside it.
function folderUrl(base: string | URL): URL {
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  let url: URL;
  try {
    url = new URL(String(base), page);
  } catch {
    throw new ArgumentError(`initBackend: wasmBase '${String(base)}' is not a URL (nor a path on this page)`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/**
 * Loads the WebAssembly kernels asynchronously where they cannot be loaded synchronously
 * (browsers, Node < 20.16), then picks the backend again; in browsers also waits for the worker
 * threads of getNumThreads() to be ready (call it again after setNumThreads to wait for more).
 * Resolves to the backend chosen.
 */
export async function init(options: InitOptions = {}): Promise<BackendName> {
  if (options.wasmBase !== undefined) {
    if (typeof options.wasmBase !== 'string' && !(options.wasmBase instanceof URL)) {
      throw new ArgumentError(
        `initBackend: wasmBase must be a string or a URL, got ${typeof options.wasmBase}`,
      );
    }
    setWasmBase(folderUrl(options.wasmBase));
  }
  await compileAll();
  if (chosen === 'js' && runtime === null && !env('SHOUSI_BACKEND')) chosen = null;
  const name = backend();
  await prestart();
  return name;
}

// Web Workers boot only after the page yields, so they are started whenever the runtime or the
// thread count changes (ops use them once ready); a no-op in Node, where ops start workers.
function prestart(): Promise<number> {
  return runtime && threadsSupported() ? prestartWorkers(runtime, getNumThreads() - 1) : Promise.resolve(0);
}

/**
 * Whether kernels can run on several threads: shared memory and workers (Node's worker_threads,
 * or Web Workers on a cross-origin isolated page, i.e. served with COOP same-origin and COEP
 * require-corp; false after a Web Worker failed to start).
 */
export function threadsSupported(): boolean {
  return canShareMemory() && workersAvailable();
}

function defaultThreads(): number {
  const fromEnv = Number(env('SHOUSI_NUM_THREADS'));
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  if (!threadsSupported()) return 1;
  const os = nodeBuiltin<{ availableParallelism?: () => number; cpus(): unknown[] }>('node:os');
  const web = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, os?.availableParallelism?.() ?? os?.cpus().length ?? web?.hardwareConcurrency ?? 1);
}

/** Sets how many threads large kernels use (like torch.set_num_threads); the default is every core. */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new ArgumentError(`setNumThreads: n must be an integer in [1, 256], got ${n}`);
  }
  threads = n;
  shutdownPool(n - 1); // asking for fewer threads frees the extra workers
  void prestart();
}

/** How many threads large kernels use (1 where threads are unsupported). */
export function getNumThreads(): number {
  threads ??= defaultThreads();
  return threadsSupported() ? threads : 1;
}
