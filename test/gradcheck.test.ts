// The gradcheck table: one or more rows per differentiable op, each checked in float64 with
// central differences against a random upstream gradient, at inputs away from kinks.
//
// Adding an op? Append a row:   row('opName', (x, w) => F.opName(x, w), [[2, 3], [3]]),
// where each input spec is a shape (standard normal values), `pos(shape)` (in [0.5, 2]),
// `away(shape)` (|x| in [0.2, 2], off the kinks at 0), `vals(nested)` (exact values) or any
// Tensor (used as is: int indices, bool masks, constants). The meta-test at the bottom fails
// for every function exported from src/index.ts, F or Tensor that has neither a row here nor
// an entry in NOT_DIFFERENTIABLE.

import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import {
  abs,
  add,
  amax,
  amin,
  bmm,
  cat,
  chunk,
  clamp,
  div,
  exp,
  expand,
  F,
  flatten,
  Generator,
  type GradcheckOptions,
  gather,
  gelu,
  gradcheck,
  indexSelect,
  log,
  logSoftmax,
  logsumexp,
  matmul,
  max,
  maximum,
  mean,
  min,
  minimum,
  mul,
  type NestedArray,
  narrow,
  neg,
  permute,
  pow,
  relu,
  reshape,
  rsqrt,
  sigmoid,
  slice,
  softmax,
  sort,
  split,
  sqrt,
  square,
  squeeze,
  stack,
  std,
  sub,
  sum,
  sumTo,
  Tensor,
  tanh,
  tensor,
  topk,
  transpose,
  unsqueeze,
  variance,
  where,
} from '../src/index.js';

type InputSpec = readonly number[] | Tensor | { shape: readonly number[]; kind: 'pos' | 'away' };
type Fn = (...xs: Tensor[]) => Tensor | Tensor[];
interface Row {
  op: string;
  label: string;
  fn: Fn;
  inputs: readonly InputSpec[];
  opts?: GradcheckOptions;
}

const ROWS: Row[] = [];
/** Adds a gradcheck row for the exported function (or Tensor method) named `op`. */
function row(
  op: string,
  fn: Fn,
  inputs: readonly InputSpec[],
  opts?: GradcheckOptions & { label?: string },
): void {
  const { label: given, ...checkOpts } = opts ?? {};
  const label =
    given ??
    inputs.map((s) => (s instanceof Tensor ? `${s.dtype}${fmt(s.shape)}` : fmt(specShape(s)))).join(' ');
  ROWS.push({ op, label, fn, inputs, opts: checkOpts });
}
const pos = (shape: readonly number[]) => ({ shape, kind: 'pos' as const });
const away = (shape: readonly number[]) => ({ shape, kind: 'away' as const });
const vals = (v: NestedArray) => tensor(v, { dtype: 'float64', requiresGrad: true });
const idx = (v: NestedArray) => tensor(v, { dtype: 'int32' });
const mask = (v: NestedArray) => tensor(v, { dtype: 'bool' });
const fmt = (s: readonly number[]) => `[${s.join(',')}]`;
const specShape = (s: Exclude<InputSpec, Tensor>) => ('shape' in s ? s.shape : s);

