// The wasm row kernels (assembly/rows.ts) against the TypeScript kernels they stand in for:
// softmax / log-softmax rows (softmaxAxis, inner = 1) and LayerNorm forward (layerNormForward),
// on every wasm flavour, 1 and 2 threads, float32 and float64, odd row lengths (vector tails),
// -inf masks, all -inf rows, NaN and large logits; plus the vector exp over its whole range.

import { afterAll, describe, expect, it } from 'vitest';
import { getNumThreads, setBackend, setNumThreads } from '../src/kernels/backend.js';
import { layerNormForward } from '../src/kernels/norm.js';
import { softmaxAxis } from '../src/kernels/reduce.js';
import { loadRuntime } from '../src/kernels/wasm/loader.js';
import { layerNormForwardWasm, softmaxRowsWasm } from '../src/kernels/wasm/rows.js';
import { Generator } from '../src/random.js';

type Arr = Float32Array | Float64Array;
const defaultThreads = getNumThreads();
afterAll(() => {
  setBackend('auto');
  setNumThreads(defaultThreads);
});

const FLAVOURS = (['wasm-simd', 'wasm-relaxed-simd'] as const).filter((v) => loadRuntime(v, true) !== null);
const DTYPES = ['float32', 'float64'] as const;
const make = (dtype: (typeof DTYPES)[number], n: number): Arr =>
  dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);

/** The TypeScript result: the same kernel on the 'js' backend. */
function onJs<T>(fn: () => T): T {
  setBackend('js');
  try {
    return fn();
  } finally {
    setBackend('auto');
  }
}

function expectClose(got: Arr, want: Arr, rtol: number, what: string): void {
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i], want[i]];
    if (Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w))) continue;
    if (!(Math.abs(g - w) <= rtol * (1 + Math.abs(w)))) expect.fail(`${what} element ${i}: ${g} vs ${w}`);
  }
}

// rows of odd lengths with masks, an all -inf row, a NaN row and large logits
function logits(dtype: (typeof DTYPES)[number], rows: number, n: number, g: Generator): Arr {
  const x = make(dtype, rows * n);
  for (let i = 0; i < x.length; i++) x[i] = g.normal(0, 3);
  for (let j = 0; j < n; j += 3) x[j] = Number.NEGATIVE_INFINITY; // row 0: masked keys
  x.fill(Number.NEGATIVE_INFINITY, n, 2 * n); // row 1: fully masked
  x[2 * n + (n >> 1)] = Number.NaN; // row 2: NaN
  for (let j = 0; j < n; j++) x[3 * n + j] = 80 + j; // row 3: large, would overflow without the max shift
  return x;
}

describe.each(FLAVOURS)('row kernels on %s', (flavour) => {
  describe.each([1, 2])('%i thread(s)', (threads) => {
    it.each(DTYPES)('softmax and log-softmax rows equal softmaxAxis (%s)', (dtype) => {
      const g = new Generator(threads);
      for (const [rows, n] of [
        [5, 61],
        [4, 64],
        [300, 257],
        [7, 1031],
      ]) {
        const x = logits(dtype, rows, n, g);
        for (const log of [false, true]) {
          const want = make(dtype, x.length);
          onJs(() => softmaxAxis(x, rows, n, 1, want, log));
          setBackend(flavour);
          setNumThreads(threads);
          const got = make(dtype, x.length);
          expect(softmaxRowsWasm(x, rows, n, 1, got, log)).toBe(true);
          expectClose(got, want, dtype === 'float32' ? 2e-6 : 1e-14, `${rows}x${n} log=${log}`);
        }
      }
    });

    it.each(DTYPES)('layerNorm rows equal layerNormForward (%s)', (dtype) => {
      const g = new Generator(10 + threads);
      for (const [R, D] of [
        [3, 97],
        [300, 256],
        [9, 1025],
      ]) {
        const x = make(dtype, R * D).map(() => g.normal(5, 2));
        x.fill(7, 0, D); // a constant row: rstd = 1/sqrt(eps), stays finite
        const w = make(dtype, D).map(() => g.normal());
        const b = make(dtype, D).map(() => g.normal());
        for (const [wi, bi] of [
          [w, b],
          [null, null],
          [w, null],
          [null, b],
        ]) {
          const run = (fn: typeof layerNormForward) => {
            const out = { y: make(dtype, R * D), mean: new Float64Array(R), rstd: new Float64Array(R) };
            fn(x, R, D, wi, bi, 1e-5, out.y, out.mean, out.rstd);
            return out;
          };
          const want = onJs(() => run(layerNormForward));
          setBackend(flavour);
          setNumThreads(threads);
          let used = false;
          const got = run((...a) => {
            used = layerNormForwardWasm(...a);
          });
          expect(used).toBe(true);
          const tol = dtype === 'float32' ? 1e-6 : 1e-13;
          expectClose(got.y, want.y, tol, `${R}x${D} y`);
          expectClose(got.mean, want.mean, 1e-14, `${R}x${D} mean`);
          expectClose(got.rstd, want.rstd, 1e-12, `${R}x${D} rstd`);
        }
      }
    });
  });
});

