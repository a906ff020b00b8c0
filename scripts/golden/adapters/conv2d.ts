// Golden adapter for `conv2d` (golden/conv2d.json) via F.conv2d.
// x: [N, C, H, W], weight: [O, C/groups, kh, kw], bias: [O] (absent in some cases) -> y: [N, O, OH, OW].
// params: stride, dilation as [h, w]; padding [h, w] | 'same' | 'valid'; groups. As torch, a single
// number also stands for both sides, and an absent padding is 0.
// Gradients are upstream-based (sum(y * upstream.y) into x, weight, bias).

import { ArgumentError, F } from '../../../src/index.js';
import type { GoldenCase, OpAdapter } from '../types.js';
import { caseInputs, need, param } from '../util.js';

function padding(c: GoldenCase): F.Padding {
  const p = c.params.padding ?? 0;
  if (p === 'same' || p === 'valid') return p;
  return pair(c, 'padding', p);
}

/** params[key] as [h, w]: a pair, or one number for both. */
function pair(c: GoldenCase, key: string, v: unknown): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0], v[1]];
  throw new ArgumentError(
    `golden ${c.name}: param '${key}' is ${JSON.stringify(v)} (expected [h, w] or a number${key === 'padding' ? ", 'same' or 'valid'" : ''})`,
  );
}

const adapter: OpAdapter = {
  op: 'conv2d',
  run(c, ctx) {
    const inputs = caseInputs(c, ctx, { requiresGrad: true });
    const y = F.conv2d(need(inputs, 'x', c), need(inputs, 'weight', c), {
      bias: inputs.bias ?? null,
      stride: pair(c, 'stride', c.params.stride ?? 1),
      dilation: pair(c, 'dilation', c.params.dilation ?? 1),
      padding: padding(c),
      groups: param(c, 'groups', 'number', 1),
    });
    return { outputs: { y }, gradInputs: inputs };
  },
};

export default adapter;
