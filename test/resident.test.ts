// Tensor storage resident in WebAssembly memory (src/kernels/wasm/heap.ts): large float tensors
// are views of the runtime's shared memory, wasm kernels use them in place, dispose() (and the
// garbage collector) give their blocks back, blocks come back zeroed, the limit falls back to
// ordinary arrays, and every kernel gives bit for bit what it gives on copied-in operands.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  F,
  full,
  getNumThreads,
  kmeans,
  memoryInfo,
  ones,
  randn,
  setBackend,
  setNumThreads,
  setResidentLimit,
  type Tensor,
  tidy,
  zeros,
} from '../src/index.js';
import { heapOf, residentAddress } from '../src/kernels/wasm/heap.js';
import { loadRuntime, type WasmRuntime } from '../src/kernels/wasm/loader.js';

const FLAVOURS = (['wasm-simd', 'wasm-relaxed-simd'] as const).filter((v) => loadRuntime(v, true) !== null);
const LIMIT = 256 * 1024 * 1024;
const BIG = 256 * 256; // 256 KiB of float32, above the 64 KiB threshold
const defaultThreads = getNumThreads();

afterEach(() => setResidentLimit(LIMIT));
afterAll(() => {
  setBackend('auto');
  setNumThreads(defaultThreads);
});

function runtime(flavour: (typeof FLAVOURS)[number]): WasmRuntime {
  setBackend(flavour);
  return loadRuntime(flavour, true)!;
}

describe('the block heap', () => {
  it.each(FLAVOURS)(
    'hands out aligned, disjoint blocks with readable slack, reuses freed ones (%s)',
    (flavour) => {
      const heap = heapOf(runtime(flavour));
      const sizes = [1, 63, 64, 65, 100, 4096, 5000, 65536, 65537, 300000];
      const got = sizes.map((bytes) => ({ bytes, p: heap.alloc(bytes) }));
      const spans = got.map(({ bytes, p }) => [p, p + bytes + 64] as const).sort((a, b) => a[0] - b[0]);
      for (const [p] of spans) expect(p % 16).toBe(0);
      for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
      // a freed block serves the next request of its class, not of another
      expect(heap.release(got[7].p)).toBe(true);
      expect(heap.release(got[7].p)).toBe(false); // twice: nothing to free
      expect(heap.alloc(70000)).toBe(got[7].p); // 65536 and 70000 (+ slack) share a class
      for (const { p } of got) heap.release(p);
    },
  );
});

