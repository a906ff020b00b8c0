// Bad input: each case asserts the error class and the message (op name, what is wrong,
// the offending shapes or values).

import { describe, expect, it } from 'vitest';
import { record } from '../src/autograd/engine.js';
import {
  ArgumentError,
  AutogradError,
  amax,
  arange,
  bmm,
  cat,
  DTypeError,
  eye,
  F,
  Generator,
  gradcheck,
  linspace,
  matmul,
  ones,
  randint,
  randn,
  ShapeError,
  ShousiError,
  split,
  stack,
  Tensor,
  tensor,
  where,
  zeros,
} from '../src/index.js';

type ErrorClass = new (...args: never[]) => Error;
const BAD: [string, () => unknown, ErrorClass, RegExp][] = [
  // shapes
  [
    'matmul inner mismatch',
    () => matmul(zeros([2, 3]), zeros([4, 5])),
    ShapeError,
    /^matmul: cannot multiply \[2,3\] by \[4,5\] \(3 != 4\)$/,
  ],
  [
    'matmul 1-D mismatch',
    () => matmul(zeros([3]), zeros([4])),
    ShapeError,
    /^matmul: cannot multiply \[3\] by \[4\] \(3 != 4\)/,
  ],
  [
    'matmul 0-d operand',
    () => matmul(zeros([]), zeros([2])),
    ShapeError,
    /^matmul: both arguments need at least 1 dim, got \[\] and \[2\]/,
  ],
  [
    'matmul batch dims do not broadcast',
    () => matmul(zeros([2, 3, 4]), zeros([3, 4, 5])),
    ShapeError,
    /^matmul: shapes \[2\] and \[3\] do not broadcast/,
  ],
  [
    'matmul int operands',
    () => matmul(zeros([2, 2], { dtype: 'int32' }), zeros([2, 2])),
    DTypeError,
    /^matmul: expected float tensors, got int32 and float32/,
  ],
  [
    'bmm batch mismatch',
    () => bmm(zeros([2, 3, 4]), zeros([3, 4, 5])),
    ShapeError,
    /^bmm: expected \[B,M,K\] and \[B,K,N\] with equal B, got \[2,3,4\] and \[3,4,5\]/,
  ],
  [
    'add broadcasting failure',
    () => zeros([2, 3]).add(zeros([4])),
    ShapeError,
    /^add: shapes \[2,3\] and \[4\] do not broadcast \(dim -1: 3 vs 4\)/,
  ],
  [
    'mul broadcasting failure',
    () => zeros([2, 3, 4]).mul(zeros([3, 2, 1])),
    ShapeError,
    /^mul: shapes \[2,3,4\] and \[3,2,1\] do not broadcast \(dim -3: 2 vs 3\)/,
  ],
  [
    'reshape wrong size',
    () => zeros([2, 3]).reshape([4, 2]),
    ShapeError,
    /^reshape: cannot reshape \[2,3\] \(6 elements\) into \[4,2\] \(8\)/,
  ],
  [
    'reshape two -1',
    () => zeros([2, 3]).reshape([-1, -1]),
    ShapeError,
    /^reshape: only one dim can be -1, got \[-1,-1\]/,
  ],
  [
    'reshape -1 does not divide',
    () => zeros([2, 3]).reshape([-1, 4]),
    ShapeError,
    /^reshape: cannot reshape \[2,3\] \(6 elements\) into \[-1,4\]/,
  ],
  [
    'expand incompatible',
    () => zeros([2, 3]).expand([4, 3]),
    ShapeError,
    /^expand: cannot expand \[2,3\] to \[4,3\] \(dim 0: 2 vs 4\)/,
  ],
  [
    'expand to fewer dims',
    () => zeros([2, 3]).expand([3]),
    ShapeError,
    /^expand: cannot expand \[2,3\] to fewer dims \[3\]/,
  ],
  [
    'bad dim',
    () => zeros([2, 3]).sum(2),
    ArgumentError,
    /^sum: dim 2 out of range for a tensor of rank 2 \(expected \[-2, 1\]\)/,
  ],
  [
    'repeated reduction dim',
    () => zeros([2, 3]).mean([1, -1]),
    ArgumentError,
    /^mean: dim \[1,-1\] repeats a dim/,
  ],
  ['softmax bad dim', () => zeros([2, 3]).softmax(-3), ArgumentError, /^softmax: dim -3 out of range/],
  [
    'permute non-permutation',
    () => zeros([2, 3]).permute([0, 0]),
    ArgumentError,
    /^permute: dims \[0,0\] repeat a dim/,
  ],
  [
    'permute wrong length',
    () => zeros([2, 3]).permute([1, 0, 2]),
    ShapeError,
    /^permute: dims \[1,0,2\] must list all 2 dims of \[2,3\]/,
  ],
  [
    'narrow out of range',
    () => zeros([2, 3]).narrow(1, 2, 2),
    ArgumentError,
    /^narrow: start 2 and length 2 out of range for dim 1 of size 3/,
  ],
  [
    'slice step 0',
    () => zeros([4]).slice(0, { step: 0 }),
    ArgumentError,
    /^slice: step must be a positive integer, got 0/,
  ],
  [
    'indexSelect out of range',
    () => zeros([2, 3]).indexSelect(1, tensor([0, 3], { dtype: 'int32' })),
    ArgumentError,
    /^indexSelect: index 3 out of range for dim 1 of size 3/,
  ],
  [
    'indexSelect float index',
    () => zeros([2, 3]).indexSelect(0, tensor([0, 1])),
    DTypeError,
    /^indexSelect: index must be an int32 tensor, got float32/,
  ],
  [
    'gather rank mismatch',
    () => zeros([2, 3]).gather(1, tensor([0, 1], { dtype: 'int32' })),
    ShapeError,
    /^gather: index \[2\] must have the same rank as the input \[2,3\]/,
  ],
  [
    'gather index out of range',
    () => zeros([2, 3]).gather(1, tensor([[3], [0]], { dtype: 'int32' })),
    ArgumentError,
    /^gather: index 3 out of range for dim 1 of size 3/,
  ],
  [
    'cat mismatched shapes',
    () => cat([zeros([2, 3]), zeros([2, 4])], 0),
    ShapeError,
    /^cat: shapes \[2,3\], \[2,4\] differ outside dim 0/,
  ],
  ['cat empty list', () => cat([]), ArgumentError, /^cat: expected a non-empty list of tensors/],
  [
    'stack mismatched',
    () => stack([zeros([2, 3]), zeros([3, 2])]),
    ShapeError,
    /^stack: all tensors must have the same shape, got \[2,3\], \[3,2\]/,
  ],
  [
    'split sizes do not sum',
    () => split(zeros([5, 2]), [2, 2]),
    ShapeError,
    /^split: sizes \[2,2\] must be non-negative and sum to dim 0's size 5/,
  ],
  [
    'chunk 0 chunks',
    () => zeros([4]).chunk(0),
    ArgumentError,
    /^chunk: chunks must be a positive integer, got 0/,
  ],
  [
    'topk k > n',
    () => zeros([2, 3]).topk(4),
    ArgumentError,
    /^topk: k must be an integer in \[0, 3\], got 4/,
  ],
  [
    'amax over an empty dim',
    () => amax(zeros([2, 0]), 1),
    ShapeError,
    /^amax: cannot reduce over an empty dim of \[2,0\]/,
  ],
  [
    'item on non-scalar',
    () => zeros([2, 2]).item(),
    ShapeError,
    /^item: tensor of shape \[2,2\] has 4 elements, expected 1/,
  ],
  [
    'Tensor data does not fit shape',
    () => new Tensor(new Float32Array(5), [2, 3]),
    ShapeError,
    /^Tensor: data of length 5 does not fit shape \[2,3\] \(6\)/,
  ],
  // creation
  [
    'tensor() ragged nested array',
    () => tensor([[1, 2], [3]]),
    ShapeError,
    /^tensor: ragged nested array \(dim 1 has lengths 2 and 1\)/,
  ],
  [
    'tensor() scalar where a row is expected',
    () => tensor([[1, 2], 3]),
    ShapeError,
    /^tensor: ragged nested array/,
  ],
  [
    'tensor() non-number',
    () => tensor(['a' as unknown as number]),
    ArgumentError,
    /^tensor: expected numbers, booleans or nested arrays, got string/,
  ],
  [
    'tensor() shape does not fit',
    () => tensor([1, 2, 3], { shape: [2, 2] }),
    ShapeError,
    /^tensor: 3 values do not fill shape \[2,2\] \(4\)/,
  ],
  [
    'unknown dtype',
    () => zeros([2], { dtype: 'float16' as 'float32' }),
    DTypeError,
    /^full: unknown dtype float16/,
  ],
  ['negative size', () => ones([2, -1]), ShapeError, /^full: invalid shape \[2,-1\]/],
  [
    'eye with an unknown dtype',
    () => eye(2, 2, { dtype: 'float16' as 'float32' }),
    DTypeError,
    /^eye: unknown dtype float16/,
  ],
  ['to() an unknown dtype', () => zeros([2]).to('int64' as 'int32'), DTypeError, /^to: unknown dtype int64/],
  [
    'randn into an int tensor',
    () => randn([2], { dtype: 'int32' }),
    DTypeError,
    /^randn: expected a float32 or float64 tensor, got int32/,
  ],
  [
    'permutation of a negative count',
    () => new Generator(0).permutation(-1),
    ArgumentError,
    /^permutation: n must be a non-negative integer, got -1/,
  ],
  [
    'linear with an int bias',
    () => F.linear(zeros([2, 3]), zeros([4, 3]), zeros([4], { dtype: 'int32' })),
    DTypeError,
    /^linear: expected a float bias, got int32/,
  ],
  [
    'randint low >= high',
    () => randint(3, 3, [2]),
    ArgumentError,
    /^randint: need integers low < high, got \[3, 3\)/,
  ],
  [
    'arange infinite end',
    () => arange(0, Number.POSITIVE_INFINITY),
    ArgumentError,
    /^arange: start and end must be finite numbers, got 0 and Infinity/,
  ],
  ['arange step 0', () => arange(0, 5, 0), ArgumentError, /^arange: step must be finite and non-zero, got 0/],
  [
    'linspace negative steps',
    () => linspace(0, 1, -2),
    ArgumentError,
    /^linspace: steps must be a non-negative integer, got -2/,
  ],
  [
    'Generator non-integer seed',
    () => new Generator(1.5),
    ArgumentError,
    /^Generator: seed must be an integer, got 1.5/,
  ],
  [
    'sampleWithoutReplacement k > n',
    () => new Generator(0).sampleWithoutReplacement(3, 4),
    ArgumentError,
    /^sampleWithoutReplacement: k must be an integer in \[0, 3\], got 4/,
  ],
  // options and dtypes
  [
    'where with non-bool cond',
    () => where(zeros([2]), 1, 0),
    DTypeError,
    /^where: condition must be a bool tensor, got float32/,
  ],
  [
    'maskedFill with non-bool mask',
    () => zeros([2]).maskedFill(zeros([2]), 1),
    DTypeError,
    /^maskedFill: mask must be a bool tensor, got float32/,
  ],
  [
    'maskedFill mask larger than input',
    () => zeros([2]).maskedFill(zeros([3, 2], { dtype: 'bool' }), 1),
    ShapeError,
    /^maskedFill: mask \[3,2\] must broadcast to the input \[2\]/,
  ],
  [
    'clamp with no bounds',
    () => zeros([2]).clamp({}),
    ArgumentError,
    /^clamp: at least one of min and max must be given/,
  ],
  [
    'var with correction and unbiased',
    () => zeros([3]).var(0, { correction: 1, unbiased: true }),
    ArgumentError,
    /^var: give correction or unbiased, not both/,
  ],
  [
    'std negative correction',
    () => zeros([3]).std(0, { correction: -1 }),
    ArgumentError,
    /^std: correction must be >= 0, got -1/,
  ],
  [
    'gelu bad approximate',
    () => zeros([2]).gelu({ approximate: 'erf' as 'tanh' }),
    ArgumentError,
    /^gelu: approximate must be 'none' or 'tanh', got erf/,
  ],
  [
    'linear shape mismatch',
    () => F.linear(zeros([2, 3]), zeros([4, 5])),
    ShapeError,
    /^linear: input \[2,3\] does not end in in_features 5 of weight \[4,5\]/,
  ],
  [
    'linear bias mismatch',
    () => F.linear(zeros([2, 3]), zeros([4, 3]), zeros([3])),
    ShapeError,
    /^linear: bias \[3\] must be \[4\] to match weight \[4,3\]/,
  ],
  [
    'linear weight not 2-D',
    () => F.linear(zeros([2, 3]), zeros([3])),
    ShapeError,
    /^linear: weight must be \[out, in\], got \[3\]/,
  ],
  [
    'mseLoss shape mismatch',
    () => F.mseLoss(zeros([2, 3]), zeros([3, 2])),
    ShapeError,
    /^mseLoss: input \[2,3\] and target \[3,2\] must have the same shape/,
  ],
  [
    'mseLoss bad reduction',
    () => F.mseLoss(zeros([2]), zeros([2]), { reduction: 'avg' as 'mean' }),
    ArgumentError,
    /^mseLoss: reduction must be 'mean', 'sum' or 'none', got avg/,
  ],
  [
    'mseLoss int input',
    () => F.mseLoss(zeros([2], { dtype: 'int32' }), zeros([2])),
    DTypeError,
    /^mseLoss: input must be a float tensor, got int32/,
  ],
  [
    'dropout p out of range',
    () => F.dropout(zeros([2]), { p: 1.5 }),
    ArgumentError,
    /^dropout: p must be in \[0, 1\], got 1.5/,
  ],
  [
    'dropout of an int tensor',
    () => F.dropout(zeros([2], { dtype: 'int32' })),
    DTypeError,
    /^dropout: expected a float32 or float64 tensor, got int32/,
  ],
  [
    'sub of bool tensors',
    () => zeros([2], { dtype: 'bool' }).sub(zeros([2], { dtype: 'bool' })),
    DTypeError,
    /^sub: subtracting bool tensors is not supported/,
  ],
  [
    'neg of a bool tensor',
    () => zeros([2], { dtype: 'bool' }).neg(),
    DTypeError,
    /^neg: negating a bool tensor is not supported/,
  ],
  // autograd
  [
    'requiresGrad on an int tensor',
    () => zeros([2], { dtype: 'int32' }).requiresGrad_(),
    DTypeError,
    /^requiresGrad_: only float tensors can require gradients, got int32/,
  ],
  [
    'requiresGrad option on an int tensor',
    () => tensor([1, 2], { dtype: 'int32', requiresGrad: true }),
    DTypeError,
    /^requiresGrad_: only float tensors/,
  ],
  [
    'backward on non-scalar without grad',
    () => zeros([2, 2]).requiresGrad_().mul(2).backward(),
    AutogradError,
    /^backward: grad can be implicitly created only for scalar outputs, got shape \[2,2\]/,
  ],
  [
    'backward on a tensor without grad',
    () => zeros([2]).sum().backward(),
    AutogradError,
    /^backward: tensor does not require grad and has no grad_fn/,
  ],
  [
    'backward with a grad of the wrong shape',
    () =>
      zeros([2])
        .requiresGrad_()
        .mul(2)
        .backward(ones([3])),
    AutogradError,
    /^backward: grad shape \[3\] does not match output shape \[2\]/,
  ],
  [
    'backward twice without retainGraph',
    () => {
      const y = ones([2]).requiresGrad_().exp().sum();
      y.backward();
      y.backward();
    },
    AutogradError,
    /^backward: trying to backward through the graph a second time \(sum\); pass \{retainGraph: true\}/,
  ],
  [
    'an op whose backward returns a wrong shape',
    () => {
      const x = ones([2, 3]).requiresGrad_();
      record(new Tensor(new Float32Array(1), []), 'brokenOp', [x], () => [ones([3, 2])]).backward();
    },
    AutogradError,
    /^brokenOp backward: gradient for input 0 has shape \[3,2\], expected \[2,3\]/,
  ],
  [
    'gradcheck of float32 inputs',
    () => gradcheck((x) => x, [randn([2]).requiresGrad_()]),
    DTypeError,
    /^gradcheck: inputs that require grad must be float64, got float32/,
  ],
  [
    'gradcheck of a wrong gradient',
    () => {
      const x = randn([3], { dtype: 'float64', generator: 1 }).requiresGrad_();
      // claims d(2x)/dx = 1
      return gradcheck(
        (t) =>
          record(
            new Tensor(
              Float64Array.from(t.data, (v) => 2 * v),
              t.shape,
            ),
            'twice',
            [t],
            (g) => [g],
          ),
        [x],
      );
    },
    AutogradError,
    /^gradcheck: gradient mismatch for input 0 \[3\] at element 0: analytic -?[\d.e-]+ vs numeric -?[\d.e-]+$/,
  ],
];

describe('bad input', () => {
  it(`has at least 20 cases (${BAD.length})`, () => {
    expect(BAD.length).toBeGreaterThanOrEqual(20);
  });
  it.each(BAD)('%s', (_name, fn, cls, message) => {
    let caught: unknown;
    try {
      fn();
    } catch (e) {
      caught = e;
    }
    expect(caught, 'expected a throw').toBeInstanceOf(cls);
    expect(caught).toBeInstanceOf(ShousiError);
    expect((caught as Error).name).toBe(cls.name);
    expect((caught as Error).message).toMatch(message);
  });
});