// ---- elementwise, with broadcasting ----
row('add', (a, b) => add(a, b), [[3, 1], [4]]);
row('add', (a, b) => a.add(b), [
  [2, 3],
  [2, 3],
]);
row('add', (a) => add(2.5, a), [[2, 3]], { label: 'scalar + [2,3]' });
row('sub', (a, b) => sub(a, b), [[2, 3, 4], [4]]);
row('sub', (a, b) => a.sub(b), [
  [1, 3],
  [2, 1],
]);
row('mul', (a, b) => mul(a, b), [[2, 3, 4], [4]]);
row('mul', (a, b) => a.mul(b), [
  [2, 1, 3],
  [4, 1],
]);
row('mul', (a) => a.mul(-1.5), [[3]], { label: '[3] * scalar' });
row('div', (a, b) => div(a, b), [[2, 3], pos([3])]);
row('div', (a, b) => a.div(b), [pos([3, 1]), away([1, 4])]);
row('pow', (a, b) => pow(a, b), [pos([2, 3]), [3]]);
row('pow', (a) => a.pow(3), [[2, 3]], { label: '[2,3] ** 3' });
row('pow', (a) => pow(2, a), [[4]], { label: '2 ** [4]' });
row('maximum', (a, b) => maximum(a, b), [[3, 4], [4]]);
row('maximum', (a, b) => a.maximum(b), [vals([1, -2, 3]), vals([1, 0, 3])], { label: 'ties split evenly' });
row('minimum', (a, b) => minimum(a, b), [
  [2, 1, 3],
  [4, 1],
]);
row('minimum', (a, b) => a.minimum(b), [vals([1, -2, 3]), vals([1, 0, 3])], { label: 'ties split evenly' });
row('neg', (a) => neg(a), [[2, 3]]);
row('exp', (a) => exp(a), [[2, 3]]);
row('log', (a) => log(a), [pos([2, 3])]);
row('sqrt', (a) => sqrt(a), [pos([2, 3])]);
row('rsqrt', (a) => rsqrt(a), [pos([2, 3])]);
row('abs', (a) => abs(a), [away([2, 3])]);
row('tanh', (a) => tanh(a), [[2, 3]]);
row('sigmoid', (a) => sigmoid(a), [[2, 3]]);
row('relu', (a) => relu(a), [away([2, 3])]);
row('gelu', (a) => gelu(a), [[2, 3]]);
row('gelu', (a) => a.gelu({ approximate: 'tanh' }), [[2, 3]], { label: "approximate 'tanh'" });
row('square', (a) => square(a), [[2, 3]]);
row('clamp', (a) => clamp(a, { min: -0.5, max: 0.5 }), [vals([-1, -0.3, 0.1, 0.4, 0.9, 2])]);
row('clamp', (a) => a.clamp({ min: 0.1 }), [vals([-1, 0.3, 0.05, 2])], { label: 'min only' });
row('clamp', (a) => a.clamp({ max: 0.1 }), [vals([-1, 0.3, 0.05, 2])], { label: 'max only' });
row(
  'where',
  (a, b) =>
    where(
      mask([
        [true, false, true],
        [false, false, true],
      ]),
      a,
      b,
    ),
  [[2, 3], [3]],
);
row('where', (a) => where(mask([[true], [false]]), a, 0), [[1, 3]], { label: 'cond [2,1], a [1,3], 0' });
row('maskedFill', (a) => a.maskedFill(mask([true, false, true]), -1), [[2, 3]]);
row('maskedFill', (a) => api.maskedFill(a, mask([[true], [false]]), 0), [[2, 3]], { label: 'mask [2,1]' });
row('cast', (a) => a.to('float32').square().to('float64'), [[2, 3]], {
  eps: 1e-3,
  atol: 1e-3,
  label: 'float64 -> float32 -> float64',
});
row('cast', (a) => api.cast(a, 'float64', true), [[2, 3]], { label: 'copy' });
row('clone', (a) => a.clone().mul(a), [[2, 3]]);
row('float', (a) => a.float().double(), [[3]], { eps: 1e-3, atol: 1e-3 });
row('double', (a) => a.double(), [[3]]);
row('to', (a) => a.to('float64'), [[3]]);

