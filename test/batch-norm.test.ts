// F.batchNorm / nn.BatchNorm1d / nn.BatchNorm2d: running statistics exactly as torch,
// train vs eval, gradcheck in both modes, fused vs composed, state dicts, and bad input.

import { describe, expect, it } from 'vitest';
import { ArgumentError, F, gradcheck, nn, ShapeError, type Tensor, tensor, zeros } from '../src/index.js';
import { leaf64, maxAbsDiff, randn64 } from './helpers.js';

const arr = (t: Tensor | null) => Array.from(t!.data);

/** Training-mode batch norm from primitive ops, x [N, C, ...]. */
function composed(x: Tensor, w: Tensor | null, b: Tensor | null, eps = 1e-5): Tensor {
  const dims = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
  const bshape = [1, x.shape[1], ...dims.slice(1).map(() => 1)];
  const mu = x.mean(dims, { keepdim: true });
  const xc = x.sub(mu);
  let y = xc.mul(xc.square().mean(dims, { keepdim: true }).add(eps).rsqrt());
  if (w) y = y.mul(w.reshape(bshape));
  if (b) y = y.add(b.reshape(bshape));
  return y;
}

describe('nn.BatchNorm1d running statistics', () => {
  it('follows torch by hand: biased variance to normalise, unbiased into running_var', () => {
    const m = new nn.BatchNorm1d(1, { dtype: 'float64' });
    const y = m.forward(tensor([[1], [3]], { dtype: 'float64' }));
    // mean 2, biased var 1, unbiased var 2
    expect(arr(y)).toEqual(
      [-1 / Math.sqrt(1 + 1e-5), 1 / Math.sqrt(1 + 1e-5)].map((v) => expect.closeTo(v, 14)),
    );
    expect(arr(m.runningMean)[0]).toBeCloseTo(0.9 * 0 + 0.1 * 2, 15);
    expect(arr(m.runningVar)[0]).toBeCloseTo(0.9 * 1 + 0.1 * 2, 15);
    expect(m.numBatchesTracked!.dtype).toBe('int32');
    expect(m.numBatchesTracked!.shape).toEqual([]);
    expect(m.numBatchesTracked!.item()).toBe(1);
  });

  it('momentum null is the cumulative average of the batch statistics', () => {
    const m = new nn.BatchNorm1d(3, { momentum: null, dtype: 'float64' });
    const xs = [randn64([4, 3], 1), randn64([6, 3], 2), randn64([5, 3], 3)];
    for (const x of xs) m.forward(x);
    const mean = xs
      .map((x) => x.mean(0))
      .reduce((a, b) => a.add(b))
      .div(3);
    const unbiased = xs
      .map((x) => x.var(0))
      .reduce((a, b) => a.add(b))
      .div(3);
    expect(maxAbsDiff(m.runningMean!, mean)).toBeLessThan(1e-14);
    expect(maxAbsDiff(m.runningVar!, unbiased)).toBeLessThan(1e-14);
    expect(m.numBatchesTracked!.item()).toBe(3);
  });

  it('eval uses the running statistics; train and eval differ', () => {
    const m = new nn.BatchNorm1d(2, { dtype: 'float64', momentum: 0.5 });
    const x = randn64([8, 2], 4);
    const yTrain = m.forward(x);
    const yEval = m.eval().forward(x);
    const expected = x.sub(m.runningMean!).div(m.runningVar!.add(1e-5).sqrt());
    expect(maxAbsDiff(yEval, expected)).toBeLessThan(1e-14);
    expect(maxAbsDiff(yTrain, yEval)).toBeGreaterThan(1e-3);
    expect(m.numBatchesTracked!.item()).toBe(1); // eval does not count
  });

  it('takes [N, C, L]: statistics over N and L, same as BatchNorm2d on [N, C, L, 1]', () => {
    const x = randn64([3, 2, 5], 5);
    const a = new nn.BatchNorm1d(2, { dtype: 'float64' });
    const b = new nn.BatchNorm2d(2, { dtype: 'float64' });
    expect(maxAbsDiff(a.forward(x), b.forward(x.reshape([3, 2, 5, 1])).reshape([3, 2, 5]))).toBe(0);
    expect(arr(a.runningVar)).toEqual(arr(b.runningVar));
  });

  it('BatchNorm3d takes [N, C, D, H, W]: statistics over N, D, H and W, same as BatchNorm2d on [N, C, D*H, W]', () => {
    const x = randn64([2, 3, 4, 2, 5], 8);
    const a = new nn.BatchNorm3d(3, { dtype: 'float64', momentum: 0.3 });
    const b = new nn.BatchNorm2d(3, { dtype: 'float64', momentum: 0.3 });
    for (let step = 0; step < 2; step++) {
      const want = b.forward(x.reshape([2, 3, 8, 5])).reshape([2, 3, 4, 2, 5]);
      expect(maxAbsDiff(a.forward(x), want)).toBe(0);
    }
    expect(arr(a.runningMean)).toEqual(arr(b.runningMean));
    expect(arr(a.runningVar)).toEqual(arr(b.runningVar));
    expect(a.numBatchesTracked!.item()).toBe(2);
    a.eval();
    b.eval();
    expect(maxAbsDiff(a.forward(x), b.forward(x.reshape([2, 3, 8, 5])).reshape([2, 3, 4, 2, 5]))).toBe(0);
    expect(() => a.forward(zeros([2, 3, 4, 5]))).toThrow(
      /^BatchNorm3d: expected 5D input, got 4D input \[2,3,4,5\]$/,
    );
  });

  it('without trackRunningStats has no buffers and always uses batch statistics', () => {
    const m = new nn.BatchNorm2d(2, { trackRunningStats: false, dtype: 'float64' }).eval();
    expect(Object.keys(m.stateDict())).toEqual(['weight', 'bias']);
    const x = randn64([2, 2, 3, 3], 6);
    expect(maxAbsDiff(m.forward(x), composed(x, null, null))).toBeLessThan(1e-14);
  });

  it('has torch state-dict keys and loads a PyTorch state dict given as plain arrays', () => {
    const m = new nn.BatchNorm2d(2);
    expect(Object.keys(m.stateDict())).toEqual([
      'weight',
      'bias',
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
    m.loadStateDict({
      weight: [2, 0.5],
      bias: [0, 1],
      running_mean: [1, -1],
      running_var: [4, 0.25],
      num_batches_tracked: { shape: [], data: [7] },
    });
    m.eval();
    const y = m.forward(tensor([[[[3]], [[0]]]]));
    expect(arr(y)).toEqual([
      expect.closeTo((2 * (3 - 1)) / Math.sqrt(4 + 1e-5), 5),
      expect.closeTo((0.5 * 1) / Math.sqrt(0.25 + 1e-5) + 1, 5),
    ]);
    expect(m.numBatchesTracked!.item()).toBe(7);
  });

  it('leaves the state alone when the input is rejected', () => {
    const m = new nn.BatchNorm1d(4);
    expect(() => m.forward(zeros([8, 3]))).toThrow(ShapeError);
    expect(m.numBatchesTracked!.item()).toBe(0);
    expect(arr(m.runningVar)).toEqual([1, 1, 1, 1]);
  });
});

describe('F.batchNorm gradients', () => {
  const shapes: [string, number[]][] = [
    ['[N,C]', [5, 3]],
    ['[N,C,L]', [3, 2, 4]],
    ['[N,C,H,W]', [2, 3, 2, 3]],
  ];
  it.each(shapes)('gradcheck training %s, affine and not', (_name, shape) => {
    const C = shape[1];
    const fn = (x: Tensor, w: Tensor, b: Tensor) =>
      F.batchNorm(x, null, null, { weight: w, bias: b, training: true });
    expect(gradcheck(fn, [leaf64(shape, 1), leaf64([C], 2), leaf64([C], 3)])).toBe(true);
    expect(
      gradcheck((x) => F.batchNorm(x, null, null, { training: true, eps: 1e-3 }), [leaf64(shape, 4)]),
    ).toBe(true);
  });

  it.each(shapes)('gradcheck eval %s (the affine map)', (_name, shape) => {
    const C = shape[1];
    const rm = randn64([C], 5);
    const rv = randn64([C], 6).abs().add(0.5);
    const fn = (x: Tensor, w: Tensor, b: Tensor) => F.batchNorm(x, rm, rv, { weight: w, bias: b });
    expect(gradcheck(fn, [leaf64(shape, 1), leaf64([C], 2), leaf64([C], 3)])).toBe(true);
  });

  it('module gradcheck: BatchNorm2d in training and eval mode, through its own parameters', () => {
    const m = new nn.BatchNorm2d(2, { dtype: 'float64' });
    m.weight!.data.set([1.5, -0.5]);
    const fn = (x: Tensor) => m.forward(x);
    expect(gradcheck(fn, [leaf64([3, 2, 2, 2], 7), m.weight!, m.bias!])).toBe(true);
    m.eval();
    expect(gradcheck(fn, [leaf64([3, 2, 2, 2], 8), m.weight!, m.bias!])).toBe(true);
  });

  it('fused equals the composition of primitive ops, values and gradients (training)', () => {
    const run = (f: (x: Tensor, w: Tensor, b: Tensor) => Tensor) => {
      const [x, w, b] = [leaf64([4, 3, 2, 2], 9), leaf64([3], 10), leaf64([3], 11)];
      const y = f(x, w, b);
      y.backward(randn64([4, 3, 2, 2], 12));
      return [y, x.grad!, w.grad!, b.grad!];
    };
    const fused = run((x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }));
    const prim = run((x, w, b) => composed(x, w, b));
    for (const [i, t] of fused.entries()) expect(maxAbsDiff(t, prim[i])).toBeLessThan(1e-12);
    expect(fused[0].gradFn?.name).toBe('batchNorm');
  });

  it('eval backward is the affine map dx = dy w rstd', () => {
    const x = leaf64([4, 2], 13);
    const w = tensor([2, -3], { dtype: 'float64' });
    F.batchNorm(x, tensor([0, 0], { dtype: 'float64' }), tensor([3, 0.5], { dtype: 'float64' }), {
      weight: w,
      eps: 0,
    })
      .sum()
      .backward();
    expect(arr(x.grad).slice(0, 2)).toEqual(
      [2 / Math.sqrt(3), -3 / Math.sqrt(0.5)].map((v) => expect.closeTo(v, 14)),
    );
  });
});

describe('batchNorm bad input', () => {
  // biome-ignore format: one case per line reads as a table
  const bad: [string, () => unknown, new (...a: never[]) => Error, RegExp][] = [
    ['channel mismatch (module)', () => new nn.BatchNorm1d(4).forward(zeros([8, 3])), ShapeError, /^batchNorm: expected 4 channels \(dim 1 of \[8,3\]\), got 3$/],
    ['channel mismatch (weight)', () => F.batchNorm(zeros([2, 3, 4]), null, null, { weight: zeros([2]), training: true }), ShapeError, /^batchNorm: expected 2 channels \(dim 1 of \[2,3,4\]\), got 3$/],
    ['one value per channel', () => new nn.BatchNorm1d(4).forward(zeros([1, 4])), ArgumentError, /^batchNorm: expected more than 1 value per channel when training, got input size \[1,4\]$/],
    ['1d given 4-D', () => new nn.BatchNorm1d(2).forward(zeros([2, 2, 3, 3])), ShapeError, /^BatchNorm1d: expected 2D or 3D input, got 4D input \[2,2,3,3\]$/],
    ['2d given 3-D', () => new nn.BatchNorm2d(2).forward(zeros([2, 2, 3])), ShapeError, /^BatchNorm2d: expected 4D input, got 3D input \[2,2,3\]$/],
    ['rank 1', () => F.batchNorm(zeros([5]), null, null, { training: true }), ShapeError, /^batchNorm: input must be \[N, C, \.\.\.\], got \[5\]$/],
    ['eval without running stats', () => F.batchNorm(zeros([4, 2]), null, null), ArgumentError, /^batchNorm: runningMean and runningVar are required when training is false$/],
    ['running mean 2-D', () => F.batchNorm(zeros([4, 2]), zeros([1, 2]), zeros([2])), ShapeError, /^batchNorm: runningMean must be 1-D \[C\], got \[1,2\]$/],
    ['numFeatures 0', () => new nn.BatchNorm2d(0), ArgumentError, /^BatchNorm2d: numFeatures must be a positive integer, got 0$/],
    ['momentum NaN', () => new nn.BatchNorm1d(2, { momentum: Number.NaN }), ArgumentError, /^BatchNorm1d: momentum must be a number or null, got NaN$/],
  ];
  it.each(bad)('%s', (_name, fn, cls, msg) => {
    expect(fn).toThrow(cls);
    expect(fn).toThrow(msg);
  });
});
