// The fused wasm attention forward (assembly/attention.ts via src/kernels/wasm/attention.ts)
// against the TypeScript kernel it stands in for (attentionForward on the 'js' backend): every
// wasm flavour, float32 and float64, 1 and 2 threads, random shapes with sizes 1, odd sizes and
// sizes that are not multiples of the query block (8 float32 / 4 float64 rows), the SIMD width
// or the 4-key / 4-column tiles; heads split out of a
// [B, L, H*D] projection (row stride H*D) and broadcast heads; block / keep masks and a float
// bias with broadcast strides; causal; fully masked rows and NaN inputs; with and without
// the weights. Runs against the built artefact (`npm test` builds wasm/ first).

import { afterAll, describe, expect, it } from 'vitest';
import {
  type AttentionProblem,
  attentionForward,
  type HeadOperand,
  type MaskOperand,
} from '../src/kernels/attention.js';
import { getNumThreads, setBackend, setNumThreads } from '../src/kernels/backend.js';
import { attentionForwardWasm } from '../src/kernels/wasm/attention.js';
import { loadRuntime } from '../src/kernels/wasm/loader.js';
import { Generator } from '../src/random.js';
import type { FloatStorage } from '../src/tensor/dtype.js';

const defaultThreads = getNumThreads();
afterAll(() => {
  setBackend('auto');
  setNumThreads(defaultThreads);
});

const FLAVOURS = (['wasm-simd', 'wasm-relaxed-simd'] as const).filter((v) => loadRuntime(v, true) !== null);

type Float = 'float32' | 'float64';

interface Case {
  dtype: Float;
  B: number;
  H: number;
  Lq: number;
  Lk: number;
  D: number;
  Dv: number;
  /** Heads interleaved in rows of a [B, L, H*D] projection rather than [B, H, L, D] blocks. */
  interleaved: boolean;
  /** k and v shared by the batch (every b reads batch 0's heads). */
  broadcastKv: boolean;
  mask: 'none' | 'block' | 'keep' | 'bias';
  /** The mask is one [Lq, Lk] matrix broadcast to every head (else one per head). */
  sharedMask: boolean;
  causal: boolean;
  weights: boolean;
}

const storage = (dtype: Float, n: number): FloatStorage =>
  dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);

function filled(dtype: Float, n: number, g: Generator, scale = 1): FloatStorage {
  const a = storage(dtype, n);
  for (let i = 0; i < n; i++) a[i] = g.normal(0, scale);
  return a;
}

// One operand of B*H heads of [L, C]: head (b, h) starts at its offset, rows `rs` apart.
function heads(c: Case, L: number, C: number, g: Generator, shareBatch: boolean): HeadOperand {
  const Bs = shareBatch ? 1 : c.B;
  const data = filled(c.dtype, Bs * c.H * L * C, g);
  const offsets: number[] = [];
  for (let b = 0; b < c.B; b++) {
    for (let h = 0; h < c.H; h++) {
      const bb = shareBatch ? 0 : b;
      offsets.push(c.interleaved ? bb * L * c.H * C + h * C : (bb * c.H + h) * L * C);
    }
  }
  return { data, offsets, rs: c.interleaved ? c.H * C : C };
}

function problem(c: Case, seed: number): AttentionProblem {
  const g = new Generator(seed);
  const N = c.B * c.H;
  const q = heads(c, c.Lq, c.D, g, false);
  const k = heads(c, c.Lk, c.D, g, c.broadcastKv);
  const v = heads(c, c.Lk, c.Dv, g, c.broadcastKv);
  let mask: MaskOperand | null = null;
  if (c.mask !== 'none') {
    const count = (c.sharedMask ? 1 : N) * c.Lq * c.Lk;
    const data =
      c.mask === 'bias'
        ? filled(c.dtype, count, g, 2)
        : Uint8Array.from({ length: count }, () => +(g.uniform() < 0.3));
    // row 0 of every head fully masked (block: all set; keep: none set; bias: -inf)
    const off = (n: number) => (c.sharedMask ? 0 : n * c.Lq * c.Lk);
    for (let n = 0; n < (c.sharedMask ? 1 : N); n++) {
      const fill = c.mask === 'block' ? 1 : c.mask === 'keep' ? 0 : Number.NEGATIVE_INFINITY;
      data.fill(fill, off(n), off(n) + c.Lk);
    }
    mask = {
      kind: c.mask,
      data,
      offsets: Array.from({ length: N }, (_, n) => off(n)),
      rs: c.Lk,
      cs: 1,
    };
  }
  return {
    N,
    Lq: c.Lq,
    Lk: c.Lk,
    D: c.D,
    Dv: c.Dv,
    q,
    k,
    v,
    mask,
    causal: c.causal,
    scale: 1 / Math.sqrt(c.D),
  };
}

