// Explicit memory management for large tensors: a pool of recycled buffers, and tidy() scopes
// that dispose every tensor created inside them (as tf.tidy; PyTorch gets the same effect from
// reference counting, which JavaScript does not expose).
//
// Why: every op returns a new tensor, and a fresh large ArrayBuffer is expensive to write the
// first time. Its pages come from the OS and are mapped on first touch; on the 2-core VM this
// project is measured on that costs about 12 us per 4 KiB page (a new 4 MB result takes ~12 ms
// to fill, a reused one ~0.1 ms), which is as long as a 1024x1024 matmul's arithmetic. The
// garbage collector frees buffers late and glibc hands their pages back to the OS, so a loop
// of large ops pays that price on every call. Disposed tensors give their buffers back here
// instead, and allocate() hands them out again (zeroed) for the next tensor of the same size.
//
// Safety: a buffer is recycled only when every tensor over it has been disposed (views share
// storage: reshape, detach, ...), and only buffers allocate() created are recycled, never an
// array a user wrapped. Reading a disposed tensor throws. A typed array taken from `.data` and
// kept after its tensor is disposed is the one thing this cannot see: keep the tensor instead.
// Tensors nobody disposes are simply garbage-collected as before; nothing here is required.

import type { FloatStorage, Storage } from './dtype.js';
import type { Tensor } from './tensor.js';

/** Buffers this large or larger are recycled (smaller ones are cheap to allocate fresh). */
export const POOL_MIN_BYTES = 1 << 16;

// The live tensors over each buffer allocate() created (keyed by the ArrayBuffer), or over each
// resident array (keyed by the array: they all share the WebAssembly memory's buffer). A buffer
// goes to `free`, a resident array's block back to its heap, when its count returns to zero
// through dispose().
const owners = new WeakMap<object, number>();
// Recycled buffers by byte length: tensors of a loop come back in the same sizes.
const free = new Map<number, ArrayBuffer[]>();
let freeBytes = 0;
let poolLimit = 512 * 1024 * 1024;
let reuses = 0;

// ---- resident storage ----

/** Storage for large float tensors inside WebAssembly memory (src/kernels/wasm/heap.ts). */
export interface ResidentStore {
  /** An array of n floats (zeroed unless `zero` is false) in the active runtime's memory; null when not possible or over `limit` live bytes. */
  alloc(dtype: 'float32' | 'float64', n: number, limit: number, zero: boolean): FloatStorage | null;
  /** Frees the block under `data` now. */
  free(data: FloatStorage): void;
  /** data[start, end) = value when `data` is resident; false when it is not. */
  fill(data: FloatStorage, value: number, start: number, end: number): boolean;
  /** Live resident bytes in the active runtime's memory. */
  bytes(): number;
}
let store: ResidentStore | null = null;
let residentLimit = 256 * 1024 * 1024;

/** Installs the resident store (the kernel backend does, at load). */
export function setResidentStore(s: ResidentStore | null): void {
  store = s;
}

/** An array of n floats (zeroed unless `zero` is false) resident in WebAssembly memory, or null (the caller allocates an ordinary one). */
export function takeResident(dtype: 'float32' | 'float64', n: number, zero: boolean): FloatStorage | null {
  if (!store || residentLimit === 0) return null;
  const data = store.alloc(dtype, n, residentLimit, zero);
  if (data) owners.set(data, 0);
  return data;
}

/**
 * data[start, end) = value, as TypedArray fill. Use it on tensor storage: fill on a resident
 * array (a view of shared WebAssembly memory) goes element by element in V8, ~5x slower.
 */
export function fillStorage<T extends Storage>(data: T, value: number, start = 0, end = data.length): T {
  // only large float arrays can be resident; the store declines the others
  if (store && data.byteLength >= POOL_MIN_BYTES && store.fill(data as FloatStorage, value, start, end))
    return data;
  data.fill(value, start, end);
  return data;
}

/**
 * Caps the bytes of tensor storage kept inside WebAssembly memory (default 256 MiB), where wasm
 * kernels use it without copies; past the cap tensors get ordinary arrays. 0 turns it off.
 */
export function setResidentLimit(bytes: number): void {
  if (!(bytes >= 0)) throw new RangeError(`setResidentLimit: expected bytes >= 0, got ${bytes}`);
  residentLimit = bytes;
}

/** A buffer of `bytes` (>= POOL_MIN_BYTES), zeroed unless `zero` is false: a recycled one when the pool has that size. */
export function takeBuffer(bytes: number, zero = true): ArrayBuffer {
  const list = free.get(bytes);
  let buf = list?.pop();
  if (buf) {
    freeBytes -= bytes;
    reuses++;
    if (zero) new Uint8Array(buf).fill(0);
  } else {
    buf = new ArrayBuffer(bytes);
  }
  owners.set(buf, 0);
  return buf;
}

/** Counts a new tensor over `data` (the Tensor constructor calls this). */
export function retainStorage(data: ArrayBufferView): void {
  if (data.byteLength < POOL_MIN_BYTES) return;
  const key = owners.has(data) ? data : data.buffer;
  const n = owners.get(key);
  if (n !== undefined) owners.set(key, n + 1);
}

