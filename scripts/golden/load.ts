// Finding the golden runner's inputs: the fixture files (golden/README.md) and the adapters
// (scripts/golden/adapters/*.ts, one per op, found by listing the folder). Both are cached:
// fixtures until their file changes, adapters once per folder.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ArgumentError, DataError } from '../../src/index.js';
import type { GoldenFile, OpAdapter } from './types.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The in-repo fixtures (resolved from this file, not the cwd). */
export const DEFAULT_DIR = path.resolve(HERE, '../../golden');
/** Where the adapters live (one file per op). */
export const ADAPTERS_DIR = path.resolve(HERE, 'adapters');

/** One parsed fixture file. */
export interface Fixture {
  /** File name, e.g. `linear.json`. */
  file: string;
  data: GoldenFile;
}

const fixtureCache = new Map<string, { mtimeMs: number; fixture: Fixture }>();

/** Every `*.json` fixture in `dir`, sorted by name; parsed files are cached until they change. */
export function loadFixtures(dir: string): Fixture[] {
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return names.map((file) => {
    const full = path.join(dir, file);
    const { mtimeMs } = statSync(full);
    const hit = fixtureCache.get(full);
    if (hit && hit.mtimeMs === mtimeMs) return hit.fixture;
    const data = JSON.parse(readFileSync(full, 'utf8')) as GoldenFile;
    if (typeof data.op !== 'string' || !Array.isArray(data.cases)) {
      throw new DataError(`loadFixtures: ${full} is not a fixture (expected {op, description, cases})`);
    }
    const fixture = { file, data };
    fixtureCache.set(full, { mtimeMs, fixture });
    return fixture;
  });
}

/** The adapters found in a folder, and the files that failed to import. */
export interface LoadedAdapters {
  adapters: Map<string, OpAdapter>;
  /** op (guessed from the file name) -> import error, for adapter files that failed to load. */
  errors: Map<string, string>;
}

const adapterCache = new Map<string, Promise<LoadedAdapters>>();

/** Imports every adapter file in `dir`; each default-exports an OpAdapter. */
export function loadAdapters(dir: string = ADAPTERS_DIR): Promise<LoadedAdapters> {
  let p = adapterCache.get(dir);
  if (!p) adapterCache.set(dir, (p = importAdapters(dir)));
  return p;
}

async function importAdapters(dir: string): Promise<LoadedAdapters> {
  const adapters = new Map<string, OpAdapter>();
  const errors = new Map<string, string>();
  const files = readdirSync(dir)
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  for (const f of files) {
    const guess = f.replace(/\.[^.]+$/, '').replace(/-/g, '_');
    try {
      const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { default?: Partial<OpAdapter> };
      const a = mod.default;
      if (!a || typeof a.op !== 'string' || typeof a.run !== 'function') {
        throw new ArgumentError(`${f} must default-export an OpAdapter {op, run}`);
      }
      if (adapters.has(a.op)) throw new ArgumentError(`${f}: a second adapter for op '${a.op}'`);
      adapters.set(a.op, a as OpAdapter);
    } catch (e) {
      errors.set(guess, `adapter ${f} failed to load: ${(e as Error).message}`);
    }
  }
  return { adapters, errors };
}
