// The wasm GEMM (assembly/gemm.ts via src/kernels/wasm/gemm.ts) against the TypeScript gemmJs:
// every available wasm flavour, on 1 and 2 threads, float32 and float64, random shapes with
// sizes 1, odd sizes and sizes that are not multiples of the 4 x 8 tile, transposed strides,
// offsets, views gathered from wide tensors, and accumulate. Runs against the built artefact
// (`npm test` builds wasm/ first); fails loudly if it is missing.

import { afterAll, describe, expect, it } from 'vitest';
import { backend, getNumThreads, setBackend, setNumThreads } from '../src/kernels/backend.js';
import { gemm, gemmJs, type MatView } from '../src/kernels/matmul.js';
import { poolSize } from '../src/kernels/pool.js';
import { gemmWasm } from '../src/kernels/wasm/gemm.js';
import { loadRuntime } from '../src/kernels/wasm/loader.js';
import { Generator } from '../src/random.js';

type Ctor = Float32Array | Float64Array;
const defaultThreads = getNumThreads();
afterAll(() => {
  setBackend('auto');
  setNumThreads(defaultThreads);
});

const FLAVOURS = (['wasm-simd', 'wasm-relaxed-simd'] as const).filter((v) => loadRuntime(v, true) !== null);

function filled<T extends Ctor>(like: T, n: number, g: Generator): T {
  const a = (like instanceof Float32Array ? new Float32Array(n) : new Float64Array(n)) as T;
  for (let i = 0; i < n; i++) a[i] = g.uniform(-1, 1);
  return a;
}

interface Case {
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
  accumulate: boolean;
  /** Leading elements before the operands (a non-zero view offset). */
  pad: number;
}

// A stored [rows, cols] (or its transpose, read through swapped strides) after `pad` elements.
function operand<T extends Ctor>(
  like: T,
  rows: number,
  cols: number,
  trans: boolean,
  pad: number,
  g: Generator,
): MatView {
  const data = filled(like, pad + rows * cols, g);
  return trans ? { data, off: pad, rs: 1, cs: rows } : { data, off: pad, rs: cols, cs: 1 };
}

function check<T extends Ctor>(like: T, c: Case, seed: number): void {
  const g = new Generator(seed);
  const A = operand(like, c.M, c.K, c.transA, c.pad, g);
  const B = operand(like, c.K, c.N, c.transB, c.pad, g);
  const out = filled(like, c.pad + c.M * c.N, g);
  const ref = out.slice() as T;
  expect(gemmWasm(c.M, c.N, c.K, A, B, out, c.pad, c.accumulate), 'wasm path taken').toBe(true);
  gemmJs(c.M, c.N, c.K, A, B, ref, c.pad, c.accumulate);
  // float32 accumulates in float32 in wasm (float64 in TS): error ~ sqrt(K) eps32 |a||b|
  const tol = like instanceof Float32Array ? 2e-6 * Math.sqrt(c.K) + 1e-6 : 1e-13 * Math.sqrt(c.K);
  for (let i = 0; i < out.length; i++) {
    const d = Math.abs(out[i] - ref[i]);
    if (d > tol * (1 + Math.abs(ref[i])))
      expect.fail(`${JSON.stringify(c)} element ${i}: ${out[i]} vs ${ref[i]}`);
  }
}

// Sizes above the wasm threshold (24^3 multiply-adds), mixing 1, odd and non-tile multiples.
const SHAPES: [number, number, number][] = [
  [1, 200, 97],
  [300, 1, 61],
  [90, 211, 1],
  [3, 5, 1000],
  [4, 8, 512],
  [33, 17, 70],
  [61, 67, 259],
  [129, 131, 130], // over the thread threshold: split by rows
  [21, 603, 157], // N > M: split by columns
  [97, 1030, 9], // N over one packed B block (1024 f32 columns)
];

describe.each(FLAVOURS)('gemm on %s', (flavour) => {
  describe.each([1, 2])('%i thread(s)', (threads) => {
    it.each(['float32', 'float64'] as const)(
      '%s equals gemmJs on random shapes, strides, accumulate',
      (dtype) => {
        setBackend(flavour);
        setNumThreads(threads);
        const like = dtype === 'float32' ? new Float32Array(0) : new Float64Array(0);
        let seed = 1;
        for (const [M, N, K] of SHAPES) {
          const g = new Generator(seed);
          const c: Case = {
            M,
            N,
            K,
            transA: g.random() < 0.5,
            transB: g.random() < 0.5,
            accumulate: g.random() < 0.5,
            pad: g.randint(0, 3),
          };
          check(like, c, seed++);
          check(like, { ...c, transA: !c.transA, transB: !c.transB, accumulate: !c.accumulate }, seed++);
        }
        expect(poolSize()).toBe(threads - 1);
      },
    );
  });
});

describe('gemm dispatch', () => {
  it('the wasm binaries are built and picked by default', () => {
    expect(FLAVOURS, 'wasm/shousi-simd.wasm missing or rejected: run `npm run build:wasm`').toContain(
      'wasm-simd',
    );
    setBackend('auto');
    expect(backend()).toMatch(/^wasm-/);
  });

  it('gathers a narrow view of a wide tensor instead of copying its whole span', () => {
    setBackend('wasm-simd');
    const g = new Generator(7);
    const wide = filled(new Float32Array(0), 64 * 4096, g);
    // A = wide[:, 100:140] (rows 4096 apart), B = its first 40x50 block read transposed
    const A: MatView = { data: wide, off: 100, rs: 4096, cs: 1 };
    const B: MatView = { data: wide, off: 7, rs: 1, cs: 4096 };
    const out = new Float32Array(64 * 50);
    const ref = new Float32Array(64 * 50);
    expect(gemmWasm(64, 50, 40, A, B, out, 0, false)).toBe(true);
    gemmJs(64, 50, 40, A, B, ref, 0, false);
    for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(ref[i], 4);
  });

  it('leaves small, int32 and mixed-dtype products to TypeScript', () => {
    setBackend('wasm-simd');
    const v = (data: Float32Array | Float64Array | Int32Array): MatView => ({ data, off: 0, rs: 64, cs: 1 });
    expect(
      gemmWasm(4, 4, 4, v(new Float32Array(16)), v(new Float32Array(16)), new Float32Array(16), 0, false),
    ).toBe(false);
    const i32 = new Int32Array(64 * 64).fill(1);
    expect(gemmWasm(64, 64, 64, v(i32), v(i32), new Int32Array(64 * 64), 0, false)).toBe(false);
    expect(
      gemmWasm(
        64,
        64,
        64,
        v(new Float32Array(4096)),
        v(new Float64Array(4096)),
        new Float64Array(4096),
        0,
        false,
      ),
    ).toBe(false);
    // gemm still answers them (in TypeScript): int32 products stay exact
    const c = new Int32Array(64 * 64);
    gemm(64, 64, 64, v(i32), v(i32), c, 0, false);
    expect(c[0]).toBe(64);
  });

  it("the 'js' backend never takes the wasm path", () => {
    setBackend('js');
    const a = new Float32Array(64 * 64).fill(1);
    const v: MatView = { data: a, off: 0, rs: 64, cs: 1 };
    expect(gemmWasm(64, 64, 64, v, v, new Float32Array(64 * 64), 0, false)).toBe(false);
  });
});
