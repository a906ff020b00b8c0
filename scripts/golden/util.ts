// Helpers every golden adapter shares: fixture tensors as shousi tensors in the run's dtype,
// typed access to `params`, and the data sets that fixtures name by path (read once, cached).

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { ArgumentError, DataError, type FloatDType, Tensor } from '../../src/index.js';
import type { GoldenCase, GoldenTensor, RunContext } from './types.js';

/**
 * A fixture tensor as a shousi tensor: float64 data becomes the run's float dtype (float32 runs
 * round once, here); int32 and bool keep their dtype. `requiresGrad` applies to floats only.
 */
export function fromGolden(
  t: GoldenTensor,
  dtype: FloatDType,
  opts: { requiresGrad?: boolean } = {},
): Tensor {
  let out: Tensor;
  if (t.dtype === 'int32') out = new Tensor(Int32Array.from(t.data), t.shape);
  else if (t.dtype === 'bool')
    out = new Tensor(
      Uint8Array.from(t.data, (v) => (v ? 1 : 0)),
      t.shape,
    );
  else if (t.dtype === 'float64') {
    out = new Tensor(dtype === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data), t.shape);
    if (opts.requiresGrad) out.requiresGrad_(true);
  } else
    throw new ArgumentError(
      `fromGolden: unknown fixture dtype ${String(t.dtype)} (expected float64, int32 or bool)`,
    );
  return out;
}

/** Every input of the case as a tensor; with `requiresGrad`, the float ones are grad-requiring leaves. */
export function caseInputs(
  c: GoldenCase,
  ctx: RunContext,
  opts: { requiresGrad?: boolean } = {},
): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(c.inputs)) out[name] = fromGolden(t, ctx.dtype, opts);
  return out;
}

/** The fixture input `name` as a tensor (fromGolden), or an ArgumentError naming the case when it is absent. */
export function caseInput(c: GoldenCase, name: string, dtype: FloatDType): Tensor {
  const t = c.inputs[name];
  if (!t) throw new ArgumentError(`golden ${c.name}: missing input '${name}'`);
  return fromGolden(t, dtype);
}

/** Computed float values as a tensor of `dtype` (an output in the run's dtype); shape [] for a scalar. */
export function floats(dtype: FloatDType, values: ArrayLike<number>, shape: number[] = []): Tensor {
  return new Tensor(dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), shape);
}

/** The input `name` of the case, or an ArgumentError naming the case when the fixture lacks it. */
export function need(inputs: Record<string, Tensor>, name: string, c: GoldenCase): Tensor {
  const t = inputs[name];
  if (!t)
    throw new ArgumentError(
      `golden ${c.name}: missing input '${name}' (have ${Object.keys(inputs).join(', ')})`,
    );
  return t;
}

interface ParamKinds {
  number: number;
  boolean: boolean;
  string: string;
  'number[]': number[];
  'string[]': string[];
}

/** `params[key]` checked against `kind`; `fallback` when absent or null (absent with no fallback throws). */
export function param<K extends keyof ParamKinds>(
  c: GoldenCase,
  key: string,
  kind: K,
  fallback?: ParamKinds[K],
): ParamKinds[K] {
  const v = c.params[key];
  // null is Python's None: the default, where there is one (an op for which None means something
  // else, like BatchNorm's momentum, reads that param itself first)
  if (v === undefined || (v === null && fallback !== undefined)) {
    if (fallback === undefined) throw new ArgumentError(`golden ${c.name}: missing param '${key}' (${kind})`);
    return fallback;
  }
  const ok =
    kind === 'number[]' || kind === 'string[]'
      ? Array.isArray(v) && v.every((e) => typeof e === kind.slice(0, -2))
      : typeof v === kind;
  if (!ok)
    throw new ArgumentError(`golden ${c.name}: param '${key}' is ${JSON.stringify(v)} (expected ${kind})`);
  return v as ParamKinds[K];
}

// ---------------------------------------------------------------------------------------------
// Data files

/** A numeric comma-separated table, row-major float64. */
export interface Table {
  rows: number;
  cols: number;
  data: Float64Array;
}

// The repository root, whose data/ holds a copy of every file the fixtures name.
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Absolute path of a fixture's data file: relative to the parent of the fixture folder (the
 * format's rule), else to the repository root, so fixtures copied to a folder without the data
 * beside them still run on the repo's copy in data/.
 */
export function dataPath(op: string, ctx: RunContext, file: string): string {
  const candidates = [...new Set([path.resolve(ctx.dataRoot, file), path.resolve(REPO_ROOT, file)])];
  const found = candidates.find((p) => existsSync(p));
  if (found) return found;
  throw new DataError(
    `${op}: ${file} not found under ${ctx.dataRoot} (the parent of the fixture folder) nor under ${REPO_ROOT}`,
  );
}

