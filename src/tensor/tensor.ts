// The Tensor: contiguous row-major storage in a typed array, a readonly shape, a dtype, and
// the autograd fields. Every method is a thin call into src/ops, where each op's forward and
// backward live side by side; the class only gives them PyTorch's method syntax.

import { type BackwardOptions, type GradNode, runBackward } from '../autograd/engine.js';
import { ArgumentError, DisposedError, DTypeError, fmtShape, ShapeError } from '../errors.js';
import * as B from '../ops/binary.js';
import * as C from '../ops/compare.js';
import * as I from '../ops/indexing.js';
import * as M from '../ops/matmul.js';
import * as R from '../ops/reduce.js';
import * as Sh from '../ops/shape.js';
import * as So from '../ops/sort.js';
import * as U from '../ops/unary.js';
import { allocate, type DType, dtypeOf, type Storage } from './dtype.js';
import { fillStorage, keep, releaseStorage, retainStorage, trackTensor } from './memory.js';
import { formatTensor } from './print.js';
import { numel, numelOf, type Shape } from './shape.js';

export type Scalar = number | boolean;
export type TensorLike = Tensor | Scalar;
export type NestedArray = number | boolean | NestedArray[];

// biome-ignore format: the one-line methods read as a table of PyTorch names -> ops
export class Tensor {
  // null once disposed
  private storage: Storage | null;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Whether gradients flow to this tensor. Leaves with it set accumulate into `.grad`. */
  requiresGrad = false;
  grad: Tensor | null = null;
  /** The op that produced this tensor (null for leaves). */
  gradFn: GradNode | null = null;
  /** Non-leaf tensors keep their gradient only after `retainGrad()`. */
  retainsGrad = false;
  /** @internal Backward-pass bookkeeping of the engine: the gradient summed so far. */
  pendingGrad: Tensor | null = null;
  /** @internal Backward-pass bookkeeping of the engine: the last pass that reached this tensor. */
  visitedBy = 0;
  /** @internal Set by keep(): no tidy() scope disposes this tensor. */
  kept = false;

  /** Wraps `data` (not copied) as a tensor of `shape`; the dtype follows the array type. */
  constructor(data: Storage, shape: Shape) {
    const n = numel(shape);
    if (data.length !== n) {
      throw new ShapeError(`Tensor: data of length ${data.length} does not fit shape ${fmtShape(shape)} (${n})`);
    }
    this.storage = data;
    retainStorage(data);
    trackTensor(this);
    // A frozen shape (another tensor's) is shared as is: freezing a copy is most of the cost
    // of a small tensor, and ops mostly produce their input's shape.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze(shape.slice());
    this.dtype = dtypeOf(data);
  }

  /** The elements, row-major. Small arrays are views into a shared buffer: mind `data.byteOffset`. */
  get data(): Storage {
    const d = this.storage;
    if (d === null) throw disposedError(this);
    return d;
  }

  /** Whether dispose() (or the tidy() scope that created it) has released this tensor. */
  get isDisposed(): boolean {
    return this.storage === null;
  }

  /**
   * Releases the storage now instead of at garbage collection; large buffers go back to the
   * pool for the next tensor of their size (src/tensor/memory.ts). Any later read throws.
   */
  dispose(): void {
    const d = this.storage;
    if (d === null) return;
    this.storage = null;
    this.gradFn = null;
    this.pendingGrad = null;
    releaseStorage(d);
  }

  get size(): number {
    return this.storage === null ? numel(this.shape) : this.storage.length;
  }
  get ndim(): number {
    return this.shape.length;
  }
  /** A leaf is a tensor not produced by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, expected 1`);
    return this.data[0];
  }

  /** Nested JS arrays (booleans for bool tensors), like torch's tolist(). */
  toArray(): NestedArray {
    const { data, shape, dtype } = this;
    const conv = dtype === 'bool' ? (v: number) => v !== 0 : (v: number) => v;
    const build = (d: number, off: number): NestedArray => {
      if (d === shape.length) return conv(data[off]);
      const stride = numelOf(shape, d + 1);
      return Array.from({ length: shape[d] }, (_, i) => build(d + 1, off + i * stride));
    };
    return build(0, 0);
  }