describe.each(FLAVOURS)('resident tensors on %s', (flavour) => {
  it('large float tensors live in wasm memory; small, int32 and bool ones do not', () => {
    const rt = runtime(flavour);
    const big = randn([BIG], { generator: 1 });
    expect(residentAddress(rt, big.data)).toBeGreaterThan(0);
    expect(big.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(residentAddress(rt, randn([100]).data)).toBe(-1);
    expect(residentAddress(rt, zeros([BIG], { dtype: 'int32' }).data)).toBe(-1);
    expect(residentAddress(rt, zeros([BIG], { dtype: 'bool' }).data)).toBe(-1);
    expect(residentAddress(rt, zeros([BIG], { dtype: 'float64' }).data)).toBeGreaterThan(0);
    big.dispose();
  });

  it('dispose frees the block; the next tensor of that size reuses it, zeroed', () => {
    const rt = runtime(flavour);
    const before = memoryInfo().residentBytes;
    const t = ones([BIG]);
    const at = residentAddress(rt, t.data);
    expect(memoryInfo().residentBytes).toBe(before + BIG * 4);
    t.dispose();
    expect(memoryInfo().residentBytes).toBe(before);
    const u = zeros([BIG]);
    expect(residentAddress(rt, u.data)).toBe(at);
    expect(u.data.every((v) => v === 0)).toBe(true);
    const v = randn([BIG + 5]); // zeroed too when the allocator hands out a used block
    v.dispose();
    const w = zeros([BIG + 5]);
    expect(w.data.every((x) => x === 0)).toBe(true);
    u.dispose();
    w.dispose();
  });

  it('frees shared storage only when its last tensor is disposed', () => {
    const rt = runtime(flavour);
    const a = randn([256, 256], { generator: 3 });
    const copy = Float32Array.from(a.data);
    const at = residentAddress(rt, a.data);
    const view = tidy(() => {
      a.reshape([BIG]);
      a.detach();
      return a.view([BIG]);
    });
    a.dispose();
    const other = zeros([BIG]); // must not land on a's block: `view` still reads it
    expect(residentAddress(rt, other.data)).not.toBe(at);
    expect(Array.from(view.data)).toEqual(Array.from(copy));
    view.dispose();
    expect(residentAddress(rt, zeros([BIG]).data)).toBe(at);
  });

  it('past the limit tensors get ordinary arrays; 0 turns residence off', () => {
    const rt = runtime(flavour);
    setResidentLimit(memoryInfo().residentBytes + BIG * 4);
    const a = zeros([BIG]);
    const b = zeros([BIG]);
    expect(residentAddress(rt, a.data)).toBeGreaterThan(0);
    expect(residentAddress(rt, b.data)).toBe(-1);
    expect(b.data.buffer).toBeInstanceOf(ArrayBuffer);
    setResidentLimit(0);
    expect(residentAddress(rt, zeros([BIG]).data)).toBe(-1);
    expect(memoryInfo().residentLimit).toBe(0);
    expect(() => setResidentLimit(-1)).toThrow(/setResidentLimit: expected bytes >= 0, got -1/);
    a.dispose();
  });

  it('a tensor the garbage collector reclaims gives its block back', async () => {
    runtime(flavour);
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const before = memoryInfo().residentBytes;
    (() => {
      for (let i = 0; i < 8; i++) randn([BIG], { generator: i });
    })();
    expect(memoryInfo().residentBytes).toBe(before + 8 * BIG * 4);
    for (let i = 0; i < 20 && memoryInfo().residentBytes > before; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10)); // finalisers run between tasks
    }
    // earlier tests' undisposed tensors may go too
    expect(memoryInfo().residentBytes).toBeLessThanOrEqual(before);
  });

  it('fill on resident storage (full, ones, init) writes exactly the range asked for', () => {
    runtime(flavour);
    for (const dtype of ['float32', 'float64'] as const) {
      const t = full([BIG + 3], 2.5, { dtype });
      expect(t.data.every((v) => v === 2.5)).toBe(true);
      const o = t.onesLike();
      expect(o.data[0] + o.data[BIG + 2]).toBe(2);
      t.dispose();
      o.dispose();
    }
  });

  // each kernel on resident operands against the same kernel on copied-in operands
  it.each([1, 2])('kernels give the same bits as on ordinary arrays (%i threads)', (threads) => {
    runtime(flavour);
    setNumThreads(threads);
    const run = (): number[][] =>
      tidy(() => {
        const a = randn([200, 300], { generator: 5 });
        const b = randn([300, 170], { generator: 6 });
        const x = randn([4, 8, 20, 20], { generator: 7 });
        const w = randn([16, 8, 3, 3], { generator: 8 });
        const bias = randn([16], { generator: 9 });
        const q = randn([2, 4, 64, 32], { generator: 10 });
        const r = randn([300, 257], { generator: 11, dtype: 'float64' });
        const outs: Tensor[] = [
          a.matmul(b),
          b.transpose(0, 1).matmul(a.transpose(0, 1)), // strided operands read in place
          a.matmul(b).add(1),
          F.softmax(a, -1),
          F.logSoftmax(r, -1),
          F.layerNorm(a, 300, { weight: ones([300]), bias: zeros([300]) }),
          F.conv2d(x, w, { bias, padding: 1 }),
          F.scaledDotProductAttention(q, q, q, { isCausal: true }).output,
          F.scaledDotProductAttention(q, q, q).weights,
        ];
        return outs.map((t) => Array.from(t.data));
      });
    const resident = run();
    setResidentLimit(0);
    expect(run()).toEqual(resident);
  });

  // outputs a kernel writes in full skip the zeroing of a recycled block: stale values in the
  // block (NaN here) must never show through
  it('ops whose output skips zeroing overwrite every element of a recycled block', () => {
    runtime(flavour);
    const [r, c] = [256, 96]; // 96 KiB: resident
    const a = randn([r, c], { generator: 20 });
    const b = randn([r, c], { generator: 21 });
    const sq = randn([c, c], { generator: 22 });
    const bias = randn([c], { generator: 23 });
    const ops: [string, () => Tensor][] = [
      ['add', () => a.add(b)],
      ['add bias', () => a.add(bias)],
      ['neg', () => a.neg()],
      ['relu', () => a.relu()],
      ['matmul', () => a.matmul(sq)],
      ['softmax', () => F.softmax(a, -1)],
      ['layerNorm', () => F.layerNorm(a, c)],
    ];
    for (const [name, op] of ops) {
      setBackend('js');
      const want = Array.from(op().data);
      setBackend(flavour);
      for (let round = 0; round < 3; round++) {
        full([r, c], Number.NaN).dispose(); // the block the op's output takes next
        const got = tidy(() => Array.from(op().data));
        const worst = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i])), 0);
        expect(worst, name).toBeLessThan(1e-4);
      }
    }
  });

  it('k-means gives its centred copy of X back when the fit ends', () => {
    runtime(flavour);
    const X = randn([5000, 8], { generator: 30 }); // 156 KiB; its float64 copy is resident
    const before = memoryInfo().residentBytes;
    const r = kmeans(X, 4, { seed: 1, nInit: 2 });
    expect(r.labels.size).toBe(5000);
    expect(memoryInfo().residentBytes).toBe(before);
  });

  it('conv2d and matmul backward through resident gradients', () => {
    runtime(flavour);
    const grads = () =>
      tidy(() => {
        const x = randn([4, 8, 16, 16], { generator: 12, requiresGrad: true });
        const w = randn([8, 8, 3, 3], { generator: 13, requiresGrad: true });
        const m = randn([256, 128], { generator: 14, requiresGrad: true });
        F.conv2d(x, w, { padding: 1 }).sum().backward();
        m.matmul(m.transpose(0, 1)).sum().backward();
        return [x.grad!, w.grad!, m.grad!].map((g) => Array.from(g.data));
      });
    const resident = grads();
    setResidentLimit(0);
    expect(grads()).toEqual(resident);
  });

  it('a resident tensor works on another backend (another memory) and on js', () => {
    runtime(flavour);
    const a = randn([256, 256], { generator: 15 });
    const want = Array.from(tidy(() => F.softmax(a, -1)).data);
    for (const other of [...FLAVOURS, 'js' as const]) {
      setBackend(other);
      const got = Array.from(F.softmax(a, -1).data);
      expect(got.map((v, i) => Math.abs(v - want[i])).reduce((m, d) => Math.max(m, d), 0)).toBeLessThan(1e-6);
    }
    a.dispose();
  });
});
