// nn.MultiheadAttention: torch.nn.MultiheadAttention(batch_first=True), and the seed's general
// form where the per-head query/key size, per-head value size and output size are chosen freely.
// Dims: B batch, Lq / Lk query / key lengths, E embedDim, H numHeads, D headDim (per-head
// query/key size), Dv valueHeadDim (per-head value size), O outDim, kdim / vdim key / value features.
//
//   q = query Wq^T + bq  [B, Lq, H*D]     k = key Wk^T + bk  [B, Lk, H*D]     v = value Wv^T + bv  [B, Lk, H*Dv]
//   per head h: softmax(q_h k_h^T / sqrt(D) + mask) v_h, heads concatenated -> [B, Lq, H*Dv]
//   output = concat Wo^T + bo  [B, Lq, O]
//
// Parameters, named as PyTorch's state dict:
//   PyTorch's layout (kdim = vdim = E, H*D = H*Dv = E): in_proj_weight [3E, E] (rows 0:E query,
//     E:2E key, 2E:3E value) and in_proj_bias [3E];
//   otherwise: q_proj_weight [H*D, E], k_proj_weight [H*D, kdim], v_proj_weight [H*Dv, vdim] and
//     in_proj_bias [2*H*D + H*Dv] (query, key, value parts in that order);
//   always out_proj.weight [O, H*Dv] and out_proj.bias [O] (a child nn.Linear);
//   with addBiasKv, bias_k [1, 1, H*D] and bias_v [1, 1, H*Dv].
// The rest of torch's constructor: batchFirst false takes and returns [L, B, *] (torch's default;
// here batch-first is, as the golden fixtures and most code use it); addBiasKv appends bias_k /
// bias_v as one more key / value position, addZeroAttn one of zeros (the masks get unmasked
// columns for them); dropout drops attention weights in training mode (the returned weights
// are the dropped ones, as torch 1.13 returns them).
// The heads are never transposed into [B, H, L, D] copies: the attention kernel reads them in
// place (except under dropout, which needs the weights before the product with v).

