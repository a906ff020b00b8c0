// Golden adapter for `mha` (golden/mha.json): nn.MultiheadAttention with the fixture's PyTorch
// state dict loaded by name. query [B, Lq, E], key [B, Lk, kdim], value [B, Lk, vdim] -> output
// [B, Lq, E], weights [B, Lq, Lk] (averaged) or [B, H, Lq, Lk]. Gradients flow to query, key,
// value and the module's own parameter tensors, returned under the fixture's names.

import { nn } from '../../../src/index.js';
import type { OpAdapter } from '../types.js';
import { caseInputs, need, param } from '../util.js';

const adapter: OpAdapter = {
  op: 'mha',
  run(c, ctx) {
    const inputs = caseInputs(c, ctx, { requiresGrad: true });
    const [query, key, value] = ['query', 'key', 'value'].map((name) => need(inputs, name, c));
    // embedDim, kdim and vdim default to the last dims of query, key and value
    const E = param(c, 'embedDim', 'number', query.shape[query.ndim - 1]);
    const mha = new nn.MultiheadAttention(E, param(c, 'numHeads', 'number'), {
      kdim: param(c, 'kdim', 'number', key.shape[key.ndim - 1]),
      vdim: param(c, 'vdim', 'number', value.shape[value.ndim - 1]),
      dtype: ctx.dtype,
    });
    const params = mha.namedParameters();
    mha.loadStateDict(Object.fromEntries(params.map(([name]) => [name, need(inputs, name, c)])));
    const { output, weights } = mha.forward(query, key, value, {
      keyPaddingMask: inputs.keyPaddingMask ?? null,
      attnMask: inputs.attnMask ?? null,
      averageAttnWeights: param(c, 'averageAttnWeights', 'boolean', true),
    });
    return { outputs: { output, weights }, gradInputs: { query, key, value, ...Object.fromEntries(params) } };
  },
};

export default adapter;
