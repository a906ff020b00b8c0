// The worker pool: threads start, share the work, and never keep the process alive. The exit
// test runs a script in a fresh `node` (through tsx, on the TypeScript sources) that multiplies
// on 2 threads and then simply ends: it must exit by itself, with code 0, well within the timeout.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = (p: string) => new URL(`../src/${p}`, import.meta.url).href;

const SCRIPT = `
const { gemm, gemmJs } = await import('${src('kernels/matmul.ts')}');
const { backend, setNumThreads } = await import('${src('kernels/backend.ts')}');
const { poolSize } = await import('${src('kernels/pool.ts')}');
setNumThreads(2);
const n = 160;
const a = new Float64Array(n * n).map((_, i) => Math.sin(i));
const v = { data: a, off: 0, rs: n, cs: 1 };
const c = new Float64Array(n * n);
const ref = new Float64Array(n * n);
gemm(n, n, n, v, v, c, 0, false);
gemmJs(n, n, n, v, v, ref, 0, false);
const same = c.every((x, i) => Math.abs(x - ref[i]) <= 1e-12 * (1 + Math.abs(ref[i])));
console.log(JSON.stringify({ backend: backend(), workers: poolSize(), same }));
`;

describe('worker pool', () => {
  it('a script that computes on 2 threads exits by itself', () => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    });
    const seconds = (performance.now() - t0) / 1000;
    expect(r.error, String(r.error)).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out).toEqual({ backend: expect.stringMatching(/^wasm-/), workers: 1, same: true });
    expect(seconds).toBeLessThan(30);
  });
});
