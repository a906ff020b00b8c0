// dtypes and their storage. bool is stored as 0/1 bytes.

import { DTypeError } from '../errors.js';
import { POOL_MIN_BYTES, takeBuffer, takeResident } from './memory.js';

export type DType = 'float32' | 'float64' | 'int32' | 'bool';
export type FloatDType = 'float32' | 'float64';
export type Storage = Float32Array | Float64Array | Int32Array | Uint8Array;
export type FloatStorage = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['bool', 'int32', 'float32', 'float64'];

// Small arrays are carved from shared slabs. V8 keeps a typed array of up to 64 bytes on its
// own heap, but gives every larger one a separately allocated, externally tracked backing
// store: about 1 us to create and as much again to collect (measured here, against 0.08 us
// for a view into an existing buffer). Minibatch training allocates thousands of 64-row
// tensors a second, so that cost was a quarter of its time. Every slab region is handed out
// once, so it is zero like a fresh array. The price: a live view keeps its whole slab alive,
// so slabs are small (SLAB_BYTES) and only arrays up to SLAB_MAX bytes come from them.
const IN_HEAP_BYTES = 64;
const SLAB_MAX = 4096;
const SLAB_BYTES = 32768;
let slab = new ArrayBuffer(0); // the first carve starts a real one
let slabOff = SLAB_BYTES;

/** Byte offset of a fresh zeroed region of `bytes` (8-aligned) in `slab`, starting a new slab when full. */
function carve(bytes: number): number {
  if (slabOff + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabOff = 0;
  }
  const at = slabOff;
  slabOff += (bytes + 7) & ~7;
  return at;
}

/** A new zero-filled array of the dtype's storage type. */
export function allocate(dtype: 'float32', n: number): Float32Array;
export function allocate(dtype: 'float64', n: number): Float64Array;
export function allocate(dtype: 'int32', n: number): Int32Array;
export function allocate(dtype: 'bool', n: number): Uint8Array;
export function allocate(dtype: DType, n: number): Storage;
export function allocate(dtype: DType, n: number): Storage {
  return allocateStorage(dtype, n, true);
}

/**
 * A new array whose contents are unspecified, for a kernel that writes every element before
 * anything reads it: a large one skips the zeroing of a recycled block (0.2 ms per 16 MB).
 */
export function allocateUninit(dtype: DType, n: number): Storage {
  return allocateStorage(dtype, n, false);
}

function allocateStorage(dtype: DType, n: number, zero: boolean): Storage {
  const bytes = dtype === 'float64' ? n * 8 : dtype === 'bool' ? n : n * 4;
  // large float arrays live in WebAssembly memory when they can (kernels use them in place);
  // other large arrays may reuse the buffer of a disposed tensor (memory.ts)
  if (bytes >= POOL_MIN_BYTES) {
    if (dtype === 'float32' || dtype === 'float64') {
      const data = takeResident(dtype, n, zero);
      if (data) return data;
    }
    return viewOf(dtype, takeBuffer(bytes, zero), 0, n);
  }
  if (bytes <= IN_HEAP_BYTES || bytes > SLAB_MAX) {
    switch (dtype) {
      case 'float32':
        return new Float32Array(n);
      case 'float64':
        return new Float64Array(n);
      case 'int32':
        return new Int32Array(n);
      case 'bool':
        return new Uint8Array(n);
    }
  }
  const at = carve(bytes); // before reading `slab`: carving may start a new one
  return viewOf(dtype, slab, at, n);
}

function viewOf(dtype: DType, buf: ArrayBuffer, at: number, n: number): Storage {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buf, at, n);
    case 'float64':
      return new Float64Array(buf, at, n);
    case 'int32':
      return new Int32Array(buf, at, n);
    case 'bool':
      return new Uint8Array(buf, at, n);
  }
}

/** The dtype whose storage `arr` is. */
export function dtypeOf(arr: Storage): DType {
  if (arr instanceof Float32Array) return 'float32';
  if (arr instanceof Float64Array) return 'float64';
  if (arr instanceof Int32Array) return 'int32';
  return 'bool';
}

export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float64';
}

/** Type promotion as torch: bool < int32 < float32 < float64. */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a; // the common case, before the rank lookups
  return DTYPES.indexOf(a) >= DTYPES.indexOf(b) ? a : b;
}

/** The dtype a plain JS number takes next to a tensor of `dtype` (torch's "wrapped number" rule). */
export function promoteScalar(dtype: DType, value: number | boolean): DType {
  if (typeof value === 'boolean') return dtype;
  if (Number.isInteger(value)) return dtype === 'bool' ? 'int32' : dtype;
  return isFloat(dtype) ? dtype : 'float32';
}

/** Rejects non-float tensors for ops that only make sense on floats. */
export function assertFloat(op: string, dtype: DType): asserts dtype is FloatDType {
  if (!isFloat(dtype)) throw new DTypeError(`${op}: expected a float32 or float64 tensor, got ${dtype}`);
}

export function checkDType(op: string, dtype: unknown): DType {
  if (dtype === 'float32' || dtype === 'float64' || dtype === 'int32' || dtype === 'bool') return dtype;
  throw new DTypeError(`${op}: unknown dtype ${String(dtype)} (expected float32, float64, int32 or bool)`);
}
