// Golden adapter for `self_attention` (golden/self_attention.json): nn.SelfAttention with the
// fixture's PyTorch state dict loaded by name. x [B, L, E] -> output [B, L, E], weights [B, L, L]
// averaged over heads. Gradients flow to x (all three paths) and the module's parameter tensors.

import { nn } from '../../../src/index.js';
import type { OpAdapter } from '../types.js';
import { caseInputs, need, param } from '../util.js';

const adapter: OpAdapter = {
  op: 'self_attention',
  run(c, ctx) {
    const inputs = caseInputs(c, ctx, { requiresGrad: true });
    const x = need(inputs, 'x', c);
    const E = param(c, 'embedDim', 'number', x.shape[x.ndim - 1]);
    const attn = new nn.SelfAttention(E, param(c, 'numHeads', 'number'), {
      causal: param(c, 'isCausal', 'boolean', false),
      dtype: ctx.dtype,
    });
    const params = attn.namedParameters();
    attn.loadStateDict(Object.fromEntries(params.map(([name]) => [name, need(inputs, name, c)])));
    const { output, weights } = attn.forward(x);
    return { outputs: { output, weights }, gradInputs: { x, ...Object.fromEntries(params) } };
  },
};

export default adapter;