import { ArgumentError, DTypeError, fmtShape, positiveInt, ShapeError } from '../errors.js';
import { type AttentionResult, multiHeadAttention, scaledDotProductAttention } from '../ops/attention.js';
import { dropout } from '../ops/dropout.js';
import { cat } from '../ops/indexing.js';
import { linear } from '../ops/linear.js';
import { expand, narrow, permute, reshape, squeeze, transpose, unsqueeze } from '../ops/shape.js';
import { withDefaults } from '../options.js';
import { type Generator, toGenerator } from '../random.js';
import { zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { attentionMask } from './attention-masks.js';
import { xavierNormal_, xavierUniform_ } from './init.js';
import { Linear } from './linear.js';
import { MODULE_OPTIONS, Module, type ModuleOptions } from './module.js';

/** Options of nn.MultiheadAttention: torch's, plus the free head and output sizes. */
export interface MultiheadAttentionOptions extends ModuleOptions {
  /** Biases on the input and output projections (default true). */
  bias?: boolean;
  /** Key features (default null = embedDim). */
  kdim?: number | null;
  /** Value features (default null = embedDim). */
  vdim?: number | null;
  /** Per-head query/key size D (default null = embedDim / numHeads). */
  headDim?: number | null;
  /** Per-head value size Dv (default null = embedDim / numHeads). */
  valueHeadDim?: number | null;
  /** Output features O (default null = embedDim). */
  outDim?: number | null;
  /** Inputs and output are [B, L, *] (default true); false: [L, B, *], torch's default layout. */
  batchFirst?: boolean;
  /** Probability of dropping an attention weight in training mode (default 0). */
  dropout?: number;
  /** Learn one more key and value position, bias_k and bias_v (default false). */
  addBiasKv?: boolean;
  /** Append a key and value position of zeros (default false). */
  addZeroAttn?: boolean;
}

const DEFAULTS = {
  bias: true,
  kdim: null,
  vdim: null,
  headDim: null,
  valueHeadDim: null,
  outDim: null,
  batchFirst: true,
  dropout: 0,
  addBiasKv: false,
  addZeroAttn: false,
} satisfies Required<Omit<MultiheadAttentionOptions, keyof ModuleOptions>>;

/** Per-call options of MultiheadAttention.forward and SelfAttention.forward. */
export interface MhaForwardOptions {
  /** [B, Lk] (or [Lk] unbatched): bool true = ignore this key, or float added to the scores (default none). */
  keyPaddingMask?: Tensor | null;
  /** [Lq, Lk] or [B*H, Lq, Lk]: bool true = may not attend, or float added to the scores (default none). */
  attnMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** Average the weights over heads to [B, Lq, Lk]; false gives [B, H, Lq, Lk] (default true). */
  averageAttnWeights?: boolean;
  /** Also hide key j from query i when j > i; OR-ed with the masks (default false). */
  isCausal?: boolean;
}

const FORWARD_DEFAULTS = {
  keyPaddingMask: null,
  attnMask: null,
  needWeights: true,
  averageAttnWeights: true,
  isCausal: false,
} satisfies Required<MhaForwardOptions>;

/** The parameters and the forward shared by MultiheadAttention and SelfAttention. */
export abstract class MultiheadAttentionBase extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly headDim: number;
  readonly valueHeadDim: number;
  readonly outDim: number;
  /** Whether the projections are one packed in_proj_weight (PyTorch's layout when all sizes agree). */
  readonly packed: boolean;
  readonly outProj: Linear;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly addZeroAttn: boolean;
  private readonly generator: Generator; // the init's, then the dropout masks'

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    const name = new.target.name;
    positiveInt(name, 'embedDim', embedDim);
    positiveInt(name, 'numHeads', numHeads);
    const o = withDefaults(DEFAULTS, opts, name, MODULE_OPTIONS);
    const size = (key: 'kdim' | 'vdim' | 'headDim' | 'valueHeadDim' | 'outDim', fallback: () => number) =>
      positiveInt(name, key, o[key] ?? fallback());
    const perHead = () => {
      if (embedDim % numHeads !== 0) {
        throw new ArgumentError(
          `${name}: embedDim ${embedDim} must be divisible by numHeads ${numHeads} (remainder ${embedDim % numHeads} vs 0), or pass headDim and valueHeadDim`,
        );
      }
      return embedDim / numHeads;
    };
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.kdim = size('kdim', () => embedDim);
    this.vdim = size('vdim', () => embedDim);
    this.headDim = size('headDim', perHead);
    this.valueHeadDim = size('valueHeadDim', perHead);
    this.outDim = size('outDim', () => embedDim);
    const [E, qk, vs] = [embedDim, numHeads * this.headDim, numHeads * this.valueHeadDim];
    this.packed = this.kdim === E && this.vdim === E && qk === E && vs === E;
    const dtype = opts.dtype ?? 'float32';
    const g = toGenerator(opts.generator);
    const weight = (rows: number, cols: number) => xavierUniform_(zeros([rows, cols], { dtype }), 1, g);
    if (this.packed) this.registerParameter('in_proj_weight', weight(3 * E, E));
    else {
      this.registerParameter('q_proj_weight', weight(qk, E));
      this.registerParameter('k_proj_weight', weight(qk, this.kdim));
      this.registerParameter('v_proj_weight', weight(vs, this.vdim));
    }
    this.registerParameter('in_proj_bias', o.bias !== false ? zeros([2 * qk + vs], { dtype }) : null);
    // out_proj.weight keeps Linear's default init and out_proj.bias starts at 0, as torch
    this.outProj = this.registerModule(
      'out_proj',
      new Linear(vs, this.outDim, { bias: o.bias !== false, dtype, generator: g }),
    );
    this.outProj.bias?.data.fill(0);
    if (o.addBiasKv) {
      this.registerParameter('bias_k', xavierNormal_(zeros([1, 1, qk], { dtype }), 1, g));
      this.registerParameter('bias_v', xavierNormal_(zeros([1, 1, vs], { dtype }), 1, g));
    }
    if (!(o.dropout >= 0 && o.dropout <= 1))
      throw new ArgumentError(`${name}: dropout must be in [0, 1], got ${o.dropout}`);
    this.dropout = o.dropout;
    this.batchFirst = o.batchFirst;
    this.addZeroAttn = o.addZeroAttn;
    this.generator = g;
  }

  /** query: [B, Lq, E], key: [B, Lk, kdim], value: [B, Lk, vdim] (or unbatched [L, *]) -> output [B, Lq, O], weights [B, Lq, Lk] or [B, H, Lq, Lk]. */
  protected attend(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    options: MhaForwardOptions,
  ): AttentionResult<Tensor | null> {
    const name = this.constructor.name;
    const o = withDefaults(FORWARD_DEFAULTS, options, `${name}.forward`);
    const dtype = this.outProj.weight.dtype;
    for (const [arg, t] of [
      ['query', query],
      ['key', key],
      ['value', value],
    ] as const) {
      if (t.dtype !== dtype)
        throw new DTypeError(`${name}: ${arg} must be ${dtype} like the parameters, got ${t.dtype}`);
    }
    const unbatched = query.ndim === 2;
    const rank = unbatched ? 2 : 3;
    const feats: [string, Tensor, number][] = [
      ['query', query, this.embedDim],
      ['key', key, this.kdim],
      ['value', value, this.vdim],
    ];
    for (const [arg, t, f] of feats) {
      if (t.ndim !== rank || t.shape[rank - 1] !== f) {
        const want = unbatched ? `[L, ${f}]` : `[B, L, ${f}]`;
        throw new ShapeError(
          `${name}: ${arg} must be ${want} (${arg === 'query' ? 'embedDim' : arg === 'key' ? 'kdim' : 'vdim'} = ${f}), got ${fmtShape(t.shape)}`,
        );
      }
    }
    const [q3, k3, v3] = [query, key, value].map((t) =>
      unbatched ? unsqueeze(t, 0) : this.batchFirst ? t : transpose(t, 0, 1),
    );
    const [B, Lq] = q3.shape;
    const Lk = k3.shape[1];
    if (k3.shape[0] !== B || v3.shape[0] !== B || v3.shape[1] !== Lk) {
      throw new ShapeError(
        `${name}: query, key and value must share the batch and key/value the length (${fmtShape(query.shape)}, ${fmtShape(key.shape)}, ${fmtShape(value.shape)})`,
      );
    }
    const H = this.numHeads;
    const biasK = this.optionalParam('bias_k');
    // key positions appended after the projection (bias_k/bias_v, zeros), visible to every query
    const extra = (biasK ? 1 : 0) + (this.addZeroAttn ? 1 : 0);
    const { mask, causal } = attentionMask(name, o, { B, H, Lq, Lk, unbatched }, extra, dtype);
    const [wq, wk, wv] = this.projectionWeights();
    const b = this.optionalParam('in_proj_bias');
    const qk = H * this.headDim;
    const part = (start: number, len: number) => (b ? narrow(b, 0, start, len) : null);
    const vs = H * this.valueHeadDim;
    const q = linear(q3, wq, part(0, qk));
    let k = linear(k3, wk, part(qk, qk));
    let v = linear(v3, wv, part(2 * qk, vs));
    if (biasK) {
      k = cat([k, expand(biasK, [B, 1, qk])], 1);
      v = cat([v, expand(this.param('bias_v'), [B, 1, vs])], 1);
    }
    if (this.addZeroAttn) {
      k = cat([k, zeros([B, 1, qk], { dtype })], 1);
      v = cat([v, zeros([B, 1, vs], { dtype })], 1);
    }
    const sdpa = { ...mask, isCausal: causal, needWeights: o.needWeights };
    const heads =
      this.training && this.dropout > 0
        ? this.droppedHeads(q, k, v, sdpa)
        : multiHeadAttention(q, k, v, H, sdpa);
    let output = this.outProj.forward(heads.output);
    let weights = heads.weights && o.averageAttnWeights ? heads.weights.mean(1) : heads.weights;
    if (unbatched) {
      output = squeeze(output, 0);
      weights = weights && squeeze(weights, 0);
    } else if (!this.batchFirst) output = transpose(output, 0, 1);
    return { output, weights };
  }

  // Attention with dropout on the weights: q [B, Lq, H*D], k [B, Lk, H*D], v [B, Lk, H*Dv] split
  // into [B, H, L, *] heads, weights dropped, then multiplied with v -> [B, Lq, H*Dv].
  private droppedHeads(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    opts: Parameters<typeof multiHeadAttention>[4],
  ): AttentionResult<Tensor | null> {
    const H = this.numHeads;
    const split = (t: Tensor, d: number) => permute(reshape(t, [t.shape[0], t.shape[1], H, d]), [0, 2, 1, 3]);
    const vh = split(v, this.valueHeadDim);
    const { weights } = scaledDotProductAttention(split(q, this.headDim), split(k, this.headDim), vh, {
      ...opts,
      needWeights: true,
    });
    const dropped = dropout(weights, { p: this.dropout, generator: this.generator });
    const [B, , Lq] = dropped.shape;
    const output = reshape(permute(dropped.matmul(vh), [0, 2, 1, 3]), [B, Lq, H * this.valueHeadDim]);
    return { output, weights: opts.needWeights === false ? null : dropped };
  }

  // [Wq, Wk, Wv]: slices of the packed in_proj_weight (differentiable), or the separate weights.
  private projectionWeights(): [Tensor, Tensor, Tensor] {
    if (!this.packed)
      return [this.param('q_proj_weight'), this.param('k_proj_weight'), this.param('v_proj_weight')];
    const w = this.param('in_proj_weight');
    const E = this.embedDim;
    return [narrow(w, 0, 0, E), narrow(w, 0, E, E), narrow(w, 0, 2 * E, E)];
  }
}

/** Multi-head attention, torch.nn.MultiheadAttention(batch_first=True) plus free head/output sizes. */
export class MultiheadAttention extends MultiheadAttentionBase {
  /** query: [B, Lq, E], key: [B, Lk, kdim], value: [B, Lk, vdim] -> output [B, Lq, O], weights [B, Lq, Lk] (averaged) or [B, H, Lq, Lk]. */
  forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    opts?: MhaForwardOptions & { needWeights?: true },
  ): AttentionResult;
  forward(query: Tensor, key: Tensor, value: Tensor, opts: MhaForwardOptions): AttentionResult<Tensor | null>;
  forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    opts: MhaForwardOptions = {},
  ): AttentionResult<Tensor | null> {
    return this.attend(query, key, value, opts);
  }
}
