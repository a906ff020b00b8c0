// The affine map y = x W^T + b, fused (one node instead of transpose, matmul and add).
// x: [..., in], weight: [out, in], bias: [out] -> y: [..., out]
//   dx = dy W          ([..., out] x [out, in])
//   dW = dy^T x        (summed over every leading dim of x)
//   db = sum dy        (over every leading dim)
// The gemm kernel reads W^T and dy^T through strides, so nothing is transposed in memory.

import { record } from '../autograd/engine.js';
import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import { gemm } from '../kernels/matmul.js';
import { allocate, isFloat, promote } from '../tensor/dtype.js';
import { dims } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** x @ weight^T + bias. x: [..., in], weight: [out, in], bias: [out] -> [..., out]. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (!isFloat(x.dtype) || !isFloat(weight.dtype)) {
    throw new DTypeError(`linear: expected float tensors, got input ${x.dtype} and weight ${weight.dtype}`);
  }
  if (weight.ndim !== 2)
    throw new ShapeError(`linear: weight must be [out, in], got ${fmtShape(weight.shape)}`);
  const outF = weight.shape[0];
  const inF = weight.shape[1];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(
      `linear: input ${fmtShape(x.shape)} does not end in in_features ${inF} of weight ${fmtShape(weight.shape)}`,
    );
  }
  if (bias && !isFloat(bias.dtype)) throw new DTypeError(`linear: expected a float bias, got ${bias.dtype}`);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(
      `linear: bias ${fmtShape(bias.shape)} must be [${outF}] to match weight ${fmtShape(weight.shape)}`,
    );
  }
  const rows = x.size / inF;
  const dtype = promote(x.dtype, weight.dtype);
  const out = allocate(dtype, rows * outF);
  if (bias) {
    const bd = bias.data;
    for (let r = 0; r < rows; r++) for (let o = 0; o < outF; o++) out[r * outF + o] = bd[o];
  }
  gemm(
    rows,
    outF,
    inF,
    { data: x.data, off: 0, rs: inF, cs: 1 },
    { data: weight.data, off: 0, rs: 1, cs: inF },
    out,
    0,
    true,
  );
  const shape = dims(x.shape, 0, -1);
  shape.push(outF);
  const y = new Tensor(out, Object.freeze(shape)); // frozen: the constructor takes it without a copy
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(y, 'linear', inputs, (g) => {
    const gv = { data: g.data, off: 0, rs: outF, cs: 1 };
    let dx: Tensor | null = null;
    let dw: Tensor | null = null;
    if (x.requiresGrad) {
      const buf = allocate(x.dtype, rows * inF);
      gemm(rows, inF, outF, gv, { data: weight.data, off: 0, rs: inF, cs: 1 }, buf, 0, false);
      dx = new Tensor(buf, x.shape);
    }
    if (weight.requiresGrad) {
      const buf = allocate(weight.dtype, outF * inF);
      gemm(
        outF,
        inF,
        rows,
        { data: g.data, off: 0, rs: 1, cs: outF },
        { data: x.data, off: 0, rs: inF, cs: 1 },
        buf,
        0,
        false,
      );
      dw = new Tensor(buf, weight.shape);
    }
    let db: Tensor | null = null;
    if (bias?.requiresGrad) {
      // db_o = sum_r dy[r, o], accumulated in a double per output as the sum kernel does
      const acc = allocate('float64', outF);
      const gd = g.data;
      for (let r = 0; r < rows; r++) for (let o = 0; o < outF; o++) acc[o] += gd[r * outF + o];
      const buf = allocate(g.dtype, outF);
      for (let o = 0; o < outF; o++) buf[o] = acc[o];
      db = new Tensor(buf, bias.shape).to(bias.dtype);
    }
    return bias ? [dx, dw, db] : [dx, dw];
  });
}
