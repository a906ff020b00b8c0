// Attention demo: the seed's scaled dot-product attention softmax(q k^T / sqrt(D)) v on q, k, v
// [2, 6, 8], then a causal mask, a padding mask, PyTorch's two opposite boolean conventions, a
// fully masked query row (NaN in the textbook, zeros here), and the fused backward against the
// same computation composed from primitive ops. Heatmaps of the weights.

import { arange, F, Generator, randn, type Tensor, tensor } from '../../index.js';
import type { DemoIO, DemoOptions, DemoSummary } from '../demo.js';
import { fmtDims, fmtNum, indent } from '../format.js';
import { causalMask, maxAbs, maxAbsDiff, paddingMask, toMatrix } from '../helpers.js';

const B = 2;
const L = 6;
const D = 8;

/** The textbook attention, op by op: the seed's code. mask: true = may not attend. */
function textbookAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  mask: Tensor | null,
): { output: Tensor; weights: Tensor } {
  let scores = q.matmul(k.mT).div(Math.sqrt(q.shape[q.ndim - 1]));
  if (mask) scores = scores.maskedFill(mask, Number.NEGATIVE_INFINITY);
  const weights = scores.softmax(-1);
  return { output: weights.matmul(v), weights };
}

/** The attention demo. */
export async function run(opts: DemoOptions, io: DemoIO): Promise<DemoSummary> {
  const gen = new Generator(opts.seed);
  const q = randn([B, L, D], { generator: gen });
  const k = randn([B, L, D], { generator: gen });
  const v = randn([B, L, D], { generator: gen });

  io.section(`the seed's attention: q, k, v [${B}, ${L}, ${D}] -> softmax(q k^T / sqrt(${D})) v`);
  const plain = F.scaledDotProductAttention(q, k, v);
  io.log(`output ${fmtDims(plain.output.shape)}, weights ${fmtDims(plain.weights.shape)}`);
  io.log(`weights of batch item 0 =\n${indent(tensor(toMatrix(plain.weights, 0)).toString())}`);
  const rowSums = plain.weights.sum(-1);
  io.log(`every row sums to 1: max |sum - 1| = ${fmtNum(maxAbs(rowSums.sub(1).data), 2)}`);
  const textbook = textbookAttention(q, k, v, null);
  io.log(
    `max |shousi - textbook| on the output: ${fmtNum(maxAbsDiff(plain.output.data, textbook.output.data), 2)}`,
  );

  io.section('causal mask (isCausal): query i sees keys 0..i only');
  const causal = F.scaledDotProductAttention(q, k, v, { isCausal: true });
  io.log(`weights of batch item 0 =\n${indent(tensor(toMatrix(causal.weights, 0)).toString())}`);

  io.section('padding mask: batch item 1 has 4 real tokens and 2 of padding');
  // blockMask [B, 1, Lk] broadcasts over the queries; true = this key may not be attended
  const blockMask = paddingMask([L, 4], L).reshape([B, 1, L]);
  const padded = F.scaledDotProductAttention(q, k, v, { blockMask });
  const keepSame = F.scaledDotProductAttention(q, k, v, { keepMask: blockMask.logicalNot() });
  const padWeight = maxAbs(padded.weights.narrow(0, 1, 1).narrow(2, 4, 2).data);
  io.log(
    `weight on the padded keys: ${fmtNum(padWeight)}; blockMask (nn.MultiheadAttention's convention) and`,
  );
  io.log(
    `keepMask = !blockMask (F.scaled_dot_product_attention's) agree: max diff ${fmtNum(maxAbsDiff(padded.output.data, keepSame.output.data))}`,
  );

  io.section('a query row with every key masked');
  const allMasked = arange(0, L, 1, { dtype: 'int32' }).reshape([L, 1]).eq(0).expand([L, L]); // row 0: every key hidden
  // The textbook softmax exp(s - max) / sum on that row: max = -inf, so exp(-inf - -inf) = exp(NaN).
  const scoresRow0 = Array.from(
    q.matmul(k.mT).div(Math.sqrt(D)).maskedFill(allMasked, Number.NEGATIVE_INFINITY).data.subarray(0, L),
  );
  const m = Math.max(...scoresRow0);
  const e = scoresRow0.map((s) => Math.exp(s - m));
  const naiveRow0 = e.map((x) => x / e.reduce((a, b) => a + b, 0));
  const qg = q.clone().detach().requiresGrad_();
  const ours = F.scaledDotProductAttention(qg, k, v, { blockMask: allMasked });
  ours.output.sum().backward();
  const gradFinite = maxAbs(qg.grad!.data) < Number.POSITIVE_INFINITY;
  const oursRow0 = Array.from(ours.output.data.subarray(0, D));
  io.log(
    `textbook softmax exp(s - max) / sum(...) of row 0: [${naiveRow0.map((x) => fmtNum(x)).join(', ')}]`,
  );
  io.log(
    `shousi: weights ${fmtNum(maxAbs(ours.weights.data.subarray(0, L)))}, output ${fmtNum(maxAbs(oursRow0))}; dq finite: ${gradFinite}`,
  );

  io.section('backward: one fused node vs the textbook graph of primitive ops');
  const grads = (graph: 'fused' | 'composed') => {
    const [qg, kg, vg] = [q, k, v].map((t) => t.clone().detach().requiresGrad_());
    const out =
      graph === 'fused'
        ? F.scaledDotProductAttention(qg, kg, vg, { isCausal: true }).output
        : textbookAttention(qg, kg, vg, causalMask(L)).output;
    out.square().sum().backward();
    return [qg.grad!, kg.grad!, vg.grad!];
  };
  const gf = grads('fused');
  const gt = grads('composed');
  const gradDiff = Math.max(...gf.map((g, i) => maxAbsDiff(g.data, gt[i].data)));
  io.log(`max |dq, dk, dv fused - composed| = ${fmtNum(gradDiff, 3)} (float32)`);

  const panel = (name: string, w: Tensor, b: number) => ({ name, values: toMatrix(w, b) });
  await io.plot('attention-weights', {
    kind: 'heatmap',
    title: 'Scaled dot-product attention weights',
    subtitle: `q, k, v [${B}, ${L}, ${D}]; rows are queries, columns keys, each row sums to 1`,
    xLabel: 'key position',
    yLabel: 'query position',
    colorLabel: 'weight',
    showValues: true,
    panels: [
      panel('no mask (item 0)', plain.weights, 0),
      panel('causal (item 0)', causal.weights, 0),
      panel('padding: 4 real keys (item 1)', padded.weights, 1),
    ],
  });

  return io.finish(
    `attention [${B},${L},${D}]: rows sum to 1, causal and padding masks give exact zeros, a fully masked row gives 0 ` +
      `(textbook: NaN); fused backward matches the composed one to ${fmtNum(gradDiff, 2)}`,
    {
      outputShape: [...plain.output.shape],
      rowSumMaxErr: maxAbs(rowSums.sub(1).data),
      paddedKeyWeight: padWeight,
      textbookFullyMaskedIsNaN: naiveRow0.some(Number.isNaN),
      fullyMaskedOutputMaxAbs: maxAbs(oursRow0),
      fullyMaskedGradFinite: gradFinite,
      gradMaxDiff: gradDiff,
    },
  );
}
