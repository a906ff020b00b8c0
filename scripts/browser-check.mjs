// Runs the wasm backend and its Web Worker pool in a real browser (headless Chromium) and checks
// the results: `npm run check:browser`. Not part of `npm test` (CI has no browser); needs the
// built wasm/ (`npm run build:wasm`) and a chromium (or CHROMIUM=/path/to/chrome).
//
// An entry importing src/index.ts is bundled with esbuild and served, with the wasm binaries, by
// a small HTTP server, twice:
//   /iso/    with COOP same-origin + COEP require-corp (cross-origin isolated): shared memory,
//            the wasm kernels on 2 threads, on the page's main thread (spin wait) and inside a
//            Web Worker (Atomics.wait), must equal the 1-thread result exactly and the
//            TypeScript backend within float32 tolerance; large tensors live in the wasm memory
//   /plain/  without them: the unshared variant, 1 thread, the same results, tensors in ordinary
//            arrays; this page also moves the binaries: it calls
//            initBackend({ wasmBase: '/assets/wasm/' }), and the server checks that every binary
//            it served this page came from there
// The loader finds the binaries at `../../../wasm/` from the bundle's URL, i.e. /wasm/ for a
// bundle at /iso/app.js (URL resolution stops at the root). The page POSTs its report back.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const N = 512;
const PAGE_TIMEOUT_MS = 120_000;
const ROUNDS = 5;
const REPS = 5;

// The page (and its Web Worker: the same module) runs this and reports what it saw.
const ENTRY = `
import { backend, F, getNumThreads, initBackend, kmeans, matmul, memoryInfo, randn, setBackend, setNumThreads, tidy } from './src/index.ts';
import { threadsSupported } from './src/kernels/backend.ts';
import { poolSize } from './src/kernels/pool.ts';

const ROUNDS = ${ROUNDS};
const REPS = ${REPS};

// Appends the times of \`reps\` calls to \`ms\`; returns the last result.
function timed(fn, reps, ms) {
  let out;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    out = fn();
    ms.push(performance.now() - t0);
  }
  return out;
}
const median = (ms) => [...ms].sort((x, y) => x - y)[ms.length >> 1];

function canBlock() {
  if (typeof SharedArrayBuffer === 'undefined') return null;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

async function checks(where) {
  const r = { where, isolated: globalThis.crossOriginIsolated === true, cores: navigator.hardwareConcurrency };
  r.backendBeforeInit = backend();
  // the plain page loads its binaries from a folder of its choosing (a bundler's assets)
  r.backend = await initBackend(r.isolated ? undefined : { wasmBase: '/assets/wasm/' });
  setNumThreads(2);
  await initBackend();
  r.threadsSupported = threadsSupported();
  r.threads = getNumThreads();
  r.workersReady = poolSize();
  r.canBlock = canBlock();
  const a = randn([${N}, ${N}], { generator: 1 });
  const b = randn([${N}, ${N}], { generator: 2 });
  // large tensors live in wasm memory only when it is shared (growing it keeps views valid)
  r.resident = memoryInfo().residentBytes >= 2 * ${N} * ${N} * 4;
  const mm = () => matmul(a, b).data;
  setNumThreads(1);
  mm(); // warm-up: compilation, memory growth
  // alternating rounds, so load from other processes and warm-up fall on both settings alike
  const t1 = [];
  const t2 = [];
  let one;
  let two;
  r.workersInRounds = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    setNumThreads(2);
    await initBackend();
    r.workersInRounds = Math.min(r.workersInRounds, poolSize());
    two = timed(mm, REPS, t2);
    setNumThreads(1);
    one = timed(mm, REPS, t1);
  }
  // a synchronous op right after asking for more threads: the new worker cannot have booted
  // (the page has not yielded), so it must run on one thread, not wait for it
  setNumThreads(2);
  r.workersBeforeYield = poolSize();
  const early = mm();
  await initBackend();
  r.workersAfterYield = poolSize();
  setBackend('js');
  const tjs = [];
  const js = timed(mm, 3, tjs);
  setBackend('auto');
  r.ms = { threads1: median(t1), threads2: median(t2), js: median(tjs) };
  r.runs = { threads1: t1.map(Math.round), threads2: t2.map(Math.round) };
  r.exact2v1 = two.every((x, i) => x === one[i]);
  r.exactEarly = early.every((x, i) => x === one[i]);
  let err = 0;
  for (let i = 0; i < js.length; i++) err = Math.max(err, Math.abs(one[i] - js[i]) / (1 + Math.abs(js[i])));
  r.maxRelErrVsJs = err;
  // k-means: the assignment kernel's threads claim chunks through an atomic counter; labels,
  // centres and inertia must be the TypeScript loop's, bit for bit, on 1 and 2 threads
  const X = randn([30000, 8], { generator: 3 });
  const km = () => kmeans(X, 8, { init: X.narrow(0, 0, 8), maxIter: 6, tol: 0, algorithm: 'lloyd' });
  setNumThreads(2);
  await initBackend();
  const k2 = km();
  setNumThreads(1);
  const k1 = km();
  setBackend('js');
  const kj = km();
  setBackend('auto');
  const same = (a, b) =>
    a.inertia === b.inertia && a.nIter === b.nIter &&
    a.labels.data.every((v, i) => v === b.labels.data[i]) && a.centers.data.every((v, i) => v === b.centers.data[i]);
  r.kmeansExact = same(k2, kj) && same(k1, kj);
  // the other wasm kernels, on 2 threads where the page allows, against the TypeScript backend;
  // each result is read inside tidy(), so its storage goes back to the pool (and is reused)
  const img = randn([2, 8, 12, 12], { generator: 4 });
  const ker = randn([6, 8, 3, 3], { generator: 5 });
  const [q, k, v] = [64, 80, 80].map((L, i) => randn([2, 4, L, 16], { generator: 6 + i }));
  const rows = randn([256, 300], { generator: 9 });
  const ops = {
    conv2d: () => F.conv2d(img, ker, { padding: 1 }),
    attention: () => F.scaledDotProductAttention(q, k, v).output,
    softmax: () => rows.softmax(-1),
    layerNorm: () => F.layerNorm(rows, [300]),
    add: () => rows.add(rows),
  };
  const run = () => Object.fromEntries(Object.entries(ops).map(([n, op]) => [n, tidy(() => Array.from(op().data))]));
  setNumThreads(2);
  await initBackend();
  const wasm = run();
  setBackend('js');
  const ref = run();
  setBackend('auto');
  r.opsErr = {};
  for (const n of Object.keys(ops)) {
    let e = wasm[n].length === ref[n].length ? 0 : Infinity;
    for (let i = 0; i < ref[n].length; i++) e = Math.max(e, Math.abs(wasm[n][i] - ref[n][i]) / (1 + Math.abs(ref[n][i])));
    r.opsErr[n] = e;
  }
  return r;
}

async function inWorker() {
  const w = new Worker(import.meta.url, { type: 'module' });
  return new Promise((settle) => {
    w.onmessage = (e) => settle(e.data);
    w.onerror = (e) => settle({ where: 'worker', error: String(e.message ?? e) });
  });
}

const fail = (e) => ({ error: String(e?.stack ?? e) });
if (typeof document === 'undefined') {
  checks('worker').then((r) => postMessage(r), (e) => postMessage({ where: 'worker', ...fail(e) }));
} else {
  const report = [];
  try {
    report.push(await checks('page'));
    if (globalThis.crossOriginIsolated) report.push(await inWorker());
  } catch (e) {
    report.push({ where: 'page', ...fail(e) });
  }
  await fetch('/report', { method: 'POST', body: JSON.stringify(report) });
}
`;

