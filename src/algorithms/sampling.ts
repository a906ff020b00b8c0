// Greedy decoding and seeded sampling over the same `step` model as beamSearch. Legend: B batch
// items, V vocabulary, T max generated length, R unfinished rows.
//
// Each step turns a row of log-probs z into a distribution to draw from:
//   temperature: z / temperature (0 = greedy: the first argmax, no randomness);
//   topK: keep the topK largest (ties to the lower token id);
//   topP (nucleus): keep the smallest set of most probable tokens whose probability sums to
//     >= topP (always at least one), as Hugging Face's TopPLogitsWarper;
// then renormalise and draw one token with the seeded generator. A row stops at EOS (kept in the
// output) or after T tokens. The reported logProb sums the MODEL's log-probs of the drawn tokens
// (before temperature and filtering), so samples and beam hypotheses compare on one scale.

import { ArgumentError, intOption, nonNegative } from '../errors.js';
import { withDefaults } from '../options.js';
import { type Generator, type RandomSource, toGenerator } from '../random.js';
import type { Hypothesis } from './beam-search.js';
import {
  callStep,
  checkStepOutput,
  optionalToken,
  resolveStart,
  type StartOptions,
  type StepFn,
} from './decode-step.js';

/** Options of sample (and greedy, which fixes temperature 0). */
export interface SampleOptions extends StartOptions {
  /** Generated tokens at most, EOS included (default 20). */
  maxLength?: number;
  /** Divides the log-probs before drawing (default 1; 0 = greedy). */
  temperature?: number;
  /** Draw only among the topK most probable tokens; null = all (default). */
  topK?: number | null;
  /** Draw only among the smallest set of tokens with probability >= topP (default 1: all). */
  topP?: number;
  /** End-of-sequence token; null = none. */
  eosToken?: number | null;
  /** Seed or Generator; null = the global generator. */
  seed?: RandomSource | null;
  /** Also reject +inf and rows that are not log-normalised (default false; NaN is always rejected). */
  checkInputs?: boolean;
}

/** Defaults of sample: plain sampling from the model's distribution. */
export const SAMPLE_DEFAULTS = {
  maxLength: 20,
  temperature: 1,
  topK: null,
  topP: 1,
  eosToken: null,
  seed: null,
  bosToken: null,
  startTokens: null,
  batchSize: null,
  checkInputs: false,
} satisfies Required<SampleOptions>;

/** One sampled continuation per batch item (score = logProb under the model). */
// step: prefixes int32 [R, P + t] -> log-probs [R, V]; returns B hypotheses
export function sample(step: StepFn, options: SampleOptions = {}): Hypothesis[] {
  return decode('sample', step, options);
}

/** Greedy decoding: the most probable token at every step (sample with temperature 0). */
// step: prefixes int32 [R, P + t] -> log-probs [R, V]; returns B hypotheses
export function greedy(
  step: StepFn,
  options: Omit<SampleOptions, 'temperature' | 'topK' | 'topP' | 'seed'> = {},
): Hypothesis[] {
  return decode('greedy', step, { ...options, temperature: 0 });
}

function decode(op: string, step: StepFn, options: SampleOptions): Hypothesis[] {
  const o = withDefaults(SAMPLE_DEFAULTS, options, op);
  const T = intOption(op, 'maxLength', o.maxLength, 1);
  const eos = optionalToken(op, 'eosToken', o.eosToken);
  nonNegative(op, 'temperature', o.temperature);
  if (o.topK !== null) intOption(op, 'topK', o.topK, 1);
  if (!(o.topP > 0 && o.topP <= 1)) throw new ArgumentError(`${op}: topP must be in (0, 1], got ${o.topP}`);
  const start = resolveStart(op, o);
  const B = start.batch;
  // temperature 0 is greedy: no draws, so no generator (the global one is not advanced)
  const gen: Generator | null = o.temperature === 0 ? null : toGenerator(o.seed ?? undefined);
  const tokens = new Int32Array(B * T);
  const length = new Int32Array(B);
  const logProb = new Float64Array(B);
  const active = new Uint8Array(B).fill(1);
  let V: number | null = null;
  let probs = new Float64Array(0);
  let order = new Int32Array(0);
  for (let t = 0; t < T; t++) {
    const rows: number[] = [];
    for (let b = 0; b < B; b++) if (active[b]) rows.push(b);
    if (rows.length === 0) break;
    const rowItem = Int32Array.from(rows);
    const out = callStep(step, start, rowItem, tokens, rowItem, T, t);
    V = checkStepOutput(op, out, rows.length, V, { tokens: { eosToken: eos }, strict: o.checkInputs });
    if (probs.length < V) {
      probs = new Float64Array(V);
      order = new Int32Array(V);
    }
    const z = out.data;
    const vocab = V;
    rows.forEach((b, r) => {
      const row = z.subarray(r * vocab, (r + 1) * vocab);
      const v = gen === null ? argmax(row) : draw(row, o.temperature, o.topK, o.topP, gen, probs, order);
      tokens[b * T + t] = v;
      length[b] = t + 1;
      logProb[b] += row[v];
      if (v === eos) active[b] = 0;
    });
  }
  return Array.from({ length: B }, (_, b) => ({
    tokens: tokens.slice(b * T, b * T + length[b]),
    score: logProb[b],
    logProb: logProb[b],
  }));
}

// the first index of the largest value
function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let v = 1; v < row.length; v++) if (row[v] > row[best]) best = v;
  return best;
}

// One draw from softmax(row / temperature) restricted by topK / topP. probs, order: scratch [V].
function draw(
  row: ArrayLike<number>,
  temperature: number,
  topK: number | null,
  topP: number,
  gen: Generator,
  probs: Float64Array,
  order: Int32Array,
): number {
  const V = row.length;
  let max = Number.NEGATIVE_INFINITY;
  for (let v = 0; v < V; v++) max = Math.max(max, row[v] / temperature);
  if (max === Number.NEGATIVE_INFINITY)
    throw new ArgumentError('sample: every token has probability 0 in a step output row');
  let total = 0;
  for (let v = 0; v < V; v++) {
    probs[v] = Math.exp(row[v] / temperature - max); // shifted by the max: no overflow
    total += probs[v];
  }
  // candidates: order[0..n) (most probable first) when filtered, else all tokens in id order
  const filtered = topK !== null || topP < 1;
  let n = V;
  if (filtered) {
    for (let v = 0; v < V; v++) order[v] = v;
    order.set(Array.from(order.subarray(0, V)).sort((a, b) => probs[b] - probs[a] || a - b));
    if (topK !== null) n = Math.min(V, topK);
    total = 0;
    for (let i = 0; i < n; i++) total += probs[order[i]];
    if (topP < 1) {
      // the nucleus of what topK kept: the shortest prefix reaching topP of its mass
      let mass = 0;
      let c = 0;
      while (c < n && mass < topP * total) mass += probs[order[c++]];
      n = Math.max(1, c);
      total = mass > 0 ? mass : probs[order[0]];
    }
  }
  const token = (i: number) => (filtered ? order[i] : i);
  let u = gen.random() * total;
  for (let i = 0; i < n; i++) {
    u -= probs[token(i)];
    if (u < 0) return token(i);
  }
  // rounding left u >= 0 after the last candidate: take the last one with positive mass
  for (let i = n - 1; i >= 0; i--) if (probs[token(i)] > 0) return token(i);
  return 0;
}
