// Wasm memory for one kernel call. A wrapper lays out the call's operands and scratch space,
// commits (which copies the inputs in), runs the kernel, and finishes (which copies the outputs
// out). Operands whose arrays are resident in the memory (tensor storage, see heap.ts) are used
// in place: no block, no copy. The others are staged in scratch blocks of the runtime's heap,
// which the next frame frees: calls are synchronous and never nest, so by then nothing reads them.
// The copies are one memcpy-speed pass over the operands: small against GEMM's n^3 work, but not
// free, which is why small problems stay in TypeScript (thresholds in the wrappers).

import type { FloatStorage, Storage } from '../../tensor/dtype.js';
import { heapOf, residentAddress, type WasmHeap } from './heap.js';
import type { WasmRuntime } from './loader.js';

/** The element types kernels exchange with wasm memory (Uint8Array: boolean masks). */
export type Numbers = FloatStorage | Int32Array | Uint8Array;

// One operand may stay in the memory between calls (pinned): a kernel that is called again and
// again on the same large input (k-means' points, once per iteration) copies it once. Pinning
// another operand replaces it.
interface Pinned {
  heap: WasmHeap;
  owner: object;
  data: Numbers;
  bytes: number;
  ptr: number;
}
let pinned: Pinned | null = null;

/**
 * The address of `data` kept in wasm memory on behalf of `owner`: its own address when it is
 * resident, else copied in on the first call (or when owner, data or runtime changed) and reused
 * as is afterwards. The caller guarantees `data` does not change while it pins it with the same
 * owner. Null when the memory cannot grow.
 */
export function pin(rt: WasmRuntime, owner: object, data: Numbers): number | null {
  const at = residentAddress(rt, data);
  if (at >= 0) return at;
  const heap = heapOf(rt);
  const bytes = data.byteLength;
  const p = pinned;
  if (p && p.heap === heap && p.owner === owner && p.data === data && p.bytes === bytes) return p.ptr;
  if (p) p.heap.release(p.ptr);
  pinned = null;
  const ptr = heap.alloc(bytes);
  if (ptr < 0) return null;
  viewOf(rt.memory.buffer, data, ptr, data.length).set(data);
  pinned = { heap, owner, data, bytes, ptr };
  return ptr;
}

function viewOf<T extends Numbers>(buf: ArrayBufferLike, like: T, ptr: number, len: number): T {
  if (like instanceof Float32Array) return new Float32Array(buf, ptr, len) as T;
  if (like instanceof Int32Array) return new Int32Array(buf, ptr, len) as T;
  if (like instanceof Uint8Array) return new Uint8Array(buf, ptr, len) as T;
  return new Float64Array(buf, ptr, len) as T;
}

type Copy = [data: Numbers, off: number, len: number, ptr: number];

/** One call's layout over the runtime's memory. */
export class Frame {
  private readonly heap: WasmHeap;
  private ok = true;
  private buffer: ArrayBufferLike | null = null;
  private readonly ins: Copy[] = [];
  private readonly outs: Copy[] = [];

  constructor(readonly rt: WasmRuntime) {
    this.heap = heapOf(rt);
    this.heap.endFrame();
  }

  /** Reserves `bytes` of scratch (16-byte aligned, so v128 loads of packed panels are aligned). */
  alloc(bytes: number): number {
    const p = this.heap.allocScratch(bytes);
    if (p >= 0) return p;
    this.ok = false; // commit() says so
    return 0;
  }

  /**
   * Address of data[off] for the kernel to read `len` elements from: in place when `data` is
   * resident, else a scratch copy that commit() fills. 64 bytes past the end are readable.
   */
  input(data: Numbers, off: number, len: number): number {
    return this.place(data, off, len, true, false);
  }

  /** Address for the kernel to write data[off, off + len): in place when resident, else a scratch block finish() copies out. */
  output(data: Numbers, off: number, len: number): number {
    return this.place(data, off, len, false, true);
  }

  /** An operand the kernel reads and then overwrites (C += A B): copied in and out unless resident. */
  inout(data: Numbers, off: number, len: number): number {
    return this.place(data, off, len, true, true);
  }

  private place(data: Numbers, off: number, len: number, copyIn: boolean, copyOut: boolean): number {
    const at = residentAddress(this.rt, data);
    if (at >= 0) return at + off * data.BYTES_PER_ELEMENT;
    const copy: Copy = [data, off, len, this.alloc(len * data.BYTES_PER_ELEMENT)];
    if (copyIn) this.ins.push(copy);
    if (copyOut) this.outs.push(copy);
    return copy[3];
  }

  /** Whether `data` is used in place (resident in this runtime's memory). */
  resident(data: Numbers): boolean {
    return residentAddress(this.rt, data) >= 0;
  }

  /** Copies the inputs in; false when the memory could not hold the frame (the caller runs TypeScript). */
  commit(): boolean {
    if (!this.ok) return false;
    this.buffer = this.rt.memory.buffer;
    for (const [data, off, len, ptr] of this.ins) this.put(data, off, len, ptr);
    return true;
  }

  /** Copies the outputs out (call after the kernels ran). */
  finish(): void {
    for (const [data, off, len, ptr] of this.outs) this.get(data, off, len, ptr);
  }

  /** A view of `len` elements at byte address `ptr`, typed like `like`. Call after commit(). */
  view<T extends Numbers>(like: T, ptr: number, len: number): T {
    return viewOf(this.buffer!, like, ptr, len);
  }

  /** Copies src[off, off + len) to `ptr`. */
  private put(src: Numbers, off: number, len: number, ptr: number): void {
    this.view(src, ptr, len).set(src.subarray(off, off + len));
  }

  /** Copies `len` elements at `ptr` into dst[off, off + len). */
  private get(dst: Numbers, off: number, len: number, ptr: number): void {
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
