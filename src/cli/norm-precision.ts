// The float32 large-offset experiment shared by the layernorm and batchnorm demos: data with
// mean `offset` and std 1, normalised in float32 by the textbook one-pass variance
// var = E[x^2] - E[x]^2 and by shousi's op (two-pass variance), each compared with the op in
// float64 on the same float32-rounded input (so only the algorithm's error is measured).
// At offset 1e4, E[x^2] ~ 1e8 where a float32 ulp is 8: the one-pass variance of a unit-variance
// row is rounding noise, often negative, and the normalised output is garbage or NaN.

import { F, type Generator, randn, type Tensor } from '../index.js';
import type { Json } from './demo.js';
import { fmtNum, fmtTable } from './format.js';
import { jsonNum, maxAbsDiff } from './helpers.js';
import type { LineSeries } from './plot.js';

/** Which normalisation: over each row (layer) or each column (batch). */
export type NormKind = 'layer' | 'batch';

/** One offset of the sweep. */
export interface PrecisionRow {
  offset: number;
  /** Max abs error of the naive float32 output (Infinity when it has NaN/inf). */
  naive: number;
  /** Max abs error of shousi's float32 output. */
  ours: number;
}

const EPS = 1e-5;

/** The mean offsets both demos sweep: from harmless to far past float32's 7 digits. */
const OFFSETS: readonly number[] = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];

/** The experiment as a demo shows it: the rows, and their table, plot series, summary and JSON. */
export interface PrecisionReport {
  rows: PrecisionRow[];
  table: string;
  series: LineSeries[];
  summary: string;
  json: Json;
}

/** Runs the sweep over OFFSETS and formats it for the terminal, the plot and --json. */
export function precisionExperiment(kind: NormKind, gen: Generator): PrecisionReport {
  const rows = precisionSweep(kind, OFFSETS, gen);
  return {
    rows,
    table: precisionTable(rows),
    series: precisionSeries(rows),
    summary: precisionSummary(rows),
    json: precisionJson(rows),
  };
}

function normalise(kind: NormKind, x: Tensor): Tensor {
  return kind === 'layer' ? F.layerNorm(x, [x.shape[1]]) : F.batchNorm(x, null, null, { training: true });
}

/** The textbook normalisation with the one-pass variance, over dim 1 (layer) or dim 0 (batch). */
function naiveNormalise(kind: NormKind, x: Tensor): Tensor {
  const dim = kind === 'layer' ? 1 : 0;
  const mean = x.mean(dim, { keepdim: true });
  const variance = x.square().mean(dim, { keepdim: true }).sub(mean.square());
  return x.sub(mean).div(variance.add(EPS).sqrt());
}

/** One row per offset: naive and shousi float32 errors against float64. */
function precisionSweep(kind: NormKind, offsets: readonly number[], gen: Generator): PrecisionRow[] {
  const shape = kind === 'layer' ? [8, 16] : [64, 4];
  const noise = randn(shape, { dtype: 'float64', generator: gen });
  return offsets.map((offset) => {
    const x32 = noise.add(offset).to('float32');
    const ref = normalise(kind, x32.to('float64'));
    return {
      offset,
      naive: maxAbsDiff(naiveNormalise(kind, x32).data, ref.data),
      ours: maxAbsDiff(normalise(kind, x32).data, ref.data),
    };
  });
}

/** An error for the terminal: 3 significant digits, or 'nan/inf'. */
function fmtError(e: number): string {
  return Number.isFinite(e) ? fmtNum(e, 3) : 'nan/inf';
}

/** The sweep as an aligned table: offset, textbook error, shousi error. */
function precisionTable(rows: readonly PrecisionRow[]): string {
  return fmtTable(
    ['offset', 'textbook max error', 'shousi max error'],
    rows.map((r) => [fmtNum(r.offset), fmtError(r.naive), fmtError(r.ours)]),
  );
}

/** The summary's clause on the offset-1e4 row, where the textbook variance has already failed. */
function precisionSummary(rows: readonly PrecisionRow[]): string {
  const at1e4 = rows.find((r) => r.offset === 1e4)!;
  return `float32 at offset 1e4: textbook error ${fmtError(at1e4.naive)}, shousi ${fmtError(at1e4.ours)}`;
}

/** The sweep for the --json summary (NaN/inf errors as null). */
function precisionJson(rows: readonly PrecisionRow[]): Json {
  return rows.map((r) => ({ offset: r.offset, naive: jsonNum(r.naive), ours: jsonNum(r.ours) }));
}

/** The sweep as plot series; a NaN/inf error is drawn at `cap` (the subtitle says so). */
function precisionSeries(rows: readonly PrecisionRow[], cap = 10): LineSeries[] {
  const x = rows.map((r) => r.offset);
  const clip = (e: number) => Math.max(Math.min(e, cap), 1e-9);
  return [
    { name: 'textbook E[x²] − E[x]² (float32)', x, y: rows.map((r) => clip(r.naive)) },
    { name: 'shousi two-pass (float32)', x, y: rows.map((r) => clip(r.ours)) },
  ];
}