const PAGE =
  '<!doctype html><meta charset="utf-8"><title>shousi</title><script type="module" src="app.js"></script>';

function findChromium() {
  for (const c of [process.env.CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome']) {
    if (c && spawnSync(c, ['--version'], { encoding: 'utf8' }).status === 0) return c;
  }
  throw new Error('browser-check: no chromium found (apt-get install chromium, or set CHROMIUM)');
}

async function bundle() {
  const out = await build({
    stdin: { contents: ENTRY, resolveDir: root, sourcefile: 'browser-entry.js', loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['node:*'], // the loader's Node-only branch, never taken in a browser
    write: false,
    logLevel: 'error',
  });
  return out.outputFiles[0].text;
}

// Serves /iso/ and /plain/ (page + bundle) and /wasm/*; resolves reports posted to /report.
function serve(app) {
  let onReport = () => {};
  const served = { wasm: 0, assets: 0 }; // binaries served from /wasm/ and from /assets/wasm/
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const moved = url.pathname.startsWith('/assets/wasm/');
    const [, dir, file = ''] = (moved ? url.pathname.slice('/assets'.length) : url.pathname).split('/');
    const isolation =
      dir === 'iso'
        ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
        : {};
    if (req.method === 'POST' && dir === 'report') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.end('ok');
        onReport(JSON.parse(body));
      });
      return;
    }
    if ((dir === 'iso' || dir === 'plain') && (file === '' || file === 'app.js')) {
      const type = file ? 'text/javascript' : 'text/html';
      res.writeHead(200, { 'Content-Type': type, ...isolation });
      res.end(file ? app : PAGE);
      return;
    }
    if (dir === 'wasm' && /^[\w-]+\.wasm$/.test(file)) {
      try {
        const bytes = readFileSync(join(root, 'wasm', file));
        served[moved ? 'assets' : 'wasm']++;
        res.writeHead(200, { 'Content-Type': 'application/wasm' });
        res.end(bytes);
      } catch {
        res.writeHead(404).end();
      }
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((settle) => {
    server.listen(0, '127.0.0.1', () => {
      const next = () => new Promise((r) => (onReport = r));
      settle({ server, port: server.address().port, next, served });
    });
  });
}

