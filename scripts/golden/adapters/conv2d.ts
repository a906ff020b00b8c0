// Golden adapter for `conv2d` (golden/conv2d.json) via F.conv2d.
// x: [N, C, H, W], weight: [O, C/groups, kh, kw], bias: [O] (absent in some cases) -> y: [N, O, OH, OW].
// params: stride, dilation as [h, w]; padding [h, w] | 'same' | 'valid'; groups.
// Gradients are upstream-based (sum(y * upstream.y) into x, weight, bias).

import { ArgumentError, F } from '../../../src/index.js';
import type { GoldenCase, OpAdapter } from '../types.js';
import { caseInputs, need, param } from '../util.js';

function padding(c: GoldenCase): F.Padding {
  const p = c.params.padding;
  if (p === 'same' || p === 'valid') return p;
  if (Array.isArray(p) && p.length === 2) return [p[0], p[1]];
  throw new ArgumentError(
    `golden ${c.name}: param 'padding' is ${JSON.stringify(p)} (expected [h, w], 'same' or 'valid')`,
  );
}

function pair(c: GoldenCase, key: string): [number, number] {
  const v = param(c, key, 'number[]', [1, 1]);
  return [v[0], v[1]];
}

const adapter: OpAdapter = {
  op: 'conv2d',
  run(c, ctx) {
    const inputs = caseInputs(c, ctx, { requiresGrad: true });
    const y = F.conv2d(need(inputs, 'x', c), need(inputs, 'weight', c), {
      bias: inputs.bias ?? null,
      stride: pair(c, 'stride'),
      dilation: pair(c, 'dilation'),
      padding: padding(c),
      groups: param(c, 'groups', 'number', 1),
    });
    return { outputs: { y }, gradInputs: inputs };
  },
};

export default adapter;
