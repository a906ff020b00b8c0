// Golden adapter for `layer_norm` (golden/layer_norm.json) via F.layerNorm.
// x: [..., *normalizedShape], weight/bias: normalizedShape (absent in 'no_affine') -> y: x's shape.
// Gradients are upstream-based (sum(y * upstream.y) into x, weight, bias). The 'large_offset'
// cases (mean ~1e4, std ~1) are float64-only: in float32 the inputs themselves round at ~1e-3.

import { F } from '../../../src/index.js';
import type { OpAdapter } from '../types.js';
import { caseInputs, need, param } from '../util.js';

const adapter: OpAdapter = {
  op: 'layer_norm',
  float64Only: (c) => c.name.startsWith('large_offset'),
  run(c, ctx) {
    const inputs = caseInputs(c, ctx, { requiresGrad: true });
    const y = F.layerNorm(need(inputs, 'x', c), param(c, 'normalizedShape', 'number[]'), {
      weight: inputs.weight ?? null,
      bias: inputs.bias ?? null,
      eps: param(c, 'eps', 'number', 1e-5),
    });
    return { outputs: { y }, gradInputs: inputs };
  },
};

export default adapter;
