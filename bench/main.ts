// `npm run bench -- [--only <suite...>] [--quick] [--json <file>]`
// Discovers bench/suites/*.ts (each default-exports a BenchSuite), runs them in name order and
// prints one markdown table per suite (bench/table.ts: ratio columns against each peer, computed
// within this run).
// Each suite runs in a child process of its own: a suite leaves behind a large heap (tfjs's
// tensors and wasm memory, shousi's pool) whose garbage collection runs on a helper thread and
// takes the second core from the next suite's worker; measured here, the suites that ran last in
// one shared process came out up to 1.5x slower than when run alone.
// --json writes every record, atomically (a temp file renamed over the target).

import { fork } from 'node:child_process';
import { readdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { makeContext } from './measure.js';
import { ensurePeers } from './peers.js';
import { formatTable } from './table.js';
import type { BenchRecord, BenchSuite } from './types.js';

const SUITES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'suites');
async function loadSuites(only: string[] | undefined): Promise<BenchSuite[]> {
  const files = readdirSync(SUITES_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
  const suites: BenchSuite[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(path.join(SUITES_DIR, f)).href)) as { default?: BenchSuite };
    const s = mod.default;
    if (!s || typeof s.name !== 'string' || typeof s.run !== 'function') {
      throw new Error(`bench: ${f} must default-export a BenchSuite {name, run}`);
    }
    if (!only || only.includes(s.name) || only.includes(f.replace(/\.ts$/, ''))) suites.push(s);
  }
  if (only) {
    const missing = only.filter((n) => !suites.some((s) => s.name === n));
    if (missing.length > 0) throw new Error(`bench: no suite named ${missing.join(', ')}`);
  }
  return suites;
}

/** Writes `data` as JSON to `file` through a temp file in the same folder, then renames it. */
function writeJsonAtomic(file: string, data: unknown): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
  renameSync(tmp, file);
}

const CHILD_FLAG = '--suite-child';

// Child mode: runs the one suite named after CHILD_FLAG and sends its records to the parent.
async function runChild(name: string, quick: boolean): Promise<void> {
  const [suite] = await loadSuites([name]);
  const records = await suite.run(makeContext({ quick }));
  await new Promise<void>((resolve, reject) =>
    process.send?.(records, undefined, {}, (e) => (e ? reject(e) : resolve())),
  );
}

// Runs one suite in a fresh process (same Node flags: tsx's loader comes along in execArgv).
function runIsolated(name: string, quick: boolean): Promise<BenchRecord[]> {
  return new Promise((resolve, reject) => {
    const args = [CHILD_FLAG, name, ...(quick ? ['--quick'] : [])];
    const execArgv = [...process.execArgv, '--expose-gc']; // measure() collects before timing
    const child = fork(fileURLToPath(import.meta.url), args, { stdio: 'inherit', execArgv });
    let records: BenchRecord[] | null = null;
    child.on('message', (m) => {
      records = m as BenchRecord[];
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (records) resolve(records);
      else reject(new Error(`suite ${name} exited with ${signal ?? `code ${code}`} before reporting`));
    });
  });
}

async function main(): Promise<number> {
  const childAt = process.argv.indexOf(CHILD_FLAG);
  if (childAt >= 0) {
    await runChild(process.argv[childAt + 1], process.argv.includes('--quick'));
    return 0;
  }
  const opts = new Command('bench')
    .description('Benchmarks shousi against tfjs-cpu, tfjs-wasm and ml-kmeans in one run.')
    .option('--only <suite...>', 'run only these suites (by name)')
    .option('--quick', 'fewer timed runs (3 instead of 7)', false)
    .option('--json <file>', 'also write every record as JSON')
    .parse()
    .opts<{ only?: string[]; quick: boolean; json?: string }>();
  const suites = await loadSuites(opts.only);
  const peers = await ensurePeers();
  const cpu = os.cpus();
  console.log(
    `shousi bench: node ${process.version}, ${cpu[0]?.model.trim() ?? 'cpu'} x ${cpu.length}, ${opts.quick ? 'quick' : 'full'}`,
  );
  console.log(`peers: ${peers.notes.join('; ')}`);
  const all: (BenchRecord & { suite: string })[] = [];
  let failed = false;
  for (const suite of suites) {
    console.log(`\n## ${suite.name}\n`);
    try {
      const records = await runIsolated(suite.name, opts.quick);
      console.log(formatTable(records));
      all.push(...records.map((r) => ({ suite: suite.name, ...r })));
    } catch (e) {
      failed = true;
      console.log(`suite ${suite.name} failed: ${(e as Error).stack ?? String(e)}`);
    }
  }
  if (opts.json) {
    const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), opts.json);
    writeJsonAtomic(file, all);
    console.log(`\nwrote ${all.length} records to ${file}`);
  }
  return failed ? 1 : 0;
}

process.exitCode = await main().catch((e: Error) => {
  console.error(e.message);
  return 2;
});
