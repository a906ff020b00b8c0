// Golden adapter for `beam_search` (golden/beam_search.json). kind 'table': beamSearchTable on
// LM_prob [batch, seqLen, vocab]. kind 'model': beamSearch over a first-order Markov model
// T [V, V] (T[a, b] = log P(next = b | last = a)), with the exhaustive optimum over every
// finished sequence (markovOptimum), and beamFoundOptimum from both.

import {
  ArgumentError,
  beamSearch,
  beamSearchTable,
  markovOptimum,
  markovStep,
  Tensor,
} from '../../../src/index.js';
import type { AdapterResult, GoldenCase, OpAdapter, RunContext } from '../types.js';
import { caseInput, floats, param } from '../util.js';

function runModel(c: GoldenCase, ctx: RunContext): AdapterResult {
  const T = caseInput(c, 'T', ctx.dtype);
  const bos = param(c, 'bosToken', 'number');
  const eos = param(c, 'eosToken', 'number');
  const maxLength = param(c, 'maxLength', 'number');
  const beamSize = param(c, 'beamSize', 'number');
  const alpha = param(c, 'lengthPenalty', 'number', 1); // Hugging Face's default
  const [hyps] = beamSearch(markovStep(T), {
    bosToken: bos,
    eosToken: eos,
    maxLength,
    beamSize,
    lengthPenalty: alpha,
    checkInputs: true,
  });
  const seqs = new Int32Array(beamSize * maxLength).fill(-1);
  const lengths = new Int32Array(beamSize);
  const scores = new Float64Array(beamSize).fill(Number.NEGATIVE_INFINITY);
  const lps = new Float64Array(beamSize).fill(Number.NEGATIVE_INFINITY);
  hyps.forEach((h, j) => {
    seqs.set(h.tokens, j * maxLength);
    lengths[j] = h.tokens.length;
    scores[j] = h.score;
    lps[j] = h.logProb;
  });
  const best = markovOptimum(T, { bosToken: bos, eosToken: eos, maxLength, lengthPenalty: alpha });
  const found =
    hyps.length > 0 &&
    hyps[0].tokens.length === best.tokens.length &&
    hyps[0].tokens.every((v, i) => v === best.tokens[i]);
  // float outputs in the run's dtype (the search itself accumulates in float64)
  return {
    outputs: {
      bestSequence: new Tensor(best.tokens, [best.tokens.length]),
      bestScore: floats(ctx.dtype, [best.score]),
      bestLogProb: floats(ctx.dtype, [best.logProb]),
      beamSequences: new Tensor(seqs, [beamSize, maxLength]),
      beamLengths: new Tensor(lengths, [beamSize]),
      beamScores: floats(ctx.dtype, scores, [beamSize]),
      beamLogProbs: floats(ctx.dtype, lps, [beamSize]),
      beamFoundOptimum: new Tensor(Uint8Array.of(found ? 1 : 0), []),
    },
  };
}

const adapter: OpAdapter = {
  op: 'beam_search',
  run(c, ctx): AdapterResult {
    const kind = param(c, 'kind', 'string', c.inputs.T !== undefined ? 'model' : 'table'); // by its input
    if (kind === 'model') return runModel(c, ctx);
    if (kind !== 'table')
      throw new ArgumentError(`golden ${c.name}: unknown kind '${kind}' (expected 'table' or 'model')`);
    const r = beamSearchTable(caseInput(c, 'LM_prob', ctx.dtype), param(c, 'beamSize', 'number'));
    return { outputs: { sequences: r.sequences, logProbs: r.logProbs } };
  },
};

export default adapter;
