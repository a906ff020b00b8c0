// The worker pool: threads start, share the work, and never keep the process alive. The exit
// test runs a script in a fresh `node` (through tsx, on the TypeScript sources) that multiplies
// on 2 threads and then simply ends: it must exit by itself, with code 0, well within the timeout.
// The browser path (Web Workers, spin wait) is checked in a real browser by
// `npm run check:browser`; here its logic runs on a Node stand-in.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  backend,
  getNumThreads,
  init as initBackend,
  setNumThreads,
  threadsSupported,
  wasmRuntime,
} from '../src/kernels/backend.js';
import { gemm, gemmJs } from '../src/kernels/matmul.js';
import { configurePool, poolSize, prestartWorkers, shutdownPool } from '../src/kernels/pool.js';
import type { WebSpawn, WebWorkerLike } from '../src/kernels/pool-web.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = (p: string) => new URL(`../src/${p}`, import.meta.url).href;

const SCRIPT = `
const { gemm, gemmJs } = await import('${src('kernels/matmul.ts')}');
const { backend, setNumThreads } = await import('${src('kernels/backend.ts')}');
const { poolSize } = await import('${src('kernels/pool.ts')}');
setNumThreads(2);
const n = 160;
const a = new Float64Array(n * n).map((_, i) => Math.sin(i));
const v = { data: a, off: 0, rs: n, cs: 1 };
const c = new Float64Array(n * n);
const ref = new Float64Array(n * n);
gemm(n, n, n, v, v, c, 0, false);
gemmJs(n, n, n, v, v, ref, 0, false);
const same = c.every((x, i) => Math.abs(x - ref[i]) <= 1e-12 * (1 + Math.abs(ref[i])));
console.log(JSON.stringify({ backend: backend(), workers: poolSize(), same }));
`;

describe('worker pool', () => {
  it('a script that computes on 2 threads exits by itself', () => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    });
    const seconds = (performance.now() - t0) / 1000;
    expect(r.error, String(r.error)).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out).toEqual({ backend: expect.stringMatching(/^wasm-/), workers: 1, same: true });
    expect(seconds).toBeLessThan(30);
  });
});

// The browser path, run in Node: Web Workers are played by worker_threads running the same
// Blob-URL source, behind a shim whose start message can be held back, which stands in for a
// page that has not yielded yet (a real Web Worker cannot boot before that).
interface Shim extends WebWorkerLike {
  release(): void;
}
const shims: Shim[] = [];
const shimSpawn: WebSpawn = (source) => {
  const w = new Worker(
    `const { parentPort } = require('node:worker_threads');
const self = { onmessage: null, postMessage: (m) => parentPort.postMessage(m) };
${source}
parentPort.once('message', (data) => self.onmessage({ data }));`,
    { eval: true },
  );
  w.unref();
  let held: unknown[] | null = [];
  const shim: Shim = {
    postMessage: (m) => (held ? held.push(m) : w.postMessage(m)),
    addEventListener: (type, listener) => w.on(type, (data: unknown) => listener({ data })),
    terminate: () => void w.terminate(),
    release() {
      for (const m of held ?? []) w.postMessage(m);
      held = null;
    },
  };
  shims.push(shim);
  return shim;
};

function product(n: number): { wasm: Float32Array; js: Float32Array } {
  const a = new Float32Array(n * n).map((_, i) => Math.sin(i));
  const v = { data: a, off: 0, rs: n, cs: 1 };
  const wasm = new Float32Array(n * n);
  const js = new Float32Array(n * n);
  gemm(n, n, n, v, v, wasm, 0, false);
  gemmJs(n, n, n, v, v, js, 0, false);
  return { wasm, js };
}

const defaultThreads = getNumThreads();
describe('worker pool, browser path (simulated in Node)', () => {
  afterEach(() => {
    configurePool({ spawn: null, block: null });
    shims.length = 0;
    setNumThreads(defaultThreads);
  });

  it('spins instead of Atomics.wait when the thread may not block, with the same result', () => {
    setNumThreads(1);
    const one = product(200).wasm;
    configurePool({ block: false });
    setNumThreads(2);
    const { wasm, js } = product(200);
    expect(poolSize()).toBe(1);
    expect(wasm).toEqual(one);
    for (let i = 0; i < js.length; i++) expect(Math.abs(wasm[i] - js[i])).toBeLessThan(1e-3);
  });

  it('runs single-threaded until Web Workers report ready, then on both threads', async () => {
    expect(backend()).toMatch(/^wasm-/);
    setNumThreads(1);
    const one = product(200).wasm;
    configurePool({ spawn: shimSpawn, block: false });
    setNumThreads(2); // spawns the worker; its start message is held back
    expect(shims).toHaveLength(1);
    expect(poolSize()).toBe(0);
    expect(product(200).wasm).toEqual(one); // must not wait for a worker that is not ready
    expect(shims).toHaveLength(1); // nor spawn another
    for (const s of shims) s.release();
    await initBackend();
    expect(poolSize()).toBe(1);
    expect(getNumThreads()).toBe(2);
    expect(product(200).wasm).toEqual(one);
  });

  it('does not wait for, nor give up over, a Web Worker shut down before it started', async () => {
    const rt = wasmRuntime()!;
    configurePool({ spawn: shimSpawn });
    const pending = prestartWorkers(rt, 1); // its start message is held back
    shutdownPool();
    const t0 = performance.now();
    await expect(pending).resolves.toBe(0);
    expect(performance.now() - t0).toBeLessThan(1000); // not the 10 s start timeout
    expect(threadsSupported()).toBe(true);
    const next = prestartWorkers(rt, 1);
    for (const s of shims) s.release();
    await expect(next).resolves.toBe(1);
  });

  it('turns threads off when a Web Worker cannot start', async () => {
    configurePool({
      spawn: () => {
        throw new Error('blocked by CSP');
      },
    });
    setNumThreads(2);
    await initBackend();
    expect(threadsSupported()).toBe(false);
    expect(getNumThreads()).toBe(1);
    const { wasm, js } = product(200);
    for (let i = 0; i < js.length; i++) expect(Math.abs(wasm[i] - js[i])).toBeLessThan(1e-3);
  });

  it('turns threads off when a Web Worker fails while starting', async () => {
    configurePool({ spawn: (source) => shimSpawn(source.replace('new WebAssembly.Instance', 'null.x')) });
    setNumThreads(2);
    for (const s of shims) s.release();
    await expect(initBackend()).resolves.toMatch(/^wasm-/);
    expect(threadsSupported()).toBe(false);
    expect(poolSize()).toBe(0);
  });
});
