// LayerNorm demo: the seed's normalisation of each row of a [batch, seq, features] input, the
// statistics after it, an affine LayerNorm over the last two dims, the gradient's zero row sums,
// then the float32 large-offset case where the textbook variance breaks and ours does not.

import { Generator, nn, noGrad, randn } from '../../index.js';
import type { DemoIO, DemoOptions, DemoSummary } from '../demo.js';
import { fmtList, fmtNum, indent } from '../format.js';
import { maxAbs } from '../helpers.js';
import { precisionExperiment } from '../norm-precision.js';

/** The layernorm demo. */
export async function run(opts: DemoOptions, io: DemoIO): Promise<DemoSummary> {
  const gen = new Generator(opts.seed);

  io.section("LayerNorm over the last dim, the seed's setting: x [2, 3, 4]");
  const x = randn([2, 3, 4], { generator: gen });
  const ln = new nn.LayerNorm(4);
  const y = noGrad(() => ln.forward(x));
  io.log(`x =\n${indent(x.toString())}`);
  io.log(`y = nn.LayerNorm(4)(x) =\n${indent(y.toString())}`);
  const rowMean = y.mean(-1);
  const rowVar = y.var(-1, { correction: 0 });
  io.log(`mean of each row after normalisation:     ${fmtList(rowMean.data, 3)}`);
  io.log(`variance of each row (biased, as torch):  ${fmtList(rowVar.data, 6)}  (= var / (var + eps))`);

  io.section('over the last two dims with an affine transform: nn.LayerNorm([3, 4]), weight 2, bias 1');
  const ln2 = new nn.LayerNorm([3, 4]);
  noGrad(() => {
    ln2.weight!.data.fill(2);
    ln2.bias!.data.fill(1);
  });
  const y2 = noGrad(() => ln2.forward(x));
  const groupMean = y2.mean([1, 2]);
  const groupVar = y2.var([1, 2], { correction: 0 });
  io.log(
    `per-sample mean: ${fmtList(groupMean.data)} (the bias), variance: ${fmtList(groupVar.data)} (weight² = 4)`,
  );

  io.section('backward: the fused gradient of LayerNorm (no affine) sums to 0 over each row');
  const xg = x.clone().detach().requiresGrad_();
  const up = randn([2, 3, 4], { generator: gen });
  new nn.LayerNorm(4, { elementwiseAffine: false }).forward(xg).mul(up).sum().backward();
  const rowSums = xg.grad!.sum(-1);
  io.log(
    `dx row sums: max |.| = ${fmtNum(maxAbs(rowSums.data), 3)} (normalisation ignores a constant shift of the row)`,
  );

  io.section('float32, rows with mean = offset and std 1: the textbook E[x²] − E[x]² vs shousi');
  const precision = precisionExperiment('layer', gen);
  io.log(precision.table);
  io.log('(max abs error of the normalised float32 output against float64 on the same input)');
  await io.plot('layernorm-precision', {
    kind: 'line',
    title: 'LayerNorm in float32: error vs mean offset',
    subtitle: 'rows of 16 values, std 1; NaN/inf drawn at 10',
    xLabel: 'mean of the row (offset)',
    yLabel: 'max abs error vs float64',
    logX: true,
    logY: true,
    series: precision.series,
  });

  return io.finish(
    `LayerNorm rows -> mean ${fmtNum(maxAbs(rowMean.data), 2)}, var ${fmtNum(rowVar.data[0], 5)}; ` +
      precision.summary,
    {
      rowMeanMaxAbs: maxAbs(rowMean.data),
      rowVar: Array.from(rowVar.data),
      gradRowSumMaxAbs: maxAbs(rowSums.data),
      precision: precision.json,
    },
  );
}