// ---- reductions ----
row('sum', (a) => sum(a), [[2, 3, 4]], { label: 'all' });
row('sum', (a) => sum(a, [0, 2], { keepdim: true }), [[2, 3, 4]], { label: 'dims [0,2] keepdim' });
row('sum', (a) => a.sum(-1), [[2, 3, 4]], { label: 'dim -1' });
row('mean', (a) => mean(a, [0, 2]), [[2, 3, 4]], { label: 'dims [0,2]' });
row('mean', (a) => a.mean(1, { keepdim: true }), [[2, 3, 4]], { label: 'dim 1 keepdim' });
row('mean', (a) => a.mean(), [[2, 3]], { label: 'all' });
row('variance', (a) => variance(a, 1, { correction: 0 }), [[2, 3, 4]], { label: 'dim 1 correction 0' });
row('variance', (a) => variance(a, [0, 2], { keepdim: true }), [[2, 3, 4]], {
  label: 'dims [0,2] keepdim unbiased',
});
row('var', (a) => a.var(undefined, { unbiased: false }), [[2, 3]], { label: 'all, unbiased false' });
row('std', (a) => std(a, 1, { correction: 2 }), [[2, 5, 3]], { label: 'dim 1 correction 2' });
row('std', (a) => a.std([0, 2], { keepdim: true }), [[2, 3, 4]], { label: 'dims [0,2] keepdim' });
row('std', (a) => a.std(), [[3, 4]], { label: 'all' });
row('logsumexp', (a) => logsumexp(a, [0, 2], { keepdim: true }), [[2, 3, 4]], {
  label: 'dims [0,2] keepdim',
});
row('logsumexp', (a) => a.logsumexp(1), [[2, 3, 4]], { label: 'dim 1' });
row('amax', (a) => amax(a, 1), [[2, 4, 3]], { label: 'dim 1' });
row('amax', (a) => a.amax([0, 2], { keepdim: true }), [[2, 4, 3]], { label: 'dims [0,2] keepdim' });
row(
  'amax',
  (a) => amax(a, 1),
  [
    vals([
      [1, 3, 3, -1],
      [2, 0, 0.5, 2],
    ]),
  ],
  { label: 'ties split evenly' },
);
row('amin', (a) => amin(a), [[3, 4]], { label: 'all' });
row(
  'amin',
  (a) => a.amin(0),
  [
    vals([
      [1, -3, 2],
      [1, -3, 5],
    ]),
  ],
  { label: 'ties split evenly' },
);
row('max', (a) => max(a, 1).values, [[2, 4, 3]], { label: 'dim 1 values' });
row('max', (a) => a.max(-1, { keepdim: true }).values, [[2, 4, 3]], { label: 'dim -1 keepdim' });
row('min', (a) => min(a, 0).values, [[3, 4]], { label: 'dim 0 values' });
row('softmax', (a) => softmax(a, -1), [[2, 3, 4]], { label: 'dim -1' });
row('softmax', (a) => a.softmax(1), [[2, 3, 4]], { label: 'dim 1' });
row('softmax', (a) => F.softmax(a, 0), [[3, 2]], { label: 'F, dim 0' });
row('logSoftmax', (a) => logSoftmax(a, -1), [[2, 3, 4]], { label: 'dim -1' });
row('logSoftmax', (a) => a.logSoftmax(0), [[3, 4]], { label: 'dim 0' });