describe('wasm exp and log', () => {
  // The float32 exp is a fitted degree-5 polynomial (assembly/math.ts, expNonPosF32x4): at most
  // ~3 ulp. softmax([0, t, 0, t])[1] = e^t / (2 + 2 e^t) adds the sum's and the reciprocal's
  // roundings; on a dense grid of t down to the flush at -87, every result stays within 5e-7.
  it.each(FLAVOURS)('float32 exp stays within a few ulp on a dense grid of (-87, 0] (%s)', (flavour) => {
    setBackend(flavour);
    const n = 20_000;
    const x = new Float32Array(4 * n); // rows [0, t, 0, t]: one whole vector each
    for (let i = 0; i < n; i++) {
      const t = -87 * (i / n) ** 0.5; // denser near 0
      x[4 * i + 1] = t;
      x[4 * i + 3] = t;
    }
    const out = new Float32Array(4 * n);
    expect(softmaxRowsWasm(x, n, 4, 1, out, false)).toBe(true);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const want = 0.5 / (1 + Math.exp(-x[4 * i + 1])); // e^t / (2 + 2 e^t), in float64
      worst = Math.max(worst, Math.abs(out[4 * i + 1] - want) / want);
    }
    expect(worst).toBeLessThan(5e-7); // measured 2.8e-7
    setBackend('auto');
  });

  it.each(FLAVOURS)(
    'float32 exp is exactly 0 from -88 down and e^t just above the underflow (%s)',
    (flavour) => {
      // the clamp at -88 makes 2^k's biased exponent 0 (assembly/math.ts): no separate flush mask
      setBackend(flavour);
      const ts = [-87.0, -87.3, -87.6, -88, -88.5, -100, -1e30, -Infinity];
      const x = new Float32Array(4 * 64 * ts.length); // rows [0, t, 0, t], repeated past the size threshold
      for (let i = 0; i < x.length / 4; i++) x.set([0, ts[i % ts.length], 0, ts[i % ts.length]], 4 * i);
      const out = new Float32Array(x.length);
      expect(softmaxRowsWasm(x, x.length / 4, 4, 1, out, false)).toBe(true);
      for (let i = 0; i < x.length / 4; i++) {
        const t = ts[i % ts.length];
        const got = out[4 * i + 1];
        if (t <= -88) expect(Object.is(got, 0), `t = ${t}: ${got}`).toBe(true);
        else expect(Math.abs(got - Math.exp(t) / 2)).toBeLessThanOrEqual(1e-5 * (Math.exp(t) / 2)); // subnormal out
        expect(out[4 * i]).toBe(0.5);
      }
      setBackend('auto');
    },
  );

  it.each(DTYPES)('softmax of two logits matches the logistic function across the range (%s)', (dtype) => {
    // softmax([0, t, 0, t])[1] = 1 / (2 (1 + e^-t)): exp from deep underflow to overflow
    setBackend('wasm-simd');
    const ts = [-800, -745, -120, -103, -87, -30, -1e-3, 0, 0.5, 1, 3.3, 20, 87, 100, 700, 709, 800];
    const x = make(dtype, 4 * ts.length);
    ts.forEach((t, i) => {
      x.set([0, t, 0, t], 4 * i); // n = 4: one full vector per row
    });
    const rows = make(dtype, 64 * ts.length); // repeat to pass the size threshold
    for (let r = 0; r < 16; r++) rows.set(x, r * x.length);
    const out = make(dtype, rows.length);
    expect(softmaxRowsWasm(rows, rows.length / 4, 4, 1, out, false)).toBe(true);
    ts.forEach((t, i) => {
      const want = 0.5 / (1 + Math.exp(-t));
      const rel = dtype === 'float32' ? 1e-6 : 1e-15;
      expect(Math.abs(out[4 * i + 1] - want)).toBeLessThanOrEqual(
        rel * want + (dtype === 'float32' ? 1e-38 : 1e-300),
      );
    });
    const logOut = make(dtype, rows.length);
    expect(softmaxRowsWasm(rows, rows.length / 4, 4, 1, logOut, true)).toBe(true);
    ts.forEach((t, i) => {
      const m = Math.max(0, t);
      const want = -(m + Math.log(2 * Math.exp(-m) + 2 * Math.exp(t - m))); // 0 - logsumexp
      expect(logOut[4 * i]).toBeCloseTo(want, dtype === 'float32' ? 4 : 12);
    });
  });
});
