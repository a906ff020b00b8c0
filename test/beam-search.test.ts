// Beam search, greedy decoding and sampling: the table form against brute force, the model form
// against a literal transcription of the reference algorithm (golden/beam_search.json) and
// against exhaustive search, beam width 1 against greedy, batching, sampling statistics, bad input.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  beamSearch,
  beamSearchSteps,
  beamSearchTable,
  DTypeError,
  Generator,
  greedy,
  markovOptimum,
  markovStep,
  ShapeError,
  type StepFn,
  sample,
  Tensor,
  tensor,
} from '../src/index.js';

/** A random row-normalised Markov model, log-probs [V, V]. */
function markov(V: number, seed: number): Tensor {
  const g = new Generator(seed);
  const out = new Float64Array(V * V);
  for (let a = 0; a < V; a++) {
    const p = Array.from({ length: V }, () => g.random() + 0.05);
    const s = p.reduce((x, y) => x + y, 0);
    p.forEach((v, b) => {
      out[a * V + b] = Math.log(v / s);
    });
  }
  return new Tensor(out, [V, V]);
}

/** The reference beam search of golden/beam_search.json, transcribed literally with arrays and a stable sort. */
function referenceBeam(T: Tensor, bos: number, eos: number, maxLength: number, K: number, alpha: number) {
  const V = T.shape[0];
  let live: { toks: number[]; lp: number }[] = [{ toks: [], lp: 0 }];
  const pool: { toks: number[]; lp: number; score: number }[] = [];
  const score = (lp: number, len: number) => (alpha === 0 ? lp : lp / len ** alpha);
  for (let step = 1; step <= maxLength; step++) {
    const cands: { toks: number[]; lp: number }[] = [];
    for (const h of live) {
      const last = h.toks.length ? h.toks[h.toks.length - 1] : bos;
      for (let v = 0; v < V; v++) cands.push({ toks: [...h.toks, v], lp: h.lp + T.data[last * V + v] });
    }
    cands.sort((a, b) => b.lp - a.lp); // stable
    for (const c of cands)
      if (c.toks[c.toks.length - 1] === eos) pool.push({ ...c, score: score(c.lp, c.toks.length) });
    live = cands.filter((c) => c.toks[c.toks.length - 1] !== eos).slice(0, K);
    if (step === maxLength) for (const h of live) pool.push({ ...h, score: score(h.lp, h.toks.length) });
  }
  return pool.sort((a, b) => b.score - a.score).slice(0, K);
}

