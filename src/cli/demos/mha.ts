// Multi-head attention demo: nn.MultiheadAttention in torch.nn.MultiheadAttention's layout on
// the seed's [batch, length, embed] input, per-head and averaged weights, cross-attention,
// key-padding plus causal masks, the seed's general form (free head and output sizes), and a
// state dict round trip through plain arrays. Heatmaps per head.

import { Generator, type NestedArray, nn, noGrad, randn } from '../../index.js';
import type { DemoIO, DemoOptions, DemoSummary } from '../demo.js';
import { fmtDims, fmtNum } from '../format.js';
import { causalMask, maxAbs, maxAbsDiff, paddingMask, toMatrix } from '../helpers.js';

const B = 2;
const L = 6;
const E = 16;
const H = 4;

/** The mha demo. */
export async function run(opts: DemoOptions, io: DemoIO): Promise<DemoSummary> {
  const gen = new Generator(opts.seed);
  const mha = new nn.MultiheadAttention(E, H, { generator: gen });
  const x = randn([B, L, E], { generator: gen });

  io.section(`nn.MultiheadAttention(${E}, ${H}) on query = key = value [${B}, ${L}, ${E}]`);
  const avg = noGrad(() => mha.forward(x, x, x));
  const perHead = noGrad(() => mha.forward(x, x, x, { averageAttnWeights: false }));
  io.log(
    `output ${fmtDims(avg.output.shape)}, weights averaged over heads ${fmtDims(avg.weights.shape)}, per head ${fmtDims(perHead.weights.shape)}`,
  );
  const avgDiff = maxAbsDiff(avg.weights.data, perHead.weights.mean(1).data);
  io.log(
    `averaged weights = mean of the per-head weights: max diff ${fmtNum(avgDiff, 2)}; softmax scale 1/sqrt(${E / H})`,
  );
  io.log('parameters, named as in PyTorch:');
  for (const [name, p] of mha.namedParameters()) io.log(`  ${name.padEnd(16)} ${fmtDims(p.shape)}`);

  io.section('cross-attention: query [2, 3, 16], key = value [2, 5, 16]');
  const xq = randn([B, 3, E], { generator: gen });
  const xkv = randn([B, 5, E], { generator: gen });
  const cross = noGrad(() => mha.forward(xq, xkv, xkv));
  io.log(`output ${fmtDims(cross.output.shape)}, weights ${fmtDims(cross.weights.shape)}`);

  io.section('masks: keyPaddingMask [2, 6] (item 1 has 4 real tokens) OR-ed with a causal attnMask [6, 6]');
  const keyPaddingMask = paddingMask([L, 4], L);
  const attnMask = causalMask(L);
  const masked = noGrad(() => mha.forward(x, x, x, { keyPaddingMask, attnMask, averageAttnWeights: false }));
  const leak = maxAbs(masked.weights.narrow(0, 1, 1).narrow(3, 4, 2).data);
  let future = 0;
  for (let h = 0; h < H; h++) {
    const w = toMatrix(masked.weights, 0, h);
    for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++) future = Math.max(future, w[i][j]);
  }
  io.log(`largest weight on a padded key: ${fmtNum(leak)}; on a future key: ${fmtNum(future)}`);
  await io.plot('mha-heads', {
    kind: 'heatmap',
    title: `Multi-head attention weights, ${H} heads`,
    subtitle: 'batch item 1: causal attnMask OR keyPaddingMask (keys 4, 5 are padding)',
    xLabel: 'key position',
    yLabel: 'query position',
    colorLabel: 'weight',
    showValues: true,
    panels: Array.from({ length: H }, (_, h) => ({
      name: `head ${h}`,
      values: toMatrix(masked.weights, 1, h),
    })),
  });

  io.section("the seed's general form: per-head sizes and output size chosen freely");
  const general = new nn.MultiheadAttention(E, H, {
    kdim: 12,
    vdim: 7,
    headDim: 8,
    valueHeadDim: 3,
    outDim: 10,
    generator: gen,
  });
  const g = noGrad(() =>
    general.forward(x, randn([B, 5, 12], { generator: gen }), randn([B, 5, 7], { generator: gen })),
  );
  io.log(
    `nn.MultiheadAttention(${E}, ${H}, {kdim: 12, vdim: 7, headDim: 8, valueHeadDim: 3, outDim: 10}) -> output ${fmtDims(g.output.shape)}`,
  );
  io.log(
    `  ${general
      .namedParameters()
      .map(([n, p]) => `${n} ${fmtDims(p.shape)}`)
      .join(', ')}`,
  );

  io.section('state dict as plain arrays (as exported from PyTorch by hand) into a fresh module');
  const plain: Record<string, NestedArray> = {};
  for (const [name, t] of Object.entries(mha.stateDict())) plain[name] = t.toArray();
  const copy = new nn.MultiheadAttention(E, H, { generator: new Generator(opts.seed + 1) });
  copy.loadStateDict(plain);
  const reload = maxAbsDiff(noGrad(() => copy.forward(x, x, x)).output.data, avg.output.data);
  io.log(`keys ${Object.keys(plain).join(', ')}; same output after loading: max diff ${fmtNum(reload)}`);

  return io.finish(
    `MultiheadAttention E=${E}, H=${H}: output ${fmtDims(avg.output.shape)}, masked weights leak ${fmtNum(Math.max(leak, future))}, ` +
      `general form -> ${fmtDims(g.output.shape)}, state dict round trip exact`,
    {
      outputShape: [...avg.output.shape],
      perHeadWeightsShape: [...perHead.weights.shape],
      averagedVsMeanDiff: avgDiff,
      paddedKeyWeight: leak,
      futureKeyWeight: future,
      generalOutputShape: [...g.output.shape],
      stateDictReloadDiff: reload,
      parameters: mha.namedParameters().map(([n]) => n),
    },
  );
}
