// Beam search over any next-token model (the seed's table decoder is in beam-search-table.ts).
// Legend: B batch items, K beam size, V vocabulary, T max generated length,
// R live rows (at most K per item).
//
// The decoder (the reference semantics of golden/beam_search.json):
//   live = [start]; for t = 1..T:
//     expand every live hypothesis by every token; order the candidates by accumulated
//     log-prob, descending (ties: parent rank, then token id);
//     every candidate ending in EOS is finished -> the item's pool;
//     the K best candidates NOT ending in EOS become the new live set;
//     at t = T the live hypotheses are finished too.
//   result = the pool by score = logProb / length^lengthPenalty, best first (stable), where
//   length counts generated tokens including EOS.
// Per step, one topk over a [B, K*V] block of candidate scores (EOS columns and rows of missing
// hypotheses at -inf) picks every item's next live set; token ids live in preallocated int32
// [B*K, T] buffers (a candidate copies its parent's row), never in concatenated tensors.
// Continuations of probability 0 (log-prob -inf) are never kept: not live, not finished.
//
// Stopping early without changing the result: log-probs are <= 0, so a live hypothesis with
// log-prob lp can only finish with a score <= lp / T^a (a > 0), lp / (t+1)^a (a < 0) or lp
// (a = 0). Once an item's pool holds numReturnSequences hypotheses all at least that good,
// nothing can displace them (later entries lose ties) and the item stops. (Skipped if the model
// ever returns a positive log-prob.) earlyStopping: true instead stops an item as soon as K
// hypotheses have finished, as Hugging Face's early_stopping=True.

import { ArgumentError, intOption } from '../errors.js';
import { topk } from '../ops/sort.js';
import { withDefaults } from '../options.js';
import { Tensor } from '../tensor/tensor.js';
import {
  callStep,
  checkStepOutput,
  optionalToken,
  resolveStart,
  type StartOptions,
  type StepFn,
} from './decode-step.js';

export type { StartOptions, StepContext, StepFn } from './decode-step.js';

/** Options of beamSearch and beamSearchSteps. */
export interface BeamSearchOptions extends StartOptions {
  /** Hypotheses kept per item (default 4). */
  beamSize?: number;
  /** Generated tokens at most, EOS included (default 20). */
  maxLength?: number;
  /** End-of-sequence token: a hypothesis that emits it is finished; null = none. */
  eosToken?: number | null;
  /** score = logProb / length^lengthPenalty (default 1; 0 = raw log-prob, > 0 favours longer). */
  lengthPenalty?: number;
  /** Hypotheses returned per item, at most beamSize; null = beamSize. */
  numReturnSequences?: number | null;
  /** Stop an item once beamSize hypotheses finished (default false: run until the result is settled). */
  earlyStopping?: boolean;
  /** Also reject +inf and rows that are not log-normalised in the model's output (default false; NaN is always rejected). */
  checkInputs?: boolean;
}

/** Defaults of beamSearch (lengthPenalty 1, as Hugging Face's generate). */
export const BEAM_SEARCH_DEFAULTS = {
  beamSize: 4,
  maxLength: 20,
  bosToken: null,
  startTokens: null,
  batchSize: null,
  eosToken: null,
  lengthPenalty: 1,
  numReturnSequences: null,
  earlyStopping: false,
  checkInputs: false,
} satisfies Required<BeamSearchOptions>;

/** A finished hypothesis: generated tokens (EOS included, start prefix excluded), its score and summed log-prob. */
export interface Hypothesis {
  tokens: Int32Array;
  score: number;
  logProb: number;
}

/** Progress of the decoder after each step. */
export interface BeamStep {
  step: number;
  /** Live hypotheses after this step (all items). */
  numLive: number;
  /** Items whose result is settled. */
  numDone: number;
}

interface Entry extends Hypothesis {
  seq: number;
}

// pool: best first by score, ties to the earlier entry; capped at `cap`
function poolAccepts(pool: Entry[], cap: number, score: number): boolean {
  return pool.length < cap || score > pool[pool.length - 1].score;
}
function poolInsert(pool: Entry[], cap: number, e: Entry): void {
  let p = pool.length;
  while (p > 0 && e.score > pool[p - 1].score) p--;
  pool.splice(p, 0, e);
  if (pool.length > cap) pool.pop();
}

/**
 * Beam search as a generator: yields {step, numLive, numDone} after every step and returns, per
 * batch item, the finished hypotheses best first. beamSearch() drains it.
 */