/** Uncounts a disposed tensor over `data`; the last one returns the buffer to the pool. */
export function releaseStorage(data: ArrayBufferView): void {
  if (data.byteLength < POOL_MIN_BYTES) return;
  const mine = owners.get(data);
  if (mine !== undefined) {
    if (mine > 1) owners.set(data, mine - 1);
    else {
      owners.delete(data);
      store?.free(data as FloatStorage);
    }
    return;
  }
  const buf = data.buffer;
  const n = owners.get(buf);
  if (n === undefined) return;
  if (n > 1) {
    owners.set(buf, n - 1);
    return;
  }
  owners.delete(buf);
  const bytes = buf.byteLength;
  if (freeBytes + bytes > poolLimit) return; // left to the GC
  if (isShared(buf)) return; // so is a shared buffer
  let list = free.get(bytes);
  if (!list) free.set(bytes, (list = []));
  list.push(buf);
  freeBytes += bytes;
}

// SharedArrayBuffer itself is undefined on a browser page that is not cross-origin isolated.
function isShared(buf: ArrayBufferLike): buf is SharedArrayBuffer {
  return typeof SharedArrayBuffer !== 'undefined' && buf instanceof SharedArrayBuffer;
}

export interface MemoryInfo {
  /** Bytes held in the pool, ready for reuse. */
  pooledBytes: number;
  /** The most bytes the pool holds (setMemoryPoolLimit). */
  poolLimit: number;
  /** Allocations served from the pool so far. */
  reuses: number;
  /** Nesting depth of tidy() scopes now open. */
  scopes: number;
  /** Bytes of live tensor storage inside WebAssembly memory. */
  residentBytes: number;
  /** The most bytes of tensor storage kept inside WebAssembly memory (setResidentLimit). */
  residentLimit: number;
}

/** The pool's state (like tf.memory()). */
export function memoryInfo(): MemoryInfo {
  return {
    pooledBytes: freeBytes,
    poolLimit,
    reuses,
    scopes: scopes.length,
    residentBytes: store?.bytes() ?? 0,
    residentLimit,
  };
}

/** Caps the bytes the pool keeps (default 512 MiB); 0 turns recycling off. Drops what is over. */
export function setMemoryPoolLimit(bytes: number): void {
  if (!(bytes >= 0)) throw new RangeError(`setMemoryPoolLimit: expected bytes >= 0, got ${bytes}`);
  poolLimit = bytes;
  if (freeBytes > poolLimit) emptyMemoryPool();
}

/** Lets the garbage collector have every pooled buffer (like torch.cuda.empty_cache). */
export function emptyMemoryPool(): void {
  free.clear();
  freeBytes = 0;
}

// ---- tidy scopes ----

// Each open scope lists the tensors created while it is the innermost one.
const scopes: Tensor[][] = [];

/** Records a new tensor in the innermost open scope (the Tensor constructor calls this). */
export function trackTensor(t: Tensor): void {
  const n = scopes.length;
  if (n > 0) scopes[n - 1].push(t);
}

/** Excludes `t` from every tidy() scope: it lives until disposed or collected. Returns `t`. */
export function keep<T extends Tensor>(t: T): T {
  // a field, not a WeakSet: the engine keeps every new .grad, and a WeakSet insertion per
  // training step cost ~12% of a California-housing SGD epoch
  t.kept = true;
  return t;
}

/**
 * Runs `fn` and disposes every tensor it created, except those it returns (a tensor, or
 * arrays and plain objects holding tensors) and those passed to keep(). Returned tensors
 * belong to the enclosing scope, if any. Gradients the backward pass stores in `.grad`,
 * parameters (requiresGrad_ leaves) and module buffers are kept automatically. `fn` must be
 * synchronous. Backpropagate inside the scope: the graph's saved tensors are disposed with it.
 */
export function tidy<T>(fn: () => T): T {
  const mine: Tensor[] = [];
  scopes.push(mine);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    disposeAll(mine, new Set());
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    disposeAll(mine, new Set());
    throw new TypeError(
      'tidy: the function returned a Promise; tidy scopes are synchronous (await outside them)',
    );
  }
  const escaping = new Set<unknown>();
  collect(result, escaping, 0);
  disposeAll(mine, escaping);
  const parent = scopes[scopes.length - 1];
  if (parent) for (const t of mine) if (escaping.has(t) && !t.kept) parent.push(t);
  return result;
}

function disposeAll(list: readonly Tensor[], escaping: Set<unknown>): void {
  for (const t of list) if (!escaping.has(t) && !t.kept) t.dispose();
}

// Every object reachable from `x` through arrays and plain objects (tensors are leaves here).
function collect(x: unknown, into: Set<unknown>, depth: number): void {
  if (x === null || typeof x !== 'object' || into.has(x) || depth > 64) return;
  into.add(x);
  if (Array.isArray(x)) {
    for (const v of x) collect(v, into, depth + 1);
    return;
  }
  const proto = Object.getPrototypeOf(x);
  if (proto === Object.prototype || proto === null) {
    for (const v of Object.values(x)) collect(v, into, depth + 1);
  }
}

/** Disposes every tensor in `x` (a tensor, or arrays and plain objects holding tensors). */
export function dispose(x: unknown): void {
  const all = new Set<unknown>();
  collect(x, all, 0);
  for (const v of all) {
    if (
      v !== null &&
      typeof v === 'object' &&
      'dispose' in v &&
      typeof v.dispose === 'function' &&
      'isDisposed' in v
    )
      (v as Tensor).dispose();
  }
}
