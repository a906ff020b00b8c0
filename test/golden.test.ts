// The golden runner over the in-repo fixtures: one test per (case, dtype) of every op that has an
// adapter, so a failure names its fixture, case, dtype and worst element. Then the runner's own
// behaviour: unimplemented ops, throwing adapters, tolerances, exact integer outputs, the CLI line.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  type CaseResult,
  executeRun,
  formatResult,
  loadAdapters,
  planGolden,
  runGolden,
  tolerance,
} from '../scripts/golden/runner.js';
import type { GoldenFile, OpAdapter } from '../scripts/golden/types.js';
import { caseInputs, fromGolden } from '../scripts/golden/util.js';
import { F, tensor } from '../src/index.js';
import { ROOT } from './helpers.js';

const runs = await planGolden({ implementedOnly: true });
const byFile = new Map<string, typeof runs>();
for (const r of runs) byFile.set(r.fixture.file, [...(byFile.get(r.fixture.file) ?? []), r]);

/** The failure lines of a run, or '' when it passed: vitest then prints them on failure. */
const failuresOf = (r: CaseResult) => (r.status === 'failed' ? formatResult(r).join('\n') : '');

for (const [file, fileRuns] of byFile) {
  describe(`golden ${file}`, () => {
    for (const run of fileRuns) {
      test.skipIf(run.float64Only)(`${run.case.name} [${run.dtype}]`, () => {
        expect(failuresOf(executeRun(run))).toBe('');
      });
    }
  });
}

test('every adapter file in scripts/golden/adapters loads', async () => {
  expect([...(await loadAdapters()).errors.values()]).toEqual([]);
});

test('linear and mse have adapters and every case runs in both dtypes', () => {
  for (const op of ['linear', 'mse']) {
    const mine = runs.filter((r) => r.fixture.data.op === op);
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((r) => r.dtype))).toEqual(new Set(['float64', 'float32']));
    expect(mine.every((r) => !r.float64Only)).toBe(true);
  }
});

// --- the runner itself, on fixtures written to a temp folder ---------------------------------

const tmp = mkdtempSync(path.join(tmpdir(), 'shousi-golden-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const g = (shape: number[], data: number[], dtype: 'float64' | 'int32' | 'bool' = 'float64') => ({
  shape,
  dtype,
  data,
});

