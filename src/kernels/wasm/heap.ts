// A heap over one runtime's linear memory, for two kinds of block:
//   scratch   a kernel call's staged operands and work space (Frame), freed when the next call
//             lays out its own frame (calls are synchronous and never nest);
//   resident  the storage of a large float tensor, a typed array that is a view of the memory
//             itself: kernels read and write it in place instead of copying it in and out.
//
// Why resident tensors: a wasm kernel over JavaScript arrays copies its operands into linear
// memory and its results out, one memcpy-speed pass over each (~0.17 ms per 4 MB here). That is
// 2% of a 1024^3 matmul on two threads, and a third of a softmax over 16 MB. A tensor whose
// storage already lives in the memory costs nothing to hand to a kernel.
//
// Resident storage needs a shared memory: growing a shared memory keeps every existing view
// valid, while growing an unshared one detaches its buffer and empties every view of it. So
// browsers without cross-origin isolation keep tensors in ordinary arrays.
//
// Blocks come in size classes, four per power of two (64, 80, 96, 112, 128, 160, ...), so no
// request is rounded up by more than 25%. Each class keeps a free list, and a block is only ever
// reused for its own class: tensors of a loop come back in the same sizes, and a free list makes
// reuse O(1). Every block has 64 bytes of slack past its end (kernels' 8-lane loads may overhang
// an operand's last row) and a 16-byte aligned start (v128 loads). The memory never shrinks.
//
// Lifetime of a resident block: dispose() (or tidy()) frees it at once, through the buffer
// accounting in src/tensor/memory.ts; a tensor never disposed frees it when the garbage
// collector finalises its typed array. Finalisers run only after a collection and between tasks,
// so a long synchronous loop that never disposes can leave many blocks waiting: live resident
// bytes are capped (setResidentLimit), and past the cap tensors get ordinary arrays again.

import type { FloatStorage } from '../../tensor/dtype.js';
import { HEAP_BASE, MAX_PAGES, type WasmRuntime } from './loader.js';

const PAGE = 65536;
/** Readable bytes every block keeps past the size asked for. */
const SLACK = 64;
const MIN_CLASS_BYTES = 64;

// Class c's size: 64 for c = 0, else 2^k + q 2^(k-2) with k = 6 + (c-1)/4 and q = 1 + (c-1)%4.
function classOf(bytes: number): number {
  if (bytes <= MIN_CLASS_BYTES) return 0;
  const k = 31 - Math.clz32(bytes - 1); // 2^k < bytes <= 2^(k+1)
  const q = Math.ceil((bytes - 2 ** k) / 2 ** (k - 2)); // 1..4
  return (k - 6) * 4 + q;
}

function classBytes(c: number): number {
  if (c === 0) return MIN_CLASS_BYTES;
  const k = 6 + ((c - 1) >> 2);
  return 2 ** k + (1 + ((c - 1) & 3)) * 2 ** (k - 2);
}

/** Block allocator over one runtime's memory (see the file comment). */
export class WasmHeap {
  private top = HEAP_BASE;
  private readonly free: number[][] = [];
  /** Class of every block handed out, by address. */
  private readonly live = new Map<number, number>();
  private scratch: number[] = [];
  /** Bytes of resident blocks handed out and not yet freed. */
  residentBytes = 0;
  /** Whether the last alloc() came from fresh memory (zero) rather than a free list. */
  private fresh = false;

  constructor(readonly rt: WasmRuntime) {}

  /** A block of at least `bytes` (+ slack); its address, or -1 past the 2 GiB cap or when the host refuses. */
  alloc(bytes: number): number {
    const c = classOf(bytes + SLACK);
    const list = this.free[c];
    if (list && list.length > 0) {
      const p = list.pop()!;
      this.live.set(p, c);
      this.fresh = false;
      return p;
    }
    const size = classBytes(c);
    const end = this.top + size;
    const pages = Math.ceil(end / PAGE);
    if (pages > MAX_PAGES) return -1;
    const have = this.rt.memory.buffer.byteLength / PAGE;
    try {
      if (pages > have) this.rt.memory.grow(pages - have);
    } catch {
      return -1;
    }
    const p = this.top;
    this.top = end;
    this.live.set(p, c);
    this.fresh = true;
    return p;
  }

