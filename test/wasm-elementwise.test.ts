// The wasm elementwise kernels (assembly/elementwise.ts) against the TypeScript loops they stand
// in for, bit for bit: add, sub, mul, div, maximum, minimum over same shapes, scalars on either
// side, a row broadcast (bias), a column broadcast and higher-rank broadcasts, with lengths that
// are not multiples of the vector width, and NaN, infinities, signed zeros and division by zero;
// row sums (sum and mean over the last dim) on float32 and float64, resident and staged operands.

import { afterAll, describe, expect, it } from 'vitest';
import { setResidentLimit, Tensor } from '../src/index.js';
import { getNumThreads, setBackend, setNumThreads } from '../src/kernels/backend.js';
import { addRow, divRow, maxRow } from '../src/kernels/elementwise.js';
import { sumAxis } from '../src/kernels/reduce.js';
import { binaryWasm, sumRowsWasm } from '../src/kernels/wasm/elementwise.js';
import { loadRuntime } from '../src/kernels/wasm/loader.js';
import { Generator } from '../src/random.js';

const defaultThreads = getNumThreads();
afterAll(() => {
  setBackend('auto');
  setNumThreads(defaultThreads);
  setResidentLimit(256 * 1024 * 1024);
});

const FLAVOURS = (['wasm-simd', 'wasm-relaxed-simd'] as const).filter((v) => loadRuntime(v, true) !== null);
const DTYPES = ['float32', 'float64'] as const;
type DT = (typeof DTYPES)[number];

// values with every special case among ordinary ones
function values(dtype: DT, n: number, seed: number): Tensor['data'] {
  const g = new Generator(seed);
  const specials = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-40, -3.5];
  const x = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = i % 11 === 0 ? specials[(i / 11) % specials.length] : g.normal(0, 4);
  return x;
}

