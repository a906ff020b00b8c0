// The CLI end to end: each demo spawned with small settings (through tsx for speed, and the
// built dist once), checked for its exit code, key output lines, --json fields and the PNGs it
// writes (valid PNG, sensible size, not a blank image); bad input exits non-zero with one line.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fmtNum } from '../src/cli/format.js';
import { toVegaLite } from '../src/cli/plot.js';
import { main } from '../src/cli/program.js';
import { ROOT } from './helpers.js';

const OUT = mkdtempSync(join(tmpdir(), 'shousi-cli-'));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
/** The ten demos in the order `shousi demo all` runs them (written out: the test pins it). */
const DEMO_ORDER = [
  'linreg',
  'mlp',
  'attention',
  'mha',
  'self-attention',
  'beam-search',
  'kmeans',
  'layernorm',
  'batchnorm',
  'conv2d',
];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs node with `args` in the repo root; resolves when it exits. */
function spawnNode(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The CLI from source, in a child process (tsx). */
const cli = (...args: string[]) => spawnNode(['--import', 'tsx', 'src/cli/main.ts', ...args]);

/** The CLI in this process, output captured (for the quick checks: parsing, help, info). */
async function cliInProcess(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

interface Png {
  width: number;
  height: number;
  colours: number;
}

/** Decodes an 8-bit PNG (resvg writes RGBA): size and the number of distinct pixel values. */
function readPng(path: string): Png {
  const buf = readFileSync(path);
  expect(buf.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]))).toBe(true);
  let off = 8;
  let width = 0;
  let height = 0;
  let bpp = 0;
  const idat: Buffer[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const body = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect(body[8]).toBe(8); // bit depth
      bpp = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[body[9]];
      expect(body[12]).toBe(0); // not interlaced
    } else if (type === 'IDAT') idat.push(body);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const px = Buffer.alloc(stride * height);
  // undo the per-row filters (None, Sub, Up, Average, Paeth)
  for (let r = 0; r < height; r++) {
    const f = raw[r * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const x = raw[r * (stride + 1) + 1 + i];
      const a = i >= bpp ? px[r * stride + i - bpp] : 0;
      const b = r > 0 ? px[(r - 1) * stride + i] : 0;
      const c = r > 0 && i >= bpp ? px[(r - 1) * stride + i - bpp] : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      px[r * stride + i] = (x + pred) & 255;
    }
  }
  const seen = new Set<string>();
  for (let i = 0; i < px.length && seen.size < 1000; i += bpp)
    seen.add(px.subarray(i, i + bpp).toString('hex'));
  return { width, height, colours: seen.size };
}

function expectGoodPngs(dir: string, prefix: string, count: number): void {
  const pngs = readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.png'));
  expect(pngs.length).toBe(count);
  for (const f of pngs) {
    expect(existsSync(join(dir, f.replace(/\.png$/, '.svg')))).toBe(true);
    const png = readPng(join(dir, f));
    expect(png.width).toBeGreaterThanOrEqual(200);
    expect(png.height).toBeGreaterThanOrEqual(150);
    expect(png.colours).toBeGreaterThan(20); // axes, text, data: far from a blank image
  }
}

afterAll(() => rmSync(OUT, { recursive: true, force: true }));