  /** Returns the block at `ptr` to its class's free list; false when no block starts there. */
  release(ptr: number): boolean {
    const c = this.live.get(ptr);
    if (c === undefined) return false;
    this.live.delete(ptr);
    const list = this.free[c] ?? (this.free[c] = []);
    list.push(ptr);
    return true;
  }

  /** A scratch block for the current frame (freed by the next endFrame); -1 as alloc. */
  allocScratch(bytes: number): number {
    const p = this.alloc(bytes);
    if (p >= 0) this.scratch.push(p);
    return p;
  }

  /** Frees the previous frame's scratch blocks (Frame's constructor calls this). */
  endFrame(): void {
    for (const p of this.scratch) this.release(p);
    this.scratch = [];
  }

  /** A block of `bytes` for a resident array, zeroed unless `zero` is false; -1 as alloc. */
  allocResident(bytes: number, zero: boolean): number {
    const p = this.alloc(bytes);
    if (p < 0) return -1;
    this.residentBytes += bytes;
    if (zero && !this.fresh) this.rt.exports.zeroBytes(p, bytes); // TypedArray fill is slow on shared memory
    return p;
  }

  /** Frees a resident block of `bytes` at `ptr`. */
  releaseResident(ptr: number, bytes: number): void {
    if (this.release(ptr)) this.residentBytes -= bytes;
  }
}

const heaps = new WeakMap<WasmRuntime, WasmHeap>();

/** The heap over `rt`'s memory. */
export function heapOf(rt: WasmRuntime): WasmHeap {
  let h = heaps.get(rt);
  if (!h) heaps.set(rt, (h = new WasmHeap(rt)));
  return h;
}

// ---- resident arrays ----

interface Block {
  heap: WasmHeap;
  ptr: number;
  bytes: number;
}

// The block under each resident array. A WeakMap on the array object, not on its buffer: every
// resident array shares the one memory's buffer, and that buffer object changes on each grow.
const blocks = new WeakMap<FloatStorage, Block>();
// Frees the block of an array the garbage collector reclaimed without a dispose(). The held
// value must not reference the array; the array itself is the unregister token.
const finaliser = new FinalizationRegistry<Block>((b) => b.heap.releaseResident(b.ptr, b.bytes));

/** An array of n floats (zeroed unless `zero` is false) that is a view of `rt`'s shared memory; null when not shared, over `limit` live bytes, or the memory is full. */
export function residentArray(
  rt: WasmRuntime,
  dtype: 'float32' | 'float64',
  n: number,
  limit: number,
  zero: boolean,
): FloatStorage | null {
  if (!rt.shared) return null;
  const heap = heapOf(rt);
  const bytes = n * (dtype === 'float64' ? 8 : 4);
  if (heap.residentBytes + bytes > limit) return null;
  const ptr = heap.allocResident(bytes, zero);
  if (ptr < 0) return null;
  const buf = rt.memory.buffer;
  const data = dtype === 'float64' ? new Float64Array(buf, ptr, n) : new Float32Array(buf, ptr, n);
  const block = { heap, ptr, bytes };
  blocks.set(data, block);
  finaliser.register(data, block, data);
  return data;
}

/** Frees the block under a resident array now (its last tensor was disposed); false when `data` is not resident. */
export function releaseResidentArray(data: FloatStorage): boolean {
  const b = blocks.get(data);
  if (!b) return false;
  blocks.delete(data);
  finaliser.unregister(data);
  b.heap.releaseResident(b.ptr, b.bytes);
  return true;
}

/** data[start, end) = value through wasm when `data` is resident (TypedArray fill is element by element on shared memory); false otherwise. */
export function fillResident(data: FloatStorage, value: number, start: number, end: number): boolean {
  const b = blocks.get(data);
  if (!b) return false;
  const n = end - start;
  if (n <= 0) return true;
  const p = b.ptr + start * data.BYTES_PER_ELEMENT;
  if (data instanceof Float32Array) b.heap.rt.exports.fillF32(p, n, value);
  else b.heap.rt.exports.fillF64(p, n, value);
  return true;
}

/** Byte address of data[0] when `data` is resident in `rt`'s memory, else -1. */
export function residentAddress(rt: WasmRuntime, data: ArrayBufferView): number {
  const b = blocks.get(data as FloatStorage);
  return b && b.heap.rt === rt ? b.ptr : -1;
}

/** Live resident bytes in `rt`'s memory. */
export function residentBytes(rt: WasmRuntime | null): number {
  return rt ? (heaps.get(rt)?.residentBytes ?? 0) : 0;
}
