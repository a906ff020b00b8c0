// k-means demo: the seed's random 2-D points, then well-separated blobs (random seeding vs
// k-means++ over many seeds), an empty cluster the textbook update turns into NaN, and the iris
// data set (Elkan vs Lloyd, agreement with the species by the adjusted Rand index). Scatter plots
// coloured by cluster with the centres, and the inertia per iteration.

import { fileURLToPath } from 'node:url';
import {
  adjustedRandIndex,
  Generator,
  type KMeansOptions,
  type KMeansResult,
  kmeansSteps,
  loadCsv,
  randn,
  type Tensor,
  tensor,
} from '../../index.js';
import type { DemoIO, DemoOptions, DemoSummary } from '../demo.js';
import { fmtList, fmtNum, fmtTable } from '../format.js';
import type { LineSeries, ScatterPoint } from '../plot.js';

const IRIS = fileURLToPath(new URL('../../../data/iris.csv', import.meta.url));
const BLOB_CENTRES = [
  [-6, -4],
  [-5, 5],
  [0, 0],
  [6, 5],
  [5, -5],
  [11, 0],
];

/** k-means through its step generator: the result and the inertia per iteration of the best run. */
function cluster(X: Tensor, k: number, opts: KMeansOptions): { result: KMeansResult; curve: number[] } {
  const runs: number[][] = [];
  const steps = kmeansSteps(X, k, opts);
  let r = steps.next();
  while (!r.done) {
    (runs[r.value.run] ??= []).push(r.value.inertia);
    r = steps.next();
  }
  const result = r.value;
  // the best run is the one whose last assignment has the returned inertia
  const best = runs.reduce((a, b) =>
    Math.abs(b[b.length - 1] - result.inertia) < Math.abs(a[a.length - 1] - result.inertia) ? b : a,
  );
  return { result, curve: best };
}

/** Well-separated Gaussian blobs (std 1) around BLOB_CENTRES, `per` points each. */
function blobs(per: number, gen: Generator): { X: Tensor; y: Int32Array } {
  const xs: number[][] = [];
  const y = new Int32Array(per * BLOB_CENTRES.length);
  BLOB_CENTRES.forEach(([cx, cy], c) => {
    for (let i = 0; i < per; i++) {
      xs.push([cx + gen.normal(), cy + gen.normal()]);
      y[c * per + i] = c;
    }
  });
  return { X: tensor(xs, { dtype: 'float64' }), y };
}

function scatter(X: Tensor, res: KMeansResult, cols: [number, number]) {
  const d = X.shape[1];
  const points: ScatterPoint[] = [];
  for (let i = 0; i < X.shape[0]; i++) {
    points.push({
      x: X.data[i * d + cols[0]],
      y: X.data[i * d + cols[1]],
      group: `cluster ${res.labels.data[i]}`,
    });
  }
  const centers = Array.from({ length: res.centers.shape[0] }, (_, j) => ({
    x: res.centers.data[j * d + cols[0]],
    y: res.centers.data[j * d + cols[1]],
    group: `cluster ${j}`,
  }));
  return { points, centers };
}

