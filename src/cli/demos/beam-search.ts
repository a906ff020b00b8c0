// Beam search demo: the seed's decoder over a random table of per-position probabilities
// (batch 32, seqLen 20, vocab 1000, beam 3) with timing; then a model-driven search on a small
// first-order Markov model of words, with EOS and length penalty, its finished hypotheses beside
// greedy decoding and the exhaustive optimum; then how often each beam width finds the optimum
// over random Markov models (plotted).

import {
  beamSearch,
  beamSearchTable,
  Generator,
  greedy,
  type Hypothesis,
  markovOptimum,
  markovStep,
  randn,
  Tensor,
} from '../../index.js';
import type { DemoIO, DemoOptions, DemoSummary } from '../demo.js';
import { fmtDims, fmtNum, fmtSeconds, fmtTable } from '../format.js';

const WORDS = ['<bos>', '<eos>', 'the', 'a', 'cat', 'dog', 'sat', 'ran', 'away', 'home'];
const BOS = 0;
const EOS = 1;
// Unnormalised next-word weights (absent = 0). 'the' spreads its mass, 'a' does not: greedy
// takes 'the' (0.5 > 0.4) and ends up on a less probable sentence than beam search.
const NEXT: Record<string, Record<string, number>> = {
  '<bos>': { the: 5, a: 4, cat: 0.5, dog: 0.5 },
  the: { cat: 2, dog: 2, sat: 1, ran: 1, home: 1, '<eos>': 0.5 },
  a: { cat: 9, dog: 1 },
  cat: { sat: 6, ran: 3, '<eos>': 1 },
  dog: { ran: 7, sat: 2, '<eos>': 1 },
  sat: { '<eos>': 5, home: 4, away: 1 },
  ran: { away: 6, home: 3, '<eos>': 1 },
  away: { '<eos>': 10 },
  home: { '<eos>': 10 },
  '<eos>': { '<eos>': 1 },
};

/** Row-normalised log transition matrix [V, V] from the word weights. */
function wordModel(): Tensor {
  const V = WORDS.length;
  const logT = new Float64Array(V * V).fill(Number.NEGATIVE_INFINITY);
  WORDS.forEach((w, a) => {
    const row = NEXT[w];
    const total = Object.values(row).reduce((s, x) => s + x, 0);
    for (const [next, x] of Object.entries(row)) logT[a * V + WORDS.indexOf(next)] = Math.log(x / total);
  });
  return new Tensor(logT, [V, V]);
}

/** A random Markov model [V, V]: each row log-softmax of N(0, 2^2) logits. */
function randomModel(V: number, gen: Generator): Tensor {
  const logT = new Float64Array(V * V);
  for (let a = 0; a < V; a++) {
    const row = Array.from({ length: V }, () => 2 * gen.normal());
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
    row.forEach((x, b) => {
      logT[a * V + b] = x - lse;
    });
  }
  return new Tensor(logT, [V, V]);
}

const sentence = (tokens: ArrayLike<number>) => Array.from(tokens, (t) => WORDS[t]).join(' ');
const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.from(a).every((v, i) => v === b[i]);

