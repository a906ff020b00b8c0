// The wasm conv2d forward (assembly/conv.ts: implicit-im2col GEMM, via src/kernels/wasm/conv.ts)
// against the TypeScript kernel it stands in for (conv2dForward on the 'js' backend): every wasm
// flavour, 1 and 2 threads, float32 and float64, random geometries with sizes 1, odd sizes and
// widths that are not multiples of the 8-column panel (panels across output rows), strides,
// dilations, asymmetric padding, groups, 1x1 kernels, with and without bias, and batches that
// split by images or by output columns. Runs against the built artefact.

import { afterAll, describe, expect, it } from 'vitest';
import { getNumThreads, setBackend, setNumThreads } from '../src/kernels/backend.js';
import { type ConvGeometry, conv2dForward } from '../src/kernels/conv.js';
import { conv2dForwardWasm } from '../src/kernels/wasm/conv.js';
import { loadRuntime } from '../src/kernels/wasm/loader.js';
import { Generator } from '../src/random.js';

type Arr = Float32Array | Float64Array;
const defaultThreads = getNumThreads();
afterAll(() => {
  setBackend('auto');
  setNumThreads(defaultThreads);
});

const FLAVOURS = (['wasm-simd', 'wasm-relaxed-simd'] as const).filter((v) => loadRuntime(v, true) !== null);
const DTYPES = ['float32', 'float64'] as const;

interface Spec {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
  G?: number;
  k: [number, number];
  s?: [number, number];
  /** top, bottom, left, right */
  pad?: [number, number, number, number];
  d?: [number, number];
  bias?: boolean;
}

function geometry(sp: Spec): ConvGeometry {
  const [kh, kw] = sp.k;
  const [sh, sw] = sp.s ?? [1, 1];
  const [pt, pb, pl, pr] = sp.pad ?? [0, 0, 0, 0];
  const [dh, dw] = sp.d ?? [1, 1];
  const OH = Math.floor((sp.H + pt + pb - dh * (kh - 1) - 1) / sh) + 1;
  const OW = Math.floor((sp.W + pl + pr - dw * (kw - 1) - 1) / sw) + 1;
  return {
    N: sp.N,
    C: sp.C,
    H: sp.H,
    W: sp.W,
    O: sp.O,
    G: sp.G ?? 1,
    kh,
    kw,
    sh,
    sw,
    pt,
    pl,
    dh,
    dw,
    OH,
    OW,
  };
}

function filled(dtype: (typeof DTYPES)[number], n: number, g: Generator): Arr {
  const a = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = g.uniform(-1, 1);
  return a;
}

function check(sp: Spec, dtype: (typeof DTYPES)[number], seed: number): void {
  const g = new Generator(seed);
  const geo = geometry(sp);
  const K = (geo.C / geo.G) * geo.kh * geo.kw;
  const x = filled(dtype, geo.N * geo.C * geo.H * geo.W, g);
  const w = filled(dtype, geo.O * K, g);
  const b = sp.bias === false ? null : filled(dtype, geo.O, g);
  const size = geo.N * geo.O * geo.OH * geo.OW;
  const got = filled(dtype, size, g); // stale values: every output must be overwritten
  const want = got.slice();
  expect(conv2dForwardWasm(x, w, b, geo, got), `wasm path taken for ${JSON.stringify(sp)}`).toBe(true);
  setBackend('js');
  try {
    conv2dForward(x, w, b, geo, want);
  } finally {
    setBackend('auto');
  }
  // float32 sums in float32 here (float64 in the TypeScript gemm): error ~ sqrt(K) eps32
  const tol = dtype === 'float32' ? 2e-6 * Math.sqrt(K) + 1e-6 : 1e-13 * Math.sqrt(K);
  for (let i = 0; i < size; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i]))))
      expect.fail(`${JSON.stringify(sp)} ${dtype} element ${i}: ${got[i]} vs ${want[i]}`);
  }
}

const SPECS: Spec[] = [
  { N: 1, C: 1, H: 30, W: 30, O: 1, k: [3, 3], pad: [1, 1, 1, 1] },
  { N: 2, C: 3, H: 17, W: 13, O: 5, k: [3, 3], pad: [1, 1, 1, 1] }, // OW 13: panels across rows
  { N: 3, C: 4, H: 16, W: 16, O: 6, k: [3, 3], pad: [1, 1, 1, 1], bias: false },
  { N: 2, C: 5, H: 19, W: 21, O: 7, k: [5, 3], s: [2, 2], pad: [2, 2, 1, 1] },
  { N: 2, C: 6, H: 15, W: 23, O: 4, k: [3, 3], d: [2, 3], pad: [2, 1, 0, 3] }, // asymmetric
  { N: 1, C: 8, H: 9, W: 40, O: 8, G: 4, k: [3, 1], s: [1, 3], pad: [1, 1, 0, 0] },
  { N: 4, C: 16, H: 8, W: 8, O: 12, k: [1, 1] }, // pointwise
  { N: 2, C: 7, H: 1, W: 50, O: 3, k: [1, 5], pad: [0, 0, 2, 2] }, // one input row
  { N: 5, C: 2, H: 33, W: 1, O: 2, k: [3, 1], pad: [1, 1, 0, 0] }, // one input column
  { N: 2, C: 1, H: 5, W: 5, O: 300, k: [5, 5] }, // one output pixel per image
  { N: 1, C: 32, H: 33, W: 35, O: 100, k: [3, 3], pad: [1, 1, 1, 1] }, // large: blocks of M and K
  { N: 3, C: 16, H: 32, W: 32, O: 32, k: [3, 3], pad: [1, 1, 1, 1] }, // threads: by columns
  { N: 4, C: 16, H: 32, W: 32, O: 32, k: [3, 3], pad: [1, 1, 1, 1] }, // threads: by images
];

describe.each(FLAVOURS)('conv2d forward on %s', (flavour) => {
  describe.each([1, 2])('%i thread(s)', (threads) => {
    it.each(DTYPES)('random geometries equal the TypeScript kernel (%s)', (dtype) => {
      setBackend(flavour);
      setNumThreads(threads);
      for (const [i, sp] of SPECS.entries()) check(sp, dtype, i + 1);
    });
  });
});

describe('conv2d forward falls back', () => {
  it('on tiny problems and mixed dtypes', () => {
    setBackend('wasm-simd');
    const geo = geometry({ N: 1, C: 1, H: 3, W: 3, O: 1, k: [1, 1] });
    const f32 = new Float32Array(9);
    expect(conv2dForwardWasm(f32, new Float32Array(1), null, geo, new Float32Array(9))).toBe(false);
    const big = geometry({ N: 2, C: 8, H: 16, W: 16, O: 8, k: [3, 3] });
    const x = new Float32Array(2 * 8 * 256);
    expect(conv2dForwardWasm(x, new Float64Array(8 * 72), null, big, new Float32Array(2 * 8 * 196))).toBe(
      false,
    );
    setBackend('auto');
  });
});