/** Writes one fixture file into its own folder under tmp and returns the folder. */
function fixtureDir(name: string, fixture: GoldenFile): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${fixture.op}.json`), JSON.stringify(fixture));
  return dir;
}

const doubleFixture: GoldenFile = {
  op: 'double',
  description: 'y = 2x; grads of sum(y * upstream.y)',
  cases: [
    {
      name: 'exact',
      params: {},
      inputs: { x: g([2, 2], [1, 2, 3, 4]) },
      outputs: { y: g([2, 2], [2, 4, 6, 8]) },
      upstream: { y: g([2, 2], [1, 1, 1, 2]) },
      grads: { x: g([2, 2], [2, 2, 2, 4]) },
      tol: { rtol: 1e-6, atol: 1e-8 },
    },
    {
      name: 'off_by_1e-5_relative',
      params: {},
      inputs: { x: g([3], [1000, 1, -1]) },
      outputs: { y: g([3], [2000, 2, -2 * (1 + 1e-5)]) },
      tol: { rtol: 1e-6, atol: 1e-8 },
    },
  ],
};
const double: OpAdapter = {
  op: 'double',
  run(c, ctx) {
    const inputs = caseInputs(c, ctx, { requiresGrad: true });
    return { outputs: { y: inputs.x.mul(2) }, gradInputs: inputs };
  },
};

describe('golden runner', () => {
  test('a case of an op with no adapter fails in each dtype as not implemented', async () => {
    const dir = fixtureDir('unknown', { ...doubleFixture, op: 'no_such_op' });
    const report = await runGolden({ dir, adapters: new Map() });
    expect([report.passed, report.failed]).toEqual([0, 4]);
    expect(report.results[0].failures[0]).toMatchObject({ key: 'op no_such_op', message: /not implemented/ });
  });

  test('compares outputs and upstream-based grads; float32 tolerates what float64 does not', async () => {
    const dir = fixtureDir('double', doubleFixture);
    const report = await runGolden({ dir, adapters: new Map([['double', double]]) });
    const status = report.results.map((r) => `${r.case} ${r.dtype} ${r.status}`);
    expect(status).toEqual([
      'exact float64 passed',
      'exact float32 passed',
      'off_by_1e-5_relative float64 failed',
      'off_by_1e-5_relative float32 passed',
    ]);
    const [line] = formatResult(report.results[2]);
    expect(line).toMatch(
      /^FAIL double\.json > off_by_1e-5_relative \[float64\] output y: max abs err 2\.00e-5, max rel err 1\.00e-5, .*worst at \[2\]/,
    );
  });

  test('a wrong gradient, a throwing adapter and a float64 result in a float32 run each fail with a reason', async () => {
    const dir = fixtureDir('double-bad', doubleFixture);
    const wrongGrad: OpAdapter = {
      op: 'double',
      run(c, ctx) {
        const x = fromGolden(c.inputs.x, ctx.dtype, { requiresGrad: true });
        return { outputs: { y: x.mul(2) }, gradInputs: { x: tensor([0]) } }; // an input unrelated to y
      },
    };
    let r = (await runGolden({ dir, dtype: 'float64', adapters: new Map([['double', wrongGrad]]) }))
      .results[0];
    expect(formatResult(r).join('\n')).toMatch(/grad x: shape \[1\] vs expected \[2,2\]/);
    const throws: OpAdapter = {
      op: 'double',
      run: () => ({ outputs: { y: F.linear(tensor([1]), tensor([[1, 2]])) } }),
    };
    r = (await runGolden({ dir, dtype: 'float64', adapters: new Map([['double', throws]]) })).results[0];
    expect(r.failures[0]).toMatchObject({ key: 'run', message: /^ShapeError: linear: / });
    const wrongDtype: OpAdapter = {
      op: 'double',
      run: (c) => double.run(c, { dtype: 'float64', dataRoot: tmp }),
    };
    r = (await runGolden({ dir, dtype: 'float32', adapters: new Map([['double', wrongDtype]]) })).results[0];
    expect(r.failures[0].message).toBe('dtype float64 vs expected float32');
  });

  test('int32 outputs match exactly; float64-only cases skip their float32 run and are counted apart', async () => {
    const dir = fixtureDir('argmax', {
      op: 'argmax',
      description: 'index of the largest element of each row',
      cases: [
        {
          name: 'rows',
          params: {},
          inputs: { x: g([2, 3], [1, 5, 2, 9, 0, 9.5]) },
          outputs: { i: g([2], [1, 0], 'int32') },
          tol: { rtol: 0, atol: 0 },
        },
      ],
    });
    const argmax: OpAdapter = {
      op: 'argmax',
      float64Only: () => true,
      run: (c, ctx) => ({ outputs: { i: caseInputs(c, ctx).x.argmax(1).to('int32') } }),
    };
    const report = await runGolden({ dir, adapters: new Map([['argmax', argmax]]) });
    expect([report.passed, report.failed, report.float64Only]).toEqual([0, 1, 1]);
    expect(formatResult(report.results[0])[0]).toMatch(
      /output i: .*1 of 2 elements differ.*at \[1\]: got 2, expected 0 \(exact/,
    );
  });

  test('float32 tolerance: rtol 1e-4 and atol 1e-5 scaled by the largest |expected| (at least 1)', () => {
    expect(tolerance('float64', { rtol: 1e-6, atol: 1e-8 }, [5e3])).toEqual({ rtol: 1e-6, atol: 1e-8 });
    expect(tolerance('float32', { rtol: 1e-6, atol: 1e-8 }, [0.5, -0.1])).toEqual({ rtol: 1e-4, atol: 1e-5 });
    const t = tolerance('float32', { rtol: 1e-6, atol: 1e-8 }, [2, -5e3]);
    expect(t.rtol).toBe(1e-4);
    expect(t.atol).toBeCloseTo(5e-2, 12);
    expect(tolerance('float32', { rtol: 5e-3, atol: 0 }, [1]).rtol).toBe(5e-3); // never stricter than float64
  });

  test('fixtures copied away from their data still run on the repo copy in data/', async () => {
    // tmp has no data/ beside the fixture folder: kmeans and linreg_california name data files
    const dir = path.join(tmp, 'no-data-beside');
    mkdirSync(dir, { recursive: true });
    for (const f of ['kmeans.json', 'linreg_california.json'])
      copyFileSync(path.join(ROOT, 'golden', f), path.join(dir, f));
    const report = await runGolden({ dir, dtype: 'float64' });
    expect(report.results.some((r) => r.case.includes('iris') || r.op === 'linreg_california')).toBe(true);
    expect(report.results.filter((r) => r.status === 'failed').flatMap(formatResult)).toEqual([]);
    expect(report.passed).toBeGreaterThanOrEqual(14);
  });

  test('conv2d params written as torch also takes them (one number for both sides, defaults left out)', async () => {
    const fixture = JSON.parse(readFileSync(path.join(ROOT, 'golden/conv2d.json'), 'utf8')) as GoldenFile;
    let rewritten = 0;
    for (const c of fixture.cases) {
      for (const key of ['stride', 'dilation', 'padding']) {
        const v = c.params[key];
        if (!Array.isArray(v) || v[0] !== v[1]) continue;
        if ((key === 'padding' && v[0] === 0) || (key !== 'padding' && v[0] === 1)) delete c.params[key];
        else c.params[key] = v[0];
        rewritten++;
      }
    }
    expect(rewritten).toBeGreaterThan(20);
    const report = await runGolden({ dir: fixtureDir('conv2d-torch-params', fixture) });
    expect(report.results.filter((r) => r.status === 'failed').flatMap(formatResult)).toEqual([]);
    expect(report.passed).toBe(2 * fixture.cases.length);
  });

  // Params a held-out fixture might leave out or write as torch does: each rewrite below keeps the
  // meaning (a default, a value the inputs imply, a bare number for a one-element shape).
  const REWRITES: Record<string, (p: Record<string, unknown>, c: GoldenFile['cases'][number]) => void> = {
    batch_norm: (p) => {
      delete p.kind;
      delete p.numFeatures;
    },
    kmeans: (p, c) => {
      if (c.inputs.initCenters) {
        delete p.k;
        delete p.init;
      }
      if (p.maxIter === 300) delete p.maxIter;
      if (p.nInit === 10) delete p.nInit;
    },
    layer_norm: (p, c) => {
      const shape = p.normalizedShape as number[];
      if (c.inputs.weight) delete p.normalizedShape;
      else if (shape.length === 1) p.normalizedShape = shape[0];
    },
    mha: (p) => {
      delete p.embedDim;
      delete p.kdim;
      delete p.vdim;
    },
    self_attention: (p) => {
      delete p.embedDim;
    },
    sdpa: (p) => {
      if (p.scale === undefined) p.scale = null; // Python's None: 1/sqrt(D)
      if (p.isCausal === false) delete p.isCausal;
    },
    beam_search: (p) => {
      delete p.kind;
      if (p.lengthPenalty === 1) delete p.lengthPenalty;
    },
    mlp_backprop: (p) => {
      delete p.layers;
    },
    linreg_california: (p) => {
      delete p.dataFile;
      delete p.featureNames; // the fixtures use scikit-learn's order, the loader's default
      if (p.ridgeAlpha === 1) delete p.ridgeAlpha;
      const rows = p.rows as { start?: number; stop: number | null };
      if (rows.stop === 20640) rows.stop = null; // Python's rows[0:None]
      delete rows.start;
    },
  };
  test.each(Object.keys(REWRITES))('%s: params left out or written as torch mean the same', async (op) => {
    const fixture = JSON.parse(readFileSync(path.join(ROOT, `golden/${op}.json`), 'utf8')) as GoldenFile;
    const before = JSON.stringify(fixture.cases.map((c) => c.params));
    for (const c of fixture.cases) REWRITES[op](c.params, c);
    expect(JSON.stringify(fixture.cases.map((c) => c.params))).not.toBe(before);
    const report = await runGolden({ dir: fixtureDir(`rewritten-${op}`, fixture), dtype: 'float64' });
    expect(report.results.filter((r) => r.status === 'failed').flatMap(formatResult)).toEqual([]);
    expect(report.passed).toBe(fixture.cases.length);
  });

  test('a data file found nowhere fails its case with both places named', async () => {
    const dir = fixtureDir('missing-data', {
      op: 'kmeans',
      description: 'a case whose data file exists nowhere',
      cases: [
        {
          name: 'missing_file',
          params: {
            k: 2,
            init: 'given',
            maxIter: 10,
            tol: 0,
            data: { file: 'data/no_such.csv', skipRows: 0, featureColumns: [0], labelColumn: 1 },
          },
          inputs: { initCenters: g([2, 1], [0, 1]) },
          outputs: { labels: g([1], [0], 'int32') },
          tol: { rtol: 1e-6, atol: 1e-8 },
        },
      ],
    });
    const report = await runGolden({ dir, dtype: 'float64' });
    expect(report.failed).toBe(1);
    expect(formatResult(report.results[0]).join('\n')).toMatch(
      /data\/no_such\.csv not found under .* nor under /,
    );
  });

  test('the CLI prints failures and ends with exactly one `N passed, N failed` line', () => {
    const dir = fixtureDir('cli', {
      ...doubleFixture,
      op: 'no_such_op',
      cases: doubleFixture.cases.slice(0, 1),
    });
    let out = '';
    let code = 0;
    try {
      const { INIT_CWD: _, ...env } = process.env;
      const main = path.join(ROOT, 'scripts/golden/main.ts');
      execFileSync(process.execPath, ['--import', 'tsx', main, '--dir', dir, '--dtype', 'float64'], {
        encoding: 'utf8',
        env,
      });
    } catch (e) {
      const err = e as { status: number; stdout: string };
      [out, code] = [err.stdout, err.status];
    }
    expect(code).toBe(1);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'FAIL no_such_op.json > exact [float64] op no_such_op: not implemented (no adapter in scripts/golden/adapters/)',
    );
    expect(lines.at(-1)).toBe('0 passed, 1 failed');
    expect(lines.filter((l) => /^\d+ passed, \d+ failed$/.test(l))).toHaveLength(1);
  });
});
