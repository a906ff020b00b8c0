// Self-attention demo: nn.SelfAttention on the seed's [batch, length, embed] sequence, the same
// module made causal (a change to a later token leaves every earlier output untouched), the
// identity with MultiheadAttention(x, x, x) under one state dict, and the gradient of x summing
// the query, key and value paths. Heatmaps of the head-averaged weights.

import { Generator, nn, noGrad, randn } from '../../index.js';
import type { DemoIO, DemoOptions, DemoSummary } from '../demo.js';
import { fmtDims, fmtList, fmtNum, indent } from '../format.js';
import { maxAbs, maxAbsDiff, toMatrix } from '../helpers.js';

const B = 2;
const L = 6;
const E = 8;
const H = 2;

/** max |a - b| over the first `upTo` positions of [B, L, E] outputs. */
function diffBefore(a: Float32Array | Float64Array, b: Float32Array | Float64Array, upTo: number): number {
  let m = 0;
  for (let bi = 0; bi < B; bi++) {
    const off = bi * L * E;
    m = Math.max(m, maxAbsDiff(a.subarray(off, off + upTo * E), b.subarray(off, off + upTo * E)));
  }
  return m;
}

/** The self-attention demo. */
export async function run(opts: DemoOptions, io: DemoIO): Promise<DemoSummary> {
  const gen = new Generator(opts.seed);
  const x = randn([B, L, E], { generator: gen });
  const sa = new nn.SelfAttention(E, H, { generator: gen });
  const causal = new nn.SelfAttention(E, H, { causal: true });
  causal.loadStateDict(sa.stateDict());

  io.section(`nn.SelfAttention(${E}, ${H}) on x [${B}, ${L}, ${E}]: query = key = value = x`);
  const out = noGrad(() => sa.forward(x));
  io.log(`output ${fmtDims(out.output.shape)}, weights ${fmtDims(out.weights.shape)} (averaged over heads)`);
  io.log(`output of item 0 =\n${indent(out.output.narrow(0, 0, 1).toString())}`);

  io.section('causal: change the last token and watch which outputs move');
  const outC = noGrad(() => causal.forward(x));
  const x2 = x.clone();
  for (let b = 0; b < B; b++) for (let e = 0; e < E; e++) x2.data[(b * L + L - 1) * E + e] += 5;
  const moved = noGrad(() => sa.forward(x2)).output;
  const movedC = noGrad(() => causal.forward(x2)).output;
  const nonCausalShift = diffBefore(out.output.data as Float32Array, moved.data as Float32Array, L - 1);
  const causalShift = diffBefore(outC.output.data as Float32Array, movedC.data as Float32Array, L - 1);
  io.log(
    `outputs at positions 0..${L - 2}: move by ${fmtNum(nonCausalShift)} without the mask, by ${fmtNum(causalShift)} with it`,
  );

  io.section('the same parameters in nn.MultiheadAttention(x, x, x)');
  const mha = new nn.MultiheadAttention(E, H);
  mha.loadStateDict(sa.stateDict());
  const viaMha = noGrad(() => mha.forward(x, x, x)).output;
  const sameDiff = maxAbsDiff(viaMha.data, out.output.data);
  io.log(`max |SelfAttention(x) - MultiheadAttention(x, x, x)| = ${fmtNum(sameDiff)}`);

  io.section('backward: x feeds the query, key and value projections; its gradient sums all three');
  const xg = x.clone().detach().requiresGrad_();
  sa.forward(xg).output.square().sum().backward();
  const grad = xg.grad!;
  // the three paths one at a time: x requires grad in one role, a detached copy fills the others
  const paths = [0, 1, 2].map((role) => {
    const xs = [0, 1, 2].map((r) => (r === role ? x.clone().detach().requiresGrad_() : x));
    mha.forward(xs[0], xs[1], xs[2]).output.square().sum().backward();
    return xs[role].grad!;
  });
  const pathSum = paths[0].add(paths[1]).add(paths[2]);
  const pathDiff = maxAbsDiff(pathSum.data, grad.data);
  io.log(
    `dx ${fmtDims(grad.shape)}; |dx via query|, |via key|, |via value| = ${fmtList(
      paths.map((p) => maxAbs(p.data)),
      3,
    )}`,
  );
  io.log(`max |dx - (dx_query + dx_key + dx_value)| = ${fmtNum(pathDiff, 2)}`);

  await io.plot('self-attention-weights', {
    kind: 'heatmap',
    title: 'Self-attention weights (mean over heads)',
    subtitle: `nn.SelfAttention(${E}, ${H}) on x [${B}, ${L}, ${E}], batch item 0`,
    xLabel: 'key position',
    yLabel: 'query position',
    colorLabel: 'weight',
    showValues: true,
    panels: [
      { name: 'bidirectional', values: toMatrix(out.weights, 0) },
      { name: 'causal', values: toMatrix(outC.weights, 0) },
    ],
  });

  return io.finish(
    `SelfAttention E=${E}, H=${H} on [${B},${L},${E}]: causal outputs unmoved by a later token (${fmtNum(causalShift)}), ` +
      `equal to MultiheadAttention(x, x, x) (${fmtNum(sameDiff)})`,
    {
      outputShape: [...out.output.shape],
      weightsShape: [...out.weights.shape],
      nonCausalShift,
      causalShift,
      mhaDiff: sameDiff,
      gradShape: [...grad.shape],
      gradPathSumDiff: pathDiff,
    },
  );
}
