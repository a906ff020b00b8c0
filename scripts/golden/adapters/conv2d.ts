// Golden adapter for `conv2d` (golden/conv2d.json) via F.conv2d.
// x: [N, C, H, W], weight: [O, C/groups, kh, kw], bias: [O] (absent in some cases) -> y: [N, O, OH, OW].
// params: stride, dilation as [h, w]; padding [h, w] | 'same' | 'valid'; groups. All go to F.conv2d
// as given, which takes torch's forms (one number for both sides too), validates them and has
// torch's defaults for absent ones.
// Gradients are upstream-based (sum(y * upstream.y) into x, weight, bias).

import { F } from '../../../src/index.js';
import type { OpAdapter } from '../types.js';
import { caseInputs, need } from '../util.js';

const adapter: OpAdapter = {
  op: 'conv2d',
  run(c, ctx) {
    const inputs = caseInputs(c, ctx, { requiresGrad: true });
    // absent or null (Python's None): F.conv2d's default
    const given = <T>(key: string) => (c.params[key] ?? undefined) as T | undefined;
    const y = F.conv2d(need(inputs, 'x', c), need(inputs, 'weight', c), {
      bias: inputs.bias ?? null,
      stride: given<F.Pair>('stride'),
      dilation: given<F.Pair>('dilation'),
      padding: given<F.Padding>('padding'),
      groups: given<number>('groups'),
    });
    return { outputs: { y }, gradInputs: inputs };
  },
};

export default adapter;
