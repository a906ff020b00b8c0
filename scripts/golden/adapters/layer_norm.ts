// Golden adapter for `layer_norm` (golden/layer_norm.json) via F.layerNorm.
// x: [..., *normalizedShape], weight/bias: normalizedShape (absent in 'no_affine') -> y: x's shape.
// Gradients are upstream-based (sum(y * upstream.y) into x, weight, bias).
// A case is float64-only when float32 cannot even hold its inputs to the float32 tolerance: the
// fixture README's 'large_offset' cases (mean ~1e4, std ~1) round at ~1e-3 relative to their
// spread. The rule reads the data (|mean| / std of a normalised group above 1e3), not the name.

import { F } from '../../../src/index.js';
import type { GoldenCase, OpAdapter } from '../types.js';
import { caseInputs, need, param } from '../util.js';

// float32 keeps 24 bits: an input of size |mean| rounds by ~6e-8 |mean|, which is more than the
// 1e-4 tolerance of the normalised output once |mean| / std > ~1.7e3.
const FLOAT32_OFFSET_LIMIT = 1e3;

/** params.normalizedShape: a list, or one number as torch takes it (absent: the weight's shape). */
function normalizedShape(c: GoldenCase): number[] {
  const v = c.params.normalizedShape;
  if (typeof v === 'number') return [v];
  if (v === undefined && c.inputs.weight) return [...c.inputs.weight.shape];
  return param(c, 'normalizedShape', 'number[]');
}

function largeOffset(c: GoldenCase): boolean {
  const x = c.inputs.x;
  const group = normalizedShape(c).reduce((a, b) => a * b, 1);
  if (!x || group < 2) return false;
  for (let g = 0; g + group <= x.data.length; g += group) {
    let mean = 0;
    for (let i = 0; i < group; i++) mean += x.data[g + i];
    mean /= group;
    let ss = 0;
    for (let i = 0; i < group; i++) ss += (x.data[g + i] - mean) ** 2;
    const std = Math.sqrt(ss / group);
    if (std > 0 && Math.abs(mean) > FLOAT32_OFFSET_LIMIT * std) return true;
  }
  return false;
}

const adapter: OpAdapter = {
  op: 'layer_norm',
  float64Only: largeOffset,
  run(c, ctx) {
    const inputs = caseInputs(c, ctx, { requiresGrad: true });
    const y = F.layerNorm(need(inputs, 'x', c), normalizedShape(c), {
      weight: inputs.weight ?? null,
      bias: inputs.bias ?? null,
      eps: param(c, 'eps', 'number', 1e-5),
    });
    return { outputs: { y }, gradInputs: inputs };
  },
};

export default adapter;