/** The kmeans demo. */
export async function run(opts: DemoOptions, io: DemoIO): Promise<DemoSummary> {
  const gen = new Generator(opts.seed);
  const curves: LineSeries[] = [];
  const curve = (name: string, ys: number[]) => curves.push({ name, x: ys.map((_, i) => i + 1), y: ys });

  io.section("the seed's random 2-D data: 200 points ~ N(0, I), k = 3");
  const Xr = randn([200, 2], { generator: gen, dtype: 'float64' });
  const rnd = cluster(Xr, 3, { seed: opts.seed });
  io.log(
    `inertia ${fmtNum(rnd.result.inertia)} after ${rnd.result.nIter} iterations; per iteration ${fmtList(rnd.curve)}`,
  );
  curve('random 2-D (k=3)', rnd.curve);
  await io.plot('kmeans-random', {
    kind: 'scatter',
    title: 'k-means on random 2-D data (k = 3)',
    subtitle: `200 points ~ N(0, I); inertia ${fmtNum(rnd.result.inertia)}`,
    xLabel: 'x1',
    yLabel: 'x2',
    groupLabel: 'cluster',
    ...scatter(Xr, rnd.result, [0, 1]),
  });

  io.section(`well-separated blobs: ${BLOB_CENTRES.length} x 50 points; 20 seeds, one run each`);
  const { X: Xb, y: yb } = blobs(50, gen);
  const k = BLOB_CENTRES.length;
  const found = { random: 0, plusplus: 0 };
  for (let s = 0; s < 20; s++) {
    const seed = opts.seed * 100 + s;
    if (adjustedRandIndex(yb, cluster(Xb, k, { init: 'random', nInit: 1, seed }).result.labels) > 0.99)
      found.random++;
    if (adjustedRandIndex(yb, cluster(Xb, k, { init: 'k-means++', nInit: 1, seed }).result.labels) > 0.99)
      found.plusplus++;
  }
  io.log(
    `runs that recover the blobs exactly: random seeding (the seed's) ${found.random}/20, k-means++ ${found.plusplus}/20`,
  );
  const bl = cluster(Xb, k, { seed: opts.seed });
  const blobsAri = adjustedRandIndex(yb, bl.result.labels);
  io.log(
    `best of nInit = 10 with k-means++: inertia ${fmtNum(bl.result.inertia)}, adjusted Rand index vs the true blobs ${fmtNum(blobsAri)}`,
  );
  curve(`blobs (k=${k})`, bl.curve);
  await io.plot('kmeans-blobs', {
    kind: 'scatter',
    title: `k-means++ on ${k} Gaussian blobs`,
    subtitle: `adjusted Rand index vs the generating blobs: ${fmtNum(blobsAri)}`,
    xLabel: 'x1',
    yLabel: 'x2',
    groupLabel: 'cluster',
    ...scatter(Xb, bl.result, [0, 1]),
  });

  io.section('an empty cluster: 6 points near (0,0) and (1,1), initial centres (0,0), (1,1), (10,10)');
  const Xe = tensor(
    [
      [0, 0],
      [0, 0.3],
      [0, -0.1],
      [1, 1],
      [1, 1.1],
      [1, 0.9],
    ],
    { dtype: 'float64' },
  );
  const empty = cluster(Xe, 3, {
    init: [
      [0, 0],
      [1, 1],
      [10, 10],
    ],
  });
  io.log('the textbook update divides by the cluster size 0: centre 2 becomes [NaN, NaN]');
  const rows = Array.from({ length: 3 }, (_, j) =>
    fmtList(empty.result.centers.data.subarray(2 * j, 2 * j + 2)),
  );
  io.log(`shousi moves it to the point farthest from its centre: centres ${rows.join(', ')}`);

  io.section('iris: 150 flowers x 4 features, k = 3 (species not shown to k-means)');
  const iris = loadCsv(IRIS, { skipRows: 1, dtype: 'float64' }).data;
  const Xi = iris.narrow(1, 0, 4).clone();
  const species = Int32Array.from(iris.narrow(1, 4, 1).clone().data, (v) => v);
  const lloyd = cluster(Xi, 3, { seed: opts.seed, algorithm: 'lloyd' });
  const elkan = cluster(Xi, 3, { seed: opts.seed, algorithm: 'elkan' });
  const irisAri = adjustedRandIndex(species, lloyd.result.labels);
  const sameLabels = lloyd.result.labels.data.every((v, i) => v === elkan.result.labels.data[i]);
  io.log(
    fmtTable(
      ['algorithm', 'inertia', 'iterations', 'distances computed'],
      [lloyd, elkan].map((f, i) => [
        i === 0 ? 'lloyd' : 'elkan',
        fmtNum(f.result.inertia, 6),
        String(f.result.nIter),
        String(f.result.nDistances),
      ]),
    ),
  );
  io.log(
    `Elkan gives the same labels as Lloyd: ${sameLabels}; adjusted Rand index vs species: ${fmtNum(irisAri, 3)}`,
  );
  curve('iris (k=3)', lloyd.curve);
  await io.plot('kmeans-iris', {
    kind: 'scatter',
    title: 'k-means on iris (k = 3), petal features shown',
    subtitle: `fitted on all 4 features; adjusted Rand index vs species ${fmtNum(irisAri, 3)}`,
    xLabel: 'petal length (cm)',
    yLabel: 'petal width (cm)',
    groupLabel: 'cluster',
    ...scatter(Xi, lloyd.result, [2, 3]),
  });
  await io.plot('kmeans-inertia', {
    kind: 'line',
    title: 'k-means inertia per iteration (best run)',
    subtitle: 'never rises: each assignment and each centre update can only lower it',
    xLabel: 'iteration',
    yLabel: 'inertia',
    logY: true,
    series: curves,
  });

  return io.finish(
    `k-means++: blobs ARI ${fmtNum(blobsAri, 3)} (exact in ${found.plusplus}/20 single runs vs ${found.random}/20 random), ` +
      `iris ARI ${fmtNum(irisAri, 3)}, inertia ${fmtNum(lloyd.result.inertia, 5)}`,
    {
      randomInertia: rnd.result.inertia,
      blobsAri,
      blobsExactRandomInit: found.random,
      blobsExactPlusPlus: found.plusplus,
      emptyClusterCenters: Array.from(empty.result.centers.data),
      irisInertia: lloyd.result.inertia,
      irisAri,
      irisNIter: lloyd.result.nIter,
      elkanSameLabels: sameLabels,
      distancesLloyd: lloyd.result.nDistances,
      distancesElkan: elkan.result.nDistances,
    },
  );
}