// ---- shape and indexing (views) ----
row('reshape', (a) => reshape(a, [3, -1]).mul(a.reshape([3, 4])), [[2, 6]]);
row('view', (a) => a.view([4, 3]), [[2, 6]]);
row('flatten', (a) => flatten(a, 1), [[2, 3, 4]]);
row('squeeze', (a) => squeeze(a), [[2, 1, 3, 1]], { label: 'all' });
row('squeeze', (a) => a.squeeze(1), [[2, 1, 3]], { label: 'dim 1' });
row('unsqueeze', (a) => unsqueeze(a, 1).mul(vals([[1], [2]]).detach()), [[2, 3]]);
row('expand', (a) => expand(a, [2, 3, 4]), [[3, 1]]);
row('expand', (a) => a.expand([-1, 4]), [[3, 1]], { label: '-1 keeps a dim' });
row('broadcastTo', (a) => a.broadcastTo([2, 3]), [[3]]);
row('transpose', (a) => transpose(a, 0, 2), [[2, 3, 4]]);
row('mT', (a) => a.mT, [[2, 3, 4]]);
row('permute', (a) => permute(a, [2, 0, 1]), [[2, 3, 4]]);
row('narrow', (a) => narrow(a, 1, 1, 2), [[2, 4, 3]]);
row('narrow', (a) => a.narrow(-1, -2, 2), [[2, 4]], { label: 'negative start' });
row('slice', (a) => slice(a, 1, { start: 1, step: 2 }), [[2, 6, 2]], { label: 'step 2' });
row('slice', (a) => a.slice(0, { start: -3, end: -1 }), [[5, 2]], { label: 'negative bounds' });
row('indexSelect', (a) => indexSelect(a, 1, idx([2, 0, 2, -1])), [[2, 3, 2]], {
  label: 'repeated and negative indices',
});
row('indexSelect', (a) => a.indexSelect(0, idx([1])), [[3, 2]]);
row(
  'gather',
  (a) =>
    gather(
      a,
      1,
      idx([
        [0, 2, 2],
        [1, 1, 0],
      ]),
    ),
  [[2, 3]],
  { label: 'dim 1, repeats' },
);
row('gather', (a) => a.gather(0, idx([[[1], [0]]])), [[2, 2, 3]], { label: 'dim 0, smaller index' });
row('cat', (a, b, c) => cat([a, b, c], 1), [
  [2, 1, 3],
  [2, 2, 3],
  [2, 1, 3],
]);
row(
  'cat',
  (a, b) => cat([a, b]),
  [
    [1, 2],
    [3, 2],
  ],
  { label: 'dim 0' },
);
row('stack', (a, b) => stack([a, b], 1), [
  [2, 3],
  [2, 3],
]);
row('stack', (a, b) => stack([a, b], -1), [[2], [2]], { label: 'dim -1' });
row('split', (a) => split(a, [1, 2], 1), [[2, 3, 2]], { label: 'sizes [1,2]' });
row('split', (a) => a.split(2), [[5, 2]], { label: 'size 2' });
row('chunk', (a) => chunk(a, 3, 1), [[2, 7]]);
row('chunk', (a) => a.chunk(2), [[4, 2]], { label: 'method' });
row('sumTo', (a) => sumTo(a, [3, 1]), [[2, 3, 4]]);

