// The golden runner as a library: plan every case of the fixtures in float64 and float32, run
// each through its op's adapter, compare, and format the failures. Loading the fixtures and the
// adapters is in load.ts. scripts/golden/main.ts is the CLI; test/golden.test.ts plans the same
// runs and makes one vitest test of each.
//
// Counting convention: one run = one (case, dtype) pair. A case whose adapter marks it
// float64-only is run in float64 only; its float32 run is counted apart ("float64-only"),
// neither passed nor failed. A case of an op with no adapter fails in every dtype.

import path from 'node:path';
import { ArgumentError, type Tensor } from '../../src/index.js';
import { compareTensor, type Failure, formatFailure, zerosFor } from './compare.js';
import { DEFAULT_DIR, type Fixture, loadAdapters, loadFixtures } from './load.js';
import type { AdapterResult, GoldenCase, OpAdapter, RunContext } from './types.js';
import { fromGolden } from './util.js';

export type { Failure } from './compare.js';
export { FLOAT32_TOL, tolerance } from './compare.js';
export {
  ADAPTERS_DIR,
  DEFAULT_DIR,
  type Fixture,
  type LoadedAdapters,
  loadAdapters,
  loadFixtures,
} from './load.js';

/** The float dtype of one run. */
export type RunDType = 'float32' | 'float64';

/** The outcome of one (case, dtype) run. */
export interface CaseResult {
  file: string;
  op: string;
  case: string;
  dtype: RunDType;
  status: 'passed' | 'failed' | 'float64-only';
  failures: Failure[];
  ms: number;
}

/** One planned (case, dtype) run. */
export interface GoldenRun {
  fixture: Fixture;
  case: GoldenCase;
  dtype: RunDType;
  /** Undefined when no adapter handles the op (the run fails). */
  adapter: OpAdapter | undefined;
  /** Why the adapter for this op could not be loaded, if it failed to import. */
  loadError?: string;
  /** The adapter marks this case float64-only and this is its float32 run: not executed. */
  float64Only: boolean;
  ctx: RunContext;
}

/** Which runs planGolden and runGolden make. */
export interface GoldenOptions {
  /** Fixture folder (default: the in-repo golden/). */
  dir?: string;
  /** One dtype, or both (default). */
  dtype?: RunDType;
  /** Only these ops. */
  ops?: readonly string[];
  /** Only ops that have an adapter (the test suite's mode). */
  implementedOnly?: boolean;
  /** Adapters to use instead of listing scripts/golden/adapters/ (tests). */
  adapters?: ReadonlyMap<string, OpAdapter>;
}

/** Every result, and the counts the final line prints. */
export interface GoldenReport {
  results: CaseResult[];
  passed: number;
  failed: number;
  float64Only: number;
}

/** Every (case, dtype) run of the fixtures in `opts.dir`, in file, case, dtype order. */
export async function planGolden(opts: GoldenOptions = {}): Promise<GoldenRun[]> {
  const dir = path.resolve(opts.dir ?? DEFAULT_DIR);
  const { adapters, errors } = opts.adapters
    ? { adapters: opts.adapters, errors: new Map<string, string>() }
    : await loadAdapters();
  const dtypes: RunDType[] = opts.dtype ? [opts.dtype] : ['float64', 'float32'];
  // Fixture data paths are relative to the parent of the fixture folder (golden/README.md).
  const runs: GoldenRun[] = [];
  for (const fixture of loadFixtures(dir)) {
    const { op } = fixture.data;
    if (opts.ops && !opts.ops.includes(op)) continue;
    const adapter = adapters.get(op);
    if (opts.implementedOnly && !adapter) continue;
    for (const c of fixture.data.cases) {
      for (const dtype of dtypes) {
        const float64Only = dtype === 'float32' && !!adapter?.float64Only?.(c);
        const ctx: RunContext = { dtype, dataRoot: path.dirname(dir) };
        const loadError = errors.get(op);
        runs.push({
          fixture,
          case: c,
          dtype,
          adapter,
          float64Only,
          ctx,
          ...(loadError ? { loadError } : {}),
        });
      }
    }
  }
  return runs;
}

/** Runs one (case, dtype): the adapter, then every output, gradient and check against the fixture. */
export function executeRun(run: GoldenRun): CaseResult {
  const { fixture, case: c, dtype, adapter } = run;
  const base = { file: fixture.file, op: fixture.data.op, case: c.name, dtype };
  const t0 = performance.now();
  const done = (failures: Failure[], status?: CaseResult['status']): CaseResult => ({
    ...base,
    status: status ?? (failures.length > 0 ? 'failed' : 'passed'),
    failures,
    ms: performance.now() - t0,
  });
  if (run.float64Only) return done([], 'float64-only');
  if (!adapter) {
    const why = run.loadError ?? 'not implemented (no adapter in scripts/golden/adapters/)';
    return done([{ key: `op ${fixture.data.op}`, message: why }]);
  }
  try {
    const res: AdapterResult | Promise<unknown> = adapter.run(c, run.ctx);
    if (res instanceof Promise)
      throw new ArgumentError('adapter.run returned a Promise; it must be synchronous');
    return done(checkResult(c, res, dtype));
  } catch (e) {
    const err = e as Error;
    return done([{ key: 'run', message: `${err.name ?? 'Error'}: ${err.message}` }]);
  }
}