function run(p: AttentionProblem, c: Case, wasm: boolean): { out: FloatStorage; w: FloatStorage | null } {
  const N = p.N;
  const out = storage(c.dtype, N * c.Lq * c.Dv).fill(7); // stale values must be overwritten
  const view: HeadOperand = {
    data: out,
    offsets: Array.from({ length: N }, (_, n) => n * c.Lq * c.Dv),
    rs: c.Dv,
  };
  const w = c.weights ? storage(c.dtype, N * c.Lq * c.Lk).fill(7) : null;
  if (wasm) expect(attentionForwardWasm(p, view, w), 'wasm path taken').toBe(true);
  else {
    setBackend('js');
    try {
      attentionForward(p, view, w);
    } finally {
      setBackend('auto');
    }
  }
  return { out, w };
}

function expectClose(got: FloatStorage, want: FloatStorage, tol: number, what: string): void {
  for (let i = 0; i < want.length; i++) {
    const [a, b] = [got[i], want[i]];
    if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) continue;
    if (!(Math.abs(a - b) <= tol * (1 + Math.abs(b)))) expect.fail(`${what} element ${i}: ${a} vs ${b}`);
  }
}

// float32 scores are summed in float32 here (float64 in the TypeScript gemm): error ~ sqrt(D)
// eps32 |s|, which the softmax turns into a relative error of the weights. float64 sums in
// float64 on both sides (in another order, with FMA under relaxed SIMD): ~1e-15, checked to
// 1e-12. `tol` overrides, per dtype.
function check(
  c: Case,
  seed: number,
  mutate?: (p: AttentionProblem) => void,
  tol?: Record<Float, number>,
): void {
  const p = problem(c, seed);
  mutate?.(p);
  const ref = run(p, c, false);
  const got = run(p, c, true);
  const t = tol?.[c.dtype] ?? (c.dtype === 'float64' ? 1e-12 : 3e-6 * Math.sqrt(Math.max(c.D, c.Lk)) + 1e-6);
  expectClose(got.out, ref.out, t, `${JSON.stringify(c)} output`);
  if (ref.w) expectClose(got.w!, ref.w, t, `${JSON.stringify(c)} weights`);
}

const BASE32: Case = {
  dtype: 'float32',
  B: 2,
  H: 3,
  Lq: 37,
  Lk: 29,
  D: 13,
  Dv: 11,
  interleaved: false,
  broadcastKv: false,
  mask: 'none',
  sharedMask: false,
  causal: false,
  weights: true,
};

// [B, H, Lq, Lk, D, Dv]: sizes 1, odd sizes, block / tile remainders, one head, many heads
const SHAPES: [number, number, number, number, number, number][] = [
  [1, 1, 1, 300, 64, 64],
  [1, 2, 300, 1, 30, 30],
  [2, 2, 40, 40, 1, 9],
  [1, 3, 50, 45, 20, 1],
  [5, 2, 9, 7, 33, 17],
  [2, 3, 37, 29, 13, 11],
  [1, 4, 64, 64, 16, 16],
  [3, 2, 23, 77, 6, 5],
  [4, 2, 130, 70, 24, 40], // over the thread threshold: items split across threads
];

