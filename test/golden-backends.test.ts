// The golden fixtures pass on every backend, forced in turn, on one thread and on two: the
// WebAssembly kernels (with and without relaxed SIMD) and the TypeScript ones must all give
// PyTorch's and scikit-learn's answers within the fixtures' tolerances.

import { afterAll, describe, expect, test } from 'vitest';
import { formatResult, runGolden } from '../scripts/golden/runner.js';
import { type BackendName, getNumThreads, setBackend, setNumThreads } from '../src/index.js';

const BACKENDS: BackendName[] = ['js', 'wasm-simd', 'wasm-relaxed-simd'];
const defaultThreads = getNumThreads();

afterAll(() => {
  setBackend('auto');
  setNumThreads(defaultThreads);
});

describe.each(BACKENDS)('golden fixtures on backend %s', (name) => {
  test.each([1, 2])('%i thread(s): every case passes', async (n) => {
    setBackend(name);
    setNumThreads(n);
    const report = await runGolden({ implementedOnly: true });
    const failures = report.results.filter((r) => r.status === 'failed').flatMap(formatResult);
    expect(failures).toEqual([]);
    expect(report.passed).toBeGreaterThan(100);
  });
});
