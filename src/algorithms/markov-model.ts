// A first-order Markov model of tokens, the toy model the decoders are shown and checked on
// (the beam-search demo, bench and tests, the golden fixtures): the next token depends on the
// last one only, through a table logT[a, b] = log P(next = b | last = a). markovStep makes it a
// decoder's step function; markovOptimum finds its best finished sequence exactly, the answer a
// wide enough beam must reach. Legend: V vocabulary, R prefix rows, L prefix length.

import { ArgumentError, fmtShape, intOption, ShapeError } from '../errors.js';
import { withDefaults } from '../options.js';
import { assertFloat } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import type { Hypothesis } from './beam-search.js';
import type { StepFn } from './decode-step.js';

function checkTable(op: string, logT: Tensor): number {
  assertFloat(op, logT.dtype);
  if (logT.ndim !== 2 || logT.shape[0] !== logT.shape[1] || logT.shape[0] < 1)
    throw new ShapeError(`${op}: logT must be a square table [V, V], got ${fmtShape(logT.shape)}`);
  return logT.shape[0];
}

/**
 * The model as a step function: each prefix's row of logT, picked by its last token.
 * logT: [V, V] float -> step: prefixes int32 [R, L] (L >= 1) -> log-probs [R, V] in logT's dtype.
 */
export function markovStep(logT: Tensor): StepFn {
  const op = 'markovStep';
  const V = checkTable(op, logT);
  const table = logT.data;
  return (prefixes) => {
    const [R, L] = prefixes.shape;
    if (L < 1)
      throw new ArgumentError(
        `${op}: prefixes ${fmtShape(prefixes.shape)} have no last token (give bosToken)`,
      );
    const out = logT.dtype === 'float32' ? new Float32Array(R * V) : new Float64Array(R * V);
    for (let r = 0; r < R; r++) {
      const last = prefixes.data[r * L + L - 1];
      out.set(table.subarray(last * V, last * V + V), r * V);
    }
    return new Tensor(out, [R, V]);
  };
}

/** Options of markovOptimum: the decoders' names and meanings. */
export interface MarkovOptimumOptions {
  /** The token the chain starts from (not part of the result). */
  bosToken: number;
  /** Generated tokens at most, EOS included; the search visits up to V^maxLength sequences. */
  maxLength: number;
  /** A sequence that emits it is finished; null = none, every sequence has maxLength tokens (default null). */
  eosToken?: number | null;
  /** score = logProb / length^lengthPenalty (default 1, as beamSearch). */
  lengthPenalty?: number;
}

const OPTIMUM_DEFAULTS = {
  eosToken: null,
  lengthPenalty: 1,
} satisfies Required<Pick<MarkovOptimumOptions, 'eosToken' | 'lengthPenalty'>>;

/**
 * The best finished sequence of the model by exhaustive depth-first search: every sequence
 * ending in EOS at length <= maxLength, or of length maxLength without EOS, scored as beamSearch
 * scores them. Ties go to the sequence found first (smaller token ids first).
 * logT: [V, V] float -> { tokens: int32 [len], score, logProb }
 */
export function markovOptimum(logT: Tensor, options: MarkovOptimumOptions): Hypothesis {
  const op = 'markovOptimum';
  const V = checkTable(op, logT);
  const o = withDefaults(OPTIMUM_DEFAULTS, options, op, ['bosToken', 'maxLength']);
  const bos = intOption(op, 'bosToken', o.bosToken, 0, V - 1);
  const eos = o.eosToken === null ? null : intOption(op, 'eosToken', o.eosToken, 0, V - 1);
  const maxLength = intOption(op, 'maxLength', o.maxLength, 1);
  const alpha = o.lengthPenalty;
  if (!Number.isFinite(alpha))
    throw new ArgumentError(`${op}: lengthPenalty must be a finite number, got ${alpha}`);
  const t = logT.data;
  const path = new Int32Array(maxLength);
  let best: Hypothesis = {
    tokens: new Int32Array(0),
    score: Number.NEGATIVE_INFINITY,
    logProb: Number.NEGATIVE_INFINITY,
  };
  const visit = (last: number, len: number, lp: number) => {
    for (let v = 0; v < V; v++) {
      const l = lp + t[last * V + v];
      // a continuation of probability 0 never scores above -inf: prune it (as the decoders do)
      if (l === Number.NEGATIVE_INFINITY) continue;
      path[len] = v;
      if (v === eos || len + 1 === maxLength) {
        const score = alpha === 0 ? l : l / (len + 1) ** alpha;
        if (score > best.score) best = { tokens: path.slice(0, len + 1), score, logProb: l };
      } else visit(v, len + 1, l);
    }
  };
  visit(bos, 0, 0);
  return best;
}
