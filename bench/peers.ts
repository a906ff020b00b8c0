// The JavaScript peers shousi is measured against, in the same process and the same run:
// @tensorflow/tfjs on its 'cpu' backend (plain JS loops) and @tensorflow/tfjs-backend-wasm
// (XNNPACK, SIMD; single-threaded in Node, where its threads are switched off).
//
//   const peers = await ensurePeers();            // which peers loaded, and why not
//   records.push(...(await benchTf(ctx, 'matmul 512', (tf) => {
//     const a = tf.randomNormal([512, 512]);     // inputs: created once per backend
//     return () => tf.matMul(a, a);              // the timed call
//   }, { flops: 2 * 512 ** 3 })));
//
// benchTf creates the inputs on each available backend inside an engine scope (disposed after),
// runs each call in tf.tidy and disposes the result. Both backends run their kernels eagerly
// and synchronously, so the output is complete when the op returns and the time includes it.
// The result is deliberately NOT read back with dataSync(): on the wasm backend that copies the
// output out of the wasm heap into a fresh ArrayBuffer, and first-touching fresh pages costs
// ~15-20 us per 4 KiB page in this sandbox (add of two [1024,1024] measured 44 ms with the
// read-back and 0.6 ms without). A chain of ops never pays that copy, so peers are timed at
// their best. shousi's own timings do include its fresh output buffers.

import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TfNs from '@tensorflow/tfjs';
import { makeRecord, type Work } from './measure.js';
import type { BenchContext, BenchRecord } from './types.js';

export type Tf = typeof TfNs;
export type TfTensor = TfNs.Tensor;
export type TfBackend = 'cpu' | 'wasm';

/** The impl name a backend's records carry. */
export const TF_IMPL: Record<TfBackend, string> = { cpu: 'tfjs-cpu', wasm: 'tfjs-wasm' };

export interface Peers {
  /** tfjs, or null when it failed to load. */
  tf: Tf | null;
  /** tfjs backends that initialised, in measuring order. */
  backends: TfBackend[];
  /** Whether `ml-kmeans` can be imported. */
  mlKmeans: boolean;
  /** One line per peer: its state, or why it is missing. */
  notes: string[];
}

let tfPromise: Promise<Tf> | null = null;

/**
 * tfjs with its Node banner ("looks like you are running TensorFlow.js in Node.js...") silenced:
 * prod mode turns tfjs's own warnings off (and its debug checks, which a benchmark must skip anyway).
 */
export function loadTf(): Promise<Tf> {
  tfPromise ??= import('@tensorflow/tfjs').then((m) => {
    const tf = (m.default ?? m) as Tf; // CommonJS: the namespace, or module.exports as default
    tf.enableProdMode();
    return tf;
  });
  return tfPromise;
}

/** Switches tfjs to `name` and waits until it is ready; throws when it cannot initialise. */
export async function useBackend(tf: Tf, name: TfBackend): Promise<void> {
  if (tf.getBackend() === name) return;
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend '${name}' failed to initialise`);
  await tf.ready();
}

/**
 * Registers the wasm backend with its .wasm files read from node_modules (file paths, no fetch)
 * and initialises it. Returns a note on its features or throws with the reason it failed.
 */
async function initWasm(tf: Tf): Promise<string> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const req = createRequire(import.meta.url);
  const dist =
    path.join(path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
  wasm.setWasmPaths(dist);
  // tfjs reports an initialisation error only through its own warnings, which prod mode
  // silences: let them through for this one call and keep them as the reason.
  const warned: string[] = [];
  const warn = console.warn;
  console.warn = (...msg: unknown[]) => warned.push(msg.map(String).join(' '));
  tf.env().set('PROD', false);
  try {
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error(warned.join(' | ') || 'setBackend returned false');
    await tf.ready();
  } finally {
    tf.env().set('PROD', true);
    console.warn = warn;
  }
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return `tfjs-wasm ${tf.version.tfjs} (${simd ? 'SIMD' : 'no SIMD'}, ${wasm.getThreadsCount()} thread)`;
}

let peersPromise: Promise<Peers> | null = null;

/** Loads every peer once and reports which are available (a failing peer is a note, not an error). */
export function ensurePeers(): Promise<Peers> {
  peersPromise ??= (async () => {
    const peers: Peers = { tf: null, backends: [], mlKmeans: false, notes: [] };
    const why = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];
    try {
      peers.tf = await loadTf();
      await useBackend(peers.tf, 'cpu');
      peers.backends.push('cpu');
      peers.notes.push(`tfjs-cpu ${peers.tf.version.tfjs}`);
    } catch (e) {
      peers.notes.push(`tfjs-cpu unavailable: ${why(e)}`);
    }
    if (peers.tf) {
      try {
        peers.notes.push(await initWasm(peers.tf));
        peers.backends.push('wasm');
      } catch (e) {
        peers.notes.push(`tfjs-wasm unavailable: ${why(e)}`);
      }
    }
    try {
      await import('ml-kmeans');
      peers.mlKmeans = true;
      peers.notes.push('ml-kmeans');
    } catch (e) {
      peers.notes.push(`ml-kmeans unavailable: ${why(e)}`);
    }
    return peers;
  })();
  return peersPromise;
}

/**
 * Measures one workload on every available tfjs backend. `setup(tf)` runs with that backend
 * active, creates the inputs and returns the call to time (returning the output tensor(s)).
 */
export async function benchTf(
  ctx: BenchContext,
  workload: string,
  setup: (tf: Tf) => () => TfTensor | TfTensor[],
  work: Work = {},
): Promise<BenchRecord[]> {
  const { tf, backends } = await ensurePeers();
  if (!tf) return [];
  const records: BenchRecord[] = [];
  for (const backend of backends) {
    await useBackend(tf, backend);
    tf.engine().startScope();
    try {
      const op = setup(tf);
      const ms = await ctx.measure(() => tf.dispose(tf.tidy(op)));
      records.push(makeRecord(workload, TF_IMPL[backend], 1, ms, work));
    } finally {
      tf.engine().endScope();
    }
  }
  return records;
}

/** tfjs float32 matmul of two random [n, n] matrices on every available backend (core and wasm suites). */
export function benchTfMatmul(
  ctx: BenchContext,
  workload: string,
  n: number,
  work: Work,
): Promise<BenchRecord[]> {
  return benchTf(
    ctx,
    workload,
    (tf) => {
      const [ta, tb] = [
        tf.randomNormal([n, n], 0, 1, 'float32', 1),
        tf.randomNormal([n, n], 0, 1, 'float32', 2),
      ];
      return () => tf.matMul(ta, tb);
    },
    work,
  );
}
