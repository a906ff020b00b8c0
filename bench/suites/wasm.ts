// The WebAssembly backend against the TypeScript kernels and tfjs, float32 unless noted (issue 7):
//   matmul N x N @ N x N, N = 256, 512, 1024     2 N^3 flops; public a.matmul(b), fresh output
//   gemm 1024 into a reused output (kernel)      the same without allocating the 4 MiB result
//   softmax(-1) of [4096, 1024]                   reads and writes 4 bytes per element; public
//                                                 op, then the kernel into a reused output
//   k-means assignment n=100000 d=16 k=16 f64     lloydAssign with centre sums, 2 n k d flops
// Fresh outputs matter: first-touching new pages costs ~11 us per 4 KiB page in this sandbox
// (~46 ms for a 16 MiB result), so the kernel rows show what the arithmetic itself costs.
// Each shousi row names its backend (`shousi-js`, `shousi-wasm-simd`, `shousi-wasm-relaxed-simd`)
// and its threads; the relaxed-SIMD rows appear where that backend can be switched on. Operands
// are made again under each backend, so that they are resident in its wasm memory (each backend
// has its own), as a user's tensors would be.

import { randn, softmax, zeros } from '../../src/index.js';
import {
  type BackendName,
  backend,
  getNumThreads,
  setBackend,
  setNumThreads,
} from '../../src/kernels/backend.js';
import { lloydAssign, lloydScratch } from '../../src/kernels/kmeans.js';
import { gemm } from '../../src/kernels/matmul.js';
import { softmaxAxis } from '../../src/kernels/reduce.js';
import { Generator } from '../../src/random.js';
import { makeRecord } from '../measure.js';
import { benchTf, benchTfMatmul } from '../peers.js';
import type { BenchContext, BenchRecord, BenchSuite } from '../types.js';

interface Config {
  name: BackendName;
  threads: number;
}

function available(name: BackendName): boolean {
  try {
    setBackend(name);
    return true;
  } catch {
    return false;
  }
}

/** Measures the function `setup()` returns under each configuration (backend, threads), one record each. */
async function across(
  ctx: BenchContext,
  configs: Config[],
  workload: string,
  setup: () => () => unknown,
  work: { flops?: number; bytes?: number },
): Promise<BenchRecord[]> {
  const out: BenchRecord[] = [];
  for (const { name, threads } of configs) {
    setBackend(name);
    setNumThreads(threads);
    const fn = setup(); // after setBackend: its operands live in this backend's memory
    out.push(makeRecord(workload, `shousi-${backend()}`, threads, await ctx.measure(fn), work));
  }
  return out;
}

const suite: BenchSuite = {
  name: 'wasm',
  async run(ctx) {
    const cores = getNumThreads();
    const records: BenchRecord[] = [];
    const wasm: Config[] = [{ name: 'wasm-simd', threads: 1 }];
    if (cores > 1) wasm.push({ name: 'wasm-simd', threads: cores });
    if (!ctx.quick && available('wasm-relaxed-simd'))
      wasm.push({ name: 'wasm-relaxed-simd', threads: cores });
    const all: Config[] = [{ name: 'js', threads: 1 }, ...wasm];

    try {
      for (const n of [256, 512, 1024]) {
        const workload = `matmul ${n}`;
        const work = { flops: 2 * n ** 3 };
        const setup = () => {
          const a = randn([n, n], { generator: 1 });
          const b = randn([n, n], { generator: 2 });
          return () => a.matmul(b);
        };
        records.push(...(await across(ctx, n === 1024 && ctx.quick ? wasm : all, workload, setup, work)));
        records.push(...(await benchTfMatmul(ctx, workload, n, work)));
      }

      const n = 1024;
      const kernel = () => {
        const view = { data: randn([n, n], { generator: 1 }).data, off: 0, rs: n, cs: 1 };
        const c = zeros([n, n]).data;
        return () => gemm(n, n, n, view, view, c, 0, false);
      };
      records.push(
        ...(await across(ctx, wasm, 'gemm 1024 (kernel, reused output)', kernel, { flops: 2 * n ** 3 })),
      );

      const smWork = { bytes: 8 * 4096 * 1024 };
      const smOp = () => {
        const x = randn([4096, 1024], { generator: 3 });
        return () => softmax(x, -1);
      };
      records.push(...(await across(ctx, all, 'softmax(-1) 4096x1024', smOp, smWork)));
      const smKernel = () => {
        const [x, sm] = [randn([4096, 1024], { generator: 3 }).data, zeros([4096, 1024]).data];
        return () => softmaxAxis(x, 4096, 1024, 1, sm, false);
      };
      records.push(
        ...(await across(ctx, all, 'softmax 4096x1024 (kernel, reused output)', smKernel, smWork)),
      );
      records.push(
        ...(await benchTf(
          ctx,
          'softmax(-1) 4096x1024',
          (tf) => {
            const tx = tf.randomNormal([4096, 1024], 0, 1, 'float32', 3);
            return () => tf.softmax(tx);
          },
          smWork,
        )),
      );

      const [pn, d, k] = [100_000, 16, 16];
      const g = new Generator(4);
      const px = new Float64Array(pn * d).map(() => g.normal());
      const centres = px.slice(0, k * d);
      const labels = new Int32Array(pn);
      const scratch = lloydScratch(k, d);
      const assign = () => {
        const acc = { sums: new Float64Array(k * d), weights: new Float64Array(k) };
        return lloydAssign(px, pn, d, centres, k, null, labels, null, acc, scratch);
      };
      const kmWork = { flops: 2 * pn * k * d };
      records.push(
        ...(await across(ctx, all, `k-means assign n=${pn} d=${d} k=${k} f64`, () => assign, kmWork)),
      );
    } finally {
      setBackend('auto');
      setNumThreads(cores);
    }
    return records;
  },
};

export default suite;
