// Creating tensors: from nested arrays or typed arrays, constants, ranges, and random
// tensors (every random creator takes a seed or a Generator).

import { ArgumentError, fmtShape, ShapeError } from '../errors.js';
import { type Generator, type RandomSource, toGenerator } from '../random.js';
import { allocate, assertFloat, checkDType, type DType, dtypeOf, type Storage } from './dtype.js';
import { fillStorage } from './memory.js';
import { checkShape, numel, type Shape } from './shape.js';
import { type NestedArray, Tensor } from './tensor.js';

export interface CreateOptions {
  /** Element type (default float32, or the typed array's own type). */
  dtype?: DType;
  /** Shape for flat data (default: inferred from nesting, or 1-D for typed arrays). */
  shape?: Shape;
  /** Make the result a leaf that requires grad. */
  requiresGrad?: boolean;
}

export interface RandomOptions extends CreateOptions {
  /** A seed or a Generator; omitted means the global generator (see manualSeed). */
  generator?: RandomSource;
}

// bool storage holds only 0 and 1: any non-zero value (NaN included) is true, as torch
const asBool = (v: number): number => (v !== 0 ? 1 : 0);

function finish(data: Storage, shape: Shape, requiresGrad?: boolean): Tensor {
  const t = new Tensor(data, shape);
  if (requiresGrad) t.requiresGrad_(true);
  return t;
}

function inferShape(v: NestedArray | ArrayLike<number>, shape: number[] = []): number[] {
  if (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length > 0) inferShape(v[0] as NestedArray, shape);
  } else if (ArrayBuffer.isView(v)) shape.push((v as ArrayLike<number>).length);
  return shape;
}

/** A tensor from nested arrays, a flat array or a typed array (copied), e.g. tensor([[1, 2], [3, 4]]). */
export function tensor(values: NestedArray | ArrayLike<number> | Storage, opts: CreateOptions = {}): Tensor {
  const isTyped = ArrayBuffer.isView(values);
  const dtype =
    opts.dtype !== undefined
      ? checkDType('tensor', opts.dtype)
      : isTyped
        ? dtypeOf(values as Storage)
        : inferDType(values);
  const inferred = opts.shape === undefined ? inferShape(values as NestedArray) : null;
  const flat: number[] = [];
  if (isTyped) {
    const src = values as Storage;
    const out = allocate(dtype, src.length);
    if (dtype === 'bool') for (let i = 0; i < src.length; i++) out[i] = asBool(src[i]);
    else out.set(src);
    const shape = opts.shape ?? [src.length];
    checkSize('tensor', out.length, shape);
    return finish(out, shape, opts.requiresGrad);
  }
  const walk = (v: NestedArray, d: number) => {
    if (Array.isArray(v)) {
      if (inferred && d >= inferred.length) {
        throw new ShapeError(`tensor: ragged nested array (an array at depth ${d}, expected a number)`);
      }
      if (inferred && v.length !== inferred[d]) {
        throw new ShapeError(
          `tensor: ragged nested array (dim ${d} has lengths ${inferred[d]} and ${v.length})`,
        );
      }
      for (const e of v) walk(e, d + 1);
    } else {
      if (inferred && d !== inferred.length)
        throw new ShapeError(
          `tensor: ragged nested array (a scalar at depth ${d}, expected ${inferred.length})`,
        );
      flat.push(typeof v === 'boolean' ? Number(v) : v);
    }
  };
  walk(values as NestedArray, 0);
  const shape = opts.shape ?? inferred ?? [];
  checkSize('tensor', flat.length, shape);
  const out = allocate(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) out[i] = dtype === 'bool' ? asBool(flat[i]) : flat[i];
  return finish(out, shape, opts.requiresGrad);
}

function inferDType(v: unknown): DType {
  let sawBool = false;
  let sawNumber = false;
  const visit = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(visit);
    else if (typeof x === 'boolean') sawBool = true;
    else if (typeof x === 'number') sawNumber = true;
    else throw new ArgumentError(`tensor: expected numbers, booleans or nested arrays, got ${typeof x}`);
  };
  visit(v);
  return sawBool && !sawNumber ? 'bool' : 'float32';
}