// ---- linear algebra, sorting ----
row('matmul', (a, b) => matmul(a, b), [[4], [4]], { label: '1-D . 1-D' });
row('matmul', (a, b) => matmul(a, b), [[3, 4], [4]], { label: '2-D . 1-D' });
row('matmul', (a, b) => matmul(a, b), [[4], [4, 3]], { label: '1-D . 2-D' });
row(
  'matmul',
  (a, b) => a.matmul(b),
  [
    [3, 4],
    [4, 5],
  ],
  { label: '2-D . 2-D' },
);
row('matmul', (a, b) => matmul(a, b), [[4], [2, 4, 3]], { label: '1-D . 3-D' });
row('matmul', (a, b) => matmul(a, b), [[2, 3, 4], [4]], { label: '3-D . 1-D' });
row(
  'matmul',
  (a, b) => matmul(a, b),
  [
    [2, 3, 4],
    [4, 5],
  ],
  { label: '3-D . 2-D' },
);
row(
  'matmul',
  (a, b) => matmul(a, b),
  [
    [2, 1, 3, 4],
    [3, 4, 2],
  ],
  { label: 'batch broadcast [2,1]x[3]' },
);
row(
  'matmul',
  (a, b) => matmul(a, b),
  [
    [17, 20],
    [20, 15],
  ],
  { label: 'packed gemm path' },
);
row('bmm', (a, b) => bmm(a, b), [
  [2, 3, 4],
  [2, 4, 2],
]);
row(
  'bmm',
  (a, b) => a.bmm(b),
  [
    [3, 2, 1],
    [3, 1, 2],
  ],
  { label: 'method' },
);
row('topk', (a) => topk(a, 2).values, [[3, 5]], { label: 'largest, dim -1' });
row('topk', (a) => a.topk(2, { dim: 0, largest: false }).values, [[4, 3]], { label: 'smallest, dim 0' });
row('sort', (a) => sort(a).values, [[3, 4]], { label: 'ascending' });
row('sort', (a) => a.sort({ dim: 0, descending: true }).values, [[4, 3]], { label: 'descending dim 0' });
row('linear', (x, w, b) => F.linear(x, w, b), [[3, 4], [5, 4], [5]], { label: 'with bias' });
row(
  'linear',
  (x, w) => F.linear(x, w),
  [
    [2, 3, 4],
    [2, 4],
  ],
  { label: '3-D input, no bias' },
);
row('linear', (x, w, b) => F.linear(x, w, b), [[4], [2, 4], [2]], { label: '1-D input' });
for (const reduction of ['mean', 'sum', 'none'] as const) {
  row(
    'mseLoss',
    (x, t) => F.mseLoss(x, t, { reduction }),
    [
      [3, 4],
      [3, 4],
    ],
    { label: `reduction ${reduction}` },
  );
}
row('dropout', (x) => F.dropout(x, { p: 0.3, generator: 7 }), [[4, 5]], { label: 'p 0.3, seed 7' });
row('relu', (a) => F.relu(a), [away([3])], { label: 'F' });
row('sigmoid', (a) => F.sigmoid(a), [[3]], { label: 'F' });
row('tanh', (a) => F.tanh(a), [[3]], { label: 'F' });
row('gelu', (a) => F.gelu(a, { approximate: 'tanh' }), [[3]], { label: 'F tanh' });
row(
  'layerNorm',
  (x, w, b) => F.layerNorm(x, [3, 4], { weight: w, bias: b }),
  [
    [2, 3, 4],
    [3, 4],
    [3, 4],
  ],
  { label: 'affine, 2 dims' },
);
row(
  'batchNorm',
  (x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }),
  [[3, 2, 4], [2], [2]],
  { label: 'training [N,C,L]' },
);
row(
  'conv2d',
  (x, w, b) => F.conv2d(x, w, { bias: b, stride: 2, padding: 1, groups: 2 }),
  [[2, 4, 5, 5], [2, 2, 3, 3], [2]],
  { label: 'stride 2, pad 1, groups 2' },
);
for (const mode of ['constant', 'reflect', 'replicate', 'circular'] as const) {
  row('pad', (x) => F.pad(x, mode === 'constant' ? [2, -1, 0, 1] : [2, 1, 1, 2], { mode }), [[2, 3, 4]], {
    label: mode,
  });
}
row(
  'conv2d',
  (x, w) => F.conv2d(F.pad(x, [1, 1, 2, 0], { mode: 'reflect' }), w),
  [
    [1, 2, 4, 4],
    [3, 2, 3, 3],
  ],
  { label: 'after a reflect pad (nn.Conv2d paddingMode)' },
);
row(
  'scaledDotProductAttention',
  (q, k, v) =>
    Object.values(
      F.scaledDotProductAttention(q, k, v, {
        blockMask: mask([
          [false, true, false],
          [true, true, true],
        ]),
      }),
    ),
  [
    [2, 2, 4],
    [2, 3, 4],
    [2, 3, 2],
  ],
  { label: 'blockMask with a fully masked row, output and weights' },
);
row(
  'scaledDotProductAttention',
  (q, k, v, b) => F.scaledDotProductAttention(q, k, v, { bias: b, isCausal: true }).output,
  [
    [2, 1, 3, 4],
    [2, 3, 4],
    [3, 2],
    [3, 3],
  ],
  { label: 'bias + causal, broadcast k/v' },
);

row('mlpObjective', (p, y) => api.mlpObjective(p, y), [
  [4, 2],
  [4, 2],
]);

// ---- composites: several ops in one graph ----
row(
  'softmax',
  (q, k) => softmax(matmul(q, k.mT).div(2), -1).sum(0),
  [
    [3, 4],
    [5, 4],
  ],
  { label: 'attention scores' },
);

function materialize(spec: InputSpec, g: Generator): Tensor {
  if (spec instanceof Tensor) return spec;
  const shape = specShape(spec);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if ('kind' in spec && spec.kind === 'pos') data[i] = g.uniform(0.5, 2);
    else if ('kind' in spec) data[i] = g.uniform(0.2, 2) * (g.random() < 0.5 ? -1 : 1);
    else data[i] = g.normal();
  }
  return new Tensor(data, shape).requiresGrad_();
}

describe('gradcheck table', () => {
  it.each(ROWS.map((r, i) => [`${r.op} ${r.label}`, i] as const))('%s', (_name, i) => {
    const r = ROWS[i];
    const g = new Generator(1000 + i);
    const inputs = r.inputs.map((s) => materialize(s, g));
    expect(gradcheck(r.fn, inputs, { seed: i, ...r.opts })).toBe(true);
  });
});