  toString(): string {
    if (this.storage === null) return `tensor(<disposed>, shape=${fmtShape(this.shape)}, dtype=${this.dtype})`;
    return formatTensor(this);
  }

  /** A copy in `dtype` (this tensor itself when it already is); differentiable between floats. */
  to(dtype: DType): Tensor {
    return U.cast(this, dtype);
  }
  float(): Tensor {
    return this.to('float32');
  }
  double(): Tensor {
    return this.to('float64');
  }
  /** A copy with its own storage; gradients flow through it. */
  clone(): Tensor {
    return U.cast(this, this.dtype, true);
  }
  /** Same storage, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }
  /** Sets requiresGrad (leaves only, float dtypes only) and returns this. */
  requiresGrad_(flag = true): this {
    if (flag && this.dtype !== 'float32' && this.dtype !== 'float64') {
      throw new DTypeError(`requiresGrad_: only float tensors can require gradients, got ${this.dtype}`);
    }
    if (!flag && !this.isLeaf) throw new ArgumentError('requiresGrad_: cannot turn off requiresGrad on a non-leaf tensor; use detach()');
    this.requiresGrad = flag;
    if (flag) keep(this); // a trainable leaf outlives any tidy() scope it was made in
    return this;
  }
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }
  /** Backpropagates from this tensor; `grad` defaults to 1 for a scalar. */
  backward(grad?: Tensor, opts?: BackwardOptions): void {
    runBackward(this, grad, opts);
  }
  zeroGrad(): void {
    this.grad = null;
  }
  zerosLike(): Tensor {
    return new Tensor(allocate(this.dtype, this.size), this.shape);
  }
  onesLike(): Tensor {
    return new Tensor(fillStorage(allocate(this.dtype, this.size), 1), this.shape);
  }

  // ---- elementwise ----
  add(o: TensorLike): Tensor { return B.add(this, o); }
  sub(o: TensorLike): Tensor { return B.sub(this, o); }
  mul(o: TensorLike): Tensor { return B.mul(this, o); }
  div(o: TensorLike): Tensor { return B.div(this, o); }
  pow(o: TensorLike): Tensor { return B.pow(this, o); }
  maximum(o: TensorLike): Tensor { return B.maximum(this, o); }
  minimum(o: TensorLike): Tensor { return B.minimum(this, o); }
  neg(): Tensor { return U.neg(this); }
  exp(): Tensor { return U.exp(this); }
  log(): Tensor { return U.log(this); }
  sqrt(): Tensor { return U.sqrt(this); }
  rsqrt(): Tensor { return U.rsqrt(this); }
  abs(): Tensor { return U.abs(this); }
  tanh(): Tensor { return U.tanh(this); }
  sigmoid(): Tensor { return U.sigmoid(this); }
  relu(): Tensor { return U.relu(this); }
  gelu(opts?: U.GeluOptions): Tensor { return U.gelu(this, opts); }
  square(): Tensor { return U.square(this); }
  clamp(opts: C.ClampOptions): Tensor { return C.clamp(this, opts); }
  eq(o: TensorLike): Tensor { return C.eq(this, o); }
  ne(o: TensorLike): Tensor { return C.ne(this, o); }
  lt(o: TensorLike): Tensor { return C.lt(this, o); }
  le(o: TensorLike): Tensor { return C.le(this, o); }
  gt(o: TensorLike): Tensor { return C.gt(this, o); }
  ge(o: TensorLike): Tensor { return C.ge(this, o); }
  logicalAnd(o: TensorLike): Tensor { return C.logicalAnd(this, o); }
  logicalOr(o: TensorLike): Tensor { return C.logicalOr(this, o); }
  logicalNot(): Tensor { return C.logicalNot(this); }
  isnan(): Tensor { return C.isnan(this); }
  isfinite(): Tensor { return C.isfinite(this); }
  maskedFill(mask: Tensor, value: number): Tensor { return C.maskedFill(this, mask, value); }

  // ---- reductions ----
  sum(dim?: R.Dims, opts?: R.KeepDim): Tensor { return R.sum(this, dim, opts); }
  mean(dim?: R.Dims, opts?: R.KeepDim): Tensor { return R.mean(this, dim, opts); }
  var(dim?: R.Dims, opts?: R.VarOptions): Tensor { return R.variance(this, dim, opts); }
  std(dim?: R.Dims, opts?: R.VarOptions): Tensor { return R.std(this, dim, opts); }
  logsumexp(dim: R.Dims, opts?: R.KeepDim): Tensor { return R.logsumexp(this, dim, opts); }
  amax(dim?: R.Dims, opts?: R.KeepDim): Tensor { return R.amax(this, dim, opts); }
  amin(dim?: R.Dims, opts?: R.KeepDim): Tensor { return R.amin(this, dim, opts); }
  max(dim: number, opts?: R.KeepDim): R.ValuesIndices { return R.max(this, dim, opts); }
  min(dim: number, opts?: R.KeepDim): R.ValuesIndices { return R.min(this, dim, opts); }
  argmax(dim?: number, opts?: R.KeepDim): Tensor { return R.argmax(this, dim, opts); }
  argmin(dim?: number, opts?: R.KeepDim): Tensor { return R.argmin(this, dim, opts); }
  softmax(dim: number): Tensor { return R.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return R.logSoftmax(this, dim); }

  // ---- shape ----
  reshape(shape: Shape): Tensor { return Sh.reshape(this, shape); }
  view(shape: Shape): Tensor { return Sh.reshape(this, shape); }
  flatten(startDim = 0, endDim = -1): Tensor { return Sh.flatten(this, startDim, endDim); }
  squeeze(dim?: number | readonly number[]): Tensor { return Sh.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return Sh.unsqueeze(this, dim); }
  expand(shape: Shape): Tensor { return Sh.expand(this, shape); }
  broadcastTo(shape: Shape): Tensor { return Sh.expand(this, shape); }
  transpose(d0: number, d1: number): Tensor { return Sh.transpose(this, d0, d1); }
  /** Transpose of the last two dims (`x.mT` in torch). */
  get mT(): Tensor { return Sh.transpose(this, -2, -1); }
  permute(dims: readonly number[]): Tensor { return Sh.permute(this, dims); }
  narrow(dim: number, start: number, length: number): Tensor { return Sh.narrow(this, dim, start, length); }
  slice(dim: number, opts?: Sh.SliceOptions): Tensor { return Sh.slice(this, dim, opts); }
  indexSelect(dim: number, index: Tensor): Tensor { return I.indexSelect(this, dim, index); }
  gather(dim: number, index: Tensor): Tensor { return I.gather(this, dim, index); }
  split(sizes: number | readonly number[], dim = 0): Tensor[] { return I.split(this, sizes, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return I.chunk(this, chunks, dim); }

  // ---- linear algebra, sorting ----
  matmul(o: Tensor): Tensor { return M.matmul(this, o); }
  bmm(o: Tensor): Tensor { return M.bmm(this, o); }
  topk(k: number, opts?: So.TopkOptions): R.ValuesIndices { return So.topk(this, k, opts); }
  sort(opts?: So.SortOptions): R.ValuesIndices { return So.sort(this, opts); }
  argsort(opts?: So.SortOptions): Tensor { return So.argsort(this, opts); }
}

function disposedError(t: Tensor): DisposedError {
  return new DisposedError(
    `Tensor ${fmtShape(t.shape)} ${t.dtype} was disposed (by dispose() or the tidy() that created it); ` +
      'return it from the tidy() or keep() it to use it afterwards, and run backward() inside the tidy()',
  );
}
