// Golden adapter for `sdpa` (golden/sdpa.json): F.scaledDotProductAttention. The fixtures'
// `mask` is true = masked out, which is shousi's blockMask. q: [..., Lq, D], k: [..., Lk, D],
// v: [..., Lk, Dv] -> output [..., Lq, Dv], weights [..., Lq, Lk]. Upstream-based grads for q, k, v
// (the fully masked case has none).

import { F } from '../../../src/index.js';
import type { OpAdapter } from '../types.js';
import { caseInputs, need, param } from '../util.js';

const adapter: OpAdapter = {
  op: 'sdpa',
  run(c, ctx) {
    const inputs = caseInputs(c, ctx, { requiresGrad: c.grads !== undefined });
    const [q, k, v] = ['q', 'k', 'v'].map((name) => need(inputs, name, c));
    const scale = c.params.scale == null ? null : param(c, 'scale', 'number'); // absent or None: 1/sqrt(D)
    const { output, weights } = F.scaledDotProductAttention(q, k, v, {
      blockMask: inputs.mask ?? null,
      isCausal: param(c, 'isCausal', 'boolean', false),
      scale,
    });
    return { outputs: { output, weights }, ...(c.grads ? { gradInputs: { q, k, v } } : {}) };
  },
};

export default adapter;
