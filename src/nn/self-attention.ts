// nn.SelfAttention: multi-head attention of a sequence with itself (query = key = value = x),
// optionally causal. It is MultiheadAttention's code (the shared base class), so the parameters
// and their state-dict names are the same: in_proj_weight [3E, E], in_proj_bias [3E],
// out_proj.weight, out_proj.bias (or the general form's q/k/v_proj_weight, see multihead-attention.ts).
// Dims: B batch, L sequence length, E embedDim, H numHeads, O outDim.

import type { AttentionResult } from '../ops/attention.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  type MhaForwardOptions,
  MultiheadAttentionBase,
  type MultiheadAttentionOptions,
} from './multihead-attention.js';

/** Options of nn.SelfAttention: MultiheadAttention's without kdim / vdim, plus causal. */
export interface SelfAttentionOptions extends Omit<MultiheadAttentionOptions, 'kdim' | 'vdim'> {
  /** Hide later positions (key j from query i when j > i) in every forward (default false). */
  causal?: boolean;
}

/** Multi-head self-attention; forward(x) = MultiheadAttention(x, x, x). */
export class SelfAttention extends MultiheadAttentionBase {
  readonly causal: boolean;

  constructor(embedDim: number, numHeads: number, opts: SelfAttentionOptions = {}) {
    const { causal = false, ...rest } = opts;
    super(embedDim, numHeads, rest);
    this.causal = causal;
  }

  /** x: [B, L, E] (or [L, E]) -> output [B, L, O], weights [B, L, L] (averaged) or [B, H, L, L]; opts.isCausal overrides `causal`. */
  forward(x: Tensor, opts?: MhaForwardOptions & { needWeights?: true }): AttentionResult;
  forward(x: Tensor, opts: MhaForwardOptions): AttentionResult<Tensor | null>;
  forward(x: Tensor, opts: MhaForwardOptions = {}): AttentionResult<Tensor | null> {
    return this.attend(x, x, x, { ...opts, isCausal: opts.isCausal ?? this.causal });
  }
}
