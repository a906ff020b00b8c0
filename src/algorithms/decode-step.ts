// What every decoder over a `step` model shares (beam search, greedy, sampling): the start
// prefixes, building the int32 prefix tensor for the live rows, and checking what the model
// returned. Legend: B batch items, P start-prefix length, t generated tokens so far, V vocab,
// R live rows (hypotheses still being extended, across all items).

import { ArgumentError, DTypeError, fmtShape, intOption, ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

/** What a step call also receives: which batch item each prefix row belongs to, and the step number. */
export interface StepContext {
  /** batchIndex[r] = batch item of prefix row r, int32 [R]. */
  batchIndex: Int32Array;
  /** 1-based: the token being chosen is the step-th generated one. */
  step: number;
}

/**
 * A model: next-token log-probabilities for each live prefix.
 * prefixes: int32 [R, P + t] (start tokens, then generated ones) -> log-probs [R, V] (float32 or float64).
 */
export type StepFn = (prefixes: Tensor, ctx: StepContext) => Tensor;

/** Where decoding starts; shared by beamSearch, greedy and sample. */
export interface StartOptions {
  /** A token every sequence starts from (fed to the model, not part of the output); null = none. */
  bosToken?: number | null;
  /** Per batch item start prefix (all the same length), [B, P]; null = [bosToken] or empty. */
  startTokens?: readonly (readonly number[])[] | Tensor | null;
  /** Batch items when startTokens is not given (default 1). */
  batchSize?: number | null;
}

/** Resolved start: B items with P start tokens each, row-major [B, P]. */
export interface Start {
  batch: number;
  prefixLen: number;
  tokens: Int32Array;
}

function isTokenId(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** Checks `v` is null/undefined or a token id (integer >= 0); returns it or null. */
export function optionalToken(op: string, name: string, v: number | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  if (!isTokenId(v)) throw new ArgumentError(`${op}: ${name} must be an integer >= 0 or null, got ${v}`);
  return v;
}

/** The start prefixes: startTokens, or [bosToken] per item, or empty prefixes. */
export function resolveStart(op: string, o: StartOptions): Start {
  const bos = optionalToken(op, 'bosToken', o.bosToken);
  const given = o.startTokens ?? null;
  const batchOpt = o.batchSize ?? null;
  if (batchOpt !== null) intOption(op, 'batchSize', batchOpt, 1);
  if (given === null) {
    const batch = batchOpt ?? 1;
    return bos === null
      ? { batch, prefixLen: 0, tokens: new Int32Array(0) }
      : { batch, prefixLen: 1, tokens: new Int32Array(batch).fill(bos) };
  }
  if (bos !== null) throw new ArgumentError(`${op}: give bosToken or startTokens, not both`);
  let rows: number;
  let cols: number;
  let flat: ArrayLike<number>;
  if (given instanceof Tensor) {
    if (given.ndim !== 2 || given.dtype !== 'int32') {
      throw new ShapeError(
        `${op}: startTokens must be an int32 tensor [B, P], got ${given.dtype} ${fmtShape(given.shape)}`,
      );
    }
    [rows, cols] = given.shape;
    flat = given.data;
  } else {
    rows = given.length;
    cols = rows > 0 ? given[0].length : 0;
    const out: number[] = [];
    given.forEach((r, i) => {
      if (r.length !== cols)
        throw new ShapeError(
          `${op}: startTokens rows must have one length: row ${i} has ${r.length} (vs ${cols})`,
        );
      out.push(...r);
    });
    flat = out;
  }
  if (rows < 1) throw new ShapeError(`${op}: startTokens has no rows`);
  if (batchOpt !== null && batchOpt !== rows)
    throw new ArgumentError(`${op}: batchSize ${batchOpt} does not match startTokens (${rows} rows)`);
  const tokens = new Int32Array(rows * cols);
  for (let i = 0; i < tokens.length; i++) {
    if (!isTokenId(flat[i]))
      throw new ArgumentError(`${op}: startTokens must be token ids (integers >= 0), got ${flat[i]}`);
    tokens[i] = flat[i];
  }
  return { batch: rows, prefixLen: cols, tokens };
}

/**
 * Calls the model on R live rows. rowItem[r] is the batch item of row r, gen holds the generated
 * tokens of row r at gen[genRow[r] * genStride ...] (t of them). Returns the checked output.
 */
export function callStep(
  step: StepFn,
  start: Start,
  rowItem: Int32Array,
  gen: Int32Array,
  genRow: Int32Array,
  genStride: number,
  t: number,
): Tensor {
  const R = rowItem.length;
  const L = start.prefixLen + t;
  const pre = new Int32Array(R * L); // handed to the model, which may keep it: a fresh array per step
  for (let r = 0; r < R; r++) {
    const b = rowItem[r];
    for (let j = 0; j < start.prefixLen; j++) pre[r * L + j] = start.tokens[b * start.prefixLen + j];
    const g = genRow[r] * genStride;
    for (let j = 0; j < t; j++) pre[r * L + start.prefixLen + j] = gen[g + j];
  }
  return step(new Tensor(pre, [R, L]), { batchIndex: rowItem.slice(), step: t + 1 });
}

/** What checkStepOutput checks beyond the shape. */
export interface StepChecks {
  /** Token options by name (e.g. eosToken); each must be < V. */
  tokens: Record<string, number | null>;
  /** Also reject +inf and rows that are not log-normalised (the decoders' checkInputs). */
  strict: boolean;
}

/**
 * Checks a step output: a float tensor [R, V] with V the same every step (`vocab`, null before
 * the first step), token options < V, no NaN (ever) and, when strict, no +inf and every row
 * log-normalised (|logsumexp| <= 1e-3). Returns V.
 */
// out: [R, V] -> V
export function checkStepOutput(
  op: string,
  out: unknown,
  R: number,
  vocab: number | null,
  { tokens, strict }: StepChecks,
): number {
  if (!(out instanceof Tensor))
    throw new ArgumentError(`${op}: step must return a Tensor of log-probs [${R}, V], got ${typeof out}`);
  if (out.dtype !== 'float32' && out.dtype !== 'float64')
    throw new DTypeError(`${op}: step must return float32 or float64 log-probs, got ${out.dtype}`);
  if (
    out.ndim !== 2 ||
    out.shape[0] !== R ||
    out.shape[1] < 1 ||
    (vocab !== null && out.shape[1] !== vocab)
  ) {
    throw new ShapeError(
      `${op}: step returned ${fmtShape(out.shape)}, expected [${R},${vocab ?? 'V'}] (one row of log-probs per live prefix)`,
    );
  }
  const V = out.shape[1];
  if (vocab === null) {
    for (const [name, id] of Object.entries(tokens)) {
      if (id !== null && id >= V)
        throw new ArgumentError(
          `${op}: ${name} ${id} is out of range for a vocabulary of ${V} (expected < ${V})`,
        );
    }
  }
  const x = out.data;
  for (let r = 0; r < R; r++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let v = 0; v < V; v++) {
      const z = x[r * V + v];
      if (Number.isNaN(z) || (strict && z === Number.POSITIVE_INFINITY)) {
        throw new ArgumentError(
          `${op}: step output row ${r} has ${z} at token ${v} (log-probs must be finite or -inf)`,
        );
      }
      if (z > max) max = z;
    }
    if (!strict) continue;
    let s = 0;
    for (let v = 0; v < V; v++) s += Math.exp(x[r * V + v] - max);
    const lse = max + Math.log(s);
    if (!(Math.abs(lse) <= 1e-3)) {
      throw new ArgumentError(
        `${op}: step output row ${r} is not log-normalised (logsumexp ${lse} vs 0); return logSoftmax(logits)`,
      );
    }
  }
  return V;
}