function checkSize(op: string, n: number, shape: Shape): void {
  checkShape(op, shape);
  if (numel(shape) !== n)
    throw new ShapeError(`${op}: ${n} values do not fill shape ${fmtShape(shape)} (${numel(shape)})`);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number, opts: CreateOptions = {}): Tensor {
  checkShape('full', shape);
  const dtype = checkDType('full', opts.dtype ?? 'float32');
  const data = allocate(dtype, numel(shape));
  fillStorage(data, dtype === 'bool' ? asBool(value) : value);
  return finish(data, shape, opts.requiresGrad);
}

/** Zeros of `shape`. */
export function zeros(shape: Shape, opts: CreateOptions = {}): Tensor {
  return full(shape, 0, opts);
}

/** Ones of `shape`. */
export function ones(shape: Shape, opts: CreateOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/** start, start+step, ... below end (int32 when all three are integers, else float32). */
export function arange(start: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  if (!Number.isFinite(start) || !Number.isFinite(end)) {
    throw new ArgumentError(`arange: start and end must be finite numbers, got ${start} and ${end}`);
  }
  if (step === 0 || !Number.isFinite(step))
    throw new ArgumentError(`arange: step must be finite and non-zero, got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = checkDType(
    'arange',
    opts.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : 'float32'),
  );
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return finish(data, [n], opts.requiresGrad);
}

/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    throw new ArgumentError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const data = allocate(checkDType('linspace', opts.dtype ?? 'float32'), steps);
  const h = steps > 1 ? (end - start) / (steps - 1) : 0;
  // the upper half counts down from `end` so both endpoints are exact, as torch does
  for (let i = 0; i < steps; i++) data[i] = i < steps / 2 ? start + i * h : end - (steps - 1 - i) * h;
  return finish(data, [steps], opts.requiresGrad);
}

/** The n x m identity (m defaults to n). */
export function eye(n: number, m = n, opts: CreateOptions = {}): Tensor {
  checkShape('eye', [n, m]);
  const data = allocate(checkDType('eye', opts.dtype ?? 'float32'), n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return finish(data, [n, m], opts.requiresGrad);
}

function randomFill(op: string, shape: Shape, opts: RandomOptions, draw: (g: Generator) => number): Tensor {
  checkShape(op, shape);
  const g = toGenerator(opts.generator);
  const dtype = checkDType(op, opts.dtype ?? 'float32');
  if (op !== 'randint') assertFloat(op, dtype); // uniform or normal values in an int tensor would be truncated
  const data = allocate(dtype, numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(g);
  return finish(data, shape, opts.requiresGrad);
}

/** Uniform [0, 1) values. */
export function rand(shape: Shape, opts: RandomOptions = {}): Tensor {
  return randomFill('rand', shape, opts, (g) => g.random());
}

/** Standard normal values. */
export function randn(shape: Shape, opts: RandomOptions = {}): Tensor {
  return randomFill('randn', shape, opts, (g) => g.normal());
}

/** Uniform integers in [low, high) (int32 unless a dtype is given). */
export function randint(low: number, high: number, shape: Shape, opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new ArgumentError(`randint: need integers low < high, got [${low}, ${high})`);
  }
  return randomFill('randint', shape, { ...opts, dtype: opts.dtype ?? 'int32' }, (g) => g.randint(low, high));
}

const likeOpts = <T extends CreateOptions>(t: Tensor, opts: T): T => ({
  dtype: t.dtype,
  ...opts,
  shape: undefined,
});

/** Zeros shaped like t. */
export const zerosLike = (t: Tensor, opts: CreateOptions = {}) => zeros(t.shape, likeOpts(t, opts));
/** Ones shaped like t. */
export const onesLike = (t: Tensor, opts: CreateOptions = {}) => ones(t.shape, likeOpts(t, opts));
/** `value` shaped like t. */
export const fullLike = (t: Tensor, value: number, opts: CreateOptions = {}) =>
  full(t.shape, value, likeOpts(t, opts));
/** Uniform [0, 1) shaped like t. */
export const randLike = (t: Tensor, opts: RandomOptions = {}) => rand(t.shape, likeOpts(t, opts));
/** Standard normal shaped like t. */
export const randnLike = (t: Tensor, opts: RandomOptions = {}) => randn(t.shape, likeOpts(t, opts));
/** Integers in [low, high) shaped like t. */
export const randintLike = (t: Tensor, low: number, high: number, opts: RandomOptions = {}) =>
  randint(low, high, t.shape, { ...opts, dtype: opts.dtype ?? 'int32' });