const tables = new Map<string, Table>();

/**
 * The numeric table in `file` (relative to ctx.dataRoot; `.gz` is gunzipped), skipping
 * `skipRows` header lines and blank lines. Parsed once per process: several fixtures share a file.
 */
export function readTable(ctx: RunContext, file: string, opts: { skipRows?: number } = {}): Table {
  const skipRows = opts.skipRows ?? 0;
  const full = dataPath('readTable', ctx, file);
  const key = `${full}#${skipRows}`;
  const hit = tables.get(key);
  if (hit) return hit;
  const raw = readFileSync(full);
  const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  const lines = text.split(/\r?\n/);
  const values: number[] = [];
  let cols = -1;
  let rows = 0;
  for (let i = skipRows; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const cells = line.split(',');
    if (cols < 0) cols = cells.length;
    if (cells.length !== cols) {
      throw new DataError(
        `readTable: ${file} line ${i + 1} has ${cells.length} columns (${cells.length} vs ${cols})`,
      );
    }
    for (let j = 0; j < cols; j++) {
      const v = Number(cells[j]);
      if (cells[j].trim() === '' || !Number.isFinite(v)) {
        throw new DataError(
          `readTable: ${file} line ${i + 1} column ${j + 1} is not a number (${JSON.stringify(cells[j])})`,
        );
      }
      values.push(v);
    }
    rows++;
  }
  const table = { rows, cols: Math.max(cols, 0), data: Float64Array.from(values) };
  tables.set(key, table);
  return table;
}

/** A data set as fixtures describe it (`params.data` of kmeans cases). */
export interface DatasetSpec {
  /** Path relative to the parent of the fixture folder, e.g. `data/iris.csv`; `.gz` is gzip. */
  file: string;
  /** Header lines to skip. */
  skipRows: number;
  /** 0-based columns forming X, in order. */
  featureColumns: number[];
  /** Class label column (returned as `labels`), or null/absent for none. */
  labelColumn?: number | null;
  /** Replace each feature column by (x - mean) / std, population std (ddof 0). */
  standardize?: boolean;
}

/** Checks that `v` (e.g. `c.params.data`) is a DatasetSpec. */
export function datasetSpec(v: unknown): DatasetSpec {
  const s = v as Partial<DatasetSpec> | null;
  const bad = (what: string) => new ArgumentError(`datasetSpec: ${what} (got ${JSON.stringify(v)})`);
  if (!s || typeof s !== 'object') throw bad('expected an object {file, skipRows, featureColumns, ...}');
  if (typeof s.file !== 'string') throw bad('file must be a string');
  if (!Array.isArray(s.featureColumns) || !s.featureColumns.every(Number.isInteger))
    throw bad('featureColumns must be integers');
  return { ...s, file: s.file, skipRows: s.skipRows ?? 0, featureColumns: s.featureColumns };
}

/**
 * X [n, d] in the run's dtype (standardized in float64 before rounding) and, when the spec names
 * a label column, labels int32 [n]. A zero-variance column is centred only (scale 1, as
 * scikit-learn's StandardScaler) instead of turning into NaN.
 */
export function readDataset(ctx: RunContext, spec: DatasetSpec): { x: Tensor; labels: Tensor | null } {
  const t = readTable(ctx, spec.file, { skipRows: spec.skipRows });
  const cols = spec.featureColumns;
  for (const j of [...cols, ...(spec.labelColumn == null ? [] : [spec.labelColumn])]) {
    if (!Number.isInteger(j) || j < 0 || j >= t.cols) {
      throw new ArgumentError(`readDataset: column ${j} out of range for ${spec.file} (${t.cols} columns)`);
    }
  }
  const n = t.rows;
  const d = cols.length;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = t.data[i * t.cols + cols[j]];
  if (spec.standardize) {
    for (let j = 0; j < d; j++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += x[i * d + j];
      mean /= n;
      let ss = 0; // two passes: the mean first, then squared deviations (stable)
      for (let i = 0; i < n; i++) ss += (x[i * d + j] - mean) ** 2;
      const std = Math.sqrt(ss / n) || 1;
      for (let i = 0; i < n; i++) x[i * d + j] = (x[i * d + j] - mean) / std;
    }
  }
  const xt = new Tensor(ctx.dtype === 'float64' ? x : Float32Array.from(x), [n, d]);
  let labels: Tensor | null = null;
  if (spec.labelColumn != null) {
    const lab = new Int32Array(n);
    for (let i = 0; i < n; i++) lab[i] = t.data[i * t.cols + spec.labelColumn];
    labels = new Tensor(lab, [n]);
  }
  return { x: xt, labels };
}
