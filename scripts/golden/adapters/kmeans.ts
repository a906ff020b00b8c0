// Golden adapter for `kmeans` (golden/kmeans.json). X comes embedded (inputs.X [n, d]) or from
// a data file (params.data). init 'given': one deterministic Lloyd run from inputs.initCenters,
// compared element-wise (labels, nIter exactly). init 'k-means++': best of nInit seeded
// restarts, judged one-sided: inertia <= bestInertia * (1 + rtol). float64-only (README).

import { type KMeansResult, kmeans, Tensor } from '../../../src/index.js';
import type { AdapterResult, GoldenCase, OpAdapter, RunContext } from '../types.js';
import { caseInput, datasetSpec, floats, fromGolden, param, readDataset } from '../util.js';

/** The case's data matrix [n, d] in float64. */
export function kmeansData(c: GoldenCase, ctx: RunContext): Tensor {
  if (c.inputs.X) return fromGolden(c.inputs.X, 'float64');
  return readDataset({ ...ctx, dtype: 'float64' }, datasetSpec(c.params.data)).x;
}

const adapter: OpAdapter = {
  op: 'kmeans',
  float64Only: () => true,
  run(c, ctx): AdapterResult {
    const X = kmeansData(c, ctx);
    // defaults as scikit-learn 1.2's KMeans: init given when the case has centres, else k-means++;
    // maxIter 300, tol 1e-4, nInit 10; k from the given centres
    const given = c.inputs.initCenters !== undefined;
    const k = param(c, 'k', 'number', given ? c.inputs.initCenters.shape[0] : undefined);
    const init = param(c, 'init', 'string', given ? 'given' : 'k-means++');
    if (init === 'given') {
      const opts = {
        init: caseInput(c, 'initCenters', 'float64'),
        maxIter: param(c, 'maxIter', 'number', 300),
        tol: param(c, 'tol', 'number', 1e-4),
      };
      const r = kmeans(X, k, { ...opts, algorithm: 'lloyd' });
      // Elkan must follow the same iterations: checked here on every fixture, not only in tests
      const e = kmeans(X, k, { ...opts, algorithm: 'elkan' });
      return {
        outputs: {
          labels: r.labels,
          centers: r.centers,
          inertia: floats('float64', [r.inertia]),
          nIter: new Tensor(Int32Array.of(r.nIter), []),
        },
        checks: [
          {
            what: 'elkan == lloyd',
            ok: sameRun(r, e),
            detail: `elkan nIter ${e.nIter}, inertia ${e.inertia}, ${e.nDistances} distances vs lloyd ${r.nIter}, ${r.inertia}, ${r.nDistances}`,
          },
        ],
      };
    }
    const r = kmeans(X, k, { init: 'k-means++', nInit: param(c, 'nInit', 'number', 10), seed: 0 });
    const best = c.outputs.bestInertia.data[0];
    const bound = best * (1 + c.tol.rtol);
    return {
      outputs: {},
      skip: ['bestInertia'],
      checks: [
        {
          what: 'inertia <= bestInertia * (1 + rtol)',
          ok: r.inertia <= bound,
          detail: `inertia ${r.inertia} vs bound ${bound} (scikit-learn best ${best})`,
        },
      ],
    };
  },
};

/**
 * Same labels and nIter, centres equal up to summation order: the wasm kernel sums the centres
 * per thread, Elkan's loop in point order, so the last bits may differ (|diff| <= 1e-12 * scale).
 */
export function sameRun(a: KMeansResult, b: KMeansResult): boolean {
  if (a.nIter !== b.nIter || a.labels.size !== b.labels.size || a.centers.size !== b.centers.size)
    return false;
  for (let i = 0; i < a.labels.size; i++) if (a.labels.data[i] !== b.labels.data[i]) return false;
  let scale = 0;
  for (const v of b.centers.data) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < a.centers.size; i++)
    if (Math.abs(a.centers.data[i] - b.centers.data[i]) > 1e-12 * (1 + scale)) return false;
  return true;
}

export default adapter;
