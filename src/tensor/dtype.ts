// dtypes and their storage. bool is stored as 0/1 bytes.

import { DTypeError } from '../errors.js';

export type DType = 'float32' | 'float64' | 'int32' | 'bool';
export type FloatDType = 'float32' | 'float64';
export type Storage = Float32Array | Float64Array | Int32Array | Uint8Array;
export type FloatStorage = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['bool', 'int32', 'float32', 'float64'];

/** A new zero-filled array of the dtype's storage type. */
export function allocate(dtype: DType, n: number): Storage {
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
