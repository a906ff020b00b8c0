// Golden adapter for `mse` (golden/mse.json): F.mseLoss with params.reduction ('mean' | 'sum');
// params.half = true (only with 'mean') is the seed's halfMse convention, 0.5 * mean((x - t)^2).
// input, target: same shape -> loss: []. grads.input is upstream-based (upstream.loss, a scalar).

import { ArgumentError, F } from '../../../src/index.js';
import type { OpAdapter } from '../types.js';
import { caseInputs, need, param } from '../util.js';

const adapter: OpAdapter = {
  op: 'mse',
  run(c, ctx) {
    const inputs = caseInputs(c, ctx, { requiresGrad: true });
    const reduction = param(c, 'reduction', 'string', 'mean');
    const half = param(c, 'half', 'boolean', false);
    if (reduction !== 'mean' && reduction !== 'sum') {
      throw new ArgumentError(`mse: reduction must be 'mean' or 'sum' in the fixtures, got ${reduction}`);
    }
    if (half && reduction !== 'mean')
      throw new ArgumentError(`mse: half applies to reduction 'mean' only, got ${reduction}`);
    const mse = F.mseLoss(need(inputs, 'input', c), need(inputs, 'target', c), { reduction });
    return { outputs: { loss: half ? mse.mul(0.5) : mse }, gradInputs: inputs };
  },
};

export default adapter;