describe.each(FLAVOURS)('fused attention on %s', (flavour) => {
  describe.each([
    ['float32', 1],
    ['float32', 2],
    ['float64', 1],
    ['float64', 2],
  ] as const)('%s, %i thread(s)', (dtype, threads) => {
    const BASE: Case = { ...BASE32, dtype };
    const setup = () => {
      setBackend(flavour);
      setNumThreads(threads);
    };

    it('random shapes, with and without weights', () => {
      setup();
      SHAPES.forEach(([B, H, Lq, Lk, D, Dv], s) => {
        for (const weights of [true, false]) check({ ...BASE, B, H, Lq, Lk, D, Dv, weights }, s);
      });
    });

    it('split heads of a [B, L, H*D] projection and k, v broadcast over the batch', () => {
      setup();
      check({ ...BASE, interleaved: true }, 11);
      check({ ...BASE, broadcastKv: true }, 12);
      check({ ...BASE, interleaved: true, broadcastKv: true, Lq: 64, Lk: 64 }, 13);
    });

    it.each(['block', 'keep', 'bias'] as const)('%s mask, per head and shared, causal or not', (mask) => {
      setup();
      for (const sharedMask of [false, true]) {
        for (const causal of [false, true]) check({ ...BASE, mask, sharedMask, causal }, 20);
      }
      check({ ...BASE, mask, Lq: 9, Lk: 50, causal: true, weights: true }, 21);
    });

    it('causal alone, with more keys than queries and more queries than keys', () => {
      setup();
      check({ ...BASE, causal: true }, 30);
      check({ ...BASE, causal: true, Lq: 17, Lk: 40 }, 31);
      check({ ...BASE, causal: true, Lq: 40, Lk: 17 }, 32);
    });

    it('a mask broadcast along keys (column stride 0)', () => {
      setup();
      check({ ...BASE, mask: 'block' }, 40, (p) => {
        const m = p.mask!;
        const data = Uint8Array.from({ length: p.Lq }, (_, i) => +(i % 3 === 0));
        p.mask = { ...m, data, offsets: m.offsets.map(() => 0), rs: 1, cs: 0 };
      });
    });

    it('fully masked rows give zeros; NaN inputs stay NaN', () => {
      setup();
      // row 0 of every head is fully masked in these cases: output and weights exactly 0
      const c = { ...BASE, mask: 'block' as const, causal: true };
      const p = problem(c, 50);
      const { out, w } = run(p, c, true);
      for (let n = 0; n < p.N; n++) {
        for (let j = 0; j < c.Dv; j++) expect(out[n * c.Lq * c.Dv + j]).toBe(0);
        for (let j = 0; j < c.Lk; j++) expect(w![n * c.Lq * c.Lk + j]).toBe(0);
      }
      for (const causal of [false, true]) {
        const nanCase = { ...BASE, mask: 'block' as const, causal };
        check(nanCase, 51, (q) => {
          q.q.data[q.q.offsets[1] + 2 * q.q.rs] = Number.NaN; // head 1, row 2 (visible keys)
          q.q.data[q.q.offsets[2]] = Number.NaN; // head 2, row 0 (fully masked)
          q.k.data[q.k.offsets[3] + 20 * q.k.rs] = Number.NaN; // head 3, key 20
        });
      }
    });

    it('huge scores stay finite (the max is subtracted)', () => {
      setup();
      // scores ~ 1e3: an ulp of a score is ~1e-4 (float32) or ~1e-13 (float64) of the weights,
      // so compare at that scale
      const big = (p: AttentionProblem) => {
        const qd = p.q.data;
        for (let i = 0; i < qd.length; i++) qd[i] *= 300;
      };
      check({ ...BASE }, 60, big, { float32: 2e-3, float64: 1e-10 });
      const p = problem(BASE, 60);
      big(p);
      const { out, w } = run(p, BASE, true);
      expect(out.every(Number.isFinite) && w!.every(Number.isFinite)).toBe(true);
    });
  });
});

describe('fused attention falls back', () => {
  it('on mixed dtypes, tiny problems and a bias of another dtype', () => {
    setBackend('wasm-simd');
    for (const dtype of ['float32', 'float64'] as const) {
      const base = { ...BASE32, dtype };
      const p = problem(base, 70);
      const out: HeadOperand = { data: storage(dtype, p.N * base.Lq * base.Dv), offsets: [], rs: base.Dv };
      const other = (x: FloatStorage) => (dtype === 'float32' ? Float64Array.from(x) : Float32Array.from(x));
      expect(
        attentionForwardWasm({ ...p, q: { ...p.q, data: other(p.q.data as FloatStorage) } }, out, null),
      ).toBe(false);
      expect(attentionForwardWasm(p, { ...out, data: other(out.data as FloatStorage) }, null)).toBe(false);
      expect(attentionForwardWasm({ ...p, N: 1, Lq: 2, Lk: 2 }, out, null)).toBe(false);
      const bias: MaskOperand = {
        kind: 'bias',
        data: other(storage(dtype, base.Lq * base.Lk)),
        offsets: [0],
        rs: base.Lk,
        cs: 1,
      };
      expect(attentionForwardWasm({ ...p, mask: bias }, out, null)).toBe(false);
    }
    setBackend('auto');
  });
});