// step: prefixes int32 [R, P + t] -> log-probs [R, V]; returns B lists of hypotheses
export function* beamSearchSteps(
  step: StepFn,
  options: BeamSearchOptions = {},
): Generator<BeamStep, Hypothesis[][], void> {
  const op = 'beamSearch';
  const o = withDefaults(BEAM_SEARCH_DEFAULTS, options, op);
  const K = intOption(op, 'beamSize', o.beamSize, 1);
  const T = intOption(op, 'maxLength', o.maxLength, 1);
  const eos = optionalToken(op, 'eosToken', o.eosToken);
  const nKeep =
    o.numReturnSequences === null ? K : intOption(op, 'numReturnSequences', o.numReturnSequences, 1, K);
  if (!Number.isFinite(o.lengthPenalty))
    throw new ArgumentError(`${op}: lengthPenalty must be a finite number, got ${o.lengthPenalty}`);
  const alpha = o.lengthPenalty;
  const start = resolveStart(op, o);
  const B = start.batch;
  const scoreOf = (lp: number, len: number) => (alpha === 0 ? lp : lp / len ** alpha);

  let tok = new Int32Array(B * K * T); // generated tokens of live row (b, r) at ((b*K + r) * T)
  let tokNext = new Int32Array(B * K * T);
  let lp = new Float64Array(B * K);
  let lpNext = new Float64Array(B * K);
  const live = new Int32Array(B);
  live.fill(1); // the start prefix, log-prob 0
  const done = new Uint8Array(B);
  const finishedCount = new Int32Array(B);
  const pools: Entry[][] = Array.from({ length: B }, () => []);
  let seq = 0;
  let V: number | null = null;
  let monotone = true; // no positive log-prob seen: the early-stop bound holds
  let cand = new Float64Array(0);

  const finish = (b: number, row: number, len: number, last: number, logProb: number) => {
    finishedCount[b]++;
    const score = scoreOf(logProb, len);
    if (!poolAccepts(pools[b], nKeep, score)) return;
    // last >= 0: the parent's len - 1 tokens then `last` (EOS); last < 0: a live row finishing at T
    const tokens = new Int32Array(len);
    tokens.set(tok.subarray(row * T, row * T + (last >= 0 ? len - 1 : len)));
    if (last >= 0) tokens[len - 1] = last;
    poolInsert(pools[b], nKeep, { tokens, score, logProb, seq: seq++ });
  };

  for (let t = 1; t <= T; t++) {
    // the live rows, item by item, in rank order
    const items: number[] = [];
    let R = 0;
    for (let b = 0; b < B; b++) {
      if (done[b]) continue;
      items.push(b);
      R += live[b];
    }
    if (items.length === 0) break;
    const rowItem = new Int32Array(R);
    const rowBuf = new Int32Array(R);
    for (let a = 0, r = 0; a < items.length; a++) {
      for (let j = 0; j < live[items[a]]; j++, r++) {
        rowItem[r] = items[a];
        rowBuf[r] = items[a] * K + j;
      }
    }
    const out = callStep(step, start, rowItem, tok, rowBuf, T, t - 1);
    V = checkStepOutput(op, out, R, V, { tokens: { eosToken: eos }, strict: o.checkInputs });
    const x = out.data;
    const W = K * V;
    if (cand.length < items.length * W) cand = new Float64Array(B * W);
    // candidate scores [items, K*V]: parent log-prob + token log-prob; EOS and missing parents -inf
    for (let a = 0, r = 0; a < items.length; a++) {
      const b = items[a];
      const base = a * W;
      for (let j = 0; j < K; j++) {
        const c = base + j * V;
        if (j >= live[b]) {
          cand.fill(Number.NEGATIVE_INFINITY, c, c + V);
          continue;
        }
        const parent = lp[b * K + j];
        for (let v = 0; v < V; v++) {
          const z = x[r * V + v];
          if (z > 0) monotone = false;
          cand[c + v] = parent + z;
        }
        if (eos !== null) {
          const e = cand[c + eos];
          cand[c + eos] = Number.NEGATIVE_INFINITY;
          // finished now: EOS candidates enter the pool in parent-rank order (the reference's stable order)
          if (e > Number.NEGATIVE_INFINITY) finish(b, b * K + j, t, eos, e);
        }
        r++;
      }
    }
    const sel = topk(new Tensor(cand.subarray(0, items.length * W), [items.length, W]), K);
    const vals = sel.values.data;
    const idx = sel.indices.data;
    let numLive = 0;
    for (let a = 0; a < items.length; a++) {
      const b = items[a];
      let n = 0;
      for (let j = 0; j < K; j++) {
        const val = vals[a * K + j];
        if (val === Number.NEGATIVE_INFINITY) break; // sorted: the rest are -inf too
        const parent = b * K + Math.floor(idx[a * K + j] / V);
        const dst = b * K + n;
        tokNext.set(tok.subarray(parent * T, parent * T + t - 1), dst * T);
        tokNext[dst * T + t - 1] = idx[a * K + j] % V;
        lpNext[dst] = val;
        n++;
      }
      live[b] = n;
      numLive += n;
    }
    [tok, tokNext] = [tokNext, tok];
    [lp, lpNext] = [lpNext, lp];
    for (const b of items) {
      if (t === T) for (let j = 0; j < live[b]; j++) finish(b, b * K + j, T, -1, lp[b * K + j]);
      const pool = pools[b];
      let settled = live[b] === 0 || t === T;
      if (!settled && o.earlyStopping) settled = finishedCount[b] >= K;
      else if (!settled && monotone && pool.length >= nKeep) {
        // the best score any live hypothesis could still finish with (see the header)
        const lenBound = alpha > 0 ? T : t + 1;
        settled = scoreOf(lp[b * K], lenBound) <= pool[pool.length - 1].score;
      }
      if (settled) {
        done[b] = 1;
        live[b] = 0;
      }
    }
    let numDone = 0;
    for (let b = 0; b < B; b++) numDone += done[b];
    yield { step: t, numLive: numLive, numDone };
  }
  return pools.map((p) => p.map(({ tokens, score, logProb }) => ({ tokens, score, logProb })));
}

/** Beam search over a next-token model; per batch item, the finished hypotheses best first. */
// step: prefixes int32 [R, P + t] -> log-probs [R, V]; returns B lists of <= numReturnSequences hypotheses
export function beamSearch(step: StepFn, options: BeamSearchOptions = {}): Hypothesis[][] {
  const it = beamSearchSteps(step, options);
  let r = it.next();
  while (!r.done) r = it.next();
  return r.value;
}