// Opens one URL in a fresh headless Chromium and waits for the page's report.
async function visit(chromium, url, next) {
  const profile = mkdtempSync(join(tmpdir(), 'shousi-chromium-'));
  const args = [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--enable-logging=stderr',
  ];
  const child = spawn(chromium, [...args, `--user-data-dir=${profile}`, url], { detached: true });
  let log = '';
  child.stderr.on('data', (c) => (log += c));
  let timer;
  const timeout = new Promise((settle) => {
    timer = setTimeout(() => settle(null), PAGE_TIMEOUT_MS);
  });
  const report = await Promise.race([next(), timeout]);
  clearTimeout(timer);
  try {
    process.kill(-child.pid, 'SIGKILL'); // the browser we started and its own child processes
  } catch {}
  rmSync(profile, { recursive: true, force: true });
  if (!report) {
    const console = log.split('\n').filter((l) => /CONSOLE|ERROR/.test(l));
    throw new Error(
      `browser-check: no report from ${url} in ${PAGE_TIMEOUT_MS / 1000} s\n${console.join('\n')}`,
    );
  }
  return report;
}

// What each report must say; returns the failures.
function verify(r, isolated) {
  const bad = [];
  const want = (ok, what) => ok || bad.push(`${r.where}: ${what} (got ${JSON.stringify(r)})`);
  if (r.error) return [`${r.where}: threw ${r.error}`];
  want(/^wasm-(relaxed-)?simd$/.test(r.backend), 'backend is wasm-simd or wasm-relaxed-simd');
  want(r.backendBeforeInit === 'js', "backend() is 'js' before initBackend()");
  want(r.isolated === isolated, `crossOriginIsolated is ${isolated}`);
  want(r.threadsSupported === isolated, `threadsSupported() is ${isolated}`);
  want(r.threads === (isolated ? 2 : 1), `getNumThreads() is ${isolated ? 2 : 1} after setNumThreads(2)`);
  want(r.workersReady === (isolated ? 1 : 0), 'workers ready after await initBackend()');
  want(r.workersInRounds === (isolated ? 1 : 0), 'the worker ready in every timed 2-thread round');
  want(r.workersBeforeYield === 0, 'no worker ready before the page yields');
  want(r.workersAfterYield === (isolated ? 1 : 0), 'the worker ready after await initBackend()');
  if (isolated) want(r.canBlock === (r.where === 'worker'), 'Atomics.wait allowed only in the worker');
  want(r.exact2v1, '2-thread product equals the 1-thread product exactly');
  want(r.resident === isolated, `large tensors ${isolated ? 'in' : 'outside'} wasm memory`);
  want(r.exactEarly, 'the product before the worker was ready equals the 1-thread product');
  want(r.maxRelErrVsJs < 1e-4, 'wasm product matches the TypeScript backend (|d| / (1 + |ref|) < 1e-4)');
  want(r.kmeansExact === true, 'k-means on 1 and 2 threads equals the TypeScript loop bit for bit');
  for (const [op, e] of Object.entries(r.opsErr ?? { missing: Infinity }))
    want(e < 1e-4, `wasm ${op} matches the TypeScript backend (|d| / (1 + |ref|) < 1e-4, got ${e})`);
  return bad;
}

const chromium = findChromium();
const app = await bundle();
const { server, port, next, served } = await serve(app);
const failures = [];
try {
  for (const [dir, isolated] of [
    ['iso', true],
    ['plain', false],
  ]) {
    served.wasm = served.assets = 0;
    const reports = await visit(chromium, `http://127.0.0.1:${port}/${dir}/`, next);
    // the plain page moved them (wasmBase)
    const [from, other, path] = isolated ? ['wasm', 'assets', '/wasm/'] : ['assets', 'wasm', '/assets/wasm/'];
    if (served[from] === 0 || served[other] !== 0)
      failures.push(`/${dir}/: binaries should all come from ${path} (served ${JSON.stringify(served)})`);
    if (reports.length !== (isolated ? 2 : 1))
      failures.push(`/${dir}/: expected ${isolated ? 2 : 1} reports`);
    for (const r of reports) {
      failures.push(...verify(r, isolated).map((f) => `/${dir}/ ${f}`));
      const t = r.ms ?? {};
      const f = (ms) => (ms === undefined ? '-' : `${ms.toFixed(1)} ms`);
      console.log(
        `/${dir}/ ${r.where}: ${r.backend}, isolated ${r.isolated}, ${N}x${N} f32 matmul medians: ` +
          `1 thread ${f(t.threads1)}, setNumThreads(2) -> ${r.threads} thread(s) ${f(t.threads2)}, js ${f(t.js)}; ` +
          `exact ${r.exact2v1}, max rel err vs js ${r.maxRelErrVsJs?.toExponential(1)}; k-means exact ${r.kmeansExact}; conv2d/attention/softmax/layerNorm/add max rel err vs js ${Math.max(...Object.values(r.opsErr ?? {})).toExponential(1)}`,
      );
      console.log(`  runs (ms): ${JSON.stringify(r.runs)}`);
    }
  }
} finally {
  server.close();
}
if (failures.length > 0) {
  console.error(`browser-check: ${failures.length} failure(s)\n${failures.join('\n')}`);
  process.exit(1);
}
console.log('browser-check: ok');
