// Loads the compiled kernels (wasm/shousi-*.wasm at the package root, built from assembly/ by
// scripts/build-wasm.mjs) and instantiates them over one linear memory.
//
// Synchronous in Node: the bytes are read with fs.readFileSync and compiled with
// `new WebAssembly.Module`, so the synchronous op API can use them from the first call, and
// nothing happens at import time (the first kernel call or `backend()` loads them). Browsers
// (and Node < 20.16, which lacks process.getBuiltinModule) need `await initBackend()` first; until it
// resolves the kernels run in TypeScript.
//
// The path `../../../wasm/` is the same from src/kernels/wasm/ (tsx, vitest) and from
// dist/kernels/wasm/ (after tsc), because both trees sit at the package root.

/** The two WebAssembly flavours, fastest first. */
export type WasmVariant = 'wasm-relaxed-simd' | 'wasm-simd';

type Kernel = (...args: number[]) => void;

/** What every wasm/shousi-*.wasm exports (see assembly/index.ts); pointers are byte addresses. */
export interface WasmExports {
  gemmScratchBytes(): number;
  gemmF32: Kernel;
  gemmF64: Kernel;
  softmaxRowsF32: Kernel;
  softmaxRowsF64: Kernel;
  layerNormRowsF32: Kernel;
  layerNormRowsF64: Kernel;
  kmeansAssignF64: Kernel;
  attentionScratchBytes(Lk: number, D: number, elementBytes: number): number;
  attentionF32: Kernel;
  attentionF64: Kernel;
  conv2dForwardF32: Kernel;
  conv2dForwardF64: Kernel;
  conv2dIndirectF32: Kernel;
  conv2dIndirectScratchBytes(
    C: number,
    H: number,
    W: number,
    O: number,
    G: number,
    kk: number,
    P: number,
  ): number;
  binaryF32: Kernel;
  binaryF64: Kernel;
  sumRowsF32: Kernel;
  sumRowsF64: Kernel;
  zeroBytes(p: number, n: number): void;
  fillF32(p: number, n: number, v: number): void;
  fillF64(p: number, n: number, v: number): void;
}

/** One instantiated backend: the module (workers instantiate it again) over its memory. */
export interface WasmRuntime {
  readonly variant: WasmVariant;
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** Shared memory (worker threads can join) or plain (browsers without cross-origin isolation). */
  readonly shared: boolean;
  readonly exports: WasmExports;
}

/** Must match MAX_PAGES in scripts/build-wasm.mjs: 2 GiB keeps byte addresses positive i32. */
export const MAX_PAGES = 32768;
/** Page 0 stays unused, so address 0 is never an operand. */
export const HEAP_BASE = 65536;

const FILES: Record<WasmVariant, string> = {
  'wasm-relaxed-simd': 'shousi-relaxed-simd',
  'wasm-simd': 'shousi-simd',
};

// Compiled modules by file name, filled synchronously (Node) or by initBackend() (browsers).
const compiled = new Map<string, WebAssembly.Module>();
const runtimes = new Map<WasmVariant, WasmRuntime>();

interface NodeProcess {
  getBuiltinModule?: (id: string) => unknown;
  versions?: { node?: string };
}
const nodeProcess = (globalThis as { process?: NodeProcess }).process;

/** A Node builtin without a static import (which would tie the kernels to Node). */
export function nodeBuiltin<T>(id: string): T | null {
  const get = nodeProcess?.getBuiltinModule;
  return get ? ((get(id) as T | undefined) ?? null) : null;
}

let shareable: boolean | null = null;

/** Whether this runtime can create a shared WebAssembly.Memory (needed by worker threads). */
export function canShareMemory(): boolean {
  if (shareable === null) {
    try {
      shareable =
        typeof SharedArrayBuffer !== 'undefined' &&
        !!new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    } catch {
      shareable = false;
    }
  }
  return shareable;
}

function fileName(variant: WasmVariant, shared: boolean): string {
  return `${FILES[variant]}${shared ? '' : '-unshared'}.wasm`;
}

// Where the binaries are: the package's wasm/ folder, unless initBackend({ wasmBase }) named
// another (a bundle that copies wasm/ somewhere else).
let wasmBase: URL | null = null;

/** Fetches the binaries from `base` (a folder URL) from now on. */
export function setWasmBase(base: URL): void {
  wasmBase = base;
}

function fileUrl(name: string): URL {
  return wasmBase ? new URL(name, wasmBase) : new URL(`../../../wasm/${name}`, import.meta.url);
}

// Node 20 has relaxed SIMD behind a flag. V8 accepts the flag at run time, before compiling
// (it is refused in NODE_OPTIONS). We only flip it when the user asks for relaxed SIMD by
// name: a library should not change engine flags on its own, and measured here relaxed SIMD
// is no faster (mul and add issue on separate pipes, so mul+add already matches the FMA rate).
function enableRelaxedSimdFlag(): void {
  nodeBuiltin<{ setFlagsFromString(f: string): void }>('node:v8')?.setFlagsFromString(
    '--experimental-wasm-relaxed-simd',
  );
}

function compileSync(name: string, allowFlag: boolean): WebAssembly.Module | null {
  const cached = compiled.get(name);
  if (cached) return cached;
  const fs = nodeBuiltin<{ readFileSync(p: URL): Uint8Array<ArrayBuffer> }>('node:fs');
  if (!fs) return null;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fs.readFileSync(fileUrl(name));
  } catch {
    return null; // not built (e.g. a checkout without `npm run build:wasm`): TypeScript kernels
  }
  if (!WebAssembly.validate(bytes)) {
    if (!allowFlag || !name.includes('relaxed')) return null;
    enableRelaxedSimdFlag();
    if (!WebAssembly.validate(bytes)) return null;
  }
  const mod = new WebAssembly.Module(bytes);
  compiled.set(name, mod);
  return mod;
}

/**
 * The runtime of a variant, instantiated on first use; null when its binary is missing or the
 * engine rejects it. `allowFlag` lets Node 20 switch on relaxed SIMD (see above).
 */
export function loadRuntime(variant: WasmVariant, allowFlag: boolean): WasmRuntime | null {
  const have = runtimes.get(variant);
  if (have) return have;
  const shared = canShareMemory();
  const mod = compileSync(fileName(variant, shared), allowFlag);
  if (!mod) return null;
  const memory = new WebAssembly.Memory({ initial: 2, maximum: MAX_PAGES, shared });
  const instance = new WebAssembly.Instance(mod, { env: { memory } });
  const rt: WasmRuntime = {
    variant,
    module: mod,
    memory,
    shared,
    exports: instance.exports as unknown as WasmExports,
  };
  runtimes.set(variant, rt);
  return rt;
}

/**
 * Fetches and compiles the binaries asynchronously (browsers; Node < 20.16). Afterwards
 * loadRuntime works synchronously. Variants the engine rejects are skipped.
 */
export async function compileAll(): Promise<void> {
  const shared = canShareMemory();
  for (const variant of Object.keys(FILES) as WasmVariant[]) {
    const name = fileName(variant, shared);
    if (compiled.has(name)) continue;
    try {
      const url = fileUrl(name);
      let bytes: Uint8Array<ArrayBuffer>;
      if (url.protocol === 'file:') {
        const fsp = (await import('node:fs/promises')) as {
          readFile(p: URL): Promise<Uint8Array<ArrayBuffer>>;
        };
        bytes = await fsp.readFile(url);
      } else {
        bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
      }
      if (WebAssembly.validate(bytes)) compiled.set(name, await WebAssembly.compile(bytes));
    } catch {
      // missing or unreachable binary: that variant stays unavailable
    }
  }
}