describe.concurrent('shousi demo <name>', () => {
  // [name, extra args, key output lines, number of plots]
  const cases: [string, string[], RegExp[], number][] = [
    [
      'linreg',
      ['--epochs', '3'],
      [/minibatch SGD: 3 epochs, batch 64/, /closed form\s+0\.26\d*\s+0\.60/, /MedInc/],
      1,
    ],
    [
      'mlp',
      ['--epochs', '200'],
      [/first gradient, hand-written backprop vs autograd: max diff \S+e-1[0-9]/, /final MSE/],
      2,
    ],
    [
      'attention',
      [],
      [/output \[2, 6, 8\], weights \[2, 6, 6\]/, /textbook softmax .*: \[nan/, /dq finite: true/],
      1,
    ],
    [
      'mha',
      [],
      [/in_proj_weight\s+\[48, 16\]/, /padded key: 0; on a future key: 0/, /output \[2, 6, 10\]/],
      1,
    ],
    ['self-attention', [], [/by 0 with it/, /MultiheadAttention\(x, x, x\)\| = 0/], 1],
    ['beam-search', ['--batch-size', '4'], [/beam/i, /greedy/i, /EOS/], 1],
    [
      'kmeans',
      [],
      [/adjusted Rand index vs species: 0\.73/, /Elkan gives the same labels as Lloyd: true/],
      4,
    ],
    ['layernorm', [], [/10000\s+nan\/inf\s+\S+e-[78]/, /per-sample mean: \[1, 1\]/], 1],
    ['batchnorm', [], [/expected more than 1 value per channel/, /num_batches_tracked = 30/], 2],
    ['conv2d', [], [/-> \[1, 1, 4, 4\]/, /six nested loops\| = \S+e-1[5-7]/, /output \[2, 6, 5, 5\]/], 1],
  ];
  it.each(cases)('%s', async (name, args, lines, plots) => {
    const out = join(OUT, name);
    const r = await cli('demo', name, '--out', out, ...args);
    expect(r.stderr).not.toMatch(/\u2588|at .*\.ts:\d+/); // no progress bar off a TTY, no stack trace
    expect(r.code).toBe(0);
    for (const re of lines) expect(r.stdout).toMatch(re);
    expect(r.stdout).toMatch(new RegExp(`^${name}: .+ \\(\\d+(\\.\\d+)? m?s\\)$`, 'm')); // the one-line summary
    expectGoodPngs(out, name, plots);
  });

  it('linreg --raw shows the divergence error and exits 0', async () => {
    const r = await cli('demo', 'linreg', '--raw', '--no-plot');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/DivergenceError: train: the loss grew .* at epoch 1, batch \d+/);
    expect(r.stdout).toMatch(/^linreg: the seed's unscaled SGD diverged, as expected/m);
  });

  it('--quiet prints only the summary line', async () => {
    const r = await cli('demo', 'layernorm', '--quiet', '--no-plot');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(/^layernorm: /);
  });
});

describe('shousi demo all --json', () => {
  let doc: {
    demos: {
      demo: string;
      summary: string;
      seconds: number;
      plots: string[];
      metrics: Record<string, unknown>;
    }[];
    failed: number;
  };
  beforeAll(async () => {
    const r = await cli('demo', 'all', '--json', '--no-plot', '--epochs', '3', '--seed', '1');
    expect(r.code).toBe(0);
    doc = JSON.parse(r.stdout); // nothing but the JSON document on stdout
  });

  it('has every demo, in order, with a summary and metrics', () => {
    expect(doc.failed).toBe(0);
    expect(doc.demos.map((d) => d.demo)).toEqual(DEMO_ORDER);
    for (const d of doc.demos) {
      expect(d.summary.length).toBeGreaterThan(20);
      expect(d.seconds).toBeGreaterThanOrEqual(0);
      expect(d.plots).toEqual([]);
    }
  });

  it('reports the key numbers', () => {
    const metrics = Object.fromEntries(doc.demos.map((d) => [d.demo, d.metrics]));
    // a metric by its path, e.g. get('linreg', 'closedForm', 'testR2')
    const get = (demo: string, ...keys: string[]): unknown =>
      keys.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], metrics[demo]);
    const num = (demo: string, ...keys: string[]) => get(demo, ...keys) as number;
    expect(num('linreg', 'epochs')).toBe(3);
    expect(num('linreg', 'closedForm', 'testR2')).toBeGreaterThan(0.55);
    expect(num('mlp', 'handVsAutogradGradDiff')).toBeLessThan(1e-10);
    expect(num('attention', 'rowSumMaxErr')).toBeLessThan(1e-5);
    expect(get('attention', 'textbookFullyMaskedIsNaN')).toBe(true);
    expect(num('mha', 'stateDictReloadDiff')).toBe(0);
    expect(num('self-attention', 'causalShift')).toBe(0);
    expect(get('beam-search', 'tableBestIsArgmax')).toBe(true);
    expect(get('beam-search', 'tableShape')).toEqual([32, 3, 20]);
    expect(num('kmeans', 'irisAri')).toBeGreaterThan(0.7);
    expect(get('kmeans', 'elkanSameLabels')).toBe(true);
    const precision = get('layernorm', 'precision') as {
      offset: number;
      naive: number | null;
      ours: number;
    }[];
    const at1e4 = precision.find((r) => r.offset === 1e4)!;
    expect(at1e4.naive === null || at1e4.naive > 0.1).toBe(true);
    expect(at1e4.ours).toBeLessThan(1e-5);
    expect(num('conv2d', 'maxDiffVsLoops')).toBeLessThan(1e-12);
  });
});

