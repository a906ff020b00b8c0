// initBackend({ wasmBase }): where the .wasm files are fetched from, for bundles that move the
// package's wasm/ folder. A file of its own: vitest gives each file fresh modules, so nothing
// is compiled yet when the first test points the loader at an empty folder.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ArgumentError, backend, initBackend, matmul, randn } from '../src/index.js';

const wasmDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'wasm');
const empty = mkdtempSync(path.join(os.tmpdir(), 'shousi-wasm-base-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('initBackend({ wasmBase })', () => {
  it('loads from the folder it names: an empty one leaves the TypeScript kernels', async () => {
    await expect(initBackend({ wasmBase: pathToFileURL(empty) })).resolves.toBe('js');
    expect(backend()).toBe('js');
    const a = randn([30, 20], { generator: 1 });
    expect(matmul(a, a.mT).shape).toEqual([30, 30]); // ops still run, in TypeScript
  });

  it('switches to wasm once pointed at the folder that has the binaries (string, no slash)', async () => {
    const name = await initBackend({ wasmBase: pathToFileURL(wasmDir).href.replace(/\/$/, '') });
    expect(name).toMatch(/^wasm-(relaxed-)?simd$/);
    expect(backend()).toBe(name);
  });

  it('rejects what is not a URL', async () => {
    await expect(initBackend({ wasmBase: 42 as never })).rejects.toThrow(ArgumentError);
    await expect(initBackend({ wasmBase: 42 as never })).rejects.toThrow(
      /initBackend: wasmBase must be a string or a URL, got number/,
    );
    // Node has no page to resolve a relative path against
    await expect(initBackend({ wasmBase: 'assets/wasm/' })).rejects.toThrow(
      /initBackend: wasmBase 'assets\/wasm\/' is not a URL/,
    );
  });
});