/** The beam-search demo. */
export async function run(opts: DemoOptions, io: DemoIO): Promise<DemoSummary> {
  const gen = new Generator(opts.seed);
  const batch = opts.batchSize ?? 32;

  io.section(`the seed's table: LM_prob = softmax(randn([${batch}, 20, 1000]), -1), beam 3`);
  const probs = randn([batch, 20, 1000], { generator: gen }).softmax(-1);
  beamSearchTable(probs, 3); // warm-up: the first call pays for JIT compilation
  const reps = 5;
  const t0 = performance.now();
  let table = beamSearchTable(probs, 3);
  for (let i = 1; i < reps; i++) table = beamSearchTable(probs, 3);
  const tableSeconds = (performance.now() - t0) / 1000 / reps;
  io.log(
    `sequences ${fmtDims(table.sequences.shape)} (int32), logProbs ${fmtDims(table.logProbs.shape)}: ${fmtSeconds(tableSeconds)} per call`,
  );
  const first = (j: number) => Array.from(table.sequences.data.subarray(j * 20, j * 20 + 8)).join(' ');
  for (let j = 0; j < 3; j++)
    io.log(`  item 0, beam ${j}: ${first(j)} ...  log-prob ${fmtNum(table.logProbs.data[j])}`);
  // positions are independent, so the best beam is the per-position argmax
  const argmax = probs.argmax(-1);
  let exact = 0;
  for (let b = 0; b < batch; b++)
    if (same(table.sequences.data.subarray(b * 60, b * 60 + 20), argmax.data.subarray(b * 20, b * 20 + 20)))
      exact++;
  io.log(`best beam = per-position argmax for ${exact}/${batch} items (exact: the table ignores the prefix)`);

  io.section('a Markov model of words: beam search with EOS and length penalty, maxLength 6');
  const logT = wordModel();
  const step = markovStep(logT);
  const maxLength = 6;
  const g = greedy(step, { bosToken: BOS, eosToken: EOS, maxLength })[0];
  const rows: string[][] = [
    ['greedy', sentence(g.tokens), fmtNum(g.logProb), fmtNum(g.logProb / g.tokens.length)],
  ];
  const results: Record<string, Hypothesis[]> = {};
  for (const alpha of [1, 0]) {
    const t1 = performance.now();
    results[alpha] = beamSearch(step, {
      bosToken: BOS,
      eosToken: EOS,
      maxLength,
      beamSize: 3,
      lengthPenalty: alpha,
    })[0];
    const ms = performance.now() - t1;
    for (const [i, h] of results[alpha].entries()) {
      const label = `beam 3, lengthPenalty ${alpha} #${i + 1}${i === 0 ? ` (${fmtNum(ms, 2)} ms)` : ''}`;
      rows.push([label, sentence(h.tokens), fmtNum(h.logProb), fmtNum(h.score)]);
    }
  }
  io.log(fmtTable(['decoder', 'hypothesis (EOS included)', 'log-prob', 'score'], rows));
  const opt = markovOptimum(logT, { bosToken: BOS, eosToken: EOS, maxLength, lengthPenalty: 1 });
  const beamBest = results[1][0];
  io.log(
    `exhaustive optimum (lengthPenalty 1): "${sentence(opt.tokens)}" score ${fmtNum(opt.score)}; ` +
      `beam search ${same(beamBest.tokens, opt.tokens) ? 'found it' : 'missed it'}, greedy ${same(g.tokens, opt.tokens) ? 'found it' : 'missed it'}`,
  );

  io.section(
    'how often each beam width finds the exhaustive optimum: 30 random Markov models, V 8, maxLength 5',
  );
  const widths = [1, 2, 3, 4, 6, 8];
  const models = Array.from({ length: 30 }, () => randomModel(8, gen));
  const found = (alpha: number) =>
    widths.map((k) => {
      let hits = 0;
      for (const m of models) {
        const h = beamSearch(markovStep(m), {
          bosToken: BOS,
          eosToken: EOS,
          maxLength: 5,
          beamSize: k,
          lengthPenalty: alpha,
        })[0][0];
        const opt = markovOptimum(m, { bosToken: BOS, eosToken: EOS, maxLength: 5, lengthPenalty: alpha });
        if (same(h.tokens, opt.tokens)) hits++;
      }
      return hits / models.length;
    });
  const series = [0, 1].map((alpha) => ({ name: `lengthPenalty ${alpha}`, x: widths, y: found(alpha) }));
  io.log(
    fmtTable(
      ['beam size', ...widths.map(String)],
      series.map((s) => [s.name, ...s.y.map((f) => `${Math.round(f * 100)}%`)]),
    ),
  );
  await io.plot('beam-search-width', {
    kind: 'line',
    title: 'Beam search: how often the beam finds the best sequence',
    subtitle: '30 random first-order Markov models, vocab 8 (EOS = 1), maxLength 5; beam 1 = greedy',
    xLabel: 'beam size',
    yLabel: 'fraction of models at the exhaustive optimum',
    series,
  });

  return io.finish(
    `beam search: seed table [${batch},20,1000] beam 3 in ${fmtSeconds(tableSeconds)}; Markov model: beam "${sentence(beamBest.tokens)}" ` +
      `(${fmtNum(beamBest.score)}) vs greedy "${sentence(g.tokens)}" (${fmtNum(g.logProb / g.tokens.length)})`,
    {
      tableShape: [...table.sequences.shape],
      tableSecondsPerCall: tableSeconds,
      tableBestIsArgmax: exact === batch,
      greedy: { tokens: sentence(g.tokens), logProb: g.logProb },
      beam: results[1].map((h) => ({ tokens: sentence(h.tokens), score: h.score, logProb: h.logProb })),
      beamFoundOptimum: same(beamBest.tokens, opt.tokens),
      optimumFraction: Object.fromEntries(series.map((s) => [s.name, s.y])),
    },
  );
}
