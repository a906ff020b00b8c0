// The pinned operand of src/kernels/wasm/frame.ts: k-means keeps its points resident in wasm
// memory across Lloyd iterations (lloydAssign's scratch is the owner). Results must equal an
// unpinned call's after other kernels lay out their frames in between, after the owner or the
// points change, and after a backend switch (another wasm memory). Also, a fit-sized problem
// (labels split across threads, points pinned) equals the TypeScript loop's bit for bit.

import { afterAll, describe, expect, it } from 'vitest';
import { getNumThreads, setBackend, setNumThreads } from '../src/kernels/backend.js';
import { type CenterSums, lloydAssign, lloydScratch } from '../src/kernels/kmeans.js';
import { gemm } from '../src/kernels/matmul.js';
import { lloydAssignWasm } from '../src/kernels/wasm/kmeans.js';
import { loadRuntime } from '../src/kernels/wasm/loader.js';
import { Generator } from '../src/random.js';

const defaultThreads = getNumThreads();
afterAll(() => {
  setBackend('auto');
  setNumThreads(defaultThreads);
});

const FLAVOURS = (['wasm-simd', 'wasm-relaxed-simd'] as const).filter((v) => loadRuntime(v, true) !== null);
const [n, d, k] = [3001, 7, 5];

function points(seed: number): Float64Array {
  const g = new Generator(seed);
  return new Float64Array(n * d).map(() => g.normal());
}

function assign(x: Float64Array, c: Float64Array, owner: object | null) {
  const labels = new Int32Array(n);
  const dist = new Float64Array(n);
  const acc: CenterSums = { sums: new Float64Array(k * d), weights: new Float64Array(k) };
  const inertia = lloydAssignWasm(x, n, d, c, k, null, labels, dist, acc, owner);
  expect(inertia, 'wasm path taken').not.toBeNull();
  return { inertia, labels: Array.from(labels), dist: Array.from(dist), sums: Array.from(acc.sums) };
}

describe.each(FLAVOURS)('pinned k-means points on %s', (flavour) => {
  it.each([1, 2])('equal unpinned calls across other kernels and changes (%i threads)', (threads) => {
    setBackend(flavour);
    setNumThreads(threads);
    const x = points(1);
    const c = x.slice(0, k * d);
    const owner = lloydScratch(k, d);
    const want = assign(x, c, null);
    expect(assign(x, c, owner)).toEqual(want); // pins
    expect(assign(x, c, owner)).toEqual(want); // reuses

    // a large gemm lays out its operands right above the pinned points
    const m = 300;
    const a = new Float64Array(m * m).fill(1);
    const out = new Float64Array(m * m);
    gemm(m, m, m, { data: a, off: 0, rs: m, cs: 1 }, { data: a, off: 0, rs: m, cs: 1 }, out, 0, false);
    expect(out[0]).toBe(m);
    expect(assign(x, c, owner)).toEqual(want);

    // new centres with the same points: pinned data reused, results follow the centres
    const c2 = x.slice(k * d, 2 * k * d);
    expect(assign(x, c2, owner)).toEqual(assign(x, c2, null));

    // other points (same owner) or another owner: copied again
    const y = points(2);
    expect(assign(y, c, owner)).toEqual(assign(y, c, null));
    expect(assign(x, c, lloydScratch(k, d))).toEqual(want);
  });

  it('survives a switch to the other backend and back', () => {
    setBackend(flavour);
    const x = points(3);
    const c = x.slice(0, k * d);
    const owner = lloydScratch(k, d);
    const want = assign(x, c, null);
    expect(assign(x, c, owner)).toEqual(want);
    for (const other of FLAVOURS) {
      setBackend(other);
      expect(assign(x, c, owner)).toEqual(assign(x, c, null));
    }
    setBackend(flavour);
    expect(assign(x, c, owner)).toEqual(want);
  });
});

describe('k-means assignment at fit size', () => {
  it.each([1, 2])('equals the TypeScript loop bit for bit (%i threads)', (threads) => {
    const [m, dd, kk] = [70_000, 6, 7];
    const g = new Generator(9);
    const c = new Float64Array(kk * dd).map(() => g.normal(0, 3));
    const x = new Float64Array(m * dd).map(
      (_, i) => c[(Math.floor(i / dd) % kk) * dd + (i % dd)] + g.normal(0, 2),
    );
    const w = new Float64Array(m).map(() => g.uniform(0.5, 2));
    const run = () => {
      const labels = new Int32Array(m);
      const acc: CenterSums = { sums: new Float64Array(kk * dd), weights: new Float64Array(kk) };
      const inertia = lloydAssign(x, m, dd, c, kk, w, labels, null, acc, lloydScratch(kk, dd));
      return {
        inertia,
        labels: Array.from(labels),
        sums: Array.from(acc.sums),
        weights: Array.from(acc.weights),
      };
    };
    setBackend('js');
    const want = run();
    setBackend('wasm-simd');
    setNumThreads(threads);
    expect(run()).toEqual(want);
  });
});