// ---- meta-test: every differentiable export has a row ----

/** Exports and Tensor members that have no gradient (creation, comparisons, indices, plumbing). */
const NOT_DIFFERENTIABLE = new Set([
  // creation and randomness
  'tensor',
  'zeros',
  'ones',
  'full',
  'arange',
  'linspace',
  'eye',
  'rand',
  'randn',
  'randint',
  'zerosLike',
  'onesLike',
  'fullLike',
  'randLike',
  'randnLike',
  'randintLike',
  'manualSeed',
  // boolean or integer results
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'logicalAnd',
  'logicalOr',
  'logicalNot',
  'isnan',
  'isfinite',
  'sign',
  'argmax',
  'argmin',
  'argsort',
  // autograd plumbing
  'gradcheck',
  'noGrad',
  'setGradEnabled',
  'isGradEnabled',
  // backend configuration
  'backend',
  'setBackend',
  'getNumThreads',
  'setNumThreads',
  'initBackend',
  'threadsSupported',
  // memory management
  'tidy',
  'keep',
  'dispose',
  'memoryInfo',
  'setMemoryPoolLimit',
  'setResidentLimit',
  'emptyMemoryPool',
  // algorithms, data and metrics (they call ops, but are not ops; metrics return numbers)
  'kmeans',
  'kmeansSteps',
  'beamSearch',
  'beamSearchSteps',
  'beamSearchTable',
  'markovOptimum',
  'markovStep',
  'greedy',
  'sample',
  'batches',
  'loadCaliforniaHousing',
  'loadCsv',
  'parseCsv',
  'trainTestSplit',
  'lstsq',
  'adjustedRandIndex',
  'mae',
  'mse',
  'r2',
  'rmse',
  'drain',
  'supervisedTask',
  'train',
  'trainSteps',
  // Tensor members that are not ops
  'constructor',
  'data',
  'isDisposed',
  'size',
  'ndim',
  'isLeaf',
  'item',
  'toArray',
  'toString',
  'detach',
  'requiresGrad_',
  'retainGrad',
  'backward',
  'zeroGrad',
]);

function isClass(f: unknown): boolean {
  return typeof f === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(f));
}

/** [qualified name, bare name, value] of every public function and Tensor member. */
function publicFunctions(): [string, string, unknown][] {
  const out: [string, string, unknown][] = [];
  for (const [name, v] of Object.entries(api)) {
    if (typeof v === 'function' && !isClass(v)) out.push([name, name, v]);
  }
  for (const [name, v] of Object.entries(api.F)) {
    if (typeof v === 'function' && !isClass(v)) out.push([`F.${name}`, name, v]);
  }
  for (const name of Object.getOwnPropertyNames(Tensor.prototype)) {
    out.push([`Tensor#${name}`, name, Object.getOwnPropertyDescriptor(Tensor.prototype, name)]);
  }
  return out;
}

describe('gradcheck table coverage', () => {
  it('has a row for every differentiable public function (or lists it as not differentiable)', () => {
    const covered = new Set(ROWS.map((r) => r.op));
    // an alias (broadcastTo = expand, var_ = variance) is covered by a row of the same function
    const coveredFns = new Set(
      publicFunctions()
        .filter(([, bare]) => covered.has(bare))
        .map(([, , v]) => v),
    );
    const missing = publicFunctions()
      .filter(([, bare, v]) => !covered.has(bare) && !NOT_DIFFERENTIABLE.has(bare) && !coveredFns.has(v))
      .map(([q]) => q);
    expect(
      missing,
      `add a row('<name>', ...) to test/gradcheck.test.ts for each of these, or list it in NOT_DIFFERENTIABLE there if it has no gradient: ${missing.join(', ')}`,
    ).toEqual([]);
  });

  it('lists no stale names', () => {
    const names = new Set(publicFunctions().map(([, bare]) => bare));
    const stale = [...NOT_DIFFERENTIABLE, ...ROWS.map((r) => r.op)].filter((n) => !names.has(n));
    expect(stale, 'these names are not exported any more').toEqual([]);
  });
});