describe('bad input', () => {
  const bad: [string[], RegExp][] = [
    [['demo', 'nope'], /'nope' is invalid/],
    [['demo', 'linreg', '--epochs', 'abc'], /--epochs <n>' argument 'abc' is invalid/],
    [['demo', 'linreg', '--lr', '-1'], /--lr <x>' argument '-1' is invalid/],
    [['demo', 'linreg', '--batch-size', '0'], /--batch-size <n>' argument '0' is invalid/],
    [['demo', 'attention', '--epochs', '3'], /demo 'attention' does not take --epochs/],
    [['demo'], /missing required argument 'name'/],
  ];
  it.each(bad)('%j', async (args, message) => {
    const r = await cliInProcess(...args);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).toMatch(/^Usage: shousi demo \[options\] <name>$/m);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');
  });

  it('a library error during a demo is one line and exit code 1', async () => {
    const r = await cliInProcess('demo', 'linreg', '--lr', '5', '--no-plot', '--quiet');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^shousi demo linreg: DivergenceError: train: the loss grew .* lower the learning rate/,
    );
  });

  it('exits the process with code 2', async () => {
    const r = await cli('demo', 'nope');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^error: .*'nope' is invalid/);
  });
});

describe('help, version, info', () => {
  it('--help and demo --help list the ten demos with one line each', async () => {
    for (const args of [['--help'], ['demo', '--help']]) {
      const r = await cliInProcess(...args);
      expect(r.code).toBe(0);
      for (const name of DEMO_ORDER) {
        expect(r.stdout).toMatch(new RegExp(`^  ${name} +\\S.+$`, 'm'));
      }
    }
  });

  it('info prints the version, the backend and its threads', async () => {
    const r = await cliInProcess('info', '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.version).toBe(pkg.version);
    expect(typeof info.backend).toBe('string');
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.threadsSupported).toBe(true); // Node: worker_threads and shared memory
    const text = await cliInProcess('info');
    expect(text.stdout).toMatch(/^backend +wasm-(relaxed-)?simd$/m);
    expect(text.stdout).toMatch(/^threads +\d+$/m);
  });
});

describe('the built CLI (dist)', () => {
  const entry = join(ROOT, 'dist/cli/main.js');
  beforeAll(() => {
    // build when dist is missing or older than a source file
    const newest = (dir: string): number =>
      Math.max(
        0,
        ...readdirSync(dir, { withFileTypes: true }).map((e) =>
          e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
        ),
      );
    if (!existsSync(entry) || statSync(entry).mtimeMs < newest(join(ROOT, 'src'))) {
      spawnSync(
        process.execPath,
        [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
        { cwd: ROOT, timeout: 120_000 },
      );
    }
  }, 130_000);

  it('runs --version and a demo with plots', async () => {
    expect((await spawnNode([entry, '--version'])).stdout.trim()).toBe(pkg.version);
    const out = join(OUT, 'dist');
    const r = await spawnNode([entry, 'demo', 'conv2d', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^conv2d: /m);
    expectGoodPngs(out, 'conv2d', 1);
  });
});

describe('formatting and plot specs', () => {
  it('prints numbers with a few significant digits', () => {
    expect([0.52341, 12.3456, 1234.5, 1.2346e-5, 2e8, 0, Number.NaN, 100].map((x) => fmtNum(x))).toEqual([
      '0.5234',
      '12.35',
      '1235',
      '1.235e-5',
      '2e+8',
      '0',
      'nan',
      '100',
    ]);
  });

  it('gives every plot a title and axis titles, and a legend only with several series', () => {
    const series = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ name: `s${i}`, x: [1, 2], y: [1, 2] }));
    for (const n of [1, 2]) {
      const spec = JSON.stringify(
        toVegaLite({ kind: 'line', title: 'T', xLabel: 'X', yLabel: 'Y', series: series(n) }),
      );
      expect(spec).toContain('"text":"T"');
      expect(spec).toContain('"title":"X"');
      expect(spec).toContain('"title":"Y"');
      expect(spec.includes('"legend":null')).toBe(n === 1);
    }
  });
});
