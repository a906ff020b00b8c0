// Wasm memory for one kernel call. Nothing lives in linear memory between calls (but one pinned
// operand, below): each call lays out its operands and scratch from HEAP_BASE up (a bump
// allocator), grows the memory if needed (it never shrinks: the next call of the same size
// reuses it), copies the inputs in, runs, and copies the outputs out. The copies are one memcpy-speed pass over the operands:
// small against GEMM's n^3 work, and cheaper than the TypeScript row loops they replace, but
// not free, which is why small problems stay in TypeScript (thresholds in the wrappers).

import type { FloatStorage, Storage } from '../../tensor/dtype.js';
import { HEAP_BASE, MAX_PAGES, type WasmRuntime } from './loader.js';

const PAGE = 65536;

/** The element types kernels exchange with wasm memory (Uint8Array: boolean masks). */
export type Numbers = FloatStorage | Int32Array | Uint8Array;

// One operand may stay resident between calls (pinned): a kernel that is called again and again
// on the same large input (k-means' points, once per iteration) copies it once. It sits at
// HEAP_BASE and every frame starts above it; pinning another operand replaces it.
interface Pinned {
  rt: WasmRuntime;
  owner: object;
  data: Numbers;
  bytes: number;
}
let pinned: Pinned | null = null;
let base = HEAP_BASE;

/**
 * The address of `data` kept resident in wasm memory on behalf of `owner`: copied in on the
 * first call (or when owner, data or runtime changed), reused as is afterwards. The caller
 * guarantees `data` does not change while it pins it with the same owner. Null when the memory
 * cannot grow. Call before creating the call's Frame (frames start above the pinned operand).
 */
export function pin(rt: WasmRuntime, owner: object, data: Numbers): number | null {
  const bytes = data.byteLength;
  if (pinned && pinned.rt === rt && pinned.owner === owner && pinned.data === data && pinned.bytes === bytes)
    return HEAP_BASE;
  pinned = null;
  base = HEAP_BASE;
  const f = new Frame(rt);
  const ptr = f.alloc(bytes);
  if (!f.commit()) return null;
  f.put(data, 0, data.length, ptr);
  pinned = { rt, owner, data, bytes };
  base = HEAP_BASE + Math.ceil(bytes / 16) * 16;
  return ptr;
}

/** One call's layout over the runtime's memory. */
export class Frame {
  private top = base;
  private buffer: ArrayBufferLike | null = null;

  constructor(readonly rt: WasmRuntime) {}

  /** Reserves `bytes` (16-byte aligned, so v128 loads of packed panels are aligned). */
  alloc(bytes: number): number {
    const p = this.top;
    this.top += Math.ceil(bytes / 16) * 16;
    return p;
  }

  /** Grows the memory to hold every allocation; false past the 2 GiB cap or when refused. */
  commit(): boolean {
    const pages = Math.ceil(this.top / PAGE);
    if (pages > MAX_PAGES) return false;
    const have = this.rt.memory.buffer.byteLength / PAGE;
    try {
      if (pages > have) this.rt.memory.grow(pages - have);
    } catch {
      return false; // the host refused the memory: the caller runs in TypeScript
    }
    this.buffer = this.rt.memory.buffer;
    return true;
  }

  /** A view of `len` elements at byte address `ptr`, typed like `like`. Call after commit(). */
  view<T extends Numbers>(like: T, ptr: number, len: number): T {
    const buf = this.buffer!;
    if (like instanceof Float32Array) return new Float32Array(buf, ptr, len) as T;
    if (like instanceof Int32Array) return new Int32Array(buf, ptr, len) as T;
    if (like instanceof Uint8Array) return new Uint8Array(buf, ptr, len) as T;
    return new Float64Array(buf, ptr, len) as T;
  }

  /** Copies src[off, off + len) to `ptr`. */
  put(src: Numbers, off: number, len: number, ptr: number): void {
    this.view(src, ptr, len).set(src.subarray(off, off + len));
  }

  /** Copies `len` elements at `ptr` into dst[off, off + len). */
  get(dst: Numbers, off: number, len: number, ptr: number): void {
    dst.set(this.view(dst, ptr, len), off);
  }
}

/** 'F32' or 'F64' when every array given is that float storage (nulls skipped), else null. */
export function floatKind(...xs: (Storage | null)[]): 'F32' | 'F64' | null {
  let f32 = true;
  let f64 = true;
  for (const x of xs) {
    if (x === null) continue;
    f32 &&= x instanceof Float32Array;
    f64 &&= x instanceof Float64Array;
  }
  return f32 ? 'F32' : f64 ? 'F64' : null;
}