const t = (dtype: DT, shape: number[], seed: number) =>
  new Tensor(
    values(
      dtype,
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );

// the same without NaN and infinities: a sum over any of them would hide every other value
function finite(dtype: DT, shape: number[], seed: number): Tensor {
  const x = t(dtype, shape, seed);
  for (let i = 0; i < x.data.length; i++) if (!Number.isFinite(x.data[i])) x.data[i] = 1;
  return x;
}

type Op = (a: Tensor, b: Tensor) => Tensor;
const OPS: [string, Op][] = [
  ['add', (a, b) => a.add(b)],
  ['sub', (a, b) => a.sub(b)],
  ['mul', (a, b) => a.mul(b)],
  ['div', (a, b) => a.div(b)],
  ['maximum', (a, b) => a.maximum(b)],
  ['minimum', (a, b) => a.minimum(b)],
];
// [a shape, b shape]: same, scalars, bias rows, a column, higher ranks, odd sizes, > the threshold
const SHAPES: [number[], number[]][] = [
  [[4099], [4099]],
  [
    [67, 93],
    [67, 93],
  ],
  [[67, 93], [1]],
  [[1], [67, 93]],
  [[67, 93], [93]],
  [
    [67, 93],
    [67, 1],
  ],
  [
    [5, 1, 37],
    [1, 29, 37],
  ],
  [
    [3, 7, 11, 23],
    [11, 23],
  ],
  [[2049, 3], [3]],
];

const bits = (x: Tensor) => Array.from(x.data, (v) => (Object.is(v, -0) ? '-0' : String(v)));

// the first difference, not a diff of 600K elements (which takes vitest minutes to print)
function expectSame(got: string[], want: string[], what: string): void {
  expect(got.length, what).toBe(want.length);
  const i = got.findIndex((v, j) => v !== want[j]);
  if (i >= 0) expect.fail(`${what}: element ${i} is ${got[i]}, expected ${want[i]}`);
}

describe.each(FLAVOURS)('elementwise kernels on %s', (flavour) => {
  it.each(DTYPES)('binary ops equal the TypeScript loops bit for bit (%s)', (dtype) => {
    for (const resident of [true, false]) {
      setResidentLimit(resident ? 256 * 1024 * 1024 : 0);
      SHAPES.forEach(([sa, sb], k) => {
        for (const [name, op] of OPS) {
          setBackend('js');
          const [a0, b0] = [t(dtype, sa, 2 * k), t(dtype, sb, 2 * k + 1)];
          const want = bits(op(a0, b0));
          setBackend(flavour);
          const [a, b] = [t(dtype, sa, 2 * k), t(dtype, sb, 2 * k + 1)];
          expectSame(bits(op(a, b)), want, `${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
        }
      });
    }
  });

  // large enough for the thread split: by rows, and one long row split by columns
  it.each([1, 2])('large operands on %i thread(s), split by rows or columns', (threads) => {
    setNumThreads(threads);
    for (const [sa, sb] of [
      [
        [601, 1001],
        [601, 1001],
      ],
      [[601, 1001], [1001]],
      [[600_003], [1]],
    ]) {
      for (const [name, op] of [OPS[1], OPS[4]]) {
        setBackend('js');
        const want = bits(op(t('float32', sa, 1), t('float32', sb, 2)));
        const wantSum = bits(finite('float64', sa, 3).sum(-1));
        setBackend(flavour);
        expectSame(bits(op(t('float32', sa, 1), t('float32', sb, 2))), want, `${name} ${JSON.stringify(sa)}`);
        expectSame(bits(finite('float64', sa, 3).sum(-1)), wantSum, `sum ${JSON.stringify(sa)}`);
      }
    }
    setNumThreads(defaultThreads);
  });

  it('the kernel takes the wasm path where it should, and declines what it cannot do', () => {
    setBackend(flavour);
    const n = 5000;
    const [a, b, o] = [values('float32', n, 1), values('float32', n, 2), new Float32Array(n)];
    expect(binaryWasm(0, 1, n, o, n, a, 0, 1, b, 0, 1)).toBe(true);
    const want = new Float32Array(n);
    addRow(want, 0, a, 0, 1, b, 0, 1, n);
    expect(Array.from(o)).toEqual(Array.from(want));
    expect(binaryWasm(0, 1, 100, o, 100, a, 0, 1, b, 0, 1)).toBe(false); // small: TypeScript
    expect(binaryWasm(0, 1, n, o, n, a, 0, 2, b, 0, 1)).toBe(false); // column stride 2
    expect(binaryWasm(0, 1, n, new Int32Array(n), n, a, 0, 1, b, 0, 1)).toBe(false); // mixed dtypes
    // x op x: one operand staged once
    const sq = new Float64Array(n);
    const x = values('float64', n, 3);
    expect(binaryWasm(3, 1, n, sq, n, x, 0, 1, x, 0, 1)).toBe(true);
    const want2 = new Float64Array(n);
    divRow(want2, 0, x, 0, 1, x, 0, 1, n);
    expect(Array.from(sq)).toEqual(Array.from(want2));
    // rows with a broadcast row operand
    const [rows, cols] = [33, 151];
    const m = values('float64', rows * cols, 4);
    const r = values('float64', cols, 5);
    const got = new Float64Array(rows * cols);
    expect(binaryWasm(4, rows, cols, got, cols, m, cols, 1, r, 0, 1)).toBe(true);
    const exp = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) maxRow(exp, i * cols, m, i * cols, 1, r, 0, 1, cols);
    expect(Array.from(got)).toEqual(Array.from(exp));
  });

  it.each(DTYPES)('row sums equal sumAxis bit for bit (%s)', (dtype) => {
    setBackend(flavour);
    for (const [rows, n] of [
      [1, 4096],
      [3, 1500],
      [4, 1025],
      [7, 999],
      [1024, 17],
      [4097, 1],
    ]) {
      const x = finite(dtype, [rows * n], rows + n).data;
      const mk = () => (dtype === 'float32' ? new Float32Array(rows) : new Float64Array(rows));
      const got = mk();
      expect(sumRowsWasm(x, rows, n, got)).toBe(true);
      setBackend('js');
      const want = mk();
      sumAxis(x, rows, n, 1, want);
      setBackend(flavour);
      expect(Array.from(got), `${rows}x${n}`).toEqual(Array.from(want));
    }
    // the public ops, on resident tensors
    const a = finite(dtype, [300, 77], 9);
    const s = a.sum(-1);
    const m = a.mean(-1);
    setBackend('js');
    expect(bits(a.sum(-1))).toEqual(bits(s));
    expect(bits(a.mean(-1))).toEqual(bits(m));
  });
});
