// tidy() scopes, dispose() and the buffer pool (src/tensor/memory.ts): what is disposed, what
// survives, that recycled buffers come back zeroed, that shared storage is recycled only when
// its last tensor goes, and that training inside tidy() gives bit-identical results.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DisposedError,
  dispose,
  emptyMemoryPool,
  KMeans,
  keep,
  LinearRegression,
  MiniBatchKMeans,
  memoryInfo,
  nn,
  ones,
  optim,
  randn,
  setMemoryPoolLimit,
  setResidentLimit,
  Tensor,
  tidy,
  zeros,
} from '../src/index.js';

const BIG = 256 * 256; // 256 KiB of float32: above the pool's threshold
const DEFAULT_LIMIT = 512 * 1024 * 1024;
const DEFAULT_RESIDENT_LIMIT = 256 * 1024 * 1024;

afterEach(() => {
  setMemoryPoolLimit(DEFAULT_LIMIT);
  emptyMemoryPool();
});

describe('tidy', () => {
  it('disposes what the function created and keeps what it returns', () => {
    const a = randn([256, 256], { generator: 1 });
    let inner: Tensor | null = null;
    const out = tidy(() => {
      inner = a.mul(2);
      return inner.add(1);
    });
    expect(inner!.isDisposed).toBe(true);
    expect(out.isDisposed).toBe(false);
    expect(a.isDisposed).toBe(false);
    expect(out.data[0]).toBeCloseTo(a.data[0] * 2 + 1, 5);
  });

  it('reading a disposed tensor throws a DisposedError that says what to do', () => {
    const t = tidy(() => {
      ones([3]).add(1); // disposed
      return null;
    });
    expect(t).toBe(null);
    const d = ones([2, 3]);
    d.dispose();
    expect(() => d.data).toThrow(DisposedError);
    expect(() => d.sum()).toThrow(/Tensor \[2,3\] float32 was disposed .* keep\(\)/);
    expect(d.size).toBe(6); // shape-only queries still work
    expect(String(d)).toContain('<disposed>');
    d.dispose(); // twice is a no-op
  });

  it('keeps tensors inside arrays and plain objects it returns', () => {
    const { x, ys } = tidy(() => ({ x: ones([2]), ys: [zeros([3]), ones([1])] }));
    expect(x.isDisposed || ys[0].isDisposed || ys[1].isDisposed).toBe(false);
  });

  it('keep() survives the scope; nested scopes hand returned tensors to the outer one', () => {
    let kept: Tensor | null = null;
    let fromInner: Tensor | null = null;
    const outer = tidy(() => {
      kept = keep(ones([4]));
      fromInner = tidy(() => ones([5]).mul(3));
      expect(fromInner.isDisposed).toBe(false);
      return fromInner.add(1);
    });
    expect(kept!.isDisposed).toBe(false);
    expect(fromInner!.isDisposed).toBe(true); // owned by the outer scope, which did not return it
    expect(Array.from(outer.data)).toEqual([4, 4, 4, 4, 4]);
  });

  it('disposes on a throw and rethrows; rejects an async function', () => {
    let made: Tensor | null = null;
    expect(() =>
      tidy(() => {
        made = ones([2]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(made!.isDisposed).toBe(true);
    expect(() => tidy(async () => ones([1]))).toThrow(/synchronous/);
    expect(memoryInfo().scopes).toBe(0);
  });
});

// The pool recycles ordinary arrays: large float tensors live in WebAssembly memory instead
// when a wasm backend runs (test/resident.test.ts), so these tests turn that off.
describe('buffer pool', () => {
  beforeEach(() => setResidentLimit(0));
  afterEach(() => setResidentLimit(DEFAULT_RESIDENT_LIMIT));

  it('reuses a disposed large buffer, zeroed', () => {
    emptyMemoryPool();
    const t = ones([BIG]);
    const buf = t.data.buffer;
    t.dispose();
    expect(memoryInfo().pooledBytes).toBe(BIG * 4);
    const before = memoryInfo().reuses;
    const u = zeros([BIG]);
    expect(u.data.buffer).toBe(buf);
    expect(memoryInfo().reuses).toBe(before + 1);
    expect(u.data.every((v) => v === 0)).toBe(true);
    const w = randn([BIG], { generator: 2 }).to('float64'); // other sizes do not take it
    expect(w.data.buffer).not.toBe(buf);
  });

  it('recycles shared storage only when its last tensor is disposed', () => {
    emptyMemoryPool();
    const a = randn([256, 256], { generator: 3 });
    const copy = Float32Array.from(a.data);
    const view = tidy(() => {
      a.reshape([BIG]); // a view over a's buffer, disposed here
      a.detach(); // also a view
      return a.view([BIG]);
    });
    expect(memoryInfo().pooledBytes).toBe(0);
    a.dispose();
    expect(memoryInfo().pooledBytes).toBe(0); // `view` still uses it
    expect(Array.from(view.data)).toEqual(Array.from(copy));
    view.dispose();
    expect(memoryInfo().pooledBytes).toBe(BIG * 4);
  });

  it('never recycles an array the user wrapped', () => {
    emptyMemoryPool();
    const mine = new Float32Array(BIG);
    new Tensor(mine, [BIG]).dispose();
    expect(memoryInfo().pooledBytes).toBe(0);
  });

  it('recycles where SharedArrayBuffer does not exist (a browser page that is not cross-origin isolated)', () => {
    emptyMemoryPool();
    const g = globalThis as { SharedArrayBuffer?: unknown };
    const saved = g.SharedArrayBuffer;
    delete g.SharedArrayBuffer; // referring to it there is a ReferenceError, not undefined
    try {
      ones([BIG]).dispose();
    } finally {
      g.SharedArrayBuffer = saved;
    }
    expect(memoryInfo().pooledBytes).toBe(BIG * 4);
  });

  it('honours the pool limit; dispose() takes containers', () => {
    setMemoryPoolLimit(0);
    dispose([ones([BIG]), { t: ones([BIG]) }]);
    expect(memoryInfo().pooledBytes).toBe(0);
    setMemoryPoolLimit(BIG * 4);
    dispose([ones([BIG]), ones([BIG])]);
    expect(memoryInfo().pooledBytes).toBe(BIG * 4);
    expect(() => setMemoryPoolLimit(-1)).toThrow(RangeError);
  });
});

describe('training inside tidy', () => {
  function run(useTidy: boolean): { params: number[][]; runningMean: number[]; losses: number[] } {
    const model = new nn.Sequential(
      new nn.Linear(8, 300, { generator: 5 }),
      new nn.BatchNorm1d(300),
      new nn.ReLU(),
      new nn.Linear(300, 1, { generator: 6 }),
    );
    const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
    const x = randn([256, 8], { generator: 7 });
    const y = randn([256, 1], { generator: 8 });
    const losses: number[] = [];
    const step = () => {
      opt.zeroGrad();
      const loss = model.forward(x).sub(y).square().mean();
      loss.backward();
      opt.step();
      return loss.item();
    };
    for (let i = 0; i < 5; i++) losses.push(useTidy ? tidy(step) : step());
    const bn = model.layers[1] as nn.BatchNorm1d;
    return {
      params: model.parameters().map((p) => Array.from(p.data)),
      runningMean: Array.from(bn.runningMean!.data),
      losses,
    };
  }

  it('gives bit-identical results and leaves parameters, grads and buffers alive', () => {
    const plain = run(false);
    const tidied = run(true);
    expect(tidied).toEqual(plain);
    expect(memoryInfo().reuses).toBeGreaterThan(0);
  });

  it('a model built inside tidy() keeps its parameters and buffers', () => {
    const model = tidy(() => new nn.BatchNorm1d(4));
    expect(model.weight!.isDisposed).toBe(false);
    expect(model.runningVar!.isDisposed).toBe(false);
    const p = tidy(() => randn([3], { generator: 1 }).requiresGrad_());
    tidy(() => p.mul(2).sum().backward());
    expect(Array.from(p.grad!.data)).toEqual([2, 2, 2]);
  });
});

describe('fitted models inside tidy', () => {
  it('keep their coefficients, centres and labels', () => {
    const X = randn([300, 4], { generator: 11, dtype: 'float64' });
    const y = X.sum(1);
    const lr = tidy(() => new LinearRegression().fit(X, y));
    expect(lr.coef!.isDisposed).toBe(false);
    const km = tidy(() => new KMeans(3, { seed: 0, nInit: 1 }).fit(X));
    expect(km.centers!.isDisposed).toBe(false);
    expect(km.labels!.isDisposed).toBe(false);
    expect(km.predict(X).size).toBe(300);
    const mb = tidy(() => new MiniBatchKMeans(3, { seed: 0, batchSize: 64 }).fit(X));
    expect(mb.centers!.isDisposed || mb.labels!.isDisposed).toBe(false);
  });
});
