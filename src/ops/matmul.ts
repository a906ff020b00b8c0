// matmul with torch.matmul semantics, on the gemm kernel.
//   1-D x 1-D -> dot; 2-D x 1-D -> matrix-vector; 1-D x 2-D -> vector-matrix;
//   [..., M, K] x [..., K, N] -> [..., M, N] with the batch dims broadcast.
// 1-D operands are lifted to matrices with (differentiable) reshapes, so one batched core
// with one backward serves every case:  C = A B  =>  dA = dC B^T,  dB = A^T dC,
// each computed by gemm reading the transposed operand through its strides (no copies),
// then summed back over any batch dims that were broadcast.

import { record } from '../autograd/engine.js';
import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import { gemm, type MatView } from '../kernels/matmul.js';
import { allocate, allocateUninit, isFloat, promote, type Storage } from '../tensor/dtype.js';
import { broadcastShapes, broadcastStrides, dims, numel, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { squeeze, unsqueeze } from './shape.js';
import { sumTo } from './util.js';

/** Matrix product with torch.matmul's rules for 1-D, 2-D and batched (broadcast) operands. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(
      `matmul: both arguments need at least 1 dim, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  }
  const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
  const b2 = b.ndim === 1 ? unsqueeze(b, -1) : b;
  let out = batchedMatmul('matmul', a2, b2, a, b);
  if (a.ndim === 1) out = squeeze(out, -2);
  if (b.ndim === 1) out = squeeze(out, -1);
  return out;
}

/** Batched product of [B, M, K] and [B, K, N] (no broadcasting, as torch.bmm). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0]) {
    throw new ShapeError(
      `bmm: expected [B,M,K] and [B,K,N] with equal B, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  }
  return batchedMatmul('bmm', a, b, a, b);
}

function batchedMatmul(op: string, a: Tensor, b: Tensor, origA: Tensor, origB: Tensor): Tensor {
  if (!isFloat(a.dtype) || !isFloat(b.dtype)) {
    throw new DTypeError(`${op}: expected float tensors, got ${a.dtype} and ${b.dtype}`);
  }
  const M = a.shape[a.ndim - 2];
  const K = a.shape[a.ndim - 1];
  const K2 = b.shape[b.ndim - 2];
  const N = b.shape[b.ndim - 1];
  if (K !== K2) {
    throw new ShapeError(
      `${op}: cannot multiply ${fmtShape(origA.shape)} by ${fmtShape(origB.shape)} (${K} != ${K2})`,
    );
  }
  const batch = broadcastShapes(op, dims(a.shape, 0, -2), dims(b.shape, 0, -2));
  const dtype = promote(a.dtype, b.dtype);
  const out = allocateUninit(dtype, numel(batch) * M * N); // gemm writes every element
  const av = (a2: Tensor, trans: boolean) => operand(a2, batch, trans);
  batchGemm(batch, M, N, K, av(a, false), av(b, false), out);
  const y = new Tensor(out, [...batch, M, N]);
  return record(y, op, [a, b], (g) => {
    const gv = operand(g, batch, false);
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (a.requiresGrad) {
      const buf = allocate(a.dtype, numel(batch) * M * K);
      batchGemm(batch, M, K, N, gv, operand(b, batch, true), buf); // dA = dC B^T
      da = sumTo(new Tensor(buf, [...batch, M, K]), a.shape);
    }
    if (b.requiresGrad) {
      const buf = allocate(b.dtype, numel(batch) * K * N);
      batchGemm(batch, K, N, M, operand(a, batch, true), gv, buf); // dB = A^T dC
      db = sumTo(new Tensor(buf, [...batch, K, N]), b.shape);
    }
    return [da, db];
  });
}

interface BatchOperand {
  data: Storage;
  batchStrides: number[];
  rs: number;
  cs: number;
}

// A [..., R, C] tensor read per batch index of `batch` (stride 0 on broadcast dims), optionally transposed.
function operand(t: Tensor, batch: readonly number[], trans: boolean): BatchOperand {
  const R = t.shape[t.ndim - 2];
  const C = t.shape[t.ndim - 1];
  const bshape = dims(t.shape, 0, -2);
  const bs = broadcastStrides(bshape, batch).map((s) => s * R * C);
  return { data: t.data, batchStrides: bs, rs: trans ? 1 : C, cs: trans ? C : 1 };
}

function batchGemm(
  batch: readonly number[],
  M: number,
  N: number,
  K: number,
  A: BatchOperand,
  B: BatchOperand,
  out: Storage,
): void {
  const count = numel(batch);
  const st = stridesOf(batch);
  const va: MatView = { data: A.data, off: 0, rs: A.rs, cs: A.cs };
  const vb: MatView = { data: B.data, off: 0, rs: B.rs, cs: B.cs };
  for (let i = 0; i < count; i++) {
    let oa = 0;
    let ob = 0;
    let rem = i;
    for (let d = 0; d < batch.length; d++) {
      const c = Math.floor(rem / st[d]);
      rem -= c * st[d];
      oa += c * A.batchStrides[d];
      ob += c * B.batchStrides[d];
    }
    va.off = oa;
    vb.off = ob;
    gemm(M, N, K, va, vb, out, i * M * N, false);
  }
}
