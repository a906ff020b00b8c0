// Golden adapter for `batch_norm` (golden/batch_norm.json) via nn.BatchNorm1d / nn.BatchNorm2d.
// A module (running stats 0 / 1, weight and bias from the inputs) runs in training mode on
// x0, x1, x2, then in eval mode on xEval; outputs y0..y2, the running statistics,
// numBatchesTracked (int32 []) and yEval. grads are not upstream-based on the whole sequence:
// a fresh module from the initial state runs one training forward on x0, and
// sum(y0 * upstream.y0) is backpropagated here into x0, weight, bias.

import { ArgumentError, nn, type Tensor } from '../../../src/index.js';
import type { GoldenCase, OpAdapter, RunContext } from '../types.js';
import { caseInputs, fromGolden, need, param } from '../util.js';

function makeModule(
  c: GoldenCase,
  ctx: RunContext,
  inputs: Record<string, Tensor>,
): nn.BatchNorm1d | nn.BatchNorm2d {
  // absent kind and numFeatures are read off x0 ([N, C] or [N, C, L]: 1d; [N, C, H, W]: 2d)
  const x0 = need(inputs, 'x0', c);
  const kind = param(c, 'kind', 'string', x0.ndim === 4 ? '2d' : '1d');
  if (kind !== '1d' && kind !== '2d')
    throw new ArgumentError(`golden ${c.name}: param 'kind' is ${kind} (expected 1d or 2d)`);
  const momentum = c.params.momentum === null ? null : param(c, 'momentum', 'number', 0.1);
  const affine = param(c, 'affine', 'boolean', true);
  const opts = { eps: param(c, 'eps', 'number', 1e-5), momentum, affine, dtype: ctx.dtype };
  const numFeatures = param(c, 'numFeatures', 'number', x0.shape[1]);
  const m = kind === '1d' ? new nn.BatchNorm1d(numFeatures, opts) : new nn.BatchNorm2d(numFeatures, opts);
  if (affine)
    m.loadStateDict({ weight: need(inputs, 'weight', c), bias: need(inputs, 'bias', c) }, { strict: false });
  return m;
}

const adapter: OpAdapter = {
  op: 'batch_norm',
  run(c, ctx) {
    const inputs = caseInputs(c, ctx);
    const m = makeModule(c, ctx, inputs);
    const [y0, y1, y2] = ['x0', 'x1', 'x2'].map((k) => m.forward(need(inputs, k, c)).detach());
    const { runningMean, runningVar, numBatchesTracked } = m;
    if (!runningMean || !runningVar || !numBatchesTracked)
      throw new ArgumentError('batch_norm: module tracks no running stats');
    const yEval = m
      .eval()
      .forward(need(inputs, 'xEval', c))
      .detach();
    const outputs = { y0, y1, y2, runningMean, runningVar, numBatchesTracked, yEval };
    if (!c.upstream?.y0) return { outputs };

    const fresh = makeModule(c, ctx, inputs);
    const x0 = need(inputs, 'x0', c).detach().requiresGrad_(true);
    fresh.forward(x0).backward(fromGolden(c.upstream.y0, ctx.dtype));
    const grads: Record<string, Tensor> = {};
    if (x0.grad) grads.x0 = x0.grad;
    if (fresh.weight?.grad) grads.weight = fresh.weight.grad;
    if (fresh.bias?.grad) grads.bias = fresh.bias.grad;
    return { outputs, grads };
  },
};

export default adapter;
