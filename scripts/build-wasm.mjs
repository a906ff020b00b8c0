// Compiles the AssemblyScript kernels in assembly/ into wasm/ at the package root, one binary
// per (SIMD flavour x memory kind):
//
//   wasm/shousi-simd.wasm                     baseline 128-bit SIMD, shared memory (threads)
//   wasm/shousi-relaxed-simd.wasm             + relaxed SIMD (f32x4.relaxed_madd = FMA)
//   wasm/shousi-simd-unshared.wasm            baseline SIMD, plain memory (browsers without
//   wasm/shousi-relaxed-simd-unshared.wasm      cross-origin isolation cannot share memory)
//
// A module that imports a shared memory accepts only a shared one and vice versa, hence the
// two memory kinds. src/kernels/wasm/loader.ts picks one at run time. Plain .mjs so that the
// package's `prepare` (npm install / npm ci) can run it before anything is compiled.
// Skips the compile when every output is newer than every source (`--force` to rebuild).

import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'assembly');
const outDir = join(root, 'wasm');
const entry = join(srcDir, 'index.ts');

// Must match MAX_PAGES in src/kernels/wasm/loader.ts: an imported memory's maximum has to be
// within the module's declared one. 32768 pages = 2 GiB keeps every byte address a positive i32.
const MAX_PAGES = 32768;

const VARIANTS = [
  { name: 'simd', features: ['simd'] },
  { name: 'relaxed-simd', features: ['simd', 'relaxed-simd'] },
];

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

const targets = VARIANTS.flatMap((v) => [
  { file: `shousi-${v.name}.wasm`, features: [...v.features, 'threads'], shared: true },
  { file: `shousi-${v.name}-unshared.wasm`, features: v.features, shared: false },
]);

const sources = [fileURLToPath(import.meta.url), ...readdirSync(srcDir).map((f) => join(srcDir, f))];
const newestSource = Math.max(...sources.map(mtime));
const stale = targets.filter((t) => mtime(join(outDir, t.file)) < newestSource);
const todo = process.argv.includes('--force') ? targets : stale;
if (todo.length === 0) {
  console.log('build-wasm: up to date');
  process.exit(0);
}

mkdirSync(outDir, { recursive: true });
for (const t of todo) {
  const args = [
    entry,
    '--outFile',
    join(outDir, t.file),
    '-O3',
    '--noAssert',
    '--runtime',
    'stub',
    '--use',
    'abort=', // no abort import: the kernels never trap on purpose
    '--importMemory',
    '--initialMemory',
    '1',
    '--maximumMemory',
    String(MAX_PAGES),
    '--enable',
    t.features.join(','),
  ];
  if (t.shared) args.push('--sharedMemory');
  const { error, stderr } = await asc.main(args);
  if (error) {
    console.error(stderr.toString());
    console.error(`build-wasm: ${t.file} failed: ${error.message}`);
    process.exit(1);
  }
  console.log(`build-wasm: wasm/${t.file} (${statSync(join(outDir, t.file)).size} bytes)`);
}