/** Compares an adapter's result with the case: outputs, `checks`, then gradients. */
function checkResult(c: GoldenCase, res: AdapterResult, dtype: RunDType): Failure[] {
  const failures: Failure[] = [];
  const skip = new Set(res.skip ?? []);
  for (const [key, expected] of Object.entries(c.outputs)) {
    if (skip.has(key)) continue;
    const actual = res.outputs[key];
    if (!actual) failures.push({ key: `output ${key}`, message: 'missing from the adapter result' });
    else failures.push(...compareTensor(`output ${key}`, actual, expected, c.tol, dtype));
  }
  for (const ch of res.checks ?? []) {
    if (!ch.ok) failures.push({ key: `check ${ch.what}`, message: ch.detail });
  }
  if (!c.grads) return failures;
  const viaUpstream = res.gradInputs ? backpropUpstream(c, res, dtype, failures) : undefined;
  for (const [key, expected] of Object.entries(c.grads)) {
    const actual = res.grads?.[key] ?? viaUpstream?.[key];
    if (!actual) {
      const why =
        res.gradInputs || res.grads
          ? `no input '${key}' in gradInputs/grads`
          : 'adapter computed no gradients';
      failures.push({ key: `grad ${key}`, message: why });
    } else failures.push(...compareTensor(`grad ${key}`, actual, expected, c.tol, dtype));
  }
  return failures;
}

/**
 * The upstream-based gradients (golden/README.md, Gradients): backpropagates
 * L = sum over upstream keys k of sum(outputs[k] * upstream[k]) into res.gradInputs and returns
 * each input's .grad (zeros when no gradient reached it). Outputs without an upstream get none.
 */
function backpropUpstream(
  c: GoldenCase,
  res: AdapterResult,
  dtype: RunDType,
  failures: Failure[],
): Record<string, Tensor> {
  const inputs = res.gradInputs ?? {};
  for (const t of Object.values(inputs)) t.grad = null;
  let loss: Tensor | null = null;
  for (const [key, up] of Object.entries(c.upstream ?? {})) {
    const out = res.outputs[key];
    if (!out) {
      failures.push({ key: `upstream ${key}`, message: 'names an output the adapter did not return' });
      continue;
    }
    if (!out.requiresGrad) continue; // a constant output (e.g. integer indices) contributes nothing
    const term = out.mul(fromGolden(up, dtype)).sum();
    loss = loss ? loss.add(term) : term;
  }
  loss?.backward();
  const grads: Record<string, Tensor> = {};
  for (const [key, t] of Object.entries(inputs)) grads[key] = t.grad ?? zerosFor(t);
  return grads;
}

/** Plans and executes every run; `onResult` sees each result as it completes. */
export async function runGolden(
  opts: GoldenOptions & { onResult?: (r: CaseResult) => void } = {},
): Promise<GoldenReport> {
  const results: CaseResult[] = [];
  for (const run of await planGolden(opts)) {
    const r = executeRun(run);
    opts.onResult?.(r);
    results.push(r);
  }
  const count = (s: CaseResult['status']) => results.filter((r) => r.status === s).length;
  return { results, passed: count('passed'), failed: count('failed'), float64Only: count('float64-only') };
}

/** One line per failure of a failed run: file, case, dtype, key, errors, worst element. */
export function formatResult(r: CaseResult): string[] {
  return r.failures.map((f) => `FAIL ${r.file} > ${r.case} [${r.dtype}] ${formatFailure(f)}`);
}

/** Per-fixture counts, the float64-only note, and the final `N passed, N failed` line. */
export function formatSummary(report: GoldenReport): string[] {
  const lines: string[] = [];
  const byFile = new Map<string, CaseResult[]>();
  for (const r of report.results) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  for (const [file, rs] of byFile) {
    const cells = (['float64', 'float32'] as const).flatMap((dt) => {
      const mine = rs.filter((r) => r.dtype === dt);
      if (mine.length === 0) return [];
      const ok = mine.filter((r) => r.status === 'passed').length;
      const f64 = mine.filter((r) => r.status === 'float64-only').length;
      return [`${dt} ${ok}/${mine.length - f64}${f64 ? ` (+${f64} float64-only)` : ''}`.padEnd(26)];
    });
    lines.push(`  ${file.padEnd(24)} ${rs[0].op.padEnd(18)} ${cells.join('').trimEnd()}`);
  }
  if (report.float64Only > 0) {
    lines.push(
      `${report.float64Only} float32 run(s) not executed: cases the fixture README marks float64-only ` +
        '(they pass or fail in their float64 run and are not counted again).',
    );
  }
  lines.push(`${report.passed} passed, ${report.failed} failed`);
  return lines;
}
