// The golden fixture format (golden/README.md) and the adapter contract: one file per op in
// scripts/golden/adapters/<op>.ts, default-exporting an OpAdapter. The runner discovers the
// adapters by listing that folder, so adding an op never touches the runner.

import type { Tensor } from '../../src/index.js';

/** A tensor as fixtures store it: shape, dtype and flat row-major data. */
export interface GoldenTensor {
  shape: number[];
  dtype: 'float64' | 'int32' | 'bool';
  data: number[];
}

/** One case of a fixture: params, inputs, expected outputs (and gradients), tolerance. */
export interface GoldenCase {
  name: string;
  params: Record<string, unknown>;
  inputs: Record<string, GoldenTensor>;
  outputs: Record<string, GoldenTensor>;
  upstream?: Record<string, GoldenTensor>;
  grads?: Record<string, GoldenTensor>;
  tol: { rtol: number; atol: number };
}

/** A fixture file: one op, its normative description, its cases. */
export interface GoldenFile {
  op: string;
  generator?: string;
  description: string;
  cases: GoldenCase[];
}

/** What an adapter knows about the run it is part of. */
export interface RunContext {
  /** Float dtype of this run: fixtures are float64; float32 runs use looser tolerances. */
  dtype: 'float32' | 'float64';
  /** Folder that fixture data paths (e.g. `data/iris.csv`) are relative to: the parent of the fixture folder. */
  dataRoot: string;
}

/** What an adapter returns for one case. */
export interface AdapterResult {
  /** Actual outputs, keyed as case.outputs; every fixture output must be present unless listed in `skip`. */
  outputs: Record<string, Tensor>;
  /** Gradients computed by the adapter itself (ops whose grads are not upstream-based). */
  grads?: Record<string, Tensor>;
  /**
   * Inputs (as passed to the op, requiring grad) for upstream-based grads: the runner
   * backpropagates sum_o sum(outputs[o] * upstream[o]) and compares each `.grad`.
   */
  gradInputs?: Record<string, Tensor>;
  /** Output keys that `checks` verifies instead of the element-wise comparison. */
  skip?: string[];
  /** Extra pass/fail checks (one-sided quality bounds and the like). */
  checks?: { what: string; ok: boolean; detail: string }[];
}

/** The contract of scripts/golden/adapters/<op>.ts (its default export). */
export interface OpAdapter {
  /** The fixture `op` this adapter runs. */
  op: string;
  /** Cases that can only be checked in float64 (see golden/README.md, tolerance policy). */
  float64Only?: (c: GoldenCase) => boolean;
  run(c: GoldenCase, ctx: RunContext): AdapterResult;
}