describe('beamSearchTable', () => {
  it('returns the k most probable sequences (property: equals brute force)', () => {
    fc.assert(
      fc.property(
        fc.record({
          B: fc.integer({ min: 1, max: 2 }),
          L: fc.integer({ min: 1, max: 4 }),
          V: fc.integer({ min: 2, max: 5 }),
          seed: fc.nat(),
        }),
        fc.integer({ min: 1, max: 12 }),
        ({ B, L, V, seed }, kRaw) => {
          const K = Math.min(kRaw, V ** L); // past V: the first positions keep every prefix
          const g = new Generator(seed);
          const p = new Float64Array(B * L * V);
          for (let r = 0; r < B * L; r++) {
            const row = Array.from({ length: V }, () => g.random() + 0.01);
            const s = row.reduce((x, y) => x + y, 0);
            row.forEach((v, j) => {
              p[r * V + j] = v / s;
            });
          }
          const { sequences, logProbs } = beamSearchTable(new Tensor(p, [B, L, V]), K);
          expect(sequences.shape).toEqual([B, K, L]);
          for (let b = 0; b < B; b++) {
            const all: { s: number[]; lp: number }[] = [];
            for (let code = 0; code < V ** L; code++) {
              const s = Array.from({ length: L }, (_, t) => Math.floor(code / V ** (L - 1 - t)) % V);
              all.push({ s, lp: s.reduce((acc, tok, t) => acc + Math.log(p[(b * L + t) * V + tok]), 0) });
            }
            all.sort((x, y) => y.lp - x.lp);
            for (let j = 0; j < K; j++) {
              expect(Array.from(sequences.data.slice((b * K + j) * L, (b * K + j + 1) * L))).toEqual(
                all[j].s,
              );
              expect(logProbs.data[b * K + j]).toBeCloseTo(all[j].lp, 12);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('beams wider than the vocabulary, with zero probabilities: the K best distinct sequences', () => {
    const P = [
      [0.7, 0.3, 0],
      [0, 0.4, 0.6],
      [0.5, 0.5, 0],
    ]; // L = 3, V = 3: 27 sequences, 8 of them possible
    const K = 10;
    const { sequences, logProbs } = beamSearchTable(tensor([P], { dtype: 'float64' }), K);
    expect(sequences.shape).toEqual([1, K, 3]);
    const lpOf = (s: number[]) => s.reduce((acc, tok, t) => acc + Math.log(P[t][tok]), 0);
    const all: number[] = [];
    for (let code = 0; code < 27; code++)
      all.push(lpOf([Math.floor(code / 9), Math.floor(code / 3) % 3, code % 3]));
    all.sort((x, y) => y - x);
    const seen = new Set<string>();
    for (let j = 0; j < K; j++) {
      const s = Array.from(sequences.data.slice(j * 3, j * 3 + 3));
      expect(logProbs.data[j]).toBe(all[j]); // -inf from the 9th on
      expect(lpOf(s)).toBe(logProbs.data[j]);
      seen.add(s.join());
    }
    expect(seen.size).toBe(K);
    expect(logProbs.data[7]).toBeGreaterThan(Number.NEGATIVE_INFINITY);
  });

  it('beam 1 is greedy per position; float32 probs give float32 log-probs', () => {
    const probs = tensor(
      [
        [
          [0.1, 0.6, 0.3],
          [0.5, 0.2, 0.3],
        ],
      ],
      { dtype: 'float32' },
    );
    const r = beamSearchTable(probs, 1);
    expect(Array.from(r.sequences.data)).toEqual([1, 0]);
    expect(r.logProbs.dtype).toBe('float32');
    expect(r.logProbs.data[0]).toBeCloseTo(Math.log(0.6) + Math.log(0.5), 6);
  });
});

describe('beamSearch over a model', () => {
  const arb = fc.record({
    V: fc.integer({ min: 2, max: 5 }),
    maxLength: fc.integer({ min: 1, max: 4 }),
    K: fc.integer({ min: 1, max: 4 }),
    alpha: fc.constantFrom(0, 0.6, 1, -0.5),
    seed: fc.nat(),
  });

  it('equals the reference algorithm (sequences, scores, log-probs), early stops included', () => {
    fc.assert(
      fc.property(arb, ({ V, maxLength, K, alpha, seed }) => {
        const T = markov(V, seed);
        const eos = 1 % V;
        const want = referenceBeam(T, 0, eos, maxLength, K, alpha);
        const [got] = beamSearch(markovStep(T), {
          bosToken: 0,
          eosToken: eos,
          maxLength,
          beamSize: K,
          lengthPenalty: alpha,
        });
        expect(got.map((h) => Array.from(h.tokens))).toEqual(want.map((h) => h.toks));
        got.forEach((h, j) => {
          expect(h.score).toBeCloseTo(want[j].score, 12);
          expect(h.logProb).toBeCloseTo(want[j].lp, 12);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('a beam wide enough to keep every prefix finds the exhaustive optimum', () => {
    fc.assert(
      fc.property(arb, ({ V, maxLength, alpha, seed }) => {
        const T = markov(V, seed);
        const best = markovOptimum(T, { bosToken: 0, eosToken: 1, maxLength, lengthPenalty: alpha });
        const [got] = beamSearch(markovStep(T), {
          bosToken: 0,
          eosToken: 1,
          maxLength,
          beamSize: V ** maxLength,
          lengthPenalty: alpha,
        });
        expect(got[0].score).toBeCloseTo(best.score, 12);
        // a Markov chain has exact ties (from bos 0, [0,4,0] and [4,0,0] sum the same log-probs)
        if (Math.abs(got[1]?.score - got[0].score) > 1e-12 || got.length === 1) {
          expect(Array.from(got[0].tokens)).toEqual(Array.from(best.tokens));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('beam width 1 equals greedy without EOS, and is never worse than greedy with EOS', () => {
    fc.assert(
      fc.property(arb, ({ V, maxLength, seed }) => {
        const step = markovStep(markov(V, seed));
        const [[b1]] = [beamSearch(step, { bosToken: 0, maxLength, beamSize: 1, lengthPenalty: 0 })];
        const [g] = greedy(step, { bosToken: 0, maxLength });
        expect(Array.from(b1[0].tokens)).toEqual(Array.from(g.tokens));
        expect(b1[0].logProb).toBeCloseTo(g.logProb, 12);
        const [be] = beamSearch(step, { bosToken: 0, eosToken: 1, maxLength, beamSize: 1, lengthPenalty: 0 });
        const [ge] = greedy(step, { bosToken: 0, eosToken: 1, maxLength });
        expect(be[0].score).toBeGreaterThanOrEqual(ge.logProb - 1e-12);
      }),
      { numRuns: 80 },
    );
  });

  it('decodes a batch: each item as if alone, rows tagged with their item', () => {
    const T = markov(6, 4);
    const inner = markovStep(T);
    const seen = new Set<number>();
    const step: StepFn = (prefixes, ctx) => {
      expect(ctx.batchIndex.length).toBe(prefixes.shape[0]);
      for (const b of ctx.batchIndex) seen.add(b);
      return inner(prefixes, ctx);
    };
    const starts = [
      [0, 2],
      [3, 5],
      [4, 4],
    ];
    const batch = beamSearch(step, {
      startTokens: starts,
      eosToken: 1,
      maxLength: 5,
      beamSize: 3,
      numReturnSequences: 2,
    });
    expect(seen).toEqual(new Set([0, 1, 2]));
    starts.forEach((s, b) => {
      const [alone] = beamSearch(inner, {
        startTokens: [s],
        eosToken: 1,
        maxLength: 5,
        beamSize: 3,
        numReturnSequences: 2,
      });
      expect(batch[b].length).toBe(2);
      expect(batch[b].map((h) => Array.from(h.tokens))).toEqual(alone.map((h) => Array.from(h.tokens)));
    });
  });

  it('stops items early once settled, and earlyStopping: true stops at beamSize finished', () => {
    // EOS is very likely: finished hypotheses soon dominate anything still live
    const V = 5;
    const T = new Float64Array(V * V);
    for (let a = 0; a < V; a++) for (let b = 0; b < V; b++) T[a * V + b] = Math.log(b === 1 ? 0.9 : 0.025);
    const steps = [
      ...beamSearchSteps(markovStep(new Tensor(T, [V, V])), {
        bosToken: 0,
        eosToken: 1,
        maxLength: 30,
        beamSize: 2,
        lengthPenalty: 0,
      }),
    ];
    expect(steps.length).toBeLessThan(30);
    expect(steps[steps.length - 1].numDone).toBe(1);
    const eager = [
      ...beamSearchSteps(markovStep(new Tensor(T, [V, V])), {
        bosToken: 0,
        eosToken: 1,
        maxLength: 30,
        beamSize: 2,
        earlyStopping: true,
      }),
    ];
    expect(eager.length).toBeLessThanOrEqual(2);
  });

  it('never keeps a continuation of probability 0, and allows -inf with checkInputs', () => {
    const step: StepFn = (p) => {
      const out = new Float64Array(p.shape[0] * 3).fill(Math.log(0.5));
      for (let r = 0; r < p.shape[0]; r++) out[r * 3 + 2] = Number.NEGATIVE_INFINITY;
      return new Tensor(out, [p.shape[0], 3]);
    };
    const [hyps] = beamSearch(step, { maxLength: 3, beamSize: 3, lengthPenalty: 0, checkInputs: true });
    for (const h of hyps) expect(h.tokens.includes(2)).toBe(false);
  });
});

describe('sample and greedy', () => {
  const probs = [0.5, 0.3, 0.15, 0.05];
  const fixed: StepFn = (p) => {
    const out = new Float64Array(p.shape[0] * 4);
    for (let r = 0; r < p.shape[0]; r++) for (let v = 0; v < 4; v++) out[r * 4 + v] = Math.log(probs[v]);
    return new Tensor(out, [p.shape[0], 4]);
  };

  it('draws with the model frequencies, reproducibly for a seed', () => {
    const draws = sample(fixed, { batchSize: 4000, maxLength: 1, seed: 3 });
    const counts = [0, 0, 0, 0];
    for (const h of draws) counts[h.tokens[0]]++;
    for (let v = 0; v < 4; v++) expect(Math.abs(counts[v] / 4000 - probs[v])).toBeLessThan(0.03);
    const again = sample(fixed, { batchSize: 4000, maxLength: 1, seed: 3 });
    expect(again.map((h) => h.tokens[0])).toEqual(draws.map((h) => h.tokens[0]));
    expect(draws[0].logProb).toBeCloseTo(Math.log(probs[draws[0].tokens[0]]), 12);
  });

  it('topK, topP and temperature restrict the draws', () => {
    const k2 = sample(fixed, { batchSize: 500, maxLength: 1, seed: 1, topK: 2 }).map((h) => h.tokens[0]);
    expect(new Set(k2)).toEqual(new Set([0, 1]));
    // nucleus 0.75 = {0.5, 0.3}
    const p8 = sample(fixed, { batchSize: 500, maxLength: 1, seed: 2, topP: 0.75 }).map((h) => h.tokens[0]);
    expect(new Set(p8)).toEqual(new Set([0, 1]));
    const cold = sample(fixed, { batchSize: 50, maxLength: 1, seed: 2, temperature: 1e-3 }).map(
      (h) => h.tokens[0],
    );
    expect(new Set(cold)).toEqual(new Set([0]));
  });

  it('greedy follows the argmax and stops at EOS', () => {
    const T = markov(5, 9);
    const [g] = greedy(markovStep(T), { bosToken: 0, eosToken: 1, maxLength: 8 });
    let last = 0;
    for (const tok of g.tokens) {
      const row = Array.from(T.data.slice(last * 5, last * 5 + 5));
      expect(tok).toBe(row.indexOf(Math.max(...row)));
      last = tok;
    }
    expect(g.tokens.length === 8 || g.tokens[g.tokens.length - 1] === 1).toBe(true);
    const [s0] = sample(markovStep(T), { bosToken: 0, eosToken: 1, maxLength: 8, temperature: 0 });
    expect(Array.from(s0.tokens)).toEqual(Array.from(g.tokens));
  });
});

describe('decoders: bad input', () => {
  const step = markovStep(markov(4, 1));
  const table = new Tensor(new Float64Array(2 * 3 * 4).fill(0.25), [2, 3, 4]);
  const cases: [string, () => unknown, new (...a: never[]) => Error, RegExp][] = [
    [
      'beamSize < 1',
      () => beamSearch(step, { bosToken: 0, beamSize: 0 }),
      ArgumentError,
      /beamSize must be an integer >= 1, got 0/,
    ],
    [
      'table beamSize > the vocab^seqLen sequences there are',
      () => beamSearchTable(table, 65),
      ArgumentError,
      /beamSize must be an integer in \[1, 64\], got 65/,
    ],
    [
      'table beamSize < 1',
      () => beamSearchTable(table, 0),
      ArgumentError,
      /beamSize must be an integer in \[1, 64\], got 0/,
    ],
    [
      'table not 3-D',
      () => beamSearchTable(tensor([0.5, 0.5]), 1),
      ShapeError,
      /probs must be \[batch, seqLen, vocab\], got \[2\]/,
    ],
    [
      'table probs out of [0, 1]',
      () => beamSearchTable(new Tensor(new Float64Array(4).fill(2), [1, 1, 4]), 1),
      ArgumentError,
      /must lie in \[0, 1\], got 2/,
    ],
    [
      'maxLength < 1',
      () => beamSearch(step, { bosToken: 0, maxLength: 0 }),
      ArgumentError,
      /maxLength must be an integer >= 1, got 0/,
    ],
    [
      'eos out of range',
      () => beamSearch(step, { bosToken: 0, eosToken: 4 }),
      ArgumentError,
      /eosToken 4 is out of range for a vocabulary of 4/,
    ],
    [
      'negative eos',
      () => beamSearch(step, { bosToken: 0, eosToken: -1 }),
      ArgumentError,
      /eosToken must be an integer >= 0 or null, got -1/,
    ],
    [
      'step of the wrong shape',
      () => beamSearch(() => new Tensor(new Float64Array(3), [1, 3]), { batchSize: 2 }),
      ShapeError,
      /step returned \[1,3\], expected \[2,V\]/,
    ],
    [
      'step changing vocab',
      () =>
        beamSearch(
          (p) =>
            new Tensor(new Float64Array(p.shape[0] * (p.shape[1] + 2)).fill(-1), [
              p.shape[0],
              p.shape[1] + 2,
            ]),
          { maxLength: 3 },
        ),
      ShapeError,
      /expected \[\d+,2\]/,
    ],
    [
      'step returning int',
      () => beamSearch(() => tensor([[0]], { dtype: 'int32' })),
      DTypeError,
      /float32 or float64 log-probs, got int32/,
    ],
    [
      'step returning NaN',
      () => beamSearch(() => tensor([[Number.NaN, 0]])),
      ArgumentError,
      /row 0 has NaN at token 0/,
    ],
    [
      'step returning +inf (checkInputs)',
      () => beamSearch(() => tensor([[Number.POSITIVE_INFINITY, 0]]), { checkInputs: true }),
      ArgumentError,
      /Infinity at token 0/,
    ],
    [
      'non-normalised (checkInputs)',
      () => beamSearch(() => tensor([[0, 0]]), { checkInputs: true }),
      ArgumentError,
      /not log-normalised \(logsumexp 0.69\d+ vs 0\)/,
    ],
    [
      'bos and startTokens',
      () => beamSearch(step, { bosToken: 0, startTokens: [[1]] }),
      ArgumentError,
      /bosToken or startTokens, not both/,
    ],
    [
      'ragged startTokens',
      () => beamSearch(step, { startTokens: [[1], [1, 2]] }),
      ShapeError,
      /row 1 has 2 \(vs 1\)/,
    ],
    [
      'numReturnSequences > beamSize',
      () => beamSearch(step, { bosToken: 0, beamSize: 2, numReturnSequences: 3 }),
      ArgumentError,
      /numReturnSequences must be an integer in \[1, 2\], got 3/,
    ],
    [
      'sample topP 0',
      () => sample(step, { bosToken: 0, topP: 0 }),
      ArgumentError,
      /topP must be in \(0, 1\], got 0/,
    ],
    [
      'sample negative temperature',
      () => sample(step, { bosToken: 0, temperature: -1 }),
      ArgumentError,
      /temperature must be a finite number >= 0, got -1/,
    ],
    [
      'sample topK 0',
      () => sample(step, { bosToken: 0, topK: 0 }),
      ArgumentError,
      /topK must be an integer >= 1, got 0/,
    ],
    [
      'greedy eos out of range',
      () => greedy(step, { bosToken: 0, eosToken: 9 }),
      ArgumentError,
      /eosToken 9 is out of range/,
    ],
    [
      'markovStep table not square',
      () => markovStep(new Tensor(new Float64Array(6), [2, 3])),
      ShapeError,
      /markovStep: logT must be a square table \[V, V\], got \[2,3\]/,
    ],
    [
      'markovStep without a start token',
      () => beamSearch(step, { maxLength: 2 }),
      ArgumentError,
      /markovStep: prefixes \[1,0\] have no last token/,
    ],
    [
      'markovOptimum eos out of range',
      () => markovOptimum(markov(4, 1), { bosToken: 0, eosToken: 4, maxLength: 2 }),
      ArgumentError,
      /markovOptimum: eosToken must be an integer in \[0, 3\], got 4/,
    ],
  ];
  for (const [what, fn, cls, msg] of cases) {
    it(what, () => {
      expect(fn).toThrow(cls);
      expect(fn).toThrow(msg);
    });
  }
});
