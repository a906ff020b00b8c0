// The seed's beam search over a table of per-position probabilities that ignore the prefix
// (kept for the seed's interface; beam-search.ts decodes real models). Legend: B batch items,
// L positions, V vocabulary, K beam size.

import { ArgumentError, DTypeError, fmtShape, intOption, ShapeError } from '../errors.js';
import { topk } from '../ops/sort.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * The seed's decoder: probs [B, L, V] are per-position probabilities that ignore the prefix;
 * keeps the K best prefixes by summed log-prob at every position. Because the positions are
 * independent this yields exactly the K most probable sequences. Ties go to the lower parent
 * rank, then the lower token id. K may exceed V (up to the V^L distinct sequences): the first
 * positions then keep every prefix there is.
 */
// probs: [B, L, V] -> sequences int32 [B, K, L], logProbs [B, K] (probs' dtype), best first
export function beamSearchTable(probs: Tensor, beamSize: number): { sequences: Tensor; logProbs: Tensor } {
  const op = 'beamSearchTable';
  if (!(probs instanceof Tensor) || probs.ndim !== 3) {
    throw new ShapeError(
      `${op}: probs must be [batch, seqLen, vocab], got ${probs instanceof Tensor ? fmtShape(probs.shape) : typeof probs}`,
    );
  }
  if (probs.dtype !== 'float32' && probs.dtype !== 'float64')
    throw new DTypeError(`${op}: probs must be float32 or float64, got ${probs.dtype}`);
  const [B, L, V] = probs.shape;
  let distinct = 1; // V^L, the number of sequences there are, capped at 2^31
  for (let t = 0; t < L && distinct < 2 ** 31; t++) distinct *= V;
  const K = intOption(op, 'beamSize', beamSize, 1, Math.min(distinct, 2 ** 31));
  const p = probs.data;
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0 && p[i] <= 1))
      throw new ArgumentError(`${op}: probs must lie in [0, 1], got ${p[i]} at flat index ${i}`);
  }
  const logp = new Float64Array(p.length); // log once per entry, not once per beam
  for (let i = 0; i < p.length; i++) logp[i] = Math.log(p[i]);
  let seqs = new Int32Array(B * K * L);
  let next = new Int32Array(B * K * L);
  let lp = new Float64Array(B * K); // position 0: one beam (the empty prefix), log-prob 0
  const cand = new Float64Array(B * K * V);
  let beams = 1; // live prefixes: the empty one, then min(K, V^t)
  for (let t = 0; t < L; t++) {
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < K; j++) {
        const c = (b * K + j) * V;
        const row = (b * L + t) * V;
        if (j >= beams) cand.fill(Number.NEGATIVE_INFINITY, c, c + V);
        else for (let v = 0; v < V; v++) cand[c + v] = lp[b * K + j] + logp[row + v];
      }
    }
    // only the first beams * V columns are real; topk's stable order keeps them ahead of the
    // -inf padding, even when a real candidate is -inf too (a zero probability)
    const sel = topk(new Tensor(cand, [B, K * V]), K);
    const lpNext = new Float64Array(B * K);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < K; j++) {
        const f = sel.indices.data[b * K + j];
        const parent = b * K + Math.floor(f / V);
        const dst = b * K + j;
        next.set(seqs.subarray(parent * L, parent * L + t), dst * L);
        next[dst * L + t] = f % V;
        lpNext[dst] = sel.values.data[b * K + j];
      }
    }
    [seqs, next] = [next, seqs];
    lp = lpNext;
    beams = Math.min(K, beams * V);
  }
  // ranked in float64; reported in the dtype of probs (as torch would sum their logs)
  const logProbs = new Tensor(probs.dtype === 'float32' ? Float32Array.from(lp) : lp, [B, K]);
  return { sequences: new Tensor(seqs, [B, K, L]), logProbs };
}
