// The wasm conv2d forward and backward (assembly/conv.ts: implicit-im2col GEMM, and for float32
// with >= 4 channels per group assembly/conv-indirect.ts's indirect GEMM; blocked dW / dcols
// GEMMs with col2im, via src/kernels/wasm/conv.ts) against the TypeScript kernels
// they stand in for (conv2dForward / conv2dBackward on the 'js' backend): every wasm flavour, 1
// and 2 threads, float32 and float64, random geometries with sizes 1, odd sizes and widths that
// are not multiples of the 8-column panel (panels across output rows), strides, dilations,
// asymmetric padding, groups, 1x1 kernels, with and without bias, batches that split by images
// or by output columns (and input channels, across group boundaries), and every subset of the
// backward's gradients. Runs against the built artefact.

import { afterAll, describe, expect, it } from 'vitest';
import { getNumThreads, setBackend, setNumThreads } from '../src/kernels/backend.js';
import { type ConvGeometry, conv2dBackward, conv2dForward } from '../src/kernels/conv.js';
import { conv2dBackwardWasm, conv2dForwardWasm } from '../src/kernels/wasm/conv.js';
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
  expectClose(got, want, dtype, K, `${JSON.stringify(sp)} ${dtype} y`);
}

// float32 sums in float32 here (float64 in the TypeScript gemm): error ~ sqrt(terms) eps32
function expectClose(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  dtype: string,
  terms: number,
  what: string,
): void {
  const tol = dtype === 'float32' ? 2e-6 * Math.sqrt(terms) + 1e-6 : 1e-13 * Math.sqrt(terms);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i]))))
      expect.fail(`${what} element ${i}: ${got[i]} vs ${want[i]}`);
  }
}

type Wanted = 'all' | 'dx' | 'dw' | 'db';

// dx starts at zero (the op allocates it so); dw and db at random values: both accumulate
function checkBackward(sp: Spec, dtype: (typeof DTYPES)[number], wanted: Wanted, seed: number): void {
  const g = new Generator(seed);
  const geo = geometry(sp);
  const K = (geo.C / geo.G) * geo.kh * geo.kw;
  const P = geo.OH * geo.OW;
  const x = filled(dtype, geo.N * geo.C * geo.H * geo.W, g);
  const w = filled(dtype, geo.O * K, g);
  const dy = filled(dtype, geo.N * geo.O * P, g);
  const zeros = (n: number) => (dtype === 'float32' ? new Float32Array(n) : new Float64Array(n));
  const dx = wanted === 'all' || wanted === 'dx' ? zeros(x.length) : null;
  const dw = wanted === 'all' || wanted === 'dw' ? filled(dtype, w.length, g) : null;
  const db = wanted === 'all' || wanted === 'db' ? Float64Array.from(filled('float64', geo.O, g)) : null;
  const [wdx, wdw, wdb] = [dx?.slice() ?? null, dw?.slice() ?? null, db?.slice() ?? null];
  const what = `${JSON.stringify(sp)} ${dtype} ${wanted}`;
  expect(conv2dBackwardWasm(x, w, dy, geo, dx, dw, db), `wasm path taken for ${what}`).toBe(true);
  setBackend('js');
  try {
    conv2dBackward(x, w, dy, geo, wdx, wdw, wdb);
  } finally {
    setBackend('auto');
  }
  if (dx && wdx) expectClose(dx, wdx, dtype, (geo.O / geo.G) * geo.kh * geo.kw, `${what} dx`);
  if (dw && wdw) expectClose(dw, wdw, dtype, geo.N * P, `${what} dw`);
  if (db && wdb) expectClose(db, wdb, 'float64', geo.N * P, `${what} db`);
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
  // float32 with >= 4 channels per group runs the indirect GEMM (assembly/conv-indirect.ts):
  // groups, a partial 8-channel panel (Og 7), strides, dilation, asymmetric padding, no bias,
  // output pixel counts that are not multiples of the 4-pixel tile
  { N: 2, C: 32, H: 11, W: 13, O: 14, G: 2, k: [3, 3], s: [2, 1], d: [1, 2], pad: [1, 2, 0, 2] },
  { N: 3, C: 20, H: 7, W: 9, O: 9, k: [2, 3], pad: [0, 1, 1, 0], bias: false },
  { N: 1, C: 48, H: 6, W: 5, O: 20, k: [3, 3], s: [2, 2], pad: [1, 1, 1, 1] }, // 9 pixels
  { N: 1, C: 17, H: 40, W: 38, O: 33, k: [3, 3], pad: [1, 1, 1, 1] }, // threads: by columns
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

// Beyond SPECS, the backward's own splits: one image over two threads (columns for dW, input
// channels for dx) with groups cut by the channel split, strides and dilation; several images
// per thread; blocks of columns that start inside an output row.
const BACKWARD_SPECS: Spec[] = [
  ...SPECS,
  { N: 1, C: 30, H: 40, W: 40, O: 60, G: 3, k: [3, 3], pad: [1, 1, 1, 1] },
  { N: 1, C: 24, H: 47, W: 45, O: 40, k: [3, 5], s: [2, 2], d: [2, 1], pad: [2, 1, 2, 2] },
  { N: 6, C: 12, H: 21, W: 19, O: 24, G: 2, k: [3, 3], s: [2, 1], pad: [1, 1, 1, 1] },
  { N: 2, C: 96, H: 13, W: 11, O: 16, k: [3, 3], d: [2, 2], pad: [2, 2, 2, 2] }, // small blocks
  { N: 3, C: 64, H: 16, W: 16, O: 64, k: [1, 1] }, // pointwise, threads
];

describe.each(FLAVOURS)('conv2d backward on %s', (flavour) => {
  describe.each([1, 2])('%i thread(s)', (threads) => {
    it.each(DTYPES)('random geometries equal the TypeScript kernel (%s)', (dtype) => {
      setBackend(flavour);
      setNumThreads(threads);
      for (const [i, sp] of BACKWARD_SPECS.entries()) checkBackward(sp, dtype, 'all', i + 1);
    });
    it.each(['dx', 'dw', 'db'] as const)('only %s requested', (wanted) => {
      setBackend(flavour);
      setNumThreads(threads);
      for (const [i, sp] of BACKWARD_SPECS.entries()) {
        checkBackward(sp, i % 2 ? 'float32' : 'float64', wanted, 100 + i);
      }
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

describe('conv2d backward falls back', () => {
  it('on tiny problems and mixed dtypes', () => {
    setBackend('wasm-simd');
    const geo = geometry({ N: 1, C: 1, H: 3, W: 3, O: 1, k: [1, 1] });
    const f32 = new Float32Array(9);
    expect(conv2dBackwardWasm(f32, new Float32Array(1), f32, geo, f32.slice(), null, null)).toBe(false);
    const big = geometry({ N: 2, C: 8, H: 16, W: 16, O: 8, k: [3, 3] });
    const x = new Float32Array(2 * 8 * 256);
    const dy = new Float32Array(2 * 8 * 196);
    expect(conv2dBackwardWasm(x, new Float64Array(8 * 72), dy, big, x.slice(), null, null)).toBe(false);
    setBackend('auto');
  });
});
