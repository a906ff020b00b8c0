// Golden adapter for `linear` (golden/linear.json): y = x @ weight^T + bias via F.linear.
// x: [*, in], weight: [out, in], bias: [out] (absent in some cases) -> y: [*, out].
// Gradients are upstream-based: the runner backpropagates sum(y * upstream.y) into x, weight, bias.

import { F } from '../../../src/index.js';
import type { OpAdapter } from '../types.js';
import { caseInputs, need } from '../util.js';

const adapter: OpAdapter = {
  op: 'linear',
  run(c, ctx) {
    const inputs = caseInputs(c, ctx, { requiresGrad: true });
    const y = F.linear(need(inputs, 'x', c), need(inputs, 'weight', c), inputs.bias ?? null);
    return { outputs: { y }, gradInputs: inputs };
  },
};

export default adapter;
