// Backend selection and thread settings (src/kernels/backend.ts), through the public API.

import { afterEach, describe, expect, it } from 'vitest';
import {
  ArgumentError,
  backend,
  getNumThreads,
  initBackend,
  matmul,
  randn,
  setBackend,
  setNumThreads,
} from '../src/index.js';

const defaultThreads = getNumThreads();
afterEach(() => {
  delete process.env.SHOUSI_BACKEND;
  setBackend('auto');
  setNumThreads(defaultThreads);
});

describe('backend', () => {
  it('picks a wasm backend by default and can be forced to each one in turn', () => {
    expect(backend()).toMatch(/^wasm-(relaxed-)?simd$/);
    const a = randn([40, 50], { generator: 1 });
    const b = randn([50, 30], { generator: 2 });
    const results = (['js', 'wasm-simd', 'wasm-relaxed-simd'] as const).map((name) => {
      setBackend(name);
      expect(backend()).toBe(name);
      return matmul(a, b).data;
    });
    for (const r of results.slice(1)) {
      for (let i = 0; i < r.length; i++) expect(r[i]).toBeCloseTo(results[0][i], 4);
    }
  });

  it('honours SHOUSI_BACKEND when choosing automatically', () => {
    process.env.SHOUSI_BACKEND = 'js';
    setBackend('auto');
    expect(backend()).toBe('js');
  });

  it('initBackend resolves to the backend in use', async () => {
    await expect(initBackend()).resolves.toBe(backend());
  });

  it('rejects unknown backends and bad thread counts', () => {
    expect(() => setBackend('cuda' as never)).toThrow(ArgumentError);
    expect(() => setBackend('cuda' as never)).toThrow(/setBackend: unknown backend 'cuda'/);
    for (const n of [0, -1, 1.5, Number.NaN, 1000]) {
      expect(() => setNumThreads(n)).toThrow(/setNumThreads: n must be an integer in \[1, 256\], got/);
    }
  });

  it('defaults to every core and keeps what setNumThreads sets', () => {
    expect(defaultThreads).toBeGreaterThanOrEqual(1);
    setNumThreads(3);
    expect(getNumThreads()).toBe(3);
  });
});
