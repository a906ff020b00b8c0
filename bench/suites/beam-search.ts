// Beam search (issue 5), time per call, float32 inputs:
//   table  the seed's demo: beamSearchTable on per-position probabilities [32, 20, 1000], beam 3
//   model  beamSearch over a cheap model: batch 8, beam 8, vocab 1000, maxLength 32, EOS = 1,
//          lengthPenalty 1; the model is a fixed random bigram table (markovStep over [1000, 1000]),
//          so the step only gathers rows and the decoder's own work (one topk over [8, 8000] per
//          step, token bookkeeping, the pools) dominates
//   greedy / sample  the same model, batch 8, maxLength 32 (sampling: temperature 0.8, topP 0.9)
// No JavaScript peer ships a decoder over arbitrary models, so there are no ratio columns.

import {
  beamSearch,
  beamSearchTable,
  Generator,
  greedy,
  markovStep,
  sample,
  Tensor,
} from '../../src/index.js';
import { getNumThreads } from '../../src/kernels/backend.js';
import { makeRecord } from '../measure.js';
import type { BenchRecord, BenchSuite } from '../types.js';

const V = 1000;

function randomRows(rows: number, g: Generator, logs: boolean): Float32Array {
  const out = new Float32Array(rows * V);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let v = 0; v < V; v++) s += out[r * V + v] = Math.exp(2 * g.normal());
    for (let v = 0; v < V; v++) out[r * V + v] = logs ? Math.log(out[r * V + v] / s) : out[r * V + v] / s;
  }
  return out;
}

const suite: BenchSuite = {
  name: 'beam-search',
  async run(ctx) {
    const g = new Generator(11);
    const records: BenchRecord[] = [];
    const rec = (workload: string, ms: number) => {
      const r = makeRecord(workload, 'shousi', getNumThreads(), ms); // the setting in effect
      r.extra = { 'calls/s': 1000 / ms };
      records.push(r);
    };

    const probs = new Tensor(randomRows(32 * 20, g, false), [32, 20, V]);
    rec('beam table b32 len20 v1000 k3', await ctx.measure(() => beamSearchTable(probs, 3)));

    const T = randomRows(V, g, true);
    T.forEach((_, i) => {
      if (i % V === 1) T[i] -= 3; // EOS (token 1) rarer than average: hypotheses of all lengths
    });
    const step = markovStep(new Tensor(T, [V, V]));
    const startTokens = Array.from({ length: 8 }, (_, b) => [2 + b]);
    const common = { startTokens, eosToken: 1, maxLength: 32 };
    rec(
      'beam model b8 k8 v1000 len32',
      await ctx.measure(() => beamSearch(step, { ...common, beamSize: 8, lengthPenalty: 1 })),
    );
    rec('greedy model b8 v1000 len32', await ctx.measure(() => greedy(step, common)));
    const sg = new Generator(3);
    rec(
      'sample model b8 v1000 len32',
      await ctx.measure(() => sample(step, { ...common, temperature: 0.8, topP: 0.9, seed: sg })),
    );
    return records;
  },
};

export default suite;
